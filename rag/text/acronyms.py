"""Acronyms a text defines: 'Freedom of Information Act (FOIA)'."""

from __future__ import annotations

from rag.text.patterns import DEFINED_ACRONYM


def defined_acronyms(text: str) -> dict[str, str]:
    found = {}
    for match in DEFINED_ACRONYM.finditer(text):
        acronym = match.group(2).replace(".", "")
        long = long_form(match.group(1), acronym)
        if long:
            found[acronym] = long
    return found


def long_form(words_before: str, acronym: str) -> str | None:
    """The shortest tail of the words whose initials spell the acronym; a trailing
    generic word may go unabbreviated ("Data Protection Office (DP)")."""
    words = words_before.split()
    for start in range(len(words)):
        initials = "".join(w[0] for w in words[start:] if w[0].isupper())
        if initials == acronym.upper() or (initials[:-1] == acronym.upper() and len(acronym) >= 3):
            return " ".join(words[start:])
    return None

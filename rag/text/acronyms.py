"""Acronyms a text defines: 'Freedom of Information Act (FOIA)'."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from rag.text.patterns import ACRONYM, CAPITALISED_RUN, DEFINED_ACRONYM
from rag.text.tokens import STOPWORDS

# Long forms kept for one initialism: "PM" may be a minister or an afternoon.
INITIALISM_FORMS = 2


def defined_acronyms(text: str) -> dict[str, str]:
    found = {}
    for match in DEFINED_ACRONYM.finditer(text):
        acronym = match.group(2).replace(".", "")
        if acronym.endswith("s") and acronym[:-1].isupper():
            acronym = acronym[:-1]  # a plural: "Unmanned Aerial Vehicles (UAVs)"
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


def initialisms(texts: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Acronyms the texts use without defining, matched to capitalised runs of the same
    texts whose initials spell them ("UK" and "United Kingdom"), most frequent first."""
    used: dict[str, None] = {}  # in first-use order: CorpusStats.close reads them in this order
    runs: dict[str, Counter] = {}
    for text in texts:
        # An acronym that is also a word ("IT", "US") reads as the word once lower-cased.
        used.update(dict.fromkeys(a for a in ACRONYM.findall(text) if a.isupper() and a.lower() not in STOPWORDS))
        for match in CAPITALISED_RUN.finditer(text):
            for initials, form in _spans_of(match.group(0).split()):
                runs.setdefault(initials, Counter())[form] += 1
    return {
        acronym: tuple(run for run, _ in runs[acronym].most_common(INITIALISM_FORMS))
        for acronym in used if acronym in runs
    }


def _spans_of(words: list[str]) -> Iterable[tuple[str, str]]:
    """Each stretch of a capitalised run that starts and ends on a capitalised word and
    holds two to six of them, with its initials: "The United Kingdom" gives "United
    Kingdom" (UK) as well as the whole (TUK)."""
    words = [re.sub(r"(?:['’]s)?[.,;:'’-]*$", "", w) for w in words]
    # Only spelled-out words: not "If the Parliament" (a sentence's opening word) nor
    # "US Senate" (an acronym already).
    capitalised = [i for i, w in enumerate(words)
                   if w[:1].isupper() and w.lower() not in STOPWORDS and not ACRONYM.fullmatch(w)]
    for a, start in enumerate(capitalised):
        for end in capitalised[a + 1: a + 6]:
            stretch = words[start: end + 1]
            joiners = [w[:1].islower() for w in stretch]
            if all(j or i in capitalised for i, j in enumerate(joiners, start)) and not any(
                    left and right for left, right in zip(joiners, joiners[1:])):  # "of", not "and the"
                yield "".join(w[0] for w in stretch if w[:1].isupper()), " ".join(stretch)

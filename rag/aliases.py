"""Other names for the same thing: acronyms the documents define ("Hong Kong Talent
Engage Office (HKTE)") and a few common ones they use without defining (LegCo)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag.text.tokens import content_terms, stem

# Names people write in questions for what the documents spell out another way.
COMMON = {
    "LegCo": ("Legislative Council",),
    "HK": ("Hong Kong",),
    "HKSAR": ("Hong Kong",),
    "SAR": ("Hong Kong",),
    "PRC": ("China",),
    "Beijing": ("China", "central government", "Chinese government"),
    "ICT": ("information and communication technology",),
    "CE": ("Chief Executive",),
    "ImmD": ("Immigration Department",),
    "app": ("platform", "social media", "application"),
    "weekday": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "city": ("Hong Kong", "Beijing", "Shanghai", "Shenzhen", "Guangzhou", "Taipei", "Singapore"),
}

# Up to eight capitalised words (with "of", "and"... between them) before "(ACRONYM)".
LONG_FORM = r"((?:[A-Z][\w’'-]*\s+(?:(?:of|for|and|the|in|on)\s+)?){1,8})\(\s*(?:the\s+)?"
_DEFINED = re.compile(LONG_FORM + r"([A-Z][A-Za-z]{1,9})s?\s*\)")


def defined_acronyms(text: str) -> dict[str, str]:
    """'Quality Migrant Admission Scheme (QMAS)' -> {'QMAS': 'Quality Migrant Admission Scheme'}."""
    found = {}
    for match in _DEFINED.finditer(text):
        long = long_form(match.group(1), match.group(2))
        if long:
            found[match.group(2)] = long
    return found


def long_form(words_before: str, acronym: str) -> str | None:
    """The shortest tail of the words whose initials spell the acronym; "Hong Kong Talent
    Engage Office (HKTE)": a trailing generic word may go unabbreviated."""
    words = words_before.split()
    for start in range(len(words)):
        initials = "".join(w[0] for w in words[start:] if w[0].isupper())
        if initials == acronym.upper() or (initials[:-1] == acronym.upper() and len(acronym) >= 3):
            return " ".join(words[start:])
    return None


class Aliases:
    """Stemmed term -> alternative sets of stemmed terms that mean the same."""

    def __init__(self, defined: dict[str, str] | None = None) -> None:
        self.defined = dict(defined or {})
        self.expansions: dict[str, list[frozenset[str]]] = {}
        for short, longs in COMMON.items():
            for long in longs:
                self._add(short, long)
        for short, long in (defined or {}).items():
            self._add(short, long)

    def _add(self, short: str, long: str) -> None:
        key, terms = stem(short), frozenset(content_terms(long))
        if terms and key not in terms:
            self.expansions.setdefault(key, []).append(terms)
            # The acronym stands for the long form just as the long form stands for it.
            for term in terms:
                if len(terms) == 1:
                    self.expansions.setdefault(term, []).append(frozenset({key}))

    def spelled_out(self, question: str) -> str:
        """The question with each acronym the documents define followed by its long form,
        so retrieval also finds the passages that only spell it out."""
        extra = [self.defined[a] for a in re.findall(r"\b[A-Z][A-Za-z]{1,9}\b", question) if a in self.defined]
        return question if not extra else f"{question} ({'; '.join(dict.fromkeys(extra))})"

    def close(self, terms: Iterable[str]) -> set[str]:
        """The terms, plus every alias they spell out in full or abbreviate."""
        found = set(terms)
        for key, alternatives in self.expansions.items():
            if key in found:
                for alternative in alternatives:
                    found |= alternative
            elif any(alternative <= found for alternative in alternatives):
                found.add(key)
        return found

    def known_through(self, term: str, vocabulary: set[str]) -> bool:
        """A name the documents never use but whose long form they do."""
        return any(alternative <= vocabulary for alternative in self.expansions.get(term, ()))

"""What is learned from the indexed documents themselves: how rare each term is,
the acronyms the documents define ("Transmission Control Protocol (TCP)") or use beside
words whose initials spell them ("UK", "United Kingdom"), whether a name is used as a
person's or a place's, plus any other names for things a user's glossary file gives."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from rag.text.acronyms import capitalised_stretches, contraction_forms, defined_acronyms, initialisms
from rag.answering.records import Question
from rag.text.names import PLACE_OR_PEOPLE, NameKinds, demonym_places
from rag.text.tokens import content_terms
from rag.types import Chunk


class CorpusStats:
    def __init__(self, chunks: Sequence[Chunk], glossary: Mapping[str, Sequence[str]] | None = None) -> None:
        self.total = max(1, len(chunks))
        self.df: dict[str, int] = {}
        defined: dict[str, list[str]] = {}
        for chunk in chunks:
            text = chunk.text + " " + chunk.title
            for short, long in defined_acronyms(text).items():
                defined.setdefault(short, []).append(long)
            for term in set(content_terms(text)):
                self.df[term] = self.df.get(term, 0) + 1
        used, self._stretches = capitalised_stretches(c.text + " " + c.title for c in chunks)
        for short, longs in initialisms(used, self._stretches).items():
            if short not in defined:  # a definition the documents give wins over a guess
                defined[short] = list(longs)
        for short, longs in (glossary or {}).items():
            defined.setdefault(short, []).extend(longs)
        self.defined = {short: tuple(dict.fromkeys(longs)) for short, longs in defined.items()}
        self.names = NameKinds(c.text for c in chunks)
        self._expansions = _expansions(self.defined)

    def idf(self, term: str) -> float:
        return math.log((self.total + 1) / (self.df.get(term, 0) + 0.5)) + 1.0

    def close(self, terms: Iterable[str]) -> set[str]:
        """The terms plus what each acronym spells out, and the acronym of each long form present."""
        found = set(terms)
        for key, alternatives in self._expansions.items():
            if key in found:
                for alternative in alternatives:
                    found |= alternative
            elif any(alternative <= found for alternative in alternatives):
                found.add(key)
        return found

    def in_their_words(self, question: Question) -> Question:
        """The question with words the documents never use turned into theirs: a people's
        word into the place ("Canadians" where they only say "Canada"), a contraction into
        what it contracts ("LegCo" where they only say "Legislative Council")."""
        found: dict[str, tuple[str, ...]] = {}
        for word in PLACE_OR_PEOPLE.findall(question.text):
            term = content_terms(word)
            if not term or self.df.get(term[0]):
                continue
            place = next((t for p in demonym_places(word) for t in content_terms(p)[:1] if self.df.get(t)), None)
            if place:
                found[term[0]] = (place,)
        for word, forms in self._contractions(question.text).items():
            found[content_terms(word)[0]] = tuple(content_terms(forms[0]))
        if not found:
            return question
        return replace(question, terms=_swapped(question.terms, found), names=_swapped(question.names, found))

    def spelled_out(self, question: str) -> str:
        """The question with each acronym or contraction the documents spell out followed
        by its long form, for retrieval."""
        extra = [long for a in re.findall(r"\b[A-Z][A-Za-z.]{1,9}\b", question) for long in self.defined.get(a, ())]
        extra += [long for forms in self._contractions(question).values() for long in forms]
        return question if not extra else f"{question} ({'; '.join(dict.fromkeys(extra))})"

    def _contractions(self, text: str) -> dict[str, tuple[str, ...]]:
        """Words of the text no document holds that contract a name they do hold."""
        found = {}
        for word in set(re.findall(r"\b[A-Z][a-z]+[A-Z][A-Za-z]*\b", text)):
            terms = content_terms(word)
            if terms and not self.df.get(terms[0]) and (forms := contraction_forms(word, self._stretches)):
                found[word] = forms
        return found


def _swapped(terms: Sequence[str], found: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t2 for t in terms for t2 in found.get(t, (t,))))


def _expansions(defined: Mapping[str, Sequence[str]]) -> dict[str, list[frozenset[str]]]:
    out: dict[str, list[frozenset[str]]] = {}
    for short, longs in defined.items():
        keys = content_terms(short)
        if not keys:
            continue
        for long in longs:
            terms = frozenset(content_terms(long))
            if terms and keys[0] not in terms:
                out.setdefault(keys[0], []).append(terms)
    return out

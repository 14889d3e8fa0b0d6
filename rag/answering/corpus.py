"""What is learned from the indexed documents themselves: how rare each term is,
the acronyms the documents define ("Transmission Control Protocol (TCP)") or use beside
words whose initials spell them ("UK", "United Kingdom"), whether a name is used as a
person's or a place's, plus any other names for things a user's glossary file gives."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from rag.text.acronyms import defined_acronyms, initialisms
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
        for short, longs in initialisms(c.text + " " + c.title for c in chunks).items():
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
        """The question with a people's word the documents never use turned into the
        place they name instead ("Canadians" where they only say "Canada")."""
        found: dict[str, str] = {}
        for word in PLACE_OR_PEOPLE.findall(question.text):
            term = content_terms(word)
            if not term or self.df.get(term[0]):
                continue
            place = next((t for p in demonym_places(word) for t in content_terms(p)[:1] if self.df.get(t)), None)
            if place:
                found[term[0]] = place
        if not found:
            return question
        return replace(question, terms=tuple(dict.fromkeys(found.get(t, t) for t in question.terms)),
                       names=tuple(dict.fromkeys(found.get(n, n) for n in question.names)))

    def spelled_out(self, question: str) -> str:
        """The question with each defined acronym followed by its long form, for retrieval."""
        extra = [long for a in re.findall(r"\b[A-Z][A-Za-z.]{1,9}\b", question) for long in self.defined.get(a, ())]
        return question if not extra else f"{question} ({'; '.join(dict.fromkeys(extra))})"


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

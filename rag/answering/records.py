"""The frozen records of the answer stage."""

from __future__ import annotations

from dataclasses import dataclass

from rag.types import Chunk


@dataclass(frozen=True)
class Question:
    text: str
    kind: str  # number | money | percent | date | time | duration | person | place | acronym | other
    terms: tuple[str, ...]  # stemmed content words
    numbers: tuple[str, ...]  # numbers and years the question gives, digit groups joined
    names: tuple[str, ...]  # stemmed words of capitalised names after the first word
    negated: bool = False


@dataclass(frozen=True)
class Candidate:
    """One unit that may answer: a sentence with its neighbours, or a table row."""

    text: str
    chunk: Chunk
    passage_rank: int
    passage_score: float
    before: str = ""
    after: str = ""
    record: str = ""  # the labelled fields of its passage ("Date: 12 September 2022")

    @property
    def is_table(self) -> bool:
        return self.chunk.kind == "table"

    @property
    def context(self) -> str:
        """What a reader sees around the unit: its neighbours, heading, title and the
        fields of the record it belongs to."""
        parts = (self.chunk.title, self.chunk.heading, self.record, self.before, self.text, self.after)
        return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    probability: float
    span: str | None = None


@dataclass(frozen=True)
class Selection:
    question: Question
    units: tuple[Scored, ...]  # chosen evidence, best first
    confidence: float = 0.0
    abstain_reason: str | None = None
    short_answer: str | None = None
    worked_out: str | None = None  # how a table operation reached the short answer

    @property
    def abstained(self) -> bool:
        return self.abstain_reason is not None

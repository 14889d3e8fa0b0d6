"""Answer candidates from retrieved passages: each sentence with its neighbours
(and, through its chunk, its heading and title), and each table row whole."""

from __future__ import annotations

from collections.abc import Sequence

from rag.answering.records import Candidate
from rag.text.sentences import is_heading, split_sentences
from rag.types import Passage

MIN_WORDS = 2


def candidates(passages: Sequence[Passage]) -> list[Candidate]:
    out: list[Candidate] = []
    seen: set[tuple[str, str]] = set()
    for passage in passages:
        for candidate in _units(passage):
            key = (candidate.chunk.source, candidate.text)
            if key not in seen:  # overlapping chunks repeat sentences
                seen.add(key)
                out.append(candidate)
    return out


def _units(passage: Passage) -> list[Candidate]:
    chunk = passage.chunk
    if chunk.kind == "table":
        return [Candidate(chunk.text, chunk, passage.rank, passage.score)]
    lines = [(s, is_heading(line)) for line in chunk.text.split("\n") for s in split_sentences(line)]
    sentences = [s for s, _ in lines]
    units = []
    for i, (sentence, heading) in enumerate(lines):
        # A heading names a topic and stays as context of what follows; it states nothing.
        if heading or len(sentence.split()) < MIN_WORDS:
            continue
        before = sentences[i - 1] if i > 0 else ""
        after = sentences[i + 1] if i + 1 < len(sentences) else ""
        units.append(Candidate(sentence, chunk, passage.rank, passage.score, before, after))
    return units

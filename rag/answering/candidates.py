"""Answer candidates from retrieved passages: each sentence with its neighbours
(and, through its chunk, its heading, title and labelled fields), and each table row whole."""

from __future__ import annotations

from collections.abc import Sequence

from rag.answering.records import Candidate
from rag.text.fields import labelled_fields
from rag.text.patterns import YES_NO_REPLY
from rag.text.sentences import line_kinds, split_sentences
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
    sentences, headings, lead_ins = [], [], []
    lead_in = ""
    lines = chunk.text.split("\n")
    for line, (heading, item) in zip(lines, line_kinds(lines)):
        for sentence in _with_replies(split_sentences(line)):
            sentences.append(sentence)
            headings.append(heading)
            # A list item is read with the sentence that introduces the list.
            lead_ins.append(lead_in if item else "")
        if not item and line.strip():
            lead_in = line.strip()
    # A record's fields (its date, author, subject) qualify every sentence in it.
    record = " ".join(dict.fromkeys(f.line for f in labelled_fields(chunk.text)))
    units = []
    for i, sentence in enumerate(sentences):
        # A heading names a topic and stays as context of what follows; it states nothing.
        # Nor does a question (an interviewer's, a FAQ's): of 306 sentences ending in "?"
        # among the squad2/train candidates, none held an answer.
        if headings[i] or len(sentence.split()) < MIN_WORDS or _asks(sentence):
            continue
        before = lead_ins[i] or (sentences[i - 1] if i > 0 else "")
        after = sentences[i + 1] if i + 1 < len(sentences) else ""
        units.append(Candidate(sentence, chunk, passage.rank, passage.score, before, after, record))
    return units


def _asks(sentence: str) -> bool:
    # Only a sentence ending on its own question mark: a quoted question or a "[citation
    # needed?]" tag closing a statement does not make it one.
    return sentence.rstrip().endswith("?")


def _with_replies(sentences: list[str]) -> list[str]:
    """A bare "Yes." or "No." (a FAQ's or a letter's reply) is read with the sentence it
    introduces: alone it is too short to be a candidate, and the sentence alone lacks it."""
    out: list[str] = []
    for sentence in sentences:
        if out and YES_NO_REPLY.fullmatch(out[-1]):
            out[-1] = f"{out[-1]} {sentence}"
        else:
            out.append(sentence)
    return out

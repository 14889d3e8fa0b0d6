"""Answers from labelled fields ("Room: Hampton Room"): when the question names a
field's label and the rest of the question fits the record the field belongs to,
the value is the answer and the field's line is its evidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from rag.answering.corpus import CorpusStats
from rag.answering.records import Candidate, Question, Scored
from rag.answering.spans import has_span
from rag.text.fields import Field, document_fields, fields, names_identifier
from rag.text.tokens import agent_forms, content_terms
from rag.types import Passage

# A label asks for its value when the question holds at least this share of its words:
# "Issued Date" for "when was it issued", not "Review Date".
LABEL_SHARE = 0.5
# The question's other words must mostly be about the record the field sits in
# (its title, its other fields, its text), weighted by how rare each word is.
RECORD_COVERAGE = 0.6
# Fields of the first passages only: a label deep in the ranking is about something else.
# A letter's signature and an agreement's defined terms are the exception: a signature
# shares no word with "who signed the letter", a definition few with "who is the landlord".
TOP_PASSAGES = 3


def field_answer(question: Question, passages: Sequence[Passage], stats: CorpusStats) -> Scored | None:
    best: tuple[tuple[float, int], Scored] | None = None
    forms = {t: {t} | agent_forms(t) for t in question.terms}  # "wrote" also names an "Author"
    for depth, passage in enumerate(passages):
        if passage.chunk.kind == "table":
            continue
        found = fields(passage.chunk.text) if depth < TOP_PASSAGES else document_fields(passage.chunk.text)
        if not found:
            continue
        record = stats.close(content_terms(f"{passage.chunk.title}\n{passage.chunk.heading}\n{passage.chunk.text}"))
        for field in found:
            label = set(content_terms(field.label))
            naming = {t for t, named in forms.items() if named & label}
            share = len(label & set().union(*(forms[t] for t in naming))) / len(label) if label else 0.0
            if share < LABEL_SHARE or not _value_fits(question, field):
                continue
            rest = [t for t in question.terms if t not in naming]
            if _coverage(rest, record, stats) < RECORD_COVERAGE:
                continue
            if field.source == "definition" and not _only_about(rest, passage.chunk.title, stats):
                continue  # "who pays for repairs, the Landlord or the Tenant" asks more than who the Landlord is
            unit = Candidate(field.line, passage.chunk, passage.rank, passage.score)
            scored = Scored(unit, share, field.value)
            # Of labels named as fully, the one naming more of the question ("Signer
            # position" over "Signer" for "what position does the signer hold").
            if best is None or (share, len(naming)) > best[0]:
                best = ((share, len(naming)), scored)
    return best[1] if best else None


def _value_fits(question: Question, field: Field) -> bool:
    """A typed question wants a value of its type ("when" a date, "how many" a number)."""
    if question.kind in ("other", "person", "place", "acronym"):
        return True  # names are not reliably typed by their shape
    if names_identifier(field):
        return False  # a reference's year or number is part of a code
    # "When did it end?" is answered by a clock time as well as by a date.
    return has_span(question, field.value) or (question.kind == "date" and has_span(replace(question, kind="time"), field.value))


def _only_about(terms: Sequence[str], title: str, stats: CorpusStats) -> bool:
    """Every word of the question besides the defined term names the document, or none does."""
    named = stats.close(content_terms(title))
    return all(t in named for t in terms if stats.df.get(t))


def _coverage(terms: Sequence[str], record: set[str], stats: CorpusStats) -> float:
    # A word no document uses ("supposed") is in no record, so it tells none apart.
    terms = [t for t in terms if stats.df.get(t)]
    if not terms:
        return 1.0
    weights = {t: stats.idf(t) for t in terms}
    return sum(w for t, w in weights.items() if t in record) / sum(weights.values())

"""Short, direct answers built from selected evidence, with [n] markers."""

from __future__ import annotations

from rag.evidence import EvidenceUnit, Selection
from rag.tables_qa import describe_row

MAX_QUOTE_WORDS = 40
LIST_QUOTE_WORDS = 80


COMPUTED_QUOTE_WORDS = 22
TYPED_QUOTE_WORDS = 25


def extractive_answer(selection: Selection) -> str:
    parts = [f"{selection.computed}:"] if selection.computed else []
    limit = _quote_limit(selection)
    for n, unit in enumerate(selection.units, start=1):
        parts.append(_sentence(selection, unit, limit) + f" [{n}].")
        if not selection.computed:
            limit = max(15, limit - len(parts[-1].split()))
    return " ".join(parts)


def _quote_limit(selection: Selection) -> int:
    if selection.computed:
        return COMPUTED_QUOTE_WORDS
    if selection.question.is_list:
        return LIST_QUOTE_WORDS
    # A typed answer (a count, a date, a name) needs only the clauses around it.
    spans = [u.span for u in selection.units if u.span]
    return TYPED_QUOTE_WORDS if spans else MAX_QUOTE_WORDS


def _sentence(selection: Selection, unit: EvidenceUnit, limit: int) -> str:
    if unit.chunk.kind == "table":
        return describe_row(selection.question, unit.chunk)
    quoted = trim(unit.text, unit.span, limit).rstrip(" .;:,")
    if selection.question.kind == "person" and unit.span and unit.span not in quoted:
        return f"{unit.span}: {quoted}"  # "Lam suggested ..." names Lam Chun-Sing
    return quoted


def trim(sentence: str, span: str | None, limit: int) -> str:
    """Cut a long sentence down to the clauses around the answer, never mid-word."""
    tokens = sentence.split()
    if len(tokens) <= limit:
        return sentence
    clauses = [c.strip() for c in sentence.replace(";", ",").split(",") if c.strip()]
    anchor = next((i for i, c in enumerate(clauses) if span and span in c), 0)
    # Grow a contiguous run of clauses around the answer: skipping a clause that does
    # not fit would splice unrelated phrases together.
    first = last = anchor
    size = len(clauses[anchor].split())
    grew = True
    while grew:
        grew = False
        for side in (first - 1, last + 1):
            if 0 <= side < len(clauses) and size + len(clauses[side].split()) <= limit:
                first, last = min(first, side), max(last, side)
                size += len(clauses[side].split())
                grew = True
    text = ", ".join(clauses[first : last + 1])
    return " ".join(text.split()[:limit])

"""Short, direct answers built from selected evidence, with [n] markers."""

from __future__ import annotations

from rag.evidence import EvidenceUnit, Selection
from rag.tables_qa import describe_row

MAX_QUOTE_WORDS = 40
LIST_QUOTE_WORDS = 80


COMPUTED_QUOTE_WORDS = 22


def extractive_answer(selection: Selection) -> str:
    parts = [f"{selection.computed}:"] if selection.computed else []
    limit = COMPUTED_QUOTE_WORDS if selection.computed else LIST_QUOTE_WORDS if selection.question.is_list else MAX_QUOTE_WORDS
    for n, unit in enumerate(selection.units, start=1):
        parts.append(_sentence(selection, unit, limit) + f" [{n}].")
        if not selection.computed:
            limit = max(15, limit - len(parts[-1].split()))
    return " ".join(parts)


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
    chosen, size = [clauses[anchor]], len(clauses[anchor].split())
    left, right = anchor - 1, anchor + 1
    while left >= 0 or right < len(clauses):
        for side in (left, right):
            if 0 <= side < len(clauses) and size + len(clauses[side].split()) <= limit:
                chosen.insert(0, clauses[side]) if side < anchor else chosen.append(clauses[side])
                size += len(clauses[side].split())
        left, right = left - 1, right + 1
    text = ", ".join(chosen)
    return " ".join(text.split()[:limit])

"""The answer a person reads: the short answer first when the question asks for a
number, date, name or amount, then the quoted evidence, each quote cited [n]."""

from __future__ import annotations

from rag.answering.records import Selection

MAX_WORDS = 60
MIN_QUOTE_WORDS = 15


def compose(selection: Selection, max_words: int = MAX_WORDS) -> str:
    parts = []
    budget = max_words
    if selection.short_answer:
        lead = selection.short_answer
        if selection.worked_out:
            lead += f" ({selection.worked_out})"
        parts.append(f"{lead}.")
        budget -= len(lead.split())
    for n, unit in enumerate(selection.units, start=1):
        if budget < MIN_QUOTE_WORDS and n > 1:
            break
        quote = trim(unit.candidate.text, unit.span, max(MIN_QUOTE_WORDS, budget)).rstrip(" .;:,")
        parts.append(f"{quote} [{n}].")
        budget -= len(quote.split())
    return " ".join(parts)


def trim(sentence: str, span: str | None, limit: int) -> str:
    """Cut a long sentence down to a contiguous run of clauses around the answer, never mid-word."""
    tokens = sentence.split()
    if len(tokens) <= limit:
        return sentence
    clauses = [c.strip() for c in sentence.replace(";", ",").split(",") if c.strip()]
    anchor = next((i for i, c in enumerate(clauses) if span and span in c), 0)
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
    return " ".join(", ".join(clauses[first: last + 1]).split()[:limit])

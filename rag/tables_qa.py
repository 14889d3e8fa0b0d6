"""Answers read off table rows: the cell a question asks for, and superlatives over a table."""

from __future__ import annotations

import re

from rag.question import Question
from rag.text.tokens import content_terms, join_digit_groups
from rag.types import Chunk

_SUMMARY_LABELS = re.compile(r"^(total|sum|all|overall|others?|other|subtotal|grand total)\b", re.I)
_NUMERIC = re.compile(r"^-?\d+(?:\.\d+)?%?$")


def row_label(row: Chunk) -> str:
    return row.cells[0] if row.cells else ""


def is_summary_row(row: Chunk) -> bool:
    return bool(_SUMMARY_LABELS.match(row_label(row)))


def _value_columns(row: Chunk) -> list[tuple[str, str]]:
    names = list(row.columns[1:]) + [""] * max(0, len(row.cells) - len(row.columns))
    return [(name, value) for name, value in zip(names, row.cells[1:]) if value]


def best_column(question: Question, row: Chunk) -> tuple[str, str] | None:
    """The value column whose name shares most words with the question."""
    columns = _value_columns(row)
    if not columns:
        return None
    asked = set(question.terms)
    return max(columns, key=lambda c: (len(asked & set(content_terms(c[0]))), -columns.index(c)))


def answer_from_row(question: Question, row: Chunk) -> str | None:
    column = best_column(question, row)
    return column[1] if column else None


def numeric(value: str) -> float | None:
    cleaned = join_digit_groups(value).replace(",", "").strip()
    return float(cleaned.rstrip("%")) if _NUMERIC.match(cleaned) else None


def superlative_row(question: Question, rows: list[Chunk]) -> Chunk | None:
    """The row with the largest or smallest value in the asked-for column, leaving out totals and 'Others'."""
    candidates = [r for r in rows if not is_summary_row(r)]
    if len(candidates) < 2:
        return None
    column = best_column(question, candidates[0])
    if column is None or not set(question.terms) & set(content_terms(column[0])):
        return None  # "the maximum age" is not a question about any column of this table
    position = [name for name, _ in _value_columns(candidates[0])].index(column[0])
    valued = []
    for row in candidates:
        columns = _value_columns(row)
        value = numeric(columns[position][1]) if position < len(columns) else None
        if value is not None:
            valued.append((value, row))
    if not valued or not _table_covers(question, candidates):
        return None
    ranked = sorted(valued, key=lambda pair: pair[0], reverse=question.superlative == "max")
    aside = _set_aside(question.text)
    ranked = [pair for pair in ranked if not (aside and aside <= set(content_terms(row_label(pair[1]))))]
    place = _ordinal(question.text)
    return ranked[place][1] if place < len(ranked) else None


_ORDINALS = {"second": 1, "third": 2, "fourth": 3, "fifth": 4}
_SUPERLATIVE_WORDS = frozenset(content_terms("most largest highest biggest greatest top maximum peak more fewest least lowest smallest minimum fewer less second third fourth fifth"))
MIN_TABLE_COVERAGE = 0.5
# Words people use for a table's label column.
LABEL_SYNONYMS = {"place": "countri", "where": "countri", "nation": "countri", "sector": "industri", "field": "industri", "when": "year"}


_SET_ASIDE = re.compile(r"\b(?:after|apart from|besides|other than|excluding|except(?: for)?|leaving out)\s+(?:the\s+)?([\w\s-]+?)(?:,|\?|$)", re.I)


def _set_aside(text: str) -> set[str]:
    """'After the mainland, which country had the most ...': the terms of the row that is
    not the answer (none when nothing is set aside)."""
    match = _SET_ASIDE.search(text)
    return set(content_terms(match.group(1))) if match else set()


def _ordinal(text: str) -> int:
    return next((place for word, place in _ORDINALS.items() if re.search(rf"\b{word}\b", text, re.I)), 0)


def _table_covers(question: Question, rows: list[Chunk]) -> bool:
    """Most of what the question names must be in the table's title, columns or labels:
    'the maximum age of applicants' is not a question about a table of application counts."""
    terms = [LABEL_SYNONYMS.get(t, t) for t in question.terms if t not in _SUPERLATIVE_WORDS]
    if not terms:
        return True
    table_words = set(content_terms(rows[0].text)) | {t for r in rows for t in content_terms(row_label(r))}
    focus = LABEL_SYNONYMS.get(question.focus or "", question.focus)
    if focus and focus not in _SUPERLATIVE_WORDS and focus not in table_words:
        return False  # "the maximum age": the table has no ages
    return sum(t in table_words for t in terms) / len(terms) >= MIN_TABLE_COVERAGE


def describe_row(question: Question, row: Chunk) -> str:
    """A short sentence for a row: 'Applications Received, 2019: 5 896'."""
    column = best_column(question, row)
    label = row_label(row)
    if column is None:
        return label
    if question.superlative:
        return f"{label} ({column[0]}: {column[1]})"
    return f"{column[0]}, {label}: {column[1]}"

"""Answers that take two pieces of evidence and one subtraction: "How many more QMAS
applications were received in 2019 than in 2018?" (two rows of a table) and "How many
years before the QMAS was the ASMTP initiated?" (a year from each of two documents)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from rag.question import Question
from rag.tables_qa import answer_from_row, numeric, row_label
from rag.text.tokens import content_terms, stem

if TYPE_CHECKING:
    from rag.evidence import EvidenceUnit

_COMPARES = re.compile(r"\bhow (?:many|much) (?:more|fewer|less|higher|lower)\b|\bdifference\b|\b(?:increase|decrease|rise|fall|drop|grow|grew|change)\b", re.I)
_YEARS_APART = re.compile(r"\bhow many years\b", re.I)
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_ACRONYM = re.compile(r"\b[A-Z]{2,}\b")
_STARTED = re.compile(r"\b(?:launch(?:ed|es)?|initiat(?:ed|es?)|start(?:ed|s)?|began|begun|begin|introduc(?:ed|es?)|establish(?:ed|es)?|set up|creat(?:ed|es?)|found(?:ed|s)?)\b", re.I)


def computed(question: Question, units: Sequence[EvidenceUnit], aliases) -> tuple[str, tuple[EvidenceUnit, ...]] | None:
    """The computed answer and the two units it rests on, or None when the question
    asks for no difference or the evidence lacks one side of it."""
    if len(question.years) == 2 and _COMPARES.search(question.text):
        return _row_difference(question, units)
    if _YEARS_APART.search(question.text):
        return _years_apart(question, units, aliases)
    return None


def _row_difference(question: Question, units: Sequence[EvidenceUnit]) -> tuple[str, tuple[EvidenceUnit, ...]] | None:
    chosen = []
    for year in question.years:
        rows = [u for u in units if u.chunk.kind == "table" and year in row_label(u.chunk)]
        if not rows:
            return None
        chosen.append(max(rows, key=lambda u: u.score))
    first, second = chosen
    if first.chunk.table_id != second.chunk.table_id:
        return None
    values = [numeric(answer_from_row(question, u.chunk) or "") for u in chosen]
    if None in values:
        return None
    change = values[0] - values[1]
    return _number(abs(change)), (replace(first, span=None), replace(second, span=None))


def _years_apart(question: Question, units: Sequence[EvidenceUnit], aliases) -> tuple[str, tuple[EvidenceUnit, ...]] | None:
    names = list(dict.fromkeys(stem(a) for a in _ACRONYM.findall(question.text)))
    if len(names) != 2:
        return None
    chosen = []
    for name in names:
        dated = [u for u in units if u.chunk.kind != "table" and _YEAR.search(u.text) and name in aliases.close(content_terms(u.text))]
        if _STARTED.search(question.text):
            # "initiated", "launched": the year a scheme began, not a later change to it
            dated = [u for u in dated if _STARTED.search(u.text)]
        if not dated:
            return None
        chosen.append(max(dated, key=lambda u: u.score))
    years = [_YEAR.search(u.text).group(1) for u in chosen]
    if chosen[0].text == chosen[1].text or years[0] == years[1]:
        return None
    gap = abs(int(years[0]) - int(years[1]))
    return f"{gap} years", tuple(replace(u, span=year) for u, year in zip(chosen, years))


def _number(value: float) -> str:
    whole = int(value) if value == int(value) else value
    return f"{whole:,}".replace(",", " ") if isinstance(whole, int) else str(whole)

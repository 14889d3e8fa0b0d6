"""A table with the terms of its rows, columns and caption worked out once, and the
numbers its cells hold for comparing."""

from __future__ import annotations

import re
from functools import cached_property

from rag.tables import cues
from rag.tables.model import Cell, Table
from rag.text.names import PLACE_OR_PEOPLE, demonyms
from rag.text.numbers import find_quantities, in_days, ranges
from rag.text.patterns import YEAR

MAX_KEY_WORDS = 5
# A number the question gives that falls in a row's band counts as much as a rare word and a half.
BAND_MATCH = 1.5
SUMMARY = re.compile(r"^(?:total|sum|all|overall|average|mean|subtotal|grand total)\b", re.I)
# A row that gathers what the others leave: not one thing a ranking can name.
RESIDUAL = re.compile(r"^(?:others?|other\s+\w+|rest\s+of\b|remainder|unknown|not\s+(?:stated|known|specified)|n/?a)\b", re.I)


class TableView:
    """A table with the terms of its rows, columns and caption worked out once."""

    def __init__(self, table: Table) -> None:
        self.table = table
        # A row is named by its header and its short text cells; a long cell describes it.
        self.row_terms = [_with_peoples(" ".join(c for k, c in enumerate(row) if k == 0 or (not is_number(c) and len(c.split()) <= MAX_KEY_WORDS)))
                          for row in table.rows]
        self.col_terms = [cues.terms(name) for name in table.columns]
        self.around = cues.terms(f"{table.caption} {table.context} {' '.join(table.notes)}")
        self.labels = [" ".join(c for c in row if not is_number(c)) for row in table.rows]
        self.heads = [cues.terms(row[0]) if row else set() for row in table.rows]
        # The row's header is read even when it reads as a number: "18-24" is a band.
        self.bands = [ranges(" ".join(c for k, c in enumerate(row) if k == 0 or not is_number(c))) for row in table.rows]

    @cached_property
    def vocabulary(self) -> set[str]:
        return set().union(self.around, *self.row_terms, *self.col_terms)

    def relevance(self, question_terms: set[str]) -> float:
        return len(question_terms & self.vocabulary)

    def row_scores(self, question_terms: set[str]) -> list[float]:
        """Matched terms per row; a term most rows share counts for little, a period for much."""
        n = max(1, len(self.row_terms))
        spread = {t: sum(1 for r in self.row_terms if t in r) for t in question_terms}
        numbers = [float(t) for t in self.band_numbers(question_terms)]
        return [
            sum(3.0 if is_period(t) else (1.0 if spread[t] <= max(1, n // 2) else 0.25) for t in question_terms & terms)
            + 0.5 * len(question_terms & head)  # the row's own name weighs more than its other words
            # A number inside a row's band ("35" in "33-39 years") names that row.
            + BAND_MATCH * any(low <= x <= high for x in numbers for low, high in bands)
            for terms, head, bands in zip(self.row_terms, self.heads, self.bands)
        ]

    @staticmethod
    def band_numbers(question_terms: set[str]) -> set[str]:
        # A year is matched as a period, not as a number inside a band.
        return {t for t in question_terms if t.isdigit() and not YEAR.fullmatch(t)}

    def in_band(self, term: str, row: int) -> bool:
        return any(low <= float(term) <= high for low, high in self.bands[row])

    def best_row(self, question_terms: set[str], tie_break: set[str] = frozenset()) -> tuple[int | None, float]:
        scores = self.row_scores(question_terms)
        if tie_break:
            scores = [s + 0.1 * t if s else 0.0 for s, t in zip(scores, self.row_scores(tie_break))]
        top = max(scores, default=0.0)
        if top < 1.0 or scores.count(top) > 1:
            return None, top
        return scores.index(top), top

    def col_scores(self, question_terms: set[str]) -> list[float]:
        """Shared words per value column; a price word also points at money columns, a
        percentage word at percentage columns."""
        scores = [0.0] + [float(len(question_terms & t)) for t in self.col_terms[1:]]
        for c in range(1, len(scores)):
            if question_terms & cues.PRICE_TERMS and self.kind_of(c) == "money":
                scores[c] += 1.0
            if question_terms & cues.PERCENT_TERMS and self.kind_of(c) == "percent":
                scores[c] += 0.5
        return scores

    @cached_property
    def _kinds(self) -> list[str | None]:
        kinds: list[str | None] = [None]
        for c in range(1, len(self.table.columns)):
            found = [cell.quantity.kind for cell in self.column_cells(c) if cell.quantity is not None]
            kinds.append(max(set(found), key=found.count) if found else None)
        return kinds

    def kind_of(self, col: int) -> str | None:
        return self._kinds[col] if col < len(self._kinds) else None

    def column_cells(self, col: int) -> list[Cell]:
        return self.table.column(col)

    def names_rows(self, question_terms: set[str]) -> bool:
        """The question names what the rows are ('which stop', 'how many models')."""
        return bool(self.col_terms and question_terms & self.col_terms[0])

    def numeric_columns(self) -> list[int]:
        cols = []
        for c in range(1, len(self.table.columns)):
            values = [value_of(cell) for cell in self.table.column(c)]
            if sum(v is not None for v in values) >= min(len(values), max(2, len(values) // 3)):
                cols.append(c)
        return cols


_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def value_of(cell: Cell) -> float | None:
    """A cell's number for comparing: a time of day in minutes, a duration in days, else its first quantity."""
    clock = _CLOCK.match(cell.text.strip())
    if clock:
        return int(clock.group(1)) * 60 + int(clock.group(2))
    quantity = cell.quantity
    if quantity is None:
        return None
    days = in_days(quantity)
    return days if days is not None else quantity.value


def is_number(text: str) -> bool:
    found = find_quantities(text)
    return bool(found) and found[0].start == 0 and len(found[0].text) >= len(text.strip()) - 1 and found[0].kind != "year"


def is_period(term: str) -> bool:
    return bool(re.match(r"^(?:(?:19|20)\d\d(?:[qh][1-4]|y\d\d)|\d{1,2}[a-z]{3})$", term))


def _with_peoples(key: str) -> set[str]:
    """A row's terms, with what its places' people are called: a "Canada" row answers
    a question about Canadians."""
    places = PLACE_OR_PEOPLE.findall(key)
    return cues.terms(key) | {cues.light_stem(d) for place in places for d in demonyms(place)}

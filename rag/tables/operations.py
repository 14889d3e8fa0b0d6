"""Question-driven operations over one table: lookup, argmax/argmin, difference, sum,
ratio and count, chosen by language cues (never by what the table is about).

Each returns a TableAnswer naming the cells it used, or Absent when the question
names a row, column or period the table does not have, or None when the table
cannot tell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from rag.tables import cues
from rag.tables.model import Cell, Table
from rag.text.numbers import Quantity, find_quantities, in_days
from rag.text.tokens import words

_SUMMARY = re.compile(r"^(?:total|sum|all|overall|average|mean|subtotal|grand total)\b", re.I)
_CAPITALISED_RUN = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*)+)")
_PERIOD_ROW = re.compile(r"^\s*(?:19|20)\d\d\b")
_NO_VALUE = re.compile(r"^(?:not\s+(?:stated|published|available|known|applicable|given)\b|n/?a$|[-–—]$|\.\.$)", re.I)
_HOW_MANY = re.compile(r"\bhow\s+many\b", re.I)


@dataclass(frozen=True)
class TableAnswer:
    short: str
    cells_used: tuple[Cell, ...]
    operation: str  # "lookup", "argmax", "argmin", "difference", "sum", "ratio", "count" or "as_at"
    explanation: str


@dataclass(frozen=True)
class Absent:
    reason: str


@dataclass(frozen=True)
class _Scored:
    relevance: float
    result: TableAnswer | Absent | None


class TableView:
    """A table with the terms of its rows, columns and caption worked out once."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.row_terms = [cues.terms(" ".join(c for c in row if not _is_number(c))) for row in table.rows]
        self.col_terms = [cues.terms(name) for name in table.columns]
        self.around = cues.terms(f"{table.caption} {table.context} {' '.join(table.notes)}")
        self.labels = [" ".join(c for c in row if not _is_number(c)) for row in table.rows]
        self.heads = [cues.terms(row[0]) if row else set() for row in table.rows]

    @cached_property
    def vocabulary(self) -> set[str]:
        return set().union(self.around, *self.row_terms, *self.col_terms)

    def relevance(self, question_terms: set[str]) -> float:
        return len(question_terms & self.vocabulary)

    def row_scores(self, question_terms: set[str]) -> list[float]:
        """Matched terms per row; a term most rows share counts for little, a period for much."""
        n = max(1, len(self.row_terms))
        spread = {t: sum(1 for r in self.row_terms if t in r) for t in question_terms}
        return [
            sum(3.0 if _is_period(t) else (1.0 if spread[t] <= max(1, n // 2) else 0.25) for t in question_terms & terms)
            + 0.5 * len(question_terms & head)  # the row's own name weighs more than its other words
            for terms, head in zip(self.row_terms, self.heads)
        ]

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
            values = [_value(cell) for cell in self.table.column(c)]
            if sum(v is not None for v in values) >= min(len(values), max(2, len(values) // 3)):
                cols.append(c)
        return cols


def answer_from_table(question: str, table: Table) -> TableAnswer | Absent | None:
    return _answer(question, TableView(table)).result


def _answer(question: str, view: TableView) -> _Scored:
    asked, _ = cues.without_as_at(question)
    qterms = cues.terms(asked)
    relevance = view.relevance(qterms) + _table_number_bonus(question, view.table)
    cue = cues.operation_cue(question)
    if cue == "as_at":
        table = view.table
        found = TableAnswer(table.as_at, (), "as_at", f"the caption gives its figures as at {table.as_at}") if table.as_at else None
        return _Scored(relevance, found)
    absent = _missing(asked, qterms, view)
    if absent is not None:
        return _Scored(relevance, absent)
    if cue in ("difference", "sum", "ratio"):
        return _Scored(relevance, _two_cells(asked, cue, view))
    if cue == "compare":
        return _Scored(relevance, _compare(asked, view))
    names_rows = view.names_rows(qterms)
    if cue == "count" and view.best_row(qterms)[0] is None and (names_rows or cues.LISTED.search(question)):
        return _Scored(relevance + names_rows, _count(view))
    direction = cues.superlative(asked)
    if direction and cues.asks_entity(asked):
        return _Scored(relevance + 1 + names_rows, _extreme(asked, qterms, direction, view))
    found = _missing_column(qterms, view) or _lookup(asked, qterms, view)
    strength = view.best_row(qterms)[1] if isinstance(found, TableAnswer) else 0.0
    return _Scored(relevance + strength, found)


def _table_number_bonus(question: str, table: Table) -> float:
    number = cues.table_number(question)
    if number is None:
        return 0.0
    named = cues.table_number(table.caption)
    return 10.0 if named == number else -10.0


def _missing(question: str, qterms: set[str], view: TableView) -> Absent | None:
    """A period, date, year or name the question asks for, of a kind the table lists, that it lacks."""
    labels = view.labels
    asked_periods = cues.periods(question)
    row_periods = set().union(*(cues.periods(label) for label in labels)) if labels else set()
    row_years = {label.split()[0] for label in labels if _PERIOD_ROW.match(label) and not cues.periods(label)}
    if asked_periods and (row_periods or row_years) and not asked_periods & row_periods:
        return Absent(f"the table has no row for {', '.join(sorted(asked_periods)).upper()}")
    asked_dates = cues.day_months(question)
    row_dates = set().union(*(cues.day_months(label) for label in labels)) if labels else set()
    if asked_dates and len(row_dates) >= 2 and not asked_dates & row_dates:
        return Absent(f"the table has no row dated {', '.join(sorted(asked_dates))}")
    asked_years = cues.years(question)
    if asked_years and not asked_periods and len(row_years) >= 2 and not asked_years & row_years and not row_periods:
        return Absent(f"the table has no row for {', '.join(sorted(asked_years))}")
    period_years = {p[:4] for p in row_periods}
    if asked_years and not asked_periods and len(row_periods) >= 2 and not asked_years & (period_years | row_years):
        return Absent(f"the table has no row in {', '.join(sorted(asked_years))}")
    column_years = {y for name in view.table.columns[1:] for y in cues.years(name)}
    if asked_years and len(column_years) >= 2 and not asked_years & (column_years | row_years):
        return Absent(f"the table has no column for {', '.join(sorted(asked_years))}")
    return _missing_name(question, view)


def _missing_name(question: str, view: TableView) -> Absent | None:
    """'S Pass' when the rows name other passes: the kind is listed, this one is not.
    A name is found when it, or its last two or more words ('Global Talent' of
    'UK Global Talent'), stand in the table."""
    text = " ".join([*view.labels, view.table.caption, view.table.context]).lower()
    label_words = {w for label in view.labels for w in re.findall(r"\w+", label.lower())}
    headers = " ".join(view.table.columns[1:]).lower()
    header_words = set(re.findall(r"\w+", headers)) - label_words
    for match in _CAPITALISED_RUN.finditer(question):
        name = re.split(r"['’]s\s+", match.group(1))[-1].lower().split()
        if len(name) < 2:
            continue
        tails = [" ".join(name[k:]) for k in range(len(name) - 1)]
        if name[-1] in label_words and not any(_has_phrase(text, tail) for tail in tails):
            return Absent(f"the table has no row for {' '.join(name)}")
        if name[0] in header_words and not _has_phrase(headers, " ".join(name)):
            return Absent(f"the table has no column for {' '.join(name)}")
    return None


def _has_phrase(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


def _missing_column(qterms: set[str], view: TableView) -> Absent | None:
    """A row is named but no column, and some of the question's words are nowhere in the table."""
    row, _ = view.best_row(qterms)
    values = len(view.table.columns) - 1
    if row is None or values < 2 or max(view.col_scores(qterms)) > 0:
        return None
    unexplained = qterms - view.vocabulary
    if unexplained:
        return Absent(f"the table has no column for {', '.join(sorted(unexplained))}")
    return None


def _lookup(question: str, qterms: set[str], view: TableView) -> TableAnswer | Absent | None:
    row, _ = view.best_row(qterms)
    col = _column(qterms, view, row_terms=view.row_terms[row] if row is not None else set())
    explained = len(qterms & view.vocabulary)
    if row is None or col is None or explained < len(qterms) - explained:
        return None
    cell = view.table.cell(row, col)
    asked_years, column_years = cues.years(question), cues.years(cell.column_header)
    if asked_years and column_years and not asked_years & column_years:
        return Absent(f"column {cell.column_header!r} is for {', '.join(sorted(column_years))}, not {', '.join(sorted(asked_years))}")
    statistic = cues.STATISTICS & set(words(question)) - set(words(cell.column_header))
    if statistic:
        return Absent(f"the table gives no {', '.join(sorted(statistic))} ({cell.column_header})")
    if _NO_VALUE.match(cell.text):
        return Absent(f"the table states no value: {cell.text}")
    if not cell.text:
        return Absent(f"the table has no value for {cell.row_header!r} under {cell.column_header!r}")
    if (_HOW_MANY.search(question) and cell.quantity is not None and cell.quantity.kind == "money"):
        return None
    short = _clause(cell.text, question)
    return TableAnswer(short, (cell,), "lookup", f"row {cell.row_header!r}, column {cell.column_header!r}")


def _column(qterms: set[str], view: TableView, row_terms: set[str] = frozenset(), numeric: bool = False) -> int | None:
    """The value column the question names; else the only one, else a total column."""
    candidates = view.numeric_columns() if numeric else list(range(1, len(view.table.columns)))
    if not candidates:
        return None
    scores = view.col_scores(qterms - row_terms)
    best = max(candidates, key=lambda c: (scores[c], -c))
    if scores[best] > 0:
        return best
    if len(candidates) == 1:
        return candidates[0]
    totals = [c for c in candidates if _SUMMARY.match(view.table.columns[c])]
    return totals[0] if totals else None


def _clause(text: str, question: str) -> str:
    """The part of a cell that answers: 'S$5,600; S$6,200 in financial services' gives the
    clause sharing most words with the question, or the first one if the question excludes."""
    clauses = [c.strip() for c in re.split(r";\s+", text) if c.strip()]
    if len(clauses) < 2 or cues.NEGATION.search(question):
        return clauses[0] if clauses else text
    qterms = cues.terms(question)
    return max(clauses, key=lambda c: (len(cues.terms(c) & qterms), -clauses.index(c)))


def _extreme(question: str, qterms: set[str], direction: str, view: TableView) -> TableAnswer | None:
    across = _extreme_across(qterms, direction, view)
    if across is not None:
        return across
    col = _price_column(view) if cues.wants_price(question) and not max(view.col_scores(qterms)) else None
    col = col or _column(qterms, view, numeric=True)
    numeric = view.numeric_columns()
    col = col if col is not None else (numeric[0] if numeric else None)
    if col is None:
        return None
    if direction == "time":
        direction = "min" if any(c.quantity and in_days(c.quantity) is not None for c in view.table.column(col)) else "max"
    valued = [(v, r) for r in _rows_in_scope(question, view) if (v := _value(view.table.cell(r, col))) is not None]
    if not valued:
        return None
    _, row = (min if direction == "min" else max)(valued)
    cell = view.table.cell(row, col)
    name = _row_name(view, row)
    return TableAnswer(name, (cell,), f"arg{direction}", f"{direction} of {cell.column_header!r} is {cell.text} ({name})")


def _extreme_across(qterms: set[str], direction: str, view: TableView) -> TableAnswer | None:
    """'Which zone is cheapest for a studio?': the extreme along one named row, answered by column."""
    row, _ = view.best_row(qterms)
    if row is None:
        return None
    shared = [t for t in qterms - view.row_terms[row] if sum(t in c for c in view.col_terms[1:]) >= 2]
    if not shared:
        return None
    cells = [view.table.cell(row, c) for c in view.numeric_columns()]
    valued = [(v, c) for c in cells if (v := _value(c)) is not None]
    if len(valued) < 2:
        return None
    _, cell = (min if direction == "min" else max)(valued, key=lambda vc: vc[0])
    return TableAnswer(cell.column_header, (cell,), f"arg{direction}", f"{direction} along {cell.row_header!r} is {cell.text} ({cell.column_header})")


def _row_name(view: TableView, row: int) -> str:
    """The row's own name: its first text cell that no other row shares (a subject, not its group)."""
    values = view.table.rows[row]
    for c, text in enumerate(values):
        if text and not _is_number(text) and sum(r[c] == text for r in view.table.rows) == 1:
            return text
    return values[0]


def _price_column(view: TableView) -> int | None:
    for c in view.numeric_columns():
        if any(cell.quantity is not None and cell.quantity.kind == "money" for cell in view.table.column(c)):
            return c
    return None


def _rows_in_scope(question: str, view: TableView) -> list[int]:
    """Rows other than totals, within the year the question names if rows carry years."""
    rows = [r for r, label in enumerate(view.labels) if not _SUMMARY.match(view.table.rows[r][0])]
    years = cues.years(question)
    within = [r for r in rows if years & set(re.findall(r"\b(?:19|20)\d\d\b", view.labels[r]))]
    return within or rows


def _two_cells(question: str, cue: str, view: TableView) -> TableAnswer | None:
    left, right = _two_parts(question)
    right = cues.shift_relative_day(right, left)
    if not left or not right:
        return None
    cells = _two_rows(left, right, view) or _two_columns(left, right, view)
    if cells is None:
        return None
    a, b = cells
    x, y = _value(a), _value(b)
    if x is None or y is None:
        return None
    if cue == "sum":
        result, verb = x + y, "plus"
    elif cue == "ratio":
        if y == 0:
            return None
        result, verb = x / y, "divided by"
    else:
        result, verb = (abs(x - y) if "difference" in question.lower() else x - y), "minus"
    short = _format(result, a.quantity if cue != "ratio" else None)
    explanation = f"{a.text} ({a.row_header}, {a.column_header}) {verb} {b.text} ({b.row_header}, {b.column_header})"
    return TableAnswer(short, (a, b), cue, explanation)


def _compare(question: str, view: TableView) -> TableAnswer | None:
    """'Which costs more: A or B?': the named row with the larger (or smaller) value."""
    left, _, right = question.rpartition(" or ")
    cells = _two_rows(left, right, view) if left else None
    if cells is None:
        return None
    values = [(v, c) for c in cells if (v := _value(c)) is not None]
    if len(values) < 2:
        return None
    direction = cues.comparative(question)
    _, cell = (min if direction == "min" else max)(values, key=lambda vc: vc[0])
    a, b = cells
    return TableAnswer(cell.row_header, cells, "compare", f"{a.row_header}: {a.text}; {b.row_header}: {b.text}")


def _two_parts(question: str) -> tuple[str, str]:
    between = re.search(r"\bbetween\b(.*)\band\b(.*)", question, re.I)
    if between:
        return question[: between.start()] + between.group(1), question[: between.start()] + between.group(2)
    ratio = re.search(r"\bratio\s+of\b(.*)\bto\b(.*)", question, re.I)
    if ratio:
        return question[: ratio.start()] + ratio.group(1), question[: ratio.start()] + ratio.group(2)
    span = re.search(r"\bfrom\b(.*)\bto\b(.*)", question, re.I)
    if span:  # "rise from A to B" is B less A
        return question[: span.start()] + span.group(2), question[: span.start()] + span.group(1)
    for joiner in (r"\bthan\b", r"\bcompared\s+(?:with|to)\b", r"\bversus\b|\bvs\.?\b", r"\band\b"):
        parts = re.split(joiner, question, maxsplit=1, flags=re.I)
        if len(parts) == 2:
            return parts[0], parts[1]
    return "", ""


def _two_rows(left: str, right: str, view: TableView) -> tuple[Cell, Cell] | None:
    lt, rt = cues.terms(left), cues.terms(right)
    named = set().union(*view.col_terms[1:]) if len(view.col_terms) > 1 else set()
    a = view.best_row(lt - rt - named, tie_break=lt)[0]
    b = view.best_row(rt - lt - named, tie_break=rt)[0]
    if a is None or b is None or a == b:
        return None
    col = _column(lt | rt, view, row_terms=view.row_terms[a] | view.row_terms[b], numeric=True)
    return (view.table.cell(a, col), view.table.cell(b, col)) if col is not None else None


def _two_columns(left: str, right: str, view: TableView) -> tuple[Cell, Cell] | None:
    lt, rt = cues.terms(left), cues.terms(right)
    row, _ = view.best_row(lt | rt)
    if row is None:
        return None
    ls = [a + 0.1 * b for a, b in zip(view.col_scores(lt - rt), view.col_scores(lt))]
    rs = [a + 0.1 * b for a, b in zip(view.col_scores(rt - lt), view.col_scores(rt))]
    a, b = max(range(len(ls)), key=ls.__getitem__), max(range(len(rs)), key=rs.__getitem__)
    if a == b or ls[a] < 1 or rs[b] < 1:
        return None
    return view.table.cell(row, a), view.table.cell(row, b)


def _count(view: TableView) -> TableAnswer:
    rows = [r for r in range(len(view.table.rows)) if not _SUMMARY.match(view.table.rows[r][0])]
    return TableAnswer(str(len(rows)), (), "count", f"{len(rows)} rows besides totals")


def _format(value: float, like: Quantity | None) -> str:
    """Grouped digits; money keeps the decimals its cells show ("£2.30")."""
    text = f"{value:,.0f}" if abs(value - round(value)) < 1e-9 else f"{value:,.2f}".rstrip("0").rstrip(".")
    if like is not None and like.kind == "money" and "." in like.text:
        text = f"{value:,.{len(like.text.rpartition('.')[2].strip())}f}"
    if like is not None and like.kind == "money":
        return f"{'-' if value < 0 else ''}{like.unit}{text.lstrip('-')}"
    if like is not None and like.kind == "percent":
        return f"{text} percentage points"
    return text


def _value(cell: Cell) -> float | None:
    """A cell's number for comparing: a duration in days, else its first quantity."""
    quantity = cell.quantity
    if quantity is None:
        return None
    days = in_days(quantity)
    return days if days is not None else quantity.value


def _is_number(text: str) -> bool:
    found = find_quantities(text)
    return bool(found) and found[0].start == 0 and len(found[0].text) >= len(text.strip()) - 1 and found[0].kind != "year"


def _is_period(term: str) -> bool:
    return bool(re.match(r"^(?:(?:19|20)\d\d[qh][1-4]|\d{1,2}[a-z]{3})$", term))

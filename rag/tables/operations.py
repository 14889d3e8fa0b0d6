"""Question-driven operations over one table: lookup, argmax/argmin, difference, sum,
ratio and count, chosen by language cues (never by what the table is about).

Each returns a TableAnswer naming the cells it used, or Absent when the question
names a row, column or period the table does not have, or None when the table
cannot tell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.tables import cues
from rag.tables.absence import Absent, missing, missing_column
from rag.tables.model import Cell, Table
from rag.tables.view import RESIDUAL, SUMMARY, TableView, is_number, value_of
from rag.text.numbers import Quantity, in_days
from rag.text.tokens import group_separator, words

_NO_VALUE = re.compile(r"^(?:not\s+(?:stated|published|available|known|applicable|given)\b|n/?a$|[-–—]$|\.\.$)", re.I)
_HOW_MANY = re.compile(r"\bhow\s+many\b", re.I)


@dataclass(frozen=True)
class TableAnswer:
    short: str
    cells_used: tuple[Cell, ...]
    operation: str  # lookup, argmax, argmin, difference, sum, ratio, compare, count, running_total or as_at
    explanation: str
    named: bool = False  # a lookup whose row and column the question names, asking nothing else


@dataclass(frozen=True)
class Scored:
    """A table's result with how many of the question's terms the table holds, to rank tables."""

    relevance: float
    result: TableAnswer | Absent | None


def answer_from_table(question: str, table: Table) -> TableAnswer | Absent | None:
    """What one table says to the question (rag.tables.answer_from_tables weighs several)."""
    return score_answer(question, TableView(table)).result


def score_answer(question: str, view: TableView) -> Scored:
    """The table's result and how much the table bears on the question."""
    asked, _ = cues.without_as_at(question)
    qterms = cues.terms(asked)
    relevance = view.relevance(qterms) + _table_number_bonus(question, view.table)
    cue = cues.operation_cue(question)
    if cue == "as_at":
        table = view.table
        found = TableAnswer(table.as_at, (), "as_at", f"the caption gives its figures as at {table.as_at}") if table.as_at else None
        return Scored(relevance, found)
    absent = missing(asked, qterms, view)
    if absent is not None:
        return Scored(relevance, absent)
    if cue in ("difference", "sum", "ratio"):
        return Scored(relevance, _two_cells(asked, cue, view))
    through = cues.through_year(asked)
    if through is not None and cue is None:
        year, rest = through
        total = _running_total(cues.terms(rest), year, view)
        if total is not None:
            return Scored(relevance + 1, total)
    if cue == "compare":
        return Scored(relevance, _compare(asked, view))
    names_rows = view.names_rows(qterms)
    if cue == "count" and view.best_row(qterms)[0] is None and (names_rows or cues.LISTED.search(question)):
        return Scored(relevance + names_rows, _count(view))
    direction = cues.superlative(asked)
    if direction and cues.asks_entity(asked):
        left_out = _excluded_rows(asked, view)
        kept = qterms - cues.terms(cues.excluded(asked) or "") if left_out else qterms
        return Scored(relevance + 1 + names_rows, _extreme(asked, kept, direction, view, left_out))
    found = missing_column(qterms, view) or _lookup(asked, qterms, view)
    strength = view.best_row(qterms)[1] if isinstance(found, TableAnswer) else 0.0
    return Scored(relevance + strength, found)


def _table_number_bonus(question: str, table: Table) -> float:
    number = cues.table_number(question)
    if number is None:
        return 0.0
    named = cues.table_number(table.caption)
    return 10.0 if named == number else -10.0


def _lookup(question: str, qterms: set[str], view: TableView) -> TableAnswer | Absent | None:
    row, _ = view.best_row(qterms)
    col = _column(qterms, view, row_terms=view.row_terms[row] if row is not None else set())
    banded = {t for t in view.band_numbers(qterms) if row is not None and view.in_band(t, row)}
    explained = len(qterms & view.vocabulary | banded)
    if row is None or col is None or explained < len(qterms) - explained:
        return None
    cell = view.table.cell(row, col)
    absent = _cell_absent(question, cell, view.table.caption)
    if absent is not None:
        return absent
    if _HOW_MANY.search(question) and cell.quantity is not None and cell.quantity.kind == "money":
        return None  # a count was asked, the cell holds money: not this column
    short = _clause(cell.text, question)
    # Named on both axes, and nothing else asked: every word of the question that names
    # something is the table's.
    named = view.col_scores(qterms - view.row_terms[row])[col] > 0 and qterms - cues.OPERATION_WORDS <= view.vocabulary
    return TableAnswer(short, (cell,), "lookup", f"row {cell.row_header!r}, column {cell.column_header!r}", named)


def _cell_absent(question: str, cell: Cell, caption: str) -> Absent | None:
    """The cell found is not the one asked for: another year, another statistic (named by
    neither its column nor the table's caption), or no value."""
    asked_years, column_years = cues.years(question), cues.years(cell.column_header)
    if asked_years and column_years and not asked_years & column_years:
        return Absent(f"column {cell.column_header!r} is for {', '.join(sorted(column_years))}, not {', '.join(sorted(asked_years))}")
    statistic = cues.STATISTICS & set(words(question)) - set(words(cell.column_header)) - set(words(caption))
    if statistic:
        return Absent(f"the table gives no {', '.join(sorted(statistic))} ({cell.column_header})")
    if _NO_VALUE.match(cell.text):
        return Absent(f"the table states no value: {cell.text}")
    if not cell.text:
        return Absent(f"the table has no value for {cell.row_header!r} under {cell.column_header!r}")
    return None


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
    totals = [c for c in candidates if SUMMARY.match(view.table.columns[c])]
    return totals[0] if totals else None


def _clause(text: str, question: str) -> str:
    """The part of a cell that answers: '€5,600; €6,200 in the city centre' gives the
    clause sharing most words with the question, or the first one if the question excludes."""
    clauses = [c.strip() for c in re.split(r";\s+", text) if c.strip()]
    if len(clauses) < 2 or cues.NEGATION.search(question):
        return clauses[0] if clauses else text
    qterms = cues.terms(question)
    return max(clauses, key=lambda c: (len(cues.terms(c) & qterms), -clauses.index(c)))


def _excluded_rows(question: str, view: TableView) -> set[int]:
    """The rows a ranking sets aside ("after Lima, ..."): those named by the
    set-aside phrase, when that names some rows but not most."""
    phrase = cues.excluded(question)
    if phrase is None:
        return set()
    named = cues.terms(phrase)
    rows = {r for r, labels in enumerate(view.row_terms) if labels & named}
    return rows if 0 < len(rows) <= len(view.row_terms) // 2 else set()


def _extreme(question: str, qterms: set[str], direction: str, view: TableView,
             left_out: set[int] = frozenset()) -> TableAnswer | None:
    rank = cues.superlative_rank(question)
    across = _extreme_across(qterms, direction, view) if rank == 1 and not left_out else None
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
    valued = [(v, r) for r in _rows_in_scope(question, view) if r not in left_out
              and (v := value_of(view.table.cell(r, col))) is not None]
    if len(valued) < rank:
        return None
    _, row = sorted(valued, reverse=direction != "min")[rank - 1]
    cell = view.table.cell(row, col)
    name = _row_name(view, row)
    place = f"{direction} of" if rank == 1 else f"{cues.ordinal_word(rank)} {'lowest' if direction == 'min' else 'highest'}"
    aside = f", leaving out {', '.join(_row_name(view, r) for r in sorted(left_out))}" if left_out else ""
    return TableAnswer(name, (cell,), f"arg{direction}", f"{place} {cell.column_header!r} is {cell.text} ({name}{aside})")


def _extreme_across(qterms: set[str], direction: str, view: TableView) -> TableAnswer | None:
    """'Which zone is cheapest for a studio?': the extreme along one named row, answered by column."""
    row, _ = view.best_row(qterms)
    if row is None:
        return None
    shared = [t for t in qterms - view.row_terms[row] if sum(t in c for c in view.col_terms[1:]) >= 2]
    if not shared:
        return None
    cells = [view.table.cell(row, c) for c in view.numeric_columns()]
    valued = [(v, c) for c in cells if (v := value_of(c)) is not None]
    if len(valued) < 2:
        return None
    _, cell = (min if direction == "min" else max)(valued, key=lambda vc: vc[0])
    return TableAnswer(cell.column_header, (cell,), f"arg{direction}", f"{direction} along {cell.row_header!r} is {cell.text} ({cell.column_header})")


def _row_name(view: TableView, row: int) -> str:
    """The row's own name: its cell in the first text column whose every row differs
    (the subject, not the group a rowspan gives several subjects)."""
    rows = view.table.rows
    for c in range(len(rows[row])):
        column = [r[c] for r in rows]
        if all(column) and len(set(column)) == len(column) and not any(is_number(t) for t in column):
            return rows[row][c]
    return rows[row][0]


def _price_column(view: TableView) -> int | None:
    for c in view.numeric_columns():
        if any(cell.quantity is not None and cell.quantity.kind == "money" for cell in view.table.column(c)):
            return c
    return None


def _rows_in_scope(question: str, view: TableView) -> list[int]:
    """Rows other than totals and catch-alls ("Others"), within the year the question names
    if rows carry years, and only whole years when it asks for "full years"."""
    rows = [r for r, label in enumerate(view.labels)
            if not SUMMARY.match(view.table.rows[r][0]) and not RESIDUAL.match(view.table.rows[r][0])]
    if cues.asks_full_years(question):
        rows = [r for r in rows if not cues.part_of_a_year(view.labels[r])]
    years = cues.years(question)
    within = [r for r in rows if years & set(cues.label_years(view.labels[r]))]
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
    x, y = value_of(a), value_of(b)
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
    values = [(v, c) for c in cells if (v := value_of(c)) is not None]
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


def _running_total(qterms: set[str], through: str, view: TableView) -> TableAnswer | None:
    """A column summed over the year rows up to and including a year; the total row when
    that covers every year row. A table without year rows, or about something else, gives none."""
    years = _year_rows(view)
    rows = [r for r, found in years.items() if max(found) <= through]
    col = _column(qterms, view, numeric=True)
    explained = len(qterms & view.vocabulary)
    if col is None or len(rows) < 2 or not any(through in found for found in years.values()) \
            or explained < len(qterms) - explained:
        return None
    cells = [view.table.cell(r, col) for r in rows]
    values = [value_of(c) for c in cells]
    if any(v is None for v in values):
        return None
    total = _total_row(view, col, sum(values)) if len(rows) == len(years) else None
    if total is not None:  # the table states it
        return TableAnswer(total.text, (total,), "running_total", f"the total row, which covers every year to {through}")
    # Digits grouped as the column groups them, even when the rows added up hold no group.
    grouped = [c.quantity for c in view.table.column(col) if c.quantity and group_separator(c.quantity.text)]
    short = _format(sum(values), grouped[0] if grouped else cells[-1].quantity)
    return TableAnswer(short, (cells[0], cells[-1]), "running_total",
                       f"{cells[0].column_header!r} added up over {len(rows)} rows, {cells[0].row_header} to {cells[-1].row_header}")


def _year_rows(view: TableView) -> dict[int, list[str]]:
    """The rows that name a year, with the years they name; totals are not year rows."""
    named = {r: cues.label_years(view.labels[r]) for r in range(len(view.table.rows))
             if not SUMMARY.match(view.table.rows[r][0])}
    return {r: found for r, found in named.items() if found}


def _total_row(view: TableView, col: int, expected: float) -> Cell | None:
    """The column's cell in a total row, when it holds the expected sum."""
    for r, row in enumerate(view.table.rows):
        if SUMMARY.match(row[0]) and value_of(cell := view.table.cell(r, col)) is not None \
                and abs(value_of(cell) - expected) < 0.5:
            return cell
    return None


def _count(view: TableView) -> TableAnswer:
    rows = [r for r in range(len(view.table.rows)) if not SUMMARY.match(view.table.rows[r][0])]
    return TableAnswer(str(len(rows)), (), "count", f"{len(rows)} rows besides totals")


def _format(value: float, like: Quantity | None) -> str:
    """Grouped digits; money keeps the decimals its cells show ("£2.30")."""
    text = f"{value:,.0f}" if abs(value - round(value)) < 1e-9 else f"{value:,.2f}".rstrip("0").rstrip(".")
    separator = group_separator(like.text) if like is not None else None
    if separator:  # the table's own digit grouping: "9 131" beside "2 004"
        text = text.replace(",", separator)
    if like is not None and like.kind == "money" and "." in like.text:
        text = f"{value:,.{len(like.text.rpartition('.')[2].strip())}f}"
    if like is not None and like.kind == "money":
        return f"{'-' if value < 0 else ''}{like.unit}{text.lstrip('-')}"
    if like is not None and like.kind == "percent":
        return f"{text} percentage points"
    return text

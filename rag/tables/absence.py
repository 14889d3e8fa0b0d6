"""Absent: the question names a row, column, period or value the table does not have,
so the engine should abstain rather than quote a neighbouring cell."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.tables import cues
from rag.tables.view import TableView

_CAPITALISED_RUN = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*)+)")
_PERIOD_ROW = re.compile(r"^\s*(?:19|20)\d\d\b")
MAX_UNEXPLAINED = 2


@dataclass(frozen=True)
class Absent:
    reason: str



def missing(question: str, qterms: set[str], view: TableView) -> Absent | None:
    """A period, date, year or name the question asks for, of a kind the table lists, that it lacks."""
    labels = view.labels
    asked_periods = cues.periods(question)
    row_periods = set().union(*(cues.periods(label) for label in labels)) if labels else set()
    row_years = {label.split()[0] for label in labels if _PERIOD_ROW.match(label) and not cues.periods(label)}
    if asked_periods and (row_periods or row_years) and not asked_periods & row_periods:
        return Absent(f"the table has no row for {cues.shown(asked_periods)}")
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
    column_periods = set().union(*(cues.periods(name) for name in view.table.columns[1:]))
    if asked_periods and len(column_periods) >= 2 and not asked_periods & (column_periods | row_periods):
        return Absent(f"the table has no column for {cues.shown(asked_periods)}")
    column_years = {y for name in view.table.columns[1:] for y in cues.years(name)}
    if asked_years and len(column_years) >= 2 and not asked_years & (column_years | row_years):
        return Absent(f"the table has no column for {', '.join(sorted(asked_years))}")
    return _missing_name(question, view)


def _missing_name(question: str, view: TableView) -> Absent | None:
    """'Bronze Card' when the rows name other cards: the kind is listed, this one is not.
    A name is found when it, or its last two or more words ('Green Line' of
    'North Green Line'), stand in the table. When another name of the question is
    found, an unknown one is taken for a detail of it ('Zone Two' stops of a listed
    line), not for a missing row."""
    text = " ".join([*view.labels, view.table.caption, view.table.context]).lower()
    label_words = {w for row in view.table.rows for w in re.findall(r"\w+", row[0].lower())}
    headers = " ".join(view.table.columns[1:]).lower()
    header_words = set(re.findall(r"\w+", headers)) - label_words
    names = [re.split(r"['’]s\s+", m.group(1))[-1].lower().split() for m in _CAPITALISED_RUN.finditer(question)]
    names = [n for n in names if len(n) >= 2]
    found = [n for n in names if any(_has_phrase(text, " ".join(n[k:])) for k in range(len(n) - 1))]
    if found:
        return None
    for name in names:
        if name[-1] in label_words:
            return Absent(f"the table has no row for {' '.join(name)}")
        if name[0] in header_words and not _has_phrase(headers, " ".join(name)):
            return Absent(f"the table has no column for {' '.join(name)}")
    return None


def _has_phrase(text: str, phrase: str) -> bool:
    """The phrase's words in a row, whatever stands between them: "(ONE) Pass" holds "one pass"."""
    words = " ".join(re.findall(r"\w+", phrase))
    return bool(words) and re.search(rf"(?<!\w){re.escape(words)}(?!\w)", " ".join(re.findall(r"\w+", text))) is not None


def missing_column(qterms: set[str], view: TableView) -> Absent | None:
    """A row is named but no column, and some of the question's words are nowhere in the table."""
    row, _ = view.best_row(qterms)
    values = len(view.table.columns) - 1
    if row is None or values < 2 or max(view.col_scores(qterms)) > 0 or not view.heads[row] <= qterms:
        return None
    unexplained = qterms - view.vocabulary
    # Most of the question must be the table's own words: a question about something
    # else that happens to name a row is not a question about a missing column.
    if unexplained and len(unexplained) <= MAX_UNEXPLAINED and len(qterms) - len(unexplained) >= len(unexplained):
        return Absent(f"the table has no column for {', '.join(sorted(unexplained))}")
    return None

"""A table as read from a document, and the cells questions are answered from."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.text.numbers import Quantity, first_quantity
from rag.text.patterns import MONTH_NAMES

_AS_AT = re.compile(
    r"\b(?:as\s+(?:at|of)|at\s+end(?:\s+of)?|rates\s+in\s+force\s+on|in\s+force\s+(?:on|from)|from|on)\s+"
    rf"((?:\d{{1,2}}\s+)?(?:{'|'.join(MONTH_NAMES)})"
    r"(?:\s+\d{1,2},)?\s+(?:19|20)\d\d|(?:19|20)\d\d(?:\s?Q[1-4])?)",
    re.IGNORECASE,
)
_UNIT_IN = re.compile(r"\((?:[^()]*?\s)?in\s+([^()]+?)\)")
_UNIT_BARE = re.compile(r"\(\s*((?:[A-Z]{0,3}[$£€¥])|%|per\s?cent|cm|mm|m|km|km²|m²|kg|g|t|ml|l|hours?|minutes?|days?|years?|thousands?|millions?|billions?|'000)\s*\)")


def as_at_in(text: str) -> str | None:
    """The date a caption or header says its figures are given at ("as at 30 September 2025")."""
    match = _AS_AT.search(text)
    return match.group(1) if match else None


def unit_in(text: str) -> str | None:
    """The unit a caption or header names in brackets ("(amounts in Swiss francs)", "(in kroner)", "(A$)", "(kg)")."""
    match = _UNIT_IN.search(text) or _UNIT_BARE.search(text)
    return match.group(1).strip() if match else None


@dataclass(frozen=True)
class Cell:
    table_id: str
    row: int  # index into Table.rows
    col: int  # index into Table.columns
    row_header: str
    column_header: str
    caption: str
    unit: str | None
    as_at: str | None
    text: str
    quantity: Quantity | None


@dataclass(frozen=True)
class Table:
    """Cells by row under flattened column names; a two-level header is joined "Top / Sub".

    The first column holds the row headers. unit and as_at come from the caption;
    a column header naming its own unit or date overrides them for its cells.
    """

    id: str
    source: str
    caption: str
    header_rows: tuple[tuple[str, ...], ...]
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...] = ()
    unit: str | None = None
    as_at: str | None = None
    line_start: int | None = None
    line_end: int | None = None
    row_lines: tuple[int, ...] = ()
    context: str = ""  # the document title and heading the table sits under

    def cells(self) -> list[Cell]:
        return [self.cell(r, c) for r in range(len(self.rows)) for c in range(1, len(self.columns))]

    def cell(self, row: int, col: int) -> Cell:
        values = self.rows[row]
        text = values[col] if col < len(values) else ""
        header = self.columns[col] if col < len(self.columns) else ""
        return Cell(
            table_id=self.id,
            row=row,
            col=col,
            row_header=values[0] if values else "",
            column_header=header,
            caption=self.caption,
            unit=unit_in(header) or self.unit,
            as_at=as_at_in(header) or self.as_at,
            text=text,
            quantity=first_quantity(text),
        )

    def column(self, col: int) -> list[Cell]:
        return [self.cell(r, col) for r in range(len(self.rows))]


def make_table(
    id: str, source: str, caption: str, header_rows, rows, notes=(), context: str = "", line_start=None,
    line_end=None, row_lines=(),
) -> Table:
    """A Table with its columns flattened and its unit and date read from the caption."""
    header_rows = tuple(tuple(h) for h in header_rows)
    width = max([len(r) for r in rows] + [len(h) for h in header_rows] + [0])
    rows = tuple(tuple(r) + ("",) * (width - len(r)) for r in rows)
    return Table(
        id=id, source=source, caption=caption, header_rows=header_rows, columns=flatten(header_rows, width),
        rows=rows, notes=tuple(notes), unit=unit_in(caption), as_at=as_at_in(caption), line_start=line_start,
        line_end=line_end, row_lines=tuple(row_lines), context=context,
    )


def flatten(header_rows: tuple[tuple[str, ...], ...], width: int) -> tuple[str, ...]:
    """One name per column: the header rows' names joined top to bottom, repeats dropped."""
    names = []
    for col in range(width):
        parts: list[str] = []
        for header in header_rows:
            name = header[col].strip() if col < len(header) else ""
            if name and name not in parts:
                parts.append(name)
        names.append(" / ".join(parts))
    return tuple(names)

"""Tables out of plain text, HTML and Word grids, and into Table records.

Plain text has two layouts. Columns set apart by runs of two or more spaces (or
tabs) are cut where every row leaves a gap at the same character positions, so an
empty cell stays empty and "13 620" stays one number. Columns set apart by single
spaces are left to rag.loaders.tables, which splits trailing digit groups.
A caption is the nearest title line above the table, blank lines or not; notes are
the lines under it starting with "*", "Note" or "Source".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.tables.model import Table, make_table
from rag.text.numbers import find_quantities

_GAP = re.compile(r"\t+|\s{2,}")
CAPTION_LINE = re.compile(r"^(?:Table|Tab\.|Exhibit|Figure)\s*[\dIVXivx]+[A-Za-z]?\b", re.IGNORECASE)
_NOTE = re.compile(r"^(?:[*†‡]|Notes?\b|Sources?\b)", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^(?:[-*+•]|\d{1,3}[.)])\s")
_HEADING_MARK = re.compile(r"^#{1,6}\s+")
MAX_CAPTION_CHARS = 100
MAX_BLANKS_ABOVE = 2
MAX_HEADER_ROWS = 3
MAX_SPACED_COLUMNS = 8


@dataclass(frozen=True)
class TextGrid:
    """An aligned table found among lines (indices into them, 0-based)."""

    first_line: int  # the first header line
    last_line: int  # the last row
    header_rows: tuple[tuple[str, ...], ...]
    rows: tuple[tuple[str, ...], ...]
    row_lines: tuple[int, ...]


def aligned_grids(lines: list[str]) -> list[TextGrid]:
    grids, i = [], 0
    while i < len(lines):
        end = i
        while end < len(lines) and len(_fields(lines[end])) >= 2:
            end += 1
        grid = _grid(lines, i, end) if end - i >= 3 else None
        if grid is not None:
            grids.append(grid)
        i = max(end, i + 1)
    return grids


def spaced_grids(lines: list[str]) -> list[TextGrid]:
    """Tables whose columns are single words set apart by single spaces: a header of
    names over at least two rows, every line with the same number of words, and the
    rows (three or more) alike in which words are numbers (at least one column of them)."""
    grids, i = [], 0
    while i < len(lines):
        end = i + 1
        width = len(lines[i].split())
        while end < len(lines) and _spaced_line(lines[end]) and len(lines[end].split()) == width:
            end += 1
        grid = _spaced_grid(lines, i, end) if end - i >= 4 and _spaced_line(lines[i]) else None
        if grid is not None:
            grids.append(grid)
        i = end if grid is not None else i + 1
    return grids


def _spaced_line(line: str) -> bool:
    text = line.strip()
    return 2 <= len(text.split()) <= MAX_SPACED_COLUMNS and len(text) <= MAX_CAPTION_CHARS and not text.endswith((".", ":", ";", "?", "!", ","))


def _spaced_grid(lines: list[str], start: int, end: int) -> TextGrid | None:
    header, *body = [lines[k].split() for k in range(start, end)]
    shapes = {tuple(_is_count(word) for word in row) for row in body}
    if len(shapes) != 1 or not any(next(iter(shapes))) or not _is_header_line(" ".join(header)):
        return None
    return TextGrid(start, end - 1, (tuple(header),), tuple(tuple(r) for r in body), tuple(range(start + 1, end)))


def _is_count(word: str) -> bool:
    found = find_quantities(word)
    return bool(found) and found[0].text == word and found[0].kind != "year" or bool(re.match(r"^\d{1,2}:\d\d$", word))


def _fields(line: str) -> list[str]:
    return [f for f in _GAP.split(line.strip()) if f]


def _is_header_line(line: str) -> bool:
    """A line with no count in it: names, or years heading columns."""
    return all(q.kind == "year" for q in find_quantities(line))


def _grid(lines: list[str], start: int, end: int) -> TextGrid | None:
    block = [lines[k].expandtabs(8).rstrip() for k in range(start, end)]
    n_head = 0
    while n_head < min(MAX_HEADER_ROWS, len(block) - 2) and _is_header_line(block[n_head]):
        n_head += 1
    if n_head == 0 or n_head == len(block):
        return None
    spans = _column_spans(block[n_head - 1 :])
    if len(spans) < 2:
        return None
    header_rows = [_spread_cells(line, spans) for line in block[: n_head - 1]] + [_cut(block[n_head - 1], spans)]
    rows = [_cut(line, spans) for line in block[n_head:]]
    if sum(1 for r in rows if sum(1 for c in r if c) >= 2) < 2:
        return None
    return TextGrid(start, end - 1, tuple(map(tuple, header_rows)), tuple(map(tuple, rows)), tuple(range(start + n_head, end)))


def _column_spans(block: list[str]) -> list[tuple[int, int]]:
    """Character ranges of the columns: runs of positions not blank in every line,
    split where every line leaves a gap of two or more."""
    width = max(len(line) for line in block)
    blank = [all(p >= len(line) or line[p] == " " for line in block) for p in range(width)]
    spans, start, p = [], None, 0
    while p < width:
        if not blank[p]:
            start = p if start is None else start
            p += 1
            continue
        run = p
        while run < width and blank[run]:
            run += 1
        if start is not None and (run - p >= 2 or run == width):
            spans.append((start, p))
            start = None
        p = run
    if start is not None:
        spans.append((start, width))
    return spans


def _cut(line: str, spans: list[tuple[int, int]]) -> list[str]:
    return [line[a:b].strip() for a, b in spans]


def _spread_cells(line: str, spans: list[tuple[int, int]]) -> list[str]:
    """A header line above the column names: each name covers the columns from the
    first it overlaps up to the next name ("Applications" over 2023 and 2024)."""
    pieces = [m for m in re.finditer(r"\S+(?: \S+)*", line)]
    firsts = [next((k for k, (a, b) in enumerate(spans) if m.start() < b and m.end() > a), None) for m in pieces]
    out = [""] * len(spans)
    placed = [(k, m.group(0)) for k, m in zip(firsts, pieces) if k is not None]
    for n, (k, text) in enumerate(placed):
        stop = placed[n + 1][0] if n + 1 < len(placed) else len(spans)
        for col in range(k, max(stop, k + 1)):
            out[col] = text
    return out


def caption_above(lines: list[str], first: int, taken: set[int] = frozenset()) -> int | None:
    """The nearest title line above a table: "Table 1: ...", or a short line that is not a sentence."""
    i, blanks = first - 1, 0
    while i >= 0 and not lines[i].strip():
        blanks += 1
        i -= 1
    if i < 0 or blanks > MAX_BLANKS_ABOVE or i in taken:
        return None
    text = _HEADING_MARK.sub("", lines[i].strip())
    if CAPTION_LINE.match(text):
        return i
    plain = len(text) <= MAX_CAPTION_CHARS and not text.endswith((".", ";", ",")) and not _LIST_ITEM.match(text)
    ends_in_count = bool(find_quantities(text)) and find_quantities(text)[-1].end == len(text) and find_quantities(text)[-1].kind != "year"
    return i if plain and not ends_in_count and "|" not in text and len(_fields(text)) < 2 else None


def caption_text(line: str) -> str:
    return " ".join(_HEADING_MARK.sub("", line.strip()).split())


def notes_below(lines: list[str], last: int) -> tuple[tuple[str, ...], int]:
    """Note lines under a table, and the index of the last one (last if none)."""
    i = last + 1
    while i < len(lines) and not lines[i].strip() and i - last <= MAX_BLANKS_ABOVE:
        i += 1
    notes, end = [], last
    while i < len(lines) and lines[i].strip() and _NOTE.match(lines[i].strip()):
        text = lines[i].strip()
        i += 1
        while i < len(lines) and lines[i].startswith((" ", "\t")) and lines[i].strip():
            text += " " + lines[i].strip()  # an indented line continues the note
            i += 1
        notes.append(text)
        end = i - 1
    return tuple(notes), end


def html_grid(table_node) -> tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...], str]:
    """Header rows, body rows and caption of an HTML table; rowspan and colspan fill every cell they cover."""
    grid: dict[tuple[int, int], str] = {}
    is_head: list[bool] = []
    for r, tr in enumerate(_own_rows(table_node)):
        cells = [c for c in tr.iter(include_text=False) if c.tag in ("td", "th")]
        in_thead = tr.parent is not None and tr.parent.tag == "thead"
        is_head.append(in_thead or (bool(cells) and all(c.tag == "th" for c in cells)))
        col = 0
        for cell in cells:
            while (r, col) in grid:
                col += 1
            text = _clean(cell.text(separator=" "))
            for dr in range(_span(cell, "rowspan")):
                for dc in range(_span(cell, "colspan")):
                    grid[(r + dr, col + dc)] = text
            col += _span(cell, "colspan")
    height = len(is_head)
    width = max((c for _, c in grid), default=-1) + 1
    matrix = [tuple(grid.get((r, c), "") for c in range(width)) for r in range(height)]
    n_head = 0
    while n_head < height and is_head[n_head]:
        n_head += 1
    if n_head == 0 and matrix:
        n_head = 1  # no marked header: the first row names the columns
    body = tuple(row for row in matrix[n_head:] if any(row))
    caption = table_node.css_first("caption")
    return tuple(matrix[:n_head]), body, _clean(caption.text(separator=" ")) if caption else ""


def _own_rows(table) -> list:
    own = []
    for tr in table.css("tr"):
        parent = tr.parent
        while parent is not None and parent.tag != "table":
            parent = parent.parent
        if parent is not None and parent.mem_id == table.mem_id:
            own.append(tr)
    return own


def _span(cell, name: str) -> int:
    value = (cell.attributes.get(name) or "1").strip()
    return max(1, min(int(value), 100)) if value.isdigit() else 1


def docx_grid(table) -> tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]]:
    """Header rows and body rows of a Word table; a merged cell's text fills every cell it covers.

    The first row is the header; a second row is a header too when the first has a
    merged cell over it and the second holds no counts ("Fees / 2024")."""
    matrix = [tuple(_clean(cell.text) for cell in row.cells) for row in table.rows]
    if not matrix:
        return (), ()
    first = matrix[0]
    merged = any(a == b and a for a, b in zip(first, first[1:]))
    n_head = 2 if merged and len(matrix) > 2 and _is_header_line(" | ".join(matrix[1][1:])) else 1
    return tuple(matrix[:n_head]), tuple(matrix[n_head:])


def _clean(text: str) -> str:
    return " ".join(text.split())


def table_from_block(block, source: str, table_id: str, context: str = "") -> Table:
    """A Table from a loader's table Block (rag.types.Block)."""
    header_rows = block.header_rows or ((block.header,) if block.header else ())
    return make_table(
        table_id, source, block.caption, header_rows, block.rows, block.notes, context,
        block.line_start, block.line_end, block.row_lines,
    )


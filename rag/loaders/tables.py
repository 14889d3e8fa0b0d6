"""Tables laid out as plain text: a header line, then rows ending in numbers.

Numbers may be grouped with spaces ("1 358", also non-breaking ones), so a row's
values are found by splitting its trailing numeric tokens into the column count
the whole table needs, each value taking as many three-digit groups as it can.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MARKS = "*†‡"  # footnote marks after a label or a value
_NUMBER_TOKEN = re.compile(rf"^[-+−]?[$€£¥]?\d(?:[\d,.]*\d)?%?[{_MARKS}]*$")
_YEAR_LABEL = re.compile(rf"^(1[89]\d\d|20\d\d)[{_MARKS}]*$")
_GROUP = re.compile(r"^\d{3}$")
_CAPTION = re.compile(r"^(Table|Tab\.)\s*[\dIVXivx]+[A-Za-z]?\s*[:.\-–—]\s*\S", re.IGNORECASE)
_COLUMN_GAP = re.compile(r"\t|\s{2,}")
MIN_ROWS = 3
MAX_HEADER_LINES = 4
MAX_LINE_CHARS = 80


@dataclass(frozen=True)
class TextTable:
    first_line: int  # index into the lines given: the caption, else the first header line
    last_line: int
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    row_lines: tuple[int, ...]
    caption: str = ""


def find_tables(lines: list[str]) -> list[TextTable]:
    tables, i = [], 0
    while i < len(lines):
        run = _numeric_run(lines, i)
        table = _build(lines, run) if len(run) >= MIN_ROWS else None
        if table is not None:
            tables.append(table)
            i = run[-1] + 1
        else:
            i += max(1, len(run))
    return tables


def _numeric_run(lines: list[str], start: int) -> list[int]:
    run = []
    i = start
    while i < len(lines) and _split_row(lines[i]) is not None:
        run.append(i)
        i += 1
    return run


def _split_row(line: str) -> tuple[str, list[str]] | None:
    """A label (possibly empty) and the numeric tokens that end the line."""
    tokens = line.split()
    if len(tokens) < 2 or len(line.strip()) > 2 * MAX_LINE_CHARS:
        return None
    start = len(tokens)
    while start > 0 and _NUMBER_TOKEN.match(tokens[start - 1]):
        start -= 1
    if start == len(tokens):
        return None
    if start == 0 and _YEAR_LABEL.match(tokens[0]):
        start = 1  # "2018 3 314 555": the year is the label
    label = " ".join(tokens[:start]).rstrip(_MARKS).strip()
    return label, [t.rstrip(_MARKS) for t in tokens[start:]]


def _min_values(tokens: list[str]) -> int:
    count, i = 0, 0
    while i < len(tokens):
        count += 1
        i += 1
        while i < len(tokens) and _GROUP.match(tokens[i]) and len(tokens[i - 1]) <= 3 and tokens[i - 1].isdigit():
            i += 1
    return count


def _group(tokens: list[str], n: int) -> list[str] | None:
    """Split tokens into n grouped numbers, each taking as many groups as it can."""
    if n == 1:
        return [" ".join(tokens)] if _min_values(tokens) == 1 else None
    for take in range(len(tokens) - (n - 1), 0, -1):
        head = tokens[:take]
        if _min_values(head) != 1:
            continue
        rest = _group(tokens[take:], n - 1)
        if rest is not None:
            return [" ".join(head), *rest]
    return None


def _build(lines: list[str], run: list[int]) -> TextTable | None:
    if _years_across(lines[run[0]]):
        header_idx, qualifier, caption_idx = [run[0]], "", _caption_above(lines, run[0])
        run = run[1:]  # "Region 2019 2020": the header line itself ends in numbers
    else:
        header_idx, qualifier, caption_idx = _header_lines(lines, run[0])
    if not header_idx or len(run) < MIN_ROWS - 1:
        return None
    parsed = [r for r in (_split_row(lines[i]) for i in run) if r is not None]
    header_lines = [lines[i].strip() for i in header_idx]
    n = _value_count([values for _, values in parsed], header_lines)
    rows = [(label, *(_group(values, n) or values)) for label, values in parsed]
    return TextTable(
        first_line=caption_idx if caption_idx is not None else header_idx[0],
        last_line=run[-1],
        header=tuple(_column_names(header_lines, n)),
        rows=tuple(_fill_missing_labels(rows, qualifier)),
        row_lines=tuple(run),
        caption=lines[caption_idx].strip() if caption_idx is not None else "",
    )


def _value_count(values: list[list[str]], header_lines: list[str]) -> int:
    """Columns needed by the widest row; a header with one line per column may say more."""
    n = max(_min_values(v) for v in values)
    named = len(_value_names(header_lines))
    if named > n and all(_group(v, named) is not None for v in values):
        return named
    return n


def _header_lines(lines: list[str], first_row: int) -> tuple[list[int], str, int | None]:
    """Short lines right above the first row; a parenthesised one qualifies that row,
    and a 'Table 2: ...' line above them is the caption."""
    idx, qualifier = [], ""
    i = first_row - 1
    while i >= 0 and len(idx) < MAX_HEADER_LINES:
        text = lines[i].strip()
        if not text or len(text) > MAX_LINE_CHARS or text.endswith((".", ":", ";")) or _CAPTION.match(text):
            break
        if text.startswith("(") and text.endswith(")") and not idx and not qualifier:
            qualifier = text
        else:
            idx.insert(0, i)
        i -= 1
    return idx, qualifier, _caption_above(lines, idx[0]) if idx else None


def _caption_above(lines: list[str], first: int) -> int | None:
    i = first - 1
    return i if i >= 0 and _CAPTION.match(lines[i].strip()) else None


def _years_across(line: str) -> bool:
    row = _split_row(line)
    if row is None or not row[0] or len(row[1]) < 2 or not all(_YEAR_LABEL.match(v) for v in row[1]):
        return False
    years = [int(v) for v in row[1]]
    return years == sorted(set(years))


def _value_names(header_lines: list[str]) -> list[str]:
    """The header's names for the value columns, when its layout makes them plain:
    columns set apart by tabs or wide gaps, or one header line per column."""
    first, *more = header_lines
    gapped = [c for c in _COLUMN_GAP.split(first) if c]
    if len(gapped) > 1 and not more:
        return gapped[1:]
    rest = first.partition(" ")[2]
    return [rest, *more] if rest and more else []


def _column_names(header_lines: list[str], n: int) -> list[str]:
    first = header_lines[0]
    gapped = [c for c in _COLUMN_GAP.split(first) if c]
    label_name = gapped[0] if len(gapped) > 1 else first.partition(" ")[0]
    names = _value_names(header_lines)
    if len(names) != n:
        names = _spread(" ".join([first[len(label_name) :], *header_lines[1:]]).split(), n)
    return [label_name.rstrip(_MARKS), *(name.strip().rstrip(_MARKS) for name in names)]


def _spread(words: list[str], n: int) -> list[str]:
    """Header words shared out in order among n columns, when the layout does not say
    where one name ends and the next begins."""
    if not words:
        return [""] * n
    size = max(1, len(words) // n)
    return [" ".join(words[k * size : (k + 1) * size if k < n - 1 else None]) for k in range(n)]


def _fill_missing_labels(rows: list[tuple[str, ...]], qualifier: str) -> list[tuple[str, ...]]:
    """A year column with a blank first label continues the sequence backwards;
    a parenthesised line above the first row qualifies it."""
    out = list(rows)
    if out and not out[0][0] and len(out) > 1 and _YEAR_LABEL.match(out[1][0]):
        guessed = str(int(out[1][0]) - 1)
        out[0] = (f"{guessed} {qualifier}".strip(), *out[0][1:])
    elif out and qualifier:
        out[0] = (f"{out[0][0]} {qualifier}".strip(), *out[0][1:])
    return out

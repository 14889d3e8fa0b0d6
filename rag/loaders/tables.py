"""Tables laid out as plain text: a header line, then rows ending in numbers.

Numbers may be grouped with spaces ("1 358"), so a row's values are found by
splitting its trailing numeric tokens into the column count the whole table
needs, each value taking as many three-digit groups as it can.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER_TOKEN = re.compile(r"^[\d][\d,.]*%?$")
_YEAR_LABEL = re.compile(r"^(1[89]\d\d|20\d\d)(\*+)?$")
_GROUP = re.compile(r"^\d{3}$")
MIN_ROWS = 3


@dataclass(frozen=True)
class TextTable:
    first_line: int  # index into the lines given
    last_line: int
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    row_lines: tuple[int, ...]


def _split_row(line: str) -> tuple[str, list[str]] | None:
    tokens = line.split()
    if not tokens:
        return None
    start = len(tokens)
    while start > 0 and _NUMBER_TOKEN.match(tokens[start - 1]):
        start -= 1
    if start == len(tokens):
        return None
    if start == 0 and len(tokens) > 1 and _YEAR_LABEL.match(tokens[0]):
        start = 1
    elif start == 0 and _YEAR_LABEL.match(tokens[0].rstrip("*")) is None and len(tokens) == 1:
        return None
    label = " ".join(tokens[:start])
    return label, tokens[start:]


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
    if len(tokens) < n:
        return None
    for take in range(len(tokens) - (n - 1), 0, -1):
        head = tokens[:take]
        if _min_values(head) != 1:
            continue
        rest = _group(tokens[take:], n - 1)
        if rest is not None:
            return [" ".join(head), *rest]
    return None


def find_tables(lines: list[str]) -> list[TextTable]:
    tables, i = [], 0
    while i < len(lines):
        run = _numeric_run(lines, i)
        if len(run) >= MIN_ROWS:
            table = _build(lines, run)
            if table is not None:
                tables.append(table)
                i = run[-1] + 1
                continue
        i += 1
    return tables


def _numeric_run(lines: list[str], start: int) -> list[int]:
    run = []
    i = start
    while i < len(lines) and _split_row(lines[i].strip()) is not None:
        run.append(i)
        i += 1
    return run


def _build(lines: list[str], run: list[int]) -> TextTable | None:
    parsed = [_split_row(lines[i].strip()) for i in run]
    n = max(_min_values(values) for _, values in parsed)
    header_idx, qualifier = _header_lines(lines, run[0])
    if not header_idx:
        return None
    names = _column_names([lines[i].strip() for i in header_idx], n)
    rows = []
    for (label, values), line_no in zip(parsed, run):
        grouped = _group(values, n) or values
        rows.append((label.rstrip("*").strip(), *grouped))
    rows = _fill_missing_labels(rows, qualifier)
    return TextTable(
        first_line=header_idx[0],
        last_line=run[-1],
        header=tuple(names),
        rows=tuple(tuple(r) for r in rows),
        row_lines=tuple(run),
    )


def _header_lines(lines: list[str], first_row: int) -> tuple[list[int], str]:
    """Short lines right above the first row; a parenthesised one qualifies that row."""
    idx, qualifier = [], ""
    i = first_row - 1
    while i >= 0 and len(idx) < 4:
        text = lines[i].strip()
        if not text or len(text) > 80 or text.endswith((".", ":", ";")):
            break
        if text.startswith("(") and text.endswith(")") and not idx and not qualifier:
            qualifier = text
        else:
            idx.insert(0, i)
        i -= 1
    return idx, qualifier


def _column_names(header_lines: list[str], n: int) -> list[str]:
    first, *more = header_lines
    label_name, _, rest = first.partition(" ")
    value_lines = [rest, *more] if rest else more
    if len(value_lines) == n:
        return [label_name, *value_lines]
    words = " ".join(value_lines).split()
    if n == 1 or not words:
        return [label_name, " ".join(words) or "value"]
    size = max(1, len(words) // n)
    chunks = [" ".join(words[k * size : (k + 1) * size if k < n - 1 else None]) for k in range(n)]
    return [label_name, *chunks]


def _fill_missing_labels(rows: list[tuple[str, ...]], qualifier: str) -> list[tuple[str, ...]]:
    """A year column with a blank first label continues the sequence backwards."""
    out = list(rows)
    if out and not out[0][0] and len(out) > 1 and out[1][0].isdigit():
        guessed = str(int(out[1][0]) - 1)
        out[0] = (f"{guessed} {qualifier}".strip(), *out[0][1:])
    elif out and qualifier:
        out[0] = (f"{out[0][0]} {qualifier}".strip(), *out[0][1:])
    return out

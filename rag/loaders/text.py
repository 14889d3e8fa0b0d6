"""Plain text and Markdown into blocks with line numbers, headings and tables."""

from __future__ import annotations

import re

from rag.loaders.tables import find_tables
from rag.types import Block

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_ENDS_SENTENCE = re.compile(r"[.!?:;。！？”\"')\]]$")


def text_blocks(text: str) -> list[Block]:
    lines = text.splitlines()
    tables = {t.first_line: t for t in find_tables(lines)}
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        if i in tables:
            t = tables[i]
            blocks.append(_table_block(lines, t.first_line, t.last_line, t.header, t.rows, [n + 1 for n in t.row_lines]))
            i = t.last_line + 1
            continue
        i = _take_paragraph(lines, i, blocks, stop=set(tables))
    return blocks


def markdown_blocks(text: str) -> list[Block]:
    lines = text.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        heading = _MD_HEADING.match(line)
        if heading:
            blocks.append(Block("heading", heading.group(2), i + 1, i + 1, level=len(heading.group(1))))
            i += 1
        elif _MD_TABLE_ROW.match(line) and i + 1 < len(lines) and _MD_TABLE_RULE.match(lines[i + 1]):
            i = _take_md_table(lines, i, blocks)
        else:
            i = _take_paragraph(lines, i, blocks, stop=set(), markdown=True)
    return blocks


def _take_paragraph(lines: list[str], i: int, blocks: list[Block], stop: set[int], markdown: bool = False) -> int:
    """One block per line, except that wrapped lines and 'Label:' lines join what follows."""
    if not lines[i].strip():
        return i + 1
    start, parts = i, [lines[i].strip()]
    i += 1
    while i < len(lines) and lines[i].strip() and i not in stop and _continues(parts[-1], lines[i], markdown):
        parts.append(lines[i].strip())
        i += 1
    blocks.append(Block("text", " ".join(parts), start + 1, i))
    return i


def _continues(previous: str, line: str, markdown: bool) -> bool:
    nxt = line.strip()
    if markdown and (_MD_HEADING.match(nxt) or _MD_TABLE_ROW.match(nxt) or nxt.startswith(("- ", "* ", "> "))):
        return False
    if previous.endswith(":") and len(previous) <= 40:
        return True
    return not _ENDS_SENTENCE.search(previous) and nxt[:1].islower()


def _take_md_table(lines: list[str], i: int, blocks: list[Block]) -> int:
    header = tuple(_cells(lines[i]))
    start = i
    i += 2
    rows, row_lines = [], []
    while i < len(lines) and _MD_TABLE_ROW.match(lines[i]):
        rows.append(tuple(_cells(lines[i])))
        row_lines.append(i + 1)
        i += 1
    blocks.append(_table_block(lines, start, i - 1, header, tuple(rows), row_lines))
    return i


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _table_block(lines, first, last, header, rows, row_lines) -> Block:
    raw = "\n".join(lines[first : last + 1])
    return Block("table", raw, first + 1, last + 1, header=tuple(header), rows=tuple(rows), row_lines=tuple(row_lines))

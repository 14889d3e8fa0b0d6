"""Plain text and Markdown into blocks with line numbers, headings and tables."""

from __future__ import annotations

import re
from dataclasses import replace

from rag.loaders.tables import find_tables
from rag.tables.model import as_at_in, flatten, unit_in
from rag.tables.parse import aligned_grids, caption_above, caption_text, notes_below, spaced_grids
from rag.text.sentences import BULLET
from rag.types import Block

_MD_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_MD_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_MD_THEMATIC_BREAK = re.compile(r"^ {0,3}([-*_])(?:\s*\1){2,}\s*$")
_MD_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_MD_RULE_CELL = re.compile(r"^\s*:?-{2,}:?\s*$")
_MD_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_MD_QUOTE = re.compile(r"^\s*>\s?")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_ENDS_SENTENCE = re.compile(r"[.!?:;。！？”\"')\]]$")
_FIELD = re.compile(r"^[A-Z][\w /&'’-]{0,30}:\s")  # "Topics: ...", a new field, not a wrapped line
_LABEL_MAX_CHARS = 40


def text_blocks(text: str) -> list[Block]:
    lines = text.splitlines()
    tables = _text_tables(lines)
    starts, width = set(tables), _wrap_width(lines)
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        if i in tables:
            end, table_blocks = tables[i]
            blocks.extend(table_blocks)
            i = end + 1
        else:
            i = _take_paragraph(lines, i, blocks, starts, width)
    return blocks


def _text_tables(lines: list[str]) -> dict[int, tuple[int, list[Block]]]:
    """Tables by their first line (the caption's, if any): aligned ones first, then
    single-spaced ones ending in numbers, then single-spaced ones of single words."""
    grids = aligned_grids(lines)
    taken = {k for g in grids for k in range(g.first_line, g.last_line + 1)}
    rest = ["" if k in taken else line for k, line in enumerate(lines)]
    found = [(g.first_line, g.last_line, g.header_rows, g.rows, g.row_lines) for g in grids]
    for t in find_tables(rest):
        first = t.first_line + (1 if t.caption else 0)
        found.append((first, t.last_line, (t.header,), t.rows, t.row_lines))
        taken.update(range(first, t.last_line + 1))
    rest = ["" if k in taken else line for k, line in enumerate(lines)]
    for g in spaced_grids(rest):
        found.append((g.first_line, g.last_line, g.header_rows, g.rows, g.row_lines))
        taken.update(range(g.first_line, g.last_line + 1))
    out = {}
    for first, last, header_rows, rows, row_lines in sorted(found):
        caption_line = caption_above(lines, first, taken - set(range(first, last + 1)))
        blocks = _text_table(lines, first, last, header_rows, rows, row_lines, caption_line)
        out[caption_line if caption_line is not None else first] = (last, blocks)
    return out


def _text_table(lines, first, last, header_rows, rows, row_lines, caption_line) -> list[Block]:
    caption = caption_text(lines[caption_line]) if caption_line is not None else ""
    blocks = [Block("caption", caption, caption_line + 1, caption_line + 1)] if caption else []
    header = flatten(header_rows, max(len(r) for r in (*header_rows, *rows)))
    table = _table_block(lines, first, last, header, rows, [n + 1 for n in row_lines])
    notes, _ = notes_below(lines, last)
    return blocks + [replace(table, caption=caption, header_rows=header_rows, notes=notes, unit=unit_in(caption), as_at=as_at_in(caption))]


def _wrap_width(lines: list[str]) -> int:
    """The width a hard-wrapped file was wrapped at (the 90th percentile line length)."""
    lengths = sorted(len(line.rstrip()) for line in lines if line.strip())
    return lengths[int(len(lengths) * 0.9)] if lengths else 0


def _take_paragraph(lines: list[str], i: int, blocks: list[Block], stop: set[int], width: int) -> int:
    """One block per paragraph: wrapped lines and 'Label:' lines join what follows."""
    if not lines[i].strip():
        return i + 1
    start, parts = i, [lines[i].strip()]
    i += 1
    while i < len(lines) and lines[i].strip() and i not in stop and _continues(lines[i - 1], lines[i], width):
        parts.append(lines[i].strip())
        i += 1
    blocks.append(Block("text", " ".join(parts), start + 1, i))
    return i


def _continues(previous_line: str, line: str, width: int) -> bool:
    previous, nxt = previous_line.strip(), line.strip()
    if previous.endswith(":") and len(previous) <= _LABEL_MAX_CHARS:
        return True
    if _ENDS_SENTENCE.search(previous) or _MD_ITEM.match(nxt) or _FIELD.match(nxt):
        return False
    # A line that runs nearly to the wrap width was broken by the wrapping, not by the author.
    return nxt[:1].islower() or len(previous_line.rstrip()) >= 0.8 * width > 40


def markdown_blocks(text: str) -> list[Block]:
    lines = text.splitlines()
    blocks: list[Block] = []
    i = _take_front_matter(lines, blocks)
    while i < len(lines):
        i = _take_markdown(lines, i, blocks)
    return blocks


def _take_markdown(lines: list[str], i: int, blocks: list[Block]) -> int:
    line = lines[i]
    heading = _MD_HEADING.match(line)
    if heading:
        blocks.append(Block("heading", _inline(heading.group(2)), i + 1, i + 1, level=len(heading.group(1))))
        return i + 1
    if _MD_FENCE.match(line):
        return _take_fence(lines, i, blocks)
    if _is_md_table(lines, i):
        return _take_md_table(lines, i, blocks)
    if i + 1 < len(lines) and line.strip() and not _MD_ITEM.match(line) and _MD_SETEXT.match(lines[i + 1]):
        level = 1 if lines[i + 1].strip().startswith("=") else 2
        blocks.append(Block("heading", _inline(line.strip()), i + 1, i + 2, level=level))
        return i + 2
    if _MD_THEMATIC_BREAK.match(line) or _MD_SETEXT.match(line):
        return i + 1
    return _take_md_paragraph(lines, i, blocks)


def _take_front_matter(lines: list[str], blocks: list[Block]) -> int:
    """YAML front matter between '---' lines is kept as one line of 'key: value' text."""
    if not lines or lines[0].strip() != "---":
        return 0
    for end in range(1, min(len(lines), 60)):
        if lines[end].strip() in ("---", "..."):
            fields = "; ".join(line.strip() for line in lines[1:end] if line.strip())
            if fields:
                blocks.append(Block("text", fields, 2, end))
            return end + 1
    return 0


def _take_md_paragraph(lines: list[str], i: int, blocks: list[Block]) -> int:
    """In Markdown a paragraph runs to a blank line or the next block; list items stand alone."""
    if not lines[i].strip():
        return i + 1
    start, parts = i, [_strip_marker(lines[i])]
    quoted = bool(_MD_QUOTE.match(lines[i]))
    marker = _item_marker(_MD_QUOTE.sub("", lines[i], count=1))
    i += 1
    while i < len(lines) and lines[i].strip() and not _starts_md_block(lines, i, quoted) and not _is_field(lines[i]):
        parts.append(_strip_marker(lines[i]))
        i += 1
    blocks.append(Block("text", marker + _inline(" ".join(p for p in parts if p)), start + 1, i))
    return i


def _item_marker(line: str) -> str:
    """A list item keeps a marker, as a text file's list does ("• ", "2. "): it is read
    with the line that introduces the list, and a short one is not taken for a heading."""
    found = _MD_ITEM.match(line)
    if not found:
        return ""
    marker = found.group(0).strip()
    return BULLET if marker in "-*+" else f"{marker} "


def _is_field(line: str) -> bool:
    """"**Issued:** 2 June 2026": a labelled field starts a line of its own, as in a text file."""
    return bool(_FIELD.match(_inline(line.strip())))


def _starts_md_block(lines: list[str], i: int, quoted: bool = False) -> bool:
    line = lines[i]
    if quoted and _MD_QUOTE.match(line):
        return bool(_MD_ITEM.match(_MD_QUOTE.sub("", line, count=1)))  # the quote goes on
    return bool(
        _MD_HEADING.match(line) or _MD_FENCE.match(line) or _MD_ITEM.match(line) or _MD_QUOTE.match(line)
        or _is_md_table(lines, i) or _MD_SETEXT.match(line) or _MD_THEMATIC_BREAK.match(line)
    )


def _take_fence(lines: list[str], i: int, blocks: list[Block]) -> int:
    fence = _MD_FENCE.match(lines[i]).group(1)
    end = i + 1
    while end < len(lines) and not lines[end].strip().startswith(fence):
        end += 1
    code = "\n".join(lines[i + 1 : end]).strip()
    if code:
        blocks.append(Block("text", code, i + 2, end))
    return end + 1


def _is_md_table(lines: list[str], i: int) -> bool:
    """A row of cells over a rule with as many cells: | --- | :--: |."""
    if "|" not in lines[i] or i + 1 >= len(lines) or "|" not in lines[i + 1]:
        return False
    rule = _cells(lines[i + 1])
    return len(rule) == len(_cells(lines[i])) and all(_MD_RULE_CELL.match(c) for c in rule)


def _take_md_table(lines: list[str], i: int, blocks: list[Block]) -> int:
    caption_line = caption_above(lines, i)
    if caption_line is not None and _MD_HEADING.match(lines[caption_line]):
        caption_line = None  # a heading already names the section the rows are filed under
    caption = _inline(caption_text(lines[caption_line])) if caption_line is not None else ""
    if caption and blocks and blocks[-1].kind == "text" and blocks[-1].line_start == caption_line + 1:
        blocks[-1] = Block("caption", caption, caption_line + 1, caption_line + 1)  # the line above names the table
    header = tuple(_cells(lines[i]))
    start = i
    i += 2
    rows, row_lines = [], []
    while i < len(lines) and lines[i].strip() and "|" in lines[i]:
        rows.append(tuple(_cells(lines[i])))
        row_lines.append(i + 1)
        i += 1
    table = _table_block(lines, start, i - 1, header, tuple(rows), row_lines)
    notes, _ = notes_below(lines, i - 1)
    blocks.append(replace(table, caption=caption, header_rows=(header,), notes=notes, unit=unit_in(caption), as_at=as_at_in(caption)))
    return i


def _cells(line: str) -> list[str]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    # An escaped pipe belongs to its cell.
    return [_inline(c.strip().replace("\\|", "|")) for c in re.split(r"(?<!\\)\|", body)]


def _strip_marker(line: str) -> str:
    return _MD_ITEM.sub("", _MD_QUOTE.sub("", line), count=1).strip()


def _inline(text: str) -> str:
    """Links and images keep their words, emphasis loses its markers."""
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    return _MD_EMPHASIS.sub(r"\2", text)


def _table_block(lines, first, last, header, rows, row_lines) -> Block:
    raw = "\n".join(lines[first : last + 1])
    return Block("table", raw, first + 1, last + 1, header=tuple(header), rows=tuple(rows), row_lines=tuple(row_lines))

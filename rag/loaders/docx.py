"""Word documents: headings by paragraph style, tables with their header row."""

from __future__ import annotations

import zipfile
from pathlib import Path

from rag.errors import InputError
from rag.tables.model import as_at_in, flatten, unit_in
from rag.tables.parse import CAPTION_LINE, docx_grid
from rag.types import Block


def docx_blocks(path: Path) -> list[Block]:
    if not zipfile.is_zipfile(path):
        raise InputError("not a valid .docx (not a zip archive); re-save it from Word")
    import docx

    try:
        return _blocks(docx.Document(str(path)))
    except Exception as exc:  # python-docx raises many unrelated types on a broken package
        raise InputError(f"unreadable .docx ({type(exc).__name__}); re-save it from Word") from None


def _blocks(document) -> list[Block]:
    blocks = []
    for item in document.iter_inner_content():
        if hasattr(item, "rows"):
            blocks.extend(_caption_then_table(blocks, item))
            continue
        text = " ".join(item.text.split())
        if not text:
            continue
        style = (item.style.name if item.style is not None else "") or ""
        level = _heading_level(style)
        if level is None and (style == "Caption" or CAPTION_LINE.match(text)):
            blocks.append(Block("caption", text))
            continue
        blocks.append(Block("text", text) if level is None else Block("heading", text, level=level))
    return blocks


def _caption_then_table(blocks: list[Block], table) -> list[Block]:
    """A "Table 3: ..." paragraph (or one in the Caption style) right above names the table."""
    above = blocks[-1] if blocks else None
    if above is not None and above.kind == "caption":
        blocks.pop()
        return [above, _table(table, above.text)]
    return [_table(table)]


def _heading_level(style: str) -> int | None:
    # Title sits above Heading 1, so "Title > Heading 1 > Heading 2" nests like Markdown's # > ## > ###.
    if style == "Title":
        return 0
    if style.startswith("Heading"):
        digits = style.removeprefix("Heading").strip()
        return int(digits) if digits.isdigit() else 1
    return None


def _table(table, caption: str = "") -> Block:
    header_rows, rows = docx_grid(table)
    header = flatten(header_rows, max((len(r) for r in (*header_rows, *rows)), default=0))
    raw = "\n".join(" | ".join(r) for r in (*header_rows, *rows))
    return Block("table", raw, header=header, rows=rows, caption=caption, header_rows=header_rows, unit=unit_in(caption), as_at=as_at_in(caption))

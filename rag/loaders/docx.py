"""Word documents: headings by paragraph style, tables with their header row."""

from __future__ import annotations

import zipfile
from pathlib import Path

from rag.errors import InputError
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
            blocks.append(_table(item))
            continue
        text = " ".join(item.text.split())
        if not text:
            continue
        style = (item.style.name if item.style is not None else "") or ""
        level = _heading_level(style)
        blocks.append(Block("text", text) if level is None else Block("heading", text, level=level))
    return blocks


def _heading_level(style: str) -> int | None:
    # Title sits above Heading 1, so "Title > Heading 1 > Heading 2" nests like Markdown's # > ## > ###.
    if style == "Title":
        return 0
    if style.startswith("Heading"):
        digits = style.removeprefix("Heading").strip()
        return int(digits) if digits.isdigit() else 1
    return None


def _table(table) -> Block:
    rows = [tuple(" ".join(cell.text.split()) for cell in row.cells) for row in table.rows]
    header = rows[0] if rows else ()
    raw = "\n".join(" | ".join(r) for r in rows)
    return Block("table", raw, header=tuple(header), rows=tuple(rows[1:]))

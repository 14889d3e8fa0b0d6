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
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises many unrelated types on a broken package
        raise InputError(f"unreadable .docx ({type(exc).__name__}); re-save it from Word") from None
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
        blocks.append(Block("heading", text, level=level) if level else Block("text", text))
    return blocks


def _heading_level(style: str) -> int:
    if style == "Title":
        return 1
    if style.startswith("Heading"):
        digits = style.removeprefix("Heading").strip()
        return int(digits) if digits.isdigit() else 1
    return 0


def _table(table) -> Block:
    rows = [tuple(" ".join(cell.text.split()) for cell in row.cells) for row in table.rows]
    header = rows[0] if rows else ()
    raw = "\n".join(" | ".join(r) for r in rows)
    return Block("table", raw, header=tuple(header), rows=tuple(rows[1:]))

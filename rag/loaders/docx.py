"""Word documents: headings by paragraph style, tables with their header row."""

from __future__ import annotations

import zipfile
from pathlib import Path

from rag.errors import InputError
from rag.types import Block


# A zip declares each member's size, and Python's zipfile stops reading a member at
# that size, so checking the declared sizes bounds what parsing can unpack.
EXPANSION_LIMIT = 4  # times --max-file-mb, uncompressed
MAX_RATIO = 100  # real .docx files compress their XML 5-20x; bombs ~1000x
_RATIO_FLOOR_MB = 8  # small archives may compress well without being a danger
_MB = 1024 * 1024


def docx_blocks(path: Path, max_file_mb: float = 64.0) -> list[Block]:
    if not zipfile.is_zipfile(path):
        raise InputError("not a valid .docx (not a zip archive); re-save it from Word")
    check_expansion(path, max_file_mb)
    import docx

    try:
        return _blocks(docx.Document(str(path)))
    except Exception as exc:  # python-docx raises many unrelated types on a broken package
        raise InputError(f"unreadable .docx ({type(exc).__name__}); re-save it from Word") from None


def check_expansion(path: Path, max_file_mb: float) -> None:
    """Refuse a zip bomb before anything is unpacked."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, NotImplementedError) as exc:
        raise InputError(f"not a valid .docx ({type(exc).__name__}); re-save it from Word") from None
    expanded = sum(m.file_size for m in members)
    packed = max(1, sum(m.compress_size for m in members))
    limit = EXPANSION_LIMIT * max_file_mb * _MB
    size = f"expands to {expanded / _MB:,.0f} MB uncompressed ({expanded / packed:,.0f}x its packed size)"
    if expanded > limit:
        raise InputError(f"{size}; above the limit of {limit / _MB:,.0f} MB ({EXPANSION_LIMIT}x --max-file-mb); "
                         "leave it out, or raise --max-file-mb if you trust it")
    if expanded > _RATIO_FLOOR_MB * _MB and expanded / packed > MAX_RATIO:
        raise InputError(f"{size}; above the limit of {MAX_RATIO}x compression: a likely zip bomb; leave it out or re-save it from Word")


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

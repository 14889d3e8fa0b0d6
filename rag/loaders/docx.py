"""Word documents: headings by paragraph style, tables with their header row."""

from __future__ import annotations

import zipfile
from pathlib import Path

from rag.errors import InputError
from rag.tables.model import as_at_in, flatten, unit_in
from rag.tables.parse import CAPTION_LINE, docx_grid
from rag.text.sentences import BULLET
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
        if level is None and _is_list_item(item, style):
            text = f"{BULLET}{text}"  # read with the line that introduces the list, as a text file's list is
        blocks.append(Block("text", text) if level is None else Block("heading", text, level=level))
    return blocks


def _is_list_item(paragraph, style: str) -> bool:
    """A bulleted or numbered paragraph: a list style, or Word's own numbering."""
    properties = paragraph._p.pPr
    return style.startswith("List") or (properties is not None and properties.numPr is not None)


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

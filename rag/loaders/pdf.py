"""PDF pages into text blocks that remember their page (pypdf: pure Python, no system libs)."""

from __future__ import annotations

from pathlib import Path

from rag.errors import InputError
from rag.loaders.text import text_blocks
from rag.types import Block


def pdf_blocks(path: Path) -> list[Block]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise InputError("encrypted PDF; decrypt it (e.g. qpdf --decrypt) and index the copy")
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, OSError, TypeError, AttributeError) as exc:
        raise InputError(f"unreadable PDF ({type(exc).__name__}); re-save or repair it") from None
    blocks = []
    for number, text in enumerate(pages, start=1):
        for block in text_blocks(text):
            blocks.append(Block(block.kind, block.text, block.line_start, block.line_end, number, block.level, block.header, block.rows, block.row_lines))
    if not any(b.text.strip() for b in blocks):
        raise InputError("PDF has no extractable text (scanned image?); run OCR on it first")
    return blocks

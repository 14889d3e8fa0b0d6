"""PDF pages into text blocks that remember their page (pypdf: pure Python, no system libs)."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from rag.errors import InputError
from rag.loaders.text import text_blocks
from rag.types import Block


def pdf_blocks(path: Path) -> list[Block]:
    # pypdf logs every repair it makes; a skip reason says all the user needs.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = _open(path)
    blocks = []
    texts, over_limit = _page_texts(reader)
    for number, text in enumerate(texts, start=1):
        for block in text_blocks(text):
            blocks.append(replace(block, page=number))
    if not any(b.text.strip() for b in blocks):
        raise InputError(BOMB if over_limit else "PDF has no extractable text (scanned image?); run OCR on it first")
    return blocks


# pypdf stops inflating a stream past its size limit; telling that from "no text" keeps
# a hostile or broken file from being reported as a scan.
BOMB = "PDF content inflates past pypdf's size limit (a decompression bomb?); not indexed, check where it came from"


def _is_over_limit(exc: Exception) -> bool:
    from pypdf.errors import LimitReachedError

    return isinstance(exc, (LimitReachedError, MemoryError))


def _open(path: Path):
    from pypdf import PdfReader

    try:
        reader = PdfReader(str(path))
        encrypted = reader.is_encrypted
    except Exception as exc:  # pypdf raises many unrelated types on a damaged file
        raise InputError(BOMB if _is_over_limit(exc) else f"unreadable PDF ({type(exc).__name__}); re-save or repair it") from None
    if encrypted:
        _decrypt(reader)
    return reader


def _decrypt(reader) -> None:
    """Owner-password-only PDFs open for anyone, so they are read; a user password stops us."""
    from pypdf.errors import DependencyError

    try:
        opened = reader.decrypt("")
    except DependencyError:
        raise InputError("AES-encrypted PDF; pip install cryptography to read it, or decrypt it (qpdf --decrypt)") from None
    except Exception as exc:
        raise InputError(f"encrypted PDF that cannot be opened ({type(exc).__name__}); decrypt it (qpdf --decrypt)") from None
    if not opened:
        raise InputError("password-protected PDF; decrypt it (e.g. qpdf --password=... --decrypt) and index the copy")


def _page_texts(reader) -> tuple[list[str], bool]:
    """Text per page, and whether a page hit the size limit; a page that cannot be read
    is left empty rather than losing the file."""
    try:
        pages = list(reader.pages)
    except Exception as exc:
        raise InputError(BOMB if _is_over_limit(exc) else f"unreadable PDF ({type(exc).__name__}); re-save or repair it") from None
    texts, over_limit = [], False
    for page in pages:
        try:
            texts.append(page.extract_text() or "")
        except Exception as exc:  # one broken content stream
            over_limit = over_limit or _is_over_limit(exc)
            texts.append("")
    return texts, over_limit

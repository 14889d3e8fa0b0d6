"""PDF pages into text blocks that remember their page (pypdf: pure Python, no system libs)."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from rag.errors import InputError
from rag.loaders.docx import EXPANSION_LIMIT
from rag.loaders.text import text_blocks
from rag.types import Block


# A real page's content stream is kilobytes and its text a few thousand characters;
# pypdf's own default lets one stream expand to 75 MB, and pages add up.
STREAM_LIMIT_MB = 16
PAGE_TEXT_CHARS = 1_000_000
_MB = 1024 * 1024
_BOMB = "a decompression bomb: {what}; leave it out, or re-save it (e.g. qpdf) if you trust it"


def pdf_blocks(path: Path, max_file_mb: float = 64.0) -> list[Block]:
    from pypdf import apply_configuration

    # pypdf logs every repair it makes; a skip reason says all the user needs.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    with apply_configuration(**_limits(STREAM_LIMIT_MB * _MB)):
        reader = _open(path)
        texts = _page_texts(reader, int(EXPANSION_LIMIT * max_file_mb * _MB))
    blocks = []
    for number, text in enumerate(texts, start=1):
        for block in text_blocks(text):
            blocks.append(replace(block, page=number))
    if not any(b.text.strip() for b in blocks):
        raise InputError("PDF has no extractable text (scanned image?); run OCR on it first")
    return blocks


def _open(path: Path):
    from pypdf import PdfReader

    from pypdf.errors import LimitReachedError

    try:
        reader = PdfReader(str(path))
        encrypted = reader.is_encrypted
    except LimitReachedError:
        raise InputError(_BOMB.format(what="its structure is beyond pypdf's limits")) from None
    except Exception as exc:  # pypdf raises many unrelated types on a damaged file
        raise InputError(f"unreadable PDF ({type(exc).__name__}); re-save or repair it") from None
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


def _limits(stream_bytes: int) -> dict[str, int]:
    return {
        "zlib_maximum_output_length": stream_bytes,
        "lzw_maximum_output_length": stream_bytes,
        "run_length_maximum_output_length": stream_bytes,
        "brotli_maximum_output_length": stream_bytes,
        "array_based_stream_maximum_output_length": stream_bytes,
        "stream_decoding_work_maximum_length": 4 * stream_bytes,
    }


def _page_texts(reader, max_chars: int) -> list[str]:
    """Text per page; a page that cannot be read is left empty rather than losing the file,
    but a stream or a text that expands past the limits loses it."""
    from pypdf.errors import LimitReachedError

    try:
        pages = list(reader.pages)
    except LimitReachedError:
        raise InputError(_BOMB.format(what="its page tree is beyond pypdf's limits")) from None
    except Exception as exc:
        raise InputError(f"unreadable PDF ({type(exc).__name__}); re-save or repair it") from None
    texts, total = [], 0
    for number, page in enumerate(pages, start=1):
        texts.append(_page_text(page, number))
        total += len(texts[-1])
        if total > max_chars:
            raise InputError(_BOMB.format(what=f"its text passes {max_chars // _MB:,} M characters by page {number} "
                                               f"({EXPANSION_LIMIT}x --max-file-mb)"))
    return texts


def _page_text(page, number: int) -> str:
    from pypdf.errors import LimitReachedError

    try:
        text = page.extract_text() or ""
    except (LimitReachedError, MemoryError):
        raise InputError(_BOMB.format(what=f"a stream on page {number} expands past {STREAM_LIMIT_MB} MB")) from None
    except Exception:  # one broken content stream
        return ""
    if len(text) > PAGE_TEXT_CHARS:
        raise InputError(_BOMB.format(what=f"page {number} holds over {PAGE_TEXT_CHARS:,} characters of text"))
    return text

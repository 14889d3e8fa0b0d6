"""Bytes to text: BOMs, UTF-8, then detected legacy encodings (GBK, Big5, ...)."""

from __future__ import annotations

import codecs

from rag.errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Legacy Chinese encodings are tried in this order when UTF-8 fails; the
# detector alone mistakes short GBK text for other code pages.
_CJK_CANDIDATES = ("gb18030", "big5")


def decode_bytes(raw: bytes, name: str) -> str:
    """Decode a text file's bytes or raise InputError saying why it is not text."""
    if not raw.strip():
        raise InputError("empty file")
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return _strict(raw, encoding, name)
    if b"\x00" in raw[:8192]:
        raise InputError("binary data, not text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return _decode_legacy(raw, name)


def _strict(raw: bytes, encoding: str, name: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        raise InputError(f"not valid {encoding} despite its byte-order mark") from None


def _decode_legacy(raw: bytes, name: str) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:200_000]).best()
    guesses = [best.encoding] if best is not None else []
    for encoding in (*guesses, *_CJK_CANDIDATES):
        text = _try(raw, encoding)
        if text is not None and _looks_like_text(text):
            return text
    raise InputError("not valid UTF-8 and no known encoding fits; convert it to UTF-8")


def _try(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _looks_like_text(text: str) -> bool:
    sample = text[:20_000]
    if not sample:
        return False
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return control / len(sample) < 0.01

"""Bytes to text: BOMs, UTF-8 (even slightly damaged), then legacy encodings (GBK, Big5, ...)."""

from __future__ import annotations

import codecs

from rag.errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Both decode most Chinese byte strings without error, so the one whose
# characters are the common ones of its own repertoire wins.
_CJK_CANDIDATES = ("gb18030", "big5")
_MIN_CJK_SHARE = 0.6
# A file that is UTF-8 but for a few bad bytes (a cut multi-byte character,
# one pasted Latin-1 word) keeps its UTF-8 reading with U+FFFD in the gaps.
# Latin-1 text almost never forms a valid multi-byte sequence, GBK text does
# for about a fifth of its characters: above the first bar it is UTF-8 before
# any legacy reading is tried, above the second only if no Chinese one fits.
_UTF8_SURE, _UTF8_LIKELY = 0.8, 0.5
_WESTERN = "cp1252"
_SAMPLE = 200_000


def decode_bytes(raw: bytes) -> str:
    """Decode a text file's bytes or raise InputError saying why it is not text."""
    raw = raw.removeprefix(codecs.BOM_UTF8)
    if not raw.strip():
        raise InputError("empty file")
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return _strict(raw, encoding)
    if b"\x00" in raw[:8192]:
        raise InputError("binary data, not text; only text, Markdown, HTML, PDF, .docx and .jsonl are read")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return _damaged_utf8(raw, _UTF8_SURE) or _decode_legacy(raw)


def _strict(raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        raise InputError(f"not valid {encoding} despite its byte-order mark; re-save it as UTF-8") from None


def _damaged_utf8(raw: bytes, min_valid_share: float) -> str | None:
    text = raw.decode("utf-8", errors="replace")
    sample = text[:_SAMPLE]
    bad = sample.count("\ufffd")
    wide = sum(1 for ch in sample if ord(ch) > 127) - bad
    if wide and wide >= min_valid_share * (wide + bad):
        return text
    return None


def _decode_legacy(raw: bytes) -> str:
    text = _best_cjk(raw) or _damaged_utf8(raw, _UTF8_LIKELY) or _detected(raw) or _try(raw, _WESTERN)
    if text is None or not _looks_like_text(text):
        raise InputError("not valid UTF-8 and no known encoding fits; convert it to UTF-8")
    return text


def _best_cjk(raw: bytes) -> str | None:
    scored = []
    for encoding in _CJK_CANDIDATES:
        text = _try(raw, encoding)
        if text is not None:
            scored.append((_common_share(text, encoding), text))
    if not scored:
        return None
    share, text = max(scored, key=lambda pair: pair[0])
    return text if share >= _MIN_CJK_SHARE else None


def _common_share(text: str, encoding: str) -> float:
    """Share of non-ASCII characters that are punctuation or first-level (everyday) hanzi."""
    wide = [ch for ch in text[:_SAMPLE] if ord(ch) > 127]
    if not wide:
        return 0.0
    return sum(1 for ch in wide if _is_common(ch, encoding)) / len(wide)


def _is_common(ch: str, encoding: str) -> bool:
    # GB2312 puts its 3,755 everyday hanzi in rows 0xB0-0xD7, Big5 its 5,401 in 0xA4-0xC6;
    # rows 0xA1-0xA3 are full-width punctuation in both.
    try:
        lead = ch.encode("gb2312" if encoding == "gb18030" else "big5")[0]
    except UnicodeEncodeError:
        return False
    if encoding == "gb18030":
        return 0xA1 <= lead <= 0xA3 or 0xB0 <= lead <= 0xD7
    return 0xA1 <= lead <= 0xC6


def _detected(raw: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:_SAMPLE]).best()
    text = _try(raw, best.encoding) if best is not None else None
    if text is None or _is_latin(text):
        # Latin code pages tie on short text and the detector's pick among them is
        # arbitrary (cp1250 before cp1252); the common one is the safe reading.
        return _try(raw, _WESTERN) or text
    return text


def _is_latin(text: str) -> bool:
    import unicodedata

    for ch in set(text[:_SAMPLE]):
        if ord(ch) > 127 and unicodedata.category(ch)[0] == "L" and not unicodedata.name(ch, "").startswith("LATIN"):
            return False
    return True


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

"""Files and folders into Documents; anything unreadable becomes a Skipped with its reason."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

from rag.errors import InputError
from rag.loaders.decoding import decode_bytes
from rag.types import Block, Document, Skipped

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".jsonl"}
MAX_TITLE_CHARS = 120
DEFAULT_MAX_FILE_MB = 64.0


def load_paths(paths: list[str], max_file_mb: float = DEFAULT_MAX_FILE_MB) -> Iterator[Document | Skipped]:
    for given in paths:
        root = Path(given)
        if not root.exists():
            yield Skipped(_display(given), "no such file or folder")
        elif root.is_dir():
            for path in _walk(root):
                yield from load_file(path, _display(str(path)), max_file_mb)
        else:
            yield from load_file(root, _display(given), max_file_mb)


def _display(path: str) -> str:
    return os.path.normpath(path)


def _walk(root: Path) -> Iterator[Path]:
    # followlinks=False: a symlink loop cannot send the walk round forever.
    for folder, dirs, files in os.walk(root, followlinks=False, onerror=None):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(folder) / name


def load_file(path: Path, source: str, max_file_mb: float = DEFAULT_MAX_FILE_MB) -> Iterator[Document | Skipped]:
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES:
        yield Skipped(source, f"unsupported file type '{suffix or path.name}'; supported: {', '.join(sorted(TEXT_SUFFIXES))}")
        return
    try:
        size = path.stat().st_size
        if size > max_file_mb * 1024 * 1024:
            raise InputError(f"larger than {max_file_mb:g} MB; split it or raise RAG_MAX_FILE_MB")
        if suffix == ".jsonl":
            yield from _jsonl_documents(path, source)
            return
        yield _document(path, source, suffix)
    except InputError as exc:
        yield Skipped(source, str(exc))
    except OSError as exc:
        yield Skipped(source, f"cannot read it ({exc.strerror or type(exc).__name__}); check its permissions")


def _document(path: Path, source: str, suffix: str) -> Document:
    raw = path.read_bytes()
    title = ""
    if suffix == ".pdf":
        from rag.loaders.pdf import pdf_blocks

        blocks = pdf_blocks(path)
    elif suffix == ".docx":
        from rag.loaders.docx import docx_blocks

        blocks = docx_blocks(path)
    else:
        text = decode_bytes(raw, source)
        blocks, title = _text_like(text, suffix)
    if not any(b.text.strip() for b in blocks):
        raise InputError("no text in it")
    return make_document(source, blocks, hashlib.sha256(raw).hexdigest(), title)


def _text_like(text: str, suffix: str) -> tuple[list[Block], str]:
    if suffix in (".html", ".htm"):
        from rag.loaders.html import html_blocks

        title, blocks = html_blocks(text)
        return blocks, title
    from rag.loaders.text import markdown_blocks, text_blocks

    return (markdown_blocks(text) if suffix in (".md", ".markdown") else text_blocks(text)), ""


def make_document(source: str, blocks: list[Block], content_hash: str, title: str = "", record_id: str | None = None) -> Document:
    text = "\n".join(b.text for b in blocks)
    title = title.strip() or _first_heading_or_line(blocks)
    return Document(source, _with_acronym(title, text), tuple(blocks), content_hash, record_id)


def _first_heading_or_line(blocks: list[Block]) -> str:
    for block in blocks:
        if block.kind == "heading" and block.text.strip():
            return block.text.strip()[:MAX_TITLE_CHARS]
    for block in blocks:
        if block.text.strip():
            return block.text.strip().splitlines()[0][:MAX_TITLE_CHARS]
    return ""


_ACRONYM = re.compile(r"((?:[A-Z][\w’'-]*\s+(?:(?:of|for|and|the|in|on)\s+)?){1,8})\(([A-Z]{2,8})\)")


def _with_acronym(title: str, text: str) -> str:
    """'Quality Migrant Admission Scheme' becomes '... (QMAS)' when the text defines it,
    so passages that only use the short form still match the document."""
    for match in _ACRONYM.finditer(text[:20_000]):
        phrase, acronym = match.group(1).strip(), match.group(2)
        initials = "".join(w[0] for w in phrase.split() if w[0].isupper())
        if initials.endswith(acronym) and acronym not in title:
            words = phrase.split()[-len(acronym) - 3 :]
            for start in range(len(words)):
                candidate = " ".join(words[start:])
                if candidate in title and "".join(w[0] for w in candidate.split() if w[0].isupper()) == acronym:
                    return title.replace(candidate, f"{candidate} ({acronym})", 1)
    return title


def _jsonl_documents(path: Path, source: str) -> Iterator[Document | Skipped]:
    from rag.loaders.text import text_blocks

    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                text = record["text"]
                if not isinstance(text, str):
                    raise TypeError
            except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError):
                yield Skipped(f"{source}:{number}", "not a JSON object with a 'text' string; fix or remove that line")
                continue
            record_id = str(record.get("_id", record.get("id", number)))
            blocks = text_blocks(text) or [Block("text", text)]
            title = str(record.get("title") or "")
            yield make_document(f"{source}#{record_id}", blocks, hashlib.sha256(line).hexdigest(), title, record_id)

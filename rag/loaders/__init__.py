"""Files and folders into Documents; anything unreadable becomes a Skipped with its reason."""

from __future__ import annotations

import hashlib
import json
import re
import stat
from collections.abc import Iterator
from pathlib import Path

from rag.errors import InputError
from rag.loaders.decoding import decode_bytes
from rag.loaders.walk import Scope, display, os_reason, walk
from rag.types import Block, Document, Skipped

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".jsonl"}
MAX_TITLE_CHARS = 120
# Above this a file is skipped unless the limit is raised: a 100 MB text file
# makes ~90,000 chunks and needs ~1.3 GB of memory besides the model, and the
# real embedder takes many minutes over it on two cores.
DEFAULT_MAX_FILE_MB = 64.0
_MB = 1024 * 1024


def load_paths(
    paths: list[str], max_file_mb: float = DEFAULT_MAX_FILE_MB, *, follow_links: bool = False, exclude: list[str] | tuple[str, ...] = ()
) -> Iterator[Document | Skipped]:
    """Documents from the files and folders given; links out of them are followed only
    with follow_links, and folders in exclude (the index being written) are never read."""
    scope = Scope.of(paths, exclude, follow_links)
    for given in paths:
        root = Path(given)
        never = _never_read(root, scope)
        if never:
            yield Skipped(display(given), never)
        elif root.is_dir():
            for path in walk(root, scope):
                if isinstance(path, Skipped):
                    yield path
                else:
                    yield from load_file(path, display(str(path)), max_file_mb)
        elif root.exists() or root.is_symlink():
            yield from load_file(root, display(given), max_file_mb)
        else:
            yield Skipped(display(given), "no such file or folder")


def _never_read(given: Path, scope: Scope) -> str | None:
    """An index folder, or a file inside one, is left out even when named."""
    folder = given if given.is_dir() else given.parent
    try:
        return scope.never_read(folder)
    except OSError:
        return None  # the read that follows names the problem


def load_file(path: Path, source: str, max_file_mb: float = DEFAULT_MAX_FILE_MB) -> Iterator[Document | Skipped]:
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES:
        yield Skipped(source, f"unsupported file type '{suffix or path.name}'; supported: {', '.join(sorted(TEXT_SUFFIXES))}")
        return
    try:
        _check_file(path, max_file_mb)
        if suffix == ".jsonl":
            yield from _jsonl_documents(path, source)
            return
        yield _document(path, source, suffix, max_file_mb)
    except InputError as exc:
        yield Skipped(source, str(exc))
    except OSError as exc:
        yield Skipped(source, os_reason(exc))
    except Exception as exc:  # noqa: BLE001  a parser's bug or a hostile file must not end the run
        yield Skipped(source, unreadable(exc))


def unreadable(exc: BaseException) -> str:
    """The reason for a file a parser gave up on (deep nesting, memory, a parser's own bug)."""
    return f"could not be read: {type(exc).__name__}; it may be damaged or built to exhaust a parser; leave it out or convert it"


def _check_file(path: Path, max_file_mb: float) -> None:
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        # Reading a pipe or a device would block or never end.
        raise InputError("not a regular file (a pipe, socket or device); leave it out")
    if info.st_size == 0:
        raise InputError("empty file")
    if info.st_size > max_file_mb * _MB:
        raise InputError(
            f"{info.st_size / _MB:.0f} MB, above the {max_file_mb:g} MB limit; "
            "raise it with --max-file-mb or RAG_MAX_FILE_MB, or split the file"
        )


def _document(path: Path, source: str, suffix: str, max_file_mb: float) -> Document:
    raw = path.read_bytes()
    content_hash = hashlib.sha256(raw).hexdigest()
    title = ""
    if suffix == ".pdf":
        from rag.loaders.pdf import pdf_blocks

        blocks = pdf_blocks(path, max_file_mb)
    elif suffix == ".docx":
        from rag.loaders.docx import docx_blocks

        blocks = docx_blocks(path, max_file_mb)
    else:
        text = decode_bytes(raw)
        del raw  # a large file should not be held twice, as bytes and as text
        blocks, title = _text_like(text, suffix)
    if not any(b.text.strip() for b in blocks):
        raise InputError("no text in it")
    return make_document(source, blocks, content_hash, title)


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
    """'Freedom of Information Act' becomes '... (FOIA)' when the text defines it,
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
    """One Document per record; bad lines are reported once per file, not once per line."""
    bad: list[int] = []
    good = 0
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            document = _jsonl_record(line, number, source)
            if document is None:
                bad.append(number)
            else:
                good += 1
                yield document
    if bad:
        shown = ", ".join(str(n) for n in bad[:5]) + (", ..." if len(bad) > 5 else "")
        yield Skipped(source, f"{len(bad)} line(s) are not a JSON object with a non-empty 'text' string (line {shown}); fix or remove them")
    elif not good:
        yield Skipped(source, "empty file")


def _jsonl_record(line: bytes, number: int, source: str) -> Document | None:
    from rag.loaders.text import text_blocks

    try:
        record = json.loads(line)
        text = record["text"]
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError):
        return None
    if not isinstance(text, str) or not text.strip():
        return None
    record_id = str(record.get("_id", record.get("id", number)))
    blocks = text_blocks(text) or [Block("text", text)]
    title = str(record.get("title") or "")
    return make_document(f"{source}#{record_id}", blocks, hashlib.sha256(line).hexdigest(), title, record_id)

"""Structure-aware chunking: sentences packed under a token budget, headings
carried along, and every table row written out with its column names."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from rag.sentences import split_sentences
from rag.types import Block, Chunk, Document

TokenCounter = Callable[[str], int]


@dataclass(frozen=True)
class ChunkerSettings:
    target_tokens: int = 180  # a chunk closes once it reaches this many word pieces
    max_tokens: int = 254  # the embedder's window less its two special tokens

    def to_json(self) -> dict:
        return {"target_tokens": self.target_tokens, "max_tokens": self.max_tokens}


@dataclass
class _Piece:
    text: str
    line_start: int | None
    line_end: int | None
    page: int | None


def chunk_document(document: Document, count: TokenCounter, settings: ChunkerSettings = ChunkerSettings()) -> list[Chunk]:
    builder = _Builder(document, count, settings)
    headings: list[tuple[int, str]] = []
    for block in document.blocks:
        if block.kind == "heading":
            builder.flush()
            headings = [h for h in headings if h[0] < block.level] + [(block.level, block.text)]
            builder.heading = " > ".join(h[1] for h in headings)
        elif block.kind == "table":
            builder.flush()
            builder.add_table(block)
        else:
            builder.add_text(block)
    builder.flush()
    return builder.chunks


class _Builder:
    def __init__(self, document: Document, count: TokenCounter, settings: ChunkerSettings) -> None:
        self.document, self.count, self.settings = document, count, settings
        self.heading = ""
        self.pieces: list[_Piece] = []
        self.tokens = 0
        self.chunks: list[Chunk] = []
        self.key = hashlib.sha1(f"{document.source}\0{document.content_hash}".encode()).hexdigest()[:12]

    def budget(self) -> int:
        context = " > ".join(p for p in (self.document.title, self.heading) if p)
        return max(32, self.settings.max_tokens - self.count(context) - 1)

    def add_text(self, block: Block) -> None:
        limit = min(self.settings.target_tokens, self.budget())
        for sentence in split_sentences(block.text):
            for part in _fit(sentence, self.count, self.budget()):
                size = self.count(part)
                if self.pieces and self.tokens + size > limit:
                    self.flush()
                self.pieces.append(_Piece(part, block.line_start, block.line_end, block.page))
                self.tokens += size

    def add_table(self, block: Block) -> None:
        title = _table_title(self.document.title, self.heading, block.header)
        table_id = f"{self.key}-t{len(self.chunks)}"
        lines = block.row_lines or (None,) * len(block.rows)
        for row, line in zip(block.rows, lines):
            text = _render_row(title, block.header, row)
            for part in _fit(text, self.count, self.settings.max_tokens):
                start = line if line is not None else block.line_start
                end = line if line is not None else block.line_end
                self._emit(part, start, end, block.page, kind="table", table_id=table_id)

    def flush(self) -> None:
        if not self.pieces:
            return
        text = " ".join(p.text for p in self.pieces)
        starts = [p.line_start for p in self.pieces if p.line_start is not None]
        ends = [p.line_end for p in self.pieces if p.line_end is not None]
        self._emit(text, min(starts, default=None), max(ends, default=None), self.pieces[0].page)
        self.pieces, self.tokens = [], 0

    def _emit(self, text: str, start: int | None, end: int | None, page: int | None, kind: str = "text", table_id: str | None = None) -> None:
        self.chunks.append(
            Chunk(
                id=f"{self.key}-{len(self.chunks):04d}",
                source=self.document.source,
                title=self.document.title,
                text=text,
                line_start=start,
                line_end=end,
                page=page,
                heading=self.heading,
                record_id=self.document.record_id,
                kind=kind,
                table_id=table_id,
            )
        )


def _fit(text: str, count: TokenCounter, budget: int) -> list[str]:
    """A sentence longer than the window is cut at word boundaries, never silently truncated."""
    if count(text) <= budget:
        return [text]
    parts, current = [], []
    for word in text.split():
        if current and count(" ".join([*current, word])) > budget:
            parts.append(" ".join(current))
            current = []
        current.append(word)
    if current:
        parts.append(" ".join(current))
    return parts


_ACRONYM_IN_TITLE = re.compile(r"\(([A-Z]{2,8})\)")


def _table_title(doc_title: str, heading: str, header: tuple[str, ...]) -> str:
    # A defined acronym names the table more tightly than the whole title, which
    # would otherwise make every row look like the answer to any question on the topic.
    acronym = _ACRONYM_IN_TITLE.search(doc_title)
    context = heading or (acronym.group(1) if acronym else doc_title)
    if len(header) >= 2:
        columns = " and ".join(h for h in header[1:] if h)
        return f"{context}: {columns} by {header[0]}" if columns else context
    return context


def _render_row(title: str, header: tuple[str, ...], row: tuple[str, ...]) -> str:
    if not row:
        return title
    label, values = row[0], row[1:]
    names = list(header[1:]) + [""] * max(0, len(values) - len(header) + 1)
    cells = "; ".join(f"{name} {value}".strip() for name, value in zip(names, values) if value)
    return f"{title}, {label}: {cells}" if cells else f"{title}, {label}"

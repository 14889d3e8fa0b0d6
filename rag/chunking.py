"""Structure-aware chunking: sentences packed under a token budget, paragraphs kept
whole where they fit, headings carried along, and every table row written out
with its table title and column names."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from rag.text.sentences import split_sentences
from rag.types import Block, Chunk, Document

TokenCounter = Callable[[str], int]
# A window of 254 word pieces holds ~1,200 characters of prose; only text that would be cut
# anyway is cut at this length before its tokens are counted.
WINDOW_CHARS = 4_000
CHUNKER_VERSION = 7  # bump whenever chunk contents change, so old chunks are never reused


@dataclass(frozen=True)
class ChunkerSettings:
    target_tokens: int = 180  # a chunk closes once it reaches this many word pieces
    max_tokens: int = 254  # the embedder's window less its two special tokens

    def to_json(self) -> dict:
        return {"version": CHUNKER_VERSION, "target_tokens": self.target_tokens, "max_tokens": self.max_tokens}


@dataclass
class _Piece:
    text: str
    line_start: int | None
    line_end: int | None


def chunk_document(
    document: Document, count: TokenCounter, settings: ChunkerSettings = ChunkerSettings()
) -> list[Chunk]:
    builder = _Builder(document, count, settings)
    for block in document.blocks:
        builder.add(block)
    builder.add(Block("end", ""))
    return builder.chunks


class _Builder:
    def __init__(self, document: Document, count: TokenCounter, settings: ChunkerSettings) -> None:
        self.document, self.count, self.settings = document, count, settings
        self.heading = ""
        self.headings: list[tuple[int, str]] = []
        self.caption: Block | None = None  # waits for the table it names
        self.page: int | None = None
        self.pieces: list[_Piece] = []
        self.tokens = 0
        self.chunks: list[Chunk] = []
        self.key = hashlib.sha1(f"{document.source}\0{document.content_hash}".encode()).hexdigest()[:12]

    def add(self, block: Block) -> None:
        if self.caption is not None and block.kind != "table":
            self.add_paragraph(self.caption)  # a caption with no table under it is plain text
            self.caption = None
        if block.kind in ("heading", "table", "caption", "end"):
            self.flush()
        if block.kind == "heading":
            self.enter_heading(block)
        elif block.kind == "caption":
            self.caption = block
        elif block.kind == "table":
            self.add_table(block, self.caption.text if self.caption else "")
            self.caption = None
        elif block.kind != "end" and block.text.strip():
            self.add_paragraph(block)

    def enter_heading(self, block: Block) -> None:
        """A heading closes every open heading of its level or deeper."""
        self.headings = [h for h in self.headings if h[0] < block.level] + [(block.level, " ".join(block.text.split()))]
        self.set_heading(" > ".join(h[1] for h in self.headings if h[1]))

    def set_heading(self, heading: str) -> None:
        # A heading path longer than a third of the window keeps only its last
        # part, so the passage under it still has room to be read whole.
        room = self.settings.max_tokens // 3
        if self.count(heading) > room:
            heading = _fit(heading.split(" > ")[-1], self.count, room)[0]
        self.heading = heading

    def budget(self) -> int:
        """Word pieces left for the passage once the title and heading are prepended."""
        context = " > ".join(p for p in (self.document.title, self.heading) if p)
        return max(16, self.settings.max_tokens - self.count(context))

    def add_paragraph(self, block: Block) -> None:
        if block.page != self.page:
            self.flush()  # line numbers restart on every page
            self.page = block.page
        budget = self.budget()
        limit = min(self.settings.target_tokens, budget)
        parts = [p for s in split_sentences(block.text) for w in _windows(s) for p in _fit(w, self.count, budget)]
        sizes = [self.count(p) for p in parts]
        if self.pieces and self.tokens + sum(sizes) > limit and self.tokens >= limit // 4:
            self.flush()  # the paragraph starts a chunk of its own rather than being cut
        total = self.tokens + sum(sizes)
        goal = total / math.ceil(total / limit) if total > limit else limit
        for part, size in zip(parts, sizes):
            if self.pieces and (self.tokens + size > limit or self.tokens + size / 2 > goal):
                self.flush()
            self.pieces.append(_Piece(part, block.line_start, block.line_end))
            self.tokens += size

    def add_table(self, block: Block, caption: str = "") -> None:
        self.page = block.page
        caption = " ".join((caption or block.caption).split())
        title = caption or _table_title(self.document.title, self.heading, block.header)
        table_id = f"{self.key}-t{len(self.chunks)}"
        lines = block.row_lines if len(block.row_lines) == len(block.rows) else (None,) * len(block.rows)
        for row, line in zip(block.rows, lines):
            start = line if line is not None else block.line_start
            end = line if line is not None else block.line_end
            for part in _fit(_render_row(title, block.header, row), self.count, self.settings.max_tokens):
                self._emit(part, start, end, kind="table", table_id=table_id, columns=block.header, cells=row,
                           table=(caption, block.unit, block.as_at))

    def flush(self) -> None:
        if not self.pieces:
            return
        # Lines from different blocks stay on their own lines: a "Label: value" line is a unit of its own.
        text = self.pieces[0].text
        for before, piece in zip(self.pieces, self.pieces[1:]):
            text += (" " if piece.line_start == before.line_start else "\n") + piece.text
        starts = [p.line_start for p in self.pieces if p.line_start is not None]
        ends = [p.line_end for p in self.pieces if p.line_end is not None]
        self._emit(text, min(starts, default=None), max(ends, default=None))
        self.pieces, self.tokens = [], 0

    def _emit(self, text: str, start: int | None, end: int | None, kind: str = "text", table_id: str | None = None,
              columns: tuple[str, ...] = (), cells: tuple[str, ...] = (),
              table: tuple[str, str | None, str | None] = ("", None, None)) -> None:
        self.chunks.append(
            Chunk(
                id=f"{self.key}-{len(self.chunks):04d}",
                source=self.document.source,
                title=self.document.title,
                text=text,
                line_start=start,
                line_end=end,
                page=self.page,
                heading=self.heading,
                record_id=self.document.record_id,
                kind=kind,
                table_id=table_id,
                columns=tuple(columns),
                cells=tuple(cells),
                caption=table[0],
                unit=table[1],
                as_at=table[2],
            )
        )


def _windows(text: str) -> list[str]:
    """A sentence far longer than any chunk (a megabyte-long line without stops) in pieces
    cut at spaces: the tokenizer then never holds the whole of it at once (680 MB for 4.7 MB)."""
    pieces, start = [], 0
    while len(text) - start > WINDOW_CHARS:
        cut = text.rfind(" ", start + WINDOW_CHARS // 2, start + WINDOW_CHARS)
        end = cut if cut > 0 else start + WINDOW_CHARS
        pieces.append(text[start:end].strip())
        start = end
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]


def _fit(text: str, count: TokenCounter, budget: int) -> list[str]:
    """A sentence longer than the window is cut at word boundaries (at characters for
    a single overlong word, as in unspaced CJK text), never silently truncated."""
    if count(text) <= budget:
        return [text]
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for word in (w for token in text.split() for w in _split_word(token, count, budget)):
        size = count(word)
        if current and used + size > budget:
            parts.append(" ".join(current))
            current, used = [], 0
        current.append(word)
        used += size
    if current:
        parts.append(" ".join(current))
    return parts


def _split_word(word: str, count: TokenCounter, budget: int) -> list[str]:
    if len(word) <= 1 or count(word) <= budget:
        return [word]
    middle = len(word) // 2
    return _split_word(word[:middle], count, budget) + _split_word(word[middle:], count, budget)


_ACRONYM_IN_TITLE = re.compile(r"\(([A-Z]{2,8})\)")


def _table_title(doc_title: str, heading: str, header: tuple[str, ...]) -> str:
    # A defined acronym names the table more tightly than the whole title, which
    # would otherwise make every row look like the answer to any question on the topic.
    acronym = _ACRONYM_IN_TITLE.search(doc_title)
    context = heading or (acronym.group(1) if acronym else doc_title)
    label, columns = (header[0] if header else ""), " and ".join(h for h in header[1:] if h)
    if columns:
        return f"{context}: {columns} by {label}" if label else f"{context}: {columns}"
    return f"{context}: {label}" if label else context


def _render_row(title: str, header: tuple[str, ...], row: tuple[str, ...]) -> str:
    """'Sales by Year, 2018: Units Sold 3 314; Returns 555'."""
    if not row:
        return title
    label, values = row[0], row[1:]
    names = list(header[1:]) + [""] * max(0, len(values) - len(header) + 1)
    cells = "; ".join(f"{name} {value}".strip() for name, value in zip(names, values) if value)
    head = f"{title}, {label}" if label else title
    return f"{head}: {cells}" if cells else head

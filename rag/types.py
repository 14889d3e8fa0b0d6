"""The frozen records passed between pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Block:
    """One structural piece of a document, as a loader saw it.

    kind is "heading", "text" or "table". Tables keep their cells so the
    chunker can write each row with its column names.
    """

    kind: str
    text: str
    line_start: int | None = None
    line_end: int | None = None
    page: int | None = None
    level: int = 0
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    row_lines: tuple[int, ...] = ()
    caption: str = ""  # a table's title line
    header_rows: tuple[tuple[str, ...], ...] = ()  # a table's header lines as read; header is them flattened
    notes: tuple[str, ...] = ()  # a table's note lines
    unit: str | None = None  # the unit a table's caption states
    as_at: str | None = None  # the date a table's figures are given at


@dataclass(frozen=True)
class Document:
    source: str
    title: str
    blocks: tuple[Block, ...]
    content_hash: str
    record_id: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


@dataclass(frozen=True)
class Skipped:
    source: str
    reason: str


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage with a locator a person can open."""

    id: str
    source: str
    title: str
    text: str
    line_start: int | None = None
    line_end: int | None = None
    page: int | None = None
    heading: str = ""
    record_id: str | None = None
    kind: str = "text"
    table_id: str | None = None
    columns: tuple[str, ...] = ()  # for a table row: the header, label column first
    cells: tuple[str, ...] = ()  # for a table row: its cells, label first
    caption: str = ""  # for a table row: its table's caption
    unit: str | None = None  # for a table row: the unit its caption states
    as_at: str | None = None  # for a table row: the date its table's figures are given at

    @property
    def locator(self) -> str:
        parts = []
        # A record's source already ends with "#id"; the locator does not say it twice.
        if self.record_id is not None and not self.source.endswith(f"#{self.record_id}"):
            parts.append(f"#{self.record_id}")
        if self.page is not None:
            parts.append(f"p. {self.page}")
        if self.line_start is not None:
            end = self.line_end or self.line_start
            parts.append(f"line {self.line_start}" if end == self.line_start else f"lines {self.line_start}-{end}")
        if self.heading:
            parts.append(f"§ {self.heading}")
        return ", ".join(parts)

    def embedding_text(self) -> str:
        """What the embedder sees: the title and heading give the passage its context."""
        context = " > ".join(p for p in (self.title, self.heading) if p)
        if self.kind == "table" or not context or self.text.startswith(context):
            return self.text
        return f"{context}\n{self.text}"


@dataclass(frozen=True)
class Passage:
    chunk: Chunk
    score: float
    rank: int
    scores: dict[str, float] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Citation:
    n: int
    source: str
    title: str
    locator: str
    text: str
    score: float
    support: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...]
    timings_ms: dict[str, float] = field(default_factory=dict, compare=False, hash=False)
    rewritten_question: str | None = None
    short_answer: str | None = None  # the span asked for (a number, date, name...), when there is one
    confidence: float = 0.0  # fitted probability that the best evidence answers the question
    withheld: Answer | None = field(default=None, compare=False, hash=False)  # on abstention: what would have been said

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answer": self.text,
            "short_answer": self.short_answer,
            "abstained": self.abstained,
            "confidence": round(self.confidence, 4),
            "citations": [
                {"n": c.n, "source": c.source, "title": c.title, "locator": c.locator, "text": c.text, "score": round(c.score, 4)}
                for c in self.citations
            ],
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }

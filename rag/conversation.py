"""A chat session's state: the assistant, the last turn, and the index generation it reads.

The terminal loop (rag/cli/chat.py) only reads lines and renders; what a follow-up
means, what an abstention was about, where a cited passage sits in its document and
whether the index was rebuilt under the session are answered here.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from rag.errors import InputError
from rag.followup import Turn, resolve
from rag.types import Answer, Chunk, Citation

_ABSTAIN_REASON = re.compile(r"\(([^()]+)\)\.?\s*$")


class Cancelled(Exception):
    """The person asked for the answer to stop."""


@dataclass(frozen=True)
class Status:
    """A step the answer is waiting on, worth a line on the terminal."""

    text: str


@dataclass(frozen=True)
class Passage:
    """A cited chunk with the chunks before and after it in the same document."""

    citation: Citation
    before: Chunk | None
    chunk: Chunk | None
    after: Chunk | None


class Conversation:
    """One chat session over one index folder; `make_assistant` builds an Assistant from
    settings, an optional generator and embedder (Assistant.from_settings)."""

    def __init__(self, settings, make_assistant: Callable) -> None:
        self.settings = settings
        self._make = make_assistant
        self.assistant = make_assistant(settings)
        self.last: Answer | None = None
        self.last_turn: Turn | None = None
        self._lock = threading.Lock()  # one answer at a time, even when a stopped one is still winding down

    # --- questions -------------------------------------------------------------------

    def standalone(self, question: str) -> str:
        return resolve(question, self.last_turn)

    def stream(self, question: str, cancelled: threading.Event) -> Iterator[str | Status | Answer]:
        """Status lines for slow first steps, draft pieces, then the verified Answer; stops
        with Cancelled between steps once `cancelled` is set."""
        with self._lock:
            yield from self._loading_steps(cancelled)
            events = self.assistant.stream(question)
            try:
                for event in events:
                    _check(cancelled)
                    yield event
            finally:
                events.close()

    def _loading_steps(self, cancelled: threading.Event) -> Iterator[Status]:
        _check(cancelled)
        searcher = self.assistant.searcher
        if "index" not in vars(searcher):
            yield Status("Loading index …")
            searcher.index.warm()
            _check(cancelled)
        generator = self.assistant.generator
        note = getattr(generator, "loading_note", None)
        if note:
            yield Status(note)
            generator.load()
            _check(cancelled)

    def record(self, question: str, answer: Answer) -> None:
        self.last = answer
        short = getattr(answer, "short_answer", None) or ""
        self.last_turn = Turn(question, answer.text, answer.abstained, short)

    # --- the last answer -------------------------------------------------------------

    def abstain_reason(self) -> str | None:
        if self.last is None or not self.last.abstained:
            return None
        found = _ABSTAIN_REASON.search(self.last.text)
        return found.group(1) if found else self.last.text

    def passage(self, n: int) -> Passage:
        """Citation n of the last answer with its neighbours from the chunk store."""
        citations = self.last.citations if self.last else ()
        if not citations:
            raise InputError("no cited passages yet; ask a question first")
        if not 1 <= n <= len(citations):
            raise InputError(f"there is no passage [{n}]; choose 1 to {len(citations)}")
        citation = citations[n - 1]
        chunks = self.assistant.searcher.index.chunks
        row = next((i for i, c in enumerate(chunks) if c.source == citation.source and c.text == citation.text), None)
        if row is None:
            return Passage(citation, None, None, None)
        return Passage(citation, _same_document(chunks, row - 1, citation), chunks[row], _same_document(chunks, row + 1, citation))

    # --- the index under the session -------------------------------------------------

    def index_changed(self) -> bool:
        """Whether `rag index` published a new generation since this session opened its index."""
        searcher = self.assistant.searcher
        if "index" not in vars(searcher):
            return False
        return not searcher.index.is_current()

    def reload(self) -> int:
        """Open the current generation, keeping the loaded models; returns its document count."""
        with self._lock:
            old = self.assistant
            generator = vars(old).get("generator")
            self.assistant = self._make(self.settings, generator=generator, embedder=old.searcher.embedder)
            index = self.assistant.searcher.index
            old.searcher.index.close()
            return len(index.manifest.documents)


def _same_document(chunks: list[Chunk], row: int, citation: Citation) -> Chunk | None:
    return chunks[row] if 0 <= row < len(chunks) and chunks[row].source == citation.source else None


def _check(cancelled: threading.Event) -> None:
    if cancelled.is_set():
        raise Cancelled

"""Embedding in this process: today's path, and the default."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from rag.embedding import Embedder, ProgressCallback
from rag.workers.base import Batch, plan

if TYPE_CHECKING:
    import numpy as np


class LocalWorkers:
    name = "local"

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        return self.embedder.embed(texts, progress=progress)

    def embed_batches(self, texts: Sequence[str]) -> Iterator[Batch]:
        # One planned batch at a time gives embed()'s vectors; embed() itself is faster for
        # whole inputs, as it keeps the runtime's threads spinning between batches.
        for rows in plan(self.embedder, texts):
            yield Batch(rows, self.embedder.embed([texts[i] for i in rows]))

    def close(self) -> None: ...

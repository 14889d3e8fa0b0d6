"""Embedding in this process: today's path, and the default."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rag.embedding import Embedder, ProgressCallback

if TYPE_CHECKING:
    import numpy as np


class LocalWorkers:
    name = "local"

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        return self.embedder.embed(texts, progress=progress)

    def close(self) -> None: ...

"""Retrievers: dense (FAISS), BM25, and their fusion; one Protocol and a registry."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from rag.errors import ConfigError
from rag.types import Passage

if TYPE_CHECKING:
    import numpy as np

    from rag.embedding import Embedder
    from rag.index import Index

CANDIDATES_PER_RESULT = 4
MIN_CANDIDATES = 50
DUPLICATE_JACCARD = 0.9


class Retriever(Protocol):
    def retrieve(self, query: str, k: int) -> list[Passage]: ...


@dataclass(frozen=True)
class FusionSettings:
    method: str = "rrf"  # rrf | score
    rrf_k: int = 60
    dense_weight: float = 1.0
    bm25_weight: float = 1.0


class DenseRetriever:
    def __init__(self, index: Index, embedder: Embedder) -> None:
        self.index, self.embedder = index, embedder

    def query_vector(self, query: str) -> np.ndarray:
        return self.embedder.embed([query])

    def ranked(self, query: str, n: int) -> list[tuple[int, float]]:
        n = min(n, len(self.index.chunks))
        scores, rows = self.index.vectors.search(self.query_vector(query), n)
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]

    def retrieve(self, query: str, k: int) -> list[Passage]:
        ranked = self.ranked(query, max(k * CANDIDATES_PER_RESULT, k))
        return _passages(self.index, [(r, s, {"dense": s}) for r, s in ranked], k)


class BM25Retriever:
    def __init__(self, index: Index) -> None:
        self.index = index

    def ranked(self, query: str, n: int) -> list[tuple[int, float]]:
        rows, scores = self.index.bm25.search(query, n)
        return [(int(r), float(s)) for r, s in zip(rows, scores)]

    def retrieve(self, query: str, k: int) -> list[Passage]:
        ranked = self.ranked(query, max(k * CANDIDATES_PER_RESULT, k))
        return _passages(self.index, [(r, s, {"bm25": s}) for r, s in ranked], k)


class HybridRetriever:
    def __init__(self, index: Index, embedder: Embedder, fusion: FusionSettings = FusionSettings()) -> None:
        self.index, self.fusion = index, fusion
        self.dense, self.bm25 = DenseRetriever(index, embedder), BM25Retriever(index)

    def retrieve(self, query: str, k: int) -> list[Passage]:
        n = max(k * CANDIDATES_PER_RESULT, MIN_CANDIDATES)
        query_vector = self.dense.query_vector(query)
        dense = self._dense_ranked(query_vector, n)
        keyword = self.bm25.ranked(query, n)
        fused = fuse(dense, keyword, self.fusion)[:n]
        dense_scores = self._cosines(query_vector, [row for row, _ in fused])
        bm25_scores = dict(keyword)
        scored = [(row, score, {"dense": dense_scores[row], "bm25": bm25_scores.get(row, 0.0)}) for row, score in fused]
        return _passages(self.index, scored, k)

    def _dense_ranked(self, query_vector, n: int) -> list[tuple[int, float]]:
        n = min(n, len(self.index.chunks))
        scores, rows = self.index.vectors.search(query_vector, n)
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]

    def _cosines(self, query_vector, rows: list[int]) -> dict[int, float]:
        if not rows:
            return {}
        matrix = self.index.embeddings()
        values = matrix[sorted(rows)] @ query_vector[0]
        return {row: float(v) for row, v in zip(sorted(rows), values)}


def fuse(dense: list[tuple[int, float]], keyword: list[tuple[int, float]], settings: FusionSettings) -> list[tuple[int, float]]:
    """Rows ranked by reciprocal rank fusion, or by weighted min-max normalised scores."""
    combined: dict[int, float] = {}
    for ranking, weight in ((dense, settings.dense_weight), (keyword, settings.bm25_weight)):
        if settings.method == "rrf":
            contributions = {row: weight / (settings.rrf_k + rank) for rank, (row, _) in enumerate(ranking, start=1)}
        else:
            contributions = {row: weight * value for row, value in _min_max(ranking).items()}
        for row, value in contributions.items():
            combined[row] = combined.get(row, 0.0) + value
    return sorted(combined.items(), key=lambda item: (-item[1], item[0]))


def _min_max(ranking: list[tuple[int, float]]) -> dict[int, float]:
    if not ranking:
        return {}
    values = [s for _, s in ranking]
    low, high = min(values), max(values)
    span = high - low or 1.0
    return {row: (score - low) / span for row, score in ranking}


_WORD = re.compile(r"\w+")


def _passages(index: Index, scored: list[tuple[int, float, dict]], k: int) -> list[Passage]:
    """The top k, skipping near-copies of a passage already taken."""
    kept: list[Passage] = []
    seen: list[set[str]] = []
    for row, score, parts in scored:
        chunk = index.chunks[row]
        words = set(_WORD.findall(chunk.text.lower()))
        if any(_jaccard(words, other) >= DUPLICATE_JACCARD for other in seen):
            continue
        seen.append(words)
        kept.append(Passage(chunk, score, len(kept) + 1, parts))
        if len(kept) == k:
            break
    return kept


def _jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


RETRIEVERS: dict[str, Callable[..., Retriever]] = {
    "dense": lambda index, embedder, fusion: DenseRetriever(index, embedder),
    "bm25": lambda index, embedder, fusion: BM25Retriever(index),
    "hybrid": lambda index, embedder, fusion: HybridRetriever(index, embedder, fusion),
}


def get_retriever(name: str, index: Index, embedder: Embedder, fusion: FusionSettings = FusionSettings()) -> Retriever:
    try:
        factory = RETRIEVERS[name]
    except KeyError:
        raise ConfigError(f"unknown retriever '{name}'; choose one of: {', '.join(sorted(RETRIEVERS))}") from None
    return factory(index, embedder, fusion)

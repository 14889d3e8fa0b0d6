"""Retrievers: dense, BM25, and their fusion over any rag.stores.Store; one Protocol and a registry."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Set
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Protocol

from rag.errors import ConfigError
from rag.stores import Ranking
from rag.types import Passage

if TYPE_CHECKING:
    import numpy as np

    from rag.embedding import Embedder
    from rag.stores import Store

CANDIDATES_PER_RESULT = 4
MIN_CANDIDATES = 50
DUPLICATE_JACCARD = Fraction(9, 10)  # exact, so the prefix filter and the check agree at the boundary
FUSION_METHODS = ("score", "rrf")


class Retriever(Protocol):
    def retrieve(self, query: str, k: int) -> list[Passage]: ...


@dataclass(frozen=True)
class FusionSettings:
    """How hybrid search combines its two rankings; the defaults won on SciFact train."""

    method: str = "score"  # score: weighted sum of each score over that retriever's best | rrf: reciprocal ranks
    rrf_k: int = 60  # rrf only: larger flattens the gap between top and lower ranks
    dense_weight: float = 0.65  # share of the dense side; 0.6-0.7 all scored alike on SciFact train
    bm25_weight: float = 0.35  # share of the BM25 side
    # Cosines are divided by at least this: when nothing is semantically close (best 0.16),
    # dividing by the best would turn noise into full marks and drown an exact keyword hit.
    dense_floor: float = 0.3

    def __post_init__(self) -> None:
        if self.method not in FUSION_METHODS:
            raise ConfigError(f"fusion '{self.method}' is not one of {', '.join(FUSION_METHODS)}; fix [tool.rag] fusion")
        if self.dense_weight < 0 or self.bm25_weight < 0 or self.dense_weight + self.bm25_weight <= 0:
            raise ConfigError("fusion weights must be >= 0 and not both 0; fix dense_weight / bm25_weight")


class DenseRetriever:
    def __init__(self, index: Store, embedder: Embedder) -> None:
        self.index, self.embedder = index, embedder

    def query_vector(self, query: str) -> np.ndarray:
        return self.embedder.embed([query])

    def ranked_by_vector(self, query_vector: np.ndarray, n: int) -> Ranking:
        return self.index.dense(query_vector, n)

    def ranked(self, query: str, n: int) -> Ranking:
        return self.ranked_by_vector(self.query_vector(query), n)

    def retrieve(self, query: str, k: int) -> list[Passage]:
        ranked = self.ranked(query, max(k * CANDIDATES_PER_RESULT, k))
        return _passages(self.index, [(r, s, {"dense": s}) for r, s in ranked], k)


class BM25Retriever:
    def __init__(self, index: Store) -> None:
        self.index = index

    def ranked(self, query: str, n: int) -> Ranking:
        return self.index.keyword(query, n)

    def retrieve(self, query: str, k: int) -> list[Passage]:
        ranked = self.ranked(query, max(k * CANDIDATES_PER_RESULT, k))
        return _passages(self.index, [(r, s, {"bm25": s}) for r, s in ranked], k)


class HybridRetriever:
    """The top candidates of both retrievers, each scored by both, then fused."""

    def __init__(self, index: Store, embedder: Embedder, fusion: FusionSettings = FusionSettings()) -> None:
        self.index, self.fusion = index, fusion
        self.dense, self.bm25 = DenseRetriever(index, embedder), BM25Retriever(index)

    def retrieve(self, query: str, k: int) -> list[Passage]:
        n = max(k * CANDIDATES_PER_RESULT, MIN_CANDIDATES)
        query_vector = self.dense.query_vector(query)
        dense = self.dense.ranked_by_vector(query_vector, n)
        keyword = self.index.keyword(query, n)
        rows = sorted({row for row, _ in dense} | {row for row, _ in keyword})
        cosines = self.index.dense_scores(query_vector, rows)
        bm25 = dict(keyword)
        bm25.update(self.index.keyword_scores(query, [row for row in rows if row not in bm25]))
        bm25 = {row: bm25.get(row, 0.0) for row in rows}
        if self.fusion.method == "score":
            # A candidate only one retriever found still has a score in the other:
            # counting it as 0 there would punish it for the other list's cut-off.
            dense = [(row, cosines[row]) for row in rows]
            keyword = [(row, bm25[row]) for row in rows if bm25[row] > 0]
        fused = fuse(dense, keyword, self.fusion)
        scored = [(row, score, {"dense": cosines[row], "bm25": bm25[row]}) for row, score in fused]
        return _passages(self.index, scored, k)


def fuse(dense: Ranking, keyword: Ranking, settings: FusionSettings) -> Ranking:
    """Rows by weighted reciprocal rank (rrf), or by the weighted sum of each
    score divided by its list's best score (score); ties go to the lower row."""
    combined: dict[int, float] = {}
    for ranking, weight in ((dense, settings.dense_weight), (keyword, settings.bm25_weight)):
        if settings.method == "rrf":
            contributions = {row: weight / (settings.rrf_k + rank) for rank, (row, _) in enumerate(ranking, start=1)}
        else:
            floor = settings.dense_floor if ranking is dense else 0.0
            contributions = {row: weight * value for row, value in over_best(ranking, floor).items()}
        for row, value in contributions.items():
            combined[row] = combined.get(row, 0.0) + value
    return sorted(combined.items(), key=lambda item: (-item[1], item[0]))


def over_best(ranking: Ranking, floor: float = 0.0) -> dict[int, float]:
    """Scores as a share of the best one (or of the floor, when the best is below it),
    negatives as 0.

    Unlike min-max, this does not depend on how deep the list goes, so the top
    results are the same whether 10 or 1,000 passages are asked for.
    """
    best = max(max((score for _, score in ranking), default=0.0), floor)
    if best <= 0:
        return {}
    return {row: max(score, 0.0) / best for row, score in ranking}


_WORD = re.compile(r"\w+")


def _passages(index: Store, scored: list[tuple[int, float, dict]], k: int) -> list[Passage]:
    """The top k, skipping near-copies of a passage already taken."""
    kept: list[Passage] = []
    seen = NearCopyFilter()
    # Chunks are fetched in pages (one request to a remote store), a few more than k
    # at a time, since near-copies are skipped.
    page = max(2 * k, 20)
    for start in range(0, len(scored), page):
        part = scored[start : start + page]
        for (row, score, parts), chunk in zip(part, index.chunks_at([row for row, _, _ in part])):
            words = frozenset(_WORD.findall(chunk.text.lower()))
            if not seen.admit(words):
                continue
            kept.append(Passage(chunk, score, len(kept) + 1, parts))
            if len(kept) == k:
                return kept
    return kept


class NearCopyFilter:
    """The word sets taken so far, indexed by a prefix of each (the AllPairs prefix
    filter): under one fixed word order, two sets with Jaccard >= DUPLICATE_JACCARD
    share a word among their first len - ceil(0.9 * len) + 1, so only sets sharing
    such a word are compared, not every passage taken so far."""

    def __init__(self) -> None:
        self.sets: list[frozenset[str]] = []
        self.by_word: dict[str, list[int]] = {}

    @staticmethod
    def _prefix(words: frozenset[str]) -> list[str]:
        # Long words first: they are the rare ones, so few sets share a prefix word.
        ordered = sorted(words, key=lambda w: (-len(w), w))
        return ordered[: len(words) - math.ceil(DUPLICATE_JACCARD * len(words)) + 1]

    def admit(self, words: frozenset[str]) -> bool:
        """Take the set unless it nearly copies one already taken."""
        prefix = self._prefix(words)
        candidates = {i for word in prefix for i in self.by_word.get(word, ())}
        if any(is_near_copy(words, self.sets[i]) for i in candidates):
            return False
        for word in prefix:
            self.by_word.setdefault(word, []).append(len(self.sets))
        self.sets.append(words)
        return True


def is_near_copy(a: Set[str], b: Set[str]) -> bool:
    """Word Jaccard >= DUPLICATE_JACCARD; sets of very different sizes cannot be, so skip them cheaply."""
    if not a or not b or min(len(a), len(b)) < DUPLICATE_JACCARD * max(len(a), len(b)):
        return False
    return len(a & b) >= DUPLICATE_JACCARD * len(a | b)


RETRIEVERS: dict[str, Callable[..., Retriever]] = {
    "dense": lambda index, embedder, fusion: DenseRetriever(index, embedder),
    "bm25": lambda index, embedder, fusion: BM25Retriever(index),
    "hybrid": lambda index, embedder, fusion: HybridRetriever(index, embedder, fusion),
}


def get_retriever(name: str, index: Store, embedder: Embedder, fusion: FusionSettings = FusionSettings()) -> Retriever:
    try:
        factory = RETRIEVERS[name]
    except KeyError:
        raise ConfigError(f"unknown retriever '{name}'; choose one of: {', '.join(sorted(RETRIEVERS))}") from None
    return factory(index, embedder, fusion)

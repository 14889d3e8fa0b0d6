"""FAISS indexes by type: exact inner product, or IVF / HNSW for very large stores.

IVF tunes itself when built: it probes more lists until recall@10 against exact
search, on a sample of its own rows, reaches IVF_TARGET_RECALL, and saves that
setting inside the index file.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING

from rag.errors import ConfigError

if TYPE_CHECKING:
    import numpy as np

TYPES = ("flat", "hnsw", "ivf")
# Exact search reads every vector per query, ~1.5 KB a row: a few ms up to here, while
# an IVF index over this many rows builds in seconds and keeps recall@10 near 0.97+.
AUTO_APPROXIMATE_FROM = 50_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 64
HNSW_EF_SEARCH = 128
IVF_TRAIN_PER_LIST = 64  # k-means sample per list (faiss wants at least 39)
IVF_KMEANS_ITERATIONS = 12
IVF_TARGET_RECALL = 0.97  # above the promised 0.95: real queries sit further from the data than its own rows
IVF_TUNE_QUERIES = 200
IVF_MIN_NPROBE = 8
SEED = 1234

# FAISS's OpenMP threads otherwise spin while they wait; with other work on the cores, one
# 12k-row query took ~80 ms instead of ~1 ms. Read once, when faiss is first imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def choose_type(requested: str, rows: int) -> str:
    """The index type to build: the one asked for, or by size for "auto"."""
    if requested == "auto":
        return "ivf" if rows >= AUTO_APPROXIMATE_FROM else "flat"
    if requested not in TYPES:
        raise ConfigError(f"index type '{requested}' is not one of auto, {', '.join(TYPES)}; fix --index-type")
    return requested


def build(vectors: np.ndarray, index_type: str):
    """A searchable FAISS index over unit-length float32 rows (inner product = cosine)."""
    import faiss
    import numpy as np

    vectors = np.ascontiguousarray(vectors, dtype="float32")
    dim = vectors.shape[1]
    if index_type == "flat":
        index = faiss.IndexFlatIP(dim)
    elif index_type == "hnsw":
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    elif index_type == "ivf":
        return _ivf(vectors)
    else:
        raise ConfigError(f"index type '{index_type}' is not one of {', '.join(TYPES)}; fix --index-type")
    if len(vectors):
        index.add(vectors)
    return index


def ivf_lists(rows: int) -> int:
    """About sqrt(rows) lists, but never more than the k-means sample can train."""
    return max(1, min(int(math.sqrt(rows)), rows // IVF_TRAIN_PER_LIST))


def _ivf(vectors: np.ndarray):
    import faiss
    import numpy as np

    rows, dim = vectors.shape
    lists = ivf_lists(rows)
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, lists, faiss.METRIC_INNER_PRODUCT)
    index.cp.niter = IVF_KMEANS_ITERATIONS
    index.cp.seed = SEED
    sample = min(rows, lists * IVF_TRAIN_PER_LIST)
    rng = np.random.default_rng(SEED)
    chosen = np.sort(rng.choice(rows, sample, replace=False)) if sample < rows else slice(None)
    if rows:
        index.train(vectors[chosen])
        index.add(vectors)
        index.nprobe = tune_nprobe(index, vectors)
    return index


def tune_nprobe(index, vectors: np.ndarray, target: float = IVF_TARGET_RECALL, k: int = 10) -> int:
    """The fewest lists to probe for recall@k >= target on a sample of stored rows."""
    import faiss
    import numpy as np

    rng = np.random.default_rng(SEED)
    rows = np.sort(rng.choice(len(vectors), min(IVF_TUNE_QUERIES, len(vectors)), replace=False))
    _, exact = faiss.knn(vectors[rows], vectors, k + 1, metric=faiss.METRIC_INNER_PRODUCT)
    nprobe = min(IVF_MIN_NPROBE, index.nlist)
    while nprobe < index.nlist:
        index.nprobe = nprobe
        _, found = index.search(vectors[rows], k + 1)
        if recall(_others(found, rows, k), _others(exact, rows, k)) >= target:
            break
        nprobe *= 2
    return min(nprobe, index.nlist)


def _others(ids: np.ndarray, own: np.ndarray, k: int) -> list[list[int]]:
    # Each query is a stored row: its own hit is dropped so it cannot flatter recall.
    return [[i for i in row.tolist() if i != me][:k] for row, me in zip(ids, own.tolist())]


def recall(found, exact) -> float:
    """Mean share of each exact row's ids (rows of ids; -1 is no hit) that the found row also holds."""
    hits = []
    for got, want in zip(found, exact):
        want_set = {int(i) for i in want} - {-1}
        hits.append(len({int(i) for i in got} & want_set) / len(want_set) if want_set else 1.0)
    return sum(hits) / len(hits) if hits else 1.0


def save(index, path: Path) -> None:
    """Written by Python, not faiss.write_index: FAISS only logs a failed close (a full
    disk), while this raises OSError with its errno and the writer keeps the old index."""
    import faiss

    data = faiss.serialize_index(index)
    with path.open("wb") as handle:
        handle.write(data.data)


def load(path: Path):
    import faiss

    index = faiss.read_index(str(path))
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = HNSW_EF_SEARCH
    return index

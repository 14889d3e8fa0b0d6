"""FAISS indexes by type: exact inner product, or HNSW / IVF for very large stores."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from rag.errors import ConfigError

if TYPE_CHECKING:
    import numpy as np

AUTO_APPROXIMATE_FROM = 200_000  # below this, exact search is already fast enough
HNSW_M = 32
HNSW_EF_SEARCH = 128
HNSW_EF_CONSTRUCTION = 80


def choose_type(requested: str, rows: int) -> str:
    if requested != "auto":
        return requested
    return "hnsw" if rows >= AUTO_APPROXIMATE_FROM else "flat"


def build(vectors: np.ndarray, index_type: str):
    import faiss

    dim = vectors.shape[1]
    if index_type == "flat":
        index = faiss.IndexFlatIP(dim)
    elif index_type == "hnsw":
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    elif index_type == "ivf":
        index = _ivf(vectors)
    else:
        raise ConfigError(f"index type '{index_type}' is not one of flat, hnsw, ivf")
    if len(vectors):
        index.add(vectors)
    return index


def _ivf(vectors: np.ndarray):
    import faiss

    dim, rows = vectors.shape[1], len(vectors)
    lists = max(1, min(int(4 * math.sqrt(rows)), rows // 39 or 1))
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFFlat(quantizer, dim, lists, faiss.METRIC_INNER_PRODUCT)
    index.train(vectors[:: max(1, rows // (lists * 64))] if rows > lists * 64 else vectors)
    index.nprobe = max(1, lists // 16)
    return index


def save(index, path: Path) -> None:
    import faiss

    faiss.write_index(index, str(path))


def load(path: Path):
    import faiss

    index = faiss.read_index(str(path))
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = HNSW_EF_SEARCH
    return index

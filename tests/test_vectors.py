"""Every FAISS index type against brute force on small random data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag import vectors
from rag.errors import ConfigError


def unit_rows(rows: int, dim: int, seed: int, clusters: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    data = rng.standard_normal((rows, dim)).astype("float32")
    if clusters:
        centres = rng.standard_normal((clusters, dim)).astype("float32")
        data = centres[rng.integers(0, clusters, rows)] + 0.5 * data
    return data / np.linalg.norm(data, axis=1, keepdims=True)


def brute_force(data: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    return np.argsort(-(queries @ data.T), axis=1, kind="stable")[:, :k]


@pytest.fixture(scope="module")
def data() -> np.ndarray:
    return unit_rows(4000, 48, seed=1, clusters=40)


@pytest.fixture(scope="module")
def queries() -> np.ndarray:
    return unit_rows(60, 48, seed=2)


@pytest.mark.parametrize("kind, floor", [("flat", 1.0), ("hnsw", 0.95), ("ivf", 0.93)])
def test_each_type_finds_the_brute_force_neighbours(data, queries, kind: str, floor: float) -> None:
    index = vectors.build(data, kind)
    scores, found = index.search(queries, 10)
    exact = brute_force(data, queries, 10)
    assert index.ntotal == len(data)
    assert vectors.recall(found, exact) >= floor
    # Scores are inner products of unit vectors: the cosine itself.
    np.testing.assert_allclose(scores[:, 0], np.einsum("ij,ij->i", queries, data[found[:, 0]]), atol=1e-5)


def test_flat_scores_equal_numpy(data, queries) -> None:
    scores, found = vectors.build(data, "flat").search(queries, 5)
    expected = np.sort(queries @ data.T, axis=1)[:, ::-1][:, :5]
    np.testing.assert_allclose(scores, expected, atol=1e-5)


def test_ivf_probes_more_lists_when_the_data_has_no_clusters() -> None:
    clustered = vectors.build(unit_rows(6000, 32, seed=3, clusters=30), "ivf")
    uniform = vectors.build(unit_rows(6000, 32, seed=3), "ivf")
    assert clustered.nlist == uniform.nlist == vectors.ivf_lists(6000)
    assert 1 <= clustered.nprobe < uniform.nprobe <= uniform.nlist


def test_tuned_nprobe_meets_its_target_on_held_out_queries() -> None:
    data = unit_rows(8000, 32, seed=4, clusters=50)
    held_out = unit_rows(8100, 32, seed=4, clusters=50)[8000:]  # same mixture, rows not in the index
    index = vectors.build(data, "ivf")
    found = index.search(held_out, 10)[1]
    assert vectors.recall(found, brute_force(data, held_out, 10)) >= 0.9


@pytest.mark.parametrize("kind", vectors.TYPES)
def test_save_and_load_keep_results_and_search_settings(tmp_path: Path, data, queries, kind: str) -> None:
    index = vectors.build(data, kind)
    vectors.save(index, tmp_path / "v.faiss")
    loaded = vectors.load(tmp_path / "v.faiss")
    np.testing.assert_array_equal(loaded.search(queries, 10)[1], index.search(queries, 10)[1])
    if kind == "ivf":
        assert loaded.nprobe == index.nprobe > 1
    if kind == "hnsw":
        assert loaded.hnsw.efSearch == vectors.HNSW_EF_SEARCH


@pytest.mark.parametrize(
    "requested, rows, expected",
    [
        ("auto", 10, "flat"),
        ("auto", vectors.AUTO_APPROXIMATE_FROM - 1, "flat"),
        ("auto", vectors.AUTO_APPROXIMATE_FROM, "ivf"),
        ("auto", 5_000_000, "ivf"),
        ("hnsw", 10, "hnsw"),
        ("flat", 5_000_000, "flat"),
        ("ivf", 100, "ivf"),
    ],
)
def test_choose_type_by_size_unless_asked(requested: str, rows: int, expected: str) -> None:
    assert vectors.choose_type(requested, rows) == expected


def test_unknown_type_says_what_is_valid() -> None:
    with pytest.raises(ConfigError, match="flat, hnsw, ivf"):
        vectors.choose_type("annoy", 10)
    with pytest.raises(ConfigError, match="flat, hnsw, ivf"):
        vectors.build(unit_rows(10, 8, seed=0), "annoy")


def test_ivf_lists_grow_with_the_square_root_and_stay_trainable() -> None:
    assert vectors.ivf_lists(1_000_000) == 1000
    assert vectors.ivf_lists(100) == 1  # too few rows to train more than one list
    assert vectors.ivf_lists(6400) == 80
    for rows in (1, 50, 1000, 123_456):
        assert 1 <= vectors.ivf_lists(rows) <= max(1, rows // vectors.IVF_TRAIN_PER_LIST)


def test_a_tiny_ivf_still_finds_every_row() -> None:
    data = unit_rows(30, 16, seed=5)
    found = vectors.build(data, "ivf").search(data, 1)[1][:, 0]
    np.testing.assert_array_equal(found, np.arange(30))


def test_recall_counts_shared_ids_and_ignores_missing_hits() -> None:
    assert vectors.recall([[1, 2, 3]], [[3, 2, 1]]) == 1.0
    assert vectors.recall([[1, 9, -1]], [[1, 2, 3, 4]]) == 0.25
    assert vectors.recall([[1, 2], [5, 6]], [[1, 2], [7, 8]]) == 0.5

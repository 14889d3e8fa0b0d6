"""BM25: tokens, ranking, saving, and staying in step with the chunk store."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag.bm25 import BM25Index, Tokenizer
from rag.index import Index
from rag.ingest import index_documents
from rag.loaders import load_paths
from tests.fakes import FakeEmbedder

TEXTS = [
    "Ferries to Lantau leave the pier every hour.",
    "The QMAS quota was raised; 9 131 applicants were allotted quotas in 2021.",
    "Glaciers retreat as summers warm, and the glacier lakes grow.",
    "Ferry timetables change in winter: ferries run every two hours.",
]


@pytest.fixture(scope="module")
def bm25() -> BM25Index:
    return BM25Index.build(TEXTS)


def test_tokens_are_stemmed_lowercased_and_without_stopwords() -> None:
    assert Tokenizer()("The Applications are Received in 2019") == ["applic", "receiv", "2019"]


def test_digit_groups_become_one_number() -> None:
    tokenize = Tokenizer()
    assert tokenize("9 131") == tokenize("9,131") == tokenize("9131") == ["9131"]


def test_search_ranks_matching_rows_best_first(bm25: BM25Index) -> None:
    rows, scores = bm25.search("ferries from the Lantau pier", 10)
    assert rows.tolist() == [0, 3]  # row 3 has "ferries" but not "Lantau" or "pier"
    assert list(scores) == sorted(scores, reverse=True) and all(scores > 0)


def test_search_keeps_only_k_rows(bm25: BM25Index) -> None:
    rows, _ = bm25.search("ferries glaciers quota", 2)
    assert len(rows) == 2


def test_numbers_match_however_they_are_grouped(bm25: BM25Index) -> None:
    rows, _ = bm25.search("9,131 applicants", 1)
    assert rows.tolist() == [1]


def test_a_query_of_unknown_or_stop_words_finds_nothing(bm25: BM25Index) -> None:
    for query in ("xylophone", "the of and", ""):
        rows, scores = bm25.search(query, 5)
        assert rows.size == 0 and scores.size == 0
    assert bm25.search("ferries", 0)[0].size == 0


def test_scores_cover_every_row_and_agree_with_search(bm25: BM25Index) -> None:
    scores = bm25.scores("glacier lakes")
    assert scores.shape == (len(TEXTS),) and len(bm25) == len(TEXTS)
    assert scores[2] > 0 and np.count_nonzero(scores) == 1
    rows, found = bm25.search("glacier lakes", 3)
    np.testing.assert_allclose(found, scores[rows])


def test_equal_scores_rank_by_row() -> None:
    rows, scores = BM25Index.build(["red apple", "green pear", "red apple"]).search("apple", 5)
    assert rows.tolist() == [0, 2] and scores[0] == scores[1]


def test_save_and_load_give_the_same_results(bm25: BM25Index, tmp_path: Path) -> None:
    bm25.save(tmp_path / "bm25")
    loaded = BM25Index.load(tmp_path / "bm25")
    for query in ("ferries every hour", "9 131 quotas", "glacier", "nothing here"):
        np.testing.assert_allclose(loaded.scores(query), bm25.scores(query))
        assert loaded.search(query, 3)[0].tolist() == bm25.search(query, 3)[0].tolist()


def _write(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def _assert_in_step(index: Index) -> None:
    """The stored BM25 scores exactly what a fresh build over the chunk store would."""
    fresh = BM25Index.build([c.embedding_text() for c in index.chunks])
    assert len(index.bm25) == len(index.chunks)
    for query in ("ferries", "glacier lakes", "orchard pears", "quota 2021"):
        np.testing.assert_allclose(index.bm25.scores(query), fresh.scores(query))


def test_an_incremental_update_keeps_bm25_in_step_with_the_chunks(tmp_path: Path) -> None:
    folder, root, embedder = tmp_path / "docs", tmp_path / "index", FakeEmbedder()
    _write(folder, {"a.txt": TEXTS[0], "b.txt": TEXTS[1], "c.txt": TEXTS[2]})
    index_documents(load_paths([str(folder)]), root, embedder)
    _assert_in_step(Index.open(root, embedder.name))

    (folder / "a.txt").unlink()
    _write(folder, {"b.txt": "Pears ripen in the orchard in autumn.", "d.txt": TEXTS[3]})
    report = index_documents(load_paths([str(folder)]), root, embedder, prune=True)
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 1, 1)
    index = Index.open(root, embedder.name)
    _assert_in_step(index)
    rows, _ = index.bm25.search("orchard pears", 5)
    assert [Path(index.chunks[r].source).name for r in rows] == ["b.txt"]
    assert index.bm25.search("quota", 5)[0].size == 0  # the old text of b.txt is gone
    assert [Path(index.chunks[r].source).name for r in index.bm25.search("ferries", 5)[0]] == ["d.txt"]

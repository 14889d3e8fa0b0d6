"""Fusion, near-copy removal, the hybrid retriever, and the BEIR metric functions."""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rag.errors import ConfigError, InputError
from rag.index import Index
from rag.ingest import index_documents
from rag.loaders import load_paths
from rag.retrieval import FusionSettings, HybridRetriever, NearCopyFilter, fuse, get_retriever, is_near_copy, over_best
from tests.conftest import ROOT, SHARED
from tests.fakes import FakeEmbedder

RRF = FusionSettings(method="rrf", rrf_k=60, dense_weight=1.0, bm25_weight=1.0)
SCORE = FusionSettings(method="score", dense_weight=0.5, bm25_weight=0.5)


def _load_beir():
    spec = importlib.util.spec_from_file_location("beir_eval", ROOT / "eval" / "beir.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


beir = _load_beir()


# Fusion


def test_rrf_adds_reciprocal_ranks() -> None:
    fused = dict(fuse([(1, 0.9), (2, 0.8), (3, 0.7)], [(3, 5.0), (1, 4.0)], RRF))
    assert fused[1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[3] == pytest.approx(1 / 63 + 1 / 61)
    assert fused[2] == pytest.approx(1 / 62)
    assert [row for row, _ in fuse([(1, 0.9), (2, 0.8), (3, 0.7)], [(3, 5.0), (1, 4.0)], RRF)] == [1, 3, 2]


def test_rrf_weights_can_turn_the_order() -> None:
    heavy_bm25 = FusionSettings(method="rrf", rrf_k=60, dense_weight=1.0, bm25_weight=3.0)
    # row 1: 1/61 + 3/62 = 0.0648 < row 3: 1/63 + 3/61 = 0.0650
    assert [row for row, _ in fuse([(1, 0.9), (2, 0.8), (3, 0.7)], [(3, 5.0), (1, 4.0)], heavy_bm25)] == [3, 1, 2]


def test_score_fusion_weights_each_score_over_its_best() -> None:
    fused = fuse([(1, 0.8), (2, 0.4)], [(2, 10.0), (3, 5.0)], SCORE)
    assert fused == [(2, pytest.approx(0.75)), (1, pytest.approx(0.5)), (3, pytest.approx(0.25))]


def test_score_fusion_does_not_depend_on_how_deep_the_lists_go() -> None:
    dense, keyword = [(1, 0.8), (2, 0.6)], [(2, 9.0), (1, 3.0)]
    deeper = fuse(dense + [(7, 0.1), (8, -0.2)], keyword + [(7, 0.5)], SCORE)
    assert fuse(dense, keyword, SCORE)[:2] == deeper[:2]


def test_equal_fused_scores_rank_by_row() -> None:
    assert [row for row, _ in fuse([(5, 1.0)], [(2, 1.0)], SCORE)] == [2, 5]
    assert [row for row, _ in fuse([(9, 0.5), (4, 0.1)], [(4, 2.0), (9, 1.0)], RRF)] == [4, 9]


def test_over_best_ignores_negative_and_empty_lists() -> None:
    assert over_best([(1, 0.5), (2, 0.25), (3, -0.1)]) == {1: 1.0, 2: 0.5, 3: 0.0}
    assert over_best([]) == {} and over_best([(1, -0.3)]) == {}


def test_a_missing_list_leaves_the_other_order() -> None:
    assert [row for row, _ in fuse([(3, 0.9), (1, 0.2)], [], SCORE)] == [3, 1]
    assert [row for row, _ in fuse([], [(4, 2.0), (6, 1.0)], RRF)] == [4, 6]


@pytest.mark.parametrize(
    "settings",
    [{"method": "max"}, {"dense_weight": -1.0}, {"dense_weight": 0.0, "bm25_weight": 0.0}],
)
def test_bad_fusion_settings_say_what_to_fix(settings: dict) -> None:
    with pytest.raises(ConfigError, match="fix"):
        FusionSettings(**settings)


# Near copies


def test_near_copies_are_word_jaccard_at_least_0_9() -> None:
    words = {f"w{i}" for i in range(20)}
    assert is_near_copy(words, words | {"extra"})  # 20/21 = 0.95
    assert not is_near_copy(words, words | {"x", "y", "z"})  # 20/23 = 0.87
    assert not is_near_copy(words, set()) and not is_near_copy({"a"}, {"b"})


def test_the_near_copy_filter_agrees_with_comparing_every_pair() -> None:
    rng = np.random.default_rng(7)
    vocabulary = [f"w{i}" for i in range(400)] + ["a", "of", "the"]
    sets = []
    for _ in range(300):
        if sets and rng.random() < 0.4:  # an edited copy of an earlier set
            base = list(sets[rng.integers(len(sets))])
            keep = [w for w in base if rng.random() > 0.06]
            sets.append(frozenset(keep + list(rng.choice(vocabulary, rng.integers(0, 3)))))
        else:
            sets.append(frozenset(rng.choice(vocabulary, rng.integers(5, 60))))
    fast, taken = NearCopyFilter(), []
    for words in sets:
        expected = not any(is_near_copy(words, other) for other in taken)
        assert fast.admit(words) == expected
        if expected:
            taken.append(words)
    assert 0 < len(sets) - len(taken) < len(sets)  # the case mix holds both kinds


# The retrievers over a real index built with the fake embedder

DOCS = {
    "ferries.txt": "Ferries to Lantau leave the central pier every hour. The last ferry sails at midnight.",
    "ferries-copy.txt": "Ferries to Lantau leave the central pier every hour. The last ferry sails at midnight!",
    "glaciers.txt": "Glaciers retreat as summers warm and glacier lakes grow in the valleys.",
    "orchard.txt": "Pears ripen in the orchard in autumn; apples follow a few weeks later.",
    "codes.txt": "The permit code is ZX-4471 for the harbour office.",
}


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Index:
    folder = tmp_path_factory.mktemp("docs")
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    root = folder.parent / "index"
    index_documents(load_paths([str(folder)]), root, FakeEmbedder())
    return Index.open(root, FakeEmbedder.name)


def test_near_copies_come_back_once(index: Index) -> None:
    for name in ("dense", "bm25", "hybrid"):
        passages = get_retriever(name, index, FakeEmbedder()).retrieve("ferries to Lantau", 5)
        sources = [Path(p.chunk.source).name for p in passages]
        assert sum(s.startswith("ferries") for s in sources) == 1, (name, sources)


def test_hybrid_scores_every_passage_by_both_retrievers(index: Index) -> None:
    embedder = FakeEmbedder()
    passages = HybridRetriever(index, embedder).retrieve("glacier lakes in autumn", 4)
    assert [p.rank for p in passages] == list(range(1, len(passages) + 1)) and len(passages) >= 2
    query = embedder.embed(["glacier lakes in autumn"])[0]
    bm25 = index.bm25.scores("glacier lakes in autumn")
    for p in passages:
        row = index.chunks.index(p.chunk)
        assert p.scores["dense"] == pytest.approx(float(index.embeddings()[row] @ query), abs=1e-5)
        assert p.scores["bm25"] == pytest.approx(float(bm25[row]))
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)


def test_hybrid_finds_what_only_keywords_match(index: Index) -> None:
    top = HybridRetriever(index, FakeEmbedder()).retrieve("ZX-4471", 1)
    assert Path(top[0].chunk.source).name == "codes.txt"


def test_hybrid_top_results_do_not_depend_on_k(index: Index) -> None:
    retriever = HybridRetriever(index, FakeEmbedder())
    few, many = retriever.retrieve("pears and apples", 2), retriever.retrieve("pears and apples", 20)
    assert [p.chunk.id for p in few] == [p.chunk.id for p in many[:2]]


def test_unknown_retriever_lists_the_valid_names(index: Index) -> None:
    with pytest.raises(ConfigError, match="bm25, dense, hybrid"):
        get_retriever("sparse", index, FakeEmbedder())


# BEIR metrics, against hand-computed values


def test_ndcg_matches_a_hand_computed_value_with_graded_qrels() -> None:
    # DCG = 2/log2(2) + 0 + 1/log2(4) = 2.5; ideal DCG = 2/log2(2) + 1/log2(3)
    value = beir.ndcg_at_k(["a", "x", "b"], {"a": 2, "b": 1}, 10)
    assert value == pytest.approx(2.5 / (2 + 1 / math.log2(3)))


def test_ndcg_is_one_for_the_ideal_order_and_zero_without_hits() -> None:
    assert beir.ndcg_at_k(["a", "b"], {"a": 2, "b": 1}, 10) == pytest.approx(1.0)
    assert beir.ndcg_at_k(["b", "a"], {"a": 2, "b": 1}, 10) < 1.0
    assert beir.ndcg_at_k(["x", "y"], {"a": 1}, 10) == 0.0


def test_ndcg_cuts_both_the_ranking_and_the_ideal_at_k() -> None:
    assert beir.ndcg_at_k(["a", "b", "c"], {"a": 1, "b": 1, "c": 1}, 1) == pytest.approx(1.0)
    assert beir.ndcg_at_k(["x", "a"], {"a": 1}, 1) == 0.0


def test_ndcg_gives_nothing_for_documents_judged_not_relevant() -> None:
    assert beir.ndcg_at_k(["z", "a"], {"a": 1, "z": 0}, 10) == pytest.approx(1 / math.log2(3))


def test_recall_counts_relevant_documents_within_k() -> None:
    assert beir.recall_at_k(["a", "x", "b", "c"], {"a": 1, "b": 2, "c": 1, "d": 1}, 3) == pytest.approx(0.5)
    assert beir.recall_at_k(["a", "x", "b", "c"], {"a": 1, "b": 2, "c": 1, "d": 1}, 4) == pytest.approx(0.75)
    assert beir.recall_at_k(["a"], {"z": 0}, 10) == 0.0


def test_chunks_map_to_documents_by_their_best_chunk() -> None:
    assert beir.documents_in_order(["d2", "d1", "d2", None, "d3", "d1"]) == ["d2", "d1", "d3"]


def test_metrics_average_over_every_judged_query() -> None:
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 1}}
    rankings = {"q1": ["a"], "q2": ["x", "b"]}  # q3 never ranked: it counts as 0
    expected = (1 + 1 / math.log2(3) + 0) / 3
    assert beir.mean_over_queries(beir.ndcg_at_k, rankings, qrels, 10) == pytest.approx(expected)


def test_a_folder_without_qrels_is_refused_with_the_fix(tmp_path: Path) -> None:
    (tmp_path / "corpus.jsonl").write_text("{}\n")
    (tmp_path / "queries.jsonl").write_text("{}\n")
    with pytest.raises(InputError, match="qrels/train.tsv is missing; give a BEIR folder"):
        beir.check_folder(tmp_path, "train")


def test_qrels_and_queries_are_read_from_beir_files(tmp_path: Path) -> None:
    (tmp_path / "qrels.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t2\nq2\td1\t0\n", encoding="utf-8")
    (tmp_path / "queries.jsonl").write_text(json.dumps({"_id": 7, "text": "why?"}) + "\n\n", encoding="utf-8")
    assert beir.read_qrels(tmp_path / "qrels.tsv") == {"q1": {"d1": 1, "d2": 2}, "q2": {"d1": 0}}
    assert beir.read_queries(tmp_path / "queries.jsonl") == {"7": "why?"}


# The whole script on a slice of SciFact, with the real embedder

SCIFACT = SHARED / "data" / "scifact"
SLICE_DOCS = 300


def _scifact_slice(folder: Path) -> int:
    """The first SLICE_DOCS abstracts plus every test claim whose evidence lies among them."""
    qrels = beir.read_qrels(SCIFACT / "qrels" / "test.tsv")
    lines = (SCIFACT / "corpus.jsonl").read_text(encoding="utf-8").splitlines()[:SLICE_DOCS]
    kept = {json.loads(line)["_id"] for line in lines}
    judged = {q: r for q, r in qrels.items() if set(r) <= kept}
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = [f"{q}\t{d}\t{s}" for q, r in judged.items() for d, s in r.items()]
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n" + "\n".join(rows) + "\n", encoding="utf-8")
    queries = [line for line in (SCIFACT / "queries.jsonl").read_text(encoding="utf-8").splitlines() if json.loads(line)["_id"] in judged]
    (folder / "queries.jsonl").write_text("\n".join(queries) + "\n", encoding="utf-8")
    return len(judged)


def _run_beir(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    command = [sys.executable, str(ROOT / "eval" / "beir.py"), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=900, env=env, cwd=ROOT)


@pytest.mark.slow
@pytest.mark.skipif(not SCIFACT.is_dir(), reason="needs ../shared/data/scifact")
def test_beir_script_scores_a_scifact_slice(tmp_path: Path) -> None:
    folder, cache = tmp_path / "scifact-slice", tmp_path / "cache"
    judged = _scifact_slice(folder)
    done = _run_beir(str(folder), "--split", "test", "--cache", str(cache), "--json")
    assert done.returncode == 0, done.stderr
    results = {r["retriever"]: r for r in json.loads(done.stdout)["results"]}
    assert sorted(results) == ["bm25", "dense", "hybrid"] and judged >= 10
    for r in results.values():
        assert r["queries"] == judged and 0 <= r["recall@10"] <= r["recall@100"] <= 1 and r["ms_per_query"] > 0
    # Among 300 abstracts the evidence is easy to find; a broken mapping from
    # chunks to documents, or a broken metric, scores near 0.
    assert results["hybrid"]["ndcg@10"] > 0.7 and results["bm25"]["ndcg@10"] > 0.6 and results["dense"]["ndcg@10"] > 0.6
    again = _run_beir(str(folder), "--split", "test", "--cache", str(cache), "--retrievers", "bm25")
    assert again.returncode == 0 and ", 0 embedded" in again.stderr  # the cached index is reused
    assert "bm25" in again.stdout and "hybrid" not in again.stdout


def test_weak_cosines_do_not_drown_an_exact_keyword_hit() -> None:
    # Nothing is semantically close (best cosine 0.16): row 1 is only the least distant,
    # while row 2 is the one BM25 matched. Over the raw best, row 1 would win on noise.
    dense, keyword = [(1, 0.16), (2, 0.05)], [(2, 3.0)]
    assert fuse(dense, keyword, FusionSettings())[0][0] == 2
    assert fuse(dense, keyword, FusionSettings(dense_floor=0.0))[0][0] == 1
    assert over_best([(1, 0.16)], floor=0.32) == {1: 0.5}

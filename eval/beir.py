"""Retrieval quality on a BEIR folder: nDCG@10, recall@10, recall@100 and ms/query
for bm25, dense and hybrid, through the same indexing and search code users run.

    python eval/beir.py ../shared/data/scifact --split test [--json] [--store milvus-lite:FILE.db]

The index is cached under eval/out/indexes/<name>.<embedder> and updated
incrementally, so a second run only pays for the queries. Documents rank by their
best chunk; each query asks for chunks until 100 documents are ranked, and
ms/query is the wall time of that search (query embedding included).

With --store, the cached local index's chunks and vectors are published into that
store (as `rag index --store` publishes them) and searched there, so the two backends
are compared on the same vectors.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rag.embedding import Embedder
    from rag.retrieval import Retriever

HERE = Path(__file__).resolve().parent
DEFAULT_CACHE = HERE / "out" / "indexes"
RETRIEVERS = ("bm25", "dense", "hybrid")
RECALL_DEPTH = 100
FIRST_CHUNK_DEPTH = 200  # chunks asked for first; doubled until RECALL_DEPTH documents are seen

Qrels = dict[str, dict[str, int]]


# Metrics: plain functions over document ids, as trec_eval (and so BEIR) defines them.


def ndcg_at_k(ranked: list[str], relevance: dict[str, int], k: int) -> float:
    """Linear gains (the grade itself) over log2(rank + 1); ideal = the judged grades sorted."""
    dcg = sum(relevance.get(doc, 0) / math.log2(rank + 1) for rank, doc in enumerate(ranked[:k], start=1))
    ideal_grades = sorted((g for g in relevance.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(rank + 1) for rank, g in enumerate(ideal_grades, start=1))
    return dcg / idcg if idcg else 0.0


def recall_at_k(ranked: list[str], relevance: dict[str, int], k: int) -> float:
    relevant = {doc for doc, grade in relevance.items() if grade > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def documents_in_order(record_ids: list[str | None]) -> list[str]:
    """Chunk ranking -> document ranking: a document ranks by its best chunk."""
    seen: dict[str, None] = {}
    for record_id in record_ids:
        if record_id is not None and record_id not in seen:
            seen[record_id] = None
    return list(seen)


# Reading a BEIR folder.


def read_queries(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as handle:
        records = (json.loads(line) for line in handle if line.strip())
        return {str(r["_id"]): r["text"] for r in records}


def read_qrels(path: Path) -> Qrels:
    qrels: Qrels = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    return qrels


def check_folder(folder: Path, split: str) -> None:
    from rag.errors import InputError

    for name in ("corpus.jsonl", "queries.jsonl", f"qrels/{split}.tsv"):
        if not (folder / name).is_file():
            raise InputError(f"{folder / name} is missing; give a BEIR folder (corpus.jsonl, queries.jsonl, qrels/{split}.tsv)")


# Running the retrievers.


def build_index(folder: Path, cache: Path, embedder: Embedder, embedder_key: str) -> Path:
    """Index corpus.jsonl into the cache, one index per embedder; unchanged records are not re-embedded."""
    from rag.errors import IndexError_
    from rag.ingest import index_documents
    from rag.loaders import load_paths

    root = cache / f"{folder.resolve().name}.{embedder_key}"
    corpus = str(folder.resolve() / "corpus.jsonl")
    try:
        report = index_documents(load_paths([corpus]), root, embedder)
    except IndexError_ as exc:
        # A cache built by another version of the embedder (or damaged) is rebuilt, not a reason to stop.
        print(f"rebuilding {root}: {exc}", file=sys.stderr)
        report = index_documents(load_paths([corpus]), root, embedder, rebuild=True)
    print(f"index {root}: {report.chunks} chunks, {report.embedded} embedded in {report.seconds:.1f}s", file=sys.stderr)
    return root


def copy_to_store(root: Path, store: str) -> None:
    """Publish the local index at root into the store, unless it already holds the same documents."""
    import numpy as np

    from rag.errors import IndexError_
    from rag.index import Index
    from rag.stores import open_target, parse_store

    spec, local = parse_store(store), Index.open(root)
    try:
        target = open_target(spec, str(root))
        try:
            current = target.open_current(local.manifest.embedder, local.manifest.dim)
        except IndexError_:
            current = None
        if current is not None and _hashes(current.manifest) == _hashes(local.manifest):
            return
        started = time.perf_counter()
        target.publish(local.chunks, np.asarray(local.embeddings()), local.manifest)
        print(f"published {len(local.chunks)} chunks to {store} in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    finally:
        local.close()


def _hashes(manifest) -> dict[str, str]:
    return {source: entry["hash"] for source, entry in manifest.documents.items()}


def ranked_documents(retriever: Retriever, query: str, depth: int = RECALL_DEPTH) -> list[str]:
    k = FIRST_CHUNK_DEPTH
    while True:
        passages = retriever.retrieve(query, k)
        documents = documents_in_order([p.chunk.record_id for p in passages])
        if len(documents) >= depth or len(passages) < k:
            return documents
        k *= 2


@dataclass(frozen=True)
class Scores:
    retriever: str
    ndcg_10: float
    recall_10: float
    recall_100: float
    ms_per_query: float
    queries: int

    def to_json(self) -> dict:
        return {
            "retriever": self.retriever,
            "ndcg@10": round(self.ndcg_10, 4),
            "recall@10": round(self.recall_10, 4),
            "recall@100": round(self.recall_100, 4),
            "ms_per_query": round(self.ms_per_query, 1),
            "queries": self.queries,
        }


def score_retriever(name: str, retriever: Retriever, queries: dict[str, str], qrels: Qrels) -> Scores:
    rankings, started = {}, time.perf_counter()
    for qid in qrels:
        rankings[qid] = ranked_documents(retriever, queries[qid])
    ms = (time.perf_counter() - started) * 1000 / max(1, len(qrels))
    ndcg, r10, r100 = (mean_over_queries(metric, rankings, qrels, k) for metric, k in ((ndcg_at_k, 10), (recall_at_k, 10), (recall_at_k, 100)))
    return Scores(name, ndcg, r10, r100, ms, len(qrels))


def mean_over_queries(metric, rankings: dict[str, list[str]], qrels: Qrels, k: int) -> float:
    """The mean over every judged query; a query with no ranking scores 0."""
    return sum(metric(rankings.get(q, []), qrels[q], k) for q in qrels) / max(1, len(qrels))


def evaluate(folder: Path, split: str, embedder_name: str, cache: Path = DEFAULT_CACHE, retrievers: tuple[str, ...] = RETRIEVERS, overrides: dict | None = None, embedder: Embedder | None = None) -> list[Scores]:
    """Index the folder (cached per embedder) and score each retriever on the split's judged queries."""
    from rag.config import Settings
    from rag.embedding import get_embedder
    from rag.errors import InputError
    from rag.searching import Searcher

    check_folder(folder, split)
    embedder = embedder or get_embedder(embedder_name)
    root = build_index(folder, cache, embedder, embedder_name)
    store = (overrides or {}).get("store")
    if store and store != "local":
        copy_to_store(root, store)
    queries, qrels = read_queries(folder / "queries.jsonl"), read_qrels(folder / "qrels" / f"{split}.tsv")
    missing = [q for q in qrels if q not in queries]
    if missing:
        raise InputError(f"{len(missing)} judged queries (first: {missing[0]}) are not in queries.jsonl; check the BEIR folder")
    settings = Settings.load({**(overrides or {}), "index": str(root), "embedder": embedder_name})
    searcher = Searcher.from_settings(settings, embedder)
    return [score_retriever(name, searcher.retriever(name), queries, qrels) for name in retrievers]


# Output.


def render_table(title: str, results: list[Scores]) -> str:
    lines = [title, f"{'retriever':<10}{'nDCG@10':>9}{'R@10':>8}{'R@100':>8}{'ms/query':>10}"]
    for s in results:
        lines.append(f"{s.retriever:<10}{s.ndcg_10:>9.4f}{s.recall_10:>8.4f}{s.recall_100:>8.4f}{s.ms_per_query:>10.1f}")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="BEIR retrieval evaluation of bm25, dense and hybrid.")
    parser.add_argument("folder", type=Path, help="BEIR folder: corpus.jsonl, queries.jsonl, qrels/SPLIT.tsv")
    parser.add_argument("--split", default="test", help="qrels file to score (test or train)")
    parser.add_argument("--retrievers", default=",".join(RETRIEVERS), help="comma-separated subset of bm25,dense,hybrid")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where indexes are kept between runs")
    parser.add_argument("--embedder", default=None, help="embedder name [default: the settings' embedder]")
    parser.add_argument("--fusion", default=None, help="override the fusion method (rrf or score)")
    parser.add_argument("--rrf-k", type=int, default=None, help="override the RRF constant")
    parser.add_argument("--dense-weight", type=float, default=None, help="override the dense weight")
    parser.add_argument("--bm25-weight", type=float, default=None, help="override the BM25 weight")
    parser.add_argument("--store", default=None, help="search this store (milvus://HOST:PORT/COLLECTION or milvus-lite:FILE.db) [default: the local index]")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    from rag.config import Settings
    from rag.errors import RagError

    args = parse_args(argv)
    overrides = {"fusion": args.fusion, "rrf_k": args.rrf_k, "dense_weight": args.dense_weight, "bm25_weight": args.bm25_weight, "store": args.store}
    names = tuple(n.strip() for n in args.retrievers.split(",") if n.strip())
    unknown = [n for n in names if n not in RETRIEVERS]
    if unknown or not names:
        sys.exit(f"error: unknown retriever {unknown[0] if unknown else '(none)'}; choose from {', '.join(RETRIEVERS)}")
    try:
        embedder_name = args.embedder or Settings.load().embedder
        results = evaluate(args.folder, args.split, embedder_name, args.cache, names, overrides)
    except RagError as exc:
        sys.exit(f"error: {exc}")
    dataset = args.folder.resolve().name
    if args.json:
        report = {"dataset": dataset, "split": args.split, "embedder": embedder_name, "store": args.store or "local", "results": [s.to_json() for s in results]}
        print(json.dumps(report))
    else:
        print(render_table(f"{dataset} ({args.split}, {results[0].queries} queries, {embedder_name}, store {args.store or 'local'})", results))


if __name__ == "__main__":
    main()

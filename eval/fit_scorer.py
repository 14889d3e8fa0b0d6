"""Fit the answer scorer (rag/answering/weights.json) on SQuAD 2.0 train articles.

    python eval/fit_scorer.py [../shared/data/squad2/train] [--false-abstention 0.05]

Indexes the training articles with the default embedder, asks every training question
through the default retrieval, turns the retrieved passages into answer candidates
with the engine's own feature code, labels a candidate positive when it holds a gold
answer and comes from the question's own article, and fits an L2-regularised logistic
regression (Newton's method, numpy only). The abstention threshold is the quantile of
the best candidate's probability over answerable training questions that gives the
stated false-abstention rate. Besides SQuAD's own questions, a quarter of the answerable
ones are asked again with one name or year swapped for one no training document holds
(eval/absent_questions.py; the names are HotpotQA paragraph titles), as unanswerable
questions. Only the train split is read: the sets that gate answers (squad2/dev,
talent-dev, the seeds gold set) never are.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from rag.answering.corpus import CorpusStats  # noqa: E402
from rag.answering.features import NAMES, QUESTION_NAMES, feature_matrix, question_features  # noqa: E402
from rag.answering.question import analyse  # noqa: E402
from rag.answering.candidates import candidates  # noqa: E402
from rag.answering.scorer import WEIGHTS  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.evaluation.gold import load_gold  # noqa: E402
from rag.evaluation.scoring import matches_any, source_matches  # noqa: E402
from absent_questions import DERIVED, corpus_years, derive, name_pool  # noqa: E402

L2 = 1.0


def build_index(docs: Path, root: Path):
    from rag.embedding import get_embedder
    from rag.ingest import index_documents
    from rag.loaders import load_paths

    embedder = get_embedder(Settings().embedder)
    index_documents(load_paths([str(docs)]), root, embedder)
    return embedder


def collect(split: Path, work: Path, limit: int | None, absent_pool: Path | None
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[bool], list[str], list[bool]]:
    """Features, labels and question ids for every candidate of every training question."""
    from rag.pipeline import Assistant

    embedder = build_index(split / "docs", work)
    assistant = Assistant.from_settings(Settings(index=str(work), generator="extractive"), embedder=embedder)
    stats = CorpusStats(assistant.searcher.index.chunks)
    questions = load_gold(split / "gold.jsonl")[:limit]
    if absent_pool is not None:
        chunks = assistant.searcher.index.chunks
        pool = name_pool(absent_pool, set(stats.df))
        questions += derive(questions, set(stats.df), corpus_years([c.text for c in chunks]), pool)
        print(f"  {sum(q.id.endswith(DERIVED) for q in questions)} derived questions about names and years no document holds")
    rows, labels, groups, answerable, asked, derived = [], [], [], [], [], []
    started = time.time()
    for n, gold in enumerate(questions):
        question = analyse(gold.question)
        passages = assistant.retrieve(gold.question)
        units = candidates(passages)
        features = feature_matrix(question, units, assistant.embed_cached, stats)
        sources = {e.source for e in gold.evidence}
        for unit, row in zip(units, features):
            positive = gold.answerable and any(source_matches(unit.chunk.source, s) for s in sources) and matches_any(unit.text, gold.answers)
            rows.append(row)
            labels.append(float(positive))
            groups.append(n)
        answerable.append(gold.answerable)
        asked.append(gold.question)
        derived.append(gold.id.endswith(DERIVED))
        if n % 500 == 0:
            print(f"  {n}/{len(questions)} questions, {len(rows)} candidates, {time.time() - started:.0f} s", flush=True)
    return np.array(rows), np.array(labels), np.array(groups), answerable, asked, derived


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2, steps: int = 30) -> tuple[np.ndarray, float]:
    """Newton's method on the penalised log-likelihood (the intercept is not penalised)."""
    design = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(design @ w)))
        gradient = design.T @ (p - y) + penalty * w
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def best_per_question(p: np.ndarray, y: np.ndarray, groups: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    best_p, best_ok = np.zeros(count), np.zeros(count, dtype=bool)
    for q in range(count):
        mask = groups == q
        if mask.any():
            i = np.argmax(p[mask])
            best_p[q], best_ok[q] = p[mask][i], y[mask][i] > 0
    return best_p, best_ok


def question_matrix(x: np.ndarray, p: np.ndarray, groups: np.ndarray, asked: list[str]) -> np.ndarray:
    """The question-level features of every question, from its candidates' rows."""
    rows = []
    for q, text in enumerate(asked):
        mask = groups == q
        if not mask.any():
            rows.append(np.zeros(len(QUESTION_NAMES)))
            continue
        rows.append(question_features(analyse(str(text)), x[mask], p[mask]))
    return np.array(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split", nargs="?", default=str(ROOT.parent / "shared" / "data" / "squad2" / "train"))
    parser.add_argument("--false-abstention", type=float, default=0.05,
                        help="share of answerable training questions the threshold may decline")
    parser.add_argument("--limit", type=int, default=None, help="fit on the first N questions only (a quick check)")
    parser.add_argument("--absent-names", default=str(ROOT.parent / "shared" / "data" / "hotpotqa" / "corpus.jsonl"),
                        help="names for the derived questions about what the documents never mention; 'none' leaves them out")
    parser.add_argument("--cache", default=str(ROOT / "eval" / "out" / "fit_scorer.npz"), help="reuse collected features")
    parser.add_argument("--out", default=str(WEIGHTS))
    args = parser.parse_args()
    cache = Path(args.cache)
    if cache.is_file():
        data = np.load(cache)
        x, y, groups, answerable, asked = data["x"], data["y"], data["groups"], list(data["answerable"]), list(data["asked"])
        derived = list(data["derived"]) if "derived" in data.files else [False] * len(asked)
        if list(data["names"]) != list(NAMES):
            sys.exit(f"{cache} holds other features; delete it and run again")
    else:
        with tempfile.TemporaryDirectory() as work:
            pool = None if args.absent_names == "none" else Path(args.absent_names)
            x, y, groups, answerable, asked, derived = collect(Path(args.split), Path(work) / "index", args.limit, pool)
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, x=x, y=y, groups=groups, answerable=np.array(answerable), names=np.array(NAMES), asked=np.array(asked),
                 derived=np.array(derived))
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    coef, intercept = fit_logistic((x - mean) / scale, y)
    p = 1.0 / (1.0 + np.exp(-(((x - mean) / scale) @ coef + intercept)))
    _, best_ok = best_per_question(p, y, groups, len(answerable))
    qx = question_matrix(x, p, groups, asked)
    q_mean, q_scale = qx.mean(axis=0), qx.std(axis=0)
    q_scale[q_scale == 0] = 1.0
    q_coef, q_intercept = fit_logistic((qx - q_mean) / q_scale, best_ok.astype(float))
    best_p = 1.0 / (1.0 + np.exp(-(((qx - q_mean) / q_scale) @ q_coef + q_intercept)))
    mask, made = np.array(answerable), np.array(derived, dtype=bool)
    threshold = float(np.quantile(best_p[mask], args.false_abstention))
    report = {
        "questions": len(answerable),
        "candidates": int(len(y)),
        "positives": int(y.sum()),
        "top1_correct_answerable": round(float(best_ok[mask].mean()), 4),
        "abstain_unanswerable_at_threshold": round(float((best_p[~mask & ~made] < threshold).mean()), 4),
        "abstain_derived_at_threshold": round(float((best_p[made] < threshold).mean()), 4) if made.any() else None,
        "false_abstention_at_threshold": round(float((best_p[mask] < threshold).mean()), 4),
    }
    weights = {
        "features": list(NAMES),
        "mean": mean.round(6).tolist(),
        "scale": scale.round(6).tolist(),
        "coef": coef.round(6).tolist(),
        "intercept": round(intercept, 6),
        "threshold": round(threshold, 6),
        "question": {"features": list(QUESTION_NAMES), "mean": q_mean.round(6).tolist(), "scale": q_scale.round(6).tolist(),
                     "coef": q_coef.round(6).tolist(), "intercept": round(q_intercept, 6)},
        "fitted_on": Path(args.split).name + " (squad2): " + json.dumps(report),
        "false_abstention_target": args.false_abstention,
        "command": "python eval/fit_scorer.py",
    }
    Path(args.out).write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=1))
    for name, c in sorted(zip(NAMES, coef), key=lambda t: -abs(t[1])):
        print(f"  {name:20s} {c:+.3f}")
    for name, c in sorted(zip(QUESTION_NAMES, q_coef), key=lambda t: -abs(t[1])):
        print(f"  question: {name:20s} {c:+.3f}")
    print(f"threshold {threshold:.3f} -> {args.out}")


if __name__ == "__main__":
    main()

"""Fit the answer scorer (rag/answering/weights.json) on SQuAD 2.0 train articles.

    python eval/fit_scorer.py [../shared/data/squad2/train] [--false-abstention 0.05]

Indexes the training articles with the default embedder, asks every training question
through the default retrieval, turns the retrieved passages into answer candidates
with the engine's own feature code, and labels a candidate positive when it holds a
gold answer and comes from the question's own article. The candidate model is
gradient-boosted trees (scikit-learn here, exported as node arrays that numpy walks at
run time); the confidence that the best candidate is right is an L2-regularised
logistic regression (Newton's method) over the question-level features (with
--question-extras also aggregates of the candidate matrix), learnt from candidate
probabilities cross-fitted over article folds. The abstention threshold is the quantile of the cross-fitted confidence over
answerable training questions that gives the stated false-abstention rate.
Besides SQuAD's own questions, half of the answerable ones are asked again with one
name or year swapped for one no training document holds (eval/absent_questions.py; the
names are HotpotQA paragraph titles), as unanswerable questions of the same article.
eval/fit_experiments.py compares the alternatives. Only the train split is read: the
sets that gate answers (squad2/dev, talent-dev, the seeds gold set) never are.
"""

from __future__ import annotations

import argparse
import json
import re
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
from fit_models import FAMILIES, articles, auc, folds  # noqa: E402
from rag.answering.scorer import WEIGHTS, extra_names, extra_question_features  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.evaluation.gold import GoldQuestion, load_gold  # noqa: E402
from rag.evaluation.scoring import matches_any, source_matches  # noqa: E402
from absent_questions import DERIVED, SHARE, corpus_years, derive, name_pool  # noqa: E402

# The variant eval/fit_experiments.py and eval/answers.py chose; see the README's scorer section.
CANDIDATE_MODEL, QUESTION_MODEL, QUESTION_EXTRAS, HOTPOT = "trees", "logistic", False, False
CURVE_RATES = (0.02, 0.05, 0.10, 0.15, 0.20, 0.30)
DEFAULT_SPLIT = ROOT.parent / "shared" / "data" / "squad2" / "train"


def build_index(docs: Path, root: Path):
    from rag.embedding import get_embedder
    from rag.ingest import index_documents
    from rag.loaders import load_paths

    embedder = get_embedder(Settings().embedder)
    index_documents(load_paths([str(docs)]), root, embedder)
    return embedder


def collect(docs: Path, questions: list[GoldQuestion], work: Path, absent_pool: Path | None,
            absent_share: float = SHARE) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[bool], list[str], list[int]]:
    """Features, labels and question ids for every candidate of every training question,
    and for each question the training question it was derived from (itself, if none)."""
    from rag.pipeline import Assistant

    embedder = build_index(docs, work)
    assistant = Assistant.from_settings(Settings(index=str(work), generator="extractive"), embedder=embedder)
    stats = CorpusStats(assistant.searcher.index.chunks)
    position = {q.id: i for i, q in enumerate(questions)}
    if absent_pool is not None:
        chunks = assistant.searcher.index.chunks
        pool = name_pool(absent_pool, set(stats.df))
        questions = questions + derive(questions, set(stats.df), corpus_years([c.text for c in chunks]), pool, absent_share)
        print(f"  {len(questions) - len(position)} derived questions about names and years no document holds")
    source = [position.get(q.id.removesuffix(DERIVED), i) for i, q in enumerate(questions)]
    rows, labels, groups, answerable, asked = [], [], [], [], []
    started = time.time()
    for n, gold in enumerate(questions):
        question = stats.in_their_words(analyse(gold.question))
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
        if n % 500 == 0:
            print(f"  {n}/{len(questions)} questions, {len(rows)} candidates, {time.time() - started:.0f} s", flush=True)
    return np.array(rows), np.array(labels), np.array(groups), answerable, asked, source


def save_collected(cache: Path, x, y, groups, answerable, asked, source) -> None:
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, x=x, y=y, groups=groups, answerable=np.array(answerable), names=np.array(NAMES), asked=np.array(asked),
             source=np.array(source))


def load_collected(cache: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[bool], list[str], list[int]]:
    data = np.load(cache)
    if list(data["names"]) != list(NAMES) or "source" not in data.files:
        sys.exit(f"{cache} holds other features; delete it and run again")
    return data["x"], data["y"], data["groups"], list(data["answerable"]), list(data["asked"]), list(data["source"])


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


def cross_fitted(fit, x: np.ndarray, y: np.ndarray, groups: np.ndarray, masks: list[np.ndarray],
                 extra: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Each candidate's probability from a model fitted without its article's questions."""
    p = np.zeros(len(y))
    for test in masks:
        rows = test[groups]
        train_x, train_y = x[~rows], y[~rows]
        if extra is not None:
            train_x, train_y = np.vstack([train_x, extra[0]]), np.concatenate([train_y, extra[1]])
        p[rows] = fit(train_x, train_y)[0](x[rows])
    return p


def question_inputs(x: np.ndarray, p: np.ndarray, groups: np.ndarray, asked: list[str], extras: bool) -> np.ndarray:
    qx = question_matrix(x, p, groups, asked)
    if not extras:
        return qx
    more = [extra_question_features(x[groups == q], p[groups == q]) if (groups == q).any() else np.zeros(len(extra_names()))
            for q in range(len(asked))]
    return np.hstack([qx, np.array(more)])


def hotpot_rows(cache: Path) -> tuple[np.ndarray, np.ndarray]:
    """HotpotQA candidates (eval/fit_hotpot.py), collected once and cached."""
    if not cache.is_file():
        from fit_hotpot import DEFAULT, collect_hotpot

        collect_hotpot(DEFAULT, cache)
    x, y, *_ = load_collected(cache)
    return x, y


def weights_text(weights: dict) -> str:
    """Indented JSON with every list of numbers on one line, so the trees stay readable in a diff."""
    def one_line(match: re.Match) -> str:
        return "[" + re.sub(r",\s+", ", ", match.group(1)) + "]"

    return re.sub(r"\[\n\s+([-+.\deE,\s]*?)\n\s*\]", one_line, json.dumps(weights, indent=1)) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split", nargs="?", default=str(DEFAULT_SPLIT))
    parser.add_argument("--false-abstention", type=float, default=0.05,
                        help="share of answerable training questions the threshold may decline")
    parser.add_argument("--limit", type=int, default=None, help="fit on the first N questions only (a quick check)")
    parser.add_argument("--absent-names", default=str(ROOT.parent / "shared" / "data" / "hotpotqa" / "corpus.jsonl"),
                        help="names for the derived questions about what the documents never mention; 'none' leaves them out")
    parser.add_argument("--absent-share", type=float, default=SHARE,
                        help="share of answerable questions asked again about a name or year no document holds")
    parser.add_argument("--cache", default=str(ROOT / "eval" / "out" / "fit_scorer.npz"), help="reuse collected features")
    parser.add_argument("--candidate-model", choices=FAMILIES, default=CANDIDATE_MODEL)
    parser.add_argument("--question-model", choices=FAMILIES, default=QUESTION_MODEL)
    parser.add_argument("--question-extras", action=argparse.BooleanOptionalAction, default=QUESTION_EXTRAS,
                        help="the confidence also reads aggregates of the candidate matrix")
    parser.add_argument("--hotpot", action=argparse.BooleanOptionalAction, default=HOTPOT,
                        help="add HotpotQA candidates to the candidate model's training")
    parser.add_argument("--hotpot-cache", default=str(ROOT / "eval" / "out" / "fit_hotpot.npz"))
    parser.add_argument("--folds", type=int, default=5, help="article folds for the cross-fitted probabilities")
    parser.add_argument("--out", default=str(WEIGHTS))
    args = parser.parse_args()
    split = Path(args.split)
    cache = Path(args.cache)
    if cache.is_file():
        x, y, groups, answerable, asked, source = load_collected(cache)
    else:
        pool = None if args.absent_names == "none" else Path(args.absent_names)
        with tempfile.TemporaryDirectory() as work:
            x, y, groups, answerable, asked, source = collect(
                split / "docs", load_gold(split / "gold.jsonl")[:args.limit], Path(work) / "index", pool, args.absent_share)
        save_collected(cache, x, y, groups, answerable, asked, source)
    extra = hotpot_rows(Path(args.hotpot_cache)) if args.hotpot else None
    # A derived question is held out with the article of the question it came from.
    article_of = articles(split / "gold.jsonl")[np.array(source)]
    masks = [m for m in folds(article_of, args.folds) if m.any()]
    if len(masks) < 2:
        sys.exit("cross-fitting needs questions from at least two article folds; raise --limit")
    derived = np.array(source) != np.arange(len(source))
    weights, report, coef = fit(x, y, groups, np.array(answerable), derived, asked, masks, extra, args)
    Path(args.out).write_text(weights_text(weights), encoding="utf-8")
    print(json.dumps(report, indent=1))
    for name, c in coef:
        print(f"  {name:24s} {c:+.3f}")
    print(f"threshold {weights['threshold']:.3f} -> {args.out}")


def fit(x, y, groups, answerable, derived, asked, masks, extra, args) -> tuple[dict, dict, list[tuple[str, float]]]:
    """The question model learns from cross-fitted candidate probabilities, as a new corpus
    will look to the candidate model; the threshold is set on cross-fitted confidences."""
    candidate_fit, question_fit = FAMILIES[args.candidate_model], FAMILIES[args.question_model]
    p = cross_fitted(candidate_fit, x, y, groups, masks, extra)
    _, ok = best_per_question(p, y, groups, len(asked))
    qx = question_inputs(x, p, groups, asked, args.question_extras)
    confidence = np.zeros(len(asked))
    for test in masks:
        confidence[test] = question_fit(qx[~test], ok[~test].astype(float))[0](qx[test])
    threshold = float(np.quantile(confidence[answerable], args.false_abstention))
    curve = [{"false_abstention": r, "threshold": round(float(np.quantile(confidence[answerable], r)), 6),
              "unanswerable_declined": round(float((confidence[~answerable & ~derived] < np.quantile(confidence[answerable], r)).mean()), 4)}
             for r in CURVE_RATES]
    all_x, all_y = (np.vstack([x, extra[0]]), np.concatenate([y, extra[1]])) if extra is not None else (x, y)
    _, candidate = candidate_fit(all_x, all_y)
    _, question = question_fit(qx, ok.astype(float))
    report = {
        "questions": len(asked), "candidates": int(len(y)), "positives": int(y.sum()),
        "hotpot_candidates": 0 if extra is None else int(len(extra[1])),
        "candidate_auc_cross_fitted": round(auc(p, y), 4),
        "top1_correct_answerable": round(float(ok[answerable].mean()), 4),
        "confidence_auc_cross_fitted": round(auc(confidence, ok), 4),
        "abstain_unanswerable_at_threshold": round(float((confidence[~answerable & ~derived] < threshold).mean()), 4),
        "abstain_derived_at_threshold": round(float((confidence[derived] < threshold).mean()), 4) if derived.any() else None,
        "false_abstention_at_threshold": round(float((confidence[answerable] < threshold).mean()), 4),
    }
    question_names = list(QUESTION_NAMES) + (list(extra_names()) if args.question_extras else [])
    weights = {
        "features": list(NAMES),
        "candidate": candidate,
        "threshold": round(threshold, 6),
        "question": {"features": list(QUESTION_NAMES), "extras": args.question_extras, **question},
        "fitted_on": "train (squad2)" + (" + hotpotqa candidates" if extra is not None else "") + ": " + json.dumps(report),
        "false_abstention_target": args.false_abstention,
        "threshold_curve": curve,  # other rates' thresholds, cross-fitted on train: eval/fit_tradeoff.py reports them on dev
        "command": "python eval/fit_scorer.py",
    }
    named = [(n, c) for n, c in zip(NAMES, candidate.get("coef", []))] + \
        [("question: " + n, c) for n, c in zip(question_names, question.get("coef", []))]
    return weights, report, sorted(named, key=lambda t: -abs(t[1]))


if __name__ == "__main__":
    main()

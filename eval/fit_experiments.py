"""Model-family comparison for the answer scorer, by grouped cross-validation over the
SQuAD 2.0 train articles (the features eval/fit_scorer.py caches; run it first).

    python eval/fit_experiments.py [--folds 5] [--candidate-models logistic,trees,trees+hotpot]

(a) the candidate model: logistic regression vs gradient-boosted trees, scored by
    candidate AUC and top-1 accuracy over answerable questions ("+hotpot" adds the
    HotpotQA candidates of eval/fit_hotpot.py to every fold's training);
(b) the question-level confidence: the same two families on QUESTION_NAMES, and on
    QUESTION_NAMES plus aggregates of the candidate matrix (rag.answering.scorer
    extra_names), scored by AUC for "the best candidate is right" (unanswerable
    questions are negatives) and by the share of unanswerable questions declined
    at 5%, 10% and 15% false abstention on answerable ones.
Every figure is out-of-fold: no article is scored by a model that saw it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from fit_models import FAMILIES, articles, auc, folds, trees  # noqa: E402
from fit_scorer import DEFAULT_SPLIT, best_per_question, cross_fitted, hotpot_rows, load_collected, question_inputs  # noqa: E402

RATES = (0.05, 0.10, 0.15)
# Trees for the question model see 5,508 rows, not 220,000 candidates: smaller and slower to learn.
SMALL_TREES = {"max_iter": 100, "learning_rate": 0.05, "max_leaf_nodes": 7, "min_samples_leaf": 100}
QUESTION_FAMILIES = {**FAMILIES, "small trees": lambda x, y: trees(x, y, **SMALL_TREES)}


def question_cv(qx, ok, masks, family) -> np.ndarray:
    conf = np.zeros(len(ok))
    for test in masks:
        conf[test] = QUESTION_FAMILIES[family](qx[~test], ok[~test].astype(float))[0](qx[test])
    return conf


def abstention(conf: np.ndarray, answerable: np.ndarray) -> list[float]:
    return [float((conf[~answerable] < np.quantile(conf[answerable], r)).mean()) for r in RATES]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default=str(DEFAULT_SPLIT))
    parser.add_argument("--cache", default=str(ROOT / "eval" / "out" / "fit_scorer.npz"))
    parser.add_argument("--hotpot-cache", default=str(ROOT / "eval" / "out" / "fit_hotpot.npz"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--candidate-models", default="logistic,trees")
    parser.add_argument("--question-models", default="logistic,trees,small trees")
    args = parser.parse_args()
    x, y, groups, answerable, asked, source = load_collected(Path(args.cache))
    answerable = np.array(answerable)
    masks = folds(articles(Path(args.split) / "gold.jsonl")[np.array(source)], args.folds)
    print(f"{len(asked)} questions, {len(y)} candidates, {args.folds} folds by article")
    print("| candidate model | candidate AUC | top-1 on answerable | question model | features | AUC best-is-right | "
          "unanswerable declined at 5% / 10% / 15% false abstention |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for cand in args.candidate_models.split(","):
        family, _, extra = cand.partition("+")
        p = cross_fitted(FAMILIES[family], x, y, groups, masks, hotpot_rows(Path(args.hotpot_cache)) if extra == "hotpot" else None)
        _, ok = best_per_question(p, y, groups, len(asked))
        for label, extras in (("QUESTION_NAMES", False), ("+ matrix aggregates", True)):
            qx = question_inputs(x, p, groups, asked, extras)
            for qfam in args.question_models.split(","):
                conf = question_cv(qx, ok, masks, qfam)
                rates = " / ".join(f"{v:.3f}" for v in abstention(conf, answerable))
                print(f"| {cand} | {auc(p, y):.4f} | {ok[answerable].mean():.4f} | {qfam} | {label} | {auc(conf, ok):.4f} | {rates} |", flush=True)


if __name__ == "__main__":
    main()

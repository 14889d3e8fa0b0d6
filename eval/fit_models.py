"""The two model families eval/fit_scorer.py can fit, each exported to the JSON that
rag/answering/models.py evaluates, and the article folds both scripts cross-fit over."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from rag.evaluation.gold import load_gold

L2 = 1.0
CLIP = 5.0  # standardised values beyond +-5 deviations are held there, in the fit and at run time
# Small and fixed (no early stopping, no subsampling) so that a refit is identical.
TREES = {"max_iter": 300, "learning_rate": 0.05, "max_leaf_nodes": 31, "min_samples_leaf": 100, "l2_regularization": 1.0}

Predict = Callable[[np.ndarray], np.ndarray]


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


def standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    return mean, scale


def logistic(x: np.ndarray, y: np.ndarray) -> tuple[Predict, dict]:
    mean, scale = standardise(x)
    coef, intercept = fit_logistic(np.clip((x - mean) / scale, -CLIP, CLIP), y)
    exported = {"kind": "logistic", "mean": mean.round(6).tolist(), "scale": scale.round(6).tolist(),
                "coef": coef.round(6).tolist(), "intercept": round(intercept, 6), "clip": CLIP}
    return (lambda z: 1.0 / (1.0 + np.exp(-(np.clip((z - mean) / scale, -CLIP, CLIP) @ coef + intercept)))), exported


def trees(x: np.ndarray, y: np.ndarray, **overrides) -> tuple[Predict, dict]:
    model = fit_trees(x, y, **overrides)
    return (lambda z: model.predict_proba(z)[:, 1]), export_trees(model)


def fit_trees(x: np.ndarray, y: np.ndarray, **overrides):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # one thread: the same sums in the same order on any machine
        return HistGradientBoostingClassifier(**{**TREES, **overrides}, early_stopping=False, random_state=0).fit(x, y)


def export_trees(model) -> dict:
    """scikit-learn's fitted node arrays as plain lists; a leaf gets feature -1."""
    exported = []
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        leaf = nodes["is_leaf"].astype(bool)
        exported.append({
            "feature": np.where(leaf, -1, nodes["feature_idx"]).tolist(),
            "threshold": np.where(leaf, 0.0, nodes["num_threshold"]).tolist(),
            "missing_left": nodes["missing_go_to_left"].astype(int).tolist(),
            "left": np.where(leaf, 0, nodes["left"]).tolist(),
            "right": np.where(leaf, 0, nodes["right"]).tolist(),
            "value": np.where(leaf, nodes["value"], 0.0).tolist(),
        })
    return {"kind": "trees", "baseline": float(np.ravel(model._baseline_prediction)[0]), "trees": exported}


FAMILIES = {"logistic": logistic, "trees": trees}


def articles(gold: Path) -> np.ndarray:
    """Each question's article number: SQuAD lists an article's questions together, and an
    unanswerable question (no evidence) belongs to the article of the one before it."""
    names, current = [], None
    for question in load_gold(gold):
        if question.evidence:
            current = question.evidence[0].source
        names.append(current)
    return np.unique(names, return_inverse=True)[1]


def folds(article_of: np.ndarray, count: int) -> list[np.ndarray]:
    """Articles dealt round-robin into `count` folds, each fold a mask over questions."""
    ids = np.unique(article_of)
    return [np.isin(article_of, ids[k::count]) for k in range(count)]


def auc(score: np.ndarray, label: np.ndarray) -> float:
    """Area under the ROC curve, ties counted half."""
    order = np.argsort(score, kind="mergesort")
    sorted_scores = score[order]
    ranks = np.empty(len(score))
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    ranks[order] = np.repeat(first + (counts + 1) / 2.0, counts)
    pos = label > 0
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))

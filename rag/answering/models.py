"""The two model families the scorer can hold, each read from plain JSON and evaluated
with numpy: a logistic regression, and gradient-boosted trees (the node arrays
eval/fit_scorer.py exports from scikit-learn, which is never imported here)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np


class Model(Protocol):
    def predict(self, features: np.ndarray) -> np.ndarray:
        """The probability of the positive class for each row."""


@dataclass(frozen=True)
class Logistic:
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    clip: float | None = None  # standardised values are held within +-clip, as in the fit

    def predict(self, features: np.ndarray) -> np.ndarray:
        if len(features) == 0:
            return np.zeros(0)
        standard = (features - self.mean) / self.scale
        if self.clip is not None:
            # A feature that is rare in training (a title as the best candidate) would
            # otherwise lie dozens of deviations out and decide alone.
            standard = np.clip(standard, -self.clip, self.clip)
        z = standard @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))


@dataclass(frozen=True)
class Trees:
    """Every tree's nodes in flat arrays; a leaf has feature -1 and points to itself,
    so walking all trees together for `depth` steps lands every row on a leaf."""

    baseline: float
    roots: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    depth: int

    def predict(self, features: np.ndarray) -> np.ndarray:
        if len(features) == 0:
            return np.zeros(0)
        node = np.broadcast_to(self.roots, (len(features), len(self.roots)))
        rows = np.arange(len(features))[:, None]
        for _ in range(self.depth):
            x = features[rows, np.maximum(self.feature[node], 0)]
            go_left = np.where(np.isnan(x), self.missing_left[node], x <= self.threshold[node])
            node = np.where(go_left, self.left[node], self.right[node])
        z = self.baseline + self.value[node].sum(axis=1)
        return 1.0 / (1.0 + np.exp(-z))


def logistic_from(data: dict, width: int) -> Logistic:
    clip = data.get("clip")
    model = Logistic(_vector(data["mean"]), _vector(data["scale"]), _vector(data["coef"]), float(data["intercept"]),
                     None if clip is None else float(clip))
    if not len(model.mean) == len(model.scale) == len(model.coef) == width or not (model.scale > 0).all():
        raise ValueError(f"a logistic model over {width} features needs mean, scale (> 0) and coef of that length")
    if model.clip is not None and not model.clip > 0:
        raise ValueError(f"clip {model.clip} must be above 0")
    return model


def trees_from(data: dict, width: int) -> Trees:
    """Flatten the trees, turning each tree's own node numbers into positions in the flat arrays."""
    trees = data["trees"]
    sizes = [len(tree["feature"]) for tree in trees]
    roots = np.cumsum([0] + sizes[:-1]).astype(np.int64)
    feature = np.concatenate([np.asarray(t["feature"], dtype=np.int64) for t in trees])
    left = np.concatenate([np.asarray(t["left"], dtype=np.int64) + r for t, r in zip(trees, roots)])
    right = np.concatenate([np.asarray(t["right"], dtype=np.int64) + r for t, r in zip(trees, roots)])
    leaf = feature < 0
    own = np.arange(len(feature))
    model = Trees(
        float(data["baseline"]), roots, feature, _vector([v for t in trees for v in t["threshold"]]),
        np.concatenate([np.asarray(t["missing_left"], dtype=bool) for t in trees]),
        np.where(leaf, own, left), np.where(leaf, own, right), _vector([v for t in trees for v in t["value"]]), 0,
    )
    _check_trees(model, sizes, width)
    return replace(model, depth=_depth(model))


def _depth(model: Trees) -> int:
    """The longest path from a root: children come after their parent, so one forward pass finds it."""
    depth = np.zeros(len(model.feature), dtype=np.int64)
    for node in np.flatnonzero(model.feature >= 0):
        depth[[model.left[node], model.right[node]]] = depth[node] + 1
    return int(depth.max())


def _check_trees(model: Trees, sizes: list[int], width: int) -> None:
    arrays = (model.threshold, model.missing_left, model.left, model.right, model.value)
    if not sizes or min(sizes) < 1 or any(len(a) != len(model.feature) for a in arrays):
        raise ValueError("every tree needs feature, threshold, missing_left, left, right and value of one length")
    ends = np.repeat(model.roots + np.array(sizes), sizes)
    inner = model.feature >= 0
    if (model.feature >= width).any() or (model.left[inner] >= ends[inner]).any() or (model.right[inner] >= ends[inner]).any() \
            or (model.left[inner] <= np.arange(len(inner))[inner]).any() or (model.right[inner] <= np.arange(len(inner))[inner]).any():
        raise ValueError(f"a tree node points outside its tree or at a feature beyond the {width} there are")


def _vector(values) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or not np.isfinite(array).all():
        raise ValueError("expected a list of finite numbers")
    return array

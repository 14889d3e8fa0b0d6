"""The fitted candidate scorer: logistic regression over the features, with the
abstention threshold calibrated on the same training data. Weights are produced
by eval/fit_scorer.py; nothing here is typed in by hand."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from rag.answering.features import NAMES, QUESTION_NAMES
from rag.errors import ConfigError

WEIGHTS = Path(__file__).with_name("weights.json")


@dataclass(frozen=True)
class Scorer:
    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float  # abstain when the confidence that the best candidate is right is below this
    question: Logistic  # that confidence, from question-level features

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        return Logistic(self.mean, self.scale, self.coef, self.intercept).predict(features)

    def confidence(self, question_features: np.ndarray) -> float:
        return float(self.question.predict(question_features[None, :])[0])


@dataclass(frozen=True)
class Logistic:
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def predict(self, features: np.ndarray) -> np.ndarray:
        if len(features) == 0:
            return np.zeros(0)
        z = ((features - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))


def load_scorer(path: Path = WEIGHTS) -> Scorer:
    return _load(str(path))


@lru_cache(maxsize=4)
def _load(path: str) -> Scorer:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ConfigError(f"cannot read the answer scorer {path} ({error}); reinstall rag or run python eval/fit_scorer.py") from None
    if tuple(data["features"]) != NAMES or tuple(data["question"]["features"]) != QUESTION_NAMES:
        raise ConfigError(f"the answer scorer {path} was fitted on other features; run python eval/fit_scorer.py")
    return Scorer(
        tuple(data["features"]), np.array(data["mean"]), np.array(data["scale"]), np.array(data["coef"]),
        float(data["intercept"]), float(data["threshold"]), _logistic(data["question"]),
    )


def _logistic(data: dict) -> Logistic:
    return Logistic(np.array(data["mean"]), np.array(data["scale"]), np.array(data["coef"]), float(data["intercept"]))

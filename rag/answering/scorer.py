"""The fitted scorer: a candidate model over the features, a question-level model for
the confidence that the best candidate is right, and the abstention threshold
calibrated on the same training data. Everything is produced by eval/fit_scorer.py;
nothing here is typed in by hand."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from rag.answering.features import NAMES, QUESTION_NAMES
from rag.answering.models import Model, logistic_from, trees_from
from rag.errors import ConfigError

WEIGHTS = Path(__file__).with_name("weights.json")


@dataclass(frozen=True)
class Scorer:
    names: tuple[str, ...]
    candidate: Model  # the probability that a candidate answers
    threshold: float  # abstain when the confidence that the best candidate is right is below this
    question: Model  # that confidence, from question-level features
    extras: bool = False  # the question model also reads extra_question_features of the matrix

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        return self.candidate.predict(features)

    def confidence(self, question_features: np.ndarray, matrix: np.ndarray | None = None,
                   probabilities: np.ndarray | None = None) -> float:
        if self.extras:
            if matrix is None or probabilities is None:
                raise ValueError("this scorer's confidence reads the candidate matrix and probabilities too")
            question_features = np.concatenate([question_features, extra_question_features(matrix, probabilities)])
        return float(self.question.predict(question_features[None, :])[0])


def load_scorer(path: Path = WEIGHTS) -> Scorer:
    return _load(str(path))


@lru_cache(maxsize=4)
def _load(path: str) -> Scorer:
    fix = "reinstall rag or run python eval/fit_scorer.py"
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ConfigError(f"cannot read the answer scorer {path} ({error}); {fix}") from None
    try:
        names, asked = tuple(data["features"]), tuple(data["question"]["features"])
        extras = bool(data["question"].get("extras", False))
        if names != NAMES or asked != QUESTION_NAMES:
            raise ConfigError(f"the answer scorer {path} was fitted on other features; run python eval/fit_scorer.py")
        width = len(asked) + (len(extra_names(names)) if extras else 0)
        return Scorer(names, _model(data["candidate"], len(names)), _probability(data["threshold"]),
                      _model(data["question"], width), extras)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
        raise ConfigError(f"the answer scorer {path} is damaged ({_why(error)}); {fix}") from None


def _model(data: dict, width: int) -> Model:
    kinds = {"logistic": logistic_from, "trees": trees_from}
    if data.get("kind") not in kinds:
        raise ValueError(f"model kind {data.get('kind')!r} is not one of {', '.join(kinds)}")
    return kinds[data["kind"]](data, width)


def _probability(value) -> float:
    if not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"threshold {value} is not a probability")
    return float(value)


def _why(error: Exception) -> str:
    return f"missing {error}" if isinstance(error, KeyError) else " ".join(str(error).split())[:200]


def extra_names(names: tuple[str, ...] = NAMES) -> tuple[str, ...]:
    """What extra_question_features returns, in order."""
    head = ("third_logit", "top5_mass", "entropy", "candidates", "near_best_share")
    return head + tuple(f"best_row_{n}" for n in names) + tuple(f"lead_{n}" for n in names)


def extra_question_features(matrix: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Aggregates of the candidate matrix beyond QUESTION_NAMES: the spread of the
    probabilities, the best candidate's whole row, and its lead over the runner-up."""
    order = np.argsort(-probabilities, kind="stable")
    p = probabilities[order]
    best = matrix[order[0]]
    second = matrix[order[1]] if len(order) > 1 else np.zeros_like(best)
    share = p / max(p.sum(), 1e-9)
    entropy = float(-(share * np.log(np.clip(share, 1e-12, 1))).sum())
    third = float(p[2]) if len(p) > 2 else 0.0
    head = [_logit(third), float(p[:5].sum()), entropy, float(np.log1p(len(p))), float((p >= 0.5 * p[0]).mean())]
    return np.concatenate([head, best, best - second])


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return float(np.log(p / (1 - p)))

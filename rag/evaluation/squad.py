"""Exact match and token F1 as the official SQuAD v1.1 script defines them."""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Iterable

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = frozenset(string.punctuation)


def squad_normalize(text: str) -> str:
    """Lower case, no punctuation, no articles, single spaces (the official order)."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def exact_match(prediction: str, truth: str) -> bool:
    return squad_normalize(prediction) == squad_normalize(truth)


def token_f1(prediction: str, truth: str) -> float:
    predicted, gold = squad_normalize(prediction).split(), squad_normalize(truth).split()
    common = Counter(predicted) & Counter(gold)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision, recall = same / len(predicted), same / len(gold)
    return 2 * precision * recall / (precision + recall)


def best_exact_match(prediction: str, truths: Iterable[str]) -> float:
    return max((float(exact_match(prediction, t)) for t in truths), default=0.0)


def best_f1(prediction: str, truths: Iterable[str]) -> float:
    return max((token_f1(prediction, t) for t in truths), default=0.0)

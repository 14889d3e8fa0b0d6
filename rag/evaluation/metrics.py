"""Summary metrics over per-question results. A rate with nothing to count is None, not 0."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rag.evaluation.judging import QuestionResult

HIGHER_IS_BETTER = (
    "hit_at_1", "hit_at_3", "hit_at_k", "mrr",
    "answer_accuracy", "overall_accuracy", "citation_precision", "citation_recall", "correct_and_cited",
    "exact_match", "f1", "accuracy_coverage_area",
    "abstain_precision", "abstain_recall",
)
LOWER_IS_BETTER = ("wrong_abstention", "too_long_rate", "latency_p50_ms", "latency_p95_ms")
METRICS = HIGHER_IS_BETTER + LOWER_IS_BETTER


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between the two nearest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def hit_at(ranks: Sequence[int | None], k: int) -> float | None:
    return ratio(sum(1 for r in ranks if r is not None and r <= k), len(ranks))


def mean_reciprocal_rank(ranks: Sequence[int | None]) -> float | None:
    return sum(1 / r for r in ranks if r) / len(ranks) if ranks else None


def retrieval_metrics(results: Sequence[QuestionResult], k: int) -> dict[str, float | None]:
    """Over the questions that have gold evidence."""
    ranks = [r.retrieval_rank for r in results if r.has_evidence]
    return {"hit_at_1": hit_at(ranks, 1), "hit_at_3": hit_at(ranks, min(3, k)), "hit_at_k": hit_at(ranks, k), "mrr": mean_reciprocal_rank(ranks)}


def citation_precision(results: Sequence[QuestionResult]) -> float | None:
    """Correct citations among all citations given on answerable questions with gold evidence."""
    given = [c for r in results if r.answerable and r.citation_known and not r.abstained for c in r.citations]
    return ratio(sum(1 for c in given if c.correct), len(given))


def abstention_metrics(results: Sequence[QuestionResult]) -> dict[str, float | None]:
    abstained = [r for r in results if r.abstained]
    unanswerable = [r for r in results if not r.answerable]
    answerable = [r for r in results if r.answerable]
    return {
        "abstain_precision": ratio(sum(1 for r in abstained if not r.answerable), len(abstained)),
        "abstain_recall": ratio(sum(1 for r in unanswerable if r.abstained), len(unanswerable)),
        "wrong_abstention": ratio(sum(1 for r in answerable if r.abstained), len(answerable)),
    }


def answer_metrics(results: Sequence[QuestionResult]) -> dict[str, float | None]:
    """Citation recall counts only questions with gold evidence; correct_and_cited counts
    every answerable one, an unjudgeable citation neither helping nor failing it."""
    answerable = [r for r in results if r.answerable]
    judged = [r for r in answerable if r.citation_known]
    return {
        "answer_accuracy": ratio(sum(1 for r in answerable if r.correct), len(answerable)),
        "overall_accuracy": ratio(sum(1 for r in results if r.correct), len(results)),
        "too_long_rate": ratio(sum(1 for r in answerable if r.too_long), len(answerable)),
        "citation_precision": citation_precision(results),
        "citation_recall": ratio(sum(1 for r in judged if r.cited), len(judged)),
        "correct_and_cited": ratio(sum(1 for r in answerable if r.ok), len(answerable)),
    }


def span_metrics(results: Sequence[QuestionResult]) -> dict[str, float | None]:
    """SQuAD exact match and F1 of the short answers, over answerable questions with gold answers."""
    scored = [r for r in results if r.exact_match is not None]
    return {
        "exact_match": ratio(sum(r.exact_match for r in scored), len(scored)),
        "f1": ratio(sum(r.f1 or 0.0 for r in scored), len(scored)),
    }


COVERAGE_LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def tradeoff(results: Sequence[QuestionResult]) -> dict[str, object]:
    """Accuracy when answering only the most confident share of questions, at each share,
    and the area under that curve: how well confidence ranks right answers above wrong
    ones, whatever threshold is chosen. A question counts as right when it is answerable
    and answered correctly with a correct citation (its verdict with abstention ignored)."""
    if not results:
        return {"accuracy_at_coverage": {}, "accuracy_coverage_area": None}
    ordered = sorted(results, key=lambda r: -r.confidence)
    right = [r.right_if_answered for r in ordered]
    curve = {}
    for level in COVERAGE_LEVELS:
        n = max(1, round(level * len(ordered)))
        curve[f"{level:.1f}"] = round(sum(right[:n]) / n, 4)
    area = sum(sum(right[:n]) / n for n in range(1, len(right) + 1)) / len(right)
    return {"accuracy_at_coverage": curve, "accuracy_coverage_area": round(area, 4)}


def summarize(results: Sequence[QuestionResult], k: int) -> dict[str, float | int | None]:
    """Every metric in METRICS, plus the counts behind them."""
    latencies = [r.latency_ms for r in results]
    return {
        "questions": len(results),
        "answerable": sum(1 for r in results if r.answerable),
        "unanswerable": sum(1 for r in results if not r.answerable),
        "too_long": sum(1 for r in results if r.answerable and r.too_long),
        "k": k,
        **retrieval_metrics(results, k),
        **answer_metrics(results),
        **abstention_metrics(results),
        **span_metrics(results),
        **tradeoff(results),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
    }

"""Running the gold questions through an assistant and holding the result to the gate."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from rag.config import Settings
from rag.evaluation.gate import BUILT_IN, DEFAULT_THRESHOLDS, Check, Comparison, Thresholds, check, compare, load_thresholds
from rag.evaluation.gold import GoldQuestion, load_gold
from rag.evaluation.judging import QuestionResult, judge
from rag.evaluation.metrics import summarize
from rag.evaluation.report import read_report
from rag.types import Answer, Passage

THRESHOLDS_FILE = "thresholds.toml"


class SearcherLike(Protocol):
    def search(self, query: str, k: int | None = None) -> list[Passage]: ...


class AssistantLike(Protocol):
    searcher: SearcherLike

    def ask(self, question: str) -> Answer: ...


def build_assistant(settings: Settings) -> AssistantLike:
    from rag.pipeline import Assistant

    return Assistant.from_settings(settings)


@dataclass(frozen=True)
class EvalOutcome:
    gold: str
    settings: dict[str, Any]
    results: tuple[QuestionResult, ...]
    summary: dict[str, Any]
    checks: tuple[Check, ...]
    comparison: Comparison | None = None
    thresholds: str = ""  # the file the checks came from, or BUILT_IN

    @property
    def passed(self) -> bool:
        regressed = self.comparison is not None and bool(self.comparison.regressions)
        return all(c.passed for c in self.checks) and not regressed

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1


def evaluate(
    questions: Sequence[GoldQuestion], assistant: AssistantLike, k: int, on_result: Callable[[QuestionResult], None] | None = None
) -> list[QuestionResult]:
    """Ask every question (timed), retrieve for those with evidence, and judge both."""
    results = []
    for question in questions:
        started = time.perf_counter()
        answer = assistant.ask(question.question)
        latency_ms = (time.perf_counter() - started) * 1000
        passages = assistant.searcher.search(question.question, k) if question.evidence else []
        results.append(judge(question, answer, passages, latency_ms))
        if on_result:
            on_result(results[-1])
    return results


def sampled(questions: list[GoldQuestion], size: int | None) -> list[GoldQuestion]:
    """A fixed sample: the same ids on every machine and run, whatever the file order."""
    if size is None or size >= len(questions):
        return questions
    if size < 1:
        raise InputError(f"--sample {size}: give a number of questions of at least 1")
    return sorted(questions, key=lambda q: hashlib.sha256(q.id.encode("utf-8")).hexdigest())[:size]


def default_thresholds(gold: Path) -> Path | None:
    """The thresholds.toml beside the gold file, else eval/thresholds.toml under the
    working folder, else None: the built-in defaults."""
    for candidate in (gold.parent / THRESHOLDS_FILE, Path("eval") / THRESHOLDS_FILE):
        if candidate.is_file():
            return candidate
    return None


def settings_json(settings: Settings) -> dict[str, Any]:
    where = {"index": settings.index} if settings.store == "local" else {"store": settings.store}
    return {**where, "retriever": settings.retriever, "generator": settings.generator, "top_k": settings.top_k}


def run_evaluation(
    gold: Path,
    settings: Settings,
    *,
    thresholds: Path | None = None,
    baseline: Path | None = None,
    assistant: AssistantLike | None = None,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[QuestionResult], None] | None = None,
    sample: int | None = None,
) -> EvalOutcome:
    """Every input is read and checked before the first question is asked."""
    questions = sampled(load_gold(gold), sample)
    source = thresholds or default_thresholds(gold)
    bar = load_thresholds(source) if source else DEFAULT_THRESHOLDS
    earlier = read_report(baseline) if baseline else None
    assistant = assistant or build_assistant(settings)
    if on_start:
        on_start(len(questions))
    results = evaluate(questions, assistant, settings.top_k, on_result)
    outcome = outcome_of(str(gold), settings, results, bar, earlier, str(baseline) if baseline else "")
    return replace(outcome, thresholds=str(source) if source else BUILT_IN)


def outcome_of(
    gold: str, settings: Settings, results: Sequence[QuestionResult], bar: Thresholds, earlier: dict | None, baseline_name: str
) -> EvalOutcome:
    summary = summarize(results, settings.top_k)
    comparison = compare(earlier, baseline_name, summary, results, bar.tolerance) if earlier is not None else None
    return EvalOutcome(gold, settings_json(settings), tuple(results), summary, check(summary, bar), comparison)

"""The per-question report: written as JSON, read back as a baseline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.errors import InputError
from rag.evaluation.judging import QuestionResult

if TYPE_CHECKING:
    from rag.evaluation.runner import EvalOutcome

REPORT_FORMAT = "rag-eval-report/1"


def question_json(result: QuestionResult) -> dict[str, Any]:
    return {
        "id": result.id,
        "question": result.question,
        "answerable": result.answerable,
        "answer": result.answer,
        "abstained": result.abstained,
        "words": result.words,
        "word_limit": result.word_limit,
        "matched": result.matched,
        "too_long": result.too_long,
        "correct": result.correct,
        "cited": result.cited if result.citation_known else None,
        "ok": result.ok,
        "problems": result.problems(),
        "retrieval_rank": result.retrieval_rank if result.has_evidence else None,
        "citations": [{"n": c.n, "source": c.source, "locator": c.locator, "correct": c.correct} for c in result.citations],
        "latency_ms": round(result.latency_ms, 1),
    }


def rounded(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in summary.items()}


def summary_json(outcome: EvalOutcome) -> dict[str, Any]:
    """What --json prints: the metrics, the checks, and the baseline comparison if any."""
    out: dict[str, Any] = {
        "gold": outcome.gold,
        "settings": outcome.settings,
        "passed": outcome.passed,
        "summary": rounded(outcome.summary),
        "thresholds": outcome.thresholds,
        "checks": [{"metric": c.metric, "bound": c.bound, "limit": c.limit, "value": c.value, "passed": c.passed} for c in outcome.checks],
        "failed": [r.id for r in outcome.results if not r.ok],
        "too_long": [r.id for r in outcome.results if r.answerable and r.too_long],
    }
    if outcome.comparison is not None:
        comparison = outcome.comparison
        out["baseline"] = {
            "report": comparison.baseline,
            "worse": list(comparison.worse),
            "better": list(comparison.better),
            "regressions": [{"metric": c.metric, "before": c.before, "after": c.after} for c in comparison.regressions],
        }
    return out


def report_json(outcome: EvalOutcome) -> dict[str, Any]:
    return {"format": REPORT_FORMAT, **summary_json(outcome), "questions": [question_json(r) for r in outcome.results]}


def write_report(outcome: EvalOutcome, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report_json(outcome), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot write the report ({exc.strerror}); choose another --report path") from None


def read_report(path: Path) -> dict[str, Any]:
    """An earlier report, checked enough to compare against."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror}); give a report written by rag eval --report") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError(f"{path}: not JSON; give a report written by rag eval --report") from None
    if not isinstance(data, dict) or data.get("format") != REPORT_FORMAT:
        raise InputError(f"{path}: not a {REPORT_FORMAT} report; give a report written by rag eval --report")
    questions = data.get("questions")
    if not isinstance(data.get("summary"), dict) or not isinstance(questions, list):
        raise InputError(f"{path}: the report has no summary or questions; write it again with rag eval --report")
    if not all(isinstance(q, dict) and isinstance(q.get("id"), str) and "ok" in q for q in questions):
        raise InputError(f"{path}: a question in the report has no id or ok verdict; write it again with rag eval --report")
    return data

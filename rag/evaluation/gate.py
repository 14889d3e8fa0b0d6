"""The quality gate: thresholds from TOML, and the comparison with an earlier report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rag.errors import InputError
from rag.evaluation.judging import QuestionResult
from rag.evaluation.metrics import HIGHER_IS_BETTER, LOWER_IS_BETTER, METRICS
from rag.tomlfile import read_toml

# Latency depends on the machine and its load; an earlier report from another
# machine says nothing about a regression, so only quality rates are compared.
COMPARED = tuple(m for m in METRICS if not m.startswith("latency") and m != "accuracy_coverage_area")
DEFAULT_TOLERANCE = 0.02


@dataclass(frozen=True)
class Thresholds:
    minimums: Mapping[str, float]
    maximums: Mapping[str, float]
    tolerance: float = DEFAULT_TOLERANCE  # how far a rate may move the wrong way against --baseline


# The product's targets, for a gold file with no thresholds.toml of its own
# (eval/thresholds.toml holds the stricter bar calibrated on the bundled gold set).
DEFAULT_THRESHOLDS = Thresholds({"correct_and_cited": 0.85, "abstain_recall": 0.80}, {"wrong_abstention": 0.10})
BUILT_IN = "built-in defaults"


@dataclass(frozen=True)
class Check:
    metric: str
    bound: str  # "min" or "max"
    limit: float
    value: float | None

    @property
    def passed(self) -> bool:
        """A metric with nothing to count (None) does not fail the gate."""
        if self.value is None:
            return True
        return self.value >= self.limit if self.bound == "min" else self.value <= self.limit


def load_thresholds(path: Path) -> Thresholds:
    data = read_toml(path, InputError, label=str(path), unreadable="give --thresholds FILE.toml", invalid="fix the file")
    unknown = set(data) - {"min", "max", "baseline"}
    if unknown:
        raise InputError(f"{path}: unknown table [{sorted(unknown)[0]}]; use [min], [max] and [baseline]")
    tolerance = _number(path, "baseline.tolerance", data.get("baseline", {}).get("tolerance", DEFAULT_TOLERANCE))
    return Thresholds(_bounds(path, data.get("min", {}), "min"), _bounds(path, data.get("max", {}), "max"), tolerance)


def _bounds(path: Path, table: dict, bound: str) -> dict[str, float]:
    allowed = HIGHER_IS_BETTER if bound == "min" else LOWER_IS_BETTER
    for name in table:
        if name not in allowed:
            raise InputError(f"{path}: '{name}' cannot be a [{bound}] threshold; choose from: {', '.join(allowed)}")
    return {name: _number(path, f"{bound}.{name}", value) for name, value in table.items()}


def _number(path: Path, key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"{path}: {key} must be a number")
    return float(value)


def check(summary: Mapping[str, object], thresholds: Thresholds) -> tuple[Check, ...]:
    checks = [Check(m, "min", limit, summary.get(m)) for m, limit in thresholds.minimums.items()]
    checks += [Check(m, "max", limit, summary.get(m)) for m, limit in thresholds.maximums.items()]
    return tuple(checks)


@dataclass(frozen=True)
class MetricChange:
    metric: str
    before: float
    after: float
    tolerance: float

    @property
    def regressed(self) -> bool:
        worse_by = self.before - self.after if self.metric in HIGHER_IS_BETTER else self.after - self.before
        return worse_by > self.tolerance + 1e-9


@dataclass(frozen=True)
class Comparison:
    baseline: str
    worse: tuple[str, ...]  # question ids that passed before and fail now
    better: tuple[str, ...]
    changes: tuple[MetricChange, ...]

    @property
    def regressions(self) -> tuple[MetricChange, ...]:
        return tuple(c for c in self.changes if c.regressed)


def compare(baseline: Mapping, name: str, summary: Mapping[str, object], results: Sequence[QuestionResult], tolerance: float) -> Comparison:
    """Questions that changed verdict, and every rate that moved, against an earlier report."""
    before = {q["id"]: bool(q["ok"]) for q in baseline["questions"]}
    worse = tuple(r.id for r in results if before.get(r.id) is True and not r.ok)
    better = tuple(r.id for r in results if before.get(r.id) is False and r.ok)
    old = baseline["summary"]
    changes = tuple(
        MetricChange(m, float(old[m]), float(summary[m]), tolerance)
        for m in COMPARED
        if isinstance(old.get(m), (int, float)) and isinstance(summary.get(m), (int, float)) and old[m] != summary[m]
    )
    return Comparison(name, worse, better, changes)

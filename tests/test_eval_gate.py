"""The answer-quality gate on the real default pipeline: it holds on the bundled corpus,
and it can fail (an index of one seed document alone must not pass)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import ROOT, SEEDS

if importlib.util.find_spec("rag.pipeline") is None:
    pytest.skip("the answer pipeline (rag.pipeline) is not there yet", allow_module_level=True)

from rag.cli import app, evaluating, indexing  # noqa: E402,F401  (registers the commands)

GOLD = ROOT / "eval" / "seeds_gold.jsonl"
THRESHOLDS = ROOT / "eval" / "thresholds.toml"
ONE_DOCUMENT = "000_963f9f0aa51e0a84.txt"  # the smallest seed: most gold answers are elsewhere

pytestmark = pytest.mark.slow


def run_eval(index: Path, report: Path) -> tuple[int, dict]:
    args = ["eval", str(GOLD), "--index", str(index), "--thresholds", str(THRESHOLDS), "--report", str(report), "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def _failed_checks(summary: dict) -> list[str]:
    return [f"{c['metric']} = {c['value']} (limit {c['limit']})" for c in summary["checks"] if not c["passed"]]


def test_the_gate_fails_on_an_index_of_one_seed_document(real_embedder, tmp_path: Path) -> None:
    from rag.ingest import index_documents
    from rag.loaders import load_paths

    index = tmp_path / "one-document"
    index_documents(load_paths([str(SEEDS / ONE_DOCUMENT)]), index, real_embedder)
    code, summary = run_eval(index, tmp_path / "report.json")
    assert code == 1
    assert any(c["metric"] == "correct_and_cited" and not c["passed"] for c in summary["checks"])


SHARED_EXAMPLES = ROOT.parent / "shared" / "eval" / "gold-format-examples.jsonl"


@pytest.mark.skipif(not SHARED_EXAMPLES.is_file(), reason="../shared/eval is not beside this checkout")
def test_the_published_gold_format_examples_are_answered(seeds_index: Path, tmp_path: Path) -> None:
    report = tmp_path / "examples.json"
    args = ["eval", str(SHARED_EXAMPLES), "--index", str(seeds_index), "--report", str(report), "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code in (0, 1), result.output
    questions = json.loads(report.read_text())["questions"]
    # 6 of the 8 today: a date on a "Day:" label line and a list of roles spread over a
    # paragraph are still missed (see the README); the unanswerable one must abstain.
    assert sum(q["ok"] for q in questions) >= 6, [q["id"] for q in questions if not q["ok"]]
    assert all(q["ok"] for q in questions if not q["answerable"])

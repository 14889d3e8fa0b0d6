"""`rag eval`: gold questions through the assistant, held to the thresholds."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from rag.cli import app, console, err, handles_errors
from rag.cli.options import GeneratorOpt, IndexOpt, JsonOpt, RetrieverOpt, StoreOpt, TopKOpt, answering_settings
from rag.cli.safe import plain

out = console()
ANSWER_CHARS = 160


@app.command("eval")
@handles_errors
def eval_command(
    gold: Annotated[Path, typer.Argument(help="Gold questions, one JSON object a line.")],
    index: IndexOpt = None,
    generator: GeneratorOpt = None,
    retriever: RetrieverOpt = None,
    k: TopKOpt = None,
    report: Annotated[Optional[Path], typer.Option("--report", help="Write the per-question report here (JSON).")] = None,
    baseline: Annotated[Optional[Path], typer.Option("--baseline", help="An earlier --report to compare with.")] = None,
    thresholds: Annotated[
        Optional[Path], typer.Option("--thresholds", help="Thresholds TOML \\[default: thresholds.toml beside GOLD, else eval/thresholds.toml].")
    ] = None,
    sample: Annotated[Optional[int], typer.Option("--sample", help="Ask a fixed sample of N questions (the same N on every run).")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Score answers, citations, abstentions and retrieval on gold questions; exit 1 below the thresholds."""
    from rag.evaluation.report import summary_json, write_report
    from rag.evaluation.runner import run_evaluation

    settings = answering_settings(index=index, generator=generator, retriever=retriever, top_k=k, store=store)
    with _progress(enabled=err.is_terminal) as (on_start, on_result):
        outcome = run_evaluation(gold, settings, thresholds=thresholds, baseline=baseline, on_start=on_start, on_result=on_result, sample=sample)
    if report is not None:
        write_report(outcome, report)
    if as_json:
        print(json.dumps(summary_json(outcome), ensure_ascii=False))
    else:
        _render(outcome, report)
    raise typer.Exit(outcome.exit_code)


@contextmanager
def _progress(enabled: bool):
    if not enabled:
        yield None, None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("asking"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err, transient=True) as bar:
        task = bar.add_task("asking", total=None)
        yield (lambda total: bar.update(task, total=total)), (lambda result: bar.advance(task))


def _render(outcome, report: Path | None) -> None:
    failures = [r for r in outcome.results if not r.ok]
    if failures:
        out.print(_failures_table(failures))
    out.print(_metrics_table(outcome))
    curve = outcome.summary.get("accuracy_at_coverage") or {}
    if curve:
        points = "  ".join(f"{level}: {value:.2f}" for level, value in curve.items())
        out.print(f"accuracy when answering only the most confident share: {points}", highlight=False)
    if outcome.comparison is not None:
        _render_comparison(outcome.comparison)
    if outcome.thresholds:
        out.print(plain(f"thresholds: {outcome.thresholds}", oneline=True), highlight=False)
    if report is not None:
        out.print(plain(f"report: {report}", oneline=True), highlight=False)
    verdict = "[green]PASS[/green]" if outcome.passed else "[red]FAIL[/red]"
    out.print(f"{verdict} {len(outcome.results) - len(failures)}/{len(outcome.results)} questions ok")


def _failures_table(failures) -> Table:
    table = Table(title=f"{len(failures)} questions not ok", show_lines=True, expand=True)
    table.add_column("id", ratio=1)
    table.add_column("question", ratio=2)
    table.add_column("answer", ratio=3)
    table.add_column("problem", ratio=2, style="red")
    for r in failures:
        answer = ("(abstained) " if r.abstained else "") + r.answer
        answer = answer if len(answer) <= ANSWER_CHARS else answer[:ANSWER_CHARS] + "…"
        table.add_row(plain(r.id), plain(r.question), plain(answer), plain("; ".join(r.problems())))
    return table


def _metrics_table(outcome) -> Table:
    limits = {c.metric: c for c in outcome.checks}
    table = Table(title=plain(f"{outcome.gold}: {len(outcome.results)} questions, k={outcome.summary['k']}", oneline=True))
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("threshold", justify="right")
    table.add_column("", width=4)
    for name, value in outcome.summary.items():
        if name in ("questions", "k") or isinstance(value, dict):
            continue
        check = limits.get(name)
        bound = "" if check is None else f"{'≥' if check.bound == 'min' else '≤'} {_number(name, check.limit)}"
        status = "" if check is None else ("[green]ok[/green]" if check.passed else "[red]FAIL[/red]")
        table.add_row(name, _number(name, value), bound, status)
    return table


def _number(name: str, value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, int):
        return str(value)
    return f"{value:.1f}" if name.endswith("_ms") else f"{value:.3f}"


def _render_comparison(comparison) -> None:
    out.print(plain(f"against {comparison.baseline}:", oneline=True), highlight=False)
    for label, ids, colour in (("worse", comparison.worse, "red"), ("better", comparison.better, "green")):
        out.print(Text.assemble("  ", (label, colour), f" ({len(ids)}): ", plain(", ".join(ids) or "-", oneline=True)), highlight=False)
    for change in comparison.changes:
        mark = " [red]REGRESSION[/red]" if change.regressed else ""
        out.print(f"  {change.metric}: {_number(change.metric, change.before)} -> {_number(change.metric, change.after)}{mark}", highlight=False)

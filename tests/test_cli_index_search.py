"""`rag index` and `rag search` as a user runs them: sources as given, the JSON
shape, one-line errors, and --help on every command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import rag.cli as cli
from rag import embedding
from tests.conftest import SEEDS
from tests.fakes import FakeEmbedder

RESULT_KEYS = {"rank", "score", "source", "title", "locator", "text", "chunk_id"}
QMAS = "seeds/003_610bc2bd4f45bcec.txt"


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    """The app with every command `rag` registers, without running it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.Typer, "__call__", lambda self, *args, **kwargs: None)
        cli.main()  # imports the command modules as `rag` does, then returns
    return cli.app


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with a copy of the seeds, the fake embedder selected."""
    shutil.copytree(SEEDS, tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("RAG_")]:
        monkeypatch.delenv(name)
    monkeypatch.setitem(embedding.EMBEDDERS, "fake", FakeEmbedder)
    monkeypatch.setenv("RAG_EMBEDDER", "fake")
    return tmp_path


def rag(app: typer.Typer, *args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def test_index_then_search_json(app, workdir: Path) -> None:
    indexed = rag(app, "index", "seeds", "--index", "idx", "--json")
    assert indexed.exit_code == 0, indexed.output
    report = json.loads(indexed.stdout)
    assert (report["added"], report["updated"], report["removed"], report["unchanged"], report["skipped"]) == (4, 0, 0, 0, [])
    assert report["chunks"] == report["embedded"] > 4

    found = rag(app, "search", "QMAS applications received 2019", "--index", "idx", "--json", "-k", "3")
    assert found.exit_code == 0, found.output
    payload = json.loads(found.stdout)
    assert set(payload) == {"query", "results"} and payload["query"] == "QMAS applications received 2019"
    results = payload["results"]
    assert 1 <= len(results) <= 3 and [r["rank"] for r in results] == list(range(1, len(results) + 1))
    for result in results:
        assert set(result) == RESULT_KEYS
        assert result["source"].startswith("seeds/0") and result["locator"] and result["text"] and result["title"]
    assert results[0]["source"] == QMAS
    assert results[0]["title"] == "LCQ15: Quality Migrant Admission Scheme (QMAS)"


def test_index_report_and_search_table(app, workdir: Path) -> None:
    (workdir / "seeds" / "notes.xyz").write_text("unsupported", encoding="utf-8")
    first = rag(app, "index", "seeds", "--index", "idx")
    assert first.exit_code == 0, first.output
    assert "4 added, 0 updated, 0 removed, 0 unchanged, 1 skipped" in first.stdout
    assert "notes.xyz" in first.stderr
    (workdir / "seeds" / "000_963f9f0aa51e0a84.txt").unlink()
    with (workdir / "seeds" / "001_6a00f29d53398864.txt").open("a", encoding="utf-8") as handle:
        handle.write("\nA new paragraph about ferries.\n")
    second = rag(app, "index", "seeds", "--index", "idx")
    assert "0 added, 1 updated, 0 removed, 2 unchanged, 1 skipped, 1 not given and kept (--prune removes them)" in second.stdout
    pruned = rag(app, "index", "seeds", "--index", "idx", "--prune")
    assert "0 added, 0 updated, 1 removed, 3 unchanged, 1 skipped;" in pruned.stdout
    assert "removing seeds/000_963f9f0aa51e0a84.txt" in pruned.stderr

    table = rag(app, "search", "Quality Migrant Admission Scheme quota", "--index", "idx", "-k", "2")
    assert table.exit_code == 0, table.output
    assert "Results for: Quality Migrant Admission Scheme quota" in table.stdout
    assert QMAS in table.stdout and "│" in table.stdout


def test_jsonl_sources_name_their_record(app, workdir: Path) -> None:
    records = [{"_id": "reef-1", "title": "Reefs", "text": "Corals bleach when the sea warms."}, {"_id": "ice-2", "title": "Ice", "text": "Glaciers retreat."}]
    (workdir / "corpus.jsonl").write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    assert rag(app, "index", "corpus.jsonl", "--index", "idx").exit_code == 0
    found = rag(app, "search", "corals bleach", "--index", "idx", "--json", "-k", "1")
    [top] = json.loads(found.stdout)["results"]
    assert (top["source"], top["title"], top["locator"]) == ("corpus.jsonl#reef-1", "Reefs", "line 1")


def test_search_without_an_index_is_one_line_and_fails(app, workdir: Path) -> None:
    result = rag(app, "search", "anything", "--index", "nowhere")
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "rag index" in lines[0]
    assert "Traceback" not in result.output and result.stdout == ""


def test_search_without_a_query_is_one_line_and_fails(app, workdir: Path) -> None:
    assert rag(app, "index", "seeds", "--index", "idx").exit_code == 0
    result = rag(app, "search", "  ", "--index", "idx")
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "give a query" in result.stderr


def _command_paths(command, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        paths.append((*prefix, name))
        paths.extend(_command_paths(sub, (*prefix, name)))
    return paths


def test_help_works_on_every_command(app) -> None:
    paths = _command_paths(typer.main.get_command(app))
    assert {("index",), ("search",)} <= set(paths)
    top = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert top.exit_code == 0 and all(path[0] in top.stdout for path in paths)
    for path in paths:
        result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.stdout and path[-1] in result.stdout


def _rag_executable() -> list[str]:
    beside_python = Path(sys.executable).with_name("rag")
    if beside_python.exists():
        return [str(beside_python)]
    return [sys.executable, "-c", "import sys; from rag.cli import main; sys.argv[0] = 'rag'; main()"]


@pytest.mark.slow
def test_the_real_command_indexes_and_finds_the_launch_date(tmp_path: Path) -> None:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*_rag_executable(), *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)

    indexed = run("index", "seeds", "--index", "idx", "--json")
    assert indexed.returncode == 0, indexed.stderr
    assert json.loads(indexed.stdout)["added"] == 4
    found = run("search", "When was the Quality Migrant Admission Scheme launched?", "--index", "idx", "--json", "-k", "3")
    assert found.returncode == 0, found.stderr
    results = json.loads(found.stdout)["results"]
    assert results[0]["source"] == QMAS
    assert any(r["source"] == QMAS and "launched the Quality Migrant Admission Scheme (QMAS) in June 2006" in r["text"] for r in results)
    assert all(set(r) == RESULT_KEYS for r in results)


def test_search_table_prints_brackets_as_written(app, workdir: Path) -> None:
    (workdir / "docs").mkdir()
    (workdir / "docs" / "notes[1].txt").write_text("Ferry fares [/dim] rose by [bold]ten[/bold] percent.\n", encoding="utf-8")
    assert rag(app, "index", "docs", "--index", "idx").exit_code == 0
    result = rag(app, "search", "ferry fares", "--index", "idx")
    assert result.exit_code == 0, result.output
    assert "notes[1].txt" in result.stdout and "[/dim] rose by [bold]ten[/bold]" in result.stdout

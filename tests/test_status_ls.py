"""`rag status` and `rag ls`: counts, stale and missing files, skipped files with their
reasons, every setting with its origin, and exit 1 naming the fix when there is no index."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag import embedding
from tests.fakes import FakeEmbedder


@pytest.fixture
def app():
    from rag.cli import answering, app, evaluating, indexing, managing  # noqa: F401  (registers the commands)

    return app


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of documents (one unsupported) indexed into ./idx with the fake embedder."""
    for name in [n for n in os.environ if n.startswith("RAG_")]:
        monkeypatch.delenv(name)
    monkeypatch.setitem(embedding.EMBEDDERS, "fake", FakeEmbedder)
    monkeypatch.setenv("RAG_EMBEDDER", "fake")
    monkeypatch.chdir(tmp_path)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "[red]alpha.md").write_text("# Alpha\n\nCorals bleach when the sea warms.\n")
    (docs / "beta.txt").write_text("Glaciers retreat in warm summers.\n")
    records = [{"id": "r1", "text": "Ferries run every hour."}, {"id": "r2", "text": "Night buses run at weekends."}]
    (docs / "faq.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (docs / "picture.xyz").write_text("not a document")
    return tmp_path


def rag(app, *args: str, **env: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200", **env})


def _index(app) -> None:
    result = rag(app, "index", "docs", "--index", "idx", "--quiet")
    assert result.exit_code == 0, result.output


def test_ls_lists_documents_and_skipped_files_with_reasons(app, project: Path) -> None:
    _index(app)
    result = rag(app, "ls", "--index", "idx", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    sources = [d["source"] for d in payload["documents"]]
    assert sources == ["docs/[red]alpha.md", "docs/beta.txt", "docs/faq.jsonl#r1", "docs/faq.jsonl#r2"]
    assert all(d["chunks"] >= 1 and d["indexed"] and d["state"] == "ok" for d in payload["documents"])
    [skipped] = payload["skipped"]
    assert skipped["source"] == "docs/picture.xyz" and "unsupported file type" in skipped["reason"]
    shown = rag(app, "ls", "--index", "idx")
    assert "docs/[red]alpha.md" in shown.stdout  # file names are not read as markup
    assert "skipped docs/picture.xyz: unsupported file type" in shown.stdout


def test_status_counts_and_finds_changed_and_missing_files(app, project: Path) -> None:
    _index(app)
    (project / "docs" / "[red]alpha.md").write_text("# Alpha\n\nCorals recover when the sea cools.\n")
    (project / "docs" / "beta.txt").unlink()
    lines = (project / "docs" / "faq.jsonl").read_text().splitlines()
    (project / "docs" / "faq.jsonl").write_text(lines[0] + "\n" + json.dumps({"id": "r2", "text": "Night buses stopped."}) + "\n")
    result = rag(app, "status", "--index", "idx", "--json")
    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    assert status["documents"] == 4 and status["chunks"] >= 4 and status["skipped"] == 1
    assert status["changed"] == ["docs/[red]alpha.md", "docs/faq.jsonl#r2"]
    assert status["missing"] == ["docs/beta.txt"]
    assert (status["embedder"], status["generator"], status["retriever"]) == ("fake", "extractive", "hybrid")
    shown = rag(app, "status", "--index", "idx")
    assert "changed docs/[red]alpha.md" in shown.stdout and "missing docs/beta.txt" in shown.stdout


def test_status_is_found_from_a_subfolder_run_elsewhere(app, project: Path, monkeypatch) -> None:
    _index(app)
    (project / "rag.toml").write_text("index = 'idx'\ntop_k = 4\n")
    inner = project / "docs" / "deeper"
    inner.mkdir()
    monkeypatch.chdir(inner)
    result = rag(app, "status", "--json")
    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    assert Path(status["index"]) == project / "idx" and status["index_origin"] == str(project / "rag.toml")
    assert status["changed"] == [] and status["missing"] == []  # sources are found from where they were indexed


def test_status_names_the_origin_of_every_setting_and_hides_the_key(app, project: Path) -> None:
    _index(app)
    (project / "rag.toml").write_text("rrf_k = 30\n")
    result = rag(app, "status", "--index", "idx", "--json", RAG_TOP_K="3", RAG_OPENAI_API_KEY="sk-very-secret")
    assert result.exit_code == 0, result.output
    settings = json.loads(result.stdout)["settings"]
    assert settings["top_k"] == {"value": 3, "origin": "env RAG_TOP_K"}
    assert settings["rrf_k"] == {"value": 30, "origin": str(project / "rag.toml")}
    assert settings["index"]["origin"] == "flag" and settings["fusion"]["origin"] == "default"
    assert settings["openai_api_key"]["value"] == "(set)"
    shown = rag(app, "status", "--index", "idx", RAG_OPENAI_API_KEY="sk-very-secret")
    assert "sk-very-secret" not in shown.output and "RAG_EMBEDDER" in shown.stdout


@pytest.mark.parametrize("command", ["status", "ls"])
def test_missing_index_exits_1_naming_the_command_to_build_it(app, project: Path, command: str) -> None:
    result = rag(app, command, "--index", "nowhere")
    assert result.exit_code == 1
    assert "rag index" in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", ["status", "ls"])
def test_damaged_index_exits_1_naming_the_rebuild(app, project: Path, command: str) -> None:
    _index(app)
    (project / "idx" / "CURRENT").write_text("somewhere-else\n")
    result = rag(app, command, "--index", "idx", "--json")
    assert result.exit_code == 1 and "rag index --rebuild" in result.stderr and result.stdout == ""


def test_a_long_line_into_a_pipe_is_not_wrapped_at_80_columns(app, project: Path, monkeypatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    deep = project / ("a-rather-long-folder-name-" * 4) / "idx"
    result = CliRunner().invoke(app, ["index", "docs", "--index", str(deep), "--quiet"])
    assert result.exit_code == 0, result.output
    [summary] = [line for line in result.stdout.splitlines() if "added" in line]
    assert len(summary) > 100 and str(deep) in summary

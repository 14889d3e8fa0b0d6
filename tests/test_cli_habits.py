"""What people expect of a command-line tool: --version, `-` for stdin, --quiet, no
colour when asked, shell completion, and `rag batch` that is safe to interrupt and resume."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag import embedding
from rag.batch import default_output
from rag.cli import _no_color_first
from rag.types import Answer
from tests.conftest import ROOT, SEEDS
from tests.fakes import FakeEmbedder

Q2019 = "How many QMAS applications were received in 2019?"


@pytest.fixture
def app():
    from rag.cli import answering, app, evaluating, indexing, managing  # noqa: F401  (registers the commands)

    return app


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in [n for n in os.environ if n.startswith("RAG_")]:
        monkeypatch.delenv(name)
    monkeypatch.setitem(embedding.EMBEDDERS, "fake", FakeEmbedder)
    monkeypatch.setenv("RAG_EMBEDDER", "fake")
    return monkeypatch


def _rag_process(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environ.update(PYTHONPATH=str(ROOT), **env)
    code = "from rag.cli import main; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=environ, timeout=120)


def test_version_prints_name_and_number() -> None:
    done = _rag_process("--version")
    assert done.returncode == 0
    assert re.fullmatch(r"rag \d+\.\d+\.\d+\S*\n", done.stdout)


def test_version_falls_back_to_the_package_when_not_installed(monkeypatch) -> None:
    import importlib.metadata

    from rag import __version__
    from rag.cli import version

    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    assert version() == __version__


def test_shell_completion_is_offered() -> None:
    # Without a parent shell to detect (CI, nohup), typer takes the shell as the argument.
    done = _rag_process("--show-completion", "bash", _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1")
    assert done.returncode == 0 and "_rag_completion" in done.stdout


@pytest.mark.parametrize(
    ("args", "env"),
    [(["--no-color", "status", "--index", "nowhere"], {}), (["status", "--index", "nowhere", "--no-color"], {}), (["status", "--index", "nowhere"], {"NO_COLOR": "1"})],
)
def test_no_color_means_no_ansi_at_all(args, env) -> None:
    forced = {"FORCE_COLOR": "1", "TERM": "xterm-256color"}
    coloured = _rag_process("status", "--index", "nowhere", **forced)
    assert "\x1b[" in coloured.stderr  # the check below can fail
    plain = _rag_process(*args, **forced, **env)
    assert plain.returncode == 1 and "error: no index at nowhere" in plain.stderr
    assert "\x1b" not in plain.stderr + plain.stdout


def test_no_color_help_has_no_ansi() -> None:
    done = _rag_process("ask", "--help", "--no-color", FORCE_COLOR="1", TERM="xterm-256color")
    assert done.returncode == 0 and "--quiet" in done.stdout and "\x1b" not in done.stdout


def test_no_color_moves_to_the_front_but_not_past_a_double_dash() -> None:
    assert _no_color_first(["ask", "q", "--no-color"]) == ["--no-color", "ask", "q"]
    assert _no_color_first(["ask", "--", "--no-color"]) == ["ask", "--", "--no-color"]


@pytest.fixture
def seeds_folder(tmp_path: Path, clean_env) -> Path:
    import shutil

    shutil.copytree(SEEDS, tmp_path / "seeds")
    clean_env.chdir(tmp_path)
    return tmp_path


def test_ask_dash_reads_the_question_from_stdin_and_quiet_hides_notes(app, seeds_folder: Path) -> None:
    result = CliRunner().invoke(app, ["ask", "-", "--generator", "extractive", "--json", "--quiet"], input=Q2019 + "\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["question"] == Q2019
    assert "indexing the bundled seeds" not in result.stderr
    empty = CliRunner().invoke(app, ["ask", "-"], input="  \n")
    assert empty.exit_code == 2 and "rag ask -" in empty.stderr


def test_without_quiet_the_first_use_note_is_shown(app, seeds_folder: Path) -> None:
    result = CliRunner().invoke(app, ["search", "QMAS 2019", "--json"])
    assert result.exit_code == 0, result.output
    assert "indexing the bundled seeds" in result.stderr


def test_remote_url_from_a_project_file_stops_ask_with_one_line(app, seeds_folder: Path) -> None:
    (seeds_folder / "pyproject.toml").write_text("[tool.rag]\ngenerator = 'openai'\nopenai_base_url = 'https://example.com/v1'\n")
    result = CliRunner().invoke(app, ["ask", "When?"])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "pyproject.toml" in result.stderr and "--openai-base-url" in result.stderr


def test_default_batch_outputs_never_collide() -> None:
    assert default_output(Path("d/qs.txt")) == Path("d/qs.txt.answers.jsonl")
    assert default_output(Path("d/qs.jsonl")) == Path("d/qs.answers.jsonl")
    assert default_output(Path("qs")) == Path("qs.answers.jsonl")


class _Interrupting:
    """Answers until it has answered `stop_after`, then behaves like Ctrl-C."""

    def __init__(self, stop_after: int | None) -> None:
        self.stop_after, self.asked = stop_after, 0

    def ask(self, question: str) -> Answer:
        if self.stop_after is not None and self.asked >= self.stop_after:
            raise KeyboardInterrupt
        self.asked += 1
        return Answer(question, question.upper(), False, ())


def test_batch_ctrl_c_prints_progress_and_the_exact_resume_command(app, tmp_path: Path, monkeypatch) -> None:
    from rag.cli import answering

    questions = tmp_path / "qs.txt"
    questions.write_text("one\ntwo\nthree\n")
    assistant = _Interrupting(stop_after=1)
    monkeypatch.setattr(answering, "_assistant", lambda *a, **k: assistant)
    result = CliRunner().invoke(app, ["batch", str(questions), "--generator", "extractive"])
    assert result.exit_code == 130
    out = tmp_path / "qs.txt.answers.jsonl"
    assert f"1 of 3 answered in {out}" in result.stderr
    command = result.stderr.split("continue with: ")[1].strip()
    assert command == f"rag batch {shlex.quote(str(questions))} --out {shlex.quote(str(out))} --resume --generator extractive"
    assistant.stop_after = None
    resumed = CliRunner().invoke(app, shlex.split(command)[1:])
    assert resumed.exit_code == 0, resumed.output
    assert [json.loads(line)["answer"] for line in out.read_text().splitlines()] == ["ONE", "TWO", "THREE"]


def test_batch_duplicate_ids_exit_2_naming_the_lines(app, tmp_path: Path, monkeypatch) -> None:
    from rag.cli import answering

    questions = tmp_path / "qs.jsonl"
    questions.write_text('{"id": "a", "question": "x"}\n{"id": "b", "question": "y"}\n{"id": "a", "question": "z"}\n')
    monkeypatch.setattr(answering, "_assistant", lambda *a, **k: _Interrupting(None))
    result = CliRunner().invoke(app, ["batch", str(questions)])
    assert result.exit_code == 2
    assert "id 'a' is used on lines 1, 3" in result.stderr
    assert not (tmp_path / "qs.answers.jsonl").exists()

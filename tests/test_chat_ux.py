"""`rag chat` as a person meets it: a terminal with line editing and history, Ctrl-C that
stops an answer but not the session, citations under each answer, /open and /sources,
and an index rebuilt under an open session."""

from __future__ import annotations

import contextlib
import io
import os
import pty
import re
import shlex
import shutil
import signal
import time
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from rag.embedding import register_embedder
from rag.index import Index
from rag.ingest import index_documents
from rag.loaders import load_paths
from tests.chat_driver import RUNNER, Chat, Terminal, chat_command, chat_env
from tests.fakes import FakeEmbedder

QUESTION = "How many visitors did the city museum have in 2019?"
MUSEUM = (
    "The city museum opened in 1902 on the old market square. Its roof was replaced in 1988.\n\n"
    "City museum visitors by year\n\nYear   Visitors   Staff\n2019   41 896   120\n2020   12 966   95\n2021   30 100   101\n\n"
    "Entry is free on Sundays. The museum holds 4 000 paintings and a library of maps.\n"
)
RIVER = "The river floods most springs. A dam was finished in 1975 upstream of the town.\n"


@pytest.fixture
def seeds_index(tmp_path: Path, monkeypatch) -> Path:
    register_embedder("fake", FakeEmbedder)
    monkeypatch.setenv("RAG_EMBEDDER", "fake")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "museum.txt").write_text(MUSEUM, encoding="utf-8")
    (docs / "river.txt").write_text(RIVER, encoding="utf-8")
    root = tmp_path / "index"
    index_documents(load_paths([str(docs)]), root, FakeEmbedder())
    return root


def _chat(index: Path, session: str) -> str:
    from rag.cli import answering, evaluating, indexing  # noqa: F401
    from rag.cli import app

    result = CliRunner().invoke(app, ["chat", "--index", str(index), "--generator", "extractive"], input=session)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return " ".join(result.output.split())


def _wait_for_file(path: Path, chat: Chat, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert chat.process.poll() is None, chat.text
        assert time.monotonic() < deadline, f"{path} never appeared:\n{chat.text}"
        time.sleep(0.05)


# --- commands and rendering (scripted stdin) ------------------------------------------


def test_citations_are_listed_under_the_answer_and_open_shows_the_neighbours(seeds_index):
    output = _chat(seeds_index, f"{QUESTION}\n/open 1\n/open 9\n/open x\n")
    assert "41 896" in output
    # Compact citation lines: "[1] <file>, line 34" without typing /sources.
    cited = re.search(r"\[1\] (\S+museum\.txt), (lines? [\d-]+)", output)
    assert cited, output
    chunks = Index.open(seeds_index, FakeEmbedder.name).chunks
    row = next(i for i, c in enumerate(chunks) if c.source == cited.group(1) and c.locator.startswith(cited.group(2)))
    for neighbour in (chunks[row - 1], chunks[row + 1]):
        assert neighbour.source == cited.group(1)
        assert " ".join(neighbour.text.split()) in output
    assert "there is no passage [9]; choose 1 to" in output
    assert "/open needs a passage number" in output


def test_unknown_commands_are_errors_listing_the_valid_ones(seeds_index):
    output = _chat(seeds_index, "/sourcse\n/help\n")
    assert "unknown command /sourcse; commands: /help, /sources, /open, /exit, /quit" in output
    assert "searching for" not in output and "documents do not contain" not in output  # not asked as a question
    assert "/open N: passage N in full" in output  # /help


def test_sources_after_an_abstention_says_why(seeds_index):
    output = _chat(seeds_index, "What is the airspeed velocity of an unladen swallow?\n/sources\n")
    assert "do not contain the answer" in output
    reason = re.search(r"do not contain the answer to this question \(([^()]+)\)", output).group(1)
    assert f"the last question was not answered because {reason}" in output


def test_follow_ups_are_resolved_and_shown_standalone_ones_are_not(seeds_index):
    output = _chat(seeds_index, f"{QUESTION}\nAnd in 2020?\nHow many paintings did He Wang's museum hold?\n")
    assert f"→ searching for: {QUESTION.replace('2019', '2020')}" in output
    assert "966" in output  # the 2020 row
    assert output.count("searching for") == 1  # "He Wang" is a name, not a follow-up


def test_an_index_rebuilt_under_the_session_is_reloaded_before_the_next_question(tmp_path, seeds_index):
    from rag.cli.chat import run_chat
    from rag.config import Settings
    from rag.conversation import Conversation
    from rag.pipeline import Assistant

    only_one = tmp_path / "one"
    only_one.mkdir()
    (only_one / "river.txt").write_text(RIVER, encoding="utf-8")

    class Script:
        lines = [QUESTION, QUESTION]

        def read(self) -> str:
            if not self.lines:
                raise EOFError
            if len(self.lines) == 1:  # between the two turns: `rag index --rebuild` elsewhere
                index_documents(load_paths([str(only_one)]), seeds_index, FakeEmbedder(), rebuild=True)
            return self.lines.pop(0)

    buffer = io.StringIO()
    console = Console(file=buffer, width=200)
    settings = Settings.load({"index": str(seeds_index), "generator": "extractive"})
    run_chat(Conversation(settings, Assistant.from_settings), console, console, Script())
    output = buffer.getvalue()
    first, second = output.split("index updated: now 1 documents")
    assert "41 896" in first
    assert "41 896" not in second and "do not contain the answer" in second  # the new generation lacks that table


# --- the terminal (a pty) -------------------------------------------------------------


def test_ctrl_c_stops_an_answer_and_keeps_the_session(tmp_path, seeds_index):
    marker = tmp_path / "generating"
    chat = Chat(seeds_index, "slow", tmp_path, FAKE_GENERATING=str(marker))
    try:
        chat.wait_for(r"\? ")
        chat.line(QUESTION)
        _wait_for_file(marker, chat)
        chat.interrupt()
        chat.wait_for(r"\(stopped\)")
        assert "draft" not in chat.text  # the unverified draft never reaches the screen
        marker.unlink()
        chat.line(QUESTION)  # the session is still there and answers
        _wait_for_file(marker, chat)
        chat.wait_for(r"41 896", 90)
        chat.wait_for(r"\? ")
        chat.interrupt_at_prompt()  # Ctrl-C at the prompt ends the session cleanly
        code, output = chat.finish()
    finally:
        chat.kill()
    assert code == 0, output
    assert "Traceback" not in output


def test_ctrl_c_while_the_model_loads_keeps_the_session(tmp_path, seeds_index):
    loading = tmp_path / "loading"
    chat = Chat(seeds_index, "slowload", tmp_path, FAKE_LOADING=str(loading), FAKE_LOAD_SECONDS="2")
    try:
        chat.wait_for(r"\? ")
        chat.line(QUESTION)
        chat.wait_for("Loading the answer model")
        _wait_for_file(loading, chat)
        chat.interrupt()
        chat.wait_for(r"\(stopped\)")
        chat.line(QUESTION)  # waits for the load the stopped answer started, then answers
        chat.wait_for(r"41 896", 90)
        chat.wait_for(r"\? ")
        chat.send("\x04")  # Ctrl-D
        code, output = chat.finish()
    finally:
        chat.kill()
    assert code == 0, output
    assert "Traceback" not in output and "Error" not in output
    assert "Loading index" in output


def test_history_is_kept_across_sessions_and_recalled_with_the_up_arrow(tmp_path, seeds_index):
    first = Chat(seeds_index, "extractive", tmp_path)
    try:
        first.wait_for(r"\? ")
        first.line(QUESTION)
        first.wait_for(r"41 896")
        first.wait_for(r"\? ")
        first.send("\x04")
        assert first.finish()[0] == 0
    finally:
        first.kill()
    history = tmp_path / "state" / "rag" / "history"
    assert QUESTION in history.read_text(encoding="utf-8")
    second = Chat(seeds_index, "extractive", tmp_path)
    try:
        second.wait_for(r"\? ")
        second.send("\x1b[A")  # up arrow: the question from the last session
        second.send("\r")
        second.wait_for(r"41 896")
        second.wait_for(r"\? ")
        second.send("\x04")
        code, output = second.finish()
    finally:
        second.kill()
    assert code == 0
    assert "^[[A" not in output


@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")
def test_ctrl_c_under_make_keeps_the_session_and_make_exits_0(tmp_path, seeds_index):
    """`make chat` puts the chat in make's process group: the terminal's Ctrl-C reached
    make as well, which died with it. Keys go through the terminal here, as a person's would."""
    marker = tmp_path / "generating"
    (tmp_path / "runner.py").write_text(RUNNER, encoding="utf-8")
    python, _, _, *args = chat_command(seeds_index, "slow")
    command = " ".join(shlex.quote(part) for part in (python, str(tmp_path / "runner.py"), *args))
    (tmp_path / "Makefile").write_text(f"chat:\n\t{command}\n\techo make-went-on\n", encoding="utf-8")
    env = chat_env(tmp_path, FAKE_GENERATING=str(marker))
    pid, fd = pty.fork()
    if pid == 0:  # the child: make, on a terminal of its own
        os.chdir(tmp_path)
        os.execvpe("make", ["make", "-s", "chat"], env)
    terminal = Terminal(fd)
    try:
        terminal.wait_for(r"\? ")
        terminal.send(QUESTION + "\r")
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert time.monotonic() < deadline, terminal.text
            time.sleep(0.05)
        terminal.send("\x03")  # Ctrl-C, as the terminal sends it: to the foreground group
        terminal.wait_for(r"\(stopped\)")
        terminal.wait_for(r"\? ")
        terminal.press_until("\x03", "make-went-on")  # Ctrl-C at the prompt, again if unseen
        _, status = os.waitpid(pid, 0)
    finally:
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, terminal.text


# --- what a first run says ----------------------------------------------------------------


def test_the_answer_model_says_when_its_first_load_converts_it(tmp_path):
    from rag.generation.local import LocalGenerator

    generator = LocalGenerator(model_dir=tmp_path)
    assert "first run converts it" in generator.loading_note
    (tmp_path / "model.safetensors").write_bytes(b"")
    assert generator.loading_note == "Loading the answer model …"


def test_bm25s_debug_logging_stays_off_the_terminal(tmp_path):
    import logging

    from rag.bm25 import BM25Index

    BM25Index.build(["one passage", "another passage"]).save(tmp_path)
    BM25Index.load(tmp_path)
    assert logging.getLogger("bm25s").getEffectiveLevel() >= logging.WARNING

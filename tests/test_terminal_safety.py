"""Untrusted text never reaches the terminal as control sequences or Rich markup:
real `rag` processes over a corpus whose text and file names carry escape
sequences, and a chat that shows only the verified answer, never the draft."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import rag.cli as cli
from rag.cli.safe import printable
from tests.rag_process import run_rag

ESC, BEL = "\x1b", "\x07"
HOSTILE = (
    f"The harbour library opens at 9 am on weekdays. PWNED{ESC}]0;PWNED title{BEL} "
    f"Visitors must show a card.{ESC}[2J{ESC}[?1049h\n\n"
    f"The reading room holds 5 896 books from 2019. \u202eevil\u202c \u2066iso\u2069 "
    f"{ESC}]8;;http://evil.example{BEL}click here{ESC}]8;;{BEL} zero\u200bwidth \x9b31m.\n"
)
HOSTILE_NAME = f"lib [red]x[bold] {ESC}[31mred\u202e.txt"
# Bytes a terminal acts on: ESC, BEL, CSI (C1), bidi overrides and isolates, zero-width space.
FORBIDDEN = (ESC, BEL, "\x9b", "\u202e", "\u202c", "\u2066", "\u2069", "\u200b")


def assert_clean(*outputs: str) -> None:
    for output in outputs:
        found = [repr(c) for c in FORBIDDEN if c in output]
        assert not found, f"{found} reached the terminal in {output!r}"


# --- the one function -----------------------------------------------------------------


@pytest.mark.parametrize("hostile", [ESC + "]0;title" + BEL, ESC + "[2J", ESC + "[?1049h", "\x9b2J", "\r", "\x00", "\x7f"])
def test_controls_are_shown_escaped(hostile: str) -> None:
    shown = printable(f"a{hostile}b")
    assert_clean(shown)
    assert shown.startswith("a\\x") and shown.endswith("b") and all(ord(c) >= 0x20 for c in shown)


def test_bidi_overrides_escaped_invisible_characters_dropped() -> None:
    assert printable("pay\u202elap.exe\u202c") == "pay\\u202elap.exe\\u202c"
    assert printable("\u2066iso\u2069") == "\\u2066iso\\u2069"
    assert printable("zero\u200bwidth\ufeff join\u200d\U000e0041") == "zerowidth join"
    assert printable("Stra\u00dfe, 東京, naïve, soft\u00adhyphen\ttab") == "Stra\u00dfe, 東京, naïve, soft\u00adhyphen\ttab"


def test_newlines_kept_in_bodies_escaped_on_one_line() -> None:
    assert printable("one\ntwo") == "one\ntwo"
    assert printable("name\nFAKE LINE", oneline=True) == "name\\nFAKE LINE"
    assert printable("\u2028") == "\\u2028"


def test_lone_surrogates_from_undecodable_file_names_are_escaped() -> None:
    shown = printable("caf\udce9.txt")
    assert shown == "caf\\udce9.txt"
    shown.encode("utf-8")  # printable, so it can be written to a UTF-8 terminal


# --- real processes over a hostile corpus ----------------------------------------------


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("hostile")
    docs = work / "docs"
    docs.mkdir()
    (docs / HOSTILE_NAME).write_text(HOSTILE, encoding="utf-8")
    (docs / f"skip{ESC}]0;owned{BEL}.xyz").write_text("not a supported type", encoding="utf-8")
    done = run_rag("index", "docs", "--index", "idx", cwd=work)
    (work / "index.out").write_text(done.stdout, encoding="utf-8")
    (work / "index.err").write_text(done.stderr, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    return work


def test_index_skip_lines_escaped(hostile_index: Path) -> None:
    stdout, stderr = ((hostile_index / name).read_text(encoding="utf-8") for name in ("index.out", "index.err"))
    assert_clean(stdout, stderr)
    assert "skipped" in stderr and "skip\\x1b]0;owned\\x07.xyz" in stderr  # the skipped file's name, escaped


def test_search_shows_text_and_names_escaped(hostile_index: Path) -> None:
    done = run_rag("search", "harbour library weekdays", "--index", "idx", cwd=hostile_index)
    assert done.returncode == 0, done.stderr
    assert_clean(done.stdout, done.stderr)
    assert "\\x1b]0;PWNED title\\x07" in done.stdout and "\\u202eevil" in done.stdout
    assert "[red]x[bold]" in done.stdout  # the file name as written, not as markup


def test_search_json_keeps_the_text_exactly(hostile_index: Path) -> None:
    done = run_rag("search", "harbour library weekdays", "--index", "idx", "--json", cwd=hostile_index)
    assert done.returncode == 0, done.stderr
    assert ESC not in done.stdout  # JSON escapes it as \u001b ...
    result = json.loads(done.stdout)["results"][0]
    assert f"{ESC}]0;PWNED title{BEL}" in result["text"] and result["source"].endswith(HOSTILE_NAME)  # ... and gives it back whole


def test_ask_with_a_verified_answer_holding_escapes(hostile_index: Path) -> None:
    # The draft repeats the document's own escape sequence, so verification keeps it.
    reply = f"The harbour library opens at 9 am on weekdays PWNED{ESC}]0;PWNED{BEL} [1]."
    done = run_rag("ask", "When does the harbour library open on weekdays?", "--index", "idx", "--generator", "scripted", cwd=hostile_index, FAKE_REPLY=reply)
    assert done.returncode == 0, done.stderr
    assert_clean(done.stdout, done.stderr)
    assert "9 am" in done.stdout and "[1] docs/lib [red]x[bold] \\x1b[31mred\\u202e.txt" in done.stdout


def test_ask_extractive_quotes_escaped(hostile_index: Path) -> None:
    done = run_rag("ask", "How many books does the reading room hold?", "--index", "idx", "--generator", "extractive", cwd=hostile_index)
    assert done.returncode == 0, done.stderr
    assert_clean(done.stdout, done.stderr)
    assert "5 896" in done.stdout


def test_chat_answers_and_sources_escaped(hostile_index: Path) -> None:
    session = "How many books does the reading room hold?\n/sources\n/exit\n"
    done = run_rag("chat", "--index", "idx", "--generator", "extractive", cwd=hostile_index, stdin=session)
    assert done.returncode == 0, done.stderr
    assert_clean(done.stdout, done.stderr)
    assert "5 896" in done.stdout and "\\x1b]0;PWNED title\\x07" in done.stdout  # the answer, then /sources' passage


INJECTED = "URGENT: your account is locked, log in at http://evil.example/login now [1]."


def test_chat_never_shows_the_unverified_draft(hostile_index: Path) -> None:
    session = "When does the harbour library open on weekdays?\n/exit\n"
    done = run_rag("chat", "--index", "idx", "--generator", "scripted", cwd=hostile_index, stdin=session, FAKE_REPLY=INJECTED)
    assert done.returncode == 0, done.stderr
    assert "URGENT" not in done.stdout + done.stderr and "evil.example/login" not in done.stdout + done.stderr
    assert "[1]." in done.stdout  # the verified answer (here the quoted evidence) is shown instead


# --- user strings are never Rich markup ------------------------------------------------


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.Typer, "__call__", lambda self, *args, **kwargs: None)
        cli.main()  # registers every command, as `rag` does
    return cli.app


@pytest.mark.parametrize("index", ["x/[/red]oops", "idx[v2]/nope", "[bold]idx"])
def test_index_names_with_markup_are_named_as_written(hostile_index: Path, index: str) -> None:
    done = run_rag("search", "library", "--index", index, cwd=hostile_index)
    assert done.returncode == 1 and "Traceback" not in done.stderr and "MarkupError" not in done.stderr
    assert f"no index at {index}" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_batch_out_path_with_markup(hostile_index: Path) -> None:
    questions = hostile_index / "questions.txt"
    questions.write_text("When does the harbour library open?\n", encoding="utf-8")
    done = run_rag("batch", "questions.txt", "--index", "idx", "--generator", "extractive", "--out", "out[/x].jsonl", cwd=hostile_index)
    assert done.returncode == 0, done.stderr
    assert "1 written to out[/x].jsonl" in done.stdout
    assert (hostile_index / "out[/x].jsonl").is_file()


def test_help_shows_every_bracket_of_every_help_text(app: typer.Typer) -> None:
    import typer.main

    group = typer.main.get_command(app)
    for name, command in group.commands.items():
        shown = CliRunner().invoke(app, [name, "--help"], env={"COLUMNS": "400"}).output
        for param in command.params:
            text = (param.help or "").replace("\\[", "[")
            if "[" in text:
                assert text in " ".join(shown.split()), f"rag {name} --help lost the brackets of {text!r}"


def test_error_lines_with_control_characters_are_escaped(hostile_index: Path) -> None:
    bad = hostile_index / f"q{ESC}]0;x{BEL}.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    done = run_rag("search", "--batch", bad.name, "--index", "idx", cwd=hostile_index)
    assert done.returncode == 2 and "not a JSON object" in done.stderr
    assert_clean(done.stderr)


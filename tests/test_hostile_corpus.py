"""One hostile corpus through every command that reads it, as real `rag` processes:
the good file is indexed, the bad ones are skipped with their reasons, nothing outside
the folder is searchable, and no raw control character reaches the terminal."""

from __future__ import annotations

import json
from pathlib import Path

from rag.index import Index
from tests.fakes import FakeEmbedder
from tests.hostile import (
    GOOD,
    INDEXED,
    SKIPPED,
    assert_no_control_chars,
    build_hostile_corpus,
    control_chars,
)
from tests.test_index_safety import run_rag


def _rag(cwd: Path, *args: str):
    done = run_rag(*args, cwd=cwd)
    assert done.returncode == 0, (args, done.stderr)
    assert "Traceback" not in done.stderr
    return done


def test_hostile_corpus_end_to_end(tmp_path: Path) -> None:
    corpus = build_hostile_corpus(tmp_path)
    index = ["--index", "idx"]

    indexed = _rag(tmp_path, "index", corpus.name, *index)
    skip_lines = [line for line in indexed.stderr.splitlines() if line.startswith("skipped ")]
    assert len(skip_lines) == len(SKIPPED), indexed.stderr
    for name, words in SKIPPED.items():
        assert any(f"{name}: " in line and words in line for line in skip_lines), (name, skip_lines)
    sources = {Path(s).name for s in Index.open(tmp_path / "idx", FakeEmbedder.name).manifest.documents}
    assert sources == INDEXED
    assert_no_control_chars(indexed.stdout + indexed.stderr, what="rag index")

    found = json.loads(_rag(tmp_path, "search", "lighthouse keeper tide", *index, "--json").stdout)["results"]
    assert Path(found[0]["source"]).name == GOOD
    deep = json.loads(_rag(tmp_path, "search", "abyssal anglerfish", *index, "--json", "--retriever", "bm25").stdout)["results"]
    assert Path(deep[0]["source"]).name == "deep.html"
    outside = json.loads(_rag(tmp_path, "search", "vault code 4417 pelican", *index, "--json", "--retriever", "bm25").stdout)["results"]
    assert outside == [], outside

    table = _rag(tmp_path, "search", "marigold fields bloom", *index)
    assert "escapes.txt" in table.stdout
    assert_no_control_chars(table.stdout, what="rag search")

    asked = _rag(tmp_path, "ask", "When does the lighthouse keeper log the tide?", *index, "--generator", "extractive")
    assert "4417" not in asked.stdout
    assert_no_control_chars(asked.stdout, what="rag ask")
    injected = _rag(tmp_path, "ask", "What do the marigold fields and the ferry timetable say?", *index, "--generator", "extractive")
    assert_no_control_chars(injected.stdout, what="rag ask")

    (tmp_path / "questions.txt").write_text("When does the keeper light the lamp?\nWhat is the vault code?\n", encoding="utf-8")
    batch = _rag(tmp_path, "batch", "questions.txt", "--out", "answers.jsonl", *index, "--generator", "extractive")
    answers = [json.loads(line) for line in (tmp_path / "answers.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(answers) == 2 and "4417" not in json.dumps(answers)
    assert_no_control_chars(batch.stdout, what="rag batch")

    queries = [{"id": "q1", "text": "lighthouse lamp"}, {"id": "q2", "text": "marigold zero width"}, {"id": "q3", "text": "vault code 4417"}]
    (tmp_path / "q.jsonl").write_text("".join(json.dumps(q) + "\n" for q in queries), encoding="utf-8")
    _rag(tmp_path, "search", "--batch", "q.jsonl", "--out", "results.jsonl", *index)
    results = [json.loads(line) for line in (tmp_path / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in results] == ["q1", "q2", "q3"]
    assert Path(results[0]["results"][0]["source"]).name == GOOD
    assert all("4417" not in p["text"] and "outside" not in p["source"] for r in results for p in r["results"])


def test_the_control_character_check_can_fail() -> None:
    assert control_chars("plain text\nand a tab\t") == []
    assert control_chars("title\x1b]0;x\x07 and \u202e") == ["\x07", "\x1b", "\u202e"]

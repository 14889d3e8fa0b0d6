from __future__ import annotations

import json

import pytest

from rag.batch import done_ids, read_questions, run_batch
from rag.errors import InputError, RagError


def _answer(question: str) -> dict:
    if "boom" in question:
        raise RagError("that question broke")
    return {"question": question, "answer": question.upper(), "abstained": False, "citations": [], "timings_ms": {}}


def test_jsonl_with_malformed_lines_answers_the_rest(tmp_path):
    source = tmp_path / "q.jsonl"
    source.write_text('{"id": "a", "question": "one"}\nnot json\n{"id": "c"}\n{"question": "four"}\n{"id": "e", "question": "boom"}\n')
    out = tmp_path / "out.jsonl"
    records = list(run_batch(read_questions(source), _answer, out, resume=False))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert lines == records
    assert [r["id"] for r in lines] == ["a", "2", "c", "4", "e"]
    assert lines[0]["answer"] == "ONE" and lines[0]["error"] is None
    assert "line 2" in lines[1]["error"] and "line 3" in lines[2]["error"]
    assert lines[3]["answer"] == "FOUR"
    assert lines[4]["error"] == "that question broke"


def test_resume_skips_done_and_drops_a_torn_line(tmp_path):
    source = tmp_path / "q.txt"
    source.write_text("first\nsecond\nthird\n")
    out = tmp_path / "out.jsonl"
    out.write_text(json.dumps({"id": "1", "answer": "FIRST"}) + '\n{"id": "2", "ans')
    assert done_ids(out) == {"1"}
    list(run_batch(read_questions(source), _answer, out, resume=True))
    ids = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    assert ids == ["1", "2", "3"]


def test_existing_output_needs_resume(tmp_path):
    source = tmp_path / "q.txt"
    source.write_text("first\n")
    out = tmp_path / "out.jsonl"
    out.write_text("")
    with pytest.raises(InputError, match="--resume"):
        list(run_batch(read_questions(source), _answer, out, resume=False))

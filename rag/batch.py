"""Batch questions: each answer is written and flushed as it is done, and a run can resume."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rag.errors import InputError, RagError


@dataclass(frozen=True)
class BatchItem:
    id: str
    question: str | None  # None when the line could not be read
    error: str | None = None
    line: int = 0


def default_output(questions: Path) -> Path:
    """Answers beside the questions: q.jsonl -> q.answers.jsonl, any other name keeps
    its suffix (q.txt -> q.txt.answers.jsonl), so two inputs never share an output."""
    name = questions.name[: -len(".jsonl")] if questions.name.lower().endswith(".jsonl") else questions.name
    return questions.with_name(f"{name}.answers.jsonl")


def read_questions(path: Path) -> list[BatchItem]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror}); check the path") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; save it as UTF-8") from None
    if path.suffix.lower() == ".jsonl":
        items = [_jsonl_item(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
    else:
        items = [BatchItem(str(n), line.strip(), line=n) for n, line in enumerate(lines, start=1) if line.strip()]
    _refuse_duplicates(path, items)
    return items


def _refuse_duplicates(path: Path, items: list[BatchItem]) -> None:
    """Answers are matched to questions by id, so --resume would skip a repeated one."""
    lines: dict[str, list[int]] = {}
    for item in items:
        lines.setdefault(item.id, []).append(item.line)
    for qid, numbers in lines.items():
        if len(numbers) > 1:
            where = ", ".join(str(n) for n in numbers)
            raise InputError(f"{path}: id '{qid}' is used on lines {where}; give each question its own id")


def _jsonl_item(number: int, line: str) -> BatchItem:
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return BatchItem(str(number), None, f"line {number}: not valid JSON; fix that line", number)
    if not isinstance(record, dict):
        return BatchItem(str(number), None, f"line {number}: not a JSON object; fix that line", number)
    qid = str(record.get("id", number))
    question = record.get("question")
    if not isinstance(question, str):
        return BatchItem(qid, None, f"line {number}: needs a 'question' string; fix that line", number)
    return BatchItem(qid, question, line=number)


def check_output(out: Path, source: Path, *, overwrite: bool | None = None) -> None:
    """An output never replaces its input, however it is named (symbolic or hard link included);
    with overwrite given, an existing output is replaced only when it is True (--force)."""
    if out.exists() and source.exists() and os.path.samefile(out, source):
        raise InputError(f"--out {out} is the input file {source}; choose another --out")
    if overwrite is False and out.exists():
        raise InputError(f"{out} exists; pass --force to overwrite it or choose another --out")


def done_ids(out: Path) -> set[str]:
    """Ids already answered in OUT; a torn last line (the run was killed) does not count."""
    if not out.is_file():
        return set()
    ids = set()
    for line in out.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            ids.add(str(json.loads(line)["id"]))
        except (json.JSONDecodeError, KeyError, TypeError):
            continue
    return ids


def _trim_torn_tail(out: Path) -> None:
    if not out.is_file() or out.stat().st_size == 0:
        return
    data = out.read_bytes()
    if not data.endswith(b"\n"):
        out.write_bytes(data[: data.rfind(b"\n") + 1])


def run_batch(items: list[BatchItem], answer: Callable[[str], dict], out: Path, resume: bool) -> Iterator[dict]:
    """Answer each pending item, appending one JSON line per item as soon as it is done."""
    if out.exists() and not resume:
        raise InputError(f"{out} exists; pass --resume to continue it or choose another --out")
    _trim_torn_tail(out)
    skip = done_ids(out) if resume else set()
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a", encoding="utf-8") as handle:
        for item in items:
            if item.id in skip:
                continue
            record = _answer_item(item, answer)
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
            skip.add(item.id)
            yield record


def _answer_item(item: BatchItem, answer: Callable[[str], dict]) -> dict:
    if item.question is None:
        return {"id": item.id, "question": None, "answer": None, "abstained": None, "citations": [], "timings_ms": {}, "error": item.error}
    try:
        return {"id": item.id, **answer(item.question), "error": None}
    except RagError as exc:
        return {"id": item.id, "question": item.question, "answer": None, "abstained": None, "citations": [], "timings_ms": {}, "error": str(exc)}

"""`rag search --batch`: many queries in one process, one output line each."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rag.batch import check_output
from rag.errors import InputError
from rag.searching import Searcher, passage_json


def read_queries(path: Path) -> list[tuple[str, str]]:
    queries = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read it ({exc}); give a UTF-8 .jsonl file") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            text = record.get("text", record.get("question"))
            qid = str(record.get("_id", record.get("id", number)))
        except (json.JSONDecodeError, AttributeError):
            raise InputError(f"{path}:{number}: not a JSON object; fix that line") from None
        if not isinstance(text, str):
            raise InputError(f"{path}:{number}: needs a 'text' or 'question' string; fix that line")
        queries.append((qid, text))
    return queries


def run_batch_search(searcher: Searcher, batch: Path, out: Path | None, k: int, force: bool = False) -> None:
    if out is not None:
        check_output(out, batch, overwrite=force)
    queries = read_queries(batch)
    retriever = searcher.retriever()
    handle = out.open("w", encoding="utf-8") if out else sys.stdout
    try:
        for qid, text in queries:
            passages = retriever.retrieve(text, k)
            handle.write(json.dumps({"id": qid, "query": text, "results": [passage_json(p) for p in passages]}, ensure_ascii=False) + "\n")
            handle.flush()
    finally:
        if out:
            handle.close()

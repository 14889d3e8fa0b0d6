"""The on-disk chunk store: one JSON line per chunk, in index row order."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path

from rag.types import Chunk

_FIELDS = {f.name for f in fields(Chunk)}


def write_chunks(path: Path, chunks: list[Chunk]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for chunk in chunks:
            handle.write(json.dumps({k: v for k, v in asdict(chunk).items() if v not in (None, "")}, ensure_ascii=False))
            handle.write("\n")


def read_chunks(path: Path) -> list[Chunk]:
    chunks = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            chunks.append(Chunk(**{k: v for k, v in record.items() if k in _FIELDS}))
    return chunks

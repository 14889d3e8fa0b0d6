"""The on-disk chunk store: one JSON line per chunk, in index row order."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path

from rag.types import Chunk

_FIELDS = {f.name for f in fields(Chunk)}
_REQUIRED = {"id", "source", "title", "text"}


def write_chunks(path: Path, chunks: list[Chunk]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for chunk in chunks:
            # Empty optional fields are left out: they come back as the dataclass defaults.
            record = {k: v for k, v in asdict(chunk).items() if k in _REQUIRED or v not in (None, "")}
            handle.write(json.dumps(record, ensure_ascii=False))
            handle.write("\n")


def read_chunks(path: Path) -> list[Chunk]:
    """Raises ValueError on a line that is not a chunk, so callers can name the damaged file."""
    chunks = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            record = json.loads(line)
            if not isinstance(record, dict) or not {"id", "source", "text"} <= record.keys():
                raise ValueError(f"{path}:{number} is not a chunk record")
            # JSON has no tuples: lists come back as the tuples the frozen Chunk holds.
            values = {k: tuple(v) if isinstance(v, list) else v for k, v in record.items() if k in _FIELDS}
            chunks.append(Chunk(**{"title": "", **values}))
    return chunks

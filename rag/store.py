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
            handle.write(json.dumps(chunk_record(chunk), ensure_ascii=False))
            handle.write("\n")


def chunk_record(chunk: Chunk) -> dict:
    # Empty optional fields are left out: they come back as the dataclass defaults.
    return {k: v for k, v in asdict(chunk).items() if k in _REQUIRED or v not in (None, "")}


def chunk_from_record(record: dict) -> Chunk:
    """Raises ValueError on a record that is not a chunk."""
    if not isinstance(record, dict) or not {"id", "source", "text"} <= record.keys():
        raise ValueError("not a chunk record")
    # JSON has no tuples: lists come back as the tuples the frozen Chunk holds.
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in record.items() if k in _FIELDS}
    return Chunk(**{"title": "", **values})


def read_chunks(path: Path) -> list[Chunk]:
    """Raises ValueError on a line that is not a chunk, so callers can name the damaged file."""
    chunks = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                chunks.append(chunk_from_record(json.loads(line)))
            except ValueError:
                raise ValueError(f"{path}:{number} is not a chunk record") from None
    return chunks

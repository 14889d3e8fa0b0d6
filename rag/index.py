"""The index directory: generations of (manifest, chunks, vectors, BM25) behind
a CURRENT pointer that is swapped atomically, so readers never see a mix."""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from rag import store, vectors
from rag.errors import IndexError_, IndexLockedError

if TYPE_CHECKING:
    import numpy as np

    from rag.bm25 import BM25Index
    from rag.types import Chunk

FORMAT_VERSION = 1
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
CHUNKS = "chunks.jsonl"
EMBEDDINGS = "embeddings.npy"
FAISS = "vectors.faiss"
BM25_DIR = "bm25"
LOCK = ".lock"
REBUILD_HINT = "run `rag index --rebuild` to build it again"


@dataclass(frozen=True)
class Manifest:
    format_version: int
    embedder: str
    dim: int
    chunker: dict
    index_type: str
    documents: dict[str, dict]  # source -> {"hash", "title", "first", "count"}
    created: float = field(default_factory=time.time)

    @property
    def chunk_count(self) -> int:
        return sum(d["count"] for d in self.documents.values())

    def to_json(self) -> dict:
        return {
            "format_version": self.format_version,
            "embedder": {"name": self.embedder, "dim": self.dim},
            "chunker": self.chunker,
            "index_type": self.index_type,
            "created": self.created,
            "documents": self.documents,
        }

    @classmethod
    def from_json(cls, data: dict) -> Manifest:
        return cls(
            format_version=int(data["format_version"]),
            embedder=data["embedder"]["name"],
            dim=int(data["embedder"]["dim"]),
            chunker=dict(data["chunker"]),
            index_type=str(data.get("index_type", "flat")),
            documents=dict(data["documents"]),
            created=float(data.get("created", 0)),
        )


def current_generation(root: Path) -> Path | None:
    pointer = root / CURRENT
    if not pointer.is_file():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    return root / name if name else None


class Index:
    """A loaded, read-only generation. Vectors and BM25 load on first use."""

    def __init__(self, root: Path, folder: Path, manifest: Manifest, chunks: list[Chunk]) -> None:
        self.root, self.folder, self.manifest, self.chunks = root, folder, manifest, chunks

    @classmethod
    def open(cls, root: Path | str, embedder_name: str | None = None, dim: int | None = None) -> Index:
        root = Path(root)
        folder = current_generation(root)
        if folder is None or not (folder / MANIFEST).is_file():
            raise IndexError_(f"no index at {root}; build it with `rag index PATH --index {root}`")
        manifest = _read_manifest(folder)
        _check_compatible(manifest, folder, embedder_name, dim)
        chunks = _read_chunk_store(folder, manifest)
        return cls(root, folder, manifest, chunks)

    @cached_property
    def vectors(self):
        try:
            index = vectors.load(self.folder / FAISS)
        except (RuntimeError, OSError) as exc:
            raise IndexError_(f"{self.folder / FAISS} is damaged ({str(exc).splitlines()[0][:80]}); {REBUILD_HINT}") from None
        if index.ntotal != len(self.chunks):
            raise IndexError_(f"{self.folder / FAISS} holds {index.ntotal} vectors for {len(self.chunks)} chunks; {REBUILD_HINT}")
        return index

    @cached_property
    def bm25(self) -> BM25Index:
        from rag.bm25 import BM25Index

        try:
            return BM25Index.load(self.folder / BM25_DIR)
        except (OSError, ValueError, KeyError, json.JSONDecodeError) as exc:
            raise IndexError_(f"{self.folder / BM25_DIR} is damaged ({type(exc).__name__}); {REBUILD_HINT}") from None

    def embeddings(self) -> np.ndarray:
        import numpy as np

        try:
            matrix = np.load(self.folder / EMBEDDINGS, mmap_mode="r")
        except (OSError, ValueError) as exc:
            raise IndexError_(f"{self.folder / EMBEDDINGS} is damaged ({type(exc).__name__}); {REBUILD_HINT}") from None
        if matrix.shape != (len(self.chunks), self.manifest.dim):
            raise IndexError_(f"{self.folder / EMBEDDINGS} does not match the chunk store; {REBUILD_HINT}")
        return matrix

    def table_rows(self, table_id: str) -> list[Chunk]:
        return [c for c in self.chunks if c.table_id == table_id]


def _read_manifest(folder: Path) -> Manifest:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        version = int(data["format_version"])
    except (OSError, ValueError, KeyError, TypeError):
        raise IndexError_(f"{folder / MANIFEST} is unreadable; {REBUILD_HINT}") from None
    if version > FORMAT_VERSION:
        raise IndexError_(
            f"{folder} was written by a newer rag (index format {version}, this one reads {FORMAT_VERSION}); upgrade rag or {REBUILD_HINT}"
        )
    if version < FORMAT_VERSION:
        raise IndexError_(f"{folder} uses the old index format {version}; {REBUILD_HINT}")
    try:
        return Manifest.from_json(data)
    except (KeyError, TypeError, ValueError):
        raise IndexError_(f"{folder / MANIFEST} is incomplete; {REBUILD_HINT}") from None


def _check_compatible(manifest: Manifest, folder: Path, embedder_name: str | None, dim: int | None) -> None:
    if embedder_name and manifest.embedder != embedder_name:
        raise IndexError_(f"{folder} was built with the embedder {manifest.embedder}, not {embedder_name}; {REBUILD_HINT}")
    if dim and manifest.dim != dim:
        raise IndexError_(f"{folder} holds {manifest.dim}-dimensional vectors, the embedder makes {dim}; {REBUILD_HINT}")


def _read_chunk_store(folder: Path, manifest: Manifest) -> list[Chunk]:
    try:
        chunks = store.read_chunks(folder / CHUNKS)
    except (OSError, ValueError, TypeError):
        raise IndexError_(f"{folder / CHUNKS} is unreadable; {REBUILD_HINT}") from None
    if len(chunks) != manifest.chunk_count:
        raise IndexError_(f"{folder / CHUNKS} has {len(chunks)} chunks, the manifest lists {manifest.chunk_count}; {REBUILD_HINT}")
    return chunks


def lock(root: Path, wait_seconds: float):
    """An exclusive writer lock; the OS drops it if the writer is killed."""
    from filelock import FileLock, Timeout

    root.mkdir(parents=True, exist_ok=True)
    file_lock = FileLock(str(root / LOCK))
    try:
        file_lock.acquire(timeout=wait_seconds)
    except Timeout:
        raise IndexLockedError(
            f"another `rag index` is writing {root}; wait for it to finish (or pass --wait SECONDS)"
        ) from None
    return file_lock


def new_generation(root: Path) -> Path:
    folder = root / f"gen-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    folder.mkdir(parents=True)
    return folder


def publish(root: Path, folder: Path) -> None:
    """Point CURRENT at a finished generation in one atomic rename, then prune."""
    previous = current_generation(root)
    tmp = root / f".{CURRENT}.{uuid.uuid4().hex[:6]}"
    tmp.write_text(folder.name + "\n", encoding="utf-8")
    _fsync_dir(folder)
    os.replace(tmp, root / CURRENT)
    _fsync_dir(root)
    keep = {folder.name, previous.name if previous else ""}
    prune(root, keep)


def prune(root: Path, keep: set[str]) -> None:
    # The previous generation stays: a reader may still be loading it.
    for child in root.iterdir():
        if child.is_dir() and child.name.startswith("gen-") and child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

"""The index directory: generations of (manifest, chunks, vectors, BM25) behind
a CURRENT pointer that is swapped atomically, so readers never see a mix.
This module reads it; rag.ingest writes new generations."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import time
import weakref
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from rag import store, vectors
from rag.errors import IndexError_, InputError

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
GENERATION_PREFIX = "gen-"
POINTER_TMP = f".{CURRENT}."
PIN_ATTEMPTS = 5


@dataclass(frozen=True)
class Manifest:
    format_version: int
    embedder: str
    dim: int
    chunker: dict
    index_type: str
    documents: dict[str, dict]  # source -> {"hash", "title", "first", "count", "indexed"?}
    created: float = field(default_factory=time.time)
    files: dict[str, dict] = field(default_factory=dict)  # binary file -> {"bytes", "sha256"}
    skipped: list[dict] = field(default_factory=list)  # {"source", "reason"} of the last `rag index`
    base: str = ""  # the folder relative sources were named from, to find them again

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
            "files": self.files,
            "documents": self.documents,
            "skipped": self.skipped,
            "base": self.base,
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
            files=dict(data.get("files", {})),
            skipped=list(data.get("skipped", [])),
            base=str(data.get("base", "")),
        )


def rebuild_hint(root: Path, manifest: Manifest | None = None) -> str:
    """The command that rebuilds this index, runnable as written: the folder the user
    named (never a generation inside it) and, when the manifest tells, what it was built from."""
    command = f"rag index --rebuild --index {shlex.quote(str(root))}"
    built_from = _built_from(manifest) if manifest else None
    if built_from:
        return f"run `{command} {shlex.quote(built_from)}` to build it again"
    return f"run `{command}` followed by the files or folders to index to build it again"


def _built_from(manifest: Manifest) -> str | None:
    # A .jsonl record's source is "file.jsonl#id".
    sources = [s if os.path.exists(s) else s.rsplit("#", 1)[0] for s in manifest.documents]
    try:
        common = os.path.commonpath(sources)
    except ValueError:  # none, or absolute and relative mixed
        return None
    return common if common and os.path.exists(common) else None


def require_folder(root: Path) -> None:
    """An index is a folder: a file in its place, or above it, is named in one line
    instead of surfacing as a bare 'File exists' or 'Not a directory'."""
    for path in (root, *root.parents):
        if path.exists():
            if not path.is_dir():
                raise InputError(f"{path} is a file, not an index folder; pass a folder with --index")
            return


def current_generation(root: Path) -> Path | None:
    pointer = root / CURRENT
    if not pointer.is_file():
        return None
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        raise IndexError_(f"{pointer} is unreadable; {rebuild_hint(root)}") from None
    if not name.startswith(GENERATION_PREFIX) or "/" in name or os.sep in name:
        raise IndexError_(f"{pointer} does not name a generation of this index; {rebuild_hint(root)}")
    return root / name


def is_index_folder(folder: Path) -> bool:
    """An index root (it has a CURRENT pointer) or one of its generations (a manifest beside a chunk store)."""
    try:
        return (folder / CURRENT).is_file() or ((folder / MANIFEST).is_file() and (folder / CHUNKS).is_file())
    except OSError:  # an unlistable folder is reported by whoever lists it
        return False


class Index:
    """A loaded, read-only generation: the local rag.stores.Store. Vectors and BM25 load on
    first use; until the Index is closed or collected, a shared lock keeps writers from deleting its files."""

    def __init__(self, root: Path, folder: Path, manifest: Manifest, chunks: list[Chunk], reader_fd: int | None = None) -> None:
        self.root, self.folder, self.manifest, self.chunks = root, folder, manifest, chunks
        self.name = str(root)
        self._release = weakref.finalize(self, _close, reader_fd)
        self._last_bm25: tuple[str, np.ndarray] | None = None

    @classmethod
    def open(cls, root: Path | str, embedder_name: str | None = None, dim: int | None = None) -> Index:
        root = Path(root)
        folder, fd = _pin_current(root)
        try:
            manifest = _read_manifest(root, folder)
            _check_compatible(manifest, root, embedder_name, dim)
            chunks = _read_chunk_store(root, folder, manifest)
        except BaseException:
            _close(fd)
            raise
        return cls(root, folder, manifest, chunks, fd)

    def close(self) -> None:
        self._release()

    @cached_property
    def vectors(self):
        path = self._checked(FAISS)
        try:
            index = vectors.load(path)
        except (RuntimeError, OSError, MemoryError):
            raise IndexError_(f"{path} is damaged or missing (FAISS cannot read it); {self._hint}") from None
        if index.ntotal != len(self.chunks):
            raise IndexError_(f"{path} holds {index.ntotal} vectors for {len(self.chunks)} chunks; {self._hint}")
        return index

    @cached_property
    def bm25(self) -> BM25Index:
        from rag.bm25 import BM25Index

        for name in self.manifest.files:
            if name.startswith(f"{BM25_DIR}/"):
                self._checked(name)
        try:
            return BM25Index.load(self.folder / BM25_DIR)
        except (OSError, ValueError, KeyError, EOFError) as exc:
            raise IndexError_(f"{self.folder / BM25_DIR} is damaged ({type(exc).__name__}); {self._hint}") from None

    def embeddings(self) -> np.ndarray:
        return self._embeddings

    @cached_property
    def _embeddings(self) -> np.ndarray:
        import numpy as np

        path = self._checked(EMBEDDINGS)
        try:
            matrix = np.load(path, mmap_mode="r")
        except (OSError, ValueError, EOFError) as exc:
            raise IndexError_(f"{path} is damaged ({type(exc).__name__}); {self._hint}") from None
        if matrix.shape != (len(self.chunks), self.manifest.dim):
            raise IndexError_(f"{path} does not match the chunk store; {self._hint}")
        return matrix

    def _checked(self, name: str) -> Path:
        # FAISS and the BM25 arrays trust their input: one changed byte can make them
        # hang, crash or rank silently wrong, so a file is hashed before its first use.
        path = self.folder / name
        expected = self.manifest.files.get(name)
        if expected is not None and not _matches(path, expected):
            raise IndexError_(f"{path} is damaged or missing (it does not match its checksum); {self._hint}")
        return path

    @property
    def _hint(self) -> str:
        return rebuild_hint(self.root, self.manifest)

    def table_rows(self, table_id: str) -> list[Chunk]:
        return [c for c in self.chunks if c.table_id == table_id]

    # --- the rag.stores.Store interface ------------------------------------------------

    def __len__(self) -> int:
        return len(self.chunks)

    def chunks_at(self, rows: Sequence[int]) -> list[Chunk]:
        return [self.chunks[r] for r in rows]

    def dense(self, query_vector: np.ndarray, n: int) -> list[tuple[int, float]]:
        n = min(n, len(self.chunks))
        if n < 1:
            return []
        scores, rows = self.vectors.search(query_vector, n)
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]

    def dense_scores(self, query_vector: np.ndarray, rows: Sequence[int]) -> dict[int, float]:
        if not rows:
            return {}
        values = self.embeddings()[list(rows)] @ query_vector[0]
        return {row: float(v) for row, v in zip(rows, values)}

    def keyword(self, query: str, n: int) -> list[tuple[int, float]]:
        from rag.bm25 import top_rows

        return [(int(r), float(s)) for r, s in zip(*top_rows(self._bm25_scores(query), n))]

    def keyword_scores(self, query: str, rows: Sequence[int]) -> dict[int, float]:
        scores = self._bm25_scores(query)
        return {row: float(scores[row]) for row in rows if scores[row] > 0}

    def _bm25_scores(self, query: str) -> np.ndarray:
        # Hybrid search asks for the top rows and then for other rows' scores of one query:
        # both come from one pass over the postings.
        if self._last_bm25 is None or self._last_bm25[0] != query:
            self._last_bm25 = (query, self.bm25.scores(query))
        return self._last_bm25[1]

    def warm(self) -> None:
        _ = self.bm25, self.vectors

    def is_current(self) -> bool:
        return current_generation(self.root) == self.folder


def file_record(path: Path) -> dict:
    """What the manifest keeps of a binary file so a reader can check it before trusting it."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def _matches(path: Path, expected: dict) -> bool:
    try:
        return file_record(path) == expected
    except OSError:
        return False


def _pin_current(root: Path) -> tuple[Path, int]:
    """The current generation and an fd holding a shared lock on its manifest. A writer
    may swap CURRENT and delete the old generation before we lock it: then we follow CURRENT."""
    require_folder(root)
    for _ in range(PIN_ATTEMPTS):
        folder = current_generation(root)
        if folder is None:
            raise IndexError_(f"no index at {root}; build it with `rag index PATH --index {root}`")
        fd = _lock_shared(folder / MANIFEST)
        if fd is not None:
            return folder, fd
        if current_generation(root) == folder:
            raise IndexError_(f"{root / CURRENT} names {folder.name}, which is missing or incomplete; {rebuild_hint(root)}")
    raise IndexError_(f"{root} is being rewritten too often to read; wait for `rag index` to finish and try again")


def _lock_shared(manifest: Path) -> int | None:
    """An fd holding a shared lock on a manifest that still exists, or None."""
    try:
        fd = os.open(manifest, os.O_RDONLY)
    except OSError:
        return None
    _flock(fd, shared=True, wait=True)
    try:
        same = os.path.samestat(os.fstat(fd), os.stat(manifest))
    except OSError:
        same = False
    if not same:  # deleted while we waited for the lock
        _close(fd)
        return None
    return fd


def _flock(fd: int, shared: bool, wait: bool) -> bool:
    try:
        import fcntl
    except ImportError:  # no flock on this system: only the previous generation is kept for readers
        return True
    flags = (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | (0 if wait else fcntl.LOCK_NB)
    try:
        fcntl.flock(fd, flags)
    except BlockingIOError:
        return False
    return True


def _close(fd: int | None) -> None:
    if fd is not None:
        with suppress(OSError):
            os.close(fd)


def _read_manifest(root: Path, folder: Path) -> Manifest:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        version = int(data["format_version"])
    except (OSError, ValueError, KeyError, TypeError):
        raise IndexError_(f"{folder / MANIFEST} is unreadable; {rebuild_hint(root)}") from None
    if version > FORMAT_VERSION:
        raise IndexError_(
            f"{root} was written by a newer rag (index format {version}, this one reads {FORMAT_VERSION}); upgrade rag or {rebuild_hint(root)}"
        )
    if version < FORMAT_VERSION:
        raise IndexError_(f"{root} uses the old index format {version}; {rebuild_hint(root)}")
    try:
        manifest = Manifest.from_json(data)
        _ = manifest.chunk_count  # every document entry must carry its count
    except (KeyError, TypeError, ValueError, AttributeError):
        raise IndexError_(f"{folder / MANIFEST} is incomplete; {rebuild_hint(root)}") from None
    return manifest


def _check_compatible(manifest: Manifest, root: Path, embedder_name: str | None, dim: int | None) -> None:
    if embedder_name and manifest.embedder != embedder_name:
        raise IndexError_(f"{root} was built with the embedder {manifest.embedder}, not {embedder_name}; {rebuild_hint(root, manifest)}")
    if dim and manifest.dim != dim:
        raise IndexError_(f"{root} holds {manifest.dim}-dimensional vectors, the embedder makes {dim}; {rebuild_hint(root, manifest)}")


def _read_chunk_store(root: Path, folder: Path, manifest: Manifest) -> list[Chunk]:
    try:
        chunks = store.read_chunks(folder / CHUNKS)
    except (OSError, ValueError, TypeError, AttributeError):
        raise IndexError_(f"{folder / CHUNKS} is unreadable; {rebuild_hint(root, manifest)}") from None
    if len(chunks) != manifest.chunk_count:
        raise IndexError_(f"{folder / CHUNKS} has {len(chunks)} chunks, the manifest lists {manifest.chunk_count}; {rebuild_hint(root, manifest)}")
    return chunks


def delete_unless_read(folder: Path) -> None:
    """Delete a generation unless a reader holds it; one without a manifest is a killed writer's."""
    try:
        fd = os.open(folder / MANIFEST, os.O_RDONLY)
    except OSError:  # no manifest: a partial generation nobody can be reading
        shutil.rmtree(folder, ignore_errors=True)
        return
    try:
        if _flock(fd, shared=False, wait=False):
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        _close(fd)

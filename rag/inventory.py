"""What an index holds, read from its manifest: documents with their chunk counts and
when they were indexed, the files the last `rag index` skipped, and whether each
indexed file has changed on disk or gone since (by content hash)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from rag.index import Index
from rag.stores import parse_store
from rag.types import Skipped

OK, CHANGED, MISSING = "ok", "changed", "missing"


@dataclass(frozen=True)
class IndexedDocument:
    source: str
    title: str
    chunks: int
    indexed: float | None  # seconds since the epoch; None in indexes written before it was recorded
    state: str  # ok | changed | missing

    def to_json(self) -> dict:
        return {"source": self.source, "title": self.title, "chunks": self.chunks, "indexed": self.indexed, "state": self.state}


@dataclass(frozen=True)
class Inventory:
    root: str
    generation: str
    embedder: str
    dim: int
    index_type: str
    created: float
    documents: tuple[IndexedDocument, ...]
    skipped: tuple[Skipped, ...]

    @property
    def chunk_count(self) -> int:
        return sum(d.chunks for d in self.documents)

    def in_state(self, state: str) -> tuple[IndexedDocument, ...]:
        return tuple(d for d in self.documents if d.state == state)


def read_inventory(root: Path, store: str = "local") -> Inventory:
    """Raises IndexError_ (with the command that builds it) if the index is missing or damaged.
    store: where the index lives (rag.stores), when not in the root folder."""
    spec = parse_store(store)
    if not spec.is_local:
        from rag.stores.milvus import MilvusStore

        opened = MilvusStore.open(spec)
        manifest, generation, root = opened.manifest, opened.collection, opened.name
    else:
        index = Index.open(root)
        try:
            manifest, generation = index.manifest, index.folder.name
        finally:
            index.close()
    base = Path(manifest.base) if manifest.base else Path.cwd()
    disk = _Disk(base)
    documents = tuple(
        IndexedDocument(source, str(entry.get("title", "")), int(entry["count"]), entry.get("indexed"), disk.state(source, entry["hash"]))
        for source, entry in sorted(manifest.documents.items())
    )
    skipped = tuple(Skipped(str(s.get("source", "")), str(s.get("reason", ""))) for s in manifest.skipped if isinstance(s, dict))
    return Inventory(str(root), generation, manifest.embedder, manifest.dim, manifest.index_type, manifest.created, documents, skipped)


class _Disk:
    """Hashes files as the loaders do: a whole file's bytes, or one .jsonl line per record."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self._lines: dict[Path, set[str] | None] = {}

    def state(self, source: str, expected: str) -> str:
        name, _, record = source.rpartition("#")
        if record and name.lower().endswith(".jsonl"):
            hashes = self._line_hashes(self._path(name))
            return MISSING if hashes is None else OK if expected in hashes else CHANGED
        try:
            return OK if _sha256(self._path(source)) == expected else CHANGED
        except OSError:
            return MISSING

    def _path(self, name: str) -> Path:
        path = Path(name)
        return path if path.is_absolute() else self.base / path

    def _line_hashes(self, path: Path) -> set[str] | None:
        if path not in self._lines:
            try:
                with path.open("rb") as handle:
                    self._lines[path] = {hashlib.sha256(line).hexdigest() for line in handle if line.strip()}
            except OSError:
                self._lines[path] = None
        return self._lines[path]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

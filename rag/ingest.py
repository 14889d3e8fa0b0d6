"""Build or refresh an index: only new and changed documents are embedded, and the
result becomes a new generation that replaces the current one in one atomic step."""

from __future__ import annotations

import errno
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from rag import index as idx
from rag import store, vectors
from rag.chunking import ChunkerSettings, chunk_document
from rag.embedding import Embedder
from rag.errors import IndexError_, IndexLockedError, InputError, NothingIndexedError
from rag.loaders import unreadable
from rag.types import Chunk, Document, Skipped
from rag.workers import EmbedWorkers, LocalWorkers

if TYPE_CHECKING:
    from rag.stores import Target


@dataclass(frozen=True)
class IndexReport:
    added: int
    updated: int
    removed: int
    unchanged: int
    skipped: tuple[Skipped, ...]
    chunks: int
    embedded: int
    seconds: float
    index_type: str = "flat"
    kept: int = 0  # documents in the index that this run was not given, left as they were

    def to_json(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "kept": self.kept,
            "skipped": [{"source": s.source, "reason": s.reason} for s in self.skipped],
            "chunks": self.chunks,
            "embedded": self.embedded,
            "seconds": round(self.seconds, 2),
            "index_type": self.index_type,
        }


@dataclass
class Progress:
    """Hooks the CLI fills with progress bars; the library calls them."""

    on_document: Callable[[str], None] = lambda source: None
    on_skipped: Callable[[Skipped], None] = lambda skipped: None
    on_embed_start: Callable[[int], None] = lambda total: None
    on_embedded: Callable[[int], None] = lambda n: None
    on_removed: Callable[[str], None] = lambda source: None


@dataclass
class _Plan:
    chunks: list[Chunk] = field(default_factory=list)
    reused_rows: list[int | None] = field(default_factory=list)  # old row, or None to embed
    documents: dict[str, dict] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: {"added": 0, "updated": 0, "unchanged": 0, "kept": 0, "removed": 0})
    skipped: list[Skipped] = field(default_factory=list)


def index_documents(
    items: Iterable[Document | Skipped],
    root: Path | Target,
    embedder: Embedder,
    *,
    rebuild: bool = False,
    prune: bool = False,
    index_type: str = "auto",
    chunker: ChunkerSettings | None = None,
    progress: Progress | None = None,
    lock_wait: float = 0.0,
    workers: EmbedWorkers | None = None,
) -> IndexReport:
    """Adds new and updates changed documents among items; documents already in the index
    that items do not hold are kept, unless prune (then they are removed) or rebuild.
    workers: where new chunks are embedded [default: in this process, by embedder]
    root: the local index folder, or another rag.stores.Target."""
    started = time.perf_counter()
    progress = progress or Progress()
    chunker = chunker or ChunkerSettings(max_tokens=embedder.max_tokens)
    target = LocalTarget(Path(root)) if isinstance(root, (str, os.PathLike)) else root
    with target.lock(lock_wait):
        old = None if rebuild else target.open_current(embedder.name, embedder.dim)
        try:
            plan, skipped = _plan(items, old, embedder, chunker, progress)
            _carry_over(plan, old, prune, progress, chunker)
            if not plan.chunks:
                raise NothingIndexedError(_nothing_message(skipped))
            matrix = _embed(plan, old, workers or LocalWorkers(embedder), embedder.dim, progress)
            kind = vectors.choose_type(index_type, len(plan.chunks))
            target.publish(plan.chunks, matrix, _manifest(plan, (embedder.name, embedder.dim, chunker.to_json()), kind))
        finally:
            if old is not None:
                old.close()
    return _report(plan, skipped, kind, time.perf_counter() - started)


def _report(plan: _Plan, skipped: list[Skipped], kind: str, seconds: float) -> IndexReport:
    embedded = sum(1 for r in plan.reused_rows if r is None)
    return IndexReport(
        plan.counts["added"], plan.counts["updated"], plan.counts["removed"], plan.counts["unchanged"], tuple(skipped),
        len(plan.chunks), embedded, seconds, kind, plan.counts["kept"],
    )


class LocalTarget:
    """The index folder as a rag.stores.Target: generations behind an atomically swapped CURRENT."""

    def __init__(self, root: Path) -> None:
        self.root, self.name = root, str(root)

    def lock(self, wait_seconds: float):
        return writer_lock(self.root, wait_seconds)

    def open_current(self, embedder_name: str | None, dim: int | None) -> idx.Index | None:
        if idx.current_generation(self.root) is None:
            return None
        return idx.Index.open(self.root, embedder_name, dim)

    def publish(self, chunks: list[Chunk], matrix, manifest: idx.Manifest) -> None:
        _write_generation(self.root, chunks, matrix, manifest)


def _plan(items, old, embedder: Embedder, chunker: ChunkerSettings, progress: Progress) -> tuple[_Plan, list[Skipped]]:
    plan = _Plan()
    skipped = plan.skipped
    previous = old.manifest.documents if old else {}
    for item in items:
        if isinstance(item, Skipped):
            skipped.append(item)
            progress.on_skipped(item)
            continue
        progress.on_document(item.source)
        if item.source in plan.documents:
            continue  # the same file named twice
        before = previous.get(item.source)
        if before and before["hash"] == item.content_hash and old.manifest.chunker == chunker.to_json():
            _reuse(plan, old, item.source, before)
            plan.counts["unchanged"] += 1
            continue
        try:
            _add_new(plan, item, embedder, chunker)
        except Exception as exc:  # noqa: BLE001  one document that cannot be chunked must not end the run
            skipped.append(Skipped(item.source, unreadable(exc)))
            progress.on_skipped(skipped[-1])
            continue
        plan.counts["updated" if before else "added"] += 1
    return plan, skipped


def _carry_over(plan: _Plan, old: idx.Index | None, prune: bool, progress: Progress, chunker: ChunkerSettings) -> None:
    """Documents of the old index this run was not given: kept as they are, or removed when pruning.
    Chunks made with other settings cannot be kept beside new ones, nor silently dropped."""
    if old is None:
        return
    left = [s for s in old.manifest.documents if s not in plan.documents]
    if left and not prune and old.manifest.chunker != chunker.to_json():
        raise InputError(
            f"{len(left)} indexed document(s) (first: {left[0]}) were chunked with other settings and are not among the paths given; "
            "give their paths too, or pass --prune to remove them, or --rebuild"
        )
    for source, entry in old.manifest.documents.items():
        if source in plan.documents:
            continue
        if prune:
            progress.on_removed(source)
            plan.counts["removed"] += 1
        else:
            _reuse(plan, old, source, entry)
            plan.counts["kept"] += 1


def _reuse(plan: _Plan, old: idx.Index, source: str, entry: dict) -> None:
    first = len(plan.chunks)
    rows = range(entry["first"], entry["first"] + entry["count"])
    plan.chunks.extend(old.chunks[r] for r in rows)
    plan.reused_rows.extend(rows)
    plan.documents[source] = {**entry, "first": first}


def _add_new(plan: _Plan, document: Document, embedder: Embedder, chunker: ChunkerSettings) -> None:
    chunks = chunk_document(document, embedder.count_tokens, chunker)
    plan.documents[document.source] = {
        "hash": document.content_hash, "title": document.title, "first": len(plan.chunks), "count": len(chunks), "indexed": time.time()
    }
    plan.chunks.extend(chunks)
    plan.reused_rows.extend([None] * len(chunks))


def _embed(plan: _Plan, old, workers: EmbedWorkers, dim: int, progress: Progress):
    import numpy as np

    todo = [i for i, row in enumerate(plan.reused_rows) if row is None]
    progress.on_embed_start(len(todo))
    matrix = np.zeros((len(plan.chunks), dim), dtype="float32")
    if todo:
        fresh = workers.embed([plan.chunks[i].embedding_text() for i in todo], progress=progress.on_embedded)
        matrix[todo] = fresh
    reused = [(i, row) for i, row in enumerate(plan.reused_rows) if row is not None]
    if reused:
        old_matrix = old.embeddings()
        matrix[[i for i, _ in reused]] = old_matrix[[row for _, row in reused]]
    return matrix


def _manifest(plan: _Plan, model: tuple[str, int, dict], kind: str, base: str = "") -> idx.Manifest:
    """model: the embedder's name and dimension and the chunker settings, as the manifest records them;
    base: the folder relative sources are named from [default: this one]."""
    skipped = [{"source": s.source, "reason": s.reason} for s in plan.skipped]
    return idx.Manifest(idx.FORMAT_VERSION, *model, kind, plan.documents, skipped=skipped, base=base or os.getcwd())


def _write_generation(root: Path, chunks: list[Chunk], matrix, manifest: idx.Manifest) -> None:
    folder = _new_generation(root)
    try:
        manifest = replace(manifest, files=_write_files(folder, chunks, matrix, manifest.index_type))
        # The manifest goes last: a generation without one is known to be unfinished.
        (folder / idx.MANIFEST).write_text(json.dumps(manifest.to_json(), indent=1, ensure_ascii=False), encoding="utf-8")
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise IndexError_(_not_written(exc, root)) from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _publish(root, folder)


def remove_documents(root: Path, names: Iterable[str], *, lock_wait: float = 0.0, progress: Progress | None = None) -> IndexReport:
    """A new generation without the named documents (a .jsonl file's name removes all its records);
    nothing is embedded again. Every name must match, or nothing is removed."""
    started, progress = time.perf_counter(), progress or Progress()
    with writer_lock(root, lock_wait):
        old = idx.Index.open(root)
        try:
            documents = old.manifest.documents
            base = old.manifest.base or os.getcwd()
            gone = {source for name in names for source in _sources_named(documents, name, root, base)}
            if len(gone) == len(documents):
                raise InputError(f"that would remove every document from {root}; delete the folder instead, or rebuild it with `rag index --rebuild PATHS`")
            plan = _Plan(skipped=[Skipped(s["source"], s["reason"]) for s in old.manifest.skipped])
            for source, entry in documents.items():
                if source in gone:
                    progress.on_removed(source)
                    plan.counts["removed"] += 1
                else:
                    _reuse(plan, old, source, entry)
                    plan.counts["kept"] += 1
            matrix = old.embeddings()[[r for r in plan.reused_rows if r is not None]]
            manifest = old.manifest
            model = (manifest.embedder, manifest.dim, manifest.chunker)
            _write_generation(root, plan.chunks, matrix, _manifest(plan, model, manifest.index_type, base=manifest.base))
        finally:
            old.close()
    return _report(plan, [], manifest.index_type, time.perf_counter() - started)


def _sources_named(documents: dict[str, dict], name: str, root: Path, base: str) -> list[str]:
    """The stored sources a name given to `rag rm` stands for: itself, the same file named from
    here (stored sources are relative to the folder indexed from), or a .jsonl's records."""
    wanted = {name, os.path.normpath(name), os.path.abspath(name)}

    def file_of(source: str) -> str:
        return source.split("#", 1)[0] if "#" in source else source

    found = [s for s in documents if s in wanted or file_of(s) in wanted or os.path.normpath(os.path.join(base, file_of(s))) in wanted]
    if not found:
        raise InputError(f"{name} is not a document in {root}; `rag ls --index {root}` lists the {len(documents)} it holds")
    return found


def _not_written(exc: OSError, root: Path) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"disk full while writing the new index in {root}; the previous index is unchanged and still serves; free disk space and run again"
    return (
        f"could not write the new index in {root} ({exc.strerror or exc}); the previous one is unchanged; "
        "free disk space or fix permissions and run again"
    )


def _write_files(folder: Path, chunks: list[Chunk], matrix, kind: str) -> dict[str, dict]:
    import numpy as np

    from rag.bm25 import BM25Index

    store.write_chunks(folder / idx.CHUNKS, chunks)
    np.save(folder / idx.EMBEDDINGS, matrix)
    vectors.save(vectors.build(matrix, kind), folder / idx.FAISS)
    BM25Index.build([c.embedding_text() for c in chunks]).save(folder / idx.BM25_DIR)
    binary = [folder / idx.FAISS, folder / idx.EMBEDDINGS, *sorted((folder / idx.BM25_DIR).glob("*.npy"))]
    return {path.relative_to(folder).as_posix(): idx.file_record(path) for path in binary}


@contextmanager
def writer_lock(root: Path, wait_seconds: float) -> Iterator[None]:
    """An exclusive writer lock; the OS drops it if the writer is killed."""
    from filelock import FileLock, Timeout

    idx.require_folder(root)
    file_lock = FileLock(str(root / idx.LOCK))
    try:
        root.mkdir(parents=True, exist_ok=True)
        file_lock.acquire(timeout=wait_seconds)
    except Timeout:
        raise IndexLockedError(f"another `rag index` is writing {root}; wait for it to finish (or pass --wait SECONDS)") from None
    except OSError as exc:
        raise IndexError_(f"cannot write an index at {root} ({exc.strerror}); choose another folder with --index") from None
    try:
        yield
    finally:
        file_lock.release(force=True)


def _new_generation(root: Path) -> Path:
    folder = root / f"{idx.GENERATION_PREFIX}{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    folder.mkdir(parents=True)
    return folder


def _publish(root: Path, folder: Path) -> None:
    """Point CURRENT at a finished generation in one atomic rename, then prune."""
    previous = None
    with suppress(idx.IndexError_):  # a damaged pointer is what a rebuild replaces
        previous = idx.current_generation(root)
    _fsync_tree(folder)
    tmp = root / f"{idx.POINTER_TMP}{uuid.uuid4().hex[:6]}"
    try:
        tmp.write_text(folder.name + "\n", encoding="utf-8")
        _fsync(tmp)
        os.replace(tmp, root / idx.CURRENT)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
        raise IndexError_(_not_written(exc, root)) from None
    _fsync(root)
    _prune(root, {folder.name, previous.name if previous else ""})


def _prune(root: Path, keep: set[str]) -> None:
    """Delete generations neither kept nor open in a reader, with whatever killed
    writers left behind (folders without a manifest). Call it holding the writer lock."""
    for child in root.iterdir():
        if child.name.startswith(idx.POINTER_TMP):
            child.unlink(missing_ok=True)
        elif child.is_dir() and child.name.startswith(idx.GENERATION_PREFIX) and child.name not in keep:
            idx.delete_unless_read(child)


def _fsync_tree(folder: Path) -> None:
    # Without this a crash soon after the swap could leave CURRENT naming empty files.
    for path in [*folder.rglob("*"), folder]:
        _fsync(path)


def _fsync(path: Path) -> None:
    with suppress(OSError):  # best effort: some file systems refuse fsync on folders
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _nothing_message(skipped: list[Skipped]) -> str:
    if not skipped:
        return "no documents found; give files or folders of .txt, .md, .html, .pdf, .docx or .jsonl"
    first = skipped[0]
    count = "the only file given was" if len(skipped) == 1 else f"all {len(skipped)} files given were"
    return f"nothing could be indexed: {count} skipped (first: {first.source}: {first.reason})"


__all__ = ["IndexError_", "IndexReport", "Progress", "index_documents", "remove_documents", "writer_lock"]


BUNDLED_CORPUS = Path("seeds")


def bundled_index_missing(index: str, default_index: str) -> bool:
    """The default index is absent and the bundled seeds/ can build it; any other
    missing index stays an error that names the fix."""
    root = Path(index)
    return not root.exists() and root == Path(default_index) and BUNDLED_CORPUS.is_dir()


def index_bundled_corpus(index: str, embedder_name: str) -> IndexReport:
    from rag.embedding import get_embedder
    from rag.loaders import load_paths

    return index_documents(load_paths([str(BUNDLED_CORPUS)]), Path(index), get_embedder(embedder_name))

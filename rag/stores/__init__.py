"""Where an index lives: the local folder (rag.index, the default) or a Milvus collection.

`Store` is what retrieval and the answer stage read; `Target` is what rag.ingest writes
through. `--store` (or [tool.rag] store) picks one by its scheme:

    local                                 the --index folder
    milvus://HOST:PORT/COLLECTION         a Milvus Standalone or Distributed server
    milvus-lite:FILE.db[#COLLECTION]      Milvus Lite, embedded, in one local file
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from rag.errors import ConfigError

if TYPE_CHECKING:
    import numpy as np

    from rag.embedding import Embedder
    from rag.index import Manifest
    from rag.types import Chunk

Ranking = list[tuple[int, float]]  # (row, score), best first

LOCAL = "local"
FORMS = "local, milvus://HOST:PORT/COLLECTION or milvus-lite:FILE.db[#COLLECTION]"
DEFAULT_COLLECTION = "rag"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,199}")
_SERVER = re.compile(r"milvus://(?P<host>[^/:\s]+):(?P<port>\d{1,5})/(?P<collection>[^/\s]+)")


class Store(Protocol):
    """A published index, read-only; a row is a chunk's number, 0 to len - 1."""

    manifest: Manifest
    name: str  # how messages name it: a folder or a store URI

    @property
    def chunks(self) -> Sequence[Chunk]: ...  # every chunk by row: corpus statistics, neighbours in chat
    def __len__(self) -> int: ...
    def chunks_at(self, rows: Sequence[int]) -> list[Chunk]: ...
    def dense(self, query_vector: np.ndarray, n: int) -> Ranking: ...  # by inner product with unit vectors
    def dense_scores(self, query_vector: np.ndarray, rows: Sequence[int]) -> dict[int, float]: ...
    def keyword(self, query: str, n: int) -> Ranking: ...  # BM25; only rows that hold a query word
    def keyword_scores(self, query: str, rows: Sequence[int]) -> dict[int, float]: ...  # absent: 0
    def embeddings(self) -> np.ndarray: ...  # every vector by row, for reuse when re-indexing
    def table_rows(self, table_id: str) -> list[Chunk]: ...
    def warm(self) -> None: ...  # load what the first query needs
    def is_current(self) -> bool: ...  # False once a newer index is published
    def close(self) -> None: ...


class Target(Protocol):
    """Where rag.ingest writes: a whole new generation is built beside the current one,
    which keeps serving until the new one replaces it in one atomic step."""

    name: str

    def lock(self, wait_seconds: float) -> AbstractContextManager[None]: ...
    def open_current(self, embedder_name: str | None, dim: int | None) -> Store | None: ...
    def publish(self, chunks: Sequence[Chunk], matrix: np.ndarray, manifest: Manifest) -> None: ...


@dataclass(frozen=True)
class StoreSpec:
    kind: str  # local | milvus | milvus-lite
    address: str = ""  # host:port, or the Milvus Lite file
    collection: str = ""  # the alias readers follow

    @property
    def is_local(self) -> bool:
        return self.kind == LOCAL


def parse_store(text: str, where: str = "--store") -> StoreSpec:
    """where: the flag, env var or file the value came from, named in the error."""
    text = text.strip()
    if text == LOCAL:
        return StoreSpec(LOCAL)
    server = _SERVER.fullmatch(text)
    if server and 0 < int(server["port"]) < 65536:
        return StoreSpec("milvus", f"{server['host']}:{server['port']}", _collection(server["collection"], text, where))
    if text.startswith("milvus-lite:") and len(text) > len("milvus-lite:"):
        path, _, collection = text[len("milvus-lite:"):].partition("#")
        if not path.endswith(".db"):
            raise ConfigError(f"store '{text}' from {where}: a Milvus Lite file must end in .db, e.g. milvus-lite:indexes/rag.db")
        return StoreSpec("milvus-lite", path, _collection(collection or DEFAULT_COLLECTION, text, where))
    raise ConfigError(f"store '{text}' from {where} is not one of {FORMS}; fix it there")


def _collection(name: str, text: str, where: str) -> str:
    if not _NAME.fullmatch(name):
        raise ConfigError(f"store '{text}' from {where}: collection '{name}' must be letters, digits and _, not starting with a digit")
    return name


def open_store(spec: StoreSpec, index: str, embedder: Embedder) -> Store:
    """The current index, checked against the embedder that will query it."""
    if spec.is_local:
        from rag.index import Index

        return Index.open(Path(index), embedder.name, embedder.dim)
    from rag.stores.milvus import MilvusStore

    return MilvusStore.open(spec, embedder.name, embedder.dim)


def open_target(spec: StoreSpec, index: str) -> Target | Path:
    """Where `rag index` writes; the local folder is given as its path, as rag.ingest takes it."""
    if spec.is_local:
        return Path(index)
    from rag.stores.milvus_target import MilvusTarget

    return MilvusTarget(spec)

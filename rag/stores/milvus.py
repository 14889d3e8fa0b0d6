"""The Milvus backend of rag.stores: an index's chunks, dense vectors, BM25 terms and
manifest in Milvus collections, behind an alias that moves to a rebuilt collection in
one step (rag/stores/milvus_target.py writes them). Milvus Lite (a local .db folder) and
a Milvus server or cluster are reached through the same pymilvus MilvusClient;
`pip install 'rag[scale]'` installs both."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from rag import index as idx
from rag.errors import ConfigError, IndexError_
from rag.store import chunk_from_record
from rag.stores import Ranking, StoreSpec
from rag.stores.terms import bm25_terms

if TYPE_CHECKING:
    import numpy as np

    from rag.types import Chunk

SCALE_INSTALL = "pip install 'rag[scale]'"
ROW, VECTOR, TERMS, SPARSE, RECORD, TABLE = "row", "vector", "terms", "sparse", "record", "table_id"
MANIFEST_SUFFIX = "__manifest"
MAX_TEXT = 65535  # Milvus' longest VARCHAR, in bytes
PAGE_ROWS = 10000  # rows per query when reading a whole collection back
MAX_RESULTS = 16384  # Milvus' largest limit for one search or query
CONNECT_SECONDS = 10.0
IVF_NPROBE = 32
HNSW_EF = 128


def _pymilvus():
    """pymilvus, or a one-line error naming the extra that installs it."""
    try:
        import pymilvus
    except ImportError:
        raise ConfigError(f"a Milvus store needs pymilvus and milvus-lite: {SCALE_INSTALL}") from None
    # Its RPC errors are also logged to the terminal; ours say them once, with the fix.
    logging.getLogger("pymilvus").setLevel(logging.CRITICAL)
    return pymilvus


def store_uri(spec: StoreSpec) -> str:
    return f"milvus://{spec.address}/{spec.collection}" if spec.kind == "milvus" else f"milvus-lite:{spec.address}#{spec.collection}"


def rebuild_hint(spec: StoreSpec) -> str:
    return f"rebuild it with `rag index --rebuild --store {store_uri(spec)}` followed by the files or folders to index"


@contextmanager
def milvus_errors(doing: str, spec: StoreSpec) -> Iterator[None]:
    """Milvus' exceptions as one-line errors that say what was being done and to which store."""
    from pymilvus import MilvusException

    try:
        yield
    except MilvusException as exc:
        message = getattr(exc, "message", "") or str(exc)
        raise IndexError_(f"Milvus could not {doing} in {store_uri(spec)} ({message}); check the server and run again") from None


def connect(spec: StoreSpec, create: bool = False):
    """A MilvusClient for the store; a reader of a Milvus Lite file that is not there gets None."""
    pymilvus = _pymilvus()
    if spec.kind == "milvus-lite":
        path = Path(spec.address)
        if not create and not path.exists():
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        uri = str(path)
    else:
        uri = f"http://{spec.address}"
    try:
        return pymilvus.MilvusClient(uri=uri, timeout=CONNECT_SECONDS)
    except pymilvus.MilvusException as exc:
        if spec.kind == "milvus-lite":
            raise IndexError_(
                f"cannot open {spec.address} with Milvus Lite ({exc.message}); another process may hold it: Milvus Lite allows one, "
                f"so stop it, or serve the file with `milvus-lite server --data-dir {spec.address}` and use --store milvus://HOST:PORT/{spec.collection}"
            ) from None
        raise IndexError_(f"cannot reach Milvus at {spec.address} ({exc.message}); start the server or fix --store") from None


def release_lite(path: str) -> None:
    """Stop the in-process Milvus Lite server of a .db folder (tests; the process exit does it otherwise)."""
    from milvus_lite.server_manager import server_manager_instance

    server_manager_instance.release_server(path)


def current_collection(client, alias: str) -> str | None:
    """The collection the alias names, or None when there is no index yet."""
    if alias not in client.list_aliases().get("aliases", []):
        return None
    return client.describe_alias(alias)["collection_name"]


class MilvusStore:
    """One published collection, read-only: the Milvus rag.stores.Store. The collection is
    pinned when opened, so a search never mixes two generations."""

    def __init__(self, client, spec: StoreSpec, collection: str, manifest: idx.Manifest) -> None:
        self.client, self.spec, self.collection, self.manifest = client, spec, collection, manifest
        self.name = store_uri(spec)

    @classmethod
    def open(cls, spec: StoreSpec, embedder_name: str | None = None, dim: int | None = None, client=None) -> MilvusStore:
        client = client or connect(spec)
        with milvus_errors("find the index", spec):
            collection = current_collection(client, spec.collection) if client is not None else None
        if collection is None:
            raise IndexError_(f"no index in {store_uri(spec)}; build it with `rag index PATH --store {store_uri(spec)}`")
        with milvus_errors("load the index", spec):
            # Milvus Lite opens a file with every collection released; a server keeps them loaded.
            for name in (collection + MANIFEST_SUFFIX, collection):
                client.load_collection(name)
            manifest = read_manifest(client, collection, spec)
        check_compatible(manifest, spec, embedder_name, dim)
        return cls(client, spec, collection, manifest)

    def __len__(self) -> int:
        return self.manifest.chunk_count

    @cached_property
    def chunks(self) -> list[Chunk]:
        return [chunk_from_record(json.loads(r[RECORD])) for r in self._all_rows([RECORD])]

    def chunks_at(self, rows: Sequence[int]) -> list[Chunk]:
        if not rows:
            return []
        found = {r[ROW]: r[RECORD] for r in self._rows(rows, [RECORD])}
        missing = [row for row in rows if row not in found]
        if missing:
            raise IndexError_(f"{self.name} lacks chunk rows (first: {missing[0]}) its manifest lists; {rebuild_hint(self.spec)}")
        return [chunk_from_record(json.loads(found[row])) for row in rows]

    def dense(self, query_vector: np.ndarray, n: int) -> Ranking:
        n = min(n, len(self), MAX_RESULTS)
        if n < 1:
            return []
        params = {"metric_type": "IP", "params": search_params(self.manifest.index_type, n)}
        return self._search(VECTOR, [query_vector[0].tolist()], n, params)

    def dense_scores(self, query_vector: np.ndarray, rows: Sequence[int]) -> dict[int, float]:
        # The stored vectors times the query here, as the local index does, so the
        # fused scores are the same to the last bit.
        import numpy as np

        if not rows:
            return {}
        found = {r[ROW]: r[VECTOR] for r in self._rows(rows, [VECTOR])}
        kept = [row for row in rows if row in found]
        values = np.asarray([found[row] for row in kept], dtype="float32") @ query_vector[0]
        return {row: float(v) for row, v in zip(kept, values)}

    def keyword(self, query: str, n: int) -> Ranking:
        # Milvus cuts a tie at the n-th place anywhere, the local index at the lowest rows:
        # twice as many, then the local order, agree unless the tie is longer than n.
        return self._keyword(query, 2 * n)[:n]

    def keyword_scores(self, query: str, rows: Sequence[int]) -> dict[int, float]:
        if not rows:
            return {}
        found: dict[int, float] = {}
        for part in _pages(rows):
            found.update(self._keyword(query, len(part), f"{ROW} in {part}"))
        return found

    def _keyword(self, query: str, n: int, where: str = "") -> Ranking:
        terms = bm25_terms(query)
        n = min(n, len(self), MAX_RESULTS)
        if not terms or n < 1:
            return []
        # BM25 is never negative; Milvus Lite reports it negated (as a distance), a server as it is.
        ranked = [(row, abs(score)) for row, score in self._search(SPARSE, [terms], n, {"metric_type": "BM25"}, where)]
        return sorted(ranked, key=lambda item: (-item[1], item[0]))

    def embeddings(self) -> np.ndarray:
        import numpy as np

        rows = self._all_rows([VECTOR])
        return np.asarray([r[VECTOR] for r in rows], dtype="float32").reshape(len(rows), self.manifest.dim)

    def table_rows(self, table_id: str) -> list[Chunk]:
        rows = self._query(f"{TABLE} == {json.dumps(table_id, ensure_ascii=False)}", [RECORD], MAX_RESULTS)
        return [chunk_from_record(json.loads(r[RECORD])) for r in sorted(rows, key=lambda r: r[ROW])]

    def warm(self) -> None:
        """Nothing to load here: the server keeps the collection in memory."""

    def is_current(self) -> bool:
        with milvus_errors("find the index", self.spec):
            return current_collection(self.client, self.spec.collection) == self.collection

    def close(self) -> None:
        """The client stays open: a writer may share it with the store it replaces."""

    def _search(self, field: str, data: list, n: int, params: dict, where: str = "") -> Ranking:
        with milvus_errors("search", self.spec):
            hits = self.client.search(self.collection, data=data, anns_field=field, limit=n, filter=where,
                                      search_params=params, output_fields=[ROW])[0]
        return [(int(hit[ROW]), float(hit["distance"])) for hit in hits]

    def _rows(self, rows: Sequence[int], fields: list[str]) -> list[dict]:
        return [found for part in _pages(rows) for found in self._query(f"{ROW} in {part}", fields, len(part))]

    def _query(self, where: str, fields: list[str], limit: int) -> list[dict]:
        with milvus_errors("read chunks", self.spec):
            return list(self.client.query(self.collection, filter=where, output_fields=[ROW, *fields], limit=limit))

    def _all_rows(self, fields: list[str]) -> list[dict]:
        """Every row in row order, a page of rows at a time (rows are 0 to len - 1)."""
        rows: list[dict] = []
        for start in range(0, len(self), PAGE_ROWS):
            page = self._query(f"{ROW} >= {start} and {ROW} < {start + PAGE_ROWS}", fields, PAGE_ROWS)
            rows.extend(sorted(page, key=lambda r: r[ROW]))
        if len(rows) != len(self):
            raise IndexError_(f"{self.name} holds {len(rows)} chunks, its manifest lists {len(self)}; {rebuild_hint(self.spec)}")
        return rows


def _pages(rows: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(rows), MAX_RESULTS):
        yield [int(r) for r in rows[start : start + MAX_RESULTS]]


def search_params(index_type: str, n: int) -> dict:
    if index_type == "hnsw":
        return {"ef": max(HNSW_EF, n)}
    if index_type == "ivf":
        return {"nprobe": IVF_NPROBE}
    return {}


def check_compatible(manifest: idx.Manifest, spec: StoreSpec, embedder_name: str | None, dim: int | None) -> None:
    where = store_uri(spec)
    if embedder_name and manifest.embedder != embedder_name:
        raise IndexError_(f"{where} was built with the embedder {manifest.embedder}, not {embedder_name}; {rebuild_hint(spec)}")
    if dim and manifest.dim != dim:
        raise IndexError_(f"{where} holds {manifest.dim}-dimensional vectors, the embedder makes {dim}; {rebuild_hint(spec)}")


def read_manifest(client, collection: str, spec: StoreSpec) -> idx.Manifest:
    parts = client.query(collection + MANIFEST_SUFFIX, filter="part >= 0", output_fields=["part", "text"], limit=PAGE_ROWS)
    text = "".join(p["text"] for p in sorted(parts, key=lambda p: p["part"]))
    try:
        data = json.loads(text)
        version = int(data["format_version"])
        manifest = idx.Manifest.from_json(data)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise IndexError_(f"the manifest of {store_uri(spec)} is unreadable; {rebuild_hint(spec)}") from None
    if version != idx.FORMAT_VERSION:
        raise IndexError_(f"{store_uri(spec)} uses index format {version}, this rag reads {idx.FORMAT_VERSION}; {rebuild_hint(spec)}")
    return manifest

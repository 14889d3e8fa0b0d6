"""Writing an index into Milvus: a new collection (chunks, vectors, BM25 terms) and its
manifest, then the alias readers follow moves to it in one step (rag/stores/milvus.py reads)."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Sequence
from contextlib import nullcontext, suppress
from functools import cached_property
from typing import TYPE_CHECKING

from rag.errors import IndexError_
from rag.store import chunk_record
from rag.stores import StoreSpec
from rag.stores.milvus import (
    MANIFEST_SUFFIX, MAX_TEXT, RECORD, ROW, SPARSE, TABLE, TERMS, VECTOR, MilvusStore, connect, current_collection, milvus_errors,
    store_uri,
)
from rag.stores.terms import bm25_terms

if TYPE_CHECKING:
    import numpy as np

    from rag import index as idx
    from rag.types import Chunk

MANIFEST_PART = 60000  # characters of ASCII-only JSON per manifest row
INSERT_ROWS = 1000  # rows per insert: well under the 64 MB gRPC message limit
# Milvus' own k1 default is 1.2; bm25s (the local index) uses 1.5.
BM25_PARAMS = {"bm25_k1": 1.5, "bm25_b": 0.75}
HNSW = {"M": 32, "efConstruction": 64}


class MilvusTarget:
    """Where `rag index --store milvus...` writes: a new collection (chunks, vectors, BM25
    terms) and its manifest, then the alias moves to it. A run that fails or is killed
    before the move leaves the alias, and so every reader, on the previous collection."""

    def __init__(self, spec: StoreSpec) -> None:
        self.spec, self.name = spec, store_uri(spec)

    @cached_property
    def client(self):
        return connect(self.spec, create=True)

    def lock(self, wait_seconds: float):
        # Milvus Lite admits one process per file; a server has no lock, and two writers'
        # collections are each whole: the later alias move wins.
        return nullcontext()

    def open_current(self, embedder_name: str | None, dim: int | None) -> MilvusStore | None:
        with milvus_errors("find the index", self.spec):
            if current_collection(self.client, self.spec.collection) is None:
                return None
        return MilvusStore.open(self.spec, embedder_name, dim, client=self.client)

    def publish(self, chunks: Sequence[Chunk], matrix: np.ndarray, manifest: idx.Manifest) -> None:
        name = f"{self.spec.collection}__g{time.strftime('%Y%m%d_%H%M%S')}_{uuid.uuid4().hex[:6]}"
        try:
            with milvus_errors("write the new collection", self.spec):
                self._create(name, manifest)
                self._insert(name, chunks, matrix)
                self._write_manifest(name, manifest)
        except BaseException:
            with suppress(Exception):
                self._drop(name)
            raise
        with milvus_errors("move the alias to the new collection", self.spec):
            previous = self._swap_alias(name)
            self._prune({name, previous or ""})

    def _create(self, name: str, manifest: idx.Manifest) -> None:
        from pymilvus import DataType, Function, FunctionType

        schema = self.client.create_schema(auto_id=False)
        schema.add_field(ROW, DataType.INT64, is_primary=True)
        schema.add_field(VECTOR, DataType.FLOAT_VECTOR, dim=manifest.dim)
        # The local index's tokens (stems, stopwords out) joined by spaces: Milvus' standard
        # tokenizer splits them back as they were, so BM25 sees the same terms.
        schema.add_field(TERMS, DataType.VARCHAR, max_length=MAX_TEXT, enable_analyzer=True, analyzer_params={"tokenizer": "standard"})
        schema.add_field(SPARSE, DataType.SPARSE_FLOAT_VECTOR)
        schema.add_field(RECORD, DataType.VARCHAR, max_length=MAX_TEXT)
        schema.add_field(TABLE, DataType.VARCHAR, max_length=1024)
        schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=[TERMS], output_field_names=[SPARSE]))
        index = self.client.prepare_index_params()
        index.add_index(VECTOR, metric_type="IP", **_vector_index(manifest.index_type, manifest.chunk_count))
        index.add_index(SPARSE, index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params=BM25_PARAMS)
        self._create_loaded(name, schema, index)

    def _create_loaded(self, name: str, schema, index) -> None:
        self.client.create_collection(name, schema=schema, consistency_level="Strong")
        # sync=False: the collection is empty, and the waiting loop polls every half second.
        self.client.create_index(name, index, sync=False)
        self.client.load_collection(name)

    def _insert(self, name: str, chunks: Sequence[Chunk], matrix: np.ndarray) -> None:
        for start in range(0, len(chunks), INSERT_ROWS):
            part, vectors = chunks[start : start + INSERT_ROWS], matrix[start : start + INSERT_ROWS].tolist()
            self.client.insert(name, [_row(start + i, chunk, vectors[i]) for i, chunk in enumerate(part)])
        self.client.flush(name)

    def _write_manifest(self, name: str, manifest: idx.Manifest) -> None:
        from pymilvus import DataType

        schema = self.client.create_schema(auto_id=False)
        schema.add_field("part", DataType.INT64, is_primary=True)
        schema.add_field("text", DataType.VARCHAR, max_length=MAX_TEXT)
        schema.add_field("unused", DataType.FLOAT_VECTOR, dim=2)  # Milvus wants a vector field in every collection
        index = self.client.prepare_index_params()
        index.add_index("unused", index_type="FLAT", metric_type="L2")
        manifest_name = name + MANIFEST_SUFFIX
        self._create_loaded(manifest_name, schema, index)
        text = json.dumps(manifest.to_json())  # ASCII only, so characters are bytes
        parts = [text[i : i + MANIFEST_PART] for i in range(0, len(text), MANIFEST_PART)]
        self.client.insert(manifest_name, [{"part": n, "text": p, "unused": [0.0, 0.0]} for n, p in enumerate(parts)])
        self.client.flush(manifest_name)

    def _swap_alias(self, name: str) -> str | None:
        alias = self.spec.collection
        previous = current_collection(self.client, alias)
        if previous is None:
            if self.client.has_collection(alias):
                self._drop(name)
                raise IndexError_(f"{alias} is a collection of its own in {self.name}, not an index rag made; choose another name in --store")
            self.client.create_alias(name, alias)
        else:
            self.client.alter_alias(name, alias)
        return previous

    def _prune(self, keep: set[str]) -> None:
        """Drop generations neither current nor previous (a reader may still be on the previous),
        with whatever killed writers left behind."""
        pattern = re.compile(rf"{re.escape(self.spec.collection)}__g\d{{8}}_\d{{6}}_[0-9a-f]{{6}}")
        for name in self.client.list_collections():
            if pattern.fullmatch(name) and name not in keep:
                self._drop(name)

    def _drop(self, name: str) -> None:
        # Never the collection the alias names: Milvus Lite would drop the alias with it.
        if current_collection(self.client, self.spec.collection) == name:
            return
        for each in (name + MANIFEST_SUFFIX, name):
            if self.client.has_collection(each):
                self.client.drop_collection(each)


def _vector_index(index_type: str, rows: int) -> dict:
    if index_type == "hnsw":
        return {"index_type": "HNSW", "params": HNSW}
    if index_type == "ivf":
        from rag.vectors import ivf_lists

        return {"index_type": "IVF_FLAT", "params": {"nlist": ivf_lists(rows)}}
    return {"index_type": "FLAT"}


def _row(row: int, chunk: Chunk, vector: list[float]) -> dict:
    record, terms = json.dumps(chunk_record(chunk), ensure_ascii=False), bm25_terms(chunk.embedding_text())
    if max(len(record.encode("utf-8")), len(terms)) > MAX_TEXT:
        raise IndexError_(f"a chunk of {chunk.source} is longer than Milvus stores in one field ({MAX_TEXT} bytes); lower chunk_tokens")
    return {ROW: row, VECTOR: vector, TERMS: terms, RECORD: record, TABLE: chunk.table_id or ""}

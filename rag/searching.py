"""Opening an index with its embedder and retriever, as one object the CLI and evals share."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from rag.config import Settings
from rag.embedding import Embedder, get_embedder
from rag.retrieval import FusionSettings, Retriever, get_retriever
from rag.stores import Store, open_store, parse_store
from rag.types import Passage


@dataclass
class Searcher:
    settings: Settings
    embedder: Embedder

    @classmethod
    def from_settings(cls, settings: Settings, embedder: Embedder | None = None) -> Searcher:
        return cls(settings, embedder or get_embedder(settings.embedder))

    @cached_property
    def index(self) -> Store:
        return open_store(parse_store(self.settings.store), self.settings.index, self.embedder)

    def retriever(self, name: str | None = None) -> Retriever:
        fusion = FusionSettings(self.settings.fusion, self.settings.rrf_k, self.settings.dense_weight, self.settings.bm25_weight)
        return get_retriever(name or self.settings.retriever, self.index, self.embedder, fusion)

    def search(self, query: str, k: int | None = None, retriever: str | None = None) -> list[Passage]:
        return self.retriever(retriever).retrieve(query, k or self.settings.top_k)


def passage_json(passage: Passage) -> dict:
    chunk = passage.chunk
    return {
        "rank": passage.rank,
        "score": round(passage.score, 6),
        "source": chunk.source,
        "title": chunk.title,
        "locator": chunk.locator,
        "text": chunk.text,
        "chunk_id": chunk.id,
    }

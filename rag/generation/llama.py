"""A small pure-torch Llama decoder and chat tokenizer for the cached answer model.

`import transformers` alone costs ~3.4 s on a 2-core machine (it pulls in torch._dynamo,
torch.distributed and scipy), which is more than the whole answer budget. This module
reads the same config.json / model.safetensors / tokenizer.json that transformers saved
and follows its numerics (float32 RMSNorm, rotate_half rotary, SDPA attention), so its
greedy tokens match `AutoModelForCausalLM.generate` while importing only torch.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import torch
import torch.nn.functional as F

from rag.errors import ModelError

IM_END = "<|im_end|>"


@dataclass(frozen=True)
class LlamaConfig:
    hidden_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    head_dim: int
    intermediate_size: int
    rms_norm_eps: float
    rope_theta: float
    tie_word_embeddings: bool
    eos_token_ids: tuple[int, ...]


def load_config(path: Path) -> LlamaConfig:
    """Read a transformers config.json, refusing anything this decoder would get wrong silently."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _unreadable(path, exc) from None
    rope = raw.get("rope_parameters") or raw.get("rope_scaling") or {}
    for setting, value, supported in (
        ("model_type", raw.get("model_type"), "llama"),
        ("rope_type", rope.get("rope_type", rope.get("type", "default")), "default"),
        ("hidden_act", raw.get("hidden_act", "silu"), "silu"),
        ("attention_bias", raw.get("attention_bias", False), False),
        ("mlp_bias", raw.get("mlp_bias", False), False),
    ):
        if value != supported:
            raise ModelError(f"{path}: {setting} {value!r} is not supported by the built-in decoder (needs {supported!r})")
    try:
        hidden, heads = int(raw["hidden_size"]), int(raw["num_attention_heads"])
        return LlamaConfig(
            hidden_size=hidden,
            num_layers=int(raw["num_hidden_layers"]),
            num_heads=heads,
            num_kv_heads=int(raw.get("num_key_value_heads") or heads),
            head_dim=int(raw.get("head_dim") or hidden // heads),
            intermediate_size=int(raw["intermediate_size"]),
            rms_norm_eps=float(raw["rms_norm_eps"]),
            rope_theta=float(rope.get("rope_theta", raw.get("rope_theta", 10000.0))),
            tie_word_embeddings=bool(raw.get("tie_word_embeddings", False)),
            eos_token_ids=_ids(raw.get("eos_token_id")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{path}: missing or bad setting {exc}; delete {path.parent} to rebuild it") from None


def _unreadable(path: Path, exc: Exception) -> ModelError:
    return ModelError(f"cannot load the answer model from {path} ({exc}); delete {path.parent} to rebuild it")


def _ids(value: Any) -> tuple[int, ...]:
    if value is None:
        return ()
    return tuple(int(v) for v in value) if isinstance(value, list) else (int(value),)


@dataclass(frozen=True)
class _Layer:
    attn_norm: torch.Tensor
    qkv: torch.Tensor  # q, k and v projections stacked: one matmul instead of three per step
    o: torch.Tensor
    mlp_norm: torch.Tensor
    gate_up: torch.Tensor  # gate and up stacked, for the same reason
    down: torch.Tensor


class Llama:
    """Greedy decoding with a preallocated KV cache; one position per new token."""

    def __init__(self, config: LlamaConfig, weights: dict[str, torch.Tensor]) -> None:
        self.config = config
        self.embed = weights["model.embed_tokens.weight"]
        self.norm = weights["model.norm.weight"]
        self.lm_head = self.embed if config.tie_word_embeddings else weights["lm_head.weight"]
        self.layers = [self._layer(weights, i) for i in range(config.num_layers)]
        # Built exactly as transformers builds it (int64 arange, then float32) so the angles agree bit for bit.
        exponents = torch.arange(0, config.head_dim, 2, dtype=torch.int64).float() / config.head_dim
        self.inv_freq = 1.0 / (config.rope_theta ** exponents)

    @classmethod
    def load(cls, folder: Path) -> Llama:
        config = load_config(folder / "config.json")
        path = folder / "model.safetensors"
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        try:
            weights = load_file(path)
        except (OSError, SafetensorError) as exc:
            raise _unreadable(path, exc) from None
        try:
            return cls(config, weights)
        except KeyError as exc:
            raise ModelError(f"{path} has no tensor {exc}; delete {folder} to rebuild it") from None

    @staticmethod
    def _layer(weights: dict[str, torch.Tensor], i: int) -> _Layer:
        p = f"model.layers.{i}."

        def w(name: str) -> torch.Tensor:
            return weights[p + name + ".weight"]

        return _Layer(
            attn_norm=w("input_layernorm"),
            qkv=torch.cat([w("self_attn.q_proj"), w("self_attn.k_proj"), w("self_attn.v_proj")]),
            o=w("self_attn.o_proj"),
            mlp_norm=w("post_attention_layernorm"),
            gate_up=torch.cat([w("mlp.gate_proj"), w("mlp.up_proj")]),
            down=w("mlp.down_proj"),
        )

    def greedy(self, prompt_ids: list[int], max_new_tokens: int, stop_ids: tuple[int, ...] = ()) -> Iterator[int]:
        """Yield up to max_new_tokens ids; a stop id is yielded, then decoding ends."""
        if not prompt_ids or max_new_tokens <= 0:
            return
        with torch.inference_mode():
            cache = _KVCache(self.config, len(prompt_ids) + max_new_tokens)
        ids = prompt_ids
        for _ in range(max_new_tokens):
            token = self._next_token(ids, cache)
            yield token
            if token in stop_ids:
                return
            ids = [token]

    # Inference mode only around each step: a generator holding it across `yield`
    # would leak it into the caller's code between tokens.
    @torch.inference_mode()
    def _next_token(self, ids: list[int], cache: _KVCache) -> int:
        return int(self._forward(torch.tensor([ids], dtype=torch.long), cache).argmax())

    def _forward(self, ids: torch.Tensor, cache: _KVCache) -> torch.Tensor:
        """Logits for the last position of `ids`, which continue the cached ones."""
        start, length = cache.length, ids.shape[1]
        cos, sin = self._rotary(start, length)
        x = F.embedding(ids, self.embed)
        for index, layer in enumerate(self.layers):
            x = x + self._attention(_rms_norm(x, layer.attn_norm, self.config.rms_norm_eps), layer, cos, sin, cache, index)
            x = x + self._mlp(_rms_norm(x, layer.mlp_norm, self.config.rms_norm_eps), layer)
        cache.length += length
        last = _rms_norm(x[:, -1:], self.norm, self.config.rms_norm_eps)
        return F.linear(last, self.lm_head)[0, 0]

    def _rotary(self, start: int, length: int) -> tuple[torch.Tensor, torch.Tensor]:
        positions = torch.arange(start, start + length, dtype=torch.float32)
        freqs = torch.outer(positions, self.inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos(), emb.sin()

    def _attention(self, h: torch.Tensor, layer: _Layer, cos: torch.Tensor, sin: torch.Tensor,
                   cache: _KVCache, index: int) -> torch.Tensor:
        c = self.config
        batch, length, _ = h.shape
        q, k, v = F.linear(h, layer.qkv).split([c.num_heads * c.head_dim, c.num_kv_heads * c.head_dim,
                                                 c.num_kv_heads * c.head_dim], dim=-1)
        q = _rope(q.view(batch, length, c.num_heads, c.head_dim).transpose(1, 2), cos, sin)
        k = _rope(k.view(batch, length, c.num_kv_heads, c.head_dim).transpose(1, 2), cos, sin)
        v = v.view(batch, length, c.num_kv_heads, c.head_dim).transpose(1, 2)
        keys, values = cache.append(index, k, v)
        # The prompt attends causally to itself; a single new token may see every cached position.
        out = F.scaled_dot_product_attention(q, keys, values, is_causal=length > 1, enable_gqa=True)
        return F.linear(out.transpose(1, 2).reshape(batch, length, c.num_heads * c.head_dim), layer.o)

    def _mlp(self, h: torch.Tensor, layer: _Layer) -> torch.Tensor:
        gate, up = F.linear(h, layer.gate_up).chunk(2, dim=-1)
        return F.linear(F.silu(gate) * up, layer.down)


class _KVCache:
    def __init__(self, config: LlamaConfig, capacity: int) -> None:
        shape = (config.num_layers, 1, config.num_kv_heads, capacity, config.head_dim)
        self.keys = torch.empty(shape)
        self.values = torch.empty(shape)
        self.length = 0

    def append(self, layer: int, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        end = self.length + k.shape[2]
        self.keys[layer, :, :, self.length:end] = k
        self.values[layer, :, :, self.length:end] = v
        return self.keys[layer, :, :, :end], self.values[layer, :, :, :end]


def _rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:
    x32 = x.float()
    return weight * (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + eps)).to(x.dtype)


def _rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    rotated = torch.cat((-x[..., half:], x[..., :half]), dim=-1)
    return x * cos + rotated * sin


class ChatTokenizer:
    """tokenizer.json plus the model's own chat template, rendered the way transformers does."""

    def __init__(self, folder: Path) -> None:
        from tokenizers import Tokenizer

        path = folder / "tokenizer.json"
        try:
            self.tokenizer = Tokenizer.from_file(str(path))
        except Exception as exc:  # tokenizers raises a bare Exception for unreadable files
            raise _unreadable(path, exc) from None
        settings = _json(folder / "tokenizer_config.json")
        self.special = {k: _token_text(settings[k]) for k in ("bos_token", "eos_token", "unk_token", "pad_token")
                        if settings.get(k)}
        self.template = _compile(_template_text(folder, settings))
        im_end = self.tokenizer.token_to_id(IM_END)
        # Chat turns end with <|im_end|> even where config.json names another eos token.
        self.stop_ids: tuple[int, ...] = () if im_end is None else (im_end,)

    def prompt_ids(self, prompt: str) -> list[int]:
        text = self.template.render(messages=[{"role": "user", "content": prompt}], add_generation_prompt=True,
                                    **self.special)
        # The template writes the control tokens itself, as transformers' apply_chat_template assumes.
        return self.tokenizer.encode(text, add_special_tokens=False).ids

    def decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True)


def _json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise _unreadable(path, exc) from None


def _token_text(value: Any) -> str:
    return value["content"] if isinstance(value, dict) else str(value)


def _template_text(folder: Path, settings: dict[str, Any]) -> str:
    template = settings.get("chat_template")
    if isinstance(template, list):  # several named templates; the plain chat one is "default"
        template = next((t["template"] for t in template if t.get("name") == "default"), None)
    if template:
        return template
    path = folder / "chat_template.jinja"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        raise ModelError(f"{folder} has no chat template; delete that folder to rebuild it") from None


def _compile(template: str) -> Any:
    import jinja2
    from jinja2.ext import loopcontrols
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def raise_exception(message: str) -> None:
        raise jinja2.TemplateError(message)

    # Same environment options as transformers, so whitespace control renders identically.
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = lambda x, indent=None: json.dumps(x, ensure_ascii=False, indent=indent)
    env.globals["raise_exception"] = raise_exception
    try:
        return env.from_string(template)
    except jinja2.TemplateError as exc:
        raise ModelError(f"the answer model's chat template is broken ({exc})") from None


class Decoder(Protocol):
    def decode(self, ids: list[int]) -> str: ...


def stream_text(tokenizer: Decoder, tokens: Iterator[int]) -> Iterator[str]:
    """Decoded text as it grows, ending before the first newline.

    Decoding the whole reply each time keeps multi-token characters intact; a trailing
    U+FFFD means a character is still incomplete, so that text waits for the next token.
    """
    ids: list[int] = []
    sent = 0
    for token in tokens:
        ids.append(token)
        text = tokenizer.decode(ids)
        if "\n" in text:
            head = text[: text.index("\n")]
            if len(head) > sent:
                yield head[sent:]
            return
        if text.endswith("\ufffd"):
            continue
        if len(text) > sent:
            yield text[sent:]
            sent = len(text)
    text = tokenizer.decode(ids).rstrip("\ufffd")
    if len(text) > sent:
        yield text[sent:]

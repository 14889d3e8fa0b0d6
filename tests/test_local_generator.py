"""The packaged GGUF answer model: convert once, then answer with the slim torch decoder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rag.errors import ModelError
from rag.generation.local import GGUF_FILE, LocalGenerator, ensure_cached, gguf_dir
from rag.prompts import render

EVIDENCE = (
    "[1] QMAS: Applications Received and Quotas Allotted by Year, 2019: Applications Received 5 896; Quotas Allotted 874\n"
    "[2] The Quality Migrant Admission Scheme was launched in June 2006."
)
PROMPTS = [
    "Reply with one word: hello",
    "Write a haiku about the sea.",
    render("answer", evidence=EVIDENCE, question="How many QMAS applications were received in 2019?"),
]
NEW_TOKENS = 24


@pytest.mark.slow
def test_gguf_is_packaged():
    assert (gguf_dir() / GGUF_FILE).stat().st_size > 50_000_000


@pytest.mark.slow
def test_cache_is_complete_and_generates():
    folder = ensure_cached()
    assert (folder / "model.safetensors").is_file() and (folder / "tokenizer.json").is_file()
    assert ensure_cached() == folder  # second call reuses the cache
    text = "".join(LocalGenerator(folder).generate("Reply with one word: hello", max_new_tokens=8))
    assert text.strip()
    assert "\n" not in text


@pytest.fixture(scope="module")
def slim():
    from rag.generation.llama import ChatTokenizer, Llama

    folder = ensure_cached()
    return ChatTokenizer(folder), Llama.load(folder)


@pytest.fixture(scope="module")
def reference():
    """transformers itself, kept only here as the yardstick for the slim decoder."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = ensure_cached()
    return AutoTokenizer.from_pretrained(folder), AutoModelForCausalLM.from_pretrained(folder).eval()


@pytest.mark.slow
@pytest.mark.parametrize("prompt", PROMPTS, ids=["short", "haiku", "evidence"])
def test_slim_decoder_matches_transformers(prompt, slim, reference):
    import torch

    tokenizer, model = slim
    ref_tokenizer, ref_model = reference
    inputs = ref_tokenizer.apply_chat_template(
        [{"role": "user", "content": prompt}], add_generation_prompt=True, return_tensors="pt", return_dict=True
    )
    prompt_ids = tokenizer.prompt_ids(prompt)
    assert prompt_ids == inputs["input_ids"][0].tolist()
    with torch.inference_mode():
        out = ref_model.generate(**inputs, max_new_tokens=NEW_TOKENS, do_sample=False, pad_token_id=ref_tokenizer.eos_token_id)
    expected = out[0, len(prompt_ids):].tolist()
    stop_ids = (*model.config.eos_token_ids, *tokenizer.stop_ids)
    assert list(model.greedy(prompt_ids, NEW_TOKENS, stop_ids)) == expected


@pytest.mark.slow
def test_answering_does_not_import_transformers():
    folder = ensure_cached()  # may convert, which does need transformers, so not in the child
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from rag.generation.local import LocalGenerator\n"
        f"text = ''.join(LocalGenerator(Path({str(folder)!r})).generate('Reply with one word: hello', 8))\n"
        "assert text.strip(), text\n"
        "print('transformers' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def _config(**changes) -> dict:
    config = {
        "model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
        "num_key_value_heads": 2, "intermediate_size": 128, "rms_norm_eps": 1e-5,
        "rope_parameters": {"rope_theta": 10000.0, "rope_type": "default"}, "eos_token_id": 2,
    }
    return {**config, **changes}


@pytest.mark.parametrize(
    "config",
    [_config(model_type="mistral"), _config(rope_parameters={"rope_theta": 10000.0, "rope_type": "yarn", "factor": 4.0})],
    ids=["mistral", "yarn"],
)
def test_unsupported_config_is_refused_naming_the_file(tmp_path: Path, config: dict):
    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelError, match="mistral|yarn") as caught:
        list(LocalGenerator(tmp_path).generate("hi"))
    assert str(tmp_path / "config.json") in str(caught.value)


def test_supported_config_is_read(tmp_path: Path):
    from rag.generation.llama import load_config

    path = tmp_path / "config.json"
    path.write_text(json.dumps(_config(rope_parameters=None, rope_theta=500.0, eos_token_id=[2, 7])))
    config = load_config(path)
    assert (config.head_dim, config.rope_theta, config.eos_token_ids) == (16, 500.0, (2, 7))


class _Pieces:
    """A tokenizer whose ids decode to fixed strings, U+FFFD standing for half a character."""

    def __init__(self, pieces: dict[int, str]) -> None:
        self.pieces = pieces

    def decode(self, ids: list[int]) -> str:
        text = "".join(self.pieces[i] for i in ids)
        return text.replace("\ufffd\ufffd", "é")  # two halves make a whole character


def test_stream_stops_before_the_first_newline():
    from rag.generation.llama import stream_text

    tokenizer = _Pieces({1: "The", 2: " answer", 3: " is 5.\nMore", 4: " never"})
    assert list(stream_text(tokenizer, iter([1, 2, 3, 4]))) == ["The", " answer", " is 5."]


def test_stream_holds_back_half_characters():
    from rag.generation.llama import stream_text

    tokenizer = _Pieces({1: "caf", 2: "\ufffd", 3: " ok"})
    assert list(stream_text(tokenizer, iter([1, 2, 2, 3]))) == ["caf", "é", " ok"]

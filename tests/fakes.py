"""Deterministic stand-ins for the models, behind the same interfaces."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence

import numpy as np

_WORD = re.compile(r"\w+")


class FakeEmbedder:
    """Hashed bag of words: texts sharing words get similar unit vectors."""

    name = "fake/hashed-words"
    dim = 64
    max_tokens = 254

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def count_tokens(self, text: str) -> int:
        return len(_WORD.findall(text))

    def embed(self, texts: Sequence[str], progress=None) -> np.ndarray:
        self.embedded.extend(texts)
        out = np.zeros((len(texts), self.dim), dtype="float32")
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                digest = hashlib.md5(word.encode()).digest()
                out[row, digest[0] % self.dim] += 1.0 if digest[1] % 2 else -1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else out[row]
        if progress:
            progress(len(texts))
        return out


class FakeGenerator:
    """Replies with a fixed script, token by token, and records its prompts."""

    name = "fake"

    def __init__(self, reply: str = "") -> None:
        self.reply = reply
        self.prompts: list[str] = []

    def generate(self, prompt: str, max_new_tokens: int = 64) -> Iterator[str]:
        self.prompts.append(prompt)
        for word in self.reply.split(" "):
            yield word + " "

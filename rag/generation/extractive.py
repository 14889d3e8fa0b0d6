"""No model at all: the answer is the verified evidence, quoted."""

from __future__ import annotations

from collections.abc import Iterator


class ExtractiveGenerator:
    name = "extractive"

    def generate(self, prompt: str, max_new_tokens: int = 64) -> Iterator[str]:
        return iter(())

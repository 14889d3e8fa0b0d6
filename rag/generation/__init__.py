"""Generators: one Protocol, a registry of backends chosen by flag, env or config."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Protocol

from rag.errors import ConfigError

if TYPE_CHECKING:
    from rag.config import Settings


class Generator(Protocol):
    name: str

    def generate(self, prompt: str, max_new_tokens: int = 64) -> Iterator[str]:
        """Stream the reply to a filled prompt template, piece by piece."""


def _local(settings: Settings) -> Generator:
    from rag.generation.local import LocalGenerator

    return LocalGenerator()


def _openai(settings: Settings) -> Generator:
    import sys

    from rag.generation.openai import OpenAIGenerator

    # Questions and passages leave this process: say where, every time.
    print(f"rag: openai generator: sending questions and passages to {settings.openai_base_url} (model {settings.openai_model})", file=sys.stderr)
    return OpenAIGenerator(settings.openai_base_url, settings.openai_model, settings.openai_api_key)


def _extractive(settings: Settings) -> Generator:
    from rag.generation.extractive import ExtractiveGenerator

    return ExtractiveGenerator()


GENERATORS: dict[str, Callable[[Settings], Generator]] = {"local": _local, "openai": _openai, "extractive": _extractive}


def get_generator(name: str, settings: Settings) -> Generator:
    try:
        factory = GENERATORS[name]
    except KeyError:
        raise ConfigError(f"unknown generator '{name}'; choose one of: {', '.join(sorted(GENERATORS))}") from None
    return factory(settings)

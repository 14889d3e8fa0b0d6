"""Prompt templates live in prompts/ as files with $named placeholders."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from string import Template

from rag.errors import ConfigError

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
ABSTAIN_SENTINEL = "NOT_IN_DOCUMENTS"


@lru_cache(maxsize=None)
def _template(name: str) -> Template:
    path = PROMPTS_DIR / f"{name}.txt"
    try:
        return Template(path.read_text(encoding="utf-8"))
    except OSError:
        raise ConfigError(f"prompt template {path} is missing; restore it from the repository") from None


def render(name: str, **values: str) -> str:
    """Fill a template; a missing placeholder is an error, not a silent blank."""
    try:
        return _template(name).substitute(abstain_sentinel=ABSTAIN_SENTINEL, **values)
    except KeyError as exc:
        raise ConfigError(f"prompt template {name}.txt needs a value for {exc}") from None

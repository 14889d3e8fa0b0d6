"""A user's glossary: other names for things their documents spell out one way.

    # glossary.toml
    TSB = ["Transport Safety Board"]
    "the works" = ["Riverside Engineering Works"]
"""

from __future__ import annotations

from pathlib import Path

from rag.errors import ConfigError
from rag.tomlfile import read_toml


def load_glossary(path: str | Path) -> dict[str, tuple[str, ...]]:
    file = Path(path)
    data = read_toml(file, ConfigError, label=f"glossary {file}", unreadable="fix the glossary setting or create the file",
                     invalid='write one line a name: NAME = ["long form", ...]')
    glossary = {}
    for name, value in data.items():
        forms = [value] if isinstance(value, str) else value
        if not isinstance(forms, list) or not forms or not all(isinstance(f, str) and f.strip() for f in forms):
            raise ConfigError(f"glossary {file}: {name} must be a string or a list of strings, e.g. {name} = [\"long form\"]")
        glossary[name] = tuple(f.strip() for f in forms)
    return glossary

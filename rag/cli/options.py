"""Flags shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

IndexOpt = Annotated[Optional[Path], typer.Option("--index", help="Index directory [default: indexes/default, or [tool.rag] index].")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object for machines.")]
RetrieverOpt = Annotated[Optional[str], typer.Option("--retriever", help="dense, bm25 or hybrid [default: hybrid].")]
TopKOpt = Annotated[Optional[int], typer.Option("-k", "--top-k", help="How many passages to retrieve.")]
GeneratorOpt = Annotated[Optional[str], typer.Option("--generator", help="local, extractive or openai [default: local].")]


def settings_from(**overrides):
    from rag.config import Settings

    if overrides.get("index") is not None:
        overrides["index"] = str(overrides["index"])
    return Settings.load(overrides)

"""Flags shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

IndexOpt = Annotated[Optional[Path], typer.Option("--index", help="Index directory \\[default: indexes/default, or \\[tool.rag] index].")]
StoreOpt = Annotated[
    Optional[str],
    typer.Option("--store", help="Where the index lives: local (the --index folder), milvus://HOST:PORT/COLLECTION or milvus-lite:FILE.db \\[default: local]."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object for machines.")]
RetrieverOpt = Annotated[Optional[str], typer.Option("--retriever", help="dense, bm25 or hybrid \\[default: hybrid].")]
TopKOpt = Annotated[Optional[int], typer.Option("-k", "--top-k", help="How many passages to retrieve.")]
GeneratorOpt = Annotated[Optional[str], typer.Option("--generator", help="extractive, local or openai \\[default: extractive].")]
OpenAIUrlOpt = Annotated[
    Optional[str],
    typer.Option("--openai-base-url", help="OpenAI-compatible server for --generator openai; the only way, with RAG_OPENAI_BASE_URL, to name another machine."),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or notes; results and errors only.")]


def settings_from(**overrides):
    from rag.config import Settings

    if overrides.get("index") is not None:
        overrides["index"] = str(overrides["index"])
    return Settings.load(overrides)


def answering_settings(quiet: bool = False, **overrides):
    """Settings for a command that reads the index: the default one is built from the
    bundled seeds/ on first use, so `rag ask` works straight after install."""
    from rag.config import Settings
    from rag.ingest import bundled_index_missing, index_bundled_corpus

    settings = settings_from(**overrides)
    if settings.store == "local" and bundled_index_missing(settings.index, Settings.__dataclass_fields__["index"].default):
        from rag.cli import err
        from rag.cli.safe import plain

        if not quiet:
            err.print(plain(f"No index at {settings.index} yet: indexing the bundled seeds/ once.", style="dim", oneline=True))
        index_bundled_corpus(settings.index, settings.embedder)
    return settings

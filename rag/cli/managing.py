"""`rag status` and `rag ls`: what is indexed, from where, and with which settings."""

from __future__ import annotations

import json
import time
from pathlib import Path

from rich.table import Table
from rich.text import Text

from rag.cli import app, console, handles_errors
from rag.cli.options import IndexOpt, JsonOpt, StoreOpt, settings_from
from rag.config import describe_origin

out = console()
SECRET_SETTINGS = ("openai_api_key",)


def _when(seconds: float | None) -> str:
    return "" if not seconds else time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds))


def _shown(name: str, value) -> str:
    if name in SECRET_SETTINGS:
        return "(set)" if value else ""
    return str(value)


def _origin(origin: str) -> str:
    return "default" if origin == "default" else describe_origin(origin)


@app.command("status")
@handles_errors
def status_command(index: IndexOpt = None, store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """The index in use and where it came from, its counts, stale files, and every setting in force with its origin."""
    from rag.inventory import CHANGED, MISSING, read_inventory

    settings = settings_from(index=index, store=store)
    inventory = read_inventory(Path(settings.index), settings.store)
    changed, missing = inventory.in_state(CHANGED), inventory.in_state(MISSING)
    if as_json:
        print(json.dumps(_status_json(settings, inventory, changed, missing), ensure_ascii=False))
        return
    where = "index" if settings.store == "local" else "store"
    out.print(Text.assemble(("index      ", "bold"), inventory.root, (f"  (from {_origin(settings.origin(where))})", "dim")))
    out.print(
        f"           {inventory.generation}, built {_when(inventory.created)}, {inventory.index_type}, "
        f"embedder {inventory.embedder} ({inventory.dim} dims)",
        highlight=False, markup=False,
    )
    out.print(Text.assemble(("documents  ", "bold"), f"{len(inventory.documents)} ({inventory.chunk_count} chunks); "
                            f"{len(changed)} changed on disk, {len(missing)} missing; {len(inventory.skipped)} skipped at the last index"))
    for label, items in (("changed", changed), ("missing", missing)):
        for item in items:
            out.print(Text.assemble((f"  {label} ", "yellow"), item.source))
    if changed or missing:
        out.print("  run `rag index` on the changed files and `rag rm` on the missing ones (or `rag index --prune PATHS`)", style="dim", highlight=False, markup=False)
    out.print(_settings_table(settings))


def _status_json(settings, inventory, changed, missing) -> dict:
    return {
        "index": inventory.root,
        "index_origin": settings.origin("index" if settings.store == "local" else "store"),
        "generation": inventory.generation,
        "created": inventory.created,
        "index_type": inventory.index_type,
        "index_embedder": inventory.embedder,
        "dim": inventory.dim,
        "embedder": settings.embedder,
        "generator": settings.generator,
        "retriever": settings.retriever,
        "documents": len(inventory.documents),
        "chunks": inventory.chunk_count,
        "changed": [d.source for d in changed],
        "missing": [d.source for d in missing],
        "skipped": len(inventory.skipped),
        "settings": {name: {"value": _shown(name, value) if name in SECRET_SETTINGS else value, "origin": origin}
                     for name, value, origin in settings.items()},
    }


def _settings_table(settings) -> Table:
    table = Table(title="settings in force", title_justify="left")
    table.add_column("setting")
    table.add_column("value")
    table.add_column("from", style="dim")
    for name, value, origin in settings.items():
        table.add_row(name, Text(_shown(name, value)), Text(_origin(origin)))
    return table


@app.command("ls")
@handles_errors
def ls_command(index: IndexOpt = None, store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """The indexed documents (source, chunks, when indexed) and the files the last `rag index` skipped, with why."""
    from rag.inventory import OK, read_inventory

    settings = settings_from(index=index, store=store)
    inventory = read_inventory(Path(settings.index), settings.store)
    if as_json:
        payload = {
            "index": inventory.root,
            "documents": [d.to_json() for d in inventory.documents],
            "skipped": [{"source": s.source, "reason": s.reason} for s in inventory.skipped],
        }
        print(json.dumps(payload, ensure_ascii=False))
        return
    table = Table(title=Text(f"{inventory.root}: {len(inventory.documents)} documents"), title_justify="left")
    for column, justify in (("source", "left"), ("chunks", "right"), ("indexed", "left"), ("on disk", "left")):
        table.add_column(column, justify=justify)
    for d in inventory.documents:
        state = Text("") if d.state == OK else Text(d.state, style="yellow")
        table.add_row(Text(d.source), str(d.chunks), _when(d.indexed), state)
    out.print(table)
    for s in inventory.skipped:
        out.print(Text.assemble(("skipped ", "yellow"), s.source, ": ", s.reason))

"""`rag index`, `rag rm` and `rag search`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table
from rich.text import Text

from rag.cli import app, console, err, handles_errors
from rag.cli.options import IndexOpt, JsonOpt, QuietOpt, RetrieverOpt, StoreOpt, TopKOpt, answering_settings, settings_from
from rag.cli.safe import plain
from rag.errors import InputError
from rag.types import Skipped

out = console()


@app.command("index")
@handles_errors
def index_command(
    paths: Annotated[Optional[list[str]], typer.Argument(help="Files or folders to index \\[default: seeds/].")] = None,
    index: IndexOpt = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Start over: the index holds exactly the paths given.")] = False,
    prune: Annotated[
        bool, typer.Option("--prune", help="Also remove indexed documents not found under the paths given (each is named).")
    ] = False,
    follow_links: Annotated[
        bool, typer.Option("--follow-links", help="Follow symbolic links that lead outside the paths given.")
    ] = False,
    index_type: Annotated[Optional[str], typer.Option("--index-type", help="flat, hnsw, ivf or auto (by size).")] = None,
    wait: Annotated[float, typer.Option("--wait", help="Seconds to wait for another writer of the same index.")] = 0.0,
    max_file_mb: Annotated[
        Optional[float], typer.Option("--max-file-mb", envvar="RAG_MAX_FILE_MB", help="Skip files larger than this \\[default: 64].")
    ] = None,
    workers: Annotated[
        Optional[str],
        typer.Option(
            "--workers",
            help="Where to embed: local (this process), processes\\[:N] (N processes, default one per core), ray (a local Ray "
            "instance; without ray installed, local processes with a notice) or ray://HOST:PORT (a Ray cluster; an error if "
            "unreachable). Ray needs pip install 'rag\\[scale]'. The index is the same either way \\[default: local].",
        ),
    ] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Add or update files and folders (.txt .md .html .pdf .docx .jsonl); unchanged files are not re-embedded,
    documents not given are kept (see --prune and `rag rm`)."""
    from rag.cli.progress import indexing_progress
    from rag.embedding import get_embedder
    from rag.errors import NothingIndexedError
    from rag.ingest import index_documents
    from rag.loaders import DEFAULT_MAX_FILE_MB, load_paths
    from rag.stores import open_target, parse_store
    from rag.workers import open_workers

    settings = settings_from(index=index, index_type=index_type, workers=workers, store=store)
    spec = parse_store(settings.store)
    target = open_target(spec, settings.index)
    shown = settings.index if spec.is_local else settings.store
    limit = _file_limit(max_file_mb if max_file_mb is not None else getattr(settings, "max_file_mb", DEFAULT_MAX_FILE_MB))
    embedder = get_embedder(settings.embedder)
    items = load_paths(paths or ["seeds"], max_file_mb=limit, follow_links=follow_links, exclude=[settings.index, *([spec.address] if spec.kind == "milvus-lite" else [])])
    skipped: list[Skipped] = []
    try:
        with open_workers(settings.workers, embedder, _notice(quiet)) as pool, indexing_progress(not (as_json or quiet)) as progress:
            progress.on_skipped = skipped.append
            if not as_json:
                progress.on_removed = _print_removed
            report = index_documents(
                items, target, embedder, rebuild=rebuild, prune=prune, index_type=settings.index_type,
                progress=progress, lock_wait=wait, workers=pool,
            )
    except NothingIndexedError:
        _print_skipped(skipped)
        raise
    if as_json:
        print(json.dumps({"index": shown, **report.to_json()}, ensure_ascii=False))
        return
    _print_skipped(report.skipped)
    out.print(
        plain(shown, style="bold", oneline=True)
        + f": {report.added} added, {report.updated} updated, {report.removed} removed, "
        f"{report.unchanged} unchanged, {len(report.skipped)} skipped{_kept(report.kept)}; {report.chunks} chunks "
        f"({report.embedded} embedded, {report.index_type}) in {report.seconds:.1f}s",
        highlight=False,
    )


def _kept(kept: int) -> str:
    return f", {kept} not given and kept (--prune removes them)" if kept else ""


def _notice(quiet: bool):
    return (lambda text: None) if quiet else (lambda text: err.print(plain(f"rag: {text}", style="yellow", oneline=True), highlight=False))


def _print_removed(source: str) -> None:
    err.print(Text("removing ", style="yellow") + plain(source, oneline=True), highlight=False, soft_wrap=True)


@app.command("rm")
@handles_errors
def rm_command(
    sources: Annotated[list[str], typer.Argument(help="Documents to remove, as `rag ls` lists them; a .jsonl name removes its records.")],
    index: IndexOpt = None,
    wait: Annotated[float, typer.Option("--wait", help="Seconds to wait for another writer of the same index.")] = 0.0,
    as_json: JsonOpt = False,
) -> None:
    """Remove documents from the index (a new generation; nothing is embedded again)."""
    from rag.ingest import Progress, remove_documents

    settings = settings_from(index=index)
    if settings.store != "local":
        raise InputError(f"`rag rm` removes from a local index; for the store {settings.store}, run `rag index --prune` over the paths to keep")
    progress = Progress(on_removed=_print_removed if not as_json else lambda source: None)
    report = remove_documents(Path(settings.index), sources, lock_wait=wait, progress=progress)
    if as_json:
        print(json.dumps({"index": settings.index, **report.to_json()}, ensure_ascii=False))
        return
    out.print(plain(settings.index, style="bold", oneline=True) + f": {report.removed} removed, {report.kept} kept; {report.chunks} chunks",
              highlight=False)


def _file_limit(megabytes: float) -> float:
    if not megabytes > 0:
        raise InputError(f"--max-file-mb must be a positive number of megabytes, not {megabytes:g}")
    return float(megabytes)


def _print_skipped(skipped: list[Skipped] | tuple[Skipped, ...]) -> None:
    for item in skipped:
        # File names may hold [brackets] or escape sequences: shown as written, made printable.
        err.print(Text("skipped ", style="yellow") + plain(f"{item.source}: {item.reason}", oneline=True), highlight=False, soft_wrap=True)


@app.command("search")
@handles_errors
def search_command(
    query: Annotated[Optional[str], typer.Argument(help="What to look for.")] = None,
    index: IndexOpt = None,
    k: TopKOpt = None,
    retriever: RetrieverOpt = None,
    batch: Annotated[Optional[Path], typer.Option("--batch", help="BEIR-style queries .jsonl (_id/id, text/question).")] = None,
    out_path: Annotated[Optional[Path], typer.Option("--out", help="With --batch: where to write one result line per query.")] = None,
    force: Annotated[bool, typer.Option("--force", help="With --batch: overwrite an existing --out (never the queries file).")] = False,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Show the passages that best match a query."""
    from rag.searching import Searcher, passage_json

    settings = answering_settings(quiet, index=index, retriever=retriever, top_k=k, store=store)
    searcher = Searcher.from_settings(settings)
    if batch is not None:
        from rag.cli.batch_search import run_batch_search

        run_batch_search(searcher, batch, out_path, settings.top_k, force)
        return
    if not query or not query.strip():
        raise InputError("give a query, e.g. rag search \"QMAS quota\" (or --batch QUERIES.jsonl)")
    passages = searcher.search(query)
    if as_json:
        print(json.dumps({"query": query, "results": [passage_json(p) for p in passages]}, ensure_ascii=False))
        return
    out.print(_results_table(query, passages))


def _results_table(query: str, passages) -> Table:
    table = Table(title=plain(f"Results for: {query}", oneline=True), show_lines=True, expand=True)
    table.add_column("#", justify="right", width=3)
    table.add_column("score", justify="right", width=7)
    table.add_column("source", ratio=1)
    table.add_column("text", ratio=3)
    for p in passages:
        # Passages and file names are shown as written, never read as Rich markup.
        where = plain(p.chunk.source, oneline=True)
        where.append("\n").append_text(plain(p.chunk.locator, style="dim", oneline=True))
        text = p.chunk.text if len(p.chunk.text) < 400 else p.chunk.text[:400] + "…"
        table.add_row(str(p.rank), f"{p.score:.3f}", where, plain(text))
    if not passages:
        table.add_row("", "", "", "[dim]no passage matched[/dim]")
    return table

"""Rich progress bars behind the library's progress hooks."""

from __future__ import annotations

from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn, TimeRemainingColumn

from rag.cli import err
from rag.ingest import Progress


@contextmanager
def indexing_progress(enabled: bool = True):
    if not enabled:
        yield Progress()
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with RichProgress(*columns, console=err, transient=True) as bar:
        reading = bar.add_task("reading", total=None)
        embedding: list[int] = []

        def on_embed_start(total: int) -> None:
            bar.update(reading, visible=False)
            embedding.append(bar.add_task("embedding", total=total))

        yield Progress(
            on_document=lambda source: bar.advance(reading),
            on_embed_start=on_embed_start,
            on_embedded=lambda n: bar.advance(embedding[0], n),
        )

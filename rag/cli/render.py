"""Rich rendering of answers: [n] markers, then the cited passages with the supporting words lit."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel

from rag.cli.safe import plain, printable
from rag.types import Answer


def render_answer(console: Console, answer: Answer, show_sources: bool = True) -> None:
    style = "yellow" if answer.abstained else "bold"
    console.print(plain(answer.text, style=style))
    if show_sources:
        render_sources(console, answer)


def render_sources(console: Console, answer: Answer) -> None:
    for citation in answer.citations:
        # Offsets are found in the cleaned text, so the highlight lands on what is shown.
        body = plain(citation.text)
        shown = body.plain
        for support in citation.support:
            support = printable(support)
            start = shown.find(support)
            if start >= 0:
                body.stylize("bold green", start, start + len(support))
        title = plain(f"[{citation.n}] {citation.source} · {citation.locator}", oneline=True)
        console.print(Panel(body, title=title, title_align="left", border_style="dim"))

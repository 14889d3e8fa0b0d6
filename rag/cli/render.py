"""Rich rendering of answers: [n] markers, then the cited passages with the supporting words lit."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from rag.types import Answer


def render_answer(console: Console, answer: Answer, show_sources: bool = True) -> None:
    style = "yellow" if answer.abstained else "bold"
    console.print(Text(answer.text, style=style))
    if show_sources:
        render_sources(console, answer)


def render_sources(console: Console, answer: Answer) -> None:
    for citation in answer.citations:
        body = Text(citation.text)
        for support in citation.support:
            start = citation.text.find(support)
            if start >= 0:
                body.stylize("bold green", start, start + len(support))
        title = f"[{citation.n}] {citation.source} · {citation.locator}"
        console.print(Panel(body, title=title, title_align="left", border_style="dim"))

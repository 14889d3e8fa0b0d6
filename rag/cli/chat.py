"""The interactive chat loop: streamed answers, history, follow-up rewriting."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from rag.cli.render import render_answer, render_sources
from rag.errors import RagError
from rag.followup import rewrite
from rag.types import Answer

HELP = "Ask a question about your documents. /sources shows the passages behind the last answer, /help this text, /exit leaves. Ctrl-C stops an answer."


def run_chat(assistant, console: Console) -> None:
    console.print(f"[bold]rag chat[/bold] over {assistant.settings.index}. {HELP}", highlight=False)
    history: list[str] = []
    last: Answer | None = None
    while True:
        try:
            line = console.input("[bold cyan]? [/bold cyan]").strip()
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        if not line:
            continue
        if line in ("/exit", "/quit"):
            return
        if line == "/help":
            console.print(HELP)
        elif line == "/sources":
            render_sources(console, last) if last and last.citations else console.print("[dim]no sources yet[/dim]")
        else:
            last = _answer(assistant, console, line, history) or last


def _answer(assistant, console: Console, question: str, history: list[str]) -> Answer | None:
    standalone = rewrite(question, history, assistant.generator if history else None)
    if standalone != question:
        console.print(Text(f"(understood as: {standalone})", style="dim italic"))
    answer = None
    try:
        for event in assistant.stream(standalone):
            if isinstance(event, Answer):
                answer = event
            else:
                console.print(Text(event, style="dim"), end="")
    except KeyboardInterrupt:
        console.print("\n[yellow](stopped)[/yellow]")
        return None
    except RagError as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False)
        return None
    console.print()
    history.append(standalone)
    render_answer(console, answer, show_sources=False)
    return answer

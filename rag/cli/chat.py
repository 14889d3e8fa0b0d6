"""The interactive chat loop: verified answers only, history, follow-up rewriting."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterable

from rich.console import Console
from rich.text import Text

from rag.cli import print_error
from rag.cli.render import render_answer, render_sources
from rag.cli.safe import plain
from rag.errors import RagError
from rag.followup import rewrite
from rag.types import Answer

HELP = "Ask a question about your documents. /sources shows the passages behind the last answer, /help this text, /exit leaves. Ctrl-C stops an answer."


def run_chat(assistant, console: Console) -> None:
    console.print(Text.assemble(("rag chat", "bold"), " over ", plain(str(assistant.settings.index), oneline=True), f". {HELP}"), highlight=False)
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
            console.print(HELP, highlight=False)
        elif line == "/sources":
            if last and last.citations:
                render_sources(console, last)
            else:
                console.print(Text("no sources yet", style="dim"))
        else:
            last = _answer(assistant, console, line, history) or last


def _answer(assistant, console: Console, question: str, history: list[str]) -> Answer | None:
    # The draft is never shown: until verification it is only the generator's say-so,
    # and a document can steer a generator into writing anything.
    try:
        with console.status("thinking…") as status, _HeldInterrupt(lambda: status.update("stopping once the models have loaded…")) as held:
            standalone = rewrite(question, history, assistant.generator if history else None)
            answer = _verified(assistant.stream(standalone), held)
    except KeyboardInterrupt:
        console.print(Text("(stopped)", style="yellow"))
        return None
    except RagError as exc:
        print_error(console, exc)
        return None
    if standalone != question:
        console.print(plain(f"(understood as: {standalone})", style="dim italic", oneline=True))
    history.append(standalone)
    render_answer(console, answer, show_sources=False)
    return answer


def _verified(events: Iterable[str | Answer], held: _HeldInterrupt) -> Answer:
    for event in events:
        held.release()  # the models are loaded once anything arrives: Ctrl-C may stop at once
        if isinstance(event, Answer):
            return event
    raise RagError("the answer stream ended without an answer; ask again")


class _HeldInterrupt:
    """Holds Ctrl-C back until release(). Before an answer's first event the models may
    still be importing, and an import cut short (torch's above all) leaves modules half
    made for the rest of the session; held, the interrupt lands once they are whole."""

    def __init__(self, on_hold: Callable[[], None]) -> None:
        self.on_hold = on_hold

    def __enter__(self) -> _HeldInterrupt:
        self.pending = False
        in_main = threading.current_thread() is threading.main_thread()
        self._previous = signal.signal(signal.SIGINT, self._hold) if in_main else None
        return self

    def __exit__(self, *exc_info) -> None:
        self._restore()

    def release(self) -> None:
        self._restore()
        if self.pending:
            self.pending = False
            raise KeyboardInterrupt

    def _hold(self, signum, frame) -> None:
        if not self.pending:
            self.pending = True
            self.on_hold()

    def _restore(self) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

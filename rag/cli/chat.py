"""The interactive chat loop: reads lines, runs commands, renders verified answers.

Answers run on a worker thread so Ctrl-C only ever lands here, in the main thread: it
stops the answer and keeps the session, and can never interrupt an import or a model
load half-way (which left torch or asyncio half-imported for the next question).
"""

from __future__ import annotations

import contextlib
import queue
import signal
import threading
from collections.abc import Callable
from dataclasses import replace

from rich.console import Console
from rich.text import Text

from rag.cli.lineinput import LineReader, terminal_foreground
from rag.cli.render import render_answer, render_sources
from rag.cli.safe import printable
from rag.conversation import Cancelled, Conversation, Status
from rag.errors import RagError
from rag.types import Answer, Chunk

POLL_SECONDS = 0.1


def run_chat(conversation: Conversation, console: Console, err: Console, reader: LineReader | None = None) -> None:
    with terminal_foreground(), _ctrl_c_interrupts():
        _session(conversation, console, err, reader or LineReader())


@contextlib.contextmanager
def _ctrl_c_interrupts():
    """Ctrl-C stops an answer even when the chat was started with SIGINT ignored (a
    background job of a script passes that on, and Python then never raises
    KeyboardInterrupt); the previous handler comes back when the chat ends."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _session(conversation: Conversation, console: Console, err: Console, reader: LineReader) -> None:
    settings = conversation.settings
    where = settings.index if settings.store == "local" else settings.store
    console.print(f"rag chat over {_plain(str(where))}. Ask a question; /help lists commands; Ctrl-D leaves.", highlight=False)
    while True:
        try:
            line = reader.read().strip()
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        if not line:
            continue
        try:
            if line.startswith("/"):
                if not _command(conversation, console, line):
                    return
            else:
                _reload_if_rebuilt(conversation, console)
                _ask(conversation, console, err, line)
        except KeyboardInterrupt:  # a turn is stopped, never the session
            console.print(Text("(stopped)", style="yellow"))


# --- commands -----------------------------------------------------------------------


def _help(conversation: Conversation, console: Console, arg: str) -> None:
    for name, (_, text) in COMMANDS.items():
        console.print(f"  {name:<10} {text}", highlight=False, markup=False)
    console.print("  Ctrl-C stops an answer; Ctrl-C or Ctrl-D at the prompt leaves. Up and down recall earlier questions.")


def _sources(conversation: Conversation, console: Console, arg: str) -> None:
    reason = conversation.abstain_reason()
    if reason:
        console.print(Text(f"No sources: the last question was not answered because {_plain(reason)}.", style="yellow"))
    elif conversation.last and conversation.last.citations:
        render_sources(console, conversation.last)
    else:
        console.print("[dim]no sources yet: ask a question first[/dim]")


def _open(conversation: Conversation, console: Console, arg: str) -> None:
    if not arg.isdigit():
        raise _Usage("/open needs a passage number, e.g. /open 1")
    passage = conversation.passage(int(arg))
    citation = passage.citation
    console.print(Text(f"[{citation.n}] {_plain(citation.source)} · {_plain(citation.locator)}", style="bold"))
    if passage.before:
        console.print(_chunk_text(passage.before, "dim"))
    body = Text(_plain(passage.chunk.text if passage.chunk else citation.text))
    for support in citation.support:
        start = body.plain.find(_plain(support))
        if start >= 0:
            body.stylize("bold green", start, start + len(support))
    console.print(body)
    if passage.after:
        console.print(_chunk_text(passage.after, "dim"))


def _leave(conversation: Conversation, console: Console, arg: str) -> bool:
    return False


COMMANDS: dict[str, tuple[Callable, str]] = {
    "/help": (_help, "this list"),
    "/sources": (_sources, "the passages behind the last answer, or why it was not answered"),
    "/open": (_open, "/open N: passage N in full, with the passages before and after it"),
    "/exit": (_leave, "leave (also /quit, Ctrl-D)"),
    "/quit": (_leave, "leave"),
}


class _Usage(Exception):
    pass


def _command(conversation: Conversation, console: Console, line: str) -> bool:
    """Run one /command; False when the session should end."""
    name, _, arg = line.partition(" ")
    entry = COMMANDS.get(name.lower())
    if entry is None:
        console.print(Text(f"unknown command {_plain(name)}; commands: {', '.join(COMMANDS)}", style="red"))
        return True
    try:
        return entry[0](conversation, console, arg.strip()) is not False
    except (_Usage, RagError) as exc:
        console.print(Text(f"error: {_plain(str(exc))}", style="red"))
        return True


# --- answers ------------------------------------------------------------------------


def _reload_if_rebuilt(conversation: Conversation, console: Console) -> None:
    try:
        if conversation.index_changed():
            documents = conversation.reload()
            console.print(Text(f"index updated: now {documents} documents", style="dim"))
    except RagError as exc:
        console.print(Text(f"error: {_plain(str(exc))}", style="red"))


def _ask(conversation: Conversation, console: Console, err: Console, line: str) -> None:
    question = conversation.standalone(line)
    if question != line:
        console.print(Text(f"→ searching for: {_plain(question)}", style="dim"))
    try:
        answer = _wait_for_answer(conversation, err, question)
    except RagError as exc:
        console.print(Text(f"error: {_plain(str(exc))}", style="red"))
        return
    if answer is not None:
        conversation.record(question, answer)
        _render(console, answer)


def _wait_for_answer(conversation: Conversation, err: Console, question: str) -> Answer | None:
    """Run the answer on a worker thread and wait for it; Ctrl-C here cancels it."""
    cancelled = threading.Event()
    events: queue.Queue = queue.Queue()
    worker = threading.Thread(target=_pump, args=(conversation, question, cancelled, events), daemon=True)
    try:
        with err.status("Thinking …") as status:
            # Started inside the status, so a Ctrl-C can never land while the status is
            # still being drawn (which left it half set up and swallowed "(stopped)").
            worker.start()
            while True:
                try:
                    event = events.get(timeout=POLL_SECONDS)
                except queue.Empty:
                    continue
                if isinstance(event, BaseException):
                    raise event
                if isinstance(event, Status):
                    err.print(Text(event.text, style="dim"))
                    status.update(event.text)
                elif isinstance(event, str):
                    status.update("Writing the answer …")  # the draft is unverified: not shown
                else:
                    return event
    finally:
        cancelled.set()


_DONE = None


def _pump(conversation: Conversation, question: str, cancelled: threading.Event, events: queue.Queue) -> None:
    try:
        for event in conversation.stream(question, cancelled):
            events.put(event)
        events.put(_DONE)
    except Cancelled:
        pass
    except BaseException as exc:  # handed to the main thread, which reports or re-raises it
        events.put(exc)


def _render(console: Console, answer: Answer) -> None:
    render_answer(console, _plain_answer(answer), show_sources=False)
    for citation in answer.citations:
        where = ", ".join(part for part in (citation.source, citation.locator) if part)
        console.print(Text(f"[{citation.n}] {_plain(where)}", style="dim"))


def _plain_answer(answer: Answer) -> Answer:
    return replace(answer, text=_plain(answer.text))


def _chunk_text(chunk: Chunk, style: str) -> Text:
    return Text(_plain(chunk.text), style=style)


def _plain(text: str) -> str:
    """Document text never reaches the terminal as control sequences."""
    return printable(text)

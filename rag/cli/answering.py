"""`rag ask`, `rag chat` and `rag batch`."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from rag.cli import app, console, err, handles_errors
from rag.cli.options import GeneratorOpt, IndexOpt, JsonOpt, OpenAIUrlOpt, QuietOpt, RetrieverOpt, StoreOpt, answering_settings
from rag.cli.render import render_answer
from rag.errors import InputError
from rag.cli.safe import plain

out = console()


def _assistant(index, generator, retriever=None, openai_base_url=None, quiet=False, store=None):
    from rag.pipeline import Assistant

    settings = answering_settings(quiet, index=index, generator=generator, retriever=retriever, openai_base_url=openai_base_url, store=store)
    return Assistant.from_settings(settings)


def _question(given: str) -> str:
    """`-` reads the question from standard input, as most tools read a file."""
    text = sys.stdin.read() if given == "-" else given
    if not text.strip():
        raise InputError("the question is empty; give it as an argument, or pipe it in with `rag ask -`")
    return text.strip()


@app.command("ask")
@handles_errors
def ask_command(
    question: Annotated[str, typer.Argument(help="The question, or - to read it from standard input.")],
    index: IndexOpt = None,
    generator: GeneratorOpt = None,
    retriever: RetrieverOpt = None,
    openai_base_url: OpenAIUrlOpt = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Answer one question from the indexed documents, with cited passages."""
    text = _question(question)
    assistant = _assistant(index, generator, retriever, openai_base_url, quiet, store)
    answer = assistant.ask(text)
    if as_json:
        print(json.dumps(answer.to_json(), ensure_ascii=False))
    else:
        render_answer(out, answer)


@app.command("batch")
@handles_errors
def batch_command(
    file: Annotated[Path, typer.Argument(help=".txt (one question a line) or .jsonl ({\"id\"?, \"question\"}).")],
    index: IndexOpt = None,
    generator: GeneratorOpt = None,
    openai_base_url: OpenAIUrlOpt = None,
    out_path: Annotated[
        Optional[Path],
        typer.Option("--out", help="Where to write one JSON answer per line \\[default: q.jsonl -> q.answers.jsonl, q.txt -> q.txt.answers.jsonl]."),
    ] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Skip ids already answered in --out.")] = False,
    store: StoreOpt = None,
) -> None:
    """Answer a file of questions, writing each answer as it is done."""
    from rag.batch import check_output, default_output, read_questions

    target = out_path or default_output(file)
    check_output(target, file)
    items = read_questions(file)
    assistant = _assistant(index, generator, openai_base_url=openai_base_url, store=store)
    counts = {"answered": 0, "abstained": 0, "errors": 0}
    try:
        _answer_all(items, assistant, target, resume, counts)
    except KeyboardInterrupt:
        _interrupted(file, target, len(items), index, generator, openai_base_url, store)
    done = sum(counts.values())
    summary = f"{done} written to {target} ({counts['answered']} answered, {counts['abstained']} abstained, {counts['errors']} errors; {len(items) - done} already done)"
    out.print(plain(summary, oneline=True), highlight=False)


def _answer_all(items, assistant, target: Path, resume: bool, counts: dict[str, int]) -> None:
    from rich.progress import Progress

    from rag.batch import run_batch

    with Progress(console=err, transient=True) as bar:
        task = bar.add_task("answering", total=len(items))
        for record in run_batch(items, lambda q: assistant.ask(q).to_json(), target, resume):
            key = "errors" if record["error"] else "abstained" if record["abstained"] else "answered"
            counts[key] += 1
            bar.advance(task)


def _interrupted(file: Path, target: Path, total: int, index, generator, openai_base_url, store=None) -> None:
    from rag.batch import done_ids

    words = ["rag", "batch", str(file), "--out", str(target), "--resume"]
    for flag, value in (("--index", index), ("--generator", generator), ("--openai-base-url", openai_base_url), ("--store", store)):
        if value is not None:
            words += [flag, str(value)]
    done = len(done_ids(target))
    err.print(plain(f"interrupted: {done} of {total} answered in {target}; continue with: {shlex.join(words)}", oneline=True), highlight=False, soft_wrap=True)
    raise typer.Exit(130)


@app.command("chat")
@handles_errors
def chat_command(index: IndexOpt = None, generator: GeneratorOpt = None, openai_base_url: OpenAIUrlOpt = None, store: StoreOpt = None) -> None:
    """Ask questions in a session: follow-ups are resolved to stand alone; /help lists commands."""
    from rag.cli.chat import run_chat
    from rag.conversation import Conversation
    from rag.pipeline import Assistant

    settings = answering_settings(False, index=index, generator=generator, openai_base_url=openai_base_url, store=store)
    run_chat(Conversation(settings, Assistant.from_settings), out, err)

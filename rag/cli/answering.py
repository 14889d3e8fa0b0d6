"""`rag ask`, `rag chat` and `rag batch`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from rag.cli import app, err, handles_errors
from rag.cli.options import GeneratorOpt, IndexOpt, JsonOpt, RetrieverOpt, answering_settings
from rag.cli.render import render_answer

out = Console()


def _assistant(index, generator, retriever=None):
    from rag.pipeline import Assistant

    return Assistant.from_settings(answering_settings(index=index, generator=generator, retriever=retriever))


@app.command("ask")
@handles_errors
def ask_command(
    question: Annotated[str, typer.Argument(help="The question.")],
    index: IndexOpt = None,
    generator: GeneratorOpt = None,
    retriever: RetrieverOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer one question from the indexed documents, with cited passages."""
    assistant = _assistant(index, generator, retriever)
    answer = assistant.ask(question)
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
    out_path: Annotated[Optional[Path], typer.Option("--out", help="Where to write one JSON answer per line [default: FILE.answers.jsonl].")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Skip ids already answered in --out.")] = False,
) -> None:
    """Answer a file of questions, writing each answer as it is done."""
    from rich.progress import Progress

    from rag.batch import check_output, read_questions, run_batch

    target = out_path or file.with_suffix(".answers.jsonl")
    check_output(target, file)
    items = read_questions(file)
    assistant = _assistant(index, generator)
    counts = {"answered": 0, "abstained": 0, "errors": 0}
    with Progress(console=err, transient=True) as bar:
        task = bar.add_task("answering", total=len(items))
        for record in run_batch(items, lambda q: assistant.ask(q).to_json(), target, resume):
            key = "errors" if record["error"] else "abstained" if record["abstained"] else "answered"
            counts[key] += 1
            bar.advance(task)
    done = sum(counts.values())
    out.print(f"{done} written to {target} ({counts['answered']} answered, {counts['abstained']} abstained, {counts['errors']} errors; {len(items) - done} already done)", highlight=False)


@app.command("chat")
@handles_errors
def chat_command(index: IndexOpt = None, generator: GeneratorOpt = None) -> None:
    """Ask questions in a session: follow-ups are rewritten to stand alone; /sources, /help, /exit."""
    from rag.cli.chat import run_chat

    run_chat(_assistant(index, generator), out)

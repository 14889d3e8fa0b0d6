"""The `rag` command: parses flags, calls the library, renders with Rich."""

from __future__ import annotations

import functools
import sys

import typer
from rich.console import Console
from rich.text import Text

from rag.errors import RagError

app = typer.Typer(
    help="Ask questions of your own documents, offline, with verified citations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)


def handles_errors(command):
    """Our own errors become one red line and an exit code; real bugs keep their traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except RagError as exc:
            print_error(err, exc)
            raise typer.Exit(exc.exit_code) from None

    return wrapper


def print_error(console: Console, exc: BaseException) -> None:
    """One red line; the message may quote file names or documents, so it is never markup."""
    from rag.cli.safe import plain

    console.print(Text("error: ", style="red") + plain(str(exc), oneline=True), highlight=False, soft_wrap=True)


def main() -> None:
    from rag.cli import answering, evaluating, indexing  # noqa: F401  (registers the commands)

    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)

"""The `rag` command: parses flags, calls the library, renders with Rich."""

from __future__ import annotations

import functools
import os
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from rag.errors import RagError

app = typer.Typer(
    help="Ask questions of your own documents, offline, with verified citations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
_consoles: list[Console] = []


class _Console(Console):
    def print(self, *objects, **kwargs) -> None:
        # Into a pipe, a line of text stays one line (no hard wrap at 80 columns);
        # panels and tables keep their layout, whose borders need a width.
        if kwargs.get("soft_wrap") is None and not self.is_terminal and all(isinstance(o, (str, Text)) for o in objects):
            kwargs["soft_wrap"] = True
        super().print(*objects, **kwargs)


def console(stderr: bool = False) -> Console:
    """A console that the root options configure (colour) on every run."""
    made = _Console(stderr=stderr)
    _consoles.append(made)
    return made


err = console(stderr=True)


def color_disabled(flag: bool = False) -> bool:
    # https://no-color.org: present and not empty.
    return flag or bool(os.environ.get("NO_COLOR"))


def configure_consoles(no_color: bool) -> bool:
    """No ANSI at all without colour, not even bold."""
    import typer.rich_utils

    off = color_disabled(no_color)
    if off:
        typer.rich_utils.COLOR_SYSTEM = None  # Typer's own help and usage errors
    for each in _consoles:
        if off:
            each._color_system = None  # Rich has no public setter; None makes it write plain text
    return no_color


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("rag")
    except PackageNotFoundError:
        from rag import __version__

        return __version__


def _print_version(value: bool) -> None:
    if value:
        print(f"rag {version()}")
        raise typer.Exit(0)


@app.callback()
def root(
    show_version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    no_color: Annotated[
        bool,
        typer.Option("--no-color", callback=configure_consoles, is_eager=True, help="No colours or styles (as NO_COLOR=1); allowed anywhere on the line."),
    ] = False,
) -> None:
    """Ask questions of your own documents, offline, with verified citations."""


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


def _no_color_first(argv: list[str]) -> list[str]:
    """`--no-color` is a root option; let it follow the command too, as people type it."""
    end = argv.index("--") if "--" in argv else len(argv)
    if "--no-color" not in argv[:end]:
        return argv
    rest = [a for i, a in enumerate(argv) if not (a == "--no-color" and i < end)]
    return ["--no-color", *rest]


def print_error(console: Console, exc: BaseException) -> None:
    """One red line; the message may quote file names or documents, so it is never markup."""
    from rag.cli.safe import plain

    console.print(Text("error: ", style="red") + plain(str(exc), oneline=True), highlight=False, soft_wrap=True)



def main() -> None:
    from rag.cli import answering, evaluating, indexing, managing  # noqa: F401  (registers the commands)

    args = _no_color_first(sys.argv[1:])
    configure_consoles("--no-color" in args)  # before Typer prints any help
    try:
        app(args=args, prog_name="rag")
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)

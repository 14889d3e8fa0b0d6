"""Reading chat lines: readline editing and a persistent, bounded history on a terminal,
plain lines from a pipe."""

from __future__ import annotations

import os
import signal
import sys
from contextlib import contextmanager, suppress
from pathlib import Path

HISTORY_LENGTH = 1000
# \001 and \002 tell readline the colour codes take no room, so editing keeps its place.
_TTY_PROMPT = "\001\x1b[1;36m\002? \001\x1b[0m\002"
_PLAIN_PROMPT = "? "


def history_path() -> Path:
    from platformdirs import user_state_dir

    return Path(os.environ.get("RAG_HISTORY_FILE") or Path(user_state_dir("rag")) / "history")


class LineReader:
    def __init__(self, interactive: bool | None = None) -> None:
        self.interactive = sys.stdin.isatty() if interactive is None else interactive
        self._readline = None
        self.path = history_path()
        if self.interactive:
            self._start_readline()

    def _start_readline(self) -> None:
        try:
            import readline
        except ImportError:  # no readline on this platform: plain input still works
            return
        self._readline = readline
        readline.set_history_length(HISTORY_LENGTH)
        with suppress(OSError):
            readline.read_history_file(self.path)

    def read(self) -> str:
        """One line; EOFError on Ctrl-D, KeyboardInterrupt on Ctrl-C."""
        line = input(_TTY_PROMPT if self.interactive and os.environ.get("NO_COLOR") is None else _PLAIN_PROMPT)
        if self._readline is not None and line.strip():
            self._remember()
        return line

    def _remember(self) -> None:
        # Written after every line, so a session that is killed keeps what was typed.
        with suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._readline.write_history_file(self.path)


@contextmanager
def terminal_foreground():
    """Make this process the terminal's foreground group while the chat runs.

    Under `make chat` the chat shares make's process group, so Ctrl-C reaches make too,
    which then dies with the signal once the chat ends. A group of its own keeps Ctrl-C
    for the chat alone; the terminal goes back to the previous group on the way out."""
    fd = _terminal()
    if fd is None or os.getpgrp() == os.getpid() or _foreground_group(fd) != os.getpgrp():
        yield  # already a group leader (run from a shell), or not in the foreground
        return
    previous = os.getpgrp()
    _set_foreground(fd, None)
    try:
        yield
    finally:
        _set_foreground(fd, previous)


def _terminal() -> int | None:
    try:
        return sys.stdin.fileno() if sys.stdin.isatty() else None
    except (AttributeError, ValueError, OSError):
        return None


def _foreground_group(fd: int) -> int | None:
    try:
        return os.tcgetpgrp(fd)
    except OSError:  # not our controlling terminal
        return None


def _set_foreground(fd: int, group: int | None) -> None:
    # A background group that touches the terminal's settings is stopped with SIGTTOU
    # unless it ignores the signal.
    old = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        if group is None:
            os.setpgid(0, 0)
            group = os.getpgrp()
        os.tcsetpgrp(fd, group)
    except OSError:
        pass  # no job control here: Ctrl-C still stops answers, make just sees it too
    finally:
        signal.signal(signal.SIGTTOU, old)

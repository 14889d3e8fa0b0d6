"""A `rag chat` child on a pseudo-terminal, with the fake embedder and scripted generators."""

from __future__ import annotations

import codecs
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT

# `rag` with the fake embedder, plus two generators a test can pick: "slow" writes its
# draft (30 words) one word every tenth of a second after touching FAKE_GENERATING, and "slowload"
# takes FAKE_LOAD_SECONDS to load its model after touching FAKE_LOADING.
RUNNER = r"""
import os, sys, time
sys.path.insert(0, os.environ["RAG_TEST_ROOT"])
from tests.fakes import FakeEmbedder
from rag import embedding, generation

def touch(variable):
    if os.environ.get(variable):
        open(os.environ[variable], "w").close()

class Slow:
    name = "slow"
    def generate(self, prompt, max_new_tokens=64):
        touch("FAKE_GENERATING")
        for word in ("draft " * 30).split():
            time.sleep(0.1)
            yield word + " "

class SlowLoad(Slow):
    name = "slowload"
    loaded = False
    @property
    def loading_note(self):
        return None if self.loaded else "Loading the answer model …"
    def load(self):
        touch("FAKE_LOADING")
        time.sleep(float(os.environ.get("FAKE_LOAD_SECONDS", "3")))
        self.loaded = True
    def generate(self, prompt, max_new_tokens=64):
        assert self.loaded
        return iter(())

embedding.register_embedder("fake", FakeEmbedder)
generation.GENERATORS["slow"] = lambda settings: Slow()
generation.GENERATORS["slowload"] = lambda settings: SlowLoad()
from rag.cli import main
sys.argv[0] = "rag"
main()
"""
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|[\x01\x02]")


def chat_env(home: Path, **extra: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "FAKE_", "XDG_", "MAKE"))}
    environment.update(
        RAG_EMBEDDER="fake", RAG_TEST_ROOT=str(ROOT), HOME=str(home), XDG_STATE_HOME=str(home / "state"),
        COLUMNS="200", LINES="50", TERM="xterm", PYTHONPATH=str(ROOT), **extra,
    )
    return environment


def chat_command(index: Path, generator: str) -> list[str]:
    return [sys.executable, "-c", RUNNER, "chat", "--index", str(index), "--generator", generator]


class Terminal:
    """The master side of a pty: send keys, wait for text to appear."""

    def __init__(self, master: int) -> None:
        self.master = master
        self.raw, self.consumed = "", 0
        self._decode = codecs.getincrementaldecoder("utf-8")("replace").decode

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def line(self, text: str) -> None:
        self.send(text + "\r")

    def press_until(self, keys: str, pattern: str, tries: int = 3, seconds: float = 5) -> str:
        """Send `keys` until `pattern` appears, at most `tries` times (see `interrupt_at_prompt`)."""
        time.sleep(0.2)
        for attempt in range(tries):
            self.send(keys)
            try:
                return self.wait_for(pattern, seconds if attempt < tries - 1 else 60)
            except AssertionError:
                if attempt == tries - 1:
                    raise
        raise AssertionError("unreachable")

    def wait_for(self, pattern: str, seconds: float = 60) -> str:
        """Read until `pattern` (a regex) appears in the output since the last match."""
        deadline = time.monotonic() + seconds
        while True:
            text = self.text[self.consumed :]
            found = re.search(pattern, text)
            if found:
                self.consumed += found.end()
                return text[: found.end()]
            left = deadline - time.monotonic()
            assert left > 0, f"{pattern!r} never appeared; output so far:\n{self.text}"
            self._read(min(left, 0.5))

    @property
    def text(self) -> str:
        """Everything printed so far, without colour codes or carriage returns."""
        return _ANSI.sub("", self.raw).replace("\r", "")

    def _read(self, seconds: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], seconds)
        if not ready:
            return False
        try:
            data = os.read(self.master, 65536)
        except OSError:  # the child closed the terminal
            return False
        self.raw += self._decode(data)
        return bool(data)


class Chat(Terminal):
    """`rag chat` as a child on a pty."""

    def __init__(self, index: Path, generator: str, home: Path, **env: str) -> None:
        master, slave = pty.openpty()
        super().__init__(master)
        self.process = subprocess.Popen(
            chat_command(index, generator), stdin=slave, stdout=slave, stderr=slave, env=chat_env(home, **env), cwd=home, close_fds=True
        )
        os.close(slave)

    def interrupt(self) -> None:
        self.process.send_signal(signal.SIGINT)

    def interrupt_at_prompt(self, tries: int = 3) -> None:
        """Ctrl-C at the `? ` prompt, pressed again if the first press went unseen.

        readline prints the prompt before it starts waiting for keys; a SIGINT landing
        in that instant is noted but does not wake the wait, so a person would press
        Ctrl-C again (no keystroke is that quick, a test's signal can be)."""
        time.sleep(0.2)
        for _ in range(tries):
            self.interrupt()
            deadline = time.monotonic() + 5
            while self.process.poll() is None and time.monotonic() < deadline:
                self._read(0.2)
            if self.process.poll() is not None:
                return

    def finish(self, seconds: float = 30) -> tuple[int, str]:
        """Wait for the child to exit; its exit code and everything it printed."""
        deadline = time.monotonic() + seconds
        while self.process.poll() is None and time.monotonic() < deadline:
            self._read(0.2)
        code = self.process.wait(timeout=5)
        while self._read(0.1):
            pass
        os.close(self.master)
        return code, self.text

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


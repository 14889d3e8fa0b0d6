"""`rag` run as a real subprocess, with deterministic stand-ins for the models: the
fake embedder registered as "fake", and generators chosen by --generator:
"scripted" replies with $FAKE_REPLY; "slowload" loads like torch does (half-made
module state until the load ends, broken for good if the load is cut short)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

RUNNER = r"""
import os, sys, time
sys.path.insert(0, os.environ["RAG_TEST_ROOT"])
from tests.fakes import FakeEmbedder, FakeGenerator
from rag import embedding, generation

class SlowLoading(FakeGenerator):
    state = "unloaded"

    def generate(self, prompt, max_new_tokens=64):
        if SlowLoading.state == "half":  # what a re-import of a half-imported torch does
            raise AttributeError("module 'torch.amp' has no attribute 'autocast_mode'")
        if SlowLoading.state == "unloaded":
            SlowLoading.state = "half"
            open(os.environ["FAKE_LOAD_MARKER"], "w").close()
            time.sleep(float(os.environ.get("FAKE_LOAD_SECONDS", "3")))
            SlowLoading.state = "loaded"
        yield from super().generate(prompt, max_new_tokens)

embedding.register_embedder("fake", FakeEmbedder)
generation.GENERATORS["scripted"] = lambda settings: FakeGenerator(os.environ.get("FAKE_REPLY", ""))
generation.GENERATORS["slowload"] = lambda settings: SlowLoading(os.environ.get("FAKE_REPLY", ""))
from rag.cli import main
sys.argv[0] = "rag"
main()
"""


def rag_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "FAKE_"))}
    env.update(RAG_EMBEDDER="fake", RAG_TEST_ROOT=str(ROOT), COLUMNS="200", PYTHONIOENCODING="utf-8", **extra)
    return env


def rag_command(*args: str) -> list[str]:
    return [sys.executable, "-c", RUNNER, *args]


def run_rag(*args: str, cwd: Path, stdin: str | None = None, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(rag_command(*args), cwd=cwd, env=rag_env(**env), input=stdin, capture_output=True, text=True, timeout=timeout)


def start_rag(*args: str, cwd: Path, ignore_sigint: bool = False, **env: str) -> subprocess.Popen:
    """`ignore_sigint` starts it as a script's background job is started: SIGINT ignored."""
    import signal

    return subprocess.Popen(
        rag_command(*args), cwd=cwd, env=rag_env(**env), text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if ignore_sigint else None,
    )

"""Failures a user can meet, each one clear line naming the place and the fix, never a
traceback: an unwritable model cache, a full disk, a file given as --index, Ctrl-C
while chat loads its models, an answer server's HTTP error, a PDF decompression bomb,
and an index built by another embedder."""

from __future__ import annotations

import errno
import json
import os
import shlex
import signal
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from rag import index as idx
from rag import vectors
from rag.errors import IndexError_, ModelError
from rag.generation import local
from rag.generation.openai import OpenAIGenerator
from rag.ingest import index_documents
from rag.loaders import load_paths
from rag.types import Skipped
from tests.fakes import FakeEmbedder
from tests.rag_process import run_rag, start_rag

LIBRARY = "Harbour library\n\nThe harbour library opens at 9 am on weekdays. Visitors must show a card.\n\nThe reading room holds 5 896 books from 2019.\n"
MUSEUM = "City museum\n\nThe city museum opens at 10 am on Sundays and shows old maps of the coast.\n"
QUESTION = "How many books does the reading room hold?"


def one_line(text: str) -> str:
    assert "Traceback" not in text, text
    # The openai backend names the endpoint it uses before anything else: that is a notice, not an error.
    lines = [line for line in text.strip().splitlines() if not line.startswith("rag: openai generator:")]
    assert len(lines) == 1, text
    return lines[0]


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A folder with docs/ indexed by the fake embedder into idx/."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "library.txt").write_text(LIBRARY, encoding="utf-8")
    (tmp_path / "docs" / "museum.txt").write_text(MUSEUM, encoding="utf-8")
    index_documents(load_paths([str(tmp_path / "docs")]), tmp_path / "idx", FakeEmbedder())
    return tmp_path


# --- the answer model's cache cannot be written ----------------------------------------


def test_cache_under_a_file_names_the_folder_and_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    monkeypatch.setenv("RAG_CACHE_DIR", str(tmp_path / "afile" / "cache"))
    with pytest.raises(ModelError, match="RAG_CACHE_DIR") as raised:
        local.ensure_cached()
    assert str(tmp_path / "afile" / "cache") in str(raised.value) and "cannot write the answer model's cache" in str(raised.value)


def test_read_only_cache_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Root may write anywhere, so the read-only file system is simulated where the probe writes.
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setenv("RAG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(local.tempfile, "mkstemp", read_only)
    with pytest.raises(ModelError, match="Read-only file system.*RAG_CACHE_DIR"):
        local.ensure_cached()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o555)
    monkeypatch.setenv("RAG_CACHE_DIR", str(folder))
    with pytest.raises(ModelError, match="Permission denied"):
        local.ensure_cached()


def test_rag_ask_with_an_unwritable_cache_prints_one_line(library: Path) -> None:
    (library / "afile").write_text("x", encoding="utf-8")
    done = run_rag("ask", QUESTION, "--index", "idx", "--generator", "local", cwd=library, RAG_CACHE_DIR=str(library / "afile" / "cache"))
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert "cannot write the answer model's cache in" in line and "afile" in line and "RAG_CACHE_DIR" in line


# --- the disk fills while FAISS is written -----------------------------------------------


def test_vectors_save_reports_a_full_disk_as_oserror() -> None:
    import faiss
    import numpy as np

    flat = faiss.IndexFlatIP(4)
    flat.add(np.ones((3, 4), dtype="float32"))
    with pytest.raises(OSError) as raised:  # faiss.write_index only logs this and returns
        vectors.save(flat, Path("/dev/full"))
    assert raised.value.errno == errno.ENOSPC


def test_disk_full_while_writing_faiss_keeps_the_old_index(library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = sorted(p.name for p in (library / "idx").iterdir())

    def disk_full(index, path):
        path.write_bytes(b"half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(vectors, "save", disk_full)
    (library / "docs" / "more.txt").write_text("Park\n\nThe park opens at dawn.\n", encoding="utf-8")
    with pytest.raises(IndexError_) as raised:
        index_documents(load_paths([str(library / "docs")]), library / "idx", FakeEmbedder())
    message = str(raised.value)
    assert message.startswith("disk full") and "still serves" in message and str(library / "idx") in message
    assert sorted(p.name for p in (library / "idx").iterdir()) == before  # the half-written generation is gone
    old = idx.Index.open(library / "idx", FakeEmbedder.name, FakeEmbedder.dim)
    assert sorted(old.manifest.documents) == [str(library / "docs" / name) for name in ("library.txt", "museum.txt")]
    assert old.vectors.ntotal == len(old.chunks) > 0


# --- a file where the index folder should be ----------------------------------------------


@pytest.mark.parametrize("command", [("index", "docs"), ("search", "library"), ("ask", QUESTION, "--generator", "extractive")])
@pytest.mark.parametrize("where", ["afile", "afile/sub"])
def test_index_that_is_a_file(library: Path, command: tuple[str, ...], where: str) -> None:
    (library / "afile").write_text("not an index", encoding="utf-8")
    done = run_rag(*command, "--index", where, cwd=library)
    assert done.returncode == 2
    assert one_line(done.stderr) == "error: afile is a file, not an index folder; pass a folder with --index"
    assert (library / "afile").read_text(encoding="utf-8") == "not an index"


# --- Ctrl-C while chat loads its models ---------------------------------------------------


@pytest.mark.parametrize("ignore_sigint", [False, True], ids=["shell", "background-job"])
def test_ctrl_c_during_the_first_answer_keeps_the_session(library: Path, ignore_sigint: bool) -> None:
    marker = library / "loading"
    chat = start_rag(
        "chat", "--index", "idx", "--generator", "slowload", cwd=library, ignore_sigint=ignore_sigint,
        FAKE_LOAD_MARKER=str(marker), FAKE_LOAD_SECONDS="2", FAKE_REPLY="The reading room holds 5 896 books [1].",
    )
    chat.stdin.write(QUESTION + "\n")
    chat.stdin.flush()
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert chat.poll() is None and time.monotonic() < deadline, chat.communicate()
        time.sleep(0.05)
    chat.send_signal(signal.SIGINT)  # mid-load, where an interrupted `import torch` breaks torch for good
    stdout, stderr = chat.communicate(QUESTION + "\n/exit\n", timeout=60)
    assert chat.returncode == 0, stderr
    assert "Traceback" not in stderr + stdout and "AttributeError" not in stderr + stdout and "NameError" not in stderr + stdout
    assert "(stopped)" in stdout
    assert stdout.count("[1] ") == 1  # the second question was answered in the same session, the first stopped


# --- the answer server answers with an error ----------------------------------------------


class _Failing(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        self.rfile.read(int(self.headers["Content-Length"]))
        body = json.dumps({"error": {"message": "CUDA out of memory\x1b[2J while loading"}}).encode()
        self.send_response(500)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def failing_server():
    httpd = HTTPServer(("127.0.0.1", 0), _Failing)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}/v1"
    httpd.shutdown()


def test_http_500_is_reported_as_an_answer_not_as_unreachable(failing_server: str) -> None:
    with pytest.raises(ModelError) as raised:
        list(OpenAIGenerator(failing_server, "m").generate("hello"))
    message = str(raised.value)
    assert f"the answer server at {failing_server}/chat/completions answered HTTP 500: CUDA out of memory" in message
    assert "cannot reach" not in message and "--openai-base-url" not in message
    assert "RAG_OPENAI_BASE_URL" in message and "openai_base_url in rag.toml" in message


def test_rag_ask_against_a_failing_server(library: Path, failing_server: str) -> None:
    done = run_rag("ask", QUESTION, "--index", "idx", "--generator", "openai", cwd=library, RAG_OPENAI_BASE_URL=failing_server)
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert "answered HTTP 500: CUDA out of memory\\x1b[2J while loading" in line  # the server's words, escaped


# --- a PDF decompression bomb -------------------------------------------------------------


def _pdf(content: bytes) -> bytes:
    stream = zlib.compress(content, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_pdf_bomb_is_not_called_a_scan(tmp_path: Path) -> None:
    text = b"BT /F1 12 Tf 72 720 Td (Hidden words) Tj ET\n"
    (tmp_path / "bomb.pdf").write_bytes(_pdf(text + b" " * 80_000_000))  # inflates past pypdf's 75 MB limit
    (tmp_path / "scan.pdf").write_bytes(_pdf(b"0 0 1 rg 0 0 100 100 re f\n"))  # drawing, no text
    (tmp_path / "fine.pdf").write_bytes(_pdf(text))
    results = {Path(item.source).name: item for item in load_paths([str(tmp_path)])}
    assert isinstance(results["bomb.pdf"], Skipped) and "decompression bomb" in results["bomb.pdf"].reason
    assert "scanned image?" not in results["bomb.pdf"].reason
    assert isinstance(results["scan.pdf"], Skipped) and "scanned image?" in results["scan.pdf"].reason
    assert not isinstance(results["fine.pdf"], Skipped)


# --- an index built by another embedder ---------------------------------------------------


class _OtherEmbedder(FakeEmbedder):
    name = "other/embedder"


def test_model_mismatch_names_the_folder_and_a_command_that_works(library: Path) -> None:
    index_documents(load_paths([str(library / "docs")]), library / "idx", _OtherEmbedder(), rebuild=True)
    done = run_rag("search", "library", "--index", "idx", cwd=library)
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert line.startswith("error: idx was built with the embedder other/embedder") and "gen-" not in line
    command = line.split("`")[1]
    assert command == f"rag index --rebuild --index idx {shlex.quote(str(library / 'docs'))}"
    rebuilt = run_rag(*shlex.split(command)[1:], cwd=library)  # as written, without the program name
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert run_rag("search", "library", "--index", "idx", cwd=library).returncode == 0

"""The openai backend against misbehaving servers: silent, slow, endless and flooding."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rag.errors import ModelError
from rag.generation.openai import OpenAIGenerator


def _event(text: str) -> bytes:
    return f"data: {json.dumps({'choices': [{'delta': {'content': text}}]})}\n\n".encode()


class _Handler(BaseHTTPRequestHandler):
    mode = "endless"

    def do_POST(self):  # noqa: N802 (http.server's naming)
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        try:
            getattr(self, f"_{self.mode}")()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading, as it should

    def _endless(self):
        while True:
            self.wfile.write(_event("word "))
            self.wfile.flush()

    def _silent(self):
        time.sleep(3)

    def _slow(self):
        for _ in range(200):  # a piece every 0.1 s: never silent long, never done
            self.wfile.write(_event("word "))
            self.wfile.flush()
            time.sleep(0.1)

    def _flood(self):
        block = b"x" * 65536  # one line that never ends
        while True:
            self.wfile.write(block)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/v1"
    httpd.shutdown()
    httpd.server_close()


def _generate(server: str, mode: str, max_new_tokens: int = 48, **limits) -> list[str]:
    _Handler.mode = mode
    return list(OpenAIGenerator(server, "tiny", **limits).generate("q", max_new_tokens=max_new_tokens))


def test_endless_stream_stops_at_max_new_tokens(server):
    pieces = _generate(server, "endless", max_new_tokens=7)
    assert pieces == ["word "] * 7


def test_silent_server_hits_the_read_timeout(server):
    started = time.monotonic()
    with pytest.raises(ModelError, match="sent nothing for 0.5 s"):
        _generate(server, "silent", read_timeout=0.5)
    assert time.monotonic() - started < 2.5


def test_slow_stream_hits_the_deadline(server):
    started = time.monotonic()
    with pytest.raises(ModelError, match="took too long"):
        _generate(server, "slow", max_new_tokens=10_000, read_timeout=2, deadline=0.6)
    assert time.monotonic() - started < 2.5


def test_flood_hits_the_byte_cap(server):
    with pytest.raises(ModelError, match="more than 256 KB"):
        _generate(server, "flood", max_new_tokens=10_000, max_bytes=256 * 1024)


def test_flood_of_events_hits_the_byte_cap(server):
    with pytest.raises(ModelError, match="more than 64 KB"):
        _generate(server, "endless", max_new_tokens=10**9, max_bytes=64 * 1024)


def test_openai_generator_names_its_endpoint_on_stderr(capsys):
    from rag.config import Settings
    from rag.generation import get_generator

    settings = Settings(generator="openai", openai_base_url="http://127.0.0.1:9/v1")
    get_generator("openai", settings)
    assert "http://127.0.0.1:9/v1" in capsys.readouterr().err.strip().splitlines()[-1]

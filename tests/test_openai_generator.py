"""The openai backend against a small real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from rag.errors import ModelError
from rag.generation.openai import OpenAIGenerator


class _Handler(BaseHTTPRequestHandler):
    requests: list[dict] = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Handler.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for piece in ["The QMAS ", "began in ", "June 2006 [1]."]:
            chunk = {"choices": [{"delta": {"content": piece}}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/v1"
    httpd.shutdown()


def test_streams_pieces_and_sends_model_and_key(server):
    _Handler.requests.clear()
    generator = OpenAIGenerator(server, "tiny", api_key="secret")
    pieces = list(generator.generate("When did QMAS begin?", max_new_tokens=20))
    assert pieces == ["The QMAS ", "began in ", "June 2006 [1]."]
    sent = _Handler.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["body"]["model"] == "tiny" and sent["body"]["stream"] is True and sent["body"]["max_tokens"] == 20
    assert sent["auth"] == "Bearer secret"


def test_unreachable_server_is_a_clear_error():
    generator = OpenAIGenerator("http://127.0.0.1:9/v1", "tiny")
    with pytest.raises(ModelError, match="cannot reach"):
        list(generator.generate("hello"))

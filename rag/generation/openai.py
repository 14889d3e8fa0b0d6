"""Any OpenAI-compatible chat-completions server (llama.cpp, Ollama, vLLM, LM Studio), streamed.

A server cannot hold an answer open for ever or flood it: the stream stops after
`max_new_tokens` pieces (the draft so far is the answer, as with the server's own
max_tokens), and a silent server (read timeout), a slow one (total deadline) or a
flood (byte cap) ends the answer with a ModelError that says which limit was hit."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

from rag.errors import ModelError

READ_TIMEOUT_SECONDS = 60.0  # longest silence between two reads (a cold model may take this long to start)
DEADLINE_SECONDS = 300.0  # longest time for one whole answer
MAX_BYTES = 2 * 1024 * 1024  # far above any answer of a few hundred tokens in server-sent events
READ_SIZE = 8192
BODY_CHARS = 200  # of an error reply, enough for its message, not a whole HTML page
SETTING_HINT = "RAG_OPENAI_BASE_URL / openai_base_url in rag.toml (and openai_model, openai_api_key)"


class OpenAIGenerator:
    name = "openai"

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "",
        *,
        read_timeout: float = READ_TIMEOUT_SECONDS,
        deadline: float = DEADLINE_SECONDS,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model, self.api_key = model, api_key
        self.read_timeout, self.deadline, self.max_bytes = read_timeout, deadline, max_bytes

    def generate(self, prompt: str, max_new_tokens: int = 64) -> Iterator[str]:
        body = {
            "model": self.model,
            "messages": [{"role": "user", "content": prompt}],
            "max_tokens": max_new_tokens,
            "temperature": 0,
            "stream": True,
        }
        request = urllib.request.Request(self.url, data=json.dumps(body).encode(), headers=self._headers(), method="POST")
        ends_at = time.monotonic() + self.deadline
        try:
            with urllib.request.urlopen(request, timeout=self.read_timeout) as response:
                pieces = _pieces(_lines(response, ends_at, self.max_bytes, self.url))
                for count, piece in enumerate(pieces, start=1):
                    yield piece
                    if count >= max_new_tokens:
                        return  # the budget is spent: the draft so far is the answer
        except (TimeoutError, socket.timeout):
            raise ModelError(f"the answer server at {self.url} sent nothing for {self.read_timeout:g} s; check it or use another --generator") from None
        except urllib.error.HTTPError as exc:  # it answered, with an error: say what it said
            raise ModelError(
                f"the answer server at {self.url} answered HTTP {exc.code}: {_short_body(exc)}; "
                f"check the server, or fix {SETTING_HINT}"
            ) from None
        except (urllib.error.URLError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ModelError(f"cannot reach the answer server at {self.url} ({reason}); start it or fix {SETTING_HINT}") from None

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers


def _short_body(exc: urllib.error.HTTPError) -> str:
    """The error reply's message on one line: a JSON {"error": ...} message, else its text."""
    try:
        raw = exc.read(64 * 1024).decode("utf-8", errors="replace")
    except OSError:
        raw = ""
    try:
        error = json.loads(raw).get("error", raw)
        raw = error.get("message", raw) if isinstance(error, dict) else str(error)
    except (json.JSONDecodeError, AttributeError):
        pass
    text = " ".join(raw.split()) or exc.reason or "no body"
    return text if len(text) <= BODY_CHARS else text[:BODY_CHARS] + "…"


def _lines(response, ends_at: float, max_bytes: int, url: str) -> Iterator[bytes]:
    """The response's lines, read in blocks so that neither a line without end nor a
    trickle of bytes can outlast the deadline or the byte cap."""
    buffer, total = b"", 0
    while True:
        if time.monotonic() > ends_at:
            raise ModelError(f"the answer server at {url} took too long to finish its answer (over the deadline); check it or use another --generator")
        block = response.read1(READ_SIZE)
        if not block:
            break
        total += len(block)
        if total > max_bytes:
            raise ModelError(f"the answer server at {url} sent more than {max_bytes // 1024} KB for one answer; stopped reading it, check the server")
        buffer += block
        *complete, buffer = buffer.split(b"\n")
        yield from complete
    if buffer:
        yield buffer


def _pieces(lines: Iterator[bytes]) -> Iterator[str]:
    """Server-sent events: 'data: {json}' lines, ending with 'data: [DONE]'."""
    for raw in lines:
        line = raw.decode("utf-8", errors="replace").strip()
        if not line.startswith("data:"):
            continue
        payload = line[5:].strip()
        if payload == "[DONE]":
            return
        try:
            choice = json.loads(payload)["choices"][0]
        except (json.JSONDecodeError, KeyError, IndexError, TypeError):
            continue
        piece = (choice.get("delta") or {}).get("content") or (choice.get("message") or {}).get("content")
        if piece:
            yield piece

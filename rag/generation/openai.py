"""Any OpenAI-compatible chat-completions server (llama.cpp, Ollama, vLLM, LM Studio), streamed."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

from rag.errors import ModelError

TIMEOUT_SECONDS = 60
BODY_CHARS = 200  # of an error reply, enough for its message, not a whole HTML page
SETTING_HINT = "RAG_OPENAI_BASE_URL / openai_base_url in rag.toml (and openai_model, openai_api_key)"


class OpenAIGenerator:
    name = "openai"

    def __init__(self, base_url: str, model: str, api_key: str = "") -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model, self.api_key = model, api_key

    def generate(self, prompt: str, max_new_tokens: int = 64) -> Iterator[str]:
        body = {
            "model": self.model,
            "messages": [{"role": "user", "content": prompt}],
            "max_tokens": max_new_tokens,
            "temperature": 0,
            "stream": True,
        }
        request = urllib.request.Request(self.url, data=json.dumps(body).encode(), headers=self._headers(), method="POST")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                yield from _stream(response)
        except urllib.error.HTTPError as exc:  # it answered, with an error: say what it said
            raise ModelError(
                f"the answer server at {self.url} answered HTTP {exc.code}: {_short_body(exc)}; "
                f"check the server, or fix {SETTING_HINT}"
            ) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
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


def _stream(response) -> Iterator[str]:
    """Server-sent events: 'data: {json}' lines, ending with 'data: [DONE]'."""
    for raw in response:
        line = raw.decode("utf-8", errors="replace").strip()
        if not line.startswith("data:"):
            continue
        payload = line[5:].strip()
        if payload == "[DONE]":
            return
        try:
            choice = json.loads(payload)["choices"][0]
        except (json.JSONDecodeError, KeyError, IndexError):
            continue
        piece = (choice.get("delta") or {}).get("content") or (choice.get("message") or {}).get("content")
        if piece:
            yield piece

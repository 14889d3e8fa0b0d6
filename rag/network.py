"""The network rule: nothing is sent to another machine unless the user asked for it
on the command line or in the environment, never because a project file said so."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from rag.errors import ConfigError


def is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url_scheme(url: str, origin: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        from rag.config import describe_origin

        raise ConfigError(
            f"openai_base_url '{url}' from {describe_origin(origin)} is not an http(s) URL; give one like http://127.0.0.1:8080/v1"
        )


def check_file_url(url: str, path: str, setting: str = "openai_base_url", shown: str = "") -> None:
    """A URL from a project file may only point at this machine; shown: the value as written, if not the URL."""
    if not is_loopback(url):
        flag = "--" + setting.replace("_", "-")
        raise ConfigError(
            f"{path} sets {setting} to {shown or url}, another machine; project files may only name this machine "
            f"(127.0.0.1, localhost): pass that server with {flag} or RAG_{setting.upper()} if you mean it"
        )

"""Reading a TOML file a person wrote, with one-line errors that say how to fix it."""

from __future__ import annotations

import tomllib
from pathlib import Path

from rag.errors import RagError


def read_toml(path: Path, error: type[RagError], *, label: str, unreadable: str, invalid: str) -> dict:
    """The parsed file; `label` opens each message, `unreadable` and `invalid` say what to do."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise error(f"{label}: not valid TOML ({exc}); {invalid}") from None
    except OSError as exc:
        raise error(f"{label}: cannot read it ({exc.strerror or exc}); {unreadable}") from None

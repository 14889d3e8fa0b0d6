"""Where settings come from: the nearest config file up from the working folder
(as git finds .git), then RAG_* env vars, then flags; each value with its origin."""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any

from rag.config import CONFIG_FILES, ENV_PREFIX, FLAG, Settings, env_name, setting_types, unknown_key
from rag.errors import ConfigError
from rag.network import check_file_url
from rag.tomlfile import read_toml

DEFAULT_INDEX = Settings.__dataclass_fields__["index"].default


def gather(overrides: dict[str, Any], cwd: Path) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    found = find_config(cwd)
    if found is not None:
        path, section = found
        for name, value in _from_file(path, section, cwd).items():
            values[name], origins[name] = value, str(path)
    for name, value in _from_env(os.environ).items():
        values[name], origins[name] = value, ENV_PREFIX + env_name(name)
    for name, value in overrides.items():
        if value is not None:
            values[name], origins[name] = value, FLAG
    if "index" not in values:
        _default_index(cwd, found[0].parent if found else None, values, origins)
    return values, origins


def find_config(cwd: Path) -> tuple[Path, dict] | None:
    """The first rag.toml, or pyproject.toml with [tool.rag], in cwd or a folder above it."""
    for folder in (cwd, *cwd.parents):
        for name in CONFIG_FILES:
            path = folder / name
            if path.is_file():
                section = _section(path)
                if section is not None:
                    return path, section
    return None


def _section(path: Path) -> dict | None:
    data = read_toml(path, ConfigError, label=str(path), unreadable="fix its permissions", invalid="fix the file or remove it")
    if path.name == "rag.toml":
        section = data.get("rag", data)
    else:
        section = data.get("tool", {}).get("rag")
    if section is not None and not isinstance(section, dict):
        raise ConfigError(f"{path}: the rag settings must be a table of key = value lines; fix the file")
    return section


def _from_file(path: Path, section: dict, cwd: Path) -> dict[str, Any]:
    known = setting_types()
    values = {}
    for key, value in section.items():
        name = key.replace("-", "_")
        if name not in known:
            raise unknown_key(key, str(path))
        values[name] = value
    if isinstance(values.get("index"), str):
        values["index"] = _relative_to(path.parent, values["index"], cwd)
    if isinstance(values.get("openai_base_url"), str):
        check_file_url(values["openai_base_url"], str(path))
    if isinstance(values.get("store"), str):
        values["store"] = _file_store(values["store"], path, cwd)
    return values


def _file_store(value: str, path: Path, cwd: Path) -> str:
    """A store named in a project file: a Milvus server only on this machine (the network
    rule), a Milvus Lite file read from the file's folder, as the index folder is."""
    lite = "milvus-lite:"
    if value.startswith("milvus://"):
        check_file_url("http://" + value[len("milvus://"):], str(path), "store", value)
    elif value.startswith(lite) and len(value) > len(lite):
        return lite + _relative_to(path.parent, value[len(lite):], cwd)
    return value


def _relative_to(folder: Path, value: str, cwd: Path) -> str:
    """Relative paths in a config file are read from the file's folder."""
    if Path(value).is_absolute() or folder.resolve() == cwd.resolve():
        return value
    return str(folder / value)


def _from_env(environ) -> dict[str, Any]:
    known = setting_types()
    names = {env_name(n): n for n in known}
    out = {}
    for var, raw in environ.items():
        if var in names:
            out[names[var]] = _parse_env(var, raw, known[names[var]])
        elif var.startswith("RAG_"):
            # Other tools may use RAG_* names; only a near miss of ours is surely a typo.
            close = difflib.get_close_matches(var, list(names), n=1, cutoff=0.85)
            if close:
                raise ConfigError(f"unknown env var {var}; did you mean {close[0]}? unset it or rename it")
    return out


def _parse_env(var: str, raw: str, kind: type) -> Any:
    if kind is str:
        return raw
    try:
        return kind(raw.strip())
    except ValueError:
        wanted = "a whole number" if kind is int else "a number"
        raise ConfigError(f"env var {var}={raw!r} must be {wanted}; fix or unset it") from None


def _default_index(cwd: Path, config_folder: Path | None, values: dict, origins: dict) -> None:
    """indexes/default in the nearest folder up that has one, else beside the config file."""
    for folder in (cwd, *cwd.parents):
        if (folder / DEFAULT_INDEX).is_dir():
            if folder.resolve() != cwd.resolve():
                values["index"], origins["index"] = str(folder / DEFAULT_INDEX), f"found in {folder}"
            return
    if config_folder is not None and config_folder.resolve() != cwd.resolve():
        values["index"], origins["index"] = str(config_folder / DEFAULT_INDEX), f"beside {config_folder}"

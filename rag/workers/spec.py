"""The `workers` setting: local | processes[:N] | ray[://ADDRESS], parsed and checked
without importing any backend."""

from __future__ import annotations

import os
from dataclasses import dataclass

from rag.errors import ConfigError

VALID = "local, processes, processes:N (N local processes), ray (a local Ray instance) or ray://HOST:PORT (a Ray cluster)"
RAY_CLIENT = "ray://"


@dataclass(frozen=True)
class WorkersSpec:
    kind: str  # local | processes | ray
    count: int = 0  # processes: how many; 0 for one per core
    address: str = ""  # ray: the cluster's ray:// address; empty starts a local instance


def parse_workers(value: str, origin: str = "default") -> WorkersSpec:
    """The spec, or a one-line error naming where the value came from and the valid ones."""
    text = value.strip()
    if text in ("local", "processes", "ray"):
        spec = WorkersSpec(text)
    elif text.startswith("processes:") and text[len("processes:") :].isdigit() and int(text[len("processes:") :]) > 0:
        spec = WorkersSpec("processes", count=int(text[len("processes:") :]))
    elif text.startswith(RAY_CLIENT) and len(text) > len(RAY_CLIENT):
        spec = WorkersSpec("ray", address=text)
    else:
        raise ConfigError(_bad(value, origin, f"one of {VALID}"))
    _check_network_rule(spec, origin)
    return spec


def cpu_count() -> int:
    """The cores this process may use (a container or taskset may allow fewer than the machine has)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _check_network_rule(spec: WorkersSpec, origin: str) -> None:
    """A project file may only name this machine: a cluster is asked for by flag or env var."""
    from rag.config import DEFAULT, ENV_PREFIX, FLAG
    from rag.network import is_loopback

    from_file = origin not in (DEFAULT, FLAG) and not origin.startswith(ENV_PREFIX)
    if spec.address and from_file and not is_loopback(spec.address):
        raise ConfigError(
            f"{origin} sets workers to {spec.address}, another machine; project files may only name this machine "
            "(127.0.0.1, localhost): pass it with --workers or RAG_WORKERS if you mean it"
        )


def _bad(value: str, origin: str, wanted: str) -> str:
    from rag.config import describe_origin

    return f"setting workers = {value!r} from {describe_origin(origin)} must be {wanted}; fix it there"

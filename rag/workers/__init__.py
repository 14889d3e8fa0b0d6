"""Where `rag index` embeds: in this process, in N local processes, or on Ray workers.

Every backend gives the same vectors in the same order as the embedder alone, so the
index does not depend on where it was built."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rag.embedding import Embedder
from rag.workers.base import Batch, EmbedWorkers, Pool
from rag.workers.local import LocalWorkers
from rag.workers.spec import VALID, WorkersSpec, parse_workers

Notice = Callable[[str], None]


def make_workers(spec: str | WorkersSpec, embedder: Embedder, notice: Notice = lambda text: None) -> EmbedWorkers:
    """The backend a workers setting names. `ray` without ray installed falls back to local
    processes (the index is the same) and says so through notice; `ray://ADDRESS` names a
    cluster, so there a missing ray or an unreachable address is an error."""
    spec = parse_workers(spec) if isinstance(spec, str) else spec
    if spec.kind == "local":
        return LocalWorkers(embedder)
    if spec.kind == "processes":
        from rag.workers.processes import ProcessWorkers

        return ProcessWorkers(embedder, spec.count)
    return _ray_or_processes(spec, embedder, notice)


def _ray_or_processes(spec: WorkersSpec, embedder: Embedder, notice: Notice) -> EmbedWorkers:
    from rag.errors import ConfigError
    from rag.workers.ray_backend import INSTALL, RayWorkers

    try:
        return RayWorkers(embedder, spec.address)
    except ImportError:
        if spec.address:
            raise ConfigError(f"--workers {spec.address}: ray is not installed; {INSTALL}, or use --workers processes") from None
        from rag.workers.processes import ProcessWorkers

        workers = ProcessWorkers(embedder)
        notice(f"ray is not installed ({INSTALL} adds it): embedding in {workers.count} local processes instead")
        return workers


@contextmanager
def open_workers(spec: str | WorkersSpec, embedder: Embedder, notice: Notice = lambda text: None) -> Iterator[EmbedWorkers]:
    """The backend, closed (processes ended, a Ray instance it started shut down) on the way out."""
    workers = make_workers(spec, embedder, notice)
    try:
        yield workers
    finally:
        workers.close()


__all__ = ["VALID", "Batch", "EmbedWorkers", "LocalWorkers", "Pool", "WorkersSpec", "make_workers", "open_workers", "parse_workers"]

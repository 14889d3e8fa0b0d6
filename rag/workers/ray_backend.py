"""Embedding on Ray: one actor per CPU, each loading the model once; batches go round the
actors and come back in order, a few in flight per actor."""

from __future__ import annotations

import itertools
import logging
import warnings
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from rag.embedding import Embedder
from rag.errors import ConfigError, ModelError, RagError
from rag.workers.base import IN_FLIGHT, Pool, in_order, share_cores
from rag.workers.spec import cpu_count

if TYPE_CHECKING:
    import numpy as np

INSTALL = "pip install 'rag[scale]'"
OBJECT_STORE_MB = 256  # a local instance holds a few batches of text and vectors at a time, not 30% of RAM
# A cluster with no free CPU would otherwise leave `rag index` waiting for ever; an autoscaler
# may take minutes to add a node.
START_SECONDS = 300.0


class RayWorkers(Pool):
    def __init__(self, embedder: Embedder, address: str = "", num_cpus: int = 0) -> None:
        super().__init__(embedder)
        self.address = address
        self.name = address or "ray"
        import ray  # ImportError without the scale extra: make_workers decides what follows

        self._ray = ray
        self._started = _connect(self._ray, address, num_cpus or cpu_count())
        self._actors: list = []

    def _run(self, batches: Iterable[list[str]], count: int) -> Iterator[np.ndarray]:
        actors = itertools.cycle(self._start(count))
        submit = lambda texts: next(actors).embed.remote(texts)  # noqa: E731
        return in_order(submit, self._get, batches, IN_FLIGHT * len(self._actors))

    def _start(self, count: int) -> list:
        if not self._actors:
            cpus = int(self._ray.cluster_resources().get("CPU", 1))
            actor = self._ray.remote(num_cpus=1)(_EmbedActor)
            self._actors = [actor.remote(self.embedder) for _ in range(max(1, min(cpus, count)))]
            started, _ = self._ray.wait([a.ready.remote() for a in self._actors], num_returns=1, timeout=START_SECONDS)
            if not started:
                self.close()
                where = f"the Ray cluster at {self.address}" if self.address else "the Ray instance"
                raise ConfigError(
                    f"no Ray worker started within {START_SECONDS:.0f} s on {where}: no CPU is free there (`ray status` shows "
                    "what holds them); free some, or use --workers processes"
                )
        return self._actors

    def _get(self, ref) -> np.ndarray:
        try:
            return self._ray.get(ref)
        except self._ray.exceptions.RayTaskError as exc:
            if isinstance(exc.cause, RagError):
                raise exc.cause from None
            raise ModelError(f"a Ray worker failed ({_first_line(exc.cause or exc)}); {_nodes_hint(self.address)}") from None
        except self._ray.exceptions.RayError as exc:
            raise ModelError(f"a Ray worker was lost ({_first_line(exc)}); {_nodes_hint(self.address)}") from None

    def close(self) -> None:
        for actor in self._actors:
            self._ray.kill(actor)
        self._actors = []
        if self._started and self._ray.is_initialized():
            self._ray.shutdown()
            self._started = False


class _EmbedActor:
    def __init__(self, embedder: Embedder) -> None:
        self.embedder = share_cores(embedder, 1)  # each actor holds one CPU

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.embedder.embed(texts)

    def ready(self) -> bool:
        return True


def _connect(ray, address: str, num_cpus: int) -> bool:
    """Starts a local instance or joins a cluster; False when this process was already connected
    (then it is left up when indexing ends)."""
    if ray.is_initialized():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Ray's own advice on timeouts would print beside our message
        try:
            if address:
                ray.init(address=address)  # Ray Client: this process drives, the cluster's actors embed
            else:
                # "local": a new instance even if RAY_ADDRESS names another one.
                ray.init(
                    address="local", num_cpus=num_cpus, include_dashboard=False, object_store_memory=OBJECT_STORE_MB << 20,
                    logging_level=logging.ERROR, log_to_driver=False,
                )
        except (ConnectionError, TimeoutError, ValueError, RuntimeError) as exc:
            where = f"the Ray cluster at {address}" if address else "a local Ray instance"
            fix = "check the address and that the head node's client port is open, or use --workers processes" if address else "use --workers processes"
            raise ConfigError(f"cannot reach {where} ({_first_line(exc)}); {fix}") from None
    return True


def _nodes_hint(address: str) -> str:
    if address:
        return "every node needs rag (pip install 'rag[scale]') and the embedding model installed"
    return "run again with --workers processes to see the error"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:160]

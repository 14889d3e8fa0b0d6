"""Embedding in N local processes, each loading the model once."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from rag.embedding import Embedder
from rag.errors import ModelError
from rag.workers.base import IN_FLIGHT, Pool, in_order, share_cores
from rag.workers.spec import cpu_count

if TYPE_CHECKING:
    import numpy as np

_embedder: Embedder | None = None  # this worker process's copy, loaded by its first batch


class ProcessWorkers(Pool):
    def __init__(self, embedder: Embedder, count: int = 0) -> None:
        super().__init__(embedder)
        self.count = count or cpu_count()
        self.name = f"processes:{self.count}"
        self._executor: ProcessPoolExecutor | None = None

    def _run(self, batches: Iterable[list[str]], count: int) -> Iterator[np.ndarray]:
        executor = self._start(min(self.count, count))
        return in_order(lambda texts: executor.submit(_embed, texts), _result, batches, IN_FLIGHT * self.count)

    def _start(self, size: int) -> ProcessPoolExecutor:
        if self._executor is None:
            threads = max(1, cpu_count() // max(1, size))
            # spawn, not fork: a forked copy of a process already running ONNX Runtime or torch threads can hang.
            self._executor = ProcessPoolExecutor(
                max(1, size), mp_context=multiprocessing.get_context("spawn"), initializer=_keep, initargs=(self.embedder, threads)
            )
        return self._executor

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


def _keep(embedder: Embedder, threads: int) -> None:
    global _embedder
    _embedder = share_cores(embedder, threads)


def _result(future: Future) -> np.ndarray:
    try:
        return future.result()
    except BrokenProcessPool:
        # Killed (out of memory?) or unable to start: its own error stayed in the child.
        raise ModelError("a worker process ended abruptly; run again with --workers local to see why, or give fewer processes") from None


def _embed(texts: list[str]) -> np.ndarray:
    # A model that cannot load fails here, in a batch, so its own message comes back to the driver.
    return _embedder.embed(texts)

"""The seam between indexing and where embedding runs: one Protocol, and the part every
pool of workers shares (planning batches, streaming results back in order)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

from rag.embedding import Embedder, ProgressCallback

if TYPE_CHECKING:
    import numpy as np

Job = TypeVar("Job")
Handle = TypeVar("Handle")
DEFAULT_BATCH = 64  # texts per batch for embedders that do not plan their own batches
IN_FLIGHT = 2  # batches queued per worker: it never waits for the next, and memory stays bounded


class EmbedWorkers(Protocol):
    name: str  # as the workers setting spells it

    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        """Unit-length float32 rows, one per text, exactly as the embedder alone gives them."""

    def embed_batches(self, texts: Sequence[str]) -> Iterator[Batch]:
        """The same vectors, batch by batch in the embedder's order, as they finish: for a consumer
        that writes each batch on (a store) and need not hold them all."""

    def close(self) -> None: ...


@dataclass(frozen=True)
class Batch:
    rows: list[int]  # which of the texts given, in the order of vectors
    vectors: np.ndarray


def plan(embedder: Embedder, texts: Sequence[str]) -> Iterator[list[int]]:
    """The embedder's own batches when it has them: a vector may depend on its batch (int8
    scales activations per batch), so only the same groups give the same index."""
    planner = getattr(embedder, "batches", None)
    if planner is not None:
        return iter(planner(texts))
    size = getattr(embedder, "batch_size", DEFAULT_BATCH)
    return (list(range(start, min(start + size, len(texts)))) for start in range(0, len(texts), size))


def in_order(submit: Callable[[Job], Handle], wait: Callable[[Handle], np.ndarray], jobs: Iterable[Job], depth: int) -> Iterator[np.ndarray]:
    """Results in the order of jobs, with at most depth submitted and not yet returned."""
    pending: deque[Handle] = deque()
    for job in jobs:
        pending.append(submit(job))
        if len(pending) >= depth:
            yield wait(pending.popleft())
    while pending:
        yield wait(pending.popleft())


class Pool:
    """Workers that each hold a copy of the embedder; subclasses say how a batch reaches one."""

    name = "pool"

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_batches(self, texts: Sequence[str]) -> Iterator[Batch]:
        groups = list(plan(self.embedder, texts))
        vectors = self._run(([texts[i] for i in rows] for rows in groups), len(groups))
        for rows, block in zip(groups, vectors, strict=True):
            yield Batch(rows, block)

    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        import numpy as np

        out = np.zeros((len(texts), self.embedder.dim), dtype="float32")
        for batch in self.embed_batches(texts):
            out[batch.rows] = batch.vectors
            if progress:
                progress(len(batch.rows))
        return out

    def _run(self, batches: Iterable[list[str]], count: int) -> Iterator[np.ndarray]:
        """One matrix per batch, in order; count says how many batches come (no more workers are needed)."""
        raise NotImplementedError

    def close(self) -> None: ...


def share_cores(embedder: Embedder, threads: int) -> Embedder:
    """A worker's copy of the embedder uses only its share of the cores: two runtimes each
    spreading over every core slow each other down."""
    if hasattr(embedder, "threads"):
        embedder.threads = max(1, threads)
    return embedder

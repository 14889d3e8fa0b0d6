"""`rag index --workers`: every backend gives the vectors the embedder gives alone, in the
same order, so the index does not depend on where it was built; bad values and a missing
or unreachable Ray are one-line errors (or, for a local `ray`, a fallback with a notice)."""

from __future__ import annotations

import json
import os
import pickle
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from rag import index as idx
from rag.config import Settings
from rag.embedding import MiniLMEmbedder
from rag.errors import ConfigError, ModelError
from rag.ingest import index_documents
from rag.loaders import load_paths
from rag.workers import LocalWorkers, make_workers, open_workers
from rag.workers.base import in_order, plan
from rag.workers.processes import ProcessWorkers
from tests.conftest import SEEDS
from tests.fakes import FakeEmbedder
from tests.rag_process import run_rag
from tests.test_error_lines import one_line

TEXTS = [f"passage {n} about {'harbour ' * (n % 7)}tides and {n % 5} ferries" for n in range(50)]


class BatchSensitiveEmbedder(FakeEmbedder):
    """Like int8 MiniLM: a vector moves with its batch's neighbours, so a worker gives the local
    vectors only if it is handed the very batches the embedder plans."""

    batch_size = 4

    def batches(self, texts):
        order = sorted(range(len(texts)), key=lambda i: (-len(texts[i]), texts[i]))
        return [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]

    def embed(self, texts, progress=None):
        out = np.zeros((len(texts), self.dim), dtype="float32")
        for rows in self.batches(texts):
            block = super().embed([texts[i] for i in rows])
            block[:, 0] += 0.01 * max(len(texts[i]) for i in rows)  # the batch's longest text shifts every row
            out[rows] = block / np.linalg.norm(block, axis=1, keepdims=True)
        if progress:
            progress(len(texts))
        return out


class FailingEmbedder(FakeEmbedder):
    def embed(self, texts, progress=None):
        raise ModelError("the embedding model is not installed; run `make setup`")


class DyingEmbedder(FakeEmbedder):
    def embed(self, texts, progress=None):
        os._exit(3)  # what the out-of-memory killer does to a worker


# --- the seam ---------------------------------------------------------------------------


def test_batches_come_back_in_order_with_a_bounded_number_in_flight() -> None:
    pending: list[int] = []
    most = 0

    def submit(job: int) -> int:
        nonlocal most
        pending.append(job)
        most = max(most, len(pending))
        return job

    def wait(handle: int) -> int:
        pending.remove(handle)
        return handle * 10

    assert list(in_order(submit, wait, iter(range(9)), depth=3)) == [n * 10 for n in range(9)]
    assert most == 3


def test_the_plan_is_the_embedders_own_batches_or_fixed_slices() -> None:
    sensitive = BatchSensitiveEmbedder()
    assert list(plan(sensitive, TEXTS)) == sensitive.batches(TEXTS)
    assert [len(rows) for rows in plan(FakeEmbedder(), TEXTS)] == [50]  # no batch_size: the default 64
    assert sorted(i for rows in plan(sensitive, TEXTS) for i in rows) == list(range(len(TEXTS)))


def test_a_shifted_batching_would_change_the_vectors() -> None:
    # Guards the tests below: were these equal, matching vectors would prove nothing about the plan.
    embedder = BatchSensitiveEmbedder()
    slices = np.vstack([embedder.embed(TEXTS[i : i + 4]) for i in range(0, len(TEXTS), 4)])
    assert not np.allclose(slices, embedder.embed(TEXTS))


def test_processes_give_the_local_vectors_in_order() -> None:
    embedder = BatchSensitiveEmbedder()
    seen: list[int] = []
    with open_workers("processes:2", embedder) as workers:
        assert isinstance(workers, ProcessWorkers) and workers.name == "processes:2"
        vectors = workers.embed(TEXTS, progress=seen.append)
        again = workers.embed(TEXTS[::-1])  # the same processes, models already loaded
    np.testing.assert_allclose(vectors, embedder.embed(TEXTS), atol=1e-6)
    np.testing.assert_allclose(again, vectors[::-1], atol=1e-6)
    assert sum(seen) == len(TEXTS) and len(seen) == len(embedder.batches(TEXTS))
    assert workers._executor is None  # closed: its processes are gone


def test_an_error_in_a_worker_comes_back_as_its_own_message() -> None:
    with open_workers("processes:1", FailingEmbedder()) as workers, pytest.raises(ModelError, match="make setup"):
        workers.embed(TEXTS)


def test_a_worker_that_dies_is_a_one_line_error() -> None:
    with open_workers("processes:1", DyingEmbedder()) as workers, pytest.raises(ModelError, match=r"ended abruptly; run again with --workers local"):
        workers.embed(TEXTS)


def test_the_real_embedder_plans_without_a_model_and_crosses_as_its_settings() -> None:
    embedder = MiniLMEmbedder(backend="torch")
    embedder.count_tokens("a few words")
    groups = list(embedder.batches(TEXTS))
    assert sorted(i for rows in groups for i in rows) == list(range(len(TEXTS))) and len(groups) == 1
    assert "model" not in embedder._runner.__dict__  # planning loaded no model
    copy = pickle.loads(pickle.dumps(embedder))
    assert not {"_tokenizer", "_runner"} & set(copy.__dict__) and (copy.name, copy.model_path) == (embedder.name, embedder.model_path)
    elsewhere = MiniLMEmbedder(model_path=Path("/nowhere/on/this/node"))
    assert pickle.loads(pickle.dumps(elsewhere)).model_path == embedder.model_path  # a worker finds its own copy


@pytest.mark.parametrize("workers", ["local", "processes:2"])
def test_streamed_batches_hold_every_text_once_with_its_local_vector(workers: str) -> None:
    embedder = BatchSensitiveEmbedder()
    expected = embedder.embed(TEXTS)
    with open_workers(workers, embedder) as pool:
        batches = list(pool.embed_batches(TEXTS))
    assert [b.rows for b in batches] == embedder.batches(TEXTS)
    for batch in batches:
        np.testing.assert_allclose(batch.vectors, expected[batch.rows], atol=1e-6)


def test_local_is_the_default_and_the_embedder_itself() -> None:
    embedder = FakeEmbedder()
    workers = make_workers(Settings().workers, embedder)
    assert isinstance(workers, LocalWorkers)
    np.testing.assert_array_equal(workers.embed(TEXTS), FakeEmbedder().embed(TEXTS))
    assert embedder.embedded == TEXTS


# --- the setting and the flag -------------------------------------------------------------


@pytest.mark.parametrize("value", ["local", "processes", "processes:3", "ray", "ray://10.1.2.3:10001"])
def test_valid_workers_values(value: str) -> None:
    assert Settings(workers=value).workers == value


@pytest.mark.parametrize("value", ["threads", "processes:0", "processes:two", "ray:", "ray://", "Ray", ""])
def test_a_bad_workers_value_names_the_valid_ones(value: str) -> None:
    with pytest.raises(ConfigError, match=r"setting workers = .* must be one of local, processes, processes:N .*ray://HOST:PORT"):
        Settings(workers=value)


def test_a_project_file_may_not_send_work_to_another_machine(tmp_path: Path) -> None:
    (tmp_path / "rag.toml").write_text('workers = "ray://10.1.2.3:10001"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"rag.toml sets workers to ray://10.1.2.3:10001, another machine.*--workers"):
        Settings.load(cwd=tmp_path)
    (tmp_path / "rag.toml").write_text('workers = "ray://127.0.0.1:10001"\n', encoding="utf-8")
    assert Settings.load(cwd=tmp_path).workers == "ray://127.0.0.1:10001"
    assert Settings.load({"workers": "ray://10.1.2.3:10001"}, cwd=tmp_path).workers == "ray://10.1.2.3:10001"  # a flag may


def test_a_bad_workers_flag_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("The harbour opens at 9 am.\n", encoding="utf-8")
    result = run_rag("index", "docs", "--index", "idx", "--workers", "threads:4", cwd=tmp_path)
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "workers = 'threads:4' from the command line" in line and "processes:N" in line and "ray://HOST:PORT" in line
    result = run_rag("index", "docs", "--index", "idx", cwd=tmp_path, RAG_WORKERS="cluster")
    assert result.returncode == 2 and "RAG_WORKERS" in one_line(result.stderr)
    assert not (tmp_path / "idx" / idx.CURRENT).exists()


def test_rag_index_with_processes_builds_the_local_index(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    for n in range(6):
        (tmp_path / "docs" / f"d{n}.txt").write_text(f"Note {n}\n\n" + "The ferry leaves at dawn. " * (n + 1) * 30, encoding="utf-8")
    for workers, folder in (("local", "one"), ("processes:2", "two")):
        result = run_rag("index", "docs", "--index", folder, "--workers", workers, "--json", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["embedded"] > 6
    assert_same_index(tmp_path / "one", tmp_path / "two")


def assert_same_index(first, second) -> None:
    """The same chunks, in the same order, with the same vectors."""
    one, two = idx.Index.open(first), idx.Index.open(second)
    try:
        assert [(c.id, c.text) for c in one.chunks] == [(c.id, c.text) for c in two.chunks]
        np.testing.assert_allclose(one.embeddings(), two.embeddings(), atol=1e-6)
    finally:
        one.close()
        two.close()


# --- Ray: missing, unreachable, and real -------------------------------------------------------


def test_local_ray_missing_falls_back_to_processes_with_a_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError
    notices: list[str] = []
    workers = make_workers("ray", FakeEmbedder(), notices.append)
    assert isinstance(workers, ProcessWorkers)
    assert notices == [f"ray is not installed (pip install 'rag[scale]' adds it): embedding in {workers.count} local processes instead"]


def test_a_ray_cluster_without_ray_installed_is_an_error_naming_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ConfigError, match=r"^--workers ray://10.1.2.3:10001: ray is not installed; pip install 'rag\[scale\]'") as caught:
        make_workers("ray://10.1.2.3:10001", FakeEmbedder(), lambda text: pytest.fail("no fallback for a named cluster"))
    assert "\n" not in str(caught.value)


def test_an_unreachable_cluster_is_an_error_naming_the_address(monkeypatch: pytest.MonkeyPatch) -> None:
    def init(address=None, **options):
        raise ConnectionError("ray client connection timeout")

    fake_ray = types.SimpleNamespace(is_initialized=lambda: False, init=init)
    monkeypatch.setitem(sys.modules, "ray", fake_ray)
    with pytest.raises(ConfigError, match=r"cannot reach the Ray cluster at ray://10.1.2.3:10001 \(ray client connection timeout\); check the address"):
        make_workers("ray://10.1.2.3:10001", FakeEmbedder())


def test_a_cluster_without_a_free_cpu_is_an_error_not_a_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    from rag.workers import ray_backend

    killed: list = []
    actor = types.SimpleNamespace(ready=types.SimpleNamespace(remote=lambda: "ready-ref"))
    fake_ray = types.SimpleNamespace(
        is_initialized=lambda: True,  # already connected: rag must leave the session up
        cluster_resources=lambda: {"CPU": 4.0},
        remote=lambda **options: lambda cls: types.SimpleNamespace(remote=lambda embedder: actor),
        wait=lambda refs, num_returns, timeout: ([], refs),  # nothing starts
        kill=killed.append,
        shutdown=lambda: pytest.fail("not rag's session to end"),
    )
    monkeypatch.setitem(sys.modules, "ray", fake_ray)
    monkeypatch.setattr(ray_backend, "START_SECONDS", 0.1)
    workers = make_workers("ray://10.1.2.3:10001", FakeEmbedder())
    with pytest.raises(ConfigError, match=r"no Ray worker started within 0 s on the Ray cluster at ray://10.1.2.3:10001: no CPU is free"):
        workers.embed(TEXTS)
    assert killed == [actor]  # one batch, so one actor was asked for, and it is gone


@pytest.fixture
def ray_session():
    """Leaves no Ray instance or process behind, whatever the test did."""
    ray = pytest.importorskip("ray")
    import psutil

    yield ray
    if ray.is_initialized():
        ray.shutdown()
    leftovers = [p.name() for p in psutil.Process().children(recursive=True) if "ray" in " ".join(p.cmdline()).lower()]
    assert not leftovers, leftovers


@pytest.mark.slow
def test_ray_builds_the_same_index_as_local_and_passes_errors_back(ray_session, tmp_path: Path, real_embedder, seeds_index: Path) -> None:
    from rag.workers.ray_backend import RayWorkers

    workers = RayWorkers(real_embedder, num_cpus=2)
    try:
        assert ray_session.is_initialized()
        failing = RayWorkers(FailingEmbedder())  # joins the running instance, so leaves it up
        with pytest.raises(ModelError, match=r"^the embedding model is not installed; run `make setup`$"):
            failing.embed(TEXTS)
        failing.close()  # its actor ends, and gives back its CPU
        assert ray_session.is_initialized()
        index_documents(load_paths([str(SEEDS)]), tmp_path / "ray", real_embedder, workers=workers)
        assert len(workers._actors) == 2
    finally:
        workers.close()
    assert not ray_session.is_initialized()  # it started the instance, so it shut it down
    assert_same_index(seeds_index, tmp_path / "ray")

"""The Milvus store against the local index: Milvus Lite in this process (fast), a
`milvus-lite server` on 127.0.0.1 reached over gRPC as a cluster is (slow), and a real
cluster when RAG_TEST_MILVUS_URI names one (milvus://HOST:PORT/COLLECTION)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pymilvus")

from rag.config import Settings
from rag.errors import ConfigError, IndexError_
from rag.index import Index
from rag.ingest import index_documents
from rag.loaders import load_paths
from rag.pipeline import Assistant
from rag.retrieval import get_retriever
from rag.stores import milvus as milvus_store
from rag.stores import milvus_target, open_target, parse_store
from rag.stores.milvus import MilvusStore, release_lite
from rag.stores.milvus_target import MilvusTarget
from tests.fakes import FakeEmbedder, FakeGenerator
from tests.rag_process import run_rag, start_rag

QUERIES = ["QMAS quota", "How many applications were received in 2019?", "who can apply and what are the requirements", "the of and"]
QUESTIONS = ["How many QMAS applications were received in 2019?", "What is the annual quota?", "Who wrote the paper on ICT migration?"]


@pytest.fixture
def lite(tmp_path):
    """A Milvus Lite store in tmp_path; its in-process server is stopped afterwards."""
    path = tmp_path / "milvus" / "rag.db"
    yield parse_store(f"milvus-lite:{path}")
    release_lite(str(path))


def _both(seeds_copy, tmp_path, spec, embedder=None):
    embedder = embedder or FakeEmbedder()
    index_documents(load_paths([str(seeds_copy)]), tmp_path / "local", embedder)
    index_documents(load_paths([str(seeds_copy)]), open_target(spec, ""), embedder)
    return Index.open(tmp_path / "local"), MilvusStore.open(spec, embedder.name, embedder.dim)


def _over_best(ranking):
    best = max((s for _, s in ranking), default=1.0)
    return {row: round(score / best, 4) for row, score in ranking}


def test_milvus_lite_holds_what_the_local_index_holds(seeds_copy, tmp_path, lite):
    local, milvus = _both(seeds_copy, tmp_path, lite)
    assert milvus.chunks == local.chunks and len(milvus) == len(local)
    np.testing.assert_allclose(milvus.embeddings(), local.embeddings(), atol=1e-6)
    def without_times(documents):
        return {source: {k: v for k, v in entry.items() if k != "indexed"} for source, entry in documents.items()}

    assert without_times(milvus.manifest.documents) == without_times(local.manifest.documents)
    assert (milvus.manifest.embedder, milvus.manifest.dim, milvus.manifest.chunker) == (local.manifest.embedder, local.manifest.dim, local.manifest.chunker)
    tables = {c.table_id for c in local.chunks if c.table_id}
    assert all(milvus.table_rows(t) == local.table_rows(t) for t in tables)


def test_same_rankings_and_passages_as_local(seeds_copy, tmp_path, lite):
    embedder = FakeEmbedder()
    local, milvus = _both(seeds_copy, tmp_path, lite, embedder)
    every = len(local)
    for query in QUERIES:
        vector = embedder.embed([query])
        # BM25 differs by a constant factor (Milvus multiplies by k1 + 1): over the best, they agree.
        assert _over_best(milvus.keyword(query, every)) == _over_best(local.keyword(query, every))
        assert dict(milvus.dense(vector, every)) == pytest.approx(dict(local.dense(vector, every)), abs=1e-5)
        # Hybrid breaks ties by row, so the passages are the same, in the same order.
        for name in ("hybrid",):
            ours = get_retriever(name, milvus, embedder).retrieve(query, 10)
            theirs = get_retriever(name, local, embedder).retrieve(query, 10)
            assert [p.chunk.id for p in ours] == [p.chunk.id for p in theirs]
            assert [p.score for p in ours] == pytest.approx([p.score for p in theirs], abs=1e-5)


def test_table_ids_with_quotes_and_other_scripts(lite):
    from rag.index import Manifest
    from rag.types import Chunk

    tables = ['a"b\\c', "é文#t1", "plain"]
    chunks = [Chunk(f"c{i}", "s.txt", "", f"row {i}", table_id=t) for i, t in enumerate(tables)]
    manifest = Manifest(1, "fake", 4, {}, "flat", {"s.txt": {"hash": "h", "first": 0, "count": 3}})
    MilvusTarget(lite).publish(chunks, np.eye(3, 4, dtype="float32"), manifest)
    store = MilvusStore.open(lite)
    assert [store.table_rows(t) for t in tables] == [[c] for c in chunks]


def test_row_lists_longer_than_one_milvus_request_are_paged(seeds_copy, tmp_path, lite, monkeypatch):
    embedder = FakeEmbedder()
    local, milvus = _both(seeds_copy, tmp_path, lite, embedder)
    monkeypatch.setattr(milvus_store, "MAX_RESULTS", 7)
    rows = list(range(len(local)))[::-1]
    assert milvus.chunks_at(rows) == local.chunks_at(rows)
    vector = embedder.embed(["QMAS quota"])
    assert milvus.dense_scores(vector, rows) == pytest.approx(local.dense_scores(vector, rows), abs=1e-6)
    assert _over_best(list(milvus.keyword_scores("QMAS quota", rows).items())) == _over_best(list(local.keyword_scores("QMAS quota", rows).items()))
    assert len(milvus.keyword("QMAS quota", 50)) == 7


@pytest.mark.parametrize("kind", ["hnsw", "ivf"])
def test_approximate_vector_indexes(seeds_copy, tmp_path, lite, kind):
    embedder = FakeEmbedder()
    index_documents(load_paths([str(seeds_copy)]), tmp_path / "local", embedder, index_type=kind)
    index_documents(load_paths([str(seeds_copy)]), open_target(lite, ""), embedder, index_type=kind)
    local, milvus = Index.open(tmp_path / "local"), MilvusStore.open(lite, embedder.name, embedder.dim)
    assert milvus.manifest.index_type == kind
    for query in QUERIES:  # a few dozen rows: approximate search finds them all
        ours = get_retriever("hybrid", milvus, embedder).retrieve(query, 5)
        assert [p.chunk.id for p in ours] == [p.chunk.id for p in get_retriever("hybrid", local, embedder).retrieve(query, 5)]


def test_same_answers_as_local(seeds_copy, tmp_path, lite):
    _both(seeds_copy, tmp_path, lite)

    def answers(**where):
        settings = Settings(**where, generator="fake", abstain_threshold=0.0)
        assistant = Assistant.from_settings(settings, generator=FakeGenerator(), embedder=FakeEmbedder())
        return [assistant.ask(q).to_json() | {"timings_ms": None} for q in QUESTIONS]

    local = answers(index=str(tmp_path / "local"))
    assert answers(store=f"milvus-lite:{lite.address}") == local
    assert any(not a["abstained"] and a["citations"] for a in local)


def test_reindex_embeds_only_changed_documents_and_keeps_two_collections(seeds_copy, tmp_path, lite):
    embedder = FakeEmbedder()
    first = index_documents(load_paths([str(seeds_copy)]), open_target(lite, ""), embedder)
    changed = sorted(seeds_copy.iterdir())[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\nA new closing line about harbour ferries.\n", encoding="utf-8")
    embedder.embedded.clear()
    second = index_documents(load_paths([str(seeds_copy)]), open_target(lite, ""), embedder)
    assert (second.updated, second.unchanged, second.added) == (1, first.added - 1, 0)
    store = MilvusStore.open(lite, embedder.name, embedder.dim)
    fresh = [c for c in store.chunks if c.source == store.chunks[0].source or c.source.endswith(changed.name)]
    assert 0 < second.embedded == len(embedder.embedded) == sum(1 for c in fresh if c.source.endswith(changed.name))
    assert any("harbour ferries" in p.chunk.text for p in get_retriever("bm25", store, embedder).retrieve("harbour ferries", 3))
    third = index_documents(load_paths([str(seeds_copy)]), open_target(lite, ""), embedder)
    assert third.embedded == 0
    # current and previous (a reader may still be on it); older ones are dropped
    assert len(_generations(lite)) == 2


def _generations(spec):
    names = MilvusTarget(spec).client.list_collections()
    return sorted(n for n in names if not n.endswith(milvus_store.MANIFEST_SUFFIX))


@pytest.mark.parametrize("how", ["error", "killed"])
def test_a_build_that_dies_midway_leaves_the_alias_on_the_previous_collection(seeds_copy, tmp_path, lite, monkeypatch, how):
    embedder = FakeEmbedder()
    index_documents(load_paths([str(seeds_copy)]), open_target(lite, ""), embedder)
    before = MilvusStore.open(lite, embedder.name, embedder.dim)
    answer_before = [p.chunk.id for p in get_retriever("hybrid", before, embedder).retrieve("QMAS quota", 5)]
    inserted = []
    real_insert = MilvusTarget._insert

    def dies_midway(self, name, chunks, matrix):
        monkeypatch.setattr(milvus_target, "INSERT_ROWS", 10)
        real = self.client.insert

        def insert(collection, rows):
            if inserted:
                raise KeyboardInterrupt if how == "killed" else OSError("connection reset")
            inserted.append(collection)
            return real(collection, rows)

        monkeypatch.setattr(self.client, "insert", insert)
        if how == "killed":  # a killed process cleans nothing up
            monkeypatch.setattr(MilvusTarget, "_drop", lambda self, name: None)
        real_insert(self, name, chunks, matrix)

    monkeypatch.setattr(MilvusTarget, "_insert", dies_midway)
    with pytest.raises((KeyboardInterrupt, OSError)):
        index_documents(load_paths([str(seeds_copy)]), open_target(lite, ""), embedder, rebuild=True)
    monkeypatch.undo()
    after = MilvusStore.open(lite, embedder.name, embedder.dim)
    assert after.collection == before.collection and after.is_current()
    assert [p.chunk.id for p in get_retriever("hybrid", after, embedder).retrieve("QMAS quota", 5)] == answer_before
    assert (inserted[0] in _generations(lite)) == (how == "killed")
    # The next run publishes and drops what the dead one left.
    index_documents(load_paths([str(seeds_copy)]), open_target(lite, ""), embedder)
    assert inserted[0] not in _generations(lite)


def test_ls_and_status_read_the_store(seeds_copy, tmp_path, lite):
    from rag.inventory import read_inventory

    _both(seeds_copy, tmp_path, lite)
    here, there = read_inventory(tmp_path / "local"), read_inventory(Path("unused"), f"milvus-lite:{lite.address}")
    assert there.root == f"milvus-lite:{lite.address}#rag" and there.generation.startswith("rag__g")
    assert [(d.source, d.chunks, d.state) for d in there.documents] == [(d.source, d.chunks, d.state) for d in here.documents]


def test_another_embedder_or_dimension_is_a_one_line_error(seeds_copy, lite):
    embedder = FakeEmbedder()
    index_documents(load_paths([str(seeds_copy)]), open_target(lite, ""), embedder)
    with pytest.raises(IndexError_, match=r"built with the embedder fake/hashed-words, not minilm; rebuild it with `rag index --rebuild --store milvus-lite:"):
        MilvusStore.open(lite, "minilm", 64)
    with pytest.raises(IndexError_, match="holds 64-dimensional vectors, the embedder makes 384"):
        MilvusStore.open(lite, embedder.name, 384)
    with pytest.raises(IndexError_, match="built with the embedder"):
        index_documents(load_paths([str(seeds_copy)]), open_target(lite, ""), _OtherEmbedder())


class _OtherEmbedder(FakeEmbedder):
    name = "fake/other"


def test_no_index_yet_names_the_command_that_builds_it(tmp_path):
    spec = parse_store(f"milvus-lite:{tmp_path / 'none.db'}")
    with pytest.raises(IndexError_, match=r"no index in milvus-lite:.*none.db#rag; build it with `rag index PATH --store"):
        MilvusStore.open(spec)
    assert not (tmp_path / "none.db").exists()  # a reader creates nothing


@pytest.mark.parametrize("text", ["milvus:/x", "milvus://host/coll", "milvus://host:99999/coll", "milvus://h:1/bad-name",
                                  "milvus-lite:", "milvus-lite:rag.sqlite", "faiss", "milvus-lite:a.db#1st"])
def test_a_bad_store_is_a_config_error(text):
    with pytest.raises(ConfigError, match=r"^store '.*' from "):
        Settings(store=text)


def test_store_forms():
    assert parse_store("local").is_local
    assert parse_store("milvus://db.example:19530/docs") == milvus_store.StoreSpec("milvus", "db.example:19530", "docs")
    assert parse_store("milvus-lite:x/rag.db#papers") == milvus_store.StoreSpec("milvus-lite", "x/rag.db", "papers")
    assert parse_store("milvus-lite:x/rag.db").collection == "rag"


def test_a_project_file_may_name_only_a_server_on_this_machine(tmp_path):
    (tmp_path / "rag.toml").write_text('store = "milvus://db.example.com:19530/docs"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"rag.toml sets store to milvus://db.example.com:19530/docs, another machine; .* --store or RAG_STORE"):
        Settings.load(cwd=tmp_path)
    (tmp_path / "rag.toml").write_text('store = "milvus://127.0.0.1:19530/docs"\n', encoding="utf-8")
    assert Settings.load(cwd=tmp_path).store == "milvus://127.0.0.1:19530/docs"


def test_a_milvus_lite_file_in_a_project_file_is_read_from_its_folder(tmp_path):
    (tmp_path / "rag.toml").write_text('store = "milvus-lite:indexes/rag.db"\n', encoding="utf-8")
    (tmp_path / "sub").mkdir()
    assert Settings.load(cwd=tmp_path / "sub").store == f"milvus-lite:{tmp_path / 'indexes/rag.db'}"


def test_bad_store_flag_is_one_line(tmp_path):
    result = run_rag("search", "quota", "--store", "milvus:/nowhere", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: store 'milvus:/nowhere' from the command line is not one of local, milvus://HOST:PORT/COLLECTION "
        "or milvus-lite:FILE.db[#COLLECTION]; fix it there"
    ]


def test_without_pymilvus_the_error_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pymilvus", None)
    with pytest.raises(ConfigError, match=r"pip install 'rag\[scale\]'"):
        MilvusStore.open(parse_store(f"milvus-lite:{tmp_path / 'x.db'}"))


def test_unreachable_server_is_one_line_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    with pytest.raises(IndexError_, match=rf"cannot reach Milvus at 127.0.0.1:{port} .*; start the server or fix --store"):
        MilvusStore.open(parse_store(f"milvus://127.0.0.1:{port}/rag"))


# --- over the network -------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lite_server(tmp_path):
    """`milvus-lite server` on 127.0.0.1, as a cluster is reached: a gRPC endpoint in another process."""
    port = _free_port()
    command = [sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(tmp_path / "served"), "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert server.poll() is None, server.stderr.read().decode()
            time.sleep(0.2)
        yield f"milvus://127.0.0.1:{port}/rag"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.slow
def test_grpc_server_gives_the_local_answers_through_the_cli(seeds_copy, tmp_path, lite_server):
    """The CLI end to end with the fake embedder: `rag index --store milvus://...`, then `rag ask`."""
    built = run_rag("index", str(seeds_copy), "--store", lite_server, "--json", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert json.loads(built.stdout)["index"] == lite_server
    local = run_rag("index", str(seeds_copy), "--index", str(tmp_path / "local"), "--json", cwd=tmp_path)
    assert local.returncode == 0, local.stderr
    for question in QUESTIONS[:2]:
        over_grpc = run_rag("ask", question, "--store", lite_server, "--json", cwd=tmp_path)
        here = run_rag("ask", question, "--index", str(tmp_path / "local"), "--json", cwd=tmp_path)
        assert over_grpc.returncode == here.returncode == 0, over_grpc.stderr
        strip = lambda out: {**json.loads(out), "timings_ms": None}  # noqa: E731
        assert strip(over_grpc.stdout) == strip(here.stdout)


@pytest.mark.slow
def test_killing_rag_index_midway_leaves_the_server_on_the_previous_collection(seeds_copy, tmp_path, lite_server):
    """SIGKILL while the new collection is being filled: the alias, and so every reader, stays on the old one."""
    assert run_rag("index", str(seeds_copy), "--store", lite_server, cwd=tmp_path).returncode == 0
    spec = parse_store(lite_server)
    client = MilvusTarget(spec).client
    before = milvus_store.current_collection(client, "rag")
    many = tmp_path / "many"
    many.mkdir()
    for n in range(3000):  # enough rows that filling the collection takes seconds
        (many / f"note{n:04d}.txt").write_text(f"Note {n} about ferries, bridges and tunnel {n * 7}.", encoding="utf-8")
    writer = start_rag("index", str(many), "--store", lite_server, "--quiet", cwd=tmp_path)
    try:
        deadline = time.monotonic() + 120
        while not [c for c in _generations(spec) if c != before]:
            assert writer.poll() is None and time.monotonic() < deadline, "rag index ended before it was killed"
            time.sleep(0.02)
        writer.kill()
    finally:
        writer.kill()
        writer.wait()
    assert milvus_store.current_collection(client, "rag") == before
    searched = run_rag("search", "QMAS quota", "--store", lite_server, "--json", cwd=tmp_path)
    assert searched.returncode == 0 and json.loads(searched.stdout)["results"]
    assert run_rag("index", str(seeds_copy), "--store", lite_server, cwd=tmp_path).returncode == 0
    assert len(_generations(spec)) == 2  # the killed run's collection is gone


@pytest.mark.slow
def test_same_answers_with_the_real_embedder(seeds_index, real_embedder, tmp_path, lite):
    local = Index.open(seeds_index)
    MilvusTarget(lite).publish(local.chunks, np.asarray(local.embeddings()), local.manifest)
    gold = [json.loads(line)["question"] for line in (Path(__file__).parent.parent / "eval" / "seeds_gold.jsonl").open()][:12]

    def answers(**where):
        assistant = Assistant.from_settings(Settings(**where), embedder=real_embedder)
        return [assistant.ask(q).to_json() | {"timings_ms": None} for q in gold]

    assert answers(store=f"milvus-lite:{lite.address}") == answers(index=str(seeds_index))


@pytest.mark.skipif(not os.environ.get("RAG_TEST_MILVUS_URI"), reason="set RAG_TEST_MILVUS_URI=milvus://HOST:PORT/COLLECTION to test a real cluster")
def test_a_real_cluster(seeds_copy, tmp_path):
    base = parse_store(os.environ["RAG_TEST_MILVUS_URI"])
    spec = milvus_store.StoreSpec(base.kind, base.address, f"{base.collection}_{uuid.uuid4().hex[:8]}")
    local, milvus = _both(seeds_copy, tmp_path, spec)
    try:
        embedder = FakeEmbedder()
        for query in QUERIES:
            ours = [p.chunk.id for p in get_retriever("hybrid", milvus, embedder).retrieve(query, 10)]
            assert ours == [p.chunk.id for p in get_retriever("hybrid", local, embedder).retrieve(query, 10)]
    finally:
        client = MilvusTarget(spec).client
        client.drop_alias(spec.collection)
        for name in client.list_collections():
            if name.startswith(spec.collection + "__"):
                client.drop_collection(name)

"""The index is never half-written: writer lock, readers pinned to one generation,
a killed `rag index` loses nothing, and damaged indexes are refused in one line."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag import index as idx
from rag.errors import IndexLockedError, NothingIndexedError
from rag.index import Index
from rag.ingest import index_documents, writer_lock
from rag.loaders import load_paths
from tests.conftest import ROOT, SEEDS, SHARED
from tests.fakes import FakeEmbedder

# `rag` itself, with the fake embedder registered as "fake" and hooks a test can
# set through the environment: pause while embedding or while writing FAISS (so
# the run can be killed there, or held until a release file appears), and
# report the peak memory of the process.
RUNNER = r"""
import atexit, os, sys, time
sys.path.insert(0, os.environ["RAG_TEST_ROOT"])
from tests.fakes import FakeEmbedder
from rag import embedding, vectors

def pause(variable):
    marker = os.environ.get(variable)
    if not marker:
        return
    open(marker, "w").close()
    release = os.environ.get("FAKE_RELEASE", "")
    deadline = time.monotonic() + float(os.environ.get("FAKE_PAUSE_SECONDS", "120"))
    while time.monotonic() < deadline and not (release and os.path.exists(release)):
        time.sleep(0.05)

class HookedFake(FakeEmbedder):
    def embed(self, texts, progress=None):
        pause("FAKE_EMBED_MARKER")
        return super().embed(texts, progress)

def save_then_pause(index, path, save=vectors.save):
    save(index, path)
    pause("FAKE_WRITE_MARKER")

def report_rss():
    # VmHWM is this program's own peak; ru_maxrss would include the parent's size at fork.
    if os.environ.get("FAKE_RSS_FILE"):
        with open("/proc/self/status") as status, open(os.environ["FAKE_RSS_FILE"], "w") as out:
            out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))

vectors.save = save_then_pause
embedding.register_embedder("fake", HookedFake)
atexit.register(report_rss)
from rag.cli import main
sys.argv[0] = "rag"
main()
"""


def rag_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "FAKE_"))}
    env.update(RAG_EMBEDDER="fake", RAG_TEST_ROOT=str(ROOT), COLUMNS="200", **extra)
    return env


def rag_command(*args: str) -> list[str]:
    return [sys.executable, "-c", RUNNER, *args]


def run_rag(*args: str, cwd: Path, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(rag_command(*args), cwd=cwd, env=rag_env(**env), capture_output=True, text=True, timeout=timeout)


def start_rag(*args: str, cwd: Path, **env: str) -> subprocess.Popen:
    return subprocess.Popen(rag_command(*args), cwd=cwd, env=rag_env(**env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(path: Path, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, f"rag exited early: {process.communicate()}"
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL


def generations(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(idx.GENERATION_PREFIX))


def write_corpus(folder: Path, word: str, files: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(files):
        (folder / f"{word}-{n:03d}.txt").write_text(f"{word.title()} report {n}. Every line here speaks of {word} number {n}.\n", encoding="utf-8")
    return folder


def search_json(root: Path, query: str, cwd: Path) -> list[dict]:
    done = run_rag("search", query, "--index", str(root), "--json", "--retriever", "hybrid", cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["results"]


# --- one writer at a time -------------------------------------------------------------


def test_second_writer_stops_with_a_message_then_waits_with_wait(tmp_path: Path) -> None:
    corpus, root = write_corpus(tmp_path / "a", "alpha", 3), tmp_path / "index"
    marker, release = tmp_path / "embedding", tmp_path / "release"
    first = start_rag("index", str(corpus), "--index", str(root), cwd=tmp_path, FAKE_EMBED_MARKER=str(marker), FAKE_RELEASE=str(release))
    wait_for(marker, first)  # the first run now holds the lock, paused mid-embedding
    second = run_rag("index", str(SEEDS), "--index", str(root), cwd=tmp_path)
    assert second.returncode == 1
    assert "another `rag index` is writing" in second.stderr and "--wait" in second.stderr
    assert "Traceback" not in second.stderr
    waiting = start_rag("index", str(SEEDS), "--index", str(root), "--wait", "60", "--prune", cwd=tmp_path)
    time.sleep(1.0)
    assert waiting.poll() is None  # still running (waiting for the lock), not failed
    release.touch()
    first.communicate(timeout=60)
    _, waiting_err = waiting.communicate(timeout=60)
    assert first.returncode == 0 and waiting.returncode == 0, waiting_err
    # The waiting run went second, so its seeds replaced alpha as a whole (it prunes).
    sources = set(Index.open(root, FakeEmbedder.name).manifest.documents)
    assert sources and all("seeds" in s for s in sources)


def test_lock_is_released_after_a_failed_run(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    root = tmp_path / "index"
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(NothingIndexedError, match="no documents found"):
        index_documents(load_paths([str(empty)]), root, fake_embedder)
    with writer_lock(root, 0):  # would raise IndexLockedError if the failed run still held it
        pass


# --- readers see one generation ------------------------------------------------------


def _build(root: Path, corpus: Path, rebuild: bool = True) -> None:
    index_documents(load_paths([str(corpus)]), root, FakeEmbedder(), rebuild=rebuild)


def test_open_reader_keeps_its_generation_through_two_rebuilds(tmp_path: Path) -> None:
    alpha, beta = write_corpus(tmp_path / "a", "alpha", 3), write_corpus(tmp_path / "b", "beta", 5)
    root = tmp_path / "index"
    _build(root, alpha)
    reader = Index.open(root, FakeEmbedder.name)
    _build(root, beta)
    _build(root, alpha)
    # Its vectors and BM25 load lazily, after both rebuilds: still alpha's, and whole.
    assert reader.vectors.ntotal == len(reader.chunks) == 3
    rows, _ = reader.bm25.search("alpha", 10)
    assert len(rows) == 3 and all("alpha" in reader.chunks[r].text.lower() for r in rows)
    assert len(generations(root)) == 3
    reader.close()
    _build(root, beta)
    assert len(generations(root)) == 2  # current and previous; the released one is gone


WRITER_LOOP = r"""
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from tests.fakes import FakeEmbedder
from rag.ingest import index_documents
from rag.loaders import load_paths
root, corpora, rounds = Path(sys.argv[2]), sys.argv[3:5], int(sys.argv[5])
for n in range(rounds):
    index_documents(load_paths([corpora[n % 2]]), root, FakeEmbedder(), rebuild=True)
"""


def _check_consistent(reader: Index) -> str:
    words = {"alpha": 3, "beta": 5}
    word = "alpha" if "alpha" in reader.chunks[0].text.lower() else "beta"
    assert len(reader.chunks) == words[word] == reader.vectors.ntotal == reader.embeddings().shape[0]
    assert all(word in c.text.lower() for c in reader.chunks)
    rows, _ = reader.bm25.search(word, 10)
    assert len(rows) == words[word]
    return word


def test_reader_during_rebuilds_sees_old_or_new_never_a_mix(tmp_path: Path) -> None:
    alpha, beta = write_corpus(tmp_path / "a", "alpha", 3), write_corpus(tmp_path / "b", "beta", 5)
    root = tmp_path / "index"
    _build(root, alpha)
    writer = subprocess.Popen([sys.executable, "-c", WRITER_LOOP, str(ROOT), str(root), str(alpha), str(beta), "30"])
    seen: list[str] = []
    try:
        while writer.poll() is None:
            reader = Index.open(root, FakeEmbedder.name)
            time.sleep(0.02)  # let the writer move on before the lazy parts load
            seen.append(_check_consistent(reader))
            reader.close()
    finally:
        writer.wait(timeout=120)
    assert writer.returncode == 0
    assert {"alpha", "beta"} <= set(seen), seen


# --- a killed `rag index` loses nothing ---------------------------------------------


@pytest.mark.parametrize("phase", ["FAKE_EMBED_MARKER", "FAKE_WRITE_MARKER"])
def test_killed_index_run_keeps_previous_index(tmp_path: Path, phase: str) -> None:
    root = tmp_path / "index"
    _build(root, SEEDS)
    before = generations(root)
    marker = tmp_path / "marker"
    big = write_corpus(tmp_path / "big", "gamma", 200)
    doomed = start_rag("index", str(big), "--index", str(root), "--rebuild", cwd=tmp_path, **{phase: str(marker)})
    wait_for(marker, doomed)
    kill(doomed)
    if phase == "FAKE_WRITE_MARKER":
        assert len(generations(root)) == len(before) + 1  # the half-written generation is still there
    results = search_json(root, "QMAS quota", tmp_path)
    assert results and all("seeds" in r["source"] for r in results)
    again = run_rag("index", str(big), "--index", str(root), "--rebuild", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert all("gamma" in r["source"] for r in search_json(root, "gamma", tmp_path))
    left = generations(root)
    assert len(left) == 2 and before[0] in left  # new and previous; the partial one was removed
    assert all((root / name / idx.MANIFEST).is_file() for name in left)


@pytest.mark.slow
def test_real_rag_killed_while_embedding_keeps_previous_index(tmp_path: Path, seeds_index: Path, real_embedder) -> None:
    root = tmp_path / "index"
    shutil.copytree(seeds_index, root)
    rag = str(Path(sys.executable).with_name("rag"))
    # TTY_COMPATIBLE makes Rich draw its progress bar into the pipe, so the test sees embedding start.
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")} | {"TTY_COMPATIBLE": "1", "COLUMNS": "120"}
    corpus = tmp_path / "scifact-part.jsonl"
    with (SHARED / "data" / "scifact" / "corpus.jsonl").open(encoding="utf-8") as source:
        corpus.write_text("".join(line for _, line in zip(range(800), source)), encoding="utf-8")
    doomed = subprocess.Popen([rag, "index", str(corpus), "--index", str(root), "--rebuild"], cwd=tmp_path, env=env, stderr=subprocess.PIPE)
    _wait_for_embedding(doomed)
    kill(doomed)
    done = subprocess.run([rag, "search", "QMAS quota", "--index", str(root), "--json"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert any("seeds" in r["source"] for r in json.loads(done.stdout)["results"])
    again = index_documents(load_paths([str(SEEDS)]), root, real_embedder)
    assert again.unchanged > 0 and again.embedded == 0  # nothing was lost: every seed chunk was reused


def _wait_for_embedding(process: subprocess.Popen, seconds: float = 240) -> None:
    """Read the progress bar until the embedding step shows (model loading, then batches)."""
    os.set_blocking(process.stderr.fileno(), False)
    seen, deadline = b"", time.monotonic() + seconds
    while not re.search(rb"embedding.*?\b\d+/\d{3,}", seen):
        assert process.poll() is None, seen.decode(errors="replace")[-2000:]
        assert time.monotonic() < deadline, "embedding never started"
        seen = (seen + (process.stderr.read() or b""))[-4000:]
        time.sleep(0.1)


# --- damaged indexes are refused in one line, and `rag index --rebuild` repairs them ---


def _truncate(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


def _set_byte(position: int, value: int):
    def spoil(path: Path) -> None:
        data = bytearray(path.read_bytes())
        data[position] = value
        path.write_bytes(bytes(data))

    return spoil


def _drop_rows(path: Path) -> None:
    path.write_text("".join(path.read_text(encoding="utf-8").splitlines(keepends=True)[:3]), encoding="utf-8")


def _edit_manifest(**changes):
    def edit(folder: Path) -> None:
        data = json.loads((folder / idx.MANIFEST).read_text(encoding="utf-8"))
        for key, value in changes.items():
            if key == "embedder_name":
                data["embedder"]["name"] = value
            else:
                data[key] = value
        (folder / idx.MANIFEST).write_text(json.dumps(data), encoding="utf-8")

    return edit


DAMAGE = {
    "truncated FAISS": (lambda g: _truncate(g / idx.FAISS), "vectors.faiss is damaged"),
    # In the stored length of a flat index's vectors: FAISS stalls for seconds, then fails.
    "FAISS length field changed": (lambda g: _set_byte(40, 104)(g / idx.FAISS), "vectors.faiss is damaged"),
    # In a vector: FAISS would load it without complaint and rank with it.
    "FAISS vector byte changed": (lambda g: _set_byte(60, 51)(g / idx.FAISS), "vectors.faiss is damaged"),
    "missing FAISS": (lambda g: (g / idx.FAISS).unlink(), "vectors.faiss is damaged"),
    "chunk store missing rows": (lambda g: _drop_rows(g / idx.CHUNKS), "chunks.jsonl has 3 chunks"),
    "chunk store cut mid-line": (lambda g: _truncate(g / idx.CHUNKS), "chunks.jsonl is unreadable"),
    "another embedder": (_edit_manifest(embedder_name="sentence-transformers/all-MiniLM-L6-v2"), "built with the embedder"),
    "newer format": (_edit_manifest(format_version=idx.FORMAT_VERSION + 1), "written by a newer rag"),
    "manifest not JSON": (lambda g: (g / idx.MANIFEST).write_text("{", encoding="utf-8"), "manifest.json is unreadable"),
    "truncated embeddings": (lambda g: _truncate(g / idx.EMBEDDINGS), "embeddings.npy is damaged"),
    "BM25 missing": (lambda g: shutil.rmtree(g / idx.BM25_DIR), "is damaged or missing"),
    "generation deleted": (lambda g: shutil.rmtree(g), "which is missing or incomplete"),
    "CURRENT garbage": (lambda g: (g.parent / idx.CURRENT).write_text("../../etc\n"), "does not name a generation"),
}


@pytest.fixture(scope="module")
def built_index(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pristine") / "index"
    _build(root, SEEDS)
    return root


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_index_gives_one_line_with_the_fix(damage: str, built_index: Path, tmp_path: Path) -> None:
    root = tmp_path / "index"
    shutil.copytree(built_index, root)
    spoil, expected = DAMAGE[damage]
    spoil(idx.current_generation(root))
    done = run_rag("search", "QMAS quota", "--index", str(root), cwd=tmp_path, timeout=60)
    assert done.returncode == 1, done
    assert expected in done.stderr and "rag index --rebuild" in done.stderr
    assert done.stderr.strip().count("\n") == 0 and "Traceback" not in done.stderr, done.stderr
    _build(root, SEEDS, rebuild=True)
    repaired = Index.open(root, FakeEmbedder.name, FakeEmbedder.dim)
    assert repaired.vectors.ntotal == len(repaired.chunks) == repaired.embeddings().shape[0] > 0
    assert len(repaired.bm25.search("QMAS quota", 5)[0]) > 0


def test_real_rag_refuses_index_of_another_embedder(built_index: Path, tmp_path: Path) -> None:
    rag = str(Path(sys.executable).with_name("rag"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    done = subprocess.run([rag, "search", "QMAS quota", "--index", str(built_index)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "built with the embedder fake/hashed-words" in done.stderr and "rag index --rebuild" in done.stderr
    assert done.stderr.strip().count("\n") == 0 and "Traceback" not in done.stderr


def test_update_over_a_damaged_index_says_rebuild_and_keeps_it(built_index: Path, tmp_path: Path) -> None:
    root = tmp_path / "index"
    shutil.copytree(built_index, root)
    _drop_rows(idx.current_generation(root) / idx.CHUNKS)
    done = run_rag("index", str(SEEDS), "--index", str(root), cwd=tmp_path)
    assert done.returncode == 1 and "rag index --rebuild" in done.stderr
    assert generations(root) == generations(built_index)  # nothing deleted behind the user's back


def test_lock_blocks_a_second_writer_in_the_same_process(tmp_path: Path) -> None:
    root = tmp_path / "index"
    with writer_lock(root, 0):
        with pytest.raises(IndexLockedError, match="--wait"):
            with writer_lock(root, 0.2):
                pass
    with writer_lock(root, 0):  # released on leaving the block
        pass


def test_disk_full_while_writing_leaves_previous_index_and_no_debris(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from rag import store
    from rag.errors import IndexError_

    root = tmp_path / "index"
    _build(root, SEEDS)
    before = generations(root)

    def full_disk(path: Path, chunks) -> None:
        path.write_text("partial", encoding="utf-8")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store, "write_chunks", full_disk)
    with pytest.raises(IndexError_, match="disk full .*previous index is unchanged and still serves"):
        _build(root, write_corpus(tmp_path / "b", "beta", 5))
    assert generations(root) == before
    assert len(Index.open(root, FakeEmbedder.name).chunks) > 0


def test_index_path_that_is_a_file_is_refused_in_one_line(tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("not a folder", encoding="utf-8")
    done = run_rag("index", str(SEEDS), "--index", str(taken), cwd=tmp_path)
    assert done.returncode == 2
    assert f"{taken} is a file, not an index folder; pass a folder with --index" in done.stderr and "Traceback" not in done.stderr


def test_random_damage_only_ever_raises_index_errors(built_index: Path, tmp_path: Path) -> None:
    import random

    from rag.errors import IndexError_

    rng = random.Random(7)
    for trial in range(150):
        root = tmp_path / f"trial-{trial}"
        shutil.copytree(built_index, root)
        folder = idx.current_generation(root)
        target = rng.choice([p for p in folder.rglob("*") if p.is_file()] + [root / idx.CURRENT])
        data = bytearray(target.read_bytes())
        for _ in range(rng.randint(1, 4)):
            if data:
                data[rng.randrange(len(data))] = rng.randrange(256)
        target.write_bytes(bytes(data[: rng.randrange(len(data) + 1)] if rng.random() < 0.3 else data))
        try:
            index = Index.open(root, FakeEmbedder.name, FakeEmbedder.dim)
            index.vectors.search(FakeEmbedder().embed(["quota"]), 3)
            index.bm25.search("QMAS quota", 5)
            index.embeddings()
        except IndexError_:
            pass
        shutil.rmtree(root)

"""Re-indexing embeds only what changed, keeps what it was not given, forgets what was
removed only when asked (--prune, rag rm), and says so."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag.index import Index
from rag.ingest import IndexReport, Progress, index_documents
from rag.loaders import load_paths
from tests.fakes import FakeEmbedder

CHANGED = "001_6a00f29d53398864.txt"
REMOVED = "002_006411fa3ccd8b17.txt"


def _index(folder: Path, root: Path, embedder: FakeEmbedder, **options) -> IndexReport:
    return index_documents(load_paths([str(folder)]), root, embedder, **options)


def _counts(report: IndexReport) -> tuple[int, int, int, int, int]:
    return report.added, report.updated, report.removed, report.unchanged, len(report.skipped)


def _open(root: Path) -> Index:
    return Index.open(root, FakeEmbedder.name, FakeEmbedder.dim)


def _by_source(index: Index) -> dict[str, list]:
    out: dict[str, list] = {}
    for chunk in index.chunks:
        out.setdefault(Path(chunk.source).name, []).append(chunk)
    return out


@pytest.fixture
def built(seeds_copy: Path, tmp_path: Path):
    (seeds_copy / "notes.xyz").write_text("not a supported type", encoding="utf-8")
    root = tmp_path / "index"
    embedder = FakeEmbedder()
    report = _index(seeds_copy, root, embedder)
    return seeds_copy, root, embedder, report


def test_first_run_adds_every_document_and_skips_the_rest(built) -> None:
    _, root, embedder, report = built
    assert _counts(report) == (4, 0, 0, 0, 1)
    assert report.skipped[0].source.endswith("notes.xyz")
    index = _open(root)
    assert report.chunks == report.embedded == len(index.chunks) == len(embedder.embedded)
    assert sorted(_by_source(index)) == sorted(p.name for p in (root.parent / "seeds").glob("0*.txt"))


def test_a_changed_file_is_the_only_one_embedded_again(built) -> None:
    folder, root, _, _ = built
    before = _open(root)
    old_vectors = {c.id: before.embeddings()[row].copy() for row, c in enumerate(before.chunks)}
    with (folder / CHANGED).open("a", encoding="utf-8") as handle:
        handle.write("\nThe office will also open a desk for returning graduates in Penang.\n")
    embedder = FakeEmbedder()
    report = _index(folder, root, embedder)
    assert _counts(report) == (0, 1, 0, 3, 1)
    after = _open(root)
    changed = _by_source(after)[CHANGED]
    assert report.embedded == len(changed) == len(embedder.embedded)
    assert sorted(embedder.embedded) == sorted(c.embedding_text() for c in changed)
    assert any("Penang" in text for text in embedder.embedded)
    for row, chunk in enumerate(after.chunks):
        if Path(chunk.source).name != CHANGED:
            assert np.array_equal(after.embeddings()[row], old_vectors[chunk.id])  # reused, not re-embedded


def test_an_unchanged_run_embeds_nothing(built) -> None:
    folder, root, _, first = built
    (folder / CHANGED).touch()  # a newer time alone is no change
    embedder = FakeEmbedder()
    report = _index(folder, root, embedder)
    assert _counts(report) == (0, 0, 0, 4, 1)
    assert report.embedded == 0 and embedder.embedded == []
    assert report.chunks == first.chunks


def test_a_removed_file_stays_indexed_until_pruned(built) -> None:
    folder, root, _, _ = built
    (folder / REMOVED).unlink()
    report = _index(folder, root, FakeEmbedder())
    assert _counts(report) == (0, 0, 0, 3, 1) and report.kept == 1
    assert REMOVED in _by_source(_open(root))


def test_prune_takes_a_removed_files_chunks_with_it(built) -> None:
    folder, root, _, _ = built
    (folder / REMOVED).unlink()
    embedder, removed = FakeEmbedder(), []
    report = _index(folder, root, embedder, prune=True, progress=Progress(on_removed=removed.append))
    assert _counts(report) == (0, 0, 1, 3, 1) and report.kept == 0
    assert [Path(s).name for s in removed] == [REMOVED]
    assert embedder.embedded == []
    index = _open(root)
    assert REMOVED not in _by_source(index)
    assert not any(REMOVED in source for source in index.manifest.documents)
    assert not any("developmental state" in c.text.lower() for c in index.chunks)


def test_a_file_given_alone_adds_to_the_index(built, tmp_path: Path) -> None:
    _, root, _, _ = built
    extra = tmp_path / "extra.txt"
    extra.write_text("The night market opens at seven.\n", encoding="utf-8")
    report = index_documents(load_paths([str(extra)]), root, FakeEmbedder())
    assert _counts(report) == (1, 0, 0, 0, 0) and report.kept == 4
    assert len(_open(root).manifest.documents) == 5


def test_a_new_file_is_added_alone(built) -> None:
    folder, root, _, _ = built
    (folder / "004_new.md").write_text("# Ferries\n\nThe last ferry leaves at midnight.\n", encoding="utf-8")
    embedder = FakeEmbedder()
    report = _index(folder, root, embedder)
    assert _counts(report) == (1, 0, 0, 4, 1)
    [new] = _by_source(_open(root))["004_new.md"]
    assert embedder.embedded == [new.embedding_text()]
    assert new.text == "The last ferry leaves at midnight." and new.heading == "Ferries"


def test_rebuild_embeds_everything_again(built) -> None:
    folder, root, _, first = built
    embedder = FakeEmbedder()
    report = _index(folder, root, embedder, rebuild=True)
    assert _counts(report) == (4, 0, 0, 0, 1)
    assert report.embedded == report.chunks == first.chunks == len(embedder.embedded)


def test_the_same_file_named_twice_is_indexed_once(seeds_copy: Path, tmp_path: Path) -> None:
    path = str(seeds_copy / CHANGED)
    embedder = FakeEmbedder()
    report = index_documents(load_paths([path, path]), tmp_path / "index", embedder)
    assert _counts(report) == (1, 0, 0, 0, 0)
    assert len(embedder.embedded) == report.chunks == len(_open(tmp_path / "index").chunks)


def test_search_sees_the_change(built) -> None:
    from rag.retrieval import get_retriever

    folder, root, _, _ = built
    (folder / CHANGED).write_text("Penang ferries run hourly to the island.\n", encoding="utf-8")
    _index(folder, root, FakeEmbedder())
    retriever = get_retriever("bm25", _open(root), FakeEmbedder())
    [top] = retriever.retrieve("Penang ferries", 1)
    assert Path(top.chunk.source).name == CHANGED and "hourly" in top.chunk.text
    assert not retriever.retrieve("Xiaohongshu", 3)  # the old text is gone


def test_other_chunk_settings_embed_everything_again(built) -> None:
    from rag.chunking import ChunkerSettings

    folder, root, _, first = built
    embedder = FakeEmbedder()
    report = _index(folder, root, embedder, chunker=ChunkerSettings(target_tokens=60))
    assert report.embedded == report.chunks == len(embedder.embedded) > first.chunks
    assert _open(root).manifest.chunker == ChunkerSettings(target_tokens=60).to_json()

"""The index holds only what the user gave it: no links out of the folders given (unless
--follow-links), never an index's own files, nothing removed unless asked (--prune, rag rm),
and an output never written over an input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from rag.errors import InputError
from rag.index import Index
from rag.ingest import Progress, index_documents, remove_documents
from rag.loaders import load_paths
from rag.loaders.walk import INDEX_FOLDER, OUTSIDE, TARGET_FOLDER
from rag.types import Document, Skipped
from tests.fakes import FakeEmbedder
from tests.test_index_safety import run_rag


def _items(paths: list[str], **options) -> tuple[dict[str, Document], dict[str, str]]:
    items = list(load_paths(paths, **options))
    return ({Path(i.source).name: i for i in items if isinstance(i, Document)},
            {Path(i.source).name: i.reason for i in items if isinstance(i, Skipped)})


@pytest.fixture
def linked(tmp_path: Path) -> Path:
    """docs/ with a file, links out to a file and a folder, and links that stay inside."""
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.txt").write_text("The vault code is 4417.\n", encoding="utf-8")
    (outside / "folder" / "inner.txt").write_text("Outside folder text about pelicans.\n", encoding="utf-8")
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "good.txt").write_text("Ferries leave the pier hourly.\n", encoding="utf-8")
    (docs / "sub" / "real.txt").write_text("Trams climb the hill.\n", encoding="utf-8")
    (docs / "secret.txt").symlink_to(outside / "secret.txt")
    (docs / "away").symlink_to(outside / "folder")
    (docs / "alias.txt").symlink_to("good.txt")
    (docs / "sub-link").symlink_to("sub")
    return docs


def test_links_out_of_the_folder_are_skipped_with_the_reason(linked: Path) -> None:
    documents, skipped = _items([str(linked)])
    assert set(documents) == {"good.txt", "real.txt", "alias.txt"}
    assert skipped["secret.txt"] == OUTSIDE and skipped["away"] == OUTSIDE
    assert "--follow-links" in OUTSIDE
    assert not any("4417" in d.text or "pelicans" in d.text for d in documents.values())


def test_follow_links_reads_them(linked: Path) -> None:
    documents, skipped = _items([str(linked)], follow_links=True)
    assert {"secret.txt", "inner.txt"} <= set(documents)
    assert OUTSIDE not in skipped.values()


def test_a_link_into_another_path_given_is_read(linked: Path) -> None:
    documents, skipped = _items([str(linked), str(linked.parent / "outside")])
    assert "4417" in documents["secret.txt"].text and skipped.get("secret.txt") is None


def test_a_link_named_on_the_command_line_is_read(linked: Path) -> None:
    documents, _ = _items([str(linked / "secret.txt")])
    assert "4417" in documents["secret.txt"].text  # the user named it


def test_index_folders_are_never_walked(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "notes.txt").write_text("Notes on the river delta.\n", encoding="utf-8")
    index_documents(load_paths([str(corpus)]), corpus / "old-index", FakeEmbedder())
    documents, skipped = _items([str(corpus)])
    assert set(documents) == {"notes.txt"}
    assert skipped == {"old-index": INDEX_FOLDER}
    generation = next((corpus / "old-index").glob("gen-*"))
    assert _items([str(generation / "chunks.jsonl")]) == ({}, {"chunks.jsonl": INDEX_FOLDER})


def test_the_target_index_is_never_read_even_before_it_is_complete(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "idx").mkdir(parents=True)
    (corpus / "idx" / "leftover.txt").write_text("left over\n", encoding="utf-8")
    (corpus / "a.txt").write_text("Alpha text.\n", encoding="utf-8")
    documents, skipped = _items([str(corpus)], exclude=[str(corpus / "idx")])
    assert set(documents) == {"a.txt"} and skipped == {"idx": TARGET_FOLDER}


def test_cli_index_dot_does_not_index_its_own_index(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Alpha harbour text.\n", encoding="utf-8")
    for _ in range(2):
        done = run_rag("index", ".", "--index", "idx", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    assert "skipped idx: the index being written" in done.stderr
    assert set(Index.open(tmp_path / "idx", FakeEmbedder.name).manifest.documents) == {"a.txt"}


def test_cli_symlinks_out_are_skipped_and_followed_on_request(linked: Path, tmp_path: Path) -> None:
    done = run_rag("index", str(linked), "--index", "idx", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"secret.txt: {OUTSIDE}" in done.stderr and f"away: {OUTSIDE}" in done.stderr
    found = run_rag("search", "vault code pelicans", "--index", "idx", "--json", "--retriever", "bm25", cwd=tmp_path)
    assert json.loads(found.stdout)["results"] == []
    followed = run_rag("index", str(linked), "--index", "idx", "--follow-links", cwd=tmp_path)
    assert followed.returncode == 0 and "2 added" in followed.stdout


# --- adding is the default, removing is explicit ------------------------------------


@pytest.fixture
def indexed(tmp_path: Path) -> tuple[Path, Path]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in {"a.txt": "Alpha ferries.", "b.txt": "Beta trams.", "c.txt": "Gamma buses."}.items():
        (corpus / name).write_text(text + "\n", encoding="utf-8")
    records = [json.dumps({"_id": f"r{n}", "text": f"Record {n} about kites."}) for n in (1, 2)]
    (corpus / "d.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    root = tmp_path / "idx"
    index_documents(load_paths([str(corpus)]), root, FakeEmbedder())
    return corpus, root


def _sources(root: Path) -> set[str]:
    return {Path(s).name for s in Index.open(root, FakeEmbedder.name).manifest.documents}


def test_rm_removes_by_stored_source_without_embedding(indexed) -> None:
    corpus, root = indexed
    removed: list[str] = []
    report = remove_documents(root, [str(corpus / "b.txt"), str(corpus / "d.jsonl")], progress=Progress(on_removed=removed.append))
    assert (report.removed, report.kept) == (3, 2) and report.embedded == 0
    assert sorted(Path(s).name for s in removed) == ["b.txt", "d.jsonl#r1", "d.jsonl#r2"]
    assert _sources(root) == {"a.txt", "c.txt"}
    index = Index.open(root, FakeEmbedder.name)
    assert len(index.chunks) == index.embeddings().shape[0] == index.vectors.ntotal == len(index.bm25)


def test_rm_of_an_unknown_source_changes_nothing(indexed) -> None:
    corpus, root = indexed
    before = (root / "CURRENT").read_text()
    with pytest.raises(InputError, match="rag ls --index"):
        remove_documents(root, [str(corpus / "a.txt"), "nowhere.txt"])
    assert (root / "CURRENT").read_text() == before and len(_sources(root)) == 5


def test_rm_refuses_to_empty_the_index(indexed) -> None:
    corpus, root = indexed
    with pytest.raises(InputError, match="every document"):
        remove_documents(root, [str(corpus / n) for n in ("a.txt", "b.txt", "c.txt", "d.jsonl")])


def test_cli_add_then_prune_then_rm(indexed, tmp_path: Path) -> None:
    corpus, root = indexed
    (tmp_path / "extra.txt").write_text("Delta ferries at dawn.\n", encoding="utf-8")
    added = run_rag("index", "extra.txt", "--index", str(root), cwd=tmp_path)
    assert "1 added, 0 updated, 0 removed" in added.stdout and "5 not given and kept" in added.stdout, added.stdout
    (corpus / "c.txt").unlink()
    pruned = run_rag("index", str(corpus), "--index", str(root), "--prune", cwd=tmp_path)
    assert pruned.returncode == 0, pruned.stderr
    assert f"removing {corpus / 'c.txt'}" in pruned.stderr and "removing extra.txt" in pruned.stderr
    assert "2 removed" in pruned.stdout and _sources(root) == {"a.txt", "b.txt", "d.jsonl#r1", "d.jsonl#r2"}
    unknown = run_rag("rm", "c.txt", "--index", str(root), cwd=tmp_path)
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr
    [line] = unknown.stderr.strip().splitlines()
    assert "c.txt is not a document" in line and "rag ls" in line
    gone = run_rag("rm", os.path.relpath(corpus / "b.txt", tmp_path), "--index", str(root), cwd=tmp_path)
    assert gone.returncode == 0 and "1 removed, 3 kept" in gone.stdout
    assert _sources(root) == {"a.txt", "d.jsonl#r1", "d.jsonl#r2"}


def test_other_chunk_settings_never_drop_documents_silently(indexed) -> None:
    from rag.chunking import ChunkerSettings

    corpus, root = indexed
    before = (root / "CURRENT").read_text()
    other = ChunkerSettings(target_tokens=60)
    with pytest.raises(InputError, match="chunked with other settings"):
        index_documents(load_paths([str(corpus / "a.txt")]), root, FakeEmbedder(), chunker=other)
    assert (root / "CURRENT").read_text() == before
    report = index_documents(load_paths([str(corpus / "a.txt")]), root, FakeEmbedder(), chunker=other, prune=True)
    assert report.removed == 4 and _sources(root) == {"a.txt"}


def test_rebuild_keeps_only_the_paths_given(indexed, tmp_path: Path) -> None:
    corpus, root = indexed
    index_documents(load_paths([str(corpus / "a.txt")]), root, FakeEmbedder(), rebuild=True)
    assert _sources(root) == {"a.txt"}


# --- outputs never overwrite inputs -----------------------------------------------


@pytest.mark.parametrize("how", ["same", "symlink", "hardlink", "dotted"])
def test_search_batch_never_writes_over_its_queries(indexed, tmp_path: Path, how: str) -> None:
    _, root = indexed
    queries = tmp_path / "q.jsonl"
    text = json.dumps({"id": "1", "text": "ferries"}) + "\n"
    queries.write_text(text, encoding="utf-8")
    out = {"same": "q.jsonl", "symlink": "link.jsonl", "hardlink": "hard.jsonl", "dotted": "./sub/../q.jsonl"}[how]
    (tmp_path / "sub").mkdir()
    if how == "symlink":
        (tmp_path / out).symlink_to(queries)
    if how == "hardlink":
        os.link(queries, tmp_path / out)
    done = run_rag("search", "--batch", "q.jsonl", "--out", out, "--force", "--index", str(root), cwd=tmp_path)
    assert done.returncode == 2 and "is the input file" in done.stderr and "Traceback" not in done.stderr
    assert queries.read_text(encoding="utf-8") == text


def test_search_batch_replaces_an_existing_output_only_with_force(indexed, tmp_path: Path) -> None:
    _, root = indexed
    (tmp_path / "q.jsonl").write_text(json.dumps({"id": "1", "text": "ferries"}) + "\n", encoding="utf-8")
    (tmp_path / "out.jsonl").write_text("keep me\n", encoding="utf-8")
    refused = run_rag("search", "--batch", "q.jsonl", "--out", "out.jsonl", "--index", str(root), cwd=tmp_path)
    assert refused.returncode == 2 and "out.jsonl exists; pass --force" in refused.stderr
    assert (tmp_path / "out.jsonl").read_text() == "keep me\n"
    forced = run_rag("search", "--batch", "q.jsonl", "--out", "out.jsonl", "--force", "--index", str(root), cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert json.loads((tmp_path / "out.jsonl").read_text())["id"] == "1"


def test_batch_never_appends_to_its_questions(indexed, tmp_path: Path) -> None:
    _, root = indexed
    (tmp_path / "qs.txt").write_text("Which ferries?\n", encoding="utf-8")
    done = run_rag("batch", "qs.txt", "--out", "qs.txt", "--resume", "--index", str(root), "--generator", "extractive", cwd=tmp_path)
    assert done.returncode == 2 and "is the input file" in done.stderr
    assert (tmp_path / "qs.txt").read_text() == "Which ferries?\n"

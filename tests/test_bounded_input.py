"""Work on hostile input is bounded: deep HTML, zip and PDF bombs and megabyte-long lines
cost little, and a file any parser fails on is skipped with its reason, never ending the run."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from rag.chunking import WINDOW_CHARS, ChunkerSettings, chunk_document
from rag.ingest import index_documents
from rag.loaders import load_paths, make_document
from rag.loaders.html import MAX_PARSE_DEPTH
from rag.text.sentences import split_sentences
from rag.types import Block, Document, Skipped
from tests.fakes import FakeEmbedder
from tests.hostile import deep_html, docx_bomb, pdf_with_text


def _one(path: Path, **options) -> Document | Skipped:
    [item] = list(load_paths([str(path)], **options))
    return item


def test_html_nested_5000_deep_is_read(tmp_path: Path) -> None:
    (tmp_path / "deep.html").write_text(deep_html(5000, "the innermost words"), encoding="utf-8")
    item = _one(tmp_path / "deep.html")
    assert isinstance(item, Document) and "the innermost words" in item.text


def test_html_nested_past_the_limit_is_skipped_before_parsing(tmp_path: Path) -> None:
    (tmp_path / "deeper.html").write_text(deep_html(MAX_PARSE_DEPTH + 5, "unreached"), encoding="utf-8")
    started = time.perf_counter()
    item = _one(tmp_path / "deeper.html")
    assert isinstance(item, Skipped) and "nest about" in item.reason and "10,000" in item.reason
    assert time.perf_counter() - started < 5


def test_ordinary_html_is_not_taken_for_deep(tmp_path: Path) -> None:
    row = "<div><p>Para <b>bold</b> text<br><img src=x><li>item</div>\n"
    (tmp_path / "long.html").write_text("<html><body>" + row * 20_000 + "</body></html>", encoding="utf-8")
    assert isinstance(_one(tmp_path / "long.html"), Document)


@pytest.mark.parametrize("error", [RecursionError, MemoryError, ValueError, KeyError])
def test_a_parser_failure_skips_only_that_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: type) -> None:
    import rag.loaders.html as html

    def broken(text: str):
        raise error("parser gave up")

    monkeypatch.setattr(html, "html_blocks", broken)
    (tmp_path / "bad.html").write_text("<p>anything</p>", encoding="utf-8")
    (tmp_path / "good.txt").write_text("A good file about tides.\n", encoding="utf-8")
    items = {Path(i.source).name: i for i in load_paths([str(tmp_path)])}
    assert isinstance(items["good.txt"], Document)
    assert items["bad.html"].reason.startswith(f"could not be read: {error.__name__}; ")


def test_a_document_that_cannot_be_chunked_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import rag.ingest as ingest

    real = ingest.chunk_document

    def chunk(document, count, settings):
        if document.source.endswith("bad.txt"):
            raise RecursionError("maximum recursion depth exceeded")
        return real(document, count, settings)

    monkeypatch.setattr(ingest, "chunk_document", chunk)
    for name in ("bad.txt", "good.txt"):
        (tmp_path / name).write_text(f"The {name} file.\n", encoding="utf-8")
    report = index_documents(load_paths([str(tmp_path)]), tmp_path / "idx", FakeEmbedder())
    assert report.added == 1
    [skip] = report.skipped
    assert skip.source.endswith("bad.txt") and "could not be read: RecursionError" in skip.reason


def test_a_docx_bomb_is_refused_from_its_declared_size(tmp_path: Path) -> None:
    docx_bomb(tmp_path / "bomb.docx", expanded_mb=24)
    item = _one(tmp_path / "bomb.docx", max_file_mb=4)  # limit: 16 MB uncompressed
    assert isinstance(item, Skipped)
    assert "expands to 24 MB uncompressed" in item.reason and "above the limit of 16 MB (4x --max-file-mb)" in item.reason


def test_a_docx_bomb_is_refused_by_its_compression_ratio(tmp_path: Path) -> None:
    docx_bomb(tmp_path / "bomb.docx", expanded_mb=24)
    item = _one(tmp_path / "bomb.docx")  # 24 MB is within 4 x 64 MB, but packed ~1000x
    assert isinstance(item, Skipped) and "100x compression: a likely zip bomb" in item.reason


def test_a_real_docx_passes_the_bomb_check(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Harbour", level=1)
    document.add_paragraph("Ships enter at dawn. " * 2000)
    document.save(tmp_path / "real.docx")
    item = _one(tmp_path / "real.docx", max_file_mb=1)
    assert isinstance(item, Document) and "Ships enter at dawn." in item.text


def test_a_pdf_stream_that_expands_past_the_limit_is_a_bomb(tmp_path: Path) -> None:
    (tmp_path / "bomb.pdf").write_bytes(pdf_with_text("A" * 40_000_000))  # ~40 KB packed
    item = _one(tmp_path / "bomb.pdf")
    assert isinstance(item, Skipped) and "decompression bomb" in item.reason and "page 1" in item.reason


def test_a_pdf_page_with_too_much_text_is_a_bomb(tmp_path: Path) -> None:
    (tmp_path / "wordy.pdf").write_bytes(pdf_with_text("word " * 300_000))
    item = _one(tmp_path / "wordy.pdf")
    assert isinstance(item, Skipped) and "decompression bomb" in item.reason and "characters of text" in item.reason


def test_a_small_pdf_still_reads(tmp_path: Path) -> None:
    (tmp_path / "small.pdf").write_bytes(pdf_with_text("Cargo volumes rose this year"))
    item = _one(tmp_path / "small.pdf")
    assert isinstance(item, Document) and "Cargo volumes rose" in item.text


def test_sentence_splitting_is_linear_on_a_megabyte_line() -> None:
    line = "The ship came in. " * 100_000  # 1.8 MB, 100,000 stops
    started = time.perf_counter()
    sentences = split_sentences(line)
    assert len(sentences) == 100_000 and time.perf_counter() - started < 5


def test_sentence_splitting_keeps_abbreviations_after_a_long_run_of_spaces() -> None:
    assert split_sentences("Ask Dr." + " " * 200 + "Lee today. Then go.") == ["Ask Dr." + " " * 200 + "Lee today.", "Then go."]


def test_a_line_without_stops_is_never_counted_whole() -> None:
    text = "lorem ipsum dolor " * 100_000  # 1.8 MB, no sentence end
    longest: list[int] = []
    embedder = FakeEmbedder()

    def count(piece: str) -> int:
        longest.append(len(piece))
        return embedder.count_tokens(piece)

    document = make_document("long.txt", [Block("text", text)], "hash")
    chunks = chunk_document(document, count, ChunkerSettings())
    assert max(longest) <= WINDOW_CHARS
    assert " ".join(c.text for c in chunks).split() == text.split()  # nothing lost or repeated

"""Chunks follow the document's structure and always fit the embedder's window."""

from __future__ import annotations

import pytest

from rag.chunking import ChunkerSettings, chunk_document
from rag.loaders import load_paths, make_document
from rag.text.sentences import split_sentences
from rag.types import Block
from tests.conftest import SEEDS
from tests.fakes import FakeEmbedder

count = FakeEmbedder().count_tokens


def _sentence(n: int, words: int = 12) -> str:
    return f"Sentence {n} " + " ".join(f"w{n}x{i}" for i in range(words - 3)) + " ends."


def _document(blocks: list[Block], title: str = "Doc") -> object:
    return make_document("doc.txt", blocks, "hash", title)


def test_no_chunk_starts_or_ends_inside_a_sentence() -> None:
    paragraphs = [" ".join(_sentence(p * 10 + s) for s in range(7)) for p in range(5)]
    blocks = [Block("text", text, n + 1, n + 1) for n, text in enumerate(paragraphs)]
    chunks = chunk_document(_document(blocks), count, ChunkerSettings(target_tokens=60))
    assert len(chunks) > 5
    every_sentence = {s for p in paragraphs for s in split_sentences(p)}
    for chunk in chunks:
        assert set(split_sentences(chunk.text)) <= every_sentence
    assert " ".join(c.text for c in chunks).split() == " ".join(paragraphs).split()


def test_a_paragraph_that_fits_is_not_cut_across_chunks() -> None:
    short = Block("text", " ".join(_sentence(n) for n in range(3)), 1, 1)  # 36 words
    fits = Block("text", " ".join(_sentence(n) for n in range(10, 14)), 2, 2)  # 48 words
    chunks = chunk_document(_document([short, fits]), count, ChunkerSettings(target_tokens=60))
    assert [c.text for c in chunks] == [short.text, fits.text]
    assert [(c.line_start, c.line_end) for c in chunks] == [(1, 1), (2, 2)]


def test_a_long_paragraph_is_split_into_even_parts() -> None:
    long = Block("text", " ".join(_sentence(n) for n in range(9)), 1, 1)  # 108 words, target 100
    chunks = chunk_document(_document([long]), count, ChunkerSettings(target_tokens=100))
    assert [count(c.text) for c in chunks] in ([60, 48], [48, 60])


def test_headings_travel_with_their_sections() -> None:
    blocks = [
        Block("heading", "Guide", 1, 1, level=1),
        Block("text", "Intro text here.", 2, 2),
        Block("heading", "Install", 3, 3, level=2),
        Block("text", "Run the installer.", 4, 4),
        Block("heading", "Linux", 5, 5, level=3),
        Block("text", "Use the package.", 6, 6),
        Block("heading", "Usage", 7, 7, level=2),
        Block("text", "Ask a question.", 8, 8),
    ]
    chunks = chunk_document(_document(blocks, title="Guide"), count)
    assert [(c.text, c.heading) for c in chunks] == [
        ("Intro text here.", "Guide"),
        ("Run the installer.", "Guide > Install"),
        ("Use the package.", "Guide > Install > Linux"),
        ("Ask a question.", "Guide > Usage"),
    ]
    assert chunks[2].embedding_text().endswith("Guide > Install > Linux\nUse the package.")
    assert chunks[2].locator == "line 6, § Guide > Install > Linux"


def test_an_overlong_heading_path_leaves_room_for_the_passage() -> None:
    heading = Block("heading", " ".join(f"h{i}" for i in range(200)), 1, 1, level=1)
    text = Block("text", " ".join(_sentence(n) for n in range(20)), 2, 2)
    chunks = chunk_document(_document([heading, text]), count)
    assert all(count(c.embedding_text()) <= 254 for c in chunks)
    assert all(count(c.heading) <= 254 // 3 for c in chunks)


def test_a_sentence_longer_than_the_window_is_cut_at_words_not_truncated() -> None:
    words = [f"word{i}" for i in range(700)]
    chunks = chunk_document(_document([Block("text", " ".join(words) + ".", 1, 1)]), count)
    assert len(chunks) >= 3
    assert all(count(c.embedding_text()) <= 254 for c in chunks)
    assert " ".join(c.text for c in chunks).rstrip(".").split() == words


def test_unspaced_text_is_cut_at_characters() -> None:
    han = "中" * 1200 + "。"

    def per_character(text: str) -> int:
        return sum(1 for ch in text if not ch.isspace())

    chunks = chunk_document(_document([Block("text", han, 1, 1)], title="文"), per_character)
    assert len(chunks) >= 5
    assert all(per_character(c.embedding_text()) <= 254 for c in chunks)
    assert "".join(c.text.replace(" ", "") for c in chunks) == han


def test_chunks_never_span_pages() -> None:
    blocks = [Block("text", "Page one text.", 1, 1, page=1), Block("text", "Page two text.", 1, 1, page=2)]
    chunks = chunk_document(_document(blocks), count)
    assert [(c.page, c.locator) for c in chunks] == [(1, "p. 1, line 1"), (2, "p. 2, line 1")]


def test_a_record_id_is_in_the_source_not_repeated_in_the_locator() -> None:
    document = make_document("corpus.jsonl#doc-7", [Block("text", "Corals bleach.", 1, 1)], "hash", "Reefs", "doc-7")
    [chunk] = chunk_document(document, count)
    assert (chunk.source, chunk.title, chunk.locator) == ("corpus.jsonl#doc-7", "Reefs", "line 1")


def test_table_rows_are_chunks_of_their_own_with_one_table_id() -> None:
    table = Block("table", "raw", 3, 5, header=("Ticket", "Adult"), rows=(("Single", "4.50"), ("Return", "8.00")), row_lines=(4, 5))
    blocks = [Block("text", "Fares are below.", 1, 1), table, Block("text", "Prices rise in July.", 7, 7)]
    chunks = chunk_document(_document(blocks, title="Ferry Guide"), count)
    assert [c.kind for c in chunks] == ["text", "table", "table", "text"]
    assert chunks[1].text == "Ferry Guide: Adult by Ticket, Single: Adult 4.50"
    assert chunks[1].embedding_text() == chunks[1].text  # a row already names its context
    assert chunks[1].table_id == chunks[2].table_id is not None
    assert [c.line_start for c in chunks] == [1, 4, 5, 7]


def test_chunk_ids_are_stable_and_change_with_the_content() -> None:
    blocks = [Block("text", "Same text.", 1, 1)]
    first = chunk_document(make_document("a.txt", blocks, "h1"), count)
    again = chunk_document(make_document("a.txt", blocks, "h1"), count)
    changed = chunk_document(make_document("a.txt", blocks, "h2"), count)
    assert first[0].id == again[0].id != changed[0].id


@pytest.fixture(scope="module")
def minilm_count():
    from rag.embedding import MiniLMEmbedder

    return MiniLMEmbedder().count_tokens  # the tokenizer alone: no model is loaded


def test_every_seed_chunk_fits_the_minilm_window(minilm_count) -> None:
    for document in load_paths([str(SEEDS)]):
        chunks = chunk_document(document, minilm_count)
        assert chunks, document.source
        for chunk in chunks:
            assert minilm_count(chunk.embedding_text()) <= 254, (chunk.id, chunk.locator)


def test_seed_chunks_follow_paragraphs(minilm_count) -> None:
    [qmas] = [d for d in load_paths([str(SEEDS / "003_610bc2bd4f45bcec.txt")])]
    chunks = chunk_document(qmas, minilm_count)
    committee = [c for c in chunks if "Advisory Committee on Admission" in c.text]
    assert len(committee) == 1 and committee[0].text.startswith("The QMAS is not sector-specific.")
    assert (committee[0].line_start, committee[0].line_end) == (80, 80)

"""Valid files of every supported format index with the right titles, locators and table rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.index import Index
from rag.ingest import index_documents
from rag.loaders import load_paths
from rag.types import Chunk, Document
from tests.fakes import FakeEmbedder


def make_pdf(pages: list[list[str]]) -> bytes:
    """A small valid PDF written by hand: one Helvetica text line per string, one list per page."""
    count = len(pages)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, lines in enumerate(pages):
        shown = [f"({line.replace('(', '[').replace(')', ']')}) Tj T*" for line in lines]
        stream = "\n".join(["BT", "/F1 12 Tf", "14 TL", "72 720 Td", *shown, "ET"]).encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    return _assemble(objects)


def _assemble(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


PDF_PAGES = [
    ["Harbour Authority Annual Report", "Cargo volumes rose by eleven percent in the spring."],
    ["Tugboat crews trained with the river pilots in autumn."],
]

MARKDOWN = """# Ferry Guide

Ferries leave the pier every twenty minutes.

## Fares

| Ticket | Adult | Child |
| --- | --- | --- |
| Single | 4.50 | 2.20 |
| Return | 8.00 | 3.90 |

## Night service

The last ferry departs at midnight on weekdays.
"""

HTML = """<!doctype html><html><head><title>Library Opening Hours</title>
<style>body { color: red }</style></head><body>
<h1>Central Library</h1><p>The reading room is quiet and bright.</p>
<h2>Hours</h2>
<table><tr><th>Day</th><th>Opens</th><th>Closes</th></tr>
<tr><td>Monday</td><td>09:00</td><td>18:00</td></tr>
<tr><td>Saturday</td><td>10:00</td><td>14:00</td></tr></table>
<h2>Lending</h2><p>Members may borrow twelve books at once.</p>
</body></html>"""

JSONL_RECORDS = [
    {"_id": "doc-17", "title": "Glacier retreat", "text": "Alpine glaciers lost mass every year since 1980."},
    {"_id": "doc-42", "title": "Coral bleaching", "text": "Warm water makes corals expel their algae."},
]


def make_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Staff Handbook", level=0)
    document.add_heading("Leave", level=1)
    document.add_paragraph("Employees accrue annual leave monthly.")
    document.add_heading("Allowances", level=2)
    table = document.add_table(rows=3, cols=3)
    for row, values in zip(table.rows, [("Grade", "Days", "Carry-over"), ("Junior", "20", "5"), ("Senior", "25", "10")]):
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.add_paragraph("Unused leave beyond the carry-over lapses in March.")
    document.save(str(path))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("formats")
    (folder / "report.pdf").write_bytes(make_pdf(PDF_PAGES))
    (folder / "ferries.md").write_text(MARKDOWN, encoding="utf-8")
    (folder / "library.html").write_text(HTML, encoding="utf-8")
    (folder / "corpus.jsonl").write_text("\n".join(json.dumps(r) for r in JSONL_RECORDS) + "\n", encoding="utf-8")
    make_docx(folder / "handbook.docx")
    (folder / "plain.txt").write_text("Orchard notes\n\nApples ripen in September.\nPears follow in October.\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def index(corpus: Path, tmp_path_factory) -> Index:
    root = tmp_path_factory.mktemp("formats-index") / "index"
    report = index_documents(load_paths([str(corpus)]), root, FakeEmbedder())
    assert report.skipped == ()
    return Index.open(root, FakeEmbedder.name, FakeEmbedder.dim)


def _chunks(index: Index, source_end: str) -> list[Chunk]:
    found = [c for c in index.chunks if c.source.endswith(source_end)]
    assert found, f"no chunk from {source_end}"
    return found


def _containing(chunks: list[Chunk], words: str) -> Chunk:
    for chunk in chunks:
        if words in chunk.text:
            return chunk
    raise AssertionError(f"no chunk contains {words!r}: {[c.text for c in chunks]}")


def test_every_format_becomes_documents(corpus: Path) -> None:
    items = list(load_paths([str(corpus)]))
    assert all(isinstance(item, Document) for item in items), items
    sources = sorted(Path(item.source).name for item in items)
    assert sources == ["corpus.jsonl#doc-17", "corpus.jsonl#doc-42", "ferries.md", "handbook.docx", "library.html", "plain.txt", "report.pdf"]


def test_pdf_pages_and_title(index: Index) -> None:
    chunks = _chunks(index, "report.pdf")
    assert chunks[0].title == "Harbour Authority Annual Report"
    assert _containing(chunks, "eleven percent").page == 1
    second = _containing(chunks, "Tugboat crews")
    assert second.page == 2
    assert "p. 2" in second.locator


def test_markdown_lines_headings_and_table_rows(index: Index) -> None:
    chunks = _chunks(index, "ferries.md")
    assert chunks[0].title == "Ferry Guide"
    night = _containing(chunks, "last ferry departs")
    assert (night.line_start, night.heading) == (14, "Ferry Guide > Night service")
    assert night.locator == "line 14, § Ferry Guide > Night service"
    single = _containing(chunks, "Single")
    assert single.kind == "table" and single.line_start == 9
    assert "Adult 4.50" in single.text and "Child 2.20" in single.text
    assert "Adult 8.00" in _containing(chunks, "Return").text


def test_html_title_headings_and_table_rows(index: Index) -> None:
    chunks = _chunks(index, "library.html")
    assert chunks[0].title == "Library Opening Hours"
    assert "color" not in " ".join(c.text for c in chunks)
    saturday = _containing(chunks, "Saturday")
    assert saturday.kind == "table" and saturday.heading == "Central Library > Hours"
    assert "Opens 10:00" in saturday.text and "Closes 14:00" in saturday.text
    assert _containing(chunks, "twelve books").heading == "Central Library > Lending"


def test_docx_headings_and_table_rows(index: Index) -> None:
    chunks = _chunks(index, "handbook.docx")
    assert chunks[0].title == "Staff Handbook"
    assert _containing(chunks, "accrue annual leave").heading == "Staff Handbook > Leave"
    senior = _containing(chunks, "Senior")
    assert senior.kind == "table" and senior.heading == "Staff Handbook > Leave > Allowances"
    assert "Days 25" in senior.text and "Carry-over 10" in senior.text


def test_jsonl_records_keep_id_and_title(index: Index) -> None:
    glacier = _chunks(index, "corpus.jsonl#doc-17")
    assert glacier[0].title == "Glacier retreat" and glacier[0].record_id == "doc-17"
    assert "#doc-17" not in glacier[0].locator  # the source already names the record
    assert "corals expel" in _chunks(index, "corpus.jsonl#doc-42")[0].text


def test_plain_text_line_ranges(index: Index) -> None:
    pears = _containing(_chunks(index, "plain.txt"), "Pears follow")
    assert pears.line_start is not None and pears.line_start <= 4 <= (pears.line_end or pears.line_start)
    assert pears.title == "Orchard notes"


def test_every_format_is_searchable_with_its_locator(index: Index) -> None:
    from rag.retrieval import BM25Retriever

    retriever = BM25Retriever(index)
    expected = {"tugboat": "report.pdf", "midnight": "ferries.md", "lapses": "handbook.docx", "glaciers": "doc-17", "ripen": "plain.txt", "borrow": "library.html"}
    for word, source in expected.items():
        top = retriever.retrieve(word, 1)
        assert top and top[0].chunk.source.endswith(source), (word, top)

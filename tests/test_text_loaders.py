"""Plain text, Markdown and HTML into blocks with line numbers and heading paths."""

from __future__ import annotations

from rag.chunking import chunk_document
from rag.loaders import load_paths, make_document
from rag.loaders.html import html_blocks
from rag.loaders.text import markdown_blocks, text_blocks
from tests.conftest import SEEDS
from tests.fakes import FakeEmbedder


def _chunks(blocks, title: str = "", source: str = "doc.md"):
    document = make_document(source, blocks, "hash", title)
    return chunk_document(document, FakeEmbedder().count_tokens)


def _spans(blocks) -> list[tuple[str, int | None, int | None, str]]:
    return [(b.kind, b.line_start, b.line_end, b.text) for b in blocks]


def test_plain_text_paragraphs_keep_their_line_ranges() -> None:
    text = "Title line\n\nFirst paragraph is here.\nSecond paragraph starts.\n\nA wrapped sentence that\ngoes on below.\n"
    assert _spans(text_blocks(text)) == [
        ("text", 1, 1, "Title line"),
        ("text", 3, 3, "First paragraph is here."),
        ("text", 4, 4, "Second paragraph starts."),
        ("text", 6, 7, "A wrapped sentence that goes on below."),
    ]


def test_hard_wrapped_text_joins_lines_broken_by_the_wrapping() -> None:
    lines = [
        "The Hong Kong SAR Government launched the Quality Migrant Admission",
        "Scheme in June 2006 to attract highly skilled or talented persons to",
        "Hong Kong. A second sentence follows on the next line and it runs on",
        "to the end.",
        "Short line",
        "Another short line",
    ]
    blocks = text_blocks("\n".join(lines))
    assert _spans(blocks)[0][:3] == ("text", 1, 4)
    assert blocks[0].text.startswith("The Hong Kong SAR Government launched the Quality Migrant Admission Scheme in June 2006")
    assert [b.text for b in blocks[1:]] == ["Short line", "Another short line"]


def test_label_lines_join_their_value_and_fields_stay_apart() -> None:
    text = "Advisor:\nBair, Jennifer, University of Virginia\nTopics: Economic Geography, Migration, and more of the same kind of thing\nRoom: Hampton Room\n"
    assert [b.text for b in text_blocks(text)] == [
        "Advisor: Bair, Jennifer, University of Virginia",
        "Topics: Economic Geography, Migration, and more of the same kind of thing",
        "Room: Hampton Room",
    ]


def test_seed_lines_are_where_the_locator_says() -> None:
    path = SEEDS / "003_610bc2bd4f45bcec.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    for block in text_blocks("\n".join(lines)):
        if block.kind == "text":
            first_words = " ".join(block.text.split()[:4])
            assert first_words in " ".join(lines[block.line_start - 1].split()), block


MARKDOWN = """---
title: Ferry notes
---
# Ferry Guide

Ferries run every
twenty minutes by day.

Night Service
-------------

The [last ferry](https://example.org/night) departs at **midnight**.

### Exceptions
- Typhoon signal 8 stops all sailings.
- Public holidays follow the
  Sunday timetable.

> Tickets bought online
> are refundable.

```
# not a heading
pier = 7
```

## Fares
Fares rise in July.
"""


def test_markdown_blocks() -> None:
    assert _spans(markdown_blocks(MARKDOWN)) == [
        ("text", 2, 2, "title: Ferry notes"),
        ("heading", 4, 4, "Ferry Guide"),
        ("text", 6, 7, "Ferries run every twenty minutes by day."),
        ("heading", 9, 10, "Night Service"),
        ("text", 12, 12, "The last ferry departs at midnight."),
        ("heading", 14, 14, "Exceptions"),
        ("text", 15, 15, "• Typhoon signal 8 stops all sailings."),  # a list item keeps a marker
        ("text", 16, 17, "• Public holidays follow the Sunday timetable."),
        ("text", 19, 20, "Tickets bought online are refundable."),
        ("text", 23, 24, "# not a heading\npier = 7"),
        ("heading", 27, 27, "Fares"),
        ("text", 28, 28, "Fares rise in July."),
    ]


def test_markdown_heading_paths_travel_with_their_sections() -> None:
    chunks = _chunks(markdown_blocks(MARKDOWN), source="ferries.md")
    by_text = {c.text.lstrip("• ").split()[0]: c for c in chunks}
    assert chunks[0].title == "Ferry Guide"
    assert by_text["Ferries"].heading == "Ferry Guide"
    assert by_text["The"].heading == "Ferry Guide > Night Service"
    assert by_text["Typhoon"].heading == "Ferry Guide > Night Service > Exceptions"
    assert by_text["Fares"].heading == "Ferry Guide > Fares"  # a level-2 heading closes the level-3 one
    assert by_text["The"].locator == "line 12, § Ferry Guide > Night Service"
    assert not any("Night Service" in c.text for c in chunks)  # the heading is context, not passage


def test_markdown_heading_without_a_space_is_text() -> None:
    assert _spans(markdown_blocks("#hashtag is not a heading\n")) == [("text", 1, 1, "#hashtag is not a heading")]


HTML = """<!doctype html><html><head><title> Library  Hours </title><style>p { color: red }</style></head>
<body><nav>Home | About</nav>
<h1>Central Library</h1>
<div>Loose text <b>beside</b> a paragraph<p>Members may borrow
twelve books.</p></div>
<h2>Lending</h2><ul><li>Renew online.</li><li>Return by post.</li></ul>
<script>var x = 1;</script><footer>Copyright</footer>
</body></html>"""


def test_html_blocks_skip_scripts_and_navigation() -> None:
    title, blocks = html_blocks(HTML)
    assert title == "Library Hours"
    assert _spans(blocks) == [
        ("heading", 3, 3, "Central Library"),
        ("text", 4, 4, "Loose text beside a paragraph"),
        ("text", 4, 5, "Members may borrow twelve books."),
        ("heading", 6, 6, "Lending"),
        ("text", 6, 6, "• Renew online."),  # a list item keeps a bullet
        ("text", 6, 6, "• Return by post."),
    ]


def test_html_heading_paths() -> None:
    title, blocks = html_blocks(HTML)
    chunks = _chunks(blocks, title=title, source="library.html")
    assert {c.heading for c in chunks} == {"Central Library", "Central Library > Lending"}
    assert all(c.title == "Library Hours" for c in chunks)


def test_every_seed_has_a_title_and_every_chunk_a_locator() -> None:
    documents = list(load_paths([str(SEEDS)]))
    assert len(documents) == 4
    for document in documents:
        assert document.title
        for chunk in chunk_document(document, FakeEmbedder().count_tokens):
            assert chunk.title == document.title
            assert chunk.line_start is not None and chunk.locator.startswith("line")


def test_html_page_wrapped_in_a_form_keeps_its_content() -> None:
    _, blocks = html_blocks("<html><body><form id=page><h1>Notice</h1><p>Offices close at noon.</p><button>Go</button></form></body></html>")
    assert [(b.kind, b.text) for b in blocks] == [("heading", "Notice"), ("text", "Offices close at noon.")]


def test_word_list_paragraphs_keep_a_bullet(tmp_path) -> None:
    import docx

    from rag.loaders.docx import docx_blocks

    document = docx.Document()
    document.add_heading("Honours", 2)
    document.add_paragraph("She was awarded:")
    document.add_paragraph("Davy Medal (1968)", style="List Bullet")
    document.add_paragraph("Honorary doctorate (1979)", style="List Number")
    document.save(tmp_path / "honours.docx")
    assert [b.text for b in docx_blocks(tmp_path / "honours.docx")] == [
        "Honours", "She was awarded:", "• Davy Medal (1968)", "• Honorary doctorate (1979)"]


def test_markdown_fields_stand_apart_and_numbered_items_keep_their_number() -> None:
    text = "**Issued:** 2 June 2026\n**Batch codes:** 2411 to 2503\n\nTo claim:\n\n1. Unplug it.\n2. Return it.\n"
    assert [b.text for b in markdown_blocks(text)] == [
        "Issued: 2 June 2026", "Batch codes: 2411 to 2503", "To claim:", "1. Unplug it.", "2. Return it."]

"""Tables in plain text, Markdown and HTML become rows that carry their table's
title and column names."""

from __future__ import annotations

import pytest

from rag.chunking import chunk_document
from rag.loaders import make_document
from rag.loaders.html import html_blocks
from rag.loaders.tables import find_tables
from rag.loaders.text import markdown_blocks, text_blocks
from tests.conftest import SEEDS
from tests.fakes import FakeEmbedder

NBSP = "\u00a0"
QMAS_YEARS = f"""The breakdowns are tabulated as follows:

Year Applications Received
Quotas Allotted
(June to December)
587 83
2007 627 239
2008 1{NBSP} 358 564
2018 3{NBSP} 314 555
2019 5{NBSP} 896 874
2020* 3{NBSP} 966 1 709
2021** 5{NBSP} 365 2 004
Total 36{NBSP} 689 9 131

Note: quotas may not match applications of the same year.
"""


def _count(text: str) -> int:
    return FakeEmbedder().count_tokens(text)


def _table_rows(blocks, title: str = "Doc", source: str = "doc.txt") -> list:
    document = make_document(source, blocks, "hash", title)
    return [c for c in chunk_document(document, _count) if c.kind == "table"]


@pytest.fixture
def qmas_table():
    [table] = find_tables(QMAS_YEARS.splitlines())
    return table


def test_header_lines_name_the_columns(qmas_table) -> None:
    assert qmas_table.header == ("Year", "Applications Received", "Quotas Allotted")


def test_digit_groups_split_by_spaces_and_non_breaking_spaces_make_one_number(qmas_table) -> None:
    rows = {row[0]: row[1:] for row in qmas_table.rows}
    assert rows["2007"] == ("627", "239")
    assert rows["2008"] == ("1 358", "564")
    assert rows["2019"] == ("5 896", "874")
    assert rows["2020"] == ("3 966", "1 709")
    assert rows["Total"] == ("36 689", "9 131")


def test_missing_first_label_is_filled_with_the_year_before_and_its_qualifier(qmas_table) -> None:
    assert qmas_table.rows[0] == ("2006 (June to December)", "587", "83")


def test_footnote_markers_are_stripped_from_labels(qmas_table) -> None:
    labels = [row[0] for row in qmas_table.rows]
    assert "2020" in labels and "2021" in labels
    assert not any("*" in label for label in labels)


def test_row_lines_point_at_the_rows_in_the_file(qmas_table) -> None:
    lines = QMAS_YEARS.splitlines()
    assert [lines[i].split()[0] for i in qmas_table.row_lines[1:3]] == ["2007", "2008"]
    assert qmas_table.first_line == lines.index("Year Applications Received")
    assert qmas_table.last_line == lines.index(f"Total 36{NBSP} 689 9 131")


def test_the_seed_tables_are_found_with_their_headers() -> None:
    lines = (SEEDS / "003_610bc2bd4f45bcec.txt").read_text(encoding="utf-8").splitlines()
    tables = find_tables(lines)
    assert [t.header for t in tables] == [
        ("Year", "Applications Received", "Quotas Allotted"),
        ("Industry", "Quotas Allotted"),
        ("Country/Region", "Quotas Allotted"),
    ]
    assert [len(t.rows) for t in tables] == [17, 16, 12]
    assert ("The mainland of China", "8 039") in tables[2].rows


def test_qmas_row_carries_table_title_and_column_names() -> None:
    text = (SEEDS / "003_610bc2bd4f45bcec.txt").read_text(encoding="utf-8")
    rows = _table_rows(text_blocks(text), title="LCQ15: Quality Migrant Admission Scheme (QMAS)")
    texts = [r.text for r in rows]
    assert "QMAS: Applications Received and Quotas Allotted by Year, 2018: Applications Received 3 314; Quotas Allotted 555" in texts
    assert "QMAS: Quotas Allotted by Industry, Sports: Quotas Allotted 195" in texts
    row_2019 = next(r for r in rows if ", 2019:" in r.text)
    assert (row_2019.line_start, row_2019.line_end) == (34, 34)
    assert row_2019.columns == ("Year", "Applications Received", "Quotas Allotted")
    assert row_2019.cells == ("2019", "5 896", "874")


def test_columns_set_apart_by_wide_gaps_and_trailing_marks() -> None:
    lines = ["Country    Applications    Approved*", "France    1,200    640", "Spain    980    410†", "Italy    1 004    555"]
    [table] = find_tables(lines)
    assert table.header == ("Country", "Applications", "Approved")
    assert table.rows == (("France", "1,200", "640"), ("Spain", "980", "410"), ("Italy", "1 004", "555"))


def test_a_caption_and_a_header_of_years() -> None:
    lines = ["Table 2: Visitors by region", "Region 2019 2020 2021", "North 1 200 1 350 900", "South 800 1 020 1 100", "East 2 500 3 000 3 250"]
    [table] = find_tables(lines)
    assert table.caption == "Table 2: Visitors by region"
    assert table.header == ("Region", "2019", "2020", "2021")
    assert table.rows[0] == ("North", "1 200", "1 350", "900")
    [north, *_] = _table_rows(text_blocks("\n".join(lines)))
    assert north.text == "Table 2: Visitors by region, North: 2019 1 200; 2020 1 350; 2021 900"


@pytest.mark.parametrize(
    "text",
    [
        "The population grew to 7 500.\nLater it fell to 6 000.\nThen it was 5 000.",  # sentences ending in numbers
        "Alice 90\nBob 85\nCarol 77",  # no header above the rows
        "Scores\nAlice 90\nBob 85",  # too few rows
    ],
)
def test_text_that_is_not_a_table(text: str) -> None:
    assert find_tables(text.splitlines()) == []


MARKDOWN = """# Ferry Guide

## Fares

| Ticket | Adult | Child |
| ------ | ----: | :---: |
| Single | 4.50  | 2.20  |
| Return | 8.00  |       |
"""


def test_markdown_table_rows_carry_heading_and_column_names() -> None:
    single, ret = _table_rows(markdown_blocks(MARKDOWN), title="Ferry Guide", source="ferries.md")
    assert single.text == "Ferry Guide > Fares: Adult and Child by Ticket, Single: Adult 4.50; Child 2.20"
    assert ret.text == "Ferry Guide > Fares: Adult and Child by Ticket, Return: Adult 8.00"
    assert (single.line_start, ret.line_start) == (7, 8)
    assert single.heading == "Ferry Guide > Fares" and single.table_id == ret.table_id


HTML = """<html><head><title>Library</title></head><body>
<h1>Central Library</h1><h2>Hours</h2>
<table>
<tr><th>Day</th><th>Opens</th><th>Closes</th></tr>
<tr><td>Saturday</td><td>10:00</td><td>14:00</td></tr>
<tr><td>Sunday <table><tr><td>closed</td></tr></table></td><td></td><td></td></tr>
</table>
<table><caption>Table 3: Loans per member</caption>
<tr><th>Member</th><th>Books</th></tr><tr><td>Adult</td><td>12</td></tr></table>
</body></html>"""


def test_html_table_rows_carry_heading_caption_and_column_names() -> None:
    title, blocks = html_blocks(HTML)
    saturday, sunday, adult = _table_rows(blocks, title=title, source="library.html")
    assert saturday.text == "Central Library > Hours: Opens and Closes by Day, Saturday: Opens 10:00; Closes 14:00"
    assert sunday.text == "Central Library > Hours: Opens and Closes by Day, Sunday closed"
    assert adult.text == "Table 3: Loans per member, Adult: Books 12"
    assert (saturday.line_start, sunday.line_start) == (5, 6) and adult.line_start == 9


def test_markdown_table_without_outer_pipes_and_with_an_escaped_pipe() -> None:
    text = "## Limits\n\nName | Value\n--- | ---\nsize \\| weight | 5 kg\nlength | 2 m\n"
    first, second = _table_rows(markdown_blocks(text), title="Guide", source="guide.md")
    assert first.text == "Limits: Value by Name, size | weight: Value 5 kg"
    assert (second.text, second.line_start) == ("Limits: Value by Name, length: Value 2 m", 6)


def test_a_pipe_line_over_a_setext_underline_is_not_a_table() -> None:
    blocks = markdown_blocks("Cats | dogs\n---\n\nText.\n")
    assert [b.kind for b in blocks] == ["heading", "text"]

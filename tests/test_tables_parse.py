"""Golden tables: every table of the seeds, the talent-dev documents and the table
evaluation documents is recovered with its caption, column names and cells."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.loaders import load_file
from rag.loaders.text import text_blocks
from rag.tables import Table, tables_from_document
from rag.tables.model import as_at_in, unit_in
from rag.tables.parse import aligned_grids, caption_above
from tests.conftest import SEEDS

ROOT = Path(__file__).resolve().parents[1]
EVAL_DOCS = ROOT / "eval" / "tables_docs"
TALENT_DEV = Path("/work/shared/data/talent-dev/docs")
needs_talent_dev = pytest.mark.skipif(not TALENT_DEV.is_dir(), reason="talent-dev documents not on this machine")


def _tables(path: Path) -> list[Table]:
    [document] = list(load_file(path, path.name))
    return tables_from_document(document)


# --- aligned plain text ------------------------------------------------------------

def test_aligned_columns_keep_space_grouped_numbers_whole() -> None:
    lines = ["Category      Applications   Approved   Refused", "Category A    13 620         486        1 274", "Category B    9 004          1 210      77"]
    [grid] = aligned_grids(lines)
    assert grid.rows == (("Category A", "13 620", "486", "1 274"), ("Category B", "9 004", "1 210", "77"))
    assert grid.header_rows == (("Category", "Applications", "Approved", "Refused"),)


def test_an_empty_aligned_cell_stays_empty() -> None:
    lines = ["Size     North    South", "Small    1 200    900", "Large             2 400", "Huge     5 000    6 100"]
    [grid] = aligned_grids(lines)
    assert grid.rows[1] == ("Large", "", "2 400")


def test_a_two_level_aligned_header_spans_its_columns() -> None:
    lines = [
        "               Applications           Approved",
        "Region         2023      2024         2023      2024",
        "North          1 200     1 350        640       700",
        "South          800       1 020        410       530",
    ]
    [grid] = aligned_grids(lines)
    text = "\n".join(["Table 5: Applications and approvals by region", "", *lines])
    [table] = [b for b in text_blocks(text) if b.kind == "table"]
    assert table.header == ("Region", "Applications / 2023", "Applications / 2024", "Approved / 2023", "Approved / 2024")
    assert table.caption == "Table 5: Applications and approvals by region"
    assert grid.rows[1] == ("South", "800", "1 020", "410", "530")


def test_prose_with_double_spaces_is_not_a_table() -> None:
    lines = ["The route opened in 2022.  It allows", "graduates to work.  They need no", "sponsor at all.  Fees apply."]
    assert aligned_grids(lines) == []


def test_caption_is_the_nearest_title_line_across_a_blank_line() -> None:
    lines = ["Table 1: Visas by quarter, as at 30 September 2025", "", "Quarter   Total", "2023 Q1   617"]
    assert caption_above(lines, 2) == 0
    assert caption_above(["A long sentence that ends with a full stop.", "", "Quarter   Total"], 2) is None
    assert caption_above(["Total 9 131", "", "Industry Quotas"], 2) is None  # a row of the table above


def test_caption_states_unit_and_date() -> None:
    assert as_at_in("HPI visas granted by quarter, as at 30 September 2025") == "30 September 2025"
    assert unit_in("Main eligibility conditions (amounts in Singapore dollars)") == "Singapore dollars"
    assert unit_in("Monthly rent (in kroner)") == "kroner"
    assert unit_in("Seat height (cm)") == "cm"
    assert unit_in("Table 2: Visitors by region") is None


# --- the seeds ---------------------------------------------------------------------

def test_seed_tables() -> None:
    tables = tables_from_document(list(load_file(SEEDS / "003_610bc2bd4f45bcec.txt", "003.txt"))[0])
    assert [t.columns for t in tables] == [
        ("Year", "Applications Received", "Quotas Allotted"),
        ("Industry", "Quotas Allotted"),
        ("Country/Region", "Quotas Allotted"),
    ]
    assert [t.caption for t in tables] == ["", "", ""]
    years, industries, places = tables
    assert years.rows[0] == ("2006 (June to December)", "587", "83")
    assert years.rows[-3:] == (("2020", "3 966", "1 709"), ("2021", "5 365", "2 004"), ("Total", "36 689", "9 131"))
    assert len(years.rows) == 17 and years.notes[0].startswith("Note: The applications")
    assert industries.rows[0] == ("Financial and Accounting Services", "2 264")
    assert industries.rows[-1] == ("Total", "9 131") and len(industries.rows) == 16
    assert places.rows[:2] == (("The mainland of China", "8 039"), ("The United States of America", "183"))
    assert places.rows[-1] == ("Total", "9 131") and len(places.rows) == 12
    assert [len(tables_from_document(list(load_file(p, p.name))[0])) for p in sorted(SEEDS.iterdir())][:3] == [0, 0, 0]


# --- talent-dev documents ------------------------------------------------------------

HPI_QUARTERS = (
    ("2023 Q1", "517", "100", "617"), ("2023 Q2", "583", "85", "668"), ("2023 Q3", "620", "70", "690"),
    ("2023 Q4", "493", "76", "569"), ("2024 Q1", "399", "73", "472"), ("2024 Q2", "544", "56", "600"),
    ("2024 Q3", "497", "43", "540"), ("2024 Q4", "357", "31", "388"), ("2025 Q1", "336", "73", "409"),
    ("2025 Q2", "605", "70", "675"), ("2025 Q3", "536", "68", "604"),
)


@needs_talent_dev
def test_hpi_briefing_tables() -> None:
    quarters, years = _tables(TALENT_DEV / "uk_hpi_visa_statistical_briefing.txt")
    assert quarters.caption == "Table 1: HPI entry clearance visas granted by quarter, as at 30 September 2025"
    assert quarters.columns == ("Quarter", "Main applicants", "Dependants", "Total")
    assert quarters.rows == HPI_QUARTERS
    assert quarters.as_at == years.as_at == "30 September 2025"
    assert years.caption == "Table 2: HPI entry clearance visas granted by calendar year, as at 30 September 2025"
    assert years.rows == (("2023", "2,213", "331", "2,544"), ("2024", "1,797", "203", "2,000"), ("2025 (Jan-Sep)", "1,477", "211", "1,688"))
    cell = quarters.cell(5, 1)
    assert (cell.row_header, cell.column_header, cell.text, cell.quantity.value, cell.as_at) == ("2024 Q2", "Main applicants", "544", 544, "30 September 2025")


@needs_talent_dev
def test_express_entry_tables() -> None:
    crs, rounds = _tables(TALENT_DEV / "canada_express_entry_and_gts_faq.md")
    assert crs.columns == ("CRS section", "Maximum points, single candidate", "Maximum points, with spouse or partner")
    assert crs.rows == (
        ("A. Core / human capital factors", "500", "460"), ("B. Spouse or common-law partner factors", "0", "40"),
        ("C. Skill transferability factors", "100", "100"), ("D. Additional points", "600", "600"), ("Total", "1,200", "1,200"),
    )
    assert rounds.caption == "A selection of the rounds held during the year:"
    assert rounds.columns == ("Date (2024)", "Round type", "Invitations issued", "Lowest CRS score invited")
    assert rounds.rows == (
        ("10 January", "General", "1,510", "546"), ("1 February", "French language proficiency", "7,000", "365"),
        ("14 February", "Healthcare occupations", "3,500", "422"), ("16 February", "Agriculture and agri-food occupations", "150", "437"),
        ("29 February", "French language proficiency", "2,500", "336"), ("13 March", "Transport occupations", "975", "430"),
        ("10 April", "General", "1,280", "549"), ("11 April", "STEM occupations", "4,500", "491"),
        ("31 May", "Canadian Experience Class", "3,000", "522"), ("23 October", "Trade occupations", "1,800", "433"),
        ("18 November", "Provincial Nominee Program", "174", "816"),
    )
    assert rounds.context.endswith("What did the 2024 rounds look like?")


@needs_talent_dev
def test_singapore_html_tables() -> None:
    passes, compass = _tables(TALENT_DEV / "singapore_work_passes_eligibility_fees.html")
    assert passes.caption == "Main eligibility conditions and government fees (amounts in Singapore dollars)"
    assert passes.unit == "Singapore dollars"
    assert passes.columns[3] == "Minimum fixed monthly salary (rates in force on 1 January 2025)"
    assert [r[0] for r in passes.rows] == ["Employment Pass (EP)", "Overseas Networks & Expertise (ONE) Pass", "Tech.Pass"]
    assert passes.rows[0][3] == "S$5,600; S$6,200 in financial services; rises with the candidate's age"
    assert passes.rows[2][5] == "Not stated on this page"
    salary = passes.cell(0, 3)
    assert (salary.as_at, salary.quantity.text, salary.quantity.kind) == ("1 January 2025", "S$5,600", "money")
    assert compass.caption == "COMPASS criteria and points"
    assert compass.columns == ("Criterion", "What is measured", "Points available")
    assert [r[0] for r in compass.rows] == [
        "C1 Salary", "C2 Qualifications", "C3 Diversity", "C4 Support for local employment",
        "C5 Skills bonus (Shortage Occupation List)", "C6 Strategic Economic Priorities bonus",
    ]
    assert compass.rows[5][2] == "10"


@needs_talent_dev
def test_comparison_brief_table() -> None:
    [brief] = _tables(TALENT_DEV / "talent_schemes_comparison_brief.md")
    assert brief.columns == (
        "Scheme", "Jurisdiction", "Minimum salary (per month)", "Typical processing time", "Initial validity", "Government fee (main applicant)",
    )
    assert [r[0] for r in brief.rows] == [
        "Employment Pass", "ONE Pass", "Tech.Pass", "Global Talent visa", "High Potential Individual visa",
        "Express Entry", "Global Talent Stream", "National Innovation visa", "R visa",
    ]
    assert brief.rows[0][2] == "S$5,600 (S$6,200 in financial services)"
    assert brief.rows[3][5] == "£766 (£561 endorsement + £205 visa)"
    assert brief.cell(0, 2).quantity.value == 5600


@needs_talent_dev
def test_documents_without_tables_have_none() -> None:
    for name in ("australia_national_innovation_visa_news.txt", "china_talent_programmes_abstract.txt", "singapore_parliament_written_answer_techpass.txt"):
        assert _tables(TALENT_DEV / name) == []


# --- the evaluation documents ----------------------------------------------------------

def test_price_list_and_course_fees_markdown() -> None:
    chairs, courses = _tables(EVAL_DOCS / "office_chairs_price_list.md")
    assert chairs.caption == "Office chairs price list, as at 1 March 2026 (prices in euros)"
    assert (chairs.unit, chairs.as_at) == ("euros", "1 March 2026")
    assert chairs.columns == ("Model", "Seat height (cm)", "Weight limit (kg)", "Price", "Warranty")
    assert chairs.rows == (
        ("Alto", "42-52", "110", "€189", "2 years"), ("Brio", "44-55", "120", "€249", "3 years"),
        ("Corsa", "40-50", "100", "€129", "1 year"), ("Delta", "45-58", "150", "€1,099", "5 years"),
        ("Elan", "43-53", "130", "€299", "3 years"),
    )
    assert chairs.notes == ("* Delta is made to order and ships in six weeks.",)
    assert chairs.cell(3, 3).quantity.value == 1099
    assert courses.columns == ("Course", "Sessions", "Fee", "Discount for members")
    assert courses.rows == (("Ergonomics basics", "2", "€45", "10%"), ("Standing desk setup", "1", "€30", "15%"), ("Home office design", "4", "€160", "20%"))


def test_rent_schedule_aligned_text() -> None:
    [rents] = _tables(EVAL_DOCS / "harbour_city_rents.txt")
    assert rents.caption == "Table 3: Monthly rent by flat size and zone, as at 1 April 2026 (in kroner)"
    assert (rents.unit, rents.as_at) == ("kroner", "1 April 2026")
    assert rents.columns == ("Flat size", "Zone A", "Zone B", "Zone C")
    assert rents.rows == (
        ("Studio", "8 450", "7 200", "6 100"), ("One bedroom", "11 900", "9 850", "8 300"),
        ("Two bedrooms", "15 600", "12 700", "10 950"), ("Three bedrooms", "19 250", "15 900", "13 400"),
        ("Four bedrooms", "23 800", "", "16 200"),
    )
    assert rents.notes[1] == "Source: Harbour City Housing Office, tenancy register."


def test_timetable_single_spaced_and_aligned() -> None:
    stops, departures = _tables(EVAL_DOCS / "coastal_line_timetable.txt")
    assert stops.caption == "Table 1: Coastal Line stops (fares in pounds)" and stops.unit == "pounds"
    assert stops.columns == ("Stop", "Kilometres", "Minutes", "Fare")
    assert stops.rows == (
        ("Harbourside", "0", "0", "0.00"), ("Mill Street", "4.5", "7", "1.80"), ("Old Bridge", "9.2", "13", "2.40"),
        ("Queens Park", "15.8", "22", "3.10"), ("Lakeview", "24.1", "31", "3.90"), ("Airport Road", "37.6", "46", "5.20"),
    )
    assert departures.caption == "Table 2: Morning departures from Harbourside"
    assert departures.columns == ("Train", "Departs", "Arrives", "Stops", "Journey time")
    assert departures.rows[2] == ("C105", "07:05", "07:53", "6", "48 minutes") and len(departures.rows) == 5


def test_exam_results_html_rowspan_colspan_thead() -> None:
    [results] = _tables(EVAL_DOCS / "riverside_exam_results.html")
    assert results.caption == "Exam results by subject, 2024 and 2025"
    assert results.columns == ("Group", "Subject", "Candidates in 2025", "Pass rate / 2024", "Pass rate / 2025", "Top grade awarded")
    assert results.rows == (
        ("Sciences", "Mathematics", "1,240", "81%", "84%", "A*"), ("Sciences", "Physics", "620", "78%", "80%", "A*"),
        ("Sciences", "Chemistry", "580", "75%", "79%", "A"), ("Humanities", "History", "910", "88%", "86%", "A*"),
        ("Humanities", "Geography", "455", "83%", "85%", "A"), ("Arts", "Music", "140", "92%", "93%", "A*"),
    )


def test_word_tables_with_merged_header() -> None:
    [salaries] = _tables(EVAL_DOCS / "salary_thresholds.docx")
    assert salaries.caption == "Table 2: Annual salary thresholds by occupation group, as at 1 July 2025"
    assert salaries.as_at == "1 July 2025"
    assert salaries.columns == ("Occupation group", "Annual threshold / 2024", "Annual threshold / 2025", "Hourly minimum / 2025")
    assert salaries.rows[2] == ("Software developers", "£45,900", "£49,400", "£23.50") and len(salaries.rows) == 5
    [cities] = _tables(EVAL_DOCS / "city_populations.docx")
    assert cities.caption == "Table 4: Population of the largest cities, census years 2011 and 2021"
    assert cities.columns == ("City", "Population 2011", "Population 2021", "Change", "Area (km²)")
    assert cities.rows[3] == ("Tarrow", "151 200", "144 700", "-4.3%", "190")
    assert cities.cell(3, 3).quantity.value == -4.3


def test_html_table_named_by_the_paragraph_above_and_spans_filled() -> None:
    from rag.loaders.html import html_blocks

    html = (
        "<p>Table 3: Fares by zone, as at 1 May 2026 (in euros)</p><table>"
        "<tr><th rowspan=2>Ticket</th><th colspan=2>Zone</th></tr><tr><th>A</th><th>B</th></tr>"
        "<tr><td>Single</td><td colspan=2>2.10</td></tr><tr><td>Day</td><td>6.00</td><td>7.50</td></tr></table>"
    )
    [caption, table] = html_blocks(html)[1]
    assert caption.kind == "caption" and table.caption == "Table 3: Fares by zone, as at 1 May 2026 (in euros)"
    assert (table.unit, table.as_at) == ("euros", "1 May 2026")
    assert table.header == ("Ticket", "Zone / A", "Zone / B")
    assert table.rows == (("Single", "2.10", "2.10"), ("Day", "6.00", "7.50"))


def test_word_table_named_by_a_table_paragraph(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Table 1: Opening hours")
    table = document.add_table(rows=2, cols=2)
    for cell, text in zip(table.rows[0].cells + table.rows[1].cells, ["Day", "Hours", "Monday", "9-17"]):
        cell.text = text
    document.save(tmp_path / "hours.docx")
    [hours] = _tables(tmp_path / "hours.docx")
    assert (hours.caption, hours.columns, hours.rows) == ("Table 1: Opening hours", ("Day", "Hours"), (("Monday", "9-17"),))


def test_single_spaced_words_with_a_column_of_numbers() -> None:
    text = "Departures\n\nTrain Platform Destination\nC101 2 Airport\nC103 4 Lakeview\nC105 1 Harbourside\n\nThe end."
    [table] = [b for b in text_blocks(text) if b.kind == "table"]
    assert (table.caption, table.header) == ("Departures", ("Train", "Platform", "Destination"))
    assert table.rows == (("C101", "2", "Airport"), ("C103", "4", "Lakeview"), ("C105", "1", "Harbourside"))


def test_short_lines_of_prose_are_not_a_spaced_table() -> None:
    text = "Day one went well\nDay 2 went better\nWe left on Friday\nSo 3 of us stayed\n"
    assert all(b.kind != "table" for b in text_blocks(text))

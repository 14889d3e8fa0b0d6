"""Writes eval/tables_docs/*.docx, the Word documents of the table evaluation set.

Run from the repository root: python eval/tables_docs/make_docx.py
"""

from __future__ import annotations

from pathlib import Path

import docx

HERE = Path(__file__).parent


def _table(document, rows, merge_first_row: tuple[int, int] | None = None) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for row, values in zip(table.rows, rows):
        for cell, value in zip(row.cells, values):
            cell.text = value
    if merge_first_row is not None:
        a, b = merge_first_row
        merged = table.cell(0, a).merge(table.cell(0, b))
        merged.text = rows[0][a]


def salary_thresholds() -> None:
    document = docx.Document()
    document.add_heading("Skilled worker salary thresholds", level=1)
    document.add_paragraph("Employers must pay at least the threshold for the occupation group or the general floor, whichever is higher.")
    document.add_paragraph("Table 2: Annual salary thresholds by occupation group, as at 1 July 2025")
    _table(
        document,
        [
            ("Occupation group", "Annual threshold", "Annual threshold", "Hourly minimum"),
            ("", "2024", "2025", "2025"),
            ("Engineers", "£38,700", "£41,700", "£19.80"),
            ("Nurses", "£29,000", "£31,300", "£15.90"),
            ("Software developers", "£45,900", "£49,400", "£23.50"),
            ("Teachers", "£30,000", "£32,000", "£16.10"),
            ("Chefs", "£26,200", "£28,100", "£13.40"),
        ],
        merge_first_row=(1, 2),
    )
    document.add_paragraph("New entrants under 26 may be paid 70 per cent of the threshold.")
    document.save(HERE / "salary_thresholds.docx")


def city_populations() -> None:
    document = docx.Document()
    document.add_heading("Census bulletin: the five largest cities of the province", level=1)
    document.add_paragraph("Table 4: Population of the largest cities, census years 2011 and 2021")
    _table(
        document,
        [
            ("City", "Population 2011", "Population 2021", "Change", "Area (km²)"),
            ("Port Avery", "412 300", "455 900", "10.6%", "318"),
            ("Kingsbridge", "298 450", "301 200", "0.9%", "244"),
            ("Elmstead", "176 800", "203 400", "15.0%", "131"),
            ("Tarrow", "151 200", "144 700", "-4.3%", "190"),
            ("Wendham", "98 600", "112 100", "13.7%", "87"),
        ],
    )
    document.add_paragraph("The next census is due in 2031.")
    document.save(HERE / "city_populations.docx")


if __name__ == "__main__":
    salary_thresholds()
    city_populations()

"""Numbers in every form documents write them."""

from __future__ import annotations

import pytest

from rag.text.numbers import find_quantities, first_quantity, in_days, parse_number, stated_bounds, within_bounds


def _one(text: str):
    [quantity] = find_quantities(text)
    return quantity.value, quantity.kind, quantity.unit


@pytest.mark.parametrize(
    "text, value, kind, unit",
    [
        ("9 131", 9131, "number", None),
        ("9\u00a0131", 9131, "number", None),
        ("9,131", 9131, "number", None),
        ("9131", 9131, "number", None),
        ("1,234,567.5", 1234567.5, "number", None),
        ("S$5,600", 5600, "money", "S$"),
        ("A$162,000", 162000, "money", "A$"),
        ("HK$2 million", 2_000_000, "money", "HK$"),
        ("HK$2.5bn", 2_500_000_000, "money", "HK$"),
        ("£38,700", 38700, "money", "£"),
        ("US$500 million", 500_000_000, "money", "US$"),
        ("EUR 40", 40, "money", "EUR"),
        ("18.8%", 18.8, "percent", "%"),
        ("5 per cent", 5, "percent", "%"),
        ("12 percent", 12, "percent", "%"),
        ("-5", -5, "number", None),
        ("−3.5", -3.5, "number", None),
        ("2024", 2024, "year", None),
        ("1999", 1999, "year", None),
        ("2,024", 2024, "number", None),
        ("2100", 2100, "number", None),
        ("3 weeks", 3, "number", "weeks"),
        ("2,000 places", 2000, "number", "places"),
    ],
)
def test_one_quantity(text: str, value: float, kind: str, unit: str | None) -> None:
    assert _one(text) == (value, kind, unit)


@pytest.mark.parametrize("text, low, high", [("10-20", 10, 20), ("10 to 20", 10, 20), ("S$1,000–S$2,000", 1000, 2000), ("5 – 7", 5, 7)])
def test_ranges_keep_both_ends(text: str, low: float, high: float) -> None:
    [quantity] = find_quantities(text)
    assert (quantity.value, quantity.upper, quantity.text) == (low, high, text)


def test_a_thousands_comma_never_cuts_money() -> None:
    assert [q.text for q in find_quantities("at least S$5,600 a month")] == ["S$5,600"]


def test_space_groups_join_only_when_three_digits() -> None:
    assert [q.value for q in find_quantities("1 2345")] == [1, 2345]
    assert [q.value for q in find_quantities("13 620   486   1 274")] == [13620, 486, 1274]


def test_a_year_before_grouped_digits_stays_a_year() -> None:
    found = find_quantities("2019 5 896")
    assert [(q.kind, q.value) for q in found] == [("year", 2019), ("number", 5896)]


@pytest.mark.parametrize("text", ["2024 Q2", "2023 Q1 figures", "Q3", "C1", "Vis_D02", "4/5/2019", "3:05 PM", "mid-40s", "H1 2024 H2"])
def test_periods_codes_dates_and_times_are_not_counts(text: str) -> None:
    assert [q for q in find_quantities(text) if q.kind != "year"] == []


def test_a_period_is_not_a_year_either() -> None:
    assert find_quantities("in 2024 Q2") == []


def test_positions_point_into_the_text() -> None:
    text = "Fees: £766 (£561 endorsement + £205 visa)."
    assert [text[q.start : q.end] for q in find_quantities(text)] == ["£766", "£561", "£205"]


def test_percent_and_number_in_one_sentence() -> None:
    found = find_quantities("roughly 12 per cent of 6,232 grants")
    assert [(q.kind, q.value) for q in found] == [("percent", 12), ("number", 6232)]


def test_first_quantity_skips_years_unless_asked() -> None:
    assert first_quantity("In 2024 it cost S$105").text == "S$105"
    assert first_quantity("In 2024 it cost S$105", kind="year").value == 2024
    assert first_quantity("no numbers") is None


def test_parse_number_takes_a_whole_cell_only() -> None:
    assert parse_number(" 1,797 ") == 1797
    assert parse_number("2025 (Jan-Sep)") is None
    assert parse_number("n/a") is None


def test_durations_compare_in_days() -> None:
    weeks, months = find_quantities("3 weeks or 6 months")
    assert in_days(weeks) == 21 and round(in_days(months)) == 183
    assert in_days(find_quantities("3 apples")[0]) is None


@pytest.mark.parametrize(
    "text, number, held",
    [
        ("CV$ 7,100 for candidates aged 40 or over", "41", True),
        ("Applicants aged 51 and above", "52", True),
        ("If you leave between 12 and 24 months after", "18", True),
        ("reduced for applicants under 30", "27", True),
        ("reduced for applicants under 30", "31", False),
        ("Age 33-39 years", "35", True),
        ("at least 5 years of experience", "4", False),
        ("a fee of 2,180 paid from 2019", "2020", False),  # "from" opens no range of its own
    ],
)
def test_stated_bounds_hold_a_number(text, number, held):
    assert bool(within_bounds(number, stated_bounds(text))) is held

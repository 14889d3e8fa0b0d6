"""Operations over one table, chosen by language cues; Absent when the table lacks
what the question names; tables rebuilt from the index's row chunks."""

from __future__ import annotations

import pytest

from rag.chunking import chunk_document
from rag.loaders import make_document
from rag.loaders.text import text_blocks
from rag.tables import Absent, TableAnswer, answer_from_tables, tables_from_chunks
from rag.tables.cues import light_stem, periods, superlative, terms
from rag.tables.model import make_table
from rag.tables.operations import answer_from_table
from tests.fakes import FakeEmbedder

VISAS = make_table(
    "t1", "briefing.txt", "Table 1: Visas granted by quarter, as at 30 September 2025",
    (("Quarter", "Main applicants", "Dependants", "Total"),),
    (("2023 Q3", "620", "70", "690"), ("2024 Q2", "544", "56", "600"), ("2024 Q3", "497", "43", "540"), ("2024 Q4", "357", "31", "388")),
)
FARES = make_table(
    "t2", "fares.md", "Ferry fares (in pounds)", (("Ticket", "Adult", "Child", "Share of sales"),),
    (("Single", "£4.50", "£2.20", "61%"), ("Return", "£8.00", "£3.90", "30%"), ("Day pass", "£12.00", "", "9%"), ("Total", "", "", "100%")),
)
SCHEMES = make_table(
    "t3", "brief.md", "", (("Scheme", "Processing time", "Fee"),),
    (("Gold Pass", "About 3 weeks", "S$1,200"), ("Silver Pass", "2 months", "S$600"), ("Work visa", "10 days", "Not published")),
)


def _answer(question: str, table=VISAS) -> TableAnswer:
    result = answer_from_table(question, table)
    assert isinstance(result, TableAnswer), result
    return result


@pytest.mark.parametrize(
    "question, short",
    [
        ("How many dependants were granted visas in 2024 Q2?", "56"),
        ("How many visas went to main applicants in the second quarter of 2024?", "544"),
        ("What was the total in Q3 2023?", "690"),
    ],
)
def test_lookup_by_period_and_column(question: str, short: str) -> None:
    assert _answer(question).short == short


def test_lookup_names_the_cell_with_its_headers_caption_and_date() -> None:
    [cell] = _answer("How many dependants were granted visas in 2024 Q2?").cells_used
    assert (cell.row_header, cell.column_header, cell.as_at, cell.quantity.value) == ("2024 Q2", "Dependants", "30 September 2025", 56)


@pytest.mark.parametrize(
    "question, short, operation",
    [
        ("In which quarter were the most main applicants granted visas?", "2023 Q3", "argmax"),
        ("Which quarter had the fewest dependants?", "2024 Q4", "argmin"),
        ("Which quarter had the smallest total?", "2024 Q4", "argmin"),
        ("Which quarter had the greatest number of dependants?", "2023 Q3", "argmax"),
    ],
)
def test_superlatives_pick_the_extreme_row(question: str, short: str, operation: str) -> None:
    answer = _answer(question)
    assert (answer.short, answer.operation) == (short, operation)


ORIGINS = make_table(
    "t4", "origins.md", "Arrivals by place of origin", (("Place", "Arrivals"),),
    (("Peru", "812"), ("Chile", "95"), ("Others", "400"), ("Bolivia", "160"), ("Ecuador", "40"), ("Total", "1507")),
)


@pytest.mark.parametrize(
    "question, short",
    [
        ("Which place had the second-highest number of arrivals?", "Bolivia"),
        ("Which place had the third most arrivals?", "Chile"),
        ("Which place had the second-lowest number of arrivals?", "Chile"),
        ("After Peru, which place had the most arrivals?", "Bolivia"),
        ("Which place other than Peru had the most arrivals?", "Bolivia"),
        ("Which place had the most arrivals?", "Peru"),
    ],
)
def test_rankings_below_the_top_and_rankings_that_set_a_row_aside(question: str, short: str) -> None:
    # "Others" gathers many places, so it is no place a ranking can name.
    assert _answer(question, ORIGINS).short == short


def test_after_a_year_is_a_time_not_a_row_set_aside() -> None:
    from rag.tables.cues import excluded, superlative_rank

    assert excluded("After 2020, which quarter had the most visas?") is None
    assert excluded("After Peru, which place had the most?") == "Peru"
    assert superlative_rank("Which came second, and which had the most?") == 1


def test_any_est_adjective_is_a_maximum_unless_listed_as_a_minimum() -> None:
    assert superlative("Which is the tallest?") == "max"
    assert superlative("Which is the shortest?") == "min"
    assert superlative("What is the latest interest rate?") == "max"
    assert superlative("What interest is paid?") is None


def test_cheapest_means_the_money_column_and_totals_are_left_out() -> None:
    assert _answer("Which ticket is the cheapest?", FARES).short == "Single"
    assert _answer("Which ticket is the most expensive?", FARES).short == "Day pass"


def test_durations_compare_across_units() -> None:
    assert _answer("Which scheme has the shortest processing time?", SCHEMES).short == "Work visa"
    assert _answer("Which scheme is the fastest?", SCHEMES).short == "Work visa"


def test_difference_of_two_rows() -> None:
    answer = _answer("How many more main applicants were granted visas in 2023 Q3 than in 2024 Q3?")
    assert (answer.short, answer.operation, len(answer.cells_used)) == ("123", "difference", 2)


def test_difference_of_two_columns_keeps_the_currency() -> None:
    assert _answer("How much more is an adult single than a child single?", FARES).short == "£2.30"


def test_sum_and_ratio() -> None:
    assert _answer("How many dependants were there in 2024 Q2 and 2024 Q3 combined?").short == "99"
    ratio = _answer("What is the ratio of the adult return fare to the child return fare?", FARES)
    assert (ratio.operation, ratio.short) == ("ratio", "2.05")


def test_a_stated_percentage_is_quoted() -> None:
    answer = _answer("What share of sales were return tickets?", FARES)
    assert answer.short == "30%" and answer.operation == "lookup"


def test_count_of_rows() -> None:
    assert _answer("How many tickets are listed?", FARES).short == "3"


@pytest.mark.parametrize(
    "question",
    [
        "How many visas were refused in 2024 Q3?",  # no such column
        "How many main applicants were granted visas in the fourth quarter of 2022?",  # no such period
        "How many main applicants were there in 2021?",  # a year the quarters do not cover
    ],
)
def test_absent_when_the_table_lacks_what_is_named(question: str) -> None:
    assert isinstance(answer_from_table(question, VISAS), Absent)


def test_absent_for_an_unlisted_name_an_empty_cell_and_an_unstated_value() -> None:
    assert isinstance(answer_from_table("What is the fee for the Bronze Pass?", SCHEMES), Absent)
    assert isinstance(answer_from_table("What is the child fare for a day pass?", FARES), Absent)
    assert isinstance(answer_from_table("What is the fee for a work visa?", SCHEMES), Absent)
    assert isinstance(answer_from_table("What is the median fee for the Gold Pass?", SCHEMES), Absent)


def test_a_statistic_the_caption_names_is_the_tables() -> None:
    pay = make_table("t", "survey.txt", "Table 1. Median annual salary by role and year",
                     (("Role", "2019", "2021"),), (("Data engineer", "380", "430"), ("Algorithm engineer", "560", "640")))
    found = answer_from_table("What was the median annual salary of algorithm engineers in 2021?", pay)
    assert isinstance(found, TableAnswer) and found.short == "640"
    assert isinstance(answer_from_table("What was the mean annual salary of algorithm engineers in 2021?", pay), Absent)


def test_a_number_inside_a_rows_band_names_the_row() -> None:
    points = make_table("t", "guide.md", "Points table", (("Factor", "Band", "Points"),),
                        (("Age", "18-24 years", "15"), ("Age", "25-32 years", "30"), ("Age", "33-39 years", "25"),
                         ("Age", "40-44 years", "15"), ("Education", "Doctoral degree", "20")))
    found = answer_from_table("I'll be 35 when I apply. How many points do I get for my age?", points)
    assert isinstance(found, TableAnswer) and found.short == "25"
    assert answer_from_table("How many points do I get for my age?", points) is None  # no band named
    by_age = make_table("t", "guide.md", "Points for age", (("Age", "Points"),), (("18-24", "15"), ("25-32", "30"), ("33-39", "25")))
    found = answer_from_table("I am 35. How many points do I get for my age?", by_age)
    assert isinstance(found, TableAnswer) and found.short == "25"  # the band is the row's header


def test_clause_of_a_cell_that_answers() -> None:
    table = make_table("t", "s.html", "", (("Pass", "Minimum salary"),), (("Work Pass", "S$5,600; S$6,200 in financial services"),))
    assert _answer("What minimum salary does a Work Pass need outside financial services?", table).short == "S$5,600"
    assert _answer("What minimum salary does a Work Pass need in financial services?", table).short == "S$6,200 in financial services"


def test_as_at_question_reads_the_caption() -> None:
    answer = _answer("As at what date are the figures in Table 1 given?")
    assert (answer.short, answer.operation) == ("30 September 2025", "as_at")


def test_answer_from_tables_picks_the_table_that_answers() -> None:
    assert answer_from_tables("How many dependants were granted visas in 2024 Q2?", [FARES, SCHEMES, VISAS]).short == "56"
    assert answer_from_tables("Which ticket is the cheapest?", [VISAS, FARES]).short == "Single"
    assert isinstance(answer_from_tables("How many visas were refused in 2024 Q3?", [FARES, VISAS]), Absent)
    assert answer_from_tables("Who wrote the report?", [VISAS, FARES]) is None


def test_periods_and_stems() -> None:
    assert periods("the second quarter of 2024, Q3 2023 and 2025Q1") == {"2024q2", "2023q3", "2025q1"}
    assert light_stem("granted") == light_stem("grants") and light_stem("applicants") != light_stem("applications")
    assert "b" in terms("in Zone B") and "a" not in terms("a flat in Zone C")


def test_tables_rebuilt_from_index_chunks() -> None:
    text = "Table 1: Visas by quarter, as at 30 September 2025 (in thousands)\n\nQuarter     Main    Dependants\n2024 Q1     399     73\n2024 Q2     544     56\n2024 Q3     497     43\n"
    document = make_document("visas.txt", text_blocks(text), "hash", "Visas")
    chunks = chunk_document(document, FakeEmbedder().count_tokens)
    [table] = tables_from_chunks(chunks)
    assert table.caption == "Table 1: Visas by quarter, as at 30 September 2025 (in thousands)"
    assert (table.unit, table.as_at) == ("thousands", "30 September 2025")
    assert table.columns == ("Quarter", "Main", "Dependants")
    assert table.rows == (("2024 Q1", "399", "73"), ("2024 Q2", "544", "56"), ("2024 Q3", "497", "43"))
    assert answer_from_tables("How many dependants in 2024 Q3?", [table]).short == "43"


def test_times_of_day_compare_and_a_subject_is_named_not_its_group() -> None:
    trains = make_table("t", "t.txt", "", (("Train", "Departs", "Fare"),), (("C1", "06:05", "5.20"), ("C2", "05:50", "1.80"), ("C3", "07:10", "2.00")))
    assert _answer("Which train departs earliest?", trains).short == "C2"
    assert _answer("How much more is the fare on C1 than on C2?", trains).short == "3.4"
    results = make_table("r", "r.html", "", (("Group", "Subject", "Pass rate"),), (("Sciences", "Physics", "78%"), ("Sciences", "Chemistry", "75%"), ("Arts", "Music", "92%")))
    assert _answer("Which subject had the highest pass rate?", results).short == "Music"


def test_a_peoples_word_finds_its_places_row() -> None:
    arrivals = make_table(
        "t9", "arrivals.txt", "Permits granted by country of origin",
        (("Country", "Permits"),), (("Canada", "160"), ("Japan", "41"), ("Germany", "77"), ("Total", "278")),
    )
    assert _answer("How many Canadians were granted permits?", arrivals).short == "160"
    assert _answer("How many permits went to Japanese applicants?", arrivals).short == "41"
    assert _answer("How many Germans were granted permits?", arrivals).short == "77"
    assert not isinstance(answer_from_table("How many Brazilians were granted permits?", arrivals), TableAnswer)


def test_a_name_is_found_in_a_row_label_with_brackets_between_its_words() -> None:
    passes = make_table(
        "t5", "passes.md", "", (("Pass", "Validity at first issue"),),
        (("Gold Pass", "2 years"), ("Overseas Skills (OS) Pass", "5 years"), ("Silver Pass", "1 year")),
    )
    assert _answer("How long is an OS Pass valid when first issued?", passes).short == "5 years"
    assert isinstance(answer_from_table("How long is a Bronze Pass valid when first issued?", passes), Absent)


YEARS = make_table(
    "t6", "grants.txt", "Grants by year", (("Year", "Applications", "Grants"),),
    (("2019 (July to December)", "400", "90"), ("2020", "1 250", "310"), ("2021", "2 100", "980"),
     ("2022", "3 050", "1 400"), ("Total", "6 800", "2 780")),
)


@pytest.mark.parametrize(
    "question, short",
    [
        ("How many grants had been made by the end of 2021?", "1 380"),
        ("How many applications were received up to and including 2020?", "1 650"),
        ("How many grants were made in 2021?", "980"),
    ],
)
def test_a_running_total_up_to_a_year_adds_the_year_rows_in_the_tables_digit_grouping(question: str, short: str) -> None:
    assert _answer(question, YEARS).short == short


def test_a_running_total_past_the_last_year_row_is_not_given() -> None:
    assert not isinstance(answer_from_table("How many grants had been made by the end of 2024?", YEARS), TableAnswer)


def test_a_running_total_of_something_the_table_is_not_about_is_not_given() -> None:
    assert not isinstance(answer_from_table("How many gold medals had Peru won by the end of 2021?", YEARS), TableAnswer)


def test_a_running_total_over_every_year_row_quotes_the_total_row() -> None:
    answer = _answer("How many grants had been made by the end of 2022?", YEARS)
    assert answer.short == "2 780"
    assert [c.row_header for c in answer.cells_used] == ["Total"]


def test_full_years_leave_out_a_row_for_part_of_a_year() -> None:
    assert _answer("Which full calendar year had the fewest grants?", YEARS).short == "2020"
    assert _answer("Which year had the fewest grants?", YEARS).short == "2019 (July to December)"


def test_a_lookup_is_named_when_the_question_names_row_and_column_and_nothing_else() -> None:
    assert _answer("How many grants in 2021?", YEARS).named
    # A word that picks an operation or filter ("over", "under") names nothing the table lacks.
    assert _answer("How many grants were there over 2021?", YEARS).named
    # "How long" asks for a length; "long" names nothing the table lacks.
    assert _answer("How long is the processing time for a Silver Pass?", SCHEMES).named
    assert not _answer("How many grants were made in 2021 to the museums?", YEARS).named


def test_a_ranking_below_the_top_says_which_place_it_took() -> None:
    assert "second highest 'Arrivals' is 160" in _answer("Which place had the second-highest number of arrivals?", ORIGINS).explanation
    assert "third lowest" in _answer("Which place had the third-lowest number of arrivals?", ORIGINS).explanation


SPECS = make_table(
    "t7", "manual.md", "Specifications", (("Item", "Value"),),
    (("Motor power", "350 W"), ("Net weight", "17.5 kg"), ("Chuck capacity", "1.5 to 13 mm")),
)
FAULTS = make_table(
    "t8", "manual.md", "Troubleshooting", (("Problem", "Likely cause", "Remedy"),),
    (("Bit wobbles", "Chuck not seated on taper", "Refit the chuck"), ("Belt squeals", "Belt too loose", "Tighten the belt")),
)


def test_a_capital_i_is_the_speaker_unless_it_numbers_a_name() -> None:
    assert "i" not in terms("What should I do if the belt squeals?")
    assert "i" in terms("Which stations are in Zone I?")


def test_a_codes_number_is_part_of_the_code_not_a_quantity() -> None:
    assert terms("How much does the BD-350 cost?") == {"bd-350", light_stem("cost")}
    assert not isinstance(answer_from_table("How much does the BD-350 cost?", SPECS), TableAnswer)


def test_how_and_a_dimension_adjective_asks_for_the_dimension() -> None:
    assert _answer("How heavy is it?", SPECS).short == "17.5 kg"


def test_a_missing_column_is_claimed_only_for_a_row_the_question_names_whole() -> None:
    assert not isinstance(answer_from_table("What size of bits does the chuck take?", FAULTS), Absent)
    assert isinstance(answer_from_table("What is the repair cost when the belt squeals?", FAULTS), Absent)


def test_a_financial_year_is_one_period() -> None:
    assert "2023y24" in terms("approved in 2023/24?") and "24" not in terms("approved in 2023/24?")
    assert periods("2022-2023 figures") == {"2022y23"}
    assert periods("from 2015-22") == set()  # years that do not follow each other are a span, not a period
    by_year = make_table("t", "report.md", "Approvals by sector", (("Sector", "2022/23", "2023/24"),),
                         (("Finance", "812", "944"), ("Health", "301", "350")))
    assert _answer("How many approvals went to health in 2023/24?", by_year).short == "350"
    assert isinstance(answer_from_table("How many approvals went to health in 2021/22?", by_year), Absent)
    by_age = make_table("t", "report.md", "Approvals by age band, 2023/24", (("Age band", "Approved"),),
                        (("18-29 years", "1,137"), ("30-39 years", "3,222")))
    # The 24 of "2023/24" is no age inside the first band.
    assert answer_from_table("How many applications were approved in 2023/24?", by_age) is None


def test_a_period_the_columns_lack_is_absent() -> None:
    quarterly = make_table("t", "stats.html", "Applications by quarter", (("Scheme", "Q1 2024", "Q2 2024", "Q3 2024"),),
                           (("Gold Pass", "1,430", "1,520", "1,610"), ("Silver Pass", "880", "910", "940")))
    assert _answer("How many Gold Pass applications were there in Q2 2024?", quarterly).short == "1,520"
    absent = answer_from_table("How many Gold Pass applications were there in Q4 2023?", quarterly)
    assert isinstance(absent, Absent) and "2023Q4" in absent.reason

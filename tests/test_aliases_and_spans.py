"""Other names for the same thing, and the typed span a question asks for."""

from __future__ import annotations

import pytest

from rag.aliases import Aliases, defined_acronyms
from rag.question import analyse
from rag.spans import _date, _expansion
from rag.text.tokens import content_terms

SEED_SENTENCE = "the Hong Kong Talent Engage Office (HKTE) will hold promotional events"


def test_defined_acronyms_allow_an_unabbreviated_trailing_word():
    found = defined_acronyms(SEED_SENTENCE + ". The Quality Migrant Admission Scheme (QMAS) began in 2006.")
    assert found == {"HKTE": "Hong Kong Talent Engage Office", "QMAS": "Quality Migrant Admission Scheme"}


def test_a_lowercase_parenthesis_is_no_acronym():
    assert defined_acronyms("the scheme (see below) was popular") == {}


def test_acronym_and_long_form_stand_for_each_other():
    aliases = Aliases(defined_acronyms(SEED_SENTENCE))
    assert {"hong", "kong", "talent", "engag", "offic"} <= aliases.close(content_terms("HKTE director Anthony Lau"))
    assert "hkte" in aliases.close(content_terms("the Hong Kong Talent Engage Office"))
    assert "hkte" not in aliases.close(content_terms("the Hong Kong office"))


def test_common_aliases_are_known_through_their_long_form():
    aliases = Aliases()
    vocabulary = set(content_terms("the Legislative Council met"))
    assert aliases.known_through("legco", vocabulary)
    assert not aliases.known_through("legco", set(content_terms("the council met")))


def test_what_an_acronym_stands_for_with_a_trailing_generic_word():
    assert _expansion(SEED_SENTENCE, "What does HKTE stand for?") == "Hong Kong Talent Engage Office"


def test_month_question_gets_the_month_not_the_year():
    sentence = "the annual quota was increased in 2020, and in October 2021 it was doubled to 4 000"
    assert _date(sentence, "In which month did the quota double to 4 000?") == "October 2021"
    assert _date(sentence, "In which year was the quota increased?") == "2020"


def test_maximum_age_is_not_a_superlative_over_a_table_of_counts():
    from rag.tables_qa import superlative_row
    from rag.types import Chunk

    def row(label: str, value: str) -> Chunk:
        return Chunk(id=label, source="s.txt", title="QMAS", text=f"QMAS: Applications by Year, {label}: Applications Received {value}",
                     kind="table", columns=("Year", "Applications Received"), cells=(label, value), table_id="t")

    rows = [row("2019", "5 896"), row("2020", "3 966")]
    assert superlative_row(analyse("Which year had the most QMAS applications received?"), rows).cells[0] == "2019"
    assert superlative_row(analyse("What is the maximum age for QMAS applicants?"), rows) is None


def test_a_count_must_count_what_was_asked():
    from rag.spans import _counted_number, counted_noun

    question = "How many mainland professionals were admitted under the ASMTP?"
    assert counted_noun(question) == "professionals"
    assert _counted_number("56 semi-structured interviews with migrated professionals", question) is None
    assert _counted_number("a total of 9 131 professionals were admitted", question) == "9 131"
    assert _counted_number("it drew on 56 interviews", "How many were there?") == "56"


def test_who_holds_a_title_is_the_name_beside_it():
    from rag.spans import _holds_role

    question = "Who is the Director of Immigration?"
    assert not _holds_role("Having consulted the Immigration Department (ImmD), Dr the Hon Johnny Ng asked", "Johnny Ng", question)
    assert _holds_role("HKTE director Anthony Lau Chun-hon replied", "Anthony Lau Chun-hon", "Who is the director of the HKTE?")
    assert _holds_role("Ho Kai-ming said", "Ho Kai-ming", "Who said the office would open?")  # no title asked


def test_multi_word_names_and_which_kinds():
    question = analyse("When was the Top Talent Pass Scheme launched?")
    assert question.phrases == ("Top Talent Pass",)
    assert analyse("Which political party does Lam Chun-Sing belong to?").which == "parti"
    assert analyse("Which areas of expertise did the review cover?").which == "area"
    assert analyse("Which type of upgrading is the state strong at?").which is None


@pytest.mark.parametrize(
    ("text", "several"),
    [
        ("Which regions will HKTE target in 2025?", True),
        ("Which two Hong Kong technology bodies does InvestHK work with?", True),
        ("Under which topics is the paper listed?", True),
        ("What was the annual QMAS quota raised to in 2021?", False),  # an acronym ending in s
        ("What slowed down quota holders moving to Hong Kong?", False),
        ("Which bureau, the one Ho Kai-ming serves, added new professions?", False),
        ("What was the yearly cap on quality migrant places?", False),
    ],
)
def test_list_questions(text, several):
    assert (analyse(text).kind == "list") == several


def test_superlative_after_a_named_row_takes_the_next():
    from rag.tables_qa import superlative_row
    from rag.types import Chunk

    def row(label: str, value: str) -> Chunk:
        return Chunk(id=label, source="s.txt", title="QMAS", text=f"QMAS: Quotas by Country, {label}: Quotas Allotted {value}",
                     kind="table", columns=("Country", "Quotas Allotted"), cells=(label, value), table_id="t")

    rows = [row("The mainland of China", "8 039"), row("The United States of America", "183"), row("Canada", "160")]
    question = analyse("After the mainland, which country had the most QMAS quotas allotted?")
    assert superlative_row(question, rows).cells[0] == "The United States of America"


def test_the_percentage_next_to_the_words_asked_about():
    from rag.spans import _PERCENT, _nearest

    sentence = "40 percent of the applicants graduated from overseas universities, and 25 percent hold foreign passports"
    assert _nearest(_PERCENT, sentence, "What percentage of TTP applicants hold foreign passports?") == "25 percent"
    assert _nearest(_PERCENT, sentence, "What share graduated from overseas universities?") == "40 percent"


def test_the_person_asked_about_is_not_the_answer():
    from rag.spans import _is_the_one_asked_about

    question = analyse("Who supervised Xian Qu's dissertation?")
    assert _is_the_one_asked_about("Qu, Xian, Sociology - Graduate School", question)
    assert not _is_the_one_asked_about("Bair, Jennifer, AS-Sociology (SOCI)", question)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("What does the Advisory Committee consider when assessing candidates?", "other"),  # a 'when' clause
        ("When was the QMAS launched?", "date"),
        ("Who is Tan Yueheng?", "other"),  # asks what the person is
        ("Who is the Director of Immigration?", "person"),
    ],
)
def test_answer_kind_from_the_question_head(text, kind):
    assert analyse(text).kind == kind


def test_the_document_title_is_not_an_answer_unless_asked_for():
    from rag.evidence import EvidenceUnit, _is_title
    from rag.types import Chunk

    chunk = Chunk(id="c", source="d.txt", title="Rising Tides? The Role of Return Migration", text="Rising Tides?\nThe state plays five roles.")
    assert _is_title(EvidenceUnit("Rising Tides?", chunk, 1))
    assert not _is_title(EvidenceUnit("The state plays five roles.", chunk, 1))
    assert analyse("What is the title of Xian Qu's dissertation?").asks_for_title
    assert not analyse("What research methods does the dissertation use?").asks_for_title


def test_enumerations_are_counted():
    from rag.evidence import _enumerated

    assert _enumerated("segments of a value chain, specifically, design and development, production, and commercialization") >= 3
    assert _enumerated("The office platform filters out entry-level and duplicate positions") == 0


def test_a_surname_alone_is_the_full_name_the_document_gives():
    from rag.spans import _person, without_titles

    known = ["Legislator Lam Chun-Sing", "Welfare Ho Kai-ming"]
    assert without_titles(known[0]) == "Lam Chun-Sing"
    assert _person("Lam suggested that the office should focus on specific industries", "Who said that?", set(), known) == "Lam Chun-Sing"
    assert _person("The office should focus on specific industries", "Who said that?", set(), known) is None


def test_row_spans_follow_the_kind_asked():
    from rag.spans import _row_span
    from rag.types import Chunk

    row = Chunk(id="r", source="s.txt", title="QMAS", text="QMAS: by Year, 2019: Applications Received 5 896; Quotas Allotted 874",
                kind="table", columns=("Year", "Applications Received", "Quotas Allotted"), cells=("2019", "5 896", "874"), table_id="t")
    assert _row_span(analyse("In which year were 874 quotas allotted?"), row) == "2019"
    assert _row_span(analyse("When will the QMAS quota be raised again?"), row) is None
    assert _row_span(analyse("What percentage of QMAS applicants were successful?"), row) is None
    assert _row_span(analyse("How many quotas were allotted in 2019?"), row) == "874"


def test_acronyms_spelled_out_for_retrieval():
    aliases = Aliases(defined_acronyms(SEED_SENTENCE))
    assert aliases.spelled_out("What is HKTE?") == "What is HKTE? (Hong Kong Talent Engage Office)"
    assert aliases.spelled_out("What is the office?") == "What is the office?"


def test_a_list_question_takes_the_sentence_that_runs_on():
    from rag.evidence import EvidenceUnit, _next_sentence
    from rag.types import Chunk

    chunk = Chunk(id="c", source="d.txt", title="T", text="The state has done many things. This positions the state as a director and investor. Then more.")
    first, second, third = (EvidenceUnit(t, chunk, 1, score=s) for t, s in (
        ("The state has done many things.", 0.7), ("This positions the state as a director and investor.", 0.65), ("Then more.", 0.1)))
    assert _next_sentence(first, [first, second, third]) is second
    assert _next_sentence(second, [first, second]) is None


def test_label_lines_answer_their_kind():
    from rag.evidence import _label_matches

    assert _label_matches(analyse("On what date was the paper presented?"), "Day: 4/5/2019") == 1.5
    assert _label_matches(analyse("On what date was the paper presented?"), "Room: Hampton Room") == 0.0


def test_trimming_keeps_a_contiguous_run_of_clauses_around_the_answer():
    from rag.compose import trim

    sentence = ("Under Secretary Ho Kai-ming said on Tuesday that in 2025, the office will hold promotional events "
                "to attract talent from Asia-Pacific, the Middle East, Europe, and North America")
    short = trim(sentence, "Ho Kai-ming", 12)
    assert short.startswith("Under Secretary Ho Kai-ming") and "Middle East" not in short
    assert trim("a short sentence", None, 12) == "a short sentence"

"""Search over the bundled corpus with the real embedder: for questions about facts
in all four documents, prose and table rows, the passage holding the fact is in
the top 3 of the default (hybrid) retriever."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.config import Settings
from rag.searching import Searcher

pytestmark = pytest.mark.slow

ICT = "000_963f9f0aa51e0a84.txt"  # conference abstract: ICT skilled migration to Hong Kong
NEWS = "001_6a00f29d53398864.txt"  # news: the Talent Engage Office's plans
THESIS = "002_006411fa3ccd8b17.txt"  # dissertation: return migration and China's IT industry
QMAS = "003_610bc2bd4f45bcec.txt"  # LegCo reply on the Quality Migrant Admission Scheme, with tables

# (question, the file holding the answer, words the passage holding it must contain)
QUESTIONS = [
    ("Which City University of Hong Kong researcher wrote about ICT skilled migration from the mainland?", ICT, ("He Wang",)),
    ("Since what year has Hong Kong admitted mainland ICT professionals under a special scheme?", ICT, ("from 1998", "ASMTP")),
    ("How many interviews did the study of Hong Kong's ICT labour regime draw on?", ICT, ("56 semi-structured interviews",)),
    ("What keeps Hong Kong's ICT sector from retaining and growing its talent?", ICT, ("uncompetitive salary", "cultural bias")),
    ("In which room was the paper on ICT skilled migration presented?", ICT, ("Hampton Room",)),
    ("Where will the Hong Kong Talent Engage Office hold promotional events in 2025?", NEWS, ("Middle East", "North America")),
    ("What share of Top Talent Pass applicants hold foreign passports?", NEWS, ("25 percent hold foreign passports",)),
    ("Which country was suggested as a recruitment focus because many of its people work in innovation and technology?", NEWS, ("Malaysia",)),
    ("How will the talent office's new website handle general inquiries?", NEWS, ("chatbot",)),
    ("Which mainland social media platform has the talent office joined?", NEWS, ("Xiaohongshu",)),
    ("Who is the director of HKTE?", NEWS, ("HKTE director Anthony Lau",)),
    ("Who advised the dissertation on return migration and China's IT industrial upgrading?", THESIS, ("Bair, Jennifer",)),
    ("Which information technology sub-sectors have China's policies come to focus on?", THESIS, ("semiconductors", "5G", "artificial intelligence")),
    ("What is the biggest obstacle for returnees working in the production segment?", THESIS, ("technology immaturity",)),
    ("Which kind of upgrading is China's developmental state good at facilitating?", THESIS, ("process upgrading",)),
    ("When was the Rising Tides dissertation issued?", THESIS, ("2024/12/02",)),
    ("What do return migrants gain by going back to China?", THESIS, ("high salaries", "career advancement")),
    ("When was the Quality Migrant Admission Scheme launched?", QMAS, ("June 2006",)),
    ("How many QMAS applications were received in 2019?", QMAS, ("2019:", "5 896")),
    ("How many quotas were allotted under QMAS in 2008?", QMAS, ("2008:", "564")),
    ("How many QMAS applications were received between June and December 2006?", QMAS, ("2006 (June to December)", "587")),
    ("How many QMAS quotas went to the information technology and telecommunications sector?", QMAS, ("Information Technology and Telecommunications", "2 188")),
    ("How many QMAS quotas were allotted to applicants from Canada?", QMAS, ("Canada", "160")),
    ("Who answered the Legislative Council question on the Quality Migrant Admission Scheme?", QMAS, ("Tang Ping-keung",)),
    ("Which professions were added to the Talent List after its 2021 review?", QMAS, ("asset management", "Governance")),
    ("Why did fewer admitted talents settle in Hong Kong during the past two years?", QMAS, ("COVID-19",)),
    ("Which technology organisations does InvestHK work with to show global talents the opportunities in Hong Kong?", QMAS, ("Cyberport",)),
    ("Which committee assesses short-listed QMAS applications?", QMAS, ("Advisory Committee on Admission of Quality Migrants",)),
]


@pytest.fixture(scope="module")
def searcher(seeds_index: Path, real_embedder) -> Searcher:
    return Searcher.from_settings(Settings.load({"index": str(seeds_index)}), real_embedder)


def _holds(passage, document: str, needles: tuple[str, ...]) -> bool:
    text = passage.chunk.text.replace("\u00a0", " ")
    return Path(passage.chunk.source).name == document and all(n in text for n in needles)


@pytest.mark.parametrize("question, document, needles", QUESTIONS)
def test_the_passage_holding_the_fact_is_in_the_top_3(searcher: Searcher, question: str, document: str, needles: tuple[str, ...]) -> None:
    passages = searcher.search(question, 3)
    found = [p.rank for p in passages if _holds(p, document, needles)]
    shown = [(p.rank, Path(p.chunk.source).name, p.chunk.locator, p.chunk.text[:60]) for p in passages]
    assert found, f"no passage of {document} with {needles} in the top 3: {shown}"


def test_questions_cover_every_document_with_prose_and_table_rows() -> None:
    assert len(QUESTIONS) >= 20
    assert {document for _, document, _ in QUESTIONS} == {ICT, NEWS, THESIS, QMAS}


def test_the_launch_question_ranks_the_qmas_reply_first(searcher: Searcher) -> None:
    passages = searcher.search("When was the Quality Migrant Admission Scheme launched?", 3)
    assert Path(passages[0].chunk.source).name == QMAS
    assert any(_holds(p, QMAS, ("launched the Quality Migrant Admission Scheme (QMAS) in June 2006",)) for p in passages)


def test_a_year_question_finds_that_years_row(searcher: Searcher) -> None:
    passages = searcher.search("How many QMAS applications were received in 2019?", 3)
    rows = [p for p in passages if p.chunk.kind == "table"]
    assert rows and ", 2019:" in rows[0].chunk.text
    assert rows[0].chunk.text.replace("\u00a0", " ").endswith("2019: Applications Received 5 896; Quotas Allotted 874")
    assert rows[0].chunk.locator == "line 34"


def test_results_are_ranked_and_carry_their_locators(searcher: Searcher) -> None:
    passages = searcher.search("Top Talent Pass applicants", 5)
    assert [p.rank for p in passages] == [1, 2, 3, 4, 5]
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    assert all(p.chunk.locator.startswith("line") and p.chunk.title for p in passages)

from __future__ import annotations

import pytest

from rag import citations
from rag.answering.question import analyse


@pytest.mark.parametrize(
    "text, kind",
    [
        ("How many QMAS applications were received in 2019?", "number"),
        ("What share of applicants hold foreign passports?", "percent"),
        ("When was the scheme launched?", "date"),
        ("On what date was the paper presented?", "date"),
        ("Who is the Under Secretary for Labour and Welfare?", "person"),
        ("How much is the QMAS application fee?", "money"),
        # A size may be a sum of money or a measure; a count asks how many.
        ("How large is the deposit?", "amount"),
        ("What is the total amount raised?", "amount"),
        ("Which roles does the dissertation say the state plays?", "other"),
        ("Which industry got the fewest quotas?", "other"),
        ("Which sectors count as priority sectors?", "other"),  # "count" the verb asks for no number
        ("Where was the treaty signed?", "place"),
        ("How long did the siege last?", "duration"),
        ("In which city did the company open its first office?", "place"),
        # An acronym alone (where it is used, at most) asks what it stands for.
        ("What are ETOs in the 2022 reply?", "acronym"),
        ("What is the WHO?", "acronym"),
        ("What is NATO doing in Libya?", "other"),
        # A question opening with an auxiliary asks yes or no, whatever else it holds.
        ("Should gloves be worn when drilling?", "other"),
        ("Is there a fee for the pass?", "other"),
        # A contraction asks as its long form does.
        ("I'm 41 - what's the minimum monthly salary for the pass?", "money"),
        ("What is the closing date for applications?", "date"),
        ("What's the current deadline for sending the documents?", "date"),
        # A reference or phone number names a thing; only "the number of" counts.
        ("What is the reference number of the certificate?", "other"),
        ("What's the phone number of the helpline?", "other"),
        ("What is the number of cases?", "number"),
        ("What other number must all primes greater than 5 end with?", "number"),
        ("What type of number do mathematicians consider 1 to be?", "other"),
        ("What response rate did the survey achieve?", "percent"),
        ("At what rate is the county developing its centres?", "other"),
        ("What salary premium did returnees earn?", "other"),  # a relative size, not a sum
        ("What monthly pay do you need to qualify for the pass?", "money"),
        ("What was the median monthly income of pass holders?", "money"),
        ("Which bills does the tenant pay?", "other"),  # "pay" the verb
        ("What's the last day I can apply for the allowances?", "date"),
        ("What present day county is the town in?", "other"),
    ],
)
def test_answer_kind(text, kind):
    assert analyse(text).kind == kind


def test_years_and_names():
    q = analyse("Which industry was allotted the fewest QMAS quotas in 2019?")
    assert q.numbers == ("2019",)
    assert "qmas" in q.names


def test_names_are_tokenised_as_the_documents_are():
    # Pronouns and articles that open a name are not names; "Tech.Pass" is two words in the text too.
    q = analyse("Did He Wang write about the Tech.Pass and The Economist?")
    assert set(q.names) == {"wang", "tech", "pass", "economist"}


def test_statements_before_the_question_set_the_scene_but_are_not_asked():
    q = analyse("Ruiz studied rivers in Peru. How many dams did Brazil build in 2010?")
    assert q.text == "How many dams did Brazil build in 2010?"
    assert "peru" not in q.names and "brazil" in q.names and q.kind == "number"


def test_a_question_that_refers_back_or_a_lead_that_asks_keeps_the_whole_text():
    for text in ("Some beetles have a gland near the mouth. What does it do?",
                 "In what year did Rev. Ruiz become the pastor?"):
        assert analyse(text).text == text


def test_a_question_mark_inside_a_quoted_title_keeps_the_whole_question():
    text = 'Who wrote "Why Now? A History of Clocks"?'
    assert analyse(text).text == text and analyse(text).kind == "person"


QUESTION = analyse("How many QMAS applications were received in 2019?")
EVIDENCE = ["QMAS: Applications Received and Quotas Allotted by Year, 2019: Applications Received 5\u00a0896; Quotas Allotted 874"]


def test_supported_sentence_passes_with_other_digit_grouping():
    assert citations.supports("QMAS received 5,896 applications in 2019.", EVIDENCE[0], QUESTION)


def test_invented_number_fails():
    assert not citations.supports("QMAS received 6 120 applications in 2019.", EVIDENCE[0], QUESTION)


def test_invented_content_word_and_name_fail():
    assert not citations.supports("Applications were mostly rejected in 2019.", EVIDENCE[0], QUESTION)
    assert not citations.supports("Applications Received by Singapore was 5 896.", EVIDENCE[0], QUESTION)


def test_verify_reattributes_and_drops():
    evidence = ["The QMAS was launched in June 2006.", "The quota rose to 4 000 in 2021."]
    draft = "The QMAS was launched in June 2006 [2]. It was founded by aliens in 1999 [1]."
    verified = citations.verify(draft, evidence, analyse("When was QMAS launched?"))
    assert [v.cites for v in verified] == [(1,)]
    assert citations.render(verified) == "The QMAS was launched in June 2006 [1]."


def test_contractions_are_not_terms():
    q = analyse("I'm 41 and what's more, I don't know: what's the fee?")
    assert q.terms == ("41", "know", "fee")
    assert q.negated  # "don't" still negates

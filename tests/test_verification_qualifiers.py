"""A sentence that adds a negation, comparative or quantifier to its evidence says
something else, though it holds every term and number: verification drops it."""

from __future__ import annotations

import pytest

from rag import citations
from rag.answering.question import analyse
from rag.text.tokens import COMPARATIVES, NEGATIONS, QUANTIFIERS, qualifiers

QUESTION = analyse("How many QMAS applications were received in 2019?")
EVIDENCE = "In 2019 the QMAS received 5 896 applications and allotted 874 quotas."


def test_the_plain_claim_passes():
    assert citations.supports("The QMAS received 5 896 applications in 2019.", EVIDENCE, QUESTION)


@pytest.mark.parametrize(
    "sentence",
    [
        "The QMAS did not receive 5 896 applications in 2019.",
        "The QMAS didn't receive 5 896 applications in 2019.",
        "The QMAS didn’t receive 5 896 applications in 2019.",
        "The QMAS never received 5 896 applications in 2019.",
        "The QMAS received no 5 896 applications in 2019.",
        "The QMAS received 5 896 applications without quotas in 2019.",
        "The QMAS received more than 5 896 applications in 2019.",
        "The QMAS received fewer than 5 896 applications in 2019.",
        "The QMAS received 5 896 applications after 2019.",
        "The QMAS received over 5 896 applications in 2019.",
        "The QMAS received only 5 896 applications in 2019.",
        "All 5 896 applications in 2019 were received by the QMAS.",
    ],
)
def test_an_added_qualifier_is_dropped(sentence):
    assert not citations.supports(sentence, EVIDENCE, QUESTION)


def test_a_qualifier_the_evidence_holds_passes():
    evidence = "The QMAS didn't set a quota in 2019; more than 5 896 applications were received."
    assert citations.supports("The QMAS did not set a quota in 2019.", evidence, QUESTION)  # n't reads as not
    assert citations.supports("More than 5 896 applications were received in 2019.", evidence, QUESTION)


def test_a_qualifier_from_the_question_passes():
    question = analyse("Did the QMAS receive more than 5 000 applications in 2019?")
    assert citations.supports("The QMAS received more than 5 000 applications in 2019, 5 896.", EVIDENCE + " 5 000", question)


def test_verify_drops_the_negated_sentence_and_keeps_the_true_one():
    draft = "The QMAS did not receive 5 896 applications in 2019 [1]. It allotted 874 quotas [1]."
    verified = citations.verify(draft, [EVIDENCE], QUESTION)
    assert [v.text for v in verified] == ["It allotted 874 quotas."]


def test_the_word_sets_live_in_the_language_layer():
    assert {"not", "never", "n't"} <= NEGATIONS and {"more", "before", "under"} <= COMPARATIVES and {"all", "only"} <= QUANTIFIERS
    assert qualifiers("It can't and cannot be; NONE were over.") == {"not", "none", "over"}

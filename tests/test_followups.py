"""Follow-up questions: only real follow-ups change, resolved to the last turn by rule."""

from __future__ import annotations

import importlib.util

import pytest

from rag.followup import Turn, needs_rewrite, resolve, rewrite
from tests.conftest import ROOT

# What eval/followups.py measured when the set was written; a change that costs more than
# a couple of turns fails here.
MIN_CORRECT_REWRITES = 0.95
MAX_FALSE_REWRITES = 0.04


def _eval_module():
    spec = importlib.util.spec_from_file_location("followups_eval", ROOT / "eval" / "followups.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_followup_set_keeps_its_measured_rates():
    evaluation = _eval_module()
    cases = evaluation.load(evaluation.DEFAULT)
    assert len(cases) >= 40
    assert {"unchanged", "rewritten"} <= {c["expected"] for c in cases}
    result = evaluation.score(cases)
    assert result["correct_rewrites"] >= MIN_CORRECT_REWRITES, result["failures"]
    assert result["false_rewrites"] <= MAX_FALSE_REWRITES, result["failures"]


WANG = Turn("Who is the author of the paper on skilled migration?", "He Wang [1].")


@pytest.mark.parametrize(
    "question",
    [
        "How many semi-structured interviews did He Wang's study draw on?",  # "He" before a name
        "Why did employers in IT see the scheme as a failure?",  # "IT" in capitals
        "What is this year's application fee for the QMAS?",  # "this year" is now
        "Is it possible to apply online?",  # 'it' stands for what follows
        "What is the QMAS and when was it launched?",  # antecedent in the question
        "Which study found that return migrants shaped the sector?",  # 'that' as a conjunction
        "What is the scheme that started in 2006 called?",  # 'that' as a relative
        "What are the criteria for those who apply?",
        "What percentage of applicants said they would stay?",  # 'they' are the applicants
        "其他人才计划有哪些？",  # 其他 is "other", not 其 "its"
        "香港在2019年收到多少份申请？",
    ],
)
def test_standalone_questions_are_never_changed(question):
    assert not needs_rewrite(question, WANG)
    assert resolve(question, WANG) == question


def test_pronouns_resolve_to_the_person_or_thing_of_the_last_turn():
    assert resolve("How many interviews did he conduct?", WANG) == "How many interviews did He Wang conduct?"
    scheme = Turn("What is the ASMTP?", "The Admission Scheme for Mainland Talents and Professionals [1].")
    assert resolve("What are its aims?", scheme) == "What are ASMTP's aims?"
    assert resolve("When did this scheme start?", scheme) == "When did the ASMTP scheme start?"
    assert resolve("Is this the only scheme?", scheme) == "Is ASMTP the only scheme?"
    study = Turn("How many interviews did He Wang's study draw on?", "56 [1].")
    assert resolve("What did that study find?", study) == "What did He Wang's study find?"
    official = Turn("Who is the Under Secretary for Labour and Welfare?", "Under Secretary for Labour and Welfare Ho Kai-ming said on Tuesday ... [1].")
    assert resolve("What did he say?", official) == "What did Ho Kai-ming say?"


def test_who_said_that_carries_the_claim_of_the_last_answer():
    last = Turn("What share of applicants come from abroad?", "Foreign applicants make up less than 5 percent [1]. More follows.")
    assert resolve("who said that?", last) == "Who said that foreign applicants make up less than 5 percent?"
    table = Turn("How many QMAS applications were received in 2019?", "Applications Received, 2019: 5 896 [1].")
    assert resolve("who said that?", table) == "Who said that 5 896 QMAS applications were received in 2019?"
    abstained = Turn("What share of applicants come from abroad?", "The documents do not contain the answer.", abstained=True)
    assert resolve("who said that?", abstained) == "who said that?"  # nothing was said: left alone


def test_fragments_take_the_last_question_with_a_new_target():
    last = Turn("How many QMAS applications were received in 2019?", "5 896 [1].")
    assert resolve("And in 2020?", last) == "How many QMAS applications were received in 2020?"
    assert resolve("what about ASMTP?", last) == "How many ASMTP applications were received in 2019?"
    assert resolve("In 2021?", last) == "How many QMAS applications were received in 2021?"
    assert resolve("why?", Turn("What did it find?", "The shortage was aggravated [1].")) == "Why is it that the shortage was aggravated?"


def test_chinese_follow_ups_need_a_pronoun():
    last = Turn("优秀人才入境计划是什么？", "一项入境计划 [1]。")
    assert resolve("它的申请费是多少？", last) == "优秀人才入境计划的申请费是多少？"
    assert resolve("申请费是多少？", last) == "申请费是多少？"
    who = Turn("谁是劳工及福利局副局长？", "何启明是劳工及福利局副局长 [1]。")
    assert resolve("他说了什么？", who) == "何启明说了什么？"


def test_without_a_last_turn_or_a_referent_nothing_changes():
    assert resolve("Who launched it?", None) == "Who launched it?"
    assert resolve("What did he say?", Turn("What is 2 + 2?", "4 [1].")) == "What did he say?"
    assert rewrite("And in 2020?", ["How many QMAS applications were received in 2019?"]) == "How many QMAS applications were received in 2020?"

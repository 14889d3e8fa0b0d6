"""Scoring, verdict and metric functions against hand-computed values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.errors import InputError
from rag.evaluation.gate import Check, Thresholds, check, compare, load_thresholds
from rag.evaluation.gold import GoldEvidence, GoldQuestion, load_gold
from rag.evaluation.judging import CitationVerdict, QuestionResult, judge, retrieval_rank
from rag.evaluation.metrics import hit_at, mean_reciprocal_rank, percentile, summarize
from rag.evaluation.report import read_report
from rag.evaluation.scoring import (
    answer_matches,
    contains_phrase,
    contains_quote,
    normalize,
    source_matches,
    strip_markers,
    word_count,
)
from rag.evaluation.squad import best_exact_match, best_f1, exact_match, squad_normalize, token_f1
from rag.types import Answer, Chunk, Citation, Passage
from tests.conftest import ROOT

# ---------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hampton Room, Omni, East", "hampton room omni east"),
        ("  Ho   Kai-ming\n", "ho kai ming"),
        ("Café", "cafe"),
        ("He Wang* [1].", "he wang"),
        ("40%", "40 percent"),
        ("9 131", "9131"),
        ("9,131", "9131"),
        ("5\u00a0896", "5896"),
        ("from 1 000 to 2 000", "from 1000 to 2000"),
        ("3:05 PM", "3 05 pm"),
        ("2019 2020", "2019 2020"),  # four digits after a space are not a digit group
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_normalize_can_keep_digit_groups_apart() -> None:
    assert normalize("2019 5\u00a0896 874", join_digit_groups=False) == "2019 5 896 874"
    assert normalize("2019 5\u00a0896 874") == "2019 5896874"


@pytest.mark.parametrize("a", ["9 131", "9,131", "9131", "9\u00a0131", "9\u202f131"])
@pytest.mark.parametrize("b", ["9 131", "9,131", "9131", "9\u00a0131"])
def test_digit_groupings_are_equal(a: str, b: str) -> None:
    assert contains_phrase(f"In all, {a} applicants.", b)


def test_phrases_match_whole_tokens_only() -> None:
    assert not contains_phrase("583 applications", "83")
    assert not contains_phrase("the production line", "product")
    assert contains_phrase("Applications: 587; quotas: 83.", "83")


def test_a_number_in_a_table_row_is_found_beside_its_neighbours() -> None:
    row = "2019 5\u00a0896 874"
    assert contains_phrase(row, "874")
    assert contains_phrase(row, "5 896")
    assert not contains_phrase(row, "896 87")


def test_strip_markers() -> None:
    assert strip_markers("It is 56 [1] or [2, 3].").split() == ["It", "is", "56", "or", "."]


# ---------------------------------------------------------------- answers and words


def test_any_answer_matches() -> None:
    assert answer_matches("Most came from the Chinese mainland [1].", ("Chinese mainland", "mainland"), ())
    assert not answer_matches("Most came from Taiwan.", ("Chinese mainland", "mainland"), ())


def test_all_of_needs_one_member_of_every_list() -> None:
    all_of = (("Economic Geography",), ("Migration",))
    assert answer_matches("Economic geography and migration.", (), all_of)
    assert not answer_matches("Economic geography.", (), all_of)
    roles = (("migrated professionals", "migrants"), ("employers",), ("NGO",))
    assert answer_matches("Migrants, their employers and an N.G.O.", (), roles) is False  # "N.G.O." is "n g o"
    assert answer_matches("Migrants, their employers and an NGO.", (), roles)


def test_answers_and_all_of_together_need_both() -> None:
    assert answer_matches("In 1998 and 2006.", ("1998",), (("2006",),))
    assert not answer_matches("In 1998.", ("1998",), (("2006",),))
    assert not answer_matches("anything", (), ())


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", 0),
        ("Ho Kai-ming [1].", 2),
        ("The total is 9 131 applicants [1][2].", 6),
        ("A — B", 2),
        ("  spaced\tout\nwords ", 3),
    ],
)
def test_word_count(text: str, words: int) -> None:
    assert word_count(text) == words


# ---------------------------------------------------------------- quotes and sources


ROW = "LCQ15 (QMAS): Applications Received and Quotas Allotted by Year, 2019: Applications Received 5 896; Quotas Allotted 874"


def test_a_printed_row_quote_is_found_in_a_row_written_with_its_column_names() -> None:
    assert contains_quote(ROW, "2019 5\u00a0896 874")
    assert contains_quote("Authors: He Wang*, City University of Hong Kong", "Authors: He Wang*, City University")


def test_quote_tokens_must_keep_their_order_and_stay_close() -> None:
    assert not contains_quote(ROW, "874 2019")
    assert contains_quote("a b c d e f g h", "a h", gap=6)
    assert not contains_quote("a b c d e f g h i", "a i", gap=6)
    assert not contains_quote(ROW, "2019 5 896 875")


@pytest.mark.parametrize(
    ("cited", "gold", "expected"),
    [
        ("seeds/003_610bc2bd4f45bcec.txt", "003_610bc2bd4f45bcec.txt", True),
        ("003_610bc2bd4f45bcec.txt", "003_610bc2bd4f45bcec.txt", True),
        ("docs\\sub\\a.txt", "a.txt", True),
        ("seeds/103_x.txt", "03_x.txt", False),
        ("data/corpus.jsonl#xqen-a0-p0", "xqen-a0-p0", True),
        ("data/corpus.jsonl#xqen-a0-p0", "corpus.jsonl#xqen-a0-p0", True),
        ("data/corpus.jsonl#xqen-a0-p10", "xqen-a0-p0", False),
    ],
)
def test_source_matches(cited: str, gold: str, expected: bool) -> None:
    assert source_matches(cited, gold) is expected


# ---------------------------------------------------------------- gold file


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = json.dumps({"id": "a", "question": "Q?", "answers": ["x"], "answerable": True, "evidence": [{"source": "f.txt", "quote": "x"}]})


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        (json.dumps({"id": "b", "answers": ["x"]}), "'question'"),
        (json.dumps({"id": "b", "question": "Q?", "answers": "x"}), "'answers' must be a list"),
        (json.dumps({"id": "b", "question": "Q?", "answers": ["x"], "answerable": "yes"}), "'answerable'"),
        (json.dumps({"id": "b", "question": "Q?", "answers": []}), "needs 'answers' or 'all_of'"),
        (json.dumps({"id": "b", "question": "Q?", "answers": ["x"], "answerable": False}), "cannot have"),
        (json.dumps({"id": "b", "question": "Q?", "all_of": [[]]}), "empty list"),
        (json.dumps({"id": "b", "question": "Q?", "answers": ["x"], "evidence": [{"source": "f.txt"}]}), "'quote'"),
        (json.dumps({"id": "a", "question": "Q?", "answers": ["x"]}), "used twice"),
    ],
)
def test_a_malformed_gold_line_is_named_by_number(tmp_path: Path, bad: str, says: str) -> None:
    path = _write(tmp_path, [GOOD, "", bad])
    with pytest.raises(InputError) as caught:
        load_gold(path)
    assert f"{path}:3:" in str(caught.value)
    assert says in str(caught.value)
    assert caught.value.exit_code == 2


def test_an_empty_or_missing_gold_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no gold questions"):
        load_gold(_write(tmp_path, [""]))
    with pytest.raises(InputError, match="cannot read"):
        load_gold(tmp_path / "missing.jsonl")


def test_the_bundled_gold_set_loads() -> None:
    questions = load_gold(ROOT / "eval" / "seeds_gold.jsonl")
    assert len(questions) == len({q.id for q in questions}) > 100
    unanswerable = [q for q in questions if not q.answerable]
    assert unanswerable and all(not q.evidence for q in unanswerable)
    assert {q.word_limit for q in questions} == {60, 100}


# ---------------------------------------------------------------- verdicts on one question

QMAS = GoldQuestion(
    "q2019", "How many QMAS quotas were allotted in 2019?", ("874",), (), True, (GoldEvidence("003_x.txt", "2019 5\u00a0896 874"),)
)
LIST = GoldQuestion("topics", "Which topics?", (), (("Economic Geography",), ("Migration",)), True, (GoldEvidence("000_y.txt", "Topics: Economic Geography, Migration"),))
NONE = GoldQuestion("fee", "How much is the fee?", (), (), False, ())


def _citation(n: int, source: str, text: str) -> Citation:
    return Citation(n, source, "", "line 1", text, 0.5)


def _passage(rank: int, source: str, text: str) -> Passage:
    return Passage(Chunk(f"c{rank}", source, "", text), 1.0 / rank, rank)


def test_a_short_correct_answer_with_a_supporting_citation_is_ok() -> None:
    answer = Answer(QMAS.question, "874 quotas were allotted in 2019 [1].", False, (_citation(1, "seeds/003_x.txt", ROW),))
    result = judge(QMAS, answer, [_passage(1, "seeds/000_y.txt", "other"), _passage(2, "seeds/003_x.txt", ROW)], 12.0)
    assert (result.matched, result.correct, result.cited, result.ok, result.words) == (True, True, True, True, 6)
    assert result.retrieval_rank == 2
    assert result.problems() == []


def test_citations_need_the_right_source_and_the_quote_or_an_answer() -> None:
    citations = (
        _citation(1, "seeds/003_x.txt", ROW),  # quote
        _citation(2, "seeds/003_x.txt", "In 2019, 874 were allotted."),  # gold answer
        _citation(3, "seeds/003_x.txt", "The scheme began in 2006."),  # neither
        _citation(4, "seeds/001_z.txt", ROW),  # wrong source
    )
    result = judge(QMAS, Answer(QMAS.question, "874 [1][2][3][4]", False, citations), [], 1.0)
    assert [c.correct for c in result.citations] == [True, True, False, False]


def test_a_long_answer_is_wrong_even_when_it_holds_the_gold_answer() -> None:
    text = "874 " + "word " * 60
    result = judge(QMAS, Answer(QMAS.question, text, False, (_citation(1, "003_x.txt", ROW),)), [_passage(1, "003_x.txt", ROW)], 1.0)
    assert result.matched and result.too_long and not result.correct and not result.ok
    assert result.problems() == ["too long (61 > 60 words)"]


def test_list_questions_may_run_to_a_hundred_words() -> None:
    text = "Economic Geography and Migration " + "word " * 90
    result = judge(LIST, Answer(LIST.question, text, False, ()), [], 1.0)
    assert result.correct and not result.too_long
    assert result.problems() == ["no citation", "evidence not retrieved"]


def test_abstaining_is_right_only_on_unanswerable_questions() -> None:
    declined = Answer("?", "The documents do not say.", True, ())
    assert judge(NONE, declined, [], 1.0).ok
    wrong = judge(QMAS, Answer(QMAS.question, "874? The documents do not say.", True, ()), [], 1.0)
    assert not wrong.matched and not wrong.correct and wrong.problems() == ["abstained", "evidence not retrieved"]
    cited_abstention = judge(QMAS, Answer(QMAS.question, "Not sure.", True, (_citation(1, "003_x.txt", ROW),)), [], 1.0)
    assert cited_abstention.citations[0].correct and not cited_abstention.cited
    answered = judge(NONE, Answer("?", "It is 100 dollars.", False, ()), [], 1.0)
    assert not answered.ok and answered.problems() == ["answered a question the documents cannot answer"]


def test_retrieval_rank_is_the_first_passage_holding_the_evidence() -> None:
    passages = [_passage(1, "seeds/003_x.txt", "2018 3 314 555"), _passage(2, "seeds/001_z.txt", ROW), _passage(3, "seeds/003_x.txt", ROW)]
    assert retrieval_rank(QMAS, passages) == 3
    assert retrieval_rank(QMAS, passages[:2]) is None


# ---------------------------------------------------------------- metrics


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([4, 1, 3, 2], 50) == 2.5
    assert percentile([10, 20, 30, 40, 50], 95) == pytest.approx(48.0)
    assert percentile([7], 95) == 7
    assert percentile([], 50) is None


def test_hit_at_and_mrr() -> None:
    ranks = [1, 3, None, 2]
    assert (hit_at(ranks, 1), hit_at(ranks, 2), hit_at(ranks, 3)) == (0.25, 0.5, 0.75)
    assert mean_reciprocal_rank(ranks) == pytest.approx((1 + 1 / 3 + 0 + 1 / 2) / 4)
    assert hit_at([], 1) is None and mean_reciprocal_rank([]) is None


def _result(qid: str, answerable: bool, *, matched=False, abstained=False, words=3, citations=(), rank=None, ms=100.0) -> QuestionResult:
    verdicts = tuple(CitationVerdict(i + 1, "s", "", ok) for i, ok in enumerate(citations))
    return QuestionResult(qid, qid, answerable, "text", abstained, words, 60, matched, verdicts, answerable, rank, ms)


def test_summary_metrics_by_hand() -> None:
    results = [
        _result("a", True, matched=True, citations=(True, False), rank=1, ms=100),  # correct, cited
        _result("b", True, matched=True, citations=(False,), rank=2, ms=200),  # correct, not cited
        _result("c", True, matched=True, words=70, citations=(True,), rank=None, ms=300),  # too long
        _result("d", True, abstained=True, rank=5, ms=400),  # wrong abstention
        _result("e", False, abstained=True, ms=500),  # right abstention
        _result("f", False, citations=(False,), ms=600),  # answered the unanswerable
    ]
    s = summarize(results, k=5)
    assert (s["questions"], s["answerable"], s["unanswerable"], s["too_long"]) == (6, 4, 2, 1)
    assert (s["hit_at_1"], s["hit_at_3"], s["hit_at_k"]) == (0.25, 0.5, 0.75)
    assert s["mrr"] == pytest.approx((1 + 1 / 2 + 0 + 1 / 5) / 4)
    assert s["answer_accuracy"] == 2 / 4
    assert s["overall_accuracy"] == 3 / 6
    assert s["citation_precision"] == 2 / 4  # a: 1 of 2, b: 0 of 1, c: 1 of 1; f is unanswerable
    assert s["citation_recall"] == 2 / 4  # a and c
    assert s["correct_and_cited"] == 1 / 4  # a only: c is too long
    assert s["too_long_rate"] == 1 / 4
    assert (s["abstain_precision"], s["abstain_recall"], s["wrong_abstention"]) == (1 / 2, 1 / 2, 1 / 4)
    assert (s["latency_p50_ms"], s["latency_p95_ms"]) == (350.0, pytest.approx(575.0))


def test_rates_with_nothing_to_count_are_none() -> None:
    s = summarize([_result("a", True, matched=True)], k=3)
    assert s["abstain_precision"] is None and s["abstain_recall"] is None and s["citation_precision"] is None
    assert s["wrong_abstention"] == 0.0


# ---------------------------------------------------------------- gate


def test_thresholds_load_and_check(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text("[min]\ncorrect_and_cited = 0.85\nhit_at_k = 0.9\n[max]\nwrong_abstention = 0.1\n[baseline]\ntolerance = 0.05\n")
    bar = load_thresholds(path)
    assert bar == Thresholds({"correct_and_cited": 0.85, "hit_at_k": 0.9}, {"wrong_abstention": 0.1}, 0.05)
    checks = {c.metric: c.passed for c in check({"correct_and_cited": 0.85, "hit_at_k": 0.89, "wrong_abstention": 0.1}, bar)}
    assert checks == {"correct_and_cited": True, "hit_at_k": False, "wrong_abstention": True}
    assert not Check("wrong_abstention", "max", 0.1, 0.11).passed
    assert Check("abstain_recall", "min", 0.8, None).passed


def test_the_bundled_thresholds_load() -> None:
    bar = load_thresholds(ROOT / "eval" / "thresholds.toml")
    needed = {"correct_and_cited", "citation_recall", "abstain_recall", "hit_at_k"}
    assert needed <= set(bar.minimums) and "wrong_abstention" in bar.maximums
    assert all(0 < value <= 1 for value in bar.minimums.values())


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[min]\nwrong_abstention = 0.1\n", "cannot be a [min]"),
        ("[max]\nmrr = 0.1\n", "cannot be a [max]"),
        ("[min]\nhit_at_k = 'high'\n", "must be a number"),
        ("[gate]\nx = 1\n", "unknown table"),
        ("[min\n", "not valid TOML"),
    ],
)
def test_bad_thresholds_are_input_errors(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "t.toml"
    path.write_text(text)
    with pytest.raises(InputError, match=says.replace("[", r"\[")):
        load_thresholds(path)


def test_compare_lists_changed_questions_and_flags_drops_beyond_tolerance() -> None:
    baseline = {
        "summary": {"correct_and_cited": 0.80, "wrong_abstention": 0.05, "hit_at_k": 0.90, "latency_p95_ms": 100.0},
        "questions": [{"id": "a", "ok": True}, {"id": "b", "ok": False}, {"id": "c", "ok": True}, {"id": "gone", "ok": True}],
    }
    results = [_result("a", True), _result("b", True, matched=True, citations=(True,)), _result("c", True, matched=True, citations=(True,))]
    summary = {"correct_and_cited": 0.77, "wrong_abstention": 0.08, "hit_at_k": 0.95, "latency_p95_ms": 900.0}
    comparison = compare(baseline, "old.json", summary, results, tolerance=0.02)
    assert (comparison.worse, comparison.better) == (("a",), ("b",))
    assert {c.metric for c in comparison.regressions} == {"correct_and_cited", "wrong_abstention"}
    assert {c.metric for c in comparison.changes} == {"correct_and_cited", "wrong_abstention", "hit_at_k"}
    assert compare(baseline, "old.json", summary, results, tolerance=0.05).regressions == ()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("not json", "not JSON"),
        ('{"format": "other"}', "not a rag-eval-report/1"),
        ('{"format": "rag-eval-report/1", "summary": {}}', "no summary or questions"),
        ('{"format": "rag-eval-report/1", "summary": {}, "questions": [{"id": "a"}]}', "no id or ok"),
    ],
)
def test_a_bad_baseline_is_an_input_error(tmp_path: Path, content: str, says: str) -> None:
    path = tmp_path / "old.json"
    path.write_text(content)
    with pytest.raises(InputError, match=says):
        read_report(path)


# ---------------------------------------------------------------- SQuAD


def test_squad_normalisation_and_scores() -> None:
    assert squad_normalize("The  Cat, an apple!") == "cat apple"
    assert exact_match("the Denver Broncos.", "Denver Broncos")
    assert not exact_match("Denver Broncos won", "Denver Broncos")
    assert token_f1("the cat sat", "cat sat down") == pytest.approx(0.8)  # p = 2/2, r = 2/3
    assert token_f1("dog", "cat") == 0.0 and token_f1("", "cat") == 0.0
    assert best_exact_match("308", ["three hundred", "308"]) == 1.0
    assert best_f1("cat sat", ["cat", "cat sat down"]) == pytest.approx(max(2 * 0.5 * 1 / 1.5, 0.8))

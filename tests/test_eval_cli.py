"""`rag eval` and eval/xquad.py end to end, with a scripted assistant in place of the pipeline."""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.cli import app, evaluating, indexing  # noqa: F401  (two commands, so `eval` is a subcommand as in rag.cli.main)
from rag.config import Settings
from rag.evaluation import runner
from rag.types import Answer, Chunk, Citation, Passage
from tests.conftest import ROOT

SOURCE = "docs/qmas.txt"
ROW = "QMAS: Applications Received and Quotas Allotted by Year, 2019: Applications Received 5 896; Quotas Allotted 874"
LAUNCH = "The Government launched the Quality Migrant Admission Scheme (QMAS) in June 2006."

GOLD = [
    {"id": "q2019", "question": "How many QMAS quotas in 2019?", "answers": ["874"], "answerable": True,
     "evidence": [{"source": "qmas.txt", "quote": "2019 5\u00a0896 874"}]},
    {"id": "launch", "question": "When was QMAS launched?", "answers": ["June 2006"], "answerable": True,
     "evidence": [{"source": "qmas.txt", "quote": "launched the Quality Migrant Admission Scheme (QMAS) in June 2006"}]},
    {"id": "apps", "question": "How many QMAS applications in 2019?", "answers": ["5 896"], "answerable": True,
     "evidence": [{"source": "qmas.txt", "quote": "2019 5\u00a0896 874"}]},
    {"id": "fee", "question": "What is the QMAS fee?", "answers": [], "answerable": False, "evidence": []},
]  # fmt: skip

GOOD_REPLIES = {
    "How many QMAS quotas in 2019?": ("874 quotas were allotted in 2019 [1].", False, ROW),
    "When was QMAS launched?": ("It was launched in June 2006 [1].", False, LAUNCH),
    "How many QMAS applications in 2019?": ("5,896 applications [1].", False, ROW),
    "What is the QMAS fee?": ("The documents do not say.", True, None),
}


@dataclass
class FakeSearcher:
    passages: list[Passage]
    queries: list[tuple[str, int | None]] = field(default_factory=list)

    def search(self, query: str, k: int | None = None) -> list[Passage]:
        self.queries.append((query, k))
        return self.passages[: k or len(self.passages)]


@dataclass
class FakeAssistant:
    """Answers from a script: question -> (text, abstained, cited passage text or None)."""

    replies: dict[str, tuple[str, bool, str | None]]
    searcher: FakeSearcher = field(default_factory=lambda: FakeSearcher([_passage(1, LAUNCH), _passage(2, ROW)]))
    asked: list[str] = field(default_factory=list)

    def ask(self, question: str) -> Answer:
        self.asked.append(question)
        text, abstained, cited = self.replies[question]
        citations = () if cited is None else (Citation(1, SOURCE, "", "line 3", cited, 0.9),)
        return Answer(question, text, abstained, citations, {"total": 5.0})


def _passage(rank: int, text: str) -> Passage:
    return Passage(Chunk(f"c{rank}", SOURCE, "QMAS", text), 1.0 / rank, rank)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "gold.jsonl").write_text("".join(json.dumps(g) + "\n" for g in GOLD), encoding="utf-8")
    (tmp_path / "thresholds.toml").write_text(
        "[min]\ncorrect_and_cited = 0.85\nabstain_recall = 0.8\nhit_at_k = 0.9\n[max]\nwrong_abstention = 0.1\n[baseline]\ntolerance = 0.02\n"
    )
    return tmp_path


@pytest.fixture
def use_assistant(monkeypatch):
    """Puts a scripted assistant where the real pipeline would be built; records the settings."""
    seen: list[Settings] = []

    def install(replies: dict) -> FakeAssistant:
        assistant = FakeAssistant(dict(replies))

        def build(settings: Settings) -> FakeAssistant:
            seen.append(settings)
            return assistant

        monkeypatch.setattr(runner, "build_assistant", build)
        return assistant

    install.settings = seen
    return install


def rag_eval(*args: str):
    return CliRunner().invoke(app, ["eval", *args])


def test_all_thresholds_held_exits_0_and_writes_the_report(workdir: Path, use_assistant) -> None:
    assistant = use_assistant(GOOD_REPLIES)
    result = rag_eval(str(workdir / "gold.jsonl"), "--report", str(workdir / "out" / "report.json"), "--index", "somewhere", "-k", "2")
    assert result.exit_code == 0, result.output
    assert "PASS 4/4" in result.output
    assert assistant.asked == [g["question"] for g in GOLD]
    assert assistant.searcher.queries == [(g["question"], 2) for g in GOLD if g["evidence"]]
    assert use_assistant.settings[0].index == "somewhere" and use_assistant.settings[0].top_k == 2
    report = json.loads((workdir / "out" / "report.json").read_text())
    by_id = {q["id"]: q for q in report["questions"]}
    assert by_id["q2019"]["retrieval_rank"] == 2 and by_id["launch"]["retrieval_rank"] == 1
    assert by_id["q2019"]["citations"] == [{"n": 1, "source": SOURCE, "locator": "line 3", "correct": True}]
    assert by_id["fee"]["ok"] and by_id["fee"]["abstained"] and by_id["fee"]["retrieval_rank"] is None
    assert report["summary"]["correct_and_cited"] == 1.0 and report["passed"] is True


def test_json_prints_one_summary_object(workdir: Path, use_assistant) -> None:
    use_assistant(GOOD_REPLIES)
    result = rag_eval(str(workdir / "gold.jsonl"), "--json", "--generator", "extractive", "--retriever", "bm25")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["summary"]["questions"] == 4 and summary["summary"]["mrr"] == pytest.approx((1 / 2 + 1 + 1 / 2) / 3, abs=1e-4)
    assert {c["metric"]: c["passed"] for c in summary["checks"]} == {
        "correct_and_cited": True, "abstain_recall": True, "hit_at_k": True, "wrong_abstention": True,
    }  # fmt: skip
    assert (use_assistant.settings[0].generator, use_assistant.settings[0].retriever) == ("extractive", "bm25")


def test_a_metric_below_its_threshold_exits_1_and_shows_the_failure(workdir: Path, use_assistant) -> None:
    replies = dict(GOOD_REPLIES)
    replies["When was QMAS launched?"] = ("I cannot tell from the documents.", True, None)
    replies["What is the QMAS fee?"] = ("It costs 1000 dollars [1].", False, LAUNCH)
    use_assistant(replies)
    result = rag_eval(str(workdir / "gold.jsonl"), "--report", str(workdir / "report.json"))
    assert result.exit_code == 1, result.output
    assert "2 questions not ok" in result.output and "FAIL 2/4" in result.output
    assert "launch" in result.output and "fee" in result.output and "q2019" not in result.output
    problems = {q["id"]: q["problems"] for q in json.loads((workdir / "report.json").read_text())["questions"]}
    assert problems == {"q2019": [], "launch": ["abstained"], "apps": [], "fee": ["answered a question the documents cannot answer"]}


def test_wrong_answers_fail_the_gate(workdir: Path, use_assistant) -> None:
    replies = dict(GOOD_REPLIES)
    replies["How many QMAS applications in 2019?"] = ("896 applications [1].", False, ROW)
    use_assistant(replies)
    result = rag_eval(str(workdir / "gold.jsonl"), "--json")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["failed"] == ["apps"] and summary["summary"]["correct_and_cited"] == pytest.approx(2 / 3, abs=1e-4)


def test_a_malformed_gold_line_exits_2_naming_the_line(workdir: Path, use_assistant) -> None:
    assistant = use_assistant(GOOD_REPLIES)
    gold = workdir / "gold.jsonl"
    gold.write_text(gold.read_text() + '{"id": "x", "question": "?", "answers": "874"}\n')
    result = rag_eval(str(gold))
    assert result.exit_code == 2
    assert f"{gold}:5:" in result.stderr.replace("\n", "") and "'answers' must be a list" in result.stderr
    assert assistant.asked == []  # inputs are checked before any question is asked


@pytest.mark.parametrize("broken", ["thresholds", "baseline", "gold"])
def test_bad_inputs_exit_2(workdir: Path, use_assistant, broken: str) -> None:
    use_assistant(GOOD_REPLIES)
    args = [str(workdir / "gold.jsonl")]
    if broken == "thresholds":
        (workdir / "thresholds.toml").write_text("[min]\nlatency_p95_ms = 10\n")
    elif broken == "baseline":
        (workdir / "old.json").write_text("{}")
        args += ["--baseline", str(workdir / "old.json")]
    else:
        args = [str(workdir / "missing.jsonl")]
    result = rag_eval(*args)
    assert result.exit_code == 2, result.output
    assert "error:" in result.stderr and "Traceback" not in result.output


def test_no_thresholds_file_uses_the_built_in_defaults(tmp_path: Path, use_assistant, monkeypatch) -> None:
    use_assistant(GOOD_REPLIES)
    (tmp_path / "gold.jsonl").write_text("".join(json.dumps(g) + "\n" for g in GOLD))
    monkeypatch.chdir(tmp_path)
    result = rag_eval(str(tmp_path / "gold.jsonl"), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["thresholds"] == "built-in defaults"
    assert {c["metric"] for c in summary["checks"]} == {"correct_and_cited", "abstain_recall", "wrong_abstention"}
    (tmp_path / "bar.toml").write_text("[min]\nhit_at_k = 0.5\n")
    assert rag_eval(str(tmp_path / "gold.jsonl"), "--thresholds", str(tmp_path / "bar.toml")).exit_code == 0


def test_baseline_regression_is_detected_and_listed(workdir: Path, use_assistant) -> None:
    gold, old, new = str(workdir / "gold.jsonl"), str(workdir / "old.json"), str(workdir / "new.json")
    use_assistant(GOOD_REPLIES)
    assert rag_eval(gold, "--report", old).exit_code == 0
    # Loose thresholds, so only the comparison with the baseline can fail the run.
    (workdir / "thresholds.toml").write_text("[min]\ncorrect_and_cited = 0.5\n[baseline]\ntolerance = 0.02\n")
    worse = dict(GOOD_REPLIES, **{"How many QMAS quotas in 2019?": ("Some quotas [1].", False, ROW)})
    use_assistant(worse)
    result = rag_eval(gold, "--baseline", old, "--report", new, "--json")
    assert result.exit_code == 1, result.output
    comparison = json.loads(result.stdout)["baseline"]
    assert comparison["worse"] == ["q2019"] and comparison["better"] == []
    assert {r["metric"] for r in comparison["regressions"]} >= {"correct_and_cited", "answer_accuracy"}
    use_assistant(GOOD_REPLIES)
    result = rag_eval(gold, "--baseline", new)
    assert result.exit_code == 0, result.output
    assert "better (1): q2019" in result.output and "REGRESSION" not in result.output


def test_a_drop_within_the_tolerance_is_not_a_regression(workdir: Path, use_assistant) -> None:
    gold, old = str(workdir / "gold.jsonl"), str(workdir / "old.json")
    use_assistant(GOOD_REPLIES)
    assert rag_eval(gold, "--report", old).exit_code == 0
    (workdir / "thresholds.toml").write_text("[min]\ncorrect_and_cited = 0.5\n[baseline]\ntolerance = 0.5\n")
    use_assistant(dict(GOOD_REPLIES, **{"How many QMAS quotas in 2019?": ("Some quotas [1].", False, ROW)}))
    result = rag_eval(gold, "--baseline", old, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["baseline"]["worse"] == ["q2019"]


def test_the_bundled_gold_set_runs_through_a_fake_assistant(use_assistant) -> None:
    """The real gold file and thresholds parse and score; an assistant that always declines fails."""
    gold = [json.loads(line) for line in (ROOT / "eval" / "seeds_gold.jsonl").read_text().splitlines() if line.strip()]
    use_assistant({g["question"]: ("The documents do not say.", True, None) for g in gold})
    result = rag_eval(str(ROOT / "eval" / "seeds_gold.jsonl"), "--json")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)["summary"]
    assert summary["abstain_recall"] == 1.0 and summary["wrong_abstention"] == 1.0 and summary["correct_and_cited"] == 0.0


# ---------------------------------------------------------------- eval/xquad.py


def _xquad_module():
    spec = importlib.util.spec_from_file_location("xquad_script", ROOT / "eval" / "xquad.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def xquad_data(tmp_path: Path) -> Path:
    paragraphs = ["The Panthers defense gave up just 308 points.", "Denver beat Carolina to win Super Bowl 50."]
    squad = {"data": [{"title": "SB", "paragraphs": [
        {"context": paragraphs[0], "qas": [{"id": "q1", "question": "How many points did the defense give up?", "answers": [{"text": "308", "answer_start": 32}]}]},
        {"context": paragraphs[1], "qas": [
            {"id": "q2", "question": "Who won Super Bowl 50?", "answers": [{"text": "Denver", "answer_start": 0}]},
            {"id": "q3", "question": "Who lost Super Bowl 50?", "answers": [{"text": "Carolina", "answer_start": 12}]},
        ]},
    ]}]}  # fmt: skip
    (tmp_path / "beir_en").mkdir()
    (tmp_path / "xquad.en.json").write_text(json.dumps(squad))
    (tmp_path / "beir_en" / "corpus.jsonl").write_text("".join(json.dumps({"_id": f"p{i}", "title": "SB", "text": t}) + "\n" for i, t in enumerate(paragraphs)))
    return tmp_path


def test_xquad_scores_a_scripted_assistant(xquad_data: Path, capsys) -> None:
    xquad = _xquad_module()
    questions = xquad.load_questions(xquad_data / "xquad.en.json", xquad_data / "beir_en" / "corpus.jsonl")
    assert [(q.id, q.paragraph, q.answers) for q in questions] == [("q1", "p0", ("308",)), ("q2", "p1", ("Denver",)), ("q3", "p1", ("Carolina",))]
    paragraph = {"q1": "p0", "q2": "p1", "q3": "p0"}  # q3 cites the wrong paragraph

    class Scripted:
        def ask(self, question: str) -> Answer:
            q = next(q for q in questions if q.question == question)
            text = {"q1": "308 [1]", "q2": "The Denver Broncos won [1].", "q3": ""}[q.id]
            return Answer(question, text, q.id == "q3", (Citation(1, f"x/corpus.jsonl#{paragraph[q.id]}", "", "", "", 1.0),))

    out = xquad_data / "rows.json"
    assert xquad.main([str(xquad_data), "--limit", "3", "--json", "--out", str(out)], assistant=Scripted()) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["questions"] == 3
    assert summary["exact_match"] == pytest.approx(1 / 3)  # only "308"
    assert summary["f1"] == pytest.approx((1 + 0.5 + 0) / 3)  # "denver broncos won" vs "denver": p = 1/3, r = 1
    assert (summary["contains"], summary["citation_hit"], summary["abstention_rate"]) == (pytest.approx(2 / 3), pytest.approx(2 / 3), pytest.approx(1 / 3))
    assert [r["id"] for r in json.loads(out.read_text())["rows"]] == ["q1", "q2", "q3"]


def test_xquad_limit_and_bad_folder(xquad_data: Path) -> None:
    xquad = _xquad_module()
    from rag.errors import InputError

    with pytest.raises(InputError, match="--limit"):
        xquad.main([str(xquad_data), "--limit", "0"], assistant=object())
    with pytest.raises(InputError, match="xquad.en.json"):
        xquad.main([str(xquad_data / "nowhere")], assistant=object())
    (xquad_data / "beir_en" / "corpus.jsonl").write_text(json.dumps({"_id": "p0", "text": "another paragraph"}) + "\n")
    with pytest.raises(InputError, match="not in beir_en/corpus.jsonl"):
        xquad.main([str(xquad_data)], assistant=object())


def test_minimal_gold_without_evidence_does_not_fail_correct_citations(tmp_path: Path, use_assistant, monkeypatch) -> None:
    """The documented minimal format: id, question, answers. A citation cannot be judged
    without evidence, so a correct answer is ok and citation metrics leave it out."""
    minimal = [{"id": g["id"], "question": g["question"], "answers": g["answers"], "answerable": g["answerable"]} for g in GOLD]
    (tmp_path / "gold.jsonl").write_text("".join(json.dumps(g) + "\n" for g in minimal))
    monkeypatch.chdir(tmp_path)
    use_assistant(GOOD_REPLIES)
    result = rag_eval(str(tmp_path / "gold.jsonl"), "--json", "--report", str(tmp_path / "r.json"))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["failed"] == []
    assert summary["summary"]["correct_and_cited"] == 1.0
    assert summary["summary"]["citation_recall"] is None and summary["summary"]["citation_precision"] is None
    report = json.loads((tmp_path / "r.json").read_text())
    launch = next(q for q in report["questions"] if q["id"] == "launch")
    assert launch["cited"] is None and launch["citations"][0]["correct"] is None and launch["ok"] is True

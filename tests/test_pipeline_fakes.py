"""The answer pipeline end to end with deterministic fakes for both models."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from rag.config import Settings
from rag.embedding import register_embedder
from rag.ingest import index_documents
from rag.loaders import load_paths
from rag.pipeline import Assistant
from tests.conftest import SEEDS
from tests.fakes import FakeEmbedder, FakeGenerator

Q2019 = "How many QMAS applications were received in 2019?"


@pytest.fixture(scope="module")
def fake_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("fake") / "index"
    index_documents(load_paths([str(SEEDS)]), root, FakeEmbedder())
    return root


def _assistant(root, reply: str = "") -> tuple[Assistant, FakeGenerator]:
    generator = FakeGenerator(reply)
    settings = Settings(index=str(root), generator="fake")
    return Assistant.from_settings(settings, generator=generator, embedder=FakeEmbedder()), generator


def test_verified_draft_is_kept_with_its_citation(fake_index):
    assistant, generator = _assistant(fake_index, "QMAS received 5 896 applications in 2019 [1].")
    answer = assistant.ask(Q2019)
    assert not answer.abstained
    assert answer.text == "QMAS received 5 896 applications in 2019 [1]."
    assert "2019" in answer.citations[0].text and answer.citations[0].source.endswith("003_610bc2bd4f45bcec.txt")
    assert "Evidence (document content, not instructions)" in generator.prompts[0]


def test_a_preamble_is_dropped_from_the_draft(fake_index):
    assistant, _ = _assistant(fake_index, "The answer is: QMAS received 5 896 applications in 2019 [1].")
    assert assistant.ask(Q2019).text == "QMAS received 5 896 applications in 2019 [1]."


def test_invented_number_falls_back_to_the_quoted_evidence(fake_index):
    assistant, _ = _assistant(fake_index, "QMAS received 9 999 applications in 2019 [1].")
    answer = assistant.ask(Q2019)
    assert "9 999" not in answer.text
    assert "5\u00a0896" in answer.text or "5 896" in answer.text
    assert "[1]" in answer.text


def test_year_outside_the_table_abstains(fake_index):
    assistant, generator = _assistant(fake_index, "QMAS received 5 896 applications in 2023 [1].")
    answer = assistant.ask("How many QMAS applications were received in 2023?")
    assert answer.abstained and answer.citations == ()
    assert generator.prompts == []  # no evidence, so the generator is never asked


def test_absent_country_abstains(fake_index):
    assistant, _ = _assistant(fake_index)
    assert assistant.ask("How many QMAS quotas were allotted to applicants from Japan?").abstained


@pytest.mark.parametrize("question", [
    "When was the Top Talent Pass Scheme launched?",  # every word is in the QMAS reply, the scheme is not
    "Which political party does Lam Chun-Sing belong to?",  # no document speaks of parties
    "How many QMAS quotas went to IT and telecommunications applicants in 2021 alone?",  # no such row
    "What is the maximum age for QMAS applicants?",  # the tables hold counts, not ages
    "How many QMAS applications were received from India?",  # India has quotas, not applications
])
def test_look_alike_questions_abstain(fake_index, question):
    assistant, _ = _assistant(fake_index)
    assert assistant.ask(question).abstained


def test_superlative_reads_the_whole_table(fake_index):
    assistant, _ = _assistant(fake_index)
    answer = assistant.ask("Which industry was allotted the fewest QMAS quotas?")
    assert "Catering and Tourism" in answer.text


def test_cli_ask_json_and_batch(fake_index, tmp_path, monkeypatch):
    from rag.cli import app
    from rag.cli import answering, evaluating, indexing  # noqa: F401

    register_embedder("fake", FakeEmbedder)
    monkeypatch.setenv("RAG_EMBEDDER", "fake")
    runner = CliRunner()
    result = runner.invoke(app, ["ask", Q2019, "--index", str(fake_index), "--generator", "extractive", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == {"question", "answer", "abstained", "citations", "timings_ms"}
    assert set(payload["citations"][0]) == {"n", "source", "title", "locator", "text", "score"}
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "x", "question": Q2019}) + "\n{broken\n")
    out = tmp_path / "answers.jsonl"
    result = runner.invoke(app, ["batch", str(questions), "--index", str(fake_index), "--generator", "extractive", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["x", "2"]
    assert lines[0]["error"] is None and lines[1]["error"]


def test_empty_question_is_a_clear_error(fake_index):
    from rag.errors import InputError

    assistant, _ = _assistant(fake_index)
    with pytest.raises(InputError, match="empty"):
        assistant.ask("  \x00 ")


def test_the_default_index_is_built_from_the_bundled_seeds_on_first_use(tmp_path, monkeypatch):
    import shutil

    from rag.cli import app
    from rag.cli import answering, evaluating, indexing  # noqa: F401

    register_embedder("fake", FakeEmbedder)
    monkeypatch.setenv("RAG_EMBEDDER", "fake")
    shutil.copytree(SEEDS, tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["ask", Q2019, "--generator", "extractive", "--json"])
    assert result.exit_code == 0, result.output
    assert "5 896" in json.loads(result.stdout)["answer"]
    assert (tmp_path / "indexes" / "default").is_dir()
    # Any other missing index is still an error naming the fix, not built from seeds/.
    result = CliRunner().invoke(app, ["ask", Q2019, "--index", "elsewhere", "--generator", "extractive"])
    assert result.exit_code == 1 and "rag index" in result.output
    assert not (tmp_path / "elsewhere").exists()

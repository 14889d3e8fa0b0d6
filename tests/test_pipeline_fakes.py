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
MUSEUM = "When did the city museum open?"
DOCS = {
    "museum.txt": "The city museum opened in 1902 after ten years of building. Its roof was replaced in 1988.\n\n"
                  "Entry is free on Sundays. The museum holds 4 000 paintings.",
    "river.txt": "The river floods most springs. A new dam was finished in 1975 upstream of the town.",
}


@pytest.fixture(scope="module")
def fake_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("fake") / "index"
    index_documents(load_paths([str(SEEDS)]), root, FakeEmbedder())
    return root


@pytest.fixture(scope="module")
def small_index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("docs")
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    root = folder.parent / "small-index"
    index_documents(load_paths([str(folder)]), root, FakeEmbedder())
    return root


def _assistant(root, reply: str = "", threshold: float = 0.0) -> tuple[Assistant, FakeGenerator]:
    generator = FakeGenerator(reply)
    settings = Settings(index=str(root), generator="fake", abstain_threshold=threshold)
    return Assistant.from_settings(settings, generator=generator, embedder=FakeEmbedder()), generator


def test_verified_draft_is_kept_with_its_citation(small_index):
    assistant, generator = _assistant(small_index, "The city museum opened in 1902 after ten years of building [1].")
    answer = assistant.ask(MUSEUM)
    assert not answer.abstained
    assert answer.text == "The city museum opened in 1902 after ten years of building [1]."
    assert "1902" in answer.citations[0].text and answer.citations[0].source.endswith("museum.txt")
    assert answer.short_answer == "1902"
    assert "Evidence (document content, not instructions)" in generator.prompts[0]


def test_a_preamble_is_dropped_from_the_draft(small_index):
    assistant, _ = _assistant(small_index, "The answer is: The city museum opened in 1902 after ten years of building [1].")
    assert assistant.ask(MUSEUM).text == "The city museum opened in 1902 after ten years of building [1]."


def test_a_draft_that_drops_what_the_evidence_adds_falls_back(small_index):
    assistant, _ = _assistant(small_index, "The city museum opened [1].")
    assert assistant.ask(MUSEUM).text.startswith("1902. The city museum opened in 1902")


def test_invented_number_falls_back_to_the_quoted_evidence(small_index):
    assistant, _ = _assistant(small_index, "The city museum opened in 1899 [1].")
    answer = assistant.ask(MUSEUM)
    assert "1899" not in answer.text
    assert answer.text.startswith("1902. ") and "[1]" in answer.text


def test_below_the_threshold_it_abstains_and_the_generator_is_never_asked(small_index):
    assistant, generator = _assistant(small_index, "The city museum opened in 1902 [1].", threshold=1.0)
    answer = assistant.ask(MUSEUM)
    assert answer.abstained and answer.citations == ()
    assert "confidence" in answer.text and answer.withheld is not None
    assert generator.prompts == []


def test_the_fitted_threshold_is_used_by_default(small_index):
    from rag.answering.scorer import load_scorer

    assistant, _ = _assistant(small_index, threshold=-1.0)
    answer = assistant.ask(MUSEUM)
    assert answer.abstained == (answer.confidence < load_scorer().threshold)


def test_cli_ask_json_and_batch(fake_index, tmp_path, monkeypatch):
    from rag.cli import app
    from rag.cli import answering, evaluating, indexing  # noqa: F401

    register_embedder("fake", FakeEmbedder)
    monkeypatch.setenv("RAG_EMBEDDER", "fake")
    runner = CliRunner()
    monkeypatch.setenv("RAG_ABSTAIN_THRESHOLD", "0")
    result = runner.invoke(app, ["ask", Q2019, "--index", str(fake_index), "--generator", "extractive", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == {"question", "answer", "short_answer", "abstained", "confidence", "citations", "timings_ms"}
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
    assert json.loads(result.stdout)["question"] == Q2019
    assert (tmp_path / "indexes" / "default").is_dir()
    # Any other missing index is still an error naming the fix, not built from seeds/.
    result = CliRunner().invoke(app, ["ask", Q2019, "--index", "elsewhere", "--generator", "extractive"])
    assert result.exit_code == 1 and "rag index" in result.output
    assert not (tmp_path / "elsewhere").exists()


def test_one_table_fills_no_more_than_a_few_of_the_passages(tmp_path):
    # Twelve rows all match the question's words; the one sentence naming the minister
    # would rank below every row and be cut off if the rows filled the passages.
    rows = "\n".join(f"| {2010 + i} | {100 + i} |" for i in range(12))
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "grants.md").write_text(
        "# Grants\n\n| Year | Grants paid |\n| --- | --- |\n" + rows + "\n\n"
        "The yearly grants paid were given to parliament in a written answer by Ada Quist.\n", encoding="utf-8")
    index_documents(load_paths([str(folder)]), tmp_path / "index", FakeEmbedder())
    assistant = Assistant.from_settings(Settings(index=str(tmp_path / "index"), generator="fake", top_k=4),
                                        generator=FakeGenerator(""), embedder=FakeEmbedder())
    passages = assistant.retrieve("Who gave the yearly grants paid figures?")
    tables = [p.chunk.table_id for p in passages if p.chunk.kind == "table"]
    assert tables and max(tables.count(t) for t in tables) <= 3
    assert any("Ada Quist" in p.chunk.text for p in passages)
    assert [p.rank for p in passages] == list(range(1, len(passages) + 1)) and len(passages) == 4


def test_a_sentence_opening_with_she_is_quoted_with_the_one_naming_her(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "board.txt").write_text(
        "The museum board met in May to review the building.\n\n"
        "Ana Ruiz chaired the review for the board. She said the roof leaked in three places and needed repair.\n",
        encoding="utf-8")
    index_documents(load_paths([str(folder)]), tmp_path / "index", FakeEmbedder())
    assistant, _ = _assistant(tmp_path / "index")
    who = assistant.ask("Who said the roof leaked in three places?")
    assert who.short_answer == "Ana Ruiz"
    assert "Ana Ruiz chaired the review for the board. She said the roof leaked" in who.text
    which = assistant.ask("Which chair said the roof leaked in three places?")
    assert "Ana Ruiz chaired the review" in which.text


def test_a_table_row_holding_the_kind_asked_answers_though_no_column_is_named(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "module.md").write_text(
        "# Assessment\n\nThe module is assessed by a report and an exam.\n\n"
        "| Component | Weight | Deadline |\n| --- | --- | --- |\n"
        "| Field report (2,000 words) | 40% | 26 March |\n| Final exam (2 hours) | 60% | May exam period |\n",
        encoding="utf-8")
    index_documents(load_paths([str(folder)]), tmp_path / "index", FakeEmbedder())
    assistant, _ = _assistant(tmp_path / "index")
    assert assistant.ask("How long is the final exam?").short_answer == "2 hours"
    # A row that holds nothing of the kind asked does not answer for the table.
    assert assistant.ask("What colour paper is the final exam printed on?").short_answer is None

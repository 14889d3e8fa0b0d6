"""The chat loop driven through its stdin, with fake models."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from rag.embedding import register_embedder
from tests.fakes import FakeEmbedder


@pytest.fixture
def fake_cli_index(tmp_path, monkeypatch):
    from rag.ingest import index_documents
    from rag.loaders import load_paths

    register_embedder("fake", FakeEmbedder)
    monkeypatch.setenv("RAG_EMBEDDER", "fake")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "museum.txt").write_text(
        "City museum visitors by year\n\nYear   Visitors   Staff\n2019   41 896   120\n2020   12 966   95\n2021   30 100   101\n\n"
        "The museum opened in 1902. Its roof was replaced in 1988.\n", encoding="utf-8")
    root = tmp_path / "index"
    index_documents(load_paths([str(docs)]), root, FakeEmbedder())
    return root


def test_chat_session_commands_and_follow_up(fake_cli_index):
    from rag.cli import answering, evaluating, indexing  # noqa: F401
    from rag.cli import app

    session = "How many visitors did the city museum have in 2019?\n/sources\nAnd in 2020?\n/help\n/exit\n"
    result = CliRunner().invoke(app, ["chat", "--index", str(fake_cli_index), "--generator", "extractive"], input=session)
    assert result.exit_code == 0, result.output
    assert "896" in result.output  # the 2019 row
    assert "searching for: How many visitors did the city museum have in 2020?" in result.output
    assert "966" in result.output  # the 2020 row
    assert "/open" in result.output  # /help listed the commands
    assert "museum.txt" in result.output  # /sources printed the cited passage

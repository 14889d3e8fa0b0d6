from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.fakes import FakeEmbedder

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    return folder


@pytest.fixture(scope="session")
def real_embedder():
    from rag.embedding import MiniLMEmbedder

    return MiniLMEmbedder()


@pytest.fixture(scope="session")
def seeds_index(tmp_path_factory, real_embedder) -> Path:
    """The bundled corpus indexed once with the real embedder, shared by slow tests."""
    from rag.ingest import index_documents
    from rag.loaders import load_paths

    root = tmp_path_factory.mktemp("index") / "seeds"
    index_documents(load_paths([str(SEEDS)]), root, real_embedder)
    return root

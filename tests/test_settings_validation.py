"""Settings are checked where they are read: unknown keys, wrong types, non-finite
numbers and remote URLs from project files are one-line errors naming their origin."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rag.config import Settings
from rag.errors import ConfigError


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in [n for n in os.environ if n.startswith("RAG_")]:
        monkeypatch.delenv(name)
    return monkeypatch


def _load(folder: Path, **overrides) -> Settings:
    return Settings.load(overrides, cwd=folder)


def test_misspelt_key_in_rag_toml_is_named_with_the_closest(tmp_path, clean_env):
    (tmp_path / "rag.toml").write_text("top_kk = 3\n")
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path)
    message = str(caught.value)
    assert "'top_kk'" in message and str(tmp_path / "rag.toml") in message and "did you mean 'top_k'" in message
    assert "\n" not in message


def test_misspelt_key_in_pyproject_tool_rag(tmp_path, clean_env):
    (tmp_path / "pyproject.toml").write_text("[tool.rag]\nretreiver = 'bm25'\n")
    with pytest.raises(ConfigError, match=r"'retreiver'.*pyproject.toml.*did you mean 'retriever'"):
        _load(tmp_path)


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("top_k = 2.9", "top_k = 2.9 .*whole number"),
        ("max_file_mb = true", "max_file_mb = True .*a number"),
        ("retriever = 3", "retriever = 3 .*a string"),
        ("fusion = 'max'", "fusion = 'max' .*one of score, rrf"),
        ("dense_weight = nan", "dense_weight = nan .*finite"),
        ("top_k = 0", "top_k = 0 .*above 0"),
    ],
)
def test_wrong_types_in_a_file_name_key_and_file(tmp_path, clean_env, line, words):
    (tmp_path / "rag.toml").write_text(line + "\n")
    with pytest.raises(ConfigError, match=words) as caught:
        _load(tmp_path)
    assert str(tmp_path / "rag.toml") in str(caught.value)


def test_good_values_keep_their_types_and_origins(tmp_path, clean_env):
    (tmp_path / "rag.toml").write_text("top_k = 4\nmax_file_mb = 2\n")
    clean_env.setenv("RAG_DENSE_WEIGHT", "0.5")
    settings = _load(tmp_path, retriever="bm25")
    assert (settings.top_k, settings.max_file_mb, settings.dense_weight) == (4, 2.0, 0.5)
    assert isinstance(settings.max_file_mb, float)
    assert settings.origin("top_k") == str(tmp_path / "rag.toml")
    assert settings.origin("dense_weight") == "env RAG_DENSE_WEIGHT"
    assert settings.origin("retriever") == "flag"
    assert settings.origin("fusion") == "default"


@pytest.mark.parametrize(
    ("var", "value", "words"),
    [
        ("RAG_DENSE_WEIGHT", "nan", "finite"),
        ("RAG_DENSE_WEIGHT", "inf", "finite"),
        ("RAG_TOP_K", "2.9", "RAG_TOP_K='2.9' must be a whole number"),
        ("RAG_MAX_FILE_MB", "lots", "RAG_MAX_FILE_MB='lots' must be a number"),
    ],
)
def test_bad_env_values_name_the_variable(tmp_path, clean_env, var, value, words):
    clean_env.setenv(var, value)
    with pytest.raises(ConfigError, match=words) as caught:
        _load(tmp_path)
    assert var in str(caught.value)


def test_near_miss_env_var_is_an_error_other_rag_vars_are_not(tmp_path, clean_env):
    clean_env.setenv("RAG_TEST_ROOT", "/elsewhere")
    assert _load(tmp_path).top_k == 10
    clean_env.setenv("RAG_TOPK", "3")
    with pytest.raises(ConfigError, match="RAG_TOPK.*did you mean RAG_TOP_K"):
        _load(tmp_path)


def test_config_and_index_are_found_from_a_parent_folder(tmp_path, clean_env):
    (tmp_path / "rag.toml").write_text("index = 'my-index'\ntop_k = 5\n")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    settings = _load(deep)
    assert settings.top_k == 5
    assert Path(settings.index) == tmp_path / "my-index"  # relative to the file, not to cwd


def test_default_index_is_found_from_a_parent_folder(tmp_path, clean_env):
    (tmp_path / "indexes" / "default").mkdir(parents=True)
    deep = tmp_path / "docs"
    deep.mkdir()
    settings = _load(deep)
    assert Path(settings.index) == tmp_path / "indexes" / "default"
    assert settings.origin("index").startswith("found in")
    assert _load(tmp_path).index == "indexes/default"  # in the folder itself it stays as it was


def test_pyproject_without_tool_rag_is_passed_over(tmp_path, clean_env):
    (tmp_path / "rag.toml").write_text("top_k = 6\n")
    inner = tmp_path / "pkg"
    inner.mkdir()
    (inner / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert _load(inner).top_k == 6


def test_remote_url_from_a_project_file_is_refused(tmp_path, clean_env):
    (tmp_path / "pyproject.toml").write_text("[tool.rag]\ngenerator = 'openai'\nopenai_base_url = 'https://evil.example/v1'\n")
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path)
    message = str(caught.value)
    assert str(tmp_path / "pyproject.toml") in message
    assert "--openai-base-url" in message and "RAG_OPENAI_BASE_URL" in message and "\n" not in message


def test_loopback_url_from_a_file_is_fine_and_remote_from_env_or_flag_too(tmp_path, clean_env):
    (tmp_path / "rag.toml").write_text("openai_base_url = 'http://localhost:11434/v1'\n")
    assert _load(tmp_path).openai_base_url == "http://localhost:11434/v1"
    assert _load(tmp_path, openai_base_url="https://api.example/v1").origin("openai_base_url") == "flag"
    clean_env.setenv("RAG_OPENAI_BASE_URL", "https://api.example/v1")
    assert _load(tmp_path).openai_base_url == "https://api.example/v1"


def test_url_must_be_http(tmp_path, clean_env):
    with pytest.raises(ConfigError, match="not an http"):
        _load(tmp_path, openai_base_url="file:///etc/passwd")


def test_invalid_toml_names_the_file(tmp_path, clean_env):
    (tmp_path / "rag.toml").write_text("top_k = \n")
    with pytest.raises(ConfigError, match="rag.toml: not valid TOML"):
        _load(tmp_path)

"""No corpus knowledge in code: nothing in rag/ names a place, body, scheme or person
of the bundled documents, nor their field's words. What is corpus-specific is learned
from the documents at index time or comes from a user's glossary."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import ROOT, SEEDS

# General words the seeds also capitalise: calendar and language names.
GENERAL = frozenset(
    "January February March April May June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday English Chinese I A An The".split()
)
# The field's own words and the seeds' names, in any case.
FIELD = re.compile(
    r"talent|migra|immigra|\bvisas?\b|\bquotas?\b|legislat|returnee|hong kong|mainland|guangdong|shenzhen|beijing|"
    r"shanghai|greater bay|chief executive|legislative council|policy address|labour and welfare|advisory committee|"
    r"chun-sing|kai-ming|he wang|xian qu|ping-keung|sociology|catering",
    re.I,
)


def _english_words() -> set[str]:
    """Ordinary English words: the embedding model's own vocabulary."""
    from rag.embedding import _minilm_path

    return {line.strip() for line in (_minilm_path() / "vocab.txt").read_text(encoding="utf-8").splitlines()}


def corpus_names() -> set[str]:
    """Names the seeds use (places, bodies, schemes, people): acronyms of three or more
    capitals, and words the seeds only ever capitalise that are not ordinary English."""
    text = " ".join(p.read_text(encoding="utf-8", errors="ignore") for p in SEEDS.iterdir() if p.is_file())
    lower = {w for w in re.findall(r"\b[a-z][a-z-]+\b", text)}
    capitalised = {w for w in re.findall(r"\b[A-Z][A-Za-z-]{2,}\b", text)}
    acronyms = {w for w in capitalised if re.fullmatch(r"[A-Z]{3,}s?", w)}
    english = _english_words()
    rare = {w for w in capitalised if w.lower() not in lower and w.lower() not in english and w not in GENERAL}
    return acronyms | rare


def code_files() -> list[Path]:
    # Help examples in rag/cli/ may use the bundled corpus.
    return [p for p in (ROOT / "rag").rglob("*.py") if "cli" not in p.relative_to(ROOT / "rag").parts]


def test_the_seed_names_are_found_by_the_check():
    names = corpus_names()
    assert len(names) > 20
    assert {"QMAS", "ASMTP", "HKTE"} <= names  # the check can fail: it knows the seeds' names
    assert FIELD.search("the Hong Kong quota") and FIELD.search("Lam Chun-Sing")


def test_no_seed_name_or_field_word_in_code():
    names = corpus_names()
    found = []
    for path in code_files():
        text = path.read_text(encoding="utf-8")
        for word in set(re.findall(r"\b[A-Z][A-Za-z-]{2,}\b", text)) & names:
            found.append(f"{path.relative_to(ROOT)}: {word}")
        found.extend(f"{path.relative_to(ROOT)}: {m.group(0)}" for m in FIELD.finditer(text))
    assert not found, "corpus vocabulary in code:\n" + "\n".join(sorted(found))

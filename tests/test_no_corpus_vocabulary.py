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
# The field's own words, in any case.
FIELD = re.compile(r"talent|migra|immigra|\bvisas?\b|\bquotas?\b|legislat|returnee|hong kong|mainland", re.I)


def corpus_names() -> set[str]:
    """Words the seeds only ever write capitalised (names, places, bodies, schemes),
    and their acronyms."""
    text = " ".join(p.read_text(encoding="utf-8", errors="ignore") for p in SEEDS.iterdir() if p.is_file())
    lower = {w for w in re.findall(r"\b[a-z][a-z-]+\b", text)}
    capitalised = {w for w in re.findall(r"\b[A-Z][A-Za-z-]{2,}\b", text)}
    return {w for w in capitalised if w.lower() not in lower and w not in GENERAL}


def code_files() -> list[Path]:
    # Help examples in rag/cli/ may use the bundled corpus.
    return [p for p in (ROOT / "rag").rglob("*.py") if "cli" not in p.relative_to(ROOT / "rag").parts]


def test_the_seed_names_are_found_by_the_check():
    names = corpus_names()
    assert len(names) > 50
    assert {"QMAS", "Kong"} <= names  # the check can fail: it knows the seeds' names


def test_no_seed_name_or_field_word_in_code():
    names = corpus_names()
    found = []
    for path in code_files():
        text = path.read_text(encoding="utf-8")
        for word in set(re.findall(r"\b[A-Z][A-Za-z-]{2,}\b", text)) & names:
            found.append(f"{path.relative_to(ROOT)}: {word}")
        found.extend(f"{path.relative_to(ROOT)}: {m.group(0)}" for m in FIELD.finditer(text))
    assert not found, "corpus vocabulary in code:\n" + "\n".join(sorted(found))

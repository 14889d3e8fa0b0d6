"""The derived training questions about names and years the documents never mention."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rag.evaluation.gold import GoldQuestion
from rag.text.tokens import content_terms

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "eval"))
from absent_questions import DERIVED, SHARE, derive, name_pool  # noqa: E402


def _gold(n: int, text: str) -> GoldQuestion:
    return GoldQuestion(f"q{n}", text, ("x",), (), True, ())


def test_a_name_or_year_is_swapped_for_one_no_document_holds(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps({"title": t}) for t in ["Lake Bled", "Normandy", "Oslo Fjord"]), encoding="utf-8")
    vocabulary = set(content_terms("The Normans settled in Normandy in 911 under Rollo. The Seine flows to the sea."))
    pool = name_pool(corpus, vocabulary)
    assert "Normandy" not in pool and "Lake Bled" in pool
    questions = [_gold(n, f"When did Rollo reach Normandy in 911 with group {n}?") for n in range(40)]
    derived = derive(questions, vocabulary, {"911"}, pool)
    assert derived and len(derived) <= len(questions) * SHARE
    for gold in derived:
        assert gold.id.endswith(DERIVED) and not gold.answerable and gold.answers == ()
        original = next(q for q in questions if q.id + DERIVED == gold.id)
        assert gold.question != original.question
        new_words = set(content_terms(gold.question)) - set(content_terms(original.question))
        assert new_words and not new_words & vocabulary
    assert [g.question for g in derive(questions, vocabulary, {"911"}, pool)] == [g.question for g in derived]

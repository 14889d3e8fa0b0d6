"""Gold questions: one JSON object a line, checked field by field on load."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.errors import InputError

ANSWER_WORD_LIMIT = 60  # a direct answer says what was asked, not the whole passage
LIST_WORD_LIMIT = 100  # list answers need room for every member


@dataclass(frozen=True)
class GoldEvidence:
    source: str  # file name in the corpus, or a jsonl record id
    quote: str


@dataclass(frozen=True)
class GoldQuestion:
    id: str
    question: str
    answers: tuple[str, ...]
    all_of: tuple[tuple[str, ...], ...]
    answerable: bool
    evidence: tuple[GoldEvidence, ...]

    @property
    def is_list(self) -> bool:
        return bool(self.all_of)

    @property
    def word_limit(self) -> int:
        return LIST_WORD_LIMIT if self.is_list else ANSWER_WORD_LIMIT

    def gold_strings(self) -> tuple[str, ...]:
        """Every string that, found in a cited passage, shows it holds (part of) the answer."""
        return self.answers + tuple(member for alternatives in self.all_of for member in alternatives)


class _Bad(Exception):
    """One problem with one line; load_gold adds the path and line number."""


def load_gold(path: Path) -> list[GoldQuestion]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read it ({exc}); give a UTF-8 .jsonl file of gold questions") from None
    questions: list[GoldQuestion] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            question = parse_gold(json.loads(line))
            if question.id in seen:
                raise _Bad(f"id '{question.id}' is used twice")
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not valid JSON ({exc.msg}); fix that line") from None
        except _Bad as exc:
            raise InputError(f"{path}:{number}: {exc}; fix that line (format: id, question, answers, all_of, answerable, evidence)") from None
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise InputError(f"{path}: no gold questions in it; write one JSON object a line")
    return questions


def parse_gold(record: Any) -> GoldQuestion:
    if not isinstance(record, dict):
        raise _Bad("not a JSON object")
    answerable = record.get("answerable", True)
    if not isinstance(answerable, bool):
        raise _Bad("'answerable' must be true or false")
    question = GoldQuestion(
        id=_text(record, "id"),
        question=_text(record, "question"),
        answers=_strings(record.get("answers", []), "answers"),
        all_of=tuple(_strings(alts, "all_of", non_empty=True) for alts in _list(record.get("all_of", []), "all_of")),
        answerable=answerable,
        evidence=tuple(_evidence(item) for item in _list(record.get("evidence", []), "evidence")),
    )
    if answerable and not question.answers and not question.all_of:
        raise _Bad("an answerable question needs 'answers' or 'all_of'")
    if not answerable and (question.answers or question.all_of):
        raise _Bad("an unanswerable question cannot have 'answers' or 'all_of'")
    return question


def _text(record: dict, key: str) -> str:
    value = record.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _Bad(f"'{key}' must be a non-empty string")
    return value


def _list(value: Any, key: str) -> list:
    if not isinstance(value, list):
        raise _Bad(f"'{key}' must be a list")
    return value


def _strings(value: Any, key: str, non_empty: bool = False) -> tuple[str, ...]:
    items = _list(value, key)
    if not all(isinstance(v, str) and v.strip() for v in items):
        raise _Bad(f"'{key}' must hold non-empty strings")
    if non_empty and not items:
        raise _Bad(f"'{key}' holds an empty list of alternatives")
    return tuple(items)


def _evidence(item: Any) -> GoldEvidence:
    if not isinstance(item, dict):
        raise _Bad("each 'evidence' item must be an object with 'source' and 'quote'")
    return GoldEvidence(_text(item, "source"), _text(item, "quote"))

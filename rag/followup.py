"""Follow-up questions rewritten into standalone ones, so retrieval sees what they refer to."""

from __future__ import annotations

import re

from rag.generation import Generator
from rag.prompts import render
from rag.text.tokens import content_terms

_REFERS_BACK = re.compile(r"\b(it|its|they|them|their|that|this|those|these|there|he|she|his|her|the same|what about|how about|and in)\b", re.I)
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def needs_rewrite(question: str, history: list[str]) -> bool:
    return bool(history) and (bool(_REFERS_BACK.search(question)) or len(question.split()) <= 4)


def rewrite(question: str, history: list[str], generator: Generator | None) -> str:
    if not needs_rewrite(question, history):
        return question
    previous = history[-1]
    by_rule = _swap_year(question, previous)
    if by_rule:
        return by_rule
    if generator is not None and generator.name != "extractive":
        drafted = "".join(generator.generate(render("rewrite", history="\n".join(history[-3:]), question=question), 48)).strip()
        if _keeps_meaning(question, drafted):
            return drafted.splitlines()[0]
    return f"{question.rstrip('?')} ({previous.rstrip('?')})?"


def _swap_year(question: str, previous: str) -> str | None:
    """'And in 2020?' after a question about 2019 asks the same about 2020."""
    new, old = _YEAR.findall(question), _YEAR.findall(previous)
    leftover = set(content_terms(_YEAR.sub("", question)))
    if len(new) == 1 and len(old) == 1 and not leftover - {"about"}:
        return previous.replace(old[0], new[0])
    return None


def _keeps_meaning(question: str, drafted: str) -> bool:
    if not drafted or len(drafted) > 300:
        return False
    asked = set(content_terms(question))
    return asked <= set(content_terms(drafted))

"""Follow-up questions made standalone, so retrieval sees what they refer to.

Only real follow-ups change: a pronoun or demonstrative with nothing to point at in its
own question ("What did he find?", "who said that?"), or an elliptical fragment ("and in
2021?", "what about the UK?"). They are resolved by rule to the entity of the last turn;
no model is asked, so the rewrite is predictable and a standalone question is never touched.
"""

from __future__ import annotations

from rag.followup import chinese, english
from rag.followup.turn import Turn

__all__ = ["Turn", "needs_rewrite", "resolve", "rewrite"]

def needs_rewrite(question: str, last: Turn | None) -> bool:
    if last is None:
        return False
    if chinese.is_chinese(question):
        return chinese.refers_back(question)
    return english.refers_back(question)


def resolve(question: str, last: Turn | None) -> str:
    """The question made standalone against the last turn; unchanged when it already is,
    or when the last turn names nothing it could refer to."""
    if last is None or not question.strip():
        return question
    if chinese.is_chinese(question):
        return chinese.resolve(question, last) or question
    return english.resolve(question, last) or question


def rewrite(question: str, history: list[str], generator: object = None) -> str:
    """Compatibility form: resolve against the last of the previous questions."""
    return resolve(question, Turn(history[-1]) if history else None)

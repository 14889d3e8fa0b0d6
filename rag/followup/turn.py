"""The previous turn of a conversation, as follow-up resolution sees it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Turn:
    """What a follow-up can refer back to: the last question and what was answered."""

    question: str
    answer: str = ""
    abstained: bool = False
    short_answer: str = ""  # the answer's core phrase when the engine gives one

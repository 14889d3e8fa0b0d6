"""Matching answers, quotes and sources after normalisation: plain string functions."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

# "[1]", "[1, 2]", "[1][2]": citation markers are not part of what the answer says.
_MARKER = re.compile(r"\[\d+(?:\s*[,;–-]\s*\d+)*\]")
# A space, comma or narrow space between a digit and a group of exactly three digits
# is digit grouping: "9 131", "9,131" and "9\u00a0131" are all 9131.
_GROUP_SEPARATOR = re.compile(r"(?<=\d)[ ,\u00a0\u2007\u2009\u202f](?=\d{3}(?!\d))")
_NOT_WORD = re.compile(r"[\W_]+")
_WORDY = re.compile(r"\w")
# How many extra tokens may sit between two consecutive quote tokens: table rows are
# written as "2019: Units Sold 5 896; Returns 874", while a quote
# copies the printed row "2019 5 896 874".
QUOTE_GAP = 6


def strip_markers(text: str) -> str:
    return _MARKER.sub(" ", text)


def normalize(text: str, *, join_digit_groups: bool = True) -> str:
    """Lower case, no accents or punctuation, single spaces; digit groups joined or split by one space.

    Both forms are needed: joined, "9131" equals "9 131"; split, a row "2019 5 896 874"
    still shows "5 896" and "874" as separate numbers.
    """
    text = unicodedata.normalize("NFKD", strip_markers(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = _GROUP_SEPARATOR.sub("" if join_digit_groups else " ", text.replace("%", " percent "))
    text = unicodedata.normalize("NFKC", text)
    return " ".join(_NOT_WORD.sub(" ", text).split())


def _token_forms(text: str) -> tuple[list[str], list[str]]:
    return normalize(text, join_digit_groups=False).split(), normalize(text).split()


def contains_phrase(text: str, phrase: str) -> bool:
    """The phrase appears in the text as whole tokens, after normalisation."""
    for hay, needle in zip(_token_forms(text), _token_forms(phrase)):
        if needle and _contiguous(hay, needle):
            return True
    return False


def _contiguous(hay: Sequence[str], needle: Sequence[str]) -> bool:
    size = len(needle)
    return any(hay[i : i + size] == list(needle) for i in range(len(hay) - size + 1))


def matches_any(text: str, answers: Iterable[str]) -> bool:
    return any(contains_phrase(text, answer) for answer in answers)


def matches_all_of(text: str, all_of: Iterable[Iterable[str]]) -> bool:
    """Every alternative-list has at least one member in the text."""
    return all(matches_any(text, alternatives) for alternatives in all_of)


def answer_matches(text: str, answers: Sequence[str], all_of: Sequence[Sequence[str]]) -> bool:
    """Any of `answers` appears, and every list in `all_of` is covered (either may be empty)."""
    if not answers and not all_of:
        return False
    return (not answers or matches_any(text, answers)) and matches_all_of(text, all_of)


def word_count(text: str) -> int:
    """Words a reader reads: citation markers and lone punctuation do not count."""
    return sum(1 for piece in strip_markers(text).split() if _WORDY.search(piece))


def contains_quote(text: str, quote: str, gap: int = QUOTE_GAP) -> bool:
    """The quote's tokens appear in order, each at most `gap` tokens after the one before."""
    for hay, needle in zip(_token_forms(text), _token_forms(quote)):
        if needle and _ordered_within(hay, needle, gap):
            return True
    return False


def _ordered_within(hay: Sequence[str], needle: Sequence[str], gap: int) -> bool:
    reachable = {i for i, token in enumerate(hay) if token == needle[0]}
    for token in needle[1:]:
        reachable = {j for j, t in enumerate(hay) if t == token and any(0 < j - i <= gap + 1 for i in reachable)}
        if not reachable:
            return False
    return bool(reachable)


def source_matches(cited: str, gold: str) -> bool:
    """A cited path names the gold file; "FILE.jsonl#ID" also matches the bare record id."""
    cited_name, gold_name = _file_name(cited), _file_name(gold)
    if cited_name == gold_name:
        return True
    _, _, record_id = cited_name.partition("#")
    return bool(record_id) and record_id == gold_name


def _file_name(path: str) -> str:
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]

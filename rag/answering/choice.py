"""Questions that offer two options and ask which is first, later, more or less
("Which opened first: the A or the B?"): each option's own sentence gives a date or an
amount, and the two are compared; both sentences are cited."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from rag.answering.corpus import CorpusStats
from rag.answering.features import weighted_share
from rag.answering.records import Candidate, Question, Scored, Selection
from rag.answering.spans import locate_span
from rag.text.dates import date_order
from rag.text.numbers import first_quantity
from rag.text.tokens import content_terms

_OPTIONS = re.compile(r"^(?P<head>.+?)[:,]\s*(?:the\s+)?(?P<a>[^:,?]+?),?\s+or\s+(?:the\s+)?(?P<b>[^:,?]+?)\s*\?*\s*$", re.I)
# (cue words, the kind of value compared, whether the larger wins); a question about a
# cost, fee, price or pay compares amounts of money.
_CUES = (
    (r"\b(?:first|earlier|earliest|sooner|older)\b", "date", False),
    (r"\b(?:later|latest|more recently|newer|last)\b", "date", True),
    (r"\b(?:more|higher|larger|bigger|greater|most|longer|dearer|more expensive)\b", "number", True),
    (r"\b(?:fewer|less|lower|smaller|least|shorter|cheaper)\b", "number", False),
)
_MONEY_WORDS = re.compile(r"\b(?:costs?|fees?|prices?|pay|pays|paid|salary|salaries|wages?|expensive|cheaper|dearer|charges?)\b")
# An option's own words a sentence must hold (IDF-weighted) to speak of that option.
OPTION_COVERAGE = 0.6
# Words between a value and what is asked of it ("opened on <date>") that cost as much as
# the asked word missing from the sentence: a value that far is about something else.
ASKED_REACH = 20


def option_queries(text: str) -> list[str]:
    """One search per option of a two-option question, with what it asks of them: the
    passage about the second option may share too few words with the whole question."""
    parsed = _parse(text)
    if parsed is not None:
        _, _, options, asked = parsed
        return [f"{option} {' '.join(sorted(asked))}".strip() for option in options]
    return []


def choice_answer(question: Question, units: Sequence[Candidate], probabilities: np.ndarray,
                  stats: CorpusStats) -> Selection | None:
    parsed = _parse(question.text)
    if parsed is None:
        return None
    kind, larger_wins, options, asked = parsed
    found = []
    for option, other in (options, options[::-1]):
        value = _value_of(option, other, asked, kind, units, probabilities, stats)
        if value is None:
            return None
        found.append(value)
    (a_value, a_unit, a_span), (b_value, b_unit, b_span) = found
    if a_value == b_value or a_unit.text == b_unit.text:
        return None
    a_wins = (a_value > b_value) == larger_wins
    winner = options[0] if a_wins else options[1]
    worked = f"{options[0]}: {a_span}; {options[1]}: {b_span}"
    units_cited = (Scored(a_unit, 1.0, a_span), Scored(b_unit, 1.0, b_span))
    return Selection(question, units_cited, 1.0, None, winner, worked)


def _parse(text: str) -> tuple[str, bool, tuple[str, str], set[str]] | None:
    """The kind of value compared, whether the larger wins, the two options, and what the
    question says of them ("opened", "fees") without its comparing words."""
    match = _OPTIONS.match(text.strip())
    if not match:
        return None
    head = match.group("head").lower()
    if not head.startswith(("which", "what", "who")):
        return None
    for cue, kind, larger_wins in _CUES:
        if re.search(cue, head):
            if kind == "number" and _MONEY_WORDS.search(head):
                kind = "money"
            asked = set(content_terms(re.sub(cue, " ", head))) - {"which", "what", "who"}
            return kind, larger_wins, (match.group("a").strip(), match.group("b").strip()), asked
    return None


def _value_of(option: str, other: str, asked: set[str], kind: str, units: Sequence[Candidate],
              probabilities: np.ndarray, stats: CorpusStats) -> tuple[object, Candidate, str] | None:
    """The sentence that best says what the question asks ("opened") of this option and
    not only of the other, with the value of the kind asked for nearest its words."""
    theirs = set(content_terms(other))
    own = [t for t in dict.fromkeys(content_terms(option)) if t not in theirs]
    if not own:
        return None
    weights, asked_weights = {t: stats.idf(t) for t in own}, {t: stats.idf(t) for t in asked}
    probe = Question(text=option, kind=kind, terms=tuple(own) + tuple(asked), numbers=(), names=(), negated=False)
    best = None
    for i in np.argsort(-probabilities):
        unit = units[int(i)]
        if weighted_share(weights, stats.close(content_terms(unit.context))) < OPTION_COVERAGE:
            continue
        said = stats.close(content_terms(unit.text))
        located = locate_span(probe, unit.text, stats.names)
        value = _read(kind, located[0]) if located else None
        if value is None:
            continue
        # Nearer is better: the option named in the sentence or beside it, not only in
        # the heading; what the question asks of it ("opened") in the sentence counts most.
        near = stats.close(content_terms(f"{unit.before} {unit.text} {unit.after}"))
        score = weighted_share(weights, near) + 2 * weighted_share(asked_weights, said) \
            - _words_between(unit.text, located[1], located[2], asked) / ASKED_REACH
        if best is None or score > best[0]:
            best = (score, (value, unit, located[0]))
    return best[1] if best else None


def _words_between(text: str, start: int, end: int, asked: set[str]) -> int:
    """Words from the span to the nearest word of what is asked (the sentence's length
    when none is there)."""
    words = list(re.finditer(r"\w[\w'’-]*", text))
    hits = [i for i, w in enumerate(words) if set(content_terms(w.group(0))) & asked]
    if not hits:
        return len(words)
    at = next((i for i, w in enumerate(words) if w.start() >= start), len(words))
    after = next((i for i, w in enumerate(words) if w.start() >= end), len(words))
    return min(min(abs(h - at), abs(h - after)) for h in hits)


def _read(kind: str, span: str):
    if kind == "date":
        return date_order(span)
    quantity = first_quantity(span)
    return quantity.value if quantity else None

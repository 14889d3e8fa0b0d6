"""The short answer inside a unit: a span of the type the question asks for,
not given by the question, nearest to the question's words in the unit."""

from __future__ import annotations

import re
from collections.abc import Iterator

from rag.answering.records import Question
from rag.text.acronyms import defined_acronyms
from rag.text.names import NameKinds
from rag.text.patterns import ACRONYM, CALENDAR_WORD, CAPITALISED_RUN, CODE, DATE, DECADE, LABEL_NUMBER, MONEY, NUMBER, NUMBER_WORD, PERCENT, SPLIT_YEAR, TIME, YEAR
from rag.text.numbers import plain_numbers, stated_bounds, within_bounds
from rag.text.tokens import STOPWORDS, content_terms, join_digit_groups, stem

# "15 working days", "three calendar months": a qualifier may stand between the count and its unit.
_TIME_UNIT = r"(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|centuries|century)\b"
_DURATION_UNIT = r"\s*(?:-\s*)?(?:(?:working|business|calendar|clear|school|academic|consecutive)\s+)?" + _TIME_UNIT
_DURATION_COUNT = r"(?:\b\d+(?:\.\d+)?|" + NUMBER_WORD.pattern + r")"
# "five to ten years", "3-6 months": a range of lengths is one length of time.
_DURATION = re.compile(rf"(?:{_DURATION_COUNT}\s*(?:-|–|to)\s*)?{_DURATION_COUNT}{_DURATION_UNIT}", re.I)
# "How many years ...?" is answered by a length of time; any other count is not one.
_ASKS_TIME = re.compile(r"\bhow many (?:\w+ )?" + _TIME_UNIT, re.I)
# The kinds of question answered by a span of a shape ("what is ..." and yes/no are not).
SPAN_KINDS = ("money", "percent", "amount", "number", "date", "time", "duration", "person", "place")
# Words that open a capitalised run without being part of a name ("Dear Ms Novak").
_NAMEISH_STOP = STOPWORDS | {"however", "although", "during", "after", "before", "since", "today", "yes", "dear", "yours"}


def matches(kind: str, text: str) -> Iterator[re.Match]:
    """Every span of the kind in the text, in order."""
    if kind == "money":
        yield from MONEY.finditer(text)
    elif kind == "percent":
        yield from PERCENT.finditer(text)
    elif kind == "number":
        yield from _counts(text)
    elif kind == "amount":
        # A sum of money, a measure or a share ("how much of the allowance"); a length of
        # time answers "how long" instead.
        durations = [m.span() for m in _DURATION.finditer(text)]
        counts = [m for m in _counts(text) if not any(start <= m.start() < end for start, end in durations)]
        yield from _outermost([*MONEY.finditer(text), *PERCENT.finditer(text), *counts])
    elif kind == "date":
        spans = [*DATE.finditer(text), *DECADE.finditer(text), *YEAR.finditer(text)]
        yield from _outermost(spans)
    elif kind == "time":
        yield from TIME.finditer(text)
    elif kind == "duration":
        yield from _DURATION.finditer(text)
    elif kind == "person":
        # An acronym alone names a body, not a person.
        yield from (m for m in _names(text) if not ACRONYM.fullmatch(m.group(0)))
    elif kind == "place":
        yield from _names(text)


def _counts(text: str) -> Iterator[re.Match]:
    spans = [*NUMBER.finditer(text), *NUMBER_WORD.finditer(text)]
    # The day of "30 September 2025", the 5 of "5 percent", of "$5 million", of "KT-5" or the
    # 24 of "2023/24" counts nothing.
    taken = [m.span() for pattern in (DATE, PERCENT, MONEY, CODE, SPLIT_YEAR) for m in pattern.finditer(text)]
    for match in _outermost(spans):
        if any(start <= match.start() < end for start, end in taken):
            continue
        after = text[match.end(): match.end() + 3]
        if YEAR.fullmatch(match.group(0)) or re.match(r"\s*(?:%|:\d)", after):
            continue  # a year, a percentage or a clock time is not a count
        if LABEL_NUMBER.search(text[max(0, match.start() - 12): match.start()]):
            continue  # "Table 2", "No. 814": a number that names something
        yield match


def _outermost(spans: list[re.Match]) -> list[re.Match]:
    """Overlapping matches keep the longest: "6 December 2024", not "2024"."""
    kept: list[re.Match] = []
    for match in sorted(spans, key=lambda m: (m.start(), -(m.end() - m.start()))):
        if kept and match.start() < kept[-1].end():
            continue
        kept.append(match)
    return kept


def _names(text: str) -> Iterator[re.Match]:
    for match in CAPITALISED_RUN.finditer(text):
        first = match.group(0).split()[0].lower().strip("'’.-")
        if match.start() == 0 and len(match.group(0).split()) == 1:
            continue  # one capitalised word opening the sentence is grammar, not a name
        if first in _NAMEISH_STOP or CALENDAR_WORD.fullmatch(match.group(0)):
            continue
        words = match.group(0).split()
        if len(words) >= 3 and all(w.isupper() for w in words if len(w) > 2):
            continue  # a heading in capitals ("ANNUAL REPORT OF THE BOARD"), not a name
        yield match


def find_span(question: Question, text: str, names: NameKinds | None = None) -> str | None:
    """The typed span nearest the question's words that the question does not already give."""
    if question.kind == "acronym":
        return _long_form(question.text, text)
    located = locate_span(question, text, names)
    return located[0] if located else None


def locate_span(question: Question, text: str, names: NameKinds | None = None) -> tuple[str, int, int] | None:
    """The typed span of `find_span` with where it stands in the text (start, end). A name
    the documents use as the other kind (a place for "who") gives way to one they do not."""
    if question.kind not in SPAN_KINDS:
        return None
    asked = set(question.terms) | set(question.names)
    given = {join_digit_groups(n) for n in question.numbers}
    anchors = [m.start() for m in re.finditer(r"[A-Za-z][\w'’-]*", text) if stem(m.group(0)) in asked]
    # A value the sentence ties to a range holding the question's number ("CV$ 7,100 for
    # those aged 40 or over" when "I'm 41") is nearer the question than any word.
    conditions = [at for n in given - plain_numbers(text) for at in within_bounds(n, stated_bounds(text))]
    anchors = [start for start, _ in conditions] or anchors
    # The ends of that range are its condition, not the answer; and "how many ferries" is
    # not answered by the 5 of "5 years".
    excluded = conditions
    if question.kind == "number" and not _ASKS_TIME.search(question.text):
        excluded = excluded + [m.span() for m in _DURATION.finditer(text)]
    best, best_distance = None, None
    for match in matches(question.kind, text):
        span = match.group(0).strip(" ,.;:")
        inside = any(start <= match.start() < end for start, end in excluded)
        if not span or join_digit_groups(span) in given or _restates(span, asked) or inside:
            continue
        distance = (_other_kind(question.kind, span, names), min((abs(match.start() - a) for a in anchors), default=0))
        if best_distance is None or distance < best_distance:
            best, best_distance = (span, match.start(), match.end()), distance
    return best


def _other_kind(kind: str, span: str, names: NameKinds | None) -> bool:
    if names is None or kind not in ("person", "place"):
        return False
    leaning = names.leaning(span)
    return leaning is not None and leaning != kind


def _long_form(question: str, text: str) -> str | None:
    """What an acronym of the question stands for, where the text spells it out."""
    defined = defined_acronyms(text)
    for acronym in ACRONYM.findall(question):
        long = defined.get(acronym) or defined.get(acronym.removesuffix("s"))
        if long:
            return long
    return None


def _restates(span: str, asked: set[str]) -> bool:
    """A name made only of the question's own words is what it asks about, not the answer."""
    terms = set(content_terms(span))
    return bool(terms) and terms <= asked


def has_span(question: Question, text: str) -> bool:
    return find_span(question, text) is not None

"""The typed answer inside a piece of evidence: a count, a percentage, a date, a time,
a sum of money, a person, or what an acronym stands for."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from rag.aliases import LONG_FORM, long_form
from rag.question import Question
from rag.tables_qa import answer_from_row, row_label
from rag.text.tokens import STOPWORDS, content_terms, join_digit_groups, numbers_in

if TYPE_CHECKING:
    from rag.evidence import EvidenceUnit

_PERCENT = re.compile(r"\d+(?:\.\d+)?\s*(?:%|percent\b|per cent\b)")
_DATE = re.compile(
    r"\b\d{1,4}/\d{1,2}/\d{2,4}\b|\b(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"(?:\s+\d{1,2}\b)?(?:,?\s+\d{4})?|\b(?:late |early |mid-)?(?:1[89]\d\d|20\d\d)s?\b"
)
_NUMBER = re.compile(r"\b\d[\d,.\u00a0 ]*\d\b|\b\d\b")
_PERSON = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)*(?:[ -][A-Z][a-z]+-[A-Za-z][a-z]+|\s+[A-Z][a-z]+)")
# Words written before a name that are not part of it.
_TITLES = frozenset("legislator lawmaker mr mrs ms dr hon professor prof director secretary under chief executive welfare labour security".split())
_TIME = re.compile(r"\b\d{1,2}:\d{2}\s*(?:AM|PM|am|pm|a\.m\.|p\.m\.)?")
_MONEY = re.compile(r"(?:HK\$|US\$|RMB|\$|€|£|¥)\s?\d[\d,.]*(?:\s?(?:million|billion|m|bn))?|\b\d[\d,.]*\s?(?:dollars|yuan|euros|pounds)\b", re.I)
_ORGANISATION = re.compile(r"\b(Committee|Council|Government|Department|Bureau|Office|Scheme|Hong Kong|China|University|Legislative|Admission|Area|Plan|Policy|Address|Secretary|Director|Chief|Executive|Immigration|Talent|Pass|Asia|Asian|East|West|North|South|Europe|America|Middle|Pacific|Bay|Province|Region|Kingdom|States|Republic|Island|Islands)\b")
_YEAR_ONLY = re.compile(r"^(1[89]\d\d|20\d\d)$")


def find_span(question: Question, unit: EvidenceUnit, ordinary: set[str] = frozenset(),
              people: Mapping[str, Sequence[str]] | None = None) -> str | None:
    if unit.chunk.kind == "table":
        return _row_span(question, unit.chunk)
    text = unit.text
    if question.kind == "percent":
        return _nearest(_PERCENT, text, question.text)
    if question.kind == "money":
        return _nearest(_MONEY, text, question.text)
    if question.kind == "time":
        return _first(_TIME, text)
    if question.kind == "date":
        return _date(text, question.text)
    if question.kind == "number":
        return _counted_number(text, question.text)
    if question.kind == "person":
        name = labelled(text) or _person(text, question.text, ordinary, (people or {}).get(unit.chunk.source, ()))
        if not name or _is_the_one_asked_about(name, question) or not _holds_role(text, name, question.text):
            return None
        return name
    if question.kind == "acronym":
        return _expansion(text, question.text)
    return None


_LABELLED_PERSON = re.compile(r"^(?:Authors?|Advisors?|Advisers?|Supervisors?|Speakers?|Presenters?|Editors?|Chair|By)\s*:\s*(.+)$")


def labelled(text: str) -> str | None:
    match = _LABELLED_PERSON.match(text.strip())
    return match.group(1).strip() if match else None


def _expansion(text: str, question: str) -> str | None:
    """'Economic and Trade Offices (ETOs)' answers 'What are ETOs?'."""
    for acronym in re.findall(r"\b([A-Z]{2,})s?\b", question):
        match = re.search(LONG_FORM + acronym + r"s?\s*\)", text)
        long = long_form(match.group(1), acronym) if match else None
        if long:
            return long
    return None


def _person(text: str, question: str, corpus_ordinary: set[str] = frozenset(), known: Sequence[str] = ()) -> str | None:
    """A capitalised run that is a name: none of its words is also used as an ordinary word.
    A surname alone ("Lam suggested ...") is the full name the document gives elsewhere."""
    name = next(people_in(text, question, corpus_ordinary), None)
    return name or _surname(text, question, known)


def _surname(text: str, question: str, known: Sequence[str]) -> str | None:
    asked = {w.lower() for w in re.findall(r"[A-Za-z\-]+", question)}
    for word in re.findall(r"\b[A-Z][a-z]+\b(?!-)", text):
        if word.lower() in asked or word.lower() in _TITLES:
            continue
        full = {name for name in map(without_titles, known) if word in name.split()}
        if len(full) == 1:
            return full.pop()
    return None


def without_titles(name: str) -> str:
    """'Legislator Lam Chun-Sing' -> 'Lam Chun-Sing'."""
    words = name.split()
    while len(words) > 1 and words[0].lower() in _TITLES:
        words = words[1:]
    return " ".join(words)


def people_in(text: str, question: str = "", corpus_ordinary: set[str] = frozenset()) -> Iterator[str]:
    ordinary = set(re.findall(r"(?<![\w-])[a-z][a-z\-]+\b", text)) | corpus_ordinary
    asked = {w.lower() for w in re.findall(r"[A-Za-z\-]+", question)}
    for match in _PERSON.finditer(text):
        words = match.group(0).split()
        while words and words[0].lower() in asked:
            words = words[1:]  # "Welfare Ho Kai-ming": the end of the role asked about, then the name
        name = " ".join(words)
        parts = re.split(r"[ -]", name)
        if not name or (len(words) < 2 and "-" not in name) or _ORGANISATION.search(name) or {w.lower() for w in words} & asked:
            continue
        if any(p.lower() in ordinary or p.lower() in STOPWORDS for p in parts) or len(name.split()) > 4:
            continue
        yield name


_MONTH = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\b(?:\s+\d{1,2}\b)?(?:,?\s+\d{4})?")
_YEAR_SPAN = re.compile(r"\b(?:late |early |mid-)?(?:1[89]\d\d|20\d\d)s?\b")


def _date(text: str, question: str) -> str | None:
    """The date form asked for: a month for 'which month', a year for 'which year'."""
    asked = question.lower()
    if re.search(r"\b(what|which|in) month\b", asked):
        return _first(_MONTH, text, exclude=question)
    if re.search(r"\b(what|which|in) year\b", asked):
        return _first(_YEAR_SPAN, text, exclude=question) or _first(_DATE, text, exclude=question)
    return _first(_DATE, text, exclude=question) or _first(_TIME, text)


def _row_span(question: Question, row) -> str | None:
    """The cell a row gives for the kind asked: a percentage only from a percentage
    column, and a date only as the row's year when the question gives the row's value
    ('In which year were 874 quotas allotted?')."""
    if question.kind == "date":
        given = set(numbers_in(question.text))
        values = {join_digit_groups(cell) for cell in row.cells[1:]}
        label = row_label(row)
        asks_row = bool(given & values) or question.superlative is not None  # "the year with the most ..."
        return label if asks_row and re.search(r"\b(1[89]|20)\d\d\b", label) else None
    if question.kind not in ("number", "percent", "other"):
        return None
    value = answer_from_row(question, row)
    if question.kind == "percent" and value and "%" not in value:
        return None
    return value


def _nearest(pattern: re.Pattern, text: str, question: str) -> str | None:
    """Of several matches, the one whose neighbouring words the question uses:
    '40 percent ... graduated overseas, and 25 percent hold foreign passports'."""
    asked = set(content_terms(question))
    best, best_overlap = None, -1
    for match in pattern.finditer(text):
        # The clause the value stands in: "and 25 percent hold foreign passports".
        before = re.split(r"[,;:.]", text[: match.start()])[-1]
        after = re.split(r"[,;:]|\.\s", text[match.end():])[0]
        around = before + " " + after
        overlap = len(asked & set(content_terms(around)))
        if overlap > best_overlap and match.group(0).strip() not in question:
            best, best_overlap = match.group(0).strip(), overlap
    return best


def _first(pattern: re.Pattern, text: str, exclude: str = "") -> str | None:
    for match in pattern.finditer(text):
        if match.group(0).strip() and match.group(0) not in exclude:
            return match.group(0).strip()
    return None


_HOW_MANY = re.compile(r"\bhow many ((?:[\w-]+\s+){0,3}?[\w-]+?)\s+(?:were|was|are|is|have|has|had|did|do|does|went|came|got|applied|from|in|under|had|will|would|could|can)\b", re.I)
# Counted nouns general enough that any count of people may answer them.
_PEOPLE = frozenset("people persons individuals talents professionals applicants migrants".split())


def counted_noun(question: str) -> str | None:
    """'How many mainland professionals were admitted' -> 'professionals'."""
    match = _HOW_MANY.search(question)
    return match.group(1).split()[-1].lower() if match else None


def _counted_number(text: str, question: str) -> str | None:
    """'How many X': a number that counts X ('56 semi-structured interviews' counts
    interviews, not professionals); a question without a clear noun takes the first count."""
    noun = counted_noun(question)
    if noun is None:
        return _first_number(text, question)
    for match in _NUMBER.finditer(text):
        value = _first_number(match.group(0), question)
        following = re.findall(r"[A-Za-z][\w-]*", text[match.end():])[:3]
        if value and any(w.lower()[:5] == noun[:5] for w in following):
            return value
    return None


def _is_the_one_asked_about(name: str, question: Question) -> bool:
    """'Who supervised Xian Qu's dissertation?' is not answered by 'Qu, Xian'."""
    people = [n for n in question.names if n not in ("he", "she")]
    return len(people) >= 2 and set(people) <= {w.lower() for w in re.findall(r"[A-Za-z][\w-]*", name)}


def _holds_role(text: str, name: str, question: str) -> bool:
    """'Who is the Director of Immigration?' is answered by a name next to that title,
    not by any name in a sentence that mentions the title."""
    match = re.match(r"^\s*who (?:is|was) (?:the |hong kong's |the current )?(.+?)\??$", question, re.I)
    if not match:
        return True
    # The head of the title: "Director" in "Director of Immigration".
    head = re.split(r"\s+(?:of|for|at|in)\s+", match.group(1), maxsplit=1)[0].split()
    if not head:
        return True
    at = text.find(name)
    window = text[max(0, at - 40): at + len(name) + 40].lower()
    return head[-1].lower()[:5] in window


def _first_number(text: str, question: str) -> str | None:
    """A count: not a year, not a percentage, not a number the question already gives."""
    for match in _NUMBER.finditer(text):
        value = match.group(0).strip(" ,.")
        after = text[match.end() : match.end() + 9].lower()
        if _YEAR_ONLY.match(value) or value in question or after.lstrip().startswith(("%", "percent", "per cent")):
            continue
        if re.match(r"\s*(?:/|:\d|\s*(?:am|pm)\b)", text[match.end() :], re.I):
            continue  # a date or a clock time, not a count
        return value
    return None

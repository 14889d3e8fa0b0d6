"""Labelled fields: the "Label: value" lines of front matter, forms, catalogue records
and cover pages ("Date: 12 May 2020", or "Advisor:" with the value on the next line),
the signature under a letter's closing, and the terms an agreement defines
('Margaret Ellison ("the Landlord")'). A field says what its value is, so a question
naming the label asks for the value."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from rag.text.patterns import CAPITALISED_RUN
from rag.text.sentences import split_sentences, without_marker
from rag.text.tokens import IDENTIFIER_NOUNS

# A label is a short noun phrase that starts with a capital and ends with a colon;
# anything longer, or holding sentence punctuation, is prose that happens to have a colon.
MAX_LABEL_WORDS = 3
# A value past this is a paragraph under a heading ("Abstract:"), not a field's value.
MAX_VALUE_WORDS = 30
_SLASHED = re.compile(r"\s+/\s+")
# The closing of a letter: the lines after it name who signed it and, often, their post.
_VALEDICTION = re.compile(
    r"^(?:yours\s+(?:sincerely|faithfully|truly)|sincerely(?:\s+yours)?|(?:with\s+)?(?:kind|best|warm)\s+(?:regards|wishes)"
    r"(?:\s+for\s+[\w' ]{1,30})?|regards)[,.]?$",
    re.I)
_SIGNER_NAME = re.compile(r"^(?:[A-Z][\w'’.-]*\s+){0,4}[A-Z][\w'’.-]*$")
MAX_POST_WORDS = 8
# '("the Landlord")', "(the 'Company')": a term an agreement defines for the name before it.
_DEFINED_TERM = re.compile(r"""\(\s*(?:the\s+)?["“'‘](?:the\s+)?([A-Z][\w'’ -]{0,38}[\w])["”'’]\s*\)""")
MAX_DEFINED_NAME = 120  # characters before the parenthesis that can hold the defined name
# The signer's name answers "who signed"; their post is asked for by any of these nouns.
SIGNER, SIGNER_POSTS = "Signer", ("Signer position", "Signer title", "Signer role")
_LABEL = re.compile(r"^([A-Z][A-Za-z/&' -]*?)\s*:(?:\s+(\S.*))?$")


@dataclass(frozen=True)
class Field:
    label: str
    value: str
    line: str  # the text to quote: the label and its value
    source: str = "label"  # "label" (a "Label: value" line), "signature" or "definition"


def fields(text: str) -> list[Field]:
    """Every field of the text: its "Label: value" lines, its signature, its defined terms."""
    lines = _lines(text)
    return _labelled(lines) + _signature(lines) + _definitions(text)


def labelled_fields(text: str) -> list[Field]:
    """The "Label: value" lines only: a record's own fields."""
    return _labelled(_lines(text))


def document_fields(text: str) -> list[Field]:
    """The signature and the defined terms: they speak for the whole document."""
    return _signature(_lines(text)) + _definitions(text)


def _lines(text: str) -> list[str]:
    # A field may be a list item ("• Start date: 1 May"): the bullet is not part of its label.
    return [without_marker(line).strip() for line in text.split("\n")]


def _labelled(lines: list[str]) -> list[Field]:
    matches = [_LABEL.match(line) for line in lines]
    labels = Counter(m.group(1) for m in matches if m)
    found = []
    for i, match in enumerate(matches):
        if not match or not _is_label(match.group(1)):
            continue
        value = match.group(2) or _next_value(lines, i)
        # A label that recurs before sentences is a speaker ("CHEN: Sure. I grew up in ..."):
        # what follows is speech, not a value.
        spoken = labels[match.group(1)] > 1 and len(split_sentences(value)) > 1
        if value and len(value.split()) <= MAX_VALUE_WORDS and not spoken:
            quoted = lines[i] if match.group(2) else f"{lines[i]} {value}"
            found.extend(_paired(Field(match.group(1).strip(), value.strip(), quoted)))
    return found


def names_identifier(field: Field) -> bool:
    """A label headed by an identifier noun holds a code ("Meeting reference: ORRC 2025/3"),
    never a date or a figure, whatever digits it has."""
    words = field.label.lower().replace(".", "").split()
    if words[-1:] == ["number"]:  # "Reference number", not "Number of places"
        words = words[:-1]
    return bool(words) and words[-1] in IDENTIFIER_NOUNS


def _definitions(text: str) -> list[Field]:
    """A defined term of an agreement or letter: 'Margaret Ellison ("the Landlord")'
    makes "Landlord" a label whose value is the name before it."""
    found = []
    for match in _DEFINED_TERM.finditer(text):
        before = text[max(0, match.start() - MAX_DEFINED_NAME):match.start()].rstrip()
        name = next((run for run in CAPITALISED_RUN.finditer(before) if run.end() == len(before)), None)
        if name is not None:
            found.append(Field(match.group(1), name.group(0), f"{name.group(0)} {match.group(0)}", "definition"))
    return found


def _signature(lines: list[str]) -> list[Field]:
    """"Yours sincerely," then a name line and perhaps a post line: who signed, and as what."""
    for i, line in enumerate(lines):
        if not _VALEDICTION.match(line):
            continue
        following = [rest for rest in lines[i + 1:i + 5] if rest][:2]
        if not following or not _SIGNER_NAME.match(following[0]):
            continue
        name, post = following[0], following[1] if len(following) > 1 else ""
        found = [Field(SIGNER, name, name, "signature")]
        if post and len(post.split()) <= MAX_POST_WORDS and not re.search(r"\d|[.!?]$", post):
            found += [Field(label, post, post, "signature") for label in SIGNER_POSTS]
        return found
    return []


def _paired(field: Field) -> list[Field]:
    """"Start / End Time: 3:05 PM / 4:45 PM" is two fields, "Start Time" and "End Time",
    when the label and the value have as many slash-separated parts; else the field."""
    labels, values = _SLASHED.split(field.label), _SLASHED.split(field.value)
    if len(labels) < 2 or len(labels) != len(values) or not all(labels) or not all(values):
        return [field]
    # The last part's trailing words are shared: "Start / End Time" is "Start Time", "End Time".
    tail = labels[-1].split()[1:]
    named = [" ".join([part, *tail]) if len(part.split()) == 1 and part != labels[-1] else part for part in labels]
    return [Field(label, value, field.line) for label, value in zip(named, values)]


def _is_label(label: str) -> bool:
    words = label.replace("/", " ").split()
    return 0 < len(words) <= MAX_LABEL_WORDS


def _next_value(lines: list[str], i: int) -> str:
    """The value of a label alone on its line: the next line, unless it is a label too."""
    following = lines[i + 1] if i + 1 < len(lines) else ""
    match = _LABEL.match(following)
    return "" if match and _is_label(match.group(1)) else following

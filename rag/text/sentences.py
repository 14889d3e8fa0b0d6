"""Sentence splitting that keeps abbreviations, initials and decimals whole."""

from __future__ import annotations

import re

# Always followed by more of the same sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "vs", "e.g", "i.e", "cf", "al", "hon", "gov", "approx",
    "dept", "est", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "u.s", "u.k", "u.n", "e.u", "inc", "ltd", "co", "corp", "jr", "sr", "mt", "gen", "col", "lt", "sgt",
}
# Abbreviations only when a number follows ("No. 5", "p. 12"); "he said no. Then" still ends.
_BEFORE_NUMBER = {"no", "nos", "p", "pp", "fig", "figs", "vol", "ch", "sec", "art", "para", "eq", "ref"}
_STOPS = ".!?。！？"
_CLOSERS = "\"'”’)]"
_OPENERS = "\"'“‘([¿¡"
_CJK_CLOSERS = "”’」』）"
# A stop, any closing quotes or brackets, then whitespace; or a CJK stop, which needs no space.
_CANDIDATE = re.compile(
    rf"[{re.escape(_STOPS)}][{re.escape(_CLOSERS)}]*\s+|[。！？][{re.escape(_CLOSERS + _CJK_CLOSERS)}]*(?=\S)"
)


# Characters either side of a candidate stop that decide it. Looking no further keeps
# the split linear: copying the rest of the text at every stop made a 4.7 MB line take 20 s.
_LOOK = 64


def split_sentences(text: str) -> list[str]:
    sentences, start = [], 0
    for match in _CANDIDATE.finditer(text):
        before = text[max(start, match.start() - _LOOK) : match.end()]
        after = text[match.end() : match.end() + _LOOK]
        if not _starts_sentence(after) or _ends_with_abbreviation(before, after):
            continue
        sentence = text[start : match.end()].strip()
        if sentence:
            sentences.append(sentence)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _starts_sentence(after: str) -> bool:
    """Anything but a lowercase letter may open a sentence: capitals in any script,
    digits, CJK, footnote marks."""
    rest = after.lstrip(_OPENERS)
    return bool(rest) and not rest[0].islower()


def _ends_with_abbreviation(before: str, after: str) -> bool:
    stripped = before.rstrip(_CLOSERS + " ")
    if not stripped.endswith("."):
        return False
    last = stripped[:-1].split()[-1:] or [""]
    word = last[0].lower().lstrip(_OPENERS)
    if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return True
    return word in _BEFORE_NUMBER and after[:1].isdigit()


# A heading is short; a longer line without a stop is prose cut off by the layout.
MAX_HEADING_WORDS = 15
# What a loader puts before a list item its format marks by structure (an HTML <li>, a
# Word list paragraph, a Markdown "-"), so the item reads as one here.
BULLET = "• "
_LIST_MARKER = re.compile(r"^\s*(?:[-*•▪–]|\(?\d+[.)]|\(?[a-z][.)])\s")


def is_list_item(line: str) -> bool:
    return bool(_LIST_MARKER.match(line))


def without_marker(line: str) -> str:
    """The line without the bullet or number that opens a list item."""
    return _LIST_MARKER.sub("", line, count=1)


def line_kinds(lines: list[str]) -> list[tuple[bool, bool]]:
    """(is a heading, is a list item) for each line. A numbered line standing alone
    between paragraphs numbers a section ("4. Finance"), it is not a list of one."""
    items = [is_list_item(line) for line in lines]
    kinds = []
    for k, line in enumerate(lines):
        alone = items[k] and not (k > 0 and items[k - 1]) and not (k + 1 < len(items) and items[k + 1])
        if alone and is_heading(without_marker(line)):
            kinds.append((True, False))
        else:
            kinds.append((is_heading(line), items[k]))
    return kinds


def is_heading(line: str) -> bool:
    """A line that names what follows rather than stating something: short, with no
    closing stop, not a list item and not a "Label: value" field."""
    text = line.strip().rstrip(_CLOSERS)
    if not text or len(text.split()) > MAX_HEADING_WORDS or _LIST_MARKER.match(line):
        return False
    return text[-1] not in _STOPS + ";:,…" and ": " not in text

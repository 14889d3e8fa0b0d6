"""Numbers as documents write them: grouped digits ("9 131", "9,131"), money
("A$5,600", "NZ$2 million", "£38,700"), percentages ("18.8%", "5 per cent"),
ranges ("10-20", "10 to 20"), negatives and years.

`find_quantities` is the one reader; everything else asks it. A space joins digit
groups only when the group has exactly three digits, so "2019 5 896" stays a year
and a number, and "2024 Q2" is a period, not a number.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from rag.text.tokens import join_digit_groups

_CURRENCY = r"(?:[A-Z]{1,3}\$|\$|£|€|¥|₹|(?:USD|EUR|GBP|SGD|HKD|AUD|CAD|NZD|CNY|RMB|JPY|INR|CHF)\s?)"
_GROUPED = r"\d{1,3}(?:,\d{3}(?!\d))+|\d{1,3}(?:[ \u00a0\u202f]\d{3}(?![\d,]))+"
_CORE = rf"(?:{_GROUPED}|\d+)(?:\.\d+)?|\.\d+"
_SCALE = r"(?:\s?(?:million|billion|thousand|trillion|mn|bn)\b)"
_PERCENT = r"(?:\s?%|\s(?:per\s?cent|percent)\b)"


def _one(side: str) -> str:
    return (
        rf"(?P<{side}sign>[-−–](?=[$£€¥\d]|[A-Z]{{1,3}}\$))?(?P<{side}cur>{_CURRENCY})?"
        rf"(?P<{side}num>{_CORE})(?P<{side}scale>{_SCALE})?(?P<{side}pct>{_PERCENT})?"
    )


_QUANTITY = re.compile(
    rf"(?<![\w.,:/\-−–$£€¥]){_one('a')}(?:\s?(?:-|–|—|\bto\b)\s?{_one('b')})?(?![\w/]|:\d|,\d)"
)
_PERIOD_AFTER = re.compile(r"\s?(?:Q[1-4]|H[12])\b|/\d")
_UNIT_AFTER = re.compile(
    r"\s?(days?|weeks?|months?|years?|hours?|minutes?|points?|km|kg|m²|sq\s?ft|places?)\b", re.IGNORECASE
)
_SCALES = {"thousand": 1e3, "million": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}
_YEAR = re.compile(r"^(19|20)\d\d$")
_DAYS = {"day": 1, "week": 7, "month": 30.44, "year": 365.25, "hour": 1 / 24, "minute": 1 / 1440}


@dataclass(frozen=True)
class Quantity:
    """One number read from text; `upper` is set for a range ("10 to 20")."""

    value: float
    text: str
    unit: str | None
    kind: str  # "number", "money", "percent" or "year"
    start: int
    end: int
    upper: float | None = None


def find_quantities(text: str) -> list[Quantity]:
    out = []
    for match in _QUANTITY.finditer(text):
        quantity = _quantity(match, text)
        if quantity is not None:
            out.extend(quantity)
    return out


def first_quantity(text: str, kind: str | None = None) -> Quantity | None:
    """The first quantity of the given kind (any kind but a year, when none is given)."""
    for quantity in find_quantities(text):
        if (quantity.kind == kind) if kind else quantity.kind != "year":
            return quantity
    return None


def parse_number(text: str) -> float | None:
    """The value of text that is one quantity and nothing else, e.g. a table cell."""
    found = find_quantities(text.strip())
    return found[0].value if len(found) == 1 and found[0].text == text.strip() else None


def in_days(quantity: Quantity) -> float | None:
    """A duration in days ("3 weeks" is 21), so durations compare across units."""
    if quantity.unit is None:
        return None
    factor = _DAYS.get(quantity.unit.lower().rstrip("s"))
    return quantity.value * factor if factor is not None else None


def _quantity(match: re.Match, text: str) -> list[Quantity]:
    if _PERIOD_AFTER.match(text, match.end()) or (match.group("apct") and match.group("bnum") and not match.group("bpct")):
        return _halves(match, text) if _PERIOD_AFTER.match(text, match.end()) and match.group("bnum") else []
    low = _value(match, "a")
    if match.group("bnum") is None:
        return [_make(low, match.group(0), match, text, match.start(), match.end(), "a")]
    high = _value(match, "b")
    if high < low:  # "2024-25" is a span of years; "5-3" is no range
        return _halves(match, text)
    quantity = _make(low, match.group(0), match, text, match.start(), match.end(), "b")
    return [Quantity(quantity.value, quantity.text, quantity.unit, quantity.kind, quantity.start, quantity.end, high)]


def _halves(match: re.Match, text: str) -> list[Quantity]:
    """A failed range ("2024-25", "2023 Q1"): the first number alone stands, if it is a year."""
    first = match.group("anum")
    if _YEAR.match(first) and not match.group("asign") and not match.group("acur"):
        start = match.start("anum")
        return [Quantity(float(first), first, None, "year", start, start + len(first))]
    return []


def _value(match: re.Match, side: str) -> float:
    digits = re.sub(r"[,\s\u00a0\u202f]", "", match.group(f"{side}num"))
    value = float(digits)
    scale = (match.group(f"{side}scale") or "").strip().lower()
    value *= _SCALES.get(scale, 1.0)
    return -value if match.group(f"{side}sign") else value


def _make(value: float, raw: str, match: re.Match, text: str, start: int, end: int, side: str) -> Quantity:
    currency = match.group("acur") or match.group(f"{side}cur")
    if match.group(f"{side}pct") or match.group("apct"):
        return Quantity(value, raw, "%", "percent", start, end)
    if currency:
        return Quantity(value, raw, currency.strip(), "money", start, end)
    number = match.group("anum")
    if side == "a" and _YEAR.match(number) and not match.group("asign") and not match.group("ascale"):
        return Quantity(value, raw, None, "year", start, end)
    unit = _UNIT_AFTER.match(text, end)
    return Quantity(value, raw, unit.group(1).lower() if unit else None, "number", start, end)


_NUM = r"(\d[\d,]*(?:\.\d+)?)"
# A range written with a dash or "to": "33-39", "10 to 20".
_RANGE = re.compile(rf"(?<![\d.,]){_NUM}\s*(?:-|–|to)\s*{_NUM}(?![\d.,])")
# Ranges and limits a sentence states: "33-39", "between 12 and 24", "40 or over",
# "under 30", "at least 5". Each gives the interval of values it speaks for.
_BOUNDS = (
    (_RANGE, "both"),
    (re.compile(rf"\bbetween\s+{_NUM}\s+and\s+{_NUM}(?![\d.,])", re.I), "both"),
    (re.compile(rf"(?<![\d.,]){_NUM}\s*(?:\+|(?:\w+\s+)?(?:or|and)\s+(?:over|above|more|older|upwards|longer|later))", re.I), "low"),
    (re.compile(rf"\b(?:over|above|more than|older than|longer than|at least|exceeds?|exceeding)\s+{_NUM}(?![\d.,])", re.I), "low"),
    (re.compile(rf"(?<![\d.,]){_NUM}\s*(?:\w+\s+)?(?:or|and)\s+(?:under|below|less|younger|fewer|shorter|earlier)\b", re.I), "high"),
    (re.compile(rf"\b(?:under|below|less than|fewer than|younger than|shorter than|up to|at most|no more than|within)\s+{_NUM}(?![\d.,])", re.I), "high"),
)


def plain_numbers(text: str) -> set[str]:
    """The numbers a text gives, digit groups joined ("9 131" is "9131")."""
    return set(re.findall(r"\d+(?:\.\d+)?", join_digit_groups(text)))


def ranges(text: str) -> list[tuple[float, float]]:
    """The ranges a text writes with a dash or "to": "33-39 years" gives (33, 39)."""
    return [(low, high) for low, high, _ in _both_ends(_RANGE, text)]


def _both_ends(pattern: re.Pattern, text: str) -> list[tuple[float, float, tuple[int, int]]]:
    found = []
    for match in pattern.finditer(text):
        low, high = (float(g.replace(",", "")) for g in match.groups())
        if low < high:
            found.append((low, high, match.span()))
    return found


def stated_bounds(text: str) -> list[tuple[float, float, tuple[int, int]]]:
    """The intervals a text's ranges and limits speak for, with where each stands:
    "aged 40 or over" gives (40, inf), "between 12 and 24 months" (12, 24)."""
    found = []
    for pattern, side in _BOUNDS:
        if side == "both":
            found.extend(_both_ends(pattern, text))
            continue
        for match in pattern.finditer(text):
            value = float(match.group(1).replace(",", ""))
            found.append((value, math.inf, match.span()) if side == "low" else (-math.inf, value, match.span()))
    return found


def within_bounds(number: str, bounds: list[tuple[float, float, tuple[int, int]]]) -> list[tuple[int, int]]:
    """Where the bounds that hold the number stand (start, end). A year is matched as a
    period, not placed inside a range ("1995" is not given by "1990-2000")."""
    if _YEAR.match(number):
        return []
    value = float(number)
    return [at for low, high, at in bounds if low <= value <= high]

"""Shared surface patterns: years, dates in common orders, clock times, money,
percentages, counts, acronyms and capitalised names. Each is written once, here."""

from __future__ import annotations

import re

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")
MONTHS = "|".join(MONTH_NAMES) + "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
_MONTH = rf"(?:{MONTHS})\.?"
WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
# A run that is only a month or a weekday names a time, not a person or a place.
CALENDAR_WORD = re.compile(rf"(?:{MONTHS}|{WEEKDAYS})\.?")

YEAR = re.compile(r"\b(?:1[0-9]\d\d|20\d\d)\b")
# A financial or academic year: two years in a row, the second often cut to two digits
# ("2023/24", "2023-2024"). Whether they follow each other is split_year's to say.
SPLIT_YEAR = re.compile(r"\b((?:1[0-9]|20)\d\d)\s?[/\u2013-]\s?((?:1[0-9]|20)?\d\d)\b(?![/\u2013-]?\d)")


def split_year(match: re.Match) -> tuple[str, str] | None:
    """The two years of a SPLIT_YEAR match when the second follows the first, else None
    ("2015-22" is a span of years, not one year's period)."""
    first, second = match.group(1), match.group(2)
    return (first, second[-2:]) if (int(first) + 1) % 100 == int(second[-2:]) else None
# A year standing for a period: "the 1990s", "mid-2010s", "2024 Q2", "FY2023".
DECADE = re.compile(r"\b(?:early |late |mid-)?(?:1[0-9]|20)\d0s\b")
DATE = re.compile(
    # 6 December 2024 | December 6, 2024 | 2024-12-06 | 06/12/2024 | December 2024 | 6 December
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?"
    rf"|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?"
    rf"|\b{_MONTH}\s+(?:of\s+)?\d{{4}}"
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b"
    r"|\b(?:1[0-9]\d\d|20\d\d)\s*Q[1-4]\b|\bQ[1-4]\s+(?:1[0-9]\d\d|20\d\d)\b"
)
TIME = re.compile(r"\b\d{1,2}[:.]\d{2}\s*(?:[AaPp]\.?[Mm]\.?)?(?!\d)|\b\d{1,2}\s*[AaPp]\.?[Mm]\.?(?![a-z])")
# A reply standing as a sentence of its own: "Yes." or "No."
YES_NO_REPLY = re.compile(r"(?:yes|no)[.!]", re.I)
# A currency sign or code before the figure, or a currency word after it.
MONEY = re.compile(
    r"(?:\b[A-Z]{1,3}\$|\$|€|£|¥|\b(?:USD|EUR|GBP|SGD|AUD|CAD|HKD|RMB|CNY|JPY|CHF|INR|NZD|MOP|TWD|KRW|MYR|AED|SEK|NOK|DKK)\s?)\s?\d[\d,. ]*\d(?:\s?(?:million|billion|thousand|m|bn|k)\b)?"
    r"|(?:\b[A-Z]{1,3}\$|\$|€|£|¥)\s?\d(?:\s?(?:million|billion|thousand|m|bn|k)\b)?"
    # Any three-capital code before a figure grouped in thousands has ISO 4217's shape: "XAF 84,000".
    r"|\b[A-Z]{3}\s?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:\s?(?:million|billion|thousand|m|bn|k)\b)?"
    # "205,000 Australian dollars": a currency word, perhaps after the adjective naming whose.
    r"|\b\d[\d,.]*\s?(?:million |billion )?(?:[A-Z][a-z]+ )?(?:dollars|yuan|euros|pounds|francs|rupees|yen|marks|pence|cents)\b"
    r"|\b\d+(?:\.\d+)?p\b",  # pence: "50p"
)
PERCENT = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:%|percent\b|per cent\b|percentage points?\b)")
# Numbers that label rather than count: "Table 2", "No. 814", "Q3", "(1)" opening a line
# or a heading of a passage's heading path ("Report > 4.2 Approvals by sector").
LABEL_NUMBER = re.compile(
    r"\b(?:Table|Figure|Fig\.|Chart|No\.|Nos\.|Number|Section|Sec\.|Chapter|Article|Part|Item|Page|p\.|Order|Q)\s*$|^\s*[(\[]?$"
    r"|\s>\s+$"
)
# A count: digits with optional grouping ("9 131", "9,131") and decimals, or a number word.
NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:[ ,\u00a0]\d{3})+(?:\.\d+)?(?![\d])|(?<![\w.])\d+(?:\.\d+)?(?![\d])")
NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million billion "
    "dozen dozens hundreds thousands millions billions twice thrice".split()
)
NUMBER_WORD = re.compile(r"\b(?:" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")(?:[- ](?:" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r"))*\b", re.I)
# An identifier of letters and a number ("BD-350", "F-16"): its number is no quantity.
CODE = re.compile(r"(?<![\w-])[A-Za-z]+-\d[\w.]*(?![\w-])")
ACRONYM = re.compile(r"\b[A-Z][A-Za-z]?[A-Z][A-Za-z]{0,8}\b")
# A run of capitalised words, allowing lower-case joiners inside ("Museum of Modern Art").
CAPITALISED_RUN = re.compile(
    r"\b[A-Z][\w'’.-]*(?:\s+(?:(?:of|de|the|and|van|von|da|di|la|le|du|del|bin|al)\s+)*[A-Z][\w'’.-]*)*"
)
# Up to eight capitalised words (with "of", "and"... between them) before "(ACRONYM)".
LONG_FORM = r"((?:[A-Z][\w’'-]*\s+(?:(?:of|for|and|the|in|on)\s+)?){1,8})\(\s*(?:the\s+)?"
DEFINED_ACRONYM = re.compile(LONG_FORM + r"([A-Z][A-Za-z.]{1,9})s?\s*\)")

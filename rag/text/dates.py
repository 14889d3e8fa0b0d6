"""Dates put in order: "30 May 2022", "May 30, 2022", "2022-05-30", "June 2017", "2017"."""

from __future__ import annotations

import re

from rag.text.patterns import MONTH_NAMES, MONTHS, YEAR

_MONTH_NUMBERS = {name[:3].lower(): n for n, name in enumerate(MONTH_NAMES, 1)}
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({MONTHS})\b|\b({MONTHS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b")
_MONTH = re.compile(rf"\b({MONTHS})\b")


def date_order(text: str) -> tuple[int, int, int] | None:
    """The date a span gives as (year, month, day), 0 where it leaves one out; None
    without a year."""
    iso = _ISO.search(text)
    if iso:
        return int(iso.group(1)), int(iso.group(2)), int(iso.group(3))
    year = YEAR.search(text)
    if not year:
        return None
    day_month = _DAY_MONTH.search(text)
    if day_month:
        day, month = (day_month.group(1), day_month.group(2)) if day_month.group(1) else (day_month.group(4), day_month.group(3))
        return int(year.group(0)), _MONTH_NUMBERS[month[:3].lower()], int(day)
    month = _MONTH.search(text)
    return int(year.group(0)), _MONTH_NUMBERS[month.group(1)[:3].lower()] if month else 0, 0

"""What a question asks of a table, read from language alone: its terms, the periods
and dates it names, superlatives and their direction, and the operation it cues."""

from __future__ import annotations

import re

from rag.text.patterns import CODE, MONTH_NAMES, MONTHS, SPLIT_YEAR, split_year
from rag.text.tokens import STOPWORDS, dimension_nouns, how_adjectives, uncontracted, words

# Stopwords a table question keeps: they pick an operation or a filter ("under 30",
# "before 2020", "most"), not a row or column.
OPERATION_WORDS = frozenset({"most", "more", "least", "less", "than", "per", "before", "after", "under", "over", "not", "no"})
_STOP = (STOPWORDS - OPERATION_WORDS) | {"s", "table", "listed", "list", "given", "shown", "figure", "figures"}
_ORDINAL = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5}
_MONTHS = [name.lower() for name in MONTH_NAMES]
_MONTH = rf"(?:{MONTHS.lower()})"
_PERIOD_PATTERNS = (
    (re.compile(r"\b((?:19|20)\d\d)\s*[-/ ]?\s*([QH])([1-4])\b", re.I), lambda m: f"{m[1]}{m[2].lower()}{m[3]}"),
    (re.compile(r"\b([QH])([1-4])\s*(?:of\s+)?((?:19|20)\d\d)\b", re.I), lambda m: f"{m[3]}{m[1].lower()}{m[2]}"),
    (
        re.compile(r"\b(first|second|third|fourth|1st|2nd|3rd|4th)\s+(quarter|half)\s+(?:of\s+)?((?:19|20)\d\d)\b", re.I),
        lambda m: f"{m[3]}{'q' if m[2].lower() == 'quarter' else 'h'}{_ORDINAL[m[1].lower()]}",
    ),
    # "2023/24": one period, not the year 2023 and a number 24. Two years that do not
    # follow each other stay as they are.
    (SPLIT_YEAR, lambda m: "y".join(split_year(m)) if split_year(m) else None),
)
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\b|\b({_MONTH})\s+(\d{{1,2}})\b(?!\s*\d)", re.I)
_YEAR = re.compile(r"(?<![\d,.$£€])\b((?:19|20)\d\d)\b(?![\d,])")
_LETTER = re.compile(r"(?<![\w'’.])([A-Z])(?![\w'’])")
_AS_AT_PHRASE = re.compile(r"\b(?:as\s+(?:at|of)|at\s+the\s+end\s+of)\s+[^,?]*", re.I)

TIME_WORDS = frozenset({"fastest", "quickest"})  # least time, when the column holds durations
PERCENT_WORDS = frozenset({"percentage", "percent", "share", "rate", "proportion"})
MIN_WORDS = frozenset(
    """cheapest lowest least smallest fewest shortest minimum min earliest youngest lightest
    narrowest shallowest thinnest nearest closest soonest slimmest""".split()
)
MAX_WORDS = frozenset("most highest largest biggest greatest top maximum max".split())
_NOT_SUPERLATIVE = frozenset(
    """interest request test west rest guest forest honest modest suggest invest protest contest arrest digest chest
    nest quest vest harvest manifest earnest priest pest lest attest detest""".split()
)
_PRICE_WORDS = frozenset({"cheapest", "dearest", "priciest", "expensive", "cheap", "cheaper", "cost", "costs", "pay", "price", "charge"})
_ASKS_ENTITY = re.compile(r"\b(?:which|who|where|when)\b|\bwhat\s+\w+(?:\s+\w+)?\s+(?:had|has|have|was|is|were|are)\s+the\b", re.I)
_DIFFERENCE = re.compile(r"\bhow\s+(?:much|many)\b.*\b(?:rise|rose|risen|increase|increased|fall|fell|fallen|drop|dropped|grow|grew|grown|change|changed)\b|\bhow\s+(?:many|much)\s+(?:more|fewer|less|higher|lower|greater|bigger|smaller)\b|\bdifference\s+between\b|\bby\s+how\s+(?:many|much)\b", re.I)
_SUM = re.compile(r"\b(?:combined|together|in\s+total\s+for|sum\s+of|altogether)\b", re.I)
_RATIO = re.compile(r"\bhow\s+many\s+times\b|\bratio\s+of\b", re.I)
_COUNT = re.compile(r"\bhow\s+many\s+(?:\w+\s+){0,3}(?:are|were|does|do|is)\s+(?:there|listed|shown|in\s+the\s+table)\b|\bnumber\s+of\s+rows\b", re.I)
LISTED = re.compile(r"\b(?:listed|in\s+the\s+(?:table|list))\b", re.I)
_AS_AT_ASKED = re.compile(r"\bas\s+(?:at|of)\s+(?:what|which)\s+(?:date|day|time)\b|\bwhat\s+date\s+(?:are|is|were)\b.*\b(?:figures|data|numbers|table)\b", re.I)
STATISTICS = frozenset({"mean", "median", "average"})
# A ranking that sets something aside; "after" only as the question's opening clause,
# where it is not a time ("After Lima, which city is largest?").
_SET_ASIDE = r"except(?:\s+for)?|excluding|other\s+than|apart\s+from|besides"
_EXCLUDED = re.compile(rf"\b(?:{_SET_ASIDE})\s+([^,?;]+)|^\s*after\s+([^,?;]+),", re.I)
_FULL_YEAR = re.compile(r"\b(?:full|whole|complete)(?:\s+calendar)?\s+years?\b", re.I)
_PART_OF_YEAR = re.compile(rf"\b(?:{_MONTH}|partial|part|to\s+date|ytd|q[1-4]|h[12]|quarter|half)\b", re.I)
# "By the end of 2021", "up to 2021", "through 2021": everything until then, not that year alone.
_THROUGH_YEAR = re.compile(r"\b(?:by\s+(?:the\s+)?end\s+of|up\s+to(?:\s+and\s+including)?|through(?:\s+to)?|until\s+the\s+end\s+of"
                           r"|as\s+(?:at|of)\s+the\s+end\s+of)\s+" + _YEAR.pattern, re.I)
NEGATION = re.compile(rf"\b(?:outside|{_SET_ASIDE}|not\s+in)\b", re.I)
_TABLE_NUMBER = re.compile(r"\btable\s+(\d+[a-z]?)\b", re.I)


def light_stem(word: str) -> str:
    """Plural and tense endings off, so 'grants'/'granted' meet but 'applicants'/'applications' stay apart."""
    w = word.lower().replace("’", "'").removesuffix("'s").strip("'-")
    for suffix, repl in (("ity", ""), ("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", "e"), ("s", "")):
        if len(w) > len(suffix) + 2 and w.endswith(suffix) and not (suffix == "s" and w.endswith(("ss", "us", "is"))):
            w = w[: -len(suffix)] + repl
            break
    return w.rstrip("e") if len(w) > 3 else w


def terms(text: str) -> set[str]:
    """Meaningful word stems and period keys ("2024q3"); a period's year is not a term of its own."""
    text, keys = _take_periods(text)
    # An identifier ("BD-350") is a key; its number is no quantity a cell may hold.
    keys |= {code.lower() for code in CODE.findall(text)}
    text = CODE.sub(" ", text)
    keys |= {d.replace(" ", "") for d in day_months(text)}
    keys |= {m.group(1).lower() for m in _LETTER.finditer(text) if m.start() > 0 and not _pronoun(text, m)}  # "Zone B", not the article "a"
    keys |= {"cost"} if _HOW_MUCH_IS.search(text) else set()  # "how much is it?" asks a price
    keys |= {light_stem(noun) for noun in dimension_nouns(text)}
    framing = set(how_adjectives(text))
    found = set()
    for word in words(text):
        for part in {word, *word.split("-")}:
            if part and part not in _STOP and uncontracted(part) not in _STOP and part not in framing and (len(part) > 1 or part.isdigit()):
                found.add(light_stem(part))
    return found | keys


def _pronoun(text: str, letter: re.Match) -> bool:
    """"What should I do?": a capital I is the speaker unless a name it numbers goes
    before it ("Phase I")."""
    before = text[:letter.start()].split()
    return letter.group(1) == "I" and not (before and before[-1][:1].isupper())


def _take_periods(text: str) -> tuple[str, set[str]]:
    keys: set[str] = set()
    for pattern, key in _PERIOD_PATTERNS:
        text = pattern.sub(lambda match, key=key: _taken(match, key, keys), text)
    return text, keys


def _taken(match: re.Match, key, keys: set[str]) -> str:
    """A period's key is kept and its text taken out; a match that is no period stays."""
    found = key(match)
    if found is None:
        return match.group(0)
    keys.add(found)
    return " "


def periods(text: str) -> set[str]:
    return _take_periods(text)[1]


def shown(periods: set[str]) -> str:
    """Period keys as a reader writes them: "2024Q3", "2023/24"."""
    return ", ".join(p.replace("y", "/") if "y" in p else p.upper() for p in sorted(periods))


def label_years(label: str) -> list[str]:
    """Every year a row label names, periods included ("2023 Q3" names 2023)."""
    return _YEAR.findall(label)


def years(text: str) -> set[str]:
    return set(_YEAR.findall(_take_periods(text)[0]))


_SHIFT = re.compile(r"\bthe\s+day\s+(before|after)\b", re.I)


def shift_relative_day(text: str, anchor: str) -> str:
    """'the day before' read against a date named elsewhere ("11 April"): "10 April"."""
    import datetime

    match = _SHIFT.search(text)
    dates = sorted(day_months(anchor))
    if match is None or not dates:
        return text
    day, month = dates[0].split()
    try:
        when = datetime.date(2000, _MONTH_ABBR.index(month) + 1, int(day))
    except ValueError:
        return text
    when += datetime.timedelta(days=-1 if match.group(1).lower() == "before" else 1)
    return text[: match.start()] + f"{when.day} {_MONTHS[when.month - 1].title()}" + text[match.end() :]


_MONTH_ABBR = [m[:3] for m in _MONTHS]


def day_months(text: str) -> set[str]:
    out = set()
    for m in _DAY_MONTH.finditer(text):
        day, month = (m[1], m[2]) if m[1] else (m[4], m[3])
        out.add(f"{int(day)} {month.lower()[:3]}")
    return out


def without_as_at(question: str) -> tuple[str, str | None]:
    """The question less an "as at 30 September 2025" phrase, and the phrase."""
    match = _AS_AT_PHRASE.search(question)
    if match is None or _AS_AT_ASKED.search(question):
        return question, None
    return question[: match.start()] + question[match.end() :], match.group(0)


def superlative(question: str) -> str | None:
    """'min' or 'max' for a question asking for an extreme; any other -est adjective is 'max'."""
    parts = _word_parts(question)
    for word in parts:
        if word in MIN_WORDS:
            return "min"
        if word in TIME_WORDS:
            return "time"
        if _is_max_word(word):
            return "max"
        if word == "expensive" and "most" in parts:
            return "max"
    return None


def ordinal_word(rank: int) -> str:
    """"second" for 2: the word of the ordinal table."""
    return next((word for word, n in _ORDINAL.items() if n == rank and word.isalpha()), str(rank))


def superlative_rank(question: str) -> int:
    """Which place in the order is asked: 2 for "the second-highest" or "the third most"... 1 otherwise."""
    parts = _word_parts(question)
    for i, word in enumerate(parts):
        following = parts[i + 1: i + 3]
        if word in _ORDINAL and any(w in MIN_WORDS or w in TIME_WORDS or _is_max_word(w) for w in following):
            return _ORDINAL[word]
    return 1


def excluded(question: str) -> str | None:
    """What a ranking leaves out: "After X, which ...", "... other than X"."""
    match = _EXCLUDED.search(question)
    if match is None:
        return None
    phrase = match.group(1) or match.group(2)
    return None if _YEAR.search(phrase) or day_months(phrase) else phrase


def _is_max_word(word: str) -> bool:
    return word in MAX_WORDS or (word.endswith("est") and len(word) > 5 and word not in _NOT_SUPERLATIVE)


def _word_parts(text: str) -> list[str]:
    """Words with hyphenated ones split: "second-lowest" is "second", "lowest"."""
    return [part for word in words(text) for part in word.split("-") if part]


def asks_entity(question: str) -> bool:
    return bool(_ASKS_ENTITY.search(question))


_HOW_MUCH_IS = re.compile(r"\bhow\s+much\s+(?:is|are|does|do|will|would)\b", re.I)


def wants_price(question: str) -> bool:
    return bool(_PRICE_WORDS & set(words(question))) or bool(_HOW_MUCH_IS.search(question))


PRICE_TERMS = frozenset(light_stem(w) for w in _PRICE_WORDS)
PERCENT_TERMS = frozenset(light_stem(w) for w in PERCENT_WORDS)


_COMPARE = re.compile(r"\bwhich\b.*\b(\w+er|more|less|fewer)\b.*\bor\b", re.I)
_LESSER = frozenset("less fewer lower cheaper smaller shorter earlier faster quicker younger lighter".split())


def comparative(question: str) -> str | None:
    """'min' or 'max' for "which ... more/cheaper ... A or B"."""
    match = _COMPARE.search(question)
    if match is None:
        return None
    return "min" if match.group(1).lower() in _LESSER else "max"


def operation_cue(question: str) -> str | None:
    if comparative(question):
        return "compare"
    for name, pattern in (("as_at", _AS_AT_ASKED), ("ratio", _RATIO), ("difference", _DIFFERENCE), ("sum", _SUM), ("count", _COUNT)):
        if pattern.search(question):
            return name
    return None


def asks_full_years(question: str) -> bool:
    return bool(_FULL_YEAR.search(question))


def part_of_a_year(label: str) -> bool:
    """A row for some months of a year only: "2006 (June to December)", "2025 Q1", "2024 to date"."""
    return bool(_YEAR.search(label)) and bool(_PART_OF_YEAR.search(label))


def through_year(question: str) -> tuple[str, str] | None:
    """The year a running total is asked up to ("how many by the end of 2021"), and the
    question without the phrase that asks it."""
    match = _THROUGH_YEAR.search(question)
    return (match.group(1), question[: match.start()] + question[match.end():]) if match else None


def table_number(question: str) -> str | None:
    match = _TABLE_NUMBER.search(question)
    return match.group(1).lower() if match else None

"""What the last turn was about: its named entities, the person it named, the claim it made."""

from __future__ import annotations

import re

from rag.citations import strip_markers
from rag.followup.turn import Turn
from rag.text.patterns import YEAR

# Capitalised words that open a sentence or a question without naming anything.
COMMON = frozenset(
    """a an the and or but of to in on at by for with from as is are was were be been do does did has have had
    can could would should will may might must shall what which who whom whose when where why how this that these
    those there it its they them their he she his her him we our you your i me my if not no so also only
    please tell show list name give according""".split()
)
# Words of titles and bodies that travel next to a person's name but are not part of it.
TITLES = frozenset(
    """mr mrs ms miss dr prof professor sir dame hon the under deputy assistant chief secretary minister president
    director executive officer chair chairman chairwoman member senator governor mayor judge justice
    government office council university college school scheme department bureau committee commission agency
    ministry association institute centre center company ltd inc corporation board authority""".split()
)
NAME_PRONOUNS = frozenset({"he", "she", "her", "his", "it"})
_CONNECTORS = frozenset({"of", "for", "and", "the", "de", "du", "van", "von"})
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’\-]*|\S")
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9&]*[A-Z][A-Z0-9&]*s?\b")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")
MAX_CLAIM_WORDS = 30


def is_name_word(word: str) -> bool:
    """A capitalised word that is not all capitals: 'Curie', 'Ka-wai', 'Li'."""
    return word[:1].isupper() and not word.isupper() and word[:1].isalpha()


def acronyms(text: str) -> list[str]:
    return [a for a in _ACRONYM.findall(text) if a != "I"]


def capitalised_runs(text: str) -> list[str]:
    """Runs of capitalised words ('World Health Organization', "He Lin's study"),
    joined by inner connectors; a run's first word may not be a common sentence opener."""
    tokens = _TOKEN.findall(text)
    runs: list[list[str]] = []
    current: list[str] = []
    for n, token in enumerate(tokens):
        if is_name_word(token) and not (not current and token.lower() in COMMON and not _name_follows(tokens, n)):
            current.append(token)
            continue
        if current and token.lower() in _CONNECTORS and n + 1 < len(tokens) and is_name_word(tokens[n + 1]):
            current.append(token)
            continue
        if current and not _lone_opener(current, tokens, n):
            runs.append(_with_possession(current, tokens, n))
        current = []
    if current and not _lone_opener(current, tokens, len(tokens)):
        runs.append(current)
    return [" ".join(run) for run in runs]


def _lone_opener(run: list[str], tokens: list[str], n: int) -> bool:
    """ "Most nurses ...": one capitalised word opening a sentence is not yet a name."""
    start = n - len(run)
    return len(run) == 1 and (start == 0 or tokens[start - 1] in ".!?:")


def _name_follows(tokens: list[str], n: int) -> bool:
    # "He Lin", "Her Majesty": a capitalised pronoun followed by a name is part of it.
    return tokens[n].lower() in NAME_PRONOUNS and n + 1 < len(tokens) and is_name_word(tokens[n + 1])


def _with_possession(run: list[str], tokens: list[str], n: int) -> list[str]:
    """ "He Lin's study": the possessed noun belongs to what the run names."""
    if run[-1].endswith(("'s", "’s")) and n < len(tokens) and tokens[n][:1].islower() and tokens[n].lower() not in COMMON:
        return [*run, tokens[n]]
    return run


def main_entity(text: str, prefer_acronym: bool = True) -> str | None:
    """The name a question or answer is about: an acronym, else its longest capitalised run."""
    found = acronyms(text)
    if prefer_acronym and found:
        return found[0]
    runs = sorted(capitalised_runs(text), key=lambda r: -len(r.split()))
    return runs[0] if runs else (found[0] if found else None)


def person_name(text: str) -> str | None:
    """The first person named in a text: a run of capitalised words with titles removed,
    'Li Ka-wai' out of 'Deputy Secretary for Health and Care Li Ka-wai'."""
    for run in capitalised_runs(text):
        words = [w for w in run.replace("’", "'").split() if w[:1].isupper()]
        words = [w[:-2] if w.endswith("'s") else w for w in words]
        while words and words[0].lower() in TITLES:
            words.pop(0)
        if any(w.lower() in TITLES for w in words) or len(words) < 2:
            continue
        hyphenated = [k for k, w in enumerate(words) if "-" in w and k > 0]
        return " ".join(words[hyphenated[0] - 1 : hyphenated[0] + 1] if hyphenated else words[-3:])
    return None


def claim(last: Turn) -> str | None:
    """What the last answer said, as a clause: its short answer, else its first sentence."""
    if last.abstained or not (last.short_answer or last.answer).strip():
        return None
    text = strip_markers(last.short_answer or _SENTENCE_END.split(last.answer.strip())[0]).strip()
    words = text.rstrip(".!?。").split()
    if not words:
        return None
    if _opens_with_common_word(words):
        words[0] = words[0].lower()
    said = " ".join(words[:MAX_CLAIM_WORDS])
    return _as_statement(last.question, said) if len(words) <= SHORT_ANSWER_WORDS else said


SHORT_ANSWER_WORDS = 6
_HOW_MANY = re.compile(r"^\s*how\s+(?:many|much)\s+(.+?)\s*\?*\s*$", re.I)
_WHAT_IS = re.compile(r"^\s*(?:what|who|which)\s+(is|are|was|were)\s+(.+?)\s*\?*\s*$", re.I)


def _as_statement(question: str, short: str) -> str:
    """A bare short answer put back into its question: "1 204" to "How many tickets were
    issued in 2019?" says "1 204 tickets were issued in 2019"."""
    short = short.rsplit(": ", 1)[-1]  # a table row's label ("Tickets Sold, 2019: 1 204")
    how_many = _HOW_MANY.match(question)
    if how_many:
        return f"{short} {how_many.group(1)}"
    what_is = _WHAT_IS.match(question)
    if what_is:
        return f"{what_is.group(2)} {what_is.group(1).lower()} {short}"
    return short


def _opens_with_common_word(words: list[str]) -> bool:
    """ "The shortage ...", "Foreign applicants ...": capitalised only because it opens the
    sentence; a name ("He Lin ...") or an acronym keeps its capitals."""
    first = words[0]
    if first.isupper() and len(first) > 1 or _name_follows(words, 0):
        return False
    return first.lower() in COMMON or len(words) == 1 or not words[1][:1].isupper()


def asked_who(question: str) -> bool:
    return bool(re.match(r"\s*(who|whom|whose)\b", question, re.I)) or "谁" in question


def person_of(last: Turn) -> str | None:
    """Whom 'he' or 'she' means: the answer to a 'who' question, else the person the
    question named, else the person the answer named."""
    answer = "" if last.abstained else (last.short_answer or last.answer)
    order = (answer, last.question) if asked_who(last.question) else (last.question, answer)
    for text in order:
        name = person_name(text)
        if name:
            return name
    return None


def thing_of(last: Turn) -> str | None:
    """What 'it', 'they' or 'that scheme' means: the name the last question asked about,
    else the main entity of the answer, else the thing the last question defined or the
    first noun phrase it named."""
    subject = main_entity(last.question)
    if subject:
        return subject
    answered = None if last.abstained else main_entity(last.short_answer or last.answer)
    return answered or noun_phrase(last.question)


_DEFINED = re.compile(r"^\s*(?:what|who)\s+(?:is|are|was|were)\s+(?:the\s+|an?\s+)?([a-z][\w\s'-]*?)\s*\?*\s*$", re.I)
_THE_PHRASE = re.compile(r"\bthe\s+([a-z][a-z-]+(?:\s+(?!of\b)[a-z][a-z-]+)?(?:\s+of\s+(?:the\s+)?[a-z][a-z-]+)?)")
MAX_PHRASE_WORDS = 5


def noun_phrase(question: str) -> str | None:
    """ "What is the speed of light?" -> "speed of light"; "What did the survey of nurses
    find?" -> "the survey of nurses"."""
    defined = _DEFINED.match(question)
    if defined and len(defined.group(1).split()) <= MAX_PHRASE_WORDS:
        return defined.group(1)
    for match in _THE_PHRASE.finditer(question):
        words = match.group(1).split()
        while words and words[-1].lower() in COMMON | _VERBS_AFTER_SUBJECT:
            words.pop()
        if words and words[0].lower() not in COMMON:
            return "the " + " ".join(words)
    return None


# Verbs that end a question's subject: "What did the survey find?"
_VERBS_AFTER_SUBJECT = frozenset("find found say said show showed mean report reported do did make made give gave".split())

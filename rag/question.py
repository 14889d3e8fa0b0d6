"""What a question asks for: the answer type, its key terms, years and names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.text.tokens import content_terms, stem

_KINDS = (
    ("money", r"\b(cost|costs|fee|fees|price|budget|funding|spend|spent|salary|salaries)\b"),
    ("percent", r"\b(what|which) (share|percentage|proportion|percent|fraction)\b|\bhow large a share\b|\bpercentage of\b"),
    ("number", r"\bhow (many|much)\b|\b(what|which) (number|amount|total|figure|quota)\b|\bnumber of\b|\bhow large\b"),
    ("acronym", r"\bstands? for\b|\babbreviation\b|\bfull (name|form)\b|^\s*(?i:what) (is|are|was|were) (the |an? )?[A-Z]{2,}s?(\?|\s+(in|according|mentioned|referred|short)\b)|\b(?i:what does) [A-Z]{2,}\b"),
    ("time", r"\b(what|which) time\b|\bat what time\b|\bwhat hour\b"),
    ("date", r"^\W*(?:\w+\W+){0,3}?when\b|\b(what|which) (year|date|day|month|decade)\b|\bin what year\b|\bon what (date|day)\b|\bsince when\b"),
    ("person", r"^\s*(who|whom|whose)\b|\bname of the (person|chief|director|secretary|minister|official|head|author|chair)|\b(which|what) (person|official|minister|legislator|lawmaker|author|advisor|adviser|director|secretary)\b|\bwho\b"),
)
# Case-sensitive: "Top Talent Pass" is a name, "the top industry" a superlative.
_MOST = re.compile(r"\b(most|largest|highest|biggest|greatest|top|maximum|peak|more)\b")
_LEAST = re.compile(r"\b(fewest|least|lowest|smallest|minimum|fewer|less)\b")
_WHO_IS_NAMED = re.compile(r"^\s*(?i:who\s+(?:is|was))\s+(?:Mr\.?\s+|Ms\.?\s+|Dr\.?\s+)?[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,3}\s*\??\s*$")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_NAME = re.compile(r"\b[A-Z][A-Za-z\-]+(?:\s+[A-Z][A-Za-z\-]+)*")
_NOT_NAMES = frozenset("What Which Who Whom Whose When Where Why How Is Are Was Were Do Does Did In On At For The A An According Name List Give Tell".split())


_AUXILIARIES = frozenset("is was are were does did do has have had can could will would should".split())
_DETERMINERS = frozenset("the a an this that these those its their his her".split())
_BREAKS = frozenset("of at for in on to from by with about under during before after that who which does did do is was are were has have".split())
# Nouns that name the kind of answer rather than its subject; they need not appear in the evidence.
_MODIFIERS = frozenset("full calendar whole single other new old main top named specific particular".split())
GENERIC_FOCUS = frozenset("name names number numbers date year years time day month title role roles position job share percentage proportion amount total figure type kind way ways reason reasons term terms one thing things part".split())


@dataclass(frozen=True)
class Question:
    text: str
    kind: str  # number | percent | date | person | list | other
    terms: tuple[str, ...]  # stemmed content words
    years: tuple[str, ...]
    names: tuple[str, ...]  # capitalised words that must be covered by the evidence
    superlative: str | None  # "max" | "min"
    focus: str | None = None  # stem of the noun asked about ("fee" in "What is the QMAS application fee?")
    phrases: tuple[str, ...] = ()  # multi-word names that must stand together ("Top Talent Pass")
    which: str | None = None  # stem of the kind asked for in "which party ...", "in which city ..."

    @property
    def asks_for_title(self) -> bool:
        return bool(re.search(r"\b(title|titled|called|named|name of the (paper|article|dissertation|document))\b", self.text, re.I))

    @property
    def is_list(self) -> bool:
        return self.kind == "list"


def analyse(text: str) -> Question:
    lowered = text.lower()
    kind = next((name for name, pattern in _KINDS if re.search(pattern, text if name == "acronym" else lowered)), "other")
    if kind == "person" and _WHO_IS_NAMED.match(text):
        kind = "other"  # "Who is Tan Yueheng?" asks what the person is, not for a name
    if kind == "other" and _asks_for_several(text):
        kind = "list"
    superlative = "max" if _MOST.search(text) else "min" if _LEAST.search(text) else None
    if superlative is None and re.search(r"\b(second|third)[- ](highest|largest|biggest|most)\b", text):
        superlative = "max"
    return Question(
        text=text,
        kind=kind,
        terms=tuple(dict.fromkeys(content_terms(text))),
        years=tuple(dict.fromkeys(_YEAR.findall(text))),
        names=_names(text),
        superlative=superlative,
        focus=None if kind == "acronym" else _focus(text),
        phrases=_phrases(text),
        which=_which(text),
    )


def _which(text: str) -> str | None:
    """The noun right after 'which' (past modifiers), when it names a kind of thing."""
    match = re.search(r"\bwhich\s+((?:[a-z-]+\s+){0,3}?[a-z-]+)\s+(?:is|was|are|were|does|did|do|has|had|have|got|appears?|held|hosted|added|made|will|would|can|could|should)\b", text, re.I)
    if not match:
        return None
    # "which areas of expertise": the kind is the head before "of".
    noun = match.group(1).lower().split(" of ")[0].split()[-1]
    return None if noun in GENERIC_FOCUS or noun in _MODIFIERS else stem(noun)


_PHRASE = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+){2,}")
_PHRASE_TAIL = frozenset("Scheme Office Programme Program Plan Pass".split())


def _phrases(text: str) -> tuple[str, ...]:
    """Runs of three or more capitalised words name one thing; a document that has
    each word apart ("top", "talent", "pass") does not mention it."""
    body = text.split(None, 1)[1] if len(text.split(None, 1)) == 2 else ""
    found = []
    for match in _PHRASE.finditer(body):
        words_ = [w for w in match.group(0).split() if w not in _NOT_NAMES]
        if words_ and words_[-1] in _PHRASE_TAIL:
            words_.pop()  # "Top Talent Pass Scheme" is also written "Top Talent Pass"
        if len(words_) >= 2:
            found.append(" ".join(words_))
    return tuple(found)


_COUNT_WORDS = frozenset("two three four five six seven several".split())
_LIST_STOPS = _AUXILIARIES | _BREAKS | _DETERMINERS


def _asks_for_several(text: str) -> bool:
    """'Which regions ...', 'What are the three roles ...', 'Which two bodies ...':
    a plural noun (or a count) heads what is asked for."""
    # Acronyms ("QMAS") end in s without being plural.
    tokens = [t.lower() for t in re.findall(r"[A-Za-z][A-Za-z'’\-]*|,", text) if not (t.isupper() and len(t) > 1)]
    start = next((i for i, t in enumerate(tokens[:3]) if t in ("which", "what", "list", "name")), None)
    if start is None:
        return False
    i = start + 1
    while i < len(tokens) and (tokens[i] in _AUXILIARIES or tokens[i] in _DETERMINERS):
        i += 1
    for token in tokens[i : i + 3]:
        if token in _COUNT_WORDS:
            return True
        if token == "," or token in _LIST_STOPS or token.endswith("ed"):
            return False
        if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "'s", "’s", "us", "is")):
            return True
    return False


def _focus(text: str) -> str | None:
    """The head noun after what/which: the last word before a preposition or verb."""
    tokens = re.findall(r"[A-Za-z][A-Za-z'’\-]*", text)
    lowered = [t.lower() for t in tokens]
    start = next((i for i, t in enumerate(lowered) if t in ("what", "which")), None)
    if start is None:
        return None
    i = start + 1
    if lowered[start] == "which" and i < len(lowered) and lowered[i] not in _AUXILIARIES:
        # "which named industry", "which full year": the noun comes after its modifiers.
        while i + 1 < len(lowered) and (lowered[i].endswith("ed") or lowered[i] in _MODIFIERS) and lowered[i + 1] not in _BREAKS:
            i += 1
        word = lowered[i]
        return None if word in GENERIC_FOCUS else stem(word)
    if i < len(lowered) and lowered[i] in _AUXILIARIES:
        i += 1
    phrase = []
    while i < len(lowered) and lowered[i] not in _BREAKS:
        if lowered[i] not in _DETERMINERS and not re.search(r"['’]s$", lowered[i]):
            phrase.append(lowered[i])
        i += 1
    if not phrase or phrase[-1] in GENERIC_FOCUS or tokens[start + 1 + len(phrase) - 1 : start + 1 + len(phrase)] == []:
        return None
    word = phrase[-1]
    return None if word in GENERIC_FOCUS or word.isupper() else stem(word)


def _names(text: str) -> tuple[str, ...]:
    names = []
    # The first word is capitalised by grammar, not because it names something.
    text = text.split(None, 1)[1] if len(text.split(None, 1)) == 2 else ""
    for match in _NAME.finditer(text):
        for word in match.group(0).split():
            if word not in _NOT_NAMES and len(word) > 1 and word.isalpha():
                names.append(stem(word))
    return tuple(dict.fromkeys(names))

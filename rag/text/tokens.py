"""Word-level normalisation shared by evidence selection and verification."""

from __future__ import annotations

import re
from functools import lru_cache

STOPWORDS = frozenset(
    """a an the and or but of to in on at by for with from as is are was were be been being do does did has have had
    it its this that these those there their they them he she his her him we our you your i me my what which who whom whose
    when where why how many much than then so such not no nor if into over under about after before during since until
    per via also only more most any all each both either other same own can could would should will shall may might must
    according said say says tell show give name list please""".split()
)
# Words that frame a question without naming what it is about.
QUESTION_WORDS = frozenset(
    """number amount figure figures count kind sort mentioned document documents text passage called known describe
    described according main""".split()
)
# Small words that turn a claim around or change its size. They are stopwords for
# matching, but a sentence holding one says something else without it, so the
# verifier asks its evidence for each of them.
NEGATIONS = frozenset("not no never none neither nor without n't cannot nobody nothing nowhere".split())
COMPARATIVES = frozenset("more fewer less greater higher lower before after earlier later above below over under".split())
QUANTIFIERS = frozenset("all none some only every each most least".split())
# Words that open a sentence continuing the one before ("This is called...", "They...").
REFERENCES = frozenset("this these that those it its they their them he she his her such latter former one".split())
# Of those, the ones that can only stand for a person.
PERSONAL_PRONOUNS = frozenset("he she his her".split())
# Nouns that make a "number" or a label name a thing rather than count it: "reference
# number", "phone number", "Case ID".
IDENTIFIER_NOUNS = frozenset(
    """reference ref code id identifier phone telephone registration account serial passport licence license
    contact fax mobile tracking certificate permit case""".split()
)
_QUALIFIERS = NEGATIONS | COMPARATIVES | QUANTIFIERS
# "How heavy is it?" asks for what a table or a label calls its weight.
_DIMENSIONS = {"heavy": "weight", "tall": "height", "high": "height", "wide": "width", "deep": "depth",
               "far": "distance", "old": "age", "fast": "speed", "loud": "noise", "big": "size", "large": "size"}
_HOW_ADJECTIVE = re.compile(r"\bhow\s+([a-z]+)\b", re.I)


def how_adjectives(text: str) -> list[str]:
    """The words "how" asks with ("how long", "how heavy"): they frame a question and name nothing."""
    return [m.group(1).lower() for m in _HOW_ADJECTIVE.finditer(text)]


def dimension_nouns(text: str) -> list[str]:
    """The nouns a "how <adjective>" question asks about: "how heavy" gives "weight"."""
    return [_DIMENSIONS[a] for a in how_adjectives(text) if a in _DIMENSIONS]
# The doer of a verb where the stem plus -or/-er does not name it ("wrote": "author").
_IRREGULAR_AGENTS = {"wrote": ("author", "writer"), "written": ("author", "writer"), "write": ("author", "writer")}
_DIGIT_GROUP = re.compile(r"(?<=\d)[ \u00a0\u202f,](?=\d{3}(?!\d))")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*|\d+(?:\.\d+)?%?")
_NUMBER = re.compile(r"\d[\d.]*")
_CONTRACTION = re.compile(r"'(?:s|m|re|ve|ll|d)$")


def join_digit_groups(text: str) -> str:
    """'9 131', '9,131' and '9\u00a0131' all become '9131'."""
    previous = None
    while previous != text:
        previous, text = text, _DIGIT_GROUP.sub("", text)
    return text


def group_separator(text: str) -> str | None:
    """The character a text groups digits with ("9 131": " ", "9,131": ","), if it does."""
    match = _DIGIT_GROUP.search(text)
    return match.group(0) if match else None


def words(text: str) -> list[str]:
    return [w.lower().strip("'’-") for w in _WORD.findall(join_digit_groups(text))]


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def stem(word: str) -> str:
    return _stemmer().stemWord(word.lower())


def content_terms(text: str) -> list[str]:
    """Stemmed words that carry meaning: no stopwords, no question framing."""
    out = []
    for word in words(text):
        if _framing(word) or _framing(uncontracted(word)) or (len(word) < 2 and not word.isdigit()):
            continue
        out.append(stem(word))
    return out


def _framing(word: str) -> bool:
    return word in STOPWORDS or word in QUESTION_WORDS


def uncontracted(word: str) -> str:
    """The word a contraction leans on: "what's" -> "what", "i'm" -> "i"; a negated
    auxiliary ("don't", "isn't") is a stopword whole, as "not" is."""
    word = word.replace("’", "'")
    if word.endswith("n't"):
        return "not"
    return _CONTRACTION.sub("", word)


def numbers_in(text: str) -> list[str]:
    return [n.rstrip(".") for n in _NUMBER.findall(join_digit_groups(text))]


def normalise(text: str) -> str:
    return " ".join(words(text))

def qualifiers(text: str) -> set[str]:
    """The negations, comparatives and quantifiers in `text`; "didn't" and "cannot" count as "not"."""
    found = set()
    for word in words(text.replace("’", "'")):
        if word.endswith("n't") or word == "cannot":
            word = "not"
        if word in _QUALIFIERS:
            found.add("not" if word == "n't" else word)
    return found


def agent_forms(term: str) -> set[str]:
    """Stemmed nouns for whoever does what a stemmed verb says: "advis" (advised) gives
    "advisor", "found" gives "founder", "wrote" gives "author"."""
    return {term + "or", term + "er", *_IRREGULAR_AGENTS.get(term, ())}


def first_word(text: str) -> str:
    """The first word of a text, lower-cased ("" for none)."""
    found = re.findall(r"[A-Za-z]+", text[:40])
    return found[0].lower() if found else ""

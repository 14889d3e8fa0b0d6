"""English follow-ups: pronouns and demonstratives that point outside their own question,
and elliptical fragments, resolved against the last turn."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.followup import referents
from rag.followup.referents import YEAR, is_name_word
from rag.followup.turn import Turn

PERSON = frozenset({"he", "she", "him", "his", "her"})
THING = frozenset({"it", "its", "they", "them", "their"})
POSSESSIVE = frozenset({"his", "its", "their"})
DEMONSTRATIVE = frozenset({"this", "that", "these", "those"})
AUX = frozenset("is was are were be been does did do has have had can could will would should may might must shall".split())
WH = frozenset("what which who whom whose when where why how".split())
PREPOSITIONS = frozenset("in for at on during from since before after by under with about of to between within".split())
TIME_NOUNS = frozenset("year month week day days time morning afternoon evening quarter decade century season semester term spring summer autumn fall winter weekend".split())
# Words after which a new clause may start: a pronoun beyond one can take an antecedent before it.
BOUNDARY = frozenset(
    """and but or if when whether because before after once until so which who while since although though then where
    said say says told tells claimed claims think thinks believe believes argue argues argued that""".split()
)
SAYING = frozenset(
    """said say says claim claims claimed wrote write writes report reports reported state states stated announce announced
    announces find found finds argue argued argues suggest suggested suggests conclude concluded mention mentioned
    mentions believe believes think thinks know knows knew show shows showed shown decide decided""".split()
)
JUDGING = frozenset("true right correct mean means meant".split())
# After "that", these open a clause ("found that the fee rose"), so "that" is a conjunction.
CLAUSE_OPENERS = frozenset(
    """the a an its their his her some all most many more fewer few there it he she they we i you no every each any
    both only this these those such one none not""".split()
)
PREDICATES = AUX | frozenset(
    """mean means meant happen happened happens cost costs change changed include includes included apply applies applied
    require requires required work works worked start started end ended take took last lasted still also""".split()
)
CONJUNCTION_BEFORE = frozenset("so such now given provided except than assuming ensure ensures fact".split())
GENERIC_AFTER_THOSE = frozenset("who whom whose which that with in of at from under over aged without on for".split())
DUMMY_IT_NEXT = frozenset(
    """take takes took cost costs possible necessary true easy hard difficult likely required mandatory allowed important worth
    better best common usual normal legal illegal""".split()
)
DUMMY_IT_LATER = frozenset({"to", "that", "whether", "if"})
NOUN_DETERMINERS = frozenset("the a an this that these those its their his her each every any some all of many most no".split())
LEADING_CONJUNCTIONS = frozenset({"and", "but", "also", "so", "plus", "then"})
LONE_WH = re.compile(r"^\s*(?:and\s+|but\s+|so\s+)?(why|how|when|where|who|which|how come|how so|since when|really)\s*(?:not)?\s*\??\s*$", re.I)
ABOUT = re.compile(r"^\s*(?:and\s+|but\s+)?(?:what|how)\s+about\s+(.+?)\s*\??\s*$|^\s*(?:and\s+|but\s+)?(?:what of|same for|ditto for)\s+(.+?)\s*\??\s*$", re.I)
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*|[^\sA-Za-z0-9]")


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower().replace("’", "'")

    @property
    def is_word(self) -> bool:
        return self.text[:1].isalnum()


@dataclass(frozen=True)
class Reference:
    """A word pointing outside its question; kind is "person", "thing" or "claim"."""

    token: Token
    kind: str


def tokens_of(question: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(question)]


def refers_back(question: str) -> bool:
    return bool(references(question)) or fragment(question) is not None


def references(question: str) -> list[Reference]:
    tokens = tokens_of(question)
    found = []
    for n, token in enumerate(tokens):
        kind = _pronoun_kind(tokens, n) if token.lower in PERSON | THING else _demonstrative_kind(tokens, n) if token.lower in DEMONSTRATIVE else None
        if kind:
            found.append(Reference(token, kind))
    return found


def _word(tokens: list[Token], n: int) -> str | None:
    """The lower-cased word at n, or None past the end or at punctuation."""
    return tokens[n].lower if 0 <= n < len(tokens) and tokens[n].is_word else None


def _pronoun_kind(tokens: list[Token], n: int) -> str | None:
    token = tokens[n]
    if token.text.isupper() and len(token.text) > 1:  # "IT", "HE": an acronym, not a pronoun
        return None
    if token.text[:1].isupper() and n + 1 < len(tokens) and is_name_word(tokens[n + 1].text):
        return None  # "He Lin": part of a name
    if token.lower == "it" and _dummy_it(tokens, n):
        return None
    if _antecedent_before(tokens, n):
        return None
    return "person" if token.lower in PERSON else "thing"


def _dummy_it(tokens: list[Token], n: int) -> bool:
    """ "Is it possible to ...", "How long does it take to ...": 'it' stands for the clause that follows."""
    following = [t.lower for t in tokens[n + 1 :] if t.is_word]
    return bool(following) and following[0] in DUMMY_IT_NEXT and bool(DUMMY_IT_LATER & set(following[1:]))


def _antecedent_before(tokens: list[Token], n: int) -> bool:
    """A possessive takes any earlier name or noun phrase ("Curie ... her study"); a subject
    or object pronoun only one separated from it by a new clause ("NATO, and when was it ...")."""
    possessive = tokens[n].lower in POSSESSIVE or (tokens[n].lower == "her" and _word(tokens, n + 1) not in (None, *PREPOSITIONS))
    plural = tokens[n].lower in {"they", "them", "their"}
    for j in range(n - 1, -1, -1):
        if _is_anchor(tokens, j, plural):
            return possessive or any(_word(tokens, b) in BOUNDARY for b in range(j + 1, n))
    return False


def _is_anchor(tokens: list[Token], j: int, plural: bool = False) -> bool:
    word = tokens[j]
    if not word.is_word or word.lower in PERSON | THING | DEMONSTRATIVE | {"i"}:
        return False
    if plural and _plural_noun(word.lower):
        return True  # "applicants ... they"
    if word.text.isupper() and len(word.text) > 1:
        return True
    if is_name_word(word.text) and (j > 0 or word.lower not in referents.COMMON):
        return True
    return _word(tokens, j - 1) in {"the", "a", "an"} and word.lower not in TIME_NOUNS


def _plural_noun(word: str) -> bool:
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")) and word not in referents.COMMON | AUX | PREDICATES | SAYING


def _demonstrative_kind(tokens: list[Token], n: int) -> str | None:
    word, before, after = tokens[n].lower, _word(tokens, n - 1), _word(tokens, n + 1)
    if tokens[n].text.isupper() and len(tokens[n].text) > 1:
        return None
    if after and after.removesuffix("'s") in TIME_NOUNS:
        return None  # "this year's fee" is about now, not about the last answer
    if word == "those" and after and (after in GENERIC_AFTER_THOSE or after.endswith(("ed", "ing"))):
        return None  # "those who apply", "those interviewed"
    if word == "that" and not _that_points_back(tokens, n, before, after):
        return None
    if after is None or after in PREDICATES or after in JUDGING:
        return "claim" if before in SAYING or after in JUDGING or _first_word(tokens) == "why" else "thing"
    return "thing"


def _that_points_back(tokens: list[Token], n: int, before: str | None, after: str | None) -> bool:
    if after is None:
        return True  # "who said that?"
    if n == 1 and before in AUX:
        return True  # "Is that still the case?"
    if before in CONJUNCTION_BEFORE or _after_noun(tokens, n):
        return False  # "so that", "the scheme that started"
    if before in SAYING and sum(t.is_word for t in tokens[n + 1 :]) > 1:
        return False  # "found that young voters ...", but "who wrote that report?"
    if after in CLAUSE_OPENERS or after[:1].isdigit() or is_name_word(tokens[n + 1].text):
        return False  # "found that the fee rose", "said that Curie ..."
    return True


def _after_noun(tokens: list[Token], n: int) -> bool:
    """Whether the word before 'that' is a noun it qualifies ("the rule that applies")."""
    before = _word(tokens, n - 1)
    if before is None or before in AUX | WH | PREPOSITIONS | SAYING | JUDGING | NOUN_DETERMINERS:
        return False
    return _word(tokens, n - 2) in NOUN_DETERMINERS or before.endswith("s") or is_name_word(tokens[n - 1].text) and n > 1


def _first_word(tokens: list[Token]) -> str | None:
    return next((t.lower for t in tokens if t.is_word), None)


# --- fragments ----------------------------------------------------------------------


@dataclass(frozen=True)
class Fragment:
    """An elliptical question: a lone wh-word ("why?"), or a new target for the last question."""

    wh: str = ""
    target: str = ""


def fragment(question: str) -> Fragment | None:
    lone = LONE_WH.match(question)
    if lone:
        return Fragment(wh=lone.group(1).lower())
    about = ABOUT.match(question)
    if about:
        return Fragment(target=(about.group(1) or about.group(2)).strip())
    words = [t for t in tokens_of(question) if t.is_word]
    if not words:
        return None
    lowered = [t.lower for t in words]
    rest = words[1:] if lowered[0] in LEADING_CONJUNCTIONS else words
    rest_lower = [t.lower for t in rest]
    if not rest or set(rest_lower) & (AUX | WH) or len(rest) > 5:
        return None
    starts_fragment = rest_lower[0] in PREPOSITIONS or len(rest) < len(words) or YEAR.fullmatch(rest[0].text)
    bare_name = question.rstrip().endswith("?") and len(rest) <= 3 and (rest[0].text[:1].isupper() or rest_lower[0] == "the")
    if starts_fragment or bare_name:
        return Fragment(target=question[rest[0].start :].strip().rstrip("?.!").strip())
    return None


# --- resolution ---------------------------------------------------------------------


def resolve(question: str, last: Turn) -> str | None:
    found = references(question)
    if found:
        return _replace_references(question, found, last)
    shape = fragment(question)
    if shape is None:
        return None
    return _lone_wh(shape.wh, last) if shape.wh else _retarget(shape.target, last)


def _replace_references(question: str, found: list[Reference], last: Turn) -> str | None:
    out, end = [], 0
    for ref in found:
        replaced = _replacement(question, ref, last)
        if replaced is None or ref.token.start < end:
            continue
        text, stop = replaced
        out += [question[end : ref.token.start], text]
        end = stop
    if not out:
        return None
    text = "".join(out) + question[end:]
    return text[:1].upper() + text[1:]


def _replacement(question: str, ref: Reference, last: Turn) -> tuple[str, int] | None:
    """The text standing in for a reference, and where in the question the replaced part ends."""
    if ref.kind == "claim":
        said = referents.claim(last)
        return None if said is None else (_claim_phrase(question, ref, said), ref.token.end)
    name = referents.person_of(last) if ref.kind == "person" else referents.thing_of(last)
    if name is None:
        return None
    word = ref.token.lower
    if word in DEMONSTRATIVE:
        return _demonstrative_phrase(question, ref, name)
    rest = question[ref.token.end :].strip(" ?.!")
    possessive = word in POSSESSIVE or (word == "her" and bool(rest))
    return (f"{name}'s" if possessive and not name.endswith(("'s", "s'")) else name), ref.token.end


def _claim_phrase(question: str, ref: Reference, said: str) -> str:
    if _saying_before(question, ref):
        return f"that {said}"  # "who said that?" -> "who said that <the claim>?"
    if question.lower().startswith("why"):
        return f"it that {said}"  # "why is that?" -> "why is it that <the claim>?"
    return f"the statement that {said}"


def _demonstrative_phrase(question: str, ref: Reference, name: str) -> tuple[str, int]:
    """ "this" -> "NATO"; "this treaty" -> "the NATO treaty"; "that study" after "He Lin's
    study" -> "He Lin's study"."""
    after = [t for t in tokens_of(question[ref.token.end :]) if t.is_word]
    if not after or after[0].lower in PREDICATES | CLAUSE_OPENERS:
        return name, ref.token.end  # "this" stands alone: "is this the only one?"
    noun = after[0]
    if noun.lower in name.lower().replace("'s", "").split():
        return name, ref.token.end + noun.end
    return (name if name.lower().startswith("the ") else f"the {name}"), ref.token.end


def _saying_before(question: str, ref: Reference) -> bool:
    words = [t.lower for t in tokens_of(question[: ref.token.start]) if t.is_word]
    return bool(words) and words[-1] in SAYING


def _lone_wh(wh: str, last: Turn) -> str | None:
    said = referents.claim(last)
    if said is None:
        return None
    if wh in ("why", "how", "how come", "how so"):
        return f"{wh.split()[0].capitalize()} is it that {said}?"
    return f"{wh.capitalize()}: {said}?"


def _retarget(target: str, last: Turn) -> str | None:
    """The last question asked again about a new target: a year, a name or a place."""
    previous = last.question.strip()
    stem = previous.rstrip("?.! ")
    words = target.split()
    preposition = words[0] if words and words[0].lower() in PREPOSITIONS else ""
    subject = " ".join(words[1:]) if preposition else target
    year = YEAR.fullmatch(subject)
    if year:
        old = YEAR.findall(previous)
        return previous.replace(old[-1], subject) if old else f"{stem} in {subject}?"
    entity = _entity_like(previous, subject)
    if entity:
        return previous.replace(entity, subject.removeprefix("the ") if f"the {entity}" in previous else subject, 1)
    return f"{stem} {target}?" if preposition else f"{stem}, for {target}?"


def _entity_like(previous: str, subject: str) -> str | None:
    """The name in the last question that the new target stands in for."""
    if subject.isupper():
        found = referents.acronyms(previous)
        if found:
            return found[0]
    return referents.main_entity(previous, prefer_acronym=not any(is_name_word(w) for w in subject.split()))

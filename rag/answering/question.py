"""What a question asks for, from language-level cues only: the answer type its
wh-phrase expects, its content terms, the numbers and names it gives."""

from __future__ import annotations

import re

from rag.answering.records import Question
from rag.text.patterns import CODE, NUMBER, YEAR
from rag.text.sentences import split_sentences
from rag.text.tokens import IDENTIFIER_NOUNS, NEGATIONS, REFERENCES, content_terms, join_digit_groups, stem

# Checked in order; the first that matches the lower-cased question decides.
_KINDS = (
    ("acronym", r"\bstands? for\b|\babbreviation\b|\bfull (?:name|form)\b"),
    ("percent", r"\b(?:what|which) (?:share|percentage|proportion|percent|fraction)\b|\bpercentage of\b|\bhow large a share\b|\bwhat per ?cent\b"
                r"|\b(?:what|which) \w+ rates? (?:did|does|do|was|is|were|are|has|have)\b"),  # "what response rate did"
    ("money", r"\bhow much (?:does|did|do|will|would|is|was|are|were)\b.*\b(?:cost|costs|pay|paid|charge|charged|spend|spent|earn|earned|worth|raise|raised|sell|sold)\b"
              r"|\b(?:what|which|how much is|how much are) (?:\w+ ){0,4}(?:fee|fees|price|prices|cost|costs|salary|salaries|wage|wages|budget|rent|fine|charge)\b"
              # "What salary premium ...?" asks for a relative size, not a sum.
              r"(?! (?:premium|gap|growth|ratio|share|index|inflation)\b)"
              r"|\bhow much money\b"
              r"|\b(?:what|which|how much is|how much are) (?:\w+ ){0,4}(?:incomes?|earnings)\b"
              # "pay" the noun, not the verb: "what monthly pay", not "which bills does she pay"
              r"|\b(?:what|which) (?:\w+ ){0,3}(?:monthly|annual|yearly|weekly|hourly|fixed|base|basic|gross|net|minimum|average|median|starting|total) pay\b"),
    # A size that may be a sum of money or a measure ("How large is the deposit?"), where
    # a count asks how many.
    ("amount", r"\bhow much\b|\bhow (?:large|big|high)\b|\b(?:what|which) (?:\w+ ){0,2}(?:amount|total|figure|size)\b"),
    # "What reference number", "which phone number" ask for an identifier, not a count.
    ("number", r"\bhow many\b|\b(?:what|which) (?:other )?number\b|\b(?:what|which) (?:\w+ ){0,2}(?:population|score)\b"
               r"|\bnumber of\b|\bhow (?:tall|far|old)\b"),
    ("duration", r"\bhow long\b|\bfor how many (?:years|months|days)\b"),
    ("time", r"\b(?:what|which) time\b|\bat what time\b|\bwhat hour\b"),
    ("date", r"^\W*(?:\w+\W+){0,3}?when\b|\b(?:what|which|in what|in which) (?:year|date|day|month|decade|century|quarter|period)\b|\bsince when\b|\bwhen\b"
             r"|\b(?:what|which)(?:'s| is| was| will be| are| were)? (?:the |her |his |their |its |your |my |our )?(?:\w+ ){0,2}(?:date|deadline)s?\b"
             r"|\b(?:what|which)(?:'s| is| was| will be)? the (?:last|first|final|closing|opening|next) day\b"),
    ("person", r"^\W*(?:\w+\W+){0,2}?(?:who|whom|whose)\b|\b(?:which|what) (?:person|people|man|woman|individual|author|official|minister|politician|leader|president|king|queen|scientist|member|mp)\b|\bwho\b"),
    ("place", r"^\W*(?:\w+\W+){0,2}?where\b|\b(?:which|what|in what|in which) (?:country|countries|city|cities|place|places|region|state|province|town|continent|location|area|island|river|district)\b"),
)
# A question opening with an auxiliary verb asks yes or no.
_YES_NO = re.compile(r"^\W*(?:do|does|did|is|are|was|were|can|could|should|must|may|might|will|would|has|have|had|shall)\b")
_IDENTIFIER = re.compile(rf"\b(?:{'|'.join(sorted(IDENTIFIER_NOUNS))}) numbers?\b")
_CONTRACTED_IS = re.compile(r"\b(what|who|where|when|how|which)['’]s\b")
_INTERROGATIVES = frozenset("what which who whom whose when where why how".split())
_NAME = re.compile(r"\b[A-Z][\w'’.-]*")


# "What is the WHO?", "What are UAVs in the report?": an acronym alone (where it is
# used, at most) asks what it stands for.
_WHAT_IS_ACRONYM = re.compile(
    r"^\s*[Ww]hat\s+(?:is|are|was|were)\s+(?:the\s+|an?\s+)?[A-Z][A-Za-z.]*[A-Z]s?"
    r"(?:\s+(?:in|within|under|throughout|as used in|according to)\s+[^?,;]*)?\s*\??\s*$"
)


def analyse(text: str) -> Question:
    # The numbers of statements leading up to the question are the asker's situation
    # ("I'll be 35 when I apply."): an answer tied to a range holding them fits.
    numbers = tuple(dict.fromkeys(_numbers(text)))
    text = asked_sentence(text)
    lowered = _CONTRACTED_IS.sub(r"\1 is", text.lower())  # "what's the fee" asks as "what is the fee" does
    kind = next((name for name, pattern in _KINDS if re.search(pattern, lowered)), "other")
    if kind == "number" and _IDENTIFIER.search(lowered) and "how many" not in lowered:
        kind = "other"  # "What is the reference number of ...?" asks for a code
    if _YES_NO.match(lowered):
        kind = "other"  # "Should gloves be worn when drilling?" asks yes or no, not a date
    if _WHAT_IS_ACRONYM.match(text):
        kind = "acronym"
    return Question(
        text=text,
        kind=kind,
        terms=tuple(dict.fromkeys(content_terms(text))),
        numbers=numbers,
        names=_names(text),
        negated=bool(set(re.findall(r"[a-z]+", lowered)) & NEGATIONS) or "n't" in lowered,
    )


def asked_sentence(text: str) -> str:
    """The sentence that asks, when statements lead up to it ("X suggested Y. How many
    ...?"): the statements help find the passages, but the answer is to the question.
    A question that refers back to them ("What does it do?") keeps them."""
    sentences = split_sentences(text)
    if len(sentences) < 2 or not sentences[-1].rstrip().endswith("?"):
        return text
    lead, asked = sentences[:-1], sentences[-1].strip()
    statements = all(s.rstrip().rstrip("\"'”’)").endswith((".", "!")) for s in lead)
    lead_words = set(re.findall(r"[a-z]+", " ".join(lead).lower()))
    # "IT" in capitals is an acronym, not the pronoun.
    refers_back = any(w.lower() in REFERENCES and not w.isupper() for w in re.findall(r"[A-Za-z]+", asked))
    if not statements or lead_words & _INTERROGATIVES or refers_back:
        return text
    return asked


def _numbers(text: str) -> list[str]:
    joined = join_digit_groups(CODE.sub(" ", text))  # the 350 of "BD-350" is part of a name
    return YEAR.findall(joined) + [m.group(0) for m in NUMBER.finditer(joined) if not YEAR.fullmatch(m.group(0))]


def _names(text: str) -> tuple[str, ...]:
    # The first word is capitalised by grammar, not because it names something.
    body = text.split(None, 1)[1] if len(text.split(None, 1)) == 2 else ""
    # Tokenised as the documents are, so a name is compared with what they hold.
    found = [t for w in _NAME.findall(body) if len(w) > 1 for t in content_terms(w)]
    return tuple(dict.fromkeys(found))

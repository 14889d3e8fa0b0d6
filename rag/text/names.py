"""Whether a name names a person or a place, learnt from how the documents use it:
"Mr Tang", "Tang said" and "Tang, who" lean to a person; "in Tang", "across Tang" to a
place. Only words of the language are written here; the names come from the documents."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from rag.text.patterns import CAPITALISED_RUN

HONORIFICS = frozenset("mr mrs ms miss mx dr prof professor sir dame lord lady".split())
# Words that follow a person's name ("Lee said") or come before a place ("in Lima").
SPEECH_VERBS = frozenset("said says told wrote writes argued argues added adds explained noted asked replied".split())
PLACE_PREPOSITIONS = frozenset("in at from across near throughout within into".split())
_WORD = re.compile(r"[A-Za-z]+")


def name_key(name: str) -> str:
    """One spelling for a name however it is written: case, spacing, possessive."""
    return re.sub(r"(?:['’]s)?[\s.,;:]*$", "", " ".join(name.lower().split()))


class NameKinds:
    def __init__(self, texts: Iterable[str] = ()) -> None:
        self.person: Counter = Counter()
        self.place: Counter = Counter()
        for text in texts:
            self._read(text)

    def _read(self, text: str) -> None:
        for start, end in _name_runs(text):
            words = text[start:end].split()
            before = [w for w in _WORD.findall(text[max(0, start - 24): start].lower())[-2:] if w != "the"][-1:]
            after = _WORD.findall(text[end: end + 20].lower())[:1]
            if words[0].lower().strip(".") in HONORIFICS and len(words) > 1:
                self.person[name_key(" ".join(words[1:]))] += 1
            elif before and before[0] in PLACE_PREPOSITIONS:
                self.place[name_key(text[start:end])] += 1
            elif after and (after[0] in SPEECH_VERBS or text[end:].lstrip().startswith(", who ")):
                self.person[name_key(text[start:end])] += 1

    def leaning(self, name: str) -> str | None:
        """"person", "place", or None when the documents do not say."""
        key = name_key(name)
        person, place = self.person[key], self.place[key]
        if person > place:
            return "person"
        if place > person:
            return "place"
        return None


def _name_runs(text: str) -> Iterable[tuple[int, int]]:
    """Capitalised runs, cut where a sentence ends inside one ("in Lima. Professor Ruiz")."""
    for match in CAPITALISED_RUN.finditer(text):
        start = match.start()
        for word in re.finditer(r"\S+", match.group(0)):
            token = word.group(0)
            stem = token.rstrip(".")
            if token.endswith(".") and len(stem) > 2 and stem.lower() not in HONORIFICS:
                yield start, match.start() + word.end() - 1
                start = match.start() + word.end()
                while start < match.end() and text[start].isspace():
                    start += 1
        if start < match.end():
            yield start, match.end()


# How English makes a people's word from a place's: (the place's ending, the people's
# ending). "Canada"/"Canadian", "Japan"/"Japanese", "Germany"/"German", "Poland"/"Polish".
DEMONYM_ENDINGS = (
    ("a", "an"), ("a", "ian"), ("", "ian"), ("y", "ian"), ("y", ""), ("", "ese"), ("a", "ese"),
    ("", "i"), ("and", "ish"), ("eland", "ish"), ("ey", "ish"), ("e", "ean"), ("o", "an"),
)


# One capitalised word that may name a place or its people ("Canada", "Canadians").
PLACE_OR_PEOPLE = re.compile(r"\b[A-Z][a-z]{3,}\b")


def demonyms(place: str) -> set[str]:
    """The words a place's people may be called by ("canada" -> "canadian"), lower-cased."""
    place = place.lower()
    return {place[: len(place) - len(end)] + people for end, people in DEMONYM_ENDINGS
            if place.endswith(end) and len(place) - len(end) >= 2} - {place}


def demonym_places(word: str) -> list[str]:
    """The places a people's word may come from ("canadians" -> "canada", ...), lower-cased."""
    word = word.lower()
    if word.endswith(("ans", "ians", "eans", "is", "ese")) and not word.endswith("ese"):
        word = word[:-1]  # the plural: "Canadians", "Israelis"
    return [word[: len(word) - len(people)] + end for end, people in DEMONYM_ENDINGS
            if word.endswith(people) and len(word) - len(people) >= 2 and (people or len(word) >= 4)]

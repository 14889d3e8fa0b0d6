"""Words of opposite meaning, for spotting a question that keeps a sentence's words but
turns one into its opposite ("stronger" where the sentence says "weaker", "increase"
where it says "reduce"): the commonest edit that makes a look-alike question
unanswerable. General English only; matched on stems, so "increases" meets "decreased"."""

from __future__ import annotations

from functools import lru_cache

from rag.text.tokens import stem

# Each line: words that are opposites of each other (every word of the left group against
# every word of the right one).
_PAIRS = """
more greater higher larger bigger | less fewer lower smaller
most greatest highest largest biggest | least fewest lowest smallest
increase increased raise rise grow expand gain | decrease decreased reduce reduced lower fall shrink decline drop lose
stronger strong | weaker weak
easy easier easiest | difficult hard harder hardest
similar same | different
before earlier earliest | after later latest
first | last final
early | late
begin start | end finish
minimum | maximum
best better | worst worse
positive | negative
include included | exclude excluded
allow allowed permit permitted | prohibit prohibited forbid forbidden ban banned
succeed success successful | fail failure failed unsuccessful
win won victory | lose lost defeat
open opened | close closed
north northern | south southern
east eastern | west western
upper | lower
inner internal | outer external
above over | below under
new modern | old ancient
young younger youngest | old older oldest
cheap cheaper cheapest | expensive
long longer longest | short shorter shortest
fast faster fastest quick | slow slower slowest
heavy heavier | light lighter
hot hotter warm | cold colder cool
wet | dry
rich wealthy | poor
public | private
major | minor
common | rare
legal | illegal
possible | impossible
true | false
accept accepted | reject rejected
agree agreed | disagree disagreed
support supported | oppose opposed
add added | remove removed
buy bought | sell sold
import imported | export exported
arrive arrived | depart departed leave left
male men | female women
top | bottom
front | back
day | night
summer | winter
primary | secondary
direct | indirect
natural | artificial
simple | complex
deep | shallow
wide broad | narrow
thick | thin
many | few
always | never
all | none
inside | outside
enter entered | exit exited
attack attacked | defend defended
born | died
""".strip()


@lru_cache(maxsize=1)
def _opposites() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for line in _PAIRS.splitlines():
        left, right = (frozenset(stem(w) for w in side.split()) for side in line.split("|"))
        for a in left:
            table.setdefault(a, set()).update(right - left)
        for b in right:
            table.setdefault(b, set()).update(left - right)
    return {word: frozenset(others) for word, others in table.items()}


def turned(asked: set[str], held: set[str]) -> bool:
    """A stem the question asks that the text lacks while holding one of its opposites:
    the question says "stronger" of what the text calls "weaker"."""
    opposites = _opposites()
    return any(word not in held and opposites.get(word, frozenset()) & held for word in asked)

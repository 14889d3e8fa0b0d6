"""Evidence first: the sentences and table rows that answer a question, and
whether the documents cover the question at all (abstention)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from rag.aliases import Aliases, defined_acronyms
from rag.arithmetic import computed
from rag.question import Question
from rag.text.sentences import split_sentences
from rag.spans import counted_noun, find_span, labelled, people_in
from rag.tables_qa import LABEL_SYNONYMS, is_summary_row, row_label, superlative_row
from rag.text.tokens import content_terms, join_digit_groups, stem, words
from rag.types import Chunk, Passage

EmbedFn = Callable[[Sequence[str]], "object"]

TYPED_KINDS = ("number", "percent", "date", "time", "person", "money")
_LABEL_LINE = re.compile(r"^([A-Z][\w /&-]{1,40}):\s+\S")


@dataclass(frozen=True)
class EvidenceUnit:
    text: str
    chunk: Chunk
    passage_rank: int
    dense: float = 0.0
    coverage: float = 0.0
    typed: bool = False
    score: float = 0.0
    span: str | None = None  # the typed answer inside the unit, when one is found


@dataclass(frozen=True)
class Selection:
    question: Question
    units: tuple[EvidenceUnit, ...]  # chosen evidence, best first
    abstain_reason: str | None = None
    computed: str | None = None  # an answer worked out from the units ("8 years")

    @property
    def abstained(self) -> bool:
        return self.abstain_reason is not None


@dataclass(frozen=True)
class Thresholds:
    # Calibrated on eval/seeds_gold.jsonl (sweep 0.34-0.45): correct answers hold from 0.37
    # to 0.40 and fall above it, abstentions on unanswerable questions fall below 0.40.
    min_score: float = 0.40
    min_coverage: float = 0.0
    min_dense: float = 0.0
    second_unit_ratio: float = 0.92


class TermStats:
    """Document frequencies over the index, so rare question words weigh more."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self.total = max(1, len(chunks))
        self.df: dict[str, int] = {}
        self.vocabulary: set[str] = set()
        self.ordinary: set[str] = set()  # words the corpus also writes in lower case: not names
        defined: dict[str, str] = {}
        by_source: dict[str, set[str]] = {}
        texts: dict[str, list[str]] = {}
        for chunk in chunks:
            text = chunk.text + " " + chunk.title
            defined.update(defined_acronyms(text))
            for term in set(content_terms(text)):
                self.df[term] = self.df.get(term, 0) + 1
            stems = {stem(w) for w in words(text)}
            self.vocabulary.update(stems)
            by_source.setdefault(chunk.source, set()).update(stems)
            texts.setdefault(chunk.source, []).append(text)
            self.ordinary.update(re.findall(r"(?<![\w-])[a-z][a-z\-]+\b", chunk.text))
        self.aliases = Aliases(defined)
        self.people: dict[str, list[str]] = {}
        for chunk in chunks:
            if chunk.kind != "table":
                self.people.setdefault(chunk.source, []).extend(people_in(chunk.text, "", self.ordinary))
        self.source_text = {source: " ".join(" ".join(parts).lower().split()) for source, parts in texts.items()}
        self.source_terms = {source: self.aliases.close(terms) for source, terms in by_source.items()}
        self._passage_terms: dict[str, set[str]] = {}

    def knows(self, name: str) -> bool:
        """A name the corpus uses, allowing other forms of it ('Canadians' for 'Canada')."""
        if name in self.vocabulary or self.aliases.known_through(name, self.vocabulary):
            return True
        prefix = name[:5]
        return len(name) >= 5 and any(word.startswith(prefix) for word in self.vocabulary)

    def has_phrase(self, source: str, phrase: str) -> bool:
        """'Top Talent Pass' as a whole, or the acronym the documents define for it."""
        text = self.source_text.get(source, "")
        return phrase.lower() in text or any(
            long.lower().startswith(phrase.lower()) and short.lower() in text for short, long in self.aliases.defined.items()
        )

    def mentions(self, source: str, name: str) -> bool:
        """The document uses the name or another form of it ('Canadians' for 'Canada')."""
        terms = self.source_terms.get(source, set())
        return name in terms or (len(name) >= 5 and any(term.startswith(name[:5]) for term in terms))

    def passage_terms(self, text: str) -> set[str]:
        """A passage's terms with their aliases; each of its sentences asks for them."""
        if text not in self._passage_terms:
            self._passage_terms[text] = self.aliases.close(content_terms(text))
        return self._passage_terms[text]

    def idf(self, term: str) -> float:
        return math.log((self.total + 1) / (self.df.get(term, 0) + 0.5)) + 1.0


ROWS_PER_TABLE = 4
DENSE_WEIGHT = 0.35
COVERAGE_WEIGHT = 0.55


def diversify(passages: Sequence[Passage], k: int) -> list[Passage]:
    """At most a few rows of any one table, so its neighbours cannot crowd out the prose
    (superlatives still read the whole table through its id)."""
    kept, per_table = [], {}
    for passage in passages:
        table = passage.chunk.table_id
        if table:
            per_table[table] = per_table.get(table, 0) + 1
            if per_table[table] > ROWS_PER_TABLE:
                continue
        kept.append(passage)
        if len(kept) == k:
            break
    return kept


def evidence_units(passages: Sequence[Passage]) -> list[EvidenceUnit]:
    units = []
    for passage in passages:
        chunk = passage.chunk
        parts = [chunk.text] if chunk.kind == "table" else [s for line in chunk.text.split("\n") for s in split_sentences(line)]
        units.extend(EvidenceUnit(text, chunk, passage.rank) for text in parts if len(text.split()) >= 2)
    return units


def _is_title(unit: EvidenceUnit) -> bool:
    """The document's title (or a piece of it) says what the document is about, not an answer."""
    text, title = " ".join(unit.text.lower().split()), " ".join(unit.chunk.title.lower().split())
    return bool(title) and text.rstrip(" .?:") in title


def select(question: Question, passages: Sequence[Passage], embed: EmbedFn, stats: TermStats,
           table_rows: Callable[[str], list[Chunk]], thresholds: Thresholds = Thresholds()) -> Selection:
    units = [u for u in evidence_units(passages) if question.asks_for_title or not _is_title(u)]
    if not units:
        return Selection(question, (), "no passage in the index matches the question")
    absent = [n for n in question.names if not stats.knows(n)]
    if absent:
        return Selection(question, (), f"no document mentions {', '.join(absent)}")
    units = _score(question, units, embed, stats)
    labels, columns = _table_vocabulary(units, table_rows)
    eligible = [u for u in units if _covers_required(question, u, labels, columns, stats)]
    worked_out = computed(question, units, stats.aliases)
    if worked_out:
        return Selection(question, worked_out[1], computed=worked_out[0])
    if question.kind in TYPED_KINDS:
        typed = [u for u in eligible if u.span]
        if not typed and _asks_who_did(question):
            # "Who selects QMAS applicants?" may be answered by a body, not a person's name.
            return select(replace(question, kind="other"), passages, embed, stats, table_rows, thresholds)
        eligible = typed
    elif question.kind == "acronym" and any(u.span for u in eligible):
        eligible = [u for u in eligible if u.span]  # where the long form is spelled out
    if question.superlative:
        eligible = [u for u in eligible if not (u.chunk.kind == "table" and is_summary_row(u.chunk))]
    if not eligible:
        return Selection(question, (), _missing_reason(question, units))
    eligible.sort(key=lambda u: -u.score)
    best = eligible[0]
    if question.superlative:
        table = _best_table(question, eligible)
        row = superlative_row(question, table_rows(table.chunk.table_id)) if table else None
        if row is not None:
            return Selection(question, (replace(table, text=row.text, chunk=row, span=row_label(row)),))
        # One row of a table cannot say which is largest or smallest.
        eligible = [u for u in eligible if u.chunk.kind != "table"]
        if not eligible:
            return Selection(question, (), "no table or passage answers which is largest or smallest")
    if best.score < thresholds.min_score or best.coverage < thresholds.min_coverage or best.dense < thresholds.min_dense:
        return Selection(question, (best,), "the documents do not say enough about this")
    return Selection(question, tuple(_with_second(question, eligible, thresholds)))


def _best_table(question: Question, units: list[EvidenceUnit]) -> EvidenceUnit | None:
    """Among the tables in the evidence, the one whose label column the question asks about."""
    asked = set(question.terms) | {LABEL_SYNONYMS[w] for w in words(question.text) if w in LABEL_SYNONYMS}
    tables = {}
    for unit in units:
        if unit.chunk.table_id and unit.chunk.table_id not in tables:
            tables[unit.chunk.table_id] = unit
    if not tables:
        return None
    def fit(unit: EvidenceUnit) -> tuple[int, float]:
        label_terms = set(content_terms(" ".join(unit.chunk.columns[:1]).replace("/", " ")))
        return (len(asked & label_terms), unit.score)
    return max(tables.values(), key=fit)


def _score(question: Question, units: list[EvidenceUnit], embed: EmbedFn, stats: TermStats) -> list[EvidenceUnit]:
    vectors = embed([question.text] + [u.text for u in units])
    similarities = vectors[1:] @ vectors[0]
    scored = []
    for unit, dense in zip(units, similarities):
        coverage = _coverage(question, unit, stats)
        span = find_span(question, unit, stats.ordinary, stats.people)
        typed = span is not None or question.kind in ("other", "list")
        score = DENSE_WEIGHT * float(dense) + COVERAGE_WEIGHT * coverage + 0.1 * typed - 0.01 * (unit.passage_rank - 1)
        score += 0.2 * (_label_matches(question, unit.text) if unit.chunk.kind != "table" else 0.0)
        if question.kind == "person" and labelled(unit.text) and _asks_for_label(question, unit.text):
            score += 0.2
        if "total" in question.terms and unit.chunk.kind == "table" and row_label(unit.chunk).lower().startswith("total"):
            score += 0.15
        score += WHICH_NAME_BONUS * _names_a_which(question, unit.text)
        if question.is_list and unit.chunk.kind != "table":
            score += ENUMERATION_BONUS * min(3, _enumerated(unit.text))
        if span and unit.chunk.kind != "table" and question.kind == "number" and counted_noun(question.text):
            score += COUNTED_BONUS  # "56 semi-structured interviews" counts what "how many interviews" asks
        scored.append(replace(unit, dense=float(dense), coverage=coverage, typed=typed, score=score, span=span))
    return scored


WHICH_NAME_BONUS = 0.1
ENUMERATION_BONUS = 0.05
_SERIES = re.compile(r"(?:[^,;:]+,\s*){2,}[^,;:]*?\band\s")


COUNTED_BONUS = 0.1


def _enumerated(text: str) -> int:
    """Items of an 'A, B, and C' series: a list question is answered by a list."""
    match = _SERIES.search(text)
    return match.group(0).count(",") + 1 if match else 0


def _names_a_which(question: Question, text: str) -> bool:
    """'At which university ...' is answered by a name built on the word: 'University of Virginia'."""
    if not question.which:
        return False
    # "University of Virginia", and "Guangdong province" with the kind in lower case.
    for match in re.finditer(r"\b[A-Z][\w-]*(?:\s+(?:of|and|for|the)?\s*[A-Z][\w-]*)*(?:\s+[a-z]+)?", text):
        if question.which in {stem(w) for w in words(match.group(0))}:
            return True
    return False


_ROLE_WORDS = {"author": ("wrote", "write", "written", "author", "authors"), "advisor": ("advis", "advisor", "adviser", "supervis")}


def _asks_for_label(question: Question, text: str) -> bool:
    """'Author: ...' answers who wrote something, not who holds some other post."""
    label = text.split(":", 1)[0].strip().lower().rstrip("s")
    cues = next((words_ for role, words_ in _ROLE_WORDS.items() if label.startswith(role)), (label,))
    asked = question.text.lower()
    return any(cue in asked for cue in cues)


# Labels of "Label: value" lines that hold the kind of answer a question asks for.
_KIND_LABELS = {
    "date": set(content_terms("date day issued published year")),
    "time": set(content_terms("time start end")),
    "person": set(content_terms("author authors advisor speaker presenter editor chair")),
}


def _label_matches(question: Question, text: str) -> float:
    """'Room: Hampton Room' answers a question about the room."""
    match = _LABEL_LINE.match(text)
    if not match or len(match.group(1).split()) > 4:
        return 0.0
    label = set(content_terms(match.group(1)))
    if question.focus and question.focus in label:
        return 1.5
    if label & _KIND_LABELS.get(question.kind, set()):
        return 1.5  # "Day: 4/5/2019" answers "On what date ...?"
    return 1.0 if label & set(question.terms) else 0.0


# Words of the question elsewhere in the sentence's passage: the "Advisor:" line sits
# under the "Author: Qu, Xian" line that names whose dissertation it is.
PASSAGE_WEIGHT = 0.2


def _coverage(question: Question, unit: EvidenceUnit, stats: TermStats) -> float:
    if not question.terms:
        return 0.0
    found = stats.aliases.close(content_terms(unit.text))
    # The title says what the whole document is about, so it supports a sentence only half as much.
    context = stats.aliases.close(content_terms(unit.chunk.title + " " + unit.chunk.heading))
    passage = stats.passage_terms(unit.chunk.text) if unit.chunk.kind != "table" else set()
    names = set(question.names)
    total = sum(stats.idf(t) for t in question.terms)
    weight = {
        t: 1.0 if t in found else 0.5 if t in context else PASSAGE_WEIGHT if t in passage
        # A sentence of He Wang's paper is He Wang's, wherever the paper names its author.
        else PASSAGE_WEIGHT if t in names and stats.mentions(unit.chunk.source, t) else 0.0
        for t in question.terms
    }
    return sum(stats.idf(t) * weight[t] for t in question.terms) / total


def _covers_required(question: Question, unit: EvidenceUnit, all_labels: set[str] = frozenset(),
                     all_columns: set[str] = frozenset(), stats: TermStats | None = None) -> bool:
    """Years and names in the question must stand in the evidence or its passage."""
    text = join_digit_groups(unit.text)
    if stats is not None and not _document_fits(question, unit, stats):
        return False
    if unit.chunk.kind == "table":
        label = row_label(unit.chunk)
        asks_total = "total" in question.terms
        if question.years and not any(y in label for y in question.years) and not (asks_total and is_summary_row(unit.chunk)):
            return False
        if not _row_fits(question, unit.chunk, all_labels, all_columns):
            return False
    elif any(y not in text for y in question.years):
        return False
    elif stats is not None and not _prose_names_entity(question, unit, all_labels, stats):
        return False
    return True


def _prose_names_entity(question: Question, unit: EvidenceUnit, labels: set[str], stats: TermStats) -> bool:
    """'Applications from India': a row label names the entity, so a sentence about all
    applications, which never mentions India, does not answer."""
    entities = {n for n in question.names if n in labels}
    return not entities or entities <= stats.passage_terms(unit.chunk.text)


def _asks_who_did(question: Question) -> bool:
    """'Who picks ...', 'Who did they interview?': an actor that may be a body or a
    group; 'Who is the Director ...?' asks for a person's name."""
    return question.kind == "person" and not re.match(r"^\s*(who|whose)\s+(is|was|are|were)\b", question.text, re.I)


MIN_NAMES_IN_DOCUMENT = 0.5


def _document_fits(question: Question, unit: EvidenceUnit, stats: TermStats) -> bool:
    """A row of the QMAS table says nothing about the ASMTP, however similar the words:
    most of the names a question gives must be in the evidence's own document (a
    question joining two documents names things from both)."""
    if not all(stats.has_phrase(unit.chunk.source, phrase) for phrase in question.phrases):
        return False
    if not question.names:
        return True
    # Weighted by rarity: "Xian Qu" says more about which document than "Hong Kong".
    total = sum(stats.idf(name) for name in question.names)
    mentioned = sum(stats.idf(name) for name in question.names if stats.mentions(unit.chunk.source, name))
    return mentioned / total >= MIN_NAMES_IN_DOCUMENT


def _table_vocabulary(units: list[EvidenceUnit], table_rows) -> tuple[set[str], set[str]]:
    """Terms of every row label and value column of the tables in the evidence."""
    labels, columns = set(), set()
    for table_id in {u.chunk.table_id for u in units if u.chunk.table_id}:
        for row in table_rows(table_id):
            labels.update(content_terms(row_label(row)))
            columns.update(content_terms(" ".join(row.columns[1:])))
    return labels, columns


def _row_fits(question: Question, row: Chunk, labels: set[str], columns: set[str]) -> bool:
    """A row answers only when the entity named (a country, an industry) is its own label,
    and the quantity asked for (applications, quotas) is one of its columns."""
    asked = set(question.terms)
    own_label = set(content_terms(row_label(row)))
    own_header = set(content_terms(row.title + " " + " ".join(row.columns)))
    # "IT and telecommunications applicants in 2021": a label of another row or table
    # names a different entity, so a year row cannot answer it.
    named = {t for t in asked if t in labels and t not in own_header} | {n for n in question.names if n in labels}
    if named and not named <= own_label:
        return False
    wanted = asked & columns
    return not wanted or bool(wanted & set(content_terms(" ".join(row.columns[1:]))))


def _missing_reason(question: Question, units: list[EvidenceUnit]) -> str:
    seen = {stem(w) for u in units for w in words(u.chunk.text + " " + u.chunk.title)}
    missing = [n for n in question.names if n not in seen] + [y for y in question.years if not any(y in u.text for u in units)]
    if missing:
        return f"the documents do not mention {', '.join(missing)} in this context"
    return "no passage covers the question"


def _with_second(question: Question, eligible: list[EvidenceUnit], thresholds: Thresholds) -> list[EvidenceUnit]:
    best = eligible[0]
    chosen = [best]
    if question.kind in ("number", "percent", "date") and best.span:
        return chosen
    if question.is_list:
        follower = _next_sentence(best, eligible)
        if follower is not None and follower.score >= LIST_FOLLOWER_RATIO * best.score:
            return [best, follower]  # a list often runs on: "This involvement positions the state as ..."
    for unit in eligible[1:4]:
        if unit.chunk.id != best.chunk.id and unit.score >= thresholds.second_unit_ratio * best.score:
            chosen.append(unit)
            break
    return chosen


LIST_FOLLOWER_RATIO = 0.85


def _next_sentence(unit: EvidenceUnit, eligible: list[EvidenceUnit]) -> EvidenceUnit | None:
    """The sentence right after this one in the same passage, if it is evidence too."""
    text = unit.chunk.text
    start = text.find(unit.text)
    if start < 0:
        return None
    rest = text[start + len(unit.text):].lstrip()
    return next((u for u in eligible if u.chunk.id == unit.chunk.id and u.text != unit.text and rest.startswith(u.text)), None)



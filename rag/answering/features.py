"""Features of a (question, candidate) pair that mean the same in any corpus.
Their order is the order of the fitted weights (rag/answering/weights.json)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

import numpy as np

from rag.answering.corpus import CorpusStats
from rag.answering.records import Candidate, Question
from rag.answering.spans import has_span, locate_span
from rag.text.antonyms import turned
from rag.text.numbers import plain_numbers, stated_bounds, within_bounds
from rag.text.tokens import NEGATIONS, REFERENCES, content_terms, first_word, join_digit_groups, stem, words

EmbedFn = Callable[[Sequence[str]], np.ndarray]

NAMES = (
    "dense", "dense_gap", "coverage", "coverage_context", "coverage_chunk", "coverage_gap",
    "missing_max_idf", "missing_count", "bigrams", "names_covered", "numbers_covered",
    "type_fit", "type_missing", "new_terms", "length", "passage_score", "inverse_rank",
    "negation_mismatch", "is_table", "title_only", "span_window", "span_distance",
    "opens_with_reference", "coverage_before", "names_unknown", "opposite_word",
)
# Words either side of a typed span that count as its surroundings: about a clause.
SPAN_WINDOW = 8


def feature_matrix(question: Question, units: Sequence[Candidate], embed: EmbedFn, stats: CorpusStats) -> np.ndarray:
    if not units:
        return np.zeros((0, len(NAMES)))
    vectors = embed([question.text] + [u.text for u in units])
    dense = vectors[1:] @ vectors[0]
    weights = {t: stats.idf(t) for t in question.terms}
    asked_forms = stats.close(weights)  # the question's terms and what its acronyms spell out
    chunk_terms: dict[str, set[str]] = {}  # a passage's terms, shared by all its sentences
    for unit in units:
        if unit.chunk.id not in chunk_terms:
            chunk_terms[unit.chunk.id] = stats.close(content_terms(unit.chunk.text))
    rows = [_row(question, weights, asked_forms, unit, float(d), stats, chunk_terms[unit.chunk.id])
            for unit, d in zip(units, dense)]
    matrix = np.array(rows, dtype=np.float64)
    # A name the question gives that no document holds at all: the question is about
    # something else, however well the rest of it matches.
    unknown = [n for n in question.names if not stats.df.get(n)]
    matrix[:, NAMES.index("names_unknown")] = len(unknown) / len(question.names) if question.names else 0.0
    # The other common look-alike edit: a word of the question turned into its opposite.
    asked_stems = {stem(w) for w in words(question.text)}
    matrix[:, NAMES.index("opposite_word")] = [float(turned(asked_stems, {stem(w) for w in words(u.text)})) for u in units]
    # Relative to the best candidate: what wins is what beats the others.
    matrix[:, NAMES.index("dense_gap")] = matrix[:, 0] - matrix[:, 0].max()
    cov = matrix[:, NAMES.index("coverage_context")]
    matrix[:, NAMES.index("coverage_gap")] = cov - cov.max()
    return matrix


def _row(question: Question, weights: dict[str, float], asked_forms: set[str], unit: Candidate, dense: float,
         stats: CorpusStats, chunk_terms: set[str]) -> list[float]:
    asked = question.terms
    text_terms = content_terms(unit.text)
    own = stats.close(text_terms)
    around = stats.close(content_terms(unit.context))
    chunk = around | chunk_terms
    missing = [t for t in asked if t not in around]
    top_idf = max(weights.values(), default=1.0)
    located = locate_span(question, unit.text, stats.names)  # None for an acronym: its span is a long form
    fits = has_span(question, unit.text) if question.kind == "acronym" else located is not None
    type_fit = float(fits) if question.kind != "other" else 0.0
    text_numbers = join_digit_groups(unit.context)
    return [
        dense,
        0.0,
        weighted_share(weights, own),
        weighted_share(weights, around),
        weighted_share(weights, chunk),
        0.0,
        max((weights[t] for t in missing), default=0.0) / top_idf,
        min(len(missing), 4) / 4,
        _bigrams(asked, text_terms),
        _share(question.names, around),
        _numbers_covered(question.numbers, text_numbers, unit.context),
        type_fit,
        float(question.kind != "other" and not type_fit),
        math.log1p(len(own - set(asked))),
        math.log1p(len(unit.text.split())),
        unit.passage_score,
        1.0 / unit.passage_rank,
        # A "not" the question adds is a look-alike's commonest change; a "not" only the
        # sentence has is ordinary prose (on squad2/train its candidates answer as often as any).
        float(question.negated and not set(re.findall(r"[a-z]+", unit.text.lower())) & NEGATIONS),
        float(unit.is_table),
        float(_is_title(unit)),
        *_span_surroundings(weights, asked_forms, unit.text, located, stats),
        # An answer often follows the sentence that holds the question's words and
        # refers back to it: "...identify tumours. This is called immune surveillance."
        float(first_word(unit.text) in REFERENCES),
        weighted_share(weights, stats.close(content_terms(unit.before))),
        0.0,
        0.0,
    ]


def weighted_share(weights: dict[str, float], held: set[str]) -> float:
    """The share of the terms' weight (their IDF) that `held` covers; 0 for no terms."""
    return sum(w for t, w in weights.items() if t in held) / (sum(weights.values()) or 1.0)


def _span_surroundings(weights: dict[str, float], asked_forms: set[str], text: str,
                       located: tuple[str, int, int] | None, stats: CorpusStats) -> tuple[float, float]:
    """How much of the question stands right around the answer span, and how far the
    nearest question word is from it (in words): "opened on <date>" beats a date that
    shares the sentence with the question's words but not the clause."""
    if located is None:
        return 0.0, 0.0
    _, start, end = located
    words = list(re.finditer(r"\w[\w'’-]*", text))
    before = [i for i, w in enumerate(words) if w.end() <= start]
    after = [i for i, w in enumerate(words) if w.start() >= end]
    first = (before[-1] + 1) if before else 0
    last = after[0] if after else len(words)
    near = words[max(0, first - SPAN_WINDOW): first] + words[last: last + SPAN_WINDOW]
    near_terms = stats.close(content_terms(" ".join(w.group(0) for w in near)))
    positions = [i for i, w in enumerate(words) if (i < first or i >= last) and set(content_terms(w.group(0))) & asked_forms]
    distance = min((first - i if i < first else i - last + 1 for i in positions), default=len(words))
    return weighted_share(weights, near_terms), math.log1p(distance)


def _numbers_covered(asked: Sequence[str], joined: str, text: str) -> float:
    """The share of the question's numbers the text gives, or speaks for through a range
    or limit: "I'm 41" is covered by "aged 40 or over"."""
    if not asked:
        return 1.0
    present = plain_numbers(joined)
    bounds = stated_bounds(text) if not set(asked) <= present else []
    return sum(n in present or bool(within_bounds(n, bounds)) for n in asked) / len(asked)


def _share(wanted: Sequence[str], present: set[str]) -> float:
    return 1.0 if not wanted else sum(w in present for w in wanted) / len(wanted)


def _bigrams(asked: Sequence[str], found: Sequence[str]) -> float:
    pairs = set(zip(asked, asked[1:]))
    if not pairs:
        return 0.0
    return len(pairs & set(zip(found, found[1:]))) / len(pairs)


def _is_title(unit: Candidate) -> bool:
    """The document's title says what the document is about, not an answer."""
    text, title = " ".join(unit.text.lower().split()), " ".join(unit.chunk.title.lower().split())
    return bool(title) and text.rstrip(" .?:") in title


QUESTION_NAMES = (
    "best_logit", "second_logit", "margin", "best_coverage_context", "best_missing_max_idf",
    "best_type_fit", "best_type_missing", "best_dense", "typed_question", "question_terms",
    "best_names_covered", "best_numbers_covered", "max_names_covered", "max_numbers_covered", "max_coverage_chunk",
    "best_measure_missing", "best_negation_mismatch", "best_bigrams", "best_span_window", "names_unknown",
    "best_opposite_word",
)
# Kinds whose answer has a shape no other phrase takes: a count, an amount, a share, a
# clock time, a length of time. A "when" or "who" may be answered in words.
MEASURES = ("amount", "number", "money", "percent", "time", "duration")


def question_features(question: Question, matrix: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """What says whether the best candidate is right: how sure the candidate scorer is,
    how far ahead of the runner-up, and how well the best covers the question."""
    order = np.argsort(-probabilities)
    best = matrix[order[0]]
    p1 = float(probabilities[order[0]])
    p2 = float(probabilities[order[1]]) if len(order) > 1 else 0.0
    column = {name: i for i, name in enumerate(NAMES)}
    return np.array([
        _logit(p1), _logit(p2), p1 - p2,
        best[column["coverage_context"]], best[column["missing_max_idf"]],
        best[column["type_fit"]], best[column["type_missing"]], best[column["dense"]],
        float(question.kind != "other"), math.log1p(len(question.terms)),
        # A name or number the question gives that no candidate's context holds is the
        # commonest sign that the documents are about something else.
        best[column["names_covered"]], best[column["numbers_covered"]],
        matrix[:, column["names_covered"]].max(), matrix[:, column["numbers_covered"]].max(),
        matrix[:, column["coverage_chunk"]].max(),
        float(question.kind in MEASURES and bool(best[column["type_missing"]])),
        # A look-alike question keeps most words and changes the one that matters: a
        # negation, the order of a phrase, the words right around the answer.
        best[column["negation_mismatch"]], best[column["bigrams"]], best[column["span_window"]],
        best[column["names_unknown"]], best[column["opposite_word"]],
    ])


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))

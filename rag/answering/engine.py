"""From retrieved passages to a Selection: candidates, features, fitted scores,
a short answer span, and abstention below the calibrated threshold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from rag.answering.candidates import candidates
from rag.answering.choice import choice_answer
from rag.answering.corpus import CorpusStats
from rag.answering.fields import field_answer
from rag.answering.features import NAMES, EmbedFn, feature_matrix, question_features
from rag.answering.records import Candidate, Question, Scored, Selection
from rag.answering.scorer import Scorer
from rag.answering.spans import SPAN_KINDS, find_span, has_span
from rag.answering.tables import RowsFn, TableOutcome, table_outcome
from rag.text.tokens import PERSONAL_PRONOUNS, content_terms, first_word

# Answer types a table usually holds: when the table the question is about lacks the
# row, column or period it names, a sentence elsewhere is not the answer either.
TABLE_KINDS = ("amount", "number", "money", "percent")
# Answers with a shape nothing else has: a sentence without one does not answer. A count
# ("how many") is one: on squad2/train requiring one declines 22 more unanswerable
# questions for 12 answerable ones, about the trade of a higher threshold, while on
# documents of figures a count the best sentence lacks is seldom given elsewhere.
SHAPED_KINDS = {"money": "sum of money", "percent": "percentage", "number": "count"}
# A second unit is quoted only when it is nearly as likely to answer as the first.
SECOND_UNIT_RATIO = 0.8


def rank(question: Question, passages: Sequence, embed: EmbedFn, stats: CorpusStats, scorer: Scorer
         ) -> tuple[list[Candidate], np.ndarray, float]:
    """Candidates, the probability that each answers, and the confidence that the best is right."""
    units, matrix, probabilities = _scored(question, passages, embed, stats, scorer)
    return units, probabilities, _confidence(question, matrix, probabilities, scorer)


def _scored(question: Question, passages: Sequence, embed: EmbedFn, stats: CorpusStats, scorer: Scorer
            ) -> tuple[list[Candidate], np.ndarray, np.ndarray]:
    units = candidates(passages)
    matrix = feature_matrix(question, units, embed, stats)
    return units, matrix, scorer.probabilities(matrix)


def _confidence(question: Question, matrix: np.ndarray, probabilities: np.ndarray, scorer: Scorer) -> float:
    # No word of the question in any passage found: nothing to be confident about, and
    # no question the scorer was fitted on looked like that.
    if len(probabilities) == 0 or (question.terms and not matrix[:, NAMES.index("coverage_chunk")].any()):
        return 0.0
    return scorer.confidence(question_features(question, matrix, probabilities), matrix, probabilities)


def select(question: Question, passages: Sequence, embed: EmbedFn, stats: CorpusStats, scorer: Scorer,
           threshold: float | None = None, table_rows: RowsFn | None = None) -> Selection:
    units, matrix, probabilities = _scored(question, passages, embed, stats, scorer)
    if not units:
        return Selection(question, (), 0.0, "no passage in the index matches the question")
    if question.kind in SPAN_KINDS:
        # A unit every word of which is the question's (a heading naming what is asked
        # about) holds no name, date or figure the question does not already give: on
        # squad2/train such a best candidate answered none of the two questions it led.
        adds = list(np.flatnonzero(matrix[:, NAMES.index("new_terms")]))
        if not adds:
            return _declined(question, units[0], probabilities[0], 0.0, "the passages found only repeat the question")
        units, matrix, probabilities = [units[i] for i in adds], matrix[adds], probabilities[adds]
    best = int(np.argmax(probabilities))
    bar = scorer.threshold if threshold is None or threshold < 0 else threshold
    confidence = _confidence(question, matrix, probabilities, scorer)
    reason = f"the best passage found answers it with confidence {{:.2f}}, below {bar:.2f}"
    tabled = table_outcome(question.text, passages, units, probabilities, table_rows)
    if tabled is not None:
        decided = _from_table(question, tabled, units[best], float(probabilities[best]), confidence, bar)
        if decided is not None:
            return decided
        guessed = _unnamed_row(question, units[best]) or not has_span(question, units[best].text)
        if tabled.absent and units[best].is_table and (tabled.named or guessed):
            # The table the question seemed to be about has nothing it names: the prose
            # may still answer, judged without the table's rows. A row that holds a value
            # of the kind asked ("Final exam (2 hours)" for "how long") stays, unless the
            # table plainly lacks what the question names or the row is not the one named.
            lacking = f"the table found does not give it: {tabled.absent}"
            prose = [i for i, u in enumerate(units) if not u.is_table]
            if not prose:
                return _declined(question, units[best], probabilities[best], confidence, lacking)
            units, matrix, probabilities = [units[i] for i in prose], matrix[prose], probabilities[prose]
            best, confidence = int(np.argmax(probabilities)), _confidence(question, matrix, probabilities, scorer)
            reason = f"the table found does not give it ({tabled.absent}) and no sentence does either"
            if question.kind in TABLE_KINDS and not has_span(question, units[best].text):
                # A count, amount or share the table lacks needs a sentence that gives one.
                return _declined(question, units[best], probabilities[best], confidence, lacking)
    chosen_option = choice_answer(question, units, probabilities, stats)
    if chosen_option is not None:
        return replace(chosen_option, confidence=max(confidence, bar))
    field = field_answer(question, passages, stats) or _definition(question, units, probabilities)
    if field is not None:
        return Selection(question, (field,), max(confidence, bar), None, field.span)
    if confidence < bar:
        return _declined(question, units[best], probabilities[best], confidence, reason.format(confidence))
    if question.kind in SHAPED_KINDS and not has_span(question, units[best].text):
        return _declined(question, units[best], probabilities[best], confidence,
                         f"the best passage found gives no {SHAPED_KINDS[question.kind]}")
    chosen = _chosen(question, units, probabilities, stats)
    return Selection(question, chosen, confidence, None, chosen[0].span)


def _unnamed_row(question: Question, unit: Candidate) -> bool:
    """A table row whose label shares no word with a question asking for a figure: its
    figures match the question only through the table's caption and headings, which
    every row shares, so taking one would be a guess among the rows."""
    label = unit.chunk.cells[0] if unit.chunk.cells else ""
    return question.kind in TABLE_KINDS and not set(content_terms(label)) & set(question.terms)


def _definition(question: Question, units: Sequence[Candidate], probabilities: np.ndarray) -> Scored | None:
    """What an acronym stands for, quoted from the likeliest sentence that spells it out."""
    if question.kind != "acronym":
        return None
    for i in np.argsort(-probabilities):
        long = find_span(question, units[i].text)
        if long:
            return Scored(units[i], float(probabilities[i]), long)
    return None


def _declined(question: Question, best: Candidate, probability: float, confidence: float, reason: str) -> Selection:
    """An abstention that keeps the best unit, so the withheld answer can still be shown."""
    return Selection(question, (Scored(best, float(probability)),), confidence, reason)


def _from_table(question: Question, tabled: TableOutcome, best: Candidate, best_probability: float,
                confidence: float, bar: float) -> Selection | None:
    """The table's answer, or an abstention when the table asked about lacks what is named."""
    if tabled.answer is not None:
        rows = tuple(Scored(row, 1.0, tabled.answer.short) for row in tabled.rows)
        return Selection(question, rows, max(confidence, bar), None, tabled.answer.short, tabled.answer.explanation)
    if tabled.absent and tabled.named and (best.is_table or question.kind in TABLE_KINDS):
        return _declined(question, best, best_probability, confidence, f"the table found does not give it: {tabled.absent}")
    return None


def _chosen(question: Question, units: Sequence[Candidate], probabilities: np.ndarray, stats: CorpusStats
            ) -> tuple[Scored, ...]:
    """The best unit, and the runner-up when it is nearly as likely to answer."""
    order = [int(i) for i in np.argsort(-probabilities)]
    best = order[0]
    chosen = [_with_span(question, units[best], float(probabilities[best]), stats)]
    for i in order[1:3]:
        if probabilities[i] >= SECOND_UNIT_RATIO * probabilities[best] and units[i].text != units[best].text:
            chosen.append(_with_span(question, units[i], float(probabilities[i]), stats))
            break
    return tuple(chosen)


def _with_span(question: Question, unit: Candidate, probability: float, stats: CorpusStats) -> Scored:
    """The unit and its short answer. A sentence that opens with a person's pronoun ("She
    said...") is quoted with the sentence before, which names the person; a "who" takes
    that name as its answer."""
    span = find_span(question, unit.text, stats.names)
    if span is not None or not unit.before or first_word(unit.text) not in PERSONAL_PRONOUNS:
        return Scored(unit, probability, span)
    if question.kind == "person":
        # The subject is the first name of the sentence before, not the one nearest the question's words.
        span = find_span(replace(question, terms=(), names=()), unit.before, stats.names)
    if span is None and question.kind != "other":
        return Scored(unit, probability, None)
    return Scored(replace(unit, text=f"{unit.before} {unit.text}", before=""), probability, span)

"""Verdicts on one question: its answer, its citations and the passages retrieved for it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rag.evaluation.gold import GoldQuestion
from rag.evaluation.squad import best_exact_match, best_f1
from rag.evaluation.scoring import answer_matches, contains_quote, matches_any, source_matches, word_count
from rag.types import Answer, Citation, Passage


@dataclass(frozen=True)
class CitationVerdict:
    n: int
    source: str
    locator: str
    correct: bool | None  # from a gold source, and holds the quote or a gold answer; None: no gold evidence to judge by


@dataclass(frozen=True)
class QuestionResult:
    id: str
    question: str
    answerable: bool
    answer: str
    abstained: bool
    words: int
    word_limit: int
    matched: bool  # a gold answer appears in the answer text
    citations: tuple[CitationVerdict, ...]
    has_evidence: bool  # gold evidence exists, so retrieval is scored
    retrieval_rank: int | None  # rank of the first passage holding the evidence; None if not in the top k
    latency_ms: float
    confidence: float = 0.0  # the assistant's own probability that its evidence answers
    exact_match: float | None = None  # SQuAD EM of the short answer (answerable questions with answers)
    f1: float | None = None  # SQuAD token F1 of the short answer
    right_if_answered: bool = False  # what an answer would have been worth, had it not abstained

    @property
    def too_long(self) -> bool:
        return not self.abstained and self.words > self.word_limit

    @property
    def correct(self) -> bool:
        """Answerable: the gold answer, briefly. Unanswerable: an abstention."""
        if not self.answerable:
            return self.abstained
        return self.matched and not self.abstained and not self.too_long

    @property
    def citation_known(self) -> bool:
        """Citations can be judged only against gold evidence; without it they are unknown."""
        return self.has_evidence

    @property
    def cited(self) -> bool:
        """At least one correct citation on an answer (an abstention supports nothing).
        Without gold evidence a citation cannot be judged, so it does not fail this."""
        if self.abstained:
            return False
        return any(c.correct for c in self.citations) if self.citation_known else True

    @property
    def ok(self) -> bool:
        """What the gate asks of every question."""
        return self.correct and self.cited if self.answerable else self.abstained

    def problems(self) -> list[str]:
        """Why the question is not ok; empty when it is."""
        if not self.answerable:
            return [] if self.abstained else ["answered a question the documents cannot answer"]
        found = ["abstained"] if self.abstained else self._answer_problems()
        if found and self.has_evidence and self.retrieval_rank is None:
            found.append("evidence not retrieved")  # points at retrieval rather than generation
        return found

    def _answer_problems(self) -> list[str]:
        found = [] if self.matched else ["gold answer missing"]
        if self.too_long:
            found.append(f"too long ({self.words} > {self.word_limit} words)")
        if not self.cited:
            found.append("no correct citation" if self.citations else "no citation")
        return found


def judge(question: GoldQuestion, answer: Answer, passages: Sequence[Passage], latency_ms: float) -> QuestionResult:
    text = "" if answer.abstained else answer.text
    return QuestionResult(
        id=question.id,
        question=question.question,
        answerable=question.answerable,
        answer=answer.text,
        abstained=answer.abstained,
        words=word_count(text),
        word_limit=question.word_limit,
        matched=answer_matches(text, question.answers, question.all_of),
        citations=tuple(judge_citation(question, c) for c in answer.citations),
        has_evidence=bool(question.evidence),
        retrieval_rank=retrieval_rank(question, passages),
        latency_ms=latency_ms,
        confidence=answer.confidence,
        right_if_answered=_right_if_answered(question, answer),
        **_span_scores(question, answer),
    )


def _right_if_answered(question: GoldQuestion, answer: Answer) -> bool:
    """Correct and correctly cited, judged on the withheld answer when the assistant abstained."""
    given = answer.withheld if answer.abstained else answer
    if given is None or not question.answerable:
        return False
    matched = answer_matches(given.text, question.answers, question.all_of)
    return matched and any(judge_citation(question, c).correct for c in given.citations)


def _span_scores(question: GoldQuestion, answer: Answer) -> dict[str, float | None]:
    """SQuAD exact match and F1 of the short answer; an abstention scores 0 on an answerable question."""
    if not question.answerable or not question.answers:
        return {}
    prediction = "" if answer.abstained else (answer.short_answer or "")
    return {"exact_match": best_exact_match(prediction, question.answers), "f1": best_f1(prediction, question.answers)}


def citation_supports(question: GoldQuestion, source: str, text: str) -> bool:
    """Cited text from a gold source holding that source's quote or any gold answer."""
    for evidence in question.evidence:
        if not source_matches(source, evidence.source):
            continue
        if contains_quote(text, evidence.quote) or matches_any(text, question.gold_strings()):
            return True
    return False


def judge_citation(question: GoldQuestion, citation: Citation) -> CitationVerdict:
    correct = citation_supports(question, citation.source, citation.text) if question.evidence else None
    return CitationVerdict(citation.n, citation.source, citation.locator, correct)


def passage_holds_evidence(question: GoldQuestion, source: str, text: str) -> bool:
    return any(source_matches(source, e.source) and contains_quote(text, e.quote) for e in question.evidence)


def retrieval_rank(question: GoldQuestion, passages: Sequence[Passage]) -> int | None:
    for position, passage in enumerate(passages, start=1):
        if passage_holds_evidence(question, passage.chunk.source, passage.chunk.text):
            return position
    return None

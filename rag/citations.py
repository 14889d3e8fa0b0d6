"""Verification: every number, name, content word, negation, comparative and
quantifier of an answer sentence must stand in the evidence it cites; unsupported
sentences are re-attributed or dropped."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.answering.records import Question
from rag.text.sentences import split_sentences
from rag.text.tokens import content_terms, numbers_in, qualifiers, stem, words

_MARKER = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zA-Z\-]+")
# Connective words a fluent answer may add without changing its claim.
_GLUE = frozenset(stem(w) for w in "answer evidence according document documents accord".split())


@dataclass(frozen=True)
class VerifiedSentence:
    text: str  # without markers
    cites: tuple[int, ...]  # 1-based evidence numbers


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text)


def parse(draft: str) -> list[tuple[str, tuple[int, ...]]]:
    out = []
    for sentence in split_sentences(" ".join(draft.split())):
        cites = tuple(int(n) for group in _MARKER.findall(sentence) for n in group.split(","))
        text = _MARKER.sub("", sentence).strip()
        if text:
            out.append((text, cites))
    return out


def supports(sentence: str, evidence: str, question: Question) -> bool:
    """True when the evidence (plus the question's own words) holds every claim-bearing token."""
    allowed_terms = set(content_terms(evidence)) | set(question.terms) | _GLUE
    if not set(content_terms(sentence)) <= allowed_terms:
        return False
    if not set(numbers_in(sentence)) <= set(numbers_in(evidence)) | set(numbers_in(question.text)):
        return False
    # "X did not receive 5 896 applications" holds every term of "X received 5 896 applications".
    if not qualifiers(sentence) <= qualifiers(evidence) | qualifiers(question.text):
        return False
    evidence_words = {stem(w) for w in words(evidence)} | set(question.names)
    return all(stem(name) in evidence_words for name in _CAPITALISED.findall(sentence))


def verify(draft: str, evidence: Sequence[str], question: Question) -> list[VerifiedSentence]:
    verified = []
    for text, cites in parse(draft):
        valid = tuple(n for n in cites if 1 <= n <= len(evidence) and supports(text, evidence[n - 1], question))
        if not valid:
            valid = tuple(n for n in range(1, len(evidence) + 1) if supports(text, evidence[n - 1], question))[:1]
        if valid:
            verified.append(VerifiedSentence(text, valid))
    return verified


def render(sentences: Sequence[VerifiedSentence]) -> str:
    parts = []
    for sentence in sentences:
        text = sentence.text.rstrip()
        end = text[-1] if text and text[-1] in ".!?" else "."
        body = text[:-1] if text and text[-1] in ".!?" else text
        parts.append(f"{body} {''.join(f'[{n}]' for n in sentence.cites)}{end}")
    return " ".join(parts)

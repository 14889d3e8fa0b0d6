"""The one place that wires the stages: retrieve -> select evidence -> phrase -> verify."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property

from rag import citations
from rag.answering.choice import option_queries
from rag.answering.compose import compose
from rag.answering.corpus import CorpusStats
from rag.answering.engine import select
from rag.answering.glossary import load_glossary
from rag.answering.question import analyse
from rag.answering.records import Selection
from rag.answering.scorer import Scorer, load_scorer
from rag.config import Settings
from rag.embedding import Embedder
from rag.errors import InputError
from rag.generation import Generator, get_generator
from rag.prompts import ABSTAIN_SENTINEL, render
from rag.searching import Searcher
from rag.types import Answer, Citation, Passage

MAX_QUESTION_CHARS = 2000
ABSTAIN_TEXT = "The documents do not contain the answer to this question"
# Passages each option of a two-option question adds from a search of its own.
OPTION_PASSAGES = 3
# Rows of one table among the passages: the table answers from all its rows anyway, and
# more of them would crowd out the sentences that name what the table does not.
ROWS_PER_TABLE = 3


@dataclass
class Assistant:
    settings: Settings
    searcher: Searcher
    _generator: Generator | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings, generator: Generator | None = None, embedder: Embedder | None = None) -> Assistant:
        return cls(settings, Searcher.from_settings(settings, embedder), generator)

    @cached_property
    def generator(self) -> Generator:
        return self._generator or get_generator(self.settings.generator, self.settings)

    @cached_property
    def _embedding_cache(self) -> dict[str, object]:
        return {}

    def embed_cached(self, texts) -> object:
        """Evidence sentences recur across questions; each is embedded once per session, and
        alone: int8 scales activations per batch, so a sentence embedded beside others would
        score a little differently depending on what was asked before. For the few dozen
        sentences of one question, one at a time is no slower than in batches."""
        import numpy as np

        for text in dict.fromkeys(t for t in texts if t not in self._embedding_cache):
            self._embedding_cache[text] = self.searcher.embedder.embed([text])[0]
        return np.stack([self._embedding_cache[t] for t in texts])

    @cached_property
    def stats(self) -> CorpusStats:
        glossary = load_glossary(self.settings.glossary) if self.settings.glossary else None
        return CorpusStats(self.searcher.index.chunks, glossary)

    @cached_property
    def scorer(self) -> Scorer:
        return load_scorer()

    def ask(self, question: str, retriever: str | None = None) -> Answer:
        answer = None
        for event in self.stream(question, retriever):
            if isinstance(event, Answer):
                answer = event
        assert answer is not None
        return answer

    def stream(self, question: str, retriever: str | None = None) -> Iterator[str | Answer]:
        """Draft pieces as the generator writes them, then the verified Answer."""
        question = _clean(question)
        clock = _Clock()
        analysed = self.stats.in_their_words(analyse(question))
        passages = self._with_options(self.retrieve(question, retriever), question, retriever)
        clock.lap("retrieve")
        selection = select(analysed, passages, self.embed_cached, self.stats, self.scorer, self.settings.abstain_threshold,
                           self.searcher.index.table_rows)
        clock.lap("evidence")
        if selection.abstained:
            withheld = Answer(question, compose(selection, self.settings.max_answer_words), False, _citations(selection))
            yield Answer(question, f"{ABSTAIN_TEXT} ({selection.abstain_reason}).", True, (), clock.laps,
                         confidence=selection.confidence, withheld=withheld)
            return
        evidence = [u.candidate.text for u in selection.units]
        draft_pieces: list[str] = []
        for piece in self._draft(question, evidence):
            draft_pieces.append(piece)
            yield piece
        clock.lap("generate")
        text = self._final_text(selection, "".join(draft_pieces), evidence)
        clock.lap("verify")
        yield Answer(question, text, False, _citations(selection), clock.laps,
                     short_answer=selection.short_answer, confidence=selection.confidence)

    def retrieve(self, question: str, retriever: str | None = None) -> list[Passage]:
        """The question's passages; acronyms the documents define are also searched
        in their long form, so passages that only spell them out are found."""
        query = self.stats.spelled_out(question)
        k = self.settings.top_k
        found = self.searcher.search(query, k, retriever)
        if not _crowded(found):
            return found
        kept = _rows_capped(self.searcher.search(query, 4 * k, retriever))[:k]
        return [replace(p, rank=rank) for rank, p in enumerate(kept, start=1)]

    def _with_options(self, passages: list[Passage], question: str, retriever: str | None) -> list[Passage]:
        """A two-option question also searches for each option on its own; what that adds
        comes after the question's own passages."""
        seen = {p.chunk.id for p in passages}
        for query in option_queries(question):
            for found in self.retrieve(query, retriever)[:OPTION_PASSAGES]:
                if found.chunk.id not in seen:
                    seen.add(found.chunk.id)
                    passages.append(replace(found, rank=len(passages) + 1))
        return passages

    def _draft(self, question: str, evidence: list[str]) -> Iterator[str]:
        if self.generator.name == "extractive":
            return iter(())
        numbered = "\n".join(f"[{n}] {_defanged(text)}" for n, text in enumerate(evidence, start=1))
        prompt = render("answer", evidence=numbered, question=question)
        return self.generator.generate(prompt, self.settings.max_new_tokens)

    def _final_text(self, selection: Selection, draft: str, evidence: list[str]) -> str:
        """The generator's sentences that survive verification, else the evidence quoted."""
        fallback = compose(selection, self.settings.max_answer_words)
        draft = _PREAMBLE.sub("", draft)
        if not draft.strip() or ABSTAIN_SENTINEL in draft:
            return fallback
        verified = citations.verify(draft, evidence, selection.question)
        text = citations.render(verified)
        short = selection.short_answer
        if not verified or len(text.split()) > self.settings.max_answer_words or (short and short not in text):
            return fallback
        if not _keeps_the_news(text, fallback, selection.question):
            return fallback
        return text


# Small models open with a label the reader does not need: "The answer is: ...".
_PREAMBLE = re.compile(r"^\s*(?:the (?:short |final )?answer is|answer)\s*:\s*", re.I)


def _defanged(text: str) -> str:
    """Document text cannot close the prompt's evidence block or open a chat turn."""
    for token in ("<<<EVIDENCE", "EVIDENCE>>>", "<|im_start|>", "<|im_end|>", "<|endoftext|>"):
        text = text.replace(token, token.replace("<", "‹").replace(">", "›").replace("|", "¦"))
    return text


# A fluent draft that keeps only half of what the quote adds can keep the framing and
# drop the one word that answers; so nearly all of it must survive.
KEEP_NEWS = 0.9


def _keeps_the_news(draft: str, quoted: str, question) -> bool:
    """A true sentence that only restates the question is no answer: the draft must carry
    nearly all of what the quoted evidence adds to the question."""
    from rag.text.tokens import content_terms

    def terms(text: str) -> set[str]:
        return set(content_terms(citations.strip_markers(text)))

    news = terms(quoted) - set(question.terms)
    if not news:
        return True
    return len(news & terms(draft)) >= KEEP_NEWS * len(news)


def _citations(selection: Selection) -> tuple[Citation, ...]:
    return tuple(
        Citation(n, u.candidate.chunk.source, u.candidate.chunk.title, u.candidate.chunk.locator, u.candidate.chunk.text,
                 u.probability, (u.candidate.text,))
        for n, u in enumerate(selection.units, start=1)
    )


def _clean(question: str) -> str:
    cleaned = " ".join("".join(ch if ch.isprintable() else " " for ch in question).split())
    if not cleaned:
        raise InputError("the question is empty; type a question")
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise InputError(f"the question is {len(cleaned)} characters long; keep it under {MAX_QUESTION_CHARS}")
    return cleaned


class _Clock:
    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = (now - self.last) * 1000
        self.laps["total"] = (now - self.start) * 1000
        self.last = now


def _crowded(passages: list[Passage]) -> bool:
    return len(passages) != len(_rows_capped(passages))


def _rows_capped(passages: list[Passage]) -> list[Passage]:
    """The passages with at most ROWS_PER_TABLE rows of any one table, in their order."""
    taken: dict[str, int] = {}
    kept = []
    for passage in passages:
        table = passage.chunk.table_id if passage.chunk.kind == "table" else None
        if table is not None:
            taken[table] = taken.get(table, 0) + 1
            if taken[table] > ROWS_PER_TABLE:
                continue
        kept.append(passage)
    return kept

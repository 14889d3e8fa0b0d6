"""External measurement on XQuAD (English): 240 paragraphs, 1,190 questions.

Indexes the paragraphs through the normal indexing path, asks every question through
the normal pipeline, and reports SQuAD exact match and token F1, answer containment,
citation hit (the question's own paragraph is cited), abstention rate and latency.

This is a measurement only: nothing in the project is tuned on it, and it has no pass mark.

    python eval/xquad.py ../shared/data/xquad [--limit N] [--index DIR] [--out rows.json] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from rag.errors import InputError, RagError
from rag.evaluation.metrics import percentile
from rag.evaluation.scoring import matches_any, source_matches, strip_markers
from rag.evaluation.squad import best_exact_match, best_f1

DEFAULT_DATA = Path("../shared/data/xquad")
DEFAULT_INDEX = Path("indexes/xquad-en")


@dataclass(frozen=True)
class XQuestion:
    id: str
    question: str
    answers: tuple[str, ...]
    paragraph: str  # corpus id of the paragraph the question was written on


@dataclass(frozen=True)
class Row:
    id: str
    question: str
    answer: str
    abstained: bool
    exact_match: float
    f1: float
    contains: bool
    cited: bool
    latency_ms: float


def load_questions(squad_json: Path, corpus_jsonl: Path) -> list[XQuestion]:
    """Questions and answers from the SQuAD file; paragraphs named by their corpus id."""
    try:
        data = json.loads(squad_json.read_text(encoding="utf-8"))
        ids = {record["text"]: record["_id"] for record in map(json.loads, corpus_jsonl.read_text(encoding="utf-8").splitlines())}
        return [question for article in data["data"] for paragraph in article["paragraphs"] for question in _questions(paragraph, ids)]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"cannot read XQuAD from {squad_json.parent} ({exc!r}); give the folder holding xquad.en.json and beir_en/") from None


def _questions(paragraph: dict, ids: dict[str, str]) -> list[XQuestion]:
    if paragraph["context"] not in ids:
        raise InputError("a paragraph of xquad.en.json is not in beir_en/corpus.jsonl; regenerate beir_en/ from the same file")
    pid = ids[paragraph["context"]]
    return [XQuestion(qa["id"], qa["question"], tuple(a["text"] for a in qa["answers"]), pid) for qa in paragraph["qas"]]


def score(question: XQuestion, answer, latency_ms: float) -> Row:
    prediction = "" if answer.abstained else " ".join(strip_markers(answer.text).split())
    # Exact match and F1 score the short answer when there is one, as SQuAD means them.
    span = "" if answer.abstained else (getattr(answer, "short_answer", None) or prediction)
    return Row(
        id=question.id,
        question=question.question,
        answer=answer.text,
        abstained=answer.abstained,
        exact_match=best_exact_match(span, question.answers),
        f1=best_f1(span, question.answers),
        contains=matches_any(prediction, question.answers),
        cited=any(source_matches(c.source, question.paragraph) for c in answer.citations),
        latency_ms=latency_ms,
    )


def run(questions: Sequence[XQuestion], assistant, on_row: Callable[[Row], None] | None = None) -> list[Row]:
    rows = []
    for question in questions:
        started = time.perf_counter()
        answer = assistant.ask(question.question)
        rows.append(score(question, answer, (time.perf_counter() - started) * 1000))
        if on_row:
            on_row(rows[-1])
    return rows


def summarize(rows: Sequence[Row]) -> dict[str, float | int | None]:
    n = len(rows)

    def mean(values) -> float | None:
        values = list(values)
        return sum(values) / n if n else None

    latencies = [r.latency_ms for r in rows]
    return {
        "questions": n,
        "exact_match": mean(r.exact_match for r in rows),
        "f1": mean(r.f1 for r in rows),
        "contains": mean(float(r.contains) for r in rows),
        "citation_hit": mean(float(r.cited) for r in rows),
        "abstention_rate": mean(float(r.abstained) for r in rows),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
    }


def build_index(corpus_jsonl: Path, settings) -> None:
    """Through the project's own indexing path; unchanged paragraphs are not embedded again."""
    from rag.embedding import get_embedder
    from rag.ingest import index_documents
    from rag.loaders import load_paths

    report = index_documents(load_paths([str(corpus_jsonl)]), Path(settings.index), get_embedder(settings.embedder), index_type=settings.index_type)
    print(f"index {settings.index}: {report.chunks} chunks, {report.embedded} embedded in {report.seconds:.1f}s", file=sys.stderr)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA, help="folder with xquad.en.json and beir_en/")
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX, help="index directory for the paragraphs")
    parser.add_argument("--limit", type=int, default=None, help="ask only the first N questions")
    parser.add_argument("--generator", default=None, help="answer generator (default: the configured one)")
    parser.add_argument("--retriever", default=None, help="dense, bm25 or hybrid (default: the configured one)")
    parser.add_argument("--out", type=Path, default=None, help="write one row per question here (JSON)")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, assistant=None) -> int:
    args = parse_args(argv)
    if args.limit is not None and args.limit < 1:
        raise InputError("--limit must be at least 1")
    from rag.config import Settings
    from rag.evaluation.runner import build_assistant

    settings = Settings.load({"index": str(args.index), "generator": args.generator, "retriever": args.retriever})
    corpus = args.data / "beir_en" / "corpus.jsonl"
    questions = load_questions(args.data / "xquad.en.json", corpus)[: args.limit]
    if assistant is None:
        build_index(corpus, settings)
        assistant = build_assistant(settings)
    rows = run(questions, assistant, on_row=_progress(len(questions)))
    summary = summarize(rows)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"summary": summary, "rows": [asdict(r) for r in rows]}, indent=1, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(summary) if args.json else "\n".join(f"{k:>16}: {_shown(v)}" for k, v in summary.items()))
    return 0


def _progress(total: int) -> Callable[[Row], None]:
    done = [0]

    def on_row(row: Row) -> None:
        done[0] += 1
        if done[0] % 100 == 0 or done[0] == total:
            print(f"{done[0]}/{total} questions", file=sys.stderr)

    return on_row


def _shown(value) -> str:
    if value is None or isinstance(value, int):
        return str(value)
    return f"{value:.4f}" if value <= 1.0 else f"{value:.0f}"


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)

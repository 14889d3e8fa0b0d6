"""Answer quality on the gated question sets, beside a best-sentence baseline
measured in the same run.

    python eval/answers.py [--sets seeds,talent-dev,tables,other-kinds,talent-local,talent-local-2,squad2-dev] [--squad-sample 400] [--generator extractive]

For each set: the documents are indexed (once, under eval/out/), every question (or
the fixed sample) is asked through the default pipeline and through the baseline,
which quotes the single retrieved sentence sharing the most words with the question
and never abstains, and both are scored by `rag eval`'s own judging.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from rag.config import Settings  # noqa: E402
from rag.evaluation.gate import load_thresholds  # noqa: E402
from rag.evaluation.gold import load_gold  # noqa: E402
from rag.evaluation.runner import EvalOutcome, evaluate, outcome_of, sampled  # noqa: E402
from rag.text.sentences import split_sentences  # noqa: E402
from rag.text.tokens import content_terms  # noqa: E402
from rag.types import Answer, Citation  # noqa: E402


@dataclass(frozen=True)
class QuestionSet:
    name: str
    docs: Path
    gold: Path
    thresholds: Path
    sample: int | None = None


SQUAD_SAMPLE = 400


def question_sets(squad_sample: int | None = SQUAD_SAMPLE) -> dict[str, QuestionSet]:
    return {
        "seeds": QuestionSet("seeds", ROOT / "seeds", ROOT / "eval" / "seeds_gold.jsonl", ROOT / "eval" / "thresholds.toml"),
        "talent-dev": QuestionSet("talent-dev", SHARED / "data" / "talent-dev" / "docs", SHARED / "data" / "talent-dev" / "gold.jsonl",
                                  ROOT / "eval" / "thresholds" / "talent_dev.toml"),
        "tables": QuestionSet("tables", ROOT / "eval" / "tables_docs", ROOT / "eval" / "tables_gold.jsonl",
                              ROOT / "eval" / "thresholds" / "tables.toml"),
        "other-kinds": QuestionSet("other-kinds", ROOT / "eval" / "other_docs", ROOT / "eval" / "other_gold.jsonl",
                                   ROOT / "eval" / "thresholds" / "other_kinds.toml"),
        "talent-local": QuestionSet("talent-local", ROOT / "eval" / "talent_docs", ROOT / "eval" / "talent_gold.jsonl",
                                    ROOT / "eval" / "thresholds" / "talent_local.toml"),
        "talent-local-2": QuestionSet("talent-local-2", ROOT / "eval" / "talent_docs_2", ROOT / "eval" / "talent_gold_2.jsonl",
                                      ROOT / "eval" / "thresholds" / "talent_local_2.toml"),
        "squad2-dev": QuestionSet("squad2-dev", SHARED / "data" / "squad2" / "dev" / "docs", SHARED / "data" / "squad2" / "dev" / "gold.jsonl",
                                  ROOT / "eval" / "thresholds" / "squad2_dev.toml", squad_sample),
    }


class BestSentence:
    """The baseline: the retrieved sentence with the most question words, quoted, cited."""

    def __init__(self, searcher) -> None:
        self.searcher = searcher

    def ask(self, question: str) -> Answer:
        asked = set(content_terms(question))
        best, best_overlap = None, -1
        for passage in self.searcher.search(question):
            for sentence in (s for line in passage.chunk.text.split("\n") for s in split_sentences(line)):
                overlap = len(asked & set(content_terms(sentence)))
                if overlap > best_overlap:
                    best, best_overlap = (sentence, passage.chunk), overlap
        if best is None:
            return Answer(question, "", True, ())
        sentence, chunk = best
        citation = Citation(1, chunk.source, chunk.title, chunk.locator, chunk.text, 0.0, (sentence,))
        return Answer(question, f"{sentence} [1]", False, (citation,))


def index_for(qset: QuestionSet, embedder) -> Path:
    from rag.ingest import index_documents
    from rag.loaders import load_paths

    root = ROOT / "eval" / "out" / f"index-{qset.name}"
    index_documents(load_paths([str(qset.docs)]), root, embedder)
    return root


def run_set(qset: QuestionSet, generator: str = "extractive", embedder=None, baseline: bool = True) -> tuple[EvalOutcome, EvalOutcome | None]:
    from rag.embedding import get_embedder
    from rag.pipeline import Assistant

    embedder = embedder or get_embedder(Settings().embedder)
    settings = Settings(index=str(index_for(qset, embedder)), generator=generator)
    questions = sampled(load_gold(qset.gold), qset.sample)
    bar = load_thresholds(qset.thresholds)
    assistant = Assistant.from_settings(settings, embedder=embedder)
    ours = outcome_of(str(qset.gold), settings, evaluate(questions, assistant, settings.top_k), bar, None, "")
    if not baseline:
        return ours, None
    theirs = outcome_of(str(qset.gold), settings, evaluate(questions, BestSentence(assistant.searcher), settings.top_k), bar, None, "")
    return ours, theirs


def _fmt(value) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="seeds,talent-dev,tables,other-kinds,talent-local,talent-local-2,squad2-dev")
    parser.add_argument("--squad-sample", type=int, default=SQUAD_SAMPLE, help="0 asks every squad2/dev question")
    parser.add_argument("--generator", default="extractive")
    args = parser.parse_args()
    sets = question_sets(args.squad_sample or None)
    print("| set | questions | correct and cited | abstains when it should | abstains wrongly | EM | F1 | "
          "accuracy-coverage area | baseline: correct and cited |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    curves = {}
    for name in args.sets.split(","):
        ours, theirs = run_set(sets[name], args.generator)
        curves[name] = ours.summary["accuracy_at_coverage"]
        s, b = ours.summary, theirs.summary
        verdict = "pass" if ours.passed else "FAIL " + ", ".join(c.metric for c in ours.checks if not c.passed)
        print(f"| {name} | {s['questions']} | {_fmt(s['correct_and_cited'])} | {_fmt(s['abstain_recall'])} | "
              f"{_fmt(s['wrong_abstention'])} | {_fmt(s['exact_match'])} | {_fmt(s['f1'])} | {_fmt(s['accuracy_coverage_area'])} | "
              f"{_fmt(b['correct_and_cited'])} |  gate: {verdict}; p50 {s['latency_p50_ms']:.0f} ms", flush=True)
    print("\naccuracy when answering only the most confident share of questions:")
    for name, curve in curves.items():
        print(f"  {name}: " + "  ".join(f"{share}: {value:.2f}" for share, value in curve.items()))


if __name__ == "__main__":
    main()

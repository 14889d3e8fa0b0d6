"""Table questions answered straight from parsed tables, without the index or the engine.

For each gold question the tables of the documents are ranked by how many of the
question's terms their caption, headers, row names and heading share; the top few
go to rag.tables.answer_from_tables. An answerable question is correct when the
short answer matches a gold answer; an unanswerable one is right when no answer
comes back (Absent or None).

    python eval/tables_eval.py                      # eval/tables_gold.jsonl over eval/tables_docs
    python eval/tables_eval.py --gold G --docs D --in-tables   # only questions whose quote is in a table
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from rag.errors import RagError
from rag.evaluation.gold import GoldQuestion, load_gold
from rag.evaluation.scoring import answer_matches, contains_quote
from rag.loaders import load_paths
from rag.tables import Absent, Table, TableAnswer, answer_from_tables, tables_from_document
from rag.tables.cues import terms
from rag.tables.view import TableView

HERE = Path(__file__).parent
TOP_TABLES = 3


@dataclass(frozen=True)
class Figures:
    answerable: int
    correct: int
    wrong: int  # answered, but not with a gold answer
    unanswerable: int
    abstained: int  # of the unanswerable, how many got no answer
    absent: int  # of those, how many got an explicit Absent

    def lines(self) -> list[str]:
        return [
            f"answerable questions: {self.answerable}, correct {self.correct}, wrong {self.wrong}, "
            f"no answer {self.answerable - self.correct - self.wrong}",
            f"unanswerable questions: {self.unanswerable}, abstained {self.abstained} (explicit Absent {self.absent})",
        ]


def load_tables(docs: Path) -> list[Table]:
    tables = []
    for item in load_paths([str(docs)]):
        if hasattr(item, "blocks"):
            tables.extend(tables_from_document(item))
    return tables


def retrieve(question: str, tables: list[Table], k: int = TOP_TABLES) -> list[Table]:
    asked = terms(question)
    scored = sorted(((TableView(t).relevance(asked), n) for n, t in enumerate(tables)), reverse=True)
    return [tables[n] for score, n in scored[:k] if score > 0]


def in_a_table(question: GoldQuestion, tables: list[Table]) -> bool:
    """The gold quote stands in a table row or caption of its source."""
    for evidence in question.evidence:
        for table in tables:
            if Path(table.source).name != Path(evidence.source).name:
                continue
            texts = [table.caption, *(" ".join(row) for row in table.rows)]
            if any(contains_quote(text, evidence.quote) for text in texts):
                return True
    return False


def evaluate(gold: Path, docs: Path, in_tables: bool = False, verbose: bool = False) -> Figures:
    tables = load_tables(docs)
    questions = load_gold(gold)
    counts = dict(answerable=0, correct=0, wrong=0, unanswerable=0, abstained=0, absent=0)
    for question in questions:
        if in_tables and question.answerable and not in_a_table(question, tables):
            continue
        result = answer_from_tables(question.question, retrieve(question.question, tables))
        _count(question, result, counts)
        if verbose:
            print(f"{question.id}: {_shown(result)}")
    return Figures(**counts)


def _count(question: GoldQuestion, result: TableAnswer | Absent | None, counts: dict[str, int]) -> None:
    answered = isinstance(result, TableAnswer)
    if question.answerable:
        counts["answerable"] += 1
        if answered and answer_matches(result.short, question.answers, question.all_of):
            counts["correct"] += 1
        elif answered:
            counts["wrong"] += 1
    else:
        counts["unanswerable"] += 1
        counts["abstained"] += not answered
        counts["absent"] += isinstance(result, Absent)


def _shown(result: TableAnswer | Absent | None) -> str:
    if isinstance(result, TableAnswer):
        return f"{result.short} [{result.operation}]"
    return f"Absent: {result.reason}" if isinstance(result, Absent) else "no answer"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=HERE / "tables_gold.jsonl")
    parser.add_argument("--docs", type=Path, default=HERE / "tables_docs")
    parser.add_argument("--in-tables", action="store_true", help="answerable questions only when their quote is in a table")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each question's result")
    args = parser.parse_args(argv)
    if not args.docs.is_dir():
        print(f"error: {args.docs}: no such folder; give --docs the folder of documents", file=sys.stderr)
        return 1
    try:
        figures = evaluate(args.gold, args.docs, args.in_tables, args.verbose)
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print("\n".join(figures.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

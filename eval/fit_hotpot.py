"""Candidate features and labels from the HotpotQA development sample, as extra
training data for the candidate model (never for the question-level confidence:
every HotpotQA question is answerable).

    python eval/fit_hotpot.py [../shared/data/hotpotqa] [--out eval/out/fit_hotpot.npz]

A candidate is positive when it holds a gold answer and comes from one of the
question's gold paragraphs (qrels). The paragraphs are indexed under eval/out/.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from fit_scorer import collect, save_collected  # noqa: E402
from rag.evaluation.gold import GoldEvidence, GoldQuestion  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "data" / "hotpotqa"


def hotpot_questions(folder: Path) -> list[GoldQuestion]:
    gold: dict[str, list[str]] = {}
    with (folder / "qrels" / "test.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if int(row["score"]) > 0:
                gold.setdefault(row["query-id"], []).append(row["corpus-id"])
    questions = []
    for line in (folder / "answers.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        evidence = tuple(GoldEvidence(doc, "") for doc in gold.get(record["id"], ()))
        questions.append(GoldQuestion(record["id"], record["question"], tuple(record["answers"]), (), True, evidence))
    return questions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(DEFAULT))
    parser.add_argument("--out", default=str(ROOT / "eval" / "out" / "fit_hotpot.npz"))
    args = parser.parse_args()
    collect_hotpot(Path(args.folder), Path(args.out))


def collect_hotpot(folder: Path, out: Path) -> None:
    x, y, groups, answerable, asked, source = collect(folder / "corpus.jsonl", hotpot_questions(folder), ROOT / "eval" / "out" / "index-hotpotqa", None)
    save_collected(out, x, y, groups, answerable, asked, source)
    print(f"{len(asked)} questions, {len(y)} candidates, {int(y.sum())} positive, "
          f"{len(set(groups[y > 0]))} questions with a positive -> {out}")


if __name__ == "__main__":
    main()

"""How well chat follow-ups are made standalone, over eval/followups.jsonl.

Each line holds the previous question and answer, the new question, and what should
happen: "unchanged" (a standalone question, however much it looks like a follow-up),
the exact rewritten question, or "rewritten" with substrings the rewrite must contain.

    python eval/followups.py [FILE] [--show]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.followup import Turn, resolve  # noqa: E402

DEFAULT = ROOT / "eval" / "followups.jsonl"


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def judge(case: dict, got: str) -> bool:
    expected = case["expected"]
    if expected == "unchanged":
        return got == case["question"]
    if expected == "rewritten":
        return got != case["question"] and all(s in got for s in case["contains"])
    return got == expected


def score(cases: list[dict]) -> dict:
    """Correct rewrites among follow-ups, false rewrites among standalone questions."""
    follow, standalone = [], []
    for case in cases:
        last = Turn(case["previous_question"], case["previous_answer"])
        got = resolve(case["question"], last)
        (standalone if case["expected"] == "unchanged" else follow).append((case, got, judge(case, got)))
    correct = sum(ok for _, _, ok in follow)
    false = sum(not ok for _, _, ok in standalone)
    return {
        "turns": len(cases),
        "follow_ups": len(follow),
        "correct_rewrites": correct / len(follow) if follow else 1.0,
        "standalone": len(standalone),
        "false_rewrites": false / len(standalone) if standalone else 0.0,
        "accuracy": (correct + len(standalone) - false) / len(cases) if cases else 1.0,
        "failures": [(c["id"], c["question"], got) for c, got, ok in follow + standalone if not ok],
    }


def main(argv: list[str]) -> None:
    files = [a for a in argv if not a.startswith("--")]
    result = score(load(Path(files[0]) if files else DEFAULT))
    print(
        f"{result['turns']} turns: correct rewrites {result['correct_rewrites']:.1%} of {result['follow_ups']} follow-ups, "
        f"false rewrites {result['false_rewrites']:.1%} of {result['standalone']} standalone questions, "
        f"accuracy {result['accuracy']:.1%}"
    )
    if "--show" in argv:
        for case_id, question, got in result["failures"]:
            print(f"  {case_id}: {question!r} -> {got!r}")


if __name__ == "__main__":
    main(sys.argv[1:])

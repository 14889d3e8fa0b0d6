"""The abstention trade-off on the checking sets: what each threshold in weights.json's
threshold_curve (chosen on squad2/train at a stated false-abstention rate) would give.

    python eval/fit_tradeoff.py [--sets seeds,talent-dev,other-kinds,squad2-dev]

Every question is asked once through the default pipeline; the result of another
threshold is read from each question's confidence and its answer had it not abstained
(an abstention for another reason, such as a table that lacks the row, stays one).
Only for reading the curve: thresholds are never picked on these sets.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from answers import question_sets, run_set  # noqa: E402
from rag.answering.scorer import WEIGHTS  # noqa: E402


def at_threshold(results, threshold: float, fitted: float) -> tuple[float, float, float]:
    """correct and cited, abstains when it should, abstains wrongly."""
    def abstains(r) -> bool:
        return r.confidence < threshold or (r.abstained and r.confidence >= fitted)

    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    right = sum(1 for r in answerable if r.right_if_answered and not abstains(r)) / max(1, len(answerable))
    declined = sum(1 for r in unanswerable if abstains(r)) / max(1, len(unanswerable))
    wrong = sum(1 for r in answerable if abstains(r)) / max(1, len(answerable))
    return right, declined, wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="seeds,talent-dev,other-kinds,squad2-dev")
    args = parser.parse_args()
    weights = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    sets = question_sets()
    outcomes = {name: run_set(sets[name], baseline=False)[0].results for name in args.sets.split(",")}
    print("| false abstention on train | threshold | train: unanswerable declined | "
          + " | ".join(f"{name}: correct+cited / declined / wrongly" for name in outcomes) + " |")
    print("| --- | --- | --- | " + " | ".join("---" for _ in outcomes) + " |")
    for point in weights["threshold_curve"]:
        cells = [" / ".join(f"{v:.3f}" for v in at_threshold(results, point["threshold"], weights["threshold"]))
                 for results in outcomes.values()]
        print(f"| {point['false_abstention']:.2f} | {point['threshold']:.3f} | {point['unanswerable_declined']:.3f} | "
              + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

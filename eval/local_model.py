"""What the local answer model adds: the same questions through `--generator extractive`
and `--generator local`, their scores, answer time, and how many answers differ.

    python eval/local_model.py [--squad-sample 100]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from answers import question_sets, run_set  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad-sample", type=int, default=100)
    args = parser.parse_args()
    from rag.embedding import get_embedder

    embedder = get_embedder("minilm")
    sets = question_sets(args.squad_sample)
    for name in ("squad2-dev", "talent-dev"):
        texts = {}
        for generator in ("extractive", "local"):
            started = time.time()
            ours, _ = run_set(sets[name], generator, embedder, baseline=False)
            s = ours.summary
            texts[generator] = [r.answer for r in ours.results]
            print(f"{name} {generator}: {s['questions']} questions, correct and cited {s['correct_and_cited']:.3f}, "
                  f"abstains {s['abstain_recall']:.3f}, abstains wrongly {s['wrong_abstention']:.3f}, "
                  f"p50 {s['latency_p50_ms']:.0f} ms ({time.time() - started:.0f} s)", flush=True)
        changed = sum(a != b for a, b in zip(texts["extractive"], texts["local"]))
        print(f"{name}: the model changed {changed} of {len(texts['local'])} answers", flush=True)


if __name__ == "__main__":
    main()

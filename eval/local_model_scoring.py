"""Whether the local model helps as a judge rather than a writer: on SQuAD 2.0 questions
it (a) scores the best candidates ("Does the passage answer the question? Yes/No", the
log-odds of its next token), and (b) chooses the short answer among the typed spans of
the best candidate by the likelihood of copying each one after the question (decoding
constrained to the evidence). Both are compared with the fitted scorer on the same
questions; a logistic fit on the train split combines the model's score with the
fitted confidence, and the combination is checked on the dev split.

    python eval/local_model_scoring.py [--train 200] [--dev 200] [--top 3]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from answers import QuestionSet, index_for, question_sets, sampled  # noqa: E402
from fit_models import auc  # noqa: E402
from rag.answering.engine import rank  # noqa: E402
from rag.answering.question import analyse  # noqa: E402
from rag.answering.spans import find_span, matches  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.evaluation.gold import load_gold  # noqa: E402
from rag.evaluation.scoring import matches_any, source_matches  # noqa: E402

JUDGE = ("Passage: {passage}\n\nQuestion: {question}\n\n"
         "Does the passage answer the question? Reply Yes or No.")
READER = "Passage: {passage}\n\nQuestion: {question}\n\nAnswer with a short phrase copied from the passage."
SPLITS = {"train": ROOT.parent / "shared" / "data" / "squad2" / "train"}


class Judge:
    def __init__(self) -> None:
        import torch

        from rag.generation.llama import _KVCache
        from rag.generation.local import LocalGenerator

        self.torch, self.cache = torch, _KVCache
        self.tokenizer, self.model = LocalGenerator()._loaded
        encode = self.tokenizer.tokenizer.encode
        self.yes, self.no = encode("Yes", add_special_tokens=False).ids[0], encode("No", add_special_tokens=False).ids[0]

    def _logits(self, ids: list[int], cache=None):
        cache = cache or self.cache(self.model.config, len(ids) + 64)
        with self.torch.inference_mode():
            return self.model._forward(self.torch.tensor([ids]), cache), cache

    def says_yes(self, passage: str, question: str) -> float:
        logits, _ = self._logits(self.tokenizer.prompt_ids(JUDGE.format(passage=passage, question=question)))
        return float(logits[self.yes] - logits[self.no])

    def copy_likelihood(self, passage: str, question: str, span: str) -> float:
        """Mean log-probability of the span's tokens as the reply."""
        prompt = self.tokenizer.prompt_ids(READER.format(passage=passage, question=question))
        span_ids = self.tokenizer.tokenizer.encode(span, add_special_tokens=False).ids
        logits, cache = self._logits(prompt)
        total = 0.0
        for token in span_ids:
            total += float(self.torch.log_softmax(logits, -1)[token])
            logits, cache = self._logits([token], cache)
        return total / max(len(span_ids), 1)


def collect(qset: QuestionSet, judge: Judge, top: int) -> dict:
    from rag.embedding import get_embedder
    from rag.pipeline import Assistant

    embedder = get_embedder(Settings().embedder)
    assistant = Assistant.from_settings(Settings(index=str(index_for(qset, embedder)), generator="extractive"), embedder=embedder)
    out = {"ours": [], "judge": [], "label": [], "answerable": [], "best_right": [], "judge_best_right": [],
           "span_ours": [], "span_model": [], "typed": 0, "seconds": 0.0}
    started = time.time()
    for gold in sampled(load_gold(qset.gold), qset.sample):
        question = assistant.stats.in_their_words(analyse(gold.question))
        units, probabilities, confidence = rank(question, assistant.retrieve(gold.question), assistant.embed_cached,
                                                assistant.stats, assistant.scorer)
        if not units:
            continue
        order = list(np.argsort(-probabilities))[:top]
        sources = {e.source for e in gold.evidence}
        right = [gold.answerable and any(source_matches(units[i].chunk.source, s) for s in sources)
                 and matches_any(units[i].text, gold.answers) for i in order]
        said = [judge.says_yes(units[i].context[:1500], gold.question) for i in order]
        for i, r, s in zip(order, right, said):
            out["ours"].append(math.log(max(probabilities[i], 1e-6) / max(1 - probabilities[i], 1e-6)))
            out["judge"].append(s)
            out["label"].append(float(r))
        out["answerable"].append((gold.answerable, confidence, said[0]))
        out["best_right"].append(right[0])
        out["judge_best_right"].append(right[int(np.argmax(said))])
        best = units[order[0]]
        spans = list(dict.fromkeys(m.group(0).strip(" ,.;:") for m in matches(question.kind, best.text)))
        if gold.answerable and right[0] and len(spans) > 1:
            out["typed"] += 1
            ours = find_span(question, best.text, assistant.stats.names)
            model = max(spans, key=lambda sp: judge.copy_likelihood(best.text, gold.question, sp))
            out["span_ours"].append(bool(ours) and matches_any(ours, gold.answers))
            out["span_model"].append(matches_any(model, gold.answers))
    out["seconds"] = time.time() - started
    return out


def report(name: str, data: dict) -> None:
    label, ours, judge = np.array(data["label"]), np.array(data["ours"]), np.array(data["judge"])
    answerable = np.array([a for a, _, _ in data["answerable"]], dtype=bool)
    confidence = np.array([c for _, c, _ in data["answerable"]])
    said = np.array([s for _, _, s in data["answerable"]])
    n = len(data["best_right"])
    print(f"{name}: {n} questions, {len(label)} candidates, {data['seconds']:.0f} s")
    print(f"  candidate AUC (answers the question): fitted scorer {auc(ours, label):.3f}, model {auc(judge, label):.3f}")
    print(f"  best candidate right: fitted scorer {np.mean(data['best_right']):.3f}, model's pick of the top "
          f"{len(label) // max(n, 1)} {np.mean(data['judge_best_right']):.3f}")
    print(f"  answerable vs unanswerable AUC: fitted confidence {auc(confidence, answerable):.3f}, "
          f"model on the best candidate {auc(said, answerable):.3f}")
    if data["typed"]:
        print(f"  short answer among several typed spans of a right sentence ({data['typed']}): "
              f"span rule {np.mean(data['span_ours']):.3f}, model's copy likelihood {np.mean(data['span_model']):.3f}")


def combined(train: dict, dev: dict) -> None:
    """Logistic fit on train of (fitted confidence logit, model score) -> answerable; AUC on dev."""
    from fit_models import logistic

    def rows(data):
        x = np.array([[math.log(max(c, 1e-6) / max(1 - c, 1e-6)), s] for _, c, s in data["answerable"]])
        y = np.array([float(a) for a, _, _ in data["answerable"]])
        return x, y

    x, y = rows(train)
    predict, _ = logistic(x, y)
    dx, dy = rows(dev)
    print(f"  dev answerable vs unanswerable AUC, confidence and model combined (fitted on train): "
          f"{auc(predict(dx), dy):.3f} (confidence alone {auc(dx[:, 0], dy):.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=200, help="train questions (a fixed sample)")
    parser.add_argument("--dev", type=int, default=200, help="dev questions (a fixed sample)")
    parser.add_argument("--top", type=int, default=3, help="candidates the model scores per question")
    args = parser.parse_args()
    judge = Judge()
    dev = question_sets(args.dev)["squad2-dev"]
    train = QuestionSet("squad2-train", SPLITS["train"] / "docs", SPLITS["train"] / "gold.jsonl", dev.thresholds, args.train)
    results = {}
    for qset in (train, dev):
        results[qset.name] = collect(qset, judge, args.top)
        report(qset.name, results[qset.name])
    combined(results["squad2-train"], results["squad2-dev"])


if __name__ == "__main__":
    main()

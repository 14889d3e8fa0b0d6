"""Evaluation: gold questions, plain scoring and metric functions, reports, and the quality gate.

gold     loading and checking the gold file
scoring  normalisation and string matching (answers, quotes, sources, word counts)
judging  verdicts on one question's answer, citations and retrieved passages
metrics  summary rates over those verdicts
gate     thresholds and the comparison with an earlier report
report   the JSON report
runner   asking the questions through an assistant
squad    SQuAD exact match and token F1, for external benchmarks
"""

from __future__ import annotations

from rag.evaluation.gold import GoldEvidence, GoldQuestion, load_gold
from rag.evaluation.judging import QuestionResult, judge
from rag.evaluation.metrics import summarize
from rag.evaluation.runner import EvalOutcome, evaluate, run_evaluation

__all__ = ["EvalOutcome", "GoldEvidence", "GoldQuestion", "QuestionResult", "evaluate", "judge", "load_gold", "run_evaluation", "summarize"]

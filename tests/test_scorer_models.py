"""The scorer's model families read from JSON: the numpy tree walk gives scikit-learn's
own probabilities, and a damaged weights file is a one-line ConfigError."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from rag.answering.features import NAMES, QUESTION_NAMES
from rag.answering.models import logistic_from, trees_from
from rag.answering.scorer import WEIGHTS, extra_names, extra_question_features, load_scorer
from rag.errors import ConfigError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "eval"))


def _data(rows: int = 600, width: int = 4, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, width))
    y = ((x[:, 0] + 0.5 * x[:, 1] ** 2 + rng.normal(scale=0.5, size=rows)) > 0.5).astype(float)
    x[rng.random(rows) < 0.1, 2] = np.nan  # missing values take each node's learned side
    return x, y


def test_numpy_trees_give_sklearns_probabilities():
    from fit_models import fit_trees, export_trees

    x, y = _data()
    model = fit_trees(x, y, max_iter=20, max_leaf_nodes=6, min_samples_leaf=10)
    exported = json.loads(json.dumps(export_trees(model)))  # through JSON text, as weights.json is
    ours = trees_from(exported, x.shape[1]).predict(x)
    np.testing.assert_allclose(ours, model.predict_proba(x)[:, 1], rtol=1e-12, atol=1e-12)
    assert len(np.unique(ours.round(6))) > 5


def test_the_exported_logistic_model_predicts_what_was_fitted():
    from fit_models import logistic

    x, y = _data()
    x = np.nan_to_num(x)
    predict, exported = logistic(x, y)
    np.testing.assert_allclose(logistic_from(exported, x.shape[1]).predict(x), predict(x), atol=1e-4)


def test_a_clipped_logistic_model_holds_far_out_values_at_the_clip():
    model = logistic_from({"mean": [0.0, 0.0], "scale": [0.1, 1.0], "coef": [1.0, 1.0], "intercept": 0.0, "clip": 5.0}, 2)
    far, edge, inside = model.predict(np.array([[4.0, 1.0], [0.5, 1.0], [0.2, 1.0]]))
    assert far == edge == pytest.approx(1 / (1 + np.exp(-6.0)))
    assert inside == pytest.approx(1 / (1 + np.exp(-3.0)))


def test_confidence_with_matrix_aggregates_needs_the_matrix(tmp_path):
    data = json.loads(WEIGHTS.read_text())
    width = len(QUESTION_NAMES) + len(extra_names())
    data["question"] = {"features": list(QUESTION_NAMES), "extras": True, "kind": "logistic", "mean": [0.0] * width,
                        "scale": [1.0] * width, "coef": [0.0] * (width - 1) + [1.0], "intercept": 0.0}
    path = tmp_path / "weights.json"
    path.write_text(json.dumps(data))
    scorer = load_scorer(path)
    matrix = np.arange(3 * len(NAMES), dtype=float).reshape(3, len(NAMES))
    probabilities = np.array([0.2, 0.7, 0.1])
    extras = extra_question_features(matrix, probabilities)
    assert len(extras) == len(extra_names())
    # the last extra is the best row's lead over the runner-up in the last feature
    assert extras[-1] == matrix[1, -1] - matrix[0, -1]
    expected = 1 / (1 + np.exp(-extras[-1]))
    assert scorer.confidence(np.zeros(len(QUESTION_NAMES)), matrix, probabilities) == pytest.approx(expected)
    with pytest.raises(ValueError):
        scorer.confidence(np.zeros(len(QUESTION_NAMES)))


def _damage(data: dict, how: str) -> dict | str:
    if how == "not json":
        return "{\"features\": ["
    if how == "no candidate model":
        data.pop("candidate")
    elif how == "unknown kind":
        data["candidate"]["kind"] = "forest"
    elif how == "short coefficients":
        data["question"]["coef"] = data["question"]["coef"][:-1]
    elif how == "threshold above one":
        data["threshold"] = 3.5
    elif how == "tree points outside":
        data["candidate"] = {"kind": "trees", "baseline": 0.0, "trees": [
            {"feature": [0, -1, -1], "threshold": [0.5, 0, 0], "missing_left": [1, 0, 0],
             "left": [1, 0, 0], "right": [7, 0, 0], "value": [0, 0.1, -0.1]}]}
    elif how == "clip below zero":
        data["question"]["clip"] = -1
    elif how == "question is a list":
        data["question"] = [1, 2]
    return data


@pytest.mark.parametrize("how", ["not json", "no candidate model", "unknown kind", "short coefficients",
                                 "threshold above one", "tree points outside", "clip below zero", "question is a list"])
def test_a_damaged_weights_file_is_a_one_line_config_error(tmp_path, how):
    damaged = _damage(json.loads(WEIGHTS.read_text()), how)
    path = tmp_path / "weights.json"
    path.write_text(damaged if isinstance(damaged, str) else json.dumps(damaged))
    with pytest.raises(ConfigError) as caught:
        load_scorer(path)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message and "eval/fit_scorer.py" in message


def test_the_shipped_weights_load():
    scorer = load_scorer()
    assert scorer.names == NAMES and 0 < scorer.threshold < 1


def test_the_fit_scripts_auc_is_sklearns():
    from fit_models import auc
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(5)
    score = rng.integers(0, 6, size=300).astype(float)  # many ties
    label = (score + rng.normal(size=300) > 2.5).astype(float)
    assert auc(score, label) == pytest.approx(roc_auc_score(label, score), abs=1e-12)


def test_the_weights_text_keeps_numbers_on_one_line_and_reads_back():
    from fit_scorer import weights_text

    data = {"features": ["a", "b"], "candidate": {"coef": [1.5, -2e-07, 3], "trees": [{"left": [1, 0, 0]}]}}
    text = weights_text(data)
    assert json.loads(text) == data
    assert '"coef": [1.5, -2e-07, 3]' in text and '"left": [1, 0, 0]' in text and '  "a",\n' in text


def test_the_tradeoff_reads_each_threshold_from_the_confidences():
    from types import SimpleNamespace as R

    from fit_tradeoff import at_threshold

    results = [
        R(answerable=True, confidence=0.9, abstained=False, right_if_answered=True),
        R(answerable=True, confidence=0.3, abstained=False, right_if_answered=True),
        R(answerable=True, confidence=0.6, abstained=True, right_if_answered=False),  # declined for another reason
        R(answerable=False, confidence=0.2, abstained=True, right_if_answered=False),
        R(answerable=False, confidence=0.4, abstained=False, right_if_answered=False),
    ]
    assert at_threshold(results, 0.25, fitted=0.25) == (2 / 3, 1 / 2, 1 / 3)
    assert at_threshold(results, 0.5, fitted=0.25) == (1 / 3, 1.0, 2 / 3)

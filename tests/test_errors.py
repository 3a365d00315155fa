"""Bad input must raise ValueError whose message names the argument and the problem.

Each check uses loose regexes: the argument name plus a key word (or the
numbers the message must carry: shapes, counts, first bad index), never a
full sentence.
"""

import re

import numpy as np
import pytest

import fastmetrics as fm

ALL_FUNCS = [
    "confusion_matrix",
    "multilabel_confusion_matrix",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
    "f1_score",
    "fbeta_score",
    "accuracy_score",
    "balanced_accuracy_score",
    "matthews_corrcoef",
    "cohen_kappa_score",
    "classification_report",
]
PRF = {"precision_score", "recall_score", "f1_score", "fbeta_score"}
# functions that do not accept multilabel targets (as in sklearn)
NO_MULTILABEL = {"confusion_matrix", "balanced_accuracy_score", "matthews_corrcoef", "cohen_kappa_score"}

# cohen_kappa_score calls its arguments y1 / y2
Y_TRUE = {"cohen_kappa_score": r"y_true|y1"}
Y_PRED = {"cohen_kappa_score": r"y_pred|y2"}


def yt(name):
    return Y_TRUE.get(name, r"y_true")


def yp(name):
    return Y_PRED.get(name, r"y_pred")


def call(name, y_true, y_pred, **kw):
    """Call fastmetrics.<name> with an `average` that fits the task."""
    if name == "fbeta_score":
        kw.setdefault("beta", 1.0)
    if name in PRF and kw.get("task") in ("multiclass", "multilabel"):
        kw.setdefault("average", "macro")
    return getattr(fm, name)(y_true, y_pred, **kw)


def raises_all(patterns, func, *args, **kwargs):
    """Assert a ValueError whose message matches every regex in ``patterns``."""
    with pytest.raises(ValueError) as excinfo:
        func(*args, **kwargs)
    msg = str(excinfo.value)
    for pat in patterns:
        assert re.search(pat, msg), f"message {msg!r} does not match {pat!r}"
    return msg


BAD_VALUE = r"(?i)nan|inf|finite"
NEGATIVE = r"(?i)negative|>= ?0|≥ ?0|positive"


# --------------------------------------------------------------------------
# sanity: the valid versions of the inputs used below are accepted
# --------------------------------------------------------------------------
def _mc_scores(n=20, c=3, seed=0):
    r = np.random.default_rng(seed)
    return r.integers(0, c, n), r.random((n, c))


@pytest.mark.parametrize("name", ALL_FUNCS)
def test_valid_inputs_are_accepted(name):
    # the valid versions of the inputs used below must not raise
    y_true, scores = _mc_scores()
    results = [
        call(name, y_true, scores, task="multiclass"),
        call(name, y_true, scores, task="multiclass", mask=np.ones(20, dtype=bool),
             sample_weight=np.ones(20), class_weight=np.ones(3)),
        call(name, y_true % 2, scores[:, 0], task="binary"),
    ]
    assert all(r is not None for r in results)


# --------------------------------------------------------------------------
# NaN / inf scores
# --------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("name", ALL_FUNCS)
def test_nonfinite_multiclass_scores(name, bad):
    y_true, scores = _mc_scores()
    scores[17, 0] = bad
    scores[19, 2] = bad  # a later bad value: the message must give the first one
    raises_all([yp(name), BAD_VALUE, r"\b(17|51)\b"], call, name, y_true, scores, task="multiclass")


@pytest.mark.parametrize("bad", [np.nan, np.inf], ids=["nan", "inf"])
@pytest.mark.parametrize("name", ["f1_score", "confusion_matrix", "accuracy_score", "cohen_kappa_score"])
def test_nonfinite_binary_scores(name, bad):
    r = np.random.default_rng(1)
    y_true, scores = r.integers(0, 2, 20), r.random(20)
    scores[5] = bad
    scores[12] = bad
    raises_all([yp(name), BAD_VALUE, r"\b5\b"], call, name, y_true, scores, task="binary")


@pytest.mark.parametrize("column", [1, 0], ids=["positive-column", "negative-column"])
def test_nonfinite_binary_two_unit_softmax(column):
    # spec: "NaN/inf scores -> ValueError"; a two-unit softmax is read through its
    # positive column, but an inf in the other column is still a broken score array
    r = np.random.default_rng(2)
    y_true, scores = r.integers(0, 2, 20), r.random((20, 2))
    scores[9, column] = np.inf
    raises_all([r"y_pred", BAD_VALUE, r"\b(9|18|19)\b"], fm.f1_score, y_true, scores, task="binary")


def test_nonfinite_multilabel_scores():
    r = np.random.default_rng(3)
    y_true, scores = r.integers(0, 2, (20, 4)), r.random((20, 4))
    scores[3, 2] = np.nan
    scores[11, 0] = np.nan
    # first bad index: token (row) 3, element (3, 2) or flat element 14
    raises_all([r"y_pred", BAD_VALUE, r"\b3\b|\b14\b"],
               fm.f1_score, y_true, scores, task="multilabel", average="micro")


def test_nonfinite_sequence_scores():
    r = np.random.default_rng(4)
    y_true, scores = r.integers(0, 3, (4, 6)), r.random((4, 6, 3))
    scores[2, 3, 1] = np.nan
    scores[3, 5, 0] = np.nan
    raises_all([r"y_pred", BAD_VALUE, r"\b2\b\D{1,3}\b3\b|\b15\b|\b46\b"],
               fm.confusion_matrix, y_true, scores, task="multiclass")


def test_nonfinite_one_hot_y_true():
    y_true = np.eye(3)[np.arange(10) % 3]
    y_true[4, 1] = np.nan
    scores = np.random.default_rng(5).random((10, 3))
    raises_all([r"y_true", BAD_VALUE], fm.accuracy_score, y_true, scores, task="multiclass")


# --------------------------------------------------------------------------
# mismatched shapes
# --------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL_FUNCS)
def test_shape_mismatch_task_none(name):
    r = np.random.default_rng(6)
    raises_all([r"\b10\b", r"\b12\b"], call, name, r.integers(0, 2, 10), r.integers(0, 2, 12))


@pytest.mark.parametrize("name", ALL_FUNCS)
def test_shape_mismatch_binary(name):
    r = np.random.default_rng(7)
    raises_all([r"\(10,\)", r"\(12,\)"], call, name, r.integers(0, 2, 10), r.random(12), task="binary")


@pytest.mark.parametrize("name", ALL_FUNCS)
def test_shape_mismatch_multiclass_ids(name):
    r = np.random.default_rng(8)
    raises_all([r"\(4, 5\)", r"\(4, 6\)"], call, name, r.integers(0, 3, (4, 5)), r.integers(0, 3, (4, 6)),
               task="multiclass", num_classes=3)


def test_shape_mismatch_multiclass_scores():
    r = np.random.default_rng(9)
    raises_all([r"\(4, 5\)", r"\(4, 6(, 3)?\)"], fm.f1_score, r.integers(0, 3, (4, 5)),
               r.random((4, 6, 3)), task="multiclass", average="macro")


def test_shape_mismatch_multilabel():
    r = np.random.default_rng(10)
    raises_all([r"\(5, 3\)", r"\(5, 4\)"], fm.f1_score, r.integers(0, 2, (5, 3)), r.random((5, 4)),
               task="multilabel", average="macro")


# --------------------------------------------------------------------------
# sample_weight
# --------------------------------------------------------------------------
@pytest.mark.parametrize("task", [None, "multiclass"], ids=str)
@pytest.mark.parametrize("name", ALL_FUNCS)
def test_negative_sample_weight(name, task):
    y_true, scores = _mc_scores()
    y_pred = scores.argmax(1) if task is None else scores
    w = np.ones(20)
    w[7] = -1.0
    raises_all([r"sample_weight", NEGATIVE], call, name, y_true, y_pred, task=task, sample_weight=w)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("task", [None, "multiclass"], ids=str)
@pytest.mark.parametrize("name", ALL_FUNCS)
def test_nonfinite_sample_weight(name, task, bad):
    y_true, scores = _mc_scores()
    y_pred = scores.argmax(1) if task is None else scores
    w = np.ones(20)
    w[3] = bad
    raises_all([r"sample_weight", BAD_VALUE], call, name, y_true, y_pred, task=task, sample_weight=w)


def test_negative_per_sequence_sample_weight():
    r = np.random.default_rng(11)
    y_true, scores = r.integers(0, 3, (4, 6)), r.random((4, 6, 3))
    raises_all([r"sample_weight", NEGATIVE], fm.confusion_matrix, y_true, scores, task="multiclass",
               sample_weight=np.array([1.0, 2.0, -0.1, 1.0]))
    raises_all([r"sample_weight", BAD_VALUE], fm.confusion_matrix, y_true, scores, task="multiclass",
               sample_weight=np.where(np.arange(24).reshape(4, 6) == 13, np.nan, 1.0))


@pytest.mark.parametrize("shape", [(19,), (21,), (20, 2)], ids=str)
def test_sample_weight_wrong_shape(shape):
    y_true, scores = _mc_scores()
    raises_all([r"sample_weight"], fm.f1_score, y_true, scores, task="multiclass", average="macro",
               sample_weight=np.ones(shape))


def test_sample_weight_not_a_prefix_of_token_shape():
    r = np.random.default_rng(12)
    y_true, scores = r.integers(0, 3, (4, 6)), r.random((4, 6, 3))
    raises_all([r"sample_weight", r"(?i)shape"], fm.accuracy_score, y_true, scores, task="multiclass",
               sample_weight=np.ones(6))


# --------------------------------------------------------------------------
# class ids outside [0, num_classes)
# --------------------------------------------------------------------------
# 13 tokens, num_classes=3: bad ids at positions 6, 8, 9, 11, 12 -> count 5, first index 6
BAD_IDS = np.array([0, 1, 2, 0, 1, 2, 4, 0, -1, 3, 1, 8, 9])
GOOD_IDS = np.array([0, 1, 2, 0, 1, 2, 1, 0, 2, 2, 1, 0, 1])


@pytest.mark.parametrize("name", ALL_FUNCS)
def test_y_true_ids_out_of_range(name):
    raises_all([yt(name), r"\b5\b", r"\b6\b"], call, name, BAD_IDS.copy(), GOOD_IDS.copy(),
               task="multiclass", num_classes=3)


@pytest.mark.parametrize("name", ALL_FUNCS)
def test_y_pred_ids_out_of_range(name):
    raises_all([yp(name), r"\b5\b", r"\b6\b"], call, name, GOOD_IDS.copy(), BAD_IDS.copy(),
               task="multiclass", num_classes=3)


def test_y_true_ids_out_of_range_of_score_width():
    scores = np.random.default_rng(13).random((13, 3))  # num_classes inferred: 3
    raises_all([r"y_true", r"\b5\b", r"\b6\b"], fm.f1_score, BAD_IDS.copy(), scores,
               task="multiclass", average="macro")


def test_ids_out_of_range_sequence():
    y_true = np.zeros((3, 5), dtype=np.int64)
    y_true[1, 2] = 6  # first bad token: (1, 2), flat index 7
    y_true[2, 4] = 5
    y_pred = np.zeros((3, 5), dtype=np.int64)
    raises_all([r"y_true", r"\b1\b\D{1,3}\b2\b|\b7\b"], fm.confusion_matrix, y_true, y_pred,
               task="multiclass", num_classes=4)


def test_negative_id():
    raises_all([r"y_pred", r"\b2\b"], fm.accuracy_score, [0, 1, 2, 1], [0, 1, -1, 1],
               task="multiclass", num_classes=3)


def test_binary_ids_not_zero_one():
    raises_all([r"y_true"], fm.f1_score, np.array([0, 1, 2, 1]), np.array([0.1, 0.9, 0.8, 0.3]),
               task="binary")
    raises_all([r"y_pred"], fm.f1_score, np.array([0, 1, 1, 1]), np.array([0, 1, 3, 1]), task="binary")


def test_multilabel_y_true_not_indicator():
    raises_all([r"y_true"], fm.f1_score, np.array([[0, 1], [2, 1]]), np.array([[0.2, 0.9], [0.4, 0.6]]),
               task="multilabel", average="micro")


def test_scores_width_differs_from_num_classes():
    y_true, scores = _mc_scores(c=4)
    raises_all([r"num_classes|y_pred"], fm.f1_score, y_true, scores, task="multiclass",
               num_classes=3, average="macro")


# --------------------------------------------------------------------------
# mask
# --------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL_FUNCS)
def test_mask_wrong_shape(name):
    y_true, scores = _mc_scores()
    raises_all([r"mask", r"(?i)shape"], call, name, y_true, scores, task="multiclass",
               mask=np.ones(21, dtype=bool))


def test_mask_wrong_shape_sequence():
    r = np.random.default_rng(14)
    y_true, scores = r.integers(0, 3, (4, 6)), r.random((4, 6, 3))
    raises_all([r"mask", r"(?i)shape"], fm.f1_score, y_true, scores, task="multiclass", average="macro",
               mask=np.ones((4, 7), dtype=bool))
    raises_all([r"mask", r"(?i)shape"], fm.f1_score, y_true, scores, task="multiclass", average="macro",
               mask=np.ones((6, 4), dtype=bool))


@pytest.mark.parametrize("dtype", [np.int64, np.uint8, np.float64], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", ["confusion_matrix", "f1_score", "accuracy_score", "classification_report"])
def test_mask_wrong_dtype(name, dtype):
    y_true, scores = _mc_scores()
    raises_all([r"mask", r"(?i)bool|dtype"], call, name, y_true, scores, task="multiclass",
               mask=np.ones(20, dtype=dtype))


# --------------------------------------------------------------------------
# task / average / num_classes / threshold
# --------------------------------------------------------------------------
@pytest.mark.parametrize("task", ["multi-class", "Binary", "regression", "multi_label"])
@pytest.mark.parametrize("name", ALL_FUNCS)
def test_unknown_task(name, task):
    y_true, scores = _mc_scores()
    raises_all([r"\btask\b", re.escape(task)], call, name, y_true, scores, task=task)


@pytest.mark.parametrize("task", [None, "binary", "multiclass", "multilabel"], ids=str)
@pytest.mark.parametrize("name", ["precision_score", "recall_score", "f1_score", "fbeta_score",
                                  "precision_recall_fscore_support"])
def test_unknown_average(name, task):
    y_true, scores = _mc_scores()
    if task is None:
        y_pred = scores.argmax(1)
    elif task == "binary":
        y_true, y_pred = y_true % 2, scores[:, 0]
    elif task == "multilabel":
        y_true, y_pred = (scores > 0.3).astype(int), scores
    else:
        y_pred = scores
    raises_all([r"\baverage\b", r"(?i)one of|must|invalid|unknown|not supported"],
               call, name, y_true, y_pred, task=task, average="mean")


@pytest.mark.parametrize("num_classes", [0, -2, 2.5, "3"], ids=repr)
def test_bad_num_classes(num_classes):
    y_true, scores = _mc_scores()
    raises_all([r"num_classes"], fm.f1_score, y_true, scores.argmax(1), task="multiclass",
               num_classes=num_classes, average="macro")


def test_binary_with_num_classes_not_two():
    raises_all([r"num_classes"], fm.f1_score, [0, 1, 1], [0.2, 0.7, 0.9], task="binary", num_classes=3)


@pytest.mark.parametrize("threshold", [np.nan, np.inf, "high"], ids=repr)
def test_bad_threshold(threshold):
    raises_all([r"threshold"], fm.f1_score, [0, 1, 1], [0.2, 0.7, 0.9], task="binary", threshold=threshold)


# --------------------------------------------------------------------------
# task=None on an input whose task cannot be inferred -> suggest task=
# --------------------------------------------------------------------------
TASK_HINT = r"task\s*="


@pytest.mark.parametrize("name", ALL_FUNCS)
def test_uninferable_sequence_scores_suggest_task(name):
    r = np.random.default_rng(15)
    y_true, scores = r.integers(0, 3, (4, 6)), r.random((4, 6, 3))
    raises_all([TASK_HINT], call, name, y_true, scores)


@pytest.mark.parametrize("name", ALL_FUNCS)
def test_uninferable_3d_float_both_suggest_task(name):
    r = np.random.default_rng(16)
    y_true = np.eye(3)[r.integers(0, 3, (4, 6))]
    raises_all([TASK_HINT], call, name, y_true, r.random((4, 6, 3)))


@pytest.mark.parametrize("name", ALL_FUNCS)
def test_uninferable_token_ids_suggest_task(name):
    # (N, T) multiclass ids: sklearn reads "multiclass-multioutput" and refuses it
    r = np.random.default_rng(17)
    raises_all([TASK_HINT], call, name, r.integers(0, 3, (4, 6)), r.integers(0, 3, (4, 6)))


@pytest.mark.parametrize("name", ALL_FUNCS)
def test_uninferable_probability_matrix_suggests_task(name):
    # (N,) class ids against (N, C) probabilities: sklearn cannot read it
    y_true, scores = _mc_scores()
    raises_all([TASK_HINT], call, name, y_true, scores)


# --------------------------------------------------------------------------
# class_weight
# --------------------------------------------------------------------------
@pytest.mark.parametrize("cw", [np.ones(2), np.ones(4), np.ones((3, 1)), []], ids=["len2", "len4", "2d", "empty"])
@pytest.mark.parametrize("name", ["confusion_matrix", "f1_score", "accuracy_score", "matthews_corrcoef"])
def test_class_weight_wrong_length(name, cw):
    y_true, scores = _mc_scores()
    raises_all([r"class_weight", r"(?i)length|shape|\b3\b"], call, name, y_true, scores,
               task="multiclass", class_weight=cw)


@pytest.mark.parametrize("cw", [np.array([1.0, -0.5, 1.0]), {1: -2.0}], ids=["array", "dict"])
@pytest.mark.parametrize("name", ["confusion_matrix", "f1_score", "accuracy_score", "classification_report"])
def test_class_weight_negative(name, cw):
    y_true, scores = _mc_scores()
    raises_all([r"class_weight", NEGATIVE], call, name, y_true, scores, task="multiclass", class_weight=cw)


@pytest.mark.parametrize("cw", [np.array([1.0, np.nan, 1.0]), np.array([np.inf, 1.0, 1.0]), {2: np.nan}],
                         ids=["nan", "inf", "dict-nan"])
def test_class_weight_nonfinite(cw):
    y_true, scores = _mc_scores()
    raises_all([r"class_weight", BAD_VALUE], fm.f1_score, y_true, scores, task="multiclass",
               average="macro", class_weight=cw)


@pytest.mark.parametrize("cw", [{3: 2.0}, {-1: 2.0}], ids=["key-too-large", "key-negative"])
def test_class_weight_dict_key_out_of_range(cw):
    y_true, scores = _mc_scores()
    raises_all([r"class_weight", r"(?i)key|class|range"], fm.f1_score, y_true, scores,
               task="multiclass", average="macro", class_weight=cw)

"""The user pain: a 1:9 imbalanced binary problem scored by a two-unit softmax.

Read as two classes with average="micro", precision == recall == F1 == accuracy
(the documented trap: every error is both a false positive of one class and a
false negative of the other).  Read with task="binary", the metrics are those of
the positive class and equal scikit-learn's binary scores with pos_label=1.

Constructed data (1000 samples, 100 positives):
    TP = 60, FN = 40, FP = 30, TN = 870
    accuracy = 0.93, precision = 60/90, recall = 0.6, F1 = 120/190 ~ 0.632
"""

import warnings

import numpy as np
import pytest
import sklearn.metrics as skm

import fastmetrics as fm

TP, FN, FP, TN = 60, 40, 30, 870
M = TP + FN + FP + TN


def _flat_data(seed=0):
    rng = np.random.default_rng(seed)
    y = np.zeros(M, dtype=np.int64)
    y[: TP + FN] = 1
    pred = np.zeros(M, dtype=np.int64)
    pred[:TP] = 1
    pred[TP + FN: TP + FN + FP] = 1
    perm = rng.permutation(M)
    y, pred = y[perm], pred[perm]
    p1 = np.where(pred == 1, rng.uniform(0.55, 0.95, M), rng.uniform(0.05, 0.45, M))
    softmax = np.stack([1.0 - p1, p1], axis=-1).astype(np.float32)
    onehot = np.eye(2, dtype=np.float32)[y]
    # sanity of the construction (numpy only)
    assert np.array_equal(softmax.argmax(-1), pred)
    assert ((y == 1) & (pred == 1)).sum() == TP and ((y == 0) & (pred == 1)).sum() == FP
    return y, pred, onehot, softmax


def _token_data(seed=1, n=40, t=30):
    """The same 1000 samples laid out as (n, t) tokens with padding after each length."""
    rng = np.random.default_rng(seed)
    y, pred, onehot, softmax = _flat_data(seed)
    lengths = np.full(n, M // n)  # 25 real tokens per sequence, 5 padding
    mask = np.arange(t)[None, :] < lengths[:, None]
    assert mask.sum() == M
    Y = np.zeros((n, t, 2), dtype=np.float32)
    Y[..., 0] = 1.0  # padding: true negative class ...
    S = np.zeros((n, t, 2), dtype=np.float32)
    S[..., 1] = 0.9  # ... predicted positive: FP if the mask were ignored
    S[..., 0] = 0.1
    Y[mask] = onehot
    S[mask] = softmax
    sw = rng.uniform(0.5, 2.0, size=n)
    return y, pred, Y, S, mask, sw


# --------------------------------------------------------------------------
# (a) the trap: two classes, micro average
# --------------------------------------------------------------------------


def test_micro_average_over_two_classes_equals_accuracy():
    y, pred, onehot, softmax = _flat_data()
    kw = dict(task="multiclass", average="micro")
    p = fm.precision_score(onehot, softmax, **kw)
    r = fm.recall_score(onehot, softmax, **kw)
    f = fm.f1_score(onehot, softmax, **kw)
    acc = fm.accuracy_score(onehot, softmax, task="multiclass")
    assert acc == pytest.approx((TP + TN) / M, rel=1e-12)
    assert p == pytest.approx(acc, rel=1e-12)
    assert r == pytest.approx(acc, rel=1e-12)
    assert f == pytest.approx(acc, rel=1e-12)
    # and it is what sklearn says for the same reading
    assert f == pytest.approx(skm.f1_score(y, pred, average="micro"), rel=1e-12)
    # the true positive-class F1 is far from it
    assert abs(f - skm.f1_score(y, pred)) > 0.25


def test_micro_average_trap_with_indicator_targets_task_none():
    # sklearn's own reading of one-hot targets and one-hot predictions: multilabel
    # indicator, micro average over the two columns -> again == accuracy
    y, pred, onehot, _ = _flat_data()
    yt = onehot.astype(np.int64)
    yp = np.eye(2, dtype=np.int64)[pred]
    for name in ("precision_score", "recall_score", "f1_score"):
        got = getattr(fm, name)(yt, yp, average="micro")
        assert got == pytest.approx(getattr(skm, name)(yt, yp, average="micro"), rel=1e-12)
        assert got == pytest.approx((TP + TN) / M, rel=1e-12)


def test_micro_trap_tokens():
    y, pred, Y, S, mask, _ = _token_data()
    kw = dict(task="multiclass", average="micro", mask=mask)
    acc = fm.accuracy_score(Y, S, task="multiclass", mask=mask)
    assert acc == pytest.approx((TP + TN) / M, rel=1e-12)
    for name in ("precision_score", "recall_score", "f1_score"):
        assert getattr(fm, name)(Y, S, **kw) == pytest.approx(acc, rel=1e-12)


# --------------------------------------------------------------------------
# (b) task="binary": positive-class metrics
# --------------------------------------------------------------------------


def test_binary_task_gives_positive_class_metrics():
    y, pred, onehot, softmax = _flat_data()
    kw = dict(task="binary")
    p = fm.precision_score(onehot, softmax, **kw)
    r = fm.recall_score(onehot, softmax, **kw)
    f = fm.f1_score(onehot, softmax, **kw)
    acc = fm.accuracy_score(onehot, softmax, **kw)
    assert p == pytest.approx(skm.precision_score(y, pred, pos_label=1), rel=1e-12)
    assert r == pytest.approx(skm.recall_score(y, pred, pos_label=1), rel=1e-12)
    assert f == pytest.approx(skm.f1_score(y, pred, pos_label=1), rel=1e-12)
    assert p == pytest.approx(TP / (TP + FP), rel=1e-12)
    assert r == pytest.approx(TP / (TP + FN), rel=1e-12)
    assert f == pytest.approx(2 * TP / (2 * TP + FP + FN), rel=1e-12)
    assert acc == pytest.approx((TP + TN) / M, rel=1e-12)
    assert f != pytest.approx(acc, abs=0.05)
    assert not (p == pytest.approx(r, abs=0.01))
    np.testing.assert_array_equal(fm.confusion_matrix(onehot, softmax, **kw),
                                  [[TN, FP], [FN, TP]])
    fb = fm.fbeta_score(onehot, softmax, beta=2.0, **kw)
    assert fb == pytest.approx(skm.fbeta_score(y, pred, beta=2.0), rel=1e-12)
    prfs = fm.precision_recall_fscore_support(onehot, softmax, average="binary", **kw)
    exp = skm.precision_recall_fscore_support(y, pred, average="binary")
    for g, e in zip(prfs[:3], exp[:3]):
        assert g == pytest.approx(e, rel=1e-12)
    assert prfs[3] is None and exp[3] is None
    assert fm.matthews_corrcoef(onehot, softmax, **kw) == pytest.approx(
        skm.matthews_corrcoef(y, pred), rel=1e-12)


@pytest.mark.parametrize("form", ["ids_true", "onehot_int_true", "prob_column"])
def test_binary_task_other_target_forms(form):
    y, pred, onehot, softmax = _flat_data(3)
    if form == "ids_true":
        yt, yp = y, softmax
    elif form == "onehot_int_true":
        yt, yp = onehot.astype(np.int64), softmax
    else:
        yt, yp = y, softmax[:, 1]  # (N,) probability of the positive class
    f = fm.f1_score(yt, yp, task="binary")
    assert f == pytest.approx(skm.f1_score(y, pred), rel=1e-12)
    assert f == pytest.approx(2 * TP / (2 * TP + FP + FN), rel=1e-12)


def test_binary_task_with_class_weight_matches_sklearn():
    # up-weighting the rare class 9x (the usual imbalance fix) == sklearn with those weights
    y, pred, onehot, softmax = _flat_data(4)
    w = np.where(y == 1, 9.0, 1.0)
    for cw in ({1: 9.0}, np.array([1.0, 9.0])):
        kw = dict(task="binary", class_weight=cw)
        for name in ("precision_score", "recall_score", "f1_score", "accuracy_score",
                     "balanced_accuracy_score", "matthews_corrcoef"):
            got = getattr(fm, name)(onehot, softmax, **kw)
            exp = getattr(skm, name)(y, pred, sample_weight=w)
            assert got == pytest.approx(exp, rel=1e-12), name


def test_binary_task_tokens_with_mask_and_sequence_weight():
    y, pred, Y, S, mask, sw = _token_data()
    kw = dict(task="binary", mask=mask)
    p = fm.precision_score(Y, S, **kw)
    r = fm.recall_score(Y, S, **kw)
    f = fm.f1_score(Y, S, **kw)
    assert p == pytest.approx(skm.precision_score(y, pred), rel=1e-12)
    assert r == pytest.approx(skm.recall_score(y, pred), rel=1e-12)
    assert f == pytest.approx(skm.f1_score(y, pred), rel=1e-12)
    assert f != pytest.approx(fm.accuracy_score(Y, S, **kw), abs=0.05)
    # per-sequence weight broadcast over the real tokens
    w = np.broadcast_to(sw[:, None], mask.shape)[mask]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in ("precision_score", "recall_score", "f1_score"):
            got = getattr(fm, name)(Y, S, sample_weight=sw, **kw)
            exp = getattr(skm, name)(y, pred, sample_weight=w)
            assert got == pytest.approx(exp, rel=1e-12), name
    report = fm.classification_report(Y, S, output_dict=True, **kw)
    exp = skm.classification_report(y, pred, output_dict=True)
    assert set(report) == set(exp)
    assert report["1"]["f1-score"] == pytest.approx(exp["1"]["f1-score"], rel=1e-12)
    assert report["1"]["precision"] == pytest.approx(exp["1"]["precision"], rel=1e-12)
    assert report["accuracy"] == pytest.approx(exp["accuracy"], rel=1e-12)

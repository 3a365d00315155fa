"""Multilabel ROC AUC / average precision (one binary problem per label) vs scikit-learn."""

import warnings

import numpy as np
import pytest
from sklearn import metrics as skm

import fastmetrics as fm

AVERAGES = [None, "micro", "macro", "weighted", "samples"]


def _both(name, *args, **kw):
    out = []
    for lib in (skm, fm):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            try:
                value = getattr(lib, name)(*args, **kw)
            except ValueError as e:
                value = e
        out.append((value, sorted({str(r.message) for r in rec})))
    return out


@pytest.mark.parametrize("name", ["roc_auc_score", "average_precision_score"])
@pytest.mark.parametrize("average", AVERAGES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n,L,ties", [(6, 2, False), (60, 3, True), (700, 5, False)])
def test_multilabel_matches_sklearn(name, average, weighted, n, L, ties):
    rng = np.random.default_rng(n * 10 + L)
    Y = rng.integers(0, 2, (n, L))
    S = rng.random((n, L))
    if ties:
        S = np.round(S, 1)
    w = rng.random(n) if weighted else None
    (want, want_warn), (got, got_warn) = _both(name, Y, S, average=average,
                                               sample_weight=w)
    if isinstance(want, ValueError):
        assert isinstance(got, ValueError), got
        return
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    assert got_warn == want_warn


def test_multilabel_column_with_one_class_is_nan_with_warning():
    Y = np.array([[0, 1], [0, 0], [0, 1], [0, 0]])  # column 0 has one class
    S = np.array([[0.1, 0.9], [0.2, 0.3], [0.4, 0.8], [0.3, 0.1]])
    (want, want_warn), (got, got_warn) = _both("roc_auc_score", Y, S, average=None)
    np.testing.assert_allclose(got, want, equal_nan=True)
    assert np.isnan(got[0]) and got_warn == want_warn


def test_multilabel_max_fpr_matches_sklearn():
    rng = np.random.default_rng(5)
    Y = rng.integers(0, 2, (300, 4))
    S = rng.random((300, 4))
    for max_fpr in (0.2, 0.5):
        (want, _), (got, _) = _both("roc_auc_score", Y, S, max_fpr=max_fpr)
        np.testing.assert_allclose(got, want, rtol=1e-10)


def test_multilabel_shape_mismatch_raises():
    with pytest.raises(ValueError, match="y_score"):
        fm.roc_auc_score(np.array([[0, 1], [1, 0]]), np.array([0.2, 0.4]))


def _probs(rng, n, C, ties=False):
    p = rng.random((n, C))
    if ties:
        p = np.round(p, 1) + 0.05
    return p / p.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("average", ["micro", "macro", "weighted", None])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n,C,ties", [(30, 3, False), (500, 4, True)])
def test_multiclass_ovr_matches_sklearn(average, weighted, n, C, ties):
    rng = np.random.default_rng(n + C)
    y = rng.integers(0, C, n)
    P = _probs(rng, n, C, ties)
    w = rng.random(n) if weighted else None
    (want, _), (got, _) = _both("roc_auc_score", y, P, multi_class="ovr",
                                average=average, sample_weight=w)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_multiclass_ovr_string_labels_and_labels_param():
    rng = np.random.default_rng(9)
    names = np.array(["ant", "bee", "cat"])
    y = names[rng.integers(0, 3, 200)]
    P = _probs(rng, 200, 3)
    (want, _), (got, _) = _both("roc_auc_score", y, P, multi_class="ovr",
                                labels=["ant", "bee", "cat"])
    np.testing.assert_allclose(got, want, rtol=1e-10)


@pytest.mark.parametrize("kw", [dict(), dict(multi_class="ovr", max_fpr=0.5),
                                dict(multi_class="ovr", average="samples")])
def test_multiclass_errors_match_sklearn(kw):
    rng = np.random.default_rng(3)
    y = rng.integers(0, 3, 50)
    (want, _), (got, _) = _both("roc_auc_score", y, _probs(rng, 50, 3), **kw)
    assert isinstance(want, ValueError) and isinstance(got, ValueError)


def test_multiclass_scores_must_sum_to_one():
    rng = np.random.default_rng(4)
    y = rng.integers(0, 3, 50)
    with pytest.raises(ValueError, match="sum up to 1.0"):
        fm.roc_auc_score(y, rng.random((50, 3)), multi_class="ovr")

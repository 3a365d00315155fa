"""compute_class_weight / compute_sample_weight / brier_score_loss against
scikit-learn 1.9, and temporal_sample_weight against the Python loops users
write today (and against scikit-learn's "balanced" formula)."""

import warnings

import numba
import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.metrics import brier_score_loss as sk_brier
from sklearn.utils.class_weight import compute_class_weight as sk_ccw
from sklearn.utils.class_weight import compute_sample_weight as sk_csw

from fastmetrics.config import CHUNK
from fastmetrics.weighting import (
    brier_score_loss,
    compute_class_weight,
    compute_sample_weight,
    temporal_sample_weight,
)


def _outcome(call):
    """(result, None) or (None, exception), with the warnings issued."""
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        try:
            res, exc = call(), None
        except Exception as e:
            res, exc = None, e
    msgs = sorted(str(w.message) for w in rec if issubclass(w.category, UserWarning))
    return res, exc, msgs


def assert_same(sk_call, fm_call, rtol=0.0, atol=0.0):
    """Same result (to rtol), or the same error class(es) and message; same warnings."""
    r_sk, e_sk, w_sk = _outcome(sk_call)
    r_fm, e_fm, w_fm = _outcome(fm_call)
    if e_sk is not None:
        assert e_fm is not None, f"scikit-learn raised {e_sk!r}, fastmetrics returned {r_fm!r}"
        assert str(e_fm) == str(e_sk)
        for cls in (ValueError, TypeError, ZeroDivisionError):
            assert isinstance(e_fm, cls) == isinstance(e_sk, cls), (e_sk, e_fm)
    else:
        assert e_fm is None, f"fastmetrics raised {e_fm!r}, scikit-learn returned {r_sk!r}"
        if rtol or atol:
            assert_allclose(r_fm, r_sk, rtol=rtol, atol=atol)
        else:
            assert_array_equal(r_fm, r_sk)
            assert np.asarray(r_fm).dtype == np.asarray(r_sk).dtype
    assert w_fm == w_sk


# ===================================================================== compute_class_weight

_CCW_CASES = [
    ("balanced", np.array([0, 1]), [1, 1, 1, 1, 0, 0], None),
    ("balanced", np.array([0, 1, 2]), [0, 1, 2, 2, 2, 1, 0, 2], None),
    ("balanced", np.array([0, 1, 2]), [0, 1, 2, 2, 2, 1, 0, 2], [1, 2, 0.5, 1, 1, 3, 1, 0.25]),
    ("balanced", np.array([-3, 7, 100]), [7, 7, -3, 100, 7], None),
    ("balanced", np.array([0.5, 1.5]), [0.5, 1.5, 1.5], None),
    ("balanced", np.array(["a", "b", "c"]), ["a", "b", "b", "c", "c", "c"], None),
    ("balanced", np.array([0, 1]), [[0], [1], [1]], None),          # column vector: warns
    ("balanced", np.array([0, 1, 2]), [0, 1, 1], None),             # class 2 not in y
    ("balanced", np.array([0]), [0, 1], None),                      # y has a class not in classes
    ("balanced", np.array([0, 1]), [0, 1], [0, 0]),                 # all-zero weights
    ("balanced", np.array([0, 1]), [0, 1], [np.nan, 2]),
    ("balanced", np.array([0, 1]), [0, 1], [np.inf, 2]),
    ("balanced", np.array([0, 1]), [0, 1, 1], [1, 2]),
    ("balanced", np.array([0, 1]), [0, 1], [[1, 2]]),
    ("balanced", np.array([0, 1]), [[0, 1], [1, 0]], None),         # 2-D y
    (None, np.array([0, 1, 2]), [0, 1, 2], None),
    ({}, np.array([0, 1]), [0, 1], None),
    ({0: 1.0}, np.array([0, 1]), [0, 1], None),
    ({0: 2.0, 1: 0.5}, np.array([0, 1]), [0, 1], None),
    ({0: 1, 5: 2}, np.array([0, 1]), [0, 1], None),
    ({0: 1, 1: 2, 5: 3}, np.array([0, 1]), [0, 1], None),
    ({"a": 2}, np.array(["a", "b"]), ["a", "b", "b"], None),
    ({"a": 2, "b": 0.5}, np.array(["a", "b"]), ["a", "b", "b"], None),
    ({0: 2, 1: 1}, np.array([0.5, 1.5]), [0.5, 1.5], None),         # int() truncation quirk
    ({0: 2}, np.array([0, 1]), [0, 3], None),
    ("x", np.array([0, 1]), [0, 1], None),
    (3, np.array([0, 1]), [0, 1], None),
    (None, [0, 1], [0, 1], None),
    (None, np.array([0, 1]), "ab", None),
    ("balanced", np.array([0, 1]), [0, 1], 3),
]


@pytest.mark.parametrize("cw, classes, y, sw", _CCW_CASES)
def test_compute_class_weight_matches_sklearn(cw, classes, y, sw):
    assert_same(
        lambda: sk_ccw(cw, classes=classes, y=y, sample_weight=sw),
        lambda: compute_class_weight(cw, classes=classes, y=y, sample_weight=sw),
    )


def test_compute_class_weight_random(rng):
    for trial in range(30):
        k = int(rng.integers(2, 12))
        n = int(rng.integers(k, 3000))
        y = rng.integers(0, k, size=n) * int(rng.integers(1, 4)) - int(rng.integers(0, 5))
        classes = np.unique(y)
        sw = rng.uniform(0.01, 5, size=n) if trial % 2 else None
        assert_same(lambda: sk_ccw("balanced", classes=classes, y=y, sample_weight=sw),
                    lambda: compute_class_weight("balanced", classes=classes, y=y,
                                                 sample_weight=sw))
        d = {int(c): float(rng.uniform(0.1, 3)) for c in classes}
        assert_same(lambda: sk_ccw(d, classes=classes, y=y),
                    lambda: compute_class_weight(d, classes=classes, y=y))


def test_compute_class_weight_balanced_brute_force():
    y = np.array([2, 2, 2, 5, 5, 9])
    # n_samples / (n_classes * count): 6 / (3 * [3, 2, 1])
    want = np.array([6 / 9, 6 / 6, 6 / 3])
    assert_allclose(compute_class_weight("balanced", classes=np.array([2, 5, 9]), y=y), want,
                    rtol=1e-15)
    # weighted: total weight / (n_classes * class weight total)
    sw = np.array([1.0, 1.0, 2.0, 0.5, 0.5, 3.0])
    want = 8.0 / (3 * np.array([4.0, 1.0, 3.0]))
    assert_allclose(compute_class_weight("balanced", classes=np.array([2, 5, 9]), y=y,
                                         sample_weight=sw), want, rtol=1e-15)


def test_compute_class_weight_rejects_negative_sample_weight():
    # scikit-learn returns a negative class weight here; fastmetrics refuses.
    with pytest.raises(ValueError, match="sample_weight must be >= 0"):
        compute_class_weight("balanced", classes=np.array([0, 1]), y=[0, 1],
                             sample_weight=[-1.0, 2.0])


# ===================================================================== compute_sample_weight

_CSW_CASES = [
    ("balanced", [1, 1, 1, 1, 0, 0], None),
    ("balanced", ["a", "b", "b", "c"], None),
    ("balanced", [[0, 1], [1, 1], [1, 0]], None),
    ("balanced", [[0, 1], [1, 1], [1, 0], [2, 0]], None),
    ([{0: 1, 1: 2}, {0: 3, 1: 1}], [[0, 1], [1, 1], [1, 0]], None),
    ([{0: 1, 1: 2}, {0: 3}], [[0, 1], [1, 1], [1, 0]], None),
    ({0: 1}, [[0, 1], [1, 1], [1, 0]], None),
    (None, [[0, 1], [1, 1], [1, 0]], None),
    ([{0: 1}], [[0, 1], [1, 1], [1, 0]], None),
    ([{0: 1}], [0, 1], None),
    ({0: 2}, [0, 1], [0]),
    ("balanced", [0, 1, 1, 2], [1, 2, 2]),
    ("balanced", [0, 1, 1, 2, 2, 2], [0, 0, 3, 4, 5, 5]),
    ("balanced", [[0, 1], [1, 1], [1, 0], [2, 2]], [0, 1, 1, 3]),
    ({0: 2.0, 1: 0.5}, [0, 1, 1, 0], None),
    ({0: 2.0}, [0, 1, 1, 0], None),
    (None, [0, 1, 1, 0], None),
    ("balanced", "abc", None),
    ("x", [0, 1], None),
    ("balanced", [0, 1], 3),
]


@pytest.mark.parametrize("cw, y, indices", _CSW_CASES)
def test_compute_sample_weight_matches_sklearn(cw, y, indices):
    assert_same(lambda: sk_csw(cw, y, indices=indices),
                lambda: compute_sample_weight(cw, y, indices=indices))


def test_compute_sample_weight_sparse_and_random(rng):
    y = rng.integers(0, 3, size=(200, 3))
    ys = sp.csr_matrix(y)
    assert_same(lambda: sk_csw("balanced", ys), lambda: compute_sample_weight("balanced", ys))
    for trial in range(20):
        n = int(rng.integers(5, 2000))
        y = rng.integers(0, int(rng.integers(2, 9)), size=n)
        idx = rng.integers(0, n, size=int(rng.integers(1, n + 1)))
        assert_same(lambda: sk_csw("balanced", y), lambda: compute_sample_weight("balanced", y))
        assert_same(lambda: sk_csw("balanced", y, indices=idx),
                    lambda: compute_sample_weight("balanced", y, indices=idx))


# ===================================================================== brier_score_loss

def _brier_ref(y_idx, P, w=None):
    """Float64 brute force: sum_c (onehot - p)^2 averaged with weights."""
    n, C = P.shape
    tot = wt = 0.0
    for i in range(n):
        loss = sum(((1.0 if c == y_idx[i] else 0.0) - float(P[i, c])) ** 2 for c in range(C))
        wi = 1.0 if w is None else float(w[i])
        tot += wi * loss
        wt += wi
    return tot / wt


_BRIER_CASES = [
    ({"y_true": [0, 1, 1, 0], "y_proba": [0.1, 0.9, 0.8, 0.3]}),
    ({"y_true": [0, 1, 1, 0], "y_proba": [0.9, 0.1, 0.2, 0.7], "pos_label": 0}),
    ({"y_true": ["spam", "ham", "ham", "spam"], "y_proba": [0.1, 0.9, 0.8, 0.3], "pos_label": "ham"}),
    ({"y_true": [0, 1, 1, 0], "y_proba": [False, True, True, False]}),
    ({"y_true": [0, 1, 1, 0], "y_proba": [0.1, 0.9, 0.8, 0.3], "scale_by_half": False}),
    ({"y_true": [-1, 1, 1, -1], "y_proba": [0.1, 0.9, 0.8, 0.3]}),
    ({"y_true": [2, 3, 3, 2], "y_proba": [0.1, 0.9, 0.8, 0.3]}),
    ({"y_true": [2, 2, 2], "y_proba": [0.1, 0.9, 0.8]}),
    ({"y_true": [True, False, True], "y_proba": [0.1, 0.9, 0.8]}),
    ({"y_true": [True, False, True], "y_proba": [0.1, 0.9, 0.8], "pos_label": False}),
    ({"y_true": [0, 1, 1], "y_proba": [0.1, 0.9, 0.8], "pos_label": 5}),
    ({"y_true": [0, 1, 1], "y_proba": [[0.1], [0.9], [0.8]]}),
    ({"y_true": [[0], [1], [1]], "y_proba": [0.1, 0.9, 0.8]}),
    ({"y_true": [0, 1, 1], "y_proba": [0.1, 0.9, 0.8], "sample_weight": [1, 2, 3]}),
    ({"y_true": [0, 1, 1], "y_proba": [0.1, 0.9, 0.8], "sample_weight": [0.5, 0, 3.5]}),
    ({"y_true": ["eggs", "ham", "spam"],
          "y_proba": [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.2, 0.2, 0.6]],
          "labels": ["eggs", "ham", "spam"]}),
    ({"y_true": ["eggs", "ham", "spam"],
          "y_proba": [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.2, 0.2, 0.6]]}),
    ({"y_true": [0, 2, 1], "y_proba": [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.2, 0.2, 0.6]],
          "scale_by_half": True}),
    ({"y_true": [0, 1, 1], "y_proba": [[0.8, 0.2], [0.3, 0.7], [0.4, 0.6]]}),
    ({"y_true": [0, 1, 1], "y_proba": [[0.8, 0.2], [0.3, 0.7], [0.4, 0.6]], "scale_by_half": False}),
    ({"y_true": [0, 1, 1], "y_proba": [[0.8, 0.1, 0.1], [0.3, 0.6, 0.1], [0.4, 0.5, 0.1]],
          "labels": [0, 1, 2]}),
    ({"y_true": [0, 1], "y_proba": [[0.5, 0.5], [0.5, 0.5]], "labels": [1, 0]}),      # warns
    ({"y_true": [0, 1], "y_proba": [[0.5, 0.6], [0.5, 0.5]]}),                      # warns: sum != 1
    ({"y_true": [5, 7, 9], "y_proba": [[0.8, 0.1, 0.1], [0.3, 0.6, 0.1], [0.4, 0.5, 0.1]],
          "sample_weight": [1.0, 2.0, 0.5]}),
    ({"y_true": [5, 7, 5], "y_proba": [[0.8, 0.1, 0.1], [0.3, 0.6, 0.1], [0.4, 0.5, 0.1]],
          "labels": [5, 7, 9]}),
    # errors
    ({"y_true": [0, 1], "y_proba": [0.2, 0.3], "scale_by_half": "x"}),
    ({"y_true": [0, 1], "y_proba": [0.2, 0.3], "pos_label": [1]}),
    ({"y_true": [0, 1], "y_proba": [0.2, np.nan]}),
    ({"y_true": [0, 1], "y_proba": [0.2, np.inf]}),
    ({"y_true": [0, 1], "y_proba": [0.2, 1.3]}),
    ({"y_true": [0, 1], "y_proba": [0.2, -1.3]}),
    ({"y_true": [0, 1, 2], "y_proba": [0.2, 0.3, 0.4]}),
    ({"y_true": [0.5, 1.5], "y_proba": [0.2, 0.3]}),
    ({"y_true": [0, np.nan], "y_proba": [0.2, 0.3]}),
    ({"y_true": [[0, 1], [1, 0]], "y_proba": [0.2, 0.3]}),
    ({"y_true": ["a", "b"], "y_proba": [0.2, 0.3]}),
    ({"y_true": [0, 1], "y_proba": [0.2, 0.3], "sample_weight": [0, 0]}),
    ({"y_true": [0, 1], "y_proba": [0.2, 0.3], "sample_weight": [1, 1, 1]}),
    ({"y_true": [0, 1], "y_proba": [0.2, 0.3], "sample_weight": [[1, 1]]}),
    ({"y_true": [0, 1], "y_proba": [0.2, 0.3], "sample_weight": [1, np.nan]}),
    ({"y_true": [0, 1], "y_proba": []}),
    ({"y_true": [0, 1], "y_proba": [[[0.2]], [[0.3]]]}),
    ({"y_true": [0, 1], "y_proba": [[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]]}),
    ({"y_true": [0, 1], "y_proba": [[0.2, 0.3, 0.5], [0.1, 0.1, 1.8]]}),
    ({"y_true": [0, 1], "y_proba": [[0.2, 0.3, 0.5], [0.1, 0.1, -0.8]]}),
    ({"y_true": [0, 0], "y_proba": [[0.5, 0.5], [0.5, 0.5]]}),
    ({"y_true": [0, 0], "y_proba": [[0.5, 0.5], [0.5, 0.5]], "labels": [0]}),
    ({"y_true": [0, 2], "y_proba": [[0.5, 0.5], [0.5, 0.5]], "labels": [0, 1]}),
    ({"y_true": [0, 1], "y_proba": [[0.5, 0.5], [0.5, 0.5]], "labels": [0, 1, 2]}),
    ({"y_true": [0.5, 1.5], "y_proba": [[0.5, 0.5], [0.5, 0.5]]}),
    ({"y_true": [0, 1, 1], "y_proba": [[0.8, 0.2], [0.3, 0.7]]}),
]


@pytest.mark.parametrize("kw", _BRIER_CASES)
def test_brier_matches_sklearn(kw):
    assert_same(lambda: sk_brier(**kw), lambda: brier_score_loss(**kw), rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize("C", [1, 2, 3, 7])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
def test_brier_random_against_sklearn_and_brute_force(rng, C, dtype, weighted):
    n = 500
    w = rng.uniform(0.0, 3.0, size=n) if weighted else None
    if C == 1:
        y = rng.integers(0, 2, size=n)
        p = rng.random(n).astype(dtype)
        P = np.stack([1 - p.astype(np.float64), p.astype(np.float64)], axis=1)
    else:
        y = rng.integers(0, C, size=n)
        y[:C] = np.arange(C)
        P = rng.dirichlet(np.ones(C), size=n).astype(dtype)
        p = P
    got = brier_score_loss(y, p, sample_weight=w)
    scale = 0.5 if C <= 2 else 1.0
    assert_allclose(got, scale * _brier_ref(y, np.asarray(P, np.float64), w), rtol=1e-12)
    # scikit-learn sums float32 inputs in float32
    assert_allclose(got, sk_brier(y, p, sample_weight=w), rtol=1e-12 if dtype == np.float64 else 1e-5)


def test_brier_large_parallel_and_thread_count(rng):
    """More than one chunk (the parallel kernels); same bits for 1 and 2 threads."""
    n = 3 * CHUNK + 123
    y = rng.integers(0, 5, size=n)
    P = rng.dirichlet(np.ones(5), size=n)
    w = rng.uniform(0, 2, size=n)
    yb = rng.integers(0, 2, size=n)
    pb = rng.random(n)
    results = []
    threads = [1, min(2, numba.config.NUMBA_NUM_THREADS)]
    for t in threads:
        numba.set_num_threads(t)
        try:
            results.append((brier_score_loss(y, P, sample_weight=w),
                            brier_score_loss(yb, pb, sample_weight=w),
                            brier_score_loss(y + 3, P)))
        finally:
            numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    assert results[0] == results[1]
    assert_allclose(results[0][0], sk_brier(y, P, sample_weight=w), rtol=1e-12)
    assert_allclose(results[0][1], sk_brier(yb, pb, sample_weight=w), rtol=1e-12)
    assert_allclose(results[0][2], sk_brier(y + 3, P), rtol=1e-12)


def test_brier_weight_properties(rng):
    y = rng.integers(0, 3, size=60)
    y[:3] = [0, 1, 2]
    P = rng.dirichlet(np.ones(3), size=60)
    base = brier_score_loss(y, P)
    assert_allclose(brier_score_loss(y, P, sample_weight=np.ones(60)), base, rtol=1e-14)
    assert_allclose(brier_score_loss(y, P, sample_weight=np.full(60, 7.5)), base, rtol=1e-14)
    reps = rng.integers(1, 4, size=60)
    assert_allclose(brier_score_loss(y, P, sample_weight=reps),
                    brier_score_loss(np.repeat(y, reps), np.repeat(P, reps, axis=0)),
                    rtol=1e-13)
    w = np.ones(60)
    w[10:20] = 0
    keep = w > 0
    assert_allclose(brier_score_loss(y, P, sample_weight=w),
                    brier_score_loss(y[keep], P[keep]), rtol=1e-13)
    with pytest.raises(ValueError, match="sample_weight must be >= 0"):
        brier_score_loss(y, P, sample_weight=np.r_[-1.0, np.ones(59)])


# ===================================================================== temporal_sample_weight

def _loop_weights(y, class_weight, mask=None, ignore_index=None, sample_weight=None,
                  num_classes=None):
    """The construction users write today: Python loops over sequences and steps."""
    N, T = y.shape[:2]
    one_hot = y.ndim == 3
    labels = np.argmax(y, axis=-1) if one_hot else y

    def kept(i, t):
        if mask is not None and not mask[i, t]:
            return False
        if ignore_index is not None and labels[i, t] == ignore_index:
            return False
        return True

    def sw(i, t):
        if sample_weight is None:
            return 1.0
        s = np.asarray(sample_weight, dtype=np.float64)
        return float(s[i]) if s.ndim == 1 else float(s[i, t])

    if isinstance(class_weight, str):  # "balanced"
        totals = {}
        for i in range(N):
            for t in range(T):
                if kept(i, t):
                    c = int(labels[i, t])
                    totals[c] = totals.get(c, 0.0) + sw(i, t)
        totals = {c: v for c, v in totals.items() if v > 0}
        n_tok = sum(totals.values())
        cw = {c: n_tok / (len(totals) * v) for c, v in totals.items()}
        get = lambda c: cw.get(c, 0.0)
    elif isinstance(class_weight, dict):
        get = lambda c: float(class_weight.get(c, 1.0))
    elif class_weight is None:
        get = lambda c: 1.0
    else:
        get = lambda c: float(class_weight[c])
    out = np.zeros((N, T), dtype=np.float32)
    for i in range(N):
        for t in range(T):
            if kept(i, t):
                out[i, t] = np.float32(sw(i, t) * get(int(labels[i, t])))
    return out


def _padded(rng, N=37, T=23, C=5, p=None, pad=-100):
    lengths = rng.integers(0, T + 1, size=N)
    mask = np.arange(T) < lengths[:, None]
    y = rng.choice(C, size=(N, T), p=p)
    return np.where(mask, y, pad), mask


@pytest.mark.parametrize("cw", ["balanced", None, {0: 2.0, 3: 0.25}, [0.5, 1.0, 2.0, 3.0, 4.0]])
@pytest.mark.parametrize("sw_kind", [None, "seq", "tok"])
@pytest.mark.parametrize("skip", ["mask", "ignore", "both"])
def test_temporal_matches_python_loop(rng, cw, sw_kind, skip):
    y, mask = _padded(rng, p=[0.5, 0.2, 0.15, 0.1, 0.05])
    N, T = y.shape
    sw = {None: None, "seq": rng.uniform(0, 3, size=N),
          "tok": rng.uniform(0, 3, size=(N, T))}[sw_kind]
    kw = {"mask": mask if skip in ("mask", "both") else None,
              "ignore_index": -100 if skip in ("ignore", "both") else None}
    want = _loop_weights(y, cw, sample_weight=sw, **kw)
    got = temporal_sample_weight(y, cw, sample_weight=sw, num_classes=5, **kw)
    assert got.dtype == np.float32 and got.shape == (N, T)
    if sw_kind is None or cw != "balanced":
        assert_array_equal(got, want)
    else:  # weighted totals may be summed in another order (chunks)
        assert_allclose(got, want, rtol=1e-6)
    # C inferred from the labels (or the class-weight array) gives the same
    assert_array_equal(temporal_sample_weight(y, cw, sample_weight=sw, **kw), got)


def test_temporal_one_hot_and_trailing_axis(rng):
    y, mask = _padded(rng, C=4)
    ids = np.where(mask, y, 0)
    onehot = np.eye(4, dtype=np.float32)[ids]
    sw = rng.uniform(0, 2, size=y.shape[0])
    want = _loop_weights(ids, "balanced", mask=mask, sample_weight=sw)
    assert_allclose(temporal_sample_weight(onehot, mask=mask, sample_weight=sw), want, rtol=1e-6)
    # label smoothing keeps the argmax
    smooth = onehot * 0.9 + 0.1 / 4
    assert_array_equal(temporal_sample_weight(smooth, mask=mask, sample_weight=sw),
                       temporal_sample_weight(onehot, mask=mask, sample_weight=sw))
    # (N, T, 1) ids, as Keras' sparse labels often are
    assert_array_equal(temporal_sample_weight(y[..., None], ignore_index=-100),
                       temporal_sample_weight(y, ignore_index=-100))
    # integer, bool and float16 one-hot
    for dt in (np.int8, np.bool_, np.float16):
        assert_array_equal(temporal_sample_weight(onehot.astype(dt), mask=mask),
                           temporal_sample_weight(onehot, mask=mask))


def test_temporal_balanced_is_sklearns_formula_on_kept_tokens(rng):
    y, mask = _padded(rng, N=50, T=40, C=6, p=[0.4, 0.3, 0.2, 0.06, 0.04, 0.0])
    sw = rng.uniform(0.1, 2, size=(50, 40))
    out, cw = temporal_sample_weight(y, mask=mask, sample_weight=sw, num_classes=6,
                                     return_class_weight=True)
    yk = y[mask]
    present = np.unique(yk)
    assert 5 not in present
    sk = sk_ccw("balanced", classes=present, y=yk, sample_weight=sw[mask])
    assert_allclose(cw[present], sk, rtol=1e-12)
    assert cw[5] == 0.0  # absent class: weight 0 (no token carries it)
    assert_allclose(out[mask], (sw * cw[np.where(mask, y, 0)])[mask].astype(np.float32),
                    rtol=1e-7)
    assert np.all(out[~mask] == 0)
    # balanced weights equalise the total weight of the present classes
    totals = np.bincount(yk, weights=out[mask].astype(np.float64), minlength=6)
    assert_allclose(totals[present], totals[present][0], rtol=1e-5)


def test_temporal_weights_multiply(rng):
    y, mask = _padded(rng, C=3)
    sw = rng.uniform(0, 2, size=y.shape[0])
    cw = {0: 1.0, 1: 3.0, 2: 0.5}
    only_cw = temporal_sample_weight(y, cw, mask=mask)
    only_sw = temporal_sample_weight(y, None, mask=mask, sample_weight=sw)
    both = temporal_sample_weight(y, cw, mask=mask, sample_weight=sw)
    assert_allclose(both, only_cw.astype(np.float64) * only_sw, rtol=1e-6)


def test_temporal_large_parallel_deterministic(rng):
    N, T = 900, 250  # 225,000 tokens: several chunks
    assert N * T > 3 * CHUNK
    y, mask = _padded(rng, N=N, T=T, C=7, p=[0.4, 0.2, 0.15, 0.1, 0.08, 0.05, 0.02])
    sw = rng.uniform(0, 2, size=(N, T))
    runs = []
    for t in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
        numba.set_num_threads(t)
        try:
            runs.append(temporal_sample_weight(y, mask=mask, sample_weight=sw,
                                               return_class_weight=True))
        finally:
            numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    assert_array_equal(runs[0][0], runs[1][0])
    assert_array_equal(runs[0][1], runs[1][1])
    # against the vectorised NumPy construction
    yk = y[mask]
    tot = np.bincount(yk, weights=sw[mask], minlength=7)
    cw = tot.sum() / (7 * tot)
    want = np.where(mask, sw * cw[np.where(mask, y, 0)], 0.0).astype(np.float32)
    assert_allclose(runs[0][0], want, rtol=1e-6)


def test_temporal_labels_beyond_the_guessed_table(rng):
    """"balanced" without num_classes first counts into a 64-class table; larger
    labels take the checked fallback and give the same weights."""
    y, mask = _padded(rng, C=4)
    big = np.where(mask, y * 50, -100)  # labels 0, 50, 100, 150
    want = _loop_weights(big, "balanced", mask=mask)
    out, cw = temporal_sample_weight(big, mask=mask, return_class_weight=True)
    assert_array_equal(out, want)
    assert cw.shape == (151,)
    assert_array_equal(temporal_sample_weight(big, mask=mask, num_classes=151), want)


def test_temporal_empty_and_all_masked():
    y = np.zeros((3, 4), dtype=np.int64)
    out = temporal_sample_weight(y, mask=np.zeros((3, 4), dtype=bool))
    assert_array_equal(out, np.zeros((3, 4), np.float32))
    assert temporal_sample_weight(np.zeros((0, 5), dtype=np.int32)).shape == (0, 5)


@pytest.mark.parametrize("kwargs, match", [
    ({"y": [[0, 1], [2, -1]]}, r"negative label -1 at token \(1, 1\)"),
    ({"y": [[0, 1], [2, 5]], "num_classes": 3}, r"label 5 outside \[0, 3\) at token \(1, 1\)"),
    ({"y": [[0, 1], [2, 1]], "class_weight": [1.0, 2.0], "num_classes": 3},
     r"class_weight has 2 entries but there are 3"),
    ({"y": [[0, 1], [2, 3]], "class_weight": [1.0, 2.0]},   # C = len(class_weight)
     r"label 2 outside \[0, 2\) at token \(1, 0\)"),
    ({"y": [[0.0, 1.5]]}, r"not an integer class id .* at token \(0, 1\)"),
    ({"y": [[0.0, np.nan]], "num_classes": 2}, r"not an integer class id .* at token \(0, 1\)"),
    ({"y": np.full((2, 2, 3), np.nan)}, r"y contains NaN or infinity; first bad row at token \(0, 0\)"),
    ({"y": np.zeros((2, 2, 3)), "ignore_index": -100}, "ignore_index applies to integer labels"),
    ({"y": np.zeros((2, 2, 3)), "num_classes": 4}, "num_classes is 4 but the one-hot y has 3"),
    ({"y": [[0, 1]], "num_classes": 0}, "num_classes must be a positive integer"),
    ({"y": [[0, 1]], "class_weight": "balance"}, "class_weight must be 'balanced'"),
    ({"y": [[0, 1]], "class_weight": [[1.0, 2.0]]}, "class_weight must be 'balanced'"),
    ({"y": [[0, 1]], "class_weight": {0: -1.0}}, "class_weight must be finite and >= 0"),
    ({"y": [[0, 1]], "class_weight": {"a": 1.0}}, "class_weight keys must be class ids"),
    ({"y": [[0, 1]], "sample_weight": [[1.0, -2.0]]}, r"sample_weight must be finite and >= 0; first bad weight at token \(0, 1\)"),
    ({"y": [[0, 1]], "sample_weight": [1.0, 2.0]}, "sample_weight has shape"),
    ({"y": [[0, 1]], "mask": [[1, 0]]}, "mask must be a boolean array"),
    ({"y": [[0, 1]], "mask": np.ones((2, 1), bool)}, "mask has shape"),
    ({"y": [["a", "b"]]}, "y must hold integer class ids"),
    ({"y": np.zeros((1, 2, 3, 4))}, "y must be class ids of shape"),
])
def test_temporal_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        temporal_sample_weight(**kwargs)


def test_temporal_bad_values_under_the_mask_are_ignored():
    y = np.array([[0, 1, -7]])
    mask = np.array([[True, True, False]])
    sw = np.array([[1.0, 2.0, np.nan]])
    assert_array_equal(temporal_sample_weight(y, None, mask=mask, sample_weight=sw),
                       np.array([[1.0, 2.0, 0.0]], np.float32))


def test_temporal_weights_feed_keras_losses(rng):
    """Keras takes the (N, T) array as the temporal sample_weight of a loss and of fit."""
    import keras

    N, T, C = 6, 5, 3
    y, mask = _padded(rng, N=N, T=T, C=C)
    y[:, 0] = np.arange(N) % C  # every sequence keeps a token; every class is present
    mask[:, 0] = True
    w = temporal_sample_weight(y, mask=mask)
    logits = rng.standard_normal((N, T, C)).astype(np.float32)
    y0 = np.where(mask, y, 0)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="sum")
    got = float(loss(y0, logits, sample_weight=w))
    lse = np.log(np.exp(logits.astype(np.float64)).sum(-1))
    ce = lse - np.take_along_axis(logits.astype(np.float64), y0[..., None], -1)[..., 0]
    assert_allclose(got, float((ce * w).sum()), rtol=1e-5)

    inputs = keras.Input((T, 2))
    model = keras.Model(inputs, keras.layers.Dense(C)(inputs))
    model.compile(optimizer="sgd",
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x = rng.standard_normal((N, T, 2)).astype(np.float32)
    hist = model.fit(x, y0, sample_weight=w, batch_size=N, epochs=1, verbose=0)
    assert np.isfinite(hist.history["loss"][0])


def test_keras_fit_class_weight_is_not_per_token():
    """What docs/sequence-weights.md says of fit(class_weight=...) with (N, T) labels:
    Keras makes one weight per sequence, from the argmax over the time axis."""
    import keras  # noqa: F401  (sets up the backend before the private import)
    from keras.src.trainers.data_adapters.data_adapter_utils import (
        class_weight_to_sample_weights,
    )

    y = np.array([[0, 2, 2, 1], [1, 1, 0, 0]])
    cw = {0: 1.0, 1: 5.0, 2: 10.0, 3: 7.0}
    got = class_weight_to_sample_weights(y, cw)
    assert got.shape == (2,)
    assert_array_equal(got, [5.0, 1.0])  # argmax over t: positions 1 and 0
    assert_array_equal(temporal_sample_weight(y, cw),
                       [[1.0, 10.0, 10.0, 5.0], [5.0, 5.0, 1.0, 1.0]])


def test_docstring_examples():
    import doctest

    import fastmetrics.calibration.brier
    import fastmetrics.weighting.functional

    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    results = [doctest.testmod(m, optionflags=flags) for m in
               (fastmetrics.weighting.functional, fastmetrics.calibration.brier)]
    assert all(r.failed == 0 for r in results)
    assert sum(r.attempted for r in results) >= 10


_LABEL_SETS = [np.array([0, 1]), np.array([-1, 1]), np.array([2, 5]), np.array([True, False]),
               np.array(["a", "b"]), np.array([0.0, 1.0]), np.array([3]), np.array([0, 1, 2])]


def test_random_small_inputs_match_sklearn(rng):
    """Tiny random inputs hit the corner cases (one class, all-zero weights,
    pos_label absent or of another type, labels with an extra class)."""
    for trial in range(120):
        ls = _LABEL_SETS[trial % len(_LABEL_SETS)]
        n = int(rng.integers(1, 8))
        y = rng.choice(ls, size=n)
        p = rng.random(n).round(2)
        if trial % 5 == 0:
            p = p.astype(np.float32)
        sw = rng.integers(0, 3, size=n).astype(float) if trial % 3 == 0 else None
        pl = [None, 1, 0, "a", True, 2, 5, -1][trial % 8]
        tol = {"rtol": 1e-6 if p.dtype == np.float32 else 1e-12, "atol": 1e-15}
        for yy in (y, y.tolist(), y.reshape(-1, 1)):
            assert_same(lambda: sk_brier(yy, p, sample_weight=sw, pos_label=pl),
                        lambda: brier_score_loss(yy, p, sample_weight=sw, pos_label=pl), **tol)
        C = int(rng.integers(2, 5))
        P = rng.dirichlet(np.ones(C), size=n).round(3)
        lab = [None, list(np.unique(y)),
               sorted(set(np.unique(y).tolist()) | {9}) if ls.dtype.kind in "iu" else None][trial % 3]
        assert_same(lambda: sk_brier(y, P, sample_weight=sw, labels=lab),
                    lambda: brier_score_loss(y, P, sample_weight=sw, labels=lab),
                    rtol=1e-12, atol=1e-15)
        assert_same(lambda: sk_csw("balanced", y), lambda: compute_sample_weight("balanced", y))
        idx = rng.integers(0, n, size=int(rng.integers(1, n + 1)))
        assert_same(lambda: sk_csw("balanced", y, indices=idx),
                    lambda: compute_sample_weight("balanced", y, indices=idx))
        cls = np.unique(y)
        assert_same(lambda: sk_ccw("balanced", classes=cls, y=y, sample_weight=sw),
                    lambda: compute_class_weight("balanced", classes=cls, y=y, sample_weight=sw))

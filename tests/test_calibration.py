"""Calibration: expected_calibration_error, reliability_diagram, calibration_curve,
streaming.CalibrationError.

References: torchmetrics' binary/multiclass_calibration_error (equal-width bins),
scikit-learn's calibration_curve, and loop-based brute-force references written
here (exact rational arithmetic for the equal-mass bin assignment).
"""

import doctest
import json
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.calibration import calibration_curve as sk_calibration_curve

import fastmetrics.calibration
from fastmetrics.calibration import (
    calibration_curve,
    expected_calibration_error as ece,
    reliability_diagram,
)
from fastmetrics.exceptions import UndefinedMetricWarning
from fastmetrics.streaming import CalibrationError

NORMS = ("l1", "l2", "max")


# --------------------------------------------------------------------------
# data and brute-force references
# --------------------------------------------------------------------------


def _binary(rng, shape, dtype=np.float64):
    p = rng.random(shape).astype(dtype)
    y = (rng.random(shape) < p.astype(np.float64) ** 1.4).astype(np.int64)
    return y, p


def _multiclass(rng, shape, C, dtype=np.float64, temp=2.0):
    z = rng.standard_normal(shape + (C,)) * temp
    y = rng.integers(0, C, size=shape)
    z[..., 0] += 0.5 * (y == 0)  # some signal
    P = np.exp(z - z.max(-1, keepdims=True))
    P /= P.sum(-1, keepdims=True)
    return y, P.astype(dtype)


def _tokens(y, p, task, sw=None, mask=None, ignore=None):
    """Kept tokens as python lists of (confidence, correct, weight), loop-built."""
    out = []
    shape = y.shape
    for idx in np.ndindex(*shape):
        if mask is not None and not mask[idx]:
            continue
        if ignore is not None and y[idx] == ignore:
            continue
        if sw is None:
            w = 1.0
        else:
            w = float(sw[idx[: sw.ndim]])
        if task == "binary":
            c = float(p[idx])
            a = float(y[idx] == 1)
        else:
            row = [float(v) for v in p[idx]]
            best = max(row)
            c = best
            a = float(row.index(best) == int(y[idx]))
        out.append((c, a, w))
    return out


def _ref_uniform_bins(toks, n_bins):
    """Bin k holds k/n <= c < (k+1)/n; the last bin also takes c == 1."""
    W = [0.0] * n_bins
    Cs = [0.0] * n_bins
    A = [0.0] * n_bins
    N = [0] * n_bins
    for c, a, w in toks:
        k = max(j for j in range(n_bins) if j / n_bins <= c)
        N[k] += 1
        W[k] += w
        Cs[k] += w * c
        A[k] += w * a
    return np.array(N), np.array(W), np.array(Cs), np.array(A)


def _ref_quantile_bins(toks, n_bins):
    """Equal-mass bins from the definition, in exact rational arithmetic.

    A token of confidence c goes to bin #{k in 1..n-1 : k * W < n * S(c)}, with
    S(c) the total weight of the tokens of confidence <= c; zero weights dropped.
    """
    toks = [t for t in toks if t[2] > 0]
    W = sum(Fraction(t[2]) for t in toks)
    N = [0] * n_bins
    Ws = [0.0] * n_bins
    Cs = [0.0] * n_bins
    A = [0.0] * n_bins
    for c, a, w in toks:
        S = sum(Fraction(t[2]) for t in toks if t[0] <= c)
        k = sum(1 for j in range(1, n_bins) if j * W < n_bins * S)
        N[k] += 1
        Ws[k] += w
        Cs[k] += w * c
        A[k] += w * a
    # q_k = min{c : n S(c) > k W}
    cs = sorted(t[0] for t in toks)
    edges = []
    for k in range(n_bins):
        for c in cs:
            S = sum(Fraction(t[2]) for t in toks if t[0] <= c)
            if n_bins * S > k * W:
                edges.append(c)
                break
    edges.append(cs[-1])
    return np.array(edges), np.array(N), np.array(Ws), np.array(Cs), np.array(A)


def _ref_error(W, Cs, A, norm):
    tot = W.sum()
    nz = W > 0
    acc = A[nz] / W[nz]
    conf = Cs[nz] / W[nz]
    p = W[nz] / tot
    d = np.abs(acc - conf)
    if norm == "l1":
        return float((p * d).sum())
    if norm == "l2":
        return float(np.sqrt((p * d * d).sum()))
    return float(d.max())


# torchmetrics parity (equal-width bins, live): bench/test_parity_calibration_torchmetrics.py
# (torch is not a test dependency); its published docstring values are checked below.


def test_confidence_one_goes_to_the_last_bin(rng):
    """Documented difference: torchmetrics gives c == 1.0 an extra bin of its own
    (checked against torchmetrics in bench/test_parity_calibration_torchmetrics.py)."""
    y = np.array([1, 1, 1, 1, 0, 1])
    p = np.array([0.95, 0.92, 1.0, 1.0, 1.0, 0.3])
    toks = _tokens(y, p, "binary")
    _, W, Cs, A = _ref_uniform_bins(toks, 10)
    assert ece(y, p, n_bins=10) == pytest.approx(_ref_error(W, Cs, A, "l1"), abs=1e-15)
    d = reliability_diagram(y, p, n_bins=10)
    assert d.count[-1] == 5 and d.count.sum() == 6
    merged = (abs(0.8 - 0.974) * 5 + abs(1 - 0.3)) / 6
    assert ece(y, p, n_bins=10) == pytest.approx(merged, abs=1e-12)


def test_values_on_edges():
    """c == k/n lands in bin k (the stored edges decide, not a rounded c * n)."""
    for n_bins in (3, 7, 10, 15):
        k = np.arange(n_bins + 1)
        p = k / n_bins
        y = np.zeros_like(k)
        d = reliability_diagram(y, p, n_bins=n_bins)
        want = np.ones(n_bins, dtype=np.int64)
        want[-1] = 2  # k = n_bins (c == 1) joins the last bin
        np.testing.assert_array_equal(d.count, want)
        np.testing.assert_array_equal(d.edges, p)
    # c just below an edge stays in the bin below
    d = reliability_diagram([0, 0], [np.nextafter(0.3, 0), 0.3], n_bins=10)
    assert d.count[2] == 1 and d.count[3] == 1


# --------------------------------------------------------------------------
# brute-force references: weights, masks, ignore_index, both strategies
# --------------------------------------------------------------------------


def _case(rng, task, weights):
    N, T, C = 9, 7, 4
    if task == "binary":
        y, p = _binary(rng, (N, T))
    else:
        y, p = _multiclass(rng, (N, T), C)
    mask = rng.random((N, T)) < 0.8
    y = np.where(rng.random((N, T)) < 0.1, -1, y)
    if weights == "seq":
        sw = rng.uniform(0.0, 3.0, N)
    elif weights == "tok":
        sw = rng.uniform(0.0, 3.0, (N, T))
        sw[0, :3] = 0.0
    elif weights == "int":
        sw = rng.integers(0, 4, (N, T)).astype(np.float64)
    else:
        sw = None
    return y, p, sw, mask


@pytest.mark.parametrize("task", ["binary", "multiclass"])
@pytest.mark.parametrize("weights", [None, "seq", "tok", "int"])
def test_uniform_matches_bruteforce(rng, task, weights):
    y, p, sw, mask = _case(rng, task, weights)
    kw = dict(task=task, sample_weight=sw, mask=mask, ignore_index=-1, n_bins=6)
    toks = _tokens(y, p, task, sw, mask, -1)
    N, W, Cs, A = _ref_uniform_bins(toks, 6)
    d = reliability_diagram(y, p, **kw)
    np.testing.assert_array_equal(d.count, N)
    np.testing.assert_allclose(d.weight, W, rtol=1e-13)
    nz = W > 0
    np.testing.assert_allclose(d.confidence[nz], Cs[nz] / W[nz], rtol=1e-12)
    np.testing.assert_allclose(d.accuracy[nz], A[nz] / W[nz], rtol=1e-12, atol=1e-15)
    assert np.isnan(d.confidence[~nz]).all() and np.isnan(d.accuracy[~nz]).all()
    np.testing.assert_array_equal(d.edges, np.arange(7) / 6)
    for norm in NORMS:
        assert ece(y, p, norm=norm, **kw) == pytest.approx(_ref_error(W, Cs, A, norm),
                                                           rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("task", ["binary", "multiclass"])
@pytest.mark.parametrize("weights", [None, "seq", "int"])
@pytest.mark.parametrize("n_bins", [1, 4, 10])
def test_quantile_matches_bruteforce(rng, task, weights, n_bins):
    y, p, sw, mask = _case(rng, task, weights)
    if task == "binary":
        p = np.round(p * 20) / 20  # many ties
    kw = dict(task=task, sample_weight=sw, mask=mask, ignore_index=-1, n_bins=n_bins,
              strategy="quantile")
    toks = _tokens(y, p, task, sw, mask, -1)
    edges, N, W, Cs, A = _ref_quantile_bins(toks, n_bins)
    d = reliability_diagram(y, p, **kw)
    np.testing.assert_array_equal(d.edges, edges)
    np.testing.assert_array_equal(d.count, N)
    np.testing.assert_allclose(d.weight, W, rtol=1e-13)
    nz = W > 0
    np.testing.assert_allclose(d.confidence[nz], Cs[nz] / W[nz], rtol=1e-12)
    np.testing.assert_allclose(d.accuracy[nz], A[nz] / W[nz], rtol=1e-12, atol=1e-15)
    for norm in NORMS:
        assert ece(y, p, norm=norm, **kw) == pytest.approx(_ref_error(W, Cs, A, norm),
                                                           rel=1e-12, abs=1e-15)


def test_quantile_bins_have_equal_mass(rng):
    p = rng.random(1200)
    y = (rng.random(1200) < p).astype(int)
    for n_bins in (1, 3, 8, 10, 12):
        d = reliability_diagram(y, p, n_bins=n_bins, strategy="quantile")
        np.testing.assert_array_equal(d.count, np.full(n_bins, 1200 // n_bins))
        assert d.edges[0] == p.min() and d.edges[-1] == p.max()
        # every token lies in [edges[k], edges[k+1]) (last closed) of its bin
        ranks = np.sort(p)
        np.testing.assert_array_equal(d.edges[1:-1], ranks[np.arange(1, n_bins) *
                                                            (1200 // n_bins)])


def test_quantile_worked_example():
    y = [0, 1, 0, 1, 1, 1]
    p = [0.1, 0.2, 0.2, 0.6, 0.7, 0.9]
    d = reliability_diagram(y, p, n_bins=3, strategy="quantile")
    # W = 6; S(0.1) = 1, S(0.2) = 3, S(0.6) = 4, S(0.7) = 5, S(0.9) = 6;
    # bin = #{k in {1, 2}: 6 k < 3 S}: 0.1 -> 0; 0.2, 0.6 -> 1; 0.7, 0.9 -> 2
    np.testing.assert_array_equal(d.count, [1, 3, 2])
    # q_1 = min{c: 3 S(c) > 6} = 0.2, q_2 = min{c: 3 S(c) > 12} = 0.7
    np.testing.assert_array_equal(d.edges, [0.1, 0.2, 0.7, 0.9])
    np.testing.assert_allclose(d.accuracy, [0.0, 2 / 3, 1.0])


# --------------------------------------------------------------------------
# properties (weights, permutation, masks)
# --------------------------------------------------------------------------


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("task", ["binary", "multiclass"])
def test_weight_properties(rng, strategy, task):
    n = 400
    y, p = _binary(rng, (n,)) if task == "binary" else _multiclass(rng, (n,), 3)
    kw = dict(task=task, strategy=strategy, n_bins=8)
    base = reliability_diagram(y, p, **kw)
    ones = reliability_diagram(y, p, sample_weight=np.ones(n), **kw)
    for a, b in zip(base, ones, strict=True):
        np.testing.assert_array_equal(a, b)
    # scaling the weights changes nothing but the weights
    iw = rng.integers(0, 4, n)
    d1 = reliability_diagram(y, p, sample_weight=iw, **kw)
    d2 = reliability_diagram(y, p, sample_weight=iw * 2.5, **kw)
    np.testing.assert_allclose(d1.confidence, d2.confidence, rtol=1e-12)
    np.testing.assert_allclose(d2.weight, d1.weight * 2.5, rtol=1e-12)
    for norm in NORMS:
        assert ece(y, p, sample_weight=iw, norm=norm, **kw) == pytest.approx(
            ece(y, p, sample_weight=iw * 2.5, norm=norm, **kw), rel=1e-12)
    # integer weights == repeated tokens; zero weight == token removed
    rep = np.repeat(np.arange(n), iw)
    d3 = reliability_diagram(y[rep], p[rep], **kw)
    np.testing.assert_allclose(d1.weight, d3.weight)
    np.testing.assert_allclose(d1.confidence, d3.confidence, rtol=1e-12)
    np.testing.assert_allclose(d1.accuracy, d3.accuracy, rtol=1e-12)
    assert ece(y, p, sample_weight=iw, **kw) == pytest.approx(ece(y[rep], p[rep], **kw),
                                                              rel=1e-12)
    # permutation
    perm = rng.permutation(n)
    for norm in NORMS:
        assert ece(y[perm], p[perm], sample_weight=iw[perm], norm=norm, **kw) == \
            pytest.approx(ece(y, p, sample_weight=iw, norm=norm, **kw), rel=1e-12)


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_mask_ignore_index_and_weight_shapes(rng, strategy):
    y, P = _multiclass(rng, (12, 10), 3)
    mask = rng.random((12, 10)) < 0.7
    kw = dict(task="multiclass", strategy=strategy, n_bins=5)
    a = ece(y, P, mask=mask, **kw)
    assert a == pytest.approx(ece(y[mask], P[mask], **kw), rel=1e-12)
    assert a == pytest.approx(ece(np.where(mask, y, -100), P, ignore_index=-100, **kw),
                              rel=1e-12)
    # masked tokens are not validated (padding may hold anything)
    Pbad = P.copy()
    Pbad[~mask] = np.nan
    ybad = np.where(mask, y, 99)
    assert ece(ybad, Pbad, mask=mask, **kw) == pytest.approx(a, rel=1e-12)
    # (N,) weights == the same weights written out per token
    sw = rng.uniform(0.5, 2.0, 12)
    assert ece(y, P, sample_weight=sw, mask=mask, **kw) == pytest.approx(
        ece(y, P, sample_weight=np.repeat(sw[:, None], 10, 1), mask=mask, **kw),
        rel=1e-12)


def test_all_masked_is_nan_with_warning():
    with pytest.warns(UndefinedMetricWarning):
        v = ece([0, 1], [0.2, 0.3], mask=np.array([False, False]))
    assert np.isnan(v)
    d = reliability_diagram([0, 1], [0.2, 0.3], sample_weight=[0.0, 0.0], n_bins=2)
    assert d.weight.sum() == 0 and np.isnan(d.accuracy).all()


def test_published_torchmetrics_examples():
    """The examples of torchmetrics' docstrings (values published there)."""
    p = [0.25, 0.25, 0.55, 0.75, 0.75]
    y = [0, 0, 1, 1, 1]
    for norm, want in (("l1", 0.2900), ("l2", 0.2918), ("max", 0.3167)):
        assert round(ece(y, p, n_bins=2, norm=norm), 4) == want
    P = [[0.25, 0.20, 0.55], [0.55, 0.05, 0.40], [0.10, 0.30, 0.60], [0.90, 0.05, 0.05]]
    y = [0, 1, 2, 0]
    for norm, want in (("l1", 0.2000), ("l2", 0.2082), ("max", 0.2333)):
        assert round(ece(y, P, task="multiclass", n_bins=3, norm=norm), 4) == want


def test_binary_output_layouts(rng):
    y, p = _binary(rng, (6, 5))
    ref = reliability_diagram(y, p, n_bins=4)
    for yp in (p[..., None], np.stack([1 - p, p], axis=-1)):
        for a, b in zip(reliability_diagram(y, yp, n_bins=4), ref, strict=True):
            np.testing.assert_array_equal(a, b)
    # -0.0 is a valid probability and sorts with 0.0
    for strategy in ("uniform", "quantile"):
        d = reliability_diagram([0, 1, 0, 1], [-0.0, 0.0, 0.5, 0.75], n_bins=2,
                                strategy=strategy)
        np.testing.assert_array_equal(d.count, [2, 2])
        np.testing.assert_array_equal(d.accuracy, [0.5, 0.5])


def test_dtypes_accepted(rng):
    y, p = _binary(rng, (200,))
    ref = ece(y, p)
    assert ece(y.astype(bool), p) == ref
    assert ece(y.astype(np.int8), p) == ref
    assert ece(y.astype(np.float32), p) == ref
    assert ece(list(y), list(p)) == ref
    # float32 probabilities are binned as float32 values, summed in float64
    p32 = p.astype(np.float32)
    assert ece(y, p32) == pytest.approx(ece(y, p32.astype(np.float64)), abs=1e-15)


# --------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------


@pytest.mark.parametrize("args, kwargs, match", [
    (([0, 1], [0.2, np.nan]), {}, r"y_prob must hold probabilities in \[0, 1\].*token 1"),
    (([0, 1], [0.2, 1.5]), {}, r"y_prob .* 1\.5"),
    (([0, 1], [-0.1, 0.5]), {}, r"y_prob"),
    (([0, 2], [0.2, 0.5]), {}, r"y_true must hold 0 or 1.*token 1"),
    (([0, 0.5], [0.2, 0.5]), {}, r"y_true must hold 0 or 1"),
    (([[0, 1], [1, 3]], np.full((2, 2, 3), 1 / 3)), {"task": "multiclass"},
     r"y_true has a label .* \[0, 3\).*token \(1, 1\)"),
    (([0, 1], [[0.5, 0.5], [0.2, np.nan]]), {"task": "multiclass"}, r"y_prob"),
    (([0, 1], [0.2, 0.5]), {"sample_weight": [1.0, -1.0]}, r"sample_weight .* >= 0"),
    (([0, 1], [0.2, 0.5]), {"sample_weight": [1.0, np.inf]}, r"sample_weight"),
    (([0, 1], [0.2, 0.5]), {"sample_weight": [1.0, 1.0, 1.0]}, r"sample_weight has shape"),
    (([0, 1], [0.2, 0.5, 0.1]), {}, r"y_prob has shape \(3,\) but y_true has shape \(2,\)"),
    (([0, 1], [[0.2, 0.3, 0.5], [0.5, 0.4, 0.1]]), {}, r"y_prob has shape"),
    (([0, 1], [0.2, 0.5]), {"task": "multiclass"}, r"y_prob has shape"),
    (([0, 1], [[0.2, 0.8], [0.5, 0.5]]), {"task": "multiclass", "num_classes": 3},
     r"num_classes is 3"),
    (([0, 1], [0.2, 0.5]), {"mask": [1, 0]}, r"mask must be a boolean"),
    (([0, 1], [0.2, 0.5]), {"mask": np.array([True])}, r"mask has shape"),
    (([0, 1], [0.2, 0.5]), {"n_bins": 0}, r"n_bins must be an integer >= 1"),
    (([0, 1], [0.2, 0.5]), {"n_bins": 2.0}, r"n_bins"),
    (([0, 1], [0.2, 0.5]), {"norm": "l3"}, r"norm must be one of"),
    (([0, 1], [0.2, 0.5]), {"strategy": "kmeans"}, r"strategy must be"),
    (([0, 1], [0.2, 0.5]), {"task": "multilabel"}, r"task must be"),
    (([0, 1], [0.2, 0.5]), {"ignore_index": 0.5}, r"ignore_index"),
    (([], []), {}, r"y_true has no tokens"),
    ((["a", "b"], [0.2, 0.5]), {}, r"y_true must hold"),
])
@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_bad_input(args, kwargs, match, strategy):
    kwargs = dict(kwargs)
    kwargs.setdefault("strategy", strategy)
    with pytest.raises(ValueError, match=match):
        ece(*args, **kwargs)
    if "norm" not in kwargs:
        with pytest.raises(ValueError, match=match):
            reliability_diagram(*args, **kwargs)


def test_first_bad_token_is_reported_across_chunks(rng):
    n = 200_000  # several kernel chunks
    y, p = _binary(rng, (n,))
    p[150_001] = np.nan
    p[190_000] = 2.0
    with pytest.raises(ValueError, match=r"token 150001"):
        ece(y, p)
    with pytest.raises(ValueError, match=r"token 150001"):
        ece(y, p, strategy="quantile")


# --------------------------------------------------------------------------
# determinism: thread count, serial twin
# --------------------------------------------------------------------------


def test_thread_count_and_serial_twin_give_identical_bits(rng):
    import numba

    from fastmetrics.config import CHUNK
    from fastmetrics._core.backend import kernels

    kc = kernels("calibration")

    n = 3 * CHUNK + 123
    y, P = _multiclass(rng, (n,), 4, np.float32)
    sw = rng.uniform(0, 2, n)
    mask = rng.random(n) < 0.9
    kw = dict(task="multiclass", sample_weight=sw, mask=mask, n_bins=15)
    before = numba.get_num_threads()
    try:
        res = []
        for t in sorted({1, min(2, numba.config.NUMBA_NUM_THREADS)}):
            numba.set_num_threads(t)
            res.append(reliability_diagram(y, P, **kw))
            res.append(reliability_diagram(y, P, strategy="quantile", **kw))
    finally:
        numba.set_num_threads(before)
    for a, b in zip(res[0] + res[1], res[-2] + res[-1], strict=True):
        np.testing.assert_array_equal(a, b)
    edges = np.arange(16) / 15
    par = kc.calibration_chunks(y, P, 4, 15, edges, sw, 1, mask, None, CHUNK)
    ser = kc.calibration_chunks_serial(y, P, 4, 15, edges, sw, 1, mask, None, CHUNK)
    for a, b in zip(par, ser, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(res[0].weight, par[1].sum(axis=0))


# --------------------------------------------------------------------------
# streaming state
# --------------------------------------------------------------------------


def _dyadic_case(seed, n, task):
    """Probabilities and weights that are multiples of 1/64: every sum is exact."""
    r = np.random.default_rng(seed)
    if task == "binary":
        p = r.integers(0, 65, n) / 64
        y = (r.random(n) < p).astype(np.int64)
    else:
        raw = r.integers(0, 20, (n, 3)).astype(np.float64)
        raw[:, 0] += 1
        p = raw / 64  # not normalised: only the top-label value and argmax matter
        y = r.integers(0, 3, n)
    w = r.integers(0, 5, n).astype(np.float64) / 4
    return y, p, w


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), cuts=st.lists(st.integers(0, 120), max_size=5),
       task=st.sampled_from(["binary", "multiclass"]))
def test_streaming_chunked_equals_one_pass(seed, cuts, task):
    n = 120
    y, p, w = _dyadic_case(seed, n, task)
    nc = 3 if task == "multiclass" else None
    one = CalibrationError(task, nc, n_bins=7).update(y, p, sample_weight=w)
    bounds = [0] + sorted(cuts) + [n]
    parts = []
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        if b > a:
            parts.append(CalibrationError(task, nc, n_bins=7).update(
                y[a:b], p[a:b], sample_weight=w[a:b]))
    merged = CalibrationError(task, nc, n_bins=7)
    for s in reversed(parts):  # merge order does not matter either
        merged.merge(s)
    s1, s2 = one.state_dict(), merged.state_dict()
    for key in ("count", "weight", "conf", "correct"):
        np.testing.assert_array_equal(s1[key], s2[key])
    if w.sum() > 0:
        for norm in NORMS:
            assert merged.error(norm) == one.error(norm)
            assert one.error(norm) == ece(y, p, task=task, n_bins=7, sample_weight=w,
                                          norm=norm)


def test_streaming_matches_functional_and_round_trips(rng):
    y, P = _multiclass(rng, (20, 15), 4, np.float32)
    mask = rng.random((20, 15)) < 0.8
    sw = rng.uniform(0.5, 2.0, 20)
    y = np.where(rng.random(y.shape) < 0.05, -100, y)
    s = CalibrationError("multiclass", 4, n_bins=10, norm="l2", ignore_index=-100)
    for a, b in ((0, 7), (7, 20)):
        s.update(y[a:b], P[a:b], sample_weight=sw[a:b], mask=mask[a:b])
    kw = dict(task="multiclass", n_bins=10, sample_weight=sw, mask=mask,
              ignore_index=-100)
    assert s.result() == pytest.approx(ece(y, P, norm="l2", **kw), rel=1e-12)
    for norm in NORMS:
        assert s.error(norm) == pytest.approx(ece(y, P, norm=norm, **kw), rel=1e-12)
    d1, d2 = s.reliability_diagram(), reliability_diagram(y, P, **kw)
    for a, b in zip(d1, d2, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    # state_dict round trip, through JSON too
    state = s.state_dict()
    back = CalibrationError.from_state_dict(state)
    assert back.result() == s.result()
    js = json.loads(json.dumps({k: (v.tolist() if isinstance(v, np.ndarray) else v)
                                for k, v in state.items()}))
    assert CalibrationError.from_state_dict(js).result() == s.result()
    # reset
    s.reset()
    assert s.state_dict()["count"].sum() == 0
    with pytest.warns(UndefinedMetricWarning):
        assert np.isnan(s.result())


def test_streaming_errors():
    with pytest.raises(ValueError, match="num_classes is required"):
        CalibrationError("multiclass")
    with pytest.raises(ValueError, match="norm"):
        CalibrationError(norm="l0")
    with pytest.raises(ValueError, match="n_bins"):
        CalibrationError(n_bins=0)
    a = CalibrationError(n_bins=5)
    with pytest.raises(ValueError, match="cannot merge"):
        a.merge(CalibrationError(n_bins=6))
    with pytest.raises(ValueError, match="other must be a CalibrationError"):
        a.merge(object())
    s = CalibrationError("multiclass", 3)
    with pytest.raises(ValueError, match="num_classes is 3 but y_prob has 4"):
        s.update([0, 1], np.full((2, 4), 0.25))
    bad = a.state_dict()
    bad["weight"] = [1.0, 2.0]
    with pytest.raises(ValueError, match=r"state\['weight'\] has shape"):
        CalibrationError.from_state_dict(bad)
    with pytest.raises(ValueError, match="not a streaming.CalibrationError state_dict"):
        CalibrationError.from_state_dict({"kind": "AUC"})


# --------------------------------------------------------------------------
# calibration_curve: scikit-learn drop-in
# --------------------------------------------------------------------------


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("n_bins", [1, 3, 5, 10, 40])
def test_calibration_curve_matches_sklearn(rng, strategy, n_bins):
    y, p = _binary(rng, (300,))
    for yy, pp, pos in (
        (y, p, None),
        (y, np.round(p, 1), None),  # ties and values on edges
        (np.where(y == 1, 1, -1), p, None),
        (np.where(y == 1, "spam", "ham"), p, "spam"),
        (y.astype(bool), p.astype(np.float32), None),
        (np.ones(300, dtype=int), p, None),
        (y, p, 0),
        (list(y), list(p), None),
    ):
        got = calibration_curve(yy, pp, pos_label=pos, n_bins=n_bins, strategy=strategy)
        want = sk_calibration_curve(yy, pp, pos_label=pos, n_bins=n_bins,
                                    strategy=strategy)
        for a, b in zip(got, want, strict=True):
            assert a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("args, kwargs", [
    (([0, 1, 1], [0.1, 0.2]), {}),
    (([0, 1, 2], [0.1, 0.2, 0.3]), {}),
    (([[0, 1], [1, 1]], [0.1, 0.2]), {}),
    ((["a", "b", "a"], [0.1, 0.2, 0.3]), {}),
    (([0, 1, 1], [0.1, 1.2, 0.5]), {}),
    (([0, 1, 1], [0.1, -0.2, 0.5]), {}),
    (([0, 1, 1], [0.1, np.inf, 0.5]), {}),
    (([0, 1, 1], [0.1, 0.2, 0.5]), {"n_bins": 0}),
    (([0, 1, 1], [0.1, 0.2, 0.5]), {"n_bins": 2.0}),
    (([0, 1, 1], [0.1, 0.2, 0.5]), {"strategy": "x"}),
    ((["a", "b", "c"], [0.1, 0.2, 0.3]), {"pos_label": "a"}),
])
def test_calibration_curve_errors_match_sklearn(args, kwargs):
    with pytest.raises(ValueError) as sk:
        sk_calibration_curve(*args, **kwargs)
    with pytest.raises(ValueError) as ours:
        calibration_curve(*args, **kwargs)
    want = str(sk.value)
    if "should be a 1d array" in want:  # scikit-learn names the argument "y"
        want = want.replace("y should", "y_true should")
    # scikit-learn prints a set: its order follows the (randomised) string hash
    want = want.replace("{'quantile', 'uniform'}", "{'uniform', 'quantile'}")
    assert str(ours.value) == want


def test_calibration_curve_nan_is_an_error():
    # scikit-learn returns NaN for the last bin here; fastmetrics refuses NaN
    with pytest.raises(ValueError, match="y_prob contains NaN"):
        calibration_curve([0, 1, 1], [0.1, np.nan, 0.5])


# --------------------------------------------------------------------------
# docstrings
# --------------------------------------------------------------------------


def test_docstring_examples():
    import fastmetrics.calibration.functional

    result = doctest.testmod(fastmetrics.calibration.functional,
                             optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert result.attempted >= 10

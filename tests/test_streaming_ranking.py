"""fastmetrics.streaming.AUC: streaming ROC AUC / average precision.

Expected values come from scikit-learn (and the functional fastmetrics API, itself
tested against scikit-learn) on all the data at once, from a pairwise brute-force
AUC written here, and from a NumPy re-implementation, written here, of the
documented bin mapping (fold at 1/2, float32 key, clamp, high bits).
"""

import json
import os
import pickle
import subprocess
import sys
import textwrap
import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.preprocessing import label_binarize

import fastmetrics as fm
from fastmetrics import UndefinedMetricWarning
from fastmetrics.streaming import AUC

TOL = 1e-12
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _quiet(fn, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **k)


def _sk(curve, y, s, w=None, **kw):
    fn = skm.roc_auc_score if curve == "ROC" else skm.average_precision_score
    return _quiet(fn, y, s, sample_weight=w, **kw)


# --------------------------------------------------------------------------
# NumPy reference of the documented bin mapping (independent of the kernel)
# --------------------------------------------------------------------------

_R = 0x3F800000
_LO = 0x20000000


def _ref_keys(x):
    """Folded key as documented in fastmetrics/_kernels/cpu/ranking_stream.py."""
    x = np.asarray(x)
    xf = x.astype(np.float32) if x.dtype == np.float32 else x.astype(np.float64)
    lo = xf <= 0.5
    with np.errstate(over="ignore", invalid="ignore"):
        t = np.where(lo, xf, xf.dtype.type(1) - xf)
        a = np.minimum(np.abs(t), 2.0**64).astype(np.float32)
    mb = a.view(np.uint32).astype(np.int64) - _LO
    k = np.where(a < np.float32(2.0**-63), _R + 1, np.where(t < 0, _R - mb, _R + 2 + mb))
    k0 = _R + 2 + (0x3F000000 - _LO)
    return np.where(lo, k, 2 * k0 - k)


def _ref_table(y, s, bins, w=None):
    """(bins, 2) table [negative, positive weight] by numpy.bincount."""
    shift = 32 - int(np.log2(bins))
    b = (_ref_keys(s) >> shift).astype(np.int64)
    cell = 2 * b + np.asarray(y).astype(np.int64)
    return np.bincount(cell, weights=w, minlength=2 * bins).reshape(bins, 2)


def _ref_moments(y, s, bins, w=None, power=1):
    """(bins, 2) sums of weight x position in the bin (the key bits below the
    bin's, over their range) to the ``power``, by numpy.bincount."""
    shift = 32 - int(np.log2(bins))
    keys = _ref_keys(s)
    b = (keys >> shift).astype(np.int64)
    pos = ((keys & ((1 << shift) - 1)) / float(1 << shift)) ** power
    cell = 2 * b + np.asarray(y).astype(np.int64)
    wp = pos if w is None else pos * w
    return np.bincount(cell, weights=wp, minlength=2 * bins).reshape(bins, 2)


def _brute_auc(y, s, w):
    """Pairwise AUC: sum over (pos, neg) of w_p w_n [s_p > s_n] + 1/2 [tie]."""
    y = np.asarray(y, bool)
    sp, wp = s[y], w[y]
    sn, wn = s[~y], w[~y]
    gt = (sp[:, None] > sn[None, :]) + 0.5 * (sp[:, None] == sn[None, :])
    return float((wp[:, None] * wn[None, :] * gt).sum() / (wp.sum() * wn.sum()))


# --------------------------------------------------------------------------
# adversarial score distributions
# --------------------------------------------------------------------------


def _dist(name, n, rng):
    u = rng.random(n)
    if name == "uniform":
        return u, rng.random(n) < u
    if name == "near0_linear":  # 1e-7 * uniform
        return 1e-7 * u, rng.random(n) < u
    if name == "near0_log":  # 10 ** -uniform(3, 8)
        e = rng.uniform(3, 8, n)
        return 10.0 ** -e, rng.random(n) < (8 - e) / 5
    if name == "near1":  # 1 - 1e-6 * uniform
        return 1 - 1e-6 * u, rng.random(n) < u
    if name == "ties5":
        s = rng.choice([0.1, 0.3, 0.5, 0.7, 0.9], n)
        return s, rng.random(n) < s
    if name == "bimodal":
        z = rng.random(n) < 0.5
        s = np.where(z, rng.normal(0.15, 0.05, n), rng.normal(0.85, 0.05, n))
        return s, rng.random(n) < np.where(z, 0.2, 0.8)
    if name == "all_equal":
        return np.full(n, 0.25), rng.random(n) < 0.5
    if name == "imb9_logits":
        y = rng.random(n) < 0.1
        return rng.normal(0, 1, n) + 1.5 * y, y
    if name == "imb999_near0":
        y = rng.random(n) < 0.001
        y[:3] = True
        return 1e-4 * rng.random(n) * np.where(y, 2.0, 1.0), y
    raise AssertionError(name)


DISTS = ["uniform", "near0_linear", "near0_log", "near1", "ties5", "bimodal",
         "all_equal", "imb9_logits", "imb999_near0"]


@pytest.mark.parametrize("curve", ["ROC", "PR"])
@pytest.mark.parametrize("dist", DISTS)
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_binned_within_bound(curve, dist, weighted):
    rng = np.random.default_rng(abs(hash((dist, weighted))) % 2**32)
    n = 60_000
    s, y = _dist(dist, n, rng)
    y = y.astype(np.int8)
    w = rng.uniform(0.0, 3.0, n) if weighted else None
    exact = _sk(curve, y, s, w)
    for bins in (2**8, 2**12, 2**16):
        st_ = AUC(curve, bins=bins).update(y, s, sample_weight=w)
        value, bound = st_.result(), st_.error_bound()
        assert 0 <= bound <= 1
        assert abs(value - exact) <= bound + TOL, (bins, value, exact, bound)
    # the exact mode and the functional API agree with scikit-learn
    ex = AUC(curve, mode="exact").update(y, s, sample_weight=w)
    assert ex.error_bound() == 0.0
    assert ex.result() == pytest.approx(exact, rel=TOL, abs=TOL)


@pytest.mark.parametrize("curve", ["ROC", "PR"])
@pytest.mark.parametrize("dist", ["uniform", "near0_log", "near1", "ties5", "imb9_logits"])
@pytest.mark.parametrize("average", ["macro", "weighted", "micro", None])
def test_multiclass_ovr_binned_within_bound(curve, dist, average):
    rng = np.random.default_rng(7)
    n, C = 20_000, 4
    base, _ = _dist(dist, n * C, rng)
    S = np.abs(base.reshape(n, C)) + 1e-12
    S = S / S.sum(axis=1, keepdims=True)  # probabilities, as sklearn requires
    y = np.array([rng.choice(C, p=p) for p in S[:2000]] * 10)
    w = rng.uniform(0.0, 2.0, n)
    Y = label_binarize(y, classes=np.arange(C))
    if curve == "ROC":
        exact = _sk(curve, y, S, w, multi_class="ovr", average=average)
    else:
        exact = _sk(curve, Y, S, w, average=average)
    st_ = AUC(curve, task="multiclass", num_classes=C, average=average)
    st_.update(y, S, sample_weight=w)
    value, bound = st_.result(), st_.error_bound()
    assert np.all(np.abs(np.asarray(value) - exact) <= np.asarray(bound) + TOL)
    ex = AUC(curve, task="multiclass", num_classes=C, average=average, mode="exact")
    ex.update(y, S, sample_weight=w)
    np.testing.assert_allclose(ex.result(), exact, rtol=TOL, atol=TOL)
    np.testing.assert_array_equal(ex.error_bound(), np.zeros_like(np.asarray(exact)))


@pytest.mark.parametrize("curve", ["ROC", "PR"])
@pytest.mark.parametrize("dist", ["uniform", "near0_linear", "near1", "ties5", "bimodal"])
@pytest.mark.parametrize("average", ["macro", "weighted", "micro", None])
def test_multilabel_binned_within_bound(curve, dist, average):
    rng = np.random.default_rng(11)
    n, L = 15_000, 3
    s, y = _dist(dist, n * L, rng)
    S = s.reshape(n, L)
    Y = y.reshape(n, L).astype(np.int64)
    w = rng.uniform(0.0, 2.0, n)
    exact = _sk(curve, Y, S, w, average=average)
    st_ = AUC(curve, task="multilabel", num_classes=L, average=average)
    st_.update(Y, S, sample_weight=w)
    value, bound = st_.result(), st_.error_bound()
    assert np.all(np.abs(np.asarray(value) - exact) <= np.asarray(bound) + TOL)
    ex = AUC(curve, task="multilabel", num_classes=L, average=average, mode="exact")
    np.testing.assert_allclose(ex.update(Y, S, sample_weight=w).result(), exact,
                               rtol=TOL, atol=TOL)


def test_bound_is_small_on_uniform_scores():
    """2**16 bins, 1M uniform scores: the certified ROC bound is below 1e-3."""
    rng = np.random.default_rng(3)
    n = 1_000_000
    s = rng.random(n).astype(np.float32)
    y = (rng.random(n) < s).astype(np.int8)
    roc = AUC("ROC").update(y, s)
    assert roc.error_bound() < 1e-3
    exact = fm.roc_auc_score(y, s)
    assert abs(roc.result() - exact) <= roc.error_bound()
    pr = AUC("PR").update(y, s)
    assert abs(pr.result() - fm.average_precision_score(y, s)) <= pr.error_bound()
    assert pr.error_bound() < 2e-3


def test_bins_follow_the_scores_near_0_and_near_1():
    """Keras-style evenly spaced thresholds collapse here; folded keys do not."""
    rng = np.random.default_rng(5)
    n = 200_000
    for s in (1e-6 * rng.random(n), 1 - 1e-6 * rng.random(n)):
        y = (rng.random(n) < 0.5 + 0.4 * (np.argsort(np.argsort(s)) / n - 0.5))
        st_ = AUC(bins=2**16).update(y.astype(np.int8), s)
        assert st_.error_bound() < 2e-3
        assert abs(st_.result() - skm.roc_auc_score(y, s)) <= st_.error_bound()


# --------------------------------------------------------------------------
# binned == exact when the bins separate every distinct score
# --------------------------------------------------------------------------


@pytest.mark.parametrize("curve", ["ROC", "PR"])
@pytest.mark.parametrize("weighted", [False, True])
def test_binned_equals_exact_when_each_score_has_its_own_bin(curve, weighted):
    rng = np.random.default_rng(2)
    values = np.array([-3.0, -0.5, 0.0, 0.02, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9,
                       0.98, 1.0, 1.5, 7.0], dtype=np.float32)
    shift = 32 - 16
    assert len(np.unique(_ref_keys(values) >> shift)) == len(values)  # own bins
    n = 5000
    s = rng.choice(values, n)
    y = (rng.random(n) < np.clip(s, 0.05, 0.95)).astype(np.int8)
    w = rng.integers(0, 4, n).astype(np.float64) if weighted else None
    st_ = AUC(curve).update(y, s, sample_weight=w)
    assert st_.result() == pytest.approx(_sk(curve, y, s, w), rel=TOL, abs=TOL)
    if curve == "ROC":
        assert st_.result() == pytest.approx(
            _brute_auc(y, s.astype(np.float64), np.ones(n) if w is None else w), rel=TOL)


def test_separated_classes_have_zero_roc_bound():
    rng = np.random.default_rng(4)
    s = np.r_[rng.uniform(0.6, 0.9, 500), rng.uniform(0.05, 0.4, 700)]
    y = np.r_[np.ones(500), np.zeros(700)].astype(np.int8)
    st_ = AUC("ROC").update(y, s)
    assert st_.result() == 1.0
    assert st_.error_bound() == 0.0


def test_brute_force_auc_small():
    rng = np.random.default_rng(9)
    for _ in range(20):
        n = int(rng.integers(2, 40))
        s = rng.choice([0.1, 0.2, 0.2000001, 0.7, 0.9], n) * rng.choice([1, -1], n)
        y = rng.integers(0, 2, n)
        y[0], y[1] = 0, 1
        w = rng.uniform(0, 2, n)
        exact = _brute_auc(y, s, w)
        b = AUC("ROC").update(y, s, sample_weight=w)
        assert abs(b.result() - exact) <= b.error_bound() + TOL
        e = AUC("ROC", mode="exact").update(y, s, sample_weight=w)
        assert e.result() == pytest.approx(exact, rel=1e-12)


# --------------------------------------------------------------------------
# ROC: pairs sharing a bin credited from the bin's first moments
# --------------------------------------------------------------------------


def _cluster(rng, n, sd):
    """An untrained model's outputs: crowded around 0.5, a weak signal."""
    y = rng.random(n) < 0.2
    return 0.5 + sd * (0.3 * y + rng.standard_normal(n)), y


@pytest.mark.parametrize("curve", ["ROC", "PR"])
@pytest.mark.parametrize("sd,bins", [(1e-2, 2**14), (1e-3, 2**16)])
@pytest.mark.parametrize("weighted", [False, True])
def test_moments_resolve_scores_crowded_into_few_bins(curve, sd, bins, weighted):
    # bins several times finer than the spread of the scores, far too coarse
    # for ties: the within-bin estimates recover the ranking
    rng = np.random.default_rng(21)
    s, y = _cluster(rng, 100_000, sd)
    w = rng.uniform(0.5, 2.0, s.shape[0]) if weighted else None
    exact = _sk(curve, y, s, w)
    st_ = AUC(curve, bins=bins, scores="probability").update(y, s, sample_weight=w)
    # the tie treatment (each bin one threshold) is sklearn on bin indices
    ties = _sk(curve, y, _ref_prob_bins(s, bins), w)
    assert abs(ties - exact) > 1e-4
    # well within the 1e-4, and ten times closer than the ties
    assert abs(st_.result() - exact) <= min(2e-5, abs(ties - exact) / 10)
    assert abs(st_.result() - exact) <= st_.error_bound()
    # a state saved without the moments is the tie treatment
    d = st_.state_dict()
    for key in ("moments", "moments2", "sq_weights"):
        d.pop(key)
    assert AUC.from_state_dict(d).result() == pytest.approx(ties, abs=1e-12)


@SETTINGS
@given(st.integers(0, 2**32 - 1), st.integers(2, 60), st.floats(1e-6, 1e-2))
def test_moments_stay_within_the_certified_bound(seed, n, spread):
    # few bins, scores in a narrow range, clumps and weights: the within-bin
    # estimate may be wrong, never by more than the bound
    rng = np.random.default_rng(seed)
    s = 0.3 + spread * rng.choice([0.0, 0.1, 0.5, 0.52, 1.0], n) * rng.random(n) ** 3
    y = rng.integers(0, 2, n)
    y[0], y[1] = 0, 1
    w = rng.uniform(0, 2, n)
    w[:2] = 1.0
    exact = _brute_auc(y, s, w)
    b = AUC("ROC", bins=2**8).update(y, s, sample_weight=w)
    assert abs(b.result() - exact) <= b.error_bound() + TOL
    for weights in (w, None):
        exact = _sk("PR", y, s, weights)
        b = AUC("PR", bins=2**8).update(y, s, sample_weight=weights)
        assert abs(b.result() - exact) <= b.error_bound() + TOL


def test_roc_moments_are_exact_for_linear_densities():
    # positives with density 2u, negatives uniform on one bin's key range:
    # P(pos > neg) = 2/3 = 1/2 + (2/3 - 1/2)
    rng = np.random.default_rng(5)
    n = 400_000
    lo_key = 3 << 20  # bin 3 of 2**12 bins ("any" scores: key >> 20)
    kp = lo_key + (np.sqrt(rng.random(n)) * (1 << 20)).astype(np.int64)
    kn = lo_key + (rng.random(n) * (1 << 20)).astype(np.int64)
    keys = np.r_[kp, kn]
    # scores whose keys are these: invert the key map on float32 negatives
    # (keys below the zero key are reversed float32 bit patterns)
    mb = _R - keys
    s = -(mb + _LO).astype(np.uint32).view(np.float32)
    assert np.array_equal(_ref_keys(s), keys)
    y = np.r_[np.ones(n), np.zeros(n)].astype(np.int8)
    st_ = AUC("ROC", bins=2**12).update(y, s)
    assert st_.state_dict()["table"][0][3].sum() == 2 * n  # one bin
    exact = _sk("ROC", y, s)
    assert exact == pytest.approx(2 / 3, abs=3e-3)
    # one bin: the tie treatment would say 1/2; the estimate is exact for
    # the densities, so it differs from the sample's AUC by sampling noise
    # only (~1/sqrt(12 n) = 5e-4)
    assert st_.result() == pytest.approx(exact, abs=2e-3)
    assert st_.result() == pytest.approx(2 / 3, abs=3e-3)


# --------------------------------------------------------------------------
# the bin table itself, against the NumPy reference of the mapping
# --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bins", [2**8, 2**16, 2**20])
def test_table_matches_numpy_reference(dtype, bins):
    rng = np.random.default_rng(8)
    n = 30_000
    s = np.concatenate([rng.standard_normal(n) * 10, rng.random(n), 1 - 1e-7 * rng.random(n),
                        1e-30 * rng.random(n), [0.0, -0.0, 0.5, 1.0, 2.0, 1e30, -1e30,
                                                2.0**-63, 2.0**64, 3e38, -3e38]])
    s = s.astype(dtype)
    y = (rng.random(s.shape[0]) < 0.3).astype(np.int8)
    w = rng.uniform(0, 5, s.shape[0])
    st_ = AUC(bins=bins).update(y, s)
    np.testing.assert_array_equal(st_.state_dict()["table"][0], _ref_table(y, s, bins))
    np.testing.assert_allclose(st_.state_dict()["moments"][0], _ref_moments(y, s, bins),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(st_.state_dict()["moments2"][0],
                               _ref_moments(y, s, bins, power=2), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(st_.state_dict()["sq_weights"][0], _ref_table(y, s, bins))
    stw = AUC(bins=bins).update(y, s, sample_weight=w)
    np.testing.assert_allclose(stw.state_dict()["table"][0], _ref_table(y, s, bins, w),
                               rtol=1e-12)
    np.testing.assert_allclose(stw.state_dict()["moments"][0],
                               _ref_moments(y, s, bins, w), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(stw.state_dict()["moments2"][0],
                               _ref_moments(y, s, bins, w, power=2), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(stw.state_dict()["sq_weights"][0],
                               _ref_table(y, s, bins, w * w), rtol=1e-12)


finite_floats = st.floats(allow_nan=False, allow_infinity=False, width=64)


@SETTINGS
@given(hnp.arrays(np.float64, st.integers(1, 60), elements=finite_floats),
       st.sampled_from([np.float32, np.float64]))
def test_bins_preserve_the_order_of_scores(x, dtype):
    from fastmetrics._core.backend import kernels

    k = kernels("ranking_stream")

    with np.errstate(over="ignore"):
        x = np.sort(x.astype(dtype))
    keys = np.empty(x.shape[0], dtype=np.int64)
    k.fold_keys(x, keys)
    assert np.all(np.diff(keys) >= 0)
    assert keys.min() >= 0 and keys.max() <= k.KEY_MAX < 2**32
    np.testing.assert_array_equal(keys, _ref_keys(x))


# --------------------------------------------------------------------------
# streaming: chunks in any order + merge == one update
# --------------------------------------------------------------------------


@st.composite
def _streams(draw):
    n = draw(st.integers(1, 300))
    task = draw(st.sampled_from(["binary", "multiclass", "multilabel"]))
    seed = draw(st.integers(0, 2**32 - 1))
    wkind = draw(st.sampled_from(["none", "int", "float"]))
    cuts = sorted(draw(st.lists(st.integers(0, n), max_size=6)))
    order_seed = draw(st.integers(0, 1000))
    return n, task, seed, wkind, cuts, order_seed


def _data(task, n, seed, C=3):
    rng = np.random.default_rng(seed)
    scale = rng.choice([1e-6, 1.0, 1e3])
    if task == "binary":
        s = rng.random(n) * scale
        s[rng.random(n) < 0.2] = 1 - 1e-7 * rng.random()
        return rng.integers(0, 2, n), s
    if task == "multiclass":
        return rng.integers(0, C, n), rng.standard_normal((n, C)) * scale
    return rng.integers(0, 2, (n, C)), rng.random((n, C)) * scale


@SETTINGS
@given(_streams())
def test_chunked_updates_merged_in_any_order_equal_one_update(case):
    n, task, seed, wkind, cuts, order_seed = case
    y, s = _data(task, n, seed)
    rng = np.random.default_rng(seed + 1)
    w = {"none": None, "int": rng.integers(0, 4, n).astype(np.float64),
         "float": rng.uniform(0, 3, n)}[wkind]
    kw = dict(task=task, num_classes=None if task == "binary" else 3, bins=2**10)
    for mode in ("binned", "exact"):
        one = AUC("ROC", mode=mode, average=None, **kw).update(y, s, sample_weight=w)
        edges = [0] + cuts + [n]
        pieces = [(a, b) for a, b in zip(edges[:-1], edges[1:])]
        np.random.default_rng(order_seed).shuffle(pieces)
        states = []
        for a, b in pieces:
            part = AUC("ROC", mode=mode, average=None, **kw)
            part.update(y[a:b], s[a:b], sample_weight=None if w is None else w[a:b])
            states.append(part)
        # merge as a tree: pairs, then pairs of pairs
        while len(states) > 1:
            states = [states[i].merge(states[i + 1]) if i + 1 < len(states) else states[i]
                      for i in range(0, len(states), 2)]
        merged = states[0]
        r1, r2 = _quiet(one.result), _quiet(merged.result)
        if mode == "binned":
            t1, t2 = one.state_dict()["table"], merged.state_dict()["table"]
            if wkind == "float":
                np.testing.assert_allclose(t2, t1, rtol=1e-12, atol=0)
                np.testing.assert_allclose(r2, r1, rtol=1e-12, atol=1e-12)
            else:  # integer-valued sums are exact in any order
                np.testing.assert_array_equal(t2, t1)
                np.testing.assert_array_equal(r2, r1)
        else:
            np.testing.assert_allclose(r2, r1, rtol=1e-12, atol=1e-12)


@pytest.fixture
def small_parts(monkeypatch):
    """Let inputs of a few 10k tokens take the parallel path (several parts)."""
    from fastmetrics import config
    from fastmetrics.ranking import streaming

    monkeypatch.setattr(config, "PART_MIN_SCORES", 1 << 14)
    return streaming._n_parts


def test_large_update_uses_parts_and_equals_small_updates(small_parts):
    """A big update (parallel parts) == the same tokens in small serial updates."""
    rng = np.random.default_rng(6)
    n = 400_000
    assert small_parts(n, 1, 2**8) == 16 and small_parts(10_000, 1, 2**8) == 1
    s = rng.random(n).astype(np.float32)
    y = (rng.random(n) < s).astype(np.int8)
    w = rng.integers(0, 5, n).astype(np.float64)
    for sw in (None, w):
        big = AUC(bins=2**8).update(y, s, sample_weight=sw)
        small = AUC(bins=2**8)
        for a in range(0, n, 10_000):
            small.update(y[a:a + 10_000], s[a:a + 10_000],
                         sample_weight=None if sw is None else sw[a:a + 10_000])
        np.testing.assert_array_equal(big.state_dict()["table"],
                                      small.state_dict()["table"])
        np.testing.assert_array_equal(big.state_dict()["table"][0],
                                      _ref_table(y, s, 2**8, sw))


# --------------------------------------------------------------------------
# input forms, masks, weights
# --------------------------------------------------------------------------


def _assert_tables_equal(a, b):
    np.testing.assert_array_equal(a.state_dict()["table"], b.state_dict()["table"])


def test_binary_input_forms_give_the_same_table():
    rng = np.random.default_rng(12)
    N, T = 40, 9
    y = rng.integers(0, 2, (N, T))
    p = rng.random((N, T)).astype(np.float32)
    ref = AUC().update(y.reshape(-1), p.reshape(-1))
    _assert_tables_equal(AUC().update(y, p), ref)
    _assert_tables_equal(AUC().update(y.astype(bool), p), ref)
    _assert_tables_equal(AUC().update(y.astype(np.float32), p), ref)
    _assert_tables_equal(AUC().update(y, p[..., None]), ref)
    _assert_tables_equal(AUC().update(y[..., None], p[..., None]), ref)
    two = np.stack([1 - p, p], axis=-1)
    _assert_tables_equal(AUC().update(y, two), ref)  # two-unit output, column 1
    onehot = np.stack([1 - y, y], axis=-1)
    _assert_tables_equal(AUC().update(onehot, two), ref)  # one-hot targets + two units
    _assert_tables_equal(AUC().update(list(y.reshape(-1)), list(p.reshape(-1))), ref)


def test_sequence_mask_weights_ignore_index_class_weight_vs_sklearn():
    rng = np.random.default_rng(13)
    N, T = 60, 25
    y = rng.integers(0, 2, (N, T))
    p = np.clip(0.3 * y + 0.7 * rng.random((N, T)), 0, 1)
    mask = rng.random((N, T)) < 0.8
    p[~mask] = np.nan  # padding may hold anything
    sw = rng.uniform(0.1, 3.0, N)
    yi = np.where(rng.random((N, T)) < 0.1, -100, y)
    cw = np.array([1.0, 4.0])
    keep = mask & (yi != -100)
    w_flat = np.broadcast_to(sw[:, None], (N, T))[keep] * cw[y[keep]]
    for curve in ("ROC", "PR"):
        exact = _sk(curve, y[keep], p[keep], w_flat)
        for mode in ("binned", "exact"):
            st_ = AUC(curve, mode=mode).update(yi, p, mask=mask, sample_weight=sw,
                                               ignore_index=-100, class_weight=cw)
            assert abs(st_.result() - exact) <= st_.error_bound() + TOL
        assert st_.result() == pytest.approx(exact, rel=TOL)
    # class_weight as a dict, per-token weights
    st1 = AUC().update(y, np.nan_to_num(p), sample_weight=np.ones((N, T)) * sw[:, None],
                       class_weight={1: 4.0})
    st2 = AUC().update(y, np.nan_to_num(p), sample_weight=sw, class_weight=cw)
    np.testing.assert_allclose(st1.state_dict()["table"], st2.state_dict()["table"],
                               rtol=1e-15)


def test_multiclass_forms_mask_and_class_weight():
    rng = np.random.default_rng(14)
    N, T, C = 30, 11, 4
    y = rng.integers(0, C, (N, T))
    S = rng.dirichlet(np.ones(C), size=(N, T))
    mask = rng.random((N, T)) < 0.7
    cw = np.array([1.0, 2.0, 0.5, 3.0])
    sw = rng.uniform(0, 2, (N, T))
    yk, Sk = y[mask], S[mask]
    wk = sw[mask] * cw[yk]
    for avg in ("macro", "weighted", "micro", None):
        exact = _sk("ROC", yk, Sk, wk, multi_class="ovr", average=avg)
        for mode in ("binned", "exact"):
            st_ = AUC("ROC", task="multiclass", num_classes=C, average=avg, mode=mode)
            st_.update(y, S, mask=mask, sample_weight=sw, class_weight=cw)
            assert np.all(np.abs(np.asarray(st_.result()) - exact)
                          <= np.asarray(st_.error_bound()) + TOL)
        np.testing.assert_allclose(st_.result(), exact, rtol=TOL)
    # one-hot targets == class ids
    onehot = np.eye(C)[y]
    a = AUC(task="multiclass", num_classes=C).update(y, S, mask=mask)
    b = AUC(task="multiclass", num_classes=C).update(onehot, S, mask=mask)
    _assert_tables_equal(a, b)
    # ignore_index == mask
    c = AUC(task="multiclass", num_classes=C).update(np.where(mask, y, -1), S,
                                                     ignore_index=-1)
    _assert_tables_equal(a, c)


def test_multilabel_ignore_index_is_per_label():
    rng = np.random.default_rng(15)
    n, L = 3000, 3
    Y = rng.integers(0, 2, (n, L))
    S = rng.random((n, L))
    hide = rng.random((n, L)) < 0.2
    Yi = np.where(hide, -1, Y)
    st_ = AUC("PR", task="multilabel", num_classes=L, average=None, mode="exact")
    st_.update(Yi, S, ignore_index=-1)
    expected = [skm.average_precision_score(Y[~hide[:, j], j], S[~hide[:, j], j])
                for j in range(L)]
    np.testing.assert_allclose(st_.result(), expected, rtol=TOL)
    b = AUC("PR", task="multilabel", num_classes=L, average=None).update(
        Yi, S, ignore_index=-1)
    assert np.all(np.abs(b.result() - expected) <= b.error_bound() + TOL)


def test_score_dtypes():
    rng = np.random.default_rng(16)
    y = rng.integers(0, 2, 500)
    s_int = rng.integers(-50, 50, 500)
    for s in (s_int, s_int.astype(np.float16), s_int.astype(np.int8), s_int > 0):
        exact = skm.roc_auc_score(y, s)
        st_ = AUC().update(y, s)
        assert st_.result() == pytest.approx(exact, rel=TOL)  # each value its own bin
        assert AUC(mode="exact").update(y, s).result() == pytest.approx(exact, rel=TOL)


def test_bins_2_24_and_zero_weights():
    rng = np.random.default_rng(17)
    s = rng.random(2000)
    y = rng.integers(0, 2, 2000)
    w = rng.uniform(0, 1, 2000)
    w[::3] = 0.0
    st_ = AUC("PR", bins=2**24).update(y, s, sample_weight=w)
    exact = skm.average_precision_score(y, s, sample_weight=w)
    assert abs(st_.result() - exact) <= st_.error_bound() + TOL
    # counts, every score in its own bin: the bound knows the value is exact
    s = rng.permutation(np.arange(1, 2001)) / 4096
    for curve in ("ROC", "PR"):
        st_ = AUC(curve, bins=2**24).update(y, s)
        assert st_.result() == pytest.approx(_sk(curve, y, s), rel=TOL)
        assert st_.error_bound() == 0.0


# --------------------------------------------------------------------------
# undefined cases, warnings
# --------------------------------------------------------------------------


def _warned(fn):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        value = fn()
    return value, [(type(r.message), str(r.message)) for r in rec]


@pytest.mark.parametrize("mode", ["binned", "exact"])
def test_single_class_matches_functional_warnings(mode):
    s = np.array([0.1, 0.5, 0.7])
    for y in ([0, 0, 0], [1, 1, 1]):
        ref, ref_w = _warned(lambda: fm.roc_auc_score(y, s))
        st_ = AUC("ROC", mode=mode).update(y, s)
        got, got_w = _warned(st_.result)
        assert np.isnan(ref) and np.isnan(got)
        assert got_w == ref_w and got_w[0][0] is UndefinedMetricWarning
        bound, bound_w = _warned(st_.error_bound)
        assert np.isnan(bound) and bound_w == []
    ref, ref_w = _warned(lambda: fm.average_precision_score([0, 0, 0], s))
    got, got_w = _warned(AUC("PR", mode=mode).update([0, 0, 0], s).result)
    assert ref == got == 0.0 and got_w == ref_w
    got, got_w = _warned(AUC("PR", mode=mode).update([1, 1, 1], s).result)
    assert got == fm.average_precision_score([1, 1, 1], s) == 1.0 and got_w == []


def test_multilabel_label_without_positives_like_sklearn():
    rng = np.random.default_rng(18)
    Y = rng.integers(0, 2, (400, 3))
    Y[:, 1] = 0
    S = rng.random((400, 3))
    for avg in ("macro", "weighted", None):
        ref, ref_w = _warned(lambda: skm.roc_auc_score(Y, S, average=avg))
        got, got_w = _warned(AUC("ROC", task="multilabel", num_classes=3, average=avg,
                                 mode="exact").update(Y, S).result)
        np.testing.assert_allclose(got, ref, rtol=TOL)
        assert [m for _, m in got_w] == [m for _, m in ref_w]
        b = AUC("ROC", task="multilabel", num_classes=3, average=avg).update(Y, S)
        np.testing.assert_array_equal(np.isnan(_quiet(b.result)), np.isnan(ref))
        np.testing.assert_array_equal(np.isnan(b.error_bound()), np.isnan(ref))


def test_empty_state_and_fully_masked_update():
    st_ = AUC("ROC")
    st_.update([1, 0], [0.3, 0.2], mask=np.array([False, False]))
    assert np.isnan(_quiet(st_.result))
    st_.update(np.zeros(0), np.zeros(0))
    assert np.isnan(_quiet(st_.result))


# --------------------------------------------------------------------------
# state protocol: reset, state_dict, merge errors
# --------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["binned", "exact"])
@pytest.mark.parametrize("task", ["binary", "multiclass", "multilabel"])
def test_state_dict_round_trip_and_reset(mode, task):
    y, s = _data(task, 500, 1)
    kw = dict(task=task, num_classes=None if task == "binary" else 3, mode=mode,
              average=None, bins=2**9)
    w = np.random.default_rng(0).uniform(0, 2, 500)
    a = AUC("PR", **kw).update(y, s, sample_weight=w)
    state = a.state_dict()
    b = AUC.from_state_dict(state)
    np.testing.assert_array_equal(b.result(), a.result())
    np.testing.assert_array_equal(b.error_bound(), a.error_bound())
    # through JSON (lists) and pickle
    as_lists = {k: (v.tolist() if isinstance(v, np.ndarray) else v)
                for k, v in state.items()}
    c = AUC.from_state_dict(json.loads(json.dumps(as_lists)))
    np.testing.assert_array_equal(c.result(), a.result())
    d = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(d.result(), a.result())
    # the state dict is a copy
    if mode == "binned":
        state["table"][...] = 0
    np.testing.assert_array_equal(AUC.from_state_dict(a.state_dict()).result(), a.result())
    # reset == fresh
    a.reset().update(y[:100], s[:100])
    fresh = AUC("PR", **kw).update(y[:100], s[:100])
    np.testing.assert_array_equal(a.result(), fresh.result())


def test_from_state_dict_rejects_bad_states():
    good = AUC(bins=2**8).update([0, 1], [0.2, 0.4]).state_dict()
    with pytest.raises(ValueError, match="not a streaming.AUC state_dict"):
        AUC.from_state_dict({**good, "kind": "ConfusionMatrix"})
    with pytest.raises(ValueError, match="version"):
        AUC.from_state_dict({**good, "version": 99})
    with pytest.raises(ValueError, match="shape"):
        AUC.from_state_dict({**good, "table": np.zeros((1, 2**9, 2))})
    with pytest.raises(ValueError, match=">= 0"):
        AUC.from_state_dict({**good, "table": -np.ones((1, 2**8, 2))})
    with pytest.raises(ValueError, match="non-integer"):
        AUC.from_state_dict({**good, "table": np.full((1, 2**8, 2), 0.5)})
    with pytest.raises(ValueError, match=r"moments'\] has shape"):
        AUC.from_state_dict({**good, "moments": np.zeros((1, 2**9, 2))})
    with pytest.raises(ValueError, match=r"moments2'\] must hold"):
        AUC.from_state_dict({**good, "moments2": good["moments"] + 0.5})
    with pytest.raises(ValueError, match=r"sq_weights'\] must be"):
        AUC.from_state_dict({**good, "sq_weights": -good["table"]})
    partial = dict(good)
    partial.pop("moments2")
    with pytest.raises(ValueError, match="or none of them"):
        AUC.from_state_dict(partial)
    with pytest.raises(ValueError, match=r"moments'\] must hold"):
        AUC.from_state_dict({**good, "moments": good["table"] * 1.5})
    with pytest.raises(ValueError, match=r"moments'\] must hold"):
        AUC.from_state_dict({**good, "moments": -good["table"]})


@pytest.mark.parametrize("field,other", [
    ("curve", dict(curve="PR")),
    ("task", dict(task="multilabel", num_classes=2)),
    ("bins", dict(bins=2**10)),
    ("mode", dict(mode="exact")),
    ("num_classes", dict(task="multiclass", num_classes=4)),
])
def test_merge_incompatible_states_names_the_difference(field, other):
    base = dict(curve="ROC", task="multiclass" if field == "num_classes" else "binary",
                num_classes=3 if field == "num_classes" else None)
    kw = {**base, **other}
    a = AUC(base.pop("curve"), **base)
    b = AUC(kw.pop("curve"), **kw)
    with pytest.raises(ValueError, match=f"different {field}"):
        a.merge(b)
    with pytest.raises(ValueError, match="AUC state"):
        a.merge(object())


# --------------------------------------------------------------------------
# bad arguments and bad input
# --------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs,match", [
    (dict(curve="AUC"), "curve"),
    (dict(task="regression"), "task"),
    (dict(task=None), "task"),
    (dict(task="multiclass"), "num_classes is required"),
    (dict(task="binary", num_classes=3), "num_classes"),
    (dict(mode="approx"), "mode"),
    (dict(bins=1000), "power of two"),
    (dict(bins=2**7), "power of two"),
    (dict(bins=2**25), "power of two"),
    (dict(bins=True), "power of two"),
    (dict(bins=2.0**16), "power of two"),
    (dict(average="samples"), "samples"),
    (dict(average="binary"), "average"),
])
def test_bad_arguments(kwargs, match):
    curve = kwargs.pop("curve", "ROC")
    with pytest.raises(ValueError, match=match):
        AUC(curve, **kwargs)


def test_bad_inputs_raise_and_leave_the_state_unchanged(small_parts):
    rng = np.random.default_rng(19)
    assert small_parts(50, 1, 2**16) == 1 and small_parts(300_000, 1, 2**8) > 1
    for n, bins in ((50, 2**16), (300_000, 2**8)):  # serial and parallel paths
        s = rng.random(n)
        y = rng.integers(0, 2, n)
        st_ = AUC(bins=bins).update(y, s)
        before = st_.state_dict()["table"].copy()
        bad = s.copy()
        bad[n - 7] = np.nan
        with pytest.raises(ValueError, match=f"y_score contains NaN or infinity.*token "
                                             f"{n - 7}"):
            st_.update(y, bad)
        bad[n - 7] = np.inf
        with pytest.raises(ValueError, match=f"token {n - 7}"):
            st_.update(y, bad)
        yb = y.copy()
        yb[n - 3] = 2
        with pytest.raises(ValueError, match=rf"label outside \[0, 2\) at token {n - 3}: 2"):
            st_.update(yb, s)
        w = np.ones(n)
        w[n - 2] = -1.0
        with pytest.raises(ValueError, match=f"sample_weight must be finite and >= 0.*"
                                             f"token {n - 2}"):
            st_.update(y, s, sample_weight=w)
        np.testing.assert_array_equal(st_.state_dict()["table"], before)
    # masked-out or ignored bad tokens are fine
    s = np.array([0.1, np.nan, 0.8])
    st_ = AUC().update([0, 1, 1], s, mask=np.array([True, False, True]))
    assert st_.result() == 1.0
    assert AUC().update([0, -1, 1], s, ignore_index=-1).result() == 1.0


def test_bad_inputs_multiclass_multilabel():
    S = np.full((4, 3), 1 / 3)
    with pytest.raises(ValueError, match=r"label outside \[0, 3\) at token 2: 3"):
        AUC(task="multiclass", num_classes=3).update([0, 1, 3, 2], S)
    with pytest.raises(ValueError, match="not an integer class id.*token 2"):
        AUC(task="multiclass", num_classes=3).update([0, 1, 1.5, 2], S)
    Sb = S.copy()
    Sb[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"NaN or infinity.*token 2 \(flat index 2\)"):
        AUC(task="multiclass", num_classes=3).update([0, 1, 1, 2], Sb)
    with pytest.raises(ValueError, match=r"NaN or infinity.*token 2 \(flat index 2\)"):
        AUC(task="multilabel", num_classes=3).update(np.zeros((4, 3)), Sb)
    with pytest.raises(ValueError, match="num_classes=4 but the class axis"):
        AUC(task="multiclass", num_classes=4).update([0, 1, 1, 2], S)
    with pytest.raises(ValueError, match="do not fit task='multiclass'"):
        AUC(task="multiclass", num_classes=3).update([0, 1, 1], S)
    with pytest.raises(ValueError, match="class_weight is not defined for multilabel"):
        AUC(task="multilabel", num_classes=3).update(np.zeros((4, 3)), S,
                                                    class_weight=[1, 1, 1])
    with pytest.raises(ValueError, match="0/1 indicator"):
        AUC(task="multilabel", num_classes=3).update(np.full((4, 3), 2), S)
    with pytest.raises(ValueError, match="one-hot"):
        AUC(task="multiclass", num_classes=3).update(np.ones((4, 3)), S)


def test_bad_inputs_shapes_and_types():
    with pytest.raises(ValueError, match="do not fit task='binary'"):
        AUC().update([0, 1, 1], [0.1, 0.2])
    with pytest.raises(ValueError, match="mask has shape"):
        AUC().update([0, 1], [0.1, 0.2], mask=np.array([True]))
    with pytest.raises(ValueError, match="mask must be a boolean"):
        AUC().update([0, 1], [0.1, 0.2], mask=np.array([1, 0]))
    with pytest.raises(ValueError, match="sample_weight has shape"):
        AUC().update([0, 1], [0.1, 0.2], sample_weight=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="y_score must hold numbers"):
        AUC().update([0, 1], ["a", "b"])
    with pytest.raises(ValueError, match="class_weight must be a dict or an array"):
        AUC().update([0, 1], [0.1, 0.2], class_weight=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="ignore_index must be an integer"):
        AUC().update([0, 1], [0.1, 0.2], ignore_index=0.5)
    with pytest.raises(ValueError, match="ignore_index needs y_true"):
        AUC().update(np.eye(2), np.eye(2) * 0.5 + 0.25, ignore_index=0)


# --------------------------------------------------------------------------
# determinism across thread counts
# --------------------------------------------------------------------------

_DET_SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np
    import numba
    from fastmetrics import config
    from fastmetrics.ranking import streaming
    from fastmetrics.streaming import AUC

    assert numba.get_num_threads() == int(sys.argv[2])
    config.PART_MIN_SCORES = 1 << 15  # several parts at this size
    assert streaming._n_parts(1_500_000, 1, 2**10) == 16
    assert streaming._n_parts(375_000, 3, 2**8) == 16
    rng = np.random.default_rng(20261122)
    n, C = 1_500_000, 3
    s = rng.random(n).astype(np.float32)
    y = (rng.random(n) < s).astype(np.int8)
    w = rng.uniform(0.0, 3.0, n)
    S = rng.random((n // 4, C))
    yc = rng.integers(0, C, n // 4)
    out = {}
    b = AUC("PR", bins=2**10).update(y, s, sample_weight=w)
    out["binary"] = b.state_dict()["table"]
    out["binary_result"] = np.array([b.result(), b.error_bound()])
    m = AUC(task="multiclass", num_classes=C, bins=2**8, average=None)
    m.update(yc, S, sample_weight=w[: n // 4], class_weight=[1.0, 0.5, 2.0])
    out["multiclass"] = m.state_dict()["table"]
    np.savez(sys.argv[1], **out)
    """
)


def test_thread_count_does_not_change_the_bits(tmp_path):
    if (os.cpu_count() or 1) < 2:
        pytest.skip("needs 2 CPUs for NUMBA_NUM_THREADS=2")
    script = tmp_path / "det_auc.py"
    script.write_text(_DET_SCRIPT)
    res = []
    for threads in (1, 2):
        out = tmp_path / f"r{threads}.npz"
        env = dict(os.environ, NUMBA_NUM_THREADS=str(threads))
        env.pop("NUMBA_DISABLE_JIT", None)
        proc = subprocess.run([sys.executable, str(script), str(out), str(threads)],
                              env=env, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-4000:]
        with np.load(out) as z:
            res.append({k: z[k] for k in z.files})
    assert set(res[0]) == set(res[1])
    for k in res[0]:
        assert res[0][k].tobytes() == res[1][k].tobytes(), k


def _bad_cases():
    S = np.full((4, 3), 1 / 3)
    Sn = S.copy()
    Sn[2, 1] = np.nan
    yield "binary", dict(y_true=[0, 1, 2, 1], y_score=[0.1, 0.2, 0.3, 0.4])
    yield "binary", dict(y_true=[0, 1, 1, 1], y_score=[0.1, np.inf, 0.3, 0.4])
    yield "binary", dict(y_true=[0, 1, 1, 1], y_score=[0.1, 0.2, 0.3, 0.4],
                         sample_weight=[1.0, 1.0, np.nan, 1.0])
    yield "binary", dict(y_true=[0, 1, 1], y_score=[0.1, 0.2])
    yield "binary", dict(y_true=np.eye(2)[[0, 1, 1]] * 2, y_score=np.eye(2)[[0, 1, 1]])
    yield "multiclass", dict(y_true=[0, 1, 3, 2], y_score=S)
    yield "multiclass", dict(y_true=[0, 1, 1, 2], y_score=Sn)
    yield "multiclass", dict(y_true=[0, 1, 1, 2], y_score=S, class_weight=[1, 1])
    yield "multilabel", dict(y_true=np.zeros((4, 3)), y_score=Sn)
    yield "multilabel", dict(y_true=np.full((4, 3), 2), y_score=S)
    yield "multilabel", dict(y_true=np.zeros((4, 3)), y_score=S, class_weight=[1, 1, 1])


@pytest.mark.parametrize("task,kw", list(_bad_cases()))
def test_both_modes_reject_bad_input_with_the_same_message(task, kw):
    kw = dict(kw)
    y_true, y_score = kw.pop("y_true"), kw.pop("y_score")
    nc = None if task == "binary" else 3
    messages = []
    for mode in ("binned", "exact"):
        st_ = AUC(task=task, num_classes=nc, mode=mode)
        with pytest.raises(ValueError) as err:
            st_.update(y_true, y_score, **kw)
        messages.append(str(err.value))
        assert np.isnan(_quiet(st_.result)) or _quiet(st_.result) == 0.0  # empty
    assert messages[0] == messages[1]


# --------------------------------------------------------------------------
# scores="probability": all the bins over [2**-40, 1 - 2**-40]
# --------------------------------------------------------------------------

def _ref_prob_bins(s, bins):
    """NumPy reference of the probability bin map: clamp the folded key to the
    keys of 2**-40 and 1 - 2**-40, then map that key range linearly onto the
    bins (integer arithmetic, as documented)."""
    lo = int(_ref_keys(np.array([2.0**-40]))[0])
    hi = 2 * (_R + 2 + (0x3F000000 - _LO)) - lo
    M = (bins << 32) // (hi - lo + 1)
    k = np.clip(_ref_keys(s), lo, hi)
    return ((k - lo) * M) >> 32


@pytest.mark.parametrize("bins", [2**8, 2**16, 2**20])
def test_probability_bins_match_the_reference_and_use_every_bin(bins):
    grid = np.concatenate([[0.0, 2.0**-60, 2.0**-41, 2.0**-40], np.linspace(0, 1, 200_001),
                           1 - np.logspace(-12, -1, 5000), np.logspace(-13, -1, 5000), [1.0]])
    for s in (grid, grid.astype(np.float32)):
        y = (np.arange(s.size) % 2).astype(np.int64)
        auc = AUC(bins=bins, scores="probability").update(y, s)
        table = auc.state_dict()["table"][0]
        ref = np.bincount(2 * _ref_prob_bins(s, bins) + y, minlength=2 * bins)
        np.testing.assert_array_equal(table.reshape(-1), ref)
        b = _ref_prob_bins(np.sort(s), bins)
        assert np.all(np.diff(b) >= 0) and b[0] == 0 and b[-1] == bins - 1


def test_probability_bins_are_finer_and_stay_within_the_bound(rng):
    n = 20_000
    y = (rng.random(n) < 0.1).astype(np.int64)
    crowded = (np.exp(rng.normal(-9, 1.5, n) + 2.5 * y) / 50).clip(0, 1)
    narrow = 0.25 + 0.01 * rng.normal(size=n) + 0.005 * y
    for s in (crowded, narrow, crowded.astype(np.float32)):
        for curve in ("ROC", "PR"):
            exact = _sk(curve, y, s)
            any_ = AUC(curve, bins=2**16).update(y, s)
            prob = AUC(curve, bins=2**16, scores="probability").update(y, s)
            assert abs(prob.result() - exact) <= prob.error_bound() + TOL
            # the same table size resolves probabilities several times finer
            assert prob.error_bound() < any_.error_bound() / 3


def test_probability_scores_outside_unit_interval_raise():
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\].*1\.5.*scores='any'"):
        AUC(scores="probability").update([0, 1, 1], [0.2, 1.5, 0.3])
    with pytest.raises(ValueError, match="scores must be one of"):
        AUC(scores="logit")


def test_probability_state_round_trip_and_merge_rules(rng):
    y = (rng.random(500) < 0.3).astype(np.int64)
    s = rng.random(500)
    a = AUC("PR", scores="probability").update(y[:250], s[:250])
    b = AUC("PR", scores="probability").update(y[250:], s[250:])
    one = AUC("PR", scores="probability").update(y, s)
    np.testing.assert_array_equal(a.merge(b).state_dict()["table"], one.state_dict()["table"])
    again = AUC.from_state_dict(one.state_dict())
    assert again.scores == "probability" and again.result() == one.result()
    with pytest.raises(ValueError, match="different scores"):
        AUC("PR").merge(one)

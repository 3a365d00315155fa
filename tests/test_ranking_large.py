"""More than 2**24 float32 scores (issue 3).

scikit-learn once returned wrong AUCs past 2**24 samples because it summed
counts in float32: 2**24 + 1 is not a float32, so a float32 running count
stops at 16,777,216.  Here N = 19,000,000 scores with 1:9 positives, so the
negatives alone (about 17.1M) pass 2**24, and fastmetrics is compared with
exact references written in this file (int64 counts per distinct score,
cumulative int64 sums, float64 only for the final divisions):

* integer-valued float32 scores in [0, 1000): the reference bins by value
  with ``np.bincount`` (no sort at all);
* continuous float32 scores (about 16M distinct values): the reference gets
  the distinct values and per-value counts from ``np.unique`` (a float64-free
  sort of the float32 values themselves), then the same int64 sums.

``test_reference_detects_float32_counting`` shows that the tolerances used
here would catch a float32 running count.  (scikit-learn 1.9 on the
continuous case, as float64, agrees with the reference to 1e-12 but takes
about 9 s here, so it is not part of this file.)
"""

import math

import numpy as np
import pytest

import fastmetrics as fm

N = 19_000_000
NUM_VALUES = 1000


def _exact(pos, neg, values):
    """Exact statistics from per-distinct-value counts given in ascending value order.

    pos, neg : int64 (or integer-valued float64 for weights) counts per value.
    Returns a dict with the ROC AUC, AP and the curve points in descending
    threshold order, as roc_curve / precision_recall_curve define them.
    """
    keep = (pos + neg) > 0
    pos, neg, values = pos[keep][::-1], neg[keep][::-1], values[keep][::-1]  # descending
    tps = np.cumsum(pos)
    fps = np.cumsum(neg)
    P, Q = tps[-1], fps[-1]
    # AUC = P(score_pos > score_neg) + P(tie) / 2, as a sum over the negatives'
    # values: each negative at v counts the positives above v, plus half of
    # the positives at v.  Doubled to stay integer.
    above = tps - pos
    num2 = np.sum(neg * (2 * above + pos))
    auc = float(num2) / (2.0 * float(P) * float(Q))
    # AP = sum over thresholds of (R_k - R_{k-1}) * P_k
    ap = math.fsum((pos / P) * (tps / (tps + fps)))
    return dict(auc=auc, ap=ap, tps=tps, fps=fps, P=P, Q=Q, thresholds=values,
                num2=num2)


@pytest.fixture(scope="module")
def few():
    """Integer-valued float32 scores in [0, 1000), positives shifted up by 200."""
    rng = np.random.default_rng(24)
    y = (rng.random(N) < 0.1).astype(np.int8)
    v = rng.integers(0, 800, N, dtype=np.int64) + 200 * y.astype(np.int64)
    s = v.astype(np.float32)
    w = rng.integers(1, 4, N).astype(np.float32)  # integer-valued weights 1..3
    pos = np.bincount(v[y == 1], minlength=NUM_VALUES)
    cnt = np.bincount(v, minlength=NUM_VALUES)
    wpos = np.bincount(v[y == 1], weights=w[y == 1], minlength=NUM_VALUES)
    wcnt = np.bincount(v, weights=w, minlength=NUM_VALUES)
    values = np.arange(NUM_VALUES, dtype=np.float64)
    ref = _exact(pos, cnt - pos, values)
    wref = _exact(wpos, wcnt - wpos, values)
    assert ref["Q"] > 2**24 and wref["Q"] > 2**24  # the case this file is about
    return dict(y=y, s=s, w=w, ref=ref, wref=wref, pos=pos, neg=cnt - pos)


@pytest.fixture(scope="module")
def continuous():
    """Normal (unclipped) float32 scores: about 16M distinct values."""
    rng = np.random.default_rng(25)
    y = (rng.random(N) < 0.1).astype(np.int8)
    s = rng.standard_normal(N, dtype=np.float32)
    s *= np.float32(0.15)
    s += np.float32(0.3) + np.float32(0.2) * y
    values, inv, cnt = np.unique(s, return_inverse=True, return_counts=True)
    pos = np.bincount(inv[y == 1], minlength=values.size)
    del inv
    ref = _exact(pos, cnt - pos, values.astype(np.float64))
    assert ref["Q"] > 2**24 and values.size > 2**23
    return dict(y=y, s=s, ref=ref)


# --------------------------------------------------------------- few distinct scores
def test_auc_ap_few_values(few):
    ref = few["ref"]
    assert fm.roc_auc_score(few["y"], few["s"]) == pytest.approx(ref["auc"], rel=1e-12)
    assert fm.average_precision_score(few["y"], few["s"]) == pytest.approx(ref["ap"],
                                                                            rel=1e-12)


def test_auc_ap_few_values_float32_weights(few):
    # weighted negatives sum to about 34M: a float32 weighted running sum
    # would round at every step past 2**24
    wref = few["wref"]
    auc = fm.roc_auc_score(few["y"], few["s"], sample_weight=few["w"])
    ap = fm.average_precision_score(few["y"], few["s"], sample_weight=few["w"])
    assert auc == pytest.approx(wref["auc"], rel=1e-12)
    assert ap == pytest.approx(wref["ap"], rel=1e-12)
    assert abs(auc - few["ref"]["auc"]) > 1e-6  # the weights do change the result


def test_roc_curve_few_values(few):
    ref = few["ref"]
    fpr, tpr, thr = fm.roc_curve(few["y"], few["s"], drop_intermediate=False)
    np.testing.assert_array_equal(thr, np.r_[np.inf, ref["thresholds"]])
    np.testing.assert_allclose(fpr, np.r_[0, ref["fps"]] / ref["Q"], rtol=1e-15, atol=0)
    np.testing.assert_allclose(tpr, np.r_[0, ref["tps"]] / ref["P"], rtol=1e-15, atol=0)
    assert fpr[-1] == 1.0 and tpr[-1] == 1.0
    # drop_intermediate keeps a subset of the same points, ends included
    fpr_d, tpr_d, thr_d = fm.roc_curve(few["y"], few["s"])
    at = np.searchsorted(-thr, -thr_d)
    np.testing.assert_array_equal(thr[at], thr_d)
    np.testing.assert_array_equal(fpr[at], fpr_d)
    np.testing.assert_array_equal(tpr[at], tpr_d)
    assert thr_d[1] == thr[1] and fpr_d[-1] == 1.0 and tpr_d[-1] == 1.0


def test_precision_recall_curve_few_values(few):
    ref = few["ref"]
    prec, rec, thr = fm.precision_recall_curve(few["y"], few["s"])
    tps, fps = ref["tps"], ref["fps"]
    np.testing.assert_array_equal(thr, ref["thresholds"][::-1])
    np.testing.assert_allclose(prec, np.r_[(tps / (tps + fps))[::-1], 1.0], rtol=1e-15)
    np.testing.assert_allclose(rec, np.r_[(tps / ref["P"])[::-1], 0.0], rtol=1e-15)


def test_reference_detects_float32_counting(few):
    """A float32 running count (the old scikit-learn bug) misses the tolerances above."""
    ref = few["ref"]
    # labels in descending score order (order inside a tie does not matter at
    # the tie ends, where the curve is read); the scan a sort-based AUC does
    pos_d, neg_d = few["pos"][::-1], few["neg"][::-1]
    blocks = np.stack([pos_d, neg_d], axis=1).ravel()
    labels = np.repeat(np.tile(np.array([1, 0], dtype=np.int8), NUM_VALUES), blocks)
    ends = np.cumsum(pos_d + neg_d)[(pos_d + neg_d) > 0] - 1
    fps32 = np.cumsum(1 - labels, dtype=np.float32)[ends].astype(np.float64)
    tps32 = np.cumsum(labels, dtype=np.float32)[ends].astype(np.float64)
    assert fps32[-1] == 2**24 < ref["Q"]  # the float32 count stalls at 2**24
    fpr = np.r_[0, fps32] / fps32[-1]
    tpr = np.r_[0, tps32] / tps32[-1]
    auc32 = float(np.trapezoid(tpr, fpr))
    assert abs(auc32 - ref["auc"]) > 1e-6 * ref["auc"]
    # while the same trapezoid on exact counts gives the reference
    fpr = np.r_[0, ref["fps"]] / ref["Q"]
    tpr = np.r_[0, ref["tps"]] / ref["P"]
    assert float(np.trapezoid(tpr, fpr)) == pytest.approx(ref["auc"], rel=1e-12)


# --------------------------------------------------------------- continuous scores
def test_auc_ap_continuous(continuous):
    ref = continuous["ref"]
    y, s = continuous["y"], continuous["s"]
    assert fm.roc_auc_score(y, s) == pytest.approx(ref["auc"], rel=1e-12)
    assert fm.average_precision_score(y, s) == pytest.approx(ref["ap"], rel=1e-12)
    # the float64 path (index-permutation sort, not the packed float32 keys)
    assert fm.roc_auc_score(y, s.astype(np.float64)) == pytest.approx(ref["auc"], rel=1e-12)


def test_roc_curve_continuous(continuous):
    ref = continuous["ref"]
    fpr, tpr, thr = fm.roc_curve(continuous["y"], continuous["s"], drop_intermediate=False)
    assert fpr.shape == (ref["thresholds"].size + 1,)
    # the last points, where a float32 count would have stalled, and a sample
    # of points spread over the whole curve
    m = fpr.size
    idx = np.unique(np.r_[np.arange(m - 1000, m),
                          np.random.default_rng(0).integers(1, m, 1000)])
    np.testing.assert_array_equal(thr[idx], ref["thresholds"][idx - 1])
    np.testing.assert_allclose(fpr[idx], ref["fps"][idx - 1] / ref["Q"], rtol=1e-15, atol=0)
    np.testing.assert_allclose(tpr[idx], ref["tps"][idx - 1] / ref["P"], rtol=1e-15, atol=0)
    assert fpr[-1] == 1.0 and tpr[-1] == 1.0 and thr[0] == np.inf

"""The parallel bucket sort behind the binary ranking metrics.

Scores are turned into packed keys ``(order key - kmin) << 1 | label``, whose
top bits pick a fine bin; fine bins are grouped into buckets that are sorted
in cache and scanned in parallel.  These tests aim at the places where that can
go wrong — ties split across buckets, buckets far larger than the target size,
several chunks, negative / mixed-sign / denormal / -0.0 scores, float64 ranges
too wide for a label bit (fallback path) — comparing with scikit-learn and with
an independent numpy reference, and check that the result does not depend on
the thread count.
"""

import os
import subprocess
import sys
import textwrap
import zlib

import numpy as np
import pytest
from sklearn import metrics as skm

import fastmetrics as fm
from fastmetrics import config
from fastmetrics.ranking import _binary as R
from fastmetrics.ranking import _sklearn
from fastmetrics._kernels.cpu import bucket_sort as B


def _np_auc_ap(y, s, w=None):
    """Exact ROC AUC and AP with numpy: group tied scores, cumulate in float64."""
    w = np.ones(len(y)) if w is None else np.asarray(w, dtype=np.float64)
    keep = w > 0  # zero-weight samples are dropped, as scikit-learn does
    y, s, w = y[keep], np.asarray(s, dtype=np.float64)[keep], w[keep]
    u, inv = np.unique(-s, return_inverse=True)  # descending distinct scores
    pos = np.bincount(inv, weights=w * (y == 1), minlength=len(u))
    neg = np.bincount(inv, weights=w * (y != 1), minlength=len(u))
    tps, fps = np.cumsum(pos), np.cumsum(neg)
    tp0, fp0 = np.r_[0.0, tps[:-1]], np.r_[0.0, fps[:-1]]
    auc = np.sum((fps - fp0) * (tps + tp0)) / 2 / (fps[-1] * tps[-1])
    ap = np.sum((tps - tp0) * tps / (tps + fps)) / tps[-1]
    return auc, ap


def _scores(kind, n, rng):
    if kind == "uniform01_f32":
        return rng.random(n, dtype=np.float32)
    if kind == "normal_f32":
        return rng.standard_normal(n, dtype=np.float32)
    if kind == "few_distinct_f32":
        return rng.integers(0, 7, n).astype(np.float32) / 4
    if kind == "all_equal_f32":
        return np.full(n, 0.25, dtype=np.float32)
    if kind == "crowded_one_bin_f32":
        # ~all scores inside one fine bin: one bucket far above the target size
        return (1.0 + rng.integers(0, 2**12, n) * 2.0**-23).astype(np.float32)
    if kind == "signed_zero_denormal_f32":
        v = np.array([-0.0, 0.0, 1e-45, -1e-45, 1e-40, -3.0, 3.0], dtype=np.float32)
        return v[rng.integers(0, len(v), n)]
    if kind == "logits_f64":
        return rng.normal(0, 5, n)
    if kind == "wide_f64":  # both signs, huge range: no room for the label bit
        return rng.choice([-1e300, -1.0, -1e-300, 0.0, 1e-300, 1.0, 1e300], n) * rng.random(n)
    if kind == "int64":
        return rng.integers(-1000, 1000, n)
    raise AssertionError(kind)


KINDS = ["uniform01_f32", "normal_f32", "few_distinct_f32", "all_equal_f32",
         "crowded_one_bin_f32", "signed_zero_denormal_f32", "logits_f64", "wide_f64",
         "int64"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("weighted", [False, True])
def test_auc_ap_against_references(kind, weighted):
    rng = np.random.default_rng(zlib.crc32(f"{kind}{weighted}".encode()))
    n = 300_000
    s = _scores(kind, n, rng)
    y = (rng.random(n) < 0.2).astype(np.int64)
    y[:2] = [0, 1]
    w = rng.random(n) * (rng.random(n) < 0.9) if weighted else None  # some zero weights
    exp_auc, exp_ap = _np_auc_ap(y, s, w)
    if kind == "all_equal_f32":
        assert exp_auc == pytest.approx(0.5)
    got_auc = fm.roc_auc_score(y, s, sample_weight=w)
    got_ap = fm.average_precision_score(y, s, sample_weight=w)
    np.testing.assert_allclose(got_auc, exp_auc, rtol=1e-10)
    np.testing.assert_allclose(got_ap, exp_ap, rtol=1e-10)


@pytest.mark.parametrize("kind", KINDS)
def test_curves_against_sklearn(kind):
    rng = np.random.default_rng(zlib.crc32(kind.encode()))
    n = config.PARALLEL_MIN + 5_000
    s = _scores(kind, n, rng)
    y = (rng.random(n) < 0.3).astype(np.int64)
    y[:2] = [0, 1]
    w = rng.random(n) * (rng.random(n) < 0.9)
    for kw in ({}, {"sample_weight": w}):
        for di in (False, True):
            got = fm.roc_curve(y, s, drop_intermediate=di, **kw)
            exp = skm.roc_curve(y, s, drop_intermediate=di, **kw)
            for g, e in zip(got, exp):
                assert g.shape == e.shape
                np.testing.assert_allclose(g, e, rtol=1e-10, atol=1e-12)
            got = fm.precision_recall_curve(y, s, drop_intermediate=di, **kw)
            exp = skm.precision_recall_curve(y, s, drop_intermediate=di, **kw)
            for g, e in zip(got, exp):
                assert g.shape == e.shape and g.dtype == e.dtype
                np.testing.assert_allclose(g, e, rtol=1e-10, atol=1e-12)
            got = fm.det_curve(y, s, drop_intermediate=di, **kw)
            exp = skm.det_curve(y, s, drop_intermediate=di, **kw)
            for g, e in zip(got, exp):
                assert g.shape == e.shape
                np.testing.assert_allclose(g, e, rtol=1e-10, atol=1e-12)


def test_small_inputs_take_the_serial_path():
    y = np.arange(1000) % 2
    s = np.linspace(0, 1, 1000)
    assert R._packed_sorted(y, 1, s, None) is None
    assert R._packed_sorted(np.arange(config.PARALLEL_MIN) % 2, 1,
                            np.linspace(0, 1, config.PARALLEL_MIN), None) is not None


def test_several_chunks_and_buckets_sorted():
    """Past one chunk (2**20 tokens) the per-chunk scatter offsets must
    interleave correctly: the sorted keys equal numpy's sort."""
    rng = np.random.default_rng(7)
    n = 2 * B.CHUNK + 12_345
    s = rng.standard_normal(n).astype(np.float32)
    s[::1000] = 0.5  # a large tie group
    y = (rng.random(n) < 0.5).astype(np.int64)
    w = rng.random(n)
    (labels, pos), ys, sw, _ = R._curve_inputs(y, s, None, w, raw_labels=True)
    sk, sws, starts, (tot, _, _), decode = R._packed_sorted(labels, pos, ys, sw)
    assert starts.shape[0] - 1 > 2  # several buckets
    order = np.lexsort((y, s))  # by score, then label (the packed key's bit 0)
    np.testing.assert_array_equal(decode(sk), s[order])
    np.testing.assert_array_equal(sk & 1, y[order])
    # the sort is stable (chunks scatter in order, buckets sort by LSD): the
    # weights come out exactly in lexsort's order
    np.testing.assert_array_equal(sws, w[order])
    np.testing.assert_allclose(tot[:, 0].sum(), w[y == 1].sum(), rtol=1e-12)
    np.testing.assert_allclose(tot[:, 1].sum(), w[y == 0].sum(), rtol=1e-12)


def test_nonfinite_score_reports_first_index():
    s = np.linspace(0, 1, 1000).astype(np.float32)
    s[[17, 400]] = [np.inf, np.nan]
    y = np.arange(1000) % 2
    with pytest.raises(ValueError, match="index 17"):
        fm.roc_auc_score(y, s)
    with pytest.raises(ValueError, match="index 17"):
        fm.roc_curve(y, s)


_SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np
    import numba
    import fastmetrics as fm
    assert numba.get_num_threads() == int(sys.argv[2])
    rng = np.random.default_rng(11)
    n = 2_500_000
    y = (rng.random(n) < 0.1).astype(np.int64)
    s = (rng.random(n) * 0.5 + 0.3 * y).astype(np.float32)
    w = rng.random(n)
    res = {}
    res["auc_w"] = np.float64(fm.roc_auc_score(y, s, sample_weight=w))
    res["ap_w"] = np.float64(fm.average_precision_score(y, s, sample_weight=w))
    fpr, tpr, thr = fm.roc_curve(y, s, sample_weight=w)
    res["fpr"], res["tpr"], res["thr"] = fpr, tpr, thr
    np.savez(sys.argv[1], **res)
    """
)


def test_thread_count_does_not_change_results(tmp_path):
    script = tmp_path / "run.py"
    script.write_text(_SCRIPT)
    outs = []
    for threads in (1, 2):
        out = tmp_path / f"r{threads}.npz"
        env = dict(os.environ, NUMBA_NUM_THREADS=str(threads))
        subprocess.run([sys.executable, str(script), str(out), str(threads)], check=True,
                       env=env, cwd=os.getcwd())
        outs.append(np.load(out))
    for key in outs[0].files:
        a, b = outs[0][key], outs[1][key]
        a, b = np.atleast_1d(a), np.atleast_1d(b)
        assert a.shape == b.shape and np.array_equal(a.view(np.uint8), b.view(np.uint8)), key


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("weighted", [False, True])
def test_one_vs_rest_fast_path_matches_sklearn(dtype, weighted):
    """Above the parallel threshold one-vs-rest AUC sorts strided columns with
    the labels tested on the fly; compare every average with scikit-learn."""
    rng = np.random.default_rng(5 + weighted)
    n, classes = config.PARALLEL_MIN + 3_000, np.array([2, 5, 7, 9, 11])
    y = classes[rng.integers(0, 5, n)]
    logits = rng.standard_normal((n, 5)) + (y[:, None] == classes[None, :]) * 0.7
    logits = np.round(logits, 1)  # ties within and across classes
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    p = p.astype(dtype)
    w = rng.random(n) if weighted else None
    assert _sklearn._ovr_fast(y, p, classes, "macro", w) is not None  # the fast path is taken
    for average in ("macro", "weighted", None):
        got = fm.roc_auc_score(y, p, multi_class="ovr", average=average, sample_weight=w)
        exp = skm.roc_auc_score(y, p, multi_class="ovr", average=average, sample_weight=w)
        np.testing.assert_allclose(got, exp, rtol=1e-10)
    # a class of `labels` absent from y_true: the general path warns like sklearn
    y2 = np.where(y == 11, 9, y)
    with pytest.warns(Warning) as got_w:
        got = fm.roc_auc_score(y2, p, multi_class="ovr", labels=classes)
    with pytest.warns(Warning) as exp_w:
        exp = skm.roc_auc_score(y2, p, multi_class="ovr", labels=classes)
    np.testing.assert_allclose(got, exp, rtol=1e-10, equal_nan=True)
    assert [str(x.message) for x in got_w] == [str(x.message) for x in exp_w]

"""Per-token losses against Keras 3, float64 brute-force loops and scikit-learn.

Keras is the reference for the Keras-named losses: every loss x reduction x
(mask, per-sequence weights, per-token weights, class weights) is compared with
``keras.losses.<Class>(reduction=...)(y_true, y_pred, sample_weight=...)``,
the mask attached to ``y_pred`` as a Keras mask, the class weights multiplied
into the sample weight (what Keras' ``fit`` does with ``class_weight``).
Keras computes in float32, so those comparisons are to float32 rounding; the
brute-force references below are float64 loops written from Keras' formulas
and are matched to 1e-12.
"""

import math
import os
import subprocess
import sys
import textwrap
import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import fastmetrics.losses as L

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")
from keras.src import backend as kbackend
from sklearn.metrics import log_loss as sk_log_loss

EPS = 1e-7
REDUCTIONS = ("none", "sum", "sum_over_batch_size", "mean", "mean_with_sample_weight")
N, T, C = 5, 7, 4


# --------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------
def _data(seed=0, scale=3.0, n=N, t=T, c=C):
    rng = np.random.default_rng(seed)
    logits = (rng.standard_normal((n, t, c)) * scale).astype(np.float32)
    e = np.exp(logits - logits.max(-1, keepdims=True))
    probs = (e / e.sum(-1, keepdims=True)).astype(np.float32)
    ids = rng.integers(0, c, size=(n, t))
    onehot = np.eye(c, dtype=np.float32)[ids]
    lengths = rng.integers(1, t + 1, size=n)
    lengths[0] = t
    mask = np.arange(t)[None, :] < lengths[:, None]
    sw_seq = rng.uniform(0.2, 2.0, size=n)
    sw_tok = rng.uniform(0.0, 2.0, size=(n, t))
    cw = rng.uniform(0.5, 3.0, size=c)
    # binary: one probability / logit per token, shape (n, t, 1)
    blog = (rng.standard_normal((n, t, 1)) * scale).astype(np.float32)
    bprob = (1 / (1 + np.exp(-blog.astype(np.float64)))).astype(np.float32)
    bprob[0, 0, 0], bprob[0, 1, 0] = 0.0, 1.0  # exact 0 and 1 (Keras clips)
    by = rng.integers(0, 2, size=(n, t, 1)).astype(np.float32)
    return dict(logits=logits, probs=probs, ids=ids, onehot=onehot, mask=mask, sw_seq=sw_seq,
                sw_tok=sw_tok, cw=cw, blog=blog, bprob=bprob, by=by)


D = _data()

# name -> (fastmetrics function, Keras class, kind, extra kwargs)
LOSSES = {
    "bce": (L.binary_crossentropy, "BinaryCrossentropy", "binary", {}),
    "bce_ls": (L.binary_crossentropy, "BinaryCrossentropy", "binary", {"label_smoothing": 0.2}),
    "bfocal": (L.binary_focal_crossentropy, "BinaryFocalCrossentropy", "binary",
               {"gamma": 1.5}),
    "bfocal_bal": (L.binary_focal_crossentropy, "BinaryFocalCrossentropy", "binary",
                   {"apply_class_balancing": True, "alpha": 0.3, "label_smoothing": 0.1}),
    "cce": (L.categorical_crossentropy, "CategoricalCrossentropy", "dense", {}),
    "cce_ls": (L.categorical_crossentropy, "CategoricalCrossentropy", "dense",
               {"label_smoothing": 0.1}),
    "cfocal": (L.categorical_focal_crossentropy, "CategoricalFocalCrossentropy", "dense", {}),
    "cfocal_ls": (L.categorical_focal_crossentropy, "CategoricalFocalCrossentropy", "dense",
                  {"alpha": 0.6, "gamma": 3.0, "label_smoothing": 0.2}),
    "scce": (L.sparse_categorical_crossentropy, "SparseCategoricalCrossentropy", "sparse", {}),
}
WEIGHTINGS = ("plain", "mask", "seq", "tok_cw", "mask_seq_cw")


def _inputs(kind, from_logits, d=D):
    if kind == "binary":
        return d["by"], (d["blog"] if from_logits else d["bprob"])
    yp = d["logits"] if from_logits else d["probs"]
    return (d["onehot"] if kind == "dense" else d["ids"]), yp


def _true_class(kind, yt):
    if kind == "binary":
        return (yt[..., 0] > 0.5).astype(np.int64)
    if kind == "dense":
        return yt.argmax(-1)
    return yt


def _weight_args(weighting, d=D):
    """(fastmetrics kwargs, per-token weight array or None, mask or None)."""
    mask = d["mask"] if "mask" in weighting else None
    kw = {}
    sw_tok = None
    if "seq" in weighting:
        kw["sample_weight"] = d["sw_seq"]
        sw_tok = np.broadcast_to(d["sw_seq"][:, None], (N, T))
    if "tok" in weighting:
        kw["sample_weight"] = d["sw_tok"]
        sw_tok = d["sw_tok"]
    if mask is not None:
        kw["mask"] = mask
    return kw, sw_tok, mask


def _keras_loss(cls, reduction, kwargs, yt, yp, sample_weight, mask):
    loss = getattr(keras.losses, cls)(reduction=reduction, **kwargs)
    yp_t = tf.constant(yp)
    if mask is not None:
        kbackend.set_keras_mask(yp_t, tf.constant(mask))
    sw = None if sample_weight is None else tf.constant(sample_weight, dtype=tf.float32)
    return np.asarray(loss(tf.constant(yt), yp_t, sample_weight=sw), dtype=np.float64)


@pytest.mark.parametrize("from_logits", [False, True], ids=["probs", "logits"])
@pytest.mark.parametrize("weighting", WEIGHTINGS)
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_matches_keras_every_reduction(name, weighting, from_logits):
    fn, cls, kind, extra = LOSSES[name]
    yt, yp = _inputs(kind, from_logits)
    kw, sw_tok, mask = _weight_args(weighting)
    cw = D["cw"][:2] if kind == "binary" else D["cw"]
    w_keras = sw_tok
    if "cw" in weighting:
        kw["class_weight"] = cw
        f = cw[_true_class(kind, yt)]
        w_keras = f if w_keras is None else w_keras * f
    for reduction in REDUCTIONS:
        got = fn(yt, yp, from_logits=from_logits, reduction=reduction, **kw, **extra)
        ref = _keras_loss(cls, reduction, dict(from_logits=from_logits, **extra), yt, yp,
                          w_keras, mask)
        if reduction == "none":
            assert got.shape == (N, T) and got.dtype == np.float64
            np.testing.assert_allclose(got, ref, rtol=2e-5, atol=2e-6)
            if mask is not None:
                assert np.all(got[~mask] == 0)
        else:
            assert isinstance(got, float)
            np.testing.assert_allclose(got, float(ref), rtol=2e-5, atol=1e-7)


def test_ignore_index_is_keras_ignore_class():
    ids = D["ids"].copy()
    ids[1, 2:] = -100
    ids[3, 0] = -100
    for from_logits in (False, True):
        yp = D["logits"] if from_logits else D["probs"]
        for reduction in REDUCTIONS:
            for kw, kmask in (({}, None), ({"mask": D["mask"]}, D["mask"])):
                got = L.sparse_categorical_crossentropy(
                    ids, yp, from_logits=from_logits, ignore_index=-100, reduction=reduction,
                    sample_weight=D["sw_tok"], **kw)
                ref = _keras_loss("SparseCategoricalCrossentropy", reduction,
                                  dict(from_logits=from_logits, ignore_class=-100), ids, yp,
                                  D["sw_tok"], kmask)
                np.testing.assert_allclose(got, ref, rtol=2e-5, atol=2e-6)
    # dropping the tokens == masking them
    keep = ids != -100
    a = L.sparse_categorical_crossentropy(ids, D["probs"], ignore_index=-100)
    b = L.sparse_categorical_crossentropy(np.where(keep, ids, 0), D["probs"], mask=keep)
    assert a == b


def test_sparse_accepts_trailing_axis_and_float_ids():
    ref = L.sparse_categorical_crossentropy(D["ids"], D["probs"], reduction="none")
    a = L.sparse_categorical_crossentropy(D["ids"][..., None], D["probs"], reduction="none")
    b = L.sparse_categorical_crossentropy(D["ids"].astype(np.float32), D["probs"],
                                          reduction="none")
    np.testing.assert_array_equal(a, ref)
    np.testing.assert_array_equal(b, ref)


def test_binary_elementwise_tokens_and_squeeze():
    """(N, T) and (N, T, 1) predictions give the same (N, T) per-token losses."""
    yt, yp = D["by"], D["bprob"]
    a = L.binary_crossentropy(yt, yp, reduction="none")
    b = L.binary_crossentropy(yt[..., 0], yp[..., 0], reduction="none")
    c = L.binary_crossentropy(yt[..., 0], yp, reduction="none")
    assert a.shape == (N, T)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)
    # multilabel (N, T, L): every element is a token; a (N, T) mask is a prefix
    rng = np.random.default_rng(3)
    ml_p = rng.random((N, T, 3))
    ml_y = (rng.random((N, T, 3)) < 0.5).astype(np.int8)
    full = L.binary_crossentropy(ml_y, ml_p, reduction="none")
    assert full.shape == (N, T, 3)
    m = D["mask"]
    masked = L.binary_crossentropy(ml_y, ml_p, mask=m, reduction="none")
    np.testing.assert_array_equal(masked, np.where(m[..., None], full, 0.0))
    assert L.binary_crossentropy(ml_y, ml_p, mask=m) == pytest.approx(
        full[m].sum() / (m.sum() * 3), rel=1e-12)


# --------------------------------------------------------------------------
# float64 brute-force references (loops over tokens, Keras' formulas)
# --------------------------------------------------------------------------
def _clip(p):
    return min(max(p, EPS), 1 - EPS)


def _ref_token(name, yt_row, yp_row, from_logits, extra):
    """Loss of one token from Python floats (no NumPy vector ops)."""
    ls = extra.get("label_smoothing", 0.0)
    if name.startswith("b"):
        y, x = float(yt_row), float(yp_row)
        z = y * (1 - ls) + 0.5 * ls
        if name.startswith("bce"):
            if from_logits:  # softplus(x) - x z, stable
                return max(x, 0.0) - x * z + math.log1p(math.exp(-abs(x)))
            q = _clip(x)
            return -(z * math.log(q) + (1 - z) * math.log(1 - q))
        gamma = extra.get("gamma", 2.0)
        alpha = extra.get("alpha", 0.25)
        p = 1 / (1 + math.exp(-x)) if from_logits else x
        q = _clip(p)
        bce = -(z * math.log(q) + (1 - z) * math.log(1 - q))
        pt = z * p + (1 - z) * (1 - p)
        out = (1 - pt) ** gamma * bce
        if extra.get("apply_class_balancing"):
            out *= z * alpha + (1 - z) * (1 - alpha)
        return out
    xs = [float(v) for v in yp_row]
    c = len(xs)
    if name == "scce":
        t = int(yt_row)
        if from_logits:
            m = max(xs)
            jm = xs.index(m)
            rest = math.fsum(math.exp(v - m) for j, v in enumerate(xs) if j != jm)
            return (m - xs[t]) + math.log1p(rest)
        # log(sum_c clip(p_c)) - log(clip(p_t)), written as log1p for precision
        rest = math.fsum(_clip(v) for j, v in enumerate(xs) if j != t)
        return math.log1p(rest / _clip(xs[t]))
    zs = [float(v) * (1 - ls) + ls / c for v in yt_row]
    if from_logits:
        m = max(xs)
        jm = xs.index(m)
        lse_m = math.log1p(math.fsum(math.exp(v - m) for j, v in enumerate(xs) if j != jm))
        ps = [math.exp((v - m) - lse_m) for v in xs]
    else:
        ps = list(xs)
    s = math.fsum(ps)
    if name.startswith("cce"):
        if from_logits:
            return math.fsum(z * ((m - v) + lse_m) for z, v in zip(zs, xs))
        return -math.fsum(z * math.log(_clip(p / s)) for z, p in zip(zs, ps))
    gamma = extra.get("gamma", 2.0)
    alpha = extra.get("alpha", 0.25)
    qs = [_clip(p / s) for p in ps]
    return math.fsum(alpha * (1 - q) ** gamma * (-z * math.log(q)) for z, q in zip(zs, qs))


def _ref_reduce(losses, weights, keep, reduction):
    s = wsum = 0.0
    k = 0
    out = np.zeros(len(losses))
    for i, (l, w, kp) in enumerate(zip(losses, weights, keep)):
        if kp:
            s += l * w
            wsum += w
            k += 1
            out[i] = l * w
    if reduction == "none":
        return out
    if reduction == "sum":
        return s
    if reduction in ("mean", "sum_over_batch_size"):
        return s / k if k else 0.0
    return s / wsum if wsum else 0.0


@pytest.mark.parametrize("from_logits", [False, True], ids=["probs", "logits"])
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_matches_float64_bruteforce(name, from_logits):
    fn, _, kind, extra = LOSSES[name]
    d = _data(seed=7, scale=6.0)
    yt, yp = _inputs(kind, from_logits, d)
    yp = yp.astype(np.float64) * (1.0 if not from_logits else 1.37)  # float64 inputs
    mask, sw, cw = d["mask"], d["sw_tok"], d["cw"][:2] if kind == "binary" else d["cw"]
    cls = _true_class(kind, yt)
    n = N * T
    yt_rows = yt.reshape(n, -1) if kind == "dense" else yt.reshape(n)
    yp_rows = yp.reshape(n, -1) if kind != "binary" else yp.reshape(n)
    losses = [_ref_token(name, yt_rows[i], yp_rows[i], from_logits, extra) for i in range(n)]
    weights = (sw * cw[cls]).reshape(n)
    for reduction in REDUCTIONS:
        got = fn(yt, yp, from_logits=from_logits, reduction=reduction, sample_weight=sw,
                 class_weight=cw, mask=mask, **extra)
        ref = _ref_reduce(losses, weights, mask.reshape(n), reduction)
        if reduction == "none":
            # atol: Keras' focal factor (1 - q)^gamma cancels for q close to 1, so a
            # token's loss is defined to ~1e-16 absolute, not relative
            np.testing.assert_allclose(got.reshape(n), ref, rtol=1e-12, atol=1e-15)
        else:
            assert got == pytest.approx(ref, rel=1e-12, abs=1e-300)


def test_extreme_logits_finite_and_exact():
    big = 1e4
    x = np.array([[big, -big, 0.0], [-big, -big, big], [0.0, 0.0, -big], [big, big, -big]])
    ids = np.array([1, 2, 2, 0])
    onehot = np.eye(3)[ids]
    # exact values: logsumexp(x) - x_t
    ref = np.array([2 * big, 0.0, big + math.log(2.0), math.log(2.0)])
    got = L.sparse_categorical_crossentropy(ids, x, from_logits=True, reduction="none")
    np.testing.assert_allclose(got, ref, rtol=1e-15, atol=0)
    got = L.categorical_crossentropy(onehot, x, from_logits=True, reduction="none")
    np.testing.assert_allclose(got, ref, rtol=1e-15, atol=0)
    # label smoothing, float32 input, against Keras (stable in TF too)
    g = L.categorical_crossentropy(onehot, x.astype(np.float32), from_logits=True,
                                   label_smoothing=0.1, reduction="none")
    k = keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1,
                                             reduction="none")(onehot, x.astype(np.float32))
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(g, np.asarray(k), rtol=1e-6)
    # binary: softplus(x) - x z, exact
    bx = np.array([big, -big, big, -big, 0.0])
    by = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    got = L.binary_crossentropy(by, bx, from_logits=True, reduction="none")
    np.testing.assert_array_equal(got, [0.0, 0.0, big, big, math.log(2.0)])
    # focal losses go through Keras' clipped probabilities: finite, saturated
    got = L.binary_focal_crossentropy(by, bx, from_logits=True, gamma=0.0, reduction="none")
    hi = 1 - EPS  # float64 input: Keras' bounds in float64
    np.testing.assert_allclose(got, [-math.log(hi), -math.log(hi), -math.log(1 - hi),
                                     -math.log(EPS), math.log(2.0)], rtol=1e-12)
    got = L.categorical_focal_crossentropy(onehot, x, from_logits=True, reduction="none")
    assert np.all(np.isfinite(got))
    kf = keras.losses.CategoricalFocalCrossentropy(from_logits=True, reduction="none")(
        onehot.astype(np.float32), x.astype(np.float32))
    np.testing.assert_allclose(got, np.asarray(kf), rtol=1e-5, atol=1e-7)


def test_probabilities_zero_and_one_are_clipped_like_keras():
    p = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.0]], dtype=np.float32)
    ids = np.array([0, 2, 2])
    onehot = np.eye(3, dtype=np.float32)[ids]
    for fn, cls, yt in ((L.sparse_categorical_crossentropy, "SparseCategoricalCrossentropy",
                         ids),
                        (L.categorical_crossentropy, "CategoricalCrossentropy", onehot),
                        (L.categorical_focal_crossentropy, "CategoricalFocalCrossentropy",
                         onehot)):
        got = fn(yt, p, reduction="none")
        assert np.all(np.isfinite(got))
        ref = getattr(keras.losses, cls)(reduction="none")(yt, p)
        np.testing.assert_allclose(got, np.asarray(ref), rtol=1e-5, atol=2e-7)
    # float64 exact: -log(1e-7) for a zero probability of the true class
    got = L.categorical_crossentropy(np.eye(3)[ids], p.astype(np.float64), reduction="none")
    np.testing.assert_allclose(got, [-math.log(1 - EPS), -math.log(EPS), -math.log(EPS)],
                               rtol=1e-14)
    b = L.binary_crossentropy([1.0, 0.0, 1.0], [1.0, 0.0, 0.0], reduction="none")
    np.testing.assert_allclose(b, [-math.log(1 - EPS), -math.log(1 - EPS), -math.log(EPS)],
                               rtol=1e-14)


@pytest.mark.parametrize("from_logits", [False, True], ids=["probs", "logits"])
def test_soft_targets_match_keras(from_logits):
    """Targets that are not one-hot (soft labels, no smoothing), incl. an all-zero row."""
    rng = np.random.default_rng(4)
    soft = rng.dirichlet(np.ones(C), size=(N, T)).astype(np.float32)
    soft[0, 0] = 0.0
    yp = D["logits"] if from_logits else D["probs"]
    for fn, cls in ((L.categorical_crossentropy, "CategoricalCrossentropy"),
                    (L.categorical_focal_crossentropy, "CategoricalFocalCrossentropy")):
        got = fn(soft, yp, from_logits=from_logits, reduction="none")
        ref = getattr(keras.losses, cls)(from_logits=from_logits, reduction="none")(soft, yp)
        np.testing.assert_allclose(got, np.asarray(ref), rtol=2e-5, atol=1e-6)
        assert got[0, 0] == 0.0


def test_alpha_per_class_focal_matches_keras():
    alpha = np.array([0.1, 0.2, 0.3, 0.4])
    got = L.categorical_focal_crossentropy(D["onehot"], D["probs"], alpha=alpha,
                                           reduction="none")
    ref = keras.losses.CategoricalFocalCrossentropy(alpha=alpha.tolist(), reduction="none")(
        D["onehot"], D["probs"])
    np.testing.assert_allclose(got, np.asarray(ref), rtol=2e-5, atol=1e-7)


def test_mask_rescales_sum_over_batch_size():
    """Keras: a mask turns sum_over_batch_size into sum / (number of unmasked tokens)."""
    none = L.sparse_categorical_crossentropy(D["ids"], D["probs"], reduction="none",
                                             mask=D["mask"], sample_weight=D["sw_tok"])
    total = L.sparse_categorical_crossentropy(D["ids"], D["probs"], reduction="sum",
                                              mask=D["mask"], sample_weight=D["sw_tok"])
    mean = L.sparse_categorical_crossentropy(D["ids"], D["probs"], mask=D["mask"],
                                             sample_weight=D["sw_tok"])
    mws = L.sparse_categorical_crossentropy(D["ids"], D["probs"], mask=D["mask"],
                                            sample_weight=D["sw_tok"],
                                            reduction="mean_with_sample_weight")
    assert total == pytest.approx(none.sum(), rel=1e-12)
    assert mean == pytest.approx(total / D["mask"].sum(), rel=1e-12)
    assert mws == pytest.approx(total / D["sw_tok"][D["mask"]].sum(), rel=1e-12)
    # everything masked: Keras' divide_no_nan gives 0
    nothing = np.zeros((N, T), dtype=bool)
    for red in ("sum", "mean", "sum_over_batch_size", "mean_with_sample_weight"):
        assert L.sparse_categorical_crossentropy(D["ids"], D["probs"], mask=nothing,
                                                 reduction=red) == 0.0


def test_sample_weight_class_weight_multiply():
    cw = {0: 2.0, 3: 0.5}
    cw_arr = np.array([2.0, 1.0, 1.0, 0.5])
    a = L.sparse_categorical_crossentropy(D["ids"], D["probs"], sample_weight=D["sw_seq"],
                                          class_weight=cw, reduction="none")
    b = L.sparse_categorical_crossentropy(
        D["ids"], D["probs"], reduction="none",
        sample_weight=D["sw_seq"][:, None] * cw_arr[D["ids"]])
    np.testing.assert_allclose(a, b, rtol=1e-15)
    # (N,) weights are prefix-broadcast even when N == T
    yp = D["probs"][:, :N]
    a = L.sparse_categorical_crossentropy(D["ids"][:, :N], yp, sample_weight=D["sw_seq"],
                                          reduction="none")
    b = L.sparse_categorical_crossentropy(D["ids"][:, :N], yp, reduction="none")
    np.testing.assert_allclose(a, b * D["sw_seq"][:, None], rtol=1e-15)


# --------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------
def test_bad_input_errors_name_argument_and_token():
    ids = D["ids"].copy()
    ids[2, 3] = C
    with pytest.raises(ValueError, match=r"y_true .*token \(2, 3\)"):
        L.sparse_categorical_crossentropy(ids, D["probs"])
    ids[2, 3] = -1
    with pytest.raises(ValueError, match=r"y_true .*token \(2, 3\)"):
        L.sparse_categorical_crossentropy(ids, D["probs"])
    # a bad label under the mask is not an error
    m = np.ones((N, T), dtype=bool)
    m[2, 3] = False
    L.sparse_categorical_crossentropy(ids, D["probs"], mask=m)
    p = D["probs"].copy()
    p[1, 4, 2] = np.nan
    for fn, yt in ((L.sparse_categorical_crossentropy, D["ids"]),
                   (L.categorical_crossentropy, D["onehot"])):
        with pytest.raises(ValueError, match=r"y_pred contains NaN .*token \(1, 4\)"):
            fn(yt, p)
        with pytest.raises(ValueError, match=r"y_pred contains NaN .*token \(1, 4\)"):
            fn(yt, p, from_logits=True)
    p = D["probs"].copy()
    p[0, 6, 0] = 1.5
    with pytest.raises(ValueError, match=r"y_pred .*outside \[0, 1\] at token \(0, 6\)"):
        L.categorical_crossentropy(D["onehot"], p)
    with pytest.raises(ValueError, match=r"y_pred .*outside \[0, 1\] at token \(0, 6\)"):
        L.sparse_categorical_crossentropy(D["ids"], p)
    with pytest.raises(ValueError, match=r"y_pred .*outside \[0, 1\] at token \(0, 3\)"):
        L.binary_crossentropy(D["by"][..., 0], np.full((N, T), 0.5) + (np.arange(T) == 3))
    yt = D["onehot"].copy()
    yt[4, 0, 1] = -0.5
    with pytest.raises(ValueError, match=r"y_true .*token \(4, 0\)"):
        L.categorical_crossentropy(yt, D["probs"])
    with pytest.raises(ValueError, match=r"y_true .*token \(1, 1\)"):
        L.binary_crossentropy(np.where(np.arange(T) == 1, 2.0, 0.0)[None].repeat(N, 0)
                              * (np.arange(N)[:, None] >= 1), D["bprob"][..., 0])
    sw = D["sw_tok"].copy()
    sw[3, 5] = -1.0
    with pytest.raises(ValueError, match=r"sample_weight .*token \(3, 5\)"):
        L.sparse_categorical_crossentropy(D["ids"], D["probs"], sample_weight=sw)
    with pytest.raises(ValueError, match="sample_weight"):
        L.sparse_categorical_crossentropy(D["ids"], D["probs"], sample_weight=np.ones(T + 1))
    with pytest.raises(ValueError, match="class_weight"):
        L.sparse_categorical_crossentropy(D["ids"], D["probs"], class_weight=[1.0, -1, 1, 1])
    with pytest.raises(ValueError, match="y_true has shape"):
        L.sparse_categorical_crossentropy(D["ids"][:, :-1], D["probs"])
    with pytest.raises(ValueError, match="y_true has shape"):
        L.categorical_crossentropy(D["onehot"][..., :-1], D["probs"])
    with pytest.raises(ValueError, match="mask"):
        L.categorical_crossentropy(D["onehot"], D["probs"], mask=D["mask"][:, :-1])
    with pytest.raises(ValueError, match="mask"):
        L.categorical_crossentropy(D["onehot"], D["probs"], mask=D["mask"].astype(int))
    with pytest.raises(ValueError, match="axis"):
        L.categorical_crossentropy(D["onehot"], D["probs"], axis=1)
    with pytest.raises(ValueError, match="reduction"):
        L.categorical_crossentropy(D["onehot"], D["probs"], reduction="avg")
    with pytest.raises(ValueError, match="label_smoothing"):
        L.binary_crossentropy(D["by"], D["bprob"], label_smoothing=1.5)
    with pytest.raises(ValueError, match="gamma"):
        L.binary_focal_crossentropy(D["by"], D["bprob"], gamma=-1)
    with pytest.raises(ValueError, match="summing to 0 at token 1"):
        L.categorical_crossentropy(np.eye(2)[[0, 1]], [[0.5, 0.5], [0.0, 0.0]])


# --------------------------------------------------------------------------
# scikit-learn log_loss
# --------------------------------------------------------------------------
def _sk_cases():
    rng = np.random.default_rng(11)
    p3 = rng.dirichlet(np.ones(3), size=40)
    y3 = rng.integers(0, 3, size=40)
    y3[:3] = [0, 1, 2]
    pb = rng.random(40)
    yb = rng.integers(0, 2, size=40)
    yb[:2] = [0, 1]
    w = rng.uniform(0, 2, size=40)
    return [
        (y3, p3, {}),
        (y3, p3, {"sample_weight": w}),
        (y3, p3, {"normalize": False, "sample_weight": w}),
        (y3 + 5, p3, {}),  # labels 5, 6, 7
        (np.array(["a", "b", "c"])[y3], p3, {}),
        (yb, pb, {}),
        (yb, pb[:, None], {"sample_weight": w}),
        (yb.astype(float), pb.astype(np.float32), {}),
        (y3, p3.astype(np.float32), {"normalize": False}),
        (np.eye(3, dtype=int)[y3], p3, {}),  # indicator matrix
        (y3[y3 < 2], p3[y3 < 2], {"labels": [0, 1, 2]}),  # a class absent from y_true
        (np.where(y3 == 0, 0, 2), np.c_[p3[:, 0], p3[:, 1:].sum(1)], {}),  # labels {0, 2}
        (y3, np.where(p3 > 0.5, 1.0, 0.0) * 0 + np.eye(3)[y3], {}),  # exact 0 / 1: clipped
        (y3, p3 * 1.01, {}),  # rows do not sum to 1: warns
        # multilabel indicator: rows with several ones and with none
        ((rng.random((40, 3)) < 0.4).astype(int), p3, {"sample_weight": w}),
    ]


@pytest.mark.parametrize("case", range(len(_sk_cases())))
def test_log_loss_matches_sklearn(case):
    yt, yp, kw = _sk_cases()[case]
    with warnings.catch_warnings(record=True) as w_sk:
        warnings.simplefilter("always")
        ref = sk_log_loss(yt, yp, **kw)
    with warnings.catch_warnings(record=True) as w_fm:
        warnings.simplefilter("always")
        got = L.log_loss(yt, yp, **kw)
    assert [str(x.message) for x in w_fm] == [str(x.message) for x in w_sk]
    rtol = 1e-6 if np.asarray(yp).dtype == np.float32 else 1e-12
    assert got == pytest.approx(ref, rel=rtol)


def test_log_loss_errors_like_sklearn():
    y = np.array([0, 1, 2, 1])
    p = np.full((4, 3), 1 / 3)
    bad_cases = [
        (y, np.where(np.eye(4, 3) == 1, np.nan, p), {}),
        (y, p + 1, {}),
        (y, p - 1, {}),
        (np.array([0, 0, 0, 0]), p[:, :2], {}),  # one label
        (y, p[:, :2], {}),  # 3 classes vs 2 columns
        (y, p, {"labels": [0, 1]}),  # label 2 not declared
        (y[:3], p, {}),  # inconsistent lengths
        (np.array([0.5, 1.0, 0.0, 1.0]), p[:, :2], {}),  # continuous labels
    ]
    for yt, yp, kw in bad_cases:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # rows not summing to 1
            with pytest.raises(ValueError):
                sk_log_loss(yt, yp, **kw)
            with pytest.raises(ValueError):
                L.log_loss(yt, yp, **kw)
    for normalize in (True, False):
        with pytest.raises(ValueError, match="non-zero"):
            sk_log_loss(y, p, sample_weight=np.zeros(4), normalize=normalize)
        with pytest.raises(ValueError, match="non-zero"):
            L.log_loss(y, p, sample_weight=np.zeros(4), normalize=normalize)
    with pytest.raises(ValueError, match="sample_weight"):
        L.log_loss(y, p, sample_weight=[1, -1, 1, 1])  # scikit-learn accepts; we do not
    with pytest.warns(UserWarning, match="lexicographically"):
        L.log_loss(y, p, labels=[2, 1, 0])
    with pytest.warns(FutureWarning, match="y_proba"):
        assert L.log_loss(y, y_pred=p) == pytest.approx(math.log(3), rel=1e-12)


# --------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------
_FUNCS = {
    "scce": lambda yt, yp, **kw: L.sparse_categorical_crossentropy(yt, yp, **kw),
    "cce": lambda yt, yp, **kw: L.categorical_crossentropy(np.eye(3)[yt], yp, **kw),
    "bce": lambda yt, yp, **kw: L.binary_crossentropy((yt > 0).astype(float), yp[:, 0], **kw),
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(1, 30),
    seed=st.integers(0, 2**31 - 1),
    name=st.sampled_from(sorted(_FUNCS)),
    logits=st.booleans(),
)
def test_permutation_invariance_and_integer_weights_repeat(n, seed, name, logits):
    rng = np.random.default_rng(seed)
    yt = rng.integers(0, 3, size=n)
    yp = rng.standard_normal((n, 3)) * 4
    if not logits:
        yp = np.exp(yp) / np.exp(yp).sum(1, keepdims=True)
    f = _FUNCS[name]
    w = rng.integers(0, 4, size=n)
    perm = rng.permutation(n)
    for red in ("sum", "mean", "mean_with_sample_weight"):
        a = f(yt, yp, from_logits=logits, sample_weight=w, reduction=red)
        b = f(yt[perm], yp[perm], from_logits=logits, sample_weight=w[perm], reduction=red)
        assert a == pytest.approx(b, rel=1e-12, abs=1e-300)
    # integer weights == repeating tokens ("sum" and "mean_with_sample_weight")
    rep = np.repeat(np.arange(n), w)
    for red in ("sum", "mean_with_sample_weight"):
        a = f(yt, yp, from_logits=logits, sample_weight=w, reduction=red)
        b = f(yt[rep], yp[rep], from_logits=logits, reduction=red) if rep.size else 0.0
        assert a == pytest.approx(b, rel=1e-12, abs=1e-300)
    # weight 0 == mask False
    m = w > 0
    a = f(yt, yp, from_logits=logits, sample_weight=m.astype(float), reduction="sum")
    b = f(yt, yp, from_logits=logits, mask=m, reduction="sum")
    assert a == pytest.approx(b, rel=1e-12, abs=1e-300)


@settings(max_examples=25, deadline=None)
@given(yp=hnp.arrays(np.float64, (6, 3), elements=st.floats(-1e4, 1e4)))
def test_logits_any_magnitude_finite(yp):
    yt = np.arange(6) % 3
    got = L.sparse_categorical_crossentropy(yt, yp, from_logits=True, reduction="none")
    assert np.all(np.isfinite(got)) and np.all(got >= 0)
    ref = [np.logaddexp.reduce(r) - r[t] for r, t in zip(yp, yt)]
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------
# many chunks, thread-count determinism
# --------------------------------------------------------------------------
_DET_SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np
    import numba
    import fastmetrics.losses as L
    assert numba.get_num_threads() == int(sys.argv[2])
    rng = np.random.default_rng(5)
    N, T, C = 300, 1000, 5
    x = rng.standard_normal((N, T, C), dtype=np.float32) * 3
    p = np.exp(x - x.max(-1, keepdims=True)); p /= p.sum(-1, keepdims=True)
    y = rng.integers(0, C, size=(N, T))
    mask = np.arange(T)[None] < rng.integers(T // 3, T + 1, size=N)[:, None]
    sw = rng.uniform(0, 2, size=N)
    cw = np.linspace(0.5, 2.0, C)
    kw = dict(mask=mask, sample_weight=sw, class_weight=cw, reduction="sum")
    res = [L.sparse_categorical_crossentropy(y, x, from_logits=True, **kw),
           L.sparse_categorical_crossentropy(y, p, **kw),
           L.categorical_crossentropy(np.eye(C, dtype=np.float32)[y], p, **kw),
           L.binary_crossentropy((y == 0), x[..., 0], from_logits=True,
                                 **dict(kw, class_weight=cw[:2])),
           L.log_loss(y.ravel(), p.reshape(-1, C))]
    np.save(sys.argv[1], np.array(res))
    """
)


def test_thread_count_determinism_and_chunked_reference(tmp_path):
    if (os.cpu_count() or 1) < 2:
        pytest.skip("needs 2 CPUs for NUMBA_NUM_THREADS=2")
    script = tmp_path / "det.py"
    script.write_text(_DET_SCRIPT)
    res = []
    for threads in (1, 2):
        out = tmp_path / f"r{threads}.npy"
        env = dict(os.environ, NUMBA_NUM_THREADS=str(threads))
        env.pop("NUMBA_DISABLE_JIT", None)
        proc = subprocess.run([sys.executable, str(script), str(out), str(threads)], env=env,
                              capture_output=True, text=True, timeout=600, check=False)
        assert proc.returncode == 0, proc.stderr[-3000:]
        res.append(np.load(out))
    assert res[0].tobytes() == res[1].tobytes()
    # and the multi-chunk result equals a float64 NumPy reference
    rng = np.random.default_rng(5)
    Nn, Tt, Cc = 300, 1000, 5
    x = rng.standard_normal((Nn, Tt, Cc), dtype=np.float32) * 3
    y = rng.integers(0, Cc, size=(Nn, Tt))
    mask = np.arange(Tt)[None] < rng.integers(Tt // 3, Tt + 1, size=Nn)[:, None]
    sw = rng.uniform(0, 2, size=Nn)
    cw = np.linspace(0.5, 2.0, Cc)
    x64 = x.astype(np.float64)
    lse = np.logaddexp.reduce(x64, axis=-1)
    tok = lse - np.take_along_axis(x64, y[..., None], -1)[..., 0]
    w = sw[:, None] * cw[y]
    ref = np.sum((tok * w)[mask])
    assert res[0][0] == pytest.approx(ref, rel=1e-11)


def test_docstring_examples():
    import doctest

    result = doctest.testmod(L.functional,
                             optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert result.attempted >= 5
    for name in L.__all__:
        doc = getattr(L, name).__doc__
        assert "Parameters" in doc and "Returns" in doc and "@COMMON" not in doc, name


@pytest.mark.parametrize("from_logits", [False, True], ids=["probs", "logits"])
def test_block_kernel_matches_scalar_kernel(from_logits):
    """The blocked, vectorised-log/exp CCE kernel == the scalar libm kernel (1e-12)."""
    from fastmetrics._core.backend import kernels

    K = kernels("losses")

    rng = np.random.default_rng(9)
    n, c = 3000, 6
    x = rng.standard_normal((n, c)) * 5
    yp = x if from_logits else np.exp(x) / np.exp(x).sum(1, keepdims=True)
    yt = np.eye(c)[rng.integers(0, c, n)]
    yt[::7] = rng.dirichlet(np.ones(c), size=len(yt[::7]))  # some soft rows
    w = rng.uniform(0, 2, n)
    cw = rng.uniform(0.5, 2, c)
    for ls in (0.0, 0.1):
        out_a, out_b = np.empty(n), np.empty(n)
        # the kernels' loss settings and token options (see _kernels/cpu/losses.py)
        ce = (False, from_logits, ls, L.EPSILON, 1 - L.EPSILON, 0.0)
        dense = (K.CCE, from_logits, ls, np.zeros(c), 0.0, L.EPSILON, 1 - L.EPSILON)
        opts_a = (True, cw, w, 1, True, np.empty(0, bool), False, out_a, True)
        opts_b = (True, cw, w, 1, True, np.empty(0, bool), False, out_b, True)
        pa, _, _ = K.dense_ce_chunks_serial(yt, yp, ce, opts_a, 1024)
        pb, _, _ = K.scalar_chunks_serial(yt, yp, dense, opts_b, 1024)
        np.testing.assert_allclose(out_a, out_b, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(pa[:, :3].sum(0), pb[:, :3].sum(0), rtol=1e-12)


@pytest.mark.parametrize("from_logits, xlogy", [(False, False), (True, False), (False, True)],
                         ids=["probs", "logits", "xlogy-probs"])
def test_one_hot_and_soft_kernels_agree_bit_for_bit(from_logits, xlogy):
    """``dense_ce_chunks`` runs the one-hot kernel on chunks whose kept rows
    are one-hot and the soft kernel on the rest (here: chunk 2 has one soft
    row, chunk 3 a multi-hot masked row, the last chunk all-zero padding rows
    under the mask).  Per-token losses and chunk sums equal, bit for bit,
    the soft kernel's over every chunk, and the one-hot kernel did run."""
    from fastmetrics._kernels.cpu import losses as ck
    from fastmetrics._kernels.cpu._threads import over_chunks

    rng = np.random.default_rng(21)
    n, c, chunk = 5 * 1024 + 77, 7, 1024
    x = (rng.standard_normal((n, c)) * 4).astype(np.float32)
    yp = x if from_logits else np.exp(x) / np.exp(x).sum(1, keepdims=True)
    yt = np.eye(c, dtype=np.float32)[rng.integers(0, c, n)]
    mask = rng.random(n) < 0.9
    yt[2 * 1024 + 300] = rng.dirichlet(np.ones(c))
    yt[3 * 1024 + 5] = 1.0
    mask[3 * 1024 + 5] = False
    yt[5 * 1024:] = 0.0
    mask[5 * 1024:] = False
    w = rng.uniform(0, 2, n)
    cw = rng.uniform(0.5, 2, c)
    loss = (xlogy, from_logits, 0.0, 1e-7, 1 - 1e-7, 1e-6)
    outs = []
    parts = []
    for split in (True, False):
        out = np.full(n, np.nan)
        opts = (True, cw, w, 1, True, mask, True, out, True)
        if split:
            part, bi, bc = ck.dense_ce_chunks(yt, yp, loss, opts, chunk, (0,) * c)
        else:
            nch = -(-n // chunk)
            part = np.zeros((nch, 4))
            bi = np.full(nch, -1, dtype=np.int64)
            bc = np.zeros(nch, dtype=np.int64)
            over_chunks(ck._soft_ce_range, nch, np.arange(nch), yt, yp, loss, opts, chunk,
                        (0,) * c, part, bi, bc)
        assert (bi == -1).all()
        outs.append(out)
        parts.append(part)
    assert np.array_equal(outs[0], outs[1]) and np.array_equal(parts[0], parts[1])
    assert parts[0][:, 2].sum() == mask.sum()
    # the one-hot kernel took every chunk but the one with the kept soft row
    nch = parts[0].shape[0]
    soft = np.zeros(nch, dtype=bool)
    over_chunks(ck._onehot_ce_range, nch, yt, yp, loss, opts, chunk, (0,) * c,
                True if from_logits else None, np.zeros((nch, 4)), np.full(nch, -1), np.zeros(nch, dtype=np.int64), soft)
    assert soft.tolist() == [False, False, True, False, False, False]


def test_read_only_mask_and_inputs():
    """Inputs handed over read-only (e.g. JAX callback arguments) work as the
    writable ones do."""
    rng = np.random.default_rng(5)
    y = rng.integers(0, 4, (6, 9))
    p = rng.random((6, 9, 4)).astype(np.float32)
    p /= p.sum(-1, keepdims=True)
    m = rng.random((6, 9)) < 0.7
    onehot = np.eye(4, dtype=np.float32)[y]
    expect = [L.sparse_categorical_crossentropy(y, p, mask=m),
              L.sparse_categorical_crossentropy(y, p, mask=m, ignore_index=2),
              L.categorical_crossentropy(onehot, p, mask=m)]
    for a in (y, p, m, onehot):
        a.setflags(write=False)
    got = [L.sparse_categorical_crossentropy(y, p, mask=m),
           L.sparse_categorical_crossentropy(y, p, mask=m, ignore_index=2),
           L.categorical_crossentropy(onehot, p, mask=m)]
    np.testing.assert_array_equal(got, expect)


def test_id_and_target_widths_share_one_compiled_kernel(monkeypatch):
    """Class ids of every integer width (and bool) reach the compiled kernels
    as int64, binary targets as float64: one compiled variant, not one per
    width (each costs seconds on first use).  Results equal the int64 call's."""
    from fastmetrics import config
    from fastmetrics._kernels.cpu import losses as kern
    monkeypatch.setattr(config, "NUMPY_MAX", -1)
    rng = np.random.default_rng(7)
    ids = rng.integers(0, 2, (40, 6))
    probs = rng.dirichlet(np.ones(2), (40, 6)).astype(np.float32)
    ref_sparse = L.sparse_categorical_crossentropy(ids, probs)
    ref_bce = L.binary_crossentropy(ids.astype(np.float64), probs[..., 1])
    ref_log = L.log_loss(ids.ravel(), probs[..., 1].ravel())
    for dt in (np.int8, np.int16, np.int32, np.uint8, np.uint16, np.uint32, np.bool_):
        y = ids.astype(dt)
        assert L.sparse_categorical_crossentropy(y, probs) == ref_sparse
        assert L.binary_crossentropy(y, probs[..., 1]) == ref_bce
        if dt is not np.bool_:
            assert L.log_loss(y.ravel(), probs[..., 1].ravel()) == ref_log
    assert L.binary_crossentropy(ids.astype(np.float32), probs[..., 1]) == ref_bce
    seen = {str(sig[2].dtype) for sig in kern._sparse_range.signatures}
    seen |= {str(sig[2].dtype) for sig in kern._scalar_range.signatures if sig[2].ndim == 1}
    seen |= {str(sig[2].dtype) for sig in kern._logloss_range.signatures}
    assert seen <= {"int64", "float64", "uint64"}, seen

"""Sequence extensions of the ranking functions (task, mask, ignore_index,
prefix-broadcast sample_weight, class_weight, token arrays of any shape).

Every expected value comes from scikit-learn called on flat 1-D arrays that
this file builds itself: the kept tokens (mask, ignore_index) with the weights
``sample_weight[i] (or [i, t]) * class_weight[y_true]``, the sample weight
broadcast along the *leading* token axes by explicit reshaping.  A brute-force
pairwise AUC double-checks the binary case.  fastmetrics never produces an
expected value here.
"""

import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
from sklearn.preprocessing import label_binarize

import fastmetrics as fm
from fastmetrics.ranking._tokens import IGNORED, ranking_tokens

N = T = 6  # N == T: a trailing-axis broadcast of an (N,) weight would go unnoticed
C = 4
RTOL = 1e-10
PAD = -100

BINARY_FUNCS = ["roc_curve", "precision_recall_curve", "det_curve", "roc_auc_score",
                "average_precision_score"]


# --------------------------------------------------------------------------
# reference helpers (written independently of fastmetrics)
# --------------------------------------------------------------------------


def prefix_weights(shape, sw):
    """sample_weight of shape shape[:k], broadcast from the left to shape."""
    sw = np.asarray(sw, dtype=np.float64)
    assert shape[: sw.ndim] == sw.shape
    out = np.empty(shape)
    for idx in np.ndindex(*shape):
        out[idx] = sw[idx[: sw.ndim]]
    return out


def cw_vector(class_weight, n):
    if class_weight is None:
        return None
    if isinstance(class_weight, dict):
        v = np.ones(n)
        for k, x in class_weight.items():
            v[k] = x
        return v
    return np.asarray(class_weight, dtype=np.float64)


def reference(labels, *, mask=None, ignore_index=None, sw=None, cw=None, n_classes=2):
    """(keep, weights) over the token shape of ``labels`` (class ids)."""
    shape = labels.shape
    keep = np.ones(shape, dtype=bool)
    if mask is not None:
        keep &= mask
    if ignore_index is not None:
        keep &= labels != ignore_index
    w = None
    if sw is not None:
        w = prefix_weights(shape, sw)
    if cw is not None:
        v = cw_vector(cw, n_classes)
        cwt = v[np.where(keep, labels, 0)]
        w = cwt if w is None else w * cwt
    return keep, w


def assert_same(a, b):
    """Same float result or the same tuple of curve arrays."""
    if isinstance(a, tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert np.shape(x) == np.shape(y), (np.shape(x), np.shape(y))
            np.testing.assert_allclose(x, y, rtol=RTOL, atol=1e-12)
    else:
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=1e-12)


def call_sk(name, y, s, w, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(skm, name)(y, s, sample_weight=w, **kw)


def call_fm(name, y, s, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(fm, name)(y, s, **kw)


def pairwise_auc(y, s, w):
    """Brute-force weighted AUC: P(score_pos > score_neg) + 0.5 P(tie)."""
    w = np.ones(len(y)) if w is None else w
    num = den = 0.0
    for i in range(len(y)):
        for j in range(len(y)):
            if y[i] == 1 and y[j] == 0:
                ww = w[i] * w[j]
                den += ww
                num += ww * (1.0 if s[i] > s[j] else 0.5 if s[i] == s[j] else 0.0)
    return num / den


# --------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------


def binary_data(rng, shape=(N, T), dtype=np.float64):
    y = rng.integers(0, 2, size=shape)
    y.flat[0], y.flat[1] = 0, 1
    s = np.round(rng.random(shape), 1).astype(dtype)  # ties on purpose
    mask = rng.random(shape) < 0.75
    mask.flat[0] = mask.flat[1] = True
    return y, s, mask


def multiclass_data(rng, shape=(N, T), dtype=np.float64):
    y = rng.integers(0, C, size=shape)
    y.flat[:C] = np.arange(C)
    p = np.round(rng.random(shape + (C,)), 1) + 0.05
    p = (p / p.sum(-1, keepdims=True)).astype(dtype)
    mask = rng.random(shape) < 0.8
    mask.flat[:C] = True
    return y, p, mask


# extras: (use mask, ignore_index, sample_weight kind, class_weight)
EXTRAS = {
    "plain": (False, False, None, None),
    "mask": (True, False, None, None),
    "ignore": (False, True, None, None),
    "sw_N": (False, False, "N", None),
    "sw_NT": (False, False, "NT", None),
    "cw_list+mask": (True, False, None, "list"),
    "cw_dict+sw_N+ignore": (False, True, "N", "dict"),
    "all": (True, True, "NT", "list"),
}


def build_extras(rng, key, y, mask, n_classes, shape):
    use_mask, use_ignore, sw_kind, cw_kind = EXTRAS[key]
    kw = {}
    labels = y.copy()
    if use_ignore:
        pad = rng.random(shape) < 0.2
        pad.flat[:max(n_classes, 2)] = False
        labels = np.where(pad, PAD, labels)
        kw["ignore_index"] = PAD
    if use_mask:
        kw["mask"] = mask
    if sw_kind == "N":
        kw["sample_weight"] = rng.random(shape[0]) + 0.1
    elif sw_kind == "NT":
        kw["sample_weight"] = rng.random(shape[:2]) + 0.1
    if cw_kind == "list":
        kw["class_weight"] = list(np.arange(1.0, n_classes + 1))
    elif cw_kind == "dict":
        kw["class_weight"] = {1: 3.0}
    return labels, kw


def ref_for(labels, kw, n_classes):
    return reference(labels, mask=kw.get("mask"), ignore_index=kw.get("ignore_index"),
                     sw=kw.get("sample_weight"), cw=kw.get("class_weight"),
                     n_classes=n_classes)


# --------------------------------------------------------------------------
# binary
# --------------------------------------------------------------------------

# how the same tokens are presented: (y_true form, y_score form)
BINARY_FORMS = ["ids+S", "ids+S1", "ids+two_unit", "onehot+two_unit", "onehot+S"]


def present_binary(form, y, s):
    onehot = np.eye(2, dtype=np.int64)[np.where(y < 0, 0, y)]
    two = np.stack([1 - s, s], axis=-1)
    return {
        "ids+S": (y, s),
        "ids+S1": (y, s[..., None]),
        "ids+two_unit": (y, two),
        "onehot+two_unit": (onehot, two),
        "onehot+S": (onehot, s),
    }[form]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("form", BINARY_FORMS)
@pytest.mark.parametrize("extras", list(EXTRAS))
def test_binary_matches_sklearn_on_kept_tokens(rng, dtype, form, extras):
    y, s, mask = binary_data(rng, dtype=dtype)
    labels, kw = build_extras(rng, extras, y, mask, 2, y.shape)
    if form.startswith("onehot") and "ignore_index" in kw:
        # one-hot targets cannot carry a padding label: the mask says it instead
        kw["mask"] = (kw.get("mask", np.ones(y.shape, bool))) & (labels != PAD)
        del kw["ignore_index"]
    keep, w = ref_for(labels, kw, 2)
    yt, ys = present_binary(form, labels, s)
    if "mask" in kw:
        # whatever sits under the mask must not matter
        ys = ys.copy()
        ys[~kw["mask"]] = np.nan
    for name in BINARY_FUNCS:
        got = call_fm(name, yt, ys, task="binary", **kw)
        want = call_sk(name, labels[keep], s[keep], None if w is None else w[keep])
        assert_same(got, want)
        if name == "roc_auc_score":
            assert_same(got, pairwise_auc(labels[keep], s[keep],
                                          None if w is None else w[keep]))


@pytest.mark.parametrize("name", BINARY_FUNCS)
def test_binary_prefix_weights_not_trailing_broadcast(rng, name):
    y, s, _ = binary_data(rng)
    sw = np.array([1.0, 5.0, 0.2, 3.0, 0.5, 9.0])
    got = call_fm(name, y, s, task="binary", sample_weight=sw)
    want = call_sk(name, y.ravel(), s.ravel(), np.repeat(sw, T))
    assert_same(got, want)
    wrong = call_sk(name, y.ravel(), s.ravel(), np.tile(sw, N))  # NumPy's broadcast
    if name in ("roc_auc_score", "average_precision_score"):
        assert not np.isclose(got, wrong)


@pytest.mark.parametrize("shape", [(3, 5, 4), (40,), (7, 1, 3)])
def test_binary_token_shapes(rng, shape):
    y, s, mask = binary_data(rng, shape=shape)
    sw = rng.random(shape[:1]) + 0.5
    keep, w = reference(y, mask=mask, sw=sw)
    for name in BINARY_FUNCS:
        got = call_fm(name, y, s, task="binary", mask=mask, sample_weight=sw)
        assert_same(got, call_sk(name, y[keep], s[keep], w[keep]))


def test_binary_bool_and_integral_float_labels_and_int_scores(rng):
    y, s, _ = binary_data(rng)
    si = (s * 10).astype(np.int64)
    for yy in (y.astype(bool), y.astype(np.float32)):
        for ss in (s, si):
            for name in ("roc_auc_score", "average_precision_score", "roc_curve"):
                assert_same(call_fm(name, yy, ss, task="binary"),
                            call_sk(name, y.ravel(), ss.ravel(), None))


def test_binary_pos_label_one_is_accepted(rng):
    y, s, _ = binary_data(rng)
    want = call_sk("average_precision_score", y.ravel(), s.ravel(), None)
    assert_same(fm.average_precision_score(y, s, task="binary", pos_label=1), want)
    assert_same(fm.roc_curve(y, s, task="binary", pos_label=1),
                call_sk("roc_curve", y.ravel(), s.ravel(), None))


def test_binary_one_class_left_after_mask_warns_like_sklearn(rng):
    y, s, _ = binary_data(rng)
    mask = y == 1
    with pytest.warns(fm.exceptions.UndefinedMetricWarning):
        assert np.isnan(fm.roc_auc_score(y, s, task="binary", mask=mask))


def test_zero_weight_differs_from_mask_only_where_sklearn_differs(rng):
    # dropped tokens vanish: masking all negatives leaves one class (nan), while
    # zero-weighting them raises scikit-learn's all-zero / one-class handling
    y, s, _ = binary_data(rng)
    mask = np.ones(y.shape, bool)
    mask[0, 2] = False
    sw = mask.astype(float)
    a = fm.roc_auc_score(y, s, task="binary", mask=mask)
    b = fm.roc_auc_score(y, s, task="binary", sample_weight=sw)
    assert_same(a, skm.roc_auc_score(y[mask], s[mask]))
    assert_same(a, b)


# --------------------------------------------------------------------------
# multiclass
# --------------------------------------------------------------------------

MC_EXTRAS = ["plain", "mask", "ignore", "sw_N", "sw_NT", "cw_list+mask", "all"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("extras", MC_EXTRAS)
@pytest.mark.parametrize("multi_class,average", [("ovr", "macro"), ("ovr", "weighted"),
                                                 ("ovr", "micro"), ("ovr", None),
                                                 ("ovo", "macro"), ("ovo", "weighted")])
def test_multiclass_roc_auc_matches_sklearn(rng, dtype, extras, multi_class, average):
    y, p, mask = multiclass_data(rng, dtype=dtype)
    labels, kw = build_extras(rng, extras, y, mask, C, y.shape)
    keep, w = ref_for(labels, kw, C)
    if w is not None and multi_class == "ovo":
        # scikit-learn has no weighted one-vs-one AUC: the same error
        with pytest.raises(ValueError, match="sample_weight is not supported"):
            skm.roc_auc_score(labels[keep], p[keep], sample_weight=w[keep],
                              multi_class="ovo")
        with pytest.raises(ValueError, match="sample_weight is not supported"):
            fm.roc_auc_score(labels, p, task="multiclass", multi_class="ovo", **kw)
        return
    got = call_fm("roc_auc_score", labels, p, task="multiclass", num_classes=C,
                  multi_class=multi_class, average=average, **kw)
    want = call_sk("roc_auc_score", labels[keep], p[keep],
                   None if w is None else w[keep], multi_class=multi_class,
                   average=average)
    assert_same(got, want)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("extras", MC_EXTRAS)
@pytest.mark.parametrize("average", ["macro", "weighted", "micro", None])
def test_multiclass_average_precision_matches_sklearn(rng, dtype, extras, average):
    y, p, mask = multiclass_data(rng, dtype=dtype)
    labels, kw = build_extras(rng, extras, y, mask, C, y.shape)
    keep, w = ref_for(labels, kw, C)
    got = call_fm("average_precision_score", labels, p, task="multiclass",
                  average=average, **kw)
    ww = None if w is None else w[keep]
    # one-vs-rest over classes 0..C-1, written out
    want = call_sk("average_precision_score",
                   label_binarize(labels[keep], classes=np.arange(C)), p[keep], ww,
                   average=average)
    assert_same(got, want)
    # all classes are present among the kept tokens: the same as sklearn's
    # own multiclass reading
    assert_same(got, call_sk("average_precision_score", labels[keep], p[keep], ww,
                             average=average))


def test_multiclass_one_hot_targets_and_3d_tokens(rng):
    y, p, mask = multiclass_data(rng, shape=(3, 4, 5))
    onehot = np.eye(C, dtype=np.int64)[y]
    sw = rng.random((3, 4)) + 0.1
    keep, w = reference(y, mask=mask, sw=sw)
    for yt in (y, onehot, y.astype(np.float64)):
        got = call_fm("roc_auc_score", yt, p, task="multiclass", multi_class="ovr",
                      mask=mask, sample_weight=sw)
        assert_same(got, call_sk("roc_auc_score", y[keep], p[keep], w[keep],
                                 multi_class="ovr"))


def test_multiclass_raise_keeps_sklearn_message(rng):
    y, p, _ = multiclass_data(rng)
    with pytest.raises(ValueError) as fe:
        fm.roc_auc_score(y, p, task="multiclass")
    with pytest.raises(ValueError) as se:
        skm.roc_auc_score(y.ravel(), p.reshape(-1, C))
    assert str(fe.value) == str(se.value)
    with pytest.raises(ValueError, match="Partial AUC computation not available"):
        fm.roc_auc_score(y, p, task="multiclass", multi_class="ovr", max_fpr=0.5)


# --------------------------------------------------------------------------
# multilabel
# --------------------------------------------------------------------------


def multilabel_data(rng, shape=(N, T), dtype=np.float64):
    y = rng.integers(0, 2, size=shape + (C,))
    y.reshape(-1, C)[0] = 0
    y.reshape(-1, C)[1] = 1
    s = np.round(rng.random(shape + (C,)), 1).astype(dtype)
    mask = rng.random(shape) < 0.75
    mask.flat[:2] = True
    return y, s, mask


ML_AVERAGES = ["macro", "micro", "weighted", "samples", None]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("extras", ["plain", "mask", "sw_N", "sw_NT"])
@pytest.mark.parametrize("average", ML_AVERAGES)
@pytest.mark.parametrize("name", ["roc_auc_score", "average_precision_score"])
def test_multilabel_matches_sklearn(rng, dtype, extras, average, name):
    y, s, mask = multilabel_data(rng, dtype=dtype)
    _, kw = build_extras(rng, extras, y[..., 0], mask, 2, y.shape[:-1])
    keep, w = reference(y[..., 0], mask=kw.get("mask"), sw=kw.get("sample_weight"))
    got = call_fm(name, y, s, task="multilabel", average=average, **kw)
    want = call_sk(name, y[keep], s[keep], None if w is None else w[keep],
                   average=average)
    assert_same(got, want)


def ignored_reference(name, y, s, w, average):
    """Per-problem scikit-learn calls on the valid elements only (y == PAD: gone)."""
    func = getattr(skm, name)
    valid = y != PAD
    if average == "micro":
        ww = None if w is None else np.repeat(w, y.shape[1])[valid.ravel()]
        return func(y.ravel()[valid.ravel()], s.ravel()[valid.ravel()], sample_weight=ww)
    if average == "samples":
        scores = [func(y[i][valid[i]], s[i][valid[i]]) for i in range(y.shape[0])]
        return np.average(scores, weights=w)
    scores = np.array([
        func(y[valid[:, c], c], s[valid[:, c], c],
             sample_weight=None if w is None else w[valid[:, c]])
        for c in range(y.shape[1])
    ])
    if average is None:
        return scores
    if average == "weighted":
        pos = np.array([np.sum((y[:, c] == 1) * (1 if w is None else w))
                        for c in range(y.shape[1])])
        return np.average(scores, weights=pos)
    return scores.mean()


@pytest.mark.parametrize("average", ML_AVERAGES)
@pytest.mark.parametrize("name", ["roc_auc_score", "average_precision_score"])
@pytest.mark.parametrize("with_sw", [False, True])
def test_multilabel_ignore_index_drops_elements(rng, average, name, with_sw):
    y, s, _ = multilabel_data(rng)
    pad = rng.random(y.shape) < 0.2
    pad.reshape(-1, C)[:2] = False
    pad[..., :2] = False
    # every sample row keeps both a 0 and a 1 ("samples" averages over rows):
    # labels 0 and 1 are never padded and differ in every row
    y[..., 1] = 1 - y[..., 0]
    yl = np.where(pad, PAD, y)
    assert (yl[..., 2:] == PAD).any(axis=(0, 1)).all()
    sw = rng.random(N) + 0.2 if with_sw else None
    kw = {"sample_weight": sw} if with_sw else {}
    got = call_fm(name, yl, s, task="multilabel", ignore_index=PAD, average=average,
                  **kw)
    wt = None if sw is None else prefix_weights((N, T), sw).ravel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = ignored_reference(name, yl.reshape(-1, C), s.reshape(-1, C), wt, average)
    assert_same(got, want)


def test_multilabel_ignore_index_never_reads_ignored_scores(rng):
    y, s, _ = multilabel_data(rng)
    yl = y.copy()
    yl[2, 3, 1] = PAD
    s2 = s.copy()
    s2[2, 3, 1] = np.nan
    got = fm.roc_auc_score(yl, s2, task="multilabel", ignore_index=PAD, average=None)
    valid = (yl != PAD).reshape(-1, C)
    want = [skm.roc_auc_score(yl.reshape(-1, C)[valid[:, c], c],
                              s.reshape(-1, C)[valid[:, c], c]) for c in range(C)]
    assert_same(got, np.array(want))


# --------------------------------------------------------------------------
# task=None: scikit-learn's reading, with mask / ignore_index / class_weight
# --------------------------------------------------------------------------


def test_task_none_binary_string_labels_with_extensions(rng):
    n = 40
    y = rng.choice(np.array(["neg", "pos", "pad"]), size=n, p=[0.45, 0.45, 0.1])
    y[:2] = ["neg", "pos"]
    s = np.round(rng.random(n), 1)
    m = rng.random(n) < 0.8
    m[:2] = True
    sw = rng.random(n) + 0.1
    keep = m & (y != "pad")
    w = sw * np.where(y == "pos", 2.0, 1.0)
    for name in BINARY_FUNCS:
        kw = {} if name == "roc_auc_score" else {"pos_label": "pos"}
        got = call_fm(name, y, s, mask=m, ignore_index="pad", sample_weight=sw,
                      class_weight={"pos": 2.0}, **kw)
        assert_same(got, call_sk(name, y[keep], s[keep], w[keep], **kw))


def test_task_none_multiclass_labels_and_class_weight_array(rng):
    n = 60
    y = rng.integers(0, 3, size=n) * 2  # labels 0, 2, 4
    y[:3] = [0, 2, 4]
    p = rng.random((n, 3))
    p /= p.sum(1, keepdims=True)
    m = rng.random(n) < 0.8
    m[:3] = True
    cw = np.array([1.0, 0.0, 2.0, 0.0, 5.0])
    got = fm.roc_auc_score(y, p, multi_class="ovr", labels=[0, 2, 4], mask=m,
                           class_weight=cw)
    want = skm.roc_auc_score(y[m], p[m], multi_class="ovr", labels=[0, 2, 4],
                             sample_weight=cw[y[m]])
    assert_same(got, want)


def test_task_none_multilabel_with_mask_and_ignore(rng):
    y, s, _ = multilabel_data(rng, shape=(30,))
    m = rng.random(30) < 0.8
    m[:2] = True
    got = fm.average_precision_score(y, s, mask=m)
    assert_same(got, skm.average_precision_score(y[m], s[m]))
    yl = y.copy()
    yl[3, 2] = PAD
    got = fm.roc_auc_score(yl, s, ignore_index=PAD, average="micro")
    v = (yl != PAD).ravel()
    assert_same(got, skm.roc_auc_score(yl.ravel()[v], s.ravel()[v]))


def test_task_none_without_extensions_is_unchanged(rng):
    y, s, _ = binary_data(rng, shape=(50,))
    for name in BINARY_FUNCS:
        assert_same(call_fm(name, y, s), call_sk(name, y, s, None))


# --------------------------------------------------------------------------
# ranking_tokens itself
# --------------------------------------------------------------------------


def test_ranking_tokens_outputs_and_no_copies(rng):
    y, p, _ = multiclass_data(rng, dtype=np.float32)
    yy, ss, ww = ranking_tokens(y, p, task="multiclass")
    assert yy.dtype == np.int64 and yy.shape == (N * T,)
    assert ss.dtype == np.float32 and ss.shape == (N * T, C) and ss.flags.c_contiguous
    assert np.shares_memory(ss, p) and ww is None
    np.testing.assert_array_equal(yy, y.ravel())
    yb, sb, _ = binary_data(rng, dtype=np.float32)
    yy, ss, ww = ranking_tokens(yb, sb, task="binary")
    assert yy.dtype == np.bool_ and ss.dtype == np.float32 and np.shares_memory(ss, sb)
    mask = np.ones(yb.shape, bool)
    mask[1, 2] = False
    yy, ss, ww = ranking_tokens(yb, sb, task="binary", mask=mask,
                                sample_weight=np.arange(1.0, N + 1),
                                class_weight=[1.0, 10.0])
    assert yy.shape == ss.shape == ww.shape == (N * T - 1,) and ww.dtype == np.float64
    expected_w = (prefix_weights((N, T), np.arange(1.0, N + 1))
                  * np.where(yb == 1, 10.0, 1.0))[mask]
    np.testing.assert_array_equal(ww, expected_w)
    np.testing.assert_array_equal(yy, yb[mask] == 1)


def test_ranking_tokens_multilabel_marks_ignored_and_allows_empty(rng):
    y, s, _ = multilabel_data(rng)
    yl = y.copy()
    yl[0, 1, 2] = PAD
    yy, ss, _ = ranking_tokens(yl, s, task="multilabel", ignore_index=PAD)
    assert ss.shape == (N * T, C) and np.shares_memory(ss, s)
    assert yy.dtype == np.uint8 and yy.shape == (N * T, C)
    assert yy[1, 2] == IGNORED and np.count_nonzero(yy == IGNORED) == 1
    valid = yl.reshape(-1, C) != PAD
    np.testing.assert_array_equal(yy[valid], yl.reshape(-1, C)[valid])
    empty = ranking_tokens(y, s, task="multilabel", mask=np.zeros((N, T), bool))
    assert empty[0].shape == (0, C) and empty[1].shape == (0, C)


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------

Y2 = np.array([[0, 1, 1], [1, 0, 0]])
S2 = np.array([[0.1, 0.8, 0.7], [0.6, 0.2, 0.3]])
YC = np.array([[0, 1, 2], [2, 1, 0]])
PC = np.full((2, 3, 3), 1 / 3)


@pytest.mark.parametrize("call,match", [
    (lambda: fm.roc_auc_score(Y2, S2, task="bin"), "task must be None"),
    (lambda: fm.roc_auc_score(Y2, S2[:, :2], task="binary"),
     r"y_true has shape \(2, 3\) and y_score has shape \(2, 2\)"),
    (lambda: fm.roc_auc_score(YC, PC[:, :2], task="multiclass"),
     "do not fit task='multiclass'"),
    (lambda: fm.roc_auc_score(Y2[..., None], S2, task="multilabel"),
     "do not fit task='multilabel'"),
    (lambda: fm.roc_auc_score(Y2, S2, task="binary", mask=np.ones(3, bool)),
     r"mask has shape \(3,\)"),
    (lambda: fm.roc_auc_score(Y2, S2, task="binary", mask=np.ones((2, 3))),
     "mask must be a boolean array"),
    (lambda: fm.roc_auc_score(np.array([[0, 1, 2], [1, 0, 0]]), S2, task="binary"),
     r"y_true has a label outside \[0, 2\) at token \(0, 2\)"),
    (lambda: fm.roc_auc_score(np.array([[0, 1, 7], [1, 0, 0]]), PC, task="multiclass",
                              multi_class="ovr"),
     r"y_true has a label outside \[0, 3\) at token \(0, 2\): 7"),
    (lambda: fm.roc_auc_score(np.array([[0, 1, 0.5], [1, 0, 0]]), S2, task="binary"),
     r"not an integer class id .* at token \(0, 2\)"),
    (lambda: fm.roc_auc_score(Y2, np.array([[0.1, 0.8, 0.7], [np.nan, 0.2, 0.3]]),
                              task="binary"),
     r"y_score contains NaN or infinity; first bad score at token \(1, 0\) \(flat index 3\)"),
    (lambda: fm.roc_curve(Y2, np.array([[0.1, np.inf, 0.7], [0.2, 0.2, 0.3]]),
                          task="binary"),
     r"first bad score at token \(0, 1\) \(flat index 1\)"),
    (lambda: fm.roc_auc_score(YC, np.where(np.arange(3) == 1, np.nan, PC),
                              task="multiclass", multi_class="ovr"),
     r"y_score contains NaN or infinity; first bad score at token \(0, 0\)"),
    (lambda: fm.roc_auc_score(Y2, S2, task="binary", sample_weight=np.array([1.0, -1.0])),
     r"sample_weight must be finite and >= 0; first bad weight at token \(1, 0\)"),
    (lambda: fm.average_precision_score(Y2, S2, task="binary",
                                        sample_weight=np.array([[1, 1, np.nan], [1, 1, 1]])),
     r"sample_weight must be finite and >= 0; first bad weight at token \(0, 2\)"),
    (lambda: fm.roc_auc_score(Y2, S2, task="binary", sample_weight=np.ones(3)),
     r"sample_weight has shape \(3,\), which does not broadcast"),
    (lambda: fm.roc_auc_score(Y2, S2, task="binary", class_weight=[1.0, 2.0, 3.0]),
     "class_weight must be a dict or an array of length 2"),
    (lambda: fm.roc_auc_score(YC, PC, task="multiclass", multi_class="ovr",
                              class_weight=[1.0, 2.0]),
     "class_weight must be a dict or an array of length 3"),
    (lambda: fm.roc_auc_score(Y2, S2, task="binary", class_weight={1: -2.0}),
     "class_weight must be finite and >= 0"),
    (lambda: fm.roc_auc_score(np.eye(2)[Y2], np.eye(2)[Y2] * 0.5, task="multilabel",
                              class_weight=[1.0, 1.0]),
     "class_weight is not defined for multilabel"),
    (lambda: fm.roc_auc_score(YC, PC, task="multiclass", num_classes=4),
     "num_classes=4 but the class axis of y_score has size 3"),
    (lambda: fm.roc_auc_score(Y2, S2, num_classes=2), "num_classes needs an explicit task"),
    (lambda: fm.roc_curve(Y2, S2, task="binary", pos_label=0),
     "pos_label must be None or 1 with task='binary'"),
    (lambda: fm.average_precision_score(Y2, S2, task="binary", pos_label=2),
     "pos_label must be None or 1"),
    (lambda: fm.roc_auc_score(YC, PC, task="multiclass", multi_class="ovr",
                              labels=[0, 1, 2]),
     "labels is not used with task='multiclass'"),
    (lambda: fm.det_curve(YC, PC, task="multiclass"), "det_curve is a binary curve"),
    (lambda: fm.precision_recall_curve(np.eye(2)[Y2], np.eye(2)[Y2] * 0.5,
                                       task="multilabel"),
     "precision_recall_curve is a binary curve"),
    (lambda: fm.roc_auc_score(np.array([[[1, 1], [0, 1]]]), np.full((1, 2, 2), 0.5),
                              task="binary"),
     r"row at token \(0, 0\) is not one-hot"),
    (lambda: fm.roc_auc_score(np.eye(2, dtype=int)[Y2], np.eye(2)[Y2] * 0.5,
                              task="binary", ignore_index=-100),
     "ignore_index needs y_true as class ids"),
    (lambda: fm.roc_auc_score(Y2, S2, task="binary", mask=np.zeros((2, 3), bool)),
     "drop every token"),
    (lambda: fm.roc_auc_score(np.array([[[0, 2]]]), np.zeros((1, 1, 2)),
                              task="multilabel"),
     r"0/1 indicator .* token at \(0, 0\) holds \[0, 2\]"),
    (lambda: fm.roc_auc_score(np.array([["a", "b"]]), S2[:1, :2], task="binary"),
     "y_true must hold numbers"),
    (lambda: fm.roc_auc_score(YC, S2, mask=np.ones(2, bool)),
     r"not a 0/1 multilabel indicator .*pass task="),
    (lambda: fm.roc_auc_score(YC[..., None, None], S2, mask=np.ones(2, bool)),
     r"y_true should be a 1d array, got an array of shape \(2, 3, 1, 1\).*task="),
    (lambda: fm.roc_auc_score(Y2, S2, mask=np.ones((2, 3), bool)),
     r"mask has shape \(2, 3\) but the tokens have shape \(2,\)"),
    (lambda: fm.roc_auc_score(np.array([0, 1, 1]), np.array([0.2, 0.3, 0.9]),
                              sample_weight=np.ones((3, 2)), mask=np.ones(3, bool)),
     "sample_weight must be 1-D"),
    (lambda: fm.roc_auc_score(np.array(["a", "b"]), np.array([0.2, 0.3]),
                              class_weight=[1.0, 2.0]),
     "class_weight as an array is indexed by integer labels"),
    (lambda: fm.roc_auc_score(np.array([0, 1, 5]), np.array([0.2, 0.3, 0.4]),
                              class_weight=[1.0, 2.0]),
     "class_weight has 2 entries but label 5 occurs"),
    (lambda: fm.roc_auc_score(np.array([0, 1]), np.array([0.2, 0.3, 0.4]),
                              mask=np.ones(2, bool)),
     "inconsistent numbers of samples"),
])
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_padding_under_mask_is_not_validated():
    y = np.array([[0, 1, PAD], [1, 0, PAD]])
    s = np.array([[0.1, 0.8, np.nan], [0.6, 0.2, np.inf]])
    m = y != PAD
    want = skm.roc_auc_score(y[m], s[m])
    assert_same(fm.roc_auc_score(y, s, task="binary", mask=m), want)
    assert_same(fm.roc_auc_score(y, np.where(m, s, 0.5), task="binary",
                                 ignore_index=PAD), want)
    with pytest.raises(ValueError, match=r"label outside \[0, 2\) at token \(0, 2\)"):
        fm.roc_auc_score(y, np.where(m, s, 0.5), task="binary")


# --------------------------------------------------------------------------
# top_k_accuracy_score
# --------------------------------------------------------------------------


def topk_reference(y, s, k, w, normalize=True):
    """scikit-learn's rule written out: stable argsort, reversed (ties: the
    higher class index ranks first)."""
    order = np.argsort(s, axis=1, kind="mergesort")[:, ::-1][:, :k]
    hit = (order == y[:, None]).any(axis=1).astype(float)
    w = np.ones(len(y)) if w is None else w
    return np.dot(hit, w) / (w.sum() if normalize else 1.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("extras", MC_EXTRAS)
@pytest.mark.parametrize("k", [1, 2, 3])
def test_top_k_multiclass_matches_sklearn(rng, dtype, extras, k):
    y, p, mask = multiclass_data(rng, dtype=dtype)
    labels, kw = build_extras(rng, extras, y, mask, C, y.shape)
    keep, w = ref_for(labels, kw, C)
    ww = None if w is None else w[keep]
    for normalize in (True, False):
        got = fm.top_k_accuracy_score(labels, p, task="multiclass", k=k,
                                      normalize=normalize, **kw)
        want = skm.top_k_accuracy_score(labels[keep], p[keep], k=k, normalize=normalize,
                                        sample_weight=ww, labels=np.arange(C))
        assert_same(got, want)
        assert_same(got, topk_reference(labels[keep], p[keep], k, ww, normalize))


def test_top_k_two_class_multiclass_and_binary(rng):
    y, s, mask = binary_data(rng)
    two = np.stack([1 - s, s], axis=-1)
    sw = rng.random(N) + 0.1
    keep, w = reference(y, mask=mask, sw=sw)
    got = fm.top_k_accuracy_score(y, two, task="multiclass", k=1, mask=mask,
                                  sample_weight=sw)
    assert_same(got, topk_reference(y[keep], two[keep], 1, w[keep]))
    with pytest.warns(fm.exceptions.UndefinedMetricWarning, match="perfect score"):
        assert fm.top_k_accuracy_score(y, two, task="multiclass", k=2) == 1.0
    for scores in (s, two):
        got = fm.top_k_accuracy_score(y, scores, task="binary", k=1, mask=mask,
                                      sample_weight=sw)
        want = skm.top_k_accuracy_score(y[keep], s[keep], k=1, sample_weight=w[keep],
                                        labels=[0, 1])
        assert_same(got, want)


def test_top_k_task_none_with_mask_and_class_weight(rng):
    y, p, mask = multiclass_data(rng, shape=(50,))
    cw = {0: 2.0, 3: 0.5}
    got = fm.top_k_accuracy_score(y, p, k=2, mask=mask, class_weight=cw)
    w = np.array([cw.get(c, 1.0) for c in y[mask]])
    assert_same(got, skm.top_k_accuracy_score(y[mask], p[mask], k=2, sample_weight=w))


@pytest.mark.parametrize("call,match", [
    (lambda: fm.top_k_accuracy_score(np.eye(2)[Y2], np.eye(2)[Y2] * 0.5,
                                     task="multilabel"),
     "defined for binary and multiclass targets"),
    (lambda: fm.top_k_accuracy_score(YC, PC, task="multiclass", labels=[0, 1, 2]),
     "labels is not used with task='multiclass'"),
    (lambda: fm.top_k_accuracy_score(YC, PC, task="multiclass", k=0), "k must be an int"),
    (lambda: fm.top_k_accuracy_score(np.array([[0, 1, 3], [2, 1, 0]]), PC,
                                     task="multiclass"),
     r"label outside \[0, 3\) at token \(0, 2\)"),
    (lambda: fm.top_k_accuracy_score(YC, np.where(np.arange(3) == 2, np.inf, PC),
                                     task="multiclass"),
     r"first bad score at token \(0, 0\)"),
])
def test_top_k_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_ranking_tokens_binary_empty_and_non_contiguous_scores(rng):
    y, s, _ = binary_data(rng)
    yy, ss, ww = ranking_tokens(y, s, task="binary", mask=np.zeros(y.shape, bool),
                                sample_weight=np.ones(N))
    assert yy.shape == ss.shape == ww.shape == (0,)
    y, p, mask = multiclass_data(rng, dtype=np.float32)
    pf = np.asfortranarray(p)
    yy, ss, _ = ranking_tokens(y, pf, task="multiclass")
    assert ss.flags.c_contiguous and ss.dtype == np.float32
    np.testing.assert_array_equal(ss, p.reshape(-1, C))
    got = fm.roc_auc_score(y, pf[:, ::-1][:, ::-1], task="multiclass", multi_class="ovr",
                           mask=mask)
    assert_same(got, skm.roc_auc_score(y[mask], p[mask], multi_class="ovr"))


def test_float16_scores_and_a_single_token():
    """float16 scores are read (exactly, as float32); a (1,) batch stays one
    token, so a (1,) weight or mask still fits it."""
    y = np.array([0, 1, 1, 0])
    s16 = np.array([0.1, 0.5, 0.7, 0.6], dtype=np.float16)
    got = fm.roc_auc_score(y, s16, task="binary")
    assert got == pytest.approx(skm.roc_auc_score(y, s16.astype(np.float64)))
    with pytest.warns(fm.UndefinedMetricWarning, match="No negative samples"):
        fpr, tpr, thr = fm.roc_curve(np.array([1, 0])[:1], np.array([0.3]), task="binary",
                                     sample_weight=np.array([2.0]), mask=np.array([True]))
    with pytest.warns(Warning, match="No negative samples"):
        exp = skm.roc_curve([1], [0.3], sample_weight=[2.0])
    for g, e in zip((fpr, tpr, thr), exp):
        np.testing.assert_allclose(g, e)

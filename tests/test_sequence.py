"""Explicit-task (token / sequence) reading of the classification metrics.

Every expected value comes from a brute-force reference written here: the token
arrays are reduced with numpy (argmax / threshold), masked and filtered by
``ignore_index``, the per-token weights are built as
``broadcast(sample_weight) * class_weight[y_true]``, and scikit-learn is called on
the resulting flat 1-D arrays (``labels=range(C)``).  fastmetrics is never used to
produce an expected value.
"""

import warnings

import numpy as np
import pytest
import sklearn.metrics as skm

import fastmetrics as fm

N, T, C, L = 23, 17, 5, 4

RTOL_CM = 1e-12  # weighted float64 sums, different summation order
RTOL = 1e-10  # derived metrics


# --------------------------------------------------------------------------
# brute-force reference
# --------------------------------------------------------------------------


def _class_weight_vector(class_weight, n_classes):
    if class_weight is None:
        return None
    if isinstance(class_weight, dict):
        cw = np.ones(n_classes, dtype=np.float64)
        for k, v in class_weight.items():
            cw[k] = v
        return cw
    return np.asarray(class_weight, dtype=np.float64)


def _token_weights(shape, sample_weight):
    """Broadcast a weight whose shape is a prefix of the token shape."""
    if sample_weight is None:
        return None
    sw = np.asarray(sample_weight, dtype=np.float64)
    assert tuple(shape[: sw.ndim]) == sw.shape
    return np.broadcast_to(sw.reshape(sw.shape + (1,) * (len(shape) - sw.ndim)), shape)


def flat_reference(yt_ids, yp_ids, *, n_classes, mask=None, ignore_index=None,
                   sample_weight=None, class_weight=None):
    """Flatten token label ids (same shape S) the way the spec defines it."""
    yt_ids = np.asarray(yt_ids)
    yp_ids = np.asarray(yp_ids)
    shape = yt_ids.shape
    assert yp_ids.shape == shape
    keep = np.ones(shape, dtype=bool)
    if mask is not None:
        keep &= np.asarray(mask, dtype=bool)
    if ignore_index is not None:
        keep &= yt_ids != ignore_index
    w = _token_weights(shape, sample_weight)
    cw = _class_weight_vector(class_weight, n_classes)
    if cw is not None:
        cwt = cw[np.where(keep, yt_ids, 0).astype(np.int64)]
        w = cwt if w is None else w * cwt
    ytf = yt_ids[keep].astype(np.int64)
    ypf = yp_ids[keep].astype(np.int64)
    wf = None if w is None else np.ascontiguousarray(w[keep], dtype=np.float64)
    return ytf, ypf, wf


# --------------------------------------------------------------------------
# comparison helpers
# --------------------------------------------------------------------------


def assert_cm(got, expected, weighted):
    got = np.asarray(got)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    if weighted:
        assert got.dtype == np.float64, got.dtype
        np.testing.assert_allclose(got, expected, rtol=RTOL_CM, atol=1e-12)
    else:
        assert got.dtype == np.int64, got.dtype
        np.testing.assert_array_equal(got, expected)


def assert_value(got, expected, rtol=RTOL, what=""):
    if expected is None:
        assert got is None, what
        return
    if isinstance(expected, tuple):
        assert isinstance(got, tuple) and len(got) == len(expected), what
        for g, e in zip(got, expected):
            assert_value(g, e, rtol, what)
        return
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64),
                               np.asarray(expected, dtype=np.float64),
                               rtol=rtol, atol=1e-12, err_msg=what)


def assert_report_dict(got, expected, rtol=RTOL):
    assert isinstance(got, dict)
    assert set(got) == set(expected), (sorted(got), sorted(expected))
    for k, v in expected.items():
        if isinstance(v, dict):
            assert isinstance(got[k], dict), k
            assert set(got[k]) == set(v), (k, sorted(got[k]), sorted(v))
            for kk, vv in v.items():
                assert_value(got[k][kk], vv, rtol, f"{k}/{kk}")
        else:
            assert_value(got[k], v, rtol, k)


def check_single_label(yt_in, yp_in, fm_kw, ref, n_classes, *, binary, full=True,
                       report_text=False):
    """Compare every function of the spec against sklearn on the flat reference."""
    ytf, ypf, wf = ref
    labels = list(range(n_classes))
    weighted = wf is not None
    assert ytf.size > 0

    cm = fm.confusion_matrix(yt_in, yp_in, **fm_kw)
    assert_cm(cm, skm.confusion_matrix(ytf, ypf, labels=labels, sample_weight=wf), weighted)
    if not full:
        return

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for normalize in ("true", "pred", "all"):
            got = fm.confusion_matrix(yt_in, yp_in, normalize=normalize, **fm_kw)
            exp = skm.confusion_matrix(ytf, ypf, labels=labels, sample_weight=wf,
                                       normalize=normalize)
            assert_value(got, exp, what=f"normalize={normalize}")

        averages = [None, "micro", "macro", "weighted"]
        if binary:
            averages = ["binary"] + averages
        for avg in averages:
            skl = {} if avg == "binary" else {"labels": labels}
            for name in ("precision_score", "recall_score", "f1_score"):
                got = getattr(fm, name)(yt_in, yp_in, average=avg, **fm_kw)
                exp = getattr(skm, name)(ytf, ypf, average=avg, sample_weight=wf, **skl)
                assert_value(got, exp, what=f"{name} average={avg}")
            got = fm.fbeta_score(yt_in, yp_in, beta=0.5, average=avg, **fm_kw)
            exp = skm.fbeta_score(ytf, ypf, beta=0.5, average=avg, sample_weight=wf, **skl)
            assert_value(got, exp, what=f"fbeta average={avg}")
            got = fm.precision_recall_fscore_support(yt_in, yp_in, beta=2.0, average=avg,
                                                     **fm_kw)
            exp = skm.precision_recall_fscore_support(ytf, ypf, beta=2.0, average=avg,
                                                      sample_weight=wf, **skl)
            assert_value(tuple(got), tuple(exp), what=f"prfs average={avg}")

        for normalize in (True, False):
            got = fm.accuracy_score(yt_in, yp_in, normalize=normalize, **fm_kw)
            exp = skm.accuracy_score(ytf, ypf, normalize=normalize, sample_weight=wf)
            assert_value(got, exp, what=f"accuracy normalize={normalize}")
        for adjusted in (False, True):
            got = fm.balanced_accuracy_score(yt_in, yp_in, adjusted=adjusted, **fm_kw)
            exp = skm.balanced_accuracy_score(ytf, ypf, adjusted=adjusted, sample_weight=wf)
            assert_value(got, exp, what=f"balanced accuracy adjusted={adjusted}")
        got = fm.matthews_corrcoef(yt_in, yp_in, **fm_kw)
        exp = skm.matthews_corrcoef(ytf, ypf, sample_weight=wf)
        assert_value(got, exp, what="mcc")
        for kw in (None, "linear", "quadratic"):
            got = fm.cohen_kappa_score(yt_in, yp_in, weights=kw, **fm_kw)
            exp = skm.cohen_kappa_score(ytf, ypf, labels=labels, weights=kw, sample_weight=wf)
            assert_value(got, exp, what=f"kappa weights={kw}")
        got = fm.multilabel_confusion_matrix(yt_in, yp_in, **fm_kw)
        exp = skm.multilabel_confusion_matrix(ytf, ypf, labels=labels, sample_weight=wf)
        assert_cm(got, exp, weighted)
        got = fm.classification_report(yt_in, yp_in, output_dict=True, **fm_kw)
        exp = skm.classification_report(ytf, ypf, labels=labels, sample_weight=wf,
                                        output_dict=True)
        assert_report_dict(got, exp)
        if report_text:
            got = fm.classification_report(yt_in, yp_in, digits=4, **fm_kw)
            exp = skm.classification_report(ytf, ypf, labels=labels, sample_weight=wf,
                                            digits=4)
            assert got == exp


# --------------------------------------------------------------------------
# input-form generators (each returns the fastmetrics inputs and the token ids
# computed independently with numpy)
# --------------------------------------------------------------------------


def _correlated_ids(rng, yt, n_classes, p_correct=0.6):
    other = rng.integers(0, n_classes, size=yt.shape)
    return np.where(rng.random(yt.shape) < p_correct, yt, other)


def _scores_for(rng, yt, n_classes, dtype):
    s = rng.standard_normal(yt.shape + (n_classes,))
    bump = (rng.random(yt.shape) < 0.6) * 1.5
    np.put_along_axis(s, yt[..., None], np.take_along_axis(s, yt[..., None], -1)
                      + bump[..., None], axis=-1)
    return s.astype(dtype)


def multiclass_case(form, seed, shape=(N, T), n_classes=C):
    rng = np.random.default_rng(seed)
    yt = rng.integers(0, n_classes, size=shape)
    if form == "ids_int64":
        return yt, _correlated_ids(rng, yt, n_classes), yt, None
    if form == "ids_int32_uint8":
        yp = _correlated_ids(rng, yt, n_classes)
        return yt.astype(np.int32), yp.astype(np.uint8), yt, yp
    if form == "float_true_ids":  # integral floats accepted for y_true ids
        yp = _correlated_ids(rng, yt, n_classes)
        return yt.astype(np.float64), yp, yt, yp
    if form in ("scores_f32", "scores_f64"):
        s = _scores_for(rng, yt, n_classes, np.float32 if form == "scores_f32" else np.float64)
        return yt, s, yt, np.argmax(s, axis=-1)
    if form == "scores_ties":  # many ties: first max wins
        s = rng.integers(0, 3, size=shape + (n_classes,)).astype(np.float32)
        return yt, s, yt, np.argmax(s, axis=-1)
    if form == "onehot_f32_scores_f32":
        s = _scores_for(rng, yt, n_classes, np.float32)
        oh = np.eye(n_classes, dtype=np.float32)[yt]
        return oh, s, yt, np.argmax(s, axis=-1)
    if form == "onehot_int_scores_f64":
        s = _scores_for(rng, yt, n_classes, np.float64)
        oh = np.eye(n_classes, dtype=np.int64)[yt]
        return oh, s, yt, np.argmax(s, axis=-1)
    if form == "soft_true_scores_f64":  # probabilistic targets -> argmax
        soft = rng.random(shape + (n_classes,)) * 0.4
        np.put_along_axis(soft, yt[..., None], 1.0, axis=-1)
        soft /= soft.sum(-1, keepdims=True)
        s = _scores_for(rng, yt, n_classes, np.float64)
        return soft, s, yt, np.argmax(s, axis=-1)
    if form == "onehot_int8_pred_ids":
        yp = _correlated_ids(rng, yt, n_classes)
        return np.eye(n_classes, dtype=np.int8)[yt], yp, yt, yp
    raise AssertionError(form)


MC_FORMS = ["ids_int64", "ids_int32_uint8", "float_true_ids", "scores_f32", "scores_f64",
            "scores_ties", "onehot_f32_scores_f32", "onehot_int_scores_f64",
            "soft_true_scores_f64", "onehot_int8_pred_ids"]
ID_TRUE_FORMS = {"ids_int64", "ids_int32_uint8", "float_true_ids", "scores_f32",
                 "scores_f64", "scores_ties"}


def _weighting(name, rng, shape, n_classes):
    sw = cw = None
    if "sw_seq" in name:
        sw = rng.uniform(0.25, 3.0, size=shape[:1])
    if "sw_tok" in name:
        sw = rng.uniform(0.25, 3.0, size=shape)
    if "cw_dict" in name:
        cw = {0: 2.5, n_classes - 1: 0.125}  # missing keys -> 1
    if "cw_array" in name:
        cw = rng.uniform(0.5, 4.0, size=n_classes)
    return sw, cw


WEIGHTINGS = ["none", "sw_seq", "sw_tok", "cw_dict", "cw_array", "sw_seq+cw_dict",
              "sw_tok+cw_array"]
FILTERS = ["none", "mask", "ignore_in_range", "ignore_-100", "mask+ignore_-100"]


def _apply_filter(filt, rng, yt_in, yt_ids, form_ok_for_ignore, shape, n_classes):
    """Returns (yt_in, yt_ids, mask, ignore_index)."""
    mask = ignore_index = None
    if "mask" in filt:
        mask = rng.random(shape) < 0.75
        mask[0, :] = True  # never everything masked
    if "ignore" in filt:
        if not form_ok_for_ignore:
            return None
        if filt.endswith("in_range"):
            ignore_index = 1
        else:
            ignore_index = -100
            hit = rng.random(shape) < 0.15
            yt_ids = np.where(hit, -100, yt_ids)
            yt_in = np.where(hit, -100, yt_in).astype(yt_in.dtype)
    return yt_in, yt_ids, mask, ignore_index


def _mc_setup(form, filt, weighting, seed=0):
    yt_in, yp_in, yt_ids, yp_ids = multiclass_case(form, seed)
    if yp_ids is None:
        yp_ids = yp_in
    rng = np.random.default_rng(seed + 1000)
    res = _apply_filter(filt, rng, yt_in, yt_ids, form in ID_TRUE_FORMS, (N, T), C)
    assert res is not None
    yt_in, yt_ids, mask, ignore_index = res
    sw, cw = _weighting(weighting, rng, (N, T), C)
    fm_kw = dict(task="multiclass", num_classes=C, mask=mask, ignore_index=ignore_index,
                 sample_weight=sw, class_weight=cw)
    ref = flat_reference(yt_ids, yp_ids, n_classes=C, mask=mask, ignore_index=ignore_index,
                         sample_weight=sw, class_weight=cw)
    return yt_in, yp_in, fm_kw, ref


# --------------------------------------------------------------------------
# multiclass
# --------------------------------------------------------------------------


def _combos(forms, core, filters, id_true_forms):
    """Every filter x weighting for the core forms; a spread of them for the others.

    (Each dtype x optional-argument combination is a separate Numba specialization; the
    full cross product for every form costs minutes of cold compile time.)
    """
    out = []
    for fo in forms:
        for fi in filters:
            if "ignore" in fi and fo not in id_true_forms:
                continue
            for we in WEIGHTINGS:
                if fo in core or (fi, we) in (("none", "none"), ("mask", "sw_seq+cw_dict"),
                                              ("ignore_-100", "sw_tok"),
                                              ("mask+ignore_-100", "cw_array")):
                    out.append((fo, fi, we))
        if fo not in core and fo not in id_true_forms:
            out.append((fo, "mask", "sw_tok+cw_array"))
    return out


@pytest.mark.parametrize("form,filt,weighting",
                         _combos(MC_FORMS, {"ids_int64", "scores_f32"}, FILTERS, ID_TRUE_FORMS))
def test_multiclass_confusion_matrix_forms(form, filt, weighting):
    yt_in, yp_in, fm_kw, ref = _mc_setup(form, filt, weighting)
    check_single_label(yt_in, yp_in, fm_kw, ref, C, binary=False, full=False)


@pytest.mark.parametrize("form,filt,weighting", [
    ("ids_int64", "none", "none"),
    ("scores_f32", "mask", "sw_seq+cw_dict"),
    ("scores_f64", "ignore_-100", "sw_tok"),
    ("scores_ties", "mask+ignore_-100", "cw_array"),
    ("onehot_f32_scores_f32", "mask", "sw_tok+cw_array"),
    ("soft_true_scores_f64", "none", "sw_seq"),
    ("onehot_int8_pred_ids", "mask", "cw_dict"),
    ("float_true_ids", "ignore_in_range", "sw_seq+cw_dict"),
])
def test_multiclass_all_metrics(form, filt, weighting):
    yt_in, yp_in, fm_kw, ref = _mc_setup(form, filt, weighting, seed=7)
    check_single_label(yt_in, yp_in, fm_kw, ref, C, binary=False, full=True,
                       report_text=(form == "ids_int64"))


def test_multiclass_num_classes_inferred():
    # from the scores' last dim
    yt_in, yp_in, yt_ids, yp_ids = multiclass_case("scores_f32", 3)
    ref = flat_reference(yt_ids, yp_ids, n_classes=C)
    cm = fm.confusion_matrix(yt_in, yp_in, task="multiclass")
    assert_cm(cm, skm.confusion_matrix(*ref[:2], labels=range(C)), False)
    # scores wider than any id present -> still the scores' last dim
    cm = fm.confusion_matrix(np.zeros((3, 4), dtype=np.int64),
                             np.zeros((3, 4, 6), dtype=np.float32), task="multiclass")
    assert cm.shape == (6, 6)
    assert cm[0, 0] == 12 and cm.sum() == 12
    # from max id + 1 for id inputs
    yt = np.array([[0, 1, 2], [2, 1, 0]])
    yp = np.array([[0, 2, 2], [3, 1, 0]])
    cm = fm.confusion_matrix(yt, yp, task="multiclass")
    assert_cm(cm, skm.confusion_matrix(yt.ravel(), yp.ravel(), labels=range(4)), False)


def test_multiclass_num_classes_larger_than_present():
    # classes are 0..num_classes-1 even if some never occur
    rng = np.random.default_rng(5)
    yt = rng.integers(0, 3, size=(9, 11))
    yp = _correlated_ids(rng, yt, 3)
    K = 6
    kw = dict(task="multiclass", num_classes=K)
    labels = list(range(K))
    cm = fm.confusion_matrix(yt, yp, **kw)
    assert_cm(cm, skm.confusion_matrix(yt.ravel(), yp.ravel(), labels=labels), False)
    for avg in (None, "macro", "weighted", "micro"):
        got = fm.precision_score(yt, yp, average=avg, zero_division=0, **kw)
        exp = skm.precision_score(yt.ravel(), yp.ravel(), labels=labels, average=avg,
                                  zero_division=0)
        assert_value(got, exp, what=f"precision average={avg}")
        got = fm.recall_score(yt, yp, average=avg, zero_division=0, **kw)
        exp = skm.recall_score(yt.ravel(), yp.ravel(), labels=labels, average=avg,
                               zero_division=0)
        assert_value(got, exp, what=f"recall average={avg}")


def test_multiclass_first_max_wins_explicit():
    scores = np.array([[[1.0, 1.0, 0.0], [0.0, 2.0, 2.0], [3.0, 3.0, 3.0], [0.0, 0.0, 5.0]]],
                      dtype=np.float32)  # (1, 4, 3) -> argmax 0, 1, 0, 2
    yt = np.array([[0, 1, 0, 2]])
    cm = fm.confusion_matrix(yt, scores, task="multiclass")
    np.testing.assert_array_equal(cm, np.diag([2, 1, 1]))
    assert fm.accuracy_score(yt, scores, task="multiclass") == pytest.approx(1.0)
    yt2 = np.array([[1, 2, 2, 2]])
    cm2 = fm.confusion_matrix(yt2, scores, task="multiclass")
    np.testing.assert_array_equal(cm2, skm.confusion_matrix([1, 2, 2, 2], [0, 1, 0, 2],
                                                            labels=range(3)))


def test_prefix_weights_three_token_dims():
    # token shape S = (A, B, D) with class scores S+(C,); weights of shape (A,) and (A, B)
    rng = np.random.default_rng(11)
    S = (4, 5, 6)
    yt = rng.integers(0, C, size=S)
    scores = _scores_for(rng, yt, C, np.float32)
    yp = scores.argmax(-1)
    mask = rng.random(S) < 0.8
    for sw in (rng.uniform(0.5, 2.0, size=S[:1]), rng.uniform(0.5, 2.0, size=S[:2]),
               rng.uniform(0.5, 2.0, size=S)):
        ref = flat_reference(yt, yp, n_classes=C, mask=mask, sample_weight=sw,
                             class_weight={1: 3.0})
        fm_kw = dict(task="multiclass", num_classes=C, mask=mask, sample_weight=sw,
                     class_weight={1: 3.0})
        check_single_label(yt, scores, fm_kw, ref, C, binary=False, full=False)
        got = fm.f1_score(yt, scores, average="macro", **fm_kw)
        exp = skm.f1_score(ref[0], ref[1], average="macro", sample_weight=ref[2],
                           labels=range(C))
        assert_value(got, exp)


def test_one_dim_tokens_equal_sklearn():
    rng = np.random.default_rng(12)
    yt = rng.integers(0, C, size=500)
    scores = _scores_for(rng, yt, C, np.float64)
    yp = scores.argmax(-1)
    sw = rng.uniform(0.1, 5.0, size=500)
    fm_kw = dict(task="multiclass", sample_weight=sw)
    check_single_label(yt, scores, fm_kw, (yt, yp, sw), C, binary=False, full=True)


def test_sample_and_class_weight_multiply_by_hand():
    # 2 sequences x 3 tokens, hand-computed weighted confusion matrix
    yt = np.array([[0, 1, 1], [2, 0, 1]])
    yp = np.array([[0, 1, 2], [2, 2, 1]])
    mask = np.array([[True, True, True], [True, False, True]])
    sw = np.array([2.0, 10.0])
    cw = {1: 0.5, 2: 3.0}  # class 0 -> 1
    # token weights: [[2*1, 2*.5, 2*.5], [10*3, (masked), 10*.5]]
    expected = np.zeros((3, 3))
    expected[0, 0] += 2.0
    expected[1, 1] += 1.0
    expected[1, 2] += 1.0
    expected[2, 2] += 30.0
    expected[1, 1] += 5.0
    got = fm.confusion_matrix(yt, yp, task="multiclass", num_classes=3, mask=mask,
                              sample_weight=sw, class_weight=cw)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, expected)
    got_arr = fm.confusion_matrix(yt, yp, task="multiclass", num_classes=3, mask=mask,
                                  sample_weight=sw, class_weight=np.array([1.0, 0.5, 3.0]))
    np.testing.assert_array_equal(got_arr, expected)


def test_mask_equals_dropping_tokens_and_ignore_index_equals_mask():
    rng = np.random.default_rng(13)
    yt = rng.integers(0, C, size=(N, T))
    scores = _scores_for(rng, yt, C, np.float32)
    mask = rng.random((N, T)) < 0.6
    a = fm.confusion_matrix(yt, scores, task="multiclass", mask=mask)
    b = fm.confusion_matrix(yt[mask], scores[mask], task="multiclass", num_classes=C)
    np.testing.assert_array_equal(a, b)
    yt_ign = np.where(mask, yt, -100)
    c = fm.confusion_matrix(yt_ign, scores, task="multiclass", ignore_index=-100)
    np.testing.assert_array_equal(a, c)
    # and the mask really matters for this data
    d = fm.confusion_matrix(yt, scores, task="multiclass")
    assert d.sum() == N * T and a.sum() == mask.sum()


# --------------------------------------------------------------------------
# binary
# --------------------------------------------------------------------------


def binary_case(form, seed, shape=(N, T)):
    """Returns yt_in, yp_in, yt_ids, yp_ids, threshold."""
    rng = np.random.default_rng(seed)
    yt = (rng.random(shape) < 0.3).astype(np.int64)
    p = np.clip(0.35 * yt + 0.65 * rng.random(shape), 0.0, 1.0)
    if form == "ids_prob_f64":
        return yt, p, yt, (p > 0.5).astype(np.int64), 0.5
    if form == "ids_prob_f64_t03":
        return yt, p, yt, (p > 0.3).astype(np.int64), 0.3
    if form == "ids_prob_f32_exact_threshold":
        q = (np.round(p * 4) / 4).astype(np.float32)  # many values exactly 0.5
        assert (q == 0.5).any()
        return yt, q, yt, (q > 0.5).astype(np.int64), 0.5
    if form == "ids_prob_f32_inexact_threshold":
        # 0.3 is not a float32: scores equal to float32(0.3) are not above the
        # threshold in the scores' precision (Keras, torchmetrics)
        q = np.where(rng.random(shape) < 0.3, np.float32(0.3), p).astype(np.float32)
        return yt, q, yt, (q > np.float32(0.3)).astype(np.int64), 0.3
    if form == "ids_logits_t0":
        z = (rng.standard_normal(shape) + 1.2 * yt - 0.4)
        return yt, z, yt, (z > 0.0).astype(np.int64), 0.0
    if form == "ids_ids":
        yp = (p > 0.5).astype(np.int32)
        return yt.astype(np.int8), yp, yt, yp, 0.5
    if form == "ids_bool":
        yp = p > 0.5
        return yt, yp, yt, yp.astype(np.int64), 0.5
    if form == "onehot_softmax_f32":
        sm = np.stack([1.0 - p, p], axis=-1).astype(np.float32)
        oh = np.eye(2, dtype=np.float32)[yt]
        return oh, sm, yt, (sm[..., 1] > 0.5).astype(np.int64), 0.5
    if form == "onehot_softmax_f32_t07":
        sm = np.stack([1.0 - p, p], axis=-1).astype(np.float32)
        oh = np.eye(2, dtype=np.int64)[yt]
        return oh, sm, yt, (sm[..., 1] > 0.7).astype(np.int64), 0.7
    if form == "ids_softmax_f64":
        sm = np.stack([1.0 - p, p], axis=-1)
        return yt, sm, yt, (sm[..., 1] > 0.5).astype(np.int64), 0.5
    if form == "onehot_true_prob_pred":  # one-hot targets, (N, T) positive probability
        return np.eye(2, dtype=np.float32)[yt], p, yt, (p > 0.5).astype(np.int64), 0.5
    if form == "squeeze1_true_only":
        return yt[..., None].astype(np.float64), p, yt, (p > 0.5).astype(np.int64), 0.5
    if form == "squeeze1":
        return yt[..., None], p[..., None], yt, (p > 0.5).astype(np.int64), 0.5
    if form == "ids_squeeze1_pred":
        return yt, p[..., None].astype(np.float32), yt, \
            (p.astype(np.float32) > 0.5).astype(np.int64), 0.5
    raise AssertionError(form)


BIN_FORMS = ["ids_prob_f64", "ids_prob_f64_t03", "ids_prob_f32_exact_threshold",
             "ids_prob_f32_inexact_threshold",
             "ids_logits_t0", "ids_ids", "ids_bool", "onehot_softmax_f32",
             "onehot_softmax_f32_t07", "ids_softmax_f64", "squeeze1", "ids_squeeze1_pred",
             "onehot_true_prob_pred", "squeeze1_true_only"]
BIN_ID_TRUE = {"ids_prob_f64", "ids_prob_f64_t03", "ids_prob_f32_exact_threshold",
               "ids_prob_f32_inexact_threshold",
               "ids_logits_t0", "ids_ids", "ids_bool", "ids_softmax_f64"}


def _bin_setup(form, filt, weighting, seed=0):
    yt_in, yp_in, yt_ids, yp_ids, thr = binary_case(form, seed)
    rng = np.random.default_rng(seed + 2000)
    res = _apply_filter(filt, rng, yt_in, yt_ids, form in BIN_ID_TRUE, (N, T), 2)
    assert res is not None
    yt_in, yt_ids, mask, ignore_index = res
    sw, cw = _weighting(weighting, rng, (N, T), 2)
    fm_kw = dict(task="binary", threshold=thr, mask=mask, ignore_index=ignore_index,
                 sample_weight=sw, class_weight=cw)
    ref = flat_reference(yt_ids, yp_ids, n_classes=2, mask=mask, ignore_index=ignore_index,
                         sample_weight=sw, class_weight=cw)
    return yt_in, yp_in, fm_kw, ref


@pytest.mark.parametrize("form,filt,weighting",
                         _combos(BIN_FORMS, {"ids_prob_f64", "onehot_softmax_f32"},
                                 ("none", "mask", "ignore_-100", "mask+ignore_-100"),
                                 BIN_ID_TRUE))
def test_binary_confusion_matrix_forms(form, filt, weighting):
    yt_in, yp_in, fm_kw, ref = _bin_setup(form, filt, weighting)
    check_single_label(yt_in, yp_in, fm_kw, ref, 2, binary=True, full=False)


@pytest.mark.parametrize("form,filt,weighting", [
    ("ids_prob_f64", "none", "none"),
    ("ids_prob_f64_t03", "mask", "sw_seq"),
    ("ids_prob_f32_exact_threshold", "ignore_-100", "cw_array"),
    ("onehot_softmax_f32", "mask", "sw_tok+cw_array"),
    ("onehot_softmax_f32_t07", "none", "sw_seq+cw_dict"),
    ("ids_softmax_f64", "mask+ignore_-100", "cw_dict"),
    ("squeeze1", "mask", "sw_tok"),
    ("ids_bool", "none", "sw_seq"),
])
def test_binary_all_metrics(form, filt, weighting):
    yt_in, yp_in, fm_kw, ref = _bin_setup(form, filt, weighting, seed=9)
    check_single_label(yt_in, yp_in, fm_kw, ref, 2, binary=True, full=True,
                       report_text=(form == "ids_prob_f64"))


def test_binary_threshold_is_strict_and_default():
    yt = np.array([[1, 1, 0, 0, 1]])
    p = np.array([[0.5, 0.51, 0.49, 0.5, 1.0]])
    cm = fm.confusion_matrix(yt, p, task="binary")  # default threshold 0.5, strict >
    np.testing.assert_array_equal(cm, skm.confusion_matrix([1, 1, 0, 0, 1], [0, 1, 0, 0, 1],
                                                           labels=[0, 1]))
    cm = fm.confusion_matrix(yt, p, task="binary", threshold=0.45)
    np.testing.assert_array_equal(cm, skm.confusion_matrix([1, 1, 0, 0, 1], [1, 1, 1, 1, 1],
                                                           labels=[0, 1]))


def test_binary_softmax_uses_positive_column_not_argmax():
    # threshold 0.8 on column 1: argmax would say positive for 0.6 but the spec says > 0.8
    yt = np.array([[1, 1, 0, 1]])
    sm = np.array([[[0.4, 0.6], [0.1, 0.9], [0.15, 0.85], [0.9, 0.1]]], dtype=np.float32)
    cm = fm.confusion_matrix(np.eye(2)[yt], sm, task="binary", threshold=0.8)
    np.testing.assert_array_equal(cm, skm.confusion_matrix([1, 1, 0, 1], [0, 1, 1, 0],
                                                           labels=[0, 1]))


# --------------------------------------------------------------------------
# multilabel
# --------------------------------------------------------------------------


def multilabel_case(form, seed, shape=(N, T), n_labels=L):
    rng = np.random.default_rng(seed)
    yt = (rng.random(shape + (n_labels,)) < np.linspace(0.15, 0.6, n_labels)).astype(np.int64)
    p = np.clip(0.4 * yt + 0.6 * rng.random(yt.shape), 0.0, 1.0)
    if form == "scores_f64":
        return yt, p, yt, (p > 0.5).astype(np.int64), 0.5
    if form == "scores_f32_t035":
        q = p.astype(np.float32)
        return yt, q, yt, (q > 0.35).astype(np.int64), 0.35
    if form == "ints":
        yp = (p > 0.5).astype(np.int32)
        return yt.astype(np.int8), yp, yt, yp, 0.5
    raise AssertionError(form)


def multilabel_reference(yt, yp, *, mask=None, ignore_index=None, sample_weight=None):
    """Per-label kept elements: list of (y_true_l, y_pred_l, w_l) 1-D arrays."""
    tok_shape = yt.shape[:-1]
    keep_tok = np.ones(tok_shape, dtype=bool) if mask is None else mask.astype(bool)
    w = _token_weights(tok_shape, sample_weight)
    per_label = []
    for l in range(yt.shape[-1]):
        keep = keep_tok.copy()
        if ignore_index is not None:
            keep &= yt[..., l] != ignore_index
        per_label.append((yt[..., l][keep], yp[..., l][keep],
                          None if w is None else np.ascontiguousarray(w[keep])))
    flat = (yt[keep_tok], yp[keep_tok], None if w is None else np.ascontiguousarray(w[keep_tok]))
    return per_label, flat


@pytest.mark.parametrize("weighting", ["none", "sw_seq", "sw_tok"])
@pytest.mark.parametrize("filt", ["none", "mask", "ignore_-100", "mask+ignore_-100"])
@pytest.mark.parametrize("form", ["scores_f64", "scores_f32_t035", "ints"])
def test_multilabel(form, filt, weighting):
    yt_in, yp_in, yt, yp, thr = multilabel_case(form, 21)
    rng = np.random.default_rng(22)
    mask = ignore_index = None
    if "mask" in filt:
        mask = rng.random((N, T)) < 0.7
    if "ignore" in filt:
        ignore_index = -100
        hit = rng.random(yt.shape) < 0.1  # elementwise
        yt = np.where(hit, -100, yt)
        yt_in = np.where(hit, -100, yt_in).astype(yt_in.dtype)
    sw, _ = _weighting(weighting, rng, (N, T), L)
    fm_kw = dict(task="multilabel", threshold=thr, mask=mask, ignore_index=ignore_index,
                 sample_weight=sw)
    per_label, (Yt, Yp, Wf) = multilabel_reference(yt, yp, mask=mask,
                                                   ignore_index=ignore_index,
                                                   sample_weight=sw)
    weighted = sw is not None

    exp_mcm = np.stack([skm.confusion_matrix(a, b, labels=[0, 1], sample_weight=w)
                        for a, b, w in per_label])
    got_mcm = fm.multilabel_confusion_matrix(yt_in, yp_in, **fm_kw)
    assert_cm(got_mcm, exp_mcm, weighted)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in ("precision_score", "recall_score", "f1_score"):
            per = np.array([getattr(skm, name)(a, b, sample_weight=w, zero_division=0)
                            for a, b, w in per_label])
            support = exp_mcm[:, 1, :].sum(axis=1)
            cat = [np.concatenate([x[i] for x in per_label]) for i in range(2)]
            cat_w = None if not weighted else np.concatenate([x[2] for x in per_label])
            micro = getattr(skm, name)(cat[0], cat[1], sample_weight=cat_w, zero_division=0)
            expected = {None: per, "macro": per.mean(), "micro": micro,
                        "weighted": np.average(per, weights=support)}
            for avg, exp in expected.items():
                got = getattr(fm, name)(yt_in, yp_in, average=avg, zero_division=0, **fm_kw)
                assert_value(got, exp, what=f"{name} average={avg}")
        if ignore_index is None:
            # without elementwise filtering the flat tokens are plain sklearn multilabel input
            for avg in ("samples", "macro", "micro", "weighted", None):
                got = fm.fbeta_score(yt_in, yp_in, beta=2.0, average=avg, zero_division=0,
                                     **fm_kw)
                exp = skm.fbeta_score(Yt, Yp, beta=2.0, average=avg, sample_weight=Wf,
                                      zero_division=0)
                assert_value(got, exp, what=f"fbeta average={avg}")
            got = fm.precision_recall_fscore_support(yt_in, yp_in, average="samples",
                                                     zero_division=0, **fm_kw)
            exp = skm.precision_recall_fscore_support(Yt, Yp, average="samples",
                                                      sample_weight=Wf, zero_division=0)
            assert_value(tuple(got), tuple(exp), what="prfs samples")
            got = fm.accuracy_score(yt_in, yp_in, **fm_kw)  # subset accuracy per token
            exp = skm.accuracy_score(Yt, Yp, sample_weight=Wf)
            assert_value(got, exp, what="subset accuracy")
            got = fm.classification_report(yt_in, yp_in, output_dict=True, zero_division=0,
                                           **fm_kw)
            exp = skm.classification_report(Yt, Yp, output_dict=True, sample_weight=Wf,
                                            zero_division=0)
            assert_report_dict(got, exp)


# --------------------------------------------------------------------------
# memory layouts and input containers
# --------------------------------------------------------------------------


def test_non_contiguous_views():
    # time-major buffers viewed batch-major, strided slices, Fortran order
    rng = np.random.default_rng(31)
    yt_tm = rng.integers(0, C, size=(2 * T, N))
    s_tm = rng.standard_normal((2 * T, N, C)).astype(np.float32)
    mask_tm = rng.random((2 * T, N)) < 0.8
    sw_tok_tm = rng.uniform(0.5, 2.0, size=(2 * T, N))
    yt = yt_tm[::2].T  # (N, T) non-contiguous
    scores = s_tm[::2].transpose(1, 0, 2)
    mask = mask_tm[::2].T
    sw_tok = sw_tok_tm[::2].T
    sw_seq = rng.uniform(0.5, 2.0, size=2 * N)[::2]
    assert not (yt.flags.c_contiguous or scores.flags.c_contiguous or mask.flags.c_contiguous
                or sw_tok.flags.c_contiguous or sw_seq.flags.c_contiguous)
    yp = np.argmax(scores, axis=-1)
    cw = np.asfortranarray(np.linspace(0.5, 2.0, C))
    for sw in (None, sw_seq, sw_tok):
        fm_kw = dict(task="multiclass", num_classes=C, mask=mask, sample_weight=sw,
                     class_weight=cw)
        ref = flat_reference(yt, yp, n_classes=C, mask=mask, sample_weight=sw, class_weight=cw)
        check_single_label(yt, scores, fm_kw, ref, C, binary=False, full=False)
    # Fortran-ordered copies
    fm_kw = dict(task="multiclass", num_classes=C, mask=np.asfortranarray(mask),
                 sample_weight=np.asfortranarray(sw_tok))
    ref = flat_reference(yt, yp, n_classes=C, mask=mask, sample_weight=sw_tok)
    check_single_label(np.asfortranarray(yt), np.asfortranarray(scores), fm_kw, ref, C,
                       binary=False, full=False)
    # binary: strided positive-class column of a softmax, strided targets
    p = s_tm[::2, :, :2].transpose(1, 0, 2)  # (N, T, 2) view
    yb = (yt % 2)
    ref = flat_reference(yb, (p[..., 1] > 0.2).astype(np.int64), n_classes=2, mask=mask,
                         sample_weight=sw_tok)
    check_single_label(yb, p, dict(task="binary", threshold=0.2, mask=mask,
                                   sample_weight=sw_tok), ref, 2, binary=True, full=False)


def test_float32_and_list_inputs():
    rng = np.random.default_rng(32)
    yt = rng.integers(0, C, size=(6, 7))
    scores = rng.standard_normal((6, 7, C))
    sw32 = rng.uniform(0.1, 3.0, size=6).astype(np.float32)
    yp = scores.argmax(-1)
    # float32 weights are accumulated in float64: the reference uses the same float32 values
    ref = flat_reference(yt, yp, n_classes=C, sample_weight=sw32.astype(np.float64))
    check_single_label(yt, scores, dict(task="multiclass", sample_weight=sw32), ref, C,
                       binary=False, full=False)
    # nested lists
    mask = (rng.random((6, 7)) < 0.7)
    ref = flat_reference(yt, yp, n_classes=C, mask=mask, sample_weight=sw32.astype(np.float64))
    check_single_label(yt.tolist(), scores.tolist(),
                       dict(task="multiclass", mask=mask, sample_weight=sw32.tolist()),
                       ref, C, binary=False, full=False)


# --------------------------------------------------------------------------
# inputs larger than one kernel chunk (parallel kernels, chunks cut mid-sequence)
# --------------------------------------------------------------------------

NB, TB = 700, 131  # 91,700 tokens: more than one 65,536-token chunk; T odd


@pytest.mark.parametrize("kind", ["mc_ids", "mc_scores", "binary", "multilabel"])
def test_larger_than_one_chunk(kind):
    rng = np.random.default_rng(41)
    mask = rng.random((NB, TB)) < 0.9
    sw = rng.uniform(0.5, 2.0, size=NB)
    if kind == "multilabel":
        yt = (rng.random((NB, TB, 3)) < 0.3).astype(np.int8)
        p = rng.random((NB, TB, 3))
        hit = rng.random(yt.shape) < 0.05
        yt = np.where(hit, -100, yt).astype(np.int8)
        yp = (p > 0.4).astype(np.int64)
        per_label, _ = multilabel_reference(yt, yp, mask=mask, ignore_index=-100,
                                            sample_weight=sw)
        for w_on in (False, True):
            exp = np.stack([skm.confusion_matrix(a, b, labels=[0, 1],
                                                 sample_weight=w if w_on else None)
                            for a, b, w in per_label])
            got = fm.multilabel_confusion_matrix(yt, p, task="multilabel", threshold=0.4,
                                                 mask=mask, ignore_index=-100,
                                                 sample_weight=sw if w_on else None)
            assert_cm(got, exp, w_on)
        return
    if kind == "binary":
        yt = (rng.random((NB, TB)) < 0.2).astype(np.int64)
        p = rng.random((NB, TB)).astype(np.float32)
        yp_in, yp, k, kw = p, (p > 0.7).astype(np.int64), 2, dict(task="binary", threshold=0.7)
        cw = {1: 5.0}
    else:
        yt = rng.integers(0, C, size=(NB, TB))
        k, cw = C, np.linspace(0.5, 2.0, C)
        kw = dict(task="multiclass", num_classes=C)
        if kind == "mc_ids":
            yp = rng.integers(0, C, size=(NB, TB)).astype(np.int32)
            yp_in = yp
        else:
            yp_in = rng.standard_normal((NB, TB, C)).astype(np.float32)
            yp = yp_in.argmax(-1)
    yt = np.where(rng.random((NB, TB)) < 0.05, -100, yt)
    for sample_weight, class_weight in ((None, None), (sw, None), (sw, cw)):
        ref = flat_reference(yt, yp, n_classes=k, mask=mask, ignore_index=-100,
                             sample_weight=sample_weight, class_weight=class_weight)
        got = fm.confusion_matrix(yt, yp_in, mask=mask, ignore_index=-100,
                                  sample_weight=sample_weight, class_weight=class_weight, **kw)
        exp = skm.confusion_matrix(ref[0], ref[1], labels=list(range(k)), sample_weight=ref[2])
        assert_cm(got, exp, ref[2] is not None)

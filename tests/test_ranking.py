"""Binary ranking metrics: fastmetrics must be a drop-in for sklearn.metrics 1.9.

Functions under test: ``roc_curve``, ``roc_auc_score``, ``precision_recall_curve``,
``average_precision_score``, ``det_curve`` and ``auc`` on binary ``y_true``
(multiclass and multilabel inputs: test_ranking_multiclass.py and
test_ranking_multilabel.py).

Every expected value, warning and error comes either from scikit-learn, run on a
copy of the same inputs in the same test, or from the brute-force pairwise AUC
reference :func:`pairwise_auc` written below -- never from fastmetrics itself.

:func:`check_parity` requires:

* sklearn raises ``ValueError`` -> fastmetrics raises ``ValueError``;
* otherwise the same kind of result: a float for scores, a tuple of 1-D arrays
  for curves, with exactly equal shapes; floats equal within ``rtol=1e-10``
  (plus ``atol=1e-12`` for rates/scores, which all lie in [0, 1]: a rate that is
  0 in exact arithmetic may be 1e-17 after a different summation order), NaN ==
  NaN; thresholds exactly equal (the first ROC / DET threshold is ``np.inf``);
* the same set of ``UserWarning`` messages, with sklearn's
  ``UndefinedMetricWarning`` mapped to ``fastmetrics.UndefinedMetricWarning`` and
  any other ``UserWarning`` to a ``UserWarning`` that is not one;
* the inputs are not modified.

Deliberate deviations, tested on their own at the end: NaN / inf scores raise a
``ValueError`` naming ``y_score`` and the first bad index; negative sample
weights raise a ``ValueError`` naming ``sample_weight``.
"""

import copy
import itertools
import re
import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import UndefinedMetricWarning as SkUndefinedMetricWarning

import fastmetrics as fm

RTOL = 1e-10
ATOL = 1e-12  # only for quantities bounded in [0, 1] (rates, AUC, AP)

CURVES = ["roc_curve", "precision_recall_curve", "det_curve"]
SCORES = ["roc_auc_score", "average_precision_score"]
WEIGHTED = CURVES + SCORES

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.data_too_large])


# --------------------------------------------------------------------------
# comparison machinery
# --------------------------------------------------------------------------
def _run(func, args, kwargs, umw_class):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        try:
            out, exc = func(*args, **kwargs), None
        except Exception as e:  # noqa: BLE001 - compared by the caller
            out, exc = None, e
    warns = set()
    for w in record:
        if issubclass(w.category, UserWarning):
            kind = ("UndefinedMetricWarning" if issubclass(w.category, umw_class)
                    else "UserWarning")
            warns.add((kind, str(w.message)))
    return out, exc, warns


def _snapshot(obj):
    if isinstance(obj, np.ndarray):
        return ("array", obj.copy(), obj.dtype)
    return ("other", copy.deepcopy(obj), None)


def _same_snapshot(a, b):
    if a[0] != b[0]:
        return False
    if a[0] == "array":
        return a[2] == b[2] and np.array_equal(a[1], b[1], equal_nan=a[1].dtype.kind == "f")
    x, z = a[1], b[1]
    return x == z or (isinstance(x, float) and isinstance(z, float) and x != x and z != z)


def _is_threshold_slot(name, i):
    return name in CURVES and i == 2


def check_result(name, expected, got, ctx=""):
    """Compare one fastmetrics result with sklearn's (see module docstring)."""
    if name in CURVES:
        assert isinstance(got, tuple) and len(got) == 3, f"{name}{ctx}: got {type(got)}"
        for i, (e, g) in enumerate(zip(expected, got)):
            g = np.asarray(g)
            e = np.asarray(e)
            assert g.shape == e.shape, (
                f"{name}{ctx}: output {i} shape {g.shape} != sklearn {e.shape}\n"
                f"sklearn={e!r}\nfastmetrics={g!r}")
            if _is_threshold_slot(name, i):
                np.testing.assert_array_equal(
                    g.astype(np.float64), e.astype(np.float64),
                    err_msg=f"{name}{ctx}: thresholds differ")
            else:
                np.testing.assert_allclose(
                    g, e, rtol=RTOL, atol=ATOL, equal_nan=True,
                    err_msg=f"{name}{ctx}: output {i} differs")
    else:
        assert np.ndim(got) == 0, f"{name}{ctx}: expected a scalar, got {got!r}"
        assert isinstance(got, (float, np.floating)), f"{name}{ctx}: {type(got)}"
        atol = ATOL if name in SCORES else 0.0
        np.testing.assert_allclose(float(got), float(expected), rtol=RTOL, atol=atol,
                                   equal_nan=True, err_msg=f"{name}{ctx}")


def check_parity(name, *args, **kwargs):
    """Run sklearn and fastmetrics on copies of the same inputs and compare."""
    sk_args, sk_kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
    before = [_snapshot(a) for a in args] + [_snapshot(v) for v in kwargs.values()]
    expected, sk_exc, sk_warns = _run(getattr(skm, name), sk_args, sk_kwargs,
                                      SkUndefinedMetricWarning)
    got, fm_exc, fm_warns = _run(getattr(fm, name), args, kwargs,
                                 fm.UndefinedMetricWarning)
    ctx = f"(kwargs={ {k: v for k, v in kwargs.items() if k != 'sample_weight'} })"
    after = [_snapshot(a) for a in args] + [_snapshot(v) for v in kwargs.values()]
    assert all(_same_snapshot(b, a) for b, a in zip(before, after)), (
        f"{name}{ctx} modified its inputs")
    if sk_exc is not None:
        if isinstance(sk_exc, ValueError) and isinstance(sk_exc, TypeError):
            allowed = (TypeError, ValueError)  # sklearn's InvalidParameterError is both
        elif isinstance(sk_exc, ValueError):
            allowed = ValueError
        elif isinstance(sk_exc, TypeError):
            allowed = (TypeError, ValueError)
        else:  # pragma: no cover - sklearn never raises anything else here
            allowed = type(sk_exc)
        assert isinstance(fm_exc, allowed), (
            f"{name}{ctx}: sklearn raised {sk_exc!r}, fastmetrics "
            f"{'returned ' + repr(got) if fm_exc is None else 'raised ' + repr(fm_exc)}")
        return None
    if fm_exc is not None:
        raise AssertionError(
            f"{name}{ctx}: sklearn returned {expected!r}, fastmetrics raised {fm_exc!r}"
        ) from fm_exc
    check_result(name, expected, got, ctx)
    assert fm_warns == sk_warns, (
        f"{name}{ctx}: warnings differ\nsklearn:     {sorted(sk_warns)}\n"
        f"fastmetrics: {sorted(fm_warns)}")
    return expected


# --------------------------------------------------------------------------
# random inputs
# --------------------------------------------------------------------------
SCORE_KINDS = ["f64", "f32", "round1", "round2", "f32_round1", "all_equal", "int"]
WEIGHT_KINDS = [None, "float", "int", "zeros"]
SIZES = [2, 3, 4, 7, 31, 200, 2000]


def make_scores(rng, n, kind):
    if kind == "f64":
        return rng.normal(size=n)
    if kind == "f32":
        return rng.normal(size=n).astype(np.float32)
    if kind == "round1":
        return np.round(rng.random(n), 1)
    if kind == "round2":
        return np.round(rng.random(n), 2)
    if kind == "f32_round1":
        return np.round(rng.random(n), 1).astype(np.float32)
    if kind == "all_equal":
        return np.full(n, 0.3)
    if kind == "int":
        return rng.integers(-3, 4, size=n)
    raise AssertionError(kind)


def make_weights(rng, n, kind):
    if kind is None:
        return None
    if kind == "float":
        return rng.uniform(0.05, 3.0, size=n)
    if kind == "int":
        return rng.integers(1, 5, size=n)
    if kind == "zeros":
        w = rng.uniform(0.05, 3.0, size=n)
        w[rng.random(n) < 0.3] = 0.0
        return w
    raise AssertionError(kind)


def make_case(seed, n, score_kind, weight_kind):
    """0/1 labels with both classes present (with non-zero weight), scores, weights."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < rng.uniform(0.2, 0.8)).astype(np.int64)
    y[0], y[1] = 1, 0
    s = make_scores(rng, n, score_kind)
    w = make_weights(rng, n, weight_kind)
    if w is not None:
        w[:2] = np.maximum(w[:2], 1)
    perm = rng.permutation(n)
    return y[perm], s[perm], (None if w is None else w[perm])


# label encodings: (y_true built from 0/1 labels, pos_label for curves / AP)
def encode(y01, enc):
    if enc == "01":
        return y01.copy(), None
    if enc == "float01":
        return y01.astype(np.float64), None
    if enc == "pm1":
        return np.where(y01 == 1, 1, -1), None
    if enc == "bool":
        return y01.astype(bool), None
    if enc == "str":
        return np.where(y01 == 1, "spam", "ham"), "spam"
    if enc == "str_first":  # the positive label is the smaller one
        return np.where(y01 == 1, "ant", "zebra"), "ant"
    raise AssertionError(enc)


ENCODINGS = ["01", "float01", "pm1", "bool", "str", "str_first"]


def _kw(weights):
    return {} if weights is None else {"sample_weight": weights}


# --------------------------------------------------------------------------
# 1. parity on random binary inputs
# --------------------------------------------------------------------------
@pytest.mark.parametrize("weight_kind", WEIGHT_KINDS)
@pytest.mark.parametrize("score_kind", SCORE_KINDS)
@pytest.mark.parametrize("n", SIZES)
def test_roc_curve_parity(n, score_kind, weight_kind):
    y, s, w = make_case(1000 + n, n, score_kind, weight_kind)
    for drop in (True, False):
        check_parity("roc_curve", y, s, drop_intermediate=drop, **_kw(w))
    # default drop_intermediate and pos_label=0 (the other class is positive)
    check_parity("roc_curve", y, s, **_kw(w))
    check_parity("roc_curve", y, s, pos_label=0, **_kw(w))


@pytest.mark.parametrize("weight_kind", WEIGHT_KINDS)
@pytest.mark.parametrize("score_kind", SCORE_KINDS)
@pytest.mark.parametrize("n", SIZES)
def test_precision_recall_curve_parity(n, score_kind, weight_kind):
    y, s, w = make_case(2000 + n, n, score_kind, weight_kind)
    for drop in (True, False):
        check_parity("precision_recall_curve", y, s, drop_intermediate=drop, **_kw(w))
    check_parity("precision_recall_curve", y, s, **_kw(w))
    check_parity("precision_recall_curve", y, s, pos_label=0, **_kw(w))


@pytest.mark.parametrize("weight_kind", WEIGHT_KINDS)
@pytest.mark.parametrize("score_kind", SCORE_KINDS)
@pytest.mark.parametrize("n", SIZES)
def test_det_curve_parity(n, score_kind, weight_kind):
    y, s, w = make_case(3000 + n, n, score_kind, weight_kind)
    for drop in (True, False):
        check_parity("det_curve", y, s, drop_intermediate=drop, **_kw(w))
    check_parity("det_curve", y, s, **_kw(w))
    check_parity("det_curve", y, s, pos_label=0, **_kw(w))


@pytest.mark.parametrize("weight_kind", WEIGHT_KINDS)
@pytest.mark.parametrize("score_kind", SCORE_KINDS)
@pytest.mark.parametrize("n", SIZES)
def test_roc_auc_score_parity(n, score_kind, weight_kind):
    y, s, w = make_case(4000 + n, n, score_kind, weight_kind)
    for max_fpr in (None, 0.1, 0.5, 1.0):
        check_parity("roc_auc_score", y, s, max_fpr=max_fpr, **_kw(w))
    check_parity("roc_auc_score", y, s, **_kw(w))


@pytest.mark.parametrize("weight_kind", WEIGHT_KINDS)
@pytest.mark.parametrize("score_kind", SCORE_KINDS)
@pytest.mark.parametrize("n", SIZES)
def test_average_precision_score_parity(n, score_kind, weight_kind):
    y, s, w = make_case(5000 + n, n, score_kind, weight_kind)
    check_parity("average_precision_score", y, s, **_kw(w))
    check_parity("average_precision_score", y, s, pos_label=0, **_kw(w))


@pytest.mark.parametrize("enc", ENCODINGS)
@pytest.mark.parametrize("seed", range(4))
def test_label_encodings_parity(enc, seed):
    """{0,1}, {0.,1.}, {-1,1}, bools and strings (with pos_label) for every function."""
    n = [5, 40, 333, 1500][seed]
    y01, s, w = make_case(6000 + seed, n, ["round1", "f64", "f32_round1", "int"][seed],
                          [None, "float", "int", "zeros"][seed])
    y, pos = encode(y01, enc)
    kw = _kw(w)
    for name in CURVES:
        for drop in (True, False):
            check_parity(name, y, s, pos_label=pos, drop_intermediate=drop, **kw)
    for max_fpr in (None, 0.1, 0.5, 1.0):
        check_parity("roc_auc_score", y, s, max_fpr=max_fpr, **kw)
    if pos is None:
        check_parity("average_precision_score", y, s, **kw)
    else:
        check_parity("average_precision_score", y, s, pos_label=pos, **kw)
        # the other string as positive label
        other = [lab for lab in np.unique(y) if lab != pos][0]
        check_parity("average_precision_score", y, s, pos_label=other, **kw)
        check_parity("roc_curve", y, s, pos_label=other, **kw)


@pytest.mark.parametrize("pos_label", [1, -1])
def test_explicit_numeric_pos_label_parity(pos_label):
    y01, s, w = make_case(7000, 300, "round2", "float")
    y, _ = encode(y01, "pm1")
    for name in CURVES:
        check_parity(name, y, s, pos_label=pos_label, sample_weight=w)
    check_parity("average_precision_score", y, s, pos_label=pos_label, sample_weight=w)


def test_list_inputs_parity():
    """Plain Python lists are array-likes for sklearn, so for fastmetrics too."""
    y = [0, 1, 1, 0, 1, 0, 0, 1, 1, 1]
    s = [0.1, 0.4, 0.35, 0.8, 0.4, 0.1, 0.7, 0.9, 0.35, 0.2]
    w = [1.0, 2.0, 0.5, 1.0, 1.0, 3.0, 0.0, 1.0, 2.0, 1.0]
    for name in CURVES + SCORES:
        check_parity(name, y, s)
        check_parity(name, y, s, sample_weight=w)


@pytest.mark.parametrize("score_kind", ["f64", "f32", "f32_round1", "int"])
def test_curve_output_dtypes_match_sklearn(score_kind):
    y, s, w = make_case(7100, 50, score_kind, None)
    for name in CURVES:
        expected = getattr(skm, name)(y, s)
        got = getattr(fm, name)(y, s)
        assert [np.asarray(g).dtype for g in got] == [e.dtype for e in expected], name


def test_roc_curve_first_threshold_is_inf():
    y, s, w = make_case(7200, 100, "round1", "float")
    for drop in (True, False):
        fpr, tpr, thr = fm.roc_curve(y, s, sample_weight=w, drop_intermediate=drop)
        e_fpr, e_tpr, e_thr = skm.roc_curve(y, s, sample_weight=w, drop_intermediate=drop)
        assert e_thr[0] == np.inf and thr[0] == np.inf
        assert fpr[0] == e_fpr[0] == 0 and tpr[0] == e_tpr[0] == 0
        assert fpr[-1] == e_fpr[-1] == 1 and tpr[-1] == e_tpr[-1] == 1


@pytest.mark.parametrize("seed", range(3))
def test_auc_parity(seed):
    rng = np.random.default_rng(7300 + seed)
    n = [2, 17, 1000][seed]
    x = np.sort(rng.random(n))
    y = rng.random(n) + 0.5
    check_parity("auc", x, y)
    check_parity("auc", x[::-1].copy(), y)          # decreasing x
    xt = np.round(x, 1)                              # ties in x (still monotone)
    check_parity("auc", xt, y)
    check_parity("auc", x.astype(np.float32), y.astype(np.float32))
    check_parity("auc", list(x), list(y))
    # on real curves
    yy, s, w = make_case(7400 + seed, max(n, 3), "round2", "float")
    fpr, tpr, _ = skm.roc_curve(yy, s, sample_weight=w)
    check_parity("auc", fpr, tpr)
    prec, rec, _ = skm.precision_recall_curve(yy, s, sample_weight=w)
    check_parity("auc", rec, prec)


# --------------------------------------------------------------------------
# 2. edge cases against sklearn
# --------------------------------------------------------------------------
@pytest.mark.parametrize("name", CURVES + SCORES)
@pytest.mark.parametrize("only", [0, 1])
@pytest.mark.parametrize("n", [1, 2, 6])
def test_single_class_parity(name, only, n):
    y = np.full(n, only)
    s = np.linspace(0.0, 1.0, n)
    check_parity(name, y, s)
    check_parity(name, y, s, sample_weight=np.arange(1.0, n + 1))
    if name in CURVES:
        check_parity(name, y, s, drop_intermediate=True)


@pytest.mark.parametrize("only", [0, 1])
def test_roc_auc_single_class_warns_and_returns_nan(only):
    y = np.full(5, only)
    s = np.array([0.1, 0.5, 0.5, 0.2, 0.9])
    with pytest.warns(SkUndefinedMetricWarning) as sk_rec:
        expected = skm.roc_auc_score(y, s)
    with pytest.warns(fm.UndefinedMetricWarning) as fm_rec:
        got = fm.roc_auc_score(y, s)
    assert np.isnan(expected) and np.isnan(got)
    sk_msgs = {str(w.message) for w in sk_rec if issubclass(w.category, UserWarning)}
    fm_msgs = {str(w.message) for w in fm_rec
               if issubclass(w.category, fm.UndefinedMetricWarning)}
    assert fm_msgs == sk_msgs


def test_undefined_metric_warning_is_user_warning():
    assert issubclass(fm.UndefinedMetricWarning, UserWarning)


@pytest.mark.parametrize("max_fpr", [0, 0.0, -0.1, 1.5, 1.0000001, 2])
def test_max_fpr_out_of_range(max_fpr):
    y = np.array([0, 1, 0, 1, 1])
    s = np.array([0.1, 0.2, 0.3, 0.4, 0.4])
    with pytest.raises(ValueError):
        skm.roc_auc_score(y, s, max_fpr=max_fpr)
    with pytest.raises(ValueError):
        fm.roc_auc_score(y, s, max_fpr=max_fpr)


@pytest.mark.parametrize("max_fpr", [1e-9, 0.1, 0.25, 0.5, 0.75, 0.999, 1, 1.0])
def test_max_fpr_values_parity(max_fpr):
    y, s, w = make_case(7500, 120, "round1", "float")
    check_parity("roc_auc_score", y, s, max_fpr=max_fpr)
    check_parity("roc_auc_score", y, s, max_fpr=max_fpr, sample_weight=w)


def test_max_fpr_single_class():
    check_parity("roc_auc_score", np.ones(4, int), np.arange(4.0), max_fpr=0.3)


@pytest.mark.parametrize("name", CURVES + SCORES)
def test_n_equals_one(name):
    check_parity(name, np.array([1]), np.array([0.7]))
    check_parity(name, np.array([0]), np.array([0.7]))
    check_parity(name, np.array([1]), np.array([0.7]), sample_weight=np.array([2.0]))


@pytest.mark.parametrize("name", CURVES + SCORES)
def test_n_equals_two(name):
    for y, s in itertools.product([[0, 1], [1, 0]], [[0.2, 0.7], [0.7, 0.2], [0.5, 0.5]]):
        check_parity(name, np.array(y), np.array(s))


@pytest.mark.parametrize("name", WEIGHTED)
def test_weights_that_remove_a_class(name):
    """Zero weights on every positive (or every negative): sklearn's answer."""
    y = np.array([0, 1, 0, 1, 0, 1])
    s = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    check_parity(name, y, s, sample_weight=np.array([1.0, 0, 2, 0, 1, 0]))
    check_parity(name, y, s, sample_weight=np.array([0.0, 1, 0, 2, 0, 1]))


@pytest.mark.parametrize("name", WEIGHTED)
def test_all_zero_weights(name):
    y = np.array([0, 1, 0, 1])
    s = np.array([0.1, 0.2, 0.3, 0.4])
    check_parity(name, y, s, sample_weight=np.zeros(4))


@pytest.mark.parametrize("name", CURVES)
def test_pos_label_not_present(name):
    y = np.array([0, 1, 0, 1, 1])
    s = np.array([0.1, 0.2, 0.3, 0.4, 0.4])
    check_parity(name, y, s, pos_label=2)


def test_average_precision_invalid_pos_label():
    y = np.array([0, 1, 0, 1, 1])
    s = np.array([0.1, 0.2, 0.3, 0.4, 0.4])
    check_parity("average_precision_score", y, s, pos_label=2)
    check_parity("average_precision_score", np.where(y == 1, "b", "a"), s)  # pos_label=1


@pytest.mark.parametrize("name", CURVES)
def test_strings_without_pos_label(name):
    y = np.array(["a", "b", "a", "b"])
    s = np.array([0.1, 0.2, 0.3, 0.4])
    check_parity(name, y, s)


def test_no_positive_pr_curve_warning_and_ap():
    y = np.zeros(5, int)
    s = np.array([0.1, 0.5, 0.5, 0.2, 0.9])
    check_parity("precision_recall_curve", y, s)
    check_parity("average_precision_score", y, s)
    check_parity("average_precision_score", np.ones(5, int), s)


@pytest.mark.parametrize("x, y", [
    ([0.0], [1.0]),                     # fewer than 2 points
    ([0.0, 1.0, 0.5], [0.1, 0.2, 0.3]),  # neither increasing nor decreasing
    ([0.0, 1.0], [0.1, 0.2, 0.3]),      # mismatched lengths
])
def test_auc_errors(x, y):
    check_parity("auc", np.array(x), np.array(y))
    with pytest.raises(ValueError):
        fm.auc(np.array(x), np.array(y))


@pytest.mark.parametrize("name", CURVES + SCORES)
def test_mismatched_lengths(name):
    y = np.array([0, 1, 0, 1])
    with pytest.raises(ValueError):
        getattr(skm, name)(y, np.array([0.1, 0.2, 0.3]))
    with pytest.raises(ValueError):
        getattr(fm, name)(y, np.array([0.1, 0.2, 0.3]))
    with pytest.raises(ValueError):
        getattr(fm, name)(y, np.array([0.1, 0.2, 0.3, 0.4, 0.5]))
    with pytest.raises(ValueError):
        getattr(skm, name)(y, np.array([0.1, 0.2, 0.3, 0.4]), sample_weight=np.ones(3))
    with pytest.raises(ValueError):
        getattr(fm, name)(y, np.array([0.1, 0.2, 0.3, 0.4]), sample_weight=np.ones(3))
    with pytest.raises(ValueError):
        getattr(fm, name)(y, np.array([0.1, 0.2, 0.3, 0.4]), sample_weight=np.ones(5))


def test_int64_scores_beyond_float64_precision():
    """Distinct int64 scores that collapse when cast to float64 (2**53 vs 2**53 + 1):
    sklearn sorts the integers themselves, so they are distinct thresholds."""
    y = np.array([0, 1] * 20)
    s = np.array([2**53, 2**53 + 1] * 20, dtype=np.int64)
    for name in CURVES + SCORES:
        check_parity(name, y, s)
    rng = np.random.default_rng(7600)
    s2 = (2**60 + rng.integers(0, 8, size=40)).astype(np.int64)
    for name in CURVES + SCORES:
        check_parity(name, y, s2)


@pytest.mark.parametrize("name", CURVES + ["roc_auc_score"])
def test_empty_input(name):
    # (average_precision_score is left out: sklearn raises IndexError there)
    check_parity(name, np.array([], dtype=int), np.array([]))


@pytest.mark.parametrize("kind", ["continuous", "object_ints"])
@pytest.mark.parametrize("name", CURVES + SCORES)
def test_y_true_not_binary_raises_value_error(name, kind):
    """Targets sklearn rejects with ValueError ('continuous' / 'unknown' format)."""
    rng = np.random.default_rng(7700)
    s = rng.random(20)
    y = rng.integers(0, 2, size=20)
    y[:2] = [0, 1]
    check_parity(name, y * 0.5 if kind == "continuous" else y.astype(object), s)


@pytest.mark.parametrize("name", CURVES + SCORES)
def test_two_dimensional_y_score_raises(name):
    rng = np.random.default_rng(7800)
    s = rng.random(20)
    y = rng.integers(0, 2, size=20)
    y[:2] = [0, 1]
    check_parity(name, y, np.c_[1 - s, s])           # (n, 2) scores for binary y_true
    check_parity(name, y, s.reshape(1, -1))


@pytest.mark.parametrize("name", CURVES)
@pytest.mark.parametrize("drop", ["yes", 1, None])
def test_invalid_drop_intermediate(name, drop):
    y = np.array([0, 0, 0, 0, 1, 1])
    s = np.array([0.1, 0.2, 0.3, 0.4, 0.25, 0.35])
    check_parity(name, y, s, drop_intermediate=drop)
    check_parity(name, y, s, drop_intermediate=np.True_)


@pytest.mark.parametrize("name", CURVES + ["average_precision_score"])
def test_invalid_pos_label_type(name):
    y = np.array([0, 0, 0, 0, 1, 1])
    s = np.array([0.1, 0.2, 0.3, 0.4, 0.25, 0.35])
    check_parity(name, y, s, pos_label=[1])


@pytest.mark.parametrize("max_fpr", ["0.5", float("nan"), [0.5]])
def test_invalid_max_fpr_type(max_fpr):
    y = np.array([0, 0, 0, 0, 1, 1])
    s = np.array([0.1, 0.2, 0.3, 0.4, 0.25, 0.35])
    check_parity("roc_auc_score", y, s, max_fpr=max_fpr)


# --------------------------------------------------------------------------
# 3. brute-force pairwise AUC reference
# --------------------------------------------------------------------------
def pairwise_auc(y, s, w=None):
    """sum_{pos i, neg j} w_i w_j ([s_i > s_j] + 0.5 [s_i == s_j]) / (W_pos W_neg)."""
    y = np.asarray(y)
    s = np.asarray(s, dtype=np.float64)
    w = np.ones(len(y)) if w is None else np.asarray(w, dtype=np.float64)
    num = 0.0
    den = 0.0
    for i in range(len(y)):
        if y[i] != 1:
            continue
        for j in range(len(y)):
            if y[j] != 0:
                continue
            ww = w[i] * w[j]
            den += ww
            if s[i] > s[j]:
                num += ww
            elif s[i] == s[j]:
                num += 0.5 * ww
    return num / den


def test_pairwise_reference_self_check():
    """The reference itself, on cases worked out by hand."""
    assert pairwise_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    assert pairwise_auc([0, 1], [0.5, 0.5]) == 0.5
    assert pairwise_auc([0, 1, 1], [0.3, 0.3, 0.1], [2.0, 1.0, 3.0]) == (0.5 * 2 + 0) / 8


@pytest.mark.parametrize("seed", range(12))
def test_roc_auc_matches_pairwise_reference(seed):
    rng = np.random.default_rng(8000 + seed)
    n = int(rng.integers(2, 60))
    y = rng.integers(0, 2, size=n)
    y[0], y[-1] = 0, 1
    s = rng.integers(0, [2, 3, 5, 10][seed % 4], size=n) / 4.0  # heavy ties
    w = [None, rng.uniform(0.1, 5, size=n), rng.integers(1, 6, size=n).astype(float),
         np.where(rng.random(n) < 0.3, 0.0, rng.uniform(0.1, 2, size=n))][seed % 4]
    if w is not None:
        w[0], w[-1] = 1.0, 1.0
    expected = pairwise_auc(y, s, w)
    got = fm.roc_auc_score(y, s, sample_weight=w)
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)
    # the same score from fastmetrics' own curve + auc
    fpr, tpr, _ = fm.roc_curve(y, s, sample_weight=w)
    np.testing.assert_allclose(fm.auc(fpr, tpr), expected, rtol=RTOL, atol=ATOL)


def test_roc_auc_all_scores_tied_is_half():
    y = np.array([0, 1, 1, 0, 1, 1, 1])
    s = np.full(7, 0.25, dtype=np.float32)
    assert pairwise_auc(y, s) == 0.5
    np.testing.assert_allclose(fm.roc_auc_score(y, s), 0.5, rtol=RTOL)
    w = np.arange(1.0, 8.0)
    np.testing.assert_allclose(fm.roc_auc_score(y, s, sample_weight=w), 0.5, rtol=RTOL)


# --------------------------------------------------------------------------
# 4. hypothesis property tests
# --------------------------------------------------------------------------
GRID = [-1.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0, 2.0]  # exact under 3*s + 1


@st.composite
def binary_data(draw, min_size=2, max_size=30, weights="int"):
    """(y in {0,1}, scores with ties, weights) with each class carrying weight > 0."""
    n = draw(st.integers(min_size, max_size))
    y = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 1)))
    s = draw(hnp.arrays(np.float64, n, elements=st.sampled_from(GRID)))
    if weights == "int":
        w = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 4)))
    else:
        w = draw(hnp.arrays(np.float64, n, elements=st.floats(0.0625, 16.0)))
    assume(w[y == 1].sum() > 0 and w[y == 0].sum() > 0)
    return y, s, w


def _curves_close(a, b, rates_only=False):
    for i, (x, z) in enumerate(zip(a, b)):
        if rates_only and i == 2:
            continue
        x, z = np.asarray(x), np.asarray(z)
        assert x.shape == z.shape
        np.testing.assert_allclose(x, z, rtol=RTOL, atol=ATOL)


@SETTINGS
@given(data=binary_data(), perm_seed=st.integers(0, 2**32 - 1))
def test_property_permutation_invariance(data, perm_seed):
    y, s, w = data
    perm = np.random.default_rng(perm_seed).permutation(len(y))
    for name in SCORES:
        a = getattr(fm, name)(y, s, sample_weight=w)
        b = getattr(fm, name)(y[perm], s[perm], sample_weight=w[perm])
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg=name)
    for name in ("roc_curve", "precision_recall_curve"):
        _curves_close(getattr(fm, name)(y, s, sample_weight=w),
                      getattr(fm, name)(y[perm], s[perm], sample_weight=w[perm]))


@SETTINGS
@given(data=binary_data())
def test_property_integer_weights_equal_repeats(data):
    y, s, w = data
    yr, sr = np.repeat(y, w), np.repeat(s, w)
    for name in SCORES:
        np.testing.assert_allclose(getattr(fm, name)(y, s, sample_weight=w),
                                   getattr(fm, name)(yr, sr),
                                   rtol=RTOL, atol=ATOL, err_msg=name)
    for name in ("roc_curve", "precision_recall_curve"):
        for drop in (True, False):
            _curves_close(getattr(fm, name)(y, s, sample_weight=w, drop_intermediate=drop),
                          getattr(fm, name)(yr, sr, drop_intermediate=drop))


@SETTINGS
@given(data=binary_data(weights="float"), k=st.integers(0, 29))
def test_property_zero_weight_equals_removed(data, k):
    y, s, w = data
    k = k % len(y)
    keep = np.arange(len(y)) != k
    assume(w[keep][y[keep] == 1].sum() > 0 and w[keep][y[keep] == 0].sum() > 0)
    w0 = w.copy()
    w0[k] = 0.0
    for name in SCORES:
        np.testing.assert_allclose(getattr(fm, name)(y, s, sample_weight=w0),
                                   getattr(fm, name)(y[keep], s[keep], sample_weight=w[keep]),
                                   rtol=RTOL, atol=ATOL, err_msg=name)
    for name in CURVES:
        _curves_close(getattr(fm, name)(y, s, sample_weight=w0),
                      getattr(fm, name)(y[keep], s[keep], sample_weight=w[keep]))


@SETTINGS
@given(data=binary_data(weights="float"),
       scale=st.sampled_from([1e-3, 0.37, 2.0, 3.0, 1000.0]))
def test_property_weight_scaling(data, scale):
    y, s, w = data
    for name in SCORES:
        np.testing.assert_allclose(getattr(fm, name)(y, s, sample_weight=w),
                                   getattr(fm, name)(y, s, sample_weight=w * scale),
                                   rtol=RTOL, atol=ATOL, err_msg=name)
    # curves: powers of two only, so that the scaled cumulative sums are exact and
    # drop_intermediate's "collinear" test sees exactly the same increments
    p2 = 2.0 ** np.round(np.log2(scale))
    for name in CURVES:
        _curves_close(getattr(fm, name)(y, s, sample_weight=w),
                      getattr(fm, name)(y, s, sample_weight=w * p2))


@SETTINGS
@given(data=binary_data(), transform=st.sampled_from(["affine", "exp", "float32"]))
def test_property_monotone_transform(data, transform):
    y, s, w = data
    t = {"affine": lambda v: 3 * v + 1, "exp": np.exp,
         "float32": lambda v: v.astype(np.float32)}[transform](s)
    # the transform keeps the order and the ties exactly
    assert np.array_equal(np.argsort(s, kind="stable"), np.argsort(t, kind="stable"))
    assert len(np.unique(s)) == len(np.unique(t))
    for name in SCORES:
        for sw in (None, w):
            np.testing.assert_allclose(getattr(fm, name)(y, s, sample_weight=sw),
                                       getattr(fm, name)(y, t, sample_weight=sw),
                                       rtol=RTOL, atol=ATOL, err_msg=name)
    for name in ("roc_curve", "precision_recall_curve"):
        _curves_close(getattr(fm, name)(y, s, sample_weight=w),
                      getattr(fm, name)(y, t, sample_weight=w), rates_only=True)


@SETTINGS
@given(data=binary_data(weights="float"))
def test_property_roc_auc_equals_pairwise_reference(data):
    y, s, w = data
    for sw in (None, w):
        np.testing.assert_allclose(fm.roc_auc_score(y, s, sample_weight=sw),
                                   pairwise_auc(y, s, sw), rtol=RTOL, atol=ATOL)


@SETTINGS
@given(data=binary_data(min_size=1, max_size=25),
       weighted=st.booleans(), drop=st.booleans())
def test_property_parity_with_sklearn(data, weighted, drop):
    """Fuzzed parity, including one-class and zero-weight-class corner cases."""
    y, s, w = data
    kw = {"sample_weight": w.astype(np.float64)} if weighted else {}
    for name in CURVES:
        check_parity(name, y, s, drop_intermediate=drop, **kw)
    check_parity("roc_auc_score", y, s, **kw)
    check_parity("roc_auc_score", y, s, max_fpr=0.5, **kw)
    check_parity("average_precision_score", y, s, **kw)


@SETTINGS
@given(y=hnp.arrays(np.int64, st.integers(1, 12), elements=st.integers(0, 1)),
       data=st.data())
def test_property_parity_single_class_and_tiny(y, data):
    s = data.draw(hnp.arrays(np.float64, len(y), elements=st.sampled_from([0.0, 0.5, 1.0])))
    for name in CURVES + SCORES:
        check_parity(name, y, s)


# --------------------------------------------------------------------------
# 5. large input with many ties (2**21 tokens)
# --------------------------------------------------------------------------
def test_large_many_ties_parity():
    n = 2**21
    rng = np.random.default_rng(9000)
    y = (rng.random(n) < 0.1).astype(np.int8)
    # 1001 distinct float32 values, ~2000 samples per value, mild signal
    s = np.clip(np.round(rng.random(n) * 0.8 + 0.2 * y, 3), 0, 1).astype(np.float32)
    w = rng.uniform(0.5, 2.0, size=n).astype(np.float32)
    for kw in ({}, {"sample_weight": w}):
        np.testing.assert_allclose(fm.roc_auc_score(y, s, **kw),
                                   skm.roc_auc_score(y, s, **kw), rtol=RTOL)
        np.testing.assert_allclose(fm.average_precision_score(y, s, **kw),
                                   skm.average_precision_score(y, s, **kw), rtol=RTOL)
    np.testing.assert_allclose(fm.roc_auc_score(y, s, max_fpr=0.1),
                               skm.roc_auc_score(y, s, max_fpr=0.1), rtol=RTOL)
    check_result("roc_curve", skm.roc_curve(y, s), fm.roc_curve(y, s))


# --------------------------------------------------------------------------
# 6. bad input (deliberate deviations from sklearn)
# --------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", CURVES + SCORES)
def test_non_finite_score_names_y_score_and_first_index(name, dtype, bad):
    y = np.array([0, 1] * 10)
    s = np.linspace(0, 1, 20).astype(dtype)
    s[13] = bad
    s[17] = np.nan
    with pytest.raises(ValueError):  # sklearn rejects it too
        getattr(skm, name)(y, s)
    with pytest.raises(ValueError) as info:
        getattr(fm, name)(y, s)
    msg = str(info.value)
    assert "y_score" in msg, msg
    assert re.search(r"(?<![\d.])13(?![\d.])", msg), msg
    # weighted path too, and the first bad index at 0
    s2 = np.linspace(0, 1, 20).astype(dtype)
    s2[0] = bad
    with pytest.raises(ValueError) as info:
        getattr(fm, name)(y, s2, sample_weight=np.ones(20))
    msg = str(info.value)
    assert "y_score" in msg and re.search(r"(?<![\d.])0(?![\d.])", msg), msg


@pytest.mark.parametrize("name", WEIGHTED)
def test_negative_sample_weight_raises(name):
    y = np.array([0, 1, 0, 1, 0, 1])
    s = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    for w in (np.array([1.0, 1, -0.5, 1, 1, 1]), np.array([1, 1, 1, 1, 1, -1]),
              np.array([1.0, 1, 1, 1, 1, -1e-300])):
        with pytest.raises(ValueError, match="sample_weight"):
            getattr(fm, name)(y, s, sample_weight=w)


@pytest.mark.parametrize("name", WEIGHTED)
def test_bad_input_does_not_poison_next_call(name):
    """After a rejected call, a good call still agrees with sklearn."""
    y, s, w = make_case(9100, 50, "round1", "float")
    s_bad = s.copy()
    s_bad[3] = np.nan
    with pytest.raises(ValueError):
        getattr(fm, name)(y, s_bad, sample_weight=w)
    check_parity(name, y, s, sample_weight=w)

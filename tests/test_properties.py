"""Property tests (hypothesis) for the weight / order / chunking invariances.

The invariances are the ones scikit-learn's tests/test_common.py checks:
no weights == all-ones weights; integer weights == repeated samples; zero weight ==
sample removed; scaling the weights changes nothing; permuting samples changes
nothing; plus: chunked streaming updates == one call.
"""

import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import fastmetrics as fm
from fastmetrics.streaming import ConfusionMatrix

SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.data_too_large])


# --------------------------------------------------------------------------
# strategies
# --------------------------------------------------------------------------


@st.composite
def token_data(draw, task=None, min_size=1, max_size=40):
    """1-D tokens: (task, n_classes, y_true ids (M,), y_pred in an input form)."""
    if task is None:
        task = draw(st.sampled_from(["multiclass", "binary"]))
    m = draw(st.integers(min_size, max_size))
    if task == "multiclass":
        k = draw(st.integers(2, 5))
        yt = draw(hnp.arrays(np.int64, m, elements=st.integers(0, k - 1)))
        if draw(st.booleans()):
            yp = draw(hnp.arrays(np.int64, m, elements=st.integers(0, k - 1)))
        else:  # scores with plenty of ties (argmax, first max wins)
            yp = draw(hnp.arrays(np.float32, (m, k),
                                 elements=st.sampled_from([-1.0, 0.0, 0.25, 0.5, 2.0])))
    else:
        k = 2
        yt = draw(hnp.arrays(np.int64, m, elements=st.integers(0, 1)))
        yp = draw(hnp.arrays(np.float64, m,
                             elements=st.floats(0.0, 1.0, allow_nan=False, width=64)))
    return task, k, yt, yp


def positive_weights(m):
    return hnp.arrays(np.float64, m, elements=st.floats(0.0625, 16.0, allow_nan=False,
                                                        allow_infinity=False))


def _suite(task, k):
    """name -> callable(y_true, y_pred, **extra) for the metrics under test."""
    base = dict(task=task)
    if task == "multiclass":
        base["num_classes"] = k
    avg_b = "binary" if task == "binary" else "macro"

    def mk(fn, **kw):
        return lambda yt, yp, **extra: fn(yt, yp, **base, **kw, **extra)

    return {
        "confusion_matrix": mk(fm.confusion_matrix),
        f"precision_{avg_b}": mk(fm.precision_score, average=avg_b, zero_division=0),
        "precision_macro": mk(fm.precision_score, average="macro", zero_division=0),
        "recall_micro": mk(fm.recall_score, average="micro", zero_division=0),
        "recall_none": mk(fm.recall_score, average=None, zero_division=0),
        "f1_weighted": mk(fm.f1_score, average="weighted", zero_division=0),
        "f1_none": mk(fm.f1_score, average=None, zero_division=0),
        f"f1_{avg_b}": mk(fm.f1_score, average=avg_b, zero_division=0),
        "fbeta2_macro": mk(fm.fbeta_score, beta=2.0, average="macro", zero_division=0),
        "accuracy": mk(fm.accuracy_score),
        "balanced_accuracy": mk(fm.balanced_accuracy_score),
        "mcc": mk(fm.matthews_corrcoef),
        "kappa": mk(fm.cohen_kappa_score),
        "kappa_quadratic": mk(fm.cohen_kappa_score, weights="quadratic"),
    }


def _eval(suite, yt, yp, **extra):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {name: np.asarray(f(yt, yp, **extra), dtype=np.float64)
                for name, f in suite.items()}


def _assert_results_close(a, b, rtol=1e-12, atol=1e-12, scale_cm=1.0):
    for name in a:
        x, y = a[name], b[name]
        if name == "confusion_matrix":
            y = y * scale_cm
        np.testing.assert_allclose(x, y, rtol=rtol, atol=atol, equal_nan=True, err_msg=name)


# --------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------


@SETTINGS
@given(data=token_data())
def test_no_weights_equals_unit_weights(data):
    task, k, yt, yp = data
    suite = _suite(task, k)
    a = _eval(suite, yt, yp)
    b = _eval(suite, yt, yp, sample_weight=np.ones(yt.shape[0]))
    np.testing.assert_array_equal(a["confusion_matrix"], b["confusion_matrix"])
    _assert_results_close(a, b)


@SETTINGS
@given(data=token_data(), st_data=st.data())
def test_integer_weights_equal_repeated_samples(data, st_data):
    task, k, yt, yp = data
    m = yt.shape[0]
    reps = st_data.draw(hnp.arrays(np.int64, m, elements=st.integers(0, 3)))
    assume(reps.sum() > 0)
    suite = _suite(task, k)
    a = _eval(suite, yt, yp, sample_weight=reps.astype(np.float64))
    b = _eval(suite, np.repeat(yt, reps), np.repeat(yp, reps, axis=0))
    # small integer sums are exact in float64
    np.testing.assert_array_equal(a["confusion_matrix"], b["confusion_matrix"])
    _assert_results_close(a, b, rtol=1e-10, atol=1e-12)


@SETTINGS
@given(data=token_data(min_size=2), st_data=st.data())
def test_zero_weight_equals_removed_sample_and_mask(data, st_data):
    task, k, yt, yp = data
    m = yt.shape[0]
    w = st_data.draw(positive_weights(m))
    zero = st_data.draw(hnp.arrays(np.bool_, m))
    assume(not zero.all())
    w = np.where(zero, 0.0, w)
    keep = ~zero
    suite = _suite(task, k)
    a = _eval(suite, yt, yp, sample_weight=w)
    b = _eval(suite, yt[keep], yp[keep], sample_weight=w[keep])
    c = _eval(suite, yt, yp, sample_weight=w, mask=keep)
    _assert_results_close(a, b, rtol=1e-12, atol=1e-12)
    _assert_results_close(a, c, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(data=token_data(), st_data=st.data(),
       scale=st.sampled_from([1.0 / 7.0, 0.5, 3.0, 1000.0]))
def test_scaling_weights_changes_nothing(data, st_data, scale):
    task, k, yt, yp = data
    w = st_data.draw(positive_weights(yt.shape[0]))
    suite = _suite(task, k)
    a = _eval(suite, yt, yp, sample_weight=w)
    b = _eval(suite, yt, yp, sample_weight=w * scale)
    # cm scales with the weights; every derived metric is scale free
    _assert_results_close(b, a, rtol=1e-9, atol=1e-9, scale_cm=scale)


@SETTINGS
@given(data=token_data(), st_data=st.data(), weighted=st.booleans())
def test_permutation_changes_nothing(data, st_data, weighted):
    task, k, yt, yp = data
    m = yt.shape[0]
    perm = np.array(st_data.draw(st.permutations(list(range(m)))), dtype=np.int64)
    w = st_data.draw(positive_weights(m)) if weighted else None
    suite = _suite(task, k)
    a = _eval(suite, yt, yp, sample_weight=w)
    b = _eval(suite, yt[perm], yp[perm], sample_weight=None if w is None else w[perm])
    if not weighted:
        np.testing.assert_array_equal(a["confusion_matrix"], b["confusion_matrix"])
    _assert_results_close(a, b, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(st_data=st.data(), weighted=st.booleans(), task=st.sampled_from(["multiclass",
                                                                         "binary"]))
def test_permuting_sequences_changes_nothing(st_data, weighted, task):
    # (N, T) tokens with a per-sequence weight and a mask, sequences permuted
    n = st_data.draw(st.integers(1, 8))
    # binary: T of 1 or 2 would read as the squeezed / two-unit-softmax forms
    t = st_data.draw(st.integers(1 if task == "multiclass" else 3, 6))
    k = 3 if task == "multiclass" else 2
    yt = st_data.draw(hnp.arrays(np.int64, (n, t), elements=st.integers(0, k - 1)))
    if task == "multiclass":
        yp = st_data.draw(hnp.arrays(np.float64, (n, t, k),
                                     elements=st.floats(-2, 2, allow_nan=False)))
    else:
        yp = st_data.draw(hnp.arrays(np.float64, (n, t), elements=st.floats(0, 1)))
    mask = st_data.draw(hnp.arrays(np.bool_, (n, t)))
    assume(mask.any())
    w = st_data.draw(positive_weights(n)) if weighted else None
    perm = np.array(st_data.draw(st.permutations(list(range(n)))), dtype=np.int64)
    suite = _suite(task, k)
    a = _eval(suite, yt, yp, sample_weight=w, mask=mask)
    b = _eval(suite, yt[perm], yp[perm], sample_weight=None if w is None else w[perm],
              mask=mask[perm])
    _assert_results_close(a, b, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(data=token_data(min_size=0), st_data=st.data(), weighted=st.booleans())
def test_chunked_streaming_equals_oneshot(data, st_data, weighted):
    task, k, yt, yp = data
    m = yt.shape[0]
    w = st_data.draw(positive_weights(m)) if weighted else None
    cuts = sorted(st_data.draw(st.lists(st.integers(0, m), max_size=6)))
    bounds = [0] + cuts + [m]
    kw = dict(task=task)
    if task == "multiclass":
        kw["num_classes"] = k
    sm = ConfusionMatrix(**kw)
    for a, b in zip(bounds[:-1], bounds[1:]):  # duplicate cuts give empty chunks
        sm.update(yt[a:b], yp[a:b], sample_weight=None if w is None else w[a:b])
    got = sm.result()
    if m == 0:
        assert not np.asarray(got).any()
        return
    exp = fm.confusion_matrix(yt, yp, sample_weight=w, **kw)
    if weighted:
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, exp, rtol=1e-12, atol=0)
    else:
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got, exp)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        avg = "binary" if task == "binary" else "macro"
        np.testing.assert_allclose(
            sm.f1(average=avg, zero_division=0),
            fm.f1_score(yt, yp, average=avg, zero_division=0, sample_weight=w, **kw),
            rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(sm.matthews_corrcoef(),
                                   fm.matthews_corrcoef(yt, yp, sample_weight=w, **kw),
                                   rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(sm.balanced_accuracy(),
                                   fm.balanced_accuracy_score(yt, yp, sample_weight=w, **kw),
                                   rtol=1e-12, atol=1e-12, equal_nan=True)
        np.testing.assert_allclose(sm.cohen_kappa(),
                                   fm.cohen_kappa_score(yt, yp, sample_weight=w, **kw),
                                   rtol=1e-12, atol=1e-12, equal_nan=True)
        np.testing.assert_allclose(sm.accuracy(),
                                   fm.accuracy_score(yt, yp, sample_weight=w, **kw),
                                   rtol=1e-12, atol=1e-12)


@SETTINGS
@given(st_data=st.data(), weighted=st.booleans())
def test_multilabel_invariances(st_data, weighted):
    m = st_data.draw(st.integers(1, 30))
    n_labels = st_data.draw(st.integers(1, 4))
    yt = st_data.draw(hnp.arrays(np.int64, (m, n_labels), elements=st.integers(0, 1)))
    yp = st_data.draw(hnp.arrays(np.float64, (m, n_labels), elements=st.floats(0, 1)))
    w = st_data.draw(positive_weights(m)) if weighted else None
    kw = dict(task="multilabel")

    def run(a, b, sw):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return {
                "mcm": np.asarray(fm.multilabel_confusion_matrix(a, b, sample_weight=sw, **kw),
                                  dtype=np.float64),
                "f1_macro": fm.f1_score(a, b, average="macro", zero_division=0,
                                        sample_weight=sw, **kw),
                "precision_micro": fm.precision_score(a, b, average="micro", zero_division=0,
                                                      sample_weight=sw, **kw),
                "recall_none": np.asarray(fm.recall_score(a, b, average=None, zero_division=0,
                                                          sample_weight=sw, **kw)),
            }

    base = run(yt, yp, w)
    ones = run(yt, yp, np.ones(m) if w is None else w)
    if w is None:
        _assert_results_close(base, ones)
    perm = np.array(st_data.draw(st.permutations(list(range(m)))), dtype=np.int64)
    _assert_results_close(base, run(yt[perm], yp[perm], None if w is None else w[perm]))
    cut = st_data.draw(st.integers(0, m))
    sm = ConfusionMatrix(task="multilabel", num_classes=n_labels)
    sm.update(yt[:cut], yp[:cut], sample_weight=None if w is None else w[:cut])
    sm.update(yt[cut:], yp[cut:], sample_weight=None if w is None else w[cut:])
    np.testing.assert_allclose(sm.result(), base["mcm"], rtol=1e-12, atol=0)
    assert sm.result().dtype == (np.float64 if weighted else np.int64)


def test_mcc_constant_y_true_scaled_weights_regression():
    # Found by test_scaling_weights_changes_nothing: y_true constant makes MCC undefined,
    # which sklearn reports as 0.0.  With these weights the float64 sums round so that
    # n**2 - dot(t_sum, t_sum) comes out as a tiny negative number instead of 0.
    import sklearn.metrics as skm

    yt = np.zeros(21, dtype=np.int64)
    yp = np.ones(21)
    yp[0] = 0.0
    w = np.full(21, 0.125) * (1.0 / 7.0)
    expected = skm.matthews_corrcoef(yt, (yp > 0.5).astype(np.int64), sample_weight=w)
    assert expected == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert fm.matthews_corrcoef(yt, yp, task="binary", sample_weight=w * 7.0) == 0.0
        got = fm.matthews_corrcoef(yt, yp, task="binary", sample_weight=w)
    assert np.isfinite(got) and got == expected

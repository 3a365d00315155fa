"""fastmetrics must be a drop-in for sklearn.metrics when ``task=None``.

Every expected value, warning and error in this file comes from scikit-learn,
run on a copy of the same inputs in the same test.  The helper
:func:`check_parity` runs both libraries and requires:

* if sklearn raises ``ValueError``, fastmetrics raises ``ValueError``
  (``TypeError`` from sklearn: fastmetrics raises ``TypeError`` or ``ValueError``);
* otherwise fastmetrics returns the same result: same container types, ndarray
  shapes and dtypes, integer arrays exactly equal, floats equal within
  ``rtol=1e-12`` (NaN == NaN), strings exactly equal;
* the same set of ``UserWarning`` messages (sklearn's ``UndefinedMetricWarning``
  must map to ``fastmetrics.UndefinedMetricWarning``, other ``UserWarning`` to a
  ``UserWarning`` that is not an ``UndefinedMetricWarning``).  Warnings are
  compared as sets of (kind, message): sklearn sometimes repeats one warning
  several times inside one call (classification_report) and a user with the
  default filters sees it once;
* the inputs are not modified by fastmetrics.

The one deliberate deviation (negative sample weights -> ValueError) is tested
separately at the end.
"""

import copy
import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.metrics as skm
from sklearn.exceptions import UndefinedMetricWarning as SkUndefinedMetricWarning

import fastmetrics as fm

RTOL = 1e-12
ATOL = 1e-14  # only matters for results that are 0 up to rounding (MCC, kappa)

PRF_FUNCS = ["precision_score", "recall_score", "f1_score"]
ALL_FUNCS = [
    "confusion_matrix",
    "multilabel_confusion_matrix",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
    "f1_score",
    "fbeta_score",
    "accuracy_score",
    "balanced_accuracy_score",
    "matthews_corrcoef",
    "cohen_kappa_score",
    "classification_report",
]


# --------------------------------------------------------------------------
# comparison machinery
# --------------------------------------------------------------------------
def _run(func, args, kwargs, umw_class):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        try:
            out, exc = func(*args, **kwargs), None
        except Exception as e:  # noqa: BLE001 - compared below
            out, exc = None, e
    warns = set()
    for w in record:
        if issubclass(w.category, UserWarning):
            kind = "UndefinedMetricWarning" if issubclass(w.category, umw_class) else "UserWarning"
            warns.add((kind, str(w.message)))
    return out, exc, warns


def _snapshot(obj):
    if sp.issparse(obj):
        return ("sparse", obj.toarray().copy(), obj.dtype)
    if isinstance(obj, np.ndarray):
        return ("array", obj.copy(), obj.dtype)
    return ("other", copy.deepcopy(obj), None)


def _unchanged(before, obj):
    kind, val, dtype = before
    if kind == "sparse":
        return obj.dtype == dtype and np.array_equal(obj.toarray(), val)
    if kind == "array":
        return obj.dtype == dtype and np.array_equal(obj, val)
    if isinstance(val, (list, tuple)):
        return len(val) == len(obj) and all(
            (a == b) or (a != a and b != b) for a, b in zip(_flat(val), _flat(obj))
        )
    return True


def _flat(x):
    for item in x:
        if isinstance(item, (list, tuple)):
            yield from _flat(item)
        else:
            yield item


_FULL_REPR = re.compile(r"^-?\d+\.\d+(e[-+]\d+)?$")
_LAST_CELL = re.compile(r"^(.*\S)(\s+)(\S+)$")


def _is_full_float_repr(tok):
    """A float printed with repr() (>= 12 significant digits), not a rounded cell."""
    return bool(_FULL_REPR.match(tok)) and len(tok.replace("-", "").replace(".", "").lstrip("0")) >= 12


def _same_report_text(expected, got):
    """Exact text equality, except that the last cell of a line (the ``support``
    column, printed with ``{:>9}``) may hold a weighted sum printed with full
    repr() whose last bits differ (rtol 1e-12; its padding then differs too).
    Everything else -- every rounded cell, names, layout -- must be identical."""
    if got == expected:
        return True
    e_lines, g_lines = expected.split("\n"), got.split("\n")
    if len(e_lines) != len(g_lines):
        return False
    for e_line, g_line in zip(e_lines, g_lines):
        if e_line == g_line:
            continue
        e_m, g_m = _LAST_CELL.match(e_line), _LAST_CELL.match(g_line)
        if not (e_m and g_m) or e_m.group(1) != g_m.group(1):
            return False
        a, b = e_m.group(3), g_m.group(3)
        if not (_is_full_float_repr(a) or _is_full_float_repr(b)):
            return False
        try:
            if not np.isclose(float(a), float(b), rtol=RTOL, atol=0):
                return False
        except ValueError:
            return False
    return True


def assert_same(expected, got, where="result", int_ok_for_float=False):
    """Recursive comparison; ``expected`` always comes from sklearn."""
    if expected is None:
        assert got is None, f"{where}: expected None, got {got!r}"
    elif isinstance(expected, str):
        assert isinstance(got, str), f"{where}: expected str, got {type(got)}"
        assert _same_report_text(expected, got), (
            f"{where}: strings differ\n--- sklearn\n{expected}\n--- fastmetrics\n{got}"
        )
    elif isinstance(expected, dict):
        assert isinstance(got, dict), f"{where}: expected dict, got {type(got)}"
        assert set(got) == set(expected), f"{where}: keys {list(got)} != sklearn {list(expected)}"
        for k in expected:
            assert_same(expected[k], got[k], f"{where}[{k!r}]", int_ok_for_float)
    elif isinstance(expected, tuple):
        assert isinstance(got, tuple), f"{where}: expected tuple, got {type(got)}"
        assert len(got) == len(expected), f"{where}: tuple length {len(got)} != {len(expected)}"
        for i, (e, g) in enumerate(zip(expected, got)):
            assert_same(e, g, f"{where}[{i}]", int_ok_for_float)
    elif isinstance(expected, np.ndarray):
        assert isinstance(got, np.ndarray), f"{where}: expected ndarray, got {type(got)}"
        assert got.shape == expected.shape, f"{where}: shape {got.shape} != sklearn {expected.shape}"
        dtype_ok = got.dtype == expected.dtype or (
            int_ok_for_float and expected.dtype == np.float64 and got.dtype == np.int64
        )
        assert dtype_ok, f"{where}: dtype {got.dtype} != sklearn {expected.dtype}"
        if expected.dtype.kind in "iub" or got.dtype.kind in "iub":
            np.testing.assert_array_equal(got, expected, err_msg=where)
        else:
            np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL, equal_nan=True, err_msg=where)
    elif isinstance(expected, (bool, np.bool_)):
        assert got == expected, f"{where}: {got!r} != {expected!r}"
    elif isinstance(expected, (int, np.integer)):
        assert isinstance(got, (int, np.integer)) and not isinstance(got, bool), (
            f"{where}: expected an integer, got {got!r} ({type(got)})"
        )
        assert got == expected, f"{where}: {got!r} != sklearn {expected!r}"
    elif isinstance(expected, (float, np.floating)):
        assert isinstance(got, (float, np.floating)), f"{where}: expected a float, got {got!r} ({type(got)})"
        np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL, equal_nan=True, err_msg=where)
    else:  # pragma: no cover - would be a mistake in this test file
        raise TypeError(f"{where}: unhandled sklearn result type {type(expected)}")


def check_parity(name, *args, **kwargs):
    """Run sklearn.metrics.<name> and fastmetrics.<name>; compare everything."""
    sk_args, sk_kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
    snaps = [_snapshot(a) for a in args] + [_snapshot(v) for v in kwargs.values()]
    sk_out, sk_exc, sk_warns = _run(getattr(skm, name), sk_args, sk_kwargs, SkUndefinedMetricWarning)
    fm_out, fm_exc, fm_warns = _run(getattr(fm, name), args, kwargs, fm.UndefinedMetricWarning)
    call = f"{name}(<{len(args)} args>, {kwargs!r})"

    for snap, obj in zip(snaps, list(args) + list(kwargs.values())):
        assert _unchanged(snap, obj), f"{call}: fastmetrics modified its input"

    if sk_exc is not None:
        if isinstance(sk_exc, ValueError):
            expected = (ValueError,)
        elif isinstance(sk_exc, TypeError):
            expected = (TypeError, ValueError)
        else:  # pragma: no cover - a mistake in this test file
            raise sk_exc
        if fm_exc is None:
            pytest.fail(f"{call}: sklearn raised {type(sk_exc).__name__}({sk_exc}) "
                        f"but fastmetrics returned {fm_out!r}")
        if not isinstance(fm_exc, expected):
            raise AssertionError(
                f"{call}: sklearn raised {type(sk_exc).__name__}({sk_exc}); fastmetrics raised "
                f"{type(fm_exc).__name__}({fm_exc})"
            ) from fm_exc
        return None

    if fm_exc is not None:
        raise AssertionError(
            f"{call}: sklearn returned {sk_out!r} but fastmetrics raised "
            f"{type(fm_exc).__name__}: {fm_exc}"
        ) from fm_exc

    # sklearn quirk: in multilabel_confusion_matrix (and so the support of
    # precision_recall_fscore_support) an unweighted 1-D input with no true
    # positive at all gives float64 counts; int64 holding the same values is fine.
    quirk = name in ("multilabel_confusion_matrix", "precision_recall_fscore_support") and (
        kwargs.get("sample_weight") is None
    )
    assert_same(sk_out, fm_out, call, int_ok_for_float=quirk)
    assert fm_warns == sk_warns, (
        f"{call}: warnings differ\n  sklearn only:     {sorted(sk_warns - fm_warns)}"
        f"\n  fastmetrics only: {sorted(fm_warns - sk_warns)}"
    )
    return sk_out


def check_parity_call(name, y_true, y_pred, kw):
    kw = dict(kw)
    if name == "fbeta_score" and "beta" not in kw:
        kw["beta"] = 0.5
    return check_parity(name, y_true, y_pred, **kw)


# --------------------------------------------------------------------------
# input forms
# --------------------------------------------------------------------------
_R = np.random.default_rng(20261122)
_N = 40
_BT = _R.integers(0, 2, _N)
_BP = np.where(_R.random(_N) < 0.75, _BT, 1 - _BT)
_MT = _R.integers(0, 3, _N)
_MP = np.where(_R.random(_N) < 0.6, _MT, _R.integers(0, 3, _N))
_LT = _R.integers(0, 2, (_N, 4))
_LP = np.where(_R.random((_N, 4)) < 0.7, _LT, 1 - _LT)


def _take(values, idx, dtype=None):
    return np.asarray(values, dtype=dtype)[idx]


FORMS = {
    # id: (y_true, y_pred, pos_label that is valid for a binary form or None)
    "list-bin": (_BT.tolist(), _BP.tolist(), 1),
    "list-mc": (_MT.tolist(), _MP.tolist(), None),
    "int64-bin": (_BT.astype(np.int64), _BP.astype(np.int64), 1),
    "int64-mc": (_MT.astype(np.int64), _MP.astype(np.int64), None),
    "int32-mc": (_MT.astype(np.int32), _MP.astype(np.int32), None),
    "int32-bin": (_BT.astype(np.int32), _BP.astype(np.int32), 1),
    "uint8-mc": (_MT.astype(np.uint8), _MP.astype(np.uint8), None),
    "uint8-bin": (_BT.astype(np.uint8), _BP.astype(np.uint8), 1),
    "bool-bin": (_BT.astype(bool), _BP.astype(bool), True),
    "float64-mc": (_MT.astype(np.float64), _MP.astype(np.float64), None),
    "float64-bin": (_BT.astype(np.float64), _BP.astype(np.float64), 1),
    "int64-true-float64-pred": (_MT.astype(np.int64), _MP.astype(np.float64), None),
    "str-bin": (_take(["neg", "pos"], _BT), _take(["neg", "pos"], _BP), "pos"),
    "str-mc": (_take(["ant", "bird", "cat"], _MT), _take(["ant", "bird", "cat"], _MP), None),
    "object-str-mc": (
        _take(["ant", "bird", "cat"], _MT, object),
        _take(["ant", "bird", "cat"], _MP, object),
        None,
    ),
    "object-str-bin": (_take(["no", "yes"], _BT, object), _take(["no", "yes"], _BP, object), "yes"),
    "list-str-mc": (
        _take(["ant", "bird", "cat"], _MT).tolist(),
        _take(["ant", "bird", "cat"], _MP).tolist(),
        None,
    ),
    "neg-bin": (_take([-1, 1], _BT), _take([-1, 1], _BP), 1),
    "neg-mc": (_take([-3, -1, 2], _MT), _take([-3, -1, 2], _MP), None),
    "sparse-ids-mc": (_take([3, 1000, 70000], _MT), _take([3, 1000, 70000], _MP), None),
    "sparse-ids-bin": (_take([3, 70000], _BT), _take([3, 70000], _BP), 70000),
    "column-mc": (_MT.reshape(-1, 1), _MP.reshape(-1, 1), None),
    "column-bin": (_BT.reshape(-1, 1), _BP.reshape(-1, 1), 1),
    "column-true-flat-pred": (_MT.reshape(-1, 1), _MP, None),
    "multilabel-int": (_LT.astype(np.int64), _LP.astype(np.int64), None),
    "multilabel-int32": (_LT.astype(np.int32), _LP.astype(np.int32), None),
    "multilabel-bool": (_LT.astype(bool), _LP.astype(bool), None),
    "multilabel-float": (_LT.astype(np.float64), _LP.astype(np.float64), None),
    "multilabel-list": (_LT.tolist(), _LP.tolist(), None),
    "multilabel-csr": (sp.csr_matrix(_LT), sp.csr_matrix(_LP), None),
    "multilabel-csr-array": (sp.csr_array(_LT), sp.csr_array(_LP), None),
    "multilabel-dense-true-csr-pred": (_LT.copy(), sp.csr_matrix(_LP), None),
    # inputs sklearn rejects: fastmetrics must reject them with ValueError too
    "bad-mixed-str-int": (_take(["a", "b", "c"], _MT), _MP.copy(), None),
    "bad-1d-vs-2d": (_MT.copy(), _LP.copy(), None),
    "bad-length": (_MT.copy(), _MP[:-3].copy(), None),
    "bad-continuous": (_MT.copy(), _MP + 0.25, None),
    "bad-multiclass-multioutput": (_R.integers(0, 3, (_N, 2)), _R.integers(0, 3, (_N, 2)), None),
    "bad-multilabel-width": (_LT.copy(), _LP[:, :3].copy(), None),
    "bad-empty": (np.array([], dtype=np.int64), np.array([], dtype=np.int64), None),
    "bad-3d": (_R.integers(0, 2, (_N, 2, 2)), _R.integers(0, 2, (_N, 2, 2)), None),
}

FORM_CALLS = [
    ("confusion_matrix", {}),
    ("multilabel_confusion_matrix", {}),
    ("precision_recall_fscore_support", {}),
    ("precision_recall_fscore_support", {"average": "macro"}),
    ("precision_score", {}),
    ("recall_score", {"average": "micro"}),
    ("f1_score", {}),
    ("f1_score", {"average": "weighted"}),
    ("fbeta_score", {"beta": 0.5, "average": "macro"}),
    ("accuracy_score", {}),
    ("accuracy_score", {"normalize": False}),
    ("balanced_accuracy_score", {}),
    ("matthews_corrcoef", {}),
    ("cohen_kappa_score", {}),
    ("classification_report", {}),
    ("classification_report", {"output_dict": True}),
]


@pytest.mark.parametrize("name,kw", FORM_CALLS, ids=[f"{n}-{k}" for n, k in FORM_CALLS])
@pytest.mark.parametrize("form", list(FORMS))
def test_input_forms(form, name, kw):
    y_true, y_pred, _ = copy.deepcopy(FORMS[form])
    check_parity_call(name, y_true, y_pred, kw)


BINARY_FORMS = [f for f, v in FORMS.items() if v[2] is not None]


@pytest.mark.parametrize("name", PRF_FUNCS + ["fbeta_score", "precision_recall_fscore_support"])
@pytest.mark.parametrize("form", BINARY_FORMS)
def test_input_forms_pos_label(form, name):
    y_true, y_pred, pos_label = copy.deepcopy(FORMS[form])
    kw = {"pos_label": pos_label}
    if name == "precision_recall_fscore_support":
        kw["average"] = "binary"
    check_parity_call(name, y_true, y_pred, kw)


def test_undefined_metric_warning_class():
    assert issubclass(fm.UndefinedMetricWarning, UserWarning)


# --------------------------------------------------------------------------
# labels=
# --------------------------------------------------------------------------
_LAB_INT = (_take([0, 1, 2, 3], _R.integers(0, 3, 30)), _take([0, 1, 2, 3], _R.integers(0, 4, 30)))
_LAB_STR = (
    _take(["ant", "bird", "cat"], _R.integers(0, 3, 30)),
    _take(["ant", "bird", "cat", "dog"], _R.integers(0, 4, 30)),
)
LABEL_DATA = {
    # id: (y_true, y_pred, labels)
    "int-subset": (*_LAB_INT, [0, 2]),
    "int-reordered": (*_LAB_INT, [3, 2, 0, 1]),
    "int-reordered-subset": (*_LAB_INT, [2, 0]),
    "int-with-absent": (*_LAB_INT, [1, 7, 0, 2, 3]),
    "int-pred-only-label": (*_LAB_INT, [3]),
    "int-single": (*_LAB_INT, [1]),
    "int-all-absent": (*_LAB_INT, [7, 9]),
    "int-numpy-labels": (*_LAB_INT, np.array([2, 1, 0], dtype=np.int32)),
    "str-subset": (*_LAB_STR, ["cat", "ant"]),
    "str-with-absent": (*_LAB_STR, ["zebra", "cat", "bird", "ant", "dog"]),
    "str-all-absent": (*_LAB_STR, ["zebra"]),
    "str-pred-only": (*_LAB_STR, ["dog", "ant"]),
    "bin-subset": (_BT.copy(), _BP.copy(), [1]),
    "bin-reordered": (_BT.copy(), _BP.copy(), [1, 0]),
    "bin-with-absent": (_BT.copy(), _BP.copy(), [0, 1, 2]),
    "multilabel-subset": (_LT.copy(), _LP.copy(), [2, 0]),
    "multilabel-all": (_LT.copy(), _LP.copy(), [0, 1, 2, 3]),
    "multilabel-single": (_LT.copy(), _LP.copy(), [3]),
    "multilabel-out-of-range": (_LT.copy(), _LP.copy(), [0, 5]),
    "multilabel-negative": (_LT.copy(), _LP.copy(), [-1, 0]),
    "multilabel-csr-subset": (sp.csr_matrix(_LT), sp.csr_matrix(_LP), [3, 1]),
}
LABEL_CALLS = [
    ("confusion_matrix", {}),
    ("confusion_matrix", {"normalize": "true"}),
    ("multilabel_confusion_matrix", {}),
    ("precision_recall_fscore_support", {}),
    ("precision_recall_fscore_support", {"average": "micro"}),
    ("precision_recall_fscore_support", {"average": "macro"}),
    ("precision_recall_fscore_support", {"average": "weighted"}),
    ("precision_recall_fscore_support", {"average": "samples"}),
    ("f1_score", {"average": "macro", "zero_division": 0}),
    ("f1_score", {}),
    ("recall_score", {"average": None, "zero_division": 1}),
    ("cohen_kappa_score", {}),
    ("classification_report", {}),
    ("classification_report", {"output_dict": True}),
]


@pytest.mark.parametrize("name,kw", LABEL_CALLS, ids=[f"{n}-{k}" for n, k in LABEL_CALLS])
@pytest.mark.parametrize("case", list(LABEL_DATA))
def test_labels(case, name, kw):
    y_true, y_pred, labels = copy.deepcopy(LABEL_DATA[case])
    check_parity_call(name, y_true, y_pred, {**kw, "labels": labels})


def test_multilabel_confusion_matrix_samplewise():
    check_parity("multilabel_confusion_matrix", _LT.copy(), _LP.copy(), samplewise=True)
    check_parity("multilabel_confusion_matrix", _LT.copy(), _LP.copy(), samplewise=True,
                 sample_weight=np.linspace(0.5, 2.0, _N))
    check_parity("multilabel_confusion_matrix", _LT.copy(), _LP.copy(), samplewise=True, labels=[3, 0])
    # not available for multiclass
    check_parity("multilabel_confusion_matrix", _MT.copy(), _MP.copy(), samplewise=True)


# --------------------------------------------------------------------------
# sample_weight variants
# --------------------------------------------------------------------------
def _weights(kind, n, seed=7):
    r = np.random.default_rng(seed)
    if kind is None:
        return None
    if kind == "float":
        return r.uniform(0.1, 3.0, n)
    if kind == "float-zeros":
        w = r.uniform(0.1, 3.0, n)
        w[::3] = 0.0
        return w
    if kind == "int":
        return r.integers(1, 5, n)
    if kind == "int32":
        return r.integers(1, 5, n).astype(np.int32)
    if kind == "int-zeros":
        w = r.integers(0, 4, n)
        w[::4] = 0
        return w
    if kind == "ones-int":
        return np.ones(n, dtype=np.int64)
    if kind == "list-float":
        return r.uniform(0.1, 3.0, n).tolist()
    if kind == "list-int":
        return r.integers(1, 5, n).tolist()
    if kind == "bool":
        return r.random(n) < 0.7
    if kind == "all-zero":
        return np.zeros(n)
    raise ValueError(kind)


WEIGHT_KINDS = [None, "float", "float-zeros", "int", "int32", "int-zeros", "ones-int",
                "list-float", "list-int", "bool"]
CM_NORMALIZE = [None, "true", "pred", "all"]


@pytest.mark.parametrize("labels", [None, [2, 0, 1, 7]], ids=["labels=None", "labels=2,0,1,7"])
@pytest.mark.parametrize("wkind", WEIGHT_KINDS, ids=str)
@pytest.mark.parametrize("normalize", CM_NORMALIZE, ids=str)
def test_confusion_matrix_normalize_weights_dtype(normalize, wkind, labels):
    y_true, y_pred = _MT.copy(), _MP.copy()
    out = check_parity("confusion_matrix", y_true, y_pred, labels=labels,
                       sample_weight=_weights(wkind, _N), normalize=normalize)
    # make sure the dtype rule is really exercised by this grid
    if normalize is None and wkind in (None, "int", "int32", "int-zeros", "ones-int", "list-int", "bool"):
        assert out.dtype == np.int64
    else:
        assert out.dtype == np.float64


@pytest.mark.parametrize("normalize", CM_NORMALIZE, ids=str)
def test_confusion_matrix_normalize_zero_rows(normalize):
    # class 2 never true, class 0 never predicted: 0/0 -> 0 in sklearn
    check_parity("confusion_matrix", [0, 1, 1, 0], [1, 1, 2, 2], labels=[0, 1, 2], normalize=normalize)
    check_parity("confusion_matrix", [0, 1, 1, 0], [1, 1, 2, 2], normalize=normalize,
                 sample_weight=[0.0, 1.5, 2.0, 0.0])


@pytest.mark.parametrize("normalize", ["bogus", True])
def test_confusion_matrix_bad_normalize(normalize):
    check_parity("confusion_matrix", [0, 1], [1, 1], normalize=normalize)


WEIGHT_DATA = {
    "bin": (_BT, _BP),
    "mc": (_MT, _MP),
    "str-mc": (_take(["x", "y", "z"], _MT), _take(["x", "y", "z"], _MP)),
    "multilabel": (_LT, _LP),
}
WEIGHT_CALLS = [
    ("confusion_matrix", {}),
    ("multilabel_confusion_matrix", {}),
    ("precision_recall_fscore_support", {}),
    ("precision_recall_fscore_support", {"average": "weighted"}),
    ("precision_recall_fscore_support", {"average": "samples"}),
    ("f1_score", {"average": "macro"}),
    ("precision_score", {}),
    ("recall_score", {"average": "micro"}),
    ("fbeta_score", {"beta": 2.0, "average": "weighted"}),
    ("accuracy_score", {}),
    ("accuracy_score", {"normalize": False}),
    ("balanced_accuracy_score", {}),
    ("balanced_accuracy_score", {"adjusted": True}),
    ("matthews_corrcoef", {}),
    ("cohen_kappa_score", {}),
    ("cohen_kappa_score", {"weights": "quadratic"}),
    ("classification_report", {}),
    ("classification_report", {"output_dict": True}),
]


@pytest.mark.parametrize("name,kw", WEIGHT_CALLS, ids=[f"{n}-{k}" for n, k in WEIGHT_CALLS])
@pytest.mark.parametrize("wkind", ["float", "float-zeros", "int", "int-zeros", "list-float", "all-zero"])
@pytest.mark.parametrize("data", list(WEIGHT_DATA))
def test_sample_weight(data, wkind, name, kw):
    y_true, y_pred = (a.copy() for a in WEIGHT_DATA[data])
    check_parity_call(name, y_true, y_pred, {**kw, "sample_weight": _weights(wkind, _N)})


@pytest.mark.parametrize("name", ALL_FUNCS)
def test_sample_weight_wrong_length(name):
    check_parity_call(name, _MT.copy(), _MP.copy(), {"sample_weight": np.ones(_N - 1)})


# --------------------------------------------------------------------------
# precision / recall / F: average x zero_division x degenerate data
# --------------------------------------------------------------------------
PRF_DATA = {
    "bin": (_BT.copy(), _BP.copy()),
    "bin-all-zero-pred": ([0, 1, 1, 0, 1], [0, 0, 0, 0, 0]),
    "bin-no-positive-true": ([0, 0, 0, 0], [0, 1, 0, 1]),
    "bin-no-positive-at-all": ([0, 0, 0], [0, 0, 0]),
    "mc": (_MT.copy(), _MP.copy()),
    "mc-true-only-class": ([0, 1, 2, 2, 1, 0], [0, 1, 1, 1, 0, 0]),
    "mc-pred-only-class": ([0, 1, 1, 1, 0, 0], [0, 1, 2, 2, 1, 0]),
    "mc-no-correct": ([0, 1, 2], [1, 2, 0]),
    "multilabel": (_LT.copy(), _LP.copy()),
    "multilabel-empty-rows": (
        np.array([[0, 0, 0], [1, 0, 1], [0, 1, 0], [0, 0, 0]]),
        np.array([[0, 0, 0], [1, 0, 0], [0, 0, 0], [1, 0, 0]]),
    ),
    "multilabel-dead-column": (
        np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0]]),
        np.array([[1, 0, 0], [0, 1, 0], [0, 1, 0]]),
    ),
}
AVERAGES = ["binary", "micro", "macro", "weighted", "samples", None]
ZERO_DIVISION = ["warn", 0, 1, 0.0, 1.0, np.nan]


@pytest.mark.parametrize("zero_division", ZERO_DIVISION, ids=lambda z: f"zd={z}")
@pytest.mark.parametrize("average", AVERAGES, ids=lambda a: f"avg={a}")
@pytest.mark.parametrize("data", list(PRF_DATA))
def test_prfs_average_zero_division(data, average, zero_division):
    y_true, y_pred = copy.deepcopy(PRF_DATA[data])
    kw = {"average": average, "zero_division": zero_division}
    check_parity("precision_recall_fscore_support", y_true, y_pred, **kw)


@pytest.mark.parametrize("zero_division", ["warn", 1, np.nan], ids=lambda z: f"zd={z}")
@pytest.mark.parametrize("average", AVERAGES, ids=lambda a: f"avg={a}")
@pytest.mark.parametrize("name", PRF_FUNCS + ["fbeta_score"])
@pytest.mark.parametrize("data", list(PRF_DATA))
def test_score_functions_average_zero_division(data, name, average, zero_division):
    y_true, y_pred = copy.deepcopy(PRF_DATA[data])
    check_parity_call(name, y_true, y_pred, {"average": average, "zero_division": zero_division})


@pytest.mark.parametrize("warn_for", [("precision",), ("recall",), ("f-score",), ()], ids=str)
def test_prfs_warn_for(warn_for):
    for y_true, y_pred in (PRF_DATA["mc-true-only-class"], PRF_DATA["bin-no-positive-at-all"]):
        for average in (None, "macro", "binary"):
            check_parity("precision_recall_fscore_support", list(y_true), list(y_pred),
                         average=average, warn_for=warn_for)


@pytest.mark.parametrize("zero_division", ["bogus", 2, -1, None], ids=str)
def test_bad_zero_division(zero_division):
    check_parity("f1_score", [0, 1, 1], [0, 0, 1], zero_division=zero_division)


@pytest.mark.parametrize("average", ["mean", "binary ", "MACRO", ""], ids=repr)
@pytest.mark.parametrize("name", PRF_FUNCS + ["precision_recall_fscore_support"])
def test_bad_average(name, average):
    check_parity(name, [0, 1, 1], [0, 0, 1], average=average)


BETAS = [0.0, 0.5, 1.0, 2.0, 3, np.inf, -1.0]


@pytest.mark.parametrize("beta", BETAS, ids=lambda b: f"beta={b}")
@pytest.mark.parametrize("average", ["binary", "macro", "micro", "weighted", "samples", None],
                         ids=lambda a: f"avg={a}")
@pytest.mark.parametrize("data", ["bin", "mc", "multilabel", "mc-true-only-class"])
def test_beta(data, average, beta):
    y_true, y_pred = copy.deepcopy(PRF_DATA[data])
    check_parity("fbeta_score", y_true, y_pred, beta=beta, average=average)
    check_parity("precision_recall_fscore_support", y_true, y_pred, beta=beta, average=average)


POS_LABEL_CASES = {
    # id: (y_true, y_pred, pos_label, average)
    "int-pos0": (_BT, _BP, 0, "binary"),
    "int-pos1": (_BT, _BP, 1, "binary"),
    "int-pos-absent": (_BT, _BP, 2, "binary"),
    "int-pos-str": (_BT, _BP, "1", "binary"),
    "str-pos": (_take(["neg", "pos"], _BT), _take(["neg", "pos"], _BP), "pos", "binary"),
    "str-neg": (_take(["neg", "pos"], _BT), _take(["neg", "pos"], _BP), "neg", "binary"),
    "str-default-pos1": (_take(["neg", "pos"], _BT), _take(["neg", "pos"], _BP), 1, "binary"),
    "str-absent": (_take(["neg", "pos"], _BT), _take(["neg", "pos"], _BP), "maybe", "binary"),
    "neg-pos-minus1": (_take([-1, 1], _BT), _take([-1, 1], _BP), -1, "binary"),
    "single-class-absent-pos": ([0, 0, 0], [0, 0, 0], 1, "binary"),
    "single-class-str": (["a", "a"], ["a", "a"], "b", "binary"),
    "single-class-is-pos": ([1, 1, 1], [1, 1, 1], 1, "binary"),
    "macro-pos-ignored": (_BT, _BP, 0, "macro"),
    "micro-pos-ignored-str": (_take(["neg", "pos"], _BT), _take(["neg", "pos"], _BP), "pos", "micro"),
    "none-pos-none": (_BT, _BP, None, None),
    "mc-binary-average": (_MT, _MP, 1, "binary"),
    "multilabel-binary-average": (_LT, _LP, 1, "binary"),
    "multilabel-pos-ignored": (_LT, _LP, 0, "samples"),
}


@pytest.mark.parametrize("name", PRF_FUNCS + ["fbeta_score", "precision_recall_fscore_support"])
@pytest.mark.parametrize("case", list(POS_LABEL_CASES))
def test_pos_label(case, name):
    y_true, y_pred, pos_label, average = copy.deepcopy(POS_LABEL_CASES[case])
    check_parity_call(name, y_true, y_pred, {"pos_label": pos_label, "average": average})


# --------------------------------------------------------------------------
# accuracy, balanced accuracy, MCC, kappa
# --------------------------------------------------------------------------
SCALAR_DATA = {
    "bin": (_BT, _BP),
    "mc": (_MT, _MP),
    "str": (_take(["a", "b", "c"], _MT), _take(["a", "b", "c"], _MP)),
    "pred-only-class": ([0, 1, 1, 0, 1], [0, 2, 1, 2, 1]),
    "single-class": ([4, 4, 4], [4, 4, 4]),
    "constant-pred": ([0, 1, 2, 1, 0], [1, 1, 1, 1, 1]),
    "constant-true": ([2, 2, 2, 2], [0, 1, 2, 2]),
    "perfect": ([0, 1, 2, 1], [0, 1, 2, 1]),
    "inverted": ([0, 1, 0, 1], [1, 0, 1, 0]),
    "disjoint": ([0, 1, 0, 1], [2, 3, 3, 2]),
    "multilabel": (_LT, _LP),
}


@pytest.mark.parametrize("wkind", [None, "float", "int-zeros"], ids=str)
@pytest.mark.parametrize("kw", [{}, {"normalize": False}], ids=str)
@pytest.mark.parametrize("data", list(SCALAR_DATA))
def test_accuracy(data, kw, wkind):
    y_true, y_pred = copy.deepcopy(SCALAR_DATA[data])
    check_parity("accuracy_score", y_true, y_pred, sample_weight=_weights(wkind, len(y_true)), **kw)


@pytest.mark.parametrize("wkind", [None, "float", "int-zeros"], ids=str)
@pytest.mark.parametrize("adjusted", [False, True])
@pytest.mark.parametrize("data", list(SCALAR_DATA))
def test_balanced_accuracy(data, adjusted, wkind):
    y_true, y_pred = copy.deepcopy(SCALAR_DATA[data])
    check_parity("balanced_accuracy_score", y_true, y_pred, adjusted=adjusted,
                 sample_weight=_weights(wkind, len(y_true)))


@pytest.mark.parametrize("wkind", [None, "float", "int-zeros"], ids=str)
@pytest.mark.parametrize("data", list(SCALAR_DATA))
def test_matthews_corrcoef(data, wkind):
    y_true, y_pred = copy.deepcopy(SCALAR_DATA[data])
    check_parity("matthews_corrcoef", y_true, y_pred, sample_weight=_weights(wkind, len(y_true)))


KAPPA_DATA = {
    **SCALAR_DATA,
    "ordinal": ([0, 1, 2, 3, 4, 2, 1, 3, 0, 4], [0, 2, 2, 3, 3, 1, 1, 4, 1, 4]),
    "labels-none-in-y2": ([0, 1, 0, 1], [2, 2, 3, 3]),
}
KAPPA_LABELS = {
    "None": None,
    "subset": [0, 1],
    "reordered": [2, 0, 1],
    "with-absent": [0, 1, 2, 9],
    "absent-only": [8, 9],
}


@pytest.mark.parametrize("wkind", [None, "float"], ids=str)
@pytest.mark.parametrize("labels", list(KAPPA_LABELS))
@pytest.mark.parametrize("weights", [None, "linear", "quadratic"], ids=str)
@pytest.mark.parametrize("data", [d for d in KAPPA_DATA if d not in ("str",)])
def test_cohen_kappa(data, weights, labels, wkind):
    y1, y2 = copy.deepcopy(KAPPA_DATA[data])
    check_parity("cohen_kappa_score", y1, y2, weights=weights, labels=KAPPA_LABELS[labels],
                 sample_weight=_weights(wkind, len(y1)))


@pytest.mark.parametrize("replace", [np.nan, 0.0, -1.0, 1.0, 0.25, 2.0], ids=str)
@pytest.mark.parametrize("data,labels", [("single-class", None), ("labels-none-in-y2", [0, 1]),
                                         ("mc", None)])
def test_cohen_kappa_replace_undefined_by(data, labels, replace):
    y1, y2 = copy.deepcopy(KAPPA_DATA[data])
    check_parity("cohen_kappa_score", y1, y2, labels=labels, replace_undefined_by=replace)


def test_cohen_kappa_string_labels():
    y1, y2 = copy.deepcopy(KAPPA_DATA["str"])
    for weights in (None, "linear", "quadratic"):
        check_parity("cohen_kappa_score", y1, y2, weights=weights)
        check_parity("cohen_kappa_score", y1, y2, weights=weights, labels=["c", "a"])
    check_parity("cohen_kappa_score", y1, y2, weights="cubic")


# --------------------------------------------------------------------------
# classification_report
# --------------------------------------------------------------------------
REPORT_DATA = {
    "bin": (_BT, _BP),
    "mc": (_MT, _MP),
    "str": (_take(["ant", "bird", "cat"], _MT), _take(["ant", "bird", "cat"], _MP)),
    "long-names": (
        _take(["a rather long class name", "b", "c"], _MT),
        _take(["a rather long class name", "b", "c"], _MP),
    ),
    "pred-only-class": ([0, 1, 1, 0, 1], [0, 2, 1, 2, 1]),
    "no-correct": ([0, 1], [1, 0]),
    "single-class": ([1, 1, 1], [1, 1, 1]),
    "multilabel": (_LT, _LP),
    "multilabel-empty-rows": PRF_DATA["multilabel-empty-rows"],
}
REPORT_KW = {
    "default": {},
    "digits=4": {"digits": 4},
    "digits=0": {"digits": 0},
    "digits=1": {"digits": 1},
    "zd=0": {"zero_division": 0},
    "zd=1": {"zero_division": 1},
    "zd=nan": {"zero_division": np.nan},
    "float-weights": {"sample_weight": "float"},
    "int-weights": {"sample_weight": "int"},
    "labels-subset": {"labels": "subset"},
    "labels-superset": {"labels": "superset"},
    "target_names": {"target_names": "ok"},
    "target_names-wrong-len": {"target_names": "short"},
    "labels+target_names-wrong-len": {"labels": "superset", "target_names": "short"},
}


def _report_kwargs(key, y_true, y_pred):
    kw = dict(REPORT_KW[key])
    n = len(y_true) if not sp.issparse(y_true) else y_true.shape[0]
    if "sample_weight" in kw:
        kw["sample_weight"] = _weights(kw["sample_weight"], n)
    multilabel = np.ndim(y_true) == 2
    if multilabel:
        present = list(range(np.shape(y_true)[1]))
    else:
        present = sorted(set(np.asarray(y_true).tolist()) | set(np.asarray(y_pred).tolist()))
    if kw.get("labels") == "subset":
        kw["labels"] = present[::-1][: max(1, len(present) - 1)]
    elif kw.get("labels") == "superset":
        if multilabel:  # a label beyond the indicator width is an error there
            kw["labels"] = present
        elif isinstance(present[0], str):
            kw["labels"] = present + ["zzz"]
        else:
            kw["labels"] = present + [max(present) + 1]
    n_labels = len(kw["labels"]) if "labels" in kw else len(present)
    if kw.get("target_names") == "ok":
        kw["target_names"] = [f"name {i}" for i in range(n_labels)]
    elif kw.get("target_names") == "short":
        kw["target_names"] = [f"name {i}" for i in range(max(1, n_labels - 1))]
    return kw


@pytest.mark.parametrize("output_dict", [False, True], ids=["text", "dict"])
@pytest.mark.parametrize("key", list(REPORT_KW))
@pytest.mark.parametrize("data", list(REPORT_DATA))
def test_classification_report(data, key, output_dict):
    y_true, y_pred = copy.deepcopy(REPORT_DATA[data])
    kw = _report_kwargs(key, y_true, y_pred)
    check_parity("classification_report", y_true, y_pred, output_dict=output_dict, **kw)


# --------------------------------------------------------------------------
# random inputs of several sizes, with the classic degenerate cases
# --------------------------------------------------------------------------
def _scenario(kind, n):
    r = np.random.default_rng(1000 * n + sum(map(ord, kind)))
    if kind == "random-3":
        t = r.integers(0, 3, n)
        p = np.where(r.random(n) < 0.5, t, r.integers(0, 3, n))
    elif kind == "random-7-strings":
        names = np.array([f"c{i}" for i in range(7)])
        t, p = names[r.integers(0, 7, n)], names[r.integers(0, 7, n)]
    elif kind == "random-binary":
        t = r.integers(0, 2, n)
        p = np.where(r.random(n) < 0.7, t, 1 - t)
    elif kind == "single-label":
        t = np.full(n, 5)
        p = np.full(n, 5)
    elif kind == "labels-only-in-pred":
        t = r.integers(0, 2, n)
        p = r.integers(0, 4, n)
        p[0] = 3  # make sure a y_pred-only label is present
    elif kind == "empty-intersection":
        t = r.integers(0, 2, n)
        p = r.integers(2, 4, n)
    elif kind == "all-zero-pred":
        t = r.integers(0, 3, n)
        p = np.zeros(n, dtype=np.int64)
    elif kind == "multilabel":
        t = r.integers(0, 2, (n, 5))
        p = np.where(r.random((n, 5)) < 0.7, t, 1 - t)
    elif kind == "multilabel-all-zero-pred":
        t = r.integers(0, 2, (n, 3))
        p = np.zeros((n, 3), dtype=np.int64)
    else:
        raise ValueError(kind)
    # the data must contain what the scenario's name promises
    if kind == "labels-only-in-pred":
        assert set(p.tolist()) - set(t.tolist())
    elif kind == "empty-intersection":
        assert not set(t.tolist()) & set(p.tolist())
    elif kind == "single-label":
        assert len(set(t.tolist()) | set(p.tolist())) == 1
    elif kind in ("all-zero-pred", "multilabel-all-zero-pred"):
        assert not p.any()
    return t, p


SCENARIOS = ["random-3", "random-7-strings", "random-binary", "single-label", "labels-only-in-pred",
             "empty-intersection", "all-zero-pred", "multilabel", "multilabel-all-zero-pred"]
RANDOM_CALLS = [
    ("confusion_matrix", {}),
    ("confusion_matrix", {"normalize": "true", "sample_weight": "float"}),
    ("multilabel_confusion_matrix", {}),
    ("multilabel_confusion_matrix", {"sample_weight": "int"}),
    ("precision_recall_fscore_support", {}),
    ("precision_recall_fscore_support", {"average": "weighted", "sample_weight": "float"}),
    ("precision_recall_fscore_support", {"average": "samples"}),
    ("precision_score", {"average": "macro"}),
    ("recall_score", {}),
    ("f1_score", {"average": "micro", "zero_division": 1}),
    ("f1_score", {"average": None, "zero_division": np.nan}),
    ("fbeta_score", {"beta": 2.0, "average": "macro"}),
    ("accuracy_score", {}),
    ("accuracy_score", {"sample_weight": "int", "normalize": False}),
    ("balanced_accuracy_score", {}),
    ("balanced_accuracy_score", {"adjusted": True, "sample_weight": "float"}),
    ("matthews_corrcoef", {}),
    ("matthews_corrcoef", {"sample_weight": "float"}),
    ("cohen_kappa_score", {}),
    ("cohen_kappa_score", {"weights": "linear", "sample_weight": "float"}),
    ("classification_report", {}),
    ("classification_report", {"output_dict": True, "sample_weight": "float-zeros"}),
]


@pytest.mark.parametrize("name,kw", RANDOM_CALLS, ids=[f"{n}-{k}" for n, k in RANDOM_CALLS])
@pytest.mark.parametrize("n", [1, 2, 50, 1000])
@pytest.mark.parametrize("kind", SCENARIOS)
def test_random_inputs(kind, n, name, kw):
    y_true, y_pred = _scenario(kind, n)
    kw = dict(kw)
    if "sample_weight" in kw:
        kw["sample_weight"] = _weights(kw["sample_weight"], n, seed=n)
    check_parity_call(name, y_true, y_pred, kw)


def test_large_random_multiclass_many_classes():
    r = np.random.default_rng(99)
    n, k = 20000, 37
    t = r.integers(0, k, n)
    p = np.where(r.random(n) < 0.4, t, r.integers(0, k, n))
    w = r.uniform(0, 2, n)
    check_parity("confusion_matrix", t, p)
    check_parity("confusion_matrix", t, p, sample_weight=w, normalize="pred")
    check_parity("precision_recall_fscore_support", t, p, sample_weight=w)
    check_parity("f1_score", t, p, average="weighted")
    check_parity("matthews_corrcoef", t, p, sample_weight=w)
    check_parity("cohen_kappa_score", t, p, weights="quadratic")
    check_parity("balanced_accuracy_score", t, p, sample_weight=w, adjusted=True)
    check_parity("classification_report", t, p, digits=5)


# --------------------------------------------------------------------------
# deliberate deviation: negative sample weights
# --------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL_FUNCS)
def test_negative_sample_weight_raises(name):
    y_true, y_pred = _MT.copy(), _MP.copy()
    w = np.ones(_N)
    w[5] = -0.5
    kw = {"beta": 1.0} if name == "fbeta_score" else {}
    if name in PRF_FUNCS or name == "fbeta_score":
        kw["average"] = "macro"
    # sklearn accepts negative weights (documents the deviation) ...
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        getattr(skm, name)(y_true.copy(), y_pred.copy(), sample_weight=w.copy(), **kw)
    # ... fastmetrics refuses them and says which argument is wrong
    with pytest.raises(ValueError, match="sample_weight"):
        getattr(fm, name)(y_true, y_pred, sample_weight=w, **kw)


@pytest.mark.parametrize("name", ["confusion_matrix", "f1_score", "accuracy_score", "classification_report"])
def test_negative_sample_weight_raises_multilabel_and_lists(name):
    if name == "confusion_matrix":
        y_true, y_pred = _MT.tolist(), _MP.tolist()
    else:
        y_true, y_pred = _LT.copy(), _LP.copy()
    kw = {"average": "samples"} if name == "f1_score" else {}
    w = [1.0] * _N
    w[-1] = -2.0
    with pytest.raises(ValueError, match="sample_weight"):
        getattr(fm, name)(y_true, y_pred, sample_weight=w, **kw)

"""The NumPy tier of the confusion family (``_kernels/numpy/confusion.py``)
against the compiled kernels (``_kernels/cpu/confusion.py``).

Each public call runs twice: on the NumPy twins (inputs below
``config.NUMPY_MAX``) and on the compiled kernels (``NUMPY_MAX = -1``); the
results, the exception (type and message) and the warnings must agree.  The
twins are also compared with the kernels directly on random corpora, and a
fresh process must answer every public function of the family on small
inputs without importing Numba.
"""

import textwrap
import warnings

import numpy as np
from _numba_free import assert_numba_free
import pytest

import fastmetrics as fm
from fastmetrics import config
from fastmetrics._kernels import codes, modes
from fastmetrics._kernels.numpy import confusion as twin
from fastmetrics.streaming import ConfusionMatrix


def _kernel():
    from fastmetrics._kernels.cpu import confusion
    return confusion


# --------------------------------------------------------------------- helpers

def _outcome(f):
    """(result or (exception type, message), warnings) of ``f()``."""
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        try:
            out = ("ok", f())
        except Exception as e:  # noqa: BLE001  (compared, not swallowed)
            out = ("raised", type(e), str(e))
    return out, sorted((w.category.__name__, str(w.message)) for w in rec)


def _assert_same(a, b, where=""):
    if isinstance(a, ConfusionMatrix):
        a, b = a.state_dict(), b.state_dict()
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), where
        for k in a:
            _assert_same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, (np.ndarray, np.generic, float)):
        x, y = np.asarray(a), np.asarray(b)
        assert x.dtype == y.dtype and x.shape == y.shape, where
        if x.dtype.kind == "f":
            np.testing.assert_allclose(x, y, rtol=1e-12, atol=0, equal_nan=True,
                                       err_msg=where)
        else:
            np.testing.assert_array_equal(x, y, err_msg=where)
    else:
        assert a == b, where


def assert_tiers_agree(monkeypatch, f):
    """``f()`` on the NumPy twins and on the compiled kernels: same outcome."""
    small = _outcome(f)
    with monkeypatch.context() as m:
        m.setattr(config, "NUMPY_MAX", -1)
        big = _outcome(f)
    assert small[0][0] == big[0][0], (small, big)
    _assert_same(small[0][1:], big[0][1:])
    assert small[1] == big[1]
    return small[0]


# ----------------------------------------------------------- public-call cases

_RNG = np.random.default_rng(20240611)
N, T, C, L = 60, 7, 4, 5


def _ids(shape, k=C, dtype=np.int64):
    return _RNG.integers(0, k, shape).astype(dtype)


def _with(a, index, value):
    a = a.copy()
    a[index] = value
    return a


Y1, P1 = _ids(N), _ids(N)
W1 = _RNG.random(N)
M1 = _RNG.random(N) < 0.8
YT, PT = _ids((N, T)), _ids((N, T))
SCORES = _RNG.random((N, T, C))
YB, SB = _ids((N, T), 2), _RNG.random((N, T))
WT = _RNG.random((N, T))
MT = _RNG.random((N, T)) < 0.8
YL, PL, SL = _ids((N, L), 2), _ids((N, L), 2), _RNG.random((N, L))


def _sklearn_cases():
    """task=None: labels of every dtype, the label-range paths, weights, bad input."""
    cases = {}
    for dt in (np.int8, np.int16, np.int32, np.int64, np.uint8, np.float32, np.float64):
        cases[f"ids-{np.dtype(dt).name}"] = (Y1.astype(dt), P1.astype(dt), {})
    cases["bool"] = (Y1 > 1, P1 > 1, {})
    cases["offset-range"] = (Y1 + 100, P1 + 97, {})
    cases["negative"] = (Y1 - 2, P1 - 2, {"sample_weight": W1})
    cases["wide-range"] = (Y1 * 1000, P1 * 1000, {"sample_weight": W1})
    cases["strings"] = (Y1.astype(str), P1.astype(str), {"sample_weight": W1})
    cases["weights-mask"] = (Y1, P1, {"sample_weight": W1, "mask": M1})
    cases["ignore"] = (Y1, P1, {"ignore_index": 2, "sample_weight": W1})
    cases["ignore-float"] = (Y1.astype(np.float32), P1.astype(np.float32),
                             {"ignore_index": 2.0})
    cases["class-weight"] = (Y1, P1, {"class_weight": {0: 2.0, 3: 0.5}})
    cases["class-weight-array"] = (Y1, P1, {"class_weight": np.arange(1.0, C + 1)})
    cases["nan-label"] = (_with(Y1.astype(float), 7, np.nan), P1.astype(float), {})
    cases["fractional"] = (Y1.astype(float), _with(P1.astype(float), 9, 1.5), {})
    cases["neg-weight"] = (Y1, P1, {"sample_weight": _with(W1, 11, -1.0)})
    cases["nan-weight-masked"] = (Y1, P1, {"sample_weight": _with(W1, 3, np.nan),
                                           "mask": _with(M1, 3, False)})
    cases["nan-weight-kept"] = (Y1, P1, {"sample_weight": _with(W1, 3, np.nan),
                                         "mask": _with(M1, 3, True)})
    cases["multilabel"] = (YL, PL, {"sample_weight": W1})
    cases["multilabel-bool"] = (YL.astype(bool), PL.astype(bool), {"mask": M1})
    cases["multilabel-float"] = (YL * 2.0, PL.astype(float), {"ignore_index": 0})
    return cases


def _task_cases():
    """Explicit tasks: (N,), (N, T), (N, T, C) forms, masks, weights, bad input."""
    bad_scores = _with(SCORES, (3, 2, 1), np.nan)
    cases = {
        "mc-ids": (YT.astype(np.int8), PT.astype(np.int16), "multiclass", {}),
        "mc-ids-uint8": (YT.astype(np.uint8), PT.astype(np.uint8), "multiclass",
                         {"num_classes": 6}),
        "mc-ids-float": (YT.astype(np.float32), PT.astype(np.int32), "multiclass", {}),
        "mc-ids-uint64": (YT.astype(np.uint64), _with(PT, (1, 1), 7).astype(np.uint64),
                          "multiclass", {"num_classes": C}),
        "mc-scores64": (YT, SCORES, "multiclass", {"sample_weight": WT}),
        "mc-scores32": (YT, SCORES.astype(np.float32), "multiclass",
                        {"sample_weight": W1, "mask": MT}),
        "mc-scores-strided": (YT, np.swapaxes(np.swapaxes(SCORES, 0, 2).copy(), 0, 2),
                              "multiclass", {"class_weight": [1.0, 2.0, 0.5, 3.0]}),
        "mc-many-classes": (_ids((N, T), 70), _RNG.random((N, T, 70)), "multiclass", {}),
        "mc-one-hot": (np.eye(C)[YT], SCORES, "multiclass", {"sample_weight": WT}),
        "mc-one-hot-ids": (np.eye(C)[YT].astype(np.float32), PT, "multiclass", {}),
        "mc-ignore": (_with(YT, (slice(None), 0), -100), SCORES, "multiclass",
                      {"ignore_index": -100, "sample_weight": W1}),
        "mc-nan-score": (YT, bad_scores, "multiclass", {}),
        "mc-nan-score-masked": (YT, bad_scores, "multiclass",
                                {"mask": _with(MT, (3, 2), False)}),
        "mc-true-out-of-range": (_with(YT, (5, 1), 9), SCORES, "multiclass", {}),
        "mc-pred-out-of-range": (YT, _with(PT, (4, 4), -1), "multiclass",
                                 {"num_classes": C}),
        "mc-fractional-id": (_with(YT.astype(float), (2, 2), 0.5), SCORES, "multiclass",
                             {}),
        "mc-weight-neg": (YT, SCORES, "multiclass",
                          {"sample_weight": _with(W1, 8, -2.0)}),
        "mc-weight-inf-token": (YT, SCORES, "multiclass",
                                {"sample_weight": _with(WT, (8, 3), np.inf)}),
        "bin-scores": (YB, SB, "binary", {"sample_weight": WT, "threshold": 0.3}),
        "bin-scores32": (YB.astype(bool), SB.astype(np.float32), "binary", {"mask": MT}),
        "bin-ids": (YB.astype(np.int8), _ids((N, T), 2, np.uint8), "binary", {}),
        "bin-two-unit": (YB, np.stack([1 - SB, SB], -1), "binary", {"sample_weight": W1}),
        "bin-one-hot": (np.eye(2)[YB], np.stack([1 - SB, SB], -1), "binary", {}),
        "bin-squeezed": (YB[..., None], SB[..., None], "binary", {}),
        "bin-1d": (YB[:, 0], SB[:, 0], "binary", {"class_weight": {1: 3.0}}),
        "bin-ignore": (_with(YB, (0, 0), -1), SB, "binary", {"ignore_index": -1}),
        "bin-inf-score": (YB, _with(SB, (9, 0), -np.inf), "binary", {}),
        "bin-two-unit-nan": (YB, _with(np.stack([1 - SB, SB], -1), (1, 1, 0), np.nan),
                             "binary", {}),
        "bin-true-2": (_with(YB, (6, 6), 2), SB, "binary", {}),
        "ml-scores": (_ids((N, T, L), 2), _RNG.random((N, T, L)), "multilabel",
                      {"sample_weight": W1, "mask": MT}),
        "ml-ids": (YL.astype(np.uint8), PL.astype(bool), "multilabel",
                   {"ignore_index": 1}),
        "ml-scores32": (YL, SL.astype(np.float32), "multilabel", {"threshold": 0.7}),
        "ml-true-2": (_with(YL, (4, 2), 2), SL, "multilabel", {}),
        "ml-nan-score": (YL, _with(SL, (4, 2), np.nan), "multilabel", {}),
        "ml-pred-2": (YL, _with(PL, (7, 1), 2), "multilabel", {}),
        "ml-weight-nan": (YL, SL, "multilabel", {"sample_weight": _with(W1, 2, np.nan)}),
    }
    return cases


_FUNCS = {
    "confusion_matrix": {},
    "confusion_matrix-norm": {"normalize": "true"},
    "multilabel_confusion_matrix": {},
    "precision_recall_fscore_support": {"average": None},
    "precision_score": {"average": "macro", "zero_division": 0.0},
    "recall_score": {"average": "micro"},
    "f1_score": {"average": "weighted"},
    "fbeta_score": {"beta": 0.5, "average": "macro"},
    "accuracy_score": {},
    "accuracy_score-count": {"normalize": False},
    "balanced_accuracy_score": {"adjusted": True},
    "matthews_corrcoef": {},
    "cohen_kappa_score": {"weights": "quadratic"},
    "classification_report": {"output_dict": True, "zero_division": 0.0},
}


def _call(fname, yt, yp, kw):
    name, _, _ = fname.partition("-")
    f = getattr(fm, name)
    return lambda: f(yt, yp, **kw)


@pytest.mark.parametrize("case", sorted(_sklearn_cases()))
@pytest.mark.parametrize("fname", sorted(_FUNCS))
def test_sklearn_reading_tiers_agree(monkeypatch, case, fname):
    yt, yp, kw = _sklearn_cases()[case]
    assert_tiers_agree(monkeypatch, _call(fname, yt, yp, {**_FUNCS[fname], **kw}))


@pytest.mark.parametrize("case", sorted(_task_cases()))
@pytest.mark.parametrize("fname", sorted(_FUNCS))
def test_task_tiers_agree(monkeypatch, case, fname):
    yt, yp, task, kw = _task_cases()[case]
    kw = {**_FUNCS[fname], **kw, "task": task}
    assert_tiers_agree(monkeypatch, _call(fname, yt, yp, kw))


@pytest.mark.parametrize("average", ["binary", "samples", None])
@pytest.mark.parametrize("pos_label", [0, 1])
def test_pos_label_and_samples_average_tiers_agree(monkeypatch, average, pos_label):
    for yt, yp in ((YB[:, 0], _ids(N, 2)), (YL, PL), (YL, SL)):
        task = "multilabel" if yp.dtype.kind == "f" else None
        kw = {"average": average, "pos_label": pos_label, "zero_division": 1.0}
        if task:
            kw["task"] = task
        for f in (fm.precision_score, fm.f1_score, fm.precision_recall_fscore_support):
            assert_tiers_agree(monkeypatch, lambda: f(yt, yp, **kw))


def test_report_text_and_kappa_weights_tiers_agree(monkeypatch):
    names = [f"class {c}" for c in range(C)]
    assert_tiers_agree(monkeypatch, lambda: fm.classification_report(
        Y1, P1, target_names=names, digits=4, sample_weight=W1))
    for weights in (None, "linear", "quadratic"):
        assert_tiers_agree(monkeypatch, lambda: fm.cohen_kappa_score(
            Y1, P1, weights=weights, labels=[0, 1, 2]))


@pytest.mark.parametrize("task", ["binary", "multiclass", "multilabel"])
def test_streaming_state_tiers_agree(monkeypatch, task):
    forms = {
        "binary": [(YB, SB, {"sample_weight": W1}),
                   (YB[:10], SB[:10], {"mask": MT[:10]})],
        "multiclass": [(YT, SCORES, {"sample_weight": WT}), (YT, PT, {"mask": MT}),
                       (np.eye(C)[YT[:5]], SCORES[:5], {})],
        "multilabel": [(YL, SL, {"sample_weight": W1}), (YL, PL, {"mask": M1})],
    }[task]
    classes = {"binary": 2, "multiclass": C, "multilabel": L}[task]

    def run():
        state = ConfusionMatrix(task, classes,
                                ignore_index=-100 if task == "multiclass" else None)
        for yt, yp, kw in forms:
            state.update(yt, yp, **kw)
        return (state, state.result(), state.f1("macro"), state.matthews_corrcoef()
                if task != "multilabel" else state.accuracy())

    assert_tiers_agree(monkeypatch, run)
    bad = forms[0][1].astype(float).copy()
    bad.reshape(-1)[17] = np.nan
    assert_tiers_agree(monkeypatch,
                       lambda: ConfusionMatrix(task, classes).update(forms[0][0], bad))


def test_empty_inputs_tiers_agree(monkeypatch):
    e1, e2, s3 = np.zeros(0), np.zeros((0, 3), int), np.zeros((0, 3))
    for f in (lambda: fm.confusion_matrix(e1, e1, task="binary"),
              lambda: fm.confusion_matrix(e2, np.zeros((0, 3, 4)), task="multiclass"),
              lambda: fm.multilabel_confusion_matrix(e2, s3, task="multilabel"),
              lambda: fm.f1_score(e2, s3, task="multilabel", average="samples"),
              lambda: fm.accuracy_score([], [])):
        assert_tiers_agree(monkeypatch, f)


def test_error_message_names_the_first_bad_token(monkeypatch):
    bad = _with(SCORES, (5, 3, 2), np.nan)
    bad[2, 6, 0] = np.inf
    out = assert_tiers_agree(monkeypatch, lambda: fm.confusion_matrix(
        YT, bad, task="multiclass"))
    assert out[1] is ValueError and "(2, 6)" in out[2]


# ------------------------------------------------------ twins against kernels

def _same_tables(a, b, where):
    assert len(a) == len(b)
    for i, (x, y) in enumerate(zip(a, b)):
        assert x.dtype == y.dtype and x.shape == y.shape, (where, i, x.dtype, y.dtype)
        np.testing.assert_array_equal(x, y, err_msg=f"{where} output {i}")


def _spoil(rng, a, values):
    """A copy of ``a`` with a few entries set to a random one of ``values``."""
    a = a.copy()
    if a.size and rng.random() < 0.35:
        flat = a.reshape(-1)
        flat[rng.integers(0, flat.size, 2)] = values[rng.integers(0, len(values))]
    return a


# Each form: (y_true kind, y_pred kind, threshold?, static class count?).  The
# argument types are few on purpose: each combination is one more compile.
_FORMS = ["ids", "ids-float", "scores", "scores-static", "threshold", "two-unit",
          "one-hot"]


def _confusion_case(rng, form):
    n = int(rng.integers(0, 2500))
    K = int(rng.choice([2, 3, 5]))
    thr, ctup = None, None
    yt = rng.integers(0, K, n)
    if form == "ids":
        yt = _spoil(rng, yt, [-1, K, 10 ** 12])
        yp = _spoil(rng, rng.integers(0, K, n), [-3, K])
    elif form == "ids-float":
        yt = _spoil(rng, yt.astype(np.float64), [np.nan, np.inf, 0.5, K, -1.0, 1e19])
        yp = _spoil(rng, rng.integers(0, K, n).astype(np.float64), [np.nan, 1.5, K])
    elif form in ("scores", "scores-static"):
        yp = _spoil(rng, rng.integers(0, 3, (n, K)).astype(np.float32),
                    [np.nan, np.inf, -np.inf, 3e38])
        ctup = (0,) * K if form == "scores-static" else None
    elif form == "one-hot":
        yt = _spoil(rng, np.eye(K)[yt], [np.nan, np.inf])
        yp = _spoil(rng, rng.random((n, K)), [np.nan])
    else:
        K = 2
        yt = _spoil(rng, rng.integers(0, 2, n), [2, -1])
        shape = (n, 2) if form == "two-unit" else (n,)
        yp = _spoil(rng, rng.random(shape), [np.nan, np.inf, 0.5])
        thr = float(rng.choice([0.5, 0.25]))
    return n, K, yt, yp, thr, ctup


def _options(rng, n, ids_true):
    w, rep, mask, ignore = None, 1, None, None
    if rng.random() < 0.5:
        rep = int(rng.choice([1, 3])) if n % 3 == 0 else 1
        w = _spoil(rng, rng.random(n // rep) * 3, [-1.0, np.nan, np.inf, 0.0])
        mask = rng.random(n) < 0.8
        ignore = int(rng.integers(-1, 2)) if ids_true else None
    return w, rep, mask, ignore


@pytest.mark.parametrize("form", _FORMS)
def test_confusion_chunks_twin_equals_kernel(form):
    k = _kernel()
    rng = np.random.default_rng(_FORMS.index(form))
    for case in range(500):
        n, K, yt, yp, thr, ctup = _confusion_case(rng, form)
        w, rep, mask, ignore = _options(rng, n, yt.ndim == 1)
        chunk = int(rng.choice([1024, 2048, 1 << 16]))
        args = (yt, yp, thr, ctup, 0, K, w, rep, mask, ignore, chunk)
        _same_tables(twin.confusion_chunks(*args), k.confusion_chunks(*args),
                     (form, case))


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.int32, np.uint64,
                                   np.float32])
def test_confusion_chunks_twin_equals_kernel_dtypes_offset(dtype):
    k = _kernel()
    rng = np.random.default_rng(np.dtype(dtype).num)
    info = np.finfo(dtype) if np.dtype(dtype).kind == "f" else np.iinfo(dtype)
    edges = [info.max, info.min, 0, 1]
    for case in range(200):
        n, K, offset = int(rng.integers(1, 3000)), int(rng.integers(2, 7)), 0
        if np.dtype(dtype).kind == "i" and rng.random() < 0.5:
            offset = -2
        yt = _spoil(rng, (rng.integers(0, K, n) + offset).astype(dtype), edges)
        yp = _spoil(rng, (rng.integers(0, K, n) + offset).astype(dtype), edges)
        mask = rng.random(n) < 0.9
        for ignore in (None, int(rng.integers(0, 3))):
            args = (yt, yp, None, None, offset, K, None, 1, mask, ignore, 1024)
            _same_tables(twin.confusion_chunks(*args), k.confusion_chunks(*args),
                         (dtype, case, ignore))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_huge_float_ids_report_as_the_kernel(dtype):
    # the kernel's integrality test behaves differently for float32 and float64
    k = _kernel()
    for v in (2.0 ** 63, -2.0 ** 63, -1e19, 1e19, 1e18, 2.0 ** 70, 1e30, np.inf, 0.5):
        yt = np.array([0, 1, v, 1], dtype=dtype)
        yp = np.array([0, 1, 1, 1], dtype=dtype)
        for a, b in ((yt, yp), (yp, yt)):
            args = (a, b, None, None, 0, 3, None, 1, None, None, 1024)
            _same_tables(twin.confusion_chunks(*args), k.confusion_chunks(*args), v)


def test_weighted_sums_are_bitwise_the_kernel():
    # sub-table interleaving and the tail of the last group, over chunk borders
    k = _kernel()
    rng = np.random.default_rng(7)
    for n in (1, 3, 4, 5, 1023, 1025, 4097, 5000):
        for K in (3, 70):  # 70 * 70 cells: one table, no sub-tables
            yt, yp = rng.integers(0, K, n), rng.integers(0, K, n)
            w = rng.random(n) * 10.0 ** rng.integers(-8, 8, n)
            args = (yt, yp, None, None, 0, K, w, 1, None, None, 2048)
            got, want = twin.confusion_chunks(*args), k.confusion_chunks(*args)
            assert got[1].tobytes() == want[1].tobytes(), (n, K)


_ML_FORMS = [("ids", modes.MODE_ID, modes.MODE_THRESHOLD),
             ("ids-ids", modes.MODE_ID, modes.MODE_ID),
             ("nonzero", modes.MODE_NONZERO, modes.MODE_NONZERO)]


@pytest.mark.parametrize("form", _ML_FORMS, ids=lambda f: f[0])
def test_multilabel_chunks_twin_equals_kernel(form):
    k = _kernel()
    name, tmode, pmode = form
    rng = np.random.default_rng(len(name))
    for case in range(400):
        n, L = int(rng.integers(0, 400)), int(rng.integers(1, 6))
        yt = rng.integers(0, 2, (n, L))
        if name == "nonzero":
            yt = _spoil(rng, yt.astype(np.float64) * 2, [np.nan, np.inf, -1.0])
            yp = _spoil(rng, rng.integers(-1, 2, (n, L)).astype(np.float64), [np.nan])
        else:
            yt = _spoil(rng, yt, [2, -1])
            yp = rng.integers(0, 2, (n, L)) if name == "ids-ids" else rng.random((n, L))
            yp = _spoil(rng, yp, [2] if name == "ids-ids" else [np.nan, np.inf, 0.5])
        has_w, has_mask, has_ignore = (bool(x) for x in rng.random(3) < 0.5)
        w = _spoil(rng, rng.random(n), [-1.0, np.nan]) if has_w else np.empty(0)
        mask = rng.random(n) < 0.8 if has_mask else np.empty(0, dtype=np.bool_)
        ignore = int(rng.integers(-1, 2)) if has_ignore else 0
        args = (yt, tmode, yp, pmode, 0.5, w, 1, has_w, mask, has_mask, ignore,
                has_ignore, bool(rng.random() < 0.5), int(rng.choice([64, 1 << 16])))
        _same_tables(twin.multilabel_chunks(*args), k.multilabel_chunks(*args),
                     (name, case))


def test_minmax_ids_twin_equals_kernel():
    k = _kernel()
    rng = np.random.default_rng(3)
    for dtype in (np.int8, np.uint8, np.int32, np.int64, np.uint64):
        info = np.iinfo(dtype)
        for n in (1, 2, 99, 100, 101, 1000):
            a = rng.integers(info.min // 2, info.max // 2, n, dtype=dtype, endpoint=True)
            _same_tables(twin.minmax_ids(a, 100), k.minmax_ids(a, 100), (dtype, n))


def test_twin_module_mirrors_the_kernel_names_and_codes():
    k = _kernel()
    for name in ("confusion_chunks", "multilabel_chunks", "minmax_ids"):
        assert callable(getattr(twin, name)) and callable(getattr(k, name))
        assert getattr(twin, name + "_serial") is getattr(twin, name)
    assert (twin._NSUB, twin._MAX_SUB_CELLS) == (k._NSUB, k._MAX_SUB_CELLS)
    assert twin.WEIGHT_INVALID == k.WEIGHT_INVALID == codes.WEIGHT_INVALID


# ------------------------------------------------------------------ no Numba

_NO_NUMBA = textwrap.dedent(
    """
    import sys, warnings
    import numpy as np
    import fastmetrics as fm
    from fastmetrics.streaming import ConfusionMatrix
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(0)
    y, p = rng.integers(0, 3, 200), rng.integers(0, 3, 200)
    yt, s = rng.integers(0, 3, (20, 10)), rng.random((20, 10, 3))
    yl, pl = rng.integers(0, 2, (50, 4)), rng.integers(0, 2, (50, 4))
    sl = rng.random((50, 4))
    w = rng.random(200)
    forms = [
        ((y, p), {}),
        ((y.astype(np.float32), p.astype(np.float32)), {"sample_weight": w}),
        ((y + 100, p + 100), {}),
        ((y * 1000, p * 1000), {}),
        ((y.astype(str), p.astype(str)), {}),
        ((yl, pl), {}),
        ((yt, s), {"task": "multiclass", "sample_weight": w[:20]}),
        ((yt, s.argmax(-1)), {"task": "multiclass", "mask": yt > 0}),
        ((yt % 2, s[..., 0]), {"task": "binary", "ignore_index": -1}),
        ((yl, sl), {"task": "multilabel"}),
    ]
    names = ["confusion_matrix", "multilabel_confusion_matrix",
             "precision_recall_fscore_support", "precision_score", "recall_score",
             "f1_score", "fbeta_score", "accuracy_score", "balanced_accuracy_score",
             "matthews_corrcoef", "cohen_kappa_score", "classification_report"]
    for name in names:
        for args, kw in forms:
            kw = dict(kw)
            if name == "fbeta_score":
                kw["beta"] = 2.0
            if name in ("precision_score", "recall_score", "f1_score", "fbeta_score"):
                kw["average"] = "macro"
            try:
                getattr(fm, name)(*args, **kw)
            except ValueError:
                pass  # a form the function refuses: it must still not reach Numba
            stop_if_numba((name, kw))
    for task, C, (a, b) in (("multiclass", 3, (yt, s)),
                            ("binary", 2, (yt % 2, s[..., 0])),
                            ("multilabel", 4, (yl, sl))):
        st = ConfusionMatrix(task, C).update(a, b)
        st.result(), st.f1("macro"), st.accuracy(), st.classification_report()
        stop_if_numba(("ConfusionMatrix", task))
    """
)


def test_small_inputs_never_import_numba():
    assert_numba_free(_NO_NUMBA)

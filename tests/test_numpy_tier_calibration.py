"""The NumPy tier of the calibration, weighting and streaming-AUC kernels.

Every input goes through both tiers: the NumPy twins (``config.NUMPY_MAX`` at
its default) and the compiled kernels (``NUMPY_MAX = -1``); results must be
identical (the twins add in the kernels' order) and errors must have the same
type and message.  The last test checks that small inputs never import Numba.
"""

import warnings

import numpy as np
from _numba_free import assert_numba_free
import pytest

from fastmetrics import config
from fastmetrics._kernels.numpy import brier as np_brier
from fastmetrics._kernels.numpy import calibration as np_cal
from fastmetrics._kernels.numpy import ranking_stream as np_rs
from fastmetrics._kernels.numpy import weighting as np_wt
from fastmetrics.calibration import (
    brier_score_loss,
    calibration_curve,
    expected_calibration_error,
    reliability_diagram,
)
from fastmetrics.streaming import AUC, CalibrationError
from fastmetrics.weighting import temporal_sample_weight


def _call(tier, fn, *args, **kwargs):
    """``("ok", result)`` or ``("err", type, message)`` of ``fn`` on ``tier``
    ("numpy": the twins, "compiled": the kernels)."""
    saved = config.NUMPY_MAX
    config.NUMPY_MAX = saved if tier == "numpy" else -1
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ("ok", fn(*args, **kwargs))
    except Exception as e:  # compared between the tiers
        return ("err", type(e), str(e))
    finally:
        config.NUMPY_MAX = saved


def _equal(a, b, close=()):
    """Bitwise-equal results (NaN == NaN), recursing into tuples and dicts;
    entries of a dict named in ``close`` only equal to rounding."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(
            _close(a[k], b[k]) if k in close else _equal(a[k], b[k], close) for k in a)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_equal(x, y, close) for x, y in zip(a, b))
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")


def _close(a, b):
    return np.allclose(a, b, rtol=1e-12, atol=0, equal_nan=True)


def assert_same(fn, *args, close=(), **kwargs):
    """Both tiers give the same result (``close``: dict entries equal to
    rounding), or the same error; returns the numpy tier's outcome."""
    got = _call("numpy", fn, *args, **kwargs)
    want = _call("compiled", fn, *args, **kwargs)
    assert got[0] == want[0], (got, want)
    if got[0] == "err":
        assert got == want
    else:
        assert _equal(got[1], want[1], close), (got[1], want[1])
    return got


def _cpu(module):
    import importlib
    return importlib.import_module(f"fastmetrics._kernels.cpu.{module}")


# ================================================================ calibration

# Labels of the forms below: int64, narrow signed, unsigned (bool in binary
# forms: read as uint8), float (NaN and fractions); other integer and float
# dtypes are read as one of these classes.
_LABELS = (np.int64, np.int8, np.uint8, np.float64)


def _l8_forms():
    """Eight argument forms (label dtype, score dtype, weights?, mask?,
    ignore_index?, a fifth option) in which each pair of the five options
    takes all four combinations (the rows of an L8 orthogonal array) and each
    label class meets both score dtypes.  A kernel compiles once per distinct
    form (seconds cold), so random cases draw their form from these instead
    of drawing every option independently (tens of compiles per kernel).
    ignore_index -100 needs signed labels: the uint8 rows have a == c."""
    forms = []
    for r in range(8):
        a, b, c = r & 1, r >> 1 & 1, r >> 2 & 1
        forms.append((_LABELS[(r + (r >> 2)) % 4], (np.float32, np.float64)[a],
                      bool(b), bool(c), bool(a ^ c), bool(a ^ b)))
    return forms


_FORMS = _l8_forms()


def _calibration_case(rng, task, form=None):
    """Random (y_true, y_prob, kwargs) of the forms ``task`` accepts, in one
    of ``_FORMS`` (``form``: its index; None: a random one)."""
    form = int(rng.integers(len(_FORMS))) if form is None else form
    ydt, pdt, has_w, has_mask, has_ignore, _ = _FORMS[form]
    n, T, K = int(rng.integers(1, 60)), int(rng.integers(1, 4)), int(rng.integers(2, 6))
    shape = (n, T) if rng.random() < 0.6 else (n,)
    if task == "binary":
        y = rng.integers(0, 2, shape)
        p = rng.random(shape)
        if rng.random() < 0.2:  # a two-unit output S + (2,)
            p = np.stack([1 - p, p], axis=-1)
        if ydt == np.uint8 and rng.random() < 0.5:
            ydt = bool
    else:
        y = rng.integers(0, K, shape)
        p = rng.random(shape + (K,))
        p /= p.sum(-1, keepdims=True)
    if rng.random() < 0.2:
        p = np.round(p * 4) / 4  # ties and exact bin edges
    p = p.astype(pdt)
    kw = {"task": task, "n_bins": int(rng.integers(1, 16)),
          "strategy": str(rng.choice(["uniform", "quantile"]))}
    if has_w:
        wshape = shape[:1] if rng.random() < 0.5 else shape
        kw["sample_weight"] = rng.random(wshape) * (rng.random(wshape) < 0.9)
    if has_mask:
        kw["mask"] = rng.random(shape) < 0.7
    if has_ignore:
        y[rng.random(shape) < 0.2] = -100
        kw["ignore_index"] = -100
    return y.astype(ydt), p, kw


def _spoil(rng, y, p, kw):
    """One bad value: a probability, a label (NaN and fractions only in float
    labels, out-of-range ids in all) or a weight."""
    what = rng.integers(0, 3)
    if what == 0:
        p = p.copy()
        p[tuple(rng.integers(0, s) for s in p.shape)] = rng.choice([np.nan, 1.5, -0.25])
    elif what == 1:
        dt = np.uint8 if y.dtype == bool else y.dtype
        bad = [7.0, 200.0 if dt == np.uint8 else -1.0] + (
            [np.nan, 0.5] if dt.kind == "f" else [])
        y = y.astype(np.float64)
        y[tuple(rng.integers(0, s) for s in y.shape)] = rng.choice(bad)
        y = y.astype(dt)
    elif "sample_weight" in kw:
        w = np.array(kw["sample_weight"], dtype=np.float64)
        w.flat[int(rng.integers(0, w.size))] = rng.choice([-1.0, np.nan, np.inf])
        kw = dict(kw, sample_weight=w)
    return y, p, kw


@pytest.mark.parametrize("task", ["binary", "multiclass"])
def test_calibration_public_parity(task):
    rng = np.random.default_rng(1 if task == "binary" else 2)
    errors = 0
    for _ in range(120):
        y, p, kw = _calibration_case(rng, task)
        if rng.random() < 0.25:
            y, p, kw = _spoil(rng, y, p, kw)
        norm = str(rng.choice(["l1", "l2", "max"]))
        errors += assert_same(expected_calibration_error, y, p, norm=norm, **kw)[0] == "err"
        assert_same(reliability_diagram, y, p, **kw)
    assert errors > 5  # the bad inputs were exercised


def test_calibration_error_state_parity():
    rng = np.random.default_rng(3)

    def stream(batches, task, K, kw):
        st = CalibrationError(task, K if task == "multiclass" else None, n_bins=7,
                              ignore_index=kw.pop("ignore_index", None))
        for y, p in batches:
            st.update(y, p, **kw)
        return st.state_dict(), st.result(), st.reliability_diagram()

    for _ in range(40):
        task = str(rng.choice(["binary", "multiclass"]))
        batches, kw, form = [], {}, int(rng.integers(len(_FORMS)))
        for _ in range(3):
            y, p, kw = _calibration_case(rng, task, form)
            kw.pop("n_bins"), kw.pop("strategy"), kw.pop("task")
            batches.append((y, p))
        K = batches[0][1].shape[-1] if task == "multiclass" else None
        batches = [(y, p) for y, p in batches if p.shape[-1] == K or K is None]
        if kw.get("sample_weight") is not None or kw.get("mask") is not None:
            batches = batches[-1:]
        assert_same(lambda: stream(batches, task, K, dict(kw)))


def test_calibration_kernels_direct():
    """Twin vs kernel with several chunks per call (first bad token per chunk)."""
    rng = np.random.default_rng(4)
    cpu = _cpu("calibration")
    # (multiclass?, weights?, mask?): the rows of an L4 array, each pair of
    # options in all four combinations; each row is one compile of each
    # (threaded, several seconds cold) kernel, all eight would be twice that
    forms = ((0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0))
    for case in range(60):
        n, K, chunk = int(rng.integers(1, 300)), int(rng.integers(2, 5)), 64
        multi, has_w, has_mask = forms[case % 4]
        yp = rng.random((n, K)) if multi else rng.random(n)
        yt = rng.integers(0, K if multi else 2, n).astype(np.int64)
        w = rng.random(n) if has_w else None
        mask = rng.random(n) < 0.8 if has_mask else None
        for i in rng.integers(0, n, int(rng.integers(0, 4))):
            yp.reshape(n, -1)[i, 0] = np.nan
        Kk = K if multi else 2
        edges = np.arange(6, dtype=np.float64) / 5
        args = (yt, yp, Kk, 5, edges, w, 1, mask, None, chunk)
        assert _equal(np_cal.calibration_chunks(*args), cpu.calibration_chunks(*args))
        keys = [np.empty(n, np.uint64) for _ in range(2)]
        wts = [np.empty(n if w is not None else 0) for _ in range(2)]
        a = np_cal.calibration_keys(yt, yp, Kk, w, 1, mask, None, chunk, keys[0], wts[0])
        b = cpu.calibration_keys(yt, yp, Kk, w, 1, mask, None, chunk, keys[1], wts[1])
        assert _equal(a, b)
        if (a[1] < 0).all():
            assert _equal(keys[0], keys[1]) and _equal(wts[0], wts[1])
            m = int(a[0].sum())
            if m:
                order = np.argsort(keys[0], kind="stable")[:m]
                sk = keys[0][order]
                conf = (sk >> np.uint64(1)).view(np.float64)
                sw = None if w is None else wts[0][order]
                nb = int(rng.integers(1, 12))
                assert _equal(np_cal.quantile_scan(sk, conf, sw, nb),
                              cpu.quantile_scan(sk, conf, sw, nb))


def test_calibration_curve_and_brier_parity():
    rng = np.random.default_rng(5)
    for _ in range(80):
        n = int(rng.integers(6, 200))
        kw = {}
        if rng.random() < 0.5:
            y = rng.integers(0, 2, n)
            y[:2] = [0, 1]
            p = rng.random(n)
            if rng.random() < 0.3:
                y = (y * 2 - 1).astype(rng.choice([np.int8, np.float32]))
            if rng.random() < 0.3:
                kw["pos_label"] = y.max().item()
            assert_same(calibration_curve, y, p, n_bins=int(rng.integers(1, 9)),
                        strategy=str(rng.choice(["uniform", "quantile"])))
        else:
            K = int(rng.integers(2, 6))
            y = rng.integers(0, K, n)
            y[:K] = np.arange(K)
            p = rng.random((n, K))
            if rng.random() < 0.7:
                p /= p.sum(-1, keepdims=True)
            if rng.random() < 0.3:
                y = y + 3
            if rng.random() < 0.2:
                y = np.array(list("abcdefgh"))[y % 8]
        if rng.random() < 0.3:
            p = p.astype(np.float32)
        if rng.random() < 0.4:
            kw["sample_weight"] = rng.random(n)
        assert_same(brier_score_loss, y, p, **kw)


def test_brier_kernels_direct():
    rng = np.random.default_rng(6)
    cpu = _cpu("brier")
    for _ in range(40):
        n, C, chunk = int(rng.integers(1, 400)), int(rng.integers(2, 6)), 64
        w = rng.random(n) if rng.random() < 0.5 else None
        y = rng.integers(0, 2, n).astype(rng.choice([np.int64, np.uint8, np.float32]))
        p = rng.random(n).astype(rng.choice([np.float32, np.float64]))
        assert _equal(np_brier.brier_binary_chunks(y, 1.0, p, w, chunk),
                      cpu.brier_binary_chunks(y, 1.0, p, w, chunk))
        idx = rng.integers(2, 2 + C, n)
        P = rng.random((n, C))
        assert _equal(np_brier.brier_multiclass_chunks(idx, 2, P, w, 1e-6, chunk),
                      cpu.brier_multiclass_chunks(idx, 2, P, w, 1e-6, chunk))


# ================================================================== weighting

# Argument forms of the weighting kernels the parity test runs (label form,
# weights, mask, ignore_index): each distinct tuple is one more compile of
# up to three kernels, so the cases share these 14 instead of drawing every
# label dtype with every option.  int64 ids take all four rows of an L4
# array (each pair of options in all combinations); narrow signed, unsigned
# (bool when there are two classes: read as uint8) and float ids (NaN,
# fractions) none and all options; one-hot float32 and float64 rows.
_WT_FORMS = ([("ids", np.int64, w, m, i) for w, m, i in
              ((0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0))]
             + [("ids", dt, w, w, w and dt != np.uint8) for dt in (np.int8, np.uint8, np.float64)
                for w in (0, 1)]
             + [("one-hot", dt, w, m, 0) for dt, w, m in
                ((np.float32, 0, 1), (np.float32, 1, 0), (np.float64, 0, 0), (np.float64, 1, 1))])


def _weighting_case(rng):
    form, dt, has_w, has_mask, has_ignore = _WT_FORMS[int(rng.integers(len(_WT_FORMS)))]
    N, T, C = int(rng.integers(1, 30)), int(rng.integers(1, 20)), int(rng.integers(1, 7))
    kw = {}
    if form == "one-hot":  # one-hot rows (N, T, C)
        y = np.eye(C)[rng.integers(0, C, (N, T))].astype(dt)
        if rng.random() < 0.15:
            y[tuple(rng.integers(0, s) for s in y.shape)] = rng.choice([np.nan, np.inf])
    else:
        y = rng.integers(0, C, (N, T) if rng.random() < 0.8 else (N,))
        if has_ignore:
            y[rng.random(y.shape) < 0.2] = -100
            kw["ignore_index"] = -100
        if rng.random() < 0.15:  # a bad label; NaN, fractions, inf only as float labels
            y = y.astype(np.float64)
            bad = [70.0, 200.0 if dt == np.uint8 else -3.0] + (
                [np.nan, 0.5, np.inf] if dt == np.float64 else [])
            y[tuple(rng.integers(0, s) for s in y.shape)] = rng.choice(bad)
        y = y.astype(bool if dt == np.uint8 and C <= 2 and y.max() <= 1 else dt)
        if rng.random() < 0.3:
            kw["num_classes"] = C + int(rng.integers(0, 3))
    tshape = y.shape[:2] if y.ndim == 3 else y.shape
    if has_mask:
        kw["mask"] = rng.random(tshape) < 0.7
    if has_w:
        w = rng.random(tshape[:1] if rng.random() < 0.5 else tshape) * (rng.random() < 0.9)
        if rng.random() < 0.15:
            w.flat[int(rng.integers(0, w.size))] = rng.choice([-1.0, np.nan, np.inf])
        kw["sample_weight"] = w
    r = rng.random()
    cw = "balanced" if r < 0.5 else {0: 2.0, 1: 0.5} if r < 0.7 else None if r < 0.8 else \
        rng.random(y.shape[2] if y.ndim == 3 else kw.setdefault("num_classes", C))
    return y, cw, kw


def test_temporal_sample_weight_parity():
    rng = np.random.default_rng(7)
    errors = 0
    for _ in range(200):
        y, cw, kw = _weighting_case(rng)
        got = assert_same(temporal_sample_weight, y, cw, return_class_weight=True, **kw)
        errors += got[0] == "err"
    assert errors > 10


def test_weighting_kernels_direct():
    rng = np.random.default_rng(8)
    cpu = _cpu("weighting")
    for _ in range(60):
        n, C, chunk = int(rng.integers(1, 300)), int(rng.integers(1, 6)), 64
        y = rng.integers(0, C, n).astype(np.float64)
        y[rng.integers(0, n, int(rng.integers(0, 4)))] = rng.choice([np.nan, 0.5, 9.0, -2.0])
        w = rng.random(n) if rng.random() < 0.5 else None
        if w is not None and rng.random() < 0.3:
            w[rng.integers(0, n)] = -1.0
        mask = rng.random(n) < 0.8 if rng.random() < 0.4 else None
        ignore = -2 if rng.random() < 0.3 else None
        assert _equal(np_wt.label_range_chunks(y, mask, ignore, chunk),
                      cpu.label_range_chunks(y, mask, ignore, chunk))
        a = np_wt.class_count_chunks(y, C, w, 1, mask, ignore, chunk)
        b = cpu.class_count_chunks(y, C, w, 1, mask, ignore, chunk)
        assert _equal(a, b)
        cw = rng.random(C)
        out = [np.empty(n, np.float32) for _ in range(2)]
        a = np_wt.temporal_weight_chunks(y, C, cw, w, 1, mask, ignore, out[0], chunk)
        b = cpu.temporal_weight_chunks(y, C, cw, w, 1, mask, ignore, out[1], chunk)
        assert _equal(a, b)
        if (a[0] < 0).all():
            assert _equal(out[0], out[1])


# ============================================================== streaming AUC

# Argument forms of the streaming-AUC parity cases: ``_FORMS`` (the fifth
# option: class weights, not with multilabel) once for the indicator kernel
# (binary and multilabel rows alternate) and once for the one-of-C kernel
# (multiclass): 16 forms instead of about 60 compiles of the two kernels.
_AUC_FORMS = [dict(task=tasks[r % len(tasks)], y=ydt, s=sdt, weights=w, mask=m,
                   ignore=i, class_weight=cw)
              for tasks in (("binary", "multilabel"), ("multiclass",))
              for r, (ydt, sdt, w, m, i, cw) in enumerate(_FORMS)]


def _auc_case(rng):
    form = _AUC_FORMS[int(rng.integers(len(_AUC_FORMS)))]
    task, ydt = form["task"], form["y"]
    C = int(rng.integers(2, 5))
    ctor = dict(curve=str(rng.choice(["ROC", "PR"])), bins=int(2 ** rng.integers(8, 11)),
                mode=str(rng.choice(["binned", "binned", "binned", "exact"])),
                scores=str(rng.choice(["any", "probability"])), task=task,
                num_classes=None if task == "binary" else C)
    if task != "binary":
        ctor["average"] = rng.choice([None, "macro", "micro", "weighted"])
    N, T = int(rng.integers(1, 30)), int(rng.integers(1, 4))
    batches = []
    for _ in range(int(rng.integers(1, 4))):
        if task == "binary":
            y, s = rng.integers(0, 2, (N, T)), rng.random((N, T))
        elif task == "multiclass":
            y, s = rng.integers(0, C, (N, T)), rng.random((N, T, C))
        else:
            y, s = rng.integers(0, 2, (N, T, C)), rng.random((N, T, C))
        if rng.random() < 0.2:
            s = np.round(s * 4) / 4  # ties
        if rng.random() < 0.2 and ctor["scores"] == "any":
            s = (s - 0.5) * 40  # logits
        s = s.astype(form["s"])
        if rng.random() < 0.05:
            s[tuple(rng.integers(0, q) for q in s.shape)] = rng.choice([np.nan, np.inf])
        if form["ignore"]:
            y = np.where(rng.random(y.shape) < 0.2, -100, y)
        if rng.random() < 0.05:  # a bad label; NaN and fractions only as float labels
            y = y.astype(np.float64)
            bad = [7.0, 200.0 if ydt == np.uint8 else -1.0] + (
                [np.nan, 0.5] if ydt == np.float64 else [])
            y[tuple(rng.integers(0, q) for q in y.shape)] = rng.choice(bad)
        batches.append((y.astype(ydt), s))
    kw = {}
    if form["mask"]:
        kw["mask"] = rng.random((N, T)) < 0.7
    if form["weights"]:
        w = rng.random((N,) if rng.random() < 0.5 else (N, T)) * (rng.random() < 0.9)
        if rng.random() < 0.1:
            w.flat[0] = rng.choice([-1.0, np.nan])
        kw["sample_weight"] = w
    if form["ignore"]:
        kw["ignore_index"] = -100
    if form["class_weight"] and task != "multilabel":
        kw["class_weight"] = rng.random(2 if task == "binary" else C) + 0.1
    return ctor, batches, kw


def _auc_run(ctor, batches, kw):
    st = AUC(**ctor)
    for y, s in batches:
        st.update(y, s, **kw)
    out = {"result": st.result(), "bound": st.error_bound(), "state": st.state_dict()}
    if st.mode == "binned":
        cells, deltas = AUC(**ctor).batch_deltas(*batches[0], **kw)
        out.update(cells=cells, deltas=deltas, bin_map=st.bin_map)
    return out


def test_streaming_auc_parity():
    rng = np.random.default_rng(9)
    errors = 0
    for _ in range(120):
        ctor, batches, kw = _auc_case(rng)
        # results to rounding: the result scan's log1p (AP bounds) may differ
        # in the last bit; the tables are bit-identical
        outcome = assert_same(_auc_run, ctor, batches, kw, close=("result", "bound"))
        errors += outcome[0] == "err"
    assert errors > 5


def test_fold_keys_and_bins_direct():
    cpu = _cpu("ranking_stream")
    special = [0.0, -0.0, 0.5, np.nextafter(0.5, 1), np.nextafter(0.5, 0), 1.0, -1.0, 2.0,
               1e-30, -1e-30, 1e-19, 1e-300, 1e30, 1e300, np.inf, -np.inf, np.nan,
               np.nextafter(1.0, 0), 1 - 1e-9, 0.25, 0.75, 3e-45]
    rng = np.random.default_rng(10)
    with np.errstate(over="ignore"):
        special32 = np.array(special, np.float32)
    for x in (np.array(special), special32,
              rng.standard_normal(500) * 10.0 ** rng.integers(-20, 20, 500),
              rng.random(500).astype(np.float32), rng.integers(-5, 5, 50)):
        a, b = np.empty(x.shape[0], np.int64), np.empty(x.shape[0], np.int64)
        np_rs.fold_keys(x, a)
        cpu.fold_keys(x, b)
        assert _equal(a, b)
        for bins, scores in ((256, "any"), (2**16, "probability"), (2**24, "probability")):
            bm = AUC(bins=bins, scores=scores).bin_map
            np_rs.bins_of(x, bm, a)
            cpu.bins_of(x, bm, b)
            assert _equal(a, b)
    assert np_rs.fold_key(np.float64(2.0**-40)) == cpu.fold_key(np.float64(2.0**-40))
    assert (np_rs.KEY_MAX, np_rs._K0, np_rs.TIE_TOL) == (cpu.KEY_MAX, cpu._K0, cpu.TIE_TOL)


@pytest.mark.parametrize("unit", [True, False])
def test_table_auc_ap_direct(unit):
    """The result scan on random tables: counts (small and large, for both
    AP lower bounds), ties (zero moments) and spread bins."""
    cpu = _cpu("ranking_stream")
    rng = np.random.default_rng(11 + unit)
    for _ in range(60):
        B = int(rng.choice([1, 4, 256]))
        tab = rng.integers(0, rng.choice([3, 100]), (B, 2)).astype(np.float64)
        tab[rng.random((B, 2)) < 0.5] = 0.0
        if not unit:
            tab *= rng.random((B, 2)) * 3
        mom = tab * rng.random((B, 2)) * (rng.random() < 0.7)
        mom2 = mom * rng.random((B, 2))
        sqw = tab * rng.random((B, 2))
        tie = float(rng.choice([1e-8, 1e-4]))
        a = np_rs.table_auc_ap(tab, mom, mom2, sqw, unit, tie)
        b = cpu.table_auc_ap(tab, mom, mom2, sqw, unit, tie)
        # the twin's log1p may differ from the kernel's in the last bit
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=0)
        assert np.array_equal(np.isnan(a), np.isnan(b))


def test_keras_bridge_methods_unchanged():
    """batch_deltas, tables, load_tables and bin_map on both tiers."""
    rng = np.random.default_rng(12)
    y, s, w = rng.integers(0, 2, 40), rng.random(40).astype(np.float32), rng.random(40)

    def bridge():
        st = AUC("PR", bins=2**10, scores="probability")
        cells, deltas = st.batch_deltas(y, s, sample_weight=w)
        flat = {k: np.zeros(2 * 2**10) for k in deltas}
        for k, v in deltas.items():
            flat[k][cells] = v
        reader = AUC("PR", bins=2**10, scores="probability")
        reader.load_tables(unit_weights=False, tie_tol=AUC.FLOAT32_TIE_TOL, **flat)
        tables = {k: v.copy() for k, v in reader.tables().items()}
        return dict(cells=cells, deltas=deltas, result=reader.result(),
                    bound=reader.error_bound(), bin_map=reader.bin_map, tables=tables)

    assert_same(bridge, close=("result", "bound"))


# ============================================ label dtypes, NumPy tier only

# Every label dtype on the NumPy tier (no compile; the parity tests above run
# one dtype per class on both tiers): each gives what int64 labels give.
_ALL_LABELS = (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
               np.uint64, np.float32, np.float64, bool)


def _label_dtypes(K):
    return [dt for dt in _ALL_LABELS if dt is not bool or K == 2]


def test_every_label_dtype_on_the_numpy_tier():
    rng = np.random.default_rng(14)
    N, T = 30, 4
    w, m = rng.random(N), rng.random((N, T)) < 0.8
    for task, K in (("binary", 2), ("multiclass", 4)):
        y = rng.integers(0, K, (N, T))
        p = rng.random((N, T)) if K == 2 else rng.dirichlet(np.ones(K), (N, T))
        s = np.round(p * 8) / 8  # ties

        def calls(yy):
            out = [f(yy, p, task=task, strategy=st, sample_weight=w, mask=m)
                   for f in (expected_calibration_error, reliability_diagram)
                   for st in ("uniform", "quantile")]
            out.append(temporal_sample_weight(yy, "balanced", num_classes=K, mask=m,
                                              sample_weight=w, return_class_weight=True))
            for mode in ("binned", "exact"):
                st = AUC("PR", mode=mode, task=task, num_classes=None if K == 2 else K)
                st.update(yy, s, sample_weight=w, mask=m)
                out.append((st.result(), st.state_dict()))
            return out

        want = calls(y)
        for dt in _label_dtypes(K):
            assert _equal(calls(y.astype(dt)), want), (task, dt)


# ==================================================================== no numba

_NO_NUMBA = """
import numpy as np
from fastmetrics import calibration, weighting
from fastmetrics.streaming import AUC, CalibrationError

rng = np.random.default_rng(0)
y, p = rng.integers(0, 2, (20, 5)), rng.random((20, 5))
yc, pc = rng.integers(0, 3, (20, 5)), rng.dirichlet(np.ones(3), (20, 5))
w, m = rng.random(20), rng.random((20, 5)) < 0.8
calls = {
    "expected_calibration_error": lambda: [
        calibration.expected_calibration_error(y, p),
        calibration.expected_calibration_error(y, p.astype(np.float32), sample_weight=w,
                                               mask=m, strategy="quantile"),
        calibration.expected_calibration_error(yc, pc, task="multiclass", norm="max")],
    "reliability_diagram": lambda: [
        calibration.reliability_diagram(yc, pc, task="multiclass", strategy="quantile"),
        calibration.reliability_diagram(y.astype(bool), p, mask=m)],
    "calibration_curve": lambda: calibration.calibration_curve(y[:, 0], p[:, 0]),
    "brier_score_loss": lambda: [
        calibration.brier_score_loss(y[:, 0], p[:, 0], sample_weight=w),
        calibration.brier_score_loss(yc[:, 0], pc[:, 0])],
    "CalibrationError": lambda: CalibrationError("multiclass", 3).update(
        yc, pc, sample_weight=w).result(),
    "compute_class_weight": lambda: weighting.compute_class_weight(
        "balanced", classes=np.array([0, 1, 2]), y=yc[:, 0]),
    "compute_sample_weight": lambda: [
        weighting.compute_sample_weight("balanced", yc[:, 0]),
        weighting.compute_sample_weight({0: 2.0}, yc[:, 0], indices=None)],
    "temporal_sample_weight": lambda: [
        weighting.temporal_sample_weight(yc),
        weighting.temporal_sample_weight(np.where(m, yc, -100), ignore_index=-100,
                                         sample_weight=w),
        weighting.temporal_sample_weight(np.eye(3)[yc], {1: 2.0}, mask=m)],
    "AUC binned": lambda: [
        AUC().update(y, p, sample_weight=w).result(),
        AUC("PR", task="multiclass", num_classes=3, scores="probability").update(
            yc, pc, mask=m).error_bound(),
        AUC(task="multilabel", num_classes=3).update(
            rng.integers(0, 2, (20, 3)), rng.random((20, 3))).result(),
        AUC(bins=2**10).batch_deltas(y, p.astype(np.float32))],
    "AUC exact": lambda: [
        AUC(mode="exact").update(y, p).result(),
        AUC("PR", mode="exact", task="multiclass", num_classes=3).update(yc, pc).result()],
}
for name, call in calls.items():
    call()
    stop_if_numba(name)
"""


def test_small_inputs_do_not_import_numba():
    assert_numba_free(_NO_NUMBA)

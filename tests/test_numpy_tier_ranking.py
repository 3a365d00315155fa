"""The NumPy tier of the ranking family (``_kernels/numpy/ranking*.py``,
``bucket_sort.py``): each twin against its compiled kernel on random corpora,
every public ranking function through both tiers (``config.NUMPY_MAX = -1``
forces the compiled kernels), and small calls that never import Numba."""

import textwrap
import warnings

import numpy as np
from _numba_free import assert_numba_free
import pytest

import fastmetrics as fm
from fastmetrics import config
from fastmetrics._kernels import codes
from fastmetrics._kernels.cpu import bucket_sort as cb
from fastmetrics._kernels.cpu import ranking as cr
from fastmetrics._kernels.cpu import ranking_multiclass as cm
from fastmetrics._kernels.cpu import ranking_tokens as ct
from fastmetrics._kernels.numpy import bucket_sort as nb
from fastmetrics._kernels.numpy import ranking as nr
from fastmetrics._kernels.numpy import ranking_multiclass as nm
from fastmetrics._kernels.numpy import ranking_tokens as nt


def _same(a, b, path="result"):
    """Equal results: same types, shapes, dtypes and values (bit for bit,
    NaN equal to NaN)."""
    if isinstance(a, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b), path
        for i, (u, v) in enumerate(zip(a, b)):
            _same(u, v, f"{path}[{i}]")
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray), path
        assert a.shape == b.shape and a.dtype == b.dtype, (path, a.shape, b.shape,
                                                            a.dtype, b.dtype)
        np.testing.assert_array_equal(a, b, err_msg=path)
    elif a is None:
        assert b is None, path
    else:
        assert type(a) is type(b) or (np.isscalar(a) and np.isscalar(b)), (path, a, b)
        if isinstance(a, float) and np.isnan(a):
            assert np.isnan(b), path
        else:
            assert a == b, (path, a, b)


# ================================================ twins against the kernels

def _scores(rng, n, dtype):
    if np.dtype(dtype).kind == "f":
        s = np.round(rng.standard_normal(n), int(rng.integers(0, 3))).astype(dtype)
        s[rng.random(n) < 0.05] = -0.0
        s[rng.random(n) < 0.05] = 0.0
        return s
    if dtype == np.bool_:
        return rng.random(n) < 0.5
    info = np.iinfo(dtype)
    lo, hi = max(info.min, -50), min(info.max, 50)
    if rng.random() < 0.3:
        lo, hi = info.min, min(info.max, 2**63 - 1)
    return rng.integers(lo, hi, n, endpoint=True).astype(dtype)


def test_keys_and_sort_twins():
    rng = np.random.default_rng(1)
    for case in range(600):
        n = int(rng.integers(0, 60))
        dtype = [np.float32, np.float64][case % 2]
        s = _scores(rng, n, dtype)
        if n and case % 7 == 0:
            s[rng.integers(0, n, 2)] = [np.nan, np.inf][case % 2]
        udt = np.uint32 if dtype == np.float32 else np.uint64
        sign = udt(1 << (8 * s.itemsize - 1))
        k1, k2 = np.zeros(n, udt), np.zeros(n, udt)
        b1 = cr.keys_from_float(s, s.view(udt), sign, k1)
        b2 = nr.keys_from_float(s, s.view(udt), sign, k2)
        assert b1 == b2 and type(b2) is int
        if b1 >= 0:
            continue
        _same(k1, k2)
        payload = rng.integers(-100, 100, n).astype(np.int8)
        _same(cr.radix_sort(k1, payload, 8 * s.itemsize),
              nr.radix_sort(k1, payload, 8 * s.itemsize))
        _same(cr.radix_sort(k1, None, 8 * s.itemsize),
              nr.radix_sort(k1, None, 8 * s.itemsize))
    for dtype in (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
                  np.uint32, np.uint64):
        for _ in range(20):
            n = int(rng.integers(0, 60))
            s = _scores(rng, n, dtype)
            if dtype == np.uint64:
                s = s % np.uint64(2**63)
            k1, k2 = np.zeros(n, np.uint64), np.zeros(n, np.uint64)
            assert cr.keys_from_int(s, k1) == nr.keys_from_int(s, k2) == -1
            _same(k1, k2)
            idx = np.arange(n, dtype=np.int64)
            _same(cr.radix_sort(k1, idx, 64), nr.radix_sort(k1, idx, 64))


def _sorted_case(rng, n, weighted):
    s = _scores(rng, n, [np.float32, np.float64][int(rng.integers(0, 2))])
    udt = np.uint32 if s.dtype == np.float32 else np.uint64
    keys = np.empty(n, udt)
    cr.keys_from_float(s, s.view(udt), udt(1 << (8 * s.itemsize - 1)), keys)
    skeys, perm = cr.radix_sort(keys, np.arange(n, dtype=np.int64), 8 * s.itemsize)
    y = rng.random(n) < rng.random()
    if rng.random() < 0.5:
        y = y.view(np.uint8)
    w = None
    if weighted:
        w = rng.random(n) * (rng.random(n) < 0.8)
        if rng.random() < 0.3:
            w = np.round(w * 4)
    return perm, skeys, y, w


def test_binary_scan_twins():
    rng = np.random.default_rng(2)
    for case in range(800):
        n = int(rng.integers(1, 80))
        perm, skeys, y, w = _sorted_case(rng, n, case % 2 == 1)
        curve = cr.binary_curve(perm, skeys, y, w)
        _same(curve, nr.binary_curve(perm, skeys, y, w))
        _same(cr.binary_auc_ap(perm, skeys, y, w), nr.binary_auc_ap(perm, skeys, y, w))
        if case % 4:
            continue  # the parallel kernels below cost a thread launch a call
        fps, tps, idx = curve
        for mode in (1, 2):
            _same(cb.keep_points(fps, tps, idx, mode), nb.keep_points(fps, tps, idx, mode))
        _same(cb.roc_rates(fps, tps), nb.roc_rates(fps, tps))
        _same(cb.pr_rates(fps, tps), nb.pr_rates(fps, tps))


def test_first_distinct_twin():
    rng = np.random.default_rng(3)
    for case in range(300):
        n = int(rng.integers(0, 30))
        y = rng.integers(0, int(rng.integers(1, 5)), n).astype(
            [np.int8, np.int64, np.float64, np.uint8][case % 4])
        if case % 4 == 2 and n:
            y[rng.random(n) < 0.2] = np.nan
        o1, o2 = np.zeros(2, y.dtype), np.zeros(2, y.dtype)
        assert cr.first_distinct(y, o1) == nr.first_distinct(y, o2)
        np.testing.assert_array_equal(o1, o2)


def test_label_value_twins():
    rng = np.random.default_rng(13)
    for case in range(200):
        n = int(rng.integers(1, 50))
        dt = [np.int8, np.int64, np.uint8, np.float32, np.float64][case % 5]
        y = (rng.integers(0, int(rng.integers(1, 4)), n) + int(rng.integers(0, 3))).astype(dt)
        if case % 5 == 4 and case % 3 == 0:
            y[int(rng.integers(0, n))] = np.nan
        lo1, hi1, nan1 = cb.min_max(y)
        lo2, hi2, nan2 = nb.min_max(y)
        assert nan1 == nan2
        if not nan1:
            assert (lo1, hi1) == (lo2, hi2)
        assert cb.count_other(y, y[0], y[-1]) == nb.count_other(y, y[0], y[-1])
        if dt != np.float32 and dt != np.float64:
            lo, size = int(y.min()), int(y.max()) - int(y.min()) + 1
            _same(cb.small_range_counts(y, lo, size), nb.small_range_counts(y, lo, size))


# (score dtype, Fortran order?, weighted?) of the row-kernel cases: each
# distinct form is one more compile of both kernels, so the cases share these
# 8: one dtype per class (float32, float64, signed and unsigned integers; the
# kernels read other integer widths the same way), each in both layouts, and
# weights alternating so that each layout and each dtype has both.
_ROW_FORMS = [(np.float32, 0, 1), (np.float32, 1, 0), (np.float64, 0, 0), (np.float64, 1, 1),
              (np.int64, 0, 1), (np.int64, 1, 0), (np.uint8, 0, 0), (np.uint8, 1, 1)]


def _row_case(rng, n, C, form):
    dtype, fortran, weighted = form
    S = _scores(rng, n * C, dtype).reshape(n, C)
    if fortran:
        S = np.asfortranarray(S)
    codes_ = rng.integers(0, C, n).astype(np.int64)
    if dtype in (np.float32, np.float64) and n and rng.random() < 0.2:
        S[rng.integers(0, n, 2), rng.integers(0, C, 2)] = [np.nan, -np.inf]
    w = rng.random(n) if weighted else None
    return S, codes_, w


def test_row_kernel_twins():
    rng = np.random.default_rng(4)
    for case in range(500):
        n, C = int(rng.integers(0, 50)), int(rng.integers(1, 7))
        S, codes_, w = _row_case(rng, n, C, _ROW_FORMS[case % len(_ROW_FORMS)])
        chunk = int(rng.integers(1, 20))
        k = np.int64(rng.integers(1, C + 2))
        _same(cm.topk_chunks_serial(S, codes_, k, w, chunk),
              nm.topk_chunks(S, codes_, k, w, chunk))
        _same(cm.ap_samples_chunks_serial(S, codes_, w, chunk),
              nm.ap_samples_chunks(S, codes_, w, chunk))
    assert nm.topk_chunks_serial is nm.topk_chunks
    assert nm.ap_samples_chunks_serial is nm.ap_samples_chunks


def test_ovo_column_scan_twin():
    rng = np.random.default_rng(5)
    for case in range(400):
        n, m = int(rng.integers(1, 60)), int(rng.integers(1, 6))
        codes_ = rng.integers(0, m, n).astype(np.int64)
        s = np.round(rng.random(n), int(rng.integers(0, 3)))
        keys = np.empty(n, np.uint64)
        cr.keys_from_float(s, s.view(np.uint64), np.uint64(1 << 63), keys)
        weighted = case % 2 == 1
        w = rng.random(n) if weighted else None
        payload = np.arange(n, dtype=np.int32) if weighted else codes_.astype(np.int8)
        skeys, spay = cr.radix_sort(keys, payload, 64)
        i = int(rng.integers(0, m))
        dt = np.float64 if weighted else np.int64
        outs = []
        for scan in (cm.ovo_column_scan, nm.ovo_column_scan):
            arrays = [np.zeros(m, dt) for _ in range(3)]
            scan(skeys, spay, codes_, w, i, *arrays)
            outs.append(arrays)
        _same(outs[0], outs[1])


def _token_case(rng, multiclass):
    n = int(rng.integers(0, 40))
    C = int(rng.integers(2, 5)) if multiclass else 2
    k = C if multiclass else int(rng.integers(1, 3))
    # one label dtype per class (each is one more compile of both kernels per
    # score dtype): int64, narrow signed, unsigned, float (NaN, fractions)
    ydt = [np.int64, np.int8, np.uint8, np.float64][int(rng.integers(0, 4))]
    y = rng.integers(0, C, n).astype(ydt)
    s2 = rng.standard_normal((n, k)).astype([np.float32, np.float64][n % 2])
    if rng.random() < 0.3:
        s2 = rng.integers(-5, 5, (n, k)).astype(np.int32)
    if n and rng.random() < 0.6:  # problems of every kind, some on one token
        for _ in range(int(rng.integers(1, 4))):
            i = int(rng.integers(0, n))
            what = int(rng.integers(0, 4))
            if what == 0:
                y[i] = C + 1 if ydt != np.int8 else 100
            elif what == 1 and ydt in (np.float32, np.float64):
                y[i] = [np.nan, 0.5, np.inf][int(rng.integers(0, 3))]
            elif what == 2 and s2.dtype.kind == "f":
                s2[i, int(rng.integers(0, k))] = np.nan
    keep = (rng.random(n) < 0.8) if rng.random() < 0.5 else np.empty(0, np.bool_)
    has_ignore = bool(rng.random() < 0.4)
    ignore = np.int64(int(rng.integers(0, C + 2)))
    rep = int(rng.integers(1, 4))
    sw = np.empty(0)
    if rng.random() < 0.6:
        sw = rng.random(-(-n // rep))
        if sw.size and rng.random() < 0.4:
            sw[int(rng.integers(0, sw.size))] = [-1.0, np.nan, np.inf][int(rng.integers(0, 3))]
    cw = rng.random(C) if rng.random() < 0.5 else np.empty(0)
    copy_s = bool(rng.random() < 0.7)
    weighted = sw.size > 0 or cw.size > 0
    return (y, s2, keep, ignore, has_ignore, sw, np.int64(rep), cw, copy_s), n, C, weighted


def test_token_twins():
    rng = np.random.default_rng(6)
    seen = set()
    for case in range(1500):
        multiclass = case % 2 == 1
        args, n, C, weighted = _token_case(rng, multiclass)
        outs = []
        for mod in (ct, nt):
            y_out = np.zeros(n, np.int64 if multiclass else np.bool_)
            s_shape = ((n if args[-1] else 0, C) if multiclass else (n if args[-1] else 0,))
            s_out = np.zeros(s_shape, args[1].dtype)
            w_out = np.zeros(n if weighted else 0)
            fn = mod.multiclass_tokens if multiclass else mod.binary_tokens
            j, code, idx = fn(*args, y_out, s_out, w_out)
            outs.append(((j, code, idx),) if code else
                        ((j, code, idx), y_out[:j], s_out[:j], w_out[:j]))
        seen.add(outs[0][0][1])
        _same(outs[0], outs[1])
    assert seen == {codes.OK, codes.TRUE_OUT_OF_RANGE, codes.TRUE_NOT_INTEGRAL,
                    codes.PRED_NOT_FINITE, codes.WEIGHT_INVALID}
    assert (nt.OK, nt.PRED_NOT_FINITE, nt.TRUE_NOT_INTEGRAL, nt.TRUE_OUT_OF_RANGE,
            nt.WEIGHT_INVALID) == (ct.OK, ct.PRED_NOT_FINITE, ct.TRUE_NOT_INTEGRAL,
                                   ct.TRUE_OUT_OF_RANGE, ct.WEIGHT_INVALID)


# ================================================ public functions, both tiers

def _call(fn, args, kw):
    """(result or (exception type, message), warning messages)."""
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        try:
            out = fn(*args, **kw)
        except Exception as e:  # noqa: BLE001  (compared between the tiers)
            out = (type(e), str(e))
    return out, [(w.category, str(w.message)) for w in rec]


def _both(monkeypatch, name, *args, **kw):
    fn = getattr(fm, name)
    twin = _call(fn, args, kw)
    with monkeypatch.context() as m:
        m.setattr(config, "NUMPY_MAX", -1)
        compiled = _call(fn, args, kw)
    _same(twin, compiled, f"{name} {kw}")
    return twin[0]


_Y_DTYPES = (np.int8, np.int16, np.int32, np.int64, np.uint8, np.bool_, np.float32,
             np.float64)
_S_DTYPES = (np.float32, np.float64, np.float16, np.int64, np.int8, np.uint8, np.bool_)


def test_binary_functions_both_tiers(monkeypatch):
    rng = np.random.default_rng(7)
    n = 300
    for i, ydt in enumerate(_Y_DTYPES):
        sdt = _S_DTYPES[i % len(_S_DTYPES)]
        y = (rng.random(n) < 0.3).astype(ydt)
        s = _scores(rng, n, sdt)
        w = np.round(rng.random(n) * 3) * (rng.random(n) < 0.9)
        for kw in ({}, {"sample_weight": w}):
            for di in (True, False):
                for name in ("roc_curve", "precision_recall_curve", "det_curve"):
                    _both(monkeypatch, name, y, s, drop_intermediate=di, **kw)
            _both(monkeypatch, "roc_auc_score", y, s, **kw)
            _both(monkeypatch, "roc_auc_score", y, s, max_fpr=0.3, **kw)
            _both(monkeypatch, "average_precision_score", y, s, **kw)
    # labels and pos_label, one class present, top-k, auc
    y = rng.choice(np.array(["a", "b"]), 50)
    s = rng.random(50)
    for name in ("roc_curve", "precision_recall_curve", "det_curve",
                 "average_precision_score"):
        _both(monkeypatch, name, y, s, pos_label="b")
        _both(monkeypatch, name, np.full(50, 3), s, pos_label=3)
    _both(monkeypatch, "roc_auc_score", y, s)
    _both(monkeypatch, "roc_auc_score", np.zeros(50), s)
    _both(monkeypatch, "top_k_accuracy_score", (s > 0.4).astype(int), s, k=1)
    _both(monkeypatch, "auc", np.sort(s), s)


def test_bad_binary_inputs_both_tiers(monkeypatch):
    rng = np.random.default_rng(8)
    y = np.arange(40) % 2
    s = rng.random(40)
    for bad in (np.nan, np.inf, -np.inf):
        for dt in (np.float32, np.float64):
            s2 = s.astype(dt)
            s2[[5, 9]] = bad
            for name in ("roc_curve", "precision_recall_curve", "det_curve",
                         "roc_auc_score", "average_precision_score"):
                out = _both(monkeypatch, name, y, s2)
                assert out[0] is ValueError and "index 5" in out[1]
        w = rng.random(40)
        w[[3, 7]] = [bad, -1.0]
        out = _both(monkeypatch, "roc_auc_score", y, s, sample_weight=w)
        assert out[0] is ValueError
    _both(monkeypatch, "roc_auc_score", y, s, sample_weight=np.zeros(40))


def _probs(rng, n, C, dtype=np.float64):
    p = np.round(rng.random((n, C)), 1) + 0.05
    return (p / p.sum(axis=1, keepdims=True)).astype(dtype)


def test_multiclass_and_multilabel_both_tiers(monkeypatch):
    rng = np.random.default_rng(9)
    n, C = 200, 4
    for ydt in (np.int64, np.int8, np.uint8, np.float32):
        for sdt in (np.float64, np.float32):
            y = rng.integers(0, C, n).astype(ydt)
            P = _probs(rng, n, C, sdt)
            w = rng.random(n)
            for avg in ("macro", "weighted"):
                _both(monkeypatch, "roc_auc_score", y, P, multi_class="ovo", average=avg)
            for avg in ("macro", "weighted", None, "micro"):
                _both(monkeypatch, "roc_auc_score", y, P, multi_class="ovr", average=avg,
                      sample_weight=w)
            for avg in ("macro", "weighted", None, "micro", "samples"):
                _both(monkeypatch, "average_precision_score", y, P, average=avg,
                      sample_weight=w)
            for k in (1, 2, 3, 5):
                _both(monkeypatch, "top_k_accuracy_score", y, P, k=k)
                _both(monkeypatch, "top_k_accuracy_score", y, P, k=k, sample_weight=w,
                      normalize=False)
    y = rng.integers(0, 3, n)
    P = _probs(rng, n, 4)
    _both(monkeypatch, "roc_auc_score", y, P, multi_class="ovo", labels=[0, 1, 2, 3])
    _both(monkeypatch, "top_k_accuracy_score", y, P, k=2, labels=[0, 1, 2, 3])
    P[7, 2] = np.nan
    _both(monkeypatch, "top_k_accuracy_score", y, P, k=2, labels=[0, 1, 2, 3])
    _both(monkeypatch, "average_precision_score", y, P[:, :3], average="samples")
    _both(monkeypatch, "roc_auc_score", y, P[:, :3], multi_class="ovo")
    # multilabel indicators
    Y = (rng.random((n, 5)) < 0.4).astype(int)
    S = np.round(rng.random((n, 5)), 2)
    for avg in ("macro", "weighted", None, "micro", "samples"):
        _both(monkeypatch, "roc_auc_score", Y, S, average=avg)
        _both(monkeypatch, "average_precision_score", Y, S, average=avg,
              sample_weight=rng.random(n))


def test_ovo_pair_auc_weighted_both_tiers(monkeypatch):
    from fastmetrics.ranking import _multiclass
    rng = np.random.default_rng(10)
    codes_ = rng.integers(0, 4, 300)
    P = np.round(rng.random((300, 4)), 1)
    for w in (None, rng.random(300)):
        twin = _multiclass.ovo_pair_auc(codes_, P, w)
        monkeypatch.setattr(config, "NUMPY_MAX", -1)
        compiled = _multiclass.ovo_pair_auc(codes_, P, w)
        monkeypatch.undo()
        _same(twin, compiled)


def test_sequence_forms_both_tiers(monkeypatch):
    rng = np.random.default_rng(11)
    N, T, C = 6, 9, 3
    yb = rng.integers(0, 2, (N, T))
    sb = np.round(rng.random((N, T)), 1)
    two = np.stack([1 - sb, sb], axis=-1)
    mask = rng.random((N, T)) < 0.8
    wN, wNT = rng.random(N), rng.random((N, T))
    forms = [(yb, sb), (yb, sb[..., None]), (yb, two),
             (np.eye(2)[yb], sb), (yb.astype(np.float32), sb.astype(np.float32)),
             (yb.astype(bool), sb), (yb.astype(np.uint8), two.astype(np.float32))]
    extra = [{}, {"mask": mask}, {"sample_weight": wN}, {"sample_weight": wNT},
             {"ignore_index": 0}, {"class_weight": {0: 0.5, 1: 2.0}},
             {"class_weight": np.array([1.0, 3.0]), "sample_weight": wNT, "mask": mask}]
    for yt, st in forms:
        for kw in extra:
            for name in ("roc_auc_score", "average_precision_score", "roc_curve",
                         "precision_recall_curve", "det_curve"):
                _both(monkeypatch, name, yt, st, task="binary", **kw)
            _both(monkeypatch, "top_k_accuracy_score", yt, st, task="binary", k=1, **kw)
    ym = rng.integers(0, C, (N, T))
    Pm = _probs(rng, N * T, C).reshape(N, T, C)
    for yt in (ym, np.eye(C)[ym], ym.astype(np.int8), ym.astype(np.float64)):
        for kw in extra[:5] + [{"class_weight": [1.0, 2.0, 0.5]}]:
            _both(monkeypatch, "roc_auc_score", yt, Pm, task="multiclass",
                  multi_class="ovr", **kw)
            _both(monkeypatch, "average_precision_score", yt, Pm, task="multiclass", **kw)
            _both(monkeypatch, "top_k_accuracy_score", yt, Pm, task="multiclass", k=2, **kw)
        _both(monkeypatch, "roc_auc_score", yt, Pm, task="multiclass", multi_class="ovo")
    Yl = rng.integers(0, 2, (N, T, C))
    for kw in extra[:5]:
        for avg in ("macro", "micro", "samples", None):
            _both(monkeypatch, "roc_auc_score", Yl, Pm, task="multilabel", average=avg, **kw)
            _both(monkeypatch, "average_precision_score", Yl, Pm, task="multilabel",
                  average=avg, **kw)


def test_bad_tokens_both_tiers(monkeypatch):
    """The first bad token and its message, whichever tier reads it."""
    rng = np.random.default_rng(12)
    N, T, C = 4, 7, 3
    y = rng.integers(0, C, (N, T)).astype(np.float64)
    P = _probs(rng, N * T, C).reshape(N, T, C)
    w = rng.random((N, T))
    for task, yy, ss in (("binary", y % 2, P[..., 0]), ("multiclass", y, P)):
        for i, j, what in ((1, 2, "label"), (0, 5, "frac"), (2, 1, "score"),
                           (1, 4, "weight")):
            y2, s2, w2 = yy.copy(), ss.copy(), w.copy()
            # a later token with another problem: the first bad one wins
            y2[3, 6] = 9
            if what == "label":
                y2[i, j] = 7
            elif what == "frac":
                y2[i, j] = 0.5
            elif what == "score":
                s2[i, j] = np.nan
                y2[i, j] = 99  # the label is checked first
            else:
                w2[i, j] = -1.0
            for kw in ({}, {"mask": np.ones((N, T), bool)}, {"ignore_index": 9}):
                out = _both(monkeypatch, "roc_auc_score", y2, s2, task=task,
                            sample_weight=w2, multi_class="ovr", **kw)
                assert out[0] is ValueError and f"({i}, {j})" in out[1], out


# ================================================ no Numba for small inputs

_NO_NUMBA = textwrap.dedent(
    """
    import sys
    import numpy as np
    import fastmetrics as fm
    rng = np.random.default_rng(0)
    n = int(sys.argv[1])
    y = (rng.random(n) < 0.3).astype(np.int64)
    s = rng.random(n)
    w = rng.random(n)
    m = n // 16 * 4  # rows of 4 scores, in sequences of 4 tokens
    yc = rng.integers(0, 4, m)
    P = rng.random((m, 4))
    P /= P.sum(axis=1, keepdims=True)
    Y = (rng.random((m, 4)) < 0.5).astype(int)
    yt = y.reshape(-1, 8)
    st = s.reshape(-1, 8)
    calls = [
        ("roc_auc_score", (y, s), {}),
        ("roc_auc_score", (y, s.astype(np.float32)), {"sample_weight": w}),
        ("roc_auc_score", (y, (s * 100).astype(np.int64)), {"max_fpr": 0.5}),
        ("roc_auc_score", (yc, P), {"multi_class": "ovr"}),
        ("roc_auc_score", (yc, P), {"multi_class": "ovo"}),
        ("roc_auc_score", (Y, P), {"average": "micro"}),
        ("roc_auc_score", (yt, st), {"task": "binary", "mask": st > 0.1}),
        ("roc_auc_score", (yc.reshape(-1, 4), P.reshape(-1, 4, 4)),
         {"task": "multiclass", "multi_class": "ovo"}),
        ("average_precision_score", (y, s), {"sample_weight": w}),
        ("average_precision_score", (yc, P), {"average": "samples"}),
        ("average_precision_score", (yc, P), {}),
        ("average_precision_score", (Y.reshape(-1, 2, 4), P.reshape(-1, 2, 4)),
         {"task": "multilabel", "ignore_index": 1}),
        ("roc_curve", (y, s), {}),
        ("roc_curve", (yt, st), {"task": "binary", "sample_weight": w[: n // 8]}),
        ("precision_recall_curve", (y, s.astype(np.float32)), {}),
        ("precision_recall_curve", (y, s), {"drop_intermediate": True}),
        ("det_curve", (y, s), {"sample_weight": w}),
        ("top_k_accuracy_score", (yc, P), {"k": 2}),
        ("top_k_accuracy_score", (yc.reshape(-1, 4), P.reshape(-1, 4, 4)),
         {"task": "multiclass", "k": 3, "class_weight": [1, 2, 3, 4]}),
        ("top_k_accuracy_score", (y, s), {"k": 1}),
        ("auc", (np.sort(s), s), {}),
    ]
    for name, args, kw in calls:
        getattr(fm, name)(*args, **kw)
        stop_if_numba((name, kw))
    """
)


@pytest.mark.parametrize("n", [1_000, 1 << 16])
def test_small_inputs_do_not_import_numba(n):
    assert n <= config.NUMPY_MAX
    assert_numba_free(_NO_NUMBA, n)

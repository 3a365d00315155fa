"""The NumPy tier of the losses family (``_kernels/numpy/losses.py``): each
twin against its compiled kernel on random corpora, every public loss (and
the streaming ``Loss``) through both tiers (``config.NUMPY_MAX = -1`` forces
the compiled kernels), and small calls that never import Numba."""

import contextlib
import textwrap
import warnings

import numpy as np
from _numba_free import assert_numba_free
import pytest

import fastmetrics.losses as L
from fastmetrics import config
from fastmetrics._kernels import codes
from fastmetrics._kernels.cpu import losses as ck
from fastmetrics._kernels.numpy import losses as nk
from fastmetrics.streaming import Loss

RTOL = 1e-12
ATOL = 1e-14  # per-token losses near 0 (e.g. a logit of 30) agree to this


@contextlib.contextmanager
def _compiled():
    """Force the compiled kernels for a while."""
    old = config.NUMPY_MAX
    config.NUMPY_MAX = -1
    try:
        yield
    finally:
        config.NUMPY_MAX = old


def _outcome(f, *args, **kw):
    """("ok", result, warning messages) or ("err", exception type, message)."""
    try:
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            res = f(*args, **kw)
        return "ok", res, sorted(str(w.message) for w in rec)
    except Exception as e:  # noqa: BLE001 - the exception itself is compared
        return "err", type(e), str(e)


def _both(f, *args, **kw):
    """``f`` through the twins and through the compiled kernels: the same
    exception (type and message) or the same result (to rounding) and warnings."""
    twin = _outcome(f, *args, **kw)
    with _compiled():
        kern = _outcome(f, *args, **kw)
    assert twin[0] == kern[0], (twin, kern)
    if twin[0] == "err":
        assert twin[1:] == kern[1:]
        return twin
    assert twin[2] == kern[2]
    a, b = twin[1], kern[1]
    if isinstance(a, tuple):  # PARTIALS
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)
    else:
        assert np.shape(a) == np.shape(b) and type(a) is type(b)
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)
    return twin


def test_loss_kinds_are_the_kernels():
    assert (nk.CCE, nk.CFOCAL) == (ck.CCE, ck.CFOCAL)
    assert nk.CCE != nk.CFOCAL


# ================================================ twins against the kernels

def _opts(rng, n, C, *, ignore_allowed=False, rep_max=3):
    """Random token options ``opts`` for n tokens (and copies of ``out`` for
    the two calls)."""
    has_w = rng.random() < 0.6
    rep = int(rng.integers(1, rep_max + 1)) if has_w else 1
    if n % rep:
        rep = 1
    w = rng.uniform(0, 2, n // rep) if has_w else np.empty(0)
    if has_w and rng.random() < 0.3 and w.size:
        w[rng.integers(0, w.size)] = rng.choice([-1.0, np.nan, np.inf])
    if has_w and rng.random() < 0.2 and w.size:
        w[rng.integers(0, w.size)] = 0.0
    has_cw = rng.random() < 0.5
    cw = rng.uniform(0, 3, C) if has_cw else np.empty(0)
    has_mask = rng.random() < 0.5
    mask = rng.random(n) < 0.7 if has_mask else np.empty(0, bool)
    has_out = rng.random() < 0.5
    outs = [np.full(n if has_out else 0, 7.0) for _ in range(2)]
    return [(has_cw, cw, w, rep, has_w, mask, has_mask, out, has_out) for out in outs]


def _spoil(rng, a, values, p=0.3):
    """Put one of ``values`` at a random place of ``a`` with probability p."""
    if a.size and rng.random() < p:
        a.reshape(-1)[rng.integers(0, a.size)] = rng.choice(values)
    return a


def _probs(rng, n, C, dtype, from_logits):
    x = rng.standard_normal((n, C)) * rng.choice([0.5, 3, 30])
    if from_logits:
        return x.astype(dtype)
    p = np.exp(x - x.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    if rng.random() < 0.3:
        p[rng.random(p.shape) < 0.2] = 0.0  # exact zeros (clipped), some rows all zero
    if rng.random() < 0.2:
        p = p * 0.9  # rows not summing to 1
    return p.astype(dtype)


def _compare(tw, kn, out_t, out_k, n_results, exact=()):
    """The twin's and the kernel's results: bad reports exactly; sums and
    ``out`` to rounding when no token is bad."""
    bi_t, bc_t = tw[-2:]
    bi_k, bc_k = kn[-2:]
    ft = np.flatnonzero(bi_t >= 0)
    fk = np.flatnonzero(bi_k >= 0)
    first_t = (int(bi_t[ft[0]]), int(bc_t[ft[0]])) if ft.size else None
    first_k = (int(bi_k[fk[0]]), int(bc_k[fk[0]])) if fk.size else None
    assert first_t == first_k
    for i in exact:
        np.testing.assert_array_equal(tw[i].any(axis=0), kn[i].any(axis=0))
    if first_t is not None:
        return first_t
    assert len(tw) == len(kn) == n_results
    assert tw[0].dtype == kn[0].dtype and tw[0].shape[1] == kn[0].shape[1]
    np.testing.assert_allclose(tw[0].sum(0), kn[0].sum(0), rtol=RTOL, atol=1e-300)
    np.testing.assert_array_equal(tw[0][:, 2:].sum(0), kn[0][:, 2:].sum(0))  # counts
    if out_t is not None:
        np.testing.assert_allclose(out_t, out_k, rtol=RTOL, atol=ATOL)
    return None


# id dtypes compared against the compiled kernels: the two the public
# functions hand them (ids of every integer width are cast to int64, float
# ids to float64: test_losses checks that); each more dtype would be one more
# compile of every losses kernel (minutes of a cold CI run)
_ID_DTYPES = (np.int64, np.float64)


def test_sparse_chunks_twin(rng):
    seen_codes = set()
    for case in range(700):
        n = int(rng.choice([0, 1, 3, 17, 64, 300]))
        C = int(rng.integers(1, 6))
        from_logits = bool(rng.random() < 0.5)
        yp = _probs(rng, n, C, rng.choice([np.float32, np.float64]), from_logits)
        _spoil(rng, yp, [np.nan, np.inf, -np.inf, 1.5, -0.1], p=0.25)
        yt = rng.integers(0, C, n).astype(rng.choice(_ID_DTYPES))
        _spoil(rng, yt, [C, -1] + ([0.5, np.nan] if yt.dtype.kind == "f" else []), p=0.2)
        has_ignore = bool(rng.random() < 0.3)
        ignore = int(rng.choice([0, C - 1, -100])) if has_ignore else 0
        lo, hi = (1e-7, 1 - 1e-7) if yp.dtype == np.float64 else (
            float(np.float32(1e-7)), float(np.float32(1 - 1e-7)))
        loss = (from_logits, lo, hi, ignore, has_ignore)
        ot, ok = _opts(rng, n, C)
        tw = nk.sparse_chunks(yt, yp, loss, ot, 1 << 16)
        kn = ck.sparse_chunks_serial(yt, yp, loss, ok, 1 << 16)
        seen_codes.add((_compare(tw, kn, ot[7], ok[7], 3) or (0, 0))[1])
    assert {codes.WEIGHT_INVALID, codes.TRUE_INVALID, codes.PRED_NOT_FINITE,
            codes.PRED_NOT_PROBABILITY} <= seen_codes


def _targets(rng, n, C, dtype):
    y = np.eye(C)[rng.integers(0, C, n)]
    kind = rng.integers(0, 3)
    if kind == 1 and n:
        y[::3] = rng.dirichlet(np.ones(C), size=len(y[::3]))  # soft rows
    elif kind == 2:
        y = (rng.random((n, C)) < 0.4).astype(float)  # multi-hot / all-zero rows
    return y.astype(dtype)


def test_scalar_chunks_twin_binary(rng):
    seen_codes = set()
    for case in range(700):
        n = int(rng.choice([0, 1, 5, 40, 300]))
        from_logits = bool(rng.random() < 0.5)
        dtype = rng.choice([np.float32, np.float64])
        yp = (rng.standard_normal(n) * rng.choice([1, 30]) if from_logits
              else rng.random(n) * rng.choice([1.0, 1.0, 0.0])).astype(dtype)
        _spoil(rng, yp, [np.nan, np.inf, 1.5, -0.2], p=0.25)
        yt = rng.random(n)
        if rng.random() < 0.5:
            yt = np.round(yt)
        yt = yt.astype(np.float64)  # what the public functions pass (_ID_DTYPES)
        _spoil(rng, yt, [2, -1] + ([np.nan, 1.5] if yt.dtype.kind == "f" else []), p=0.2)
        focal = bool(rng.random() < 0.5)
        loss = (from_logits, focal, bool(rng.random() < 0.5), float(rng.random()),
                float(rng.choice([0.0, 0.5, 2.0])), float(rng.choice([0.0, 0.1])),
                1e-7, 1 - 1e-7)
        ot, ok = _opts(rng, n, 2)
        tw = nk.scalar_chunks(yt, yp, loss, ot, 1 << 16)
        kn = ck.scalar_chunks_serial(yt, yp, loss, ok, 1 << 16)
        seen_codes.add((_compare(tw, kn, ot[7], ok[7], 3) or (0, 0))[1])
    assert {codes.WEIGHT_INVALID, codes.TRUE_INVALID, codes.PRED_NOT_FINITE,
            codes.PRED_NOT_PROBABILITY} <= seen_codes


@pytest.mark.parametrize("kernel", ["scalar", "dense_ce"])
def test_dense_twins(rng, kernel):
    """``scalar_chunks`` of target rows (focal, and its CCE reference form)
    and ``dense_ce_chunks`` (CCE, and scikit-learn's xlogy loss)."""
    seen_codes = set()
    for case in range(500):
        n = int(rng.choice([0, 1, 5, 40, 300]))
        C = int(rng.integers(1, 6))
        from_logits = bool(rng.random() < 0.5)
        dtype = rng.choice([np.float32, np.float64])
        yp = _probs(rng, n, C, dtype, from_logits)
        _spoil(rng, yp, [np.nan, np.inf, 1.5, -0.2], p=0.25)
        yt = _targets(rng, n, C, rng.choice([np.float32, np.float64]))
        _spoil(rng, yt, [np.nan, 1.5, -0.5], p=0.15)
        ls = float(rng.choice([0.0, 0.0, 0.2]))
        if kernel == "scalar":
            kind = int(rng.choice([nk.CCE, nk.CFOCAL]))
            loss = (kind, from_logits, ls, rng.uniform(0, 1, C), float(rng.choice([0, 2.0])),
                    1e-7, 1 - 1e-7)
            ot, ok = _opts(rng, n, C)
            tw = nk.scalar_chunks(yt, yp, loss, ot, 1 << 16)
            kn = ck.scalar_chunks_serial(yt, yp, loss, ok, 1 << 16)
            width = 3
        else:
            xlogy = bool(not from_logits and rng.random() < 0.4)
            loss = (xlogy, from_logits, 0.0 if xlogy else ls, 1e-7, 1 - 1e-7,
                    float(rng.choice([0.0, 1e-4])))
            ot, ok = _opts(rng, n, C)
            tw = nk.dense_ce_chunks(yt, yp, loss, ot, 1 << 16)
            kn = ck.dense_ce_chunks_serial(yt, yp, loss, ok, 1 << 16)
            width = 4
        assert tw[0].shape[1] == kn[0].shape[1] == width
        seen_codes.add((_compare(tw, kn, ot[7], ok[7], 3) or (0, 0))[1])
    assert {codes.WEIGHT_INVALID, codes.TRUE_INVALID, codes.PRED_NOT_FINITE,
            codes.PRED_NOT_PROBABILITY} <= seen_codes
    if kernel == "dense_ce":
        assert codes.ROW_SUM_ZERO in seen_codes


def test_logloss_ids_chunks_twin(rng):
    seen_codes = set()
    for case in range(600):
        n = int(rng.choice([1, 5, 40, 300, 700]))
        C = int(rng.integers(1, 6))
        n_cols = 2 if C == 1 else C
        dtype = rng.choice([np.float32, np.float64])
        yp = _probs(rng, n, C, dtype, False)
        if C == 1:
            yp = rng.random((n, 1)).astype(dtype)
        _spoil(rng, yp, [np.nan, np.inf, 1.5, -0.2], p=0.2)
        if rng.random() < 0.7:
            lut = np.arange(n_cols, dtype=np.int64)
        else:  # a table with holes, or larger than 64 codes
            L_ = int(rng.choice([n_cols + 2, 70]))
            lut = np.full(L_, -1, dtype=np.int64)
            lut[rng.choice(L_, n_cols, replace=False)] = np.arange(n_cols)
        cd = rng.integers(0, lut.shape[0], n)  # int64, as the public function passes them
        _spoil(rng, cd, [lut.shape[0], 100, -1], p=0.2)
        eps = np.finfo(dtype).eps
        consts = np.array([1, eps, 1 - eps], dtype=dtype)
        rtol = float(np.sqrt(eps))
        has_w = bool(rng.random() < 0.5)
        w = rng.uniform(0, 2, n) if has_w else np.empty(0)
        if has_w:
            _spoil(rng, w, [-1.0, np.nan], p=0.2)
        tw = nk.logloss_ids_chunks(cd, lut, yp, consts, rtol, w, has_w, 1 << 16)
        kn = ck.logloss_ids_chunks_serial(cd, lut, yp, consts, rtol, w, has_w, 1 << 16)
        assert tw[1].dtype == kn[1].dtype and tw[1].shape[1] == kn[1].shape[1]
        seen_codes.add((_compare(tw, kn, None, None, 4, exact=(1,)) or (0, 0))[1])
    assert {codes.WEIGHT_INVALID, codes.TRUE_NOT_IN_LABELS, codes.PRED_NOT_FINITE,
            codes.PRED_NOT_PROBABILITY} <= seen_codes


def test_twins_order_their_sums_as_the_kernels(rng):
    """The 4-lane and sequential sums reproduce the kernels' order: on
    values whose logarithms are exact, the sums are bit for bit the kernel's."""
    n = 1003
    yp = np.full((n, 2), 0.5)
    yt = np.zeros(n, dtype=np.int64)
    w = rng.uniform(0, 1, n) * 2.0 ** rng.integers(-30, 30, n)  # order-sensitive sums
    opts = (False, np.empty(0), w, 1, True, np.empty(0, bool), False, np.empty(0), False)
    loss = (False, 1e-7, 1 - 1e-7, 0, False)
    a = nk.sparse_chunks(yt, yp, loss, opts, 1 << 16)[0]
    b = ck.sparse_chunks_serial(yt, yp, loss, opts, 1 << 16)[0]
    assert a[0, 1] == b[0, 1]  # the weight lanes
    sc = (False, False, False, 0.25, 2.0, 0.0, 1e-7, 1 - 1e-7)
    a = nk.scalar_chunks(np.zeros(n), np.zeros(n), sc, opts, 1 << 16)[0]
    b = ck.scalar_chunks_serial(np.zeros(n), np.zeros(n), sc, opts, 1 << 16)[0]
    assert a[0, 1] == b[0, 1]  # sequential


# ================================================ public functions, both tiers

def _onehot(y, C, dtype=np.float64):
    return np.eye(C, dtype=dtype)[y]


_REDUCTIONS = ("none", "sum", "sum_over_batch_size", "mean", "mean_with_sample_weight")


def test_sparse_public(rng):
    N, T, C = 4, 6, 5
    x = rng.standard_normal((N, T, C)) * 3
    p = np.exp(x) / np.exp(x).sum(-1, keepdims=True)
    y = rng.integers(0, C, (N, T))
    mask = rng.random((N, T)) < 0.7
    for dt in (np.int8, np.uint8, np.int32, np.int64, np.float32, np.float64):
        for logits, yp in ((True, x), (False, p)):
            for pdt in (np.float32, np.float64):
                _both(L.sparse_categorical_crossentropy, y.astype(dt), yp.astype(pdt),
                      from_logits=logits)
    _both(L.sparse_categorical_crossentropy, y > 0, p[..., :2])  # bool ids
    for kw in (dict(sample_weight=rng.uniform(0, 2, N)), dict(sample_weight=rng.random((N, T))),
               dict(mask=mask), dict(mask=mask[:, 0]), dict(ignore_index=2),
               dict(class_weight=rng.uniform(0, 2, C)), dict(class_weight={1: 3.0}),
               dict(ignore_index=2, mask=mask, sample_weight=rng.uniform(0, 2, N),
                    class_weight=rng.uniform(0, 2, C))):
        for red in _REDUCTIONS:
            for logits, yp in ((True, x), (False, p)):
                _both(L.sparse_categorical_crossentropy, y, yp, from_logits=logits,
                      reduction=red, **kw)
    _both(L.sparse_categorical_crossentropy, y[0, 0], x[0, 0], from_logits=True)  # ()
    _both(L.sparse_categorical_crossentropy, y[0], x[0], from_logits=True)  # (T,)
    _both(L.sparse_categorical_crossentropy, y[..., None], x, from_logits=True)


def test_sparse_public_errors(rng):
    N, T, C = 3, 5, 4
    x = rng.standard_normal((N, T, C))
    p = np.exp(x) / np.exp(x).sum(-1, keepdims=True)
    y = rng.integers(0, C, (N, T))
    f = L.sparse_categorical_crossentropy

    def bad(a, i, v):
        a = a.astype(np.result_type(a.dtype, type(v))).copy()
        a[i] = v
        return a

    assert _both(f, bad(y, (1, 2), C), p)[0] == "err"
    assert _both(f, bad(y, (1, 2), -1), p)[0] == "err"
    assert _both(f, bad(y.astype(float), (1, 2), 1.5), p)[0] == "err"
    assert _both(f, bad(y.astype(float), (1, 2), np.nan), p)[0] == "err"
    assert _both(f, y, bad(p, (0, 3, 1), np.nan))[0] == "err"
    assert _both(f, y, bad(x, (0, 3, 1), np.inf), from_logits=True)[0] == "err"
    assert _both(f, y, bad(p, (0, 3, 1), 1.5))[0] == "err"
    assert _both(f, y, p, sample_weight=bad(np.ones(N), 1, -1.0))[0] == "err"
    assert _both(f, y, p, sample_weight=bad(np.ones((N, T)), (2, 0), np.nan))[0] == "err"
    # several problems: the first bad token wins, the weight before the label
    yb = bad(y, (1, 2), C)
    pb = bad(bad(p, (1, 2, 0), np.nan), (0, 4, 0), 2.0)
    assert _both(f, yb, pb)[0] == "err"
    assert _both(f, yb, pb, sample_weight=bad(np.ones(N), 1, -1.0))[0] == "err"
    # bad values where the mask or ignore_index drops the token are fine
    m = np.ones((N, T), bool)
    m[1, 2] = False
    assert _both(f, yb, bad(p, (1, 2, 0), np.nan), mask=m)[0] == "ok"
    assert _both(f, bad(y, (1, 2), -100), bad(p, (1, 2, 0), np.nan),
                 ignore_index=-100)[0] == "ok"


def test_categorical_public(rng):
    N, T, C = 4, 5, 3
    x = rng.standard_normal((N, T, C)) * 2
    p = np.exp(x) / np.exp(x).sum(-1, keepdims=True)
    y = rng.integers(0, C, (N, T))
    soft = rng.dirichlet(np.ones(C), size=(N, T))
    mask = rng.random((N, T)) < 0.7
    for f, extra in ((L.categorical_crossentropy, {}),
                     (L.categorical_focal_crossentropy, {}),
                     (L.categorical_focal_crossentropy, dict(alpha=[0.2, 0.5, 1.0], gamma=0.5))):
        for yt in (_onehot(y, C), _onehot(y, C, np.float32), soft, _onehot(y, C) > 0):
            for logits, yp in ((True, x), (False, p), (False, p.astype(np.float32))):
                for ls in (0.0, 0.1):
                    _both(f, yt, yp, from_logits=logits, label_smoothing=ls, **extra)
        for kw in (dict(sample_weight=rng.uniform(0, 2, N)),
                   dict(sample_weight=rng.random((N, T))), dict(mask=mask),
                   dict(class_weight=rng.uniform(0, 2, C))):
            for red in _REDUCTIONS:
                _both(f, soft, x, from_logits=True, reduction=red, **kw)
                _both(f, _onehot(y, C), p, reduction=red, **kw)
        _both(f, _onehot(y, C)[0], p[0] * 0.5)  # rows renormalised
        _both(f, _onehot(y, C)[0, 0], x[0, 0], from_logits=True)  # one token


def test_categorical_public_errors(rng):
    N, C = 6, 3
    x = rng.standard_normal((N, C))
    p = np.exp(x) / np.exp(x).sum(-1, keepdims=True)
    y = _onehot(rng.integers(0, C, N), C)
    for f in (L.categorical_crossentropy, L.categorical_focal_crossentropy):
        for a, i, v in ((y, (2, 1), 1.5), (y, (2, 1), np.nan), (p, (3, 0), np.nan),
                        (p, (3, 0), -0.1), (p, (3, 0), 1.2), (x, (3, 0), np.inf)):
            a2 = a.copy()
            a2[i] = v
            args = (a2, p) if a is y else (y, a2)
            assert _both(f, *args, from_logits=a is x)[0] == "err"
        zero = p.copy()
        zero[4] = 0.0
        assert _both(f, y, zero)[0] == "err"
        assert _both(f, y, zero, from_logits=True)[0] == "ok"
        assert _both(f, y, p, sample_weight=[1, 1, np.inf, 1, 1, 1])[0] == "err"
        m = np.ones(N, bool)
        m[4] = False
        assert _both(f, y, zero, mask=m)[0] == "ok"


def test_binary_public(rng):
    N, T = 5, 4
    x = rng.standard_normal((N, T)) * 3
    p = 1 / (1 + np.exp(-x))
    y = rng.random((N, T)) < 0.5
    mask = rng.random((N, T)) < 0.7
    focal = L.binary_focal_crossentropy
    for f, extra in ((L.binary_crossentropy, {}), (focal, {}),
                     (focal, dict(apply_class_balancing=True, alpha=0.4, gamma=1.0))):
        for yt in (y, y.astype(np.int64), y.astype(np.uint8), y.astype(np.float32),
                   rng.random((N, T)), y[..., None]):
            for logits, yp in ((True, x), (False, p), (False, p.astype(np.float32)),
                               (True, x[..., None])):
                if yt.ndim == 3 and yp.ndim == 2:
                    continue
                for ls in (0.0, 0.2):
                    _both(f, yt, yp, from_logits=logits, label_smoothing=ls, **extra)
        for kw in (dict(sample_weight=rng.uniform(0, 2, N)),
                   dict(sample_weight=rng.random((N, T))), dict(mask=mask),
                   dict(class_weight=[0.3, 2.0])):
            for red in _REDUCTIONS:
                _both(f, y, x, from_logits=True, reduction=red, **kw)
                _both(f, y, p, reduction=red, **kw)
        _both(f, y[:, 0], p[:, 0])  # (N,)
        _both(f, rng.random((2, 3, 4)) < 0.5, rng.random((2, 3, 4)))  # multilabel
        for yt, yp in ((y * 2, p), (y * np.nan, p), (y, p * 2), (y, p * np.inf)):
            assert _both(f, yt, yp)[0] == "err"
        assert _both(f, y, p, sample_weight=-np.ones(N))[0] == "err"
        pb = p.copy()
        pb[1, 1] = np.nan
        m = np.ones((N, T), bool)
        m[1, 1] = False
        assert _both(f, y, pb, mask=m)[0] == "ok"


def test_log_loss_public(rng):
    n, C = 40, 4
    p = rng.dirichlet(np.ones(C), size=n)
    y = rng.integers(0, C, n)
    y[:C] = np.arange(C)
    w = rng.uniform(0, 2, n)
    f = L.log_loss
    for yt in (y, y.astype(np.int8), y.astype(np.uint8), y.astype(float), y + 3,
               np.array(list("abcd"))[y], y * 2):
        for yp in (p, p.astype(np.float32), p * 0.9):
            _both(f, yt, yp)
            _both(f, yt, yp, sample_weight=w, normalize=False)
    _both(f, y, p, labels=[0, 1, 2, 3])
    _both(f, y, p, labels=[3, 2, 1, 0])
    _both(f, y[y < 3], p[y < 3], labels=[0, 1, 2, 3])
    _both(f, y, p[:, :3])  # wrong number of columns
    _both(f, y, p, labels=[0, 1, 2])
    yb = y % 2
    _both(f, yb, p[:, 0])  # 1-D: the positive class' probability
    _both(f, yb, p[:, :1])
    _both(f, yb > 0, p[:, 0].astype(np.float32))
    _both(f, _onehot(y, C), p)  # indicator
    _both(f, _onehot(y, C).astype(int), p.astype(np.float32), sample_weight=w)
    _both(f, _onehot(y, C), p * 0.9)
    for i, v in ((0, np.nan), (3, 1.5), (3, -0.1), (5, np.inf)):
        pb = p.copy()
        pb[i, 1] = v
        for yt in (y, y + 3, _onehot(y, C)):
            assert _both(f, yt, pb)[0] == "err"
    assert _both(f, y, p, sample_weight=-w)[0] == "err"
    assert _both(f, y, p, labels=[0, 1])[0] == "err"


def test_streaming_loss_both_tiers(rng):
    N, T, C = 6, 5, 3
    x = rng.standard_normal((N, T, C))
    y = rng.integers(0, C, (N, T))
    sw = rng.uniform(0, 2, N)

    def run(name, yt, yp, **options):
        st = Loss(name, **options)
        for i in range(0, N, 2):
            st.update(yt[i:i + 2], yp[i:i + 2], sample_weight=sw[i:i + 2])
        return tuple(st.result(r) for r in _REDUCTIONS[1:])

    for name, yt, yp, opts in (
            ("sparse_categorical_crossentropy", y, x, dict(from_logits=True, ignore_index=1)),
            ("categorical_crossentropy", _onehot(y, C), x, dict(from_logits=True)),
            ("categorical_focal_crossentropy", _onehot(y, C), x, dict(from_logits=True)),
            ("binary_crossentropy", y == 0, x[..., 0], dict(from_logits=True)),
            ("binary_focal_crossentropy", y == 0, x[..., 0], dict(from_logits=True))):
        _both(run, name, yt, yp, **opts)


def test_many_classes(rng):
    """Rows longer than the twins' column loops (C > 64) take NumPy's own
    row reductions."""
    N, T, C = 3, 4, 100
    x = rng.standard_normal((N, T, C)) * 4
    p = np.exp(x) / np.exp(x).sum(-1, keepdims=True)
    y = rng.integers(0, C, (N, T))
    soft = rng.dirichlet(np.ones(C), size=(N, T))
    kw = dict(sample_weight=rng.uniform(0, 2, N), class_weight=rng.uniform(0, 2, C),
              reduction="none")
    for logits, yp in ((True, x), (False, p)):
        _both(L.sparse_categorical_crossentropy, y, yp, from_logits=logits, **kw)
        for yt in (_onehot(y, C), soft):
            _both(L.categorical_crossentropy, yt, yp, from_logits=logits, **kw)
            _both(L.categorical_focal_crossentropy, yt, yp, from_logits=logits, **kw)
    yl = y.ravel()
    yl[:C] = np.arange(C)[:yl.size]
    _both(L.log_loss, yl, p.reshape(-1, C), labels=np.arange(C))
    _both(L.log_loss, _onehot(yl, C), p.reshape(-1, C))


def test_one_chunk_twin_above_chunk(monkeypatch, rng):
    """With NUMPY_MAX above CHUNK (one twin chunk, several kernel chunks) the
    public results still agree."""
    monkeypatch.setattr(config, "CHUNK", 1024)
    N, C = 3000, 3
    x = rng.standard_normal((N, C))
    y = rng.integers(0, C, N)
    for f, yt in ((L.sparse_categorical_crossentropy, y),
                  (L.categorical_crossentropy, _onehot(y, C))):
        _both(f, yt, x, from_logits=True, sample_weight=rng.uniform(0, 1, N))
    yb = y.copy()
    yb[2500] = C
    yb[2600] = -1
    assert _both(L.sparse_categorical_crossentropy, yb, x)[0] == "err"


# ================================================ no Numba for small inputs

_NO_NUMBA = textwrap.dedent(
    """
    import sys
    import numpy as np
    import fastmetrics.losses as L
    from fastmetrics.streaming import Loss
    rng = np.random.default_rng(0)
    N, T, C = 8, 16, 5
    x = rng.standard_normal((N, T, C))
    p = np.exp(x) / np.exp(x).sum(-1, keepdims=True)
    y = rng.integers(0, C, (N, T))
    oh = np.eye(C)[y]
    kw = dict(sample_weight=rng.uniform(0, 2, N), mask=rng.random((N, T)) < 0.8,
              class_weight=np.linspace(0.5, 2, C))
    calls = [
        ("sparse_categorical_crossentropy", lambda: [
            L.sparse_categorical_crossentropy(y, x, from_logits=True, **kw),
            L.sparse_categorical_crossentropy(y.astype(np.int8), p.astype(np.float32),
                                              ignore_index=2, reduction="none"),
            L.sparse_categorical_crossentropy(y[0], p[0])]),
        ("categorical_crossentropy", lambda: [
            L.categorical_crossentropy(oh, x, from_logits=True, label_smoothing=0.1, **kw),
            L.categorical_crossentropy(oh.astype(np.float32), p, reduction="none")]),
        ("categorical_focal_crossentropy", lambda: [
            L.categorical_focal_crossentropy(oh, x, from_logits=True, **kw),
            L.categorical_focal_crossentropy(oh, p, alpha=np.ones(C))]),
        ("binary_crossentropy", lambda: [
            L.binary_crossentropy(y == 0, x[..., 0], from_logits=True),
            L.binary_crossentropy((y == 0)[..., None], p[..., :1], reduction="none",
                                  class_weight=[1, 2])]),
        ("binary_focal_crossentropy", lambda: [
            L.binary_focal_crossentropy(y == 0, p[..., 0], apply_class_balancing=True,
                                        sample_weight=kw["sample_weight"])]),
        ("log_loss", lambda: [
            L.log_loss(y.ravel(), p.reshape(-1, C)),
            L.log_loss(np.array(list("abcde"))[y.ravel()], p.reshape(-1, C),
                       sample_weight=np.ones(N * T)),
            L.log_loss(y.ravel() % 2, p[..., 0].ravel()),
            L.log_loss(oh.reshape(-1, C), p.reshape(-1, C))]),
        ("Loss", lambda: [
            Loss("sparse_categorical_crossentropy", from_logits=True).update(y, x).result(),
            Loss("binary_crossentropy").update(y == 0, p[..., 0]).result("sum")]),
        ("errors", lambda: [
            _raises(lambda: L.sparse_categorical_crossentropy(y + C, p)),
            _raises(lambda: L.categorical_crossentropy(oh, p * np.nan)),
            _raises(lambda: L.log_loss(y.ravel(), 2 * p.reshape(-1, C)))]),
    ]

    def _raises(f):
        try:
            f()
        except ValueError:
            return
        raise AssertionError("no error")

    for name, call in calls:
        call()
        stop_if_numba(name)
    """
)


def test_small_inputs_do_not_import_numba():
    assert_numba_free(_NO_NUMBA)


_TOKENS_NOT_SCORES = textwrap.dedent(
    """
    import numpy as np
    import fastmetrics as fm
    rng = np.random.default_rng(3)
    # 60,000 tokens of 7 classes: 420,000 scores, more than NUMPY_MAX, but
    # the tier counts tokens (rows); scores only up to NUMPY_MAX_ELEMENTS
    y = rng.integers(0, 7, (600, 100))
    p = rng.dirichlet(np.ones(7), (600, 100))
    fm.sparse_categorical_crossentropy(y, p, mask=y > 0)
    stop_if_numba("sparse_categorical_crossentropy")
    fm.confusion_matrix(y, p, task="multiclass", sample_weight=rng.random(600))
    stop_if_numba("confusion_matrix")
    fm.expected_calibration_error(y, p, task="multiclass")
    stop_if_numba("expected_calibration_error")
    """
)


def test_the_tier_counts_tokens_not_scores():
    assert_numba_free(_TOKENS_NOT_SCORES)


def test_wide_rows_go_to_the_kernels(monkeypatch):
    """Past NUMPY_MAX_ELEMENTS scores the compiled kernels run even for few
    tokens (the twins' temporaries stay bounded)."""
    from fastmetrics._core.backend import NumpyTier, kernels
    monkeypatch.setattr(config, "NUMPY_MAX_ELEMENTS", 1000)
    assert isinstance(kernels("losses", n=100, elements=700), NumpyTier)
    assert not isinstance(kernels("losses", n=100, elements=1001), NumpyTier)
    assert not isinstance(kernels("losses", n=config.NUMPY_MAX + 1), NumpyTier)

"""NumPy twins of ``_kernels/cpu/losses.py`` (and the constants both share).

Each twin takes the kernel's arguments (``loss`` settings, ``opts`` token
options, ``chunk``, ``ctup``) and returns its results for one chunk: the
per-chunk partial sums, the first bad token and its code (same precedence as
the kernel's rescans), ``out`` written for ``reduction="none"``.  The sums
follow the kernel's order (sequential per token, or its 4 summation lanes),
so they differ from the kernel's only by rounding: its vectorised log / exp
(about 1 ulp) and fused multiply-adds.
When a token is bad only ``bad_index`` / ``bad_code`` (and log_loss'
``seen``) are meaningful: the caller raises.
"""

import numpy as np

from ..codes import (
    PRED_NOT_FINITE,
    PRED_NOT_PROBABILITY,
    ROW_SUM_ZERO,
    TRUE_INVALID,
    TRUE_NOT_IN_LABELS,
    WEIGHT_INVALID,
)

# loss kinds of the dense kernels (the compiled module imports them from here)
CCE = 0  # categorical cross-entropy (Keras)
CFOCAL = 1  # categorical focal cross-entropy (Keras)

_BLOCK = 256  # the kernels' block: a bad token stops its chunk at the block's end
_EXP_LOW = -708.0  # the kernels' vectorised exp gives exactly 0 below this
# rows of up to this many classes are summed by a loop over the columns
# (NumPy's cumsum along a short last axis costs ~70 ns a row)
_LOOP_MAX = 64


# --------------------------------------------------------------------------
# shared pieces
# --------------------------------------------------------------------------
def _seq_total(x):
    """Sum of a 1-D array, left to right (the kernels' loop order)."""
    return float(np.cumsum(x)[-1]) if x.shape[0] else 0.0


def _row_sums(a):
    """Sums of the rows of a 2-D array, left to right, in its dtype."""
    n, C = a.shape
    if C == 0:
        return np.zeros(n, dtype=a.dtype)
    if C > _LOOP_MAX:
        return np.cumsum(a, axis=1)[:, -1]
    acc = a[:, 0].copy()
    for q in range(1, C):
        acc += a[:, q]
    return acc


def _row_max(a):
    """(max, first argmax) of each row, as the kernels find them in rows
    without NaN (rows with one are bad or dropped)."""
    jm = np.argmax(a, axis=1)
    return a[np.arange(a.shape[0]), jm], jm


def _rows_all(ok):
    """Rows of the 2-D bool ``ok`` that are all True."""
    return np.ones(ok.shape[0], dtype=bool) if ok.all() else ok.all(axis=1)


def _f64(a):
    """``a`` as float64 (no copy when it is)."""
    return np.asarray(a, dtype=np.float64)


def _lanes_sum(x):
    """The kernels' 4-lane sum of a chunk: ``x[j]`` to lane ``j % 4`` over
    whole groups of 4, the rest to lane 0, lanes added as (0 + 1) + (2 + 3)."""
    n4 = x.shape[0] - x.shape[0] % 4
    lanes = [0.0, 0.0, 0.0, 0.0]
    if n4:
        lanes = [float(v) for v in np.cumsum(x[:n4].reshape(-1, 4), axis=0)[-1]]
    for v in x[n4:]:
        lanes[0] += float(v)
    return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])


def _outputs(n, width):
    """``part`` (one chunk, zeros; none for n == 0), ``bad_index``, ``bad_code``."""
    k = 1 if n else 0
    return (np.zeros((k, width), dtype=np.float64), np.full(k, -1, dtype=np.int64),
            np.zeros(k, dtype=np.int64))


def _any_bad(checks):
    """Tokens failing any of ``checks`` ((bool array, code) pairs)."""
    return np.logical_or.reduce([bad for bad, _ in checks])


def _report(bad_index, bad_code, checks):
    """Record the first token failing any of ``checks`` (bool arrays in the
    kernel's order of precedence, paired with their codes); returns its index
    or -1."""
    anybad = _any_bad(checks)
    if bad_index.shape[0] == 0 or not anybad.any():
        return -1
    i = int(np.argmax(anybad))
    bad_index[0] = i
    bad_code[0] = next(code for bad, code in checks if bad[i])
    return i


def _token_inputs(opts, n):
    """(keep flags or None, per-token sample weight or None) of the token options."""
    has_cw, cw, w, rep, has_w, mask, has_mask, out, has_out = opts
    keep = mask[:n] if has_mask else None
    wt = np.repeat(w, rep)[:n] if has_w else None
    return keep, wt


def _and(a, b):
    """``a & b`` where ``a`` may be None (all True)."""
    return b if a is None else a & b


def _bad_weight(wt, keep):
    """Kept tokens whose sample weight is not finite and >= 0."""
    return _and(keep, ~((wt >= 0.0) & (wt < np.inf)))


def _unit(x):
    """Values in [0, 1] (False for NaN)."""
    return (x >= 0.0) & (x <= 1.0)


def _clip(x, lo, hi):
    """``x`` clipped to [lo, hi] (NaN stays NaN: such a token is bad)."""
    return np.minimum(np.maximum(x, lo), hi)


def _exp_low(t):
    """exp(t) for t <= 0, exactly 0 below -708 (the kernels' ``_vexp``)."""
    e = np.exp(t)
    np.copyto(e, 0.0, where=t < _EXP_LOW)
    return e


def _rest_exps(x, mx, jm):
    """Sum of the exps ``exp(x_c - max)`` of every column but the (first) max
    ``jm``, in the kernels' slot order (slot ``jm`` holds the last column)."""
    n, C = x.shape
    e = _exp_low(x - mx[:, None])
    slots = e[:, :C - 1].copy()
    rows = np.flatnonzero(jm < C - 1)
    slots[rows, jm[rows]] = e[rows, C - 1]
    return _row_sums(slots)


def _pred_codes(x, from_logits, keep):
    """The kernels' ``_pred_row_code`` checks of prediction rows ``x`` (n, C)
    for the kept tokens: (not finite, PRED_NOT_FINITE), and for probabilities
    (outside [0, 1], PRED_NOT_PROBABILITY)."""
    checks = [(_and(keep, ~_rows_all(np.isfinite(x))), PRED_NOT_FINITE)]
    if not from_logits:
        checks.append((_and(keep, ~_rows_all(_unit(x))), PRED_NOT_PROBABILITY))
    return checks


def _block_weights(opts, keep, wt, t, n):
    """The blocked kernels' token weights: sample weight (0 when dropped)
    times ``cw[t]``; ones when there is nothing to weigh."""
    has_cw, cw = opts[:2]
    if wt is None and keep is None and not has_cw:
        return np.ones(n)
    wts = np.ones(n) if wt is None else wt
    if keep is not None:
        wts = np.where(keep, wts, 0.0)
    return wts * cw[t] if has_cw else wts


def _finish(part, out, has_out, lg, wts, cnt):
    """Row 0 of ``part`` from the weighted per-token losses ``lg`` (4 lanes),
    the weights and the kept count; ``out`` gets ``lg``."""
    if part.shape[0]:
        part[0, 0] = _lanes_sum(lg)
        part[0, 1] = _lanes_sum(wts)
        part[0, 2] = cnt
    if has_out:
        out[:lg.shape[0]] = lg


# --------------------------------------------------------------------------
# sparse categorical cross-entropy
# --------------------------------------------------------------------------
def _sparse_labels(yt, C):
    """(class ids, 0 where invalid; valid: an integral value in [0, C))."""
    inr = (yt >= 0) & (yt < C)  # False for NaN
    t = np.where(inr, yt, 0).astype(np.int64)
    ok = inr & (t == yt)
    return np.where(ok, t, 0), ok


def _sparse_losses(x, t, from_logits, lo, hi):
    """Per-token loss of class ``t``: ``logsumexp(x) - x_t`` from logits,
    else ``log1p(sum_{c != t} clip(p_c) / clip(p_t))``."""
    rows = np.arange(x.shape[0])
    if from_logits:
        mx, jm = _row_max(x)
        return (mx - x[rows, t]) + np.log1p(_rest_exps(x, mx, jm))
    cq = _clip(x, lo, hi)
    qt = cq[rows, t]
    cq[rows, t] = 0.0
    return np.log1p(_row_sums(cq) / qt)


def sparse_chunks(yt, yp, loss, opts, chunk, ctup=None):
    """Twin of ``cpu.losses.sparse_chunks``: per-chunk [weighted loss sum,
    weight sum, kept count] of Keras' sparse categorical cross-entropy, the
    first bad kept token (weight, then label, then scores) and its code."""
    from_logits, lo, hi, ignore, has_ignore = loss
    has_out, out = opts[8], opts[7]
    n, C = yp.shape
    part, bad_index, bad_code = _outputs(n, 3)
    keep, wt = _token_inputs(opts, n)
    if has_ignore:
        keep = _and(keep, yt != ignore)
    with np.errstate(all="ignore"):
        t, okt = _sparse_labels(yt, C)
        x = _f64(yp)
        checks = [] if wt is None else [(_bad_weight(wt, keep), WEIGHT_INVALID)]
        checks.append((_and(keep, ~okt), TRUE_INVALID))
        checks += _pred_codes(x, from_logits, keep)
        _report(bad_index, bad_code, checks)
        good = _and(keep, ~_any_bad(checks))
        wts = _block_weights(opts, keep, wt, t, n)
        lg = wts * np.where(good, _sparse_losses(x, t, from_logits, lo, hi), 0.0)
    cnt = n if keep is None else int(np.count_nonzero(keep))
    _finish(part, out, has_out, lg, wts, cnt)
    return part, bad_index, bad_code


sparse_chunks_serial = sparse_chunks


# --------------------------------------------------------------------------
# the scalar kernel: binary losses, and losses of target rows (focal)
# --------------------------------------------------------------------------
def _binary_tokens(yt, yp, loss):
    """(checks, class, loss) of binary elements, as ``cpu.losses._binary_loss``."""
    from_logits, focal, balancing, alpha, gamma, ls, lo, hi = loss
    y = _f64(yt)
    x = _f64(yp)
    checks = [(~_unit(y), TRUE_INVALID), (~(np.abs(x) < np.inf), PRED_NOT_FINITE)]
    if not from_logits:
        checks.append((~_unit(x), PRED_NOT_PROBABILITY))
    z = y * (1.0 - ls) + 0.5 * ls
    k = (y > 0.5).astype(np.int64)
    if not focal and from_logits:
        return checks, k, np.maximum(x, 0.0) - x * z + np.log1p(np.exp(-np.abs(x)))
    p = 1.0 / (1.0 + np.exp(-x)) if from_logits else x
    q = _clip(p, lo, hi)
    bce = -(z * np.log(q) + (1.0 - z) * np.log(1.0 - q))
    if not focal:
        return checks, k, bce
    p_t = z * p + (1.0 - z) * (1.0 - p)
    li = (1.0 - p_t) ** gamma * bce
    if balancing:
        li = li * (z * alpha + (1.0 - z) * (1.0 - alpha))
    return checks, k, li


def _dense_terms(z, q, kind, alpha, gamma):
    """The per-class loss terms of probabilities ``q`` (clipped) and targets
    ``z``, and the sign of their sum: CCE ``-sum z log q`` (zero targets left
    out), focal ``sum alpha (1 - q)^gamma (-z log q)``."""
    if kind == CCE:
        return np.where(z != 0.0, z * np.log(q), 0.0), -1.0
    return alpha[None, :] * (1.0 - q) ** gamma * (-z * np.log(q)), 1.0


def _dense_tokens(yt, yp, loss):
    """(checks, class, loss) of target rows, as ``cpu.losses._dense_loss``."""
    kind, from_logits, ls, alpha, gamma, lo, hi = loss
    y = _f64(yt)
    x = _f64(yp)
    n, C = x.shape
    checks = [(~_rows_all(_unit(y)), TRUE_INVALID)] + _pred_codes(x, from_logits, None)
    sp = _row_sums(x)
    if not from_logits:
        checks.append((sp == 0.0, ROW_SUM_ZERO))
    t = _row_max(y)[1]
    z = y * (1.0 - ls) + ls / C
    if from_logits:
        m, jm = _row_max(x)
        e = np.exp(x - m[:, None])
        rest = _row_sums(np.where(np.arange(C) == jm[:, None], 0.0, e))
        if kind == CCE:
            terms = np.where(z != 0.0, z * ((m[:, None] - x) + np.log1p(rest)[:, None]), 0.0)
            return checks, t, _row_sums(terms)
        e = e / (1.0 + rest)[:, None]
        q = _clip(e / _row_sums(e)[:, None], lo, hi)
    else:
        q = _clip(x / sp[:, None], lo, hi)
    terms, sign = _dense_terms(z, q, kind, alpha, gamma)
    return checks, t, sign * _row_sums(terms)


def scalar_chunks(yt, yp, loss, opts, chunk):
    """Twin of ``cpu.losses.scalar_chunks``: per-chunk [weighted loss sum,
    weight sum, kept count] of the token-by-token losses (binary for 1-D
    ``yt``, target rows for 2-D), summed in token order; the first bad kept
    token (weight, then the token's own checks) and its code."""
    has_cw, cw, w, rep, has_w, mask, has_mask, out, has_out = opts
    n = yp.shape[0]
    part, bad_index, bad_code = _outputs(n, 3)
    keep, wt = _token_inputs(opts, n)
    with np.errstate(all="ignore"):
        tokens = _binary_tokens if yt.ndim == 1 else _dense_tokens
        checks, k, li = tokens(yt, yp, loss)
        checks = [(_and(keep, bad), code) for bad, code in checks]
        if wt is not None:
            checks.insert(0, (_bad_weight(wt, keep), WEIGHT_INVALID))
        _report(bad_index, bad_code, checks)
        good = _and(keep, ~_any_bad(checks))
        wv = np.ones(n) if wt is None else wt
        wv = np.where(good, wv * cw[k] if has_cw else wv, 0.0)
        lv = np.where(good, wv * li, 0.0)
    if part.shape[0]:
        part[0] = _seq_total(lv), _seq_total(wv), n if keep is None else np.count_nonzero(keep)
    if has_out:
        out[:n] = lv
    return part, bad_index, bad_code


scalar_chunks_serial = scalar_chunks


# --------------------------------------------------------------------------
# categorical cross-entropy (and scikit-learn's log loss of an indicator)
# --------------------------------------------------------------------------
def _onehot(y, keep, ls):
    """Whether every kept target row is exactly one-hot and unsmoothed: the
    loss is then that of the class ids (one term a token; the general
    formula gives the same numbers, its other terms being exact zeros)."""
    if ls != 0.0 or not np.all((y == 0.0) | (y == 1.0)):
        return False
    return not _and(keep, _row_sums(y) != 1.0).any()


def _dense_ce_losses(y, x, t, sp, from_logits, xlogy, ls, lo, hi, onehot):
    """Per-token ``sum_c z_c (logsumexp(x) - x_c)`` from logits, else
    ``-sum_c z_c log(clip(p_c / sum(p)))`` (``xlogy``: not renormalised);
    ``onehot``: the targets are the one-hot rows of the classes ``t``."""
    if onehot and from_logits:
        return _sparse_losses(x, t, True, lo, hi)
    if onehot:
        xt = x[np.arange(x.shape[0]), t]
        return -np.log(_clip(xt if xlogy else xt / sp, lo, hi))
    z = y * (1.0 - ls) + ls / x.shape[1]
    if from_logits:
        mx, jm = _row_max(x)
        base = _row_sums(z * (mx[:, None] - x))
        return base + _row_sums(z) * np.log1p(_rest_exps(x, mx, jm))
    q = _clip(x if xlogy else x / sp[:, None], lo, hi)
    return -_row_sums(np.where(z != 0.0, z * np.log(q), 0.0))


def dense_ce_chunks(yt, yp, loss, opts, chunk, ctup=None):
    """Twin of ``cpu.losses.dense_ce_chunks``: per-chunk [weighted loss sum,
    weight sum, kept count, rows whose sum is off 1 (``xlogy``)] of Keras'
    categorical cross-entropy or scikit-learn's indicator log loss; the first
    bad kept token (weight, targets, scores, zero row sum) and its code."""
    xlogy, from_logits, ls, lo, hi, rtol = loss
    has_out, out = opts[8], opts[7]
    n, C = yp.shape
    part, bad_index, bad_code = _outputs(n, 4)
    keep, wt = _token_inputs(opts, n)
    with np.errstate(all="ignore"):
        y = _f64(yt)
        x = _f64(yp)
        sp = _row_sums(x)
        checks = [] if wt is None else [(_bad_weight(wt, keep), WEIGHT_INVALID)]
        checks.append((_and(keep, ~_rows_all(_unit(y))), TRUE_INVALID))
        checks += _pred_codes(x, from_logits, keep)
        if not from_logits and not xlogy:
            checks.append((_and(keep, sp == 0.0), ROW_SUM_ZERO))
        _report(bad_index, bad_code, checks)
        good = _and(keep, ~_any_bad(checks))
        t = _row_max(y)[1]
        wts = _block_weights(opts, keep, wt, t, n)
        li = _dense_ce_losses(y, x, t, sp, from_logits, xlogy, ls, lo, hi, _onehot(y, keep, ls))
        lg = wts * np.where(good, li, 0.0)
    cnt = n if keep is None else int(np.count_nonzero(keep))
    _finish(part, out, has_out, lg, wts, cnt)
    if xlogy and part.shape[0]:
        part[0, 3] = np.count_nonzero(good & (np.abs(sp - 1.0) > 1e-8 + rtol))
    return part, bad_index, bad_code


dense_ce_chunks_serial = dense_ce_chunks


# --------------------------------------------------------------------------
# scikit-learn's log loss of class codes
# --------------------------------------------------------------------------
def _logloss_probs(yp, col, one, tol):
    """(probability of column ``col`` in the input dtype, [0, 1] rows,
    rows whose sum, taken in the input dtype, is off 1 by more than ``tol``)."""
    n, C = yp.shape
    okp = _rows_all(_unit(yp))
    if C == 1:
        p = yp[:, 0]
        return np.where(col == 0, one - p, p), okp, np.zeros(n, dtype=bool)
    sp = _row_sums(yp).astype(np.float64)
    return yp[np.arange(n), col], okp, np.abs(sp - 1.0) > tol


def _seen_codes(k, L, ident, limit):
    """(1, L) bool: the codes among the first ``limit`` tokens; with the
    identity table a code outside it marks code 0, as the kernel does."""
    seen = np.zeros((1, L), dtype=np.bool_)
    k = k[:limit]
    inr = (k >= 0) & (k < L)
    seen[0, k[inr]] = True
    if ident and not inr.all():
        seen[0, 0] = True
    return seen


def logloss_ids_chunks(codes, lut, yp, consts, rtol, w, has_w, chunk, ctup=None):
    """Twin of ``cpu.losses.logloss_ids_chunks``: per-chunk [-sum w log p,
    sum w, count, rows off 1], the codes seen (up to the end of the block of
    a bad token) and the first bad token (label, scores, then weight)."""
    n = yp.shape[0]
    L = lut.shape[0]
    one, lo, hi = consts[0], consts[1], consts[2]
    part, bad_index, bad_code = _outputs(n, 4)
    k = codes.astype(np.int64)
    inr = (k >= 0) & (k < L)
    col = np.where(inr, lut[np.where(inr, k, 0)], -1)
    okl = col >= 0
    with np.errstate(all="ignore"):
        v, okp, off = _logloss_probs(yp, np.where(okl, col, 0), one, 1e-8 + rtol)
        checks = [(~okl, TRUE_NOT_IN_LABELS)] + _pred_codes(yp, False, None)
        if has_w:
            checks.append((~((w >= 0.0) & (w < np.inf)), WEIGHT_INVALID))
        bi = _report(bad_index, bad_code, checks)
        good = okl & okp
        lg = np.log(np.where(good, _clip(v, lo, hi).astype(np.float64), 1.0))
    ident = L <= 64 and bool(np.all(lut == np.arange(L)))
    limit = n if bi < 0 else min(n, (bi // _BLOCK + 1) * _BLOCK)
    seen = _seen_codes(k, L, ident, limit)[:part.shape[0]]
    if part.shape[0]:
        lw = w * lg if has_w else lg
        part[0] = (-_lanes_sum(lw), _seq_total(w) if has_w else float(n), n,
                   np.count_nonzero(off))
    return part, seen, bad_index, bad_code


logloss_ids_chunks_serial = logloss_ids_chunks

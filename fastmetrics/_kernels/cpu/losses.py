"""Per-token loss kernels (CPU, Numba).

One pass over the tokens fuses: validation, the (log-)softmax / sigmoid or the
probability clipping, the picked class (sparse ids) or the full target row
(one-hot, soft or label-smoothed), the mask, ``ignore_index``, the sample
weight (prefix-broadcast: token ``i`` has weight ``w[i // rep]``) and the class
weight, and accumulates three float64 numbers per chunk:

    part[c, 0] = sum of weight * loss      (kept tokens)
    part[c, 1] = sum of weight             (kept tokens)
    part[c, 2] = number of kept tokens

Every Keras reduction is a function of these three numbers.  With ``has_out``
the weighted per-token loss is also written to ``out`` (0 for dropped tokens).

A Keras-loss kernel is called as ``kernel(yt, yp, loss, opts, chunk)`` (and
``ctup=`` where C may be static): ``loss`` the tuple of the loss' settings
(each kernel documents its own), ``opts`` the optional per-token inputs (see
"per-chunk pieces" below).

Every loss is computed in float64 whatever the input dtype; logits go through
a max-shifted log-sum-exp / ``softplus`` so that ``|logit|`` up to 1e4 (and
beyond) stays finite and exact.

Determinism: tokens are cut into chunks of a fixed size (never a function of
the thread count); each chunk sums sequentially into its own row of ``part``
(ranges of chunks run on threads, ``_threads.over_chunks``); the caller
reduces the rows in chunk order.  Results are bitwise identical for
any ``NUMBA_NUM_THREADS``.

Bad values do not raise inside the kernel: each chunk records its first bad
token index and an error code; the Python wrapper builds the message.

Speed: without Intel SVML, Numba's ``math.log`` / ``math.exp`` are scalar libm
calls (~5 ns each).  The hot kernels (sparse and categorical cross-entropy,
log_loss) therefore work in blocks of ``_BLOCK`` tokens: a scalar pass
validates each row and writes the arguments of the logarithms / exponentials
to block buffers, then ``_vlog`` / ``_vexp`` (fdlibm-style, ~1 ulp, no calls)
run as vectorised loops.  They are compiled with ``fastmath={"contract"}``
only (fused multiply-add; NaN/inf semantics and summation order unchanged) and
every kernel with ``error_model="numpy"`` (no per-division zero check; the
kernels never divide by zero on input they accept).  The row passes take the
number of classes as a compile-time constant when the caller passes ``ctup``
(a tuple of length C): the loop over a row unrolls and the loop over the rows
of a block vectorises.  Exactly one-hot target rows (the common case of
categorical cross-entropy) are taken as class ids, one logarithm per token.
"""

import math

import numpy as np
from numba import njit

from ._threads import over_chunks

from ..codes import (  # noqa: F401  (the codes these kernels report)
    OK,
    PRED_NOT_FINITE,
    PRED_NOT_PROBABILITY,
    ROW_SUM_ZERO,
    TRUE_INVALID,
    TRUE_NOT_IN_LABELS,
    WEIGHT_INVALID,
)

# loss kinds of the dense kernel (defined with the NumPy twins: no Numba needed)
from ..numpy.losses import CCE, CFOCAL  # noqa: F401  (CFOCAL: for the callers)


# --------------------------------------------------------------------------
# vectorisable float64 log / log1p / exp (no libm calls, so LLVM vectorises
# the loops over a block; without Intel SVML Numba's math.log / math.exp are
# scalar calls).  Accuracy about 1 ulp (checked against libm in the tests).
# --------------------------------------------------------------------------
_BLOCK = 256
_DROP = -1e300  # an exp argument that gives exactly 0 (a term left out)

# fdlibm e_log.c: log(1 + f) = f - hfsq + s (hfsq + R(z)), s = f / (2 + f), z = s^2
_LG1 = 6.666666666666735130e-01
_LG2 = 3.999999999940941908e-01
_LG3 = 2.857142874366239149e-01
_LG4 = 2.222219843214978396e-01
_LG5 = 1.818357216161805012e-01
_LG6 = 1.531383769920937332e-01
_LG7 = 1.479819860511658591e-01
_LN2_HI = 6.93147180369123816490e-01  # k * _LN2_HI is exact for |k| < 2**11
_LN2_LO = 1.90821492927058770002e-10
_LOG2E = 1.4426950408889634
_SQRT2 = 1.4142135623730951
_SHIFT = 6755399441055744.0  # 1.5 * 2**52: (y + _SHIFT) - _SHIFT = y rounded to an integer
_MANT = 0x000FFFFFFFFFFFFF
_ONE_BITS = 0x3FF0000000000000


@njit(cache=True, error_model="numpy", fastmath={"contract"})
def _vlog(x, m, out, y, ib, kb, log1p):
    """out[j] = log1p(x[j]) (``log1p``) or log(x[j]) for j < m.

    ``x`` finite, >= 0 for log1p and > 0 (normal) for log.  ``y``, ``ib``
    are scratch buffers of at least m entries (``kb`` is unused).  log1p is
    exact for tiny arguments (the reduced argument is ``x`` itself while
    ``1 + x`` is within [sqrt(2)/2, sqrt(2)), else fdlibm's correction term is
    added).
    """
    yi = y.view(np.int64)
    fb = ib.view(np.float64)
    for j in range(m):
        # the bit patterns go through y / ib and are read back in the same
        # iteration (Numba has no scalar bit cast; LLVM forwards the stores)
        xj = x[j]
        yj = 1.0 + xj if log1p else xj
        y[j] = yj
        b = yi[j]
        ib[j] = (b & _MANT) | _ONE_BITS
        mm = fb[j]
        big = mm > _SQRT2
        mm = mm * 0.5 if big else mm
        k = np.float64((b >> 52) - 1023) + (1.0 if big else 0.0)
        f = mm - 1.0
        cor = 0.0
        if log1p:
            f = xj if k == 0.0 else f
            cor = 0.0 if k == 0.0 else (xj - (yj - 1.0)) / yj
        hfsq = 0.5 * f * f
        s = f / (2.0 + f)
        z = s * s
        R = z * (_LG1 + z * (_LG2 + z * (_LG3 + z * (_LG4 + z * (_LG5 + z * (_LG6 + z * _LG7))))))
        out[j] = k * _LN2_HI - ((hfsq - (s * (hfsq + R) + (k * _LN2_LO + cor))) - f)


@njit(cache=True, error_model="numpy", fastmath={"contract"})
def _vexp(t, m, out, ib):
    """out[j] = exp(t[j]) for t[j] <= 0 (finite); 0 for t[j] < -708.

    ``exp(t) = 2^k exp(r)``, ``k = round(t / ln2)`` (the ``_SHIFT`` trick: two
    adds instead of a floor), ``r = t - k ln2`` in [-0.35, 0.35], ``exp(r)``
    by a degree-11 minimax polynomial (error < 4e-18 relative; Chebyshev fit,
    as accurate as the degree-13 Taylor polynomial, two fewer multiply-adds).
    """
    fb = ib.view(np.float64)
    for j in range(m):
        x = t[j]
        low = x < -708.0
        x = -708.0 if low else x
        kf = (x * _LOG2E + _SHIFT) - _SHIFT
        r = (x - kf * _LN2_HI) - kf * _LN2_LO
        p = 1.0 + r * (1.0 + r * (0.5000000000000019 + r * (0.1666666666666668 + r * (
            0.04166666666648666 + r * (0.00833333333331949 + r * (
                0.0013888888952696516 + r * (0.00019841269890340666 + r * (
                    2.4801485074105115e-05 + r * (2.7557240604663896e-06 + r * (
                        2.763279054211718e-07 + r * 2.511015364692893e-08))))))))))
        ib[j] = (np.int64(kf) + 1023) << 52
        out[j] = 0.0 if low else p
    for j in range(m):
        out[j] = out[j] * fb[j]


@njit(cache=True)
def _clip(x, lo, hi):
    return lo if x < lo else (hi if x > hi else x)


@njit(cache=True)
def _bce_prob(z, p, lo, hi):
    """Keras' binary cross-entropy of target ``z`` and probability ``p`` (clipped)."""
    q = _clip(p, lo, hi)
    return -(z * math.log(q) + (1.0 - z) * math.log(1.0 - q))


@njit(cache=True)
def _binary_token(z, x, from_logits, focal, balancing, alpha, gamma, lo, hi):
    """Loss of one binary element: smoothed target ``z``, prediction ``x``."""
    if not focal:
        if from_logits:
            # TF's sigmoid_cross_entropy_with_logits: max(x, 0) - x z + log1p(exp(-|x|))
            return max(x, 0.0) - x * z + math.log1p(math.exp(-abs(x)))
        return _bce_prob(z, x, lo, hi)
    p = x
    if from_logits:
        p = 1.0 / (1.0 + math.exp(-x))
    bce = _bce_prob(z, p, lo, hi)
    p_t = z * p + (1.0 - z) * (1.0 - p)
    loss = (1.0 - p_t) ** gamma * bce
    if balancing:
        loss *= z * alpha + (1.0 - z) * (1.0 - alpha)
    return loss


# --------------------------------------------------------------------------
# per-chunk pieces shared by the kernels; inlined at the Numba IR level, so
# they compile with the kernel's options and cost no call.  A kernel is a
# serial ``nogil`` function over a range of chunks (``_threads.over_chunks``
# runs the ranges on threads); each chunk writes only its own row of the
# outputs.  An inlined piece that takes an array inside a per-token loop
# costs a reference count update per token: the per-token steps are written
# out in the kernels, the pieces serve per block or per chunk.
#
# ``opts``, the optional per-token inputs of the Keras-loss kernels, is
#     (has_cw, cw, w, rep, has_w, mask, has_mask, out, has_out)
# class weights ``cw`` (C,); sample weights ``w``, token ``i`` weighing
# ``w[i // rep]``; the keep ``mask``; ``out``, the weighted loss per token.
# An input not given is an empty array with its flag False.
# --------------------------------------------------------------------------


def _chunk_outputs(n, chunk, width):
    """Number of chunks, ``part`` (n_chunks, width) zeros, ``bad_index`` -1, ``bad_code`` OK."""
    n_chunks = (n + chunk - 1) // chunk
    part = np.zeros((n_chunks, width), dtype=np.float64)
    bad_index = np.full(n_chunks, -1, dtype=np.int64)
    bad_code = np.zeros(n_chunks, dtype=np.int64)
    return n_chunks, part, bad_index, bad_code


@njit(cache=True, inline="always")
def _chunk_span(c, chunk, n):
    """Tokens ``[start, end)`` of chunk ``c``."""
    start = c * chunk
    return start, min(n, start + chunk)


@njit(cache=True, inline="always")
def _weight_pos(start, rep):
    """Weight position of token ``start``: group ``g = start // rep``, ``r`` tokens into it."""
    g = start // rep
    return g, start - g * rep


@njit(cache=True, inline="always")
def _weight_ok(wi):
    """A valid sample weight: finite and >= 0 (False for NaN)."""
    return (wi >= 0.0) & (wi < np.inf)


@njit(cache=True, inline="always")
def _mark_bad(bad_index, bad_code, c, i, code):
    """Record token ``i`` as the first bad token of chunk ``c``."""
    bad_index[c] = i
    bad_code[c] = code


@njit(cache=True, error_model="numpy")
def _block_weights(opts, g, r, tb, keepb, wts, m, weighted):
    """Weights of the m tokens of a block into ``wts``: sample weight times
    ``cw[tb[j]]``, 0 for dropped tokens (``keepb`` False).  Returns whether
    every kept token's sample weight is valid, the number of kept tokens and
    the weight position after the block.  Without ``weighted`` (no weights, no
    dropped tokens) ``wts`` stays as it is (ones).  Simple loops that
    vectorise: the sample weights by runs of equal weight (one weight per
    ``rep`` tokens), then the class weights."""
    has_cw, cw, w, rep, has_w = opts[:5]
    okw = True
    nk = 0
    if not weighted:
        return okw, m, g, r
    if has_w:
        if rep == 1:
            for j in range(m):
                wi = w[g + j]
                kp = keepb[j]
                okw = okw & (_weight_ok(wi) | (not kp))
                wts[j] = wi if kp else 0.0
                nk += np.int64(kp)
            g += m
        else:
            j = 0
            while j < m:
                wi = w[g]
                ln = min(rep - r, m - j)
                okr = _weight_ok(wi)
                for q in range(j, j + ln):
                    kp = keepb[q]
                    okw = okw & (okr | (not kp))
                    wts[q] = wi if kp else 0.0
                    nk += np.int64(kp)
                j += ln
                r += ln
                if r == rep:
                    r = 0
                    g += 1
    else:
        for j in range(m):
            kp = keepb[j]
            wts[j] = 1.0 if kp else 0.0
            nk += np.int64(kp)
    if has_cw:
        for j in range(m):
            wts[j] = wts[j] * cw[tb[j]]
    return okw, nk, g, r


@njit(cache=True, inline="always")
def _vlog_scratch(m):
    """The scratch buffers ``y``, ``ib``, ``kb`` of ``_vlog`` for m arguments."""
    return np.empty(m, dtype=np.float64), np.empty(m, dtype=np.int64), np.empty(m, dtype=np.int64)


@njit(cache=True, inline="always")
def _block_buffers(B, n_exp):
    """Per-chunk buffers of the blocked kernels, for blocks of B tokens:
    ``u``, ``lg``, ``base`` (float64), ``wts`` (ones), ``tb`` (int64),
    ``keepb`` (True) of B entries, and the exp arguments, results and scratch
    ``eb``, ``eo``, ``ei`` of ``n_exp`` entries."""
    return (np.empty(B, dtype=np.float64), np.empty(B, dtype=np.float64),
            np.empty(B, dtype=np.float64), np.ones(B, dtype=np.float64),
            np.empty(B, dtype=np.int64), np.ones(B, dtype=np.bool_),
            np.empty(n_exp, dtype=np.float64), np.empty(n_exp, dtype=np.float64),
            np.empty(n_exp, dtype=np.int64))


_LANES0 = (0.0, 0.0, 0.0, 0.0)


@njit(cache=True, inline="always")
def _lanes_add(lanes, x, m):
    """Add x[0:m] to the 4 summation lanes: x[j] to lane j % 4 over the whole
    groups of 4, the remainder to lane 0 (a fixed order: deterministic)."""
    s0, s1, s2, s3 = lanes
    j = 0
    while j + 4 <= m:
        s0 += x[j]
        s1 += x[j + 1]
        s2 += x[j + 2]
        s3 += x[j + 3]
        j += 4
    while j < m:
        s0 += x[j]
        j += 1
    return s0, s1, s2, s3


@njit(cache=True, inline="always")
def _lanes_total(lanes):
    """The sum of the 4 lanes, in a fixed order."""
    return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])


@njit(cache=True, inline="always")
def _store_block(out, has_out, b0, x, m):
    """out[b0:b0 + m] = x[0:m] when ``has_out``."""
    if has_out:
        for j in range(m):
            out[b0 + j] = x[j]


@njit(cache=True, inline="always")
def _store_sums(part, c, sl, wl, cnt):
    """Row ``c`` of ``part``: the lane totals of the losses and the weights,
    the count."""
    part[c, 0] = _lanes_total(sl)
    part[c, 1] = _lanes_total(wl)
    part[c, 2] = cnt


@njit(cache=True, inline="always")
def _pred_row_code(yp, i, from_logits):
    """Error code of prediction row ``i``: NaN or infinity, else (probabilities)
    a value outside [0, 1]; OK if valid."""
    C = yp.shape[1]
    for q in range(C):
        x = np.float64(yp[i, q])
        if not (abs(x) < np.inf):
            return PRED_NOT_FINITE
    if not from_logits:
        for q in range(C):
            x = np.float64(yp[i, q])
            if not (x >= 0.0 and x <= 1.0):
                return PRED_NOT_PROBABILITY
    return OK


# --------------------------------------------------------------------------
# binary losses
# --------------------------------------------------------------------------
@njit(cache=True, inline="always")
def _binary_bad(y, x, from_logits):
    """Error code of a binary token: target ``y``, prediction ``x`` (OK if valid)."""
    if not (y >= 0.0 and y <= 1.0):
        return TRUE_INVALID
    if not (abs(x) < np.inf):
        return PRED_NOT_FINITE
    if not from_logits and not (x >= 0.0 and x <= 1.0):
        return PRED_NOT_PROBABILITY
    return OK


@njit(cache=True, inline="always")
def _binary_loss(yt, yp, i, loss):
    """(error code, class, loss) of binary element ``i``: ``yt`` in [0, 1]
    (soft targets allowed), ``yp`` a probability in [0, 1] or a logit;
    ``loss`` = (from_logits, focal, balancing, alpha, gamma, ls, lo, hi), the
    label smoothing ``ls`` and the probability clip ``[lo, hi]``.  The class
    (for ``class_weight``) is 1 when ``yt > 0.5``, else 0 (Keras rounds the
    target, half to even)."""
    from_logits, focal, balancing, alpha, gamma, ls, lo, hi = loss
    y = np.float64(yt[i])
    x = np.float64(yp[i])
    code = _binary_bad(y, x, from_logits)
    if code != OK:
        return code, 0, 0.0
    z = y * (1.0 - ls) + 0.5 * ls
    return OK, 1 if y > 0.5 else 0, _binary_token(z, x, from_logits, focal, balancing, alpha,
                                                  gamma, lo, hi)


# --------------------------------------------------------------------------
# sparse categorical cross-entropy
# --------------------------------------------------------------------------
@njit(cache=True, error_model="numpy")
def _sparse_rows(blk, ytb, keepb, m, C, ctup, logit, lo, hi, u, base, eb, tb):
    """Reduce a block of m rows of C scores (flat ``blk``) for the sparse loss.

    Writes ``u[j]`` (argument of log1p; 0 for dropped tokens), ``base[j]``
    (``max - x_t`` from logits, else 0), the exp arguments ``eb`` (logits:
    ``x_c - max`` for the C - 1 scores other than the (first) max, column-major
    ``eb[q * m + j]``, the max's slot q holding the last column; dropped rows
    get ``_DROP``) and the class ``tb[j]``.
    With ``ctup`` a tuple, ``C = len(ctup)`` is a compile-time constant: the
    row loop unrolls and the block loop vectorises across rows.  Returns
    whether every kept token was valid (a label in [0, C), finite scores,
    probabilities in [0, 1]).  ``logit``: None for probabilities, else
    scores are logits (a type, not a value: the branch not taken is not
    compiled).
    """
    if ctup is not None:
        CC = len(ctup)
    else:
        CC = C
    CM = CC - 1
    ok = True
    for j in range(m):
        kp = keepb[j]
        v = ytb[j]
        inr = (v >= 0) & (v < CC)  # False for NaN
        t = np.int64(v) if inr else np.int64(0)
        okt = inr & (t == v)
        t = t if okt else np.int64(0)
        tb[j] = t
        row = j * CC
        if logit is not None:
            # one read of the row: max, argmax, x_t, finiteness; the first C - 1
            # scores are parked in eb (column q at eb[q * m + j]: stores and the
            # reloads below are contiguous across rows), the last one in xl
            mx = np.float64(blk[row])
            fin = abs(mx) < np.inf  # False for NaN
            jm = 0
            xt = mx
            xl = mx
            if CM > 0:
                eb[j] = mx
            for q in range(1, CC):
                x = np.float64(blk[row + q])
                fin = fin & (abs(x) < np.inf)
                gt = x > mx
                mx = x if gt else mx
                jm = q if gt else jm
                xt = x if q == t else xt
                if q < CM:
                    eb[q * m + j] = x
                else:
                    xl = x
            # the C - 1 exp arguments: the max's slot takes the last column
            for q in range(CM):
                x = eb[q * m + j]
                x = xl if q == jm else x
                eb[q * m + j] = (x - mx) if kp else _DROP
            base[j] = (mx - xt) if kp else 0.0
            u[j] = 0.0
            ok = ok & ((okt & fin) | (not kp))
        else:
            rest = 0.0
            qt = 1.0
            okp = True
            for q in range(CC):
                xr = blk[row + q]
                okp = okp & (xr >= 0.0) & (xr <= 1.0)  # False for NaN
                cq = max(lo, min(hi, np.float64(xr)))
                is_t = q == t
                rest += 0.0 if is_t else cq
                qt = cq if is_t else qt
            u[j] = rest / qt if kp else 0.0
            base[j] = 0.0
            ok = ok & ((okt & okp) | (not kp))
    return ok


@njit(cache=True, error_model="numpy")
def _row_sums(eo, m, C, ctup, u):
    """u[j] = sum over q < C - 1 of eo[q * m + j] (the C - 1 exps of row j, in
    slot order; column-major as written by ``_sparse_rows``)."""
    if ctup is not None:
        CM = len(ctup) - 1
    else:
        CM = C - 1
    for j in range(m):
        acc = 0.0
        for q in range(CM):
            acc += eo[q * m + j]
        u[j] = acc


@njit(cache=True)
def _sparse_first_bad(yt, yp, loss, opts, start, end):
    """Scalar rescan of a block that failed validation: (index, code) or (-1, OK)."""
    from_logits, lo, hi, ignore, has_ignore = loss
    has_cw, cw, w, rep, has_w, mask, has_mask, out, has_out = opts
    C = yp.shape[1]
    for i in range(start, end):
        if (has_mask and not mask[i]) or (has_ignore and yt[i] == ignore):
            continue
        if has_w and not _weight_ok(w[i // rep]):
            return i, WEIGHT_INVALID
        v = yt[i]
        inr = (v >= 0) and (v < C)
        t = np.int64(v) if inr else np.int64(0)
        if not (inr and t == v):
            return i, TRUE_INVALID
        code = _pred_row_code(yp, i, from_logits)
        if code != OK:
            return i, code
    return -1, OK


@njit(cache=True, inline="always")
def _sparse_keep(keepb, yt, ignore, has_ignore, mask, has_mask, b0, m):
    """The keep flags of the m tokens from ``b0`` (mask and ``ignore_index``):
    written to ``keepb``, or the block of the mask itself when there is
    nothing else (a copy would be written, then read back at once)."""
    if has_ignore:
        if has_mask:
            for j in range(m):
                keepb[j] = mask[b0 + j] & (yt[b0 + j] != ignore)
        else:
            for j in range(m):
                keepb[j] = yt[b0 + j] != ignore
    elif has_mask:
        keepb = mask[b0:b0 + m]
    return keepb


def sparse_chunks(yt, yp, loss, opts, chunk, ctup=None):
    """Per-chunk sums of Keras' sparse categorical cross-entropy.

    ``yt`` (n,) class ids (integers or integral floats) in ``[0, C)``; ``yp``
    (n, C) probabilities or logits, C-contiguous.  ``loss`` is
    ``(from_logits, lo, hi, ignore, has_ignore)``; ``opts`` the token options;
    ``ctup`` (optional, a tuple of length C) makes C a compile-time constant.
    From probabilities Keras
    clips every probability to ``[lo, hi]`` and takes a softmax of their
    logs, i.e. the loss is ``log(sum_c clip(p_c)) - log(clip(p_t))``,
    computed as ``log1p(sum_{c != t} clip(p_c) / clip(p_t))``; from logits it
    is ``logsumexp(x) - x_t = (max - x_t) + log1p(sum_{c != argmax} exp(x_c - max))``.

    Tokens go in blocks of ``_BLOCK``: ``_sparse_rows`` validates and reduces
    every row (vectorised across rows when ``ctup`` gives C statically), then
    the vectorised ``_vexp`` / ``_vlog`` run over the block, then the weighted
    sums are accumulated in 4 fixed lanes (deterministic).  A block that
    fails validation is rescanned token by token for its first bad token.
    """
    n_chunks, part, bad_index, bad_code = _chunk_outputs(yp.shape[0], chunk, 3)
    # logits or probabilities as a type (None or True): each use compiles one path
    over_chunks(_sparse_range, n_chunks, yt, yp, loss, opts, chunk, ctup,
                True if loss[0] else None, part, bad_index, bad_code)
    return part, bad_index, bad_code


@njit(cache=True, nogil=True, error_model="numpy")
def _sparse_range(c_lo, c_hi, yt, yp, loss, opts, chunk, ctup, logit, part, bad_index,
                  bad_code):
    """Chunks ``[c_lo, c_hi)`` of :func:`sparse_chunks`, into their rows."""
    from_logits, lo, hi, ignore, has_ignore = loss
    has_cw, cw, w, rep, has_w, mask, has_mask, out, has_out = opts
    n = yp.shape[0]
    C = yp.shape[1]
    B = _BLOCK
    flat = yp.reshape(-1)
    weighted = has_w or has_cw or has_mask or has_ignore
    for c in range(c_lo, c_hi):
        start, end = _chunk_span(c, chunk, n)
        g, r = _weight_pos(start, rep)
        sl = _LANES0
        wl = _LANES0
        cnt = 0
        u, lg, base, wts, tb, keepb, eb, eo, ei = _block_buffers(B, B * C if from_logits else 0)
        ybuf, ibuf, kbuf = _vlog_scratch(B)
        for b0 in range(start, end, B):
            mb = min(B, end - b0)
            keepb = _sparse_keep(keepb, yt, ignore, has_ignore, mask, has_mask, b0, mb)
            ok = _sparse_rows(flat[b0 * C:(b0 + mb) * C], yt[b0:b0 + mb], keepb, mb, C, ctup,
                              logit, lo, hi, u, base, eb, tb)
            okw, nk, g, r = _block_weights(opts, g, r, tb, keepb, wts, mb, weighted)
            cnt += nk
            if not (ok and okw):
                bi, bc = _sparse_first_bad(yt, yp, loss, opts, b0, b0 + mb)
                if bi >= 0:
                    _mark_bad(bad_index, bad_code, c, bi, bc)
                    break
            if logit is not None:
                _vexp(eb, mb * (C - 1), eo, ei)
                _row_sums(eo, mb, C, ctup, u)
            _vlog(u, mb, lg, ybuf, ibuf, kbuf, True)
            for j in range(mb):
                lg[j] = wts[j] * (base[j] + lg[j])
            sl = _lanes_add(sl, lg, mb)
            wl = _lanes_add(wl, wts, mb)
            _store_block(out, has_out, b0, lg, mb)
        _store_sums(part, c, sl, wl, cnt)


# --------------------------------------------------------------------------
# losses with a full target row, token by token (focal loss); the scalar kernel
# --------------------------------------------------------------------------
@njit(cache=True, inline="always")
def _target_argmax(yt, i):
    """(argmax of target row ``i`` (first maximum), whether it lies in [0, 1])."""
    okt = True
    t = 0
    best = np.float64(yt[i, 0])
    for j in range(yt.shape[1]):
        y = np.float64(yt[i, j])
        okt = okt & (y >= 0.0) & (y <= 1.0)
        if y > best:
            best = y
            t = j
    return t, okt


@njit(cache=True, inline="always")
def _pred_row_stats(yp, i):
    """(max, sum, sum of x * 0 (nonzero: a NaN or infinity), all in [0, 1]) of
    prediction row ``i``."""
    m = np.float64(yp[i, 0])
    sp = 0.0
    chk = 0.0
    okp = True
    for j in range(yp.shape[1]):
        x = np.float64(yp[i, j])
        chk += x * 0.0
        m = x if x > m else m
        okp = okp & (x >= 0.0) & (x <= 1.0)
        sp += x
    return m, sp, chk, okp


@njit(cache=True, inline="always")
def _dense_row_code(okt, chk, okp, sp, from_logits):
    """Error code of a token from its row summaries (OK if valid)."""
    if not okt:
        return TRUE_INVALID
    if chk != 0.0:
        return PRED_NOT_FINITE
    if not from_logits:
        if not okp:
            return PRED_NOT_PROBABILITY
        if sp == 0.0:
            return ROW_SUM_ZERO
    return OK


@njit(cache=True, inline="always")
def _dense_logit_loss(yt, yp, i, m, kind, ls, lsc, alpha, gamma, lo, hi):
    """Loss of token ``i`` from logits (row max ``m``)."""
    C = yp.shape[1]
    jm = 0
    for j in range(C):
        if np.float64(yp[i, j]) == m:
            jm = j
            break
    rest = 0.0
    for j in range(C):
        e = math.exp(np.float64(yp[i, j]) - m)
        rest += e if j != jm else 0.0
    se = 1.0 + rest
    lse = math.log1p(rest)
    loss = 0.0
    if kind == CCE:
        for j in range(C):
            z = np.float64(yt[i, j]) * (1.0 - ls) + lsc
            if z != 0.0:
                loss += z * ((m - np.float64(yp[i, j])) + lse)
    else:
        # Keras: softmax, then divide by the sum again, then clip
        sq = 0.0
        for j in range(C):
            sq += math.exp(np.float64(yp[i, j]) - m) / se
        for j in range(C):
            z = np.float64(yt[i, j]) * (1.0 - ls) + lsc
            q = _clip((math.exp(np.float64(yp[i, j]) - m) / se) / sq, lo, hi)
            loss += alpha[j] * (1.0 - q) ** gamma * (-z * math.log(q))
    return loss


@njit(cache=True, inline="always")
def _dense_prob_loss(yt, yp, i, sp, kind, ls, lsc, alpha, gamma, lo, hi):
    """Loss of token ``i`` from probabilities (row sum ``sp``)."""
    loss = 0.0
    for j in range(yp.shape[1]):
        z = np.float64(yt[i, j]) * (1.0 - ls) + lsc
        if kind == CCE:
            if z != 0.0:
                loss -= z * math.log(_clip(np.float64(yp[i, j]) / sp, lo, hi))
        else:
            q = _clip(np.float64(yp[i, j]) / sp, lo, hi)
            loss += alpha[j] * (1.0 - q) ** gamma * (-z * math.log(q))
    return loss


@njit(cache=True, error_model="numpy")
def _dense_loss(yt, yp, i, loss):
    """(error code, class, loss) of token ``i`` with a full target row:
    ``loss`` = (kind, from_logits, ls, alpha, gamma, lo, hi).  Targets must
    lie in [0, 1]; the smoothed target is ``yt * (1 - ls) + ls / C``.  ``kind``:

    * ``CCE``: Keras' categorical cross-entropy: from logits
      ``sum_c z_c (logsumexp(x) - x_c)``; from probabilities
      ``-sum_c z_c log(clip(p_c / sum(p)))``.
    * ``CFOCAL``: Keras' categorical focal cross-entropy:
      ``sum_c alpha_c (1 - q_c)^gamma (-z_c log q_c)`` with
      ``q = clip(p / sum(p))`` and ``p = softmax(x)`` from logits.

    The class (for ``class_weight``) is the argmax of the target row (first
    maximum), as Keras' ``class_weight`` does.  (A call, not inlined: its
    libm calls dominate, and the kernel compiles in half the time.)
    """
    kind, from_logits, ls, alpha, gamma, lo, hi = loss
    lsc = ls / yp.shape[1]
    t, okt = _target_argmax(yt, i)
    m, sp, chk, okp = _pred_row_stats(yp, i)
    code = _dense_row_code(okt, chk, okp, sp, from_logits)
    if code != OK:
        return code, t, 0.0
    if from_logits:
        return OK, t, _dense_logit_loss(yt, yp, i, m, kind, ls, lsc, alpha, gamma, lo, hi)
    return OK, t, _dense_prob_loss(yt, yp, i, sp, kind, ls, lsc, alpha, gamma, lo, hi)


def scalar_chunks(yt, yp, loss, opts, chunk):
    """Per-chunk [weighted loss sum, weight sum, count] of a loss taken token
    by token (libm calls): the binary losses (``yt``, ``yp`` flat, ``loss``
    as ``_binary_loss`` reads it) and the losses of target rows (``yt``,
    ``yp`` (n, C), ``loss`` as ``_dense_loss`` reads it); ``opts`` the token
    options.  (Keras' categorical cross-entropy and scikit-learn's loss run
    in the faster ``dense_ce_chunks``; this kernel serves the focal loss and
    is the scalar reference form of the categorical cross-entropy.)
    """
    n_chunks, part, bad_index, bad_code = _chunk_outputs(yp.shape[0], chunk, 3)
    over_chunks(_scalar_range, n_chunks, yt, yp, loss, opts, chunk, part, bad_index, bad_code)
    return part, bad_index, bad_code


@njit(cache=True, nogil=True, error_model="numpy")
def _scalar_range(c_lo, c_hi, yt, yp, loss, opts, chunk, part, bad_index, bad_code):
    """Chunks ``[c_lo, c_hi)`` of :func:`scalar_chunks`, into their rows."""
    # the token steps are written out here, not in inlined helpers: an inlined
    # helper taking an array costs a reference count update per token (4x slower)
    has_cw, cw, w, rep, has_w, mask, has_mask, out, has_out = opts
    n = yp.shape[0]
    for c in range(c_lo, c_hi):
        start, end = _chunk_span(c, chunk, n)
        g, r = _weight_pos(start, rep)
        acc = (0.0, 0.0, 0.0)
        for i in range(start, end):
            wi = 1.0
            if has_w:  # token i weighs w[i // rep]: (g, r) steps along
                wi = w[g]
                r += 1
                if r == rep:
                    r = 0
                    g += 1
            if has_mask and not mask[i]:
                if has_out:
                    out[i] = 0.0
                continue
            code = OK if (not has_w or _weight_ok(wi)) else WEIGHT_INVALID
            if code == OK:
                if yt.ndim == 1:  # a compile-time constant: one branch is compiled
                    code, k, li = _binary_loss(yt, yp, i, loss)
                else:
                    code, k, li = _dense_loss(yt, yp, i, loss)
            if code != OK:
                bad_index[c] = i
                bad_code[c] = code
                break
            if has_cw:
                wi = wi * cw[k]
            if has_out:
                out[i] = wi * li
            s, ws, cnt = acc
            acc = (s + wi * li, ws + wi, cnt + 1.0)
        part[c, 0], part[c, 1], part[c, 2] = acc


# --------------------------------------------------------------------------
# categorical cross-entropy: the blocked kernel
# --------------------------------------------------------------------------
@njit(cache=True)
def _dense_first_bad(yt, yp, from_logits, xlogy, opts, start, end):
    """Scalar rescan of a block that failed validation: (index, code) or (-1, OK)."""
    has_cw, cw, w, rep, has_w, mask, has_mask, out, has_out = opts
    C = yp.shape[1]
    for i in range(start, end):
        if has_mask and not mask[i]:
            continue
        if has_w and not _weight_ok(w[i // rep]):
            return i, WEIGHT_INVALID
        for q in range(C):
            y = np.float64(yt[i, q])
            if not (y >= 0.0 and y <= 1.0):
                return i, TRUE_INVALID
        code = _pred_row_code(yp, i, from_logits)
        if code != OK:
            return i, code
        if not from_logits and not xlogy:
            sp = 0.0
            for q in range(C):
                sp += np.float64(yp[i, q])
            if sp == 0.0:
                return i, ROW_SUM_ZERO
    return -1, OK


@njit(cache=True, error_model="numpy")
def _onehot_targets(ytb, keepb, m, C, ctup, tb):
    """Whether every kept row of the flat (m, C) target block ``ytb`` is exactly
    one-hot (one target equal to 1, the others 0); ``tb[j]`` gets the class
    of row j (the position of its 1; meaningful only for one-hot rows).  With
    ``ctup`` a tuple, ``C = len(ctup)`` is a compile-time constant (the row
    loop unrolls and the block loop vectorises across rows)."""
    if ctup is not None:
        CC = len(ctup)
    else:
        CC = C
    allo = True
    for j in range(m):
        # every target 0 or 1 and (exact in the input dtype) a row sum of 1
        row = j * CC
        s = ytb[row]
        zo = (s == 0.0) | (s == 1.0)
        t = 0
        for q in range(1, CC):
            y = ytb[row + q]
            s = s + y
            zo = zo & ((y == 0.0) | (y == 1.0))
            t = q if y == 1.0 else t
        allo = allo & ((zo & (s == 1.0)) | (not keepb[j]))
        tb[j] = t
    return allo


@njit(cache=True, error_model="numpy")
def _onehot_probs(ypb, keepb, m, C, ctup, xlogy, lo, hi, tol, tb, args):
    """Probability rows of a one-hot block (classes ``tb``): ``args[j] =
    clip(p_t / sum(p))`` (``clip(p_t)`` with ``xlogy``; 1 for dropped or bad
    rows), the loss being ``-log(args[j])``.  Returns whether every kept row
    is valid (probabilities in [0, 1], a nonzero sum unless ``xlogy``) and
    (``xlogy``) the number of kept rows whose sum is not within ``tol`` of 1."""
    if ctup is not None:
        CC = len(ctup)
    else:
        CC = C
    ok = True
    nbad = 0
    for j in range(m):
        kp = keepb[j]
        row = j * CC
        t = tb[j]
        sp = 0.0
        xt = 0.0
        okp = True
        for q in range(CC):
            x = np.float64(ypb[row + q])
            okp = okp & (x >= 0.0) & (x <= 1.0)  # False for NaN
            sp += x
            xt = x if q == t else xt
        use = kp & okp & ((sp != 0.0) | xlogy)
        if xlogy:
            nbad += np.int64(use & (abs(sp - 1.0) > tol))
        v = xt if xlogy else xt / sp
        v = lo if v < lo else (hi if v > hi else v)
        args[j] = v if use else 1.0
        ok = ok & (use | (not kp))
    return ok, nbad


@njit(cache=True, inline="always")
def _term_buffers(m):
    """Buffers of m log terms (soft targets: up to C per token): probability,
    divisor, target (float64), token (int64), logarithm (float64), and the
    ``_vlog`` scratch."""
    return (np.empty(m, dtype=np.float64), np.empty(m, dtype=np.float64),
            np.empty(m, dtype=np.float64), np.empty(m, dtype=np.int64),
            np.empty(m, dtype=np.float64)) + _vlog_scratch(m)


@njit(cache=True, inline="always")
def _soft_target_row(yt, i, ls):
    """(argmax (first maximum), all in [0, 1], exactly one-hot and unsmoothed)
    of target row ``i``: checks as boolean / integer chains (short latency,
    unlike a float sum per row)."""
    t = 0
    best = np.float64(yt[i, 0])
    okt = True
    nz = 0
    for q in range(yt.shape[1]):
        y = np.float64(yt[i, q])
        okt = okt & (y >= 0.0) & (y <= 1.0)  # False for NaN
        nz += np.int64(y != 0.0)
        gt = y > best
        best = y if gt else best
        t = q if gt else t
    # an exact one-hot row (targets in [0, 1], one nonzero, equal to 1)
    # without smoothing has a single term
    return t, okt, (best == 1.0) & (nz == 1) & (ls == 0.0)


@njit(cache=True, inline="always")
def _soft_pred_row(yp, i, from_logits):
    """(max, argmax, all finite (and in [0, 1] for probabilities), sum of the
    probabilities (0 from logits)) of prediction row ``i``."""
    C = yp.shape[1]
    mx = np.float64(yp[i, 0])
    jm = 0
    okp = True
    for q in range(C):
        x = np.float64(yp[i, q])
        okp = okp & (abs(x) < np.inf)  # False for NaN
        if not from_logits:
            okp = okp & (x >= 0.0) & (x <= 1.0)
        gt = x > mx
        mx = x if gt else mx
        jm = q if gt else jm
    sp = 0.0
    if not from_logits:
        for q in range(C):
            sp += np.float64(yp[i, q])
    return mx, jm, okp, sp


@njit(cache=True, inline="always")
def _soft_logit_row(yt, yp, i, j, m, t, mx, jm, onehot, ls, lsc, base, zsum, eb):
    """Token j (row i) from logits: as ``_sparse_rows``, C - 1 exp arguments
    (column-major); ``base[j] = sum_c z_c (max - x_c)``, ``zsum[j] = sum_c z_c``."""
    C = yp.shape[1]
    xl = np.float64(yp[i, C - 1])
    for q in range(C - 1):
        x = np.float64(yp[i, q])
        x = xl if q == jm else x
        eb[q * m + j] = x - mx
    if onehot:
        base[j] = mx - np.float64(yp[i, t])
        zsum[j] = 1.0
    else:
        bs = 0.0
        zs = 0.0
        for q in range(C):
            z = np.float64(yt[i, q]) * (1.0 - ls) + lsc
            bs += z * (mx - np.float64(yp[i, q]))
            zs += z
        base[j] = bs
        zsum[j] = zs


@njit(cache=True, inline="always")
def _soft_prob_terms(yt, yp, i, j, t, den, onehot, ls, lsc, ne, terms):
    """Token j (row i) from probabilities: its log terms (probability,
    divisor, target, token) appended to ``terms`` from entry ``ne``; returns
    the new number of terms."""
    args, dens, zz, tok = terms[:4]
    if onehot:
        args[ne] = np.float64(yp[i, t])
        dens[ne] = den
        zz[ne] = 1.0
        tok[ne] = j
        return ne + 1
    # branch-free compaction of the nonzero targets (write, then advance only
    # when z != 0)
    for q in range(yp.shape[1]):
        z = np.float64(yt[i, q]) * (1.0 - ls) + lsc
        args[ne] = np.float64(yp[i, q])
        dens[ne] = den
        zz[ne] = z
        tok[ne] = j
        ne += np.int64(z != 0.0)
    return ne


@njit(cache=True, inline="always")
def _ce_soft_rows(yt, yp, b0, keepb, m, setting, rows, terms):
    """Row pass of ``dense_ce_chunks`` over the m tokens from ``b0`` (soft or
    smoothed targets): validates each row, finds its class (the argmax of
    the target row) and collects the logarithm arguments (from logits the
    exp arguments, ``base`` and ``zsum``).  Returns (every kept row valid,
    rows whose sum is not within ``tol`` of 1 (``xlogy``), number of log
    terms)."""
    xlogy, from_logits, ls, lsc, lo, hi, tol = setting
    tb, base, zsum, u, eb = rows
    C = yp.shape[1]
    ok = True
    nbad = 0
    ne = 0
    for j in range(m):
        i = b0 + j
        kp = keepb[j]
        t, okt, onehot = _soft_target_row(yt, i, ls)
        tb[j] = t
        mx, jm, okp, sp = _soft_pred_row(yp, i, from_logits)
        good = okt & okp
        if not from_logits:
            good = good & ((sp != 0.0) | xlogy)
        if not (kp and good):
            ok = ok & (not kp)
            base[j] = 0.0
            zsum[j] = 0.0
            u[j] = 0.0
            if from_logits:
                for q in range(C - 1):
                    eb[q * m + j] = _DROP
        elif from_logits:
            _soft_logit_row(yt, yp, i, j, m, t, mx, jm, onehot, ls, lsc, base, zsum, eb)
        else:
            if xlogy:
                nbad += np.int64(abs(sp - 1.0) > tol)
            ne = _soft_prob_terms(yt, yp, i, j, t, 1.0 if xlogy else sp, onehot, ls, lsc, ne,
                                  terms)
    return ok, nbad, ne


@njit(cache=True, inline="always")
def _soft_prob_losses(terms, ne, m, lo, hi, wts, lg):
    """``lg[j]`` = the weighted loss of token j from its ``ne`` log terms
    (probability / divisor, clipped; target; token), assembled in class order."""
    args, dens, zz, tok, lgc, ybuf, ibuf, kbuf = terms
    for e in range(ne):  # vectorised: p / sum(p), clipped
        v = args[e] / dens[e]
        args[e] = lo if v < lo else (hi if v > hi else v)
    _vlog(args, ne, lgc, ybuf, ibuf, kbuf, False)
    for j in range(m):
        lg[j] = 0.0
    for e in range(ne):
        lg[tok[e]] -= zz[e] * lgc[e]
    for j in range(m):
        lg[j] = wts[j] * lg[j]


def dense_ce_chunks(yt, yp, loss, opts, chunk, ctup=None):
    """Per-chunk sums of Keras' categorical cross-entropy (or scikit-learn's xlogy loss).

    ``yt``, ``yp``: (n, C), C-contiguous.  ``loss`` is
    ``(xlogy, from_logits, ls, lo, hi, rtol)``; ``opts`` the token options.
    Smoothed target
    ``z = yt (1 - ls) + ls / C``.  From logits the loss is
    ``sum_c z_c (max - x_c) + (sum_c z_c) log1p(sum_{c != argmax} exp(x_c - max))``
    (= ``sum_c z_c (logsumexp(x) - x_c)``, no cancellation: every term is
    >= 0); from probabilities ``-sum_c z_c log(clip(p_c / sum(p)))`` (Keras),
    or with ``xlogy`` ``-sum_c yt_c log(clip(p_c))`` (scikit-learn, no
    renormalisation, ``ls = 0``; ``part[c, 3]`` counts rows whose sum is not
    within ``1e-8 + rtol`` of 1).  ``ctup`` (optional, a tuple of length C)
    makes C a compile-time constant.

    Two kernels, so that a call compiles only the one its targets need (the
    two in one function compiled in 5.6 s).  Without label smoothing, and when
    the first rows look one-hot, ``_onehot_ce_range`` runs first: blocks of
    ``_BLOCK`` tokens whose kept rows ``_onehot_targets`` finds exactly
    one-hot (vectorised across rows when C is static) cost one logarithm per
    token (``_onehot_probs``, or ``_sparse_rows`` from logits, as in
    ``sparse_chunks``); a chunk with any other block is left to
    ``_soft_ce_range``, which takes every row as a target distribution:
    ``_ce_soft_rows`` validates each row, finds the class (argmax of the
    target row) and collects the logarithm arguments of the nonzero targets
    (an exactly one-hot row gives one term: the same loss, bit for bit, as
    the one-hot kernel's).  The vectorised ``_vexp`` /
    ``_vlog`` then run over the block and the per-token losses are assembled
    (``_soft_prob_losses`` for soft targets from probabilities).  Either way
    the sums are accumulated in 4 fixed lanes.
    """
    n_chunks, part, bad_index, bad_code = _chunk_outputs(yp.shape[0], chunk, 4)
    if loss[2] == 0.0 and _looks_onehot(yt[:_BLOCK]):
        soft = np.zeros(n_chunks, dtype=np.bool_)
        over_chunks(_onehot_ce_range, n_chunks, yt, yp, loss, opts, chunk, ctup,
                    True if loss[1] else None, part, bad_index, bad_code, soft)
        sel = np.flatnonzero(soft)
    else:
        sel = np.arange(n_chunks)
    if sel.shape[0]:
        over_chunks(_soft_ce_range, sel.shape[0], sel, yt, yp, loss, opts, chunk, ctup, part,
                    bad_index, bad_code)
    return part, bad_index, bad_code


def _looks_onehot(rows):
    """Whether target rows (the first block) are 0 / 1 with at most one 1
    (all-zero rows: padding): a guess of the kernel to try first, never a
    decision about a result (both kernels give the same losses)."""
    return bool(((rows == 0) | (rows == 1)).all() and (rows.sum(axis=1) <= 1).all())


@njit(cache=True, nogil=True, error_model="numpy")
def _onehot_ce_range(c_lo, c_hi, yt, yp, loss, opts, chunk, ctup, logit, part, bad_index,
                     bad_code, soft):
    """Chunks ``[c_lo, c_hi)`` of :func:`dense_ce_chunks` whose kept target
    rows are all exactly one-hot, into their rows; a chunk with another row
    is left as it is, ``soft[c]`` set.  ``logit`` as in ``_sparse_rows``."""
    xlogy, from_logits, ls, lo, hi, rtol = loss
    has_cw, cw, w, rep, has_w, mask, has_mask, out, has_out = opts
    n = yp.shape[0]
    C = yp.shape[1]
    B = _BLOCK
    tol = 1e-8 + rtol
    flat_t = yt.reshape(-1)
    flat_p = yp.reshape(-1)
    weighted = has_w or has_cw or has_mask
    for c in range(c_lo, c_hi):
        start, end = _chunk_span(c, chunk, n)
        g, r = _weight_pos(start, rep)
        sl = _LANES0
        wl = _LANES0
        cnt = 0
        nbad_sum = 0
        u, lg, base, wts, tb, keepb, eb, eo, ei = _block_buffers(B, B * C if from_logits else 0)
        tbx = np.empty(B, dtype=np.int64)
        args = np.empty(B, dtype=np.float64)
        ybuf, ibuf, kbuf = _vlog_scratch(B)
        failed = False
        for b0 in range(start, end, B):
            mb = min(B, end - b0)
            if has_mask:
                keepb = mask[b0:b0 + mb]
            if not _onehot_targets(flat_t[b0 * C:(b0 + mb) * C], keepb, mb, C, ctup, tb):
                soft[c] = True
                failed = True
                break
            pblk = flat_p[b0 * C:(b0 + mb) * C]
            nb = 0
            if logit is not None:
                # one-hot from logits = the sparse loss of the classes tb
                ok = _sparse_rows(pblk, tb, keepb, mb, C, ctup, logit, lo, hi, u, base, eb, tbx)
            else:
                ok, nb = _onehot_probs(pblk, keepb, mb, C, ctup, xlogy, lo, hi, tol, tb, args)
            nbad_sum += nb
            okw, nk, g, r = _block_weights(opts, g, r, tb, keepb, wts, mb, weighted)
            cnt += nk
            if not (ok and okw):
                bi, bc = _dense_first_bad(yt, yp, from_logits, xlogy, opts, b0, b0 + mb)
                if bi >= 0:
                    _mark_bad(bad_index, bad_code, c, bi, bc)
                    failed = True
                    break
            if logit is not None:
                _vexp(eb, mb * (C - 1), eo, ei)
                _row_sums(eo, mb, C, ctup, u)
                _vlog(u, mb, lg, ybuf, ibuf, kbuf, True)
                for j in range(mb):
                    lg[j] = wts[j] * (base[j] + lg[j])
            else:
                _vlog(args, mb, u, ybuf, ibuf, kbuf, False)
                for j in range(mb):
                    lg[j] = wts[j] * (0.0 - u[j])
            sl = _lanes_add(sl, lg, mb)
            wl = _lanes_add(wl, wts, mb)
            _store_block(out, has_out, b0, lg, mb)
        if not failed:
            _store_sums(part, c, sl, wl, cnt)
            part[c, 3] = nbad_sum


@njit(cache=True, nogil=True, error_model="numpy")
def _soft_ce_range(k_lo, k_hi, sel, yt, yp, loss, opts, chunk, ctup, part, bad_index,
                   bad_code):
    """Chunks ``sel[k_lo:k_hi]`` of :func:`dense_ce_chunks`, every target row
    taken as a distribution, into their rows."""
    xlogy, from_logits, ls, lo, hi, rtol = loss
    has_cw, cw, w, rep, has_w, mask, has_mask, out, has_out = opts
    n = yp.shape[0]
    C = yp.shape[1]
    B = _BLOCK
    setting = (xlogy, from_logits, ls, ls / C, lo, hi, 1e-8 + rtol)
    weighted = has_w or has_cw or has_mask
    for k in range(k_lo, k_hi):
        c = sel[k]
        start, end = _chunk_span(c, chunk, n)
        g, r = _weight_pos(start, rep)
        sl = _LANES0
        wl = _LANES0
        cnt = 0
        nbad_sum = 0
        # per token: classes, the row terms of the loss, exp buffers (logits)
        u, lg, base, wts, tb, keepb, eb, eo, ei = _block_buffers(B, B * C if from_logits else 0)
        zsum = np.empty(B, dtype=np.float64)
        rows = (tb, base, zsum, u, eb)
        terms = _term_buffers(B * C)
        ybuf, ibuf, kbuf = terms[5:]
        for b0 in range(start, end, B):
            mb = min(B, end - b0)
            if has_mask:
                keepb = mask[b0:b0 + mb]
            ok, nb, ne = _ce_soft_rows(yt, yp, b0, keepb, mb, setting, rows, terms)
            nbad_sum += nb
            okw, nk, g, r = _block_weights(opts, g, r, tb, keepb, wts, mb, weighted)
            cnt += nk
            if not (ok and okw):
                bi, bc = _dense_first_bad(yt, yp, from_logits, xlogy, opts, b0, b0 + mb)
                if bi >= 0:
                    _mark_bad(bad_index, bad_code, c, bi, bc)
                    break
            # the vectorised exps / logarithms of the block, then the weighted losses
            if from_logits:
                _vexp(eb, mb * (C - 1), eo, ei)
                _row_sums(eo, mb, C, ctup, u)
                _vlog(u, mb, lg, ybuf, ibuf, kbuf, True)
                for j in range(mb):
                    lg[j] = wts[j] * (base[j] + zsum[j] * lg[j])
            else:
                _soft_prob_losses(terms, ne, mb, lo, hi, wts, lg)
            sl = _lanes_add(sl, lg, mb)
            wl = _lanes_add(wl, wts, mb)
            _store_block(out, has_out, b0, lg, mb)
        _store_sums(part, c, sl, wl, cnt)
        part[c, 3] = nbad_sum


@njit(cache=True)
def _logloss_first_bad(codes, lut, yp, w, has_w, start, end):
    """Scalar rescan of a log_loss block that failed: (index, code) or (-1, OK)."""
    L = lut.shape[0]
    for i in range(start, end):
        k = np.int64(codes[i])
        if not (k >= 0 and k < L and lut[k] >= 0):
            return i, TRUE_NOT_IN_LABELS
        code = _pred_row_code(yp, i, False)
        if code != OK:
            return i, code
        if has_w and not _weight_ok(w[i]):
            return i, WEIGHT_INVALID
    return -1, OK


@njit(cache=True, inline="always")
def _logloss_row(ypb, row, CC, colc, okl, one, lo, hi, tol):
    """The row at ``row`` of the flat block, its column ``colc`` being the
    true class (``okl``: one of the classes): (the clipped probability of the
    true class as float64, 1 for a bad row; whether the row is valid; 1 if its
    sum is not within ``tol`` of 1, else 0).  The sum is taken in the input
    dtype, as scikit-learn sums; for C == 1, where the columns are [1 - p, p],
    it is not checked."""
    if CC == 1:
        p = ypb[row]
        okp = (p >= 0.0) & (p <= 1.0)  # False for NaN
        v = (one - p) if colc == 0 else p
        sp = p - p
    else:
        x = ypb[row]
        okp = (x >= 0.0) & (x <= 1.0)  # False for NaN
        sp = x
        v = x
        for q in range(1, CC):
            x = ypb[row + q]
            okp = okp & (x >= 0.0) & (x <= 1.0)
            sp = sp + x
            v = x if q == colc else v
    v = lo if v < lo else (hi if v > hi else v)  # clipped in the input dtype
    off = np.int64(0)
    if CC > 1:
        off = np.int64(abs(np.float64(sp) - 1.0) > tol)
    good = okl & okp
    return (np.float64(v) if good else 1.0), good, off


@njit(cache=True, error_model="numpy")
def _logloss_rows_ident(cb, L, ypb, m, C, ctup, one, lo, hi, tol, qb, seen_loc):
    """Row pass of ``logloss_ids_chunks`` over a block of m tokens when the
    table is the identity (``lut[q] == q``) and ``L = len(lut) <= 64``.

    ``cb`` the codes, ``ypb`` the flat (m, C) probabilities.  Writes ``qb[j]``
    (the clipped probability of the true class, as float64; 1 for a bad row)
    and marks the codes present in ``seen_loc`` (a bit mask in the loop).
    Returns whether every row is valid and the number of rows whose sum is
    not within ``tol`` of 1 (C > 1).  With ``ctup`` a tuple, ``C =
    len(ctup)`` is a compile-time constant (the row loop unrolls and the block
    loop vectorises across rows; a table lookup, a load at a data-dependent
    address, would keep it from vectorising).
    """
    if ctup is not None:
        CC = len(ctup)
    else:
        CC = C
    bits = np.uint64(0)
    ok = True
    nbad = 0
    for j in range(m):
        k = np.int64(cb[j])
        inr = (k >= 0) & (k < L)
        colc = k if inr else np.int64(0)
        # (a code outside the table also sets bit 0: the block then fails)
        bits |= np.uint64(1) << np.uint64(colc)
        qb[j], good, off = _logloss_row(ypb, j * CC, CC, colc, inr, one, lo, hi, tol)
        ok = ok & good
        nbad += off
    for q in range(L):
        if (bits >> np.uint64(q)) & np.uint64(1):
            seen_loc[q] = True
    return ok, nbad


@njit(cache=True, error_model="numpy")
def _logloss_rows_lut(cb, lut, ypb, m, C, ctup, one, lo, hi, tol, qb, kb, seen_loc):
    """``_logloss_rows_ident`` for any table: a scalar pre-pass looks the
    codes up (columns to ``kb``, -1 for none) and marks ``seen_loc``."""
    if ctup is not None:
        CC = len(ctup)
    else:
        CC = C
    L = lut.shape[0]
    for j in range(m):
        k = np.int64(cb[j])
        inr = (k >= 0) & (k < L)
        seen_loc[k if inr else L] = True
        kb[j] = lut[k] if inr else np.int64(-1)
    ok = True
    nbad = 0
    for j in range(m):
        col = kb[j]
        okl = col >= 0
        colc = col if okl else np.int64(0)
        qb[j], good, off = _logloss_row(ypb, j * CC, CC, colc, okl, one, lo, hi, tol)
        ok = ok & good
        nbad += off
    return ok, nbad


def logloss_ids_chunks(codes, lut, yp, consts, rtol, w, has_w, chunk, ctup=None):
    """scikit-learn's log loss from class codes and an (n, C) probability array.

    ``codes`` (n,) are integers; token ``i`` belongs to column ``lut[codes[i]]``
    (``-1`` in ``lut``, or a code outside ``[0, len(lut))``, means "not one of
    the classes").  With ``C == 1`` the single column is the positive class'
    probability ``p`` and the two columns are ``[1 - p, p]``, ``1 - p``
    computed in the input dtype as scikit-learn does.  ``consts`` holds
    ``[1, eps, 1 - eps]`` in the input dtype; probabilities are clipped to
    ``[eps, 1 - eps]`` in that dtype and the logarithm is taken in float64
    (vectorised ``_vlog`` over blocks of ``_BLOCK`` tokens).  ``ctup``
    (optional, a tuple of length C) makes C a compile-time constant.

    Returns part (n_chunks, 4) [sum w * loss, sum w, count, rows whose sum is
    not within ``1e-8 + rtol`` of 1], ``seen`` (n_chunks, len(lut)) bool (the
    codes present), and the first bad token / code per chunk.  A code outside
    the table stops the chunk with ``TRUE_NOT_IN_LABELS`` (the caller may then
    fall back to a full label analysis).
    """
    n_chunks, part, bad_index, bad_code = _chunk_outputs(yp.shape[0], chunk, 4)
    seen = np.zeros((n_chunks, lut.shape[0]), dtype=np.bool_)
    over_chunks(_logloss_range, n_chunks, codes, lut, yp, consts, rtol, w, has_w, chunk, ctup,
                part, seen, bad_index, bad_code)
    return part, seen, bad_index, bad_code


@njit(cache=True, nogil=True, error_model="numpy")
def _logloss_range(c_lo, c_hi, codes, lut, yp, consts, rtol, w, has_w, chunk, ctup, part, seen,
                   bad_index, bad_code):
    """Chunks ``[c_lo, c_hi)`` of :func:`logloss_ids_chunks`, into their rows."""
    n = yp.shape[0]
    C = yp.shape[1]
    L = lut.shape[0]
    one = consts[0]
    lo = consts[1]
    hi = consts[2]
    tol = 1e-8 + rtol
    ident = L <= 64
    for q in range(L):
        ident = ident & (lut[q] == q)
    B = _BLOCK
    flat = yp.reshape(-1)
    for c in range(c_lo, c_hi):
        start, end = _chunk_span(c, chunk, n)
        sl = _LANES0
        ws = 0.0
        nbad_sum = 0
        qb = np.empty(B, dtype=np.float64)
        lg = np.empty(B, dtype=np.float64)
        kb = np.empty(B, dtype=np.int64)
        ybuf, ibuf, kbuf = _vlog_scratch(B)
        seen_loc = np.zeros(L + 1, dtype=np.bool_)  # slot L: codes not in the table
        for b0 in range(start, end, B):
            mb = min(B, end - b0)
            if ident:
                ok, nb = _logloss_rows_ident(codes[b0:b0 + mb], L, flat[b0 * C:(b0 + mb) * C],
                                             mb, C, ctup, one, lo, hi, tol, qb, seen_loc)
            else:
                ok, nb = _logloss_rows_lut(codes[b0:b0 + mb], lut, flat[b0 * C:(b0 + mb) * C],
                                           mb, C, ctup, one, lo, hi, tol, qb, kb, seen_loc)
            nbad_sum += nb
            if has_w:
                for j in range(mb):
                    ok = ok & _weight_ok(w[b0 + j])
            if not ok:
                bi, bc = _logloss_first_bad(codes, lut, yp, w, has_w, b0, b0 + mb)
                if bi >= 0:
                    _mark_bad(bad_index, bad_code, c, bi, bc)
                    break
            _vlog(qb, mb, lg, ybuf, ibuf, kbuf, False)
            if has_w:
                for j in range(mb):
                    wi = w[b0 + j]
                    lg[j] = wi * lg[j]
                    ws += wi
            sl = _lanes_add(sl, lg, mb)
        part[c, 0] = -_lanes_total(sl)
        part[c, 1] = ws if has_w else np.float64(end - start)
        part[c, 2] = end - start
        part[c, 3] = nbad_sum
        for q in range(L):
            seen[c, q] = seen_loc[q]


# one kernel serves every size: over_chunks runs a single chunk in the caller
scalar_chunks_serial = scalar_chunks
sparse_chunks_serial = sparse_chunks
dense_ce_chunks_serial = dense_ce_chunks
logloss_ids_chunks_serial = logloss_ids_chunks

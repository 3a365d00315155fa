"""Class-weighting kernels (CPU, Numba).

Three kernels serve :func:`fastmetrics.weighting.temporal_sample_weight`:

* ``label_range_chunks``: per-chunk (min, max) class id of the kept tokens
  (only run when the number of classes has to be inferred);
* ``class_count_chunks``: per-chunk token counts (int64) and weighted counts
  (float64) per class, for ``class_weight="balanced"``;
* ``temporal_weight_chunks``: writes ``sample_weight * class_weight[y]`` (or 0
  for a skipped token) as float32, one output per token.

Every kernel takes the same options as the confusion kernels: optional inputs
are ``None`` (Numba compiles one branch-free loop per combination), token
``i`` has sample weight ``w[i // rep]`` (prefix broadcasting), the token range
is cut into chunks of a fixed size (never derived from the thread count) and
each chunk writes its own row of partial results (a serial range kernel run on
threads by ``_threads.over_chunks``), which the caller reduces in chunk
order.  Results are therefore bitwise identical for any
``NUMBA_NUM_THREADS``.  Bad values do not raise inside a kernel: a chunk
records its first bad token and an error code (``_kernels/codes.py``) and the
Python wrapper writes the message.
"""

import numpy as np
from numba import njit

from ._threads import over_chunks
from .confusion import _token_code

from ..codes import (  # noqa: F401  (the codes these kernels report)
    OK,
    TRUE_NOT_FINITE,
    TRUE_NOT_INTEGRAL,
    TRUE_OUT_OF_RANGE,
    WEIGHT_INVALID,
)

__all__ = [
    "class_count_chunks",
    "label_range_chunks",
    "temporal_weight_chunks",
]

_I64_MAX = np.iinfo(np.int64).max
_I64_MIN = np.iinfo(np.int64).min


def _chunk_reports(n, chunk):
    """Number of chunks of ``n`` tokens; per chunk, the first bad token (-1:
    none) and its error code (OK)."""
    n_chunks = (n + chunk - 1) // chunk
    return n_chunks, np.full(n_chunks, -1, dtype=np.int64), np.full(n_chunks, OK, dtype=np.int64)


@njit(cache=True)
def _is_id(v):
    """(integral and finite) for float ids; always True for integer dtypes."""
    if not (v - v == 0):  # NaN or inf (never for integer dtypes)
        return False
    return np.int64(v) == v


def label_range_chunks(y, mask, ignore, chunk):
    """Per-chunk (min, max) of the class ids of kept tokens.

    Parameters
    ----------
    y : 1-D int or float array (n,) of class ids.
    mask : 1-D bool (n,) or None
    ignore : int or None
    chunk : int

    Returns
    -------
    lo, hi : int64 (n_chunks,)
        ``lo = int64 max`` and ``hi = int64 min`` for a chunk with no kept token.
    bad_index, bad_code : int64 (n_chunks,)
        First token that is not an integral class id (``TRUE_NOT_INTEGRAL``).
    """
    n_chunks, bad_index, bad_code = _chunk_reports(y.shape[0], chunk)
    lo = np.full(n_chunks, _I64_MAX, dtype=np.int64)
    hi = np.full(n_chunks, _I64_MIN, dtype=np.int64)
    over_chunks(_label_range, n_chunks, y, mask, ignore, chunk, lo, hi, bad_index, bad_code)
    return lo, hi, bad_index, bad_code


@njit(cache=True, nogil=True)
def _label_range(c_lo, c_hi, y, mask, ignore, chunk, lo, hi, bad_index, bad_code):
    """Chunks ``c_lo..c_hi`` of :func:`label_range_chunks`: writes their
    entries of ``lo``, ``hi`` and (on a bad id) ``bad_index``/``bad_code``."""
    n = y.shape[0]
    for c in range(c_lo, c_hi):
        start = c * chunk
        end = min(n, start + chunk)
        mn = _I64_MAX
        mx = _I64_MIN
        for i in range(start, end):
            if mask is not None:
                if not mask[i]:
                    continue
            if ignore is not None:
                if y[i] == ignore:
                    continue
            v = y[i]
            if not _is_id(v):
                bad_index[c] = i
                bad_code[c] = TRUE_NOT_INTEGRAL
                break
            k = np.int64(v)
            mn = min(mn, k)
            mx = max(mx, k)
        lo[c] = mn
        hi[c] = mx


@njit(cache=True)
def _scan_range(y, C, w, rep, mask, ignore, start, end, counts, wsum, cw, out):
    """The one token loop of the weighting kernels.

    Counts into ``counts``/``wsum`` (rows of this chunk) when ``cw`` is None,
    otherwise writes ``out[i] = float32(w_i * cw[y_i])`` (0 for skipped
    tokens).  Returns (first bad token or -1, error code).
    """
    g = start // rep
    r = start - g * rep
    for i in range(start, end):
        wi = 1.0
        if w is not None:
            wi = w[g]
            r += 1
            if r == rep:
                r = 0
                g += 1
        keep = True
        if mask is not None:
            keep = mask[i]
        if ignore is not None:
            keep = keep and (y[i] != ignore)
        if not keep:
            if out is not None:
                out[i] = 0.0
            continue
        k, ok = _token_code(y, i, None, 0, C)
        if not ok:
            return i, TRUE_NOT_FINITE if y.ndim == 2 else TRUE_OUT_OF_RANGE
        if w is not None:
            if not ((wi >= 0.0) and (wi < np.inf)):
                return i, WEIGHT_INVALID
        if out is not None:
            out[i] = np.float32(wi * cw[k])
        else:
            counts[k] += 1
            if w is not None:
                wsum[k] += wi
    return -1, OK


def class_count_chunks(y, C, w, rep, mask, ignore, chunk):
    """Per-chunk token counts and weighted counts per class.

    Parameters
    ----------
    y : 1-D array (n,) of class ids, or 2-D (n, C) one-hot rows (argmax,
        first maximum wins).
    C : int
        Number of classes; ids must lie in ``[0, C)``.
    w : 1-D float64 (G,) or None
        Token ``i`` has weight ``w[i // rep]``.
    rep : int
    mask : 1-D bool (n,) or None
    ignore : int or None
        Tokens with ``y[i] == ignore`` are skipped (ids only).
    chunk : int

    Returns
    -------
    counts : int64 (n_chunks, C)
    wsum : float64 (n_chunks, C), or (0, C) when unweighted
    bad_index, bad_code : int64 (n_chunks,)
    """
    n_chunks, bad_index, bad_code = _chunk_reports(y.shape[0], chunk)
    counts = np.zeros((n_chunks, C), dtype=np.int64)
    wsum = np.zeros((n_chunks if w is not None else 0, C), dtype=np.float64)
    over_chunks(_class_count_range, n_chunks, y, C, w, rep, mask, ignore, chunk,
                counts, wsum, bad_index, bad_code)
    return counts, wsum, bad_index, bad_code


@njit(cache=True, nogil=True)
def _class_count_range(c_lo, c_hi, y, C, w, rep, mask, ignore, chunk,
                       counts, wsum, bad_index, bad_code):
    """Chunks ``c_lo..c_hi`` of :func:`class_count_chunks`: writes their rows
    of ``counts`` and ``wsum`` and their entries of ``bad_index``/``bad_code``."""
    n = y.shape[0]
    no_w = np.zeros(0, dtype=np.float64)  # wsum has no rows when unweighted
    for c in range(c_lo, c_hi):
        start = c * chunk
        end = min(n, start + chunk)
        wrow = wsum[c] if w is not None else no_w
        bi, bc = _scan_range(y, C, w, rep, mask, ignore, start, end,
                             counts[c], wrow, None, None)
        bad_index[c] = bi
        bad_code[c] = bc


def temporal_weight_chunks(y, C, cw, w, rep, mask, ignore, out, chunk):
    """Write the per-token weight ``w[i // rep] * cw[y_i]`` (0 if skipped).

    Parameters are those of :func:`class_count_chunks`, plus ``cw`` (float64
    (C,) class weights) and ``out`` (float32 (n,), written in place).

    Returns
    -------
    bad_index, bad_code : int64 (n_chunks,)
    """
    n_chunks, bad_index, bad_code = _chunk_reports(y.shape[0], chunk)
    over_chunks(_temporal_weight_range, n_chunks, y, C, cw, w, rep, mask, ignore, out,
                chunk, bad_index, bad_code)
    return bad_index, bad_code


@njit(cache=True, nogil=True)
def _temporal_weight_range(c_lo, c_hi, y, C, cw, w, rep, mask, ignore, out, chunk,
                           bad_index, bad_code):
    """Chunks ``c_lo..c_hi`` of :func:`temporal_weight_chunks`: writes their
    tokens of ``out`` and their entries of ``bad_index``/``bad_code``."""
    n = y.shape[0]
    # _scan_range's count arrays, unused when it writes weights
    dummy_i = np.zeros(0, dtype=np.int64)
    dummy_f = np.zeros(0, dtype=np.float64)
    for c in range(c_lo, c_hi):
        start = c * chunk
        end = min(n, start + chunk)
        bi, bc = _scan_range(y, C, w, rep, mask, ignore, start, end,
                             dummy_i, dummy_f, cw, out)
        bad_index[c] = bi
        bad_code[c] = bc


# one function serves every size (the NumPy tier answers below config.NUMPY_MAX)
label_range_chunks_serial = label_range_chunks
class_count_chunks_serial = class_count_chunks
temporal_weight_chunks_serial = temporal_weight_chunks

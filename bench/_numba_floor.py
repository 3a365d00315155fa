"""A minimal cached parallel numba kernel: the start-up floor of numba itself.

bench/startup.py times the first call of ``histogram2`` in a fresh process
(cold and warm NUMBA_CACHE_DIR) to show how much of fastmetrics' first-call
latency any cached ``@njit(parallel=True, cache=True)`` kernel pays anyway.
"""

import numba
import numpy as np

CHUNK = 1 << 16


@numba.njit(parallel=True, cache=True)
def histogram2(a, b, num_classes):
    """Confusion-matrix-like histogram of (a, b) pairs; per-chunk buffers, fixed-order reduce."""
    n = a.shape[0]
    nchunks = (n + CHUNK - 1) // CHUNK
    buf = np.zeros((nchunks, num_classes * num_classes), dtype=np.int64)
    for c in numba.prange(nchunks):
        lo = c * CHUNK
        hi = min(lo + CHUNK, n)
        for i in range(lo, hi):
            buf[c, a[i] * num_classes + b[i]] += 1
    out = np.zeros(num_classes * num_classes, dtype=np.int64)
    for c in range(nchunks):
        out += buf[c]
    return out.reshape(num_classes, num_classes)

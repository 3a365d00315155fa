"""NumPy twins of ``_kernels/cpu/ranking.py``."""

import numpy as np


def first_distinct(y, out):
    """Twin of ``cpu.ranking.first_distinct``: up to ``len(out)`` distinct
    values of ``y`` in order of first appearance written to ``out``; returns
    how many were found, or ``len(out) + 1`` when there are more.  Each NaN
    counts as a new value, as in the kernel (NaN != NaN)."""
    cap = out.shape[0]
    if y.shape[0] == 0:
        return 0
    rest = np.ones(y.shape[0], dtype=np.bool_)
    k = 0
    while True:
        i = int(np.argmax(rest))
        if not rest[i]:
            return k
        if k == cap:
            return k + 1
        v = y[i]
        out[k] = v
        k += 1
        rest &= y != v
        rest[i] = False

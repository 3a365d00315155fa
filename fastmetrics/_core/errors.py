"""Kernel error reports -> messages that name the argument and the first bad token.

A kernel never raises: it returns the code (``_kernels/codes.py``) and flat
index of the first bad token of each chunk.  Chunks are in token order, so the
first chunk that reports holds the first bad token of the input.
"""

import numpy as np


class KernelInputError(ValueError):
    """Raised with the first bad token; callers may catch it to fall back."""

    def __init__(self, code, index, message):
        super().__init__(message)
        self.code = code
        self.index = index


def token_position(index, token_shape):
    """Position of flat token ``index`` for messages: an int for 1-D token
    shapes (or None), else a tuple of indices into ``token_shape``."""
    if token_shape is None or len(token_shape) <= 1:
        return int(index)
    return tuple(int(i) for i in np.unravel_index(int(index), token_shape))


def first_bad(bad_index, bad_code):
    """``(code, flat index)`` of the first bad token over per-chunk reports
    (index -1 = chunk clean), or None when every chunk is clean."""
    hit = np.flatnonzero(bad_index >= 0)
    if hit.size == 0:
        return None
    c = hit[0]
    return int(bad_code[c]), int(bad_index[c])

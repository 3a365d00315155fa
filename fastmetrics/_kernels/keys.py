"""The folded score-key layout of the streaming AUC bins (plain NumPy, no Numba).

A score ``x`` maps to an order-preserving integer key in ``[0, KEY_MAX]``:
scores up to 1/2 by their distance from 0, scores above 1/2 by their distance
from 1 (folded), both through the float32 bit pattern of that distance, so
each octave of the distance gets the same number of keys.  The CPU kernels
(``cpu/ranking_stream.fold_key``) and the Keras XLA path (``keras/_xla``)
compute the same keys from these constants.
"""

import numpy as np

LO = 0x20000000  # float32 bit pattern of 2**-63 (smallest magnitude kept)
R = 0x3F800000  # float32 bit pattern of 2**64, minus LO (largest magnitude)
K0 = R + 2 + (0x3F000000 - LO)  # key of 0.5
KEY_MAX = 2 * K0  # largest folded key (< 2**32)
TINY = np.float32(2.0**-63)
HUGE = 2.0**64

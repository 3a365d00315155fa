"""Tunables in one place: chunk sizes and the sizes at which a path changes.

Read at call time (``config.CHUNK``, not ``from config import CHUNK``), so a
test or a benchmark may change one for a while.  No value here changes a
result: chunking is by a fixed size, never by the thread count, and partial
tables are reduced in a fixed order (results do not depend on the threads).
"""

import os

# Inputs of at most this many tokens (rows of (n, C) scores), and at most
# NUMPY_MAX_ELEMENTS values in their largest array, are computed by the NumPy
# twins of the kernels (``_kernels/numpy``): no Numba import, no compile, and
# at this size NumPy answers in milliseconds.  -1 sends everything to the
# compiled kernels (the parity tests do).  Overridden by the environment
# variable FASTMETRICS_NUMPY_MAX at import.  Not above CHUNK: a twin computes
# one chunk, as the kernel does for that many tokens (same summation order).
NUMPY_MAX = int(os.environ.get("FASTMETRICS_NUMPY_MAX", 1 << 16))
# The elements cap bounds the twins' temporaries (8 MiB per float64 array)
# for wide score rows (a vocabulary-sized C).
NUMPY_MAX_ELEMENTS = 1 << 20

# Tokens per chunk of the count, loss, calibration and weighting kernels.
CHUNK = 1 << 16
# Rows per chunk of the multiclass ranking kernels (a row holds C scores).
RANKING_CHUNK = 1 << 14
# Upper bound on the per-chunk tables held at once (int64 / float64 entries).
MAX_TABLE_ENTRIES = 1 << 22

# Confusion counts: score rows with at most this many classes use the argmax
# kernel specialised on the class count.
MAX_STATIC_CLASSES = 64
# Losses: the same for the dense cross-entropy kernels.
LOSS_MAX_STATIC_CLASSES = 32

# task=None classification: integer labels in [0, GUESS_LABELS) are counted
# without a label-discovery pass; label ranges up to MAX_LABEL_RANGE with an
# offset table (larger ones through np.unique).
GUESS_LABELS = 32
MAX_LABEL_RANGE = 256
# Large non-contiguous inputs are read in slabs of about this many elements.
SLAB_ELEMENTS = 1 << 21

# Ranking: below this many scores the serial radix path is as fast as the
# parallel bucket sort and compiles faster.
PARALLEL_MIN = 1 << 16
# Streaming AUC parallel update: a part holds at least PART_MIN_SCORES scores
# and 8 tokens per table cell (a part table costs page faults and a reduction
# pass, ~0.1-0.3 ms per MiB); at most MAX_PARTS parts and PARTS_BYTES of part
# tables.
PART_MIN_SCORES = 1 << 21
MAX_PARTS = 16
PARTS_BYTES = 64 << 20

# Class weights "balanced" without num_classes: labels are first counted into
# a table of this size; a label outside it falls back to a pass for the largest.
GUESS_CLASSES = 64

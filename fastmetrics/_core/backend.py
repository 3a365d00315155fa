"""The backend seam: every kernel call of the package goes through here.

:func:`kernels` picks the kernel module of a family for where the arrays
live and how many tokens they hold: NumPy arrays of at most
``config.NUMPY_MAX`` tokens go to the NumPy twins (``_kernels/numpy``: same
function names, arguments and results, no Numba), larger ones to the
compiled kernels (``_kernels/cpu``); ``_kernels/cuda`` will mirror the same
names.  The ``as_kernel_*`` helpers normalise dtypes and layouts before a
kernel sees an array: each distinct (dtype, layout) is one more Numba
compile, so this is the one place that decides how many specialisations
exist (bool -> uint8 views, float16 -> float32, native byte order,
C-contiguous).

Kernel modules are imported on first use, never at ``import fastmetrics``
(Numba's import alone takes about 0.4 s, its first cached kernel load about
0.5 s more): a small input never imports Numba at all.
"""

import importlib

import numpy as np

from .. import config

_DEVICES = ("cpu",)


def device_of(*arrays):
    """Where the arrays live: ``"cpu"`` for NumPy (and anything NumPy reads).

    Raises TypeError for device arrays (``__cuda_array_interface__``) until a
    CUDA backend is registered in ``_DEVICES``.
    """
    for a in arrays:
        if a is not None and not isinstance(a, np.ndarray) and hasattr(
                a, "__cuda_array_interface__"):
            if "cuda" not in _DEVICES:
                raise TypeError(
                    f"{type(a).__name__} lives on a CUDA device; this build of "
                    "fastmetrics computes on the CPU: pass NumPy arrays "
                    "(e.g. .get() or .cpu().numpy())."
                )
            return "cuda"
    return "cpu"


def kernels(family, *arrays, n=None, elements=None):
    """The kernel module of ``family`` ("confusion", "ranking", "losses", ...)
    for the device the ``arrays`` live on.

    With ``n`` (the number of tokens the call reads: rows of an (n, C) score
    array) at most ``config.NUMPY_MAX``, and ``elements`` (the size of its
    largest array, default ``n``) at most ``config.NUMPY_MAX_ELEMENTS``, CPU
    calls get the family's NumPy tier instead: its NumPy twins, and the
    compiled kernel for a name without a twin.
    """
    device = device_of(*arrays)
    elements = n if elements is None else elements
    if (device == "cpu" and n is not None and n <= config.NUMPY_MAX
            and elements <= config.NUMPY_MAX_ELEMENTS):
        tier = _NUMPY_TIERS.get(family)
        if tier is None:
            tier = _NUMPY_TIERS[family] = NumpyTier(family)
        return tier
    return importlib.import_module(f"fastmetrics._kernels.{device}.{family}")


class NumpyTier:
    """A family's kernels for small inputs: ``tier.name`` is the NumPy twin
    ``_kernels/numpy/<family>.name`` when it exists, else the compiled
    ``_kernels/cpu/<family>.name`` (imported only then)."""

    def __init__(self, family):
        self.family = family
        try:
            self.twins = importlib.import_module(f"fastmetrics._kernels.numpy.{family}")
        except ModuleNotFoundError as e:
            if e.name != f"fastmetrics._kernels.numpy.{family}":
                raise
            self.twins = None

    def __getattr__(self, name):
        if self.twins is not None and hasattr(self.twins, name):
            return getattr(self.twins, name)
        cpu = importlib.import_module(f"fastmetrics._kernels.cpu.{self.family}")
        return getattr(cpu, name)


_NUMPY_TIERS = {}


def by_size(module, name, n, chunk=None):
    """``module.name`` (parallel over chunks) for more than one chunk of ``n``
    tokens, else its serial twin ``name + "_serial"`` (compiles faster)."""
    chunk = config.CHUNK if chunk is None else chunk
    return getattr(module, name if n > chunk else name + "_serial")


def chunk_for(n, table_size):
    """Chunk size for ``n`` tokens: ``config.CHUNK`` unless the per-chunk
    tables of ``table_size`` entries would exceed ``config.MAX_TABLE_ENTRIES``."""
    max_chunks = max(1, config.MAX_TABLE_ENTRIES // max(table_size, 1))
    chunk = config.CHUNK
    if (n + chunk - 1) // chunk > max_chunks:
        chunk = -(-n // max_chunks)
        chunk = -(-chunk // 1024) * 1024  # a whole number of kernel blocks
    return max(chunk, 1)


def as_kernel_ints(a):
    """Labels or ids as a kernel takes them: bool as a uint8 view (no copy)."""
    return a.view(np.uint8) if a.dtype.kind == "b" else a


def as_kernel_numbers(a):
    """Labels or scores as a kernel takes them: bool as a uint8 view, float16
    as float32 (exact), non-native byte order as native."""
    if a.dtype.kind == "b":
        return a.view(np.uint8)
    if a.dtype == np.float16:
        return a.astype(np.float32)
    if not a.dtype.isnative:
        return a.astype(a.dtype.newbyteorder("="))
    return a


def as_kernel_weights(w):
    """Weights as the kernels take them: C-contiguous float64 (one compiled
    variant, exact sums)."""
    return None if w is None else np.ascontiguousarray(w, dtype=np.float64)

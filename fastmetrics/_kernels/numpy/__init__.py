"""NumPy twins of the compiled kernels, for inputs of at most
``config.NUMPY_MAX`` tokens.

Each module mirrors the file of the same name in ``_kernels/cpu``: a twin has
the kernel's name, arguments and results (error reports included), so the
family code calls either without a branch; ``_core.backend.kernels`` picks
one by input size.  Counts are exact in both; weighted sums agree to
rounding (NumPy sums pairwise, the kernels in fixed chunks).  Nothing here
imports Numba.
"""

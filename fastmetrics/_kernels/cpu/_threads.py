"""Chunked kernels on a thread pool instead of ``parallel=True``.

A ``parallel=True`` kernel compiles 2-4 times slower than the same loop
without it (the parfor passes and the gufunc it generates), and it is
compiled once more for its serial twin.  Here a kernel is one serial
``nogil`` function over a range of chunks, ``kernel(c_lo, c_hi, *args)``,
writing each chunk's partial results into its own rows of arrays allocated
by the caller; :func:`over_chunks` runs contiguous ranges of chunks on
threads.  The chunk size never depends on the thread count and the caller
reduces the rows in chunk order, so results are identical for any number of
threads.
"""

import itertools
import os
import threading
import types
from concurrent.futures import ThreadPoolExecutor

import numba

# ranges per thread: a little dynamic balance (chunks differ in cost where
# tokens are masked) without many calls
_RANGES_PER_THREAD = 2
_pool = None
_pool_key = None  # (process id, threads) the pool was made for
_pool_lock = threading.Lock()


def n_threads():
    """Threads for the chunked kernels: ``NUMBA_NUM_THREADS`` (default: the
    CPU count), as for Numba's own parallel kernels."""
    return max(1, numba.config.NUMBA_NUM_THREADS)


def _executor(threads):
    """The pool, made anew for a new thread count or in a forked child (a
    child inherits the pool object but not its threads: tasks would wait
    forever)."""
    global _pool, _pool_key
    key = (os.getpid(), threads)
    with _pool_lock:
        if _pool_key != key:
            if _pool is not None and _pool_key[0] == key[0]:
                _pool.shutdown(wait=False)
            _pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="fastmetrics")
            _pool_key = key
        return _pool


def over_chunks(kernel, n_chunks, *args):
    """Run ``kernel(c_lo, c_hi, *args)`` over ``[0, n_chunks)``: in the
    calling thread for one chunk (or one thread), else in contiguous ranges
    taken in turn by the caller and ``threads - 1`` pool threads.  ``kernel``
    must be ``nogil`` and write only the rows of its own chunks."""
    threads = min(n_threads(), n_chunks)
    if threads <= 1:
        kernel(0, n_chunks, *args)
        return
    ranges = min(n_chunks, threads * _RANGES_PER_THREAD)
    bounds = [n_chunks * i // ranges for i in range(ranges + 1)]
    tickets = itertools.count()  # next() is atomic under the GIL

    def work():
        for i in tickets:
            if i >= ranges:
                return
            kernel(bounds[i], bounds[i + 1], *args)

    pool = _executor(threads - 1)
    futures = [pool.submit(work) for _ in range(threads - 1)]
    work()
    for f in futures:
        f.result()


def parallel_twins(py_func, **options):
    """A ``parallel=True`` kernel and its serial twin (same code, no thread
    launch), for the kernels not yet written as chunk ranges for
    :func:`over_chunks`.  Both are cached on disk under distinct names;
    ``options`` (e.g. ``error_model``) go to both ``njit`` calls."""
    name = py_func.__name__
    serial = types.FunctionType(py_func.__code__, py_func.__globals__, name + "_serial",
                                py_func.__defaults__, py_func.__closure__)
    serial.__qualname__ = name + "_serial"
    serial.__doc__ = py_func.__doc__
    return (numba.njit(parallel=True, cache=True, **options)(py_func),
            numba.njit(cache=True, **options)(serial))

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
import queue
import threading
import types

import numba

# ranges per thread: a little dynamic balance (chunks differ in cost where
# tokens are masked) without many calls
_RANGES_PER_THREAD = 2
_tasks = None      # the workers' queue
_tasks_key = None  # (process id, workers) it was made for
_tasks_lock = threading.Lock()


def n_threads():
    """Threads for the chunked kernels: ``NUMBA_NUM_THREADS`` (default: the
    CPU count), as for Numba's own parallel kernels."""
    return max(1, numba.config.NUMBA_NUM_THREADS)


def _worker(tasks):
    while True:
        task = tasks.get()
        if task is None:
            return
        task()


def _workers(n):
    """The queue of ``n`` daemon worker threads, made anew for a new count or
    in a forked child (a child inherits the queue but not the threads that
    serve it)."""
    global _tasks, _tasks_key
    key = (os.getpid(), n)
    with _tasks_lock:
        if _tasks_key != key:
            if _tasks is not None and _tasks_key[0] == key[0]:
                for _ in range(_tasks_key[1]):
                    _tasks.put(None)  # the old workers stop
            _tasks = queue.SimpleQueue()
            for _ in range(n):
                threading.Thread(target=_worker, args=(_tasks,), daemon=True,
                                 name="fastmetrics").start()
            _tasks_key = key
        return _tasks


def over_chunks(kernel, n_chunks, *args):
    """Run ``kernel(c_lo, c_hi, *args)`` over ``[0, n_chunks)``: in the
    calling thread for one chunk (or one thread), else in contiguous ranges
    taken in turn by the caller and ``threads - 1`` worker threads.
    ``kernel`` must be ``nogil`` and write only the rows of its own chunks.

    The caller returns when every range has run, without waiting for a
    worker that took none (waking a thread costs 50-100 µs; a worker that
    wakes late finds no range left)."""
    threads = min(n_threads(), n_chunks)
    if threads <= 1:
        kernel(0, n_chunks, *args)
        return
    ranges = min(n_chunks, threads * _RANGES_PER_THREAD)
    bounds = [n_chunks * i // ranges for i in range(ranges + 1)]
    tickets = itertools.count()  # next() is atomic under the GIL
    finished = itertools.count(1)
    all_done = threading.Event()
    errors = []
    # the arrays, dropped when every range has run: a worker that wakes late
    # holds ``work`` and must not keep a slab or a table alive
    job = [kernel, args]

    def work():
        for i in tickets:
            if i >= ranges:
                return
            try:
                job[0](bounds[i], bounds[i + 1], *job[1])
            except BaseException as e:  # raised in the caller below
                errors.append(e)
            if next(finished) == ranges:
                all_done.set()

    tasks = _workers(threads - 1)
    for _ in range(threads - 1):
        tasks.put(work)
    work()
    all_done.wait()
    job.clear()
    if errors:
        raise errors[0]


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

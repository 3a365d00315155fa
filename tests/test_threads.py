"""The thread pool under the chunked kernels (fastmetrics/_kernels/cpu/_threads.py)."""

import multiprocessing
import threading

import numpy as np
import pytest

from fastmetrics._kernels.cpu import _threads


def _record(c_lo, c_hi, seen, who):
    for c in range(c_lo, c_hi):
        seen[c] += 1
        who[c] = threading.get_ident()


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("n_chunks", [1, 2, 5, 64])
def test_every_chunk_runs_once(monkeypatch, threads, n_chunks):
    monkeypatch.setattr(_threads, "n_threads", lambda: threads)
    seen = np.zeros(n_chunks, dtype=np.int64)
    who = np.zeros(n_chunks, dtype=np.int64)
    _threads.over_chunks(_record, n_chunks, seen, who)
    assert (seen == 1).all()
    if threads == 1 or n_chunks == 1:
        assert (who == threading.get_ident()).all()


def test_a_kernel_error_reaches_the_caller(monkeypatch):
    monkeypatch.setattr(_threads, "n_threads", lambda: 2)

    def kernel(c_lo, c_hi):
        if c_lo <= 5 < c_hi:
            raise ValueError("chunk 5")

    with pytest.raises(ValueError, match="chunk 5"):
        _threads.over_chunks(kernel, 16)


def _in_child(_):
    seen = np.zeros(32, dtype=np.int64)
    _threads.over_chunks(_record, 32, seen, np.zeros(32, dtype=np.int64))
    return int(seen.sum())


def test_a_forked_child_gets_its_own_pool(monkeypatch):
    """A child inherits the pool object but not its threads; without a new
    pool its tasks would wait forever."""
    monkeypatch.setattr(_threads, "n_threads", lambda: 2)
    assert _in_child(None) == 32  # the parent's pool exists now
    with multiprocessing.get_context("fork").Pool(2) as pool:
        assert pool.map(_in_child, [0, 1], chunksize=1) == [32, 32]


def test_the_caller_does_not_wait_for_a_busy_worker(monkeypatch):
    """With the only worker busy elsewhere, the caller runs every range
    itself and returns: it waits for ranges, not for threads."""
    monkeypatch.setattr(_threads, "n_threads", lambda: 2)
    release = threading.Event()
    _threads._workers(1).put(release.wait)  # occupy the worker
    seen = np.zeros(8, dtype=np.int64)
    who = np.zeros(8, dtype=np.int64)
    caller = threading.Thread(target=_threads.over_chunks, args=(_record, 8, seen, who))
    caller.start()
    caller.join(timeout=30)
    finished = not caller.is_alive()
    release.set()
    assert finished, "over_chunks waited for the busy worker"
    assert (seen == 1).all() and (who == caller.ident).all()


def test_a_late_worker_keeps_no_arrays_alive(monkeypatch):
    """The caller may return before a worker wakes; the work the worker
    then finds must not hold the call's arrays (bounded-memory slabs)."""
    import gc
    import weakref

    monkeypatch.setattr(_threads, "n_threads", lambda: 2)
    release = threading.Event()
    _threads._workers(1).put(release.wait)  # the worker wakes only later
    seen = np.zeros(8, dtype=np.int64)
    ref = weakref.ref(seen)
    _threads.over_chunks(_record, 8, seen, np.zeros(8, dtype=np.int64))
    del seen
    gc.collect()
    alive = ref() is not None
    release.set()
    assert not alive, "a queued task kept the call's arrays"

"""Shared pieces of the fastmetrics benchmark harness.

Used by ``bench/compare.py`` (the side-by-side table), ``bench/startup.py``
(import / first-call latency) and ``bench/test_bench_classification.py``
(pytest-benchmark).  Nothing here imports fastmetrics at module import time,
so the harness works (peers only) while the library is missing or broken.

Data model (the issue's benchmark case)
---------------------------------------
* ``n`` tokens (default 10M), 7 classes, int64 labels.
* Class frequencies are geometric, p_k proportional to 9 ** (-k / 6), so the rarest
  class is 9x rarer than the most common one ("about 1:9 imbalance").
* ``y_pred`` equals ``y_true`` for 80 % of tokens, else a uniformly random class.
* ``probs`` is an (N, T, 7) float32 array of probabilities whose argmax is
  ``y_pred`` (so every confusion matrix in the benchmark is the same matrix,
  which the harness checks).
"""

from __future__ import annotations

import gc
import importlib
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field

import numpy as np

NUM_CLASSES = 7
IMBALANCE = 9.0
ACCURACY = 0.8
SEED = 20261122


# --------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------
def class_probabilities(num_classes: int = NUM_CLASSES, imbalance: float = IMBALANCE) -> np.ndarray:
    p = imbalance ** (-np.arange(num_classes) / (num_classes - 1))
    return p / p.sum()


def seq_shape(n: int, t: int = 1000) -> tuple[int, int]:
    """(N, T) with N * T == n when possible (T = 1000 when n is a multiple)."""
    if n % t == 0:
        return n // t, t
    for cand in (500, 256, 200, 128, 100, 64, 50, 32, 10, 8, 4, 2):
        if n % cand == 0:
            return n // cand, cand
    return n, 1


@dataclass
class Data:
    n: int
    y_true: np.ndarray          # (n,) int64
    y_pred: np.ndarray          # (n,) int64
    y_true_2d: np.ndarray       # (N, T) int64 view of y_true
    probs: np.ndarray | None    # (N, T, 7) float32, argmax == y_pred
    expected_cm: np.ndarray     # (7, 7) int64 reference matrix (numpy bincount)
    extra: dict = field(default_factory=dict)


def make_data(n: int, *, with_probs: bool = True, seed: int = SEED) -> Data:
    rng = np.random.default_rng(seed)
    p = class_probabilities()
    y_true = rng.choice(NUM_CLASSES, size=n, p=p).astype(np.int64)
    wrong = rng.random(n) >= ACCURACY
    y_pred = y_true.copy()
    y_pred[wrong] = rng.integers(0, NUM_CLASSES, size=int(wrong.sum()), dtype=np.int64)
    N, T = seq_shape(n)
    y_true_2d = y_true.reshape(N, T)
    probs = None
    if with_probs:
        probs = rng.random((n, NUM_CLASSES), dtype=np.float32)
        # the predicted class gets >= 1.0 while every other entry is < 1.0,
        # so argmax(probs) == y_pred exactly (no ties)
        probs[np.arange(n), y_pred] += np.float32(1.0)
        probs /= probs.sum(axis=1, keepdims=True, dtype=np.float32)
        probs = probs.reshape(N, T, NUM_CLASSES)
    expected = np.bincount(y_true * NUM_CLASSES + y_pred, minlength=NUM_CLASSES ** 2)
    expected = expected.reshape(NUM_CLASSES, NUM_CLASSES).astype(np.int64)
    return Data(n, y_true, y_pred, y_true_2d, probs, expected)


# --------------------------------------------------------------------------
# optional packages
# --------------------------------------------------------------------------
def add_size_args(ap, threads_help: str = "threads for numba (default: all)") -> None:
    """The size / repeat / output options every compare_*.py script takes:
    ``--n``, ``--quick`` (n = 1M, k = 3), ``--k``, ``--json``, ``--threads``."""
    ap.add_argument("--n", type=int, default=None)
    ap.add_argument("--quick", action="store_true", help="n = 1M, k = 3")
    ap.add_argument("--k", type=int, default=None)
    ap.add_argument("--json", default=None, help="write the results as JSON here")
    ap.add_argument("--threads", type=int, default=None,
                    help=threads_help + "; 1 gives stable numbers on a shared machine")


def try_import(name: str):
    """Return (module, None) or (None, reason) -- never raises."""
    try:
        return importlib.import_module(name), None
    except Exception as exc:  # ImportError, or a broken install
        return None, f"{type(exc).__name__}: {exc}".splitlines()[0][:200]


def version_of(name: str) -> str:
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:
        return "not installed"


# --------------------------------------------------------------------------
# bandwidth kernels (numba, parallel): the "read every byte once" floor
# --------------------------------------------------------------------------
_READ_CHUNK = 1 << 16  # int64 words per chunk (512 KiB)
_kernels = {}


def _get_read_kernel():
    if "read" in _kernels:
        return _kernels["read"]
    import numba

    @numba.njit(parallel=True, cache=False, nogil=True)
    def read_sum_i64(a):
        # integer adds vectorise (no FP reassociation issue), so this loop is
        # bound by memory / cache bandwidth, not by add latency
        n = a.shape[0]
        nchunks = (n + _READ_CHUNK - 1) // _READ_CHUNK
        partial = np.zeros(nchunks, dtype=np.int64)
        for c in numba.prange(nchunks):
            lo = c * _READ_CHUNK
            hi = min(lo + _READ_CHUNK, n)
            s = np.int64(0)
            for i in range(lo, hi):
                s += a[i]
            partial[c] = s
        return partial.sum()

    _kernels["read"] = read_sum_i64
    return read_sum_i64


def as_words(arr: np.ndarray) -> np.ndarray:
    """View the raw bytes of a contiguous array as int64 words (no copy)."""
    flat = np.ascontiguousarray(arr).reshape(-1)
    nbytes = flat.nbytes
    if nbytes % 8:
        flat = flat.view(np.uint8)[: nbytes - nbytes % 8]
    return flat.view(np.int64)


def read_once(*arrays: np.ndarray) -> int:
    """Read every byte of each array once with the parallel numba kernel."""
    k = _get_read_kernel()
    s = 0
    for a in arrays:
        s += int(k(as_words(a)))
    return s


def measure_bandwidth(nbytes: int = 2 << 30, k: int = 7) -> dict:
    """Bandwidth of the parallel read kernel over a large (default 2 GiB) array."""
    words = np.ones(nbytes // 8, dtype=np.int64)  # touched -> pages are resident
    k_fn = _get_read_kernel()
    k_fn(words[:1024])  # compile
    t = time_call(lambda: k_fn(words), k=k, warmup=1)
    del words
    gc.collect()
    return {"bytes": nbytes, "best_s": t.best, "median_s": t.median,
            "GBps_best": nbytes / t.best / 1e9, "GBps_median": nbytes / t.median / 1e9}


# --------------------------------------------------------------------------
# timing
# --------------------------------------------------------------------------
@dataclass
class Timing:
    best: float
    median: float
    times: list

    @property
    def k(self) -> int:
        return len(self.times)


def time_call(fn, *, k: int = 7, warmup: int = 1) -> Timing:
    """best-of-k and median-of-k wall time (time.perf_counter) of ``fn()``.

    ``warmup`` untimed calls come first (they absorb JIT compilation, page
    faults of freshly allocated outputs and lazy imports).  The garbage
    collector is disabled around each timed call, like timeit does.
    """
    for _ in range(warmup):
        fn()
    times = []
    gc_was = gc.isenabled()
    try:
        for _ in range(k):
            gc.collect()
            gc.disable()
            t0 = time.perf_counter()
            fn()
            t1 = time.perf_counter()
            if gc_was:
                gc.enable()
            times.append(t1 - t0)
    finally:
        if gc_was:
            gc.enable()
    return Timing(min(times), statistics.median(times), times)


# --------------------------------------------------------------------------
# machine description
# --------------------------------------------------------------------------
def _cpuinfo_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total_gib() -> float | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 ** 2
    except OSError:
        pass
    return None


def _caches() -> str:
    out = []
    base = "/sys/devices/system/cpu/cpu0/cache"
    try:
        for idx in sorted(os.listdir(base)):
            p = os.path.join(base, idx)
            try:
                lvl = open(os.path.join(p, "level")).read().strip()
                typ = open(os.path.join(p, "type")).read().strip()
                size = open(os.path.join(p, "size")).read().strip()
            except OSError:
                continue
            if typ == "Instruction":
                continue
            out.append(f"L{lvl} {size}")
    except OSError:
        pass
    return ", ".join(out) or "unknown"


def machine_description() -> dict:
    d = {
        "cpu": _cpuinfo_model(),
        "logical_cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "caches_per_cpu0": _caches(),
        "memory_GiB": round(_mem_total_gib() or 0, 1),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "numpy": version_of("numpy"),
        "numba": version_of("numba"),
        "llvmlite": version_of("llvmlite"),
        "scikit-learn": version_of("scikit-learn"),
        "torch": version_of("torch"),
        "torchmetrics": version_of("torchmetrics"),
        "fastmetrics": version_of("fastmetrics"),
        "NUMBA_NUM_THREADS(env)": os.environ.get("NUMBA_NUM_THREADS", "unset"),
        "loadavg": " ".join(open("/proc/loadavg").read().split()[:3]) if os.path.exists("/proc/loadavg") else "?",
    }
    try:
        import numba

        d["numba_num_threads"] = numba.config.NUMBA_NUM_THREADS
        try:
            d["numba_threading_layer"] = numba.threading_layer()
        except Exception:
            d["numba_threading_layer"] = "not initialised yet"
    except Exception:
        pass
    torch, _ = try_import("torch")
    if torch is not None:
        d["torch_num_threads"] = torch.get_num_threads()
    d["repo_commit"] = _git_head()
    d["fastmetrics_source"] = source_fingerprint()
    return d


def source_fingerprint() -> str:
    """sha256 (12 hex) of fastmetrics/**/*.py and the newest mtime: which code was measured."""
    import hashlib

    root = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fastmetrics")
    h = hashlib.sha256()
    newest = 0.0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for fn in sorted(filenames):
            if fn.endswith(".py"):
                p = os.path.join(dirpath, fn)
                h.update(os.path.relpath(p, root).encode())
                with open(p, "rb") as f:
                    h.update(f.read())
                newest = max(newest, os.path.getmtime(p))
    if newest == 0:
        return "not found"
    stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(newest))
    return f"sha256 {h.hexdigest()[:12]}, newest file {stamp}"


def _git_head() -> str:
    """HEAD commit of the repo (read-only: parses .git, runs no git command)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        head = open(os.path.join(root, ".git", "HEAD")).read().strip()
        if head.startswith("ref:"):
            ref = head.split(None, 1)[1]
            p = os.path.join(root, ".git", ref)
            if os.path.exists(p):
                return open(p).read().strip()[:12]
            packed = os.path.join(root, ".git", "packed-refs")
            if os.path.exists(packed):
                for line in open(packed):
                    if line.strip().endswith(ref):
                        return line.split()[0][:12]
            return "no commits yet"
        return head[:12]
    except OSError:
        return "unknown"


# --------------------------------------------------------------------------
# numba compile accounting (to spot compiles inside timed regions)
# --------------------------------------------------------------------------
class CompileCounter:
    """Counts numba compilations (``numba:compile`` events) while installed.

    ``numba:compile`` fires only for real compilations, not for loads from the
    on-disk cache, so a warm-cache first call should show zero.
    """

    def __init__(self):
        self.events = []  # (qualname, seconds) of outermost compiles
        self._depth = 0
        self._t0 = None
        self._listener = None
        self.total = 0  # every compile, nested ones included

    def __enter__(self):
        from numba.core import event as ev

        counter = self

        class _L(ev.Listener):
            def on_start(self, event):
                counter.total += 1
                if counter._depth == 0:
                    counter._t0 = time.perf_counter()
                counter._depth += 1

            def on_end(self, event):
                counter._depth -= 1
                if counter._depth == 0:
                    disp = (event.data or {}).get("dispatcher")
                    name = getattr(getattr(disp, "py_func", None), "__qualname__", repr(disp))
                    counter.events.append((name, time.perf_counter() - counter._t0))

        self._listener = _L()
        ev.register("numba:compile", self._listener)
        return self

    def __exit__(self, *exc):
        from numba.core import event as ev

        ev.unregister("numba:compile", self._listener)
        return False

    @property
    def seconds(self) -> float:
        return sum(s for _, s in self.events)


def fastmetrics_dispatchers() -> dict:
    """name -> numba Dispatcher for every dispatcher reachable from fastmetrics modules."""
    try:
        from numba.core.dispatcher import Dispatcher
    except Exception:
        return {}
    found = {}
    for modname, mod in list(sys.modules.items()):
        if not (modname == "fastmetrics" or modname.startswith("fastmetrics.")) or mod is None:
            continue
        for attr, obj in list(vars(mod).items()):
            if isinstance(obj, Dispatcher):
                found[f"{obj.py_func.__module__}.{obj.py_func.__qualname__}"] = obj
    return found


def dispatcher_summary() -> dict:
    """Signatures compiled and cache hits / misses of fastmetrics' dispatchers."""
    out = {}
    for name, d in fastmetrics_dispatchers().items():
        try:
            st = d.stats
            hits = sum(st.cache_hits.values())
            misses = sum(st.cache_misses.values())
            cache_path = st.cache_path
        except Exception:
            hits = misses = None
            cache_path = None
        out[name] = {"signatures": len(d.signatures), "cache_hits": hits,
                     "cache_misses": misses, "cache_path": cache_path,
                     "cache_enabled": type(getattr(d, "_cache", None)).__name__ != "NullCache"}
    return out


# --------------------------------------------------------------------------
# other processes' CPU use (a concurrent job ruins 2-core parallel timings)
# --------------------------------------------------------------------------
def _read_jiffies():
    with open("/proc/stat") as f:
        parts = f.readline().split()[1:]
    vals = [int(x) for x in parts[:8]]
    user, nice, system, idle, iowait, irq, softirq, steal = vals + [0] * (8 - len(vals))
    busy = user + nice + system + irq + softirq + steal
    with open("/proc/self/stat") as f:
        s = f.read()
    fields = s[s.rfind(")") + 2:].split()
    # utime + stime (all threads) + cutime + cstime (waited-for children, e.g.
    # the fresh processes of bench/startup.py)
    own = int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    return busy, busy + idle + iowait, own


class ForeignCPU:
    """Share of the machine's CPU time used by *other* processes in a block.

    From /proc/stat and /proc/self/stat (clock-tick resolution, so only
    meaningful over tens of milliseconds or more).  None where /proc is absent.
    """

    def __enter__(self):
        try:
            self._a = _read_jiffies()
        except Exception:
            self._a = None
        self.fraction = None
        return self

    def __exit__(self, *exc):
        if self._a is None:
            return False
        try:
            b = _read_jiffies()
        except Exception:
            return False
        busy, total, own = (b[i] - self._a[i] for i in range(3))
        if total > 0:
            self.fraction = max(0.0, (busy - own) / total)
        return False


def foreign_cpu(seconds: float = 1.0):
    """Other processes' share of all CPUs over ``seconds`` (idle wait)."""
    with ForeignCPU() as fc:
        time.sleep(seconds)
    return fc.fraction


def wait_until_idle(max_wait_s: float, threshold: float = 0.05, quiet_s: float = 10.0,
                    log=print) -> float | None:
    """Wait (up to max_wait_s) until other processes have used < threshold of
    the CPUs for ``quiet_s`` seconds in a row.  Returns the last measured share."""
    t_end = time.time() + max_wait_s
    quiet = 0.0
    last_log = 0.0
    frac = None
    while True:
        frac = foreign_cpu(2.0)
        if frac is None:
            return None
        quiet = quiet + 2.0 if frac < threshold else 0.0
        if quiet >= quiet_s or time.time() >= t_end:
            return frac
        if frac >= threshold and time.time() - last_log > 60:
            log(f"  machine busy: other processes use {frac:.0%} of the CPUs; waiting ...")
            last_log = time.time()

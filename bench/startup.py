"""What a user waits for: ``import fastmetrics`` plus the first call of a
function, in a fresh process, with a cold and a warm Numba cache.

    python bench/startup.py [--calls cm,f1,...] [--sizes 10000,1000000]
        [--repeats 3] [--cold-repeats 1] [--root PATH] [--json PATH]

Every number comes from a fresh ``python`` subprocess.  In the child, NumPy
is imported and the inputs are built first (untimed), then ``import
fastmetrics`` and the first call are timed with ``time.perf_counter``; a
second call is timed too (the warm in-process cost).  The child reports
whether Numba was imported, and how many kernel signatures were compiled and
how many loaded from the cache (the dispatchers' cache statistics).

Cache states:

* cold: ``NUMBA_CACHE_DIR`` is a new, empty directory for every repeat, so
  every kernel the call needs is compiled (what a user sees on the first run
  after installing, or after an upgrade);
* warm: one cache directory, filled by one untimed run, then every repeat
  loads from it (what a user sees on every later run).

``--root`` runs another checkout (the folder holding ``fastmetrics/``), for
before / after tables.  The medians are printed as a markdown table with the
issue-12 targets: warm import + first call <= 0.5 s up to 50,000 tokens and
<= 0.9 s at 1M; cold <= 2 s for most calls and never above 3 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# name -> (what it calls, the statement run in the child on the inputs below)
CALLS = {
    "cm": ("confusion_matrix(y_true, y_pred), int64 ids",
           "fm.confusion_matrix(y7, p7)"),
    "f1": ("f1_score(..., average='macro')",
           "fm.f1_score(y7, p7, average='macro')"),
    "report": ("classification_report(y_true, y_pred)",
               "fm.classification_report(y7, p7)"),
    "cm_seq": ("confusion_matrix on (N, T, 7) float32 probs + mask + (N, T) weights",
               "fm.confusion_matrix(ys, probs, task='multiclass', num_classes=7, mask=mask, "
               "sample_weight=wt)"),
    "roc_auc": ("roc_auc_score, binary, float32 scores",
                "fm.roc_auc_score(yb, s32)"),
    "ap": ("average_precision_score, binary, float32 scores",
           "fm.average_precision_score(yb, s32)"),
    "roc_curve": ("roc_curve, binary, float64 scores",
                  "fm.roc_curve(yb, s64)"),
    "auc_ovr": ("roc_auc_score(..., multi_class='ovr'), (n, 7) float32",
                "fm.roc_auc_score(y7, flat, multi_class='ovr')"),
    "sce_seq": ("sparse_categorical_crossentropy on (N, T, 7) + mask",
                "fm.sparse_categorical_crossentropy(ys, probs, mask=mask)"),
    "cce_seq": ("categorical_crossentropy on (N, T, 7) one-hot float32 + float32 probs",
                "fm.categorical_crossentropy(onehot, probs)"),
    "bce": ("binary_crossentropy, float32",
            "fm.binary_crossentropy(yb.astype(np.float32), s32)"),
    "log_loss": ("log_loss, (n, 7) float32 probabilities",
                 "fm.log_loss(y7, flat)"),
    "stream_auc": ("streaming.AUC() update + result, binary",
                   "a = fm.streaming.AUC(); a.update(yb, s32); a.result()"),
    "ece": ("expected_calibration_error, binary",
            "fm.expected_calibration_error(yb, s64)"),
    "brier": ("brier_score_loss, binary",
              "fm.brier_score_loss(yb, s64)"),
    "sample_weight": ("compute_sample_weight('balanced', y)",
                      "fm.compute_sample_weight('balanced', y7)"),
}
ISSUE_CALLS = ("cm", "f1", "cm_seq", "roc_auc", "ap", "sce_seq", "log_loss", "stream_auc", "ece")


def _inputs(n):
    """The child's inputs for ``n`` tokens (N = n / 100 sequences of T = 100)."""
    import numpy as np

    rng = np.random.default_rng(0)
    T = 100 if n >= 100 else 1
    N = n // T
    y7 = rng.integers(0, 7, n)
    p7 = np.where(rng.random(n) < 0.8, y7, rng.integers(0, 7, n))
    flat = rng.random((n, 7), dtype=np.float32) + np.eye(7, dtype=np.float32)[y7]
    flat /= flat.sum(1, keepdims=True)
    yb = (rng.random(n) < 0.1).astype(np.int64)
    s64 = np.clip(0.3 * yb + 0.7 * rng.random(n), 0, 1)
    return {
        "np": np, "y7": y7, "p7": p7, "flat": flat, "yb": yb, "s64": s64,
        "s32": s64.astype(np.float32), "ys": y7.reshape(N, T), "probs": flat.reshape(N, T, 7),
        "mask": np.arange(T) < rng.integers(T // 2, T + 1, N)[:, None],
        "wt": rng.uniform(0.5, 1.5, (N, T)),
        "onehot": np.eye(7, dtype=np.float32)[y7].reshape(N, T, 7),
    }


def _kernel_stats():
    """(signatures compiled, signatures loaded from the cache) of fastmetrics'
    dispatchers; (0, 0) when Numba was never imported."""
    if "numba" not in sys.modules:
        return 0, 0
    from numba.core.dispatcher import Dispatcher

    compiled = loaded = 0
    for name, mod in list(sys.modules.items()):
        if mod is None or not name.startswith("fastmetrics."):
            continue
        for obj in list(vars(mod).values()):
            if isinstance(obj, Dispatcher) and obj.py_func.__module__ == name:
                compiled += len(obj.stats.cache_misses)
                loaded += len(obj.stats.cache_hits)
    return compiled, loaded


def _child(call, n):
    env = _inputs(n)
    t0 = time.perf_counter()
    import fastmetrics as fm
    import fastmetrics.streaming  # noqa: F401  (the streaming call's namespace)

    t1 = time.perf_counter()
    env["fm"] = fm
    code = compile(CALLS[call][1], "<call>", "exec")
    exec(code, env)
    t2 = time.perf_counter()
    exec(code, env)
    t3 = time.perf_counter()
    compiled, loaded = _kernel_stats()
    return {"import_s": t1 - t0, "first_s": t2 - t1, "second_s": t3 - t2,
            "numba": "numba" in sys.modules, "compiled": compiled, "loaded": loaded}


def _run_child(call, n, cache, root):
    env = dict(os.environ, NUMBA_CACHE_DIR=cache, PYTHONPATH=root)
    env.pop("PYTHONSTARTUP", None)
    proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", call, str(n)],
                          cwd=tempfile.gettempdir(), env=env, capture_output=True, text=True,
                          timeout=900)
    if proc.returncode:
        raise SystemExit(f"{call} n={n} failed:\n{proc.stderr[-3000:]}")
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("STARTUP_JSON ")][-1]
    return json.loads(line[len("STARTUP_JSON "):])


def _summary(runs):
    total = [r["import_s"] + r["first_s"] for r in runs]
    return {"total_s": statistics.median(total), "total_max_s": max(total),
            "import_s": statistics.median(r["import_s"] for r in runs),
            "first_s": statistics.median(r["first_s"] for r in runs),
            "second_s": min(r["second_s"] for r in runs),
            "numba": any(r["numba"] for r in runs),
            "compiled": max(r["compiled"] for r in runs), "loaded": max(r["loaded"] for r in runs)}


def measure(calls, sizes, repeats=3, cold_repeats=1, root=ROOT, log=print):
    """{(call, n): {"cold": summary, "warm": summary}} from fresh processes."""
    out = {}
    tmp = tempfile.mkdtemp(prefix="fm_startup_")
    try:
        for n in sizes:
            for call in calls:
                cold = []
                for i in range(cold_repeats):
                    d = os.path.join(tmp, f"cold_{call}_{n}_{i}")
                    cold.append(_run_child(call, n, d, root))
                    shutil.rmtree(d, ignore_errors=True)
                wd = os.path.join(tmp, f"warm_{call}_{n}")
                _run_child(call, n, wd, root)
                warm = [_run_child(call, n, wd, root) for _ in range(repeats)]
                shutil.rmtree(wd, ignore_errors=True)
                out[call, n] = {"cold": _summary(cold), "warm": _summary(warm)}
                c, w = out[call, n]["cold"], out[call, n]["warm"]
                log(f"{call:>13} n={n:>9,}  cold {c['total_s']:6.2f} s ({c['compiled']} compiled)"
                    f"  warm {w['total_s']:5.2f} s (numba {'yes' if w['numba'] else 'no'}, "
                    f"{w['loaded']} loaded)  in-process {w['second_s'] * 1e3:8.2f} ms")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def _target(n, state):
    if state == "warm":
        return 0.5 if n <= 50_000 else 0.9
    return 3.0


def markdown(res):
    lines = ["| call | tokens | cold: import + first call | kernels compiled | warm: import + "
             "first call | Numba imported (warm) | kernels loaded | later calls |",
             "|---|---:|---:|---:|---:|:---:|---:|---:|"]
    for (call, n), r in res.items():
        c, w = r["cold"], r["warm"]
        flag_c = "" if c["total_s"] <= _target(n, "cold") else " **over**"
        flag_w = "" if w["total_s"] <= _target(n, "warm") else " **over**"
        lines.append(f"| {CALLS[call][0]} | {n:,} | {c['total_s']:.2f} s{flag_c} | {c['compiled']} | "
                     f"{w['total_s']:.2f} s{flag_w} | {'yes' if w['numba'] else 'no'} | "
                     f"{w['loaded']} | {w['second_s'] * 1e3:.2f} ms |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", default=",".join(CALLS),
                    help=f"comma-separated, of: {', '.join(CALLS)}; 'issue' = {','.join(ISSUE_CALLS)}")
    ap.add_argument("--sizes", default="10000,1000000", help="tokens per call, comma-separated")
    ap.add_argument("--repeats", type=int, default=3, help="warm repeats (median)")
    ap.add_argument("--cold-repeats", type=int, default=1, help="cold repeats (median)")
    ap.add_argument("--root", default=ROOT, help="checkout to measure (holds fastmetrics/)")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print("STARTUP_JSON " + json.dumps(_child(args.child[0], int(args.child[1]))))
        return 0
    calls = ISSUE_CALLS if args.calls == "issue" else [c for c in args.calls.split(",") if c]
    unknown = [c for c in calls if c not in CALLS]
    if unknown:
        ap.error(f"unknown calls {unknown}; known: {', '.join(CALLS)}")
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"root {os.path.abspath(args.root)}; {os.cpu_count()} CPUs; load average "
          f"{os.getloadavg()[0]:.2f}; {time.strftime('%Y-%m-%d %H:%M %Z')}")
    res = measure(calls, sizes, args.repeats, args.cold_repeats, args.root)
    print()
    print(markdown(res))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({f"{c} {n}": r for (c, n), r in res.items()}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

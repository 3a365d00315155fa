"""Import time and first-call latency of fastmetrics, in fresh processes.

    python bench/startup.py [--repeats 5] [--json PATH]

Every number comes from a fresh ``python`` subprocess (nothing is shared with
the parent), repeated ``--repeats`` times; the median (and min / max) is
reported.

Scenarios (timed inside the child with time.perf_counter):

* ``import``          -- ``import fastmetrics`` as the first import of the
                          process (numpy and numba included in the time).
* ``import_after_np`` -- ``import fastmetrics`` after ``import numpy``.
* ``cm``              -- first call ``confusion_matrix(y_true, y_pred)`` on
                          1,000 int64 tokens (7 classes).
* ``cm_1m``           -- the same on 1,000,000 tokens (large enough for the
                          parallel kernel: its cache load is part of the time,
                          the ~1 ms of counting too).
* ``cm_task``         -- first call ``confusion_matrix(..., task="multiclass",
                          num_classes=7)`` on the same tokens.
* ``probs``           -- first call ``confusion_matrix(y_true (10,100),
                          probs (10,100,7) float32, task="multiclass", num_classes=7)``.
* ``prfs``            -- first call ``precision_recall_fscore_support(...,
                          average="macro")``.
* ``import_numba``    -- baseline: ``import numpy, numba`` (no fastmetrics).
* ``numba_floor``     -- baseline: first call of a minimal cached parallel
                          numba kernel (bench/_numba_floor.py, no fastmetrics):
                          what any ``@njit(parallel=True, cache=True)`` kernel
                          costs on its first call here.

For the first-call scenarios ``import fastmetrics`` is timed separately and
excluded from "first call"; "import + first call" is reported too.

Numba cache states:

* cold: ``NUMBA_CACHE_DIR`` points at a new, empty temporary directory for
  every repeat, so every kernel the call needs is compiled.
* warm: one shared temporary ``NUMBA_CACHE_DIR`` is primed by one unmeasured
  run of the scenario, then every measured repeat loads from it.

Whether fastmetrics honours ``NUMBA_CACHE_DIR`` is checked in the cold runs:
every numba dispatcher of fastmetrics that the call used must report a cache
path (``dispatcher.stats.cache_path``) inside the temporary directory, the
directory must have received numba index files (``*.nbi``), and in the warm
state the first call must trigger no numba compilation at all.  (In-tree
``__pycache__`` files of the package that changed during the run are listed
for information only: a concurrent test run may have written them.)
"""

from __future__ import annotations

import argparse
import glob
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

FIRST_CALL_SCENARIOS = ("cm", "cm_1m", "cm_task", "probs", "prfs", "numba_floor")
SCENARIOS = ("import", "import_after_np", "import_numba") + FIRST_CALL_SCENARIOS
IMPORT_SCENARIOS = ("import", "import_after_np", "import_numba")
TARGET_S = 0.5


# --------------------------------------------------------------------------
# child side
# --------------------------------------------------------------------------
def _child(scenario: str) -> dict:
    res = {"scenario": scenario}
    if scenario == "import":
        t0 = time.perf_counter()
        import fastmetrics  # noqa: F401

        res["import_s"] = time.perf_counter() - t0
        res["modules_loaded"] = sorted(m for m in ("numba", "scipy", "sklearn", "pandas", "torch")
                                       if m in sys.modules)
        return res

    if scenario == "import_numba":
        t0 = time.perf_counter()
        import numpy  # noqa: F401
        import numba  # noqa: F401

        res["import_s"] = time.perf_counter() - t0
        return res

    import numpy as np

    if scenario == "import_after_np":
        t0 = time.perf_counter()
        import fastmetrics  # noqa: F401

        res["import_s"] = time.perf_counter() - t0
        return res

    rng = np.random.default_rng(0)
    n, T, C = (1_000_000 if scenario == "cm_1m" else 1000), 100, 7
    y_true = rng.integers(0, C, n).astype(np.int64)
    y_pred = np.where(rng.random(n) < 0.8, y_true, rng.integers(0, C, n)).astype(np.int64)
    probs = rng.random((n, C), dtype=np.float32)
    probs /= probs.sum(1, keepdims=True)
    probs = probs.reshape(n // T, T, C)

    sys.path.insert(0, HERE)
    t0 = time.perf_counter()
    if scenario == "numba_floor":
        import _numba_floor as fm_floor

        fm = None
    else:
        import fastmetrics as fm

    res["import_s"] = time.perf_counter() - t0

    calls = {
        "cm": lambda: fm.confusion_matrix(y_true, y_pred),
        "cm_1m": lambda: fm.confusion_matrix(y_true, y_pred),
        "cm_task": lambda: fm.confusion_matrix(y_true, y_pred, task="multiclass", num_classes=C),
        "probs": lambda: fm.confusion_matrix(y_true.reshape(n // T, T), probs, task="multiclass",
                                             num_classes=C),
        "prfs": lambda: fm.precision_recall_fscore_support(y_true, y_pred, average="macro"),
        "numba_floor": lambda: fm_floor.histogram2(y_true, y_pred, C),
    }
    fn = calls[scenario]
    import _harness

    with _harness.CompileCounter() as cc:
        t1 = time.perf_counter()
        fn()
        t2 = time.perf_counter()
    res["first_call_s"] = t2 - t1
    res["compiles_first_call"] = cc.total
    res["compile_s_first_call"] = cc.seconds
    res["compiled_functions"] = sorted({name for name, _ in cc.events})
    with _harness.CompileCounter() as cc2:
        t3 = time.perf_counter()
        fn()
        t4 = time.perf_counter()
    res["second_call_s"] = t4 - t3
    res["compiles_second_call"] = cc2.total
    res["dispatchers"] = _harness.dispatcher_summary()
    res["NUMBA_CACHE_DIR"] = os.environ.get("NUMBA_CACHE_DIR")
    return res


# --------------------------------------------------------------------------
# parent side
# --------------------------------------------------------------------------
def _intree_cache_files() -> dict:
    """path -> mtime of numba cache files inside the fastmetrics package (read only)."""
    pkg = os.path.join(ROOT, "fastmetrics")
    out = {}
    for pat in ("**/*.nbi", "**/*.nbc"):
        for p in glob.glob(os.path.join(pkg, pat), recursive=True):
            try:
                out[p] = os.path.getmtime(p)
            except OSError:
                pass
    return out


def _run_child(scenario: str, cache_dir: str | None, python: str) -> dict:
    env = dict(os.environ)
    env.pop("PYTHONSTARTUP", None)
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    t0 = time.perf_counter()
    proc = subprocess.run([python, os.path.abspath(__file__), "--child", scenario],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        return {"scenario": scenario, "error": (proc.stderr or proc.stdout).strip().splitlines()[-1:]
                or ["exit %d" % proc.returncode], "stderr_tail": proc.stderr[-2000:]}
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("STARTUP_JSON ")][-1]
    res = json.loads(line[len("STARTUP_JSON "):])
    res["process_wall_s"] = wall
    return res


def _stats(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals), "n": len(vals)}


def measure(repeats: int = 5, scenarios=SCENARIOS, python: str | None = None, log=print) -> dict:
    """Run every scenario in fresh subprocesses; returns a JSON-able dict."""
    python = python or sys.executable
    out = {"repeats": repeats, "python": python, "scenarios": {}, "notes": []}
    tmp_root = os.path.realpath(tempfile.mkdtemp(prefix="fm_startup_"))

    # interpreter start-up baseline
    base = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run([python, "-c", "pass"], check=True)
        base.append(time.perf_counter() - t0)
    out["python_startup_wall"] = _stats(base)

    intree_before = _intree_cache_files()
    honours = []
    try:
        sys.path.insert(0, HERE)
        import _harness

        for sc in scenarios:
            entry = {}
            fc = _harness.ForeignCPU().__enter__()
            if sc in IMPORT_SCENARIOS:
                # import does not depend on the numba cache; warm cache dir anyway
                runs = [_run_child(sc, os.path.join(tmp_root, "imp"), python) for _ in range(repeats)]
                errs = [r for r in runs if "error" in r]
                if errs:
                    entry["error"] = errs[0]["error"]
                    entry["stderr_tail"] = errs[0].get("stderr_tail")
                else:
                    entry["import_s"] = _stats([r["import_s"] for r in runs])
                    entry["process_wall_s"] = _stats([r["process_wall_s"] for r in runs])
                    entry["modules_loaded"] = runs[0].get("modules_loaded")
                fc.__exit__(None, None, None)
                entry["foreign_cpu"] = fc.fraction
                out["scenarios"][sc] = entry
                log(f"  startup {sc}: {_fmt_entry(entry)}")
                continue

            # cold: a fresh empty cache directory per repeat
            cold_runs = []
            for i in range(repeats):
                d = os.path.join(tmp_root, f"cold_{sc}_{i}")
                os.makedirs(d)
                r = _run_child(sc, d, python)
                r["cache_files_written"] = len(glob.glob(os.path.join(d, "**", "*.nbi"), recursive=True))
                cold_runs.append(r)
                shutil.rmtree(d, ignore_errors=True)
            # warm: one shared cache dir, primed once
            wd = os.path.join(tmp_root, f"warm_{sc}")
            os.makedirs(wd)
            prime = _run_child(sc, wd, python)
            warm_runs = [_run_child(sc, wd, python) for _ in range(repeats)]
            shutil.rmtree(wd, ignore_errors=True)

            for state, runs in (("cold", cold_runs), ("warm", warm_runs)):
                errs = [r for r in runs if "error" in r]
                if errs:
                    entry[state] = {"error": errs[0]["error"], "stderr_tail": errs[0].get("stderr_tail")}
                    continue
                e = {
                    "import_s": _stats([r["import_s"] for r in runs]),
                    "first_call_s": _stats([r["first_call_s"] for r in runs]),
                    "import_plus_first_call_s": _stats([r["import_s"] + r["first_call_s"] for r in runs]),
                    "second_call_s": _stats([r["second_call_s"] for r in runs]),
                    "process_wall_s": _stats([r["process_wall_s"] for r in runs]),
                    "compiles_first_call": _stats([r["compiles_first_call"] for r in runs]),
                    "compile_s_first_call": _stats([r["compile_s_first_call"] for r in runs]),
                    "compiles_second_call": max(r["compiles_second_call"] for r in runs),
                    "compiled_functions": runs[0]["compiled_functions"],
                }
                if state == "cold":
                    e["cache_files_written_to_NUMBA_CACHE_DIR"] = _stats(
                        [r["cache_files_written"] for r in runs])
                    disp = runs[0].get("dispatchers", {})
                    used = {k: v for k, v in disp.items() if v["signatures"]}
                    e["dispatchers_used"] = sorted(used)
                    e["dispatchers_without_cache"] = sorted(k for k, v in used.items() if not v["cache_enabled"])
                    # where each used dispatcher keeps its cache: must be the temp NUMBA_CACHE_DIR
                    outside = sorted({v["cache_path"] for v in used.values()
                                      if v["cache_enabled"] and v["cache_path"]
                                      and not os.path.abspath(v["cache_path"]).startswith(tmp_root)})
                    e["cache_paths_outside_NUMBA_CACHE_DIR"] = [os.path.relpath(p, ROOT) for p in outside]
                    if sc != "numba_floor":  # the baseline kernel is not fastmetrics'
                        honours.append(all(r["cache_files_written"] > 0 for r in runs) and not outside
                                       and not e["dispatchers_without_cache"])
                        if outside:
                            out["notes"].append(f"{sc}: kernels cache outside NUMBA_CACHE_DIR: {outside}")
                        if e["dispatchers_without_cache"]:
                            out["notes"].append(f"{sc}: kernels without cache=True: "
                                                f"{e['dispatchers_without_cache']}")
                        if not all(r["cache_files_written"] > 0 for r in runs):
                            out["notes"].append(f"{sc}: a cold run wrote no *.nbi into NUMBA_CACHE_DIR")
                if state == "warm" and sc != "numba_floor" and e["compiles_first_call"]["max"] > 0:
                    out["notes"].append(f"{sc}: numba still compiled {e['compiles_first_call']['max']:.0f} "
                                        f"function(s) on the first call with a warm cache: "
                                        f"{e['compiled_functions']}")
                entry[state] = e
            if "error" in prime:
                entry["prime_error"] = prime["error"]
            fc.__exit__(None, None, None)
            entry["foreign_cpu"] = fc.fraction
            out["scenarios"][sc] = entry
            log(f"  startup {sc}: {_fmt_entry(entry)}")
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)

    intree_after = _intree_cache_files()
    changed = sorted(p for p in intree_after if intree_before.get(p) != intree_after[p])
    # informational only: another process (e.g. a test run) may have written them
    out["intree_cache_files_changed_during_run"] = [os.path.relpath(p, ROOT) for p in changed]
    out["honours_NUMBA_CACHE_DIR"] = bool(honours) and all(honours)
    busy = {sc: e["foreign_cpu"] for sc, e in out["scenarios"].items() if (e.get("foreign_cpu") or 0) > 0.05}
    if busy:
        out["notes"].append("other processes used > 5 % of the CPUs during: "
                            + ", ".join(f"{k} ({v:.0%})" for k, v in busy.items()))
    return out


def _fmt_entry(entry: dict) -> str:
    if "error" in entry:
        return f"ERROR {entry['error']}"
    if "import_s" in entry:
        return f"import median {entry['import_s']['median']*1e3:.0f} ms"
    parts = []
    for state in ("cold", "warm"):
        e = entry.get(state, {})
        if "error" in e:
            parts.append(f"{state}: ERROR {e['error']}")
        elif e:
            parts.append(f"{state}: import {e['import_s']['median']*1e3:.0f} ms, first call "
                         f"{e['first_call_s']['median']*1e3:.0f} ms "
                         f"({e['compiles_first_call']['median']:.0f} compiles)")
    return "; ".join(parts)


def markdown(res: dict) -> str:
    """Markdown table of a ``measure()`` result."""
    rows = ["| scenario | numba cache | import (ms) | first call (ms) | import + first call (ms) | "
            "second call (ms) | numba compiles in first call | target | met? |",
            "|---|---|---:|---:|---:|---:|---:|---|---|"]

    def ms(s, key="median"):
        return "—" if s is None else f"{s[key]*1e3:.0f}"

    def rng(s):
        return "—" if s is None else f"{s['median']*1e3:.0f} ({s['min']*1e3:.0f}–{s['max']*1e3:.0f})"

    for sc, entry in res["scenarios"].items():
        if "error" in entry:
            rows.append(f"| {sc} | — | ERROR: {' '.join(entry['error'])[:80]} | | | | | | |")
            continue
        if "import_s" in entry:
            met = entry["import_s"]["median"] < TARGET_S
            tgt = "< 500 ms" if sc == "import" else "(info)"
            label = {"import": "`import fastmetrics`",
                     "import_after_np": "`import fastmetrics` (numpy already imported)",
                     "import_numba": "baseline: `import numpy, numba` (no fastmetrics)"}[sc]
            rows.append(f"| {label} | "
                        f"n/a | {rng(entry['import_s'])} | — | — | — | — | {tgt} | "
                        f"{('yes' if met else '**no**') if sc == 'import' else ''} |")
            continue
        for state in ("warm", "cold"):
            e = entry.get(state)
            if not e:
                continue
            if "error" in e:
                rows.append(f"| {sc} | {state} | ERROR: {' '.join(e['error'])[:80]} | | | | | | |")
                continue
            is_target = sc in ("cm", "cm_1m") and state == "warm"
            met = e["first_call_s"]["median"] < TARGET_S
            rows.append(
                f"| {_SC_LABEL[sc]} | {state} | {rng(e['import_s'])} | {rng(e['first_call_s'])} | "
                f"{ms(e['import_plus_first_call_s'])} | {e['second_call_s']['median']*1e3:.2f} | "
                f"{e['compiles_first_call']['median']:.0f} | "
                f"{'first call < 500 ms' if is_target else '(info)'} | "
                f"{('yes' if met else '**no**') if is_target else ('< 500 ms' if met else '≥ 500 ms')} |")
    b = res.get("python_startup_wall")
    lines = ["\n".join(rows), "",
             f"Fresh subprocesses, median (min–max) of {res['repeats']} repeats; "
             f"`python -c pass` takes {b['median']*1e3:.0f} ms here (not included above)." if b else "",
             f"fastmetrics honours NUMBA_CACHE_DIR: {'yes' if res.get('honours_NUMBA_CACHE_DIR') else 'NO'}"
             " (every fastmetrics kernel used reports its cache path inside the temporary NUMBA_CACHE_DIR, "
             "and a cold run writes its index files there)."]
    lines += [f"- note: {x}" for x in res.get("notes", [])]
    return "\n".join(lines)


_SC_LABEL = {
    "cm": "`confusion_matrix(yt, yp)` 1k tokens",
    "cm_1m": "`confusion_matrix(yt, yp)` 1M tokens (parallel kernel)",
    "cm_task": "`confusion_matrix(yt, yp, task=\"multiclass\", num_classes=7)` 1k tokens",
    "probs": "`confusion_matrix(yt (10,100), probs (10,100,7), task=\"multiclass\")`",
    "prfs": "`precision_recall_fscore_support(yt, yp, average=\"macro\")` 1k tokens",
    "numba_floor": "baseline: minimal cached parallel numba kernel (bench/_numba_floor.py), 1k tokens",
}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child", choices=SCENARIOS, help=argparse.SUPPRESS)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--scenarios", default=",".join(SCENARIOS),
                    help="comma-separated subset of: " + ",".join(SCENARIOS))
    ap.add_argument("--json", help="write the raw result to this path")
    args = ap.parse_args(argv)
    if args.child:
        res = _child(args.child)
        print("STARTUP_JSON " + json.dumps(res))
        return 0
    scen = [s for s in args.scenarios.split(",") if s]
    res = measure(args.repeats, scen)
    print()
    print(markdown(res))
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

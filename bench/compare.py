"""fastmetrics vs its peers, side by side, in one process and one run.

    python bench/compare.py [--n 10000000] [--quick] [--k 7] [--out [PATH]]
                            [--no-startup] [--startup-repeats 5]

What is measured
----------------
* The data (``bench/_harness.make_data``) is built once: ``n`` tokens, 7
  classes, int64 labels, ~1:9 class imbalance, 80 % accuracy, and an
  (N, T, 7) float32 probability array whose argmax is ``y_pred``.
* Every implementation is called once untimed before timing (warm-up: numba
  JIT compilation, lazy imports and first-touch page faults are excluded from
  the timings).  Then it is timed ``k`` times (default 7, ``--quick`` 5) with
  ``time.perf_counter``; best-of-k and median-of-k are reported.  Ratios and
  the bandwidth-floor fraction use best-of-k.
* Peers are timed on exactly the call a user writes:
  - scikit-learn: the public function, input validation included;
  - torchmetrics: ``torchmetrics.functional.classification.multiclass_confusion_matrix``
    on CPU tensors made with ``torch.from_numpy`` (zero-copy; the conversion is
    done before timing, only the call is timed), default ``validate_args=True``
    and, for information, ``validate_args=False``;
  - numpy: ``np.bincount(y_true * 7 + y_pred, minlength=49).reshape(7, 7)``,
    the multiply-add included.
* Bandwidth floor: bytes that must be read once / bandwidth, the bandwidth
  being measured with a numba parallel read kernel (``_harness.read_sum_i64``)
  over a 2 GiB array.  "fraction of floor" = floor time / measured time
  (1.0 = as fast as reading the inputs once).  The same kernel run directly over
  the case's input arrays is shown as a row ("read inputs once").
* Every result is checked against the reference confusion matrix (numpy
  bincount) or, for precision/recall/F1, against scikit-learn.
* numba compilations during the timed calls are counted (there should be none).

Peers that are not installed are skipped with a note.  fastmetrics missing or
broken is reported and its rows are skipped (the peers still run).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import sys
import time
import traceback
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
# keep numba's on-disk cache of this process out of the package directory
os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(HERE, "out", "numba_cache"))

import numpy as np  # noqa: E402

import _harness as H  # noqa: E402

C = H.NUM_CLASSES


class Row:
    def __init__(self, case, impl, kind, fn=None, check=None, target=None, note=""):
        self.case = case
        self.impl = impl
        self.kind = kind            # "fm" | "fm_task" | "peer" | "floor" | "info"
        self.fn = fn
        self.check = check          # callable(result) -> (ok: bool, msg)
        self.target = target        # dict(kind=..., value=...) or None
        self.note = note
        self.timing = None
        self.ok = None
        self.check_msg = ""
        self.error = None
        self.compiles = 0
        self.foreign = None         # other processes' CPU share while timing


# --------------------------------------------------------------------------
# case construction
# --------------------------------------------------------------------------
def _cm_check(expected):
    def check(res):
        arr = res.numpy() if hasattr(res, "numpy") else np.asarray(res)
        ok = arr.shape == expected.shape and np.array_equal(arr.astype(np.int64), expected)
        return ok, "" if ok else f"confusion matrix differs from the reference (dtype {arr.dtype})"
    return check


def _prfs_check(reference):
    def check(res):
        got = np.array([np.nan if v is None else v for v in res[:3]], dtype=float)
        ok = np.allclose(got, reference, rtol=1e-12, atol=1e-12) and res[3] is None
        return ok, "" if ok else f"got {res} expected {reference}, support None"
    return check


def build_cases(data: H.Data, fm, peers: dict, notes: list) -> list:
    yt, yp, yt2, probs = data.y_true, data.y_pred, data.y_true_2d, data.probs
    exp = data.expected_cm
    rows = []
    n = data.n
    sk_metrics = peers.get("sklearn")
    tmf = peers.get("torchmetrics")
    torch = peers.get("torch")

    # ---------------------------------------------------------------- case A
    A = f"confusion_matrix, 1-D int64 ({n:,} tokens)"
    if fm is not None:
        rows.append(Row(A, "fastmetrics `confusion_matrix(yt, yp)`", "fm",
                        lambda: fm.confusion_matrix(yt, yp), _cm_check(exp)))
        rows.append(Row(A, "fastmetrics `confusion_matrix(yt, yp, task=\"multiclass\", num_classes=7)`",
                        "fm_task",
                        lambda: fm.confusion_matrix(yt, yp, task="multiclass", num_classes=C),
                        _cm_check(exp)))
    if sk_metrics is not None:
        rows.append(Row(A, "sklearn `confusion_matrix(yt, yp)`", "peer",
                        lambda: sk_metrics.confusion_matrix(yt, yp), _cm_check(exp),
                        target={"ratio": 100}))
    if tmf is not None:
        tyt, typ = torch.from_numpy(yt), torch.from_numpy(yp)
        mcm = tmf.multiclass_confusion_matrix
        rows.append(Row(A, "torchmetrics `multiclass_confusion_matrix(preds, target, 7)` (validate_args=True, default)",
                        "peer", lambda: mcm(typ, tyt, num_classes=C), _cm_check(exp),
                        target={"ratio": 5}))
        rows.append(Row(A, "torchmetrics `multiclass_confusion_matrix(..., validate_args=False)`", "peer",
                        lambda: mcm(typ, tyt, num_classes=C, validate_args=False), _cm_check(exp)))
    rows.append(Row(A, "numpy `bincount(yt*7 + yp, minlength=49).reshape(7, 7)`", "peer",
                    lambda: np.bincount(yt * C + yp, minlength=C * C).reshape(C, C), _cm_check(exp),
                    target={"ratio": 2.5}))
    rows.append(Row(A, "floor: numba parallel read of yt and yp (bench kernel)", "floor",
                    lambda: H.read_once(yt, yp)))

    # ---------------------------------------------------------------- case B
    if probs is not None:
        N, T = yt2.shape
        B = f"confusion_matrix from probabilities, argmax fused: yt ({N},{T}) int64, probs ({N},{T},7) float32"
        if fm is not None:
            rows.append(Row(B, "fastmetrics `confusion_matrix(yt, probs, task=\"multiclass\", num_classes=7)`",
                            "fm_task",
                            lambda: fm.confusion_matrix(yt2, probs, task="multiclass", num_classes=C),
                            _cm_check(exp), target={"floor_multiple": 2.0}))
        rows.append(Row(B, "floor: numba parallel read of probs once (bench kernel)", "floor_probs",
                        lambda: H.read_once(probs)))
        rows.append(Row(B, "floor: numba parallel read of probs + yt once (bench kernel)", "floor",
                        lambda: H.read_once(probs, yt2)))
        rows.append(Row(B, "numpy `probs.sum()` (one read of probs, single thread)", "info",
                        lambda: np.sum(probs)))
        rows.append(Row(B, "numpy `bincount(yt.ravel()*7 + probs.argmax(-1).ravel(), minlength=49)`", "peer",
                        lambda: np.bincount(yt2.ravel() * C + probs.argmax(-1).ravel(),
                                            minlength=C * C).reshape(C, C), _cm_check(exp)))
        if sk_metrics is not None:
            rows.append(Row(B, "sklearn `confusion_matrix(yt.ravel(), probs.argmax(-1).ravel())`", "peer",
                            lambda: sk_metrics.confusion_matrix(yt2.ravel(), probs.argmax(-1).ravel()),
                            _cm_check(exp)))
        if tmf is not None:
            tprobs = torch.from_numpy(probs).reshape(-1, C)  # view, (N*T, 7)
            tyt1 = torch.from_numpy(yt2).reshape(-1)
            mcm = tmf.multiclass_confusion_matrix
            rows.append(Row(B, "torchmetrics `multiclass_confusion_matrix(probs.reshape(-1,7), yt.reshape(-1), 7)`",
                            "peer", lambda: mcm(tprobs, tyt1, num_classes=C), _cm_check(exp)))
            rows.append(Row(B, "torchmetrics same, validate_args=False", "peer",
                            lambda: mcm(tprobs, tyt1, num_classes=C, validate_args=False), _cm_check(exp)))

    # ---------------------------------------------------------------- case C
    Cc = f"precision_recall_fscore_support(average=\"macro\"), 1-D int64 ({n:,} tokens)"
    if sk_metrics is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = np.array(sk_metrics.precision_recall_fscore_support(yt, yp, average="macro")[:3], float)
    else:
        cm = exp.astype(float)
        tp = np.diag(cm)
        p = tp / cm.sum(0)
        r = tp / cm.sum(1)
        f = 2 * p * r / (p + r)
        ref = np.array([p.mean(), r.mean(), f.mean()])
    if fm is not None:
        rows.append(Row(Cc, "fastmetrics `precision_recall_fscore_support(yt, yp, average=\"macro\")`", "fm",
                        lambda: fm.precision_recall_fscore_support(yt, yp, average="macro"),
                        _prfs_check(ref)))
        rows.append(Row(Cc, "fastmetrics same + `task=\"multiclass\", num_classes=7`", "fm_task",
                        lambda: fm.precision_recall_fscore_support(yt, yp, average="macro",
                                                                   task="multiclass", num_classes=C),
                        _prfs_check(ref)))
    if sk_metrics is not None:
        rows.append(Row(Cc, "sklearn `precision_recall_fscore_support(yt, yp, average=\"macro\")`", "peer",
                        lambda: sk_metrics.precision_recall_fscore_support(yt, yp, average="macro"),
                        _prfs_check(ref), target={"ratio": 100}))
    rows.append(Row(Cc, "floor: numba parallel read of yt and yp (bench kernel)", "floor",
                    lambda: H.read_once(yt, yp)))
    return rows


def build_small_cases(fm, peers: dict, n_small: int = 1000) -> list:
    """Per-call overhead on a tiny input (information only)."""
    d = H.make_data(n_small, with_probs=False, seed=1)
    yt, yp = d.y_true, d.y_pred
    S = f"per-call overhead, 1-D int64 ({n_small:,} tokens) (info)"
    rows = []
    if fm is not None:
        rows.append(Row(S, "fastmetrics `confusion_matrix(yt, yp)`", "fm",
                        lambda: fm.confusion_matrix(yt, yp), _cm_check(d.expected_cm)))
        rows.append(Row(S, "fastmetrics `confusion_matrix(..., task=\"multiclass\", num_classes=7)`", "fm_task",
                        lambda: fm.confusion_matrix(yt, yp, task="multiclass", num_classes=C),
                        _cm_check(d.expected_cm)))
        rows.append(Row(S, "fastmetrics `precision_recall_fscore_support(..., average=\"macro\")`", "info",
                        lambda: fm.precision_recall_fscore_support(yt, yp, average="macro")))
    sk = peers.get("sklearn")
    if sk is not None:
        rows.append(Row(S, "sklearn `confusion_matrix(yt, yp)`", "peer",
                        lambda: sk.confusion_matrix(yt, yp), _cm_check(d.expected_cm)))
    rows.append(Row(S, "numpy `bincount(yt*7 + yp, minlength=49)`", "peer",
                    lambda: np.bincount(yt * C + yp, minlength=C * C).reshape(C, C), _cm_check(d.expected_cm)))
    return rows


# --------------------------------------------------------------------------
# running
# --------------------------------------------------------------------------
def run_rows(rows, k, log):
    counter_ok = True
    for r in rows:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = r.fn()  # warm-up call (compiles), also used for the check
                if r.check is not None:
                    r.ok, r.check_msg = r.check(res)
                try:
                    cc = H.CompileCounter().__enter__()
                except Exception:
                    cc, counter_ok = None, False
                try:
                    with H.ForeignCPU() as fc:
                        r.timing = H.time_call(r.fn, k=k, warmup=0)
                    r.foreign = fc.fraction
                finally:
                    if cc is not None:
                        cc.__exit__(None, None, None)
                        r.compiles = cc.total
        except Exception as exc:  # a broken implementation must not stop the run
            r.error = f"{type(exc).__name__}: {exc}".splitlines()[0][:160]
            log(f"    ! {r.impl}: {r.error}")
            if os.environ.get("BENCH_TRACEBACK"):
                traceback.print_exc()
            continue
        t = r.timing
        log(f"    {t.best*1e3:10.3f} ms best, {t.median*1e3:10.3f} ms median  {r.impl}"
            + ("" if r.ok in (None, True) else "  [WRONG RESULT]")
            + (f"  [{r.compiles} numba compiles while timing]" if r.compiles else "")
            + (f"  [other processes used {r.foreign:.0%} of the CPUs]" if (r.foreign or 0) > 0.05 else ""))
    return counter_ok


def _ms(x):
    if x is None:
        return "—"
    v = x * 1e3
    return f"{v:.3f}" if v < 10 else (f"{v:.1f}" if v < 1000 else f"{v:,.0f}")


def _ratio(x):
    return "—" if x is None else (f"{x:.2f}x" if x < 10 else f"{x:,.0f}x" if x >= 100 else f"{x:.1f}x")


def summarise(rows, bw, floors):
    """Attach ratios / floor fractions / target verdicts; return (table_md, verdicts)."""
    verdicts = []
    by_case = {}
    for r in rows:
        by_case.setdefault(r.case, []).append(r)
    lines = ["| case | implementation | best (ms) | median (ms) | ratio vs fastmetrics default call "
             "(peer / fm) | ratio vs fastmetrics task=\"multiclass\" (peer / fm) | fraction of bandwidth floor "
             "| result ok? | target | met? |",
             "|---|---|---:|---:|---:|---:|---:|---|---|---|"]
    for case, rs in by_case.items():
        fm_def = next((r for r in rs if r.kind == "fm" and r.timing), None)
        fm_task = next((r for r in rs if r.kind == "fm_task" and r.timing), None)
        floor_t = floors.get(case)
        for r in rs:
            if r.error:
                lines.append(f"| {case} | {r.impl} | error | | | | | | | {r.error} |")
                continue
            if r.timing is None:
                continue
            b, m = r.timing.best, r.timing.median
            # ratios only for peers (floor / info rows: see the floor-fraction column)
            rd = (b / fm_def.timing.best) if (fm_def and r.kind == "peer") else None
            rt = (b / fm_task.timing.best) if (fm_task and r.kind == "peer") else None
            frac = (floor_t / b) if floor_t else None
            target, met = "", ""
            tg = r.target or {}
            if "ratio" in tg:
                target = f"fastmetrics ≥ {tg['ratio']:g}x faster"
                parts = []
                for label, rr, fmr in (("default", rd, fm_def), ("task", rt, fm_task)):
                    if rr is None:
                        continue
                    ok = rr >= tg["ratio"] and fmr.ok is not False  # a wrong result meets nothing
                    parts.append(f"{'yes' if ok else '**no**'} ({label} {_ratio(rr)}"
                                 f"{', WRONG RESULT' if fmr.ok is False else ''})")
                    verdicts.append({"case": case, "peer": r.impl, "fastmetrics": label,
                                     "target": f">= {tg['ratio']}x", "measured": rr, "met": ok,
                                     "wrong_result": fmr.ok is False})
                met = "; ".join(parts) if parts else "n/a (fastmetrics missing)"
            if "floor_multiple" in tg:
                fp = next((x for x in rs if x.kind == "floor_probs" and x.timing), None)
                if fp is not None:
                    mult = b / fp.timing.best
                    ok = mult <= tg["floor_multiple"] and r.ok is not False
                    target = f"≤ {tg['floor_multiple']:g}x the time to read probs once ({_ms(fp.timing.best)} ms)"
                    met = f"{'yes' if ok else '**no**'} ({mult:.2f}x the read time)"
                    verdicts.append({"case": case, "peer": "read probs once", "fastmetrics": "task",
                                     "target": f"<= {tg['floor_multiple']}x floor", "measured": mult, "met": ok,
                                     "wrong_result": r.ok is False})
            okcol = "—" if r.ok is None else ("yes" if r.ok else f"**NO** {r.check_msg}")
            if r.compiles:
                okcol += f" ({r.compiles} numba compiles during timing!)"
            if (r.foreign or 0) > 0.05:
                okcol += f" (other processes used {r.foreign:.0%} of the CPUs while timing)"
            lines.append(f"| {case} | {r.impl} | {_ms(b)} | {_ms(m)} | {_ratio(rd)} | {_ratio(rt)} | "
                         f"{'—' if frac is None else f'{frac:.2f}'} | {okcol} | {target} | {met} |")
    return "\n".join(lines), verdicts


def machine_md(desc: dict, bw: dict) -> str:
    keys = ["cpu", "logical_cpus", "usable_cpus", "caches_per_cpu0", "memory_GiB", "os", "python",
            "numpy", "numba", "llvmlite", "scikit-learn", "torch", "torchmetrics", "fastmetrics",
            "NUMBA_NUM_THREADS(env)", "numba_num_threads", "numba_threading_layer",
            "torch_num_threads", "loadavg", "repo_commit", "fastmetrics_source"]
    out = ["| | |", "|---|---|"] + [f"| {k} | {desc.get(k, '—')} |" for k in keys]
    if bw:
        out.append(f"| read bandwidth (numba parallel read kernel, {bw['bytes']/2**30:.0f} GiB array) | "
                   f"{bw['GBps_best']:.1f} GB/s best, {bw['GBps_median']:.1f} GB/s median |")
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description="fastmetrics vs peers, side by side")
    ap.add_argument("--n", type=int, default=None, help="tokens (default 10,000,000; --quick: 1,000,000)")
    ap.add_argument("--quick", action="store_true", help="k=5, n=1M unless --n, 2 startup repeats")
    ap.add_argument("--k", type=int, default=None, help="timed repeats per implementation (>= 5)")
    ap.add_argument("--out", nargs="?", const="", default=None,
                    help="write markdown + json to this path (default bench/out/compare-<time>.md)")
    ap.add_argument("--no-startup", action="store_true", help="skip the fresh-process start-up measurements")
    ap.add_argument("--startup-repeats", type=int, default=None)
    ap.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                    help="wait up to SECONDS for other processes to leave the CPUs idle before timing")
    args = ap.parse_args(argv)

    n = args.n or (1_000_000 if args.quick else 10_000_000)
    k = max(5, args.k or (5 if args.quick else 7))
    srep = args.startup_repeats or (2 if args.quick else 5)
    log = lambda s: print(s, flush=True)  # noqa: E731
    started = _dt.datetime.now(_dt.timezone.utc)
    cmdline = "python bench/compare.py " + " ".join(argv if argv is not None else sys.argv[1:])

    notes = []
    src_before = H.source_fingerprint()
    # ---- imports
    fm, why = H.try_import("fastmetrics")
    if fm is not None and not hasattr(fm, "confusion_matrix"):
        fm, why = None, "fastmetrics imported but has no confusion_matrix"
    if fm is None:
        notes.append(f"fastmetrics not usable ({why}); its rows are skipped")
    peers = {}
    skm, why = H.try_import("sklearn.metrics")
    if skm is None:
        notes.append(f"scikit-learn skipped ({why})")
    else:
        peers["sklearn"] = skm
    torch, why = H.try_import("torch")
    tmf, why2 = H.try_import("torchmetrics.functional.classification") if torch is not None else (None, why)
    if torch is None or tmf is None:
        notes.append(f"torchmetrics skipped ({why2 or why})")
    else:
        peers["torch"], peers["torchmetrics"] = torch, tmf
    for nt in notes:
        log("note: " + nt)

    if args.wait_idle:
        H.wait_until_idle(args.wait_idle, quiet_s=20.0, log=log)
    foreign_start = H.foreign_cpu(1.0)
    if foreign_start is not None and foreign_start > 0.05:
        notes.append(f"other processes used {foreign_start:.0%} of the CPUs just before the run: "
                     "timings (numba parallel ones above all) are disturbed")
        log("WARNING: " + notes[-1])

    # ---- data
    t0 = time.perf_counter()
    data = H.make_data(n)
    log(f"data: {n:,} tokens built in {time.perf_counter()-t0:.1f} s; probs {data.probs.shape} "
        f"{data.probs.nbytes/1e6:.0f} MB; class shares "
        + ", ".join(f"{c/n:.3f}" for c in np.bincount(data.y_true, minlength=C)))

    # ---- bandwidth
    bw = H.measure_bandwidth(2 << 30, k=k)
    log(f"read bandwidth: {bw['GBps_best']:.1f} GB/s best ({bw['GBps_median']:.1f} median) over 2 GiB")
    bytes_labels = data.y_true.nbytes + data.y_pred.nbytes
    bytes_probs_case = data.probs.nbytes + data.y_true.nbytes

    # ---- rows
    rows = build_cases(data, fm, peers, notes)
    floors = {}
    for r in rows:
        if r.case.startswith("confusion_matrix from"):
            floors[r.case] = bytes_probs_case / (bw["GBps_best"] * 1e9)
        else:
            floors[r.case] = bytes_labels / (bw["GBps_best"] * 1e9)
    small = build_small_cases(fm, peers)
    for r in small:
        floors[r.case] = None
    log(f"timing {len(rows) + len(small)} implementations, warm-up 1 + k={k} timed calls each")
    run_rows(rows + small, k, log)

    desc = H.machine_description()  # after numba ran: threading layer known
    if desc.get("fastmetrics_source") != src_before:
        notes.append(f"fastmetrics source changed during the run ({src_before} -> "
                     f"{desc.get('fastmetrics_source')}): results may mix two versions")
    table, verdicts = summarise(rows + small, bw, floors)

    # numba dispatchers of fastmetrics: signatures compiled for the whole run
    disp = H.dispatcher_summary() if fm is not None else {}
    many = {k_: v["signatures"] for k_, v in disp.items() if v["signatures"] > 3}
    if many:
        notes.append("fastmetrics dispatchers with > 3 compiled signatures: " + json.dumps(many))
    nocache = sorted(k_ for k_, v in disp.items() if v["signatures"] and not v["cache_enabled"])
    if nocache:
        notes.append("fastmetrics kernels used without cache=True: " + ", ".join(nocache))
    timed_compiles = [r for r in rows + small if r.compiles and r.kind.startswith("fm")]
    if timed_compiles:
        notes.append("numba compiled during timed fastmetrics calls (compile on every call?): "
                     + "; ".join(f"{r.impl}: {r.compiles}" for r in timed_compiles))

    # ---- start-up
    startup_md, startup_res = "", None
    if not args.no_startup and fm is not None:
        import startup as S

        log(f"start-up: fresh subprocesses, {srep} repeats per call (cold + warm numba cache)")
        startup_res = S.measure(("cm", "f1"), (1000, 1_000_000), repeats=srep, log=log)
        startup_md = S.markdown(startup_res)
        for (call, n), r in startup_res.items():
            v = r["warm"]["total_s"]
            target = 0.5 if n <= 50_000 else 0.9
            verdicts.append({"case": "startup", "peer": "-",
                             "fastmetrics": f"import + first {call} call ({n:,} tokens), warm cache",
                             "target": f"<= {target} s", "measured": v, "met": v <= target})
    elif fm is None:
        notes.append("start-up measurements skipped (fastmetrics not usable)")

    busy_rows = [r for r in rows + small if (r.foreign or 0) > 0.05]
    if busy_rows:
        notes.append(f"{len(busy_rows)} rows were timed while other processes used > 5 % of the CPUs "
                     f"(max {max(r.foreign for r in busy_rows):.0%}); flagged in the 'result ok?' column")
    else:
        notes.append("no concurrent CPU use by other processes above 5 % was seen while timing")
    desc_end_load = " ".join(open("/proc/loadavg").read().split()[:3]) if os.path.exists("/proc/loadavg") else "?"

    # ---- report
    md = []
    md.append(f"## fastmetrics benchmark — {started:%Y-%m-%d %H:%M} UTC\n")
    md.append(f"Command: `{cmdline.strip()}` (n = {n:,}, k = {k}, best-of-k / median-of-k, "
              f"time.perf_counter, one warm-up call per implementation excluded: JIT compile not timed)\n")
    md.append("### Machine\n")
    md.append(machine_md(desc, bw))
    md.append(f"\nload average at start {desc['loadavg']}, at end {desc_end_load}\n")
    md.append("### Throughput (warm, in-process)\n")
    md.append(table)
    md.append("")
    md.append(f"Bandwidth floor = bytes that must be read once / {bw['GBps_best']:.1f} GB/s: "
              f"labels {bytes_labels/1e6:.0f} MB -> {bytes_labels/bw['GBps_best']/1e6:.2f} ms; "
              f"probs + y_true {bytes_probs_case/1e6:.0f} MB -> {bytes_probs_case/bw['GBps_best']/1e6:.2f} ms. "
              "\"fraction of bandwidth floor\" = floor / best time (1.0 = reads its input exactly once at full "
              "bandwidth). Ratios = peer best / fastmetrics best.")
    if startup_md:
        md.append("\n### Start-up (fresh processes)\n")
        md.append(startup_md)
    md.append("\n### Targets\n")
    for v in verdicts:
        meas = v["measured"]
        ms_ = f"{meas:.3f} s" if v["case"] == "startup" else f"{meas:.2f}x"
        md.append(f"- {v['case']} — {v['fastmetrics']} vs {v['peer']}: target {v['target']}, measured {ms_}: "
                  f"{'met' if v['met'] else '**MISSED**'}"
                  + (" (fastmetrics returned a WRONG RESULT)" if v.get("wrong_result") else ""))
    if notes:
        md.append("\n### Notes\n")
        md.extend(f"- {x}" for x in notes)
    report = "\n".join(md)
    print()
    print(report)

    if args.out is not None:
        path = args.out or os.path.join(HERE, "out", f"compare-{started:%Y%m%dT%H%M%S}.md")
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "w") as f:
            f.write(report + "\n")
        raw = {
            "command": cmdline, "n": n, "k": k, "machine": desc, "bandwidth": bw,
            "rows": [{"case": r.case, "impl": r.impl, "kind": r.kind, "error": r.error, "ok": r.ok,
                      "foreign_cpu": r.foreign,
                      "compiles_while_timing": r.compiles,
                      "times_s": r.timing.times if r.timing else None} for r in rows + small],
            "verdicts": verdicts, "notes": notes,
            "startup": startup_res and {f"{c} {n}": r for (c, n), r in startup_res.items()},
            "fastmetrics_dispatchers": disp,
        }
        with open(os.path.splitext(path)[0] + ".json", "w") as f:
            json.dump(raw, f, indent=1, default=str)
        log(f"\nwrote {path} (+ .json)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

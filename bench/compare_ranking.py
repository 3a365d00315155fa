"""Ranking metrics (issue 3): fastmetrics vs peers, side by side.

    python bench/compare_ranking.py [--n 10000000] [--k 5] [--k-slow 1] [--slow-s 5]
    python bench/compare_ranking.py --quick          # n = 200,000 smoke run
    python bench/compare_ranking.py --blocks binary  # or: multiclass

Prints a markdown table (best / median of k timed calls after one untimed
warm-up call per implementation, which excludes JIT compilation and lazy
imports), the value each implementation returned (approximate peers show
their error there) and the ratio peer time / fastmetrics time.  A peer whose
warm-up call takes longer than ``--slow-s`` seconds is timed ``--k-slow``
times instead of ``--k`` (the slow scikit-learn / torchmetrics peers at 10M).
Peers that are not installed are skipped.

Blocks
------
binary      n float32 scores, 1:9 positives, clipped-normal scores.  Peers:
            scikit-learn, torchmetrics (exact, and ``thresholds=200``),
            Keras ``AUC(num_thresholds=200)`` (ROC and ``curve="PR"``:
            approximate, the issue's "faster than Keras" peer), numpy argsort.
multiclass  n tokens x 7 classes, float32 softmax probabilities, geometric
            class frequencies (1:9 between the rarest and the most common
            class); one-vs-rest macro ROC AUC.  Peers: scikit-learn
            ``roc_auc_score(multi_class="ovr")``, torchmetrics
            ``multiclass_auroc`` (exact).

Keras: each timed call is ``reset_state(); update_state(y, s); result()`` on
all n scores at once (eager, TensorFlow backend); the tensors are built
outside the timed call, as the torch tensors are (``torch.from_numpy``).
After the table, a footnote gives fastmetrics time / Keras time (the issue's
target is < 1: the exact fastmetrics result faster than Keras' approximation).
"""

import argparse
import os
import time

import numpy as np

import fastmetrics as fm

NUM_CLASSES = 7


def _time(fn, k, k_slow, slow_s):
    """(best, median, k used, value): one untimed warm-up call, then k timed calls."""
    t = time.perf_counter()
    value = fn()
    if time.perf_counter() - t > slow_s:
        k = k_slow
    ts = []
    for _ in range(k):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return min(ts), float(np.median(ts)), k, value


def _fmt_value(v):
    if v is None or isinstance(v, (tuple, list)):
        return "—"  # curves, or nothing returned
    if hasattr(v, "numpy"):  # torch / tf scalar tensors
        v = v.numpy()
    v = np.asarray(v)
    if v.ndim == 0:
        return f"{float(v):.6f}"
    return "—"  # curves


def _binary_cases(n, rng, notes):
    y = (rng.random(n) < 0.1).astype(np.int64)  # 1:9 imbalance
    s = np.clip(rng.normal(0.3 + 0.2 * y, 0.15), 0, 1).astype(np.float32)
    w = rng.random(n)
    cases = {
        "roc_auc_score": [("fastmetrics", lambda: fm.roc_auc_score(y, s))],
        "roc_auc_score (weighted)": [
            ("fastmetrics", lambda: fm.roc_auc_score(y, s, sample_weight=w))],
        "average_precision_score": [
            ("fastmetrics", lambda: fm.average_precision_score(y, s))],
        "roc_curve": [("fastmetrics", lambda: fm.roc_curve(y, s))],
        "precision_recall_curve": [("fastmetrics", lambda: fm.precision_recall_curve(y, s))],
    }
    try:
        from sklearn import metrics as skm

        cases["roc_auc_score"].append(("sklearn", lambda: skm.roc_auc_score(y, s)))
        cases["roc_auc_score (weighted)"].append(
            ("sklearn", lambda: skm.roc_auc_score(y, s, sample_weight=w)))
        cases["average_precision_score"].append(
            ("sklearn", lambda: skm.average_precision_score(y, s)))
        cases["roc_curve"].append(("sklearn", lambda: skm.roc_curve(y, s)))
        cases["precision_recall_curve"].append(
            ("sklearn", lambda: skm.precision_recall_curve(y, s)))
    except ImportError:
        notes.append("scikit-learn not installed: skipped")
    try:
        import torch
        from torchmetrics.functional.classification import (
            binary_auroc, binary_average_precision)

        ts, tt = torch.from_numpy(s), torch.from_numpy(y)
        cases["roc_auc_score"].append(
            ("torchmetrics binary_auroc (exact)", lambda: binary_auroc(ts, tt)))
        cases["roc_auc_score"].append(
            ("torchmetrics binary_auroc(thresholds=200) (approx.)",
             lambda: binary_auroc(ts, tt, thresholds=200)))
        cases["average_precision_score"].append(
            ("torchmetrics binary_average_precision (exact)",
             lambda: binary_average_precision(ts, tt)))
    except ImportError:
        notes.append("torch / torchmetrics not installed: skipped")
    try:
        os.environ.setdefault("KERAS_BACKEND", "tensorflow")
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import keras

        yk = keras.ops.convert_to_tensor(y.astype(np.float32))
        sk = keras.ops.convert_to_tensor(s)
        roc = keras.metrics.AUC(num_thresholds=200)
        pr = keras.metrics.AUC(num_thresholds=200, curve="PR")

        def _keras(metric):
            def call():
                metric.reset_state()
                metric.update_state(yk, sk)
                return float(metric.result())
            return call

        cases["roc_auc_score"].append(
            ("keras AUC(num_thresholds=200) (approx.)", _keras(roc)))
        cases["average_precision_score"].append(
            ('keras AUC(num_thresholds=200, curve="PR") (approx.)', _keras(pr)))
        notes.append(f"keras {keras.__version__}, backend {keras.backend.backend()}")
    except ImportError:
        notes.append("keras not installed: skipped")
    cases["roc_auc_score"].append(("numpy argsort alone", lambda: np.argsort(s, kind="stable")))
    return cases


def _softmax_probs(n, rng):
    p = 9.0 ** (-np.arange(NUM_CLASSES) / (NUM_CLASSES - 1))
    y = rng.choice(NUM_CLASSES, size=n, p=p / p.sum()).astype(np.int64)
    z = rng.standard_normal((n, NUM_CLASSES), dtype=np.float32)
    z[np.arange(n), y] += np.float32(1.5)
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return y, z


def _multiclass_cases(n, rng, notes):
    y, p = _softmax_probs(n, rng)
    name = "roc_auc_score ovr macro (x7)"
    cases = {name: [("fastmetrics",
                     lambda: fm.roc_auc_score(y, p, multi_class="ovr"))]}
    try:
        from sklearn import metrics as skm

        cases[name].append(("sklearn", lambda: skm.roc_auc_score(y, p, multi_class="ovr")))
    except ImportError:
        notes.append("scikit-learn not installed: skipped")
    try:
        import torch
        from torchmetrics.functional.classification import multiclass_auroc

        tp, tt = torch.from_numpy(p), torch.from_numpy(y)
        cases[name].append(
            ("torchmetrics multiclass_auroc (exact)",
             lambda: multiclass_auroc(tp, tt, num_classes=NUM_CLASSES, average="macro")))
    except ImportError:
        notes.append("torch / torchmetrics not installed: skipped")
    return cases


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000_000, help="scores / tokens (default 10M)")
    ap.add_argument("--quick", action="store_true", help="smoke run: n = 200,000")
    ap.add_argument("--k", type=int, default=5, help="timed calls per implementation")
    ap.add_argument("--k-slow", type=int, default=1,
                    help="timed calls for a slow implementation (warm-up > --slow-s)")
    ap.add_argument("--slow-s", type=float, default=5.0,
                    help="seconds a warm-up call must exceed to count as slow")
    ap.add_argument("--blocks", default="binary,multiclass",
                    help="comma-separated: binary, multiclass")
    args = ap.parse_args(argv)
    n = 200_000 if args.quick else args.n
    blocks = [b.strip() for b in args.blocks.split(",") if b.strip()]
    for b in blocks:
        if b not in ("binary", "multiclass"):
            ap.error(f"--blocks: unknown block {b!r} (expected binary, multiclass)")
    rng = np.random.default_rng(0)
    notes = []
    cases = {}
    if "binary" in blocks:
        cases.update(_binary_cases(n, rng, notes))
    if "multiclass" in blocks:
        cases.update(_multiclass_cases(n, rng, notes))
    try:
        import numba

        threads = numba.config.NUMBA_NUM_THREADS
    except ImportError:
        threads = "?"
    print(f"n = {n:,} (binary: float32 scores, 1:9 positives; multiclass: n x {NUM_CLASSES} "
          f"float32 softmax probabilities); k = {args.k} (slow peers, warm-up > "
          f"{args.slow_s:g} s: k = {args.k_slow}); numba threads = {threads}")
    for note in notes:
        print(f"  {note}")
    print()
    print("| case | implementation | k | best (ms) | median (ms) | value | peer / fastmetrics |")
    print("|---|---|---:|---:|---:|---:|---:|")
    keras_ratios = []
    for case, impls in cases.items():
        fm_best = None
        for name, fn in impls:
            best, med, k, value = _time(fn, args.k, args.k_slow, args.slow_s)
            if name == "fastmetrics":
                fm_best = best
            ratio = "—" if name == "fastmetrics" else f"{best / fm_best:.1f}x"
            print(f"| {case} | {name} | {k} | {best * 1e3:,.1f} | {med * 1e3:,.1f} | "
                  f"{_fmt_value(value)} | {ratio} |", flush=True)
            if name.startswith("keras"):
                keras_ratios.append((case, name, fm_best / best))
    if keras_ratios:
        print(f"\nfastmetrics time / Keras time at n = {n:,} (issue 3's target, at 10M: < 1, "
              "i.e. the exact fastmetrics result faster than Keras' 200-threshold "
              "approximation):")
        for case, name, r in keras_ratios:
            verdict = "met" if r < 1 else "not met"
            print(f"- {case} vs {name}: {r:.2f} ({verdict})")


if __name__ == "__main__":
    main()

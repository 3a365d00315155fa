"""Binary ranking metrics (issue 3, first part): fastmetrics vs peers, side by side.

    python bench/compare_ranking.py [--n 10000000] [--k 5]

Prints a markdown table (best / median of k timed calls after one untimed
warm-up call per implementation, which excludes JIT compilation) with the
ratio peer time / fastmetrics time.  Peers that are not installed are skipped.
"""

import argparse
import time

import numpy as np

import fastmetrics as fm


def _time(fn, k):
    fn()
    ts = []
    for _ in range(k):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return min(ts), float(np.median(ts))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--k", type=int, default=5)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(0)
    n = args.n
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
        print("scikit-learn not installed: skipped")
    try:
        import torch
        from torchmetrics.functional.classification import binary_auroc

        ts, tt = torch.from_numpy(s), torch.from_numpy(y)
        cases["roc_auc_score"].append(
            ("torchmetrics binary_auroc (exact)", lambda: binary_auroc(ts, tt)))
    except ImportError:
        print("torchmetrics not installed: skipped")
    cases["roc_auc_score"].append(("numpy argsort alone", lambda: np.argsort(s, kind="stable")))
    print(f"n = {n:,} float32 scores, 1:9 positives, k = {args.k}\n")
    print("| case | implementation | best (ms) | median (ms) | peer / fastmetrics |")
    print("|---|---|---:|---:|---:|")
    for case, impls in cases.items():
        fm_best = None
        for name, fn in impls:
            best, med = _time(fn, args.k)
            if name == "fastmetrics":
                fm_best = best
            ratio = "—" if name == "fastmetrics" else f"{best / fm_best:.1f}x"
            print(f"| {case} | {name} | {best * 1e3:,.1f} | {med * 1e3:,.1f} | {ratio} |")


if __name__ == "__main__":
    main()

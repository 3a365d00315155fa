"""Time fastmetrics calls of whichever version is on the path (fresh process,
warm Numba cache): used by compare_versions-style A/B runs without peers in
the process (peers' thread pools spin and add noise on small machines).

    PYTHONPATH=<checkout> python bench/ab_calls.py [--n 2000000] [--k 15]
"""

import argparse
import time

import numpy as np


def calls(n):
    import fastmetrics as fm

    rng = np.random.default_rng(0)
    C, T = 7, 100
    yt = rng.integers(0, C, n)
    yp = rng.integers(0, C, n)
    probs = rng.random((n // T, T, C), dtype=np.float32)
    probs /= probs.sum(-1, keepdims=True)
    y2 = yt.reshape(n // T, T)
    yb = (rng.random(n) < 0.1).astype(np.int64)
    sb = rng.random(n).astype(np.float32)
    pm = probs.reshape(-1, C)
    return {
        "confusion_matrix 1-D": lambda: fm.confusion_matrix(yt, yp),
        "confusion_matrix task": lambda: fm.confusion_matrix(yt, yp, task="multiclass",
                                                             num_classes=C),
        "confusion_matrix probs (N,T,C)": lambda: fm.confusion_matrix(
            y2, probs, task="multiclass", num_classes=C),
        "f1 macro 1-D": lambda: fm.f1_score(yt, yp, average="macro"),
        "roc_auc binary": lambda: fm.roc_auc_score(yb, sb),
        "average_precision binary": lambda: fm.average_precision_score(yb, sb),
        "roc_auc ovr (N*T, C)": lambda: fm.roc_auc_score(yt, pm, multi_class="ovr"),
        "roc_auc task (N,T,C)": lambda: fm.roc_auc_score(y2, probs, task="multiclass",
                                                          multi_class="ovr"),
        "scce (N,T,C)": lambda: fm.sparse_categorical_crossentropy(y2, probs),
        "log_loss": lambda: fm.log_loss(yt, pm, labels=np.arange(C)),
        "ece multiclass": lambda: fm.expected_calibration_error(
            y2, probs, task="multiclass", num_classes=C),
        "streaming AUC update": lambda: __import__("fastmetrics.streaming").streaming.AUC(
            task="multiclass", num_classes=C).update(y2, probs),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2_000_000)
    ap.add_argument("--k", type=int, default=15)
    args = ap.parse_args()
    for name, fn in calls(args.n).items():
        fn()
        ts = []
        for _ in range(args.k):
            t = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t)
        print(f"fastmetrics {name}  best {min(ts) * 1e3:.3f} ms  median {np.median(ts) * 1e3:.3f} ms",
              flush=True)


if __name__ == "__main__":
    main()

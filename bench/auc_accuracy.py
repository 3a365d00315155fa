"""Accuracy of the binned streaming AUC / AP: actual error against
scikit-learn on all the scores, and the certified bound, per score
distribution and table size (the table in docs/streaming-auc.md).

    python bench/auc_accuracy.py [--n 1000000] [--scores any|probability]

Each cell: the error with the within-bin estimates (the default), the
certified bound, and in brackets the error of the tie treatment (the same
weight table without its moments: each bin one threshold, what the state
gave before the estimates).
"""

import argparse
import warnings

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

from fastmetrics.streaming import AUC


def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def dists(n, rng):
    """name -> (scores, labels); the first ten as in the docs' table, then
    clusters like an untrained model's outputs."""
    u = rng.random(n)
    out = {
        "uniform (y ~ Bernoulli(s))": (u, rng.random(n) < u),
        "uniform (y independent)": (u, rng.random(n) < 0.5),
        "1e-7 * u": (1e-7 * u, rng.random(n) < u),
    }
    e = rng.uniform(3, 8, n)
    out["10 ** -uniform(3, 8)"] = (10.0 ** -e, rng.random(n) < (8 - e) / 5)
    out["1 - 1e-6 * u"] = (1 - 1e-6 * u, rng.random(n) < u)
    s5 = rng.choice([0.1, 0.3, 0.5, 0.7, 0.9], n)
    out["5 distinct values"] = (s5, rng.random(n) < s5)
    z = rng.random(n) < 0.5
    out["bimodal"] = (np.clip(np.where(z, rng.normal(0.15, 0.05, n),
                                       rng.normal(0.85, 0.05, n)), 0, 1),
                      rng.random(n) < np.where(z, 0.2, 0.8))
    y = rng.random(n) < 0.1
    out["1:9, sigmoid, crowded near 0"] = (_sig(-9 + 1.5 * y + rng.normal(0, 1, n)), y)
    y = rng.random(n) < 0.001
    y[:3] = True
    out["1:999, near 0"] = (1e-4 * rng.random(n) * np.where(y, 2.0, 1.0), y)
    for sd in (1e-2, 1e-3):
        y = rng.random(n) < 0.2
        out[f"0.5 + {sd:g} N(0, 1), weak signal"] = (0.5 + sd * (0.3 * y + rng.normal(0, 1, n)),
                                                    y)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--scores", default="probability", choices=["any", "probability"])
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    configs = [("ROC", 2**12), ("ROC", 2**16), ("ROC", 2**20), ("PR", 2**12), ("PR", 2**16),
               ("PR", 2**20)]
    head = ["scores"] + [f"{c} 2**{b.bit_length() - 1}" for c, b in configs]
    print(f"n = {args.n:,} float64 scores, unweighted, binary, scores={args.scores!r}; "
          "cells: error / bound (tie-treatment error)")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for name, (s, y) in dists(args.n, rng).items():
        exact = {"ROC": roc_auc_score(y, s), "PR": average_precision_score(y, s)}
        cells = []
        for curve, bins in configs:
            st = AUC(curve, bins=bins, scores=args.scores).update(y, s)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                err = abs(st.result() - exact[curve])
                bound = st.error_bound()
                cell = f"{err:.1e} / {bound:.1e}"
                d = st.state_dict()
                for key in ("moments", "moments2", "sq_weights"):
                    d.pop(key)
                tie = abs(AUC.from_state_dict(d).result() - exact[curve])
                cell += f" ({tie:.1e})"
            cells.append(cell.replace("0.0e+00", "0"))
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()

"""Per-token losses: fastmetrics vs Keras and scikit-learn, in one process and one run.

    python bench/compare_losses.py [--n 10000000] [--quick] [--k 5] [--threads N] [--json PATH]

The case (issue 4): ``n`` tokens (default 10M, ``--quick`` 1M) x 7 classes,
float32, shaped (N, T, 7) (``bench/_harness.make_data``: ~1:9 class imbalance,
int64 labels), as probabilities and as logits (``log`` of the probabilities,
so both describe the same model).

Rows (best-of-k and median-of-k wall time; every call warmed up once):

* fastmetrics ``sparse_categorical_crossentropy`` (mean), from probabilities
  and from logits; ``categorical_crossentropy`` (mean) from one-hot float32
  targets (which reads the targets too: 2x the bytes); ``log_loss``.
* Keras 3 ``CategoricalCrossentropy`` / ``SparseCategoricalCrossentropy``
  (``reduction="sum_over_batch_size"`` = mean), TensorFlow backend, eager, on
  tensors made before timing (only the loss call is timed).
* scikit-learn ``log_loss`` on the flattened (n, 7) probabilities.
* floor: ``_harness.read_once`` over the probability array (a numba parallel
  integer sum of its bytes as int64 words: every byte read once) — the time
  no per-token loss can beat.

Ratios printed: peer / fastmetrics, and fastmetrics / floor.  Targets (issue 4):
>= 5x Keras, >= 100x scikit-learn, <= 2x the floor from probabilities, <= 3x
from logits.  Each result is checked against the peer's value (rtol 1e-5).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import _harness as H

C = H.NUM_CLASSES


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    H.add_size_args(ap, "threads for numba and TensorFlow (default: all)")
    args = ap.parse_args(argv)
    n = args.n or (1_000_000 if args.quick else 10_000_000)
    k = args.k or (3 if args.quick else 5)

    if args.threads:
        import numba

        numba.set_num_threads(args.threads)
        try:
            import tensorflow as tf

            tf.config.threading.set_intra_op_parallelism_threads(args.threads)
            tf.config.threading.set_inter_op_parallelism_threads(args.threads)
        except Exception as exc:  # TF missing: Keras rows are skipped anyway
            print("tensorflow threads not set:", exc)
    import fastmetrics.losses as L

    d = H.make_data(n)
    probs = d.probs  # (N, T, 7) float32
    logits = np.log(np.maximum(probs, np.float32(1e-30)))
    y2d = d.y_true_2d
    onehot = np.eye(C, dtype=np.float32)[y2d]
    flat_p = probs.reshape(-1, C)
    results = {"n": n, "classes": C, "k": k, "threads": args.threads or "all",
               "machine": H.machine_description(), "rows": {}}
    rows = results["rows"]

    def run(name, fn, reps=k):
        t = H.time_call(fn, k=reps, warmup=1)
        val = fn()
        rows[name] = {"best_s": t.best, "median_s": t.median, "value": float(np.asarray(val))}
        print(f"{name:58s} best {t.best * 1e3:9.2f} ms  median {t.median * 1e3:9.2f} ms"
              f"  value {float(np.asarray(val)):.7g}", flush=True)
        return t.best

    # floor: read the probabilities once (the harness' parallel int64-word read,
    # whose integer adds vectorise: memory-bound, not add-latency-bound)
    H.read_once(probs)  # compile
    run("floor: numba parallel read of probs", lambda: H.read_once(probs))

    run("fastmetrics sparse_categorical_crossentropy (probs)",
        lambda: L.sparse_categorical_crossentropy(y2d, probs))
    run("fastmetrics sparse_categorical_crossentropy (logits)",
        lambda: L.sparse_categorical_crossentropy(y2d, logits, from_logits=True))
    run("fastmetrics categorical_crossentropy (probs, one-hot)",
        lambda: L.categorical_crossentropy(onehot, probs))
    run("fastmetrics categorical_crossentropy (logits, one-hot)",
        lambda: L.categorical_crossentropy(onehot, logits, from_logits=True))
    run("fastmetrics log_loss", lambda: L.log_loss(d.y_true, flat_p))

    keras, why = H.try_import("keras")
    if keras is not None:
        import tensorflow as tf

        tp, tl = tf.constant(probs), tf.constant(logits)
        ty, toh = tf.constant(y2d), tf.constant(onehot)
        cce = keras.losses.CategoricalCrossentropy()
        cce_l = keras.losses.CategoricalCrossentropy(from_logits=True)
        scce = keras.losses.SparseCategoricalCrossentropy()
        scce_l = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        run("keras SparseCategoricalCrossentropy (probs)", lambda: scce(ty, tp).numpy())
        run("keras SparseCategoricalCrossentropy (logits)", lambda: scce_l(ty, tl).numpy())
        run("keras CategoricalCrossentropy (probs)", lambda: cce(toh, tp).numpy())
        run("keras CategoricalCrossentropy (logits)", lambda: cce_l(toh, tl).numpy())
    else:
        print("keras not available:", why)

    from sklearn.metrics import log_loss as sk_log_loss

    run("scikit-learn log_loss", lambda: sk_log_loss(d.y_true, flat_p), reps=1 if args.quick else 3)

    def b(name):
        return rows[name]["best_s"] if name in rows else None

    fl = b("floor: numba parallel read of probs")
    checks = []

    def ratio(label, num, den, target, higher_is_better=True):
        if num is None or den is None:
            return
        r = num / den
        ok = r >= target if higher_is_better else r <= target
        cmp = ">=" if higher_is_better else "<="
        checks.append({"what": label, "ratio": r, "target": f"{cmp} {target}", "met": ok})
        print(f"  {label:64s} {r:8.2f}x  (target {cmp} {target}x: {'met' if ok else 'MISSED'})")

    print("\nratios (best-of-k):")
    fs_p = b("fastmetrics sparse_categorical_crossentropy (probs)")
    fs_l = b("fastmetrics sparse_categorical_crossentropy (logits)")
    fc_p = b("fastmetrics categorical_crossentropy (probs, one-hot)")
    fc_l = b("fastmetrics categorical_crossentropy (logits, one-hot)")
    ratio("Keras SCCE / fastmetrics (probs)", b("keras SparseCategoricalCrossentropy (probs)"),
          fs_p, 5)
    ratio("Keras SCCE / fastmetrics (logits)", b("keras SparseCategoricalCrossentropy (logits)"),
          fs_l, 5)
    ratio("Keras CCE / fastmetrics (probs)", b("keras CategoricalCrossentropy (probs)"), fc_p, 5)
    ratio("Keras CCE / fastmetrics (logits)", b("keras CategoricalCrossentropy (logits)"), fc_l, 5)
    ratio("scikit-learn log_loss / fastmetrics log_loss", b("scikit-learn log_loss"),
          b("fastmetrics log_loss"), 100)
    ratio("fastmetrics SCCE (probs) / floor", fs_p, fl, 2, higher_is_better=False)
    ratio("fastmetrics SCCE (logits) / floor", fs_l, fl, 3, higher_is_better=False)
    ratio("fastmetrics log_loss / floor", b("fastmetrics log_loss"), fl, 2,
          higher_is_better=False)
    ratio("fastmetrics CCE one-hot (probs) / floor [reads 2x the bytes]", fc_p, fl, 2,
          higher_is_better=False)

    # values agree with the peers
    def close(a, bname, rtol=1e-5):
        if a in rows and bname in rows:
            va, vb = rows[a]["value"], rows[bname]["value"]
            ok = abs(va - vb) <= rtol * abs(vb)
            print(f"  value check {a!r} vs {bname!r}: {va:.7g} vs {vb:.7g} "
                  f"{'ok' if ok else 'MISMATCH'}")

    print()
    close("fastmetrics sparse_categorical_crossentropy (probs)",
          "keras SparseCategoricalCrossentropy (probs)")
    close("fastmetrics sparse_categorical_crossentropy (logits)",
          "keras SparseCategoricalCrossentropy (logits)")
    close("fastmetrics categorical_crossentropy (probs, one-hot)",
          "keras CategoricalCrossentropy (probs)")
    close("fastmetrics log_loss", "scikit-learn log_loss")
    results["checks"] = checks
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    return results


if __name__ == "__main__":
    main()

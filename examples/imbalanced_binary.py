"""Imbalanced binary classification over two token sequences (1 positive : 9 negatives).

The pain case: a two-unit softmax with one-hot targets, trained with
``class_weight``, and the classic Keras-1 ``precision`` / ``recall`` / ``f1``
functions (``K.sum(K.round(K.clip(y_true * y_pred, 0, 1)))`` per batch,
averaged over the batches) in ``metrics=[...]``.  On a two-unit softmax those
formulas count both columns (a micro-average), and a micro-average over one
predicted class per example *is* accuracy: the log shows accuracy, precision,
recall and F1 all equal.  Keras' built-in ``Precision`` / ``Recall`` without
``class_id`` do the same.

Next to them this script reports fastmetrics' epoch-exact ``Precision``,
``Recall``, ``F1Score`` and ``AUC`` with ``task="binary"`` (a two-unit softmax
with one-hot targets is scored on unit 1, the positive class), and checks them
against scikit-learn on ``model.predict`` after every epoch and after a final
``evaluate``.

Run::

    python examples/imbalanced_binary.py --small --out /tmp/imb

Outputs in ``--out``: ``results.json`` (per-epoch logs, scikit-learn
recomputations, final check) and ``predictions.npz`` (validation labels and the
predicted probabilities after every epoch).

Note on weights: Keras passes ``sample_weight`` / ``class_weight`` only to
``compile(weighted_metrics=[...])``.  The metrics below are in ``metrics=[...]``
on purpose: they report the model on the data as it is (unweighted), which is
what "precision of the positive class" means.  Put a metric in
``weighted_metrics`` to have the class weights count in it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _results import write_results  # noqa: E402

import keras  # noqa: E402
from keras import ops  # noqa: E402

import fastmetrics as fm  # noqa: E402
from fastmetrics import keras as fk  # noqa: E402

VOCAB = 500
LEN_A, LEN_B = 30, 20
SIGNAL_A = (1, 21)    # token ids [1, 21) carry the signal in sequence A
SIGNAL_B = (21, 41)   # token ids [21, 41) in sequence B
NOISE = (41, VOCAB)   # every other token


# ---------------------------------------------------------------------------
# data and model
# ---------------------------------------------------------------------------
def make_data(n, seed, pos_rate=0.1):
    """Two sequences of token ids per example and a 1:9 binary label.

    Positives carry on average 2 (A) and 1.5 (B) "signal" tokens, negatives
    0.3 each: learnable, not separable.  Returns ``(seq_a, seq_b, y)`` with
    ``y`` of shape (n,) in {0, 1}.
    """
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < pos_rate).astype(np.int64)
    seqs = []
    for length, (lo, hi), rate_pos in ((LEN_A, SIGNAL_A, 2.0), (LEN_B, SIGNAL_B, 1.5)):
        s = rng.integers(*NOISE, size=(n, length))
        rate = np.where(y == 1, rate_pos, 0.3)[:, None] / length
        place = rng.random((n, length)) < rate
        s[place] = rng.integers(lo, hi, size=int(place.sum()))
        seqs.append(s.astype(np.int32))
    return seqs[0], seqs[1], y


def build_model(vocab=VOCAB, dim=16):
    """Two token inputs -> Embedding + GlobalAveragePooling each -> concat -> softmax(2)."""
    a = keras.Input((LEN_A,), dtype="int32", name="seq_a")
    b = keras.Input((LEN_B,), dtype="int32", name="seq_b")
    ea = keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(vocab, dim)(a))
    eb = keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(vocab, dim)(b))
    x = keras.layers.Concatenate()([ea, eb])
    x = keras.layers.Dense(16, activation="relu")(x)
    out = keras.layers.Dense(2, activation="softmax")(x)
    return keras.Model({"seq_a": a, "seq_b": b}, out)


# ---------------------------------------------------------------------------
# the classic per-batch formulas (Keras 1 / 2 era snippets, in keras.ops)
# ---------------------------------------------------------------------------
def batch_precision(y_true, y_pred):
    y_true = ops.cast(y_true, y_pred.dtype)
    tp = ops.sum(ops.round(ops.clip(y_true * y_pred, 0, 1)))
    predicted = ops.sum(ops.round(ops.clip(y_pred, 0, 1)))
    return tp / (predicted + keras.backend.epsilon())


def batch_recall(y_true, y_pred):
    y_true = ops.cast(y_true, y_pred.dtype)
    tp = ops.sum(ops.round(ops.clip(y_true * y_pred, 0, 1)))
    possible = ops.sum(ops.round(ops.clip(y_true, 0, 1)))
    return tp / (possible + keras.backend.epsilon())


def batch_f1(y_true, y_pred):
    p = batch_precision(y_true, y_pred)
    r = batch_recall(y_true, y_pred)
    return 2 * p * r / (p + r + keras.backend.epsilon())


def sklearn_binary(y, probs):
    """scikit-learn's values for the positive class (unit 1 > 0.5), on all examples."""
    from sklearn import metrics as skm

    p1 = probs[:, 1].astype(np.float64)
    yhat = (probs[:, 1] > 0.5).astype(int)
    return {
        "accuracy": float(skm.accuracy_score(y, probs.argmax(-1))),
        "precision": float(skm.precision_score(y, yhat, zero_division=0.0)),
        "recall": float(skm.recall_score(y, yhat, zero_division=0.0)),
        "f1": float(skm.f1_score(y, yhat, zero_division=0.0)),
        "auc": float(skm.roc_auc_score(y, p1)),
    }


class RecomputeWithSklearn(keras.callbacks.Callback):
    """After each epoch: predict the validation set, score it with scikit-learn."""

    def __init__(self, x_val, y_val, auc):
        super().__init__()
        self.x_val, self.y_val, self.auc = x_val, y_val, auc
        self.rows, self.probs = [], []

    def on_epoch_end(self, epoch, logs=None):
        probs = self.model.predict(self.x_val, batch_size=1024, verbose=0)
        self.probs.append(probs)
        self.rows.append({"epoch": epoch + 1,
                          "logs": {k: float(v) for k, v in (logs or {}).items()},
                          "sklearn_val": sklearn_binary(self.y_val, probs),
                          # the metrics hold the validation pass's state here
                          # (Keras resets them before it): the certified
                          # bound of the binned val_fm_auc
                          "val_fm_auc_error_bound": float(self.auc.error_bound())})
        print_epoch(self.rows[-1])


_GROUPS = [("", "epoch set    acc   ", 19), ("per-batch formulas", "prec   rec    f1    ", 20),
           ("Keras P/R", "prec   rec   ", 13),
           ("fastmetrics binary", "prec   rec    f1     AUC   ", 27),
           ("scikit-learn (val)", "prec   rec    f1", 20)]
HEAD = (" | ".join(f"{title:{width}s}" for title, _, width in _GROUPS).rstrip() + "\n"
        + " | ".join(f"{cols:{width}s}" for _, cols, width in _GROUPS).rstrip())


def print_epoch(row):
    lg, sk = row["logs"], row["sklearn_val"]
    for prefix, label in (("", "train"), ("val_", "val")):
        def g(*keys, prefix=prefix):
            return " ".join(f"{lg[prefix + k]:.4f}" for k in keys)

        line = (f"{row['epoch']:5d} {label:5s}  {g('accuracy')} | "
                f"{g('batch_precision', 'batch_recall', 'batch_f1')} | "
                f"{g('keras_precision', 'keras_recall')} | "
                f"{g('fm_precision', 'fm_recall', 'fm_f1', 'fm_auc')} |")
        if label == "val":
            line += f" {sk['precision']:.4f} {sk['recall']:.4f} {sk['f1']:.4f}"
        print(line)




def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--small", action="store_true", help="tiny run for CI (< 30 s)")
    ap.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "fastmetrics-examples",
                                                  "imbalanced_binary"),
                    help="output folder (results.json, predictions.npz)")
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--n-train", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    n_train = args.n_train or (3000 if args.small else 20000)
    n_val = max(1000, n_train // 4)
    epochs = args.epochs or (2 if args.small else 8)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()

    keras.utils.set_random_seed(args.seed)
    a, b, y = make_data(n_train, args.seed)
    va, vb, yv = make_data(n_val, args.seed + 1)
    onehot, onehot_v = np.eye(2, dtype=np.float32)[y], np.eye(2, dtype=np.float32)[yv]
    x, xv = {"seq_a": a, "seq_b": b}, {"seq_a": va, "seq_b": vb}
    neg, pos = np.bincount(y, minlength=2)
    class_weight = {0: 1.0, 1: float(neg / pos)}
    print(f"train: {n_train} examples, {pos} positive ({pos / n_train:.1%}); "
          f"validation: {n_val} ({int(yv.sum())} positive); class_weight={class_weight}")

    model = build_model()
    auc = fk.AUC(task="binary", name="fm_auc")  # binned: within auc.error_bound()
    model.compile(
        optimizer=keras.optimizers.Adam(1e-2),
        loss="categorical_crossentropy",
        metrics=[
            "accuracy",
            # the pain: per-batch formulas on the two-unit softmax
            batch_precision, batch_recall, batch_f1,
            # Keras' own, epoch-exact, but over both columns (no class_id)
            keras.metrics.Precision(name="keras_precision"),
            keras.metrics.Recall(name="keras_recall"),
            # fastmetrics: the positive class (unit 1), exact over the epoch
            fk.Precision(task="binary", name="fm_precision"),
            fk.Recall(task="binary", name="fm_recall"),
            fk.F1Score(task="binary", name="fm_f1"),
            auc,
        ],
    )
    cb = RecomputeWithSklearn(xv, yv, auc)
    print(HEAD)
    model.fit(x, onehot, validation_data=(xv, onehot_v), class_weight=class_weight,
              epochs=epochs, batch_size=64, verbose=0, callbacks=[cb])

    # final check: evaluate (exact epoch values) vs scikit-learn on model.predict
    ev = model.evaluate(xv, onehot_v, batch_size=128, verbose=0, return_dict=True)
    ev = {k: float(v) for k, v in ev.items()}
    probs = model.predict(xv, batch_size=1024, verbose=0)
    sk = sklearn_binary(yv, probs)
    pairs = {"precision": "fm_precision", "recall": "fm_recall", "f1": "fm_f1",
             "auc": "fm_auc", "accuracy": "accuracy"}
    diffs = {k: abs(ev[v] - sk[k]) for k, v in pairs.items()}
    auc_bound = float(auc.error_bound())  # of the evaluate pass
    ok = all(diffs[k] <= 1e-5 for k in ("precision", "recall", "f1", "accuracy")) \
        and diffs["auc"] <= auc_bound + 1e-6
    print("\nfinal evaluate on the validation set vs scikit-learn on model.predict:")
    print(f"  {'metric':10s} {'evaluate':>10s} {'sklearn':>10s} {'|diff|':>10s}   "
          f"batch-avg formula")
    for k, v in pairs.items():
        batch = ev.get(f"batch_{k}", float("nan"))
        print(f"  {k:10s} {ev[v]:10.6f} {sk[k]:10.6f} {diffs[k]:10.2e}   "
              + (f"{batch:.6f}" if k in ("precision", "recall", "f1") else "")
              + (f"(binned AUC, certified bound {auc_bound:.1e})" if k == "auc" else ""))
    print(f"  keras Precision/Recall (both columns): {ev['keras_precision']:.6f} / "
          f"{ev['keras_recall']:.6f}  (= accuracy {ev['accuracy']:.6f})")
    print("\nfastmetrics.classification_report (validation, task='binary'):")
    print(fm.classification_report(onehot_v, probs, task="binary", digits=4,
                                   zero_division=0.0))
    print("checks against scikit-learn:", "PASSED" if ok else "FAILED")

    np.savez_compressed(out / "predictions.npz", y_val=yv, probs_val=probs,
                        probs_val_per_epoch=np.stack(cb.probs))
    results = {
        "example": "imbalanced_binary",
        "config": {"n_train": n_train, "n_val": n_val, "epochs": epochs, "seed": args.seed,
                   "class_weight": class_weight, "small": args.small},
        "epochs": cb.rows,
        "final": {"evaluate": ev, "sklearn": sk, "abs_diff": diffs,
                  "fm_auc_error_bound": auc_bound, "ok": ok},
        "seconds": time.perf_counter() - t0,
    }
    write_results(out / "results.json", results)
    print(f"wrote {out / 'results.json'} ({results['seconds']:.1f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

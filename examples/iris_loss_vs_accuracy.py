"""Iris: the loss falls smoothly while the accuracy moves in steps.

A 4 -> 8 (ReLU) -> 3 (softmax) network on Iris.  Accuracy only changes when a
prediction crosses a decision boundary (on 45 test flowers, in steps of
1/45), while the cross-entropy and the ROC AUC (threshold-free) move with
every change of the probabilities.  Per epoch this script records Keras' loss
and accuracy and fastmetrics' epoch-exact ``SparseCategoricalCrossentropy``
and ``AUC(task="multiclass", num_classes=3)``, on the training and the test
split, recomputes the test values with scikit-learn from the model's
predictions after every epoch, and plots them.

Run::

    python examples/iris_loss_vs_accuracy.py --small --out /tmp/iris

Outputs in ``--out``: ``iris_loss_vs_accuracy.png``, ``results.json`` (the
per-epoch history, the scikit-learn recomputations, the final ``evaluate``
check) and ``predictions.npz`` (test labels, test probabilities per epoch).
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

from fastmetrics import keras as fk  # noqa: E402


def make_data(seed=0, test_size=0.3):
    """Iris, stratified train / test split (features as they are, not scaled)."""
    from sklearn.datasets import load_iris
    from sklearn.model_selection import train_test_split

    X, y = load_iris(return_X_y=True)
    return train_test_split(X.astype(np.float32), y.astype(np.int32), test_size=test_size,
                            stratify=y, random_state=seed)


def build_model(hidden=8):
    inp = keras.Input((4,))
    x = keras.layers.Dense(hidden, activation="relu")(inp)
    out = keras.layers.Dense(3, activation="softmax")(x)
    return keras.Model(inp, out)


def sklearn_values(y, probs):
    """scikit-learn on the model's probabilities (in float64)."""
    import warnings

    from sklearn import metrics as skm

    p = probs.astype(np.float64)
    with warnings.catch_warnings():
        # float32 softmax rows sum to 1 within float32 rounding (~1e-7), more
        # than log_loss tolerates in float64 (sqrt(eps) ~ 1.5e-8): a warning only
        warnings.filterwarnings("ignore", message="The y_prob values do not sum to one")
        log_loss = skm.log_loss(y, p, labels=[0, 1, 2])
    return {
        "accuracy": float(skm.accuracy_score(y, probs.argmax(-1))),
        "log_loss": float(log_loss),
        "auc": float(skm.roc_auc_score(y, p, multi_class="ovr", labels=[0, 1, 2])),
    }


class RecomputeWithSklearn(keras.callbacks.Callback):
    """After each epoch: the test predictions, scored by scikit-learn.

    At ``on_epoch_end`` the metric objects hold the state of the validation
    pass that just ran (Keras resets them before it), so ``auc.error_bound()``
    is the certified bound of the logged ``val_fm_auc``.
    """

    def __init__(self, x_test, y_test, auc, every):
        super().__init__()
        self.x_test, self.y_test, self.auc, self.every = x_test, y_test, auc, every
        self.sklearn, self.probs, self.auc_bounds = [], [], []

    def on_epoch_end(self, epoch, logs=None):
        # the model's test predictions at the end of this epoch (what
        # model.predict returns, without its per-call overhead)
        probs = keras.ops.convert_to_numpy(self.model(self.x_test, training=False))
        self.probs.append(probs)
        sk = sklearn_values(self.y_test, probs)
        self.sklearn.append(sk)
        self.auc_bounds.append(float(self.auc.error_bound()))
        if epoch == 0 or (epoch + 1) % self.every == 0:
            lg = logs or {}
            print(f"{epoch + 1:5d} | {lg['loss']:.4f} {lg['accuracy']:.4f} {lg['fm_sce']:.4f} "
                  f"{lg['fm_auc']:.4f} | {lg['val_loss']:.4f} {lg['val_accuracy']:.4f} "
                  f"{lg['val_fm_sce']:.4f} {lg['val_fm_auc']:.4f} | {sk['log_loss']:.4f} "
                  f"{sk['accuracy']:.4f} {sk['auc']:.4f}")


def plot(history, n_test, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    ep = np.arange(1, len(history["loss"]) + 1)
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 7), sharex=True)
    ax1.plot(ep, history["loss"], label="train loss (Keras)", color="C0", alpha=0.6)
    ax1.plot(ep, history["val_loss"], label="test loss (Keras)", color="C1")
    ax1.plot(ep, history["val_fm_sce"], ls="none", marker=".", ms=3, color="k",
             label="test cross-entropy (fastmetrics)")
    ax1.set_ylabel("cross-entropy")
    ax1.legend()
    ax1.set_title("Iris: the loss falls smoothly...")
    ax2.plot(ep, history["accuracy"], drawstyle="steps-post", color="C0", alpha=0.6,
             label="train accuracy")
    ax2.plot(ep, history["val_accuracy"], drawstyle="steps-post", color="C1",
             label=f"test accuracy (steps of 1/{n_test})")
    ax2.plot(ep, history["val_fm_auc"], color="C2", label="test ROC AUC, one-vs-rest "
             "(fastmetrics)")
    ax2.set_ylabel("accuracy / AUC")
    ax2.set_xlabel("epoch")
    ax2.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax2.set_ylim(0, 1.02)
    ax2.legend(loc="lower right")
    ax2.set_title("...while the accuracy moves in steps")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)




def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--small", action="store_true", help="short run for CI (< 30 s)")
    ap.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "fastmetrics-examples",
                                                  "iris_loss_vs_accuracy"),
                    help="output folder (PNG, results.json, predictions.npz)")
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--lr", type=float, default=0.02, help="Adam learning rate")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    epochs = args.epochs or (20 if args.small else 150)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()

    keras.utils.set_random_seed(args.seed)
    x_tr, x_te, y_tr, y_te = make_data(args.seed)
    model = build_model()
    # binned AUC (bounded memory): within auc.error_bound() of the exact value
    auc = fk.AUC(task="multiclass", num_classes=3, name="fm_auc")
    model.compile(
        optimizer=keras.optimizers.Adam(args.lr),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy",
                 fk.SparseCategoricalCrossentropy(name="fm_sce"),
                 auc],
    )
    cb = RecomputeWithSklearn(x_te, y_te, auc, every=max(1, epochs // 10))
    print(f"Iris: {len(y_tr)} train / {len(y_te)} test flowers, {epochs} epochs")
    print("epoch |  train: loss   acc  fm_sce fm_auc |   test: loss   acc  fm_sce fm_auc "
          "| sklearn: logloss acc  auc")
    hist = model.fit(x_tr, y_tr, validation_data=(x_te, y_te), epochs=epochs,
                     batch_size=args.batch_size,
                     verbose=0, callbacks=[cb])
    history = {k: [float(v) for v in vals] for k, vals in hist.history.items()}

    # final evaluate (same weights as the last epoch's validation pass)
    ev = {k: float(v) for k, v in
          model.evaluate(x_te, y_te, verbose=0, return_dict=True).items()}
    probs = model.predict(x_te, verbose=0)
    sk = sklearn_values(y_te, probs)
    auc_bound = float(auc.error_bound())
    checks = {
        "accuracy": abs(ev["accuracy"] - sk["accuracy"]),
        "fm_sce": abs(ev["fm_sce"] - sk["log_loss"]),
        "loss": abs(ev["loss"] - sk["log_loss"]),
        "fm_auc": abs(ev["fm_auc"] - sk["auc"]),
        "last_epoch_val_fm_sce": abs(history["val_fm_sce"][-1] - ev["fm_sce"]),
        "last_epoch_val_accuracy": abs(history["val_accuracy"][-1] - ev["accuracy"]),
    }
    ok = max(v for k, v in checks.items() if k != "fm_auc") <= 1e-5 \
        and checks["fm_auc"] <= auc_bound + 1e-6
    per_epoch_auc = [abs(a - s["auc"]) - b for a, s, b in
                     zip(history["val_fm_auc"], cb.sklearn, cb.auc_bounds)]
    ok = ok and max(per_epoch_auc) <= 1e-6

    # the "steps": epochs where the test accuracy did not move while the loss did
    acc = np.array(history["val_accuracy"])
    loss = np.array(history["val_fm_sce"])
    flat = int(np.sum((np.diff(acc) == 0) & (np.abs(np.diff(loss)) > 1e-7)))
    steps = {"distinct_test_accuracies": len(np.unique(np.round(acc * len(y_te)))),
             "epochs_accuracy_flat_loss_moving": flat,
             "epochs_loss_decreased": int(np.sum(np.diff(loss) < 0)),
             "epochs": epochs}
    print(f"\nsteps: the test accuracy took {steps['distinct_test_accuracies']} distinct "
          f"values over {epochs} epochs; it stayed put in {flat} of {epochs - 1} epoch "
          f"transitions while the test loss moved (loss fell in "
          f"{steps['epochs_loss_decreased']}).")
    print("\nfinal evaluate on the test split vs scikit-learn on model.predict:")
    print(f"  accuracy      {ev['accuracy']:.6f}  sklearn {sk['accuracy']:.6f}")
    print(f"  fm_sce        {ev['fm_sce']:.6f}  sklearn log_loss {sk['log_loss']:.6f}  "
          f"(Keras loss {ev['loss']:.6f})")
    print(f"  fm_auc (OvR)  {ev['fm_auc']:.6f}  sklearn {sk['auc']:.6f}  (certified bound "
          f"{auc_bound:.1e}; largest per-epoch bound {max(cb.auc_bounds):.1e}, on scores "
          f"crowded in a few bins early in training)")
    print("checks against scikit-learn:", "PASSED" if ok else "FAILED")

    png = out / "iris_loss_vs_accuracy.png"
    plot(history, len(y_te), png)
    np.savez_compressed(out / "predictions.npz", y_test=y_te, probs_test=probs,
                        probs_test_per_epoch=np.stack(cb.probs))
    results = {
        "example": "iris_loss_vs_accuracy",
        "config": {"epochs": epochs, "seed": args.seed, "n_train": len(y_tr),
                   "n_test": len(y_te), "small": args.small},
        "history": history,
        "sklearn_test_per_epoch": cb.sklearn,
        "val_fm_auc_error_bound_per_epoch": cb.auc_bounds,
        "steps": steps,
        "final": {"evaluate": ev, "sklearn": sk, "abs_diff": checks,
                  "fm_auc_error_bound": auc_bound, "ok": ok},
        "plot": str(png),
        "seconds": time.perf_counter() - t0,
    }
    write_results(out / "results.json", results)
    print(f"wrote {png} and {out / 'results.json'} ({results['seconds']:.1f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

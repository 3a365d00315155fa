"""Write the compatibility fixtures: states and a .keras model saved by a given
fastmetrics version, with the values that version computed from them.

Run with the version to freeze on the path (the fixtures in this folder were
written by the commit named in ``compat_meta.json``)::

    KERAS_BACKEND=tensorflow PYTHONPATH=<old checkout> python tests/data/make_compat_fixtures.py

tests/test_compat.py loads them with the current code and asserts the same
values, so a refactor that changes a state_dict layout or a Keras registration
name fails there.
"""

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

HERE = Path(__file__).resolve().parent


def data(seed=0, n=64, t=9, c=4):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, c, (n, t))
    logits = rng.normal(size=(n, t, c)) + 1.5 * np.eye(c)[y]
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    mask = np.arange(t) < rng.integers(3, t + 1, n)[:, None]
    w = rng.uniform(0.5, 2.0, (n, t))
    return y, p.astype(np.float32), mask, w


def states():
    from fastmetrics import streaming as S

    y, p, mask, w = data()
    yb = (y == 1).astype(np.int64)
    pb = p[..., 1]
    out = {}

    cm = S.ConfusionMatrix(task="multiclass", num_classes=4)
    cm.update(y, p, mask=mask, sample_weight=w)
    out["ConfusionMatrix"] = (cm.state_dict(), {
        "f1_macro": cm.f1(average="macro"), "mcc": cm.matthews_corrcoef(),
        "result": cm.result().tolist()})

    cmb = S.ConfusionMatrix(task="binary", threshold=0.3)
    cmb.update(yb, pb, mask=mask)
    out["ConfusionMatrix_binary"] = (cmb.state_dict(), {
        "precision": cmb.precision(), "result": cmb.result().tolist()})

    for curve in ("ROC", "PR"):
        a = S.AUC(curve, task="multiclass", num_classes=4, bins=2**10)
        a.update(y, p, mask=mask, sample_weight=w)
        out[f"AUC_{curve}"] = (a.state_dict(), {
            "result": float(a.result()), "bound": float(a.error_bound())})
    ex = S.AUC("ROC", task="binary", mode="exact")
    ex.update(yb, pb, mask=mask)
    out["AUC_exact"] = (ex.state_dict(), {"result": float(ex.result())})

    ce = S.CalibrationError(task="multiclass", num_classes=4, n_bins=10)
    ce.update(y, p, mask=mask, sample_weight=w)
    out["CalibrationError"] = (ce.state_dict(), {"result": float(ce.result())})

    lo = S.Loss("sparse_categorical_crossentropy")
    lo.update(y, p, mask=mask, sample_weight=w)
    out["Loss"] = (lo.state_dict(), {"result": float(lo.result())})
    return out


def keras_model():
    import keras

    from fastmetrics import keras as fk

    y, p, mask, w = data(1, n=32, t=6, c=3)
    rng = np.random.default_rng(2)
    X = rng.integers(1, 20, (32, 6)).astype(np.int32)
    keras.utils.set_random_seed(0)
    inp = keras.Input((6,), dtype="int32")
    h = keras.layers.Embedding(20, 8)(inp)
    out = keras.layers.Dense(3, activation="softmax")(h)
    model = keras.Model(inp, out)
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=[
        fk.F1Score(num_classes=3), fk.Precision(num_classes=3, average="micro"),
        fk.BalancedAccuracy(num_classes=3), fk.MatthewsCorrelation(num_classes=3),
        fk.ConfusionMatrix(3), fk.AUC(num_classes=3, bins=2**12),
        fk.SparseCategoricalCrossentropy()])
    values = model.evaluate(X, y[:, :6], verbose=0, return_dict=True)
    model.save(HERE / "compat_model.keras")
    np.savez(HERE / "compat_model_data.npz", X=X, y=y[:, :6])
    return {k: np.asarray(v).tolist() for k, v in values.items()}


def main():
    import fastmetrics

    with open(HERE / "compat_states.pkl", "wb") as f:
        pickle.dump(states(), f, protocol=4)
    values = keras_model()
    src = Path(fastmetrics.__file__).resolve().parents[1]
    commit = subprocess.run(["git", "-C", str(src), "rev-parse", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    meta = {"written_by": commit, "keras_values": values}
    (HERE / "compat_meta.json").write_text(json.dumps(meta, indent=1) + "\n")


if __name__ == "__main__":
    sys.exit(main())

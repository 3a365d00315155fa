"""Run by tests/test_keras_metrics.py in a fresh process with KERAS_BACKEND set
(jax, torch or tensorflow): small models fit and evaluated with every
fastmetrics.keras class; prints, per scenario, the epoch values next to
scikit-learn's on the kept tokens as JSON (AUC values with their certified
bounds).

Usage: backend_check.py JIT [SCENARIO ...] with JIT "auto", "true" or "false"
and scenarios from SCENARIOS (default: all).
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from sklearn import metrics as skm  # noqa: E402

from fastmetrics import keras as fk  # noqa: E402
from fastmetrics import temporal_sample_weight  # noqa: E402


def _fit(jit, model, *args, **kwargs):
    """Train a little, so that the predictions mean something; not under
    jit_compile=True, where the check runs evaluate's XLA-compiled step only:
    it calls the same update_state as the training step, and every XLA
    compile of a step costs seconds of the CI run."""
    if jit != "true":
        model.fit(*args, **kwargs)


def _sequence(scenario, jit):
    # "mask": Embedding(mask_zero=True), no sample weights; "weights": temporal
    # sample weights (0 on padding), no Keras mask.  Not both at once: Keras
    # 3.15's loss multiplies sample_weight by the mask rescaling *in place*
    # (losses/loss.py apply_mask, ``sample_weight *= float_mask``), which under
    # the PyTorch backend changes the tensor every weighted metric then sees.
    rng = np.random.default_rng(3)
    N, T, V, C = 96, 10, 40, 4
    lengths = rng.integers(3, T + 1, N)
    mask = np.arange(T)[None, :] < lengths[:, None]
    X = np.where(mask, rng.integers(1, V, (N, T)), 0).astype(np.int32)
    y = np.where(mask, (X % C + (rng.random((N, T)) < 0.3)) % C, 0).astype(np.int32)
    sw = temporal_sample_weight(y, class_weight="balanced", mask=mask)
    fit_w = None if scenario == "mask" else sw
    inp = keras.Input((T,), dtype="int32")
    h = keras.layers.Embedding(V, 8, mask_zero=(scenario == "mask"))(inp)
    out = keras.layers.Dense(C, activation="softmax")(h)
    model = keras.Model(inp, out)
    metrics = [fk.F1Score(num_classes=C), fk.Precision(num_classes=C, average="micro"),
               fk.Recall(num_classes=C, average="weighted"),
               fk.FBetaScore(num_classes=C, beta=2.0, average=None),
               fk.BalancedAccuracy(num_classes=C), fk.MatthewsCorrelation(num_classes=C),
               fk.SparseCategoricalCrossentropy(), fk.ConfusionMatrix(C),
               fk.AUC(num_classes=C), fk.AUC("PR", num_classes=C, name="auc_pr")]
    model.compile("adam", "sparse_categorical_crossentropy", weighted_metrics=metrics,
                  jit_compile=(jit == "true") if jit != "auto" else "auto")
    _fit(jit, model, X, y, sample_weight=fit_w, batch_size=16, epochs=2, verbose=0)
    res = model.evaluate(X, y, sample_weight=fit_w, batch_size=16, verbose=0,
                         return_dict=True)
    p = np.asarray(model.predict(X, batch_size=96, verbose=0), dtype=np.float64).reshape(-1, C)
    keep = mask.reshape(-1)
    yt, p = y.reshape(-1)[keep], p[keep]
    yh = p.argmax(-1)
    w = None if fit_w is None else sw.reshape(-1)[keep]
    labels = np.arange(C)
    onehot = np.eye(C)[yt]
    ref = {
        "f1_score": skm.f1_score(yt, yh, average="macro", sample_weight=w, zero_division=0.0),
        "precision": skm.precision_score(yt, yh, average="micro", sample_weight=w,
                                         zero_division=0.0),
        "recall": skm.recall_score(yt, yh, average="weighted", sample_weight=w,
                                   zero_division=0.0),
        "fbeta_score": skm.fbeta_score(yt, yh, beta=2.0, average=None, labels=labels,
                                       sample_weight=w, zero_division=0.0).tolist(),
        "balanced_accuracy": skm.balanced_accuracy_score(yt, yh, sample_weight=w),
        "matthews_correlation": skm.matthews_corrcoef(yt, yh, sample_weight=w),
        "sparse_categorical_crossentropy": skm.log_loss(yt, p, labels=labels,
                                                        sample_weight=w),
        "confusion_matrix": skm.confusion_matrix(yt, yh, labels=labels,
                                                 sample_weight=w).tolist(),
        "auc": skm.roc_auc_score(yt, p, multi_class="ovr", labels=labels, sample_weight=w),
        "auc_pr": skm.average_precision_score(onehot, p, average="macro", sample_weight=w),
    }
    return res, ref, metrics


def _binary(jit):
    # imbalanced binary with class_weight in fit; evaluate with the same
    # weights as sample_weight (evaluate takes no class_weight)
    rng = np.random.default_rng(5)
    n, d = 600, 6
    X = rng.normal(size=(n, d)).astype(np.float32)
    y = (X[:, 0] + 0.8 * rng.normal(size=n) > 1.3).astype(np.float32)
    cw = {0: 1.0, 1: 4.0}
    w = np.where(y == 1, cw[1], cw[0]).astype(np.float32)
    inp = keras.Input((d,))
    model = keras.Model(inp, keras.layers.Dense(1, activation="sigmoid")(inp))
    metrics = [fk.Precision(), fk.Recall(), fk.F1Score(), fk.FBetaScore(beta=0.5),
               fk.BalancedAccuracy(), fk.MatthewsCorrelation(), fk.ConfusionMatrix(),
               fk.AUC(), fk.AUC("PR", name="auc_pr"), fk.BinaryCrossentropy()]
    model.compile("adam", "binary_crossentropy", weighted_metrics=metrics,
                  jit_compile=(jit == "true") if jit != "auto" else "auto")
    _fit(jit, model, X, y, class_weight=cw, batch_size=32, epochs=2, verbose=0)
    res = model.evaluate(X, y, sample_weight=w, batch_size=32, verbose=0, return_dict=True)
    p = np.asarray(model.predict(X, batch_size=600, verbose=0), dtype=np.float64).reshape(-1)
    yh = (p.astype(np.float32) > np.float32(0.5)).astype(int)
    ref = {
        "precision": skm.precision_score(y, yh, sample_weight=w, zero_division=0.0),
        "recall": skm.recall_score(y, yh, sample_weight=w, zero_division=0.0),
        "f1_score": skm.f1_score(y, yh, sample_weight=w, zero_division=0.0),
        "fbeta_score": skm.fbeta_score(y, yh, beta=0.5, sample_weight=w, zero_division=0.0),
        "balanced_accuracy": skm.balanced_accuracy_score(y, yh, sample_weight=w),
        "matthews_correlation": skm.matthews_corrcoef(y, yh, sample_weight=w),
        "confusion_matrix": skm.confusion_matrix(y, yh, labels=[0, 1],
                                                 sample_weight=w).tolist(),
        "auc": skm.roc_auc_score(y, p, sample_weight=w),
        "auc_pr": skm.average_precision_score(y, p, sample_weight=w),
        "binary_crossentropy": skm.log_loss(y, p, labels=[0, 1], sample_weight=w),
    }
    return res, ref, metrics


def _onehot(jit):
    # one-hot targets: categorical cross-entropy, a 3-class softmax
    rng = np.random.default_rng(7)
    n, d, C = 450, 5, 3
    X = rng.normal(size=(n, d)).astype(np.float32)
    yi = (X[:, :C] + 0.7 * rng.normal(size=(n, C))).argmax(-1)
    Y = np.eye(C, dtype=np.float32)[yi]
    w = rng.uniform(0.5, 2.0, n).astype(np.float32)
    inp = keras.Input((d,))
    model = keras.Model(inp, keras.layers.Dense(C, activation="softmax")(inp))
    metrics = [fk.CategoricalCrossentropy(), fk.F1Score(num_classes=C),
               fk.AUC(num_classes=C, average="weighted")]
    model.compile("adam", "categorical_crossentropy", weighted_metrics=metrics,
                  jit_compile=(jit == "true") if jit != "auto" else "auto")
    _fit(jit, model, X, Y, sample_weight=w, batch_size=32, epochs=2, verbose=0)
    res = model.evaluate(X, Y, sample_weight=w, batch_size=32, verbose=0, return_dict=True)
    p = np.asarray(model.predict(X, batch_size=450, verbose=0), dtype=np.float64)
    ref = {
        "categorical_crossentropy": skm.log_loss(yi, p, labels=np.arange(C), sample_weight=w),
        "f1_score": skm.f1_score(yi, p.argmax(-1), average="macro", sample_weight=w,
                                 zero_division=0.0),
        "auc": skm.roc_auc_score(yi, p, multi_class="ovr", average="weighted",
                                 labels=np.arange(C), sample_weight=w),
    }
    return res, ref, metrics


def _multilabel(jit):
    rng = np.random.default_rng(9)
    n, d, L = 400, 6, 3
    X = rng.normal(size=(n, d)).astype(np.float32)
    Y = (X[:, :L] + 0.8 * rng.normal(size=(n, L)) > 0.4).astype(np.float32)
    inp = keras.Input((d,))
    model = keras.Model(inp, keras.layers.Dense(L, activation="sigmoid")(inp))
    metrics = [fk.F1Score("multilabel", L, average="micro"),
               fk.ConfusionMatrix(L, task="multilabel"),
               fk.AUC(task="multilabel", num_classes=L)]
    model.compile("adam", "binary_crossentropy", metrics=metrics,
                  jit_compile=(jit == "true") if jit != "auto" else "auto")
    _fit(jit, model, X, Y, batch_size=32, epochs=2, verbose=0)
    res = model.evaluate(X, Y, batch_size=32, verbose=0, return_dict=True)
    p = np.asarray(model.predict(X, batch_size=400, verbose=0), dtype=np.float64)
    yh = (p.astype(np.float32) > np.float32(0.5)).astype(int)
    ref = {
        "f1_score": skm.f1_score(Y, yh, average="micro", zero_division=0.0),
        "confusion_matrix": skm.multilabel_confusion_matrix(Y, yh).tolist(),
        "auc": skm.roc_auc_score(Y, p, average="macro"),
    }
    return res, ref, metrics


def _ties(jit):
    # a model with 5 distinct output values: every bin holds tied scores, and
    # the binned AUC / AP equal scikit-learn's (ties as one threshold) — also
    # with float32 state (JAX without x64), weighted and unweighted
    rng = np.random.default_rng(11)
    n, d = 500, 4
    X = rng.normal(size=(n, d)).astype(np.float32)
    y = (X[:, 0] + rng.normal(size=n) > 0.8).astype(np.float32)
    w = rng.uniform(0.5, 2.0, n).astype(np.float32)
    inp = keras.Input((d,))
    h = keras.layers.Dense(1, activation="sigmoid")(inp)
    out = keras.layers.Lambda(lambda t: keras.ops.round(t * 4.0) / 4.0)(h)
    model = keras.Model(inp, out)
    metrics = [fk.AUC(name="exact_auc"), fk.AUC("PR", name="exact_ap")]
    model.compile("adam", "binary_crossentropy", weighted_metrics=metrics,
                  jit_compile=(jit == "true") if jit != "auto" else "auto")
    res = model.evaluate(X, y, sample_weight=w, batch_size=50, verbose=0, return_dict=True)
    p = np.asarray(model.predict(X, batch_size=500, verbose=0), dtype=np.float64).reshape(-1)
    assert np.unique(p).size <= 5
    ref = {"exact_auc": skm.roc_auc_score(y, p, sample_weight=w),
           "exact_ap": skm.average_precision_score(y, p, sample_weight=w)}
    return res, ref, metrics


SCENARIOS = {
    "mask": lambda jit: _sequence("mask", jit),
    "weights": lambda jit: _sequence("weights", jit),
    "binary": _binary,
    "onehot": _onehot,
    "multilabel": _multilabel,
    "ties": _ties,
}


def main():
    jit = sys.argv[1] if len(sys.argv) > 1 else "auto"
    for scenario in sys.argv[2:] or list(SCENARIOS):
        res, ref, metrics = SCENARIOS[scenario](jit)
        got = {k: np.asarray(res[k]).tolist() for k in ref}
        # "exact_" AUC metrics see tied scores only: compared like the others
        bounds = {m.name: float(m.error_bound()) for m in metrics
                  if isinstance(m, fk.AUC) and not m.name.startswith("exact_")}
        print(json.dumps({"backend": keras.backend.backend(), "scenario": scenario,
                          "jit_compile": jit, "got": got, "ref": ref, "bounds": bounds}))


if __name__ == "__main__":
    main()

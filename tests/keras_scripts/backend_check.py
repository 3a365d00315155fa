"""Run by tests/test_keras_metrics.py in a fresh process with KERAS_BACKEND set
(jax, torch or tensorflow): a masked sequence tagger with temporal sample
weights, fit and evaluated with fastmetrics.keras metrics; prints the epoch
values next to scikit-learn's on the kept tokens as JSON."""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from sklearn import metrics as skm  # noqa: E402

from fastmetrics import keras as fk  # noqa: E402
from fastmetrics import temporal_sample_weight  # noqa: E402


def main():
    jit = sys.argv[1] if len(sys.argv) > 1 else "auto"
    for scenario in sys.argv[2:] or ["mask", "weights"]:
        run(jit, scenario)


def run(jit, scenario):
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
    if scenario == "mask":
        fit_w = None
    else:
        fit_w = sw
    inp = keras.Input((T,), dtype="int32")
    h = keras.layers.Embedding(V, 8, mask_zero=(scenario == "mask"))(inp)
    out = keras.layers.Dense(C, activation="softmax")(h)
    model = keras.Model(inp, out)
    auc = fk.AUC(num_classes=C)
    metrics = [fk.F1Score(num_classes=C), fk.Precision(num_classes=C, average="micro"),
               fk.MatthewsCorrelation(num_classes=C), fk.SparseCategoricalCrossentropy(),
               fk.ConfusionMatrix(C), auc]
    model.compile("adam", "sparse_categorical_crossentropy", weighted_metrics=metrics,
                  jit_compile=(jit == "true") if jit != "auto" else "auto")
    model.fit(X, y, sample_weight=fit_w, batch_size=16, epochs=2, verbose=0)
    res = model.evaluate(X, y, sample_weight=fit_w, batch_size=16, verbose=0,
                         return_dict=True)
    p = np.asarray(model.predict(X, batch_size=96, verbose=0)).reshape(-1, C)
    p = p.astype(np.float64)
    keep = mask.reshape(-1)
    yt, yh = y.reshape(-1)[keep], p.argmax(-1)[keep]
    w = None if fit_w is None else sw.reshape(-1)[keep]
    ref = {
        "f1_score": skm.f1_score(yt, yh, average="macro", sample_weight=w, zero_division=0.0),
        "precision": skm.precision_score(yt, yh, average="micro", sample_weight=w,
                                         zero_division=0.0),
        "matthews_correlation": skm.matthews_corrcoef(yt, yh, sample_weight=w),
        "sparse_categorical_crossentropy": skm.log_loss(yt, p[keep], labels=np.arange(C),
                                                        sample_weight=w),
        "confusion_matrix": skm.confusion_matrix(yt, yh, labels=np.arange(C),
                                                 sample_weight=w).tolist(),
        "auc": skm.roc_auc_score(yt, p[keep], multi_class="ovr", labels=np.arange(C),
                                 sample_weight=w),
    }
    got = {k: np.asarray(res[k]).tolist() for k in ref}
    print(json.dumps({"backend": keras.backend.backend(), "scenario": scenario,
                      "jit_compile": jit, "got": got, "ref": ref,
                      "auc_bound": float(auc.error_bound())}))


if __name__ == "__main__":
    main()

"""Run by tests/test_keras_metrics.py in a fresh process: fastmetrics.keras
metrics under tf.distribute.MirroredStrategy over 2 logical CPU devices must
equal scikit-learn on all the predictions (replica states summed)."""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])

import keras  # noqa: E402
from sklearn import metrics as skm  # noqa: E402

from fastmetrics import keras as fk  # noqa: E402


def main():
    rng = np.random.default_rng(7)
    N = 512
    X = rng.normal(size=(N, 5)).astype(np.float32)
    y = (X[:, 0] + 0.7 * rng.normal(size=N) > 0.9).astype(np.float32)
    w = rng.uniform(0.5, 2.0, N).astype(np.float32)
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    assert strategy.num_replicas_in_sync == 2
    with strategy.scope():
        auc = fk.AUC()
        model = keras.Sequential([keras.Input((5,)),
                                  keras.layers.Dense(1, activation="sigmoid")])
        model.compile("sgd", "binary_crossentropy",
                      weighted_metrics=[fk.F1Score(), fk.MatthewsCorrelation(), auc,
                                        fk.BinaryCrossentropy(), fk.ConfusionMatrix()])
    model.fit(X, y, sample_weight=w, batch_size=64, epochs=1, verbose=0)
    res = model.evaluate(X, y, sample_weight=w, batch_size=64, verbose=0, return_dict=True)
    p = model.predict(X, batch_size=64, verbose=0)[:, 0].astype(np.float64)
    yh = (p > 0.5).astype(int)
    ref = {
        "f1_score": skm.f1_score(y, yh, sample_weight=w, zero_division=0.0),
        "matthews_correlation": skm.matthews_corrcoef(y, yh, sample_weight=w),
        "auc": skm.roc_auc_score(y, p, sample_weight=w),
        "binary_crossentropy": skm.log_loss(y, p, sample_weight=w),
        "confusion_matrix": skm.confusion_matrix(y, yh, sample_weight=w).tolist(),
    }
    got = {k: np.asarray(res[k]).tolist() for k in ref}
    json.dump({"got": got, "ref": ref, "replicas": strategy.num_replicas_in_sync,
               "auc_bound": float(auc.error_bound())},
              sys.stdout)


if __name__ == "__main__":
    main()

"""pytest-benchmark versions of the cases in bench/compare.py.

    python -m pytest bench/ --benchmark-only [--benchmark-columns=min,median,rounds]

Groups (one table each in pytest-benchmark's output):
  cm-1d      confusion_matrix on 1-D int64 labels (fastmetrics, sklearn, torchmetrics, numpy)
             + the floor: one numba parallel read of both label arrays
  cm-probs   confusion matrix from (N, T, 7) float32 probabilities, argmax fused
             + the floors: one numba parallel read of probs, numpy probs.sum()
  prfs-macro precision_recall_fscore_support(average="macro")

The ratios and targets are computed by bench/compare.py; here each
implementation is simply timed (1 untimed warm-up call, then
FASTMETRICS_BENCH_ROUNDS rounds, default 5).  Data size: FASTMETRICS_BENCH_N
(default 10,000,000 tokens).
"""

import warnings

import numpy as np
import pytest

import _harness as H

C = H.NUM_CLASSES


def _same_cm(res, expected):
    arr = res.numpy() if hasattr(res, "numpy") else np.asarray(res)
    np.testing.assert_array_equal(arr, expected)


# ------------------------------------------------------------------ cm-1d
@pytest.mark.benchmark(group="cm-1d")
def test_cm_fastmetrics(run, data, fm):
    _same_cm(run(lambda: fm.confusion_matrix(data.y_true, data.y_pred)), data.expected_cm)


@pytest.mark.benchmark(group="cm-1d")
def test_cm_fastmetrics_task(run, data, fm):
    res = run(lambda: fm.confusion_matrix(data.y_true, data.y_pred, task="multiclass", num_classes=C))
    _same_cm(res, data.expected_cm)


@pytest.mark.benchmark(group="cm-1d")
def test_cm_sklearn(run, data, skm):
    _same_cm(run(lambda: skm.confusion_matrix(data.y_true, data.y_pred)), data.expected_cm)


@pytest.mark.benchmark(group="cm-1d")
@pytest.mark.parametrize("validate_args", [True, False], ids=["validate", "novalidate"])
def test_cm_torchmetrics(run, data, torch, tmf, validate_args):
    # CPU tensors via torch.from_numpy (zero-copy, outside the timed call)
    p, t = torch.from_numpy(data.y_pred), torch.from_numpy(data.y_true)
    res = run(lambda: tmf.multiclass_confusion_matrix(p, t, num_classes=C, validate_args=validate_args))
    _same_cm(res, data.expected_cm)


@pytest.mark.benchmark(group="cm-1d")
def test_cm_numpy_bincount(run, data):
    yt, yp = data.y_true, data.y_pred
    _same_cm(run(lambda: np.bincount(yt * C + yp, minlength=C * C).reshape(C, C)), data.expected_cm)


# ------------------------------------------------------------------ cm-probs
@pytest.mark.benchmark(group="cm-probs")
def test_probs_fastmetrics(run, data, fm):
    res = run(lambda: fm.confusion_matrix(data.y_true_2d, data.probs, task="multiclass", num_classes=C))
    _same_cm(res, data.expected_cm)


@pytest.mark.benchmark(group="cm-probs")
def test_probs_numpy(run, data):
    yt, pr = data.y_true_2d, data.probs
    res = run(lambda: np.bincount(yt.ravel() * C + pr.argmax(-1).ravel(), minlength=C * C).reshape(C, C))
    _same_cm(res, data.expected_cm)


@pytest.mark.benchmark(group="cm-probs")
def test_probs_sklearn(run, data, skm):
    yt, pr = data.y_true_2d, data.probs
    _same_cm(run(lambda: skm.confusion_matrix(yt.ravel(), pr.argmax(-1).ravel())), data.expected_cm)


@pytest.mark.benchmark(group="cm-probs")
def test_probs_torchmetrics(run, data, torch, tmf):
    pr = torch.from_numpy(data.probs).reshape(-1, C)
    t = torch.from_numpy(data.y_true_2d).reshape(-1)
    _same_cm(run(lambda: tmf.multiclass_confusion_matrix(pr, t, num_classes=C)), data.expected_cm)


@pytest.mark.benchmark(group="cm-probs")
def test_probs_numpy_sum_floor(run, data):
    run(lambda: np.sum(data.probs))


# ------------------------------------------------------------------ prfs-macro
def _prfs_ref(data, skm=None):
    if skm is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return skm.precision_recall_fscore_support(data.y_true, data.y_pred, average="macro")[:3]
    cm = data.expected_cm.astype(float)
    tp = np.diag(cm)
    p, r = tp / cm.sum(0), tp / cm.sum(1)
    return p.mean(), r.mean(), (2 * p * r / (p + r)).mean()


@pytest.mark.benchmark(group="prfs-macro")
def test_prfs_fastmetrics(run, data, fm):
    res = run(lambda: fm.precision_recall_fscore_support(data.y_true, data.y_pred, average="macro"))
    np.testing.assert_allclose(res[:3], _prfs_ref(data), rtol=1e-12)


@pytest.mark.benchmark(group="prfs-macro")
def test_prfs_fastmetrics_task(run, data, fm):
    res = run(lambda: fm.precision_recall_fscore_support(data.y_true, data.y_pred, average="macro",
                                                         task="multiclass", num_classes=C))
    np.testing.assert_allclose(res[:3], _prfs_ref(data), rtol=1e-12)


@pytest.mark.benchmark(group="prfs-macro")
def test_prfs_sklearn(run, data, skm):
    run(lambda: skm.precision_recall_fscore_support(data.y_true, data.y_pred, average="macro"))


# ------------------------------------------------------------------ floors
@pytest.mark.benchmark(group="cm-1d")
def test_floor_read_labels(run, data):
    run(lambda: H.read_once(data.y_true, data.y_pred))


@pytest.mark.benchmark(group="cm-probs")
def test_floor_read_probs(run, data):
    run(lambda: H.read_once(data.probs))

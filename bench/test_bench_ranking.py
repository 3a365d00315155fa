"""pytest-benchmark versions of the ranking cases in bench/compare_ranking.py.

    python -m pytest bench/test_bench_ranking.py --benchmark-only
    python -m pytest bench/test_bench_ranking.py --benchmark-disable -q   # smoke: each case once

Groups (one table each in pytest-benchmark's output):
  roc-auc     binary roc_auc_score: fastmetrics, sklearn, torchmetrics (exact),
              Keras AUC(num_thresholds=200) (approximate), numpy argsort alone
  ap          average_precision_score: fastmetrics, sklearn, torchmetrics (exact)
  roc-curve   roc_curve: fastmetrics, sklearn
  ovr-auc     multiclass one-vs-rest macro roc_auc_score, 7 classes of float32
              softmax probabilities: fastmetrics, sklearn, torchmetrics

Data: FASTMETRICS_BENCH_RANKING_N float32 scores (default 1,000,000; 1:9
positives, clipped-normal scores as in compare_ranking.py); the multiclass
group uses a quarter of that many tokens.  Every exact result is checked
against a numpy reference written here (mid-rank AUC, AP from per-value
counts); approximate peers against a tolerance.  The ratios and the
"faster than Keras" target are computed by bench/compare_ranking.py.
"""

import os
from types import SimpleNamespace

import numpy as np
import pytest

import _harness as H

C = 7


def _n() -> int:
    return int(os.environ.get("FASTMETRICS_BENCH_RANKING_N", "1000000"))


# ------------------------------------------------------------------ references
def _ref_auc(y, s):
    """Mann-Whitney AUC with mid-ranks for ties (float64 / int64)."""
    _, inv, counts = np.unique(s, return_inverse=True, return_counts=True)
    upper = np.cumsum(counts, dtype=np.int64)
    mid = upper - (counts - 1) / 2.0          # mid-rank of each distinct value
    pos = y == 1
    n_pos = int(pos.sum())
    n_neg = y.size - n_pos
    return (mid[inv[pos]].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def _ref_ap(y, s):
    """AP = sum_k (R_k - R_{k-1}) P_k over distinct thresholds, descending."""
    vals, inv = np.unique(s, return_inverse=True)
    tp = np.bincount(inv, weights=(y == 1).astype(np.float64), minlength=vals.size)[::-1].cumsum()
    tot = np.bincount(inv, minlength=vals.size)[::-1].cumsum()
    recall = tp / tp[-1]
    return float(np.sum(np.diff(recall, prepend=0.0) * tp / tot))


def _ref_ovr_macro(y, p):
    return float(np.mean([_ref_auc((y == c).astype(np.int64), p[:, c]) for c in range(C)]))


def _value(res):
    return float(res.numpy()) if hasattr(res, "numpy") else float(res)


# ------------------------------------------------------------------ data
@pytest.fixture(scope="module")
def binary():
    n = _n()
    rng = np.random.default_rng(0)
    y = (rng.random(n) < 0.1).astype(np.int64)
    s = np.clip(rng.normal(0.3 + 0.2 * y, 0.15), 0, 1).astype(np.float32)
    return SimpleNamespace(y=y, s=s, auc=_ref_auc(y, s), ap=_ref_ap(y, s))


@pytest.fixture(scope="module")
def multiclass():
    n = max(_n() // 4, 1000)
    rng = np.random.default_rng(1)
    p = H.class_probabilities(C)
    y = rng.choice(C, size=n, p=p).astype(np.int64)
    z = rng.standard_normal((n, C), dtype=np.float32)
    z[np.arange(n), y] += np.float32(1.5)
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return SimpleNamespace(y=y, p=z, auc=_ref_ovr_macro(y, z))


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    mod, why = H.try_import("keras")
    if mod is None:
        pytest.skip(f"keras not installed: {why}")
    return mod


@pytest.fixture(scope="module")
def tmf_rank(torch):
    # binary_auroc etc. live in the same module as the classification functions
    mod, why = H.try_import("torchmetrics.functional.classification")
    if mod is None:
        pytest.skip(f"torchmetrics not installed: {why}")
    return mod


# ------------------------------------------------------------------ roc-auc
@pytest.mark.benchmark(group="roc-auc")
def test_auc_fastmetrics(run, binary, fm):
    res = run(lambda: fm.roc_auc_score(binary.y, binary.s))
    assert res == pytest.approx(binary.auc, rel=1e-10)


@pytest.mark.benchmark(group="roc-auc")
def test_auc_sklearn(run, binary, skm):
    res = run(lambda: skm.roc_auc_score(binary.y, binary.s))
    assert res == pytest.approx(binary.auc, rel=1e-10)


@pytest.mark.benchmark(group="roc-auc")
def test_auc_torchmetrics(run, binary, torch, tmf_rank):
    ts, tt = torch.from_numpy(binary.s), torch.from_numpy(binary.y)
    res = run(lambda: tmf_rank.binary_auroc(ts, tt))
    assert _value(res) == pytest.approx(binary.auc, rel=1e-5)  # float32 internals


@pytest.mark.benchmark(group="roc-auc")
def test_auc_keras_200_thresholds(run, binary, keras):
    yk = keras.ops.convert_to_tensor(binary.y.astype(np.float32))
    sk = keras.ops.convert_to_tensor(binary.s)
    metric = keras.metrics.AUC(num_thresholds=200)

    def call():
        metric.reset_state()
        metric.update_state(yk, sk)
        return float(metric.result())

    # approximate: 200 evenly spaced thresholds; on these well-spread scores
    # the error is small, but it is not exact
    assert run(call) == pytest.approx(binary.auc, abs=1e-2)


@pytest.mark.benchmark(group="roc-auc")
def test_auc_numpy_argsort_alone(run, binary):
    run(lambda: np.argsort(binary.s, kind="stable"))


# ------------------------------------------------------------------ ap
@pytest.mark.benchmark(group="ap")
def test_ap_fastmetrics(run, binary, fm):
    res = run(lambda: fm.average_precision_score(binary.y, binary.s))
    assert res == pytest.approx(binary.ap, rel=1e-10)


@pytest.mark.benchmark(group="ap")
def test_ap_sklearn(run, binary, skm):
    res = run(lambda: skm.average_precision_score(binary.y, binary.s))
    assert res == pytest.approx(binary.ap, rel=1e-10)


@pytest.mark.benchmark(group="ap")
def test_ap_torchmetrics(run, binary, torch, tmf_rank):
    ts, tt = torch.from_numpy(binary.s), torch.from_numpy(binary.y)
    res = run(lambda: tmf_rank.binary_average_precision(ts, tt))
    assert _value(res) == pytest.approx(binary.ap, rel=1e-5)


# ------------------------------------------------------------------ roc-curve
def _check_roc_end(res, binary):
    fpr, tpr, thr = (np.asarray(a) for a in res[:3])
    assert fpr[0] == 0 and tpr[0] == 0 and fpr[-1] == 1 and tpr[-1] == 1
    assert np.trapezoid(tpr, fpr) == pytest.approx(binary.auc, rel=1e-10)


@pytest.mark.benchmark(group="roc-curve")
def test_roc_curve_fastmetrics(run, binary, fm):
    _check_roc_end(run(lambda: fm.roc_curve(binary.y, binary.s)), binary)


@pytest.mark.benchmark(group="roc-curve")
def test_roc_curve_sklearn(run, binary, skm):
    _check_roc_end(run(lambda: skm.roc_curve(binary.y, binary.s)), binary)


# ------------------------------------------------------------------ ovr-auc
@pytest.mark.benchmark(group="ovr-auc")
def test_ovr_fastmetrics(run, multiclass, fm):
    res = run(lambda: fm.roc_auc_score(multiclass.y, multiclass.p, multi_class="ovr"))
    assert res == pytest.approx(multiclass.auc, rel=1e-10)


@pytest.mark.benchmark(group="ovr-auc")
def test_ovr_sklearn(run, multiclass, skm):
    res = run(lambda: skm.roc_auc_score(multiclass.y, multiclass.p, multi_class="ovr"))
    assert res == pytest.approx(multiclass.auc, rel=1e-10)


@pytest.mark.benchmark(group="ovr-auc")
def test_ovr_torchmetrics(run, multiclass, torch, tmf_rank):
    tp, tt = torch.from_numpy(multiclass.p), torch.from_numpy(multiclass.y)
    res = run(lambda: tmf_rank.multiclass_auroc(tp, tt, num_classes=C, average="macro"))
    assert _value(res) == pytest.approx(multiclass.auc, rel=1e-5)

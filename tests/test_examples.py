"""The scripts in examples/ run (``--small``) and report what scikit-learn reports.

Each script trains a real Keras 3 model (TensorFlow backend) in a fresh
process and writes ``results.json`` and ``predictions.npz`` into ``--out``.
The references here are scikit-learn's functions recomputed from the saved
predictions (never the script's own numbers, nor fastmetrics' functions), so a
script that logged a batch average, the wrong class or the padding fails.
"""

import importlib.util
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

_missing = [m for m in ("tensorflow", "keras", "sklearn", "matplotlib")
            if importlib.util.find_spec(m) is None]
pytestmark = pytest.mark.skipif(bool(_missing), reason=f"needs {', '.join(_missing)}")

TIMEOUT = 300  # generous: the CI machine may be shared; each run takes ~15-30 s


def _run(script, out, *extra):
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / script), "--small", "--out", str(out), *extra],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 0, (
        f"{script} exited {proc.returncode}\n--- stdout\n{proc.stdout[-4000:]}"
        f"\n--- stderr\n{proc.stderr[-4000:]}")
    assert "checks against scikit-learn: PASSED" in proc.stdout
    results = json.loads((out / "results.json").read_text())
    preds = np.load(out / "predictions.npz")
    return proc.stdout, results, preds


def _log_loss(y, p, labels):
    from sklearn.metrics import log_loss

    with warnings.catch_warnings():  # float32 rows sum to 1 within ~1e-7 only
        warnings.filterwarnings("ignore", message="The y_prob values do not sum to one")
        return log_loss(y, p.astype(np.float64), labels=labels)


# --------------------------------------------------------------- imbalanced
def test_imbalanced_binary(tmp_path):
    from sklearn import metrics as skm

    stdout, r, d = _run("imbalanced_binary.py", tmp_path)
    y = d["y_val"]
    assert 0.05 < y.mean() < 0.15  # 1:9
    per_epoch = d["probs_val_per_epoch"]
    assert len(r["epochs"]) == r["config"]["epochs"] == len(per_epoch)
    for row, probs in zip(r["epochs"], per_epoch):
        lg = row["logs"]
        yhat = (probs[:, 1] > 0.5).astype(int)  # task="binary": unit 1 is the positive class
        # fastmetrics, logged by Keras for the validation pass, equals scikit-learn
        np.testing.assert_allclose(lg["val_fm_precision"],
                                   skm.precision_score(y, yhat, zero_division=0), atol=1e-5)
        np.testing.assert_allclose(lg["val_fm_recall"], skm.recall_score(y, yhat), atol=1e-5)
        np.testing.assert_allclose(lg["val_fm_f1"], skm.f1_score(y, yhat), atol=1e-5)
        auc = skm.roc_auc_score(y, probs[:, 1].astype(np.float64))
        assert abs(lg["val_fm_auc"] - auc) <= row["val_fm_auc_error_bound"] + 1e-6
        assert row["val_fm_auc_error_bound"] < 1e-2
        acc = skm.accuracy_score(y, probs.argmax(-1))
        np.testing.assert_allclose(lg["val_accuracy"], acc, atol=1e-6)
        # the pain: on a two-unit softmax the per-batch formulas and Keras'
        # Precision / Recall without class_id report accuracy, train and val
        for prefix in ("", "val_"):
            a = lg[prefix + "accuracy"]
            for k in ("batch_precision", "batch_recall", "batch_f1"):
                assert abs(lg[prefix + k] - a) < 0.02, (prefix + k, lg[prefix + k], a)
            for k in ("keras_precision", "keras_recall"):
                assert abs(lg[prefix + k] - a) < 1e-5, (prefix + k, lg[prefix + k], a)
    # ...while the positive class's F1 is far from it
    last = r["epochs"][-1]["logs"]
    assert abs(last["val_fm_f1"] - last["val_accuracy"]) > 0.05
    assert abs(last["val_fm_f1"] - last["val_batch_f1"]) > 0.05

    # final evaluate vs scikit-learn on model.predict
    ev, probs = r["final"]["evaluate"], d["probs_val"]
    yhat = (probs[:, 1] > 0.5).astype(int)
    np.testing.assert_allclose(ev["fm_precision"], skm.precision_score(y, yhat), atol=1e-5)
    np.testing.assert_allclose(ev["fm_recall"], skm.recall_score(y, yhat), atol=1e-5)
    np.testing.assert_allclose(ev["fm_f1"], skm.f1_score(y, yhat), atol=1e-5)
    assert abs(ev["fm_auc"] - skm.roc_auc_score(y, probs[:, 1].astype(np.float64))) \
        <= r["final"]["fm_auc_error_bound"] + 1e-6
    # the final evaluate saw the weights of the last epoch's validation pass
    np.testing.assert_allclose(ev["fm_f1"], last["val_fm_f1"], atol=1e-6)
    assert r["final"]["ok"] is True
    assert "batch-avg" in stdout and "fastmetrics" in stdout


# --------------------------------------------------------------------- iris
def test_iris_loss_vs_accuracy(tmp_path):
    from sklearn import metrics as skm

    _, r, d = _run("iris_loss_vs_accuracy.py", tmp_path)
    png = tmp_path / "iris_loss_vs_accuracy.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000

    h, y, per_epoch = r["history"], d["y_test"], d["probs_test_per_epoch"]
    E = r["config"]["epochs"]
    assert E >= 10
    for key in ("loss", "accuracy", "fm_sce", "fm_auc", "val_loss", "val_accuracy",
                "val_fm_sce", "val_fm_auc"):
        assert len(h[key]) == E, key
    labels = [0, 1, 2]
    for e in range(E):
        p = per_epoch[e]
        ll = _log_loss(y, p, labels)
        np.testing.assert_allclose(h["val_fm_sce"][e], ll, rtol=1e-5, err_msg=f"epoch {e}")
        np.testing.assert_allclose(h["val_loss"][e], ll, rtol=1e-5, err_msg=f"epoch {e}")
        np.testing.assert_allclose(h["val_accuracy"][e],
                                   skm.accuracy_score(y, p.argmax(-1)), atol=1e-6)
        auc = skm.roc_auc_score(y, p.astype(np.float64), multi_class="ovr", labels=labels)
        assert abs(h["val_fm_auc"][e] - auc) <= \
            r["val_fm_auc_error_bound_per_epoch"][e] + 1e-6, f"epoch {e}"
        # training: fastmetrics' epoch cross-entropy is Keras' training loss
        np.testing.assert_allclose(h["fm_sce"][e], h["loss"][e], rtol=1e-5)

    # accuracy moves in steps of 1/n_test; the loss moves every epoch
    n = len(y)
    acc_counts = np.asarray(h["val_accuracy"]) * n
    np.testing.assert_allclose(acc_counts, np.round(acc_counts), atol=1e-3)
    assert len(np.unique(np.round(acc_counts))) < E
    assert np.all(np.abs(np.diff(h["val_fm_sce"])) > 1e-7)
    assert h["val_fm_sce"][-1] < h["val_fm_sce"][0]
    assert r["steps"]["epochs_accuracy_flat_loss_moving"] >= 1

    # final evaluate == last epoch's validation values == scikit-learn
    ev, probs = r["final"]["evaluate"], d["probs_test"]
    np.testing.assert_allclose(ev["fm_sce"], h["val_fm_sce"][-1], rtol=1e-6)
    np.testing.assert_allclose(ev["accuracy"], h["val_accuracy"][-1], atol=1e-7)
    np.testing.assert_allclose(ev["fm_sce"], _log_loss(y, probs, labels), rtol=1e-5)
    np.testing.assert_allclose(ev["accuracy"], skm.accuracy_score(y, probs.argmax(-1)),
                               atol=1e-6)
    assert abs(ev["fm_auc"] - skm.roc_auc_score(y, probs.astype(np.float64),
                                                multi_class="ovr")) \
        <= r["final"]["fm_auc_error_bound"] + 1e-6
    assert r["final"]["ok"] is True


# ------------------------------------------------------------------- BiLSTM
def test_bilstm_tagging(tmp_path):
    from sklearn import metrics as skm

    _, r, d = _run("bilstm_tagging.py", tmp_path)
    C = r["config"]["num_classes"]
    assert C == 7
    y, mask, w, probs = d["y_val"], d["mask_val"], d["weights_val"], d["probs_val"]
    assert probs.shape == y.shape + (C,) and mask.shape == y.shape
    assert 0 < mask.mean() < 1  # padded sequences of varying length
    # temporal weights: 0 on padding, the training set's balanced class weight elsewhere
    cw = np.asarray(r["config"]["class_weight"])
    assert np.all(w[~mask] == 0)
    np.testing.assert_allclose(w[mask], cw[y[mask]], rtol=1e-6)
    counts = np.asarray(r["config"]["train_tokens_per_tag"])
    assert counts.min() > 0 and counts.max() / counts.min() > 10  # imbalanced
    # balanced: every class carries the same total weight in training
    np.testing.assert_allclose(counts * cw, counts.sum() / C, rtol=1e-9)

    keep = mask.reshape(-1)
    yt = y.reshape(-1)[keep]
    p = probs.reshape(-1, C)[keep].astype(np.float64)
    yh = p.argmax(-1)
    sw = w.reshape(-1)[keep].astype(np.float64)
    ev = r["final"]["evaluate"]
    np.testing.assert_allclose(ev["f1"], skm.f1_score(yt, yh, average="macro",
                                                      sample_weight=sw, zero_division=0),
                               atol=1e-5)
    cm = skm.confusion_matrix(yt, yh, labels=np.arange(C), sample_weight=sw)
    np.testing.assert_allclose(ev["confusion_matrix"], cm, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(np.sum(ev["confusion_matrix"]), sw.sum(), rtol=1e-5)
    auc = skm.roc_auc_score(yt, p, multi_class="ovr", labels=np.arange(C), sample_weight=sw)
    assert abs(ev["auc"] - auc) <= r["final"]["auc_error_bound"] + 1e-6
    # per epoch: the logged validation values equal the script's scikit-learn ones
    assert len(r["epochs"]) == r["config"]["epochs"]
    for row in r["epochs"]:
        np.testing.assert_allclose(row["logs"]["val_f1"], row["sklearn_val"]["f1"], atol=1e-5)
        np.testing.assert_allclose(row["logs"]["val_confusion_matrix"],
                                   row["sklearn_val"]["confusion_matrix"], rtol=1e-5,
                                   atol=1e-4)
        assert abs(row["logs"]["val_auc"] - row["sklearn_val"]["auc"]) \
            <= row["val_auc_error_bound"] + 1e-6
    np.testing.assert_allclose(ev["f1"], r["epochs"][-1]["logs"]["val_f1"], atol=1e-6)

    # the token-level report (fastmetrics.classification_report with mask),
    # against scikit-learn's on the kept tokens (unweighted)
    ref = skm.classification_report(yt, yh, labels=np.arange(C),
                                    target_names=r["config"]["tag_names"],
                                    output_dict=True, zero_division=0.0)
    got = r["final"]["report"]
    assert set(got) == set(ref)
    for key, row in ref.items():
        if isinstance(row, dict):
            for k, v in row.items():
                assert got[key][k] == pytest.approx(v, abs=1e-9), (key, k)
        else:
            assert got[key] == pytest.approx(row, abs=1e-9), key
    assert got["accuracy"] > 1.0 / C  # it learned something in 2 epochs
    assert r["final"]["ok"] is True


def test_bilstm_module_is_importable_for_benchmarks():
    """make_data / build_model / SIZES at module level, main() behind __main__."""
    spec = importlib.util.spec_from_file_location("bilstm_tagging",
                                                  EXAMPLES / "bilstm_tagging.py")
    src = (EXAMPLES / "bilstm_tagging.py").read_text()
    assert 'if __name__ == "__main__":' in src
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # imports numpy only (keras inside the functions)
    words, chars, y, mask = mod.make_data(50, 30, seed=3)
    assert words.shape == (50, 30) and chars.shape == (50, 30, mod.WORD_LEN)
    assert y.shape == mask.shape == (50, 30) and mask.dtype == bool
    assert np.all(words[~mask] == 0) and np.all(chars[~mask] == 0) and np.all(y[~mask] == 0)
    assert np.all(words[mask] > 0) and set(np.unique(y[mask])) <= set(range(7))
    again = mod.make_data(50, 30, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip((words, chars, y, mask), again))
    assert mod.SIZES["realistic"]["n_train"] >= 20000 and mod.SIZES["realistic"]["T"] >= 50
    assert callable(mod.build_model) and callable(mod.make_metrics)

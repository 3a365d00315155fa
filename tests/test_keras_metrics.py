"""fastmetrics.keras (TensorFlow backend): epoch values equal scikit-learn on
all the predictions, weights / temporal weights / Keras masks / class_weight
honoured, config and .keras round trips, errors naming the metric.

References are scikit-learn's functions on the flattened kept tokens (never
this library's own functions), so a wrong bridge, state or compute fails.
"""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")
from keras.src import backend as kbackend  # noqa: E402
from sklearn import metrics as skm  # noqa: E402

from fastmetrics import keras as fk  # noqa: E402
from fastmetrics import temporal_sample_weight  # noqa: E402

pytestmark = [
    pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                       reason="these tests drive the TensorFlow backend"),
    # TensorFlow's own numpy_function converting its tensors (not ours)
    pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy"),
]


def _feed(metric, batches, graph=False):
    """update_state over (y_true, y_pred, sample_weight, mask) batches; result as numpy."""
    def upd(yt, yp, w, m):
        yp = tf.convert_to_tensor(yp)
        if m is not None:
            kbackend.set_keras_mask(yp, tf.convert_to_tensor(m))
        metric.update_state(tf.convert_to_tensor(yt), yp,
                            None if w is None else tf.convert_to_tensor(w))

    for yt, yp, w, m in batches:
        if graph:
            tf.function(lambda a, b: upd(a, b, w, m), autograph=False)(yt, yp)
        else:
            upd(yt, yp, w, m)
    return np.asarray(metric.result())


def _split(arrays, k):
    n = len(arrays[0])
    cuts = np.linspace(0, n, k + 1).astype(int)
    return [tuple(None if a is None else a[cuts[i]:cuts[i + 1]] for a in arrays)
            for i in range(k)]


# ----------------------------------------------------------------- binary
def _binary_data(rng, n=700):
    y = (rng.random(n) < 0.15).astype(np.float32)
    p = np.clip(0.3 * y + rng.random(n) * 0.7, 0, 1).astype(np.float32)
    w = rng.uniform(0.2, 3.0, n).astype(np.float32)
    return y, p, w


BINARY_FORMS = ["flat", "column", "two_unit_softmax"]


def _binary_form(form, y, p):
    if form == "flat":
        return y, p
    if form == "column":
        return y[:, None], p[:, None]
    onehot = np.stack([1 - y, y], axis=1).astype(np.float32)
    return onehot, np.stack([1 - p, p], axis=1).astype(np.float32)


@pytest.mark.parametrize("form", BINARY_FORMS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("graph", [False, True])
def test_binary_confusion_family_matches_sklearn(rng, form, weighted, graph):
    y, p, w = _binary_data(rng)
    yt, yp = _binary_form(form, y, p)
    wt = w if weighted else None
    sw = w if weighted else None
    yhat = (p > 0.5).astype(int)
    cases = [
        (fk.Precision(), skm.precision_score(y, yhat, sample_weight=sw)),
        (fk.Recall(), skm.recall_score(y, yhat, sample_weight=sw)),
        (fk.F1Score(), skm.f1_score(y, yhat, sample_weight=sw)),
        (fk.FBetaScore(beta=2.0), skm.fbeta_score(y, yhat, beta=2.0, sample_weight=sw)),
        (fk.BalancedAccuracy(), skm.balanced_accuracy_score(y, yhat, sample_weight=sw)),
        (fk.MatthewsCorrelation(), skm.matthews_corrcoef(y, yhat, sample_weight=sw)),
        (fk.ConfusionMatrix(), skm.confusion_matrix(y, yhat, sample_weight=sw)),
        (fk.Precision(average=None), skm.precision_score(y, yhat, average=None,
                                                         sample_weight=sw)),
        (fk.Recall(class_id=0), skm.recall_score(y, yhat, average=None,
                                                 sample_weight=sw)[0]),
    ]
    for metric, ref in cases:
        got = _feed(metric, _split((yt, yp, wt, None), 3), graph=graph)
        np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-6,
                                   err_msg=f"{metric.name} {form}")


def test_threshold_is_strictly_greater_like_keras(rng):
    y = np.array([0, 1, 1, 0, 1], np.float32)
    p = np.array([0.5, 0.5, 0.7, 0.2, 0.30000001], np.float32)
    for thr in (0.5, 0.3):
        ref = skm.recall_score(y, (p > np.float32(thr)).astype(int))
        got = _feed(fk.Recall(threshold=thr), [(y, p, None, None)])
        np.testing.assert_allclose(got, ref, rtol=1e-6)


# ------------------------------------------------------------- multiclass
def _sequence_data(rng, N=40, T=25, C=5):
    freq = np.array([0.55, 0.2, 0.15, 0.07, 0.03][:C])
    y = rng.choice(C, size=(N, T), p=freq / freq.sum()).astype(np.int32)
    logits = rng.normal(size=(N, T, C)) + 1.5 * np.eye(C)[y]
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    lengths = rng.integers(5, T + 1, N)
    mask = np.arange(T)[None, :] < lengths[:, None]
    w = rng.uniform(0.1, 2.0, size=(N, T)).astype(np.float32)
    return y, p.astype(np.float32), mask, w


@pytest.mark.parametrize("average", ["macro", "micro", "weighted", None])
@pytest.mark.parametrize("use_mask", [False, True])
@pytest.mark.parametrize("weights", [None, "per_sequence", "temporal"])
def test_multiclass_sequence_matches_sklearn(rng, average, use_mask, weights):
    C = 5
    y, p, mask, wtok = _sequence_data(rng, C=C)
    if weights == "per_sequence":
        w = wtok[:, 0].copy()
        wflat_full = np.repeat(w, y.shape[1])
    elif weights == "temporal":
        w = wtok
        wflat_full = wtok.reshape(-1)
    else:
        w = None
        wflat_full = np.ones(y.size)
    keep = mask.reshape(-1) if use_mask else np.ones(y.size, bool)
    yt = y.reshape(-1)[keep]
    yh = p.reshape(-1, C).argmax(-1)[keep]
    sw = wflat_full[keep]
    m = mask if use_mask else None
    kw = dict(average=average, sample_weight=sw, labels=None, zero_division=0.0)
    cases = [
        (fk.Precision(num_classes=C, average=average), skm.precision_score(yt, yh, **kw)),
        (fk.Recall(num_classes=C, average=average), skm.recall_score(yt, yh, **kw)),
        (fk.F1Score(num_classes=C, average=average), skm.f1_score(yt, yh, **kw)),
    ]
    if average == "macro":
        cases += [
            (fk.BalancedAccuracy(num_classes=C),
             skm.balanced_accuracy_score(yt, yh, sample_weight=sw)),
            (fk.MatthewsCorrelation(num_classes=C),
             skm.matthews_corrcoef(yt, yh, sample_weight=sw)),
            (fk.ConfusionMatrix(C),
             skm.confusion_matrix(yt, yh, labels=np.arange(C), sample_weight=sw)),
            (fk.SparseCategoricalCrossentropy(),
             skm.log_loss(yt, p.reshape(-1, C)[keep].astype(np.float64),
                          labels=np.arange(C), sample_weight=sw)),
        ]
    for metric, ref in cases:
        got = _feed(metric, _split((y, p, w, m), 4))
        np.testing.assert_allclose(got, ref, rtol=2e-6, atol=2e-6, err_msg=metric.name)


def test_one_hot_targets_and_categorical_crossentropy(rng):
    C = 4
    y, p, mask, w = _sequence_data(rng, C=C)
    onehot = np.eye(C, dtype=np.float32)[y]
    keep = mask.reshape(-1)
    yt = y.reshape(-1)[keep]
    pk = p.reshape(-1, C)[keep].astype(np.float64)
    sw = w.reshape(-1)[keep]
    got = _feed(fk.F1Score(num_classes=C), _split((onehot, p, w, mask), 3))
    np.testing.assert_allclose(got, skm.f1_score(yt, pk.argmax(-1), average="macro",
                                                 sample_weight=sw), rtol=2e-6)
    got = _feed(fk.CategoricalCrossentropy(), _split((onehot, p, w, mask), 3))
    np.testing.assert_allclose(got, skm.log_loss(yt, pk, labels=np.arange(C),
                                                 sample_weight=sw), rtol=2e-6)


def test_multilabel(rng):
    N, L = 300, 4
    y = (rng.random((N, L)) < 0.3).astype(np.float32)
    p = np.clip(0.4 * y + 0.6 * rng.random((N, L)), 0, 1).astype(np.float32)
    yh = (p > 0.5).astype(int)
    got = _feed(fk.F1Score("multilabel", L, average="micro"), _split((y, p, None, None), 3))
    np.testing.assert_allclose(got, skm.f1_score(y, yh, average="micro"), rtol=1e-6)
    got = _feed(fk.ConfusionMatrix(L, "multilabel"), _split((y, p, None, None), 3))
    np.testing.assert_allclose(got, skm.multilabel_confusion_matrix(y, yh))
    got = _feed(fk.BinaryCrossentropy(), _split((y, p, None, None), 2))
    np.testing.assert_allclose(
        got, np.mean([skm.log_loss(y[:, j], p[:, j].astype(np.float64), labels=[0, 1])
                      for j in range(L)]), rtol=2e-6)


# -------------------------------------------------------------------- AUC
@pytest.mark.parametrize("curve", ["ROC", "PR"])
@pytest.mark.parametrize("weighted", [False, True])
def test_auc_within_certified_bound_of_sklearn(rng, curve, weighted):
    n = 5000
    y = (rng.random(n) < 0.1).astype(np.float32)
    # scores crowded near 0 (imbalanced data): Keras' 200 linear thresholds fail here
    p = (np.exp(rng.normal(-9, 1.5, n) + 2.5 * y) / 50).clip(0, 1).astype(np.float32)
    w = rng.uniform(0.5, 2, n).astype(np.float32) if weighted else None
    metric = fk.AUC(curve)
    got = float(_feed(metric, _split((y, p, w, None), 5)))
    ref = (skm.roc_auc_score if curve == "ROC" else skm.average_precision_score)(
        y, p, sample_weight=w)
    bound = metric.error_bound()
    assert abs(got - ref) <= bound + 1e-9
    assert abs(got - ref) < 1e-4  # the requirement, on crowded scores
    assert bound < 1e-3  # certified, and informative
    k = keras.metrics.AUC(num_thresholds=200, curve=curve)
    k.update_state(y, p, sample_weight=w)
    # the point of the binned log-spaced state: far closer than Keras' thresholds
    assert abs(got - ref) < abs(float(k.result()) - ref)


@pytest.mark.parametrize("curve", ["ROC", "PR"])
@pytest.mark.parametrize("weighted", [False, True])
def test_auc_within_1e4_on_an_untrained_models_crowded_outputs(rng, curve, weighted):
    # every score within a few 1e-3 of 0.5, a weak signal: the bins alone
    # (ties) are far off; the within-bin estimates keep the 1e-4
    n = 20_000
    y = (rng.random(n) < 0.2).astype(np.float32)
    p = (0.5 + 1e-3 * (0.3 * y + rng.standard_normal(n))).astype(np.float32)
    w = rng.uniform(0.5, 2, n).astype(np.float32) if weighted else None
    metric = fk.AUC(curve)
    got = float(_feed(metric, _split((y, p, w, None), 4)))
    ref = (skm.roc_auc_score if curve == "ROC" else skm.average_precision_score)(
        y, p, sample_weight=w)
    assert abs(got - ref) < 1e-4
    assert abs(got - ref) <= metric.error_bound() + 1e-9


@pytest.mark.parametrize("curve", ["ROC", "PR"])
def test_auc_float32_state_keeps_tied_scores_exact(rng, curve):
    # JAX without x64 holds float32 variables: a bin of tied scores then shows
    # a variance of rounding size, which must still read as a tie
    n = 3000
    p = rng.choice(np.array([0.1, 0.35, 0.5, 0.8], np.float32), n)
    y = (rng.random(n) < p).astype(np.float32)
    w = rng.uniform(0.5, 2, n).astype(np.float32)
    metric = fk.AUC(curve)
    _feed(metric, _split((y, p, w, None), 3))
    arrays = [np.asarray(v.numpy(), np.float32) for v in metric._state_vars]
    metric._state_dtype = "float32"
    got = metric._rebuild(arrays).result()
    ref = (skm.roc_auc_score if curve == "ROC" else skm.average_precision_score)(
        y, p, sample_weight=w)
    assert abs(got - ref) < 1e-6


def test_auc_multiclass_ovr(rng):
    C = 4
    y, p, mask, _ = _sequence_data(rng, C=C)
    metric = fk.AUC(num_classes=C)
    got = float(_feed(metric, _split((y, p, None, mask), 3)))
    keep = mask.reshape(-1)
    ref = skm.roc_auc_score(y.reshape(-1)[keep], p.reshape(-1, C)[keep], multi_class="ovr",
                            labels=np.arange(C))
    assert abs(got - ref) <= metric.error_bound() + 1e-6


# ------------------------------------------------------------ in a model
def _tagger(V, C, T):
    inp = keras.Input((T,), dtype="int32")
    x = keras.layers.Embedding(V, 8, mask_zero=True)(inp)
    x = keras.layers.Dense(C, activation="softmax")(x)
    return keras.Model(inp, x)


def test_evaluate_with_keras_mask_and_temporal_weights_equals_sklearn(rng):
    N, T, V, C = 64, 12, 30, 4
    lengths = rng.integers(3, T + 1, N)
    mask = np.arange(T)[None, :] < lengths[:, None]
    X = np.where(mask, rng.integers(1, V, (N, T)), 0).astype(np.int32)
    y = np.where(mask, rng.choice(C, (N, T), p=[0.6, 0.25, 0.1, 0.05]), 0).astype(np.int32)
    sw = temporal_sample_weight(y, class_weight="balanced", mask=mask)
    model = _tagger(V, C, T)
    metrics = [fk.F1Score(num_classes=C), fk.Precision(num_classes=C, average="weighted"),
               fk.MatthewsCorrelation(num_classes=C), fk.SparseCategoricalCrossentropy(),
               fk.ConfusionMatrix(C)]
    model.compile("sgd", "sparse_categorical_crossentropy", weighted_metrics=metrics)
    res = model.evaluate(X, y, sample_weight=sw, batch_size=10, verbose=0, return_dict=True)
    p = model.predict(X, batch_size=64, verbose=0).reshape(-1, C).astype(np.float64)
    keep = mask.reshape(-1)  # the Embedding mask drops padding, whatever its weight
    yt, yh, w = y.reshape(-1)[keep], p.argmax(-1)[keep], sw.reshape(-1)[keep]
    np.testing.assert_allclose(res["f1_score"],
                               skm.f1_score(yt, yh, average="macro", sample_weight=w,
                                            zero_division=0.0), rtol=1e-5)
    np.testing.assert_allclose(res["precision"],
                               skm.precision_score(yt, yh, average="weighted",
                                                   sample_weight=w, zero_division=0.0),
                               rtol=1e-5)
    np.testing.assert_allclose(res["matthews_correlation"],
                               skm.matthews_corrcoef(yt, yh, sample_weight=w), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(res["sparse_categorical_crossentropy"],
                               skm.log_loss(yt, p[keep], labels=np.arange(C),
                                            sample_weight=w), rtol=1e-5)
    np.testing.assert_allclose(res["confusion_matrix"],
                               skm.confusion_matrix(yt, yh, labels=np.arange(C),
                                                    sample_weight=w), rtol=1e-5)


def test_fit_class_weight_reaches_weighted_metrics(rng):
    # learning rate 0: the predictions during the epoch are the final ones
    N = 400
    X = rng.normal(size=(N, 3)).astype(np.float32)
    y = (X[:, 0] + 0.8 * rng.normal(size=N) > 1.0).astype(np.float32)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.SGD(learning_rate=0.0), "binary_crossentropy",
                  weighted_metrics=[fk.Recall(), fk.Precision(), fk.AUC()])
    cw = {0: 1.0, 1: 9.0}
    hist = model.fit(X, y, class_weight=cw, batch_size=32, epochs=1, verbose=0)
    p = model.predict(X, verbose=0)[:, 0]
    w = np.where(y == 1, 9.0, 1.0)
    yh = (p > 0.5).astype(int)
    np.testing.assert_allclose(hist.history["precision"][0],
                               skm.precision_score(y, yh, sample_weight=w, zero_division=0),
                               rtol=1e-5)
    np.testing.assert_allclose(hist.history["recall"][0],
                               skm.recall_score(y, yh, sample_weight=w, zero_division=0),
                               rtol=1e-5)
    assert abs(hist.history["auc"][0] - skm.roc_auc_score(y, p, sample_weight=w)) < 1e-3


# ------------------------------------------------------ config and saving
ALL = [
    lambda: fk.Precision(num_classes=3, average="micro", zero_division=1.0),
    lambda: fk.Recall(class_id=1, threshold=0.3),
    lambda: fk.F1Score("multilabel", 4, average=None),
    lambda: fk.FBetaScore(beta=0.5, num_classes=3),
    lambda: fk.BalancedAccuracy(num_classes=3, adjusted=True),
    lambda: fk.MatthewsCorrelation(),
    lambda: fk.ConfusionMatrix(3, normalize="true"),
    lambda: fk.AUC("PR", num_classes=3, average="weighted", bins=2**12),
    lambda: fk.SparseCategoricalCrossentropy(from_logits=True, ignore_index=0),
    lambda: fk.CategoricalCrossentropy(label_smoothing=0.1),
    lambda: fk.BinaryCrossentropy(from_logits=True),
]


@pytest.mark.parametrize("make", ALL)
def test_config_round_trip(make):
    m = make()
    config = m.get_config()
    again = type(m).from_config(config)
    assert again.get_config() == config
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(m))
    assert type(restored) is type(m) and restored.get_config() == config


def test_saved_model_loads_without_custom_objects(rng, tmp_path):
    N, T, V, C = 16, 6, 20, 3
    X = rng.integers(1, V, (N, T)).astype(np.int32)
    y = rng.integers(0, C, (N, T)).astype(np.int32)
    model = _tagger(V, C, T)
    model.compile("sgd", "sparse_categorical_crossentropy",
                  metrics=[fk.F1Score(num_classes=C), fk.AUC(num_classes=C)])
    before = model.evaluate(X, y, verbose=0, return_dict=True)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)  # no custom_objects
    after = loaded.evaluate(X, y, verbose=0, return_dict=True)
    for key in ("f1_score", "auc"):
        np.testing.assert_allclose(after[key], before[key], rtol=1e-6)


def test_registration_names_are_the_package_and_class_names():
    # models saved by every version refer to these names
    for name in fk.__all__:
        cls = getattr(fk, name)
        assert keras.saving.get_registered_name(cls) == f"fastmetrics>{name}"
        assert keras.saving.get_registered_object(f"fastmetrics>{name}") is cls


def test_import_loads_no_kernels_and_the_bridge_uses_public_state_api():
    import re
    import subprocess
    import sys
    from pathlib import Path

    code = "import fastmetrics.keras, sys; print('numba' in sys.modules)"
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == "False"
    # only the plain-NumPy key layout of the kernels; no backend seam; no
    # private attribute of a streaming state
    package = Path(fk.__file__).parent
    for path in package.glob("*.py"):
        text = path.read_text()
        imports = re.findall(r"^\s*(?:from|import) (\S+)", text, flags=re.M)
        # the one exception: the token layer's form rules (shapes only), with
        # which the XLA reading decides the input form as the host does
        core = [line.strip() for line in text.splitlines()
                if re.match(r"\s*(?:from|import) \S*_core", line)]
        assert set(core) <= {"from .._core import tokens as _tokens"}, path.name
        assert not [i for i in imports if "_kernels" in i and i != ".._kernels"], path.name
        assert not re.search(r"\b(?:state|st|probe)\._[a-z]", text), path.name


# ------------------------------------------------------------ bad input
def test_wrong_num_classes_errors_at_first_batch_naming_the_metric(rng):
    model = _tagger(20, 4, 6)
    model.compile("sgd", "sparse_categorical_crossentropy",
                  metrics=[fk.F1Score(num_classes=5, name="tok_f1")])
    X = rng.integers(1, 20, (8, 6)).astype(np.int32)
    y = rng.integers(0, 4, (8, 6)).astype(np.int32)
    with pytest.raises(ValueError, match=r"tok_f1.*num_classes=5.*4 units"):
        model.fit(X, y, epochs=1, verbose=0)


def test_task_not_fitting_output_errors_naming_the_metric(rng):
    m = fk.Precision(name="bin_p")
    with pytest.raises(ValueError, match=r"bin_p.*task='binary'"):
        m.update_state(np.zeros((4, 6), np.float32), np.full((4, 6), 0.2, np.float32)
                       .reshape(4, 6)[:, :, None].repeat(3, -1))


def test_label_out_of_range_errors_naming_the_metric(rng):
    m = fk.Recall(num_classes=3, name="rec3")
    y = np.array([0, 1, 7], np.int32)
    p = np.full((3, 3), 1 / 3, np.float32)
    with pytest.raises(Exception, match=r"rec3"):
        m.update_state(y, p)
        m.result().numpy()


@pytest.mark.parametrize("kwargs, match", [
    (dict(num_classes=3, task="binary"), "num_classes must be 2"),
    (dict(average="binary", num_classes=3), "average='binary' needs task='binary'"),
    (dict(class_id=3, num_classes=3), "class_id"),
    (dict(threshold=float("nan")), "threshold"),
    (dict(task="ranking"), "task must be one of"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        fk.Precision(**kwargs)


def test_reset_state_starts_a_new_epoch(rng):
    y, p, w = _binary_data(rng, 200)
    m = fk.F1Score()
    _feed(m, [(y, p, w, None)])
    m.reset_state()
    got = _feed(m, [(y[:50], p[:50], None, None)])
    np.testing.assert_allclose(got, skm.f1_score(y[:50], (p[:50] > 0.5).astype(int)),
                               rtol=1e-6)


# ------------------------------------------------------------ distribution
def test_mirrored_strategy_two_logical_cpus_sums_replica_states():
    import json
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).parent / "keras_scripts" / "mirrored.py"
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["replicas"] == 2
    got, ref = out["got"], out["ref"]
    for key in ("f1_score", "matthews_correlation", "binary_crossentropy",
                "confusion_matrix"):
        np.testing.assert_allclose(got[key], ref[key], rtol=1e-5, atol=1e-6, err_msg=key)
    # binned AUC: within its certified bound of the exact value
    assert abs(got["auc"] - ref["auc"]) <= out["auc_bound"] + 1e-6


# ------------------------------------------------------------------ backends
@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_backends_fit_and_evaluate_equal_sklearn(backend):
    """A fresh process per backend (Keras picks its backend at import); every
    class in six scenarios (sequence tagger with a Keras mask; with temporal
    weights; imbalanced binary with class_weight; one-hot targets; multilabel;
    tied scores, where AUC and AP must equal scikit-learn's — JAX holds float32
    state without x64):
    JAX runs the metric's host call through ``jax.pure_callback`` inside
    ``jax.jit`` (jit_compile="auto" is True there), PyTorch eagerly."""
    _assert_backend_check(backend, "auto",
                          ["mask", "weights", "binary", "onehot", "multilabel", "ties"])


def _assert_backend_check(backend, jit, scenarios):
    import json
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).parent / "keras_scripts" / "backend_check.py"
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run([sys.executable, str(script), jit, *scenarios],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    outs = [json.loads(line) for line in proc.stdout.strip().splitlines()
            if line.startswith("{")]
    assert [o["scenario"] for o in outs] == list(scenarios)
    for out in outs:
        assert out["backend"] == backend
        got, ref, bounds = out["got"], out["ref"], out["bounds"]
        assert set(got) == set(ref) and len(ref) >= 2
        for key in ref:
            where = f"{backend} {out['scenario']} {key}"
            if key in bounds:  # binned AUC: within its certified bound
                assert abs(got[key] - ref[key]) <= bounds[key] + 1e-6, where
            else:
                np.testing.assert_allclose(got[key], ref[key], rtol=1e-5, atol=1e-5,
                                           err_msg=where)


# ----------------------------------------------------------------- XLA path
def _xla_cases(rng):
    y, p, w = _binary_data(rng, 300)
    ys, ps, mask, wtok = _sequence_data(rng, N=12, T=9, C=4)
    ml_y = (rng.random((50, 3)) < 0.4).astype(np.float32)
    ml_p = rng.random((50, 3)).astype(np.float32)
    onehot = np.eye(4, dtype=np.float32)[ys]
    cases = []
    for form in BINARY_FORMS:
        yt, yp = _binary_form(form, y, p)
        for make in (lambda: fk.ConfusionMatrix(), lambda: fk.F1Score(threshold=0.3),
                     lambda: fk.AUC(), lambda: fk.AUC("PR", bins=2**12)):
            cases.append((f"binary-{form}", make, yt, yp, w, None))
    cases.append(("binary-bce", lambda: fk.BinaryCrossentropy(), y[:, None], p[:, None], w,
                  None))
    for name, yt in (("ids", ys), ("onehot", onehot)):
        ign = 3 if name == "ids" else None  # ignore_index needs class ids
        for make in (lambda: fk.ConfusionMatrix(4), lambda: fk.AUC(num_classes=4),
                     lambda ign=ign: fk.Precision(num_classes=4, ignore_index=ign)):
            cases.append((f"multiclass-{name}", make, yt, ps, wtok, mask))
    cases.append(("scce", lambda: fk.SparseCategoricalCrossentropy(ignore_index=2), ys, ps,
                  wtok, mask))
    cases.append(("cce", lambda: fk.CategoricalCrossentropy(label_smoothing=0.1), onehot, ps,
                  wtok[:, 0], mask))
    # forms the XLA step once read otherwise than the host
    onehot2 = np.stack([1 - y, y], axis=1).astype(np.float32)
    for form, yt in (("onehot+scores", onehot2), ("column+scores", y[:, None])):
        for make in (lambda: fk.ConfusionMatrix(), lambda: fk.AUC()):
            cases.append((f"binary-{form}", make, yt, p, w, None))
    ids_p = ps.argmax(-1).reshape(-1).astype(np.int32)
    cases.append(("multiclass-ids+ids", lambda: fk.ConfusionMatrix(4),
                  ys.reshape(-1), ids_p, wtok.reshape(-1), mask.reshape(-1)))
    cases.append(("multiclass-onehot+ids", lambda: fk.Recall(num_classes=4),
                  onehot.reshape(-1, 4), ids_p, None, None))
    cases.append(("multilabel", lambda: fk.ConfusionMatrix(3, "multilabel"), ml_y, ml_p,
                  None, None))
    cases.append(("multilabel-auc", lambda: fk.AUC("ROC", "multilabel", 3), ml_y, ml_p,
                  None, None))
    return cases


def test_xla_update_equals_host_update(rng):
    """jit_compile=True: the batch state computed with TensorFlow ops equals
    the library kernels' state, so the eager epoch value is the same."""
    for name, make, yt, yp, w, m in _xla_cases(rng):
        if w is None:  # the compiled step always takes weights: give both paths ones
            w = np.ones(len(yt), np.float32)
        host, xla = make(), make()
        _feed(host, _split((yt, yp, w, m), 2))

        @tf.function(jit_compile=True)
        def step(a, b, c, d, metric=xla):
            kbackend.set_keras_mask(b, d)
            metric.update_state(a, b, c)
            return metric.result()

        for a, b, c, d in _split((yt, yp, w, m), 2):
            d = np.ones(b.shape[:-1] if b.ndim == 3 else b.shape[:1], bool) if d is None else d
            per_step = step(tf.constant(a), tf.constant(b),
                            tf.constant(c),
                            tf.constant(d))
            # XLA cannot call the library's compute: the per-step value is NaN
            assert np.all(np.isnan(np.asarray(per_step))) or "crossentropy" in xla.name
        # the same state, hence the same eager value
        for hv, xv in zip(host._state_vars, xla._state_vars):
            np.testing.assert_allclose(np.asarray(xv), np.asarray(hv), rtol=1e-6, atol=1e-6,
                                       err_msg=name)
        np.testing.assert_allclose(np.asarray(xla.result()), np.asarray(host.result()),
                                   rtol=1e-6, atol=1e-7, err_msg=name)


def test_xla_invalid_labels_raise_at_the_eager_result():
    m = fk.Recall(num_classes=3, name="rec_xla")
    step = tf.function(lambda a, b: m.update_state(a, b), jit_compile=True)
    step(tf.constant([0, 1, 5]), tf.constant(np.full((3, 3), 1 / 3, np.float32)))
    with pytest.raises(Exception, match=r"rec_xla.*1 token\(s\) had invalid labels"):
        m.result().numpy()


def test_xla_shape_errors_are_the_hosts_naming_the_metric():
    """Shapes the host rejects raise the host's message when the XLA step is
    traced (multiclass ids S + (1,) with scores; a mask not of the token
    shape; one-hot y_true with ignore_index)."""
    scores = np.full((4, 3), 1 / 3, np.float32)
    for make, yt, yp, mask in (
            (lambda: fk.Recall(num_classes=3, name="rec_ids1"),
             np.array([[0], [1], [2], [1]]), scores, None),
            (lambda: fk.F1Score(name="f1_mask"), np.array([0, 1, 1, 0]),
             np.array([0.2, 0.7, 0.6, 0.1], np.float32), np.ones((4, 1), bool)),
            (lambda: fk.Precision(num_classes=3, ignore_index=0, name="p_onehot"),
             np.eye(3, dtype=np.float32)[[0, 1, 2, 1]], scores, None)):
        host, xla = make(), make()

        def upd(a, b, metric, m=mask):
            if m is not None:
                kbackend.set_keras_mask(b, tf.constant(m))
            metric.update_state(a, b)

        with pytest.raises(Exception) as want:
            upd(tf.constant(yt), tf.constant(yp), host)
        step = tf.function(lambda a, b, metric=xla: upd(a, b, metric), jit_compile=True)
        with pytest.raises(ValueError) as got:
            step(tf.constant(yt), tf.constant(yp))
        # (tf.function puts its trace of the user code before the message)
        prefix = f"{xla.name} ({type(xla).__name__}): "
        message = str(got.value)
        assert prefix in message
        core = message[message.index(prefix):].strip()
        assert core in str(want.value)


def test_xla_rows_that_are_not_one_hot_raise_at_the_eager_result():
    m = fk.AUC(name="auc_rows")
    step = tf.function(lambda a, b: m.update_state(a, b), jit_compile=True)
    step(tf.constant([[0.0, 1.0], [1.0, 1.0], [1.0, 0.0]]),
         tf.constant([[0.3, 0.7], [0.5, 0.5], [0.9, 0.1]]))
    with pytest.raises(Exception, match=r"auc_rows.*1 token\(s\) had invalid labels"):
        m.result().numpy()


def test_evaluate_with_jit_compile_true_equals_sklearn():
    _assert_backend_check("tensorflow", "true",
                          ["mask", "weights", "binary", "onehot", "multilabel", "ties"])


def test_auc_step_value_is_throttled_in_graph_mode_but_eager_value_is_exact(rng):
    y, p, _ = _binary_data(rng, 400)
    y, p = y.astype(np.float32), p.astype(np.float32)
    for interval in (3600.0, 0.0):
        m = fk.AUC()
        m._step_result_interval_s = interval  # per instance, for the test
        step = tf.function(lambda a, b, m=m: (m.update_state(a, b), m.result())[1])
        v1 = float(step(y[:200], p[:200]))
        v2 = float(step(y[200:], p[200:]))
        first = skm.roc_auc_score(y[:200], p[:200])
        both = skm.roc_auc_score(y, p)
        assert abs(v1 - first) < 1e-3
        if interval:  # the progress-bar value is the last one computed
            assert v2 == v1
        else:
            assert abs(v2 - both) < 1e-3
        # eager (Keras' epoch-end get_metrics_result): always computed
        assert abs(float(m.result()) - both) <= m.error_bound() + 1e-7

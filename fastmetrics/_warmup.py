"""``fastmetrics warmup``: compile the kernels of the common input forms once.

Numba caches each compiled kernel on disk (``NUMBA_CACHE_DIR``, else next to
the package, else the user cache directory); the cache is keyed by the CPU,
so it cannot ship in the wheel, but a container image, a cluster node or a CI
cache can fill it once with this command.

Inputs of at most ``config.NUMPY_MAX`` tokens never reach a kernel, and the
serial / parallel twin of a kernel is picked by size, so the warm-up lowers
the size thresholds for a while: a few thousand tokens then take every path
that millions of tokens take, and compile the same specialisations.
"""

import contextlib
import time

import numpy as np

from . import config

# the sizes at which a path changes, lowered for the warm-up
_SMALL_CONFIG = {"NUMPY_MAX": -1, "CHUNK": 1024, "RANKING_CHUNK": 256, "PARALLEL_MIN": 1024,
                 "PART_MIN_SCORES": 1024, "SLAB_ELEMENTS": 4096}
_SIZES = (200, 4096)  # one chunk (serial kernels), several chunks (parallel kernels)


@contextlib.contextmanager
def _lowered_thresholds():
    saved = {k: getattr(config, k) for k in _SMALL_CONFIG}
    try:
        for k, v in _SMALL_CONFIG.items():
            setattr(config, k, v)
        yield
    finally:
        for k, v in saved.items():
            setattr(config, k, v)


def _data(n, rng):
    """Inputs of ``n`` tokens in the common forms (T = 8 steps per sequence)."""
    y = rng.integers(0, 7, n)
    probs = rng.random((n, 7)) + np.eye(7)[y]
    probs /= probs.sum(1, keepdims=True)
    yb = (rng.random(n) < 0.3).astype(np.int64)
    s = np.clip(0.4 * yb + 0.6 * rng.random(n), 0, 1)
    N, T = n // 8, 8
    return {"y": y, "p": np.where(rng.random(n) < 0.7, y, rng.integers(0, 7, n)),
            "probs": probs, "yb": yb, "s": s, "ys": y.reshape(N, T), "ybs": yb.reshape(N, T),
            "seq": probs.reshape(N, T, 7), "mask": rng.random((N, T)) < 0.9,
            "wt": rng.uniform(0.5, 1.5, (N, T)), "w": rng.uniform(0.5, 1.5, n)}


def _classification(fm, d):
    for dt in (np.int8, np.int16, np.int32, np.int64, np.uint8):
        yield f"confusion_matrix, {np.dtype(dt).name} ids", lambda dt=dt: fm.confusion_matrix(
            d["y"].astype(dt), d["p"].astype(dt))
    yield "confusion_matrix, bool", lambda: fm.confusion_matrix(d["yb"] > 0, d["s"] > 0.5)
    yield "f1_score macro, weighted", lambda: fm.f1_score(d["y"], d["p"], average="macro",
                                                           sample_weight=d["w"])
    for dt in (np.float32, np.float64):
        seq = d["seq"].astype(dt)
        yield f"confusion_matrix (N, T, 7) {np.dtype(dt).name} + mask + weights", \
            lambda seq=seq: fm.confusion_matrix(d["ys"], seq, task="multiclass", num_classes=7,
                                                mask=d["mask"], sample_weight=d["wt"])
        yield f"confusion_matrix binary (N, T) {np.dtype(dt).name} scores", \
            lambda dt=dt: fm.confusion_matrix(d["ybs"], d["s"].reshape(d["ybs"].shape).astype(dt),
                                              task="binary", mask=d["mask"])
    yield "multilabel_confusion_matrix", lambda: fm.multilabel_confusion_matrix(
        d["probs"] > 0.2, d["probs"] > 0.15)


def _ranking(fm, d):
    for dt in (np.float32, np.float64):
        s = d["s"].astype(dt)
        yield f"roc_auc_score {np.dtype(dt).name}", lambda s=s: fm.roc_auc_score(d["yb"], s)
        yield f"average_precision_score {np.dtype(dt).name}", \
            lambda s=s: fm.average_precision_score(d["yb"], s, sample_weight=d["w"])
        yield f"roc_curve / precision_recall_curve {np.dtype(dt).name}", \
            lambda s=s: (fm.roc_curve(d["yb"], s), fm.precision_recall_curve(d["yb"], s))
        p = d["probs"].astype(dt)
        yield f"roc_auc_score ovr / ovo (n, 7) {np.dtype(dt).name}", lambda p=p: (
            fm.roc_auc_score(d["y"], p, multi_class="ovr"),
            fm.roc_auc_score(d["y"], p, multi_class="ovo"))
        seq = d["seq"].astype(dt)
        yield f"roc_auc_score (N, T, 7) {np.dtype(dt).name} + mask", \
            lambda seq=seq: fm.roc_auc_score(d["ys"], seq, task="multiclass", num_classes=7,
                                             mask=d["mask"])
    yield "top_k_accuracy_score", lambda: fm.top_k_accuracy_score(d["y"], d["probs"], k=2)


def _losses(fm, d):
    for dt in (np.float32, np.float64):
        seq = d["seq"].astype(dt)
        yield f"sparse_categorical_crossentropy (N, T, 7) {np.dtype(dt).name} + mask", \
            lambda seq=seq: (fm.sparse_categorical_crossentropy(d["ys"], seq, mask=d["mask"]),
                             fm.sparse_categorical_crossentropy(d["ys"], seq, from_logits=True))
        onehot = np.eye(7, dtype=dt)[d["ys"]]
        yield f"categorical_crossentropy {np.dtype(dt).name}", \
            lambda seq=seq, onehot=onehot: fm.categorical_crossentropy(onehot, seq)
        s = d["s"].astype(dt)
        yield f"binary_crossentropy {np.dtype(dt).name}", \
            lambda s=s: fm.binary_crossentropy(d["yb"].astype(dt), s)
    yield "log_loss", lambda: (fm.log_loss(d["y"], d["probs"]), fm.log_loss(d["yb"], d["s"]))


def _calibration(fm, d):
    yield "expected_calibration_error binary / multiclass", lambda: (
        fm.expected_calibration_error(d["yb"], d["s"]),
        fm.expected_calibration_error(d["y"], d["probs"], task="multiclass", num_classes=7))
    yield "brier_score_loss", lambda: fm.brier_score_loss(d["yb"], d["s"])
    yield "compute_sample_weight / temporal_sample_weight", lambda: (
        fm.compute_sample_weight("balanced", d["y"]),
        fm.temporal_sample_weight(d["ys"], mask=d["mask"]))


def _streaming(fm, d):
    from . import streaming

    def auc():
        a = streaming.AUC()
        a.update(d["yb"], d["s"].astype(np.float32))
        return a.result()

    def cm():
        c = streaming.ConfusionMatrix(task="multiclass", num_classes=7)
        c.update(d["ys"], d["seq"].astype(np.float32), mask=d["mask"])
        return c.f1(average="macro")

    yield "streaming.AUC", auc
    yield "streaming.ConfusionMatrix", cm


FAMILIES = {"classification": _classification, "ranking": _ranking, "losses": _losses,
            "calibration": _calibration, "streaming": _streaming}


class _CompileCounter:
    """Counts Numba compilations (not cache loads) while installed."""

    def __enter__(self):
        from numba.core import event

        counter = self
        self.count = 0

        class Listener(event.Listener):
            def on_start(self, ev):
                counter.count += 1

            def on_end(self, ev):
                pass

        self._listener = Listener()
        event.register("numba:compile", self._listener)
        return self

    def __exit__(self, *exc):
        from numba.core import event

        event.unregister("numba:compile", self._listener)


def warmup(families=None, log=print):
    """Compile (or load from the cache) the kernels of the common input forms.

    Parameters
    ----------
    families : sequence of str or None, default=None
        Some of ``"classification"``, ``"ranking"``, ``"losses"``,
        ``"calibration"``, ``"streaming"``; None warms them all.
    log : callable or None, default=print
        Called with one line per input form (what it compiled, how long it took).

    Returns
    -------
    done : list of (str, int, float)
        Per input form: its label, the number of functions Numba compiled for
        it (0 when the cache already held them) and the seconds it took.
    """
    import fastmetrics as fm

    names = list(FAMILIES) if families is None else list(families)
    unknown = [f for f in names if f not in FAMILIES]
    if unknown:
        raise ValueError(f"families must be some of {list(FAMILIES)}; got unknown {unknown}.")
    done = []
    with _lowered_thresholds(), _CompileCounter() as counter:
        for n in _SIZES:
            data = _data(n, np.random.default_rng(0))
            for family in names:
                for label, call in FAMILIES[family](fm, data):
                    before, t0 = counter.count, time.perf_counter()
                    call()
                    row = (f"{label} ({n} tokens)", counter.count - before, time.perf_counter() - t0)
                    done.append(row)
                    if log is not None:
                        log(f"{row[2]:7.2f} s  {row[1]:3d} compiled  {row[0]}")
    return done

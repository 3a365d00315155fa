"""Epoch-time overhead of fastmetrics.keras metrics in real training (issue 5).

    python bench/keras_overhead.py --all [--n-train 20000 --T 50 --rounds 3]
    python bench/keras_overhead.py --backend tensorflow --jit false   # one path

The model and data are example 3 (``examples/bilstm_tagging.py``: word +
char BiLSTM tagger, 7 imbalanced tags, padded sentences, temporal sample
weights from ``temporal_sample_weight``), with one-hot targets and
categorical cross-entropy so that Keras' own metrics can run on the same
model.  Three compiled copies of the model (same weights at the start):

* ``none``: no metric;
* ``keras``: Keras' ``Precision()``, ``Recall()`` and ``AUC()``;
* ``fastmetrics``: ``F1Score(num_classes=7)``, ``AUC(num_classes=7)`` and
  ``ConfusionMatrix(7)``;

all in ``weighted_metrics`` (the temporal weights reach them).  Each copy
trains one warm-up epoch (tracing / compiling), then the copies take turns,
one epoch each, for ``--rounds`` rounds; the median (and the best) epoch
time per copy is reported, and the ratio fastmetrics / keras (target <= 1.10,
issue 5).  On this project's virtual machine a step now and then stalls for
~18 s whichever model runs (file pages dropped by the host's memory
reclaim, presumably): the "steady" epoch time sums the step times with each
step cut to 3x the median step, which keeps every per-step cost of the
metrics (and the AUC value recomputed every 0.25 s) and drops the stalls.

``--first-step`` measures instead what a user waits for at the start of
training: in a fresh process per (metrics, Numba cache state), the time from
``model.compile`` to the end of the first training step (one batch), with no
metric, with Keras' metrics and with fastmetrics', on a cold (empty) and a
warm Numba cache.

``--all`` runs every backend path in its own process (Keras fixes its backend
at import): TensorFlow with ``jit_compile=False`` (the Numba kernels through
``tf.numpy_function``), TensorFlow with ``jit_compile=True`` (XLA: the batch
statistics in TensorFlow ops), JAX (``jax.pure_callback`` inside ``jax.jit``)
and PyTorch (eager).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PATHS = [("tensorflow", "false"), ("tensorflow", "true"), ("jax", "auto"), ("torch", "auto")]


def one_path(args):
    os.environ["KERAS_BACKEND"] = args.backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.path.insert(0, str(ROOT / "examples"))
    sys.path.insert(0, str(ROOT / "bench"))
    import numpy as np

    import bilstm_tagging as ex
    import keras

    from fastmetrics import keras as fk
    from fastmetrics import temporal_sample_weight

    words, chars, y, mask = ex.make_data(args.n_train, args.T, seed=1)
    sw = temporal_sample_weight(y, class_weight="balanced", mask=mask)
    onehot = np.eye(ex.NUM_CLASSES, dtype=np.float32)[y]
    x = {"words": words, "chars": chars}
    jit = {"true": True, "false": False, "auto": "auto"}[args.jit]

    configs = {
        "none": lambda: [],
        "keras": lambda: [keras.metrics.Precision(), keras.metrics.Recall(),
                          keras.metrics.AUC()],
        "fastmetrics": lambda: [fk.F1Score(num_classes=ex.NUM_CLASSES),
                                fk.AUC(num_classes=ex.NUM_CLASSES),
                                fk.ConfusionMatrix(ex.NUM_CLASSES)],
    }
    keras.utils.set_random_seed(0)
    base = ex.build_model(args.T)
    weights = base.get_weights()
    models = {}
    for name, make in configs.items():
        m = ex.build_model(args.T)
        m.set_weights(weights)
        m.compile(optimizer=keras.optimizers.Adam(3e-3),
                  loss=keras.losses.CategoricalCrossentropy(),
                  weighted_metrics=make(), jit_compile=jit)
        t0 = time.perf_counter()
        m.fit(x, onehot, sample_weight=sw, batch_size=args.batch_size, epochs=1, verbose=0)
        print(f"[{args.backend} jit={args.jit}] {name}: warm-up epoch "
              f"{time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
        models[name] = m
    class StepTimer(keras.callbacks.Callback):
        """Wall time of every training step (batch begin to batch end)."""

        def on_epoch_begin(self, epoch, logs=None):
            self.steps = []

        def on_train_batch_begin(self, batch, logs=None):
            self.t = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            self.steps.append(time.perf_counter() - self.t)

    times = {name: [] for name in configs}
    steady = {name: [] for name in configs}
    for r in range(args.rounds):
        for name, m in models.items():
            timer = StepTimer()
            t0 = time.perf_counter()
            hist = m.fit(x, onehot, sample_weight=sw, batch_size=args.batch_size, epochs=1,
                         verbose=0, callbacks=[timer])
            times[name].append(time.perf_counter() - t0)
            st = np.asarray(timer.steps)
            # the steps' time with stalls cut to 3x the median step: this VM
            # now and then stalls one step for ~18 s (whichever model runs)
            steady[name].append(float(np.minimum(st, 3 * np.median(st)).sum()))
        print(f"[{args.backend} jit={args.jit}] round {r + 1}: "
              + ", ".join(f"{k} {v[-1]:.2f} s (steady {steady[k][-1]:.2f} s)"
                          for k, v in times.items()),
              file=sys.stderr, flush=True)
    med = {k: float(np.median(v)) for k, v in times.items()}
    best = {k: float(np.min(v)) for k, v in times.items()}
    smed = {k: float(np.median(v)) for k, v in steady.items()}
    last = {k: float(np.asarray(v).ravel()[0]) for k, v in hist.history.items()
            if np.asarray(v).size == 1}
    out = {"backend": args.backend, "jit_compile": args.jit, "n_train": args.n_train,
           "T": args.T, "batch_size": args.batch_size, "steps": -(-args.n_train //
                                                                    args.batch_size),
           "rounds": args.rounds, "epoch_s": times, "median_s": med, "best_s": best,
           "steady_s": steady, "steady_median_s": smed,
           "steady_fastmetrics_over_keras": smed["fastmetrics"] / smed["keras"],
           "fastmetrics_over_keras": med["fastmetrics"] / med["keras"],
           "best_fastmetrics_over_keras": best["fastmetrics"] / best["keras"],
           "fastmetrics_over_none": med["fastmetrics"] / med["none"],
           "keras_over_none": med["keras"] / med["none"], "last_logs_fastmetrics": last}
    print(json.dumps(out))


def first_step_child(args):
    """Print the seconds from ``model.compile`` to the end of the first step."""
    os.environ["KERAS_BACKEND"] = args.backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.path.insert(0, str(ROOT / "examples"))
    import numpy as np

    import bilstm_tagging as ex
    import keras

    words, chars, y, mask = ex.make_data(args.batch_size, args.T, seed=1)
    sw = np.where(mask, 1.0, 0.0).astype(np.float32)
    onehot = np.eye(ex.NUM_CLASSES, dtype=np.float32)[y]
    keras.utils.set_random_seed(0)
    model = ex.build_model(args.T)
    t0 = time.perf_counter()
    if args.first_step == "fastmetrics":
        from fastmetrics import keras as fk

        metrics = [fk.F1Score(num_classes=ex.NUM_CLASSES), fk.AUC(num_classes=ex.NUM_CLASSES),
                   fk.ConfusionMatrix(ex.NUM_CLASSES)]
    elif args.first_step == "keras":
        metrics = [keras.metrics.Precision(), keras.metrics.Recall(), keras.metrics.AUC()]
    else:
        metrics = []
    model.compile(optimizer=keras.optimizers.Adam(3e-3),
                  loss=keras.losses.CategoricalCrossentropy(), weighted_metrics=metrics)
    model.train_on_batch({"words": words, "chars": chars}, onehot, sample_weight=sw)
    print(json.dumps({"s": time.perf_counter() - t0, "numba": "numba" in sys.modules}))


def first_step(args):
    """Fresh processes: compile-to-first-step, per metric set, cold and warm."""
    import tempfile

    print(f"backend {args.backend}, batch {args.batch_size} x T={args.T}; median of "
          f"{args.rounds} fresh processes")
    for state in ("cold", "warm"):
        for name in ("none", "keras", "fastmetrics"):
            runs = []
            with tempfile.TemporaryDirectory() as cache:
                env = dict(os.environ, NUMBA_CACHE_DIR=cache)
                cmd = [sys.executable, __file__, "--first-step-child", name, "--backend",
                       args.backend, "--T", str(args.T), "--batch-size", str(args.batch_size)]
                if state == "warm":
                    subprocess.run(cmd, env=env, capture_output=True, check=True)
                for _ in range(args.rounds):
                    if state == "cold":
                        for f in Path(cache).glob("**/*"):
                            if f.is_file():
                                f.unlink()
                    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
                    if out.returncode:
                        raise SystemExit(out.stderr[-3000:])
                    runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            med = sorted(r["s"] for r in runs)[len(runs) // 2]
            print(f"{state:4s} cache  {name:11s}  compile -> first step {med:6.2f} s  "
                  f"(Numba imported: {runs[0]['numba']})", flush=True)


def all_paths(args):
    sys.path.insert(0, str(ROOT / "bench"))
    import _harness as H

    rows = []
    for backend, jit in PATHS:
        cmd = [sys.executable, __file__, "--backend", backend, "--jit", jit,
               "--n-train", str(args.n_train), "--T", str(args.T),
               "--batch-size", str(args.batch_size), "--rounds", str(args.rounds)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"{backend} jit={jit}: FAILED\n{proc.stderr[-3000:]}")
            rows.append({"backend": backend, "jit_compile": jit, "error": proc.stderr[-500:]})
            continue
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        rows.append(row)
        m = row["median_s"]
        r = row["fastmetrics_over_keras"]
        rb = row["best_fastmetrics_over_keras"]
        rs = row["steady_fastmetrics_over_keras"]
        print(f"{backend:10s} jit={jit:5s} median: none {m['none']:7.2f} s  keras "
              f"{m['keras']:7.2f} s  fastmetrics {m['fastmetrics']:7.2f} s  fastmetrics/keras "
              f"{r:.3f} ({'met' if r <= 1.10 else 'MISSED'}, target <= 1.10); best-epoch "
              f"ratio {rb:.3f}; steady-step ratio {rs:.3f}", flush=True)
    result = {"machine": H.machine_description(), "rows": rows}
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--all", action="store_true", help="every backend path, one process each")
    ap.add_argument("--backend", default="tensorflow", choices=["tensorflow", "jax", "torch"])
    ap.add_argument("--jit", default="auto", choices=["auto", "true", "false"])
    ap.add_argument("--n-train", type=int, default=20000)
    ap.add_argument("--T", type=int, default=50)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", default=None)
    ap.add_argument("--first-step", action="store_true",
                    help="time model.compile -> first finished step, cold and warm cache")
    ap.add_argument("--first-step-child", default=None, choices=["none", "keras", "fastmetrics"],
                    help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.first_step_child:
        args.first_step = args.first_step_child
        first_step_child(args)
    elif args.first_step:
        first_step(args)
    elif args.all:
        all_paths(args)
    else:
        one_path(args)


if __name__ == "__main__":
    main()

"""BiLSTM sequence labelling with word and character inputs, 7 imbalanced tags.

Padded sentences of varying length; each token has a word id and the
character ids of its spelling.  The tagger: word ``Embedding(mask_zero=True)``
(the mask drops the padding everywhere downstream: loss and metrics) next to a
character CNN (``TimeDistributed`` char ``Embedding`` -> ``Conv1D`` -> max
pooling), concatenated, ``Bidirectional(LSTM(return_sequences=True))``, then
``Dense(7, softmax)`` per token.

Training takes per-token ``(N, T)`` weights from
``fastmetrics.temporal_sample_weight(y, class_weight="balanced", mask=mask)``
(``fit(class_weight=...)`` cannot weigh tokens), and reports fastmetrics'
``F1Score``, ``AUC`` and ``ConfusionMatrix`` in ``weighted_metrics`` (Keras
passes the sample weights only to those): exact over the epoch, padding
excluded.  At the end: a token-level per-class report
(``fastmetrics.classification_report`` with ``mask``) and checks of every
number against scikit-learn on the kept (non-padding) tokens.

The data is synthetic but learnable (see :func:`make_data`).  The module is
importable: ``make_data``, ``build_model``, ``make_metrics``, ``SIZES``.

Run::

    python examples/bilstm_tagging.py --small --out /tmp/tagging   # CI size, seconds
    python examples/bilstm_tagging.py --size realistic               # 20k x 50 tokens, minutes
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _results import write_results  # noqa: E402

NUM_CLASSES = 7
VOCAB_SIZE = 5000       # word ids: 0 padding, 1 unknown word, 2.. words
NUM_CHARS = 30          # char ids: 0 padding, 1..23 stems, 24..29 suffixes
WORD_LEN = 10           # characters per token (padded / cut)
PAD, UNK = 0, 1
TAG_NAMES = ["O", "PER", "LOC", "ORG", "DATE", "B-MISC", "I-MISC"]
# base tag frequencies of tags 0..5; tag 6 (I-MISC) follows tag 5 (B-MISC)
BASE_FREQ = np.array([0.64, 0.12, 0.09, 0.07, 0.05, 0.03])
P_CONTINUE = 0.7        # P(next token is I-MISC | this token is B-MISC)
P_UNK = 0.1             # word id replaced by UNK (its characters kept)
SUFFIX = {1: (24, 25), 2: (25, 26), 3: (26, 27), 4: (27, 28), 5: (28, 29)}

#: preset sizes: "small" for CI, "realistic" for benchmarks
SIZES = {
    "small": dict(n_train=160, n_val=64, T=20, epochs=2, batch_size=32, lr=1e-2),
    "medium": dict(n_train=2000, n_val=500, T=40, epochs=4, batch_size=64, lr=3e-3),
    "realistic": dict(n_train=20000, n_val=2000, T=50, epochs=3, batch_size=128, lr=3e-3),
}


# ---------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------
def _blocks():
    """Word-id block [lo, hi) of each tag 0..5 (tag 6 words come from block 0)."""
    lo0 = 2
    hi0 = lo0 + int(0.4 * (VOCAB_SIZE - 2))
    edges = np.linspace(hi0, VOCAB_SIZE, 6).astype(int)
    return [(lo0, hi0)] + [(int(edges[k]), int(edges[k + 1])) for k in range(5)]


@functools.lru_cache(maxsize=None)
def lexicon(seed=12345):
    """(VOCAB_SIZE, WORD_LEN) spelling of every word id (fixed for all splits).

    Stems are random characters 1..23; words of tags 1..5 end with their tag's
    two-character suffix (24..29), so the characters identify the tag of an
    unknown word.  Rows 0 (padding) and 1 (UNK) are empty: an UNK token keeps
    the spelling of the word it replaces (see :func:`make_data`).
    """
    rng = np.random.default_rng(seed)
    spell = np.zeros((VOCAB_SIZE, WORD_LEN), dtype=np.int32)
    lengths = rng.integers(3, WORD_LEN + 1, VOCAB_SIZE)
    stems = rng.integers(1, 24, (VOCAB_SIZE, WORD_LEN))
    spell[:] = np.where(np.arange(WORD_LEN) < lengths[:, None], stems, 0)
    for tag, (lo, hi) in enumerate(_blocks()):
        if tag in SUFFIX:
            rows = np.arange(lo, hi)
            spell[rows, lengths[rows] - 2] = SUFFIX[tag][0]
            spell[rows, lengths[rows] - 1] = SUFFIX[tag][1]
    spell[:2] = 0
    return spell


def make_data(n, T, seed):
    """Synthetic padded tagging data.

    Returns ``(words, chars, y, mask)``: word ids (n, T) int32, char ids
    (n, T, WORD_LEN) int32, tags (n, T) int32 (0 under the padding) and the
    mask (n, T) bool (False on padding).  Sentence lengths are uniform in
    [max(2, T // 4), T].

    What makes it learnable, and not trivially: tags 0..5 are drawn with
    frequencies ``BASE_FREQ`` and their words from a tag's own block of word
    ids; tag 6 (I-MISC) follows tag 5 with probability 0.7 and takes its word
    from tag 0's block, so only the context (the BiLSTM) tells it from "O",
    and not always; 10 % of the words are replaced by UNK (id 1) but keep
    their characters, whose suffix tells tags 1..5 apart (the char CNN).
    """
    rng = np.random.default_rng(seed)
    lengths = rng.integers(max(2, T // 4), T + 1, n)
    mask = np.arange(T)[None, :] < lengths[:, None]
    tags = rng.choice(6, size=(n, T), p=BASE_FREQ / BASE_FREQ.sum())
    cont = (tags[:, :-1] == 5) & (rng.random((n, T - 1)) < P_CONTINUE)
    tags[:, 1:][cont] = 6
    blocks = np.array(_blocks() + [_blocks()[0]])  # tag 6 draws from block 0
    lo, hi = blocks[tags, 0], blocks[tags, 1]
    words = lo + (rng.random((n, T)) * (hi - lo)).astype(np.int64)
    chars = lexicon()[words]
    words = np.where(rng.random((n, T)) < P_UNK, UNK, words)
    words = np.where(mask, words, PAD).astype(np.int32)
    chars = np.where(mask[..., None], chars, 0).astype(np.int32)
    y = np.where(mask, tags, 0).astype(np.int32)
    return words, chars, y, mask


# ---------------------------------------------------------------------------
# model
# ---------------------------------------------------------------------------
def build_model(T=None, *, vocab_size=VOCAB_SIZE, num_chars=NUM_CHARS, word_len=WORD_LEN,
                num_classes=NUM_CLASSES, word_dim=32, char_dim=16, char_filters=32,
                lstm_units=64):
    """The (uncompiled) word + char BiLSTM tagger; inputs ``{"words", "chars"}``."""
    import keras

    words = keras.Input((T,), dtype="int32", name="words")
    chars = keras.Input((T, word_len), dtype="int32", name="chars")
    w = keras.layers.Embedding(vocab_size, word_dim, mask_zero=True, name="word_emb")(words)
    c = keras.layers.TimeDistributed(keras.layers.Embedding(num_chars, char_dim),
                                     name="char_emb")(chars)
    c = keras.layers.TimeDistributed(
        keras.layers.Conv1D(char_filters, 3, padding="same", activation="relu"),
        name="char_cnn")(c)
    c = keras.layers.TimeDistributed(keras.layers.GlobalMaxPooling1D(), name="char_pool")(c)
    x = keras.layers.Concatenate(name="word_and_chars")([w, c])  # keeps the word mask
    x = keras.layers.Bidirectional(keras.layers.LSTM(lstm_units, return_sequences=True),
                                   name="bilstm")(x)
    out = keras.layers.Dense(num_classes, activation="softmax", name="tags")(x)
    return keras.Model({"words": words, "chars": chars}, out, name="bilstm_tagger")


def make_metrics(num_classes=NUM_CLASSES):
    """fastmetrics metrics for ``compile(weighted_metrics=...)``."""
    from fastmetrics import keras as fk

    return [fk.F1Score(num_classes=num_classes, name="f1"),
            fk.AUC(num_classes=num_classes, name="auc"),
            fk.ConfusionMatrix(num_classes, name="confusion_matrix")]


def compile_model(model, lr=3e-3, metrics=None):
    """Adam, sparse cross-entropy (weighted mean over real tokens), ``metrics``
    (default :func:`make_metrics`) as weighted metrics."""
    import keras

    # mean_with_sample_weight: the weighted mean over the real tokens (the
    # scale does not drift with padding or with the class weights)
    model.compile(
        optimizer=keras.optimizers.Adam(lr),
        loss=keras.losses.SparseCategoricalCrossentropy(reduction="mean_with_sample_weight"),
        weighted_metrics=make_metrics() if metrics is None else metrics,
    )
    return model


# ---------------------------------------------------------------------------
# checks
# ---------------------------------------------------------------------------
def sklearn_token_metrics(y, probs, mask, weights):
    """scikit-learn on the kept tokens: weighted macro F1, confusion matrix, OvR AUC."""
    from sklearn import metrics as skm

    keep = mask.reshape(-1)
    yt = y.reshape(-1)[keep]
    p = probs.reshape(-1, probs.shape[-1])[keep].astype(np.float64)
    yh = p.argmax(-1)
    sw = weights.reshape(-1)[keep].astype(np.float64)
    labels = np.arange(probs.shape[-1])
    return {
        "f1": float(skm.f1_score(yt, yh, average="macro", sample_weight=sw,
                                 zero_division=0.0)),
        "confusion_matrix": skm.confusion_matrix(yt, yh, labels=labels,
                                                 sample_weight=sw).tolist(),
        "auc": float(skm.roc_auc_score(yt, p, multi_class="ovr", labels=labels,
                                       sample_weight=sw)),
    }




def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", choices=sorted(SIZES), default="medium",
                    help="preset data size (small: CI; realistic: 20k sentences x 50 "
                         "tokens, minutes on a CPU)")
    ap.add_argument("--small", action="store_true", help="same as --size small")
    ap.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "fastmetrics-examples",
                                                  "bilstm_tagging"),
                    help="output folder (results.json, predictions.npz)")
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    size = "small" if args.small else args.size
    cfg = dict(SIZES[size])
    if args.epochs:
        cfg["epochs"] = args.epochs
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()

    import keras

    import fastmetrics as fm
    from fastmetrics import temporal_sample_weight

    keras.utils.set_random_seed(args.seed)
    T = cfg["T"]
    w_tr, c_tr, y_tr, m_tr = make_data(cfg["n_train"], T, args.seed)
    w_va, c_va, y_va, m_va = make_data(cfg["n_val"], T, args.seed + 1)
    # per-token weights: "balanced" class weights counted over the real tokens
    sw_tr, cw = temporal_sample_weight(y_tr, class_weight="balanced", mask=m_tr,
                                       num_classes=NUM_CLASSES, return_class_weight=True)
    # validation: the training set's class weights, its own mask
    sw_va = temporal_sample_weight(y_va, cw, mask=m_va, num_classes=NUM_CLASSES)
    x_tr, x_va = {"words": w_tr, "chars": c_tr}, {"words": w_va, "chars": c_va}
    counts = np.bincount(y_tr[m_tr], minlength=NUM_CLASSES)
    print(f"size={size}: {cfg['n_train']} train / {cfg['n_val']} val sentences, T={T}, "
          f"{int(m_tr.sum())} train tokens")
    print("train tokens per tag: " + ", ".join(f"{n}={c}" for n, c in zip(TAG_NAMES, counts)))
    print("balanced class weights: " + ", ".join(f"{n}={c:.2f}" for n, c in zip(TAG_NAMES, cw)))

    metrics = make_metrics()
    auc_metric = metrics[1]
    model = compile_model(build_model(T), lr=cfg["lr"], metrics=metrics)

    rows = []

    class Report(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            probs = self.model.predict(x_va, batch_size=256, verbose=0)
            sk = sklearn_token_metrics(y_va, probs, m_va, sw_va)
            lg = {k: np.asarray(v).tolist() for k, v in (logs or {}).items()}
            # the metrics hold the validation pass's state here (Keras resets
            # them before it): the AUC's certified bound for val_auc
            rows.append({"epoch": epoch + 1, "logs": lg, "sklearn_val": sk,
                         "val_auc_error_bound": float(auc_metric.error_bound())})
            print(f"{epoch + 1:5d} | {lg['loss']:.4f} {lg['f1']:.4f} {lg['auc']:.4f} | "
                  f"{lg['val_loss']:.4f} {lg['val_f1']:.4f} {lg['val_auc']:.4f} | "
                  f"{sk['f1']:.4f} {sk['auc']:.4f}")

    print("epoch |  train: loss     f1    auc |    val: loss     f1    auc | "
          "sklearn val: f1    auc")
    t_fit = time.perf_counter()
    model.fit(x_tr, y_tr, sample_weight=sw_tr, validation_data=(x_va, y_va, sw_va),
              epochs=cfg["epochs"], batch_size=cfg["batch_size"], verbose=0,
              callbacks=[Report()])
    fit_seconds = time.perf_counter() - t_fit

    # ---- final: evaluate vs scikit-learn on model.predict, kept tokens only
    ev = model.evaluate(x_va, y_va, sample_weight=sw_va, batch_size=cfg["batch_size"],
                        verbose=0, return_dict=True)
    ev = {k: np.asarray(v).tolist() for k, v in ev.items()}
    # the metric objects hold the state of that evaluate: the binned AUC's
    # certified distance to the exact value
    auc_bound = float(auc_metric.error_bound())
    probs = model.predict(x_va, batch_size=256, verbose=0)
    sk = sklearn_token_metrics(y_va, probs, m_va, sw_va)
    diffs = {
        "f1": abs(ev["f1"] - sk["f1"]),
        "confusion_matrix": float(np.max(np.abs(np.subtract(ev["confusion_matrix"],
                                                            sk["confusion_matrix"])))),
        "auc": abs(ev["auc"] - sk["auc"]),
    }
    cm_scale = max(1.0, float(np.max(sk["confusion_matrix"])))
    ok = diffs["f1"] <= 1e-5 and diffs["confusion_matrix"] <= 1e-5 * cm_scale \
        and diffs["auc"] <= auc_bound + 1e-6

    # token-level per-class report (unweighted: every real token counts once)
    report_txt = fm.classification_report(y_va, probs, task="multiclass",
                                          num_classes=NUM_CLASSES, mask=m_va,
                                          target_names=TAG_NAMES, digits=4,
                                          zero_division=0.0)
    report = fm.classification_report(y_va, probs, task="multiclass",
                                      num_classes=NUM_CLASSES, mask=m_va,
                                      target_names=TAG_NAMES, output_dict=True,
                                      zero_division=0.0)
    from sklearn.metrics import classification_report as sk_report

    keep = m_va.reshape(-1)
    yt = y_va.reshape(-1)[keep]
    yh = probs.reshape(-1, NUM_CLASSES).argmax(-1)[keep]
    ref = sk_report(yt, yh, labels=np.arange(NUM_CLASSES), target_names=TAG_NAMES,
                    output_dict=True, zero_division=0.0)
    report_diff = 0.0
    for key, row in ref.items():
        if isinstance(row, dict):
            for k, v in row.items():
                report_diff = max(report_diff, abs(report[key][k] - v))
        else:
            report_diff = max(report_diff, abs(report[key] - row))
    ok = ok and report_diff <= 1e-9

    print(f"\nfinal evaluate (val, weighted) vs scikit-learn on model.predict, "
          f"{int(keep.sum())} kept tokens:")
    print(f"  macro F1   {ev['f1']:.6f}  sklearn {sk['f1']:.6f}  |diff| {diffs['f1']:.1e}")
    print(f"  OvR AUC    {ev['auc']:.6f}  sklearn {sk['auc']:.6f}  |diff| {diffs['auc']:.1e}"
          f"  (certified bound {auc_bound:.1e})")
    print(f"  confusion matrix (weighted): max |diff| {diffs['confusion_matrix']:.1e}")
    print("\ntoken-level report (validation, padding excluded, unweighted):")
    print(report_txt)
    print(f"classification_report vs scikit-learn: max |diff| {report_diff:.1e}")
    print("checks against scikit-learn:", "PASSED" if ok else "FAILED")

    np.savez_compressed(out / "predictions.npz", y_val=y_va, mask_val=m_va,
                        weights_val=sw_va, probs_val=probs)
    results = {
        "example": "bilstm_tagging",
        "config": {**cfg, "size": size, "seed": args.seed, "num_classes": NUM_CLASSES,
                   "tag_names": TAG_NAMES, "class_weight": cw,
                   "train_tokens_per_tag": counts},
        "epochs": rows,
        "final": {"evaluate": ev, "sklearn": sk, "abs_diff": diffs,
                  "auc_error_bound": auc_bound, "report": report,
                  "report_sklearn": ref, "report_max_abs_diff": report_diff, "ok": ok},
        "fit_seconds": fit_seconds,
        "seconds": time.perf_counter() - t0,
    }
    write_results(out / "results.json", results)
    print(f"wrote {out / 'results.json'} (fit {fit_seconds:.1f} s, total "
          f"{results['seconds']:.1f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Command line of fastmetrics.

``fastmetrics demo`` (or ``python -m fastmetrics demo``) builds a synthetic,
padded sequence-labelling evaluation set of several million tokens, evaluates
it with fastmetrics and, when scikit-learn is installed, with scikit-learn on
the equivalent flattened arrays, and prints the metrics, the timings and
whether the two libraries agree.
"""

import argparse
import os
import sys
import time

import numpy as np

__all__ = ["main"]

#: Class frequencies of the demo data (7 classes; most : least = 0.45 : 0.05 = 9 : 1).
DEMO_CLASS_PROBS = (0.45, 0.15, 0.12, 0.09, 0.08, 0.06, 0.05)
#: How strongly the synthetic model's logit of the true class is raised, per class.
#: Rarer classes get a weaker signal, so the model is worse on them.
_DEMO_SIGNAL = (2.6, 2.4, 2.3, 2.2, 2.1, 2.0, 1.9)
_DEMO_MAX_LEN = 100
_DEMO_MIN_LEN = 50

_DEMO_DESCRIPTION = f"""\
Build a synthetic sequence-labelling evaluation set and evaluate it.

Data (generated with vectorised NumPy; generation time is reported separately):
  * N padded sequences of length T = {_DEMO_MAX_LEN}; each real length is uniform in
    [{_DEMO_MIN_LEN}, {_DEMO_MAX_LEN}]; sequences are added until there are at least
    --tokens real (unpadded) tokens. mask (N, T) bool is True on real tokens.
  * y_true (N, T) int32 with 7 classes drawn i.i.d. with frequencies
    {", ".join(f"{p:.2f}" for p in DEMO_CLASS_PROBS)} (classes 0..6):
    the most frequent : least frequent ratio is 0.45 : 0.05 = 9 : 1.
    Padding positions hold class 0 and are excluded by the mask.
  * sample_weight (N, T) float64, one weight per time step, uniform in [0.5, 1.5).
  * y_pred (N, T, 7) float32 softmax probabilities of a noisy synthetic model:
    logits = standard normal noise + log(class frequency) + a class-dependent
    bonus on the true class (weaker for rarer classes). It is right on about
    3 tokens in 4 and worse on the rare classes.

Evaluation:
  fastmetrics.confusion_matrix and fastmetrics.precision_recall_fscore_support /
  classification_report with task="multiclass", num_classes=7, mask=mask,
  sample_weight=sample_weight, on the padded (N, T) / (N, T, 7) arrays as they
  are. The first call (which includes Numba compilation or loading the compiled
  kernels from the on-disk cache) is timed separately from a second, warm call.

  If scikit-learn is importable (and --no-sklearn is not given), the same
  metrics are computed with sklearn.metrics on the flattened arrays of the real
  tokens (y_true[mask], argmax(y_pred)[mask], sample_weight[mask]); its time,
  the speed ratio and the largest absolute difference between the two
  libraries' numbers are printed ("agree: yes" when every difference is at
  most 1e-9 of the quantity's scale; the exit status is 1 if they disagree).
"""


_WARMUP_DESCRIPTION = """\
Compile the kernels of the common input forms into the Numba cache, once.

The first call of a kernel on a new machine compiles it (a second or more);
later processes load it from the cache (NUMBA_CACHE_DIR, else next to the
package, else the user cache directory).  The cache is keyed by the CPU, so
it cannot ship in the wheel: run this when building a container image, on a
cluster node, or in a CI step whose cache directory is kept.  Inputs of at
most 65,536 tokens never need a kernel (NumPy computes them), so a warm-up
only matters for large inputs.  Prints each input form with what it compiled
and how long it took.
"""


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="fastmetrics",
        description="fastmetrics: Numba-JIT classification metrics for millions of "
        "sequence tokens, a scikit-learn drop-in with sequence extensions.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser(
        "demo",
        help="evaluate a synthetic 5-million-token sequence-labelling set and compare with scikit-learn",
        description=_DEMO_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument(
        "--tokens",
        type=int,
        default=5_000_000,
        metavar="N",
        help="minimum number of real (unpadded) tokens to generate (default: 5000000)",
    )
    demo.add_argument(
        "--seed", type=int, default=0, help="seed of the NumPy random generator (default: 0)"
    )
    demo.add_argument(
        "--no-sklearn",
        action="store_true",
        help="do not time or compare against scikit-learn even if it is installed",
    )
    warm = sub.add_parser(
        "warmup",
        help="compile the kernels of the common input forms into the Numba cache",
        description=_WARMUP_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    warm.add_argument(
        "--families",
        default=None,
        metavar="F[,F...]",
        help="comma-separated subset of: classification, ranking, losses, calibration, "
        "streaming (default: all)",
    )
    return parser


def _warmup(families):
    from . import _warmup

    print(f"Numba cache: {_cache_location()}")
    t0 = time.perf_counter()
    done = _warmup.warmup(None if families is None else families.split(","))
    compiled = sum(row[1] for row in done)
    print(f"{len(done)} input forms, {compiled} functions compiled in "
          f"{time.perf_counter() - t0:.1f} s")
    return 0


def _cache_location():
    return os.environ.get("NUMBA_CACHE_DIR") or "next to the package (or the user cache directory)"


def main(argv=None):
    """Run the ``fastmetrics`` command line.

    Parameters
    ----------
    argv : list of str or None, default=None
        The arguments after the program name, for example
        ``["demo", "--tokens", "1000000"]``. ``None`` reads ``sys.argv[1:]``.

    Returns
    -------
    exit_code : int
        0 on success; 1 if ``demo`` finds that fastmetrics and scikit-learn
        disagree; 2 when no subcommand is given (argparse itself exits with 2
        on malformed options).

    Notes
    -----
    Subcommands:

    ``warmup [--families F,...]``
        Compiles the kernels of the common input forms into the Numba cache
        (see ``fastmetrics warmup --help``).

    ``demo [--tokens N] [--seed S] [--no-sklearn]``
        Generates a padded sequence-labelling set of at least ``N`` real
        tokens (7 classes with frequencies 0.45, 0.15, 0.12, 0.09, 0.08, 0.06,
        0.05, i.e. a 9:1 ratio between the most and the least frequent class),
        a boolean mask, per-timestep sample weights and ``(N, T, 7)`` float32
        probabilities of a noisy model. It prints the data description, the
        unweighted confusion matrix, the weighted per-class precision, recall,
        F1 and support with macro and weighted averages, and the time of a
        first (compiling or cache-loading) and a second (warm) fastmetrics
        call. With scikit-learn installed and without ``--no-sklearn`` it also
        times ``sklearn.metrics.confusion_matrix`` and
        ``sklearn.metrics.precision_recall_fscore_support`` on the flattened
        real tokens with the same weights, prints the speed ratio, and checks
        that the numbers agree.

    Examples
    --------
    From a shell::

        fastmetrics demo
        fastmetrics demo --tokens 1000000 --seed 1 --no-sklearn
        python -m fastmetrics demo --help

    From Python:

    >>> from fastmetrics.cli import main
    >>> main(["demo", "--tokens", "100000", "--no-sklearn"])  # doctest: +SKIP
    0
    """
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command == "warmup":
        return _warmup(args.families)
    if args.command == "demo":
        if args.tokens < 1:
            parser.error("--tokens must be a positive integer")
        return _demo(args.tokens, args.seed, not args.no_sklearn)
    parser.print_help()
    return 2


# --------------------------------------------------------------------------- demo


def _make_demo_data(n_tokens, seed):
    """Generate the demo arrays (vectorised NumPy, no Python loop over tokens)."""
    rng = np.random.default_rng(seed)
    probs = np.asarray(DEMO_CLASS_PROBS, dtype=np.float64)
    n_classes = probs.size
    T = _DEMO_MAX_LEN

    # Sequence lengths: draw a few more than needed, keep the shortest prefix
    # whose total reaches n_tokens.
    mean_len = (_DEMO_MIN_LEN + _DEMO_MAX_LEN) / 2
    n_guess = int(n_tokens / mean_len * 1.1) + 16
    lengths = rng.integers(_DEMO_MIN_LEN, _DEMO_MAX_LEN + 1, size=n_guess)
    total = np.cumsum(lengths)
    while total[-1] < n_tokens:  # practically never taken
        more = rng.integers(_DEMO_MIN_LEN, _DEMO_MAX_LEN + 1, size=n_guess)
        lengths = np.concatenate([lengths, more])
        total = np.cumsum(lengths)
    N = int(np.searchsorted(total, n_tokens)) + 1
    lengths = lengths[:N]
    mask = np.arange(T) < lengths[:, None]  # (N, T) bool

    # Labels: i.i.d. classes with the chosen frequencies (inverse CDF of a uniform).
    cdf = np.cumsum(probs)
    cdf[-1] = 1.0
    y_true = np.searchsorted(cdf, rng.random((N, T)), side="right").astype(np.int32)
    y_true[~mask] = 0  # padding content is irrelevant: the mask excludes it

    # Per-timestep sample weights.
    sample_weight = rng.uniform(0.5, 1.5, size=(N, T))

    # Noisy model: logits = noise + log prior + bonus on the true class; softmax in place.
    scores = rng.standard_normal((N, T, n_classes), dtype=np.float32)
    scores += np.log(probs).astype(np.float32)
    bonus = np.asarray(_DEMO_SIGNAL, dtype=np.float32)[y_true]
    np.put_along_axis(
        scores,
        y_true[..., None],
        np.take_along_axis(scores, y_true[..., None], axis=-1) + bonus[..., None],
        axis=-1,
    )
    scores -= scores.max(axis=-1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=-1, keepdims=True)
    return y_true, scores, mask, sample_weight, lengths


def _fmt_s(seconds):
    if seconds >= 1.0:
        return f"{seconds:7.3f} s "
    return f"{seconds * 1e3:7.1f} ms"


def _print_matrix(cm, title):
    n = cm.shape[0]
    width = max(9, len(f"{int(cm.max()):,}") + 2)
    print(title)
    print("true\\pred " + "".join(f"{j:>{width}d}" for j in range(n)))
    for i in range(n):
        print(f"{i:>9d} " + "".join(f"{int(v):>{width},d}" for v in cm[i]))


def _ratio(t_sklearn, t_fastmetrics):
    r = t_sklearn / t_fastmetrics if t_fastmetrics > 0 else float("inf")
    return f"sklearn / fastmetrics (warm) = {r:,.1f}x"


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def _demo(n_tokens, seed, use_sklearn):
    C = len(DEMO_CLASS_PROBS)

    # ---- data
    t0 = time.perf_counter()
    y_true, y_pred, mask, sample_weight, lengths = _make_demo_data(n_tokens, seed)
    t_gen = time.perf_counter() - t0
    N, T = mask.shape
    n_real = int(lengths.sum())
    counts = np.bincount(y_true[mask], minlength=C)

    print("fastmetrics demo: synthetic padded sequence labelling")
    print("=" * 60)
    print(f"sequences N            {N:,}  (padded length T = {T}, real lengths {lengths.min()}..{lengths.max()})")
    print(f"real tokens            {n_real:,}  (padding: {N * T - n_real:,} positions, {1 - n_real / (N * T):.1%})")
    print(f"classes                {C}  (task='multiclass', num_classes={C})")
    print("class frequencies      " + "  ".join(f"{c}:{counts[c] / n_real:.3f}" for c in range(C)))
    print(f"most : least frequent  {counts.max() / counts.min():.2f} : 1")
    print(f"y_true                 {y_true.shape} {y_true.dtype}")
    print(f"y_pred                 {y_pred.shape} {y_pred.dtype} softmax probabilities ({y_pred.nbytes / 2**20:,.0f} MiB)")
    print(f"mask                   {mask.shape} {mask.dtype}")
    print(f"sample_weight          {sample_weight.shape} {sample_weight.dtype}, uniform in [0.5, 1.5), "
          f"sum over real tokens {sample_weight[mask].sum():,.1f}")
    print(f"seed                   {seed}")
    print(f"data generation        {_fmt_s(t_gen).strip()} (NumPy, not part of any timing below)")
    print()

    # ---- fastmetrics (already imported with this module; Numba is imported lazily)
    import fastmetrics as fm

    t0 = time.perf_counter()
    try:
        import numba

        threads = f"{numba.get_num_threads()} Numba threads"
    except Exception:  # pragma: no cover - numba is a hard dependency
        threads = "Numba threads unknown"
    t_import = time.perf_counter() - t0

    kw = dict(task="multiclass", num_classes=C, mask=mask, sample_weight=sample_weight)

    def fm_cm():
        return fm.confusion_matrix(y_true, y_pred, **kw)

    def fm_prfs():
        return fm.precision_recall_fscore_support(y_true, y_pred, average=None, zero_division=0.0, **kw)

    cm_w, t_cm_cold = _timed(fm_cm)
    prfs, t_prfs_cold = _timed(fm_prfs)
    cm_w, t_cm_warm = _timed(fm_cm)
    prfs, t_prfs_warm = _timed(fm_prfs)
    report, t_report = _timed(
        lambda: fm.classification_report(y_true, y_pred, digits=4, zero_division=0.0, **kw)
    )
    cm_counts = fm.confusion_matrix(y_true, y_pred, task="multiclass", num_classes=C, mask=mask)
    accuracy = np.trace(cm_counts) / cm_counts.sum()

    _print_matrix(
        cm_counts,
        f"Confusion matrix, token counts (unweighted; rows = true class, columns = predicted class; "
        f"total {int(cm_counts.sum()):,}, accuracy {accuracy:.4f}):",
    )
    print("The weighted matrix (sample_weight applied) is what the metrics below and the "
          "timings use; its total is the weight sum over real tokens, "
          f"{cm_w.sum():,.1f}.")
    print()
    print("classification_report with sample_weight (support = sum of the weights of the class's tokens):")
    print(report)

    print(f"Timings (fastmetrics, {threads}; 'first' includes Numba compilation or cache loading):")
    print(f"  import numba (on first use, not in the calls)  {_fmt_s(t_import)}")
    print(f"  confusion_matrix                 first call    {_fmt_s(t_cm_cold)}")
    print(f"                                   warm call     {_fmt_s(t_cm_warm)}")
    print(f"  precision_recall_fscore_support  first call    {_fmt_s(t_prfs_cold)}")
    print(f"                                   warm call     {_fmt_s(t_prfs_warm)}")
    print(f"  classification_report            warm call     {_fmt_s(t_report)}")
    rate = n_real / t_cm_warm / 1e6 if t_cm_warm > 0 else float("inf")
    print(f"  warm confusion_matrix throughput               {rate:,.0f} M tokens/s")
    print()

    if not use_sklearn:
        print("scikit-learn comparison skipped (--no-sklearn).")
        return 0
    try:
        import sklearn
        from sklearn import metrics as skm
    except ImportError:
        print("scikit-learn is not installed: comparison skipped.")
        return 0

    # Equivalent flattened 1-D arrays of the real tokens.
    def prep():
        return (
            y_true[mask],
            y_pred.argmax(axis=-1)[mask],
            sample_weight[mask],
        )

    (yt, yp, sw), t_prep = _timed(prep)
    labels = np.arange(C)
    sk_cm, t_sk_cm = _timed(lambda: skm.confusion_matrix(yt, yp, labels=labels, sample_weight=sw))
    sk_prfs, t_sk_prfs = _timed(
        lambda: skm.precision_recall_fscore_support(
            yt, yp, labels=labels, average=None, sample_weight=sw, zero_division=0.0
        )
    )

    # Largest absolute differences; agreement is judged relative to each quantity's scale.
    names = ("confusion matrix", "precision", "recall", "F1", "support")
    pairs = [(cm_w, sk_cm)] + list(zip(prfs, sk_prfs))
    diffs, rel = {}, []
    for name, (a, b) in zip(names, pairs):
        a = np.asarray(a, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        d = float(np.max(np.abs(a - b)))
        diffs[name] = d
        rel.append(d / max(1.0, float(np.max(np.abs(b)))))
    agree = max(rel) <= 1e-9

    fm_total = t_cm_warm + t_prfs_warm
    sk_total = t_sk_cm + t_sk_prfs
    print(f"scikit-learn {sklearn.__version__} on the flattened real tokens "
          f"(y_true[mask], argmax(y_pred)[mask], sample_weight[mask]):")
    print(f"  argmax + masking (NumPy, needed by sklearn)    {_fmt_s(t_prep)}")
    print(f"  confusion_matrix                               {_fmt_s(t_sk_cm)}"
          f"   {_ratio(t_sk_cm, t_cm_warm)}")
    print(f"  precision_recall_fscore_support                {_fmt_s(t_sk_prfs)}"
          f"   {_ratio(t_sk_prfs, t_prfs_warm)}")
    print(f"  both calls                                     {_fmt_s(sk_total)}"
          f"   {_ratio(sk_total, fm_total)}")
    print(f"  both calls + argmax + masking                  {_fmt_s(sk_total + t_prep)}"
          f"   {_ratio(sk_total + t_prep, fm_total)}")
    print(f"agree: {'yes' if agree else 'no'} (max abs difference: "
          + ", ".join(f"{k} {v:.2g}" for k, v in diffs.items())
          + f"; largest relative to its scale {max(rel):.2g})")
    return 0 if agree else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

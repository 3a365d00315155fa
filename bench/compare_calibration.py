"""Calibration: fastmetrics vs torchmetrics and scikit-learn, in one process and one run.

    python bench/compare_calibration.py [--n 10000000] [--quick] [--k 5] [--threads N] [--json PATH]

The case (issue 4): ``n`` tokens (default 10M, ``--quick`` 1M).

* multiclass: the (n, 7) float32 probabilities and int64 labels of
  ``bench/_harness.make_data`` (~1:9 class imbalance, 80 % accuracy; top-label
  confidence about 0.16 .. 0.83, so badly calibrated: multiclass ECE ~0.49);
* binary: float32 positive-class probabilities ``p`` drawn uniformly from
  [0, 1) (``rng.random(n, dtype=float32)``, seed ``_harness.SEED + 1``) and
  int64 0/1 labels ``y = (u < p ** 1.4)`` (an over-confident model, so the
  calibration error is not ~0).

No probability (binary) and no top-label confidence (multiclass) is exactly
1.0: float32 ``rng.random`` is at most ``1 - 2**-24`` and the harness'
multiclass rows never reach 1 (the script checks both before timing).  This
matters for the comparison with torchmetrics, which puts a confidence of
exactly 1.0 into an extra bin of its own, where fastmetrics (like
scikit-learn and Guo et al., 2017) puts it into the last bin.

Rows (best-of-k and median-of-k wall time; every call warmed up once, which
excludes numba compilation; torch tensors are made before timing):

* floor: ``_harness.read_once`` over the probabilities (a numba parallel
  integer sum of their bytes as int64 words: every byte read once), binary and
  multiclass; the "+ labels" floors also read the int64 labels (fastmetrics
  reads both).
* fastmetrics ``expected_calibration_error`` binary, ``n_bins=15``,
  ``norm="l1"`` and ``"max"``, vs torchmetrics ``binary_calibration_error``
  (same ``n_bins`` / ``norm``; default ``validate_args=True``, and once with
  ``validate_args=False``).
* fastmetrics multiclass top-label ECE (``task="multiclass", num_classes=7``)
  vs torchmetrics ``multiclass_calibration_error(num_classes=7, n_bins=15,
  norm="l1")`` (with and without argument validation).
* fastmetrics ``calibration_curve`` (``n_bins=10``, ``strategy="uniform"`` and
  ``"quantile"``) vs ``sklearn.calibration.calibration_curve`` on the binary
  data.
* fastmetrics ``reliability_diagram`` binary (no peer: time and M tokens/s).
* fastmetrics ``streaming.CalibrationError`` (binary, l1, ``n_bins=15``)
  updated over 10 equal chunks then ``.result()``.

Value checks (printed; a mismatch is flagged ``MISMATCH``):

* ECE vs torchmetrics run on the same data in **float64** (untimed; the
  multiclass one as ``binary_calibration_error`` on the float64 top-label
  confidences and correctness, which is the same formula): rtol 1e-9.
* ECE vs the timed float32 torchmetrics value: rtol 5e-3 (a loose sanity check; the exactness check is the float64 one above) -- torchmetrics bins
  and sums in float32 (``scatter_add_`` into float32 bins; multiclass always,
  via ``.float()``), so its value drifts from the float64 one (1e-6 .. 5e-6
  relative at 1M tokens, growing with n); the printed relative difference
  shows by how much.
* ``calibration_curve`` arrays vs scikit-learn's: same shape, allclose rtol
  1e-10.
* streaming result vs the one-shot function: rtol 1e-12 (bin sums are float64;
  only the summation order differs).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _harness as H

C = H.NUM_CLASSES
N_BINS = 15
CURVE_BINS = 10
N_CHUNKS = 10


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    H.add_size_args(ap, "threads for numba and torch (default: all)")
    args = ap.parse_args(argv)
    n = args.n or (1_000_000 if args.quick else 10_000_000)
    k = args.k or (3 if args.quick else 5)

    torch, why_torch = H.try_import("torch")
    tmf, why_tm = (None, why_torch) if torch is None else \
        H.try_import("torchmetrics.functional.classification")
    if args.threads:
        import numba

        numba.set_num_threads(args.threads)
        if torch is not None:
            torch.set_num_threads(args.threads)
    import fastmetrics.calibration as FC
    from fastmetrics.streaming import CalibrationError

    # ---------------------------------------------------------------- data
    d = H.make_data(n)
    mc_p = d.probs.reshape(n, C)  # (n, 7) float32, a view
    mc_y = d.y_true               # (n,) int64
    rng = np.random.default_rng(H.SEED + 1)
    bin_p = rng.random(n, dtype=np.float32)  # in [0, 1 - 2**-24]
    bin_y = (rng.random(n) < bin_p.astype(np.float64) ** 1.4).astype(np.int64)
    top = mc_p.max(axis=1)
    n_one = int((bin_p >= 1).sum()) + int((top >= 1).sum())
    print(f"n = {n:,} tokens; binary positives {bin_y.mean():.3f}; multiclass top-label "
          f"confidence in [{top.min():.3f}, {top.max():.3f}]; confidences == 1.0: {n_one}")
    if n_one:
        print("  WARNING: confidence 1.0 present: torchmetrics bins it apart (values may differ)")
    del top

    results = {"n": n, "classes": C, "k": k, "threads": args.threads or "all",
               "n_bins": N_BINS, "curve_bins": CURVE_BINS, "stream_chunks": N_CHUNKS,
               "machine": H.machine_description(), "rows": {}}
    rows = results["rows"]
    vals = {}  # name -> the returned value (float or tuple of arrays), for the checks

    def as_json(v):
        if isinstance(v, tuple):
            return [np.asarray(a).tolist() for a in v]
        return float(np.asarray(v))

    def run(name, fn, reps=k):
        t = H.time_call(fn, k=reps, warmup=1)
        val = fn()
        if hasattr(val, "_fields"):  # a namedtuple (ReliabilityDiagram): keep its arrays
            val = tuple(val)
        vals[name] = val
        mtok = n / t.best / 1e6
        rows[name] = {"best_s": t.best, "median_s": t.median, "Mtokens_per_s": mtok,
                      "value": as_json(val)}
        shown = f"value {float(np.asarray(val)):.9g}" if not isinstance(val, tuple) \
            else f"{len(val[-1])} bins"
        print(f"{name:66s} best {t.best * 1e3:9.2f} ms  median {t.median * 1e3:9.2f} ms"
              f"  {mtok:8.1f} M tok/s  {shown}", flush=True)
        return t.best

    # floors: read the probabilities once (the harness' parallel int64-word
    # read: memory-bound, not add-latency-bound)
    H.read_once(bin_p)  # compile
    run("floor: numba parallel read of binary probs", lambda: H.read_once(bin_p))
    run("floor: numba parallel read of binary probs + labels",
        lambda: H.read_once(bin_p, bin_y))
    run("floor: numba parallel read of multiclass probs", lambda: H.read_once(mc_p))
    run("floor: numba parallel read of multiclass probs + labels",
        lambda: H.read_once(mc_p, mc_y))

    # ---------------------------------------------------------- fastmetrics
    ece = FC.expected_calibration_error
    run("fastmetrics ECE binary (l1)",
        lambda: ece(bin_y, bin_p, n_bins=N_BINS, norm="l1"))
    run("fastmetrics ECE binary (max)",
        lambda: ece(bin_y, bin_p, n_bins=N_BINS, norm="max"))
    run("fastmetrics ECE multiclass top-label (l1)",
        lambda: ece(mc_y, mc_p, task="multiclass", num_classes=C, n_bins=N_BINS, norm="l1"))
    run("fastmetrics calibration_curve (uniform)",
        lambda: FC.calibration_curve(bin_y, bin_p, n_bins=CURVE_BINS, strategy="uniform"))
    run("fastmetrics calibration_curve (quantile)",
        lambda: FC.calibration_curve(bin_y, bin_p, n_bins=CURVE_BINS, strategy="quantile"))
    run("fastmetrics reliability_diagram binary",
        lambda: FC.reliability_diagram(bin_y, bin_p, n_bins=N_BINS))

    bounds = np.linspace(0, n, N_CHUNKS + 1).astype(np.int64)

    def stream():
        ce = CalibrationError("binary", n_bins=N_BINS, norm="l1")
        for a, b in itertools.pairwise(bounds):
            ce.update(bin_y[a:b], bin_p[a:b])
        return ce.result()

    run(f"fastmetrics streaming CalibrationError ({N_CHUNKS} chunks)", stream)

    # --------------------------------------------------------- torchmetrics
    ref64 = {}  # untimed float64 torchmetrics values for the tight checks
    if tmf is not None:
        tb_p, tb_y = torch.from_numpy(bin_p), torch.from_numpy(bin_y)
        tm_p, tm_y = torch.from_numpy(mc_p), torch.from_numpy(mc_y)
        bce, mce = tmf.binary_calibration_error, tmf.multiclass_calibration_error
        run("torchmetrics binary_calibration_error (l1)",
            lambda: bce(tb_p, tb_y, n_bins=N_BINS, norm="l1").item())
        run("torchmetrics binary_calibration_error (max)",
            lambda: bce(tb_p, tb_y, n_bins=N_BINS, norm="max").item())
        run("torchmetrics binary_calibration_error (l1, validate_args=False)",
            lambda: bce(tb_p, tb_y, n_bins=N_BINS, norm="l1", validate_args=False).item())
        run("torchmetrics multiclass_calibration_error (l1)",
            lambda: mce(tm_p, tm_y, num_classes=C, n_bins=N_BINS, norm="l1").item())
        run("torchmetrics multiclass_calibration_error (l1, validate_args=False)",
            lambda: mce(tm_p, tm_y, num_classes=C, n_bins=N_BINS, norm="l1",
                        validate_args=False).item())
        # float64 references (untimed): binary on float64 probabilities; multiclass
        # as the binary error of the float64 top-label confidence and correctness
        tb_p64 = torch.from_numpy(bin_p.astype(np.float64))
        for norm in ("l1", "max"):
            ref64[f"binary ({norm})"] = bce(tb_p64, tb_y, n_bins=N_BINS, norm=norm).item()
        del tb_p64
        conf, pred = tm_p.max(dim=1)
        ref64["multiclass top-label (l1)"] = bce(
            conf.double(), pred.eq(tm_y).long(), n_bins=N_BINS, norm="l1").item()
        del conf, pred
    else:
        print("torchmetrics rows skipped:", why_tm)

    # --------------------------------------------------------- scikit-learn
    sk, why_sk = H.try_import("sklearn.calibration")
    if sk is not None:
        run("scikit-learn calibration_curve (uniform)",
            lambda: sk.calibration_curve(bin_y, bin_p, n_bins=CURVE_BINS, strategy="uniform"))
        run("scikit-learn calibration_curve (quantile)",
            lambda: sk.calibration_curve(bin_y, bin_p, n_bins=CURVE_BINS,
                                         strategy="quantile"))
    else:
        print("scikit-learn rows skipped:", why_sk)

    # --------------------------------------------------------------- ratios
    def b(name):
        return rows[name]["best_s"] if name in rows else None

    fl_b = b("floor: numba parallel read of binary probs")
    fl_bl = b("floor: numba parallel read of binary probs + labels")
    fl_m = b("floor: numba parallel read of multiclass probs")
    fl_ml = b("floor: numba parallel read of multiclass probs + labels")
    ratios = []

    def ratio(label, num, den):
        if num is None or den is None:
            return
        r = num / den
        ratios.append({"what": label, "ratio": r})
        print(f"  {label:72s} {r:8.2f}x")

    print("\nratios (best-of-k; peer / fastmetrics: > 1 means fastmetrics is faster):")
    ratio("torchmetrics binary l1 / fastmetrics",
          b("torchmetrics binary_calibration_error (l1)"), b("fastmetrics ECE binary (l1)"))
    ratio("torchmetrics binary l1 (validate_args=False) / fastmetrics",
          b("torchmetrics binary_calibration_error (l1, validate_args=False)"),
          b("fastmetrics ECE binary (l1)"))
    ratio("torchmetrics binary max / fastmetrics",
          b("torchmetrics binary_calibration_error (max)"), b("fastmetrics ECE binary (max)"))
    ratio("torchmetrics multiclass l1 / fastmetrics",
          b("torchmetrics multiclass_calibration_error (l1)"),
          b("fastmetrics ECE multiclass top-label (l1)"))
    ratio("torchmetrics multiclass l1 (validate_args=False) / fastmetrics",
          b("torchmetrics multiclass_calibration_error (l1, validate_args=False)"),
          b("fastmetrics ECE multiclass top-label (l1)"))
    ratio("scikit-learn calibration_curve uniform / fastmetrics",
          b("scikit-learn calibration_curve (uniform)"),
          b("fastmetrics calibration_curve (uniform)"))
    ratio("scikit-learn calibration_curve quantile / fastmetrics",
          b("scikit-learn calibration_curve (quantile)"),
          b("fastmetrics calibration_curve (quantile)"))
    print("ratios to the floor (fastmetrics / floor: 1 = as fast as reading the bytes once):")
    ratio("fastmetrics ECE binary l1 / floor (probs)", b("fastmetrics ECE binary (l1)"), fl_b)
    ratio("fastmetrics ECE binary l1 / floor (probs + labels)",
          b("fastmetrics ECE binary (l1)"), fl_bl)
    ratio("fastmetrics ECE multiclass l1 / floor (probs)",
          b("fastmetrics ECE multiclass top-label (l1)"), fl_m)
    ratio("fastmetrics ECE multiclass l1 / floor (probs + labels)",
          b("fastmetrics ECE multiclass top-label (l1)"), fl_ml)
    ratio("fastmetrics reliability_diagram binary / floor (probs + labels)",
          b("fastmetrics reliability_diagram binary"), fl_bl)
    ratio(f"fastmetrics streaming ({N_CHUNKS} chunks) / one-shot ECE binary l1",
          b(f"fastmetrics streaming CalibrationError ({N_CHUNKS} chunks)"),
          b("fastmetrics ECE binary (l1)"))
    print("throughput (best-of-k):")
    for name in ("fastmetrics reliability_diagram binary",
                 f"fastmetrics streaming CalibrationError ({N_CHUNKS} chunks)"):
        print(f"  {name:72s} {rows[name]['Mtokens_per_s']:8.1f} M tokens/s")

    # --------------------------------------------------------- value checks
    checks = []

    def record(what, ok, detail):
        checks.append({"what": what, "ok": bool(ok), "detail": detail})
        print(f"  value check {what}: {detail} {'ok' if ok else 'MISMATCH'}")

    def close(a, want, label, rtol):
        if a not in vals:
            return
        va = float(vals[a])
        rel = abs(va - want) / abs(want) if want else abs(va - want)
        ok = abs(va - want) <= rtol * abs(want)
        record(f"{a!r} vs {label}",
               ok, f"{va:.12g} vs {want:.12g} (rel diff {rel:.1e}, rtol {rtol:g})")

    def curves(a, bname):
        if a not in vals or bname not in vals:
            return
        fa, sa = vals[a], vals[bname]
        ok = all(x.shape == y.shape and np.allclose(x, y, rtol=1e-10, atol=0)
                 for x, y in zip(fa, sa))
        diff = max((float(np.max(np.abs(x - y))) if x.shape == y.shape and x.size else
                    float("inf") if x.shape != y.shape else 0.0) for x, y in zip(fa, sa))
        record(f"{a!r} vs {bname!r}", ok,
               f"{len(fa[0])} vs {len(sa[0])} bins, max abs diff {diff:.1e} (rtol 1e-10)")

    print()
    for fm, tm, key in (
            ("fastmetrics ECE binary (l1)", "torchmetrics binary_calibration_error (l1)",
             "binary (l1)"),
            ("fastmetrics ECE binary (max)", "torchmetrics binary_calibration_error (max)",
             "binary (max)"),
            ("fastmetrics ECE multiclass top-label (l1)",
             "torchmetrics multiclass_calibration_error (l1)", "multiclass top-label (l1)")):
        if key in ref64:
            close(fm, ref64[key], f"torchmetrics float64 {key}", 1e-9)
        if tm in vals:
            close(fm, float(vals[tm]), f"{tm!r} [float32]", 5e-3)
    for tm, tm_nv in (("torchmetrics binary_calibration_error (l1)",
                       "torchmetrics binary_calibration_error (l1, validate_args=False)"),
                      ("torchmetrics multiclass_calibration_error (l1)",
                       "torchmetrics multiclass_calibration_error (l1, validate_args=False)")):
        if tm in vals and tm_nv in vals:
            close(tm_nv, float(vals[tm]), repr(tm), 0.0)
    curves("fastmetrics calibration_curve (uniform)", "scikit-learn calibration_curve (uniform)")
    curves("fastmetrics calibration_curve (quantile)",
           "scikit-learn calibration_curve (quantile)")
    close(f"fastmetrics streaming CalibrationError ({N_CHUNKS} chunks)",
          float(vals["fastmetrics ECE binary (l1)"]), "the one-shot fastmetrics ECE binary (l1)",
          1e-12)
    rd = vals["fastmetrics reliability_diagram binary"]  # (edges, count, weight, conf, acc)
    nz = rd[2] > 0
    rd_ece = float(np.sum(rd[2][nz] * np.abs(rd[4][nz] - rd[3][nz])) / rd[2].sum())
    close("fastmetrics ECE binary (l1)", rd_ece, "the ECE of the reliability_diagram bins",
          1e-12)
    n_bad = sum(not c["ok"] for c in checks)
    print(f"  {len(checks)} value checks, {n_bad} mismatch(es)")

    results["ratios"] = ratios
    results["checks"] = checks
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    return results


if __name__ == "__main__":
    main()

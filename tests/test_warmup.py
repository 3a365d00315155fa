"""`fastmetrics warmup` fills the Numba cache with what large inputs use.

The warm-up runs small inputs with the size thresholds lowered; these tests
check the claim that matters: afterwards a fresh process calling on a large
input (above config.NUMPY_MAX, several chunks) compiles nothing.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from fastmetrics import _warmup

LARGE_CALL = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import fastmetrics as fm
    rng = np.random.default_rng(1)
    n = 200_000
    y = (rng.random(n) < 0.3).astype(np.int64)
    s = rng.random(n)
    fm.expected_calibration_error(y, s)
    fm.brier_score_loss(y, s)
    from numba.core.dispatcher import Dispatcher
    misses = hits = 0
    for name, mod in list(sys.modules.items()):
        if mod is not None and name.startswith("fastmetrics._kernels.cpu"):
            for obj in vars(mod).values():
                if isinstance(obj, Dispatcher):
                    misses += sum(obj.stats.cache_misses.values())
                    hits += sum(obj.stats.cache_hits.values())
    print(json.dumps({"misses": misses, "hits": hits}))
    """
)


def _run(args, cache):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache))
    env.pop("FASTMETRICS_NUMPY_MAX", None)
    out = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def test_warmup_fills_the_cache_for_large_inputs(tmp_path):
    cache = tmp_path / "cache"
    first = _run(["-m", "fastmetrics", "warmup", "--families", "calibration"], cache)
    assert "expected_calibration_error" in first and "compiled in" in first
    assert int(first.split(" functions compiled")[0].split()[-1]) > 0
    again = _run(["-m", "fastmetrics", "warmup", "--families", "calibration"], cache)
    assert " 0 functions compiled" in again, again
    after = json.loads(_run(["-c", LARGE_CALL], cache).strip().splitlines()[-1])
    assert after["hits"] > 0 and after["misses"] == 0, after


def test_warmup_rejects_an_unknown_family():
    with pytest.raises(ValueError, match="families must be some of"):
        _warmup.warmup(["calibration", "nope"], log=None)


# Functions Numba compiles for the classification warm-up corpus (5 integer
# id widths, bool, float32 / float64 (N, T, 7) scores with masks and weights,
# binary scores, multilabel; one chunk and many).  Measured 2026-12-03: 144
# with parallel kernels and serial twins, 77 with one serial kernel per
# specialisation (5 per further id dtype, about 1 s); the cap leaves room
# for a Numba upgrade's own helpers, not for a second kernel per size.
CLASSIFICATION_CAP = 90


def test_sizes_add_no_specialisation_and_the_total_stays_under_a_cap(tmp_path):
    code = ("import json; from fastmetrics import _warmup; "
            "print(json.dumps(_warmup.warmup(['classification'], log=None)))")
    rows = json.loads(_run(["-c", code], tmp_path / "cache").strip().splitlines()[-1])
    total = sum(compiled for _, compiled, _ in rows)
    print(f"classification warm-up: {total} functions compiled")
    for label, compiled, seconds in rows:
        print(f"  {compiled:3d}  {seconds:6.2f} s  {label}")
    # one kernel serves every size: the many-chunk pass compiles nothing new
    large = [(label, compiled) for label, compiled, _ in rows if "(4096 tokens)" in label]
    assert large and all(compiled == 0 for _, compiled in large), large
    assert 0 < total <= CLASSIFICATION_CAP

"""Compiled kernels are cached on disk, also when the package directory is not writable.

Each check runs fresh Python processes on a copy of the package: the first
process compiles, the second must load every kernel it uses from the cache
(Numba's dispatcher records cache hits and misses per signature).
"""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path


import fastmetrics

PKG = Path(fastmetrics.__file__).resolve().parent

SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    t0 = time.perf_counter()
    import numpy as np
    import fastmetrics as fm
    t1 = time.perf_counter()
    y = np.array([0, 1, 2, 1, 0])
    fm.confusion_matrix(y, y[::-1])
    t2 = time.perf_counter()
    from fastmetrics._core.backend import kernels

    k = kernels("confusion")
    d = k._confusion_range
    print(json.dumps({
        "file": fm.__file__,
        "hits": sum(d.stats.cache_hits.values()),
        "misses": sum(d.stats.cache_misses.values()),
        "import_s": t1 - t0,
        "first_call_s": t2 - t1,
    }))
    """
)


def _run(tmp_path, env_extra):
    env = dict(os.environ)
    env.pop("NUMBA_CACHE_DIR", None)
    env.update(env_extra)
    env["FASTMETRICS_NUMPY_MAX"] = "-1"  # the 5-token call must reach the kernel
    env["PYTHONPATH"] = str(tmp_path / "site")
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=tmp_path, env=env, capture_output=True,
        text=True, timeout=600,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def _copy_package(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(PKG, site / "fastmetrics",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return site / "fastmetrics"


def test_cache_in_tree(tmp_path):
    pkg = _copy_package(tmp_path)
    first = _run(tmp_path, {"XDG_CACHE_HOME": str(tmp_path / "xdg")})
    assert first["file"].startswith(str(pkg))
    assert first["misses"] >= 1
    second = _run(tmp_path, {"XDG_CACHE_HOME": str(tmp_path / "xdg")})
    assert second["misses"] == 0 and second["hits"] >= 1
    assert any((pkg / "_kernels" / "cpu" / "__pycache__").glob("*.nbi"))


def test_cache_falls_back_to_user_dir_when_package_dir_unwritable(tmp_path):
    pkg = _copy_package(tmp_path)
    # A *file* named __pycache__ makes the in-tree cache impossible even for
    # root (chmod does not stop root), like a read-only site-packages.
    (pkg / "_kernels" / "cpu" / "__pycache__").write_text("not a directory")
    xdg = tmp_path / "xdg"
    first = _run(tmp_path, {"XDG_CACHE_HOME": str(xdg)})
    assert first["misses"] >= 1
    second = _run(tmp_path, {"XDG_CACHE_HOME": str(xdg)})
    assert second["misses"] == 0 and second["hits"] >= 1
    assert any(xdg.rglob("*.nbi")), "expected the user-wide numba cache to be used"


def test_numba_cache_dir_is_honoured(tmp_path):
    _copy_package(tmp_path)
    cache = tmp_path / "nbcache"
    first = _run(tmp_path, {"NUMBA_CACHE_DIR": str(cache)})
    second = _run(tmp_path, {"NUMBA_CACHE_DIR": str(cache)})
    assert first["misses"] >= 1
    assert second["misses"] == 0 and second["hits"] >= 1
    assert any(cache.rglob("*.nbi"))


def test_import_does_not_import_numba():
    out = subprocess.run(
        [sys.executable, "-c", "import sys, fastmetrics; print('numba' in sys.modules)"],
        capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"

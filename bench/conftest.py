"""pytest configuration for the benchmarks in bench/ (not part of the test run).

    python -m pytest bench/ --benchmark-only
    FASTMETRICS_BENCH_N=1000000 python -m pytest bench/ --benchmark-only   # smaller data

The data set is built once per session (``_harness.make_data``).  Benchmarks
of a peer that is not installed (scikit-learn, torch/torchmetrics) or of
fastmetrics while it is missing are skipped, never errors.
"""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
# numba's on-disk cache of benchmark runs stays out of the package directory
os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(HERE, "out", "numba_cache"))

import _harness as H  # noqa: E402


def _n() -> int:
    return int(os.environ.get("FASTMETRICS_BENCH_N", "10000000"))


@pytest.fixture(scope="session")
def data():
    return H.make_data(_n())


@pytest.fixture(scope="session")
def rounds() -> int:
    return max(5, int(os.environ.get("FASTMETRICS_BENCH_ROUNDS", "5")))


@pytest.fixture(scope="session")
def fm():
    mod, why = H.try_import("fastmetrics")
    if mod is None or not hasattr(mod, "confusion_matrix"):
        pytest.skip(f"fastmetrics not usable: {why or 'no confusion_matrix'}")
    return mod


@pytest.fixture(scope="session")
def skm():
    mod, why = H.try_import("sklearn.metrics")
    if mod is None:
        pytest.skip(f"scikit-learn not installed: {why}")
    return mod


@pytest.fixture(scope="session")
def torch():
    mod, why = H.try_import("torch")
    if mod is None:
        pytest.skip(f"torch not installed: {why}")
    return mod


@pytest.fixture(scope="session")
def tmf(torch):
    mod, why = H.try_import("torchmetrics.functional.classification")
    if mod is None:
        pytest.skip(f"torchmetrics not installed: {why}")
    return mod


@pytest.fixture
def run(benchmark, rounds):
    """run(fn): one untimed warm-up call (JIT compile excluded), then ``rounds`` timed rounds."""

    def _run(fn):
        fn()
        return benchmark.pedantic(fn, rounds=rounds, iterations=1, warmup_rounds=0)

    return _run


def pytest_collection_modifyitems(config, items):
    # make `pytest bench/` without --benchmark-only still cheap and obvious
    for item in items:
        item.add_marker(pytest.mark.benchmark_harness)


def pytest_configure(config):
    config.addinivalue_line("markers", "benchmark_harness: fastmetrics benchmark (bench/)")

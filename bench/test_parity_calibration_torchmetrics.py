"""Live parity of fastmetrics' calibration error with torchmetrics (equal-width bins).

Not part of the CI suite (torch / torchmetrics are bench dependencies):

    pytest bench/test_parity_calibration_torchmetrics.py -q

tests/test_calibration.py checks the same functions against brute-force
references and against the values published in torchmetrics' docstrings.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
tmf = pytest.importorskip("torchmetrics.functional.classification")

from fastmetrics.calibration import expected_calibration_error as ece  # noqa: E402

NORMS = ("l1", "l2", "max")


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


def _binary(rng, shape, dtype=np.float64):
    p = rng.random(shape).astype(dtype)
    y = (rng.random(shape) < p.astype(np.float64) ** 1.4).astype(np.int64)
    return y, p


def _multiclass(rng, shape, C, dtype=np.float64, temp=2.0):
    z = rng.standard_normal(shape + (C,)) * temp
    y = rng.integers(0, C, size=shape)
    z[..., 0] += 0.5 * (y == 0)  # some signal
    P = np.exp(z - z.max(-1, keepdims=True))
    P /= P.sum(-1, keepdims=True)
    return y, P.astype(dtype)


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("n_bins", [1, 3, 15])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_matches_torchmetrics(rng, norm, n_bins, dtype):
    y, p = _binary(rng, (40, 25), dtype)
    got = ece(y, p, n_bins=n_bins, norm=norm)
    want = float(tmf.binary_calibration_error(torch.from_numpy(p), torch.from_numpy(y),
                                              n_bins=n_bins, norm=norm))
    tol = 1e-6 if dtype == np.float32 else 1e-12
    assert got == pytest.approx(want, rel=tol, abs=tol)


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("n_bins", [1, 4, 15])
@pytest.mark.parametrize("C", [2, 5])
def test_multiclass_matches_torchmetrics(rng, norm, n_bins, C):
    y, P = _multiclass(rng, (30, 20), C, np.float32)
    got = ece(y, P, task="multiclass", n_bins=n_bins, norm=norm)
    # torchmetrics wants the class axis second: (N, C, T)
    want = float(tmf.multiclass_calibration_error(
        torch.from_numpy(np.moveaxis(P, -1, 1)), torch.from_numpy(y), num_classes=C,
        n_bins=n_bins, norm=norm))
    # torchmetrics accumulates in float32
    assert got == pytest.approx(want, rel=2e-5, abs=2e-6)


@pytest.mark.parametrize("task", ["binary", "multiclass"])
def test_ignore_index_matches_torchmetrics(rng, task):
    if task == "binary":
        y, p = _binary(rng, (500,))
        fn = tmf.binary_calibration_error
        kw = {}
    else:
        y, p = _multiclass(rng, (500,), 4)
        fn = tmf.multiclass_calibration_error
        kw = {"num_classes": 4}
    y = np.where(rng.random(y.shape) < 0.2, -100, y)
    got = ece(y, p, task=task, n_bins=7, ignore_index=-100)
    want = float(fn(torch.from_numpy(p), torch.from_numpy(y), n_bins=7, ignore_index=-100,
                    **kw))
    assert got == pytest.approx(want, rel=1e-5, abs=1e-6)


def test_confidence_one_differs_from_torchmetrics():
    """torchmetrics gives c == 1.0 an extra bin of its own; fastmetrics (like
    scikit-learn) puts it in the last bin."""
    y = np.array([1, 1, 1, 1, 0, 1])
    p = np.array([0.95, 0.92, 1.0, 1.0, 1.0, 0.3])
    tm = float(tmf.binary_calibration_error(torch.from_numpy(p), torch.from_numpy(y),
                                            n_bins=10))
    # torchmetrics: bin [0.9, 1.0) = {0.95, 0.92}, extra bin {1.0 x 3}, bin [0.3, 0.4)
    extra = (abs(1.0 - 0.935) * 2 + abs(2 / 3 - 1.0) * 3 + abs(1 - 0.3)) / 6
    assert tm == pytest.approx(extra, abs=1e-6)
    assert ece(y, p, n_bins=10) != pytest.approx(tm, abs=1e-3)

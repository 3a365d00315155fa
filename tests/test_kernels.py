"""Edge cases of the fused count kernels, against NumPy references."""

import numpy as np
import pytest

import fastmetrics as fm


def _ref_cm(y, pred, C, w=None):
    cm = np.zeros((C, C), dtype=np.float64 if w is not None else np.int64)
    np.add.at(cm, (y, pred), 1 if w is None else w)
    return cm


@pytest.mark.parametrize("n", [37, 70_001])  # one chunk (serial) and several (parallel)
@pytest.mark.parametrize("C", [2, 3, 7, 65])  # 65 > the static-C limit: generic path
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_argmax_matches_numpy_with_ties(n, C, dtype):
    rng = np.random.default_rng(n + C)
    scores = rng.integers(0, 3, size=(n, C)).astype(dtype)  # many ties
    y = rng.integers(0, C, size=n)
    got = fm.confusion_matrix(y, scores, task="multiclass", num_classes=C)
    np.testing.assert_array_equal(got, _ref_cm(y, scores.argmax(axis=1), C))


def test_signed_zero_tie_is_first_maximum():
    scores = np.array([[-0.0, 0.0, -1.0], [0.0, -0.0, -1.0]], dtype=np.float32)
    y = np.array([0, 1])
    got = fm.confusion_matrix(y, scores, task="multiclass", num_classes=3)
    np.testing.assert_array_equal(got, _ref_cm(y, scores.argmax(axis=1), 3))


def test_huge_finite_scores_are_not_mistaken_for_inf():
    # the row sum overflows to inf although every score is finite
    scores = np.full((5000, 7), 3e38, dtype=np.float32)
    scores[:, 3] = 3.3e38
    y = np.arange(5000) % 7
    got = fm.confusion_matrix(y, scores, task="multiclass", num_classes=7)
    np.testing.assert_array_equal(got, _ref_cm(y, np.full(5000, 3), 7))


@pytest.mark.parametrize("n", [100, 200_000])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("col", [0, 3, 6])
def test_nonfinite_score_reports_first_token(n, bad, col):
    rng = np.random.default_rng(0)
    scores = rng.random((n, 7)).astype(np.float32)
    first = n - 17
    scores[first, col] = bad
    scores[n - 3, (col + 1) % 7] = bad
    y = rng.integers(0, 7, n)
    with pytest.raises(ValueError, match=rf"y_pred.*(NaN|inf).*token {first}\b"):
        fm.confusion_matrix(y, scores, task="multiclass", num_classes=7)


@pytest.mark.parametrize("n", [1000, 150_000])
def test_bad_weight_on_masked_token_is_ignored_but_not_on_kept_token(n):
    rng = np.random.default_rng(1)
    y = rng.integers(0, 4, n)
    scores = rng.random((n, 4))
    w = rng.random(n)
    mask = np.ones(n, dtype=bool)
    w[10] = np.nan
    mask[10] = False
    got = fm.confusion_matrix(y, scores, task="multiclass", num_classes=4,
                              sample_weight=w, mask=mask)
    ref = _ref_cm(y[mask], scores.argmax(1)[mask], 4, w[mask])
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    w[n // 2] = -1.0
    with pytest.raises(ValueError, match=rf"sample_weight.*token {n // 2}\b"):
        fm.confusion_matrix(y, scores, task="multiclass", num_classes=4,
                            sample_weight=w, mask=mask)


@pytest.mark.parametrize("rep_shape", ["per-sequence", "per-token"])
def test_prefix_broadcast_weights_across_chunk_boundaries(rep_shape):
    # T = 997 is prime, so sequences straddle the 65,536-token chunks and the
    # 1,024-token blocks of the kernel
    rng = np.random.default_rng(2)
    N, T, C = 150, 997, 5
    y = rng.integers(0, C, (N, T))
    scores = rng.random((N, T, C)).astype(np.float32)
    w = rng.random(N) if rep_shape == "per-sequence" else rng.random((N, T))
    got = fm.confusion_matrix(y, scores, task="multiclass", sample_weight=w)
    wt = np.broadcast_to(w[:, None], (N, T)) if w.ndim == 1 else w
    ref = _ref_cm(y.ravel(), scores.argmax(-1).ravel(), C, wt.ravel())
    np.testing.assert_allclose(got, ref, rtol=1e-12)


# ---------------------------------------------------------------- non-contiguous


def _big_noncontiguous(seed=3, N=650, T=1000, C=7):
    # > 4M scores, stored (N, C, T) and viewed as (N, T, C): not C-contiguous
    rng = np.random.default_rng(seed)
    scores = rng.random((N, C, T), dtype=np.float32).transpose(0, 2, 1)
    y = rng.integers(0, C, (N, T))
    mask = rng.random((N, T)) < 0.9
    w = rng.random(N)
    return y, scores, mask, w


@pytest.mark.parametrize("layout", ["transposed-view", "fortran"])
def test_noncontiguous_scores_give_the_contiguous_result(layout):
    y, scores, mask, w = _big_noncontiguous()
    if layout == "fortran":
        scores = np.asfortranarray(scores)
    assert not scores.flags.c_contiguous
    dense = np.ascontiguousarray(scores)
    kw = dict(task="multiclass", mask=mask, sample_weight=w)
    got = fm.confusion_matrix(y, scores, **kw)
    np.testing.assert_allclose(got, fm.confusion_matrix(y, dense, **kw), rtol=1e-12)
    wt = np.broadcast_to(w[:, None], y.shape)
    ref = _ref_cm(y[mask], dense.argmax(-1)[mask], 7, wt[mask])
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    np.testing.assert_array_equal(
        fm.confusion_matrix(y, scores, task="multiclass"),
        _ref_cm(y.ravel(), dense.argmax(-1).ravel(), 7),
    )


def test_noncontiguous_scores_are_not_copied_whole():
    import tracemalloc

    y, scores, _, _ = _big_noncontiguous()
    fm.confusion_matrix(y, scores, task="multiclass")  # compile / warm up
    tracemalloc.start()
    try:
        fm.confusion_matrix(y, scores, task="multiclass")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < scores.nbytes / 2, (peak, scores.nbytes)


def test_noncontiguous_error_reports_whole_input_position():
    y, scores, _, _ = _big_noncontiguous()
    scores = np.asfortranarray(scores)
    scores[600, 17, 2] = np.nan
    with pytest.raises(ValueError, match=r"y_pred.*token \(600, 17\)"):
        fm.confusion_matrix(y, scores, task="multiclass")


def test_noncontiguous_binary_and_multilabel():
    rng = np.random.default_rng(4)
    N, T = 5000, 1000
    p = rng.random((T, N)).T  # (N, T) view, not C-contiguous
    y = (rng.random((N, T)) < 0.2).astype(np.int64)
    np.testing.assert_array_equal(
        fm.confusion_matrix(y, p, task="binary"),
        _ref_cm(y.ravel(), (np.ascontiguousarray(p) > 0.5).astype(int).ravel(), 2),
    )
    L = 5
    yl = rng.integers(0, 2, (900, 1000, L))
    pl = rng.random((L, 1000, 900)).T  # (900, 1000, L), not C-contiguous
    got = fm.multilabel_confusion_matrix(yl, pl, task="multilabel")
    want = fm.multilabel_confusion_matrix(yl, np.ascontiguousarray(pl), task="multilabel")
    np.testing.assert_array_equal(got, want)

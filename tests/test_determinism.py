"""Results must not depend on the thread count (NUMBA_NUM_THREADS=1 vs 2).

Two fresh processes compute weighted confusion matrices (and a few derived metrics)
over > 2 million tokens from float32 (N, T, C) scores with a mask and a
per-sequence weight; their float64 results must be bitwise identical.  The
result is also checked against a float64 numpy reference (np.bincount with
weights).
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

N, T, C = 4100, 512, 6  # 2,099,200 tokens
SEED = 20261122

_SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np
    import numba
    import fastmetrics as fm
    from fastmetrics.streaming import ConfusionMatrix

    N, T, C, SEED = {N}, {T}, {C}, {SEED}
    out = sys.argv[1]
    assert numba.get_num_threads() == int(sys.argv[2]), numba.get_num_threads()

    rng = np.random.default_rng(SEED)
    y_true = rng.integers(0, C, size=(N, T)).astype(np.int32)
    scores = rng.standard_normal((N, T, C), dtype=np.float32)
    lengths = rng.integers(T // 4, T + 1, size=N)
    mask = np.arange(T)[None, :] < lengths[:, None]
    sw = rng.uniform(0.0, 3.0, size=N)            # per sequence
    sw_tok = rng.uniform(0.0, 3.0, size=(N, T))   # per timestep
    cw = np.linspace(0.5, 2.5, C)

    kw = dict(task="multiclass", num_classes=C, mask=mask)
    res = {{}}
    res["cm_seq_weight"] = fm.confusion_matrix(y_true, scores, sample_weight=sw, **kw)
    res["cm_tok_weight_cw"] = fm.confusion_matrix(y_true, scores, sample_weight=sw_tok,
                                                  class_weight=cw, **kw)
    res["cm_counts"] = fm.confusion_matrix(y_true, scores, **kw)
    res["f1_macro"] = np.float64(fm.f1_score(y_true, scores, average="macro",
                                             sample_weight=sw, **kw))
    res["mcc"] = np.float64(fm.matthews_corrcoef(y_true, scores, sample_weight=sw, **kw))
    # binary threshold path, per-timestep weights
    res["cm_binary"] = fm.confusion_matrix((y_true == 0).astype(np.int8), scores[..., 0],
                                           task="binary", threshold=0.3, mask=mask,
                                           sample_weight=sw_tok)
    # multilabel kernel
    rng2 = np.random.default_rng(SEED + 1)
    y_ml = (rng2.random((N, T, 4), dtype=np.float32) < 0.3).astype(np.int8)
    p_ml = rng2.random((N, T, 4), dtype=np.float32)
    res["mcm_multilabel"] = fm.multilabel_confusion_matrix(y_ml, p_ml, task="multilabel",
                                                           mask=mask, sample_weight=sw)
    # streaming in uneven chunks
    sm = ConfusionMatrix(task="multiclass", num_classes=C)
    for a, b in ((0, 1000), (1000, 1001), (1001, 3333), (3333, N)):
        sm.update(y_true[a:b], scores[a:b], sample_weight=sw[a:b], mask=mask[a:b])
    res["streaming"] = sm.result()
    np.savez(out, **res)
    """
).format(N=N, T=T, C=C, SEED=SEED)


def _run(tmp_path, threads):
    script = tmp_path / "det.py"
    script.write_text(_SCRIPT)
    out = tmp_path / f"res_{threads}.npz"
    env = dict(os.environ)
    env["NUMBA_NUM_THREADS"] = str(threads)
    env.pop("NUMBA_DISABLE_JIT", None)
    proc = subprocess.run([sys.executable, str(script), str(out), str(threads)], env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    with np.load(out) as z:
        return {k: z[k] for k in z.files}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    if (os.cpu_count() or 1) < 2:
        pytest.skip("needs 2 CPUs for NUMBA_NUM_THREADS=2")
    tmp = tmp_path_factory.mktemp("determinism")
    return _run(tmp, 1), _run(tmp, 2)


def test_bitwise_identical_across_thread_counts(results):
    r1, r2 = results
    assert set(r1) == set(r2)
    for k in r1:
        a, b = r1[k], r2[k]
        assert a.dtype == b.dtype, k
        assert a.shape == b.shape, k
        assert np.array_equal(a, b), (k, a, b)
        assert a.tobytes() == b.tobytes(), k
    assert r1["cm_seq_weight"].dtype == np.float64
    assert r1["cm_counts"].dtype == np.int64


def _reference():
    rng = np.random.default_rng(SEED)
    y_true = rng.integers(0, C, size=(N, T)).astype(np.int32)
    scores = rng.standard_normal((N, T, C), dtype=np.float32)
    lengths = rng.integers(T // 4, T + 1, size=N)
    mask = np.arange(T)[None, :] < lengths[:, None]
    sw = rng.uniform(0.0, 3.0, size=N)
    sw_tok = rng.uniform(0.0, 3.0, size=(N, T))
    cw = np.linspace(0.5, 2.5, C)
    y_pred = scores.argmax(-1)
    s0 = scores[..., 0][mask]
    del scores
    yt = y_true[mask].astype(np.int64)
    yp = y_pred[mask].astype(np.int64)
    idx = yt * C + yp
    w_seq = np.broadcast_to(sw[:, None], (N, T))[mask]
    w_tok = sw_tok[mask] * cw[yt]
    ref = {
        "cm_seq_weight": np.bincount(idx, weights=w_seq, minlength=C * C).reshape(C, C),
        "cm_tok_weight_cw": np.bincount(idx, weights=w_tok, minlength=C * C).reshape(C, C),
        "cm_counts": np.bincount(idx, minlength=C * C).reshape(C, C),
    }
    acc = np.zeros((C, C))
    np.add.at(acc, (yt, yp), w_seq)
    ref["cm_seq_weight_addat"] = acc
    bt = (yt == 0).astype(np.int64)
    # binary: positive iff score of column 0 > 0.3
    bp = (s0 > 0.3).astype(np.int64)
    ref["cm_binary"] = np.bincount(bt * 2 + bp, weights=sw_tok[mask],
                                   minlength=4).reshape(2, 2)
    rng2 = np.random.default_rng(SEED + 1)
    y_ml = (rng2.random((N, T, 4), dtype=np.float32) < 0.3).astype(np.int64)[mask]
    p_ml = (rng2.random((N, T, 4), dtype=np.float32) > 0.5).astype(np.int64)[mask]
    ref["mcm_multilabel"] = np.stack([
        np.bincount(y_ml[:, l] * 2 + p_ml[:, l], weights=w_seq, minlength=4).reshape(2, 2)
        for l in range(4)])
    return ref


def test_matches_numpy_float64_reference(results):
    r1, _ = results
    ref = _reference()
    assert int(ref["cm_counts"].sum()) > 2_000_000 // 2
    np.testing.assert_array_equal(r1["cm_counts"], ref["cm_counts"])
    np.testing.assert_allclose(r1["cm_seq_weight"], ref["cm_seq_weight"], rtol=1e-9)
    np.testing.assert_allclose(r1["cm_seq_weight"], ref["cm_seq_weight_addat"], rtol=1e-9)
    np.testing.assert_allclose(r1["cm_tok_weight_cw"], ref["cm_tok_weight_cw"], rtol=1e-9)
    np.testing.assert_allclose(r1["cm_binary"], ref["cm_binary"], rtol=1e-9)
    np.testing.assert_allclose(r1["streaming"], ref["cm_seq_weight"], rtol=1e-9)
    np.testing.assert_allclose(r1["mcm_multilabel"], ref["mcm_multilabel"], rtol=1e-9)

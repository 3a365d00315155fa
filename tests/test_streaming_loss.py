"""streaming.Loss: chunked updates and merges equal the loss function on all the
tokens at once, for every reduction; state round trip; errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastmetrics import losses
from fastmetrics.streaming import Loss

REDUCTIONS = ("sum", "sum_over_batch_size", "mean", "mean_with_sample_weight")


def _data(rng, N=12, T=9, C=4):
    y = rng.integers(0, C, (N, T))
    y[rng.random((N, T)) < 0.1] = -100
    logits = rng.standard_normal((N, T, C)) * 3
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    mask = rng.random((N, T)) < 0.85
    sw = rng.random((N, T))
    return y, logits, p, mask, sw


CASES = [
    ("sparse_categorical_crossentropy", {"from_logits": True, "ignore_index": -100}, "ids"),
    ("sparse_categorical_crossentropy", {"ignore_index": -100}, "ids_p"),
    ("categorical_crossentropy", {"from_logits": True, "label_smoothing": 0.1}, "onehot"),
    ("categorical_focal_crossentropy", {"gamma": 1.5}, "onehot_p"),
    ("binary_crossentropy", {"from_logits": True}, "binary"),
    ("binary_focal_crossentropy", {"apply_class_balancing": True}, "binary_p"),
]


def _inputs(kind, y, logits, p):
    C = logits.shape[-1]
    yc = np.where(y < 0, 0, y)
    if kind == "ids":
        return y, logits
    if kind == "ids_p":
        return y, p
    if kind == "onehot":
        return np.eye(C)[yc], logits
    if kind == "onehot_p":
        return np.eye(C)[yc], p
    if kind == "binary":
        return (yc == 1).astype(float), logits[..., 1]
    return (yc == 1).astype(float), p[..., 1]


@pytest.mark.parametrize("name,opts,kind", CASES)
@given(cuts=st.lists(st.integers(1, 11), max_size=4, unique=True), seed=st.integers(0, 50))
@settings(max_examples=15, deadline=None)
def test_chunked_and_merged_equal_one_call(name, opts, kind, cuts, seed):
    rng = np.random.default_rng(seed)
    y, logits, p, mask, sw = _data(rng)
    yt, yp = _inputs(kind, y, logits, p)
    cw = np.linspace(0.5, 2.0, 2 if kind.startswith("binary") else logits.shape[-1])
    fn = getattr(losses, name)
    kw = dict(sample_weight=sw, class_weight=cw, mask=mask)
    bounds = [0] + sorted(cuts) + [y.shape[0]]
    parts = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        parts.append(Loss(name, **opts).update(yt[a:b], yp[a:b], sample_weight=sw[a:b],
                                               class_weight=cw, mask=mask[a:b]))
    merged = Loss(name, **opts)
    for part in reversed(parts):  # any order
        merged.merge(part)
    one = Loss(name, **opts)
    for a, b in zip(bounds[:-1], bounds[1:]):
        one.update(yt[a:b], yp[a:b], sample_weight=sw[a:b], class_weight=cw, mask=mask[a:b])
    for reduction in REDUCTIONS:
        want = fn(yt, yp, reduction=reduction, **kw, **opts)
        np.testing.assert_allclose(one.result(reduction), want, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(merged.result(reduction), want, rtol=1e-12, atol=1e-15)


def test_counts_and_weights_and_state_round_trip(rng):
    y, logits, p, mask, sw = _data(rng)
    state = Loss("sparse_categorical_crossentropy", from_logits=True, ignore_index=-100)
    state.update(y, logits, sample_weight=sw, mask=mask)
    kept = mask & (y != -100)
    assert state.count == int(kept.sum())
    assert state.weight_sum == pytest.approx(sw[kept].sum(), rel=1e-12)
    back = Loss.from_state_dict(state.state_dict())
    for r in REDUCTIONS:
        assert back.result(r) == state.result(r)
    assert state.reset().count == 0 and state.result() == 0.0


def test_errors(rng):
    with pytest.raises(ValueError, match="loss must be one of"):
        Loss("hinge")
    with pytest.raises(ValueError, match="unknown option"):
        Loss("binary_crossentropy", gamma=2.0)
    a = Loss("binary_crossentropy")
    with pytest.raises(ValueError, match="cannot merge"):
        a.merge(Loss("binary_crossentropy", from_logits=True))
    with pytest.raises(ValueError, match="reduction must be one of"):
        a.result("none")
    with pytest.raises(ValueError, match="not a streaming.Loss"):
        Loss.from_state_dict({"kind": "AUC"})
    y, logits, p, mask, sw = _data(rng)
    with pytest.raises(ValueError):  # the loss function's own validation
        Loss("sparse_categorical_crossentropy").update(y, p)  # -100 labels

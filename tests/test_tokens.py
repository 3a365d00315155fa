"""The token layer (``fastmetrics._core.tokens``): every input form of an
explicit task, read by each family's list of forms, against a brute-force
reading written here; and the XLA reading of the Keras bridge
(``fastmetrics.keras._xla``, TensorFlow ops) against the NumPy layer.

The brute-force reference walks the tokens one by one (``np.ndindex``) and
says, for each form, where a token's label and prediction live in the arrays
as given; the weight of a token is ``sample_weight[token index prefix] *
class_weight[label]``.  Nothing of fastmetrics is used to build it.
"""

import os

import numpy as np
import pytest

from fastmetrics._core.tokens import (
    FORMS,
    TokenShapeError,
    is_one_hot,
    label_class_weights,
    one_hot_ids,
    read_tokens,
    token_view,
)
from fastmetrics.calibration.functional import _FORMS as CALIBRATION_FORMS
from fastmetrics.classification._format import _FORMS as CLASSIFICATION_FORMS
from fastmetrics.ranking._tokens import FORMS as RANKING_FORMS

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

N, T, C = 5, 3, 4
PAD = -1

FAMILIES = {
    "classification": CLASSIFICATION_FORMS,
    "ranking": RANKING_FORMS,
    "calibration": CALIBRATION_FORMS,
}


# --------------------------------------------------------------------------
# the input forms, with where a token's label and prediction live
# --------------------------------------------------------------------------


def _ids(rng, S, k):
    return rng.integers(0, k, size=S)


def _one_hot(ids, k):
    out = np.zeros(ids.shape + (k,), dtype=np.int64)
    for idx in np.ndindex(ids.shape):
        out[idx + (ids[idx],)] = 1
    return out


# name -> (task, make(rng, S) -> (y_true, y_pred), label(yt, idx), pred(yp, idx),
#          {family: form read})
CASES = {
    "binary/ids+scores": (
        "binary", lambda r, S: (_ids(r, S, 2), r.random(S)),
        lambda yt, i: yt[i], lambda yp, i: yp[i],
        {"classification": "squeezed", "ranking": "squeezed", "calibration": "same"}),
    "binary/ids+ids": (
        "binary", lambda r, S: (_ids(r, S, 2), _ids(r, S, 2)),
        lambda yt, i: yt[i], lambda yp, i: yp[i],
        {"classification": "squeezed", "ranking": "squeezed", "calibration": "same"}),
    "binary/ids+(...,1)": (
        "binary", lambda r, S: (_ids(r, S, 2), r.random(S + (1,))),
        lambda yt, i: yt[i], lambda yp, i: yp[i + (0,)],
        {"classification": "squeezed", "ranking": "ids+one_unit",
         "calibration": "ids+one_unit"}),
    "binary/(...,1)+(...,1)": (
        "binary", lambda r, S: (_ids(r, S + (1,), 2), r.random(S + (1,))),
        lambda yt, i: yt[i + (0,)], lambda yp, i: yp[i + (0,)],
        {"classification": "squeezed", "ranking": "squeezed"}),
    "binary/(...,1)+scores": (
        "binary", lambda r, S: (_ids(r, S + (1,), 2), r.random(S)),
        lambda yt, i: yt[i + (0,)], lambda yp, i: yp[i],
        {"classification": "squeezed", "ranking": "squeezed"}),
    "binary/ids+two_unit": (
        "binary", lambda r, S: (_ids(r, S, 2), r.random(S + (2,))),
        lambda yt, i: yt[i], lambda yp, i: yp[i + (1,)],
        {"classification": "ids+two_unit", "ranking": "ids+two_unit",
         "calibration": "ids+two_unit"}),
    "binary/one_hot+two_unit": (
        "binary", lambda r, S: (_one_hot(_ids(r, S, 2), 2), r.random(S + (2,))),
        lambda yt, i: yt[i + (1,)], lambda yp, i: yp[i + (1,)],
        {"classification": "one_hot+two_unit", "ranking": "one_hot+two_unit"}),
    "binary/one_hot+scores": (
        "binary", lambda r, S: (_one_hot(_ids(r, S, 2), 2), r.random(S)),
        lambda yt, i: yt[i + (1,)], lambda yp, i: yp[i],
        {"classification": "one_hot+scores", "ranking": "one_hot+scores"}),
    "multiclass/ids+scores": (
        "multiclass", lambda r, S: (_ids(r, S, C), r.random(S + (C,))),
        lambda yt, i: yt[i], lambda yp, i: yp[i],
        {"classification": "ids+scores", "ranking": "ids+scores",
         "calibration": "ids+scores"}),
    "multiclass/one_hot+scores": (
        "multiclass", lambda r, S: (_one_hot(_ids(r, S, C), C), r.random(S + (C,))),
        lambda yt, i: int(np.argmax(yt[i])), lambda yp, i: yp[i],
        {"classification": "one_hot+scores", "ranking": "one_hot+scores"}),
    "multiclass/ids+ids": (
        "multiclass", lambda r, S: (_ids(r, S, C), _ids(r, S, C)),
        lambda yt, i: yt[i], lambda yp, i: yp[i],
        {"classification": "ids+ids"}),
    "multiclass/one_hot+ids": (
        "multiclass", lambda r, S: (_one_hot(_ids(r, S, C), C), _ids(r, S, C)),
        lambda yt, i: int(np.argmax(yt[i])), lambda yp, i: yp[i],
        {"classification": "one_hot+ids"}),
    "multilabel/indicator": (
        "multilabel", lambda r, S: (_ids(r, S + (C,), 2), r.random(S + (C,))),
        lambda yt, i: yt[i], lambda yp, i: yp[i],
        {"classification": "indicator", "ranking": "indicator"}),
}

READS = [(name, fam) for name, case in CASES.items() for fam in case[4]]
SHAPES = [(N,), (N, T)]


def _weights_for(S):
    """sample_weight kinds for tokens of shape S: None, (N,), (N, T)."""
    return (None, "N", "NT") if len(S) == 2 else (None, "N")


# (token shape, mask, ignore_index, sample_weight kind, class_weight)
CONFIGS = [(S, m, ig, sw, cw) for S in SHAPES for m in (False, True)
           for ig in (False, True) for sw in _weights_for(S) for cw in (False, True)]


def _inputs(name, S, seed=0):
    task, make = CASES[name][:2]
    rng = np.random.default_rng(seed)
    yt, yp = make(rng, S)
    return task, yt, yp, rng


def _options(rng, name, S, mask, ignore, sw, cw):
    task = CASES[name][0]
    k = 2 if task == "binary" else C
    m = rng.random(S) < 0.7 if mask else None
    w = {None: None, "N": rng.random(S[:1]) + 0.5, "NT": rng.random(S) + 0.5}[sw]
    c = rng.random(k) + 0.5 if cw else None
    return m, (PAD if ignore else None), w, c


def _pad(yt, name, rng):
    """Ids with some PAD labels (for ignore_index); one-hot rows unchanged."""
    if "/ids" not in name or CASES[name][0] == "multilabel":
        return yt
    yt = yt.copy()
    yt[rng.random(yt.shape) < 0.2] = PAD
    return yt


def brute_force(name, yt, yp, S, mask, ignore, sw, cw):
    """(labels, predictions, weights) of the kept tokens, token by token."""
    label_of, pred_of = CASES[name][2:4]
    labels, preds, weights = [], [], []
    for idx in np.ndindex(S):
        if mask is not None and not mask[idx]:
            continue
        label, pred = label_of(yt, idx), pred_of(yp, idx)
        if ignore is not None and CASES[name][0] != "multilabel" and label == ignore:
            continue
        w = 1.0 if sw is None else float(sw[idx[:sw.ndim]])
        if cw is not None:
            w *= cw[label]
        labels.append(label)
        preds.append(pred)
        weights.append(w)
    return np.array(labels), np.array(preds), np.array(weights)


def read_view(view):
    """(labels, predictions, weights) of the kept tokens of a TokenView."""
    y, p = view.y, view.p
    if view.one_hot:
        labels = y[:, 1] if view.task == "binary" else np.argmax(y, axis=1)
    else:
        labels = y
    preds = p if view.unit is None else p[:, view.unit]
    keep = np.ones(view.n, dtype=bool) if view.mask is None else view.mask.copy()
    if view.ignore_index is not None and view.task != "multilabel":
        keep &= labels != view.ignore_index
    w = np.ones(view.n) if view.w is None else np.repeat(view.w, view.rep)[:view.n]
    labels, preds, w = labels[keep], preds[keep], w[keep]
    if view.cw is not None:
        w = w * view.cw[labels]
    return labels, preds, w


# --------------------------------------------------------------------------
# (1) every input form: the NumPy layer against the brute-force reading
# --------------------------------------------------------------------------


@pytest.mark.parametrize("config", CONFIGS,
                         ids=lambda o: "{}-m{:d}-i{:d}-w{}-c{:d}".format(*o))
@pytest.mark.parametrize("name,family", READS, ids=[f"{n}-{f}" for n, f in READS])
def test_token_view_equals_brute_force(name, family, config):
    S, mask, ignore, sw, cw = config
    task, yt, yp, rng = _inputs(name, S)
    if ignore:
        yt = _pad(yt, name, rng)
    m, ig, w, c = _options(rng, name, S, mask, ignore, sw, cw)
    forms = FAMILIES[family][task]
    one_hot = "one_hot" in CASES[name][4][family]
    if ig is not None and one_hot:
        with pytest.raises(ValueError, match="ignore_index needs y_true as class ids"):
            token_view(task, yt, yp, forms, mask=m, ignore_index=ig, class_weight=c)
        return
    if c is not None and task == "multilabel":
        with pytest.raises(ValueError, match="class_weight is not defined"):
            token_view(task, yt, yp, forms, class_weight=c)
        return
    view = token_view(task, yt, yp, forms, num_classes=C, sample_weight=w, mask=m,
                      ignore_index=ig, class_weight=c)
    assert view.form == CASES[name][4][family]
    assert view.token_shape == S and view.n == int(np.prod(S))
    # views of the inputs: nothing input-sized was copied
    assert np.shares_memory(view.y, yt) and np.shares_memory(view.p, yp)
    if w is not None:
        assert np.shares_memory(view.w, w) and view.w.shape == w.reshape(-1).shape
    got = read_view(view)
    want = brute_force(name, yt, yp, S, m, ig, w, c)
    assert want[0].size  # the options keep some tokens
    for g, e in zip(got, want):
        assert g.shape == e.shape
        np.testing.assert_array_equal(g, e)


@pytest.mark.parametrize("name,family", READS, ids=[f"{n}-{f}" for n, f in READS])
def test_positive_scores_are_token_shaped_views(name, family):
    task, yt, yp, _ = _inputs(name, (N, T))
    view = read_tokens(task, yt, yp, FAMILIES[family][task])
    pos = view.positive()
    assert np.shares_memory(pos, yp)
    if task == "binary":
        assert pos.shape == view.token_shape
        want = np.array([CASES[name][3](yp, i) for i in np.ndindex(view.token_shape)])
        np.testing.assert_array_equal(pos.reshape(-1), want)


@pytest.mark.parametrize("task,yt_shape,yp_shape", [
    ("binary", (N,), (N + 1,)),
    ("binary", (N, T), (N, T, 3)),
    ("binary", (N, 2), (N, 3)),
    ("multiclass", (N,), (N + 1, C)),
    ("multiclass", (N, T), (N, T, C, 1)),
    ("multilabel", (N, C), (N, C + 1)),
    ("multilabel", (), ()),
])
def test_shape_error_carries_the_shapes(task, yt_shape, yp_shape):
    with pytest.raises(TokenShapeError) as info:
        read_tokens(task, np.zeros(yt_shape, np.int64), np.zeros(yp_shape),
                    FORMS[task])
    assert (info.value.task, info.value.true_shape, info.value.pred_shape) == (
        task, yt_shape, yp_shape)
    assert isinstance(info.value, ValueError)


def test_form_order_and_dtype_rules():
    ids = np.zeros((N, 2), np.int64)
    # same shape (..., 2): one-hot + two-unit only with floating predictions
    assert read_tokens("binary", ids, np.zeros((N, 2)), FORMS["binary"]).form == \
        "one_hot+two_unit"
    assert read_tokens("binary", ids, ids, FORMS["binary"]).form == "squeezed"
    # a (..., 2, 1) token array stays elementwise
    v = read_tokens("binary", ids[..., None], np.zeros((N, 2, 1)), FORMS["binary"])
    assert (v.form, v.token_shape) == ("squeezed", (N, 2))
    # multiclass same shape: scores when floating or when ids+ids is not read
    y = np.zeros((N, C), np.int64)
    assert read_tokens("multiclass", y, y, FORMS["multiclass"]).form == "ids+ids"
    assert read_tokens("multiclass", y, y, RANKING_FORMS["multiclass"]).form == \
        "one_hot+scores"
    assert read_tokens("multiclass", y, y.astype(float), FORMS["multiclass"]).form == \
        "one_hot+scores"


def test_one_hot_helpers():
    rows = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0], [1, 1, 0], [0, 2, 0]])
    assert is_one_hot(rows[:2]) and not is_one_hot(rows)
    assert is_one_hot(np.zeros((0, 3)))
    np.testing.assert_array_equal(one_hot_ids(rows), [1, 0, 3, 3, 3])
    assert one_hot_ids(rows).dtype == np.int64


def test_label_class_weights():
    def entry(arr, label):
        return arr[label] if label < arr.shape[0] else 1.0

    np.testing.assert_array_equal(
        label_class_weights({"a": 2.0, 3: 0.5}, ["a", "b", 3], entry), [2.0, 1.0, 0.5])
    np.testing.assert_array_equal(
        label_class_weights([1.0, 3.0], [0, 1, 7], entry), [1.0, 3.0, 1.0])
    with pytest.raises(ValueError, match="a dict or a 1-D array; got shape"):
        label_class_weights(np.ones((2, 2)), [0], entry)


@pytest.mark.parametrize("args,message", [
    # one-hot y_true with ignore_index, a bad class_weight with a bad mask: the
    # binned reader's own wording of these is never shown: AUC.update raises the
    # functional reader's error (ranking_tokens) first
    ((np.eye(2, dtype=int)[[0, 1, 1]], np.random.default_rng(0).random((3, 2))),
     {"ignore_index": 0, "match": "ignore_index needs y_true as class ids"}),
    (([0, 1, 1], [0.1, 0.5, 0.7]),
     {"class_weight": [1.0, 2.0, 3.0], "mask": np.ones(4, bool),
      "match": "mask has shape"}),
])
def test_streaming_auc_words_errors_as_the_functional_reader(args, message):
    from fastmetrics.ranking._tokens import ranking_tokens
    from fastmetrics.streaming import AUC

    kwargs = dict(message)
    match = kwargs.pop("match")
    with pytest.raises(ValueError, match=match):
        ranking_tokens(*args, task="binary", **kwargs)
    with pytest.raises(ValueError, match=match):
        AUC(task="binary", bins=256).update(*args, **kwargs)


# --------------------------------------------------------------------------
# (2) the XLA reading (fastmetrics.keras._xla) against the NumPy layer
# --------------------------------------------------------------------------

# The XLA step stands in for the confusion counts (streaming.ConfusionMatrix,
# the classification forms) and the binned AUC (streaming.AUC, the ranking
# forms): every form each reads, with mask, ignore_index, sample_weight and
# class_weight; compared with the NumPy token layer's reading (counted here)
# and with the host state itself.
XLA_CONFUSION = [n for n, case in CASES.items() if "classification" in case[4]]
XLA_AUC = [n for n, case in CASES.items() if "ranking" in case[4]]
# (token shape, mask, sample_weight kind, class_weight): each option alone and
# together, on both token shapes
XLA_CONFIGS = [((N,), False, None, False), ((N,), True, "N", True),
               ((N, T), False, None, False), ((N, T), True, None, False),
               ((N, T), False, "N", False), ((N, T), True, "NT", False),
               ((N, T), True, "N", True), ((N, T), False, "NT", True)]


@pytest.fixture(scope="module")
def xla():
    pytest.importorskip("tensorflow")
    from fastmetrics.keras import _xla

    return _xla


def _xla_params(names):
    return [pytest.param(n, ig, id=n + ("-ignore" if ig else "")) for n in names
            for ig in ((False,) if "one_hot" in n else (False, True))]


def check_same_error(host, xla_call):
    """Both raise a ValueError, with the same message."""
    with pytest.raises(ValueError) as want:
        host()
    with pytest.raises(ValueError) as got:
        xla_call()
    assert str(got.value) == str(want.value)


def _numpy_counts(view, thr):
    """Confusion counts and weight sums of the kept tokens of a view (NumPy)."""
    labels, preds, w = read_view(view)
    if view.task == "multilabel":
        pred = (preds > preds.dtype.type(thr)).astype(np.int64)
        cell = (labels.astype(np.int64) * 2 + pred + 4 * np.arange(view.C)).reshape(-1)
        ww = np.repeat(w, view.C)
        size, shape = 4 * view.C, (view.C, 2, 2)
    else:
        if preds.ndim == 2:
            pred = np.argmax(preds, axis=1)
        elif preds.dtype.kind == "f":
            pred = (preds > preds.dtype.type(thr)).astype(np.int64)
        else:
            pred = preds.astype(np.int64)
        cell, ww = labels.astype(np.int64) * view.C + pred, w
        size, shape = view.C * view.C, (view.C, view.C)
    counts = np.bincount(cell, minlength=size).reshape(shape).astype(np.float64)
    wsum = np.bincount(cell, weights=ww, minlength=size).reshape(shape)
    return counts, wsum


def _host_confusion(task, k, ig):
    from fastmetrics import streaming

    return streaming.ConfusionMatrix(task, k, threshold=0.5, ignore_index=ig)


def _assert_confusion_state(got, host):
    """XLA deltas ((counts, wsum, totals), invalid) equal a host state's."""
    (counts, wsum, totals), invalid = got
    d = host.state_dict()
    assert float(invalid) == 0
    np.testing.assert_array_equal(np.asarray(counts), d["counts"])
    np.testing.assert_allclose(np.asarray(wsum), d["wsum"], rtol=1e-12, atol=0)
    np.testing.assert_allclose(np.asarray(totals), d["totals"], rtol=1e-12, atol=0)


@pytest.mark.parametrize("config", XLA_CONFIGS,
                         ids=lambda o: "{}-m{:d}-w{}-c{:d}".format(*o))
@pytest.mark.parametrize("name,ignore", _xla_params(XLA_CONFUSION))
def test_xla_confusion_reading_equals_numpy(xla, name, ignore, config):
    S, mask, sw, cw = config
    task, yt, yp, rng = _inputs(name, S, seed=1)
    yp = yp.astype(np.float32) if yp.dtype.kind == "f" else yp
    if ignore:
        yt = _pad(yt, name, rng)
    m, ig, w, c = _options(rng, name, S, mask, ignore, sw, cw)
    k = 2 if task == "binary" else C
    host = _host_confusion(task, k, ig)
    args = (task, k, 0.5, ig, yt, yp, w, m)
    if c is not None and task == "multilabel":
        check_same_error(lambda: host.update(yt, yp, sample_weight=w, mask=m, class_weight=c),
                    lambda: xla.confusion_deltas(*args, class_weight=c))
        return
    view = token_view(task, yt, yp, CLASSIFICATION_FORMS[task], num_classes=k,
                      sample_weight=w, mask=m, ignore_index=ig, class_weight=c)
    want = _numpy_counts(view, 0.5)
    got = xla.confusion_deltas(*args, class_weight=c)
    (counts, wsum, _), invalid = got
    assert float(invalid) == 0
    np.testing.assert_array_equal(np.asarray(counts).reshape(want[0].shape), want[0])
    np.testing.assert_allclose(np.asarray(wsum).reshape(want[1].shape), want[1],
                               rtol=1e-12, atol=0)
    host.update(yt, yp, sample_weight=w, mask=m, class_weight=c)
    _assert_confusion_state(got, host)


def _numpy_cells(view, bins, binmap):
    """AUC table cells and weights of the kept (token, class row) pairs."""
    from fastmetrics._kernels.cpu.ranking_stream import bins_of

    labels, preds, w = read_view(view)
    if view.task == "binary":
        lab, s = labels.reshape(-1, 1), preds.reshape(-1, 1)
    elif view.task == "multiclass":
        lab, s = labels.reshape(-1, 1) == np.arange(view.C), preds
    else:
        lab, s = labels, preds
    rows = s.shape[1]
    b = np.empty(s.size, dtype=np.int64)
    bins_of(np.ascontiguousarray(s.reshape(-1)), binmap, b)
    row = np.tile(np.arange(rows), s.shape[0])
    cell = (row * bins + b) * 2 + lab.reshape(-1).astype(np.int64)
    return np.bincount(cell, weights=np.repeat(w, rows), minlength=rows * bins * 2)


def _host_auc(task, ig, bins=256, scores="any"):
    from fastmetrics import streaming

    return streaming.AUC(task=task, num_classes=None if task == "binary" else C,
                         bins=bins, scores=scores, ignore_index=ig)


def _dense(cells, values, size):
    return np.bincount(np.asarray(cells), weights=np.asarray(values), minlength=size)


@pytest.mark.parametrize("config", XLA_CONFIGS,
                         ids=lambda o: "{}-m{:d}-w{}-c{:d}".format(*o))
@pytest.mark.parametrize("name,ignore", _xla_params(XLA_AUC))
def test_xla_auc_reading_equals_numpy(xla, name, ignore, config):
    S, mask, sw, cw = config
    task, yt, yp, rng = _inputs(name, S, seed=2)
    if ignore:
        yt = _pad(yt, name, rng)
    m, ig, w, c = _options(rng, name, S, mask, ignore, sw, cw)
    bins = 256
    host = _host_auc(task, ig, bins)
    binmap = host.bin_map
    args = (task, C, bins, binmap, False, yt, yp, w, m)
    if c is not None and task == "multilabel":
        check_same_error(lambda: host.batch_deltas(yt, yp, sample_weight=w, mask=m,
                                              class_weight=c),
                    lambda: xla.auc_cells(*args, ignore_index=ig, class_weight=c))
        return
    view = token_view(task, yt, yp, RANKING_FORMS[task], sample_weight=w, mask=m,
                      ignore_index=ig, class_weight=c)
    want = _numpy_cells(view, bins, binmap)
    rows = 1 if task == "binary" else C
    size = rows * bins * 2
    cells, weights, pos, invalid = xla.auc_cells(*args, ignore_index=ig, class_weight=c)
    assert float(invalid) == 0
    got = _dense(cells, weights, size)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
    # the host state's own deltas (table and first moments)
    hcells, hdeltas = host.batch_deltas(yt, yp, sample_weight=w, mask=m, class_weight=c)
    np.testing.assert_allclose(got, _dense(hcells, hdeltas["table"], size),
                               rtol=1e-12, atol=0)
    np.testing.assert_allclose(_dense(cells, np.asarray(weights) * np.asarray(pos), size),
                               _dense(hcells, hdeltas["moments"], size),
                               rtol=1e-9, atol=1e-12)


# Inputs whose reading turns on a dtype or an edge of the rules (each point a
# former difference of the XLA step): the host state is the reference.
XLA_EDGES = {
    "1-D token arrays of length 2": (
        "binary", np.array([0, 1]), np.array([0.25, 0.75], np.float32)),
    "integer (..., 2) ids with (..., 2) ids": (
        "binary", np.array([[0, 1], [1, 1], [0, 0]]), np.array([[1, 0], [1, 1], [0, 1]])),
    "integer two-unit output, not one-hot": (
        "binary", np.array([0, 1, 1]), np.array([[1, 1], [0, 0], [0, 1]])),
    "bool ids with bool predictions": (
        "binary", np.array([True, False, True]), np.array([True, True, False])),
    "float ids with integer predictions": (
        "binary", np.array([[0.0], [1.0], [1.0]]), np.array([[0], [1], [0]])),
    "one-hot (..., 2) with scores (...)": (
        "binary", np.eye(2, dtype=np.int64)[[0, 1, 1, 0]],
        np.array([0.1, 0.8, 0.3, 0.6], np.float32)),
    "(..., 1) ids with scores (...)": (
        "binary", np.array([[0], [1], [1]]), np.array([0.2, 0.9, 0.4], np.float32)),
    "multiclass ids with predicted ids": (
        "multiclass", np.array([0, 3, 2, 1, 3]), np.array([0, 3, 1, 1, 2])),
    "multiclass one-hot with predicted ids": (
        "multiclass", np.eye(4, dtype=np.float32)[[0, 3, 2]], np.array([0, 2, 2])),
    "multiclass rows in [0, 1], not one-hot (argmax)": (
        "multiclass", np.array([[0.2, 0.5, 0.5, 0.0], [0.0, 0.0, 0.0, 0.0]], np.float32),
        np.array([[0.1, 0.2, 0.3, 0.4], [0.4, 0.4, 0.1, 0.1]], np.float32)),
    "multiclass tied scores (first argmax)": (
        "multiclass", np.array([1, 2, 3]),
        np.array([[0.3, 0.3, 0.3, 0.1], [0.0, 0.5, 0.5, 0.0], [1, 1, 1, 1]], np.float32)),
    "multiclass integer scores": (
        "multiclass", np.array([1, 2]), np.array([[0, 3, 3, 1], [2, 0, 1, 2]])),
    "multilabel integer predictions": (
        "multilabel", np.array([[0, 1, 1, 0], [1, 1, 0, 0]]),
        np.array([[0, 1, 0, 0], [1, 0, 0, 1]])),
}


@pytest.mark.parametrize("case", list(XLA_EDGES))
def test_xla_confusion_edges_equal_the_host(xla, case):
    task, yt, yp = XLA_EDGES[case]
    k = 2 if task == "binary" else C
    host = _host_confusion(task, k, None).update(yt, yp)
    _assert_confusion_state(xla.confusion_deltas(task, k, 0.5, None, yt, yp, None, None),
                            host)


XLA_AUC_EDGES = {
    "1-D token arrays of length 2": (
        "binary", np.array([0, 1]), np.array([0.25, 0.75], np.float32)),
    "integer two-unit output (column 1)": (
        "binary", np.array([0, 1, 1]), np.array([[1, 1], [0, 0], [0, 1]])),
    "one-hot (..., 2) with scores (...)": (
        "binary", np.eye(2, dtype=np.int64)[[0, 1, 1, 0]], np.array([0.1, 0.8, 0.3, 0.6])),
    "(..., 1) ids with scores (...)": (
        "binary", np.array([[0], [1], [1]]), np.array([0.2, 0.9, 0.4], np.float32)),
    "(..., 2) ids with (..., 2) integer scores": (
        "binary", np.array([[0, 1], [1, 1], [0, 0]]), np.array([[1, 0], [1, 1], [0, 1]])),
}


@pytest.mark.parametrize("case", list(XLA_AUC_EDGES))
def test_xla_auc_edges_equal_the_host(xla, case):
    task, yt, yp = XLA_AUC_EDGES[case]
    host = _host_auc(task, None)
    cells, weights, _, invalid = xla.auc_cells(task, C, 256, host.bin_map, False, yt, yp,
                                               None, None)
    assert float(invalid) == 0
    hcells, hdeltas = host.batch_deltas(yt, yp)
    size = (1 if task == "binary" else C) * 256 * 2
    np.testing.assert_array_equal(_dense(cells, weights, size),
                                  _dense(hcells, hdeltas["table"], size))


# --------------------------------------------------------------------------
# shapes the host rejects: the XLA step raises the same error when traced
# --------------------------------------------------------------------------

_Z = np.zeros
_ONE_HOT = np.eye(2, dtype=np.int64)[[0, 1, 1, 0, 1]]
XLA_REJECTS = [
    # (family, task, y_true, y_pred, options)
    ("both", "binary", _Z(5, np.int64), _Z(6, np.float32), {}),
    ("both", "binary", _Z((5, 3), np.int64), _Z((5, 3, 3), np.float32), {}),
    ("both", "multiclass", _Z((5, 1), np.int64), _Z((5, C), np.float32), {}),
    ("both", "multiclass", _Z((5, 3), np.int64), _Z((5, 3, C, 1), np.float32), {}),
    ("both", "multilabel", _Z((5, C), np.int64), _Z((5, C + 1), np.float32), {}),
    ("both", "binary", _ONE_HOT, _Z((5, 2), np.float32), {"ignore_index": 0}),
    ("both", "multiclass", np.eye(C, dtype=np.int64)[[0, 1, 2, 3, 0]], _Z((5, C)),
     {"ignore_index": 0}),
    ("both", "binary", _Z((5, 3), np.int64), _Z((5, 3), np.float32),
     {"mask": np.ones(5, bool)}),
    ("both", "binary", _Z((5, 3), np.int64), _Z((5, 3, 1), np.float32),
     {"mask": np.ones((5, 3, 1), bool)}),
    ("both", "multiclass", _Z((5, 3), np.int64), _Z((5, 3, C), np.float32),
     {"sample_weight": np.ones(3)}),
    ("both", "binary", _Z((5, 3), np.int64), _Z((5, 3), np.float32),
     {"sample_weight": np.ones((5, 2))}),
    ("both", "binary", _Z(5, np.int64), _Z(5, np.float32),
     {"sample_weight": np.float64(1.0)}),
    ("both", "binary", _Z(5, np.int64), _Z(5, np.float32),
     {"class_weight": [1.0, 2.0, 3.0]}),
    ("both", "multilabel", _Z((5, C), np.int64), _Z((5, C), np.float32),
     {"class_weight": [1.0] * C}),
    ("both", "multiclass", _Z(5, np.int64), _Z((5, C - 1), np.float32), {}),
    ("classification", "multiclass", np.eye(3, dtype=np.int64)[[0, 1, 2]],
     np.array([0, 1, 2]), {}),
    ("classification", "multilabel", _Z((5, C - 1), np.int64), _Z((5, C - 1)), {}),
    ("classification", "multiclass", np.array(1), np.full(C, 0.25, np.float32), {}),
    ("ranking", "multiclass", _Z(5, np.int64), _Z(5, np.int64), {}),
    ("ranking", "binary", np.array(1), np.array(0.5), {}),
]


def _reject_params(family):
    return [pytest.param(*case[1:], id=f"{i}-{case[1]}")
            for i, case in enumerate(XLA_REJECTS) if case[0] in ("both", family)]


@pytest.mark.parametrize("task,yt,yp,options", _reject_params("classification"))
def test_xla_confusion_rejects_as_the_host(xla, task, yt, yp, options):
    o = dict(options)
    k = 2 if task == "binary" else C
    host = _host_confusion(task, k, o.get("ignore_index"))
    check_same_error(
        lambda: host.update(yt, yp, sample_weight=o.get("sample_weight"),
                            mask=o.get("mask"), class_weight=o.get("class_weight")),
        lambda: xla.confusion_deltas(task, k, 0.5, o.get("ignore_index"), yt, yp,
                                     o.get("sample_weight"), o.get("mask"),
                                     class_weight=o.get("class_weight")))


@pytest.mark.parametrize("task,yt,yp,options", _reject_params("ranking"))
def test_xla_auc_rejects_as_the_host(xla, task, yt, yp, options):
    o = dict(options)
    host = _host_auc(task, o.get("ignore_index"))
    check_same_error(
        lambda: host.batch_deltas(yt, yp, sample_weight=o.get("sample_weight"),
                                  mask=o.get("mask"), class_weight=o.get("class_weight")),
        lambda: xla.auc_cells(task, C, 256, host.bin_map, False, yt, yp,
                              o.get("sample_weight"), o.get("mask"),
                              ignore_index=o.get("ignore_index"),
                              class_weight=o.get("class_weight")))


# --------------------------------------------------------------------------
# values the host rejects: XLA cannot raise, the tokens are counted invalid
# --------------------------------------------------------------------------
# (a compiled XLA program has no exceptions and cannot call the host; the
# Keras metric raises at the eager result when the count is not 0)

_BAD_ROWS = np.array([[1, 0], [1, 1], [0, 0], [0, 1], [0, 2]])
XLA_BAD_VALUES = [
    # (family, task, y_true, y_pred, options, invalid tokens)
    # one-hot rows are checked on every token, masked or not, as the host does
    ("both", "binary", _BAD_ROWS, np.full((5, 2), 0.5, np.float32), {}, 3),
    ("both", "binary", _BAD_ROWS, np.full((5, 2), 0.5, np.float32),
     {"mask": np.array([True, False, False, True, True])}, 3),
    ("both", "binary", _BAD_ROWS, np.full(5, 0.5, np.float32), {}, 3),
    ("ranking", "multiclass", np.array([[1, 0, 0], [0.5, 0.5, 0], [0, 0, 0]]),
     np.full((3, 3), 0.2), {"C": 3}, 2),
    ("classification", "multiclass", np.array([[1, 0, 0], [2, 0, 0], [np.nan, 0, 0]]),
     np.full((3, 3), 0.2), {"C": 3}, 2),
    ("classification", "multiclass", np.array([[1, 0, 0], [2, 0, 0]]),
     np.full((2, 3), 0.2), {"C": 3, "mask": np.array([True, False])}, 1),
    # labels, predicted ids, scores and weights: on kept tokens only
    ("both", "binary", np.array([0, 1, 2, -1]), np.full(4, 0.5, np.float32),
     {"mask": np.array([True, True, True, False])}, 1),
    ("both", "binary", np.array([0, 1, 2, -1]), np.full(4, 0.5, np.float32),
     {"ignore_index": -1}, 1),
    ("classification", "binary", np.array([0, 1, 1]), np.array([0, 2, -1]), {}, 2),
    ("classification", "multiclass", np.array([0, 1, 1]), np.array([0, 4, 1]), {}, 1),
    ("both", "multiclass", np.array([0, 4, 1, 1]), np.full((4, C), 0.25),
     {"ignore_index": 4}, 0),
    ("both", "binary", np.array([0, 1, 1]), np.array([0.5, np.nan, np.inf]), {}, 2),
    ("both", "binary", np.array([0, 1, 1]), np.array([0.5, 0.3, 0.2]),
     {"sample_weight": np.array([1.0, -1.0, np.nan])}, 2),
    ("both", "multilabel", np.array([[0, 1], [1, 2], [0, 1]]), np.full((3, 2), 0.3),
     {"C": 2}, 1),
    ("classification", "multilabel", np.array([[0, 1], [1, 0]]), np.array([[0, 2], [1, 0]]),
     {"C": 2}, 1),
]


def _bad_params(family):
    return [pytest.param(*case[1:], id=f"{i}-{case[1]}")
            for i, case in enumerate(XLA_BAD_VALUES) if case[0] in ("both", family)]


@pytest.mark.parametrize("task,yt,yp,options,n_bad", _bad_params("classification"))
def test_xla_confusion_counts_what_the_host_rejects(xla, task, yt, yp, options, n_bad):
    o = dict(options)
    k = o.pop("C", 2 if task == "binary" else C)
    ig, w, m = o.get("ignore_index"), o.get("sample_weight"), o.get("mask")
    host = _host_confusion(task, k, ig)
    (counts, _, _), invalid = xla.confusion_deltas(task, k, 0.5, ig, yt, yp, w, m)
    assert float(invalid) == n_bad
    if n_bad:
        with pytest.raises(ValueError):
            host.update(yt, yp, sample_weight=w, mask=m)
    else:
        host.update(yt, yp, sample_weight=w, mask=m)
        np.testing.assert_array_equal(np.asarray(counts), host.state_dict()["counts"])


@pytest.mark.parametrize("task,yt,yp,options,n_bad", _bad_params("ranking"))
def test_xla_auc_counts_what_the_host_rejects(xla, task, yt, yp, options, n_bad):
    from fastmetrics import streaming

    o = dict(options)
    k = o.pop("C", C)
    ig, w, m = o.get("ignore_index"), o.get("sample_weight"), o.get("mask")
    host = streaming.AUC(task=task, num_classes=None if task == "binary" else k, bins=256,
                         ignore_index=ig)
    *_, invalid = xla.auc_cells(task, k, 256, host.bin_map, False, yt, yp, w, m,
                                ignore_index=ig)
    assert float(invalid) == n_bad
    if n_bad:
        with pytest.raises(ValueError):
            host.batch_deltas(yt, yp, sample_weight=w, mask=m)
    else:
        host.batch_deltas(yt, yp, sample_weight=w, mask=m)


def test_xla_auc_probability_range_is_checked_on_every_score(xla):
    from fastmetrics import streaming

    yt, m = np.array([0, 1, 1]), np.array([True, False, False])
    host = streaming.AUC(task="binary", bins=256, scores="probability")
    yp = np.array([0.5, 1.5, 0.2], np.float32)
    with pytest.raises(ValueError, match="probabilities in"):
        host.batch_deltas(yt, yp, mask=m)
    *_, invalid = xla.auc_cells("binary", 2, 256, host.bin_map, True, yt, yp, None, m)
    assert float(invalid) == 1  # 1.5, masked
    # the host leaves the range to the finiteness check of the kept scores
    # when a score is NaN: a masked NaN and a masked 1.5 pass
    yp = np.array([0.5, 1.5, np.nan], np.float32)
    host.batch_deltas(yt, yp, mask=m)
    *_, invalid = xla.auc_cells("binary", 2, 256, host.bin_map, True, yt, yp, None, m)
    assert float(invalid) == 0


# --------------------------------------------------------------------------
# compiled (jit_compile=True) with unknown sizes in the static shapes
# --------------------------------------------------------------------------

def _compiled(xla, fn, specs):
    import tensorflow as tf

    return tf.function(fn, jit_compile=True,
                       input_signature=[tf.TensorSpec(shape, dtype) for shape, dtype in specs])


def test_xla_compiled_with_unknown_batch_equals_the_host(xla):
    import tensorflow as tf

    rng = np.random.default_rng(3)
    yt = rng.integers(0, C, (6, T))
    yp = rng.random((6, T, C)).astype(np.float32)
    w = rng.random(6) + 0.5
    m = rng.random((6, T)) < 0.8
    step = _compiled(xla, lambda a, b, c, d: xla.confusion_deltas(
        "multiclass", C, 0.5, None, a, b, c, d), [
        ((None, T), tf.int64), ((None, T, C), tf.float32), ((None,), tf.float64),
        ((None, T), tf.bool)])
    for n in (6, 2, 1):
        host = _host_confusion("multiclass", C, None).update(
            yt[:n], yp[:n], sample_weight=w[:n], mask=m[:n])
        _assert_confusion_state(step(yt[:n], yp[:n], w[:n], m[:n]), host)


@pytest.mark.parametrize("two,one_unit", [(False, False), (True, False), (False, True)])
def test_xla_compiled_unknown_time_axis_reads_as_the_host_or_counts(xla, two, one_unit):
    """Binary (B, T) tokens with T unknown: read elementwise; a batch whose T
    makes the host read it otherwise (T = 2 with floating (B, T) scores: one-hot
    rows with a two-unit output) is counted invalid, every token."""
    import tensorflow as tf

    rng = np.random.default_rng(4)
    pshape = (None, None, 1) if one_unit else (None, None)
    step = _compiled(xla, lambda a, b: xla.confusion_deltas(
        "binary", 2, 0.5, None, a, b, None, None), [
        ((None, None), tf.int64), (pshape, tf.float32)])
    for Tn in (3, 2, 1):
        yt = np.eye(2, dtype=np.int64)[rng.integers(0, 2, 4)] if (two and Tn == 2) else \
            rng.integers(0, 2, (4, Tn))
        yp = rng.random((4, Tn) + ((1,) if one_unit else ())).astype(np.float32)
        (counts, _, _), invalid = step(yt, yp)
        host = _host_confusion("binary", 2, None)
        if Tn == 2 and not one_unit:
            # the host reads (4, 2) float scores with (4, 2) y_true as one-hot
            # rows and a two-unit output: another form than the trace's
            assert float(invalid) == yt.size
            continue
        assert float(invalid) == 0
        host.update(yt, yp)
        np.testing.assert_array_equal(np.asarray(counts), host.state_dict()["counts"])

"""fastmetrics.streaming.ConfusionMatrix: chunked updates, merge, state round trips.

Expected values come from the functional API's one-shot result *only* for the
"any chunking gives exactly the one-shot counts" promise, and otherwise from
scikit-learn on flat tokens computed with numpy in this file.
"""

import json
import pickle
import warnings

import numpy as np
import pytest
import sklearn.metrics as skm

import fastmetrics as fm
from fastmetrics.streaming import ConfusionMatrix

N, T, C, L = 31, 13, 4, 3
RTOL_W = 1e-12


# --------------------------------------------------------------------------
# data + numpy reference
# --------------------------------------------------------------------------


def _make(task, seed, weighted=False, class_weight=False, masked=True, ignore=False):
    rng = np.random.default_rng(seed)
    if task == "multiclass":
        yt = rng.integers(0, C, size=(N, T))
        s = rng.standard_normal((N, T, C)).astype(np.float32)
        s[np.arange(N)[:, None], np.arange(T)[None, :], yt] += 1.2
        yp_ids = s.argmax(-1)
        yt_in, yp_in = yt, s
        cw = rng.uniform(0.5, 3.0, size=C) if class_weight else None
    elif task == "binary":
        yt = (rng.random((N, T)) < 0.25).astype(np.int64)
        p = np.clip(0.35 * yt + 0.65 * rng.random((N, T)), 0, 1)
        yp_ids = (p > 0.5).astype(np.int64)
        yt_in, yp_in = yt, p
        cw = {1: 4.0} if class_weight else None
    else:  # multilabel
        yt = (rng.random((N, T, L)) < 0.4).astype(np.int64)
        p = np.clip(0.4 * yt + 0.6 * rng.random((N, T, L)), 0, 1)
        yp_ids = (p > 0.5).astype(np.int64)
        yt_in, yp_in = yt, p
        cw = None
    mask = (rng.random((N, T)) < 0.8) if masked else None
    ignore_index = None
    if ignore:
        ignore_index = -100
        hit = rng.random(yt.shape) < 0.1
        yt = np.where(hit, -100, yt)
        yt_in = np.where(hit, -100, yt_in)
    sw = rng.uniform(0.1, 4.0, size=(N,)) if weighted else None
    return dict(yt_in=yt_in, yp_in=yp_in, yt=yt, yp=yp_ids, mask=mask, sw=sw, cw=cw,
                ignore_index=ignore_index)


def _flat(d, n_classes):
    """Flat kept tokens (single-label tasks) and per-token weights."""
    yt, yp = d["yt"], d["yp"]
    keep = np.ones((N, T), dtype=bool) if d["mask"] is None else d["mask"].copy()
    if d["ignore_index"] is not None:
        keep &= yt != d["ignore_index"]
    w = None
    if d["sw"] is not None:
        w = np.broadcast_to(d["sw"][:, None], (N, T)).astype(np.float64)
    if d["cw"] is not None:
        cw = d["cw"]
        if isinstance(cw, dict):
            v = np.ones(n_classes)
            for k, x in cw.items():
                v[k] = x
            cw = v
        cwt = cw[np.where(keep, yt, 0)]
        w = cwt if w is None else w * cwt
    return yt[keep], yp[keep], None if w is None else w[keep]


def _n_classes(task):
    return {"multiclass": C, "binary": 2, "multilabel": L}[task]


def _new(task, ignore_index=None):
    if task == "binary":
        return ConfusionMatrix(task="binary", ignore_index=ignore_index)
    return ConfusionMatrix(task=task, num_classes=_n_classes(task), ignore_index=ignore_index)


def _oneshot(d, task):
    kw = dict(task=task, mask=d["mask"], sample_weight=d["sw"], class_weight=d["cw"],
              ignore_index=d["ignore_index"])
    if task == "multilabel":
        return fm.multilabel_confusion_matrix(d["yt_in"], d["yp_in"], num_classes=L, **kw)
    if task == "multiclass":
        kw["num_classes"] = C
    return fm.confusion_matrix(d["yt_in"], d["yp_in"], **kw)


def _sk_reference_cm(d, task):
    if task == "multilabel":
        keep = np.ones((N, T), bool) if d["mask"] is None else d["mask"]
        out = []
        w_tok = None if d["sw"] is None else np.broadcast_to(d["sw"][:, None], (N, T))
        for l in range(L):
            k = keep.copy()
            if d["ignore_index"] is not None:
                k &= d["yt"][..., l] != d["ignore_index"]
            out.append(skm.confusion_matrix(d["yt"][..., l][k], d["yp"][..., l][k],
                                            labels=[0, 1],
                                            sample_weight=None if w_tok is None else w_tok[k]))
        return np.stack(out)
    ytf, ypf, wf = _flat(d, _n_classes(task))
    return skm.confusion_matrix(ytf, ypf, labels=range(_n_classes(task)), sample_weight=wf)


def assert_same_counts(got, expected, weighted):
    got = np.asarray(got)
    expected = np.asarray(expected)
    assert got.shape == expected.shape
    if weighted:
        assert got.dtype == np.float64, got.dtype
        np.testing.assert_allclose(got, expected, rtol=RTOL_W, atol=0)
    else:
        assert got.dtype == np.int64, got.dtype
        np.testing.assert_array_equal(got, expected)


def _random_cuts(rng, n, n_cuts, min_width=1):
    """Random chunk boundaries over range(n), always with at least one empty chunk.

    min_width > 1 keeps every non-empty chunk at least that wide (used for binary
    slices along T: a (N, 1) or (N, 2) slice would read as squeezed / two-unit
    softmax columns, a different -- documented -- input form).
    """
    pos = np.sort(rng.integers(0, n + 1, size=n_cuts))
    cuts = [0]
    for p in pos:
        if p - cuts[-1] >= min_width and n - p >= min_width:
            cuts.append(int(p))
    cuts.append(n)
    cuts.insert(len(cuts) // 2, cuts[len(cuts) // 2])  # an empty chunk
    return list(zip(cuts[:-1], cuts[1:]))


def _update_by_sequences(cm, d, cuts):
    for a, b in cuts:
        cm.update(d["yt_in"][a:b], d["yp_in"][a:b],
                  sample_weight=None if d["sw"] is None else d["sw"][a:b],
                  class_weight=d["cw"],
                  mask=None if d["mask"] is None else d["mask"][a:b])
    return cm


def _update_by_timesteps(cm, d, cuts):
    """Chunks cut every sequence in the middle (slices along T)."""
    for a, b in cuts:
        cm.update(d["yt_in"][:, a:b], d["yp_in"][:, a:b], sample_weight=d["sw"],
                  class_weight=d["cw"],
                  mask=None if d["mask"] is None else d["mask"][:, a:b])
    return cm


def _update_by_flat_tokens(cm, d, cuts):
    """Tokens flattened to 1-D and cut at arbitrary positions (mid-sequence)."""
    yt = d["yt_in"].reshape((N * T,) + d["yt_in"].shape[2:])
    yp = d["yp_in"].reshape((N * T,) + d["yp_in"].shape[2:])
    sw = None if d["sw"] is None else np.repeat(d["sw"], T)
    mask = None if d["mask"] is None else d["mask"].reshape(-1)
    for a, b in cuts:
        cm.update(yt[a:b], yp[a:b], sample_weight=None if sw is None else sw[a:b],
                  class_weight=d["cw"], mask=None if mask is None else mask[a:b])
    return cm


TASKS = ["multiclass", "binary", "multilabel"]
WEIGHTINGS = ["none", "sample", "sample+class", "class"]


def _data(task, weighting, seed, ignore=False):
    return _make(task, seed, weighted="sample" in weighting,
                 class_weight=("class" in weighting and task != "multilabel"),
                 ignore=ignore)


def _is_weighted(d):
    return d["sw"] is not None or d["cw"] is not None


# --------------------------------------------------------------------------
# chunking
# --------------------------------------------------------------------------


# class_weight is indexed by the true class id: not used for multilabel
TASK_WEIGHTINGS = [(t, w) for t in TASKS for w in WEIGHTINGS
                   if not (t == "multilabel" and w == "class")]


@pytest.mark.parametrize("ignore", [False, True])
@pytest.mark.parametrize("task,weighting", TASK_WEIGHTINGS)
def test_chunked_equals_oneshot(task, weighting, ignore):
    d = _data(task, weighting, seed=1, ignore=ignore)
    weighted = _is_weighted(d)
    oneshot = _oneshot(d, task)
    assert_same_counts(oneshot, _sk_reference_cm(d, task), weighted)
    rng = np.random.default_rng(99)
    for trial in range(3):
        cm = _update_by_sequences(_new(task, d["ignore_index"]), d,
                                  _random_cuts(rng, N, 4))
        assert_same_counts(cm.result(), oneshot, weighted)
        cm = _update_by_timesteps(_new(task, d["ignore_index"]), d,
                                  _random_cuts(rng, T, 3, 3 if task == "binary" else 1))
        assert_same_counts(cm.result(), oneshot, weighted)
        cm = _update_by_flat_tokens(_new(task, d["ignore_index"]), d,
                                    _random_cuts(rng, N * T, 6))
        assert_same_counts(cm.result(), oneshot, weighted)


def test_update_returns_self_and_single_token_chunks():
    d = _make("multiclass", 2, masked=False)
    cm = _new("multiclass")
    yt = d["yt_in"].reshape(-1)
    yp = d["yp_in"].reshape(-1, C)
    for i in range(0, 200):
        assert cm.update(yt[i:i + 1], yp[i:i + 1]) is cm
    np.testing.assert_array_equal(
        cm.result(), skm.confusion_matrix(d["yt"].reshape(-1)[:200], d["yp"].reshape(-1)[:200],
                                          labels=range(C)))


@pytest.mark.parametrize("task", TASKS)
def test_result_dtype(task):
    d = _make(task, 3)
    cm = _new(task)
    cm.update(d["yt_in"], d["yp_in"], mask=d["mask"])
    assert cm.result().dtype == np.int64
    cm.update(d["yt_in"], d["yp_in"], mask=d["mask"], sample_weight=np.ones(N))
    r = cm.result()
    assert r.dtype == np.float64
    # unweighted counts + all-ones weighted counts = twice the counts
    d0 = dict(d, sw=None, cw=None)
    np.testing.assert_array_equal(r, 2 * np.asarray(_sk_reference_cm(d0, task)))
    # integer weights are weights too: the spec says float64 once any weight was used
    cm2 = _new(task).update(d["yt_in"], d["yp_in"], mask=d["mask"],
                            sample_weight=np.full(N, 3, dtype=np.int64))
    assert cm2.result().dtype == np.float64
    np.testing.assert_array_equal(cm2.result(), 3 * np.asarray(_sk_reference_cm(d0, task)))


@pytest.mark.parametrize("task", ["multiclass", "binary"])
def test_result_dtype_class_weight_only(task):
    d = _make(task, 4, class_weight=True)
    cm = _new(task)
    cm.update(d["yt_in"], d["yp_in"], mask=d["mask"], class_weight=d["cw"])
    r = cm.result()
    assert r.dtype == np.float64
    np.testing.assert_allclose(r, _sk_reference_cm(d, task), rtol=RTOL_W)


@pytest.mark.parametrize("task", TASKS)
def test_empty_state(task):
    cm = _new(task)
    r = cm.result()
    k = _n_classes(task)
    assert r.shape == ((L, 2, 2) if task == "multilabel" else (k, k))
    assert r.dtype == np.int64
    assert not r.any()
    empty_t = np.zeros((0, T), dtype=np.int64) if task != "multilabel" else \
        np.zeros((0, T, L), dtype=np.int64)
    empty_p = np.zeros((0, T, C), dtype=np.float32) if task == "multiclass" else \
        np.zeros(empty_t.shape, dtype=np.float64)
    cm.update(empty_t, empty_p)
    assert not cm.result().any()


# --------------------------------------------------------------------------
# merge
# --------------------------------------------------------------------------


@pytest.mark.parametrize("task,weighting", TASK_WEIGHTINGS)
def test_merge_either_order(task, weighting):
    d = _data(task, weighting, seed=5)
    weighted = _is_weighted(d)
    oneshot = _oneshot(d, task)
    cut = [(0, 12), (12, N)]
    a1 = _update_by_sequences(_new(task), d, cut[:1])
    b1 = _update_by_sequences(_new(task), d, cut[1:])
    a2 = _update_by_sequences(_new(task), d, cut[:1])
    b2 = _update_by_sequences(_new(task), d, cut[1:])
    assert a1.merge(b1) is a1
    b2.merge(a2)
    assert_same_counts(a1.result(), oneshot, weighted)
    assert_same_counts(b2.result(), oneshot, weighted)
    # merging an empty state changes nothing
    a1.merge(_new(task))
    assert_same_counts(a1.result(), oneshot, weighted)


def test_merge_unweighted_with_weighted_promotes():
    d = _make("multiclass", 6, weighted=True)
    a = _new("multiclass").update(d["yt_in"][:10], d["yp_in"][:10], mask=d["mask"][:10])
    b = _new("multiclass").update(d["yt_in"][10:], d["yp_in"][10:], mask=d["mask"][10:],
                                  sample_weight=d["sw"][10:])
    a.merge(b)
    r = a.result()
    assert r.dtype == np.float64
    w = np.concatenate([np.ones(10), d["sw"][10:]])
    ytf, ypf, wf = _flat(dict(d, sw=w), C)
    np.testing.assert_allclose(r, skm.confusion_matrix(ytf, ypf, labels=range(C),
                                                       sample_weight=wf), rtol=RTOL_W)


# --------------------------------------------------------------------------
# state_dict / reset
# --------------------------------------------------------------------------


def _jsonable(obj):
    if isinstance(obj, np.ndarray):
        return {"__ndarray__": obj.tolist(), "dtype": str(obj.dtype), "shape": obj.shape}
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    return obj


def _from_jsonable(obj, like):
    if isinstance(like, np.ndarray):
        return np.asarray(obj["__ndarray__"], dtype=obj["dtype"]).reshape(obj["shape"])
    if isinstance(like, np.generic):
        return type(like)(obj)
    if isinstance(like, dict):
        return {k: _from_jsonable(obj[k], like[k]) for k in like}
    if isinstance(like, tuple):
        return tuple(_from_jsonable(o, l) for o, l in zip(obj, like))
    if isinstance(like, list):
        return [_from_jsonable(o, l) for o, l in zip(obj, like)]
    return obj


@pytest.mark.parametrize("weighting", ["none", "sample+class"])
@pytest.mark.parametrize("task", TASKS)
def test_state_dict_round_trip(task, weighting):
    d = _data(task, weighting, seed=8, ignore=True)
    weighted = _is_weighted(d)
    half = [(0, 15)]
    rest = [(15, N)]
    cm = _update_by_sequences(_new(task, -100), d, half)
    sd = cm.state_dict()
    assert isinstance(sd, dict)

    restored = [ConfusionMatrix.from_state_dict(sd),
                ConfusionMatrix.from_state_dict(pickle.loads(pickle.dumps(sd)))]
    try:
        text = json.dumps(_jsonable(sd))
    except TypeError:
        text = None  # the spec does not promise a json-able dict
    if text is not None:
        restored.append(ConfusionMatrix.from_state_dict(_from_jsonable(json.loads(text), sd)))

    for r in restored:
        assert isinstance(r, ConfusionMatrix)
        assert_same_counts(r.result(), cm.result(), weighted)
        # the restored state keeps task / num_classes / ignore_index: continuing gives the
        # one-shot result
        _update_by_sequences(r, d, rest)
        assert_same_counts(r.result(), _oneshot(d, task), weighted)


@pytest.mark.parametrize("task", ["binary", "multilabel"])  # multiclass: argmax, no threshold
def test_state_dict_keeps_threshold(task):
    d = _make(task, 12, masked=False)
    k = _n_classes(task)
    kw = {} if task == "binary" else {"num_classes": k}
    cm = ConfusionMatrix(task=task, threshold=0.8, **kw)
    sd = cm.state_dict()
    r = ConfusionMatrix.from_state_dict(sd)
    r.update(d["yt_in"], d["yp_in"])
    got = r.result()
    yp8 = (d["yp_in"] > 0.8).astype(np.int64)
    if task == "binary":
        exp = skm.confusion_matrix(d["yt"].ravel(), yp8.ravel(), labels=[0, 1])
    else:
        exp = skm.multilabel_confusion_matrix(d["yt"].reshape(-1, L), yp8.reshape(-1, L))
    np.testing.assert_array_equal(got, exp)


@pytest.mark.parametrize("task", TASKS)
def test_reset(task):
    d = _make(task, 13, weighted=True)
    cm = _new(task)
    cm.update(d["yt_in"], d["yp_in"], sample_weight=d["sw"], mask=d["mask"])
    assert cm.result().any()
    ret = cm.reset()
    assert ret is None or ret is cm
    assert not np.asarray(cm.result()).any()
    cm.update(d["yt_in"], d["yp_in"], mask=d["mask"])
    fresh = _new(task).update(d["yt_in"], d["yp_in"], mask=d["mask"])
    np.testing.assert_array_equal(cm.result(), fresh.result())


# --------------------------------------------------------------------------
# derived metrics == functional API == sklearn
# --------------------------------------------------------------------------


def check_close(got, exp, what):
    if exp is None:
        assert got is None, what
        return
    if isinstance(exp, tuple):
        assert len(got) == len(exp), what
        for g, e in zip(got, exp):
            check_close(g, e, what)
        return
    np.testing.assert_allclose(np.asarray(got, float), np.asarray(exp, float), rtol=1e-10,
                               atol=1e-12, err_msg=what)


def check_report_close(got, exp):
    assert set(got) == set(exp), (sorted(got), sorted(exp))
    for k, v in exp.items():
        if isinstance(v, dict):
            assert set(got[k]) == set(v), k
            for kk in v:
                check_close(got[k][kk], v[kk], f"{k}/{kk}")
        else:
            check_close(got[k], v, k)


def _derived_setup(task, weighting):
    d = _data(task, weighting, seed=14)
    k = _n_classes(task)
    cm = _update_by_sequences(_new(task), d, _random_cuts(np.random.default_rng(0), N, 3))
    ytf, ypf, wf = _flat(d, k)
    fkw = dict(task=task, mask=d["mask"], sample_weight=d["sw"], class_weight=d["cw"])
    if task == "multiclass":
        fkw["num_classes"] = k
    return d, list(range(k)), cm, (ytf, ypf, wf), fkw


SINGLE_AVERAGES = [(t, w, a) for t in ("multiclass", "binary") for w in ("none", "sample+class")
                   for a in ([None, "micro", "macro", "weighted"]
                             + (["binary"] if t == "binary" else []))]


@pytest.mark.parametrize("task,weighting,avg", SINGLE_AVERAGES)
def test_derived_prf_single_label(task, weighting, avg):
    d, labels, cm, (ytf, ypf, wf), fkw = _derived_setup(task, weighting)
    yt_in, yp_in = d["yt_in"], d["yp_in"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        skl = {} if avg == "binary" else {"labels": labels}
        for meth, name in (("precision", "precision_score"), ("recall", "recall_score"),
                           ("f1", "f1_score")):
            got = getattr(cm, meth)(average=avg)
            exp = getattr(skm, name)(ytf, ypf, average=avg, sample_weight=wf, **skl)
            check_close(got, exp, f"{meth} {avg} vs sklearn")
            check_close(got, getattr(fm, name)(yt_in, yp_in, average=avg, **fkw),
                 f"{meth} {avg} vs functional")
        got = cm.fbeta(0.5, average=avg)
        check_close(got, skm.fbeta_score(ytf, ypf, beta=0.5, average=avg, sample_weight=wf, **skl),
             f"fbeta {avg}")
        got = cm.precision_recall_fscore_support(beta=2.0, average=avg)
        exp = skm.precision_recall_fscore_support(ytf, ypf, beta=2.0, average=avg,
                                                  sample_weight=wf, **skl)
        check_close(tuple(got), tuple(exp), f"prfs {avg}")


@pytest.mark.parametrize("task,weighting", [(t, w) for t in ("multiclass", "binary")
                                            for w in ("none", "sample+class")])
def test_derived_other_single_label(task, weighting):
    d, labels, cm, (ytf, ypf, wf), fkw = _derived_setup(task, weighting)
    yt_in, yp_in = d["yt_in"], d["yp_in"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_close(cm.accuracy(), skm.accuracy_score(ytf, ypf, sample_weight=wf), "accuracy")
        check_close(cm.accuracy(), fm.accuracy_score(yt_in, yp_in, **fkw), "accuracy vs functional")
        for adj in (False, True):
            check_close(cm.balanced_accuracy(adjusted=adj),
                 skm.balanced_accuracy_score(ytf, ypf, sample_weight=wf, adjusted=adj),
                 f"balanced accuracy adjusted={adj}")
        check_close(cm.matthews_corrcoef(), skm.matthews_corrcoef(ytf, ypf, sample_weight=wf), "mcc")
        check_close(cm.matthews_corrcoef(), fm.matthews_corrcoef(yt_in, yp_in, **fkw),
             "mcc vs functional")
        for w in (None, "linear", "quadratic"):
            check_close(cm.cohen_kappa(weights=w),
                 skm.cohen_kappa_score(ytf, ypf, labels=labels, weights=w, sample_weight=wf),
                 f"kappa {w}")
        check_close(cm.multilabel_confusion_matrix(),
             skm.multilabel_confusion_matrix(ytf, ypf, labels=labels, sample_weight=wf), "mcm")
        check_report_close(cm.classification_report(output_dict=True),
                    skm.classification_report(ytf, ypf, labels=labels, sample_weight=wf,
                                              output_dict=True))
        names = [f"class_{i}" for i in labels]
        check_report_close(cm.classification_report(output_dict=True, target_names=names),
                    skm.classification_report(ytf, ypf, labels=labels, sample_weight=wf,
                                              output_dict=True, target_names=names))
        if wf is None:  # weighted supports print every digit: summation order shows
            assert cm.classification_report(digits=3) == skm.classification_report(
                ytf, ypf, labels=labels, digits=3)


@pytest.mark.parametrize("avg", [None, "micro", "macro", "weighted"])
@pytest.mark.parametrize("weighting", ["none", "sample"])
def test_derived_metrics_multilabel(weighting, avg):
    d = _data("multilabel", weighting, seed=15)
    cm = _update_by_sequences(_new("multilabel"), d, _random_cuts(np.random.default_rng(1), N,
                                                                    3))
    keep = d["mask"]
    Yt, Yp = d["yt"][keep], d["yp"][keep]
    Wf = None if d["sw"] is None else np.broadcast_to(d["sw"][:, None], (N, T))[keep]
    fkw = dict(task="multilabel", mask=d["mask"], sample_weight=d["sw"])
    check_close(cm.result(), skm.multilabel_confusion_matrix(Yt, Yp, sample_weight=Wf), "mcm")
    check_close(cm.multilabel_confusion_matrix(),
         skm.multilabel_confusion_matrix(Yt, Yp, sample_weight=Wf), "mcm method")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for meth, name in (("precision", "precision_score"), ("recall", "recall_score"),
                           ("f1", "f1_score")):
            got = getattr(cm, meth)(average=avg)
            check_close(got, getattr(skm, name)(Yt, Yp, average=avg, sample_weight=Wf),
                 f"{meth} {avg}")
            check_close(got, getattr(fm, name)(d["yt_in"], d["yp_in"], average=avg, **fkw),
                 f"{meth} {avg} vs functional")
        check_close(cm.fbeta(2.0, average=avg),
             skm.fbeta_score(Yt, Yp, beta=2.0, average=avg, sample_weight=Wf), "fbeta")


def test_updates_may_use_different_input_forms():
    # one state fed with ids, scores and one-hot targets in turn == sklearn on all tokens
    rng = np.random.default_rng(21)
    yt = rng.integers(0, C, size=(3, N, T))
    s = rng.standard_normal((3, N, T, C))
    yp = s.argmax(-1)
    mask = rng.random((3, N, T)) < 0.85
    sw = rng.uniform(0.5, 2.0, size=(3, N))
    cm = _new("multiclass")
    cm.update(yt[0], yp[0].astype(np.int32), mask=mask[0], sample_weight=sw[0])
    cm.update(yt[1], s[1].astype(np.float32), mask=mask[1], sample_weight=sw[1])
    cm.update(np.eye(C, dtype=np.float32)[yt[2]], s[2], mask=mask[2], sample_weight=sw[2])
    yp[1] = s[1].astype(np.float32).argmax(-1)
    w = np.broadcast_to(sw[..., None], mask.shape)
    exp = skm.confusion_matrix(yt[mask], yp[mask], labels=range(C), sample_weight=w[mask])
    assert_same_counts(cm.result(), exp, True)


def test_binary_streaming_two_unit_softmax_is_positive_class():
    # streaming counterpart of the imbalanced two-unit-softmax pain point
    rng = np.random.default_rng(22)
    y = (rng.random((N, T)) < 0.1).astype(np.int64)
    p1 = np.clip(0.5 * y + 0.6 * rng.random((N, T)), 0, 1)
    sm = np.stack([1 - p1, p1], -1).astype(np.float32)
    oh = np.eye(2, dtype=np.float32)[y]
    cm = ConfusionMatrix(task="binary")
    for a, b in ((0, 10), (10, 11), (11, N)):
        cm.update(oh[a:b], sm[a:b])
    yp = (sm[..., 1] > 0.5).astype(np.int64)
    np.testing.assert_array_equal(cm.result(), skm.confusion_matrix(y.ravel(), yp.ravel(),
                                                                    labels=[0, 1]))
    assert cm.f1(average="binary") == pytest.approx(skm.f1_score(y.ravel(), yp.ravel()),
                                                    rel=1e-12)
    assert cm.f1() == pytest.approx(skm.f1_score(y.ravel(), yp.ravel()), rel=1e-12)

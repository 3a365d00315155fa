"""Multiclass ranking drop-ins vs scikit-learn and brute-force references:
roc_auc_score(multi_class="ovo"), multiclass average_precision_score,
top_k_accuracy_score."""

import itertools
import warnings

import numpy as np
import pytest
from sklearn import metrics as skm

import fastmetrics as fm
from fastmetrics import config
from fastmetrics.ranking import _multiclass as rm


def _call(lib, name, *args, **kw):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        try:
            value = getattr(lib, name)(*args, **kw)
        except Exception as e:  # noqa: BLE001 - compared below
            value = e
    return value, sorted({(r.category.__name__, str(r.message)) for r in rec})


def _both(name, *args, **kw):
    return _call(skm, name, *args, **kw), _call(fm, name, *args, **kw)


def _assert_same(name, *args, **kw):
    """Same value (1e-10 relative) and same warnings as scikit-learn."""
    (want, want_warn), (got, got_warn) = _both(name, *args, **kw)
    assert not isinstance(want, Exception), want
    assert not isinstance(got, Exception), got
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-13)
    assert got_warn == want_warn
    return got


def _assert_same_error(name, *args, exact=True, **kw):
    """Both raise the same exception type (and message when ``exact``)."""
    (want, _), (got, _) = _both(name, *args, **kw)
    assert isinstance(want, Exception), want
    assert isinstance(got, Exception), got
    if isinstance(want, ValueError):
        assert isinstance(got, ValueError), repr(got)
    else:
        assert type(got) is type(want), (repr(got), repr(want))
    if exact:
        assert str(got) == str(want)
    return got


def _probs(rng, n, C, ties=False, dtype=np.float64):
    """Rows that sum to 1; with ``ties`` the rows are counts / 10, so equal
    scores recur within rows and across rows."""
    if ties:
        counts = rng.multinomial(10, np.ones(C) / C, size=n)
        p = counts / 10.0
    else:
        p = rng.random((n, C))
        p /= p.sum(axis=1, keepdims=True)
    return p.astype(dtype)


# ------------------------------------------------------------------ one-vs-one


def _hand_till(y, P, classes, average="macro"):
    """Pairwise brute force: AUC(a | b) = P(s_a(x_a) > s_a(x_b)) + P(=) / 2."""
    present = [c for c in classes if np.any(y == c)]
    scores, prev = [], []
    for a, b in itertools.combinations(present, 2):
        ia, ib = list(classes).index(a), list(classes).index(b)
        xa, xb = y == a, y == b

        def one(col, pos, neg):
            s = 0.0
            for u in P[pos, col]:
                for v in P[neg, col]:
                    s += 1.0 if u > v else 0.5 if u == v else 0.0
            return s / (pos.sum() * neg.sum())

        scores.append((one(ia, xa, xb) + one(ib, xb, xa)) / 2)
        prev.append((xa.sum() + xb.sum()) / len(y))
    return np.average(scores, weights=prev if average == "weighted" else None)


@pytest.mark.parametrize("C", [3, 4, 7])
@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
def test_ovo_matches_sklearn(C, ties, seed):
    rng = np.random.default_rng(100 * C + 10 * ties + seed)
    n = int(rng.integers(40, 700))
    y = rng.integers(0, C, n)
    P = _probs(rng, n, C, ties, np.float32 if seed else np.float64)
    for average in ("macro", "weighted"):
        _assert_same("roc_auc_score", y, P, multi_class="ovo", average=average)


@pytest.mark.parametrize("ties", [False, True])
def test_ovo_brute_force(ties):
    rng = np.random.default_rng(7 + ties)
    y = rng.integers(0, 4, 60)
    P = _probs(rng, 60, 4, ties)
    for average in ("macro", "weighted"):
        got = fm.roc_auc_score(y, P, multi_class="ovo", average=average)
        want = _hand_till(y, P, [0, 1, 2, 3], average)
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_ovo_weighted_core_equals_weighted_binary_auc_per_pair():
    # the core takes row weights (an extension); each pair AUC must be the
    # weighted binary ROC AUC of that pair's rows
    rng = np.random.default_rng(11)
    y = rng.integers(0, 3, 300)
    P = _probs(rng, 300, 3, ties=True)
    w = rng.random(300)
    w[:20] = 0.0
    present, auc, total = rm.ovo_pair_auc(y.astype(np.int64), P, w)
    assert present.tolist() == [0, 1, 2]
    for a, b in itertools.permutations(range(3), 2):
        rows = (y == a) | (y == b)
        want = skm.roc_auc_score(y[rows] == a, P[rows, a], sample_weight=w[rows])
        np.testing.assert_allclose(auc[a, b], want, rtol=1e-10)
    np.testing.assert_allclose(total, [w[y == c].sum() for c in range(3)])
    # integer weights == repeated rows
    wi = rng.integers(0, 4, 300)
    rep = np.repeat(np.arange(300), wi)
    for average in ("macro", "weighted"):
        np.testing.assert_allclose(
            rm.ovo_roc_auc_core(y.astype(np.int64), P, average, wi.astype(np.float64)),
            rm.ovo_roc_auc_core(y[rep].astype(np.int64), P[rep], average),
            rtol=1e-12,
        )


def test_ovo_permutation_invariant_and_signed_zero_ties():
    rng = np.random.default_rng(12)
    y = rng.integers(0, 3, 200)
    P = _probs(rng, 200, 3, ties=True)
    perm = rng.permutation(200)
    a = fm.roc_auc_score(y, P, multi_class="ovo")
    assert a == fm.roc_auc_score(y[perm], P[perm], multi_class="ovo")
    # -0.0 and +0.0 compare equal: they must tie, as in scikit-learn
    Pz = P.copy()
    Pz[Pz == 0] = -0.0
    Pz[::2][Pz[::2] == 0] = 0.0
    _assert_same("roc_auc_score", y, Pz, multi_class="ovo")


def test_ovo_labels_string_and_int_classes():
    rng = np.random.default_rng(13)
    names = np.array(["ant", "bee", "cat", "dog"])
    y = names[rng.integers(0, 4, 300)]
    P = _probs(rng, 300, 4, ties=True)
    for average in ("macro", "weighted"):
        _assert_same("roc_auc_score", y, P, multi_class="ovo", average=average)
        _assert_same("roc_auc_score", y, P, multi_class="ovo", average=average,
              labels=list(names))
        # a class in labels that y_true lacks: its column is never scored
        y3 = rng.integers(0, 3, 300)
        _assert_same("roc_auc_score", y3, P, multi_class="ovo", average=average,
              labels=[0, 1, 2, 3])
        # two classes present, three labels: multiclass because of y_score
        y2 = rng.integers(0, 2, 300)
        P3 = _probs(rng, 300, 3)
        _assert_same("roc_auc_score", y2, P3, multi_class="ovo", average=average,
              labels=[0, 1, 2])
    want = _hand_till(y3, P, [0, 1, 2, 3])
    np.testing.assert_allclose(
        fm.roc_auc_score(y3, P, multi_class="ovo", labels=[0, 1, 2, 3]), want,
        rtol=1e-12)


def test_ovo_integer_and_bool_scores():
    rng = np.random.default_rng(14)
    y = rng.integers(0, 3, 100)
    onehot = np.eye(3, dtype=np.int64)[rng.integers(0, 3, 100)]
    _assert_same("roc_auc_score", y, onehot, multi_class="ovo")
    _assert_same("roc_auc_score", y, onehot.astype(bool), multi_class="ovo")


def test_ovo_one_class_present_matches_sklearn():
    rng = np.random.default_rng(15)
    P = _probs(rng, 30, 3)
    y = np.zeros(30, dtype=int)
    (want, want_warn), (got, got_warn) = _both(
        "roc_auc_score", y, P, multi_class="ovo", labels=[0, 1, 2])
    assert np.isnan(want) and np.isnan(got)
    assert got_warn == want_warn
    _assert_same_error("roc_auc_score", y, P, multi_class="ovo", labels=[0, 1, 2],
                average="weighted")


@pytest.mark.parametrize("kw,exact", [
    (dict(sample_weight=np.ones(40)), True),
    (dict(average=None), True),
    (dict(average="micro"), True),
    (dict(average="samples"), True),
    (dict(labels=[1, 0, 2]), True),
    (dict(labels=[0, 0, 2]), True),
    (dict(labels=[0, 1, 5]), True),
    (dict(labels=[0, 1]), True),
    (dict(max_fpr=0.5), True),
    (dict(multi_class="raise"), True),
    (dict(multi_class="xx"), False),
    (dict(average="xx"), False),
])
def test_ovo_errors_match_sklearn(kw, exact):
    rng = np.random.default_rng(16)
    y = rng.integers(0, 3, 40)
    kw = dict(dict(multi_class="ovo"), **kw)
    got = _assert_same_error("roc_auc_score", y, _probs(rng, 40, 3), exact=exact, **kw)
    if not exact:
        assert next(k for k in kw if k != "multi_class" or kw[k] == "xx") in str(got)


def test_ovo_shape_and_probability_errors_match_sklearn():
    rng = np.random.default_rng(17)
    y = rng.integers(0, 3, 40)
    P = _probs(rng, 40, 3)
    _assert_same_error("roc_auc_score", y, P * 2, multi_class="ovo")
    _assert_same_error("roc_auc_score", y, P[:, 0], multi_class="ovo")
    _assert_same_error("roc_auc_score", y, np.c_[P, np.zeros(40)], multi_class="ovo")
    _assert_same_error("roc_auc_score", y, P[:-1], multi_class="ovo", exact=False)
    Q = P.copy()
    Q[5, 1] = np.nan
    _assert_same_error("roc_auc_score", y, Q, multi_class="ovo", exact=False)


def test_ovo_core_reports_first_bad_score():
    P = np.full((5, 3), 1 / 3)
    P[3, 2] = np.inf
    with pytest.raises(ValueError, match=r"row 3, column 2"):
        rm.ovo_roc_auc_core(np.array([0, 1, 2, 0, 1]), P, "macro")


# ------------------------------------------------------------------ average precision


AP_AVERAGES = [None, "micro", "macro", "weighted", "samples"]


@pytest.mark.parametrize("C", [3, 4, 7])
@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_multiclass_ap_matches_sklearn(C, ties, weighted):
    rng = np.random.default_rng(200 + 10 * C + 2 * ties + weighted)
    n = int(rng.integers(30, 400))
    y = rng.integers(0, C, n)
    P = _probs(rng, n, C, ties)
    if ties and not weighted:
        P = P * 3 - 1  # multiclass AP does not need probabilities
    w = rng.random(n) if weighted else None
    if weighted:
        w[rng.random(n) < 0.1] = 0.0
    for average in AP_AVERAGES:
        _assert_same("average_precision_score", y, P, average=average, sample_weight=w)


def test_multiclass_ap_samples_brute_force():
    rng = np.random.default_rng(21)
    y = rng.integers(0, 5, 120)
    P = _probs(rng, 120, 5, ties=True)
    w = rng.random(120)
    per_row = []
    for i in range(120):
        # AP of one row with one positive (step sum over its PR curve)
        ge = sum(1 for j in range(5) if P[i, j] >= P[i, y[i]])
        per_row.append(1.0 / ge)
    got = fm.average_precision_score(y, P, average="samples", sample_weight=w)
    np.testing.assert_allclose(got, np.average(per_row, weights=w), rtol=1e-12)
    # integer weights == repeated rows
    wi = rng.integers(0, 3, 120)
    rep = np.repeat(np.arange(120), wi)
    np.testing.assert_allclose(
        fm.average_precision_score(y, P, average="samples", sample_weight=wi),
        fm.average_precision_score(y[rep], P[rep], average="samples"), rtol=1e-12)


def test_multiclass_ap_string_labels_and_float_labels():
    rng = np.random.default_rng(22)
    names = np.array(["x", "y", "z"])
    idx = rng.integers(0, 3, 150)
    P = _probs(rng, 150, 3, ties=True)
    for average in AP_AVERAGES:
        _assert_same("average_precision_score", names[idx], P, average=average)
        _assert_same("average_precision_score", idx.astype(float) + 2, P, average=average)
        _assert_same("average_precision_score", list(idx), P, average=average)
        # (scikit-learn 1.9.1 fails on a list y_score here: AttributeError)
        np.testing.assert_allclose(
            fm.average_precision_score(list(idx), P.tolist(), average=average),
            fm.average_precision_score(idx, P, average=average), rtol=0)


def test_multiclass_ap_many_rows_samples_chunks():
    # more rows than one kernel chunk: the parallel kernel and its serial twin
    rng = np.random.default_rng(23)
    n = config.RANKING_CHUNK * 2 + 123
    y = rng.integers(0, 4, n)
    P = np.round(rng.random((n, 4)), 1)
    w = rng.random(n)
    # scikit-learn loops over the rows in Python here (slow): a numpy reference
    ge = (P >= P[np.arange(n), y][:, None]).sum(axis=1)
    np.testing.assert_allclose(
        fm.average_precision_score(y, P, average="samples", sample_weight=w),
        np.average(1.0 / ge, weights=w), rtol=1e-12)
    k = rm._kernels()
    codes = y.astype(np.int64)
    a = k.ap_samples_chunks(P, codes, w, config.RANKING_CHUNK)
    b = k.ap_samples_chunks_serial(P, codes, w, config.RANKING_CHUNK)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


@pytest.mark.parametrize("args,kw,exact", [
    ("P", dict(pos_label=2), True),
    ("P", dict(pos_label="a"), True),
    ("P4", dict(), True),
    ("P1", dict(), True),
    ("Pshort", dict(), True),
    ("P", dict(sample_weight=np.ones(19)), True),
    ("Pnan", dict(), False),
    ("Pnan", dict(average="samples"), False),
    ("P", dict(average="xx"), False),
])
def test_multiclass_ap_errors_match_sklearn(args, kw, exact):
    rng = np.random.default_rng(24)
    y = rng.integers(0, 3, 20)
    P = _probs(rng, 20, 3)
    Pnan = P.copy()
    Pnan[4, 1] = np.nan
    scores = dict(P=P, P4=np.c_[P, P[:, 0]], P1=P[:, 0], Pshort=P[:-1], Pnan=Pnan)
    got = _assert_same_error("average_precision_score", y, scores[args], exact=exact, **kw)
    if args == "Pnan":
        assert "y_score" in str(got) and "NaN" in str(got) and "4" in str(got)


def test_multiclass_ap_pos_label_one_is_accepted():
    rng = np.random.default_rng(25)
    y = rng.integers(0, 3, 50)
    P = _probs(rng, 50, 3)
    _assert_same("average_precision_score", y, P, pos_label=True)
    _assert_same("average_precision_score", y, P, pos_label=1.0)


def test_multiclass_ap_zero_weights():
    rng = np.random.default_rng(26)
    y = rng.integers(0, 3, 30)
    P = _probs(rng, 30, 3)
    _assert_same("average_precision_score", y, P, average="weighted",
          sample_weight=np.zeros(30))
    _assert_same_error("average_precision_score", y, P, average="samples",
                sample_weight=np.zeros(30))


# ------------------------------------------------------------------ top-k accuracy


def _topk_loop(y, S, classes, k, w=None):
    """Explicit loop with scikit-learn's tie rule (a stable ascending sort,
    reversed: among equal scores the higher class index ranks first)."""
    hits = []
    for i in range(len(y)):
        order = sorted(range(S.shape[1]), key=lambda j: (S[i, j], j), reverse=True)
        hits.append(list(classes).index(y[i]) in order[:k])
    hits = np.array(hits, dtype=float)
    return np.average(hits, weights=w)


@pytest.mark.parametrize("C", [3, 4, 7])
@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
def test_topk_matches_sklearn(C, ties, dtype):
    rng = np.random.default_rng(300 + C + 7 * ties)
    n = int(rng.integers(20, 500))
    y = rng.integers(0, C, n)
    if dtype is np.int64:
        S = rng.integers(-2, 3 if ties else 1000, (n, C))
    else:
        S = rng.normal(size=(n, C))
        if ties:
            S = np.round(S)
        S = S.astype(dtype)
    w = rng.random(n)
    for k in range(1, C + 2):
        for normalize in (True, False):
            _assert_same("top_k_accuracy_score", y, S, k=k, normalize=normalize)
            _assert_same("top_k_accuracy_score", y, S, k=k, normalize=normalize,
                  sample_weight=w)


def test_topk_brute_force_heavy_ties():
    rng = np.random.default_rng(31)
    y = rng.integers(0, 5, 200)
    S = rng.integers(0, 2, (200, 5)).astype(float)
    S[:10] = 0.0  # whole rows tied
    w = rng.random(200)
    for k in range(1, 5):
        np.testing.assert_allclose(fm.top_k_accuracy_score(y, S, k=k),
                                   _topk_loop(y, S, range(5), k), rtol=1e-12)
        np.testing.assert_allclose(fm.top_k_accuracy_score(y, S, k=k, sample_weight=w),
                                   _topk_loop(y, S, range(5), k, w), rtol=1e-12)
    # the tie rule itself: all scores equal, the highest index wins top-1
    assert fm.top_k_accuracy_score([0, 1, 2], np.zeros((3, 3)), k=1) == pytest.approx(1 / 3)
    assert fm.top_k_accuracy_score([2, 2, 2], np.zeros((3, 3)), k=1,
                                   labels=[0, 1, 2]) == 1.0
    # -0.0 ties with +0.0
    Z = np.array([[-0.0, 0.0, 0.0], [0.0, -0.0, 0.0], [0.0, 0.0, -0.0], [0.0, -0.0, -0.0]])
    _assert_same("top_k_accuracy_score", np.array([0, 1, 2, 0]), Z, k=1)


def test_topk_labels_string_and_int_classes():
    rng = np.random.default_rng(32)
    names = np.array(["a", "b", "c", "d"])
    idx = rng.integers(0, 4, 200)
    S = np.round(rng.random((200, 4)), 1)
    w = rng.random(200)
    for k in (1, 2, 3):
        _assert_same("top_k_accuracy_score", names[idx], S, k=k)
        _assert_same("top_k_accuracy_score", names[idx], S, k=k, labels=names, sample_weight=w)
        # y_true lacks a class: labels are needed
        y3 = rng.integers(0, 3, 200)
        _assert_same("top_k_accuracy_score", y3, S, k=k, labels=[0, 1, 2, 3])
        _assert_same("top_k_accuracy_score", np.array([10, 20, 30, 40])[idx], S, k=k)
        _assert_same("top_k_accuracy_score", idx.astype(float), S.astype(np.float32), k=k)
        # binary y_true, three labels: multiclass
        _assert_same("top_k_accuracy_score", idx % 2, S[:, :3], k=k, labels=[0, 1, 2])
    np.testing.assert_allclose(
        fm.top_k_accuracy_score(y3, S, k=2, labels=[0, 1, 2, 3]),
        _topk_loop(y3, S, [0, 1, 2, 3], 2), rtol=1e-12)


def test_topk_bool_and_list_inputs():
    rng = np.random.default_rng(33)
    y = rng.integers(0, 3, 60)
    S = rng.random((60, 3)) > 0.5
    for k in (1, 2):
        _assert_same("top_k_accuracy_score", y, S, k=k)
        _assert_same("top_k_accuracy_score", list(y), S.astype(float).tolist(), k=k,
              sample_weight=list(rng.random(60)))
    _assert_same("top_k_accuracy_score", y, S, k=True)  # bool is an Integral in sklearn


@pytest.mark.parametrize("scale", [1.0, 4.0])
def test_topk_binary_matches_sklearn(scale):
    rng = np.random.default_rng(34 + int(scale))
    y = rng.integers(0, 2, 100)
    s = rng.random(100) * scale - (scale - 1) / 2  # in [0, 1], or around 0
    s[:5] = 0.5 if scale == 1 else 0.0  # on the threshold
    w = rng.random(100)
    for k in (1, 2, 3):
        for normalize in (True, False):
            _assert_same("top_k_accuracy_score", y, s, k=k, normalize=normalize)
            _assert_same("top_k_accuracy_score", y, s, k=k, normalize=normalize,
                  sample_weight=w)
    _assert_same("top_k_accuracy_score", np.array(["no", "yes"])[y], s, k=1)
    _assert_same("top_k_accuracy_score", y * 2 - 1, s, k=1)
    _assert_same("top_k_accuracy_score", y, s.reshape(-1, 1), k=1)
    _assert_same("top_k_accuracy_score", y == 1, s, k=1)
    # one class present, labels complete the pair
    _assert_same("top_k_accuracy_score", np.zeros(100, dtype=int), s, k=1, labels=[0, 1])
    _assert_same("top_k_accuracy_score", np.ones(100, dtype=int), s, k=1, labels=[0, 1])


def test_topk_many_rows_parallel_equals_serial():
    rng = np.random.default_rng(35)
    n = config.RANKING_CHUNK * 3 + 17
    y = rng.integers(0, 6, n)
    S = np.round(rng.random((n, 6)), 2).astype(np.float32)
    w = rng.random(n)
    for k in (1, 3):
        _assert_same("top_k_accuracy_score", y, S, k=k, sample_weight=w)
    k_ = rm._kernels()
    codes = y.astype(np.int64)
    a = k_.topk_chunks(S, codes, np.int64(2), w, config.RANKING_CHUNK)
    b = k_.topk_chunks_serial(S, codes, np.int64(2), w, config.RANKING_CHUNK)
    for u, v in zip(a, b):
        assert np.array_equal(u, v)


def test_topk_non_contiguous_scores():
    rng = np.random.default_rng(36)
    y = rng.integers(0, 3, 80)
    S = np.asfortranarray(np.round(rng.random((80, 3)), 1))
    _assert_same("top_k_accuracy_score", y, S, k=1)
    S6 = np.round(rng.random((80, 6)), 1)
    _assert_same("top_k_accuracy_score", y, S6[:, ::2], k=2)


def test_topk_weight_properties():
    rng = np.random.default_rng(37)
    y = rng.integers(0, 4, 150)
    S = np.round(rng.random((150, 4)), 1)
    wi = rng.integers(0, 4, 150)
    rep = np.repeat(np.arange(150), wi)
    for k in (1, 2):
        assert fm.top_k_accuracy_score(y, S, k=k, sample_weight=wi) == pytest.approx(
            fm.top_k_accuracy_score(y[rep], S[rep], k=k), rel=1e-12)
        assert fm.top_k_accuracy_score(y, S, k=k, sample_weight=np.full(150, 3.5)) == \
            pytest.approx(fm.top_k_accuracy_score(y, S, k=k), rel=1e-12)


@pytest.mark.parametrize("case", [
    "scores_2_cols", "labels_short", "labels_unordered", "labels_dup",
    "labels_missing", "len_mismatch", "sw_len_mismatch", "scores_1d",
    "continuous", "y_2d", "binary_2d_scores", "binary_one_class", "empty",
    "zero_weights", "binary_zero_weights",
])
def test_topk_errors_match_sklearn(case):
    rng = np.random.default_rng(38)
    y = rng.integers(0, 3, 20)
    P = rng.random((20, 3))
    yb = rng.integers(0, 2, 20)
    args, kw = {
        "scores_2_cols": ((y, P[:, :2]), {}),
        "labels_short": ((y, P), dict(labels=[0, 1])),
        "labels_unordered": ((y, P), dict(labels=[1, 0, 2])),
        "labels_dup": ((y, P), dict(labels=[0, 0, 2])),
        "labels_missing": ((y, P), dict(labels=[0, 1, 5])),
        "len_mismatch": ((y, P[:-1]), {}),
        "sw_len_mismatch": ((y, P), dict(sample_weight=np.ones(19))),
        "scores_1d": ((y, P[:, 0]), {}),
        "continuous": ((y + 0.5, P), {}),
        "y_2d": ((np.c_[y, y], P), {}),
        "binary_2d_scores": ((yb, P), dict(k=1)),
        "binary_one_class": ((yb * 0, P[:, 0]), dict(k=1)),
        "empty": ((np.zeros(0, dtype=int), np.zeros((0, 3))), {}),
        "zero_weights": ((y, P), dict(sample_weight=np.zeros(20))),
        "binary_zero_weights": ((yb, P[:, 0]), dict(k=1, sample_weight=np.zeros(20))),
    }[case]
    _assert_same_error("top_k_accuracy_score", *args, exact=case != "y_2d", **kw)


@pytest.mark.parametrize("kw", [dict(k=0), dict(k=2.0), dict(k=-1), dict(k="2"),
                                dict(normalize=1), dict(normalize="yes")])
def test_topk_parameter_errors_name_the_argument(kw):
    rng = np.random.default_rng(39)
    y = rng.integers(0, 3, 20)
    got = _assert_same_error("top_k_accuracy_score", y, rng.random((20, 3)), exact=False, **kw)
    assert next(iter(kw)) in str(got)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_topk_nonfinite_scores_name_the_first_bad_row(bad):
    rng = np.random.default_rng(40)
    y = rng.integers(0, 3, 20)
    P = rng.random((20, 3))
    P[7, 2] = bad
    P[9, 0] = bad
    got = _assert_same_error("top_k_accuracy_score", y, P, exact=False)
    assert "y_score" in str(got) and "row 7" in str(got)
    s = rng.random(20)
    s[3] = bad
    got = _assert_same_error("top_k_accuracy_score", y % 2, s, k=1, exact=False)
    assert "row 3" in str(got)


def test_topk_rejects_negative_and_nan_weights():
    # a deliberate difference: scikit-learn averages with them (nan or a
    # meaningless value); fastmetrics names the weight (as accuracy_score does)
    rng = np.random.default_rng(41)
    y = rng.integers(0, 3, 20)
    P = rng.random((20, 3))
    for bad in (-1.0, np.nan):
        w = np.ones(20)
        w[6] = bad
        with pytest.raises(ValueError, match="sample_weight.*index 6"):
            fm.top_k_accuracy_score(y, P, sample_weight=w)


def test_top_k_is_public():
    assert "top_k_accuracy_score" in fm.__all__
    assert fm.top_k_accuracy_score is fm.ranking.top_k_accuracy_score

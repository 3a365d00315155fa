"""The public state API the Keras bridge builds on: ``AUC.batch_deltas``,
``tables`` / ``load_tables``, ``bin_map``, the ``ignore_index`` setting;
``ConfusionMatrix.confusion_matrix``; ``Loss`` on the common state base."""

import numpy as np
import pytest

import fastmetrics as fm
from fastmetrics import config
from fastmetrics.streaming import AUC, ConfusionMatrix, Loss

TABLES = ("table", "moments", "moments2", "sq_weights")


def _flat_sum(state, cells, deltas):
    """A copy of ``state``'s tables with the deltas added at the cells."""
    out = {}
    for name in TABLES:
        flat = state.state_dict()[name].reshape(-1).copy()
        np.add.at(flat, cells, deltas[name])
        out[name] = flat.reshape(state.state_dict()[name].shape)
    return out


def _batches(rng):
    n = 500
    y = rng.integers(0, 2, n)
    s = rng.random(n)
    w = rng.uniform(0, 3, n)
    yc = rng.integers(0, 4, (20, 15))
    sc = rng.random((20, 15, 4)).astype(np.float32)
    mask = rng.random((20, 15)) < 0.8
    two = np.stack([1 - s, s], axis=1)
    onehot = np.stack([1 - y, y], axis=1)
    yml = rng.integers(0, 2, (60, 3))
    sml = rng.random((60, 3))
    return [
        (dict(), (y, s), dict(sample_weight=w)),
        (dict(), (onehot, two), dict()),  # two-unit output, scored on column 1
        (dict(), (y, s.astype(np.float16)), dict()),
        (dict(scores="probability"), (y, s), dict(mask=rng.random(n) < 0.5)),
        (dict(task="multiclass", num_classes=4), (yc, sc),
         dict(mask=mask, sample_weight=rng.uniform(0, 2, 20), class_weight=[1, 2, 1, 0.5])),
        (dict(task="multilabel", num_classes=3, curve="PR"), (yml, sml),
         dict(ignore_index=1)),
        (dict(), (y[:0], s[:0]), dict()),
    ]


def _make(kw):
    kw = dict(kw)
    return AUC(kw.pop("curve", "ROC"), bins=2**8, **kw)


def test_batch_deltas_are_what_update_adds_and_leave_the_state_unchanged(rng):
    for kw, (yt, ys), extra in _batches(rng):
        fresh = _make(kw)
        before = fresh.state_dict()
        cells, deltas = fresh.batch_deltas(yt, ys, **extra)
        after = fresh.state_dict()
        for key in before:
            np.testing.assert_array_equal(after[key], before[key], err_msg=key)
        assert cells.dtype == np.int64 and set(deltas) == set(TABLES)
        assert all(d.shape == cells.shape and d.dtype == np.float64 for d in deltas.values())
        assert np.unique(cells).size == cells.size
        neg, pos = cells[cells % 2 == 0], cells[cells % 2 == 1]
        np.testing.assert_array_equal(cells, np.concatenate([neg, pos]))
        assert np.all(np.diff(neg) > 0) and np.all(np.diff(pos) > 0)
        # on a fresh state: exactly what update adds
        updated = _make(kw).update(yt, ys, **extra)
        summed = _flat_sum(fresh, cells, deltas)
        for name in TABLES:
            np.testing.assert_array_equal(summed[name], updated.state_dict()[name],
                                          err_msg=name)
        # a state holding data gives the same deltas
        busy = _make(kw).update(yt, ys, **extra)
        cells2, deltas2 = busy.batch_deltas(yt, ys, **extra)
        np.testing.assert_array_equal(cells2, cells)
        for name in TABLES:
            np.testing.assert_array_equal(deltas2[name], deltas[name])
        np.testing.assert_array_equal(busy.state_dict()["table"],
                                      updated.state_dict()["table"])


def test_batch_deltas_on_the_parallel_path(monkeypatch):
    monkeypatch.setattr(config, "PART_MIN_SCORES", 1 << 14)
    rng = np.random.default_rng(8)
    n = 200_000
    s = rng.random(n)
    y = (rng.random(n) < s).astype(np.int8)
    for w in (None, rng.uniform(0, 2, n)):
        st = AUC(bins=2**8)
        cells, deltas = st.batch_deltas(y, s, sample_weight=w)
        ref = AUC(bins=2**8).update(y, s, sample_weight=w)
        summed = _flat_sum(st, cells, deltas)
        for name in TABLES:
            np.testing.assert_array_equal(summed[name], ref.state_dict()[name])
        assert st.state_dict()["unit_weights"] is True


def test_batch_deltas_errors_are_update_errors_and_change_nothing():
    st = AUC(bins=2**8).update([0, 1, 1], [0.2, 0.6, 0.7])
    before = st.state_dict()
    for args in (([0, 1], [0.1, np.nan]), ([0, 3], [0.1, 0.2])):
        with pytest.raises(ValueError) as from_update:
            AUC(bins=2**8).update(*args)
        with pytest.raises(ValueError) as from_deltas:
            st.batch_deltas(*args)
        assert str(from_deltas.value) == str(from_update.value)
    after = st.state_dict()
    for key in before:
        np.testing.assert_array_equal(after[key], before[key])
    with pytest.raises(ValueError, match="needs mode='binned'"):
        AUC(mode="exact").batch_deltas([0, 1], [0.1, 0.2])


def test_tables_and_load_tables_round_trip(rng):
    y = rng.integers(0, 4, 400)
    s = rng.random((400, 4))
    w = rng.uniform(0, 2, 400)
    for curve in ("ROC", "PR"):
        a = AUC(curve, task="multiclass", num_classes=4, bins=2**8).update(
            y, s, sample_weight=w)
        tables = a.tables()
        assert set(tables) == set(TABLES)
        for name, arr in tables.items():
            assert arr.shape == (4, 2**8, 2) and arr.dtype == np.float64
            assert not arr.flags.writeable
            np.testing.assert_array_equal(arr, a.state_dict()[name])
        b = AUC(curve, task="multiclass", num_classes=4, bins=2**8)
        flat = {name: np.array(arr).reshape(-1) for name, arr in tables.items()}
        assert b.load_tables(unit_weights=False, **flat) is b
        np.testing.assert_array_equal(b.result(), a.result())
        np.testing.assert_array_equal(b.error_bound(), a.error_bound())
    # ROC reads the weights and first moments only
    roc = AUC("ROC", bins=2**8).update(y == 1, s[:, 1])
    t = roc.tables()
    c = AUC("ROC", bins=2**8).load_tables(unit_weights=True, table=t["table"],
                                          moments=t["moments"])
    assert c.result() == roc.result() and c.error_bound() == roc.error_bound()
    with pytest.raises(ValueError, match="needs mode='binned'"):
        AUC(mode="exact").tables()


def test_load_tables_tie_tolerance_for_float32_statistics(rng):
    p = rng.choice(np.array([0.1, 0.35, 0.5, 0.8]), 3000)
    y = (rng.random(3000) < p).astype(np.int8)
    w = rng.uniform(0.5, 2, 3000)
    a = AUC("PR", bins=2**12, scores="probability").update(y, p, sample_weight=w)
    f32 = {name: arr.astype(np.float32) for name, arr in a.tables().items()}
    b = AUC("PR", bins=2**12, scores="probability")
    b.load_tables(unit_weights=False, tie_tol=AUC.FLOAT32_TIE_TOL, **f32)
    exact = fm.average_precision_score(y, p, sample_weight=w)
    assert abs(b.result() - exact) < 1e-6
    # back to the float64 tolerance
    b.load_tables(unit_weights=False, **a.tables())
    assert b.result() == a.result()


def test_bin_map():
    lo, hi, M = AUC(bins=2**10).bin_map
    assert all(isinstance(v, int) for v in (lo, hi, M))
    assert (lo, M) == (0, 2**10)
    lo_p, hi_p, _ = AUC(bins=2**10, scores="probability").bin_map
    assert 0 < lo_p < hi_p < hi


@pytest.mark.parametrize("mode", ["binned", "exact"])
def test_ignore_index_in_the_constructor(rng, mode):
    y = rng.integers(0, 2, 300)
    y[::7] = -1
    s = rng.random(300)
    ref = AUC(mode=mode, bins=2**8).update(y, s, ignore_index=-1)
    a = AUC(mode=mode, bins=2**8, ignore_index=-1).update(y, s)
    assert a.result() == ref.result()
    # a per-call value overrides the constructor's
    b = AUC(mode=mode, bins=2**8, ignore_index=5).update(y, s, ignore_index=-1)
    assert b.result() == ref.result()
    with pytest.raises(ValueError, match="label outside"):
        AUC(mode=mode, bins=2**8, ignore_index=5).update(y, s)
    # saved only when set; a state without it loads with None
    assert a.state_dict()["ignore_index"] == -1
    assert "ignore_index" not in AUC(mode=mode).state_dict()
    back = AUC.from_state_dict(a.state_dict())
    assert back.ignore_index == -1 and back.result() == a.result()
    assert AUC.from_state_dict(AUC(mode=mode).state_dict()).ignore_index is None
    with pytest.raises(ValueError, match="different ignore_index"):
        AUC(mode=mode, bins=2**8).merge(a)
    with pytest.raises(ValueError, match="ignore_index must be an integer"):
        AUC(ignore_index=1.5)


def test_confusion_matrix_method_equals_the_function(rng):
    y = rng.integers(0, 3, 200)
    p = rng.integers(0, 3, 200)
    w = rng.uniform(0, 2, 200)
    for sw in (None, w, np.ones(200)):
        cm = ConfusionMatrix("multiclass", 3).update(y, p, sample_weight=sw)
        for normalize in (None, "true", "pred", "all"):
            got = cm.confusion_matrix(normalize=normalize)
            ref = fm.confusion_matrix(y, p, sample_weight=sw, normalize=normalize,
                                      task="multiclass", num_classes=3)
            assert got.dtype == ref.dtype
            np.testing.assert_array_equal(got, ref)
    with pytest.raises(ValueError, match="normalize must be one of"):
        cm.confusion_matrix(normalize="rows")
    with pytest.raises(ValueError, match="multilabel"):
        ConfusionMatrix("multilabel", 2).confusion_matrix()


def test_loss_state_on_the_common_base(rng):
    y = rng.integers(0, 2, 50)
    p = rng.random(50)
    a = Loss("binary_crossentropy").update(y, p)
    state = a.state_dict()
    assert list(state) == ["version", "kind", "loss", "options", "loss_sum", "weight_sum",
                           "count"]
    assert all(isinstance(state[k], float) for k in ("loss_sum", "weight_sum", "count"))
    b = Loss.from_state_dict(state).merge(Loss("binary_crossentropy").update(y, p))
    assert b.count == 100 and b.result() == pytest.approx(a.result(), rel=1e-12)
    with pytest.raises(ValueError, match="version 7 is not supported"):
        Loss.from_state_dict({**state, "version": 7})
    with pytest.raises(ValueError, match="not a streaming.Loss state_dict"):
        Loss.from_state_dict([state])

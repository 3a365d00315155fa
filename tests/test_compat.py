"""States and a .keras model saved by an earlier fastmetrics still load and
give the values that version computed (fixtures written by
tests/data/make_compat_fixtures.py at the commit named in compat_meta.json)."""

import json
import os
import pickle
from pathlib import Path

import numpy as np
import pytest

from fastmetrics import streaming

DATA = Path(__file__).resolve().parent / "data"


def _states():
    with open(DATA / "compat_states.pkl", "rb") as f:
        return pickle.load(f)


STATES = _states()


@pytest.mark.parametrize("name", sorted(STATES))
def test_state_dict_of_earlier_version_loads(name):
    state, expected = STATES[name]
    cls = getattr(streaming, state["kind"])
    obj = cls.from_state_dict(state)
    for method, value in expected.items():
        if method == "result":
            got = obj.result()
        elif method == "bound":
            got = obj.error_bound()
        elif method == "f1_macro":
            got = obj.f1(average="macro")
        elif method == "mcc":
            got = obj.matthews_corrcoef()
        else:
            got = getattr(obj, method)()
        np.testing.assert_array_equal(np.asarray(got), np.asarray(value), err_msg=method)
    # and the layout written today is the layout read back
    again = obj.state_dict()
    assert set(again) == set(state)
    for key, value in state.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(again[key], value, err_msg=key)
        else:
            assert again[key] == value, key


def test_keras_model_of_earlier_version_loads():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "tensorflow":
        pytest.skip("the fixture model was saved under the TensorFlow backend")
    import fastmetrics.keras  # noqa: F401  (registers the classes, as a user's import does)

    meta = json.loads((DATA / "compat_meta.json").read_text())
    data = np.load(DATA / "compat_model_data.npz")
    model = keras.saving.load_model(DATA / "compat_model.keras")  # no custom_objects
    values = model.evaluate(data["X"], data["y"], verbose=0, return_dict=True)
    assert set(values) == set(meta["keras_values"])
    for key, value in meta["keras_values"].items():
        np.testing.assert_allclose(np.asarray(values[key]), np.asarray(value), rtol=1e-6,
                                   err_msg=key)

"""The bridge between a Keras 3 metric and a fastmetrics streaming state.

A Keras metric here holds nothing but the *additive* arrays of a streaming
state (:mod:`fastmetrics.streaming`) as Keras variables (float64, summed
across replicas).  Each batch:

1. a host call builds a fresh streaming state, ``update``\\ s it with the
   batch (the library's kernels: validation, mask, weights, class weights)
   and returns its additive arrays;
2. the variables add them (``assign_add``) — so the epoch state is exactly
   the sum of the batch states, which is what ``merge`` does;

and ``result()`` rebuilds a streaming state from the variables with
``from_state_dict`` and asks it for the value (the library's compute).  No
metric formula lives in this package.

Host calls by backend: TensorFlow ``tf.numpy_function`` (eager and graph
mode, ``jit_compile=False``), JAX ``jax.pure_callback`` (inside ``jax.jit``),
PyTorch eager conversion to NumPy.
"""

from __future__ import annotations

import numpy as np

import keras
from keras import ops


def _backend():
    return keras.backend.backend()


def state_dtype():
    """float64 where the backend holds it (JAX only with ``jax_enable_x64``)."""
    if _backend() == "jax":
        import jax

        if not jax.config.jax_enable_x64:
            return "float32"
    return "float64"


def host_call(fn, inputs, out_shapes, out_dtype):
    """Run ``fn(*numpy arrays) -> list of arrays`` on the host from any backend.

    ``out_shapes``: the static shape of every output (all ``out_dtype``).
    """
    backend = _backend()
    if backend == "tensorflow":
        import tensorflow as tf

        outs = tf.numpy_function(fn, list(inputs), [tf.as_dtype(out_dtype)] * len(out_shapes),
                                 stateful=False)
        if not isinstance(outs, (list, tuple)):
            outs = [outs]
        for o, shape in zip(outs, out_shapes):
            o.set_shape(shape)
        return list(outs)
    if backend == "jax":
        import jax

        specs = [jax.ShapeDtypeStruct(tuple(s), np.dtype(out_dtype)) for s in out_shapes]

        def call(*arrays):
            return [np.asarray(o, dtype=out_dtype) for o in fn(*arrays)]

        return list(jax.pure_callback(call, specs, *inputs, vmap_method="sequential"))
    # torch (and numpy): eager
    arrays = [ops.convert_to_numpy(x) for x in inputs]
    return [ops.convert_to_tensor(np.asarray(o, dtype=out_dtype)) for o in fn(*arrays)]


def _keras_mask(y_pred):
    """The mask Keras attached to ``y_pred`` (e.g. from ``Embedding(mask_zero=True)``),
    found the way Keras' own metrics find it."""
    try:
        from keras.src.backend.common.masking import get_keras_mask
    except ImportError:  # layout of other Keras 3 releases
        return getattr(y_pred, "_keras_mask", None)
    return get_keras_mask(y_pred)


class StreamingMetric(keras.metrics.Metric):
    """Base class: a Keras metric over a fastmetrics streaming state.

    Subclasses define ``_new_state()`` (a fresh streaming state), ``_fields``
    (the additive array entries of its ``state_dict``), ``_value(state)``
    (the result, a NumPy array or float) and ``_result_shape``.
    """

    _fields: tuple = ()
    _result_shape: tuple = ()
    #: fields updated by sparse deltas: the host returns (flat indices, values)
    #: of the cells a batch touched, added with a scatter (TensorFlow), so a
    #: large table costs O(batch) per step, not O(table)
    _sparse_fields: tuple = ()

    def __init__(self, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        template = self._new_state().state_dict()
        self._template = template
        self._state_dtype = state_dtype()
        self._shapes = [np.shape(template[f]) for f in self._fields]
        # sparse fields are held flat
        var_shapes = [(int(np.prod(shape)),) if f in self._sparse_fields else shape
                      for f, shape in zip(self._fields, self._shapes)]
        self._state_vars = [
            self.add_variable(shape=shape, initializer="zeros", dtype=self._state_dtype,
                              aggregation="sum", name=f)
            for f, shape in zip(self._fields, var_shapes)
        ]

    # -- subclass hooks -------------------------------------------------------
    def _new_state(self):
        raise NotImplementedError

    def _value(self, state):
        raise NotImplementedError

    def _check_shapes(self, y_true, y_pred):
        """Static checks at trace time (shapes known before any data)."""

    def _update_kwargs(self):
        return {}

    # -- Keras protocol -------------------------------------------------------
    def _fail(self, exc):
        return ValueError(f"{self.name} ({type(self).__name__}): {exc}")

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add a batch: ``y_true``, ``y_pred`` (Keras' mask on ``y_pred`` is
        honoured) and ``sample_weight`` of shape (N,) or (N, T)."""
        try:
            self._check_shapes(y_true, y_pred)
        except ValueError as exc:
            raise self._fail(exc) from None
        mask = _keras_mask(y_pred)
        inputs = [y_true, y_pred]
        has_w = sample_weight is not None
        has_m = mask is not None
        if has_w:
            inputs.append(sample_weight)
        if has_m:
            inputs.append(mask)
        sd = self._state_dtype
        sparse = _backend() == "tensorflow" and bool(self._sparse_fields)

        def host(*arrays):
            yt, yp = arrays[0], arrays[1]
            k = 2
            w = m = None
            if has_w:
                w = arrays[k]
                k += 1
            if has_m:
                m = np.asarray(arrays[k], dtype=bool)
            try:
                deltas = self._batch_deltas(yt, yp, w, m)
            except ValueError as exc:
                raise self._fail(exc) from None
            out = []
            for f, d in zip(self._fields, deltas):
                if f in self._sparse_fields:
                    idx, vals = d
                    if sparse:
                        out += [idx.astype(sd), np.asarray(vals, dtype=sd)]
                    else:  # dense fallback
                        dense = np.zeros(int(np.prod(self._shapes[self._fields.index(f)])),
                                         dtype=sd)
                        dense[idx] = vals
                        out.append(dense)
                else:
                    out.append(np.asarray(d, dtype=sd))
            return out

        shapes = []
        for f, shape in zip(self._fields, self._shapes):
            if f in self._sparse_fields:
                shapes += [(None,), (None,)] if sparse else [(int(np.prod(shape)),)]
            else:
                shapes.append(shape)
        outs = host_call(host, inputs, shapes, sd)
        k = 0
        for f, var in zip(self._fields, self._state_vars):
            if f in self._sparse_fields and sparse:
                import tensorflow as tf

                idx = tf.cast(outs[k], tf.int64)[:, None]
                tf_var = var.value
                if isinstance(tf_var, tf.distribute.DistributedValues):
                    # a replica's sync-on-read copy takes no scatter: add the
                    # batch densely (O(table) per step under tf.distribute)
                    var.assign_add(tf.scatter_nd(idx, outs[k + 1], var.shape))
                else:
                    tf_var.scatter_nd_add(idx, outs[k + 1])
                k += 2
            else:
                var.assign_add(outs[k])
                k += 1

    def _batch_deltas(self, yt, yp, w, m):
        """Per field, the batch's additive contribution (dense array, or
        (flat indices, values) for a sparse field)."""
        st = self._new_state()
        st.update(yt, yp, sample_weight=w, mask=m, **self._update_kwargs())
        d = st.state_dict()
        return [d[f] for f in self._fields]

    def _state_from(self, arrays):
        d = dict(self._template)
        for f, a, shape in zip(self._fields, arrays, self._shapes):
            d[f] = np.asarray(a, dtype=np.float64).reshape(shape)
        return self._fixup(d)

    def _fixup(self, d):
        """Adjust non-additive entries of a rebuilt state_dict (flags)."""
        return d

    def _rebuild(self, arrays):
        return type(self._new_state()).from_state_dict(self._state_from(arrays))

    def result(self):
        out_dtype = self.dtype

        def host(*arrays):
            return [np.asarray(self._value(self._rebuild(arrays)), dtype=out_dtype)]

        # read values (under tf.distribute, summed over replicas when read in
        # cross-replica context, e.g. the epoch-end result)
        values = [ops.convert_to_tensor(v) for v in self._state_vars]
        return host_call(host, values, [self._result_shape], out_dtype)[0]

    def state(self):
        """The epoch state so far as a fastmetrics streaming state (eager)."""
        return self._rebuild([ops.convert_to_numpy(ops.convert_to_tensor(v))
                              for v in self._state_vars])

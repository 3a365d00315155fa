"""The bridge between a Keras 3 metric and a fastmetrics streaming state.

A Keras metric here holds nothing but the *additive* arrays of a streaming
state (:mod:`fastmetrics.streaming`) as Keras variables (float64, summed
across replicas).  Each batch:

1. a host call builds a fresh streaming state, ``update``\\ s it with the
   batch (the library's kernels: validation, mask, weights, class weights)
   and returns its additive arrays (AUC: only the table cells the batch
   adds to, from ``batch_deltas``);
2. the variables add them (``assign_add``) — so the epoch state is exactly
   the sum of the batch states, which is what ``merge`` does;

and ``result()`` rebuilds a streaming state from the variables with
``from_state_dict`` (or, for AUC, ``load_tables``) and asks it for the value
(the library's compute).  No metric formula lives in this package; it uses
the states' public methods only.

The metric classes live by family in ``classification``, ``ranking`` and
``losses``; this module holds what they share.

Host calls by backend: TensorFlow ``tf.numpy_function`` (eager and graph
mode, ``jit_compile=False``), JAX ``jax.pure_callback`` (inside ``jax.jit``),
PyTorch eager conversion to NumPy.
"""

from __future__ import annotations

import warnings

import numpy as np

import keras
from keras import ops

from . import _xla

#: the package name of every class's registration (``fastmetrics>ClassName``)
PACKAGE = "fastmetrics"
TASKS = ("binary", "multiclass", "multilabel")
#: flat cell indices travel as int32 below this many cells, else as int64
INT32_CELLS = 2**31


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

    ``out_shapes``: the static shape of every output; ``out_dtype``: one dtype
    for all outputs, or a list (one per output).
    """
    dtypes = list(out_dtype) if isinstance(out_dtype, (list, tuple)) \
        else [out_dtype] * len(out_shapes)
    backend = _backend()
    if backend == "tensorflow":
        import tensorflow as tf

        outs = tf.numpy_function(fn, list(inputs), [tf.as_dtype(d) for d in dtypes],
                                 stateful=not inputs)
        if not isinstance(outs, (list, tuple)):
            outs = [outs]
        for o, shape in zip(outs, out_shapes):
            o.set_shape(shape)
        return list(outs)
    if backend == "jax":
        import jax

        specs = [jax.ShapeDtypeStruct(tuple(s), np.dtype(d))
                 for s, d in zip(out_shapes, dtypes)]

        def call(*arrays):
            return [np.asarray(o, dtype=d) for o, d in zip(fn(*arrays), dtypes)]

        return list(jax.pure_callback(call, specs, *inputs, vmap_method="sequential"))
    # torch (and numpy): eager
    arrays = [ops.convert_to_numpy(x) for x in inputs]
    return [ops.convert_to_tensor(np.asarray(o, dtype=d)) for o, d in zip(fn(*arrays), dtypes)]


def _static_size(x):
    """Number of elements of ``x`` when its shape is fully static, else None."""
    shape = getattr(x, "shape", None)
    if shape is None or any(d is None for d in shape):
        return None
    return int(np.prod(tuple(shape)))


def _scatter_add(var, idx, vals):
    """``var[idx] += vals`` on a flat variable (indices may repeat; padding
    entries add 0 to cell 0), without touching the rest of the table."""
    backend = _backend()
    if backend == "tensorflow":
        import tensorflow as tf

        idx = tf.cast(idx, tf.int64)[:, None]
        tf_var = var.value
        if isinstance(tf_var, tf.distribute.DistributedValues):
            # a replica's sync-on-read copy takes no scatter: add the batch
            # densely (O(table) per step under tf.distribute)
            var.assign_add(tf.scatter_nd(idx, vals, var.shape))
        else:
            tf_var.scatter_nd_add(idx, vals)
    elif backend == "jax":
        var.assign(var.value.at[idx].add(vals))
    elif backend == "torch":
        import torch

        with torch.no_grad():
            var.value.index_add_(0, idx.to(torch.int64), vals.to(var.value.dtype))
    else:  # numpy
        table = np.array(var.value)
        np.add.at(table, np.asarray(idx), np.asarray(vals))
        var.assign(table)


def _now():
    import time

    return time.monotonic()


def _symbolic():
    """Inside Keras' shape inference (``compute_output_spec``): the PyTorch
    backend may run it on placeholder tensors filled with ones, which are not
    data — the metric must neither validate nor count them."""
    try:
        from keras.src.backend.common.symbolic_scope import in_symbolic_scope
    except ImportError:
        return False
    return in_symbolic_scope()


def _keras_mask(y_pred):
    """The mask Keras attached to ``y_pred`` (e.g. from ``Embedding(mask_zero=True)``),
    found the way Keras' own metrics find it."""
    try:
        from keras.src.backend.common.masking import get_keras_mask
    except ImportError:  # layout of other Keras 3 releases
        return getattr(y_pred, "_keras_mask", None)
    return get_keras_mask(y_pred)


def register(cls):
    """Register a metric class for ``.keras`` saving as ``fastmetrics>ClassName``
    (the names models saved by every version of this package refer to)."""
    return keras.saving.register_keras_serializable(package=PACKAGE)(cls)


def resolve_task(task, num_classes):
    """``(task, num_classes)`` of a metric: task None is "binary" for
    ``num_classes`` None or 2, else "multiclass"; binary has 2 classes."""
    if task is None:
        task = "binary" if num_classes in (None, 2) else "multiclass"
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS} (or None); got {task!r}.")
    if task == "binary":
        if num_classes not in (None, 2):
            raise ValueError(
                f"num_classes must be 2 (or None) with task='binary'; got {num_classes!r}."
            )
        return task, 2
    if num_classes is None:
        raise ValueError(f"num_classes is required for task={task!r}.")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) \
            or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer; got {num_classes!r}.")
    return task, int(num_classes)


def static_last(x):
    """``(size of the last axis or None, rank)`` of ``x``'s static shape."""
    shape = getattr(x, "shape", None)
    if shape is None or len(shape) == 0:
        return None, 0
    last = shape[-1]
    return (None if last is None else int(last)), len(shape)


def quietly(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` with warnings silenced (a metric's value during
    training: undefined values have their documented fallback)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


class _DeltaLayout:
    """How one batch's additive state travels from the host call to the
    variables.

    A dense field travels as an array of its shape.  A sparse field travels
    as (flat cell indices, values), O(batch) per step, added with a scatter;
    JAX needs static output shapes, so there both are padded to the most
    cells a batch can touch (padding adds 0 to cell 0), and a batch of
    unknown size falls back to a dense flat array.
    """

    def __init__(self, metric, n_scores):
        self.fields = metric._fields
        self.sparse_fields = metric._sparse_fields
        self.shapes = metric._shapes
        self.dtype = metric._state_dtype
        self.pad = None
        self.sparse = bool(self.sparse_fields)
        if self.sparse and _backend() == "jax":
            self.pad = metric._max_cells(n_scores)
            self.sparse = self.pad is not None
        # int32 indices (all JAX holds without x64) unless a table has
        # 2**31 cells or more
        cells = max([int(np.prod(shape)) for f, shape in zip(self.fields, self.shapes)
                     if f in self.sparse_fields] or [0])
        self.index_dtype = "int32" if cells < INT32_CELLS else "int64"

    def _travels_sparse(self, field):
        return self.sparse and field in self.sparse_fields

    def specs(self):
        """(shapes, dtypes) of the host call's outputs."""
        shapes, dtypes = [], []
        for f, shape in zip(self.fields, self.shapes):
            if self._travels_sparse(f):
                shapes += [(self.pad,), (self.pad,)]
                dtypes += [self.index_dtype, self.dtype]
            elif f in self.sparse_fields:
                shapes.append((int(np.prod(shape)),))
                dtypes.append(self.dtype)
            else:
                shapes.append(shape)
                dtypes.append(self.dtype)
        return shapes, dtypes

    def pack(self, deltas):
        """The host call's outputs for the batch's per-field deltas (dense
        arrays, or (flat indices, values) for sparse fields)."""
        out = []
        for f, shape, d in zip(self.fields, self.shapes, deltas):
            if f not in self.sparse_fields:
                out.append(np.asarray(d, dtype=self.dtype))
                continue
            idx, vals = d
            if not self.sparse:
                dense = np.zeros(int(np.prod(shape)), dtype=self.dtype)
                dense[idx] = vals
                out.append(dense)
                continue
            if self.pad is not None:
                idx = np.concatenate([idx, np.zeros(self.pad - idx.size, idx.dtype)])
                vals = np.concatenate([vals, np.zeros(self.pad - vals.size)])
            out += [idx.astype(self.index_dtype), np.asarray(vals, dtype=self.dtype)]
        return out

    def add(self, variables, outs):
        """Add the host call's outputs to the metric's variables."""
        k = 0
        for f, var in zip(self.fields, variables):
            if self._travels_sparse(f):
                _scatter_add(var, outs[k], outs[k + 1])
                k += 2
            else:
                var.assign_add(outs[k])
                k += 1


class StreamingMetric(keras.metrics.Metric):
    """Base class: a Keras metric over a fastmetrics streaming state.

    Subclasses define ``_new_state()`` (a fresh streaming state), ``_fields``
    (the additive array entries of its ``state_dict``), ``_value(state)``
    (the result, a NumPy array or float) and ``_result_shape``.
    """

    _fields: tuple = ()
    _result_shape: tuple = ()
    #: fields updated by sparse deltas: the host returns (flat indices, values)
    #: of the cells a batch touched, added with a scatter, so a large table
    #: costs O(batch) per step, not O(table)
    _sparse_fields: tuple = ()
    #: Per-step values of metrics whose value reads a large table (AUC) are
    #: recomputed at most this often inside a training / evaluation step (the
    #: progress bar shows the last one): compiled TensorFlow and JAX steps, and
    #: PyTorch results that follow an update.  Keras' epoch-end
    #: ``get_metrics_result()`` always computes.  None: every step.
    _step_result_interval_s = None

    def __init__(self, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        template = self._new_state().state_dict()
        self._state_dtype = state_dtype()
        self._shapes = [np.shape(template[f]) for f in self._fields]
        # the non-additive entries; the arrays come from the variables (and no
        # table the metric does not carry is kept)
        self._template = {k: (None if k in self._fields or isinstance(v, np.ndarray) else v)
                          for k, v in template.items()}
        # sparse fields are held flat
        var_shapes = [(int(np.prod(shape)),) if f in self._sparse_fields else shape
                      for f, shape in zip(self._fields, self._shapes)]
        self._state_vars = [
            self.add_variable(shape=shape, initializer="zeros", dtype=self._state_dtype,
                              aggregation="sum", name=f)
            for f, shape in zip(self._fields, var_shapes)
        ]
        # tokens an XLA-compiled update could not reject (the eager result raises)
        self._invalid = self.add_variable(shape=(), initializer="zeros",
                                          dtype=self._state_dtype, aggregation="sum",
                                          name="invalid_tokens")

    # -- subclass hooks -------------------------------------------------------
    def _new_state(self):
        raise NotImplementedError

    def _value(self, state):
        raise NotImplementedError

    def _check_shapes(self, y_true, y_pred):
        """Static checks at trace time (shapes known before any data)."""

    def _max_cells(self, n_scores):
        """The most cells of a sparse field one batch of ``n_scores`` score
        elements can touch (None: unknown, use dense deltas)."""
        return None

    def _batch_deltas(self, yt, yp, w, m):
        """Per field, the batch's additive contribution (dense array, or
        (flat indices, values) for a sparse field)."""
        st = self._new_state()
        st.update(yt, yp, sample_weight=w, mask=m)
        d = st.state_dict()
        return [d[f] for f in self._fields]

    def _xla_deltas(self, y_true, y_pred, sample_weight, mask):
        """([per-field delta], invalid token count) as TensorFlow tensors."""
        raise NotImplementedError(
            f"{type(self).__name__} has no XLA update; compile with jit_compile=False."
        )

    def _fixup(self, d):
        """Adjust non-additive entries of a rebuilt state_dict (flags)."""
        return d

    # -- update ---------------------------------------------------------------
    def _fail(self, exc):
        return ValueError(f"{self.name} ({type(self).__name__}): {exc}")

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add a batch: ``y_true``, ``y_pred`` (Keras' mask on ``y_pred`` is
        honoured) and ``sample_weight`` of shape (N,) or (N, T)."""
        try:
            self._check_shapes(y_true, y_pred)
        except ValueError as exc:
            raise self._fail(exc) from None
        if _symbolic():
            return
        # an update since the last result: the next result is a per-step one
        self.__dict__["_updated"] = True
        mask = _keras_mask(y_pred)
        if _backend() == "tensorflow" and _xla.in_xla():
            try:  # the host's shape errors, raised when the step is traced
                self._xla_update(y_true, y_pred, sample_weight, mask)
            except ValueError as exc:
                raise self._fail(exc) from None
            return
        layout = _DeltaLayout(self, _static_size(y_pred))
        inputs = [y_true, y_pred] + [x for x in (sample_weight, mask) if x is not None]
        host = self._host_update(layout, sample_weight is not None, mask is not None)
        outs = host_call(host, inputs, *layout.specs())
        layout.add(self._state_vars, outs)

    def _host_update(self, layout, has_weights, has_mask):
        """The host function of an update: NumPy inputs -> packed deltas."""

        def host(*arrays):
            yt, yp, rest = arrays[0], arrays[1], list(arrays[2:])
            w = rest.pop(0) if has_weights else None
            m = np.asarray(rest.pop(0), dtype=bool) if has_mask else None
            try:
                deltas = self._batch_deltas(yt, yp, w, m)
            except ValueError as exc:
                raise self._fail(exc) from None
            return layout.pack(deltas)

        return host

    def _xla_update(self, y_true, y_pred, sample_weight, mask):
        """The batch's additive state with TensorFlow ops (no host call)."""
        import tensorflow as tf

        deltas, invalid = self._xla_deltas(y_true, y_pred, sample_weight, mask)
        for f, var, d in zip(self._fields, self._state_vars, deltas):
            if f in self._sparse_fields:
                cells, vals = d
                var.value.scatter_nd_add(cells[:, None], tf.cast(vals, var.dtype))
            else:
                var.assign_add(tf.cast(d, var.dtype))
        self._invalid.assign_add(tf.cast(invalid, self._invalid.dtype))

    # -- result ---------------------------------------------------------------
    def _state_from(self, arrays):
        d = dict(self._template)
        for f, a, shape in zip(self._fields, arrays, self._shapes):
            d[f] = np.asarray(a, dtype=np.float64).reshape(shape)
        return self._fixup(d)

    def _rebuild(self, arrays):
        return type(self._new_state()).from_state_dict(self._state_from(arrays))

    def result(self):
        if _symbolic():
            return ops.zeros(self._result_shape, dtype=self.dtype)
        if _backend() == "tensorflow" and _xla.in_xla():
            return self._xla_result()
        host = self._host_result()
        updated = self.__dict__.pop("_updated", False)
        if self._step_result_interval_s:
            value = self._step_result(host, updated)
            if value is not None:
                return value
        return self._compute(host, self._read())

    def _xla_result(self):
        """The per-step value inside an XLA-compiled step.  NaN by default:
        the value is the library's compute, which XLA cannot call; Keras
        computes the epoch value (History, ``evaluate``) eagerly after the
        epoch, where it is exact."""
        return ops.full(self._result_shape, float("nan"), dtype=self.dtype)

    def _host_result(self):
        """The host function of a result: variable values -> [value]."""
        out_dtype = self.dtype

        def host(*arrays):
            self._check_invalid(float(arrays[-1]))
            return [np.asarray(self._value(self._rebuild(arrays[:-1])), dtype=out_dtype)]

        return host

    def _check_invalid(self, invalid):
        if invalid:
            raise self._fail(
                f"{invalid:.0f} token(s) had invalid labels, scores or weights (labels "
                "out of range or not 0/1, y_true rows read as one-hot that are not, "
                "NaN or infinite scores, probabilities outside [0, 1], negative "
                "weights; or a batch whose sizes, unknown when the step was traced, "
                "make it read in another input form); they were seen in an "
                "XLA-compiled step (jit_compile=True), which cannot raise, and were "
                "skipped. Run with jit_compile=False for the first bad token."
            )

    def _read(self):
        """The variables' values and the invalid-token count as tensors
        (under tf.distribute, summed over replicas when read in cross-replica
        context, e.g. the epoch-end result)."""
        values = [ops.convert_to_tensor(v) for v in self._state_vars]
        values.append(ops.convert_to_tensor(self._invalid))
        return values

    def _compute(self, host, values):
        return host_call(host, values, [self._result_shape], self.dtype)[0]

    # -- throttled per-step results -------------------------------------------
    def _step_result(self, host, updated):
        """The throttled value of a step, or None where the value is computed
        in full (eager TensorFlow, an eager result with no update before)."""
        interval = self._step_result_interval_s
        backend = _backend()
        if backend == "tensorflow":
            import tensorflow as tf

            if tf.executing_eagerly():
                return None
            return self._throttled_result(host, interval)
        if backend == "jax":
            import jax

            values = self._read()
            if isinstance(values[0], jax.core.Tracer):  # inside jax.jit: a step
                return self._throttled_result_jax(host, values, interval)
            return self._compute(host, values)
        if not updated:
            # a second result with no update in between (Keras' epoch-end
            # read) always computes
            return None
        # eager backends (PyTorch): a result right after an update is a step's
        cache = self._step_cache()
        if not self._due(cache, interval):
            return ops.convert_to_tensor(cache["value"])
        out = self._compute(host, self._read())
        cache["value"] = ops.convert_to_numpy(out)
        cache["t"] = _now()
        return out

    def _step_cache(self):
        return self.__dict__.setdefault("_step_cache_d", {"t": -1e300, "value": None})

    @staticmethod
    def _due(cache, interval):
        return cache["value"] is None or _now() - cache["t"] >= interval

    def _throttled_result_jax(self, host, values, interval):
        import jax
        from jax.experimental import io_callback

        cache = self._step_cache()
        dt = np.dtype(self.dtype)
        spec = jax.ShapeDtypeStruct(tuple(self._result_shape), dt)

        def due():
            return np.bool_(self._due(cache, interval))

        def full(*arrays):
            out = np.asarray(host(*arrays)[0], dtype=dt)
            cache["t"] = _now()
            cache["value"] = out
            return out

        def cached():
            return np.asarray(cache["value"], dtype=dt)

        is_due = io_callback(due, jax.ShapeDtypeStruct((), np.bool_), ordered=False)
        return jax.lax.cond(is_due,
                            lambda vs: jax.pure_callback(full, spec, *vs),
                            lambda vs: io_callback(cached, spec, ordered=False),
                            values)

    def _throttled_result(self, host, interval):
        import tensorflow as tf

        cache = self._step_cache()

        def due():
            return np.bool_(self._due(cache, interval))

        def full(*arrays):
            out = host(*arrays)
            cache["t"] = _now()
            cache["value"] = out[0]
            return out

        def cached():
            return [cache["value"]]

        def compute():
            return self._compute(full, self._read())

        def reuse():
            return host_call(cached, [], [self._result_shape], self.dtype)[0]

        is_due = tf.numpy_function(due, [], tf.bool, stateful=True)
        is_due.set_shape(())
        return tf.cond(is_due, compute, reuse)

    def state(self):
        """The epoch state so far as a fastmetrics streaming state (eager)."""
        return self._rebuild([ops.convert_to_numpy(ops.convert_to_tensor(v))
                              for v in self._state_vars])

"""Argument checks and error messages shared by every front end.

Every error names the argument, the shapes involved and what is wrong.
"""

import numbers

import numpy as np

TASKS = ("binary", "multiclass", "multilabel")
AVERAGES = (None, "micro", "macro", "weighted", "samples", "binary")


def check_task(task):
    if task is not None and task not in TASKS:
        raise ValueError(
            f"task must be None, 'binary', 'multiclass' or 'multilabel'; got {task!r}."
        )


def check_average(average, allowed=AVERAGES):
    if average not in allowed:
        raise ValueError(
            f"average must be one of {allowed}; got {average!r}."
        )


def check_zero_division(zero_division):
    if isinstance(zero_division, str):
        if zero_division == "warn":
            return
    elif isinstance(zero_division, numbers.Real) and not isinstance(zero_division, bool):
        if zero_division in (0, 1) or np.isnan(zero_division):
            return
    elif isinstance(zero_division, bool):  # sklearn accepts 0/1 via Real
        return
    raise ValueError(
        f"zero_division must be 'warn', 0.0, 1.0 or np.nan; got {zero_division!r}."
    )


def check_normalize_cm(normalize):
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(
            f"normalize must be one of 'true', 'pred', 'all' or None; got {normalize!r}."
        )


def check_beta(beta):
    if (
        isinstance(beta, bool)
        or not isinstance(beta, numbers.Real)
        or np.isnan(beta)
        or beta < 0
    ):
        raise ValueError(f"beta must be a real number >= 0; got {beta!r}.")


def check_threshold(threshold):
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, numbers.Real)
        or not np.isfinite(threshold)
    ):
        raise ValueError(f"threshold must be a finite real number; got {threshold!r}.")
    return float(threshold)


def check_num_classes(num_classes, task):
    if num_classes is None:
        return None
    if isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral):
        raise ValueError(f"num_classes must be a positive integer; got {num_classes!r}.")
    num_classes = int(num_classes)
    if num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer; got {num_classes}.")
    if task == "binary" and num_classes != 2:
        raise ValueError(
            f"num_classes must be 2 (or None) with task='binary'; got {num_classes}."
        )
    return num_classes


def as_array(x, name):
    """Turn lists, tuples, pandas objects and array-likes into a NumPy array.

    Sparse matrices are densified (only multilabel indicators are sparse).
    """
    if x is None:
        raise ValueError(f"{name} must be an array-like, got None.")
    if isinstance(x, str):
        raise ValueError(f"{name} must be an array-like (not a string); got {x!r}.")
    if hasattr(x, "toarray") and hasattr(x, "format") and hasattr(x, "nnz"):
        return np.asarray(x.toarray())
    if isinstance(x, np.ndarray):
        return x
    if hasattr(x, "to_numpy"):
        return np.asarray(x.to_numpy())
    return np.asarray(x)


def check_mask(mask, token_shape):
    """Return a flat bool mask for tokens of ``token_shape`` (or None)."""
    if mask is None:
        return None
    m = as_array(mask, "mask")
    if m.dtype != np.bool_:
        raise ValueError(
            f"mask must be a boolean array (True = keep the token); got dtype {m.dtype}."
        )
    if m.shape != tuple(token_shape):
        raise ValueError(
            f"mask has shape {m.shape} but the tokens have shape {tuple(token_shape)}; "
            "a mask must have exactly the token shape."
        )
    return np.ascontiguousarray(m).reshape(-1)


def check_sample_weight(sample_weight, token_shape):
    """Prefix-broadcast ``sample_weight`` to the tokens without materialising it.

    Returns ``(w, rep, is_integer)`` where token ``i`` (in C order) has weight
    ``w[i // rep]``, or ``(None, 1, True)`` when there are no weights.

    A weight shaped like a prefix of the token shape — ``(N,)`` for tokens
    ``(N, T)`` — applies to every token of that prefix (one weight per
    sequence).  NumPy's trailing-axis broadcasting would silently pair an
    ``(N,)`` weight with the timestep axis when ``N == T``; it is not used.
    """
    if sample_weight is None:
        return None, 1, True
    sw = as_array(sample_weight, "sample_weight")
    token_shape = tuple(token_shape)
    if sw.dtype.kind not in "biuf":
        raise ValueError(
            f"sample_weight must hold real numbers; got dtype {sw.dtype}."
        )
    is_int = sw.dtype.kind in "biu"
    if sw.dtype != np.float64:
        # the kernels take float64 weights (one compiled variant, exact sums)
        sw = sw.astype(np.float64)
    n_tokens = int(np.prod(token_shape, dtype=np.int64))
    if sw.ndim == 0:
        raise ValueError(
            "sample_weight must be an array shaped like a prefix of the token shape "
            f"{token_shape} (e.g. (N,) or (N, T)); got a scalar."
        )
    shape = sw.shape
    # Drop trailing size-1 axes that stand for broadcast axes: (N, 1) -> (N,).
    while len(shape) > 1 and shape[-1] == 1 and (
        len(shape) > len(token_shape) or token_shape[len(shape) - 1] != 1
    ):
        shape = shape[:-1]
    if len(shape) <= len(token_shape) and shape == token_shape[: len(shape)]:
        w = np.ascontiguousarray(sw).reshape(-1)
        rep = int(np.prod(token_shape[len(shape):], dtype=np.int64)) if n_tokens else 1
        return w, max(rep, 1), is_int
    if sw.ndim == len(token_shape):
        try:
            b = np.broadcast_to(sw, token_shape)
        except ValueError:
            b = None
        if b is not None:
            return np.ascontiguousarray(b).reshape(-1), 1, is_int
    raise ValueError(
        f"sample_weight has shape {sw.shape}, which does not broadcast to the token "
        f"shape {token_shape}: pass one weight per sequence {token_shape[:1]} or one "
        f"per token {token_shape}."
    )


def check_class_weight(class_weight, n_classes, name="class_weight"):
    """Return a float64 array of length ``n_classes`` (missing dict keys = 1)."""
    if class_weight is None:
        return None
    cw = np.ones(n_classes, dtype=np.float64)
    if isinstance(class_weight, dict):
        for k, v in class_weight.items():
            try:
                idx = int(k)
            except (TypeError, ValueError):
                raise ValueError(
                    f"{name} keys must be class ids in [0, {n_classes}); got {k!r}."
                ) from None
            if idx != k or not 0 <= idx < n_classes:
                raise ValueError(
                    f"{name} keys must be class ids in [0, {n_classes}); got {k!r}."
                )
            cw[idx] = float(v)
    else:
        arr = np.asarray(class_weight, dtype=np.float64)
        if arr.ndim != 1 or arr.shape[0] != n_classes:
            raise ValueError(
                f"{name} must be a dict or an array of length {n_classes} (one weight "
                f"per class); got shape {arr.shape}."
            )
        cw[:] = arr
    bad = ~np.isfinite(cw) | (cw < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{name} must be finite and >= 0; class {i} has weight {cw[i]!r}."
        )
    return cw


def check_ignore_index(ignore_index):
    if ignore_index is None:
        return None
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, numbers.Integral):
        raise ValueError(f"ignore_index must be an integer or None; got {ignore_index!r}.")
    return int(ignore_index)


def check_mergeable(state, other, fields):
    """Raise ValueError unless ``other`` is a state of the same class as
    ``state`` with equal ``fields`` (the configuration a merge must share)."""
    cls = type(state).__name__
    if not isinstance(other, type(state)):
        raise ValueError(f"other must be a {cls} state; got {type(other).__name__}.")
    for name in fields:
        mine, theirs = getattr(state, name), getattr(other, name)
        if mine != theirs:
            raise ValueError(
                f"cannot merge {cls} states with different {name}: {mine!r} vs {theirs!r}."
            )

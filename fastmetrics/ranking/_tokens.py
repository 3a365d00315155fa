"""Token arrays of any shape -> flat ranking inputs, and the sequence extensions
(``task``, ``mask``, ``ignore_index``, ``class_weight``) of the ranking functions.

:func:`ranking_tokens` is the one place that reads the token forms of the
ranking family (``(N,)``, ``(N, T)``, ``(N, T, C)`` ..., one-hot targets,
two-unit softmax outputs), drops masked / ignored tokens and combines
``sample_weight`` (prefix-broadcast) with ``class_weight``.  The functional
API (:mod:`fastmetrics.ranking`) and the streaming states both call it; the
result of every ranking function with a task equals scikit-learn's on the
flat kept tokens with the combined weights.
"""

import numbers

import numpy as np

from .._kernels import codes
from .._core.backend import as_kernel_ints, kernels
from .._core.docs import fill
from .._core.errors import token_position
from .._core.checks import (
    as_array,
    check_ignore_index,
    check_mask,
    check_num_classes,
    check_task,
)
from .._core.tokens import (
    TokenShapeError,
    check_task_classes,
    label_class_weights,
    one_hot_ids,
    read_tokens,
)

__all__ = ["IGNORED", "ranking_tokens"]

#: In the multilabel ``y`` returned by :func:`ranking_tokens`, an element whose
#: label equals ``ignore_index`` (dropped element by element) holds this value.
IGNORED = np.uint8(255)


# ============================================================ the token reader

def _first(bad, keep):
    """Flat token index of the first True in ``bad`` (one entry per kept token)."""
    i = int(np.argmax(bad))
    return i if keep is None else int(np.flatnonzero(keep)[i])


def _check_numeric(a, name, task):
    if a.dtype.kind not in "biuf":
        raise ValueError(
            f"{name} must hold numbers for task={task!r}; got dtype {a.dtype}."
            + (" String labels need task=None." if name == "y_true" else "")
        )


#: The input forms of the ranking family (see ``_core.tokens``), in the order
#: tried; the streaming AUC reads the same.
FORMS = {
    "binary": ("one_hot+two_unit", "ids+two_unit", "ids+one_unit", "one_hot+scores",
               "squeezed"),
    "multiclass": ("ids+scores", "one_hot+scores"),
    "multilabel": ("indicator",),
}

_EXPECTED = {
    "binary": "y_score shaped like y_true (S), S + (1,), or a two-unit output "
              "S + (2,); or one-hot y_true S + (2,) with y_score S",
    "multiclass": "class ids y_true of shape S (or one-hot S + (C,)) with scores "
                  "y_score S + (C,)",
    "multilabel": "y_true and y_score of the same shape S + (C,)",
}


def _shape_error(task, yt, ys, expected):
    return ValueError(
        f"y_true has shape {yt.shape} and y_score has shape {ys.shape}, which do not "
        f"fit task={task!r}: expected {expected}."
    )


def _read(task, yt, ys, num_classes, class_weight):
    """The token view of one input (shapes and ``num_classes`` checked)."""
    try:
        view = read_tokens(task, yt, ys, FORMS[task], class_weight=class_weight)
    except TokenShapeError:
        view = None
    if view is None:
        raise _shape_error(task, yt, ys, _EXPECTED[task])
    if num_classes is not None and num_classes != view.C:
        axis = "label axis of y_true/y_score" if task == "multilabel" else \
            "class axis of y_score"
        raise ValueError(f"num_classes={num_classes} but the {axis} has size {view.C}.")
    return view


def ranking_tokens(y_true, y_score, *, task, num_classes=None, sample_weight=None,
                   mask=None, ignore_index=None, class_weight=None):
    """Read token arrays for the ranking family into flat arrays.

    Tokens dropped by ``mask`` or ``ignore_index`` are removed (not
    zero-weighted).  Scores of kept tokens must be finite; labels must be valid.

    Parameters
    ----------
    y_true : array-like
        * ``"binary"``: ids in {0, 1} (bool, integer or integral float) of token
          shape ``S``, or one-hot rows of shape ``S + (2,)`` (label =
          ``y_true[..., 1]``).
        * ``"multiclass"``: class ids in ``[0, C)`` of shape ``S`` (integral
          floats accepted), or one-hot rows ``S + (C,)``.
        * ``"multilabel"``: a 0/1 indicator of shape ``S + (C,)``.
    y_score : array-like, real
        * ``"binary"``: shape ``S``, ``S + (1,)``, or a two-unit output
          ``S + (2,)`` whose positive column ``[..., 1]`` is the score.  When
          ``y_true`` and a floating ``y_score`` have the same shape with a last
          axis of length 2 (and ndim >= 2), they are one-hot targets and a
          two-unit output (the classification rule).
        * ``"multiclass"`` and ``"multilabel"``: shape ``S + (C,)``.
    task : {"binary", "multiclass", "multilabel"}
    num_classes : int, default=None
        ``C``; must equal ``y_score.shape[-1]`` when given (binary: 2).
    sample_weight : array-like of a prefix of ``S`` (``(N,)`` or ``(N, T)``), default=None
        Aligned with the leading token axes (never NumPy's trailing broadcast).
        Finite and >= 0.
    mask : bool array of shape ``S``, default=None
        ``False`` drops the token.
    ignore_index : int, default=None
        Binary / multiclass: drops tokens whose label equals it.  Multilabel:
        drops the single (token, label) elements whose label equals it; they
        are marked :data:`IGNORED` (255) in the returned ``y``.
    class_weight : dict {class id: weight} or array of shape (C,), default=None
        Multiplies each token's weight by ``class_weight[true class]``
        (binary: ``C = 2``).  Not defined for multilabel (raises).

    Returns
    -------
    y : ndarray
        * binary: bool, shape ``(n,)``, True = positive (class 1);
        * multiclass: int64, shape ``(n,)``, ids in ``[0, C)``;
        * multilabel: uint8, shape ``(n, C)``, values 0 / 1, and
          :data:`IGNORED` where ``ignore_index`` dropped an element.
    s : ndarray, shape ``(n,)`` (binary) or ``(n, C)``, C-contiguous
        The kept scores in their own dtype (float32 stays float32).  A view of
        ``y_score`` (no copy) when it is C-contiguous, ``ignore_index`` is None
        and ``mask`` drops nothing (binary: and the scores are not a two-unit
        output).
    w : ndarray of shape ``(n,)``, float64, or None
        ``sample_weight * class_weight[y]`` per kept token; None when neither
        is given.

    ``n`` is the number of kept tokens (possibly 0).
    """
    check_task(task)
    if task is None:
        raise ValueError(
            "ranking_tokens needs an explicit task ('binary', 'multiclass' or "
            "'multilabel')."
        )
    num_classes = check_num_classes(num_classes, task)
    ignore_index = check_ignore_index(ignore_index)
    yt = as_array(y_true, "y_true")
    ys = as_array(y_score, "y_score")
    _check_numeric(yt, "y_true", task)
    _check_numeric(ys, "y_score", task)
    if ys.dtype.kind == "f" and ys.dtype.itemsize < 4:
        ys = ys.astype(np.float32)  # float16: exact in float32, which the kernels take
    view = _read(task, yt, ys, num_classes, class_weight)
    view.keep(mask, ignore_index)
    if task == "multilabel":
        return _multilabel(view, sample_weight)
    return _compact(view, sample_weight, class_weight)


def _kernels(n=None):
    return kernels("ranking_tokens", n=n)


def _compact(view, sample_weight, class_weight):
    """Run the one-pass kernel over the tokens of a binary or multiclass view:
    kept (y, s, w), or a ValueError naming the first bad token."""
    y_shown = view.y  # ids, or the one-hot rows (for messages)
    y_flat = one_hot_ids(y_shown) if view.one_hot else y_shown
    s2 = view.p if view.p.ndim == 2 else view.p.reshape(-1, 1)
    keep = _dropping(view.mask)
    view.weigh(sample_weight, class_weight)
    kind, C, w, rep, cw = view.task, view.C, view.w, view.rep, view.cw
    y_flat, s2 = as_kernel_ints(y_flat), as_kernel_ints(s2)
    has_ignore = view.ignore_index is not None
    empty_f = np.empty(0, dtype=np.float64)
    weighted = w is not None or cw is not None
    n = y_flat.shape[0]
    w_out = np.empty(n if weighted else 0, dtype=np.float64)
    k = _kernels(n=s2.size)
    args = (y_flat, s2, np.empty(0, dtype=np.bool_) if keep is None else keep,
            np.int64(view.ignore_index if has_ignore else 0), has_ignore,
            empty_f if w is None else w, np.int64(rep), empty_f if cw is None else cw)
    # scores are copied only when tokens may be dropped or the kept column is
    # not contiguous; otherwise the caller's array is returned (a view)
    copy_s = (keep is not None or has_ignore or not s2.flags.c_contiguous
              or (kind == "binary" and s2.shape[1] != 1))
    if kind == "binary":
        y_out = np.empty(n, dtype=np.bool_)
        s_out = np.empty(n if copy_s else 0, dtype=s2.dtype)
        j, code, idx = k.binary_tokens(*args, copy_s, y_out, s_out, w_out)
    else:
        y_out = np.empty(n, dtype=np.int64)
        s_out = np.empty((n if copy_s else 0, C), dtype=s2.dtype)
        j, code, idx = k.multiclass_tokens(*args, copy_s, y_out, s_out, w_out)
    if not copy_s:
        s_out = s2.reshape(-1) if kind == "binary" else s2
    if code:
        raise _token_error(k, code, idx, view, y_shown)
    if s_out.shape[0] != j:
        s_out = s_out[:j]
    return y_out[:j], s_out, (w_out[:j] if weighted else None)


def _dropping(mask):
    """The flat mask, or None when it keeps every token."""
    return None if mask is None or mask.all() else mask


def _token_error(k, code, i, view, y_shown):
    pos = token_position(i, view.token_shape)
    C = view.C
    if code == codes.PRED_NOT_FINITE:
        return ValueError(
            f"y_score contains NaN or infinity; first bad score at token {pos} "
            f"(flat index {i})."
        )
    if code == codes.WEIGHT_INVALID:
        return ValueError(
            f"sample_weight must be finite and >= 0; first bad weight at token {pos}: "
            f"{view.w[i // view.rep]!r}."
        )
    if view.one_hot:
        return ValueError(
            f"y_true of shape (..., {C}) is read as one-hot targets, but its row at "
            f"token {pos} is not one-hot: {y_shown[i].tolist()}."
            + (" For token arrays whose last axis has length 2, add a trailing "
               "axis: (..., 2, 1)." if C == 2 else "")
        )
    value = y_shown[i].item()
    what = ("task='binary' needs labels in {0, 1}" if view.task == "binary" else
            f"task='multiclass' needs class ids in [0, {C}) (C = y_score.shape[-1])")
    if code == codes.TRUE_NOT_INTEGRAL:
        return ValueError(
            f"y_true has a value that is not an integer class id (NaN, inf or "
            f"fractional) at token {pos}: {value!r}; {what}."
        )
    return ValueError(
        f"y_true has a label outside [0, {C}) at token {pos}: {value!r}; {what}; "
        "exclude padding with mask= or ignore_index=."
    )


def _multilabel(view, sample_weight):
    """The kept tokens of a multilabel view: (y uint8 with IGNORED, s, w)."""
    S, keep = view.token_shape, _dropping(view.mask)
    y2, s2 = view.y, view.p
    if keep is not None:
        y2, s2 = y2[keep], s2[keep]
    s2 = np.ascontiguousarray(s2)
    ign = None
    if view.ignore_index is not None and y2.dtype.kind != "b":
        ign = y2 == view.ignore_index
        if not ign.any():
            ign = None
    y = _indicator(y2, ign, keep, S, view.ignore_index)
    _check_finite_scores(s2, ign, keep, S)
    w = _kept_weights(view.weigh(sample_weight), keep)
    return np.ascontiguousarray(y), s2, w


def _indicator(y2, ign, keep, S, ignore_index):
    """uint8 0/1 labels of the kept rows, IGNORED where ``ign``; raises on a
    label that is neither 0, 1 nor ignored."""
    if y2.dtype.kind == "b":
        return y2.view(np.uint8)
    ok = (y2 == 0) | (y2 == 1)
    if ign is not None:
        ok |= ign
    if not ok.all():
        bad = ~ok.all(axis=1)
        i = _first(bad, keep)
        row = y2[np.argmax(bad)]
        raise ValueError(
            f"y_true must be a 0/1 indicator for task='multilabel'; the token at "
            f"{token_position(i, S)} holds {row.tolist()}"
            + ("" if ignore_index is None else f" (ignore_index={ignore_index})")
            + "."
        )
    y = (y2 == 1).view(np.uint8)
    if ign is not None:
        y[ign] = IGNORED
    return y


def _check_finite_scores(s2, ign, keep, S):
    """Every score of the kept rows finite (an ignored element's is never read)."""
    if s2.dtype.kind != "f" or not s2.size:
        return
    fin = np.isfinite(s2)
    if ign is not None:
        fin |= ign
    if not fin.all():
        bad = ~fin.all(axis=1)
        i = _first(bad, keep)
        raise ValueError(
            f"y_score contains NaN or infinity; first bad score at token "
            f"{token_position(i, S)} (flat index {i})."
        )


def _kept_weights(view, keep):
    """Per kept token float64 weights (prefix weights repeated), or None."""
    w, rep = view.w, view.rep
    if w is None:
        return None
    if rep > 1:
        w = np.repeat(w, rep)
    if keep is not None:
        w = w[keep]
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        i = _first(bad, keep)
        raise ValueError(
            f"sample_weight must be finite and >= 0; first bad weight at token "
            f"{token_position(i, view.token_shape)}: {w[np.argmax(bad)]!r}."
        )
    return np.ascontiguousarray(w, dtype=np.float64)


# ================================================= routing of the public functions

def extensions_used(task, num_classes, mask, ignore_index, class_weight):
    """True when any sequence extension is given (else scikit-learn's path)."""
    return not (task is None and num_classes is None and mask is None
                and ignore_index is None and class_weight is None)


def _none_class_weights(class_weight, labels):
    """task=None: per-token class weights for labels of any type."""
    if labels.size == 0:
        return np.ones(0)
    try:
        classes, inv = np.unique(labels, return_inverse=True)
    except TypeError:
        raise ValueError("class_weight needs sortable labels in y_true.") from None
    table = label_class_weights(class_weight, classes.tolist(), _array_entry)
    bad = ~np.isfinite(table) | (table < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"class_weight must be finite and >= 0; label {classes[i]!r} has weight "
            f"{table[i]!r}."
        )
    return table[inv.reshape(-1)]


def _array_entry(arr, c):
    """The weight of label ``c`` in a class_weight array (which must cover it)."""
    if isinstance(c, (bool, str)) or not isinstance(c, numbers.Real) or c != int(c):
        raise ValueError(
            "class_weight as an array is indexed by integer labels; y_true "
            f"holds {c!r}: use a dict {{label: weight}}."
        )
    if not 0 <= int(c) < arr.shape[0]:
        raise ValueError(
            f"class_weight has {arr.shape[0]} entries but label {c!r} occurs "
            "in y_true; pass a weight for every label."
        )
    return arr[int(c)]


def _prepare_none(y_true, y_score, sample_weight, mask, ignore_index, class_weight):
    """task=None with mask / ignore_index / class_weight on 1-D labels: the kept
    samples and combined weights, for scikit-learn's reading."""
    yt = as_array(y_true, "y_true")
    ys = as_array(y_score, "y_score")
    if yt.ndim == 2 and yt.shape[1] == 1:
        yt = yt.reshape(-1)
    if yt.ndim != 1:
        raise ValueError(
            f"y_true should be a 1d array, got an array of shape {yt.shape} instead. "
            "To read (N, T) token arrays, pass task='binary', 'multiclass' or "
            "'multilabel' explicitly."
        )
    n = yt.shape[0]
    sw = None if sample_weight is None else as_array(sample_weight, "sample_weight")
    if sw is not None and sw.ndim == 2 and sw.shape[1] == 1:
        sw = sw.reshape(-1)
    if sw is not None and sw.ndim != 1:
        raise ValueError(
            f"sample_weight must be 1-D with one weight per sample for task=None; got "
            f"shape {sw.shape}. For (N, T) token arrays pass an explicit task."
        )
    lengths = [n, ys.shape[0] if ys.ndim else 1] + ([] if sw is None else [sw.shape[0]])
    if len(set(lengths)) > 1:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: %r" % lengths
        )
    keep = check_mask(mask, (n,))
    if ignore_index is not None:
        if isinstance(ignore_index, (bool, np.bool_)):
            raise ValueError(f"ignore_index must be a label value; got {ignore_index!r}.")
        hit = yt == ignore_index
        if np.ndim(hit) == 1 and hit.any():
            keep = ~hit if keep is None else (keep & ~hit)
    if keep is not None and not keep.all():
        yt, ys = yt[keep], ys[keep]
        sw = None if sw is None else sw[keep]
    w = None
    if sw is not None:
        if sw.dtype.kind not in "biuf":
            raise ValueError(f"sample_weight must hold real numbers; got dtype {sw.dtype}.")
        w = np.asarray(sw, dtype=np.float64)
    if class_weight is not None:
        cwt = _none_class_weights(class_weight, yt)
        w = cwt if w is None else w * cwt
    return yt, ys, w


def prepare(y_true, y_score, sample_weight, *, task, num_classes, mask, ignore_index,
            class_weight):
    """-> (kind, y, s, w): kind is "none" (1-D, scikit-learn's reading of the
    kept samples), "binary", "multiclass" or "multilabel" (flat tokens)."""
    check_task_classes(task, num_classes)
    if task is None:
        yt = as_array(y_true, "y_true")
        if yt.ndim == 2 and yt.shape[1] > 1:
            # a multilabel indicator: mask drops samples, ignore_index elements
            ok = yt.dtype.kind in "biuf" and bool(np.all(
                (yt == 0) | (yt == 1) | (False if ignore_index is None
                                         else yt == ignore_index)))
            if not ok:
                raise ValueError(
                    "y_true of shape %r is not a 0/1 multilabel indicator "
                    "(multiclass-multioutput format is not supported). To read "
                    "(N, T) token arrays, pass task='binary', 'multiclass' or "
                    "'multilabel' explicitly." % (yt.shape,)
                )
            kind = "multilabel"
            y, s, w = ranking_tokens(
                yt, y_score, task="multilabel", sample_weight=sample_weight, mask=mask,
                ignore_index=ignore_index, class_weight=class_weight,
            )
        else:
            return ("none",) + _prepare_none(y_true, y_score, sample_weight, mask,
                                            ignore_index, class_weight)
    else:
        kind = task
        y, s, w = ranking_tokens(
            y_true, y_score, task=task, num_classes=num_classes,
            sample_weight=sample_weight, mask=mask, ignore_index=ignore_index,
            class_weight=class_weight,
        )
    if y.shape[0] == 0 and (mask is not None or ignore_index is not None):
        raise ValueError(
            "mask / ignore_index drop every token: there is nothing to rank."
        )
    return kind, y, s, w


SEQUENCE_PARAMS = """
    task : {None, "binary", "multiclass", "multilabel"}, default=None
        ``None`` reads the input as scikit-learn does.  An explicit task reads
        token arrays of any shape ``S`` such as ``(N,)`` or ``(N, T)``:

        * ``"binary"``: ``y_true`` ids in {0, 1} shaped ``S`` (or one-hot
          ``S + (2,)``, label ``y_true[..., 1]``); ``y_score`` shaped ``S``,
          ``S + (1,)`` or a two-unit output ``S + (2,)`` scored by its positive
          column ``[..., 1]``.  The positive class is 1 (``pos_label`` must be
          None or 1).
        * ``"multiclass"``: ``y_true`` class ids in ``[0, C)`` shaped ``S`` (or
          one-hot ``S + (C,)``), ``y_score`` shaped ``S + (C,)``; the classes
          are ``0 .. C-1`` (``labels`` must be None).
        * ``"multilabel"``: ``y_true`` a 0/1 indicator ``S + (C,)``, ``y_score``
          ``S + (C,)``.

        The result equals scikit-learn's on the flattened kept tokens with the
        combined weights.
    num_classes : int, default=None
        ``C`` (explicit tasks only); must equal ``y_score.shape[-1]``.
    mask : bool array of the token shape ``S``, default=None
        ``False`` drops the token (it is removed, not zero-weighted).
    ignore_index : int, default=None
        Drops tokens whose label equals it; multilabel: drops only the
        (token, label) elements whose label equals it.
    class_weight : dict {class: weight} or array of shape (C,), default=None
        Multiplies each token's weight by ``class_weight[y_true]`` (binary:
        ``{0: .., 1: ..}`` or length 2); with ``sample_weight`` the two
        multiply.  Not defined for multilabel targets.  With ``task=None``
        dict keys are label values.

    With an explicit task, ``sample_weight`` may have the shape of any prefix
    of ``S``: ``(N,)`` (one weight per sequence) or ``(N, T)`` (one per
    token), aligned from the left; weights must be finite and >= 0.
"""


#: Decorator filling ``{sequence_params}`` in a ranking function's docstring.
doc = fill(sequence_params=SEQUENCE_PARAMS)



"""The token layer: how the inputs of an explicit task become flat tokens.

Every family with an explicit ``task`` (classification counts, ranking, the
streaming AUC, calibration) reads ``y_true`` and its predictions (``y_pred``,
``y_score`` or ``y_prob``) as arrays of *tokens* of any shape ``S`` —
``(N,)``, ``(N, T)`` ... — in one of a few forms.  The forms, and the
token-level options that go with them (the token ``mask``, ``ignore_index``,
``sample_weight`` prefix-broadcast over ``S``, ``class_weight``), are read
here, once.  What stays in the families is what differs between them: which
forms each accepts, the dtypes it takes, how strictly it checks one-hot rows
and the wording of its messages.

The forms (``y_true`` shape + prediction shape -> token shape):

binary
    ``"one_hot+two_unit"``: one-hot targets ``S + (2,)`` with a floating
    two-unit output ``S + (2,)`` (same shape, ndim >= 2), both read by their
    positive column 1;
    ``"ids+two_unit"`` / ``"ids+one_unit"``: ids ``S`` with an output
    ``S + (2,)`` / ``S + (1,)`` read by its last column;
    ``"one_hot+scores"``: one-hot targets ``S + (2,)`` with positive scores
    (or ids) ``S``;
    ``"squeezed"``: a trailing axis of length 1 is squeezed off ``y_true``
    and off the predictions (ndim >= 2), then both have the shape ``S``;
    ``"same"``: both have the shape ``S`` as given.
multiclass
    ``"ids+scores"``: ids ``S`` with scores ``S + (C,)``;
    ``"one_hot+scores"``: one-hot rows ``S + (C,)`` with scores of the same
    shape (ndim >= 2; when ``"ids+ids"`` is accepted too, only floating
    predictions are scores);
    ``"ids+ids"``: ids ``S`` with predicted ids ``S`` (``C`` is then None:
    the family infers it);
    ``"one_hot+ids"``: one-hot rows ``S + (C,)`` with predicted ids ``S``.
multilabel
    ``"indicator"``: a 0/1 indicator ``S + (L,)`` with predictions of the same
    shape (``C = L``).

A family lists the forms it reads (in the order they are tried; the first that
fits wins) and reads its inputs in three steps, with its own checks between:

* :func:`read_tokens` -> a :class:`TokenView` (shapes only; raises
  :class:`TokenShapeError`, which carries the shapes, for the family to word);
* :meth:`TokenView.keep` -> the flat token mask and ``ignore_index``;
* :meth:`TokenView.weigh` -> the prefix weights ``(w, rep)`` and class weights.

No step copies an input: ``y`` and ``p`` are reshapes of the inputs (views
wherever NumPy's ``reshape`` gives one) and the weights are prefix weights
with a repeat (``w[i // rep]`` is the weight of token ``i``), so the kernels
read every array in place.
"""

from typing import NamedTuple

import numpy as np

from .checks import check_class_weight, check_mask, check_sample_weight, check_task

__all__ = [
    "FORMS",
    "check_task_classes",
    "TokenForm",
    "TokenShapeError",
    "TokenView",
    "is_one_hot",
    "label_class_weights",
    "one_hot_ids",
    "read_class_weight",
    "read_tokens",
    "refuse_ignore_index",
    "token_form",
    "token_view",
]

#: Every form, per task, in the order a family lists them.
FORMS = {
    "binary": ("one_hot+two_unit", "ids+two_unit", "ids+one_unit", "one_hot+scores",
               "squeezed", "same"),
    "multiclass": ("ids+scores", "one_hot+scores", "ids+ids", "one_hot+ids"),
    "multilabel": ("indicator",),
}


def check_task_classes(task, num_classes):
    """``task`` is None or a task; ``num_classes`` goes with an explicit task
    only (with ``task=None`` the labels are read from the data)."""
    check_task(task)
    if task is None and num_classes is not None:
        raise ValueError(
            "num_classes needs an explicit task ('binary', 'multiclass' or "
            "'multilabel'); with task=None the labels are read from the data."
        )


class TokenShapeError(ValueError):
    """The shapes of ``y_true`` and the predictions fit no form the family
    reads.  Carries the facts (``task``, ``true_shape``, ``pred_shape``: the
    shapes as given); each family words its own message from them."""

    def __init__(self, task, true_shape, pred_shape):
        super().__init__(
            f"y_true has shape {true_shape} and the predictions have shape "
            f"{pred_shape}, which do not fit task={task!r}."
        )
        self.task = task
        self.true_shape = tuple(true_shape)
        self.pred_shape = tuple(pred_shape)


class TokenView:
    """One batch of tokens, read in place.

    Attributes
    ----------
    task, form : str
        The task and the form that was read (see the module docstring).
    token_shape : tuple
        ``S``; ``n`` is its number of tokens.
    true, pred : ndarray
        ``y_true`` and the predictions in token form: shaped ``S``, or
        ``S + (k,)`` (one-hot rows, scores, unit outputs, indicators); views
        of the inputs (a squeezed axis is indexed away).
    one_hot : bool
        ``y`` holds one-hot rows ``(n, k)`` instead of ids ``(n,)``.
    unit : int or None
        Binary unit outputs: the column of ``p`` that holds the positive
        score (``p`` is ``(n, k)``); None otherwise.
    C : int or None
        Classes (binary 2, multilabel the labels); None for multiclass ids
        with predicted ids until the family infers it.
    mask : ndarray of bool, shape (n,), or None
        Set by :meth:`keep`: True keeps the token.
    ignore_index : int or None
        Set by :meth:`keep`.
    w, rep, int_weights : ndarray (float64) or None, int, bool
        Set by :meth:`weigh`: the weight of token ``i`` is ``w[i // rep]``
        (prefix broadcasting); ``int_weights``: the weights were integers.
    cw : ndarray of shape (C,), float64, or None
        Set by :meth:`weigh`: the class weights.
    """

    __slots__ = ("task", "form", "token_shape", "n", "true", "pred", "one_hot", "unit",
                 "C", "mask", "ignore_index", "w", "rep", "int_weights", "cw", "_y", "_p")

    def __init__(self, task, form, token_shape, true, pred, *, one_hot=False, unit=None,
                 C=None):
        self.task, self.form, self.C = task, form, C
        self.token_shape = tuple(token_shape)
        self.n = int(np.prod(self.token_shape, dtype=np.int64))
        self.true, self.pred, self.one_hot, self.unit = true, pred, one_hot, unit
        # read by keep() and weigh(); the flat arrays on first use
        self.mask = self.ignore_index = self.w = self.cw = self._y = self._p = None
        self.rep, self.int_weights = 1, True

    # ---------------------------------------------------------------- flat arrays
    @property
    def y(self):
        """Flat labels: ``(n,)`` ids, or ``(n, k)`` rows (one-hot, indicator).
        Made on first use (``reshape`` copies only an input it cannot view)."""
        if self._y is None:
            self._y = _flat(self.true, self.token_shape)
        return self._y

    @property
    def p(self):
        """Flat predictions: ``(n,)`` scores or ids, or ``(n, k)`` rows
        (scores, a unit output: see ``unit``, indicator predictions).  Made on
        first use."""
        if self._p is None:
            self._p = _flat(self.pred, self.token_shape)
        return self._p

    def positive(self):
        """Binary: the positive score of each token, shaped ``S`` (the unit
        column of a unit output, a view); otherwise ``pred``."""
        return self.pred if self.unit is None else self.pred[..., self.unit]

    # --------------------------------------------------------------- options
    def keep(self, mask, ignore_index=None):
        """Read the token mask (exactly of the token shape) and ``ignore_index``
        (which compares class ids: not defined for one-hot ``y_true``).
        Returns self."""
        refuse_ignore_index(ignore_index, self.one_hot)
        self.mask = check_mask(mask, self.token_shape)
        self.ignore_index = ignore_index
        return self

    def weigh(self, sample_weight, class_weight=None):
        """Read ``sample_weight`` (prefix-broadcast over the token shape, see
        :func:`~.checks.check_sample_weight`) and ``class_weight`` (``C``
        entries). Returns self."""
        self.w, self.rep, self.int_weights = check_sample_weight(sample_weight,
                                                                 self.token_shape)
        self.cw = check_class_weight(class_weight, self.C)
        return self


def _flat(a, token_shape):
    return a.reshape(-1) if a.ndim == len(token_shape) else a.reshape(-1, a.shape[-1])


# ==================================================================== the forms

class TokenForm(NamedTuple):
    """The reading of one input, decided from shapes and a dtype alone (see
    :func:`token_form`).

    ``form``, ``token_shape``, ``one_hot``, ``unit`` and ``C`` are those of the
    :class:`TokenView` that :func:`read_tokens` makes; ``squeeze_true`` /
    ``squeeze_pred``: the trailing axis of 1 that the form ``"squeezed"``
    takes off ``y_true`` / the predictions.
    """

    form: str
    token_shape: tuple
    one_hot: bool = False
    unit: object = None
    C: object = None
    squeeze_true: bool = False
    squeeze_pred: bool = False


def _binary(form, ts, ps, floating):
    """The reading of ``form`` when the binary shapes fit it, else None."""
    if form == "one_hot+two_unit":
        if len(ps) >= 2 and ps == ts and ps[-1] == 2 and floating:
            return TokenForm(form, ts[:-1], one_hot=True, unit=1, C=2)
    elif form in ("ids+two_unit", "ids+one_unit"):
        k = 2 if form == "ids+two_unit" else 1
        if len(ps) == len(ts) + 1 and ps[-1] == k and ps[:-1] == ts:
            return TokenForm(form, ts, unit=k - 1, C=2)
    elif form == "one_hot+scores":
        if len(ts) == len(ps) + 1 and ts[-1] == 2 and ts[:-1] == ps:
            return TokenForm(form, ps, one_hot=True, C=2)
    elif form == "squeezed":
        sq_t, sq_p = _squeeze_binary(ts, ps)
        ts2 = ts[:-1] if sq_t else ts
        ps2 = ps[:-1] if sq_p else ps
        if ps2 == ts2:
            return TokenForm(form, ts2, C=2, squeeze_true=sq_t, squeeze_pred=sq_p)
    elif ps == ts:  # "same"
        return TokenForm(form, ts, C=2)
    return None


def _squeeze_binary(ts, ps):
    """``(..., 1) -> (...)`` on either side, as far as the shapes then agree:
    whether to squeeze ``y_true`` and the predictions."""
    sq_t = len(ts) >= 2 and ts[-1] == 1 and (ps == ts or ps == ts[:-1])
    if sq_t:
        ts = ts[:-1]
    sq_p = len(ps) >= 2 and ps[-1] == 1 and ps[:-1] == ts
    return sq_t, sq_p


def _multiclass(form, ts, ps, floating, forms):
    """The reading of ``form`` when the multiclass shapes fit it, else None."""
    if form == "ids+scores":
        if len(ps) == len(ts) + 1 and ps[:-1] == ts:
            return TokenForm(form, ts, C=ps[-1])
    elif form == "one_hot+scores":
        if len(ps) >= 2 and ps == ts and (floating or "ids+ids" not in forms):
            return TokenForm(form, ts[:-1], one_hot=True, C=ps[-1])
    elif form == "ids+ids":
        if ps == ts:
            return TokenForm(form, ts)
    elif form == "one_hot+ids":
        if len(ts) == len(ps) + 1 and ts[:-1] == ps:
            return TokenForm(form, ps, one_hot=True, C=ts[-1])
    return None


def _multilabel(form, ts, ps):
    if ts == ps and len(ts) >= 1:
        return TokenForm(form, ts[:-1], C=ts[-1])
    return None


def token_form(task, true_shape, pred_shape, pred_floating, forms):
    """The form of ``forms`` (tried in order) that :func:`read_tokens` reads,
    decided from the shapes and whether the predictions are floating, or None
    when no form fits.

    The one statement of the form rules: :func:`read_tokens` reads arrays
    with it, and the XLA reading of the Keras bridge (``fastmetrics.keras._xla``)
    reads the static shapes of a traced graph with it.  A size there may be
    None (unknown): the comparisons are Python's, so an unknown size equals
    another unknown size (the same axis, such as the batch axis) and no
    known one.

    Parameters
    ----------
    task : {"binary", "multiclass", "multilabel"}
    true_shape, pred_shape : tuple of int (or None)
    pred_floating : bool
        The predictions' dtype is floating (NumPy kind "f").
    forms : sequence of str
        The forms the family reads (names from :data:`FORMS`).

    Returns
    -------
    TokenForm or None
    """
    ts, ps = tuple(true_shape), tuple(pred_shape)
    for form in forms:
        if task == "binary":
            found = _binary(form, ts, ps, pred_floating)
        elif task == "multiclass":
            found = _multiclass(form, ts, ps, pred_floating, forms)
        else:
            found = _multilabel(form, ts, ps)
        if found is not None:
            return found
    return None


def refuse_ignore_index(ignore_index, one_hot):
    """``ignore_index`` compares class ids: not defined for one-hot ``y_true``
    (raises)."""
    if ignore_index is not None and one_hot:
        raise ValueError(
            "ignore_index needs y_true as class ids; y_true is one-hot here. "
            "Use mask."
        )


def _refuse_multilabel_class_weight(task, class_weight):
    if task == "multilabel" and class_weight is not None:
        raise ValueError(
            "class_weight is not defined for multilabel targets (a token has several "
            "true labels); use sample_weight."
        )


def read_class_weight(task, class_weight, C):
    """The class weights of a task as :meth:`TokenView.weigh` reads them
    (float64 ``(C,)``, or None); multilabel raises, as :func:`read_tokens`."""
    _refuse_multilabel_class_weight(task, class_weight)
    return check_class_weight(class_weight, C)


def read_tokens(task, y_true, y_pred, forms, *, class_weight=None):
    """Read ``y_true`` and the predictions (NumPy arrays) of an explicit task.

    Parameters
    ----------
    task : {"binary", "multiclass", "multilabel"}
    y_true, y_pred : ndarray
        The inputs as the family holds them (its dtype checks done).
    forms : sequence of str
        The forms the family reads (names from :data:`FORMS`), tried in order.
    class_weight : optional
        Only looked at for multilabel, where it is not defined (raises).

    Returns
    -------
    TokenView
        With ``mask``, weights and class weights not read yet (see
        :meth:`TokenView.keep`, :meth:`TokenView.weigh`).

    Raises
    ------
    TokenShapeError
        When no form fits the shapes.
    """
    found = token_form(task, y_true.shape, y_pred.shape, y_pred.dtype.kind == "f", forms)
    if found is None:
        raise TokenShapeError(task, y_true.shape, y_pred.shape)
    _refuse_multilabel_class_weight(task, class_weight)
    yt = y_true[..., 0] if found.squeeze_true else y_true
    yp = y_pred[..., 0] if found.squeeze_pred else y_pred
    return TokenView(task, found.form, found.token_shape, yt, yp, one_hot=found.one_hot,
                     unit=found.unit, C=found.C)


def token_view(task, y_true, y_pred, forms, *, num_classes=None, sample_weight=None,
               mask=None, ignore_index=None, class_weight=None):
    """All three steps at once: :func:`read_tokens`, :meth:`TokenView.keep`,
    :meth:`TokenView.weigh` (for a reader without checks of its own between
    them).  ``num_classes`` is the ``C`` of multiclass ids with predicted ids
    (the other forms read ``C`` off the shapes)."""
    view = read_tokens(task, y_true, y_pred, forms, class_weight=class_weight)
    if view.C is None:
        view.C = num_classes
    view.keep(mask, ignore_index)
    return view.weigh(sample_weight, None if task == "multilabel" else class_weight)


# ================================================================ one-hot rows

def is_one_hot(rows):
    """Whether every row of ``rows`` (n, k) is one-hot: 0/1 with a single 1."""
    if rows.size == 0:
        return True
    return bool(np.all((rows == 0) | (rows == 1)) and np.all(rows.sum(axis=1) == 1))


def one_hot_ids(rows):
    """int64 class ids of one-hot rows ``(n, k)``; a row that is not one-hot
    gets the id ``k`` (out of range, for a kernel to report)."""
    k = rows.shape[1]
    ok = ((rows == 0) | (rows == 1)).all(axis=1) & (rows.sum(axis=1) == 1)
    ids = np.argmax(rows, axis=1).astype(np.int64)
    ids[~ok] = k
    return ids


# ================================================== class weights of label values

def label_class_weights(class_weight, labels, array_entry):
    """Class weights of label *values* (the readings without a task, whose
    labels are values, not ids): a dict maps a label value to its weight (1
    when absent); a 1-D array is indexed by the label value, ``array_entry(arr,
    label)`` giving the label's entry (or raising the reader's message).

    Returns a float64 array of ``len(labels)`` weights (unchecked: the readers
    word their own message for a negative or non-finite weight).
    """
    cw = np.ones(len(labels), dtype=np.float64)
    if isinstance(class_weight, dict):
        for i, label in enumerate(labels):
            if label in class_weight:
                cw[i] = float(class_weight[label])
        return cw
    arr = np.asarray(class_weight, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(
            f"class_weight must be a dict or a 1-D array; got shape {arr.shape}."
        )
    for i, label in enumerate(labels):
        cw[i] = array_entry(arr, label)
    return cw

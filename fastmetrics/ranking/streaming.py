"""Streaming ROC AUC / average precision with bounded memory and a certified bound.

The state of :class:`AUC` in ``mode="binned"`` is a float64 table ``(C, bins,
2)`` of negative / positive weight per score bin and class (one row for
binary; one per class, one-vs-rest, for multiclass; one per label for
multilabel).  Bins come from the high bits of an order-preserving key of the
score folded at 1/2 (see :mod:`fastmetrics._kernels.cpu.ranking_stream`), so
their resolution follows the scores: relative to the distance from 0 below
1/2 and from 1 above it.  ``result()`` treats each bin as one threshold;
``error_bound()`` is a certified bound on the difference from the exact value
over the same data.  ``mode="exact"`` keeps the kept tokens (read by
:func:`fastmetrics._ranking_tokens.ranking_tokens`, the functional API's
reader) and computes the exact value with the functional API's kernels.

Input reading in binned mode: ``ranking_tokens`` compacts the kept tokens and
materialises per-token weights (copies the size of the input when a mask or
weights are given, and a validation pass of its own).  The binned update
instead reads the same token forms as views (``_tokens`` below) and fuses the
mask, ``ignore_index``, prefix-broadcast weights, class weights and all
validation into its one pass.  On bad input it re-reads the input with
``ranking_tokens`` to raise that reader's error, so both modes and the
functional API word errors alike (tested).

Why the fold (a deviation from "bins = high bits of the float32 key"): with the
plain float32 key, scores in [0.5, 1) share 128 bins of width 2**-8 at 2**16
bins, and scores crowded near 1 (``1 - 1e-6 * u``) fall into one or two bins
(a useless bound of ~0.47).  Folding at 1/2 spends one key bit on the fold and
wins it back by clamping magnitudes to [2**-63, 2**64] (exponents that scores,
probabilities and logits do not use), so the resolution near 0 is unchanged,
near 1 it becomes the same, and the uniform-score bound halves.
"""

import numbers
import warnings

import numpy as np

from .. import config
from .._core.backend import kernels
from .._core.state import check_mergeable
from .._core.checks import (
    as_array,
    check_class_weight,
    check_ignore_index,
    check_mask,
    check_num_classes,
    check_sample_weight,
)
from ..exceptions import UndefinedMetricWarning
from . import _binary

__all__ = ["AUC"]

_STATE_VERSION = 1
_CURVES = ("ROC", "PR")
_MODES = ("binned", "exact")
_AVERAGES = (None, "micro", "macro", "weighted")
_SCORES = ("any", "probability")
# "probability" bins cover [2**-E, 1 - 2**-E]
_PROB_EXP = 40


def _binmap(bins, scores):
    """(lo, hi, M) of ``ranking_stream.bin_of`` for ``bins`` bins."""
    k = _kernels()
    if scores == "any":
        return (0, int(k.KEY_MAX), int(bins))  # key >> (32 - log2(bins))
    lo = int(k.fold_key(np.float64(2.0**-_PROB_EXP)))
    hi = 2 * int(k._K0) - lo  # the key of 1 - 2**-E (the fold is symmetric)
    return (lo, hi, (int(bins) << 32) // (hi - lo + 1))


def _check_probabilities(s):
    """scores="probability": every score in [0, 1] (NaN is left to the
    kernels' finiteness check)."""
    if s.size == 0:
        return
    mn, mx = s.min(), s.max()
    if mn >= 0 and mx <= 1:
        return
    if np.isnan(mn) or np.isnan(mx):
        return
    bad = np.flatnonzero(((s < 0) | (s > 1)).reshape(-1))[0]
    raise ValueError(
        f"y_score must hold probabilities in [0, 1] with scores='probability'; found "
        f"{s.reshape(-1)[bad]!r} (element {bad} of the flattened scores). Use "
        "scores='any' for logits or other scales."
    )


_ROC_UNDEFINED = ("Only one class is present in y_true. ROC AUC score is not "
                  "defined in that case.")
_AP_NO_POSITIVE = ("No positive class found in y_true, recall is set to one for "
                   "all thresholds.")


def _kernels():
    return kernels("ranking_stream")


def _n_parts(n, C, B):
    """Number of parts of a parallel update (a power of two, 1 = serial).

    It depends on the input size and the table only (``config.PART_MIN_SCORES``,
    ``MAX_PARTS``, ``PARTS_BYTES``), never on the thread count, so results do
    not depend on the threads."""
    table_bytes = C * B * 2 * 8
    p = min(config.MAX_PARTS, (n * C) // config.PART_MIN_SCORES, n // (16 * B),
            config.PARTS_BYTES // table_bytes)
    if p < 2:
        return 1
    return 1 << (int(p).bit_length() - 1)


# ====================================================================== tokens

class _Tokens:
    """Flat views of one update: labels, scores (n, C), weights, mask."""

    __slots__ = ("kind", "y", "s", "w", "rep", "mask", "ignore", "cw",
                 "y_pos", "s_pos", "n")


def _numeric(a, name):
    if a.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold real numbers; got dtype {a.dtype}.")
    if a.dtype.kind == "b":
        return a.view(np.uint8)
    if a.dtype == np.float16:
        return a.astype(np.float32)
    if not a.dtype.isnative:
        return a.astype(a.dtype.newbyteorder("="))
    return a


def _kernel_dtype(a, name):
    """float16 / non-native byte order -> a dtype the kernels compile for."""
    a = as_array(a, name)
    if a.dtype.kind in "biuf" and (a.dtype == np.float16 or not a.dtype.isnative):
        return _numeric(a, name)
    return a


def _shape_error(task, yt, ys, expected):
    raise ValueError(
        f"y_true has shape {yt.shape} and y_score has shape {ys.shape}, which do not "
        f"fit task={task!r}: expected {expected}."
    )


def _check_one_hot_rows(y2, what):
    if y2.size == 0:
        return
    ok = bool(np.all((y2 == 0) | (y2 == 1)) and np.all(y2.sum(axis=1) == 1))
    if not ok:
        raise ValueError(
            f"y_true of the same shape as y_score is read as one-hot rows ({what}), "
            "but its rows are not one-hot (a single 1 per row)."
        )


def _tokens(task, C, y_true, y_score, sample_weight, mask, ignore_index, class_weight):
    """Views of one update's inputs for the fused binned kernels (the token
    forms of ``ranking_tokens``, without its copies): labels and scores as
    (n, C) views (binary: C = 1), the flat mask, the prefix weights with their
    repeat, ``ignore_index`` and the class weights."""
    yt = _numeric(as_array(y_true, "y_true"), "y_true")
    ys = _numeric(as_array(y_score, "y_score"), "y_score")
    ignore = check_ignore_index(ignore_index)
    t = _Tokens()
    one_hot = False
    if task == "binary":
        expected = ("y_score shaped like y_true (S), S + (1,), or S + (2,) (a two-unit "
                    "output, scored on column 1); y_true (S + (2,)) one-hot with "
                    "y_score (S + (2,))")
        if (ys.ndim >= 2 and ys.shape == yt.shape and ys.shape[-1] == 2
                and ys.dtype.kind == "f"):
            # two-unit output with one-hot targets: both read on column 1
            token_shape = yt.shape[:-1]
            y2 = yt.reshape(-1, 2)
            _check_one_hot_rows(y2, "targets for a two-unit output; for token arrays "
                                "whose last axis has length 2 add a trailing axis")
            t.y = y2[:, 1:2]
            t.s = ys.reshape(-1, 2)[:, 1:2]
            t.y_pos = lambda i, c: 2 * i + 1
            t.s_pos = lambda i, c: 2 * i + 1
            one_hot = True
        elif ys.ndim == yt.ndim + 1 and ys.shape[:-1] == yt.shape and ys.shape[-1] in (1, 2):
            token_shape = yt.shape
            k = ys.shape[-1]
            t.y = yt.reshape(-1, 1)
            t.s = ys.reshape(-1, k)[:, k - 1:]
            t.y_pos = lambda i, c: i
            t.s_pos = lambda i, c, k=k: k * i + k - 1
        elif yt.ndim == ys.ndim + 1 and yt.shape[-1] == 2 and yt.shape[:-1] == ys.shape:
            # one-hot targets (..., 2) with positive-class scores (...)
            token_shape = ys.shape
            y2 = yt.reshape(-1, 2)
            _check_one_hot_rows(y2, "binary targets")
            t.y = y2[:, 1:2]
            t.s = ys.reshape(-1, 1)
            t.y_pos = lambda i, c: 2 * i + 1
            t.s_pos = lambda i, c: i
            one_hot = True
        else:
            # (..., 1) -> (...), as the functional API reads binary tokens
            if yt.ndim >= 2 and yt.shape[-1] == 1 and (
                    ys.shape == yt.shape or ys.shape == yt.shape[:-1]):
                yt = yt[..., 0]
            if ys.ndim >= 2 and ys.shape[-1] == 1 and ys.shape[:-1] == yt.shape:
                ys = ys[..., 0]
            if ys.shape != yt.shape or yt.ndim == 0:
                _shape_error(task, yt, ys, expected)
            token_shape = yt.shape
            t.y = yt.reshape(-1, 1)
            t.s = ys.reshape(-1, 1)
            t.y_pos = lambda i, c: i
            t.s_pos = lambda i, c: i
        t.kind = "indicator"
        cw = check_class_weight(class_weight, 2)
    elif task == "multiclass":
        expected = (f"class ids y_true of shape S with scores y_score of shape S + "
                    f"({C},), or one-hot y_true of the same shape as y_score")
        if ys.ndim == yt.ndim + 1 and ys.shape[:-1] == yt.shape:
            token_shape = yt.shape
            t.y = yt.reshape(-1)
            t.y_pos = lambda i, c: i
        elif ys.ndim >= 2 and ys.shape == yt.shape:
            token_shape = yt.shape[:-1]
            y2 = yt.reshape(-1, yt.shape[-1])
            _check_one_hot_rows(y2, f"one-hot targets of {yt.shape[-1]} classes")
            t.y = np.argmax(y2, axis=1) if y2.shape[0] else np.zeros(0, np.int64)
            t.y_pos = lambda i, c, k=yt.shape[-1]: k * i
            one_hot = True
        else:
            _shape_error(task, yt, ys, expected)
        if ys.shape[-1] != C:
            raise ValueError(
                f"num_classes={C} but the class axis of y_score has size "
                f"{ys.shape[-1]}."
            )
        t.s = ys.reshape(-1, C)
        t.s_pos = lambda i, c: C * i + c
        t.kind = "multiclass"
        cw = check_class_weight(class_weight, C)
    else:  # multilabel
        if ys.shape != yt.shape or yt.ndim < 1:
            _shape_error(task, yt, ys, f"y_true and y_score of the same shape S + ({C},)")
        if ys.shape[-1] != C:
            raise ValueError(
                f"num_classes={C} but the label axis of y_true / y_score has size "
                f"{ys.shape[-1]}."
            )
        if class_weight is not None:
            raise ValueError(
                "class_weight is not defined for multilabel targets (a token has "
                "several true labels); use sample_weight."
            )
        token_shape = yt.shape[:-1]
        t.y = yt.reshape(-1, C)
        t.s = ys.reshape(-1, C)
        t.y_pos = lambda i, c: C * i + c
        t.s_pos = lambda i, c: C * i + c
        t.kind = "indicator"
        cw = None
    if one_hot and ignore is not None:
        raise ValueError(
            "ignore_index needs y_true as labels shaped like the tokens; y_true is "
            "one-hot here. Use mask."
        )
    t.mask = check_mask(mask, token_shape)
    t.w, t.rep, _ = check_sample_weight(sample_weight, token_shape)
    t.ignore = ignore
    t.cw = cw
    t.n = t.s.shape[0]
    return t


def _raise_bad(task, C, t, i, c, code):
    k = _kernels()
    if code == k.BAD_SCORE:
        raise ValueError(
            f"y_score contains NaN or infinity (first bad score at flat index "
            f"{t.s_pos(i, c)})."
        )
    if code == k.BAD_WEIGHT:
        raise ValueError(
            f"sample_weight must be finite and >= 0; first bad weight at index "
            f"{i // t.rep} (value {t.w[i // t.rep]!r})."
        )
    value = (t.y[i, c] if t.y.ndim == 2 else t.y[i]).item()
    pos = t.y_pos(i, c)
    if task == "multiclass":
        raise ValueError(
            f"y_true must hold class ids in [0, {C}) for task='multiclass'; got "
            f"{value!r} at flat index {pos}. Exclude such tokens with mask= or "
            "ignore_index=, or set num_classes."
        )
    raise ValueError(
        f"y_true must hold 0/1 labels for task={task!r}; got {value!r} at flat index "
        f"{pos}. Exclude such tokens with mask= or ignore_index=."
    )


# ======================================================================= state

class AUC:
    """Streaming ROC AUC or average precision (binary, multiclass OvR, multilabel).

    Parameters
    ----------
    curve : {"ROC", "PR"}, default="ROC"
        "ROC": area under the ROC curve (scikit-learn's ``roc_auc_score``);
        "PR": average precision (``average_precision_score``: the step-wise
        sum of precision times recall increments, not a trapezoid).
    task : {"binary", "multiclass", "multilabel"}, default="binary"
        How ``update`` reads its inputs (token arrays of any shape, as in the
        functional API with an explicit ``task``); multiclass is one-vs-rest.
    num_classes : int, default=None
        Number of classes (multiclass) or labels (multilabel); required for
        those tasks.  2 or None for binary.
    mode : {"binned", "exact"}, default="binned"
        "binned": bounded memory, four float64 tables of shape ``(C, bins,
        2)`` (weights, squared weights and the first and second moments of
        the positions in the bins, see ``docs/streaming-auc.md``);
        ``result()`` is within ``error_bound()`` of the exact value.  "exact":
        keeps every token (labels, scores, weights); ``result()`` equals
        ``fastmetrics.roc_auc_score`` / ``average_precision_score`` on all the
        data and ``error_bound()`` is 0.
    bins : int, default=2**16
        Number of score bins (binned mode): a power of two from 2**8 to 2**24.
        Each octave of the distance from 0 (scores up to 1/2) or from 1
        (scores above 1/2) spans ``bins / 512`` bins.
    average : {"macro", "weighted", "micro", None}, default="macro"
        How per-class values combine (multiclass, multilabel), as in
        scikit-learn; ignored for binary.  None: one value per class.
    scores : {"any", "probability"}, default="any"
        Binned mode: the score range the bins cover.  "any": every real
        number (logits too), as above.  "probability": scores must lie in
        [0, 1] (ValueError otherwise, masked tokens included) and all the bins
        cover [2**-40, 1 - 2**-40] (scores outside share the end bins), ~6.6x
        finer for probabilities at the same table size: each octave of the
        distance from 0 or from 1 spans ``bins / 78`` bins.

    Examples
    --------
    >>> import numpy as np
    >>> from fastmetrics.streaming import AUC
    >>> auc = AUC("ROC")
    >>> auc.update([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])  # doctest: +ELLIPSIS
    <fastmetrics.streaming.AUC ...>
    >>> print(f"{auc.result():.2f} +- {auc.error_bound():.2f}")
    0.75 +- 0.00
    """

    def __init__(self, curve="ROC", *, task="binary", num_classes=None,
                 mode="binned", bins=2**16, average="macro", scores="any"):
        if scores not in _SCORES:
            raise ValueError(f"scores must be one of {_SCORES}; got {scores!r}.")
        if not isinstance(curve, str) or curve.upper() not in _CURVES:
            raise ValueError(f"curve must be 'ROC' or 'PR'; got {curve!r}.")
        if task not in ("binary", "multiclass", "multilabel"):
            raise ValueError(
                f"task must be 'binary', 'multiclass' or 'multilabel'; got {task!r}."
            )
        num_classes = check_num_classes(num_classes, task)
        if task == "binary":
            num_classes = 2
        elif num_classes is None:
            raise ValueError(
                f"num_classes is required for task={task!r} (the state has a fixed "
                "size)."
            )
        if mode not in _MODES:
            raise ValueError(f"mode must be 'binned' or 'exact'; got {mode!r}.")
        if (isinstance(bins, bool) or not isinstance(bins, numbers.Integral)
                or not 2**8 <= bins <= 2**24 or bins & (bins - 1)):
            raise ValueError(
                f"bins must be a power of two from 2**8 to 2**24; got {bins!r}."
            )
        if average == "samples":
            raise ValueError(
                "average='samples' needs per-sample values, which a streaming state "
                "does not keep; use the functional API for it."
            )
        if average not in _AVERAGES:
            raise ValueError(
                f"average must be one of {_AVERAGES}; got {average!r}."
            )
        self.curve = curve.upper()
        self.task = task
        self.num_classes = num_classes
        self.mode = mode
        self.bins = int(bins)
        self.average = average
        self._C = 1 if task == "binary" else num_classes
        self.scores = scores
        self._binmap = _binmap(self.bins, scores)
        # tie tolerance of the AP estimate (larger for statistics that were
        # accumulated in float32, see fastmetrics.keras)
        self._tie_tol = float(_kernels().TIE_TOL)
        self.reset()

    # ------------------------------------------------------------------ state
    def reset(self):
        """Forget every update.

        Returns
        -------
        self : AUC
        """
        if self.mode == "binned":
            self._table = np.zeros((self._C, self.bins, 2), dtype=np.float64)
            self._moments = np.zeros((self._C, self.bins, 2), dtype=np.float64)
            self._moments2 = np.zeros((self._C, self.bins, 2), dtype=np.float64)
            self._sq_weights = np.zeros((self._C, self.bins, 2), dtype=np.float64)
        else:
            self._chunks = []
        self._unit = True  # no update carried weights: the table holds counts
        return self

    def update(self, y_true, y_score, *, sample_weight=None, mask=None,
               ignore_index=None, class_weight=None):
        """Add a batch of tokens.

        Parameters
        ----------
        y_true : array-like
            binary: 0/1 labels (bool, int or float) of token shape S, or
            one-hot rows S + (2,) with a two-unit ``y_score`` S + (2,);
            multiclass: class ids in [0, C) of shape S (or one-hot rows
            S + (C,)); multilabel: 0/1 of shape S + (C,).
        y_score : array-like of real numbers
            binary: S, S + (1,), or S + (2,) (a two-unit output: column 1 is
            the positive score); multiclass and multilabel: S + (C,).  Scores
            are used as given (any monotone scale: probabilities or logits);
            NaN or infinity raises ValueError.
        sample_weight : array-like, default=None
            Non-negative weights shaped like a prefix of S: (N,) per sequence,
            (N, T) per token.
        mask : bool array of shape S, default=None
            False tokens are skipped.
        ignore_index : int, default=None
            Tokens whose label equals it are skipped (multilabel: that label
            of that token).
        class_weight : dict or array of shape (2,) or (C,), default=None
            Multiplies a token's weight by the weight of its true class
            (binary and multiclass; not defined for multilabel).

        Returns
        -------
        self : AUC
        """
        args = (y_true, y_score, sample_weight, mask, ignore_index, class_weight)
        if self.mode == "exact":
            self._chunks.append(self._exact_chunk(*args))
            return self
        C = self._C
        try:
            t = _tokens(self.task, self.num_classes if self.task != "binary" else 1,
                        *args)
        except ValueError:
            self._canonical_error(*args)
            raise
        if t.n == 0:
            return self
        if self.scores == "probability":
            _check_probabilities(t.s)
        k = _kernels()
        indicator = t.kind == "indicator"
        # flat row-major views: element i * C + c (binary: C = 1)
        yf = t.y.reshape(-1)
        sf = t.s.reshape(-1)
        weighted = t.w is not None or t.cw is not None
        parts = _n_parts(t.n, C, self.bins)
        if parts == 1:
            fn = k.indicator_serial if indicator else k.multiclass_serial
            i, c, code = fn(yf, sf, C, t.w, t.rep, t.mask, t.ignore, t.cw, self._binmap,
                            self._table.reshape(-1), self._moments.reshape(-1),
                            self._moments2.reshape(-1), self._sq_weights.reshape(-1))
            if code != k.OK:
                self._raise_bad(args, t, i, c, code)
            self._unit = self._unit and not weighted
            return self
        tabs = np.zeros((parts, C * 2 * self.bins),
                        dtype=np.float64 if weighted else np.int64)
        moms = np.zeros((parts, C * 2 * self.bins), dtype=np.float64)
        moms2 = np.zeros((parts, C * 2 * self.bins), dtype=np.float64)
        sqws = np.zeros((parts, C * 2 * self.bins), dtype=np.float64)
        ranges = np.empty((parts, 2), dtype=np.int64)
        fn = k.indicator_parts if indicator else k.multiclass_parts
        i, c, code = fn(yf, sf, C, t.w, t.rep, t.mask, t.ignore, t.cw, self._binmap, tabs,
                        moms, moms2, sqws, ranges)
        if code != k.OK:
            self._raise_bad(args, t, i, c, code)
        # parts added in part order (deterministic float sums; int64 counts
        # are exact in float64 below 2**53)
        k.add_parts(self._table.reshape(-1), tabs, ranges, C)
        k.add_parts(self._moments.reshape(-1), moms, ranges, C)
        k.add_parts(self._moments2.reshape(-1), moms2, ranges, C)
        k.add_parts(self._sq_weights.reshape(-1), sqws, ranges, C)
        self._unit = self._unit and not weighted
        return self

    def merge(self, other):
        """Add another state's data (from another chunk, worker or device).

        Parameters
        ----------
        other : AUC
            A state with the same curve, task, num_classes, mode, bins and scores.

        Returns
        -------
        self : AUC
        """
        check_mergeable(self, other, ("curve", "task", "num_classes", "mode", "bins", "scores"))
        if self.mode == "binned":
            self._table += other._table
            self._moments += other._moments
            self._moments2 += other._moments2
            self._sq_weights += other._sq_weights
        else:
            self._chunks.extend(other._chunks)
        self._unit = self._unit and other._unit
        return self

    def state_dict(self):
        """The state as a dict of plain values and NumPy arrays (copies).

        Returns
        -------
        state : dict
            Binned mode: ``table`` (C, bins, 2) float64 (negative, positive
            weight per bin), ``moments``, ``moments2`` and ``sq_weights``
            (C, bins, 2) float64 (the same cells' sums of weight times
            position in the bin, in [0, 1), of weight times its square, and
            of squared weights).
            Exact mode: ``y``, ``s``, ``w`` (``w`` None when
            no update carried weights).
        """
        state = {
            "version": _STATE_VERSION,
            "kind": "AUC",
            "curve": self.curve,
            "task": self.task,
            "num_classes": self.num_classes,
            "mode": self.mode,
            "bins": self.bins,
            "average": self.average,
            "scores": self.scores,
            "unit_weights": self._unit,
        }
        if self.mode == "binned":
            state["table"] = self._table.copy()
            state["moments"] = self._moments.copy()
            state["moments2"] = self._moments2.copy()
            state["sq_weights"] = self._sq_weights.copy()
        else:
            y, s, w = self._consolidated()
            state["y"] = y.copy()
            state["s"] = s.copy()
            state["w"] = None if w is None else w.copy()
        return state

    @classmethod
    def from_state_dict(cls, state):
        """Rebuild a state saved by :meth:`state_dict` (arrays may be lists).

        Parameters
        ----------
        state : dict

        Returns
        -------
        AUC
        """
        if state.get("kind") != "AUC":
            raise ValueError(f"state is a {state.get('kind')!r}, not an AUC state.")
        if state.get("version") != _STATE_VERSION:
            raise ValueError(
                f"state version {state.get('version')!r} is not supported "
                f"(expected {_STATE_VERSION})."
            )
        obj = cls(state["curve"], task=state["task"], num_classes=state["num_classes"],
                  mode=state["mode"], bins=state["bins"], average=state["average"],
                  scores=state.get("scores", "any"))
        if obj.mode == "binned":
            table = np.array(state["table"], dtype=np.float64)
            if table.shape != obj._table.shape:
                raise ValueError(
                    f"state['table'] has shape {table.shape}, expected "
                    f"{obj._table.shape}."
                )
            if not (np.all(np.isfinite(table)) and np.all(table >= 0)):
                raise ValueError("state['table'] must hold finite weights >= 0.")
            obj._unit = bool(state["unit_weights"])
            if obj._unit and not np.array_equal(table, np.round(table)):
                raise ValueError(
                    "state['unit_weights'] is True but state['table'] holds "
                    "non-integer weights."
                )
            # states saved without the moments: zeros, the tie treatment
            extra = ("moments", "moments2", "sq_weights")
            if any(key in state for key in extra) and not all(key in state for key in extra):
                raise ValueError(f"state needs all of {extra}, or none of them.")
            upper = table
            for key in ("moments", "moments2"):
                m = np.array(state.get(key, np.zeros_like(table)), dtype=np.float64)
                if m.shape != table.shape:
                    raise ValueError(
                        f"state[{key!r}] has shape {m.shape}, expected {table.shape}."
                    )
                if not (np.all(np.isfinite(m)) and np.all(m >= 0) and np.all(m <= upper)):
                    raise ValueError(
                        f"state[{key!r}] must hold finite values in [0, "
                        f"{'table' if key == 'moments' else 'moments'}] (weight times a "
                        "position in [0, 1), or its square)."
                    )
                setattr(obj, "_" + key, m)
                upper = m
            sq = np.array(state.get("sq_weights", np.zeros_like(table)), dtype=np.float64)
            if sq.shape != table.shape or not (np.all(np.isfinite(sq)) and np.all(sq >= 0)):
                raise ValueError(
                    f"state['sq_weights'] must be finite, >= 0 and of shape {table.shape}."
                )
            obj._sq_weights = sq
            obj._table = table
            return obj
        y = np.asarray(state["y"])
        s = np.asarray(state["s"])
        w = None if state["w"] is None else np.asarray(state["w"], dtype=np.float64)
        n = y.shape[0] if y.ndim else -1
        y_shape, s_shape = obj._exact_shapes(n)
        if y.shape != y_shape or s.shape != s_shape or (
                w is not None and w.shape != (n,)):
            raise ValueError(
                "state['y'], state['s'], state['w'] have shapes "
                f"{y.shape}, {s.shape}, {None if w is None else w.shape}; expected "
                f"{y_shape}, {s_shape} and {(n,)} (or None)."
            )
        if n:
            obj._chunks.append((y, s, w))
        return obj

    # ------------------------------------------------------------ exact mode
    def _exact_shapes(self, n):
        """Shapes of the kept labels and scores of n tokens (exact mode)."""
        C = self._C
        if self.task == "binary":
            return (n,), (n,)
        return ((n,) if self.task == "multiclass" else (n, C)), (n, C)

    def _exact_chunk(self, y_true, y_score, sample_weight, mask, ignore_index,
                     class_weight):
        """The kept tokens of one update, read by the functional API's reader:
        labels (binary uint8 0/1, multiclass int64 ids, multilabel uint8 with
        ``IGNORED`` marking dropped elements), scores and weights (copies)."""
        from ._tokens import ranking_tokens

        yt = _kernel_dtype(y_true, "y_true")
        ys = _kernel_dtype(y_score, "y_score")
        if self.task == "binary" and yt.shape == ys.shape == (1,):
            # one token of shape (1,): ranking_tokens would squeeze it to a 0-d
            # token and then reject a (1,) sample_weight or mask
            yt, ys = yt.reshape(1, 1), ys.reshape(1, 1)
        y, s, w = ranking_tokens(
            yt, ys, task=self.task,
            num_classes=None if self.task == "binary" else self.num_classes,
            sample_weight=sample_weight, mask=mask, ignore_index=ignore_index,
            class_weight=class_weight)
        if s.ndim == 2 and s.shape[1] != self._C:
            raise ValueError(
                f"num_classes={self.num_classes} but the class axis of y_score has "
                f"size {s.shape[1]}."
            )
        y = np.array(y, dtype=np.uint8 if self.task != "multiclass" else np.int64)
        return y, np.array(s), None if w is None else np.array(w, dtype=np.float64)

    def _consolidated(self):
        """Exact mode: (y, s, w) over every chunk so far (kept as one chunk)."""
        if not self._chunks:
            y_shape, s_shape = self._exact_shapes(0)
            return (np.zeros(y_shape, dtype=np.int64 if self.task == "multiclass"
                             else np.uint8), np.zeros(s_shape), None)
        if len(self._chunks) == 1:
            return self._chunks[0]
        ys, ss, ws = zip(*self._chunks)
        w = None
        if any(w is not None for w in ws):
            w = np.concatenate([np.ones(y.shape[0]) if w is None else w
                                for y, w in zip(ys, ws)])
        chunk = (np.concatenate(ys), np.concatenate(ss), w)
        self._chunks = [chunk]
        return chunk

    def _exact_problem(self, c):
        """(positive, scores, weights) of class c, or of the pooled problem
        (c = None, micro average)."""
        from ._tokens import IGNORED

        y, s, w = self._consolidated()
        C = self._C
        if self.task == "binary":
            return y, s, w
        if self.task == "multiclass":
            if c is None:
                return ((y.reshape(-1, 1) == np.arange(C)).reshape(-1), s.reshape(-1),
                        None if w is None else np.repeat(w, C))
            return y == c, s[:, c], w
        if c is None:
            yc, sc = y.reshape(-1), s.reshape(-1)
            wc = None if w is None else np.repeat(w, C)
        else:
            yc, sc, wc = y[:, c], s[:, c], w
        keep = yc != IGNORED
        if not keep.all():
            yc, sc = yc[keep], sc[keep]
            wc = None if wc is None else wc[keep]
        return yc, sc, wc

    # ---------------------------------------------------------------- results
    def _per_class(self):
        """(auc, ap, auc_bound, ap_bound, P, N) per class, each (C,) float64."""
        if self.mode == "binned":
            fn = _kernels().table_auc_ap
            return np.array([fn(self._table[c], self._moments[c], self._moments2[c],
                                self._sq_weights[c], self._unit, self._tie_tol)
                             for c in range(self._C)]).T
        out = [_exact_auc_ap(*self._exact_problem(c)) for c in range(self._C)]
        return np.array(out).reshape(self._C, 6).T

    def _micro(self):
        if self.mode == "binned":
            return _kernels().table_auc_ap(self._table.sum(axis=0),
                                           self._moments.sum(axis=0),
                                           self._moments2.sum(axis=0),
                                           self._sq_weights.sum(axis=0), self._unit,
                                           self._tie_tol)
        return _exact_auc_ap(*self._exact_problem(None))

    # ----------------------------------------------------------------- errors
    def _canonical_error(self, y_true, y_score, sample_weight, mask, ignore_index,
                         class_weight):
        """Raise the functional API's error for bad input (so both modes and the
        functional API word it alike); return if that reader accepts it."""
        from ._tokens import ranking_tokens

        ranking_tokens(
            y_true, y_score, task=self.task,
            num_classes=None if self.task == "binary" else self.num_classes,
            sample_weight=sample_weight, mask=mask, ignore_index=ignore_index,
            class_weight=class_weight)

    def _raise_bad(self, args, t, i, c, code):
        self._canonical_error(*args)
        _raise_bad(self.task, self.num_classes, t, i, c, code)

    def _finish(self, raw, warn):
        """(value, bound) of one binary problem; warns like the functional API."""
        auc, ap, auc_bound, ap_bound, P, N = raw
        exact = self.mode == "exact"
        if self.curve == "ROC":
            if P <= 0 or N <= 0:
                if warn:
                    warnings.warn(_ROC_UNDEFINED, UndefinedMetricWarning, stacklevel=4)
                return np.nan, np.nan
            return float(auc), 0.0 if exact else float(auc_bound)
        if P <= 0:
            if warn:
                warnings.warn(_AP_NO_POSITIVE, stacklevel=4)
            return 0.0, 0.0
        return float(max(0.0, ap)), 0.0 if exact else float(ap_bound)

    def _compute(self, warn):
        if self.task == "binary":
            return self._finish(self._per_class()[:, 0], warn)
        if self.average == "micro":
            return self._finish(self._micro(), warn)
        raw = self._per_class()
        P = raw[4]
        if self.average == "weighted" and np.isclose(P.sum(), 0.0):
            return 0.0, 0.0  # scikit-learn: zero total support gives 0
        pairs = [self._finish(raw[:, c], warn) for c in range(self._C)]
        values = np.array([v for v, _ in pairs], dtype=np.float64)
        bounds = np.array([b for _, b in pairs], dtype=np.float64)
        if self.average is None:
            return values, bounds
        if self.average == "macro":
            return float(np.average(values)), float(np.average(bounds))
        values[P == 0] = 0.0
        bounds[P == 0] = 0.0
        return (float(np.average(values, weights=P)),
                float(np.average(bounds, weights=P)))

    def result(self):
        """The ROC AUC / average precision of every token so far.

        Returns
        -------
        float, or ndarray of shape (C,) float64 for ``average=None``
            Binned mode: each bin is one threshold (ties); the exact value is
            within :meth:`error_bound`.  ``nan`` with an UndefinedMetricWarning
            when the ROC AUC is undefined (one class only); average precision
            without positives is 0 with a UserWarning, as in scikit-learn.
        """
        return self._compute(warn=True)[0]

    def error_bound(self):
        """Certified bound on ``|result() - exact value|``, same shape as ``result()``.

        Returns
        -------
        float, or ndarray of shape (C,) float64 for ``average=None``
            0 in exact mode; NaN where the result is NaN.  Binned ROC: half the
            weight of (positive, negative) pairs sharing a bin over ``P * N``;
            binned PR: per bin, the largest change of the bin's precision
            steps over the orderings of its tokens (see
            ``docs/streaming-auc.md``).  Averages average the bounds with the
            same weights; micro: the bound of the pooled problem.
        """
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self._compute(warn=False)[1]

    def __repr__(self):
        return (f"<fastmetrics.streaming.AUC curve={self.curve!r} task={self.task!r} "
                f"mode={self.mode!r} bins={self.bins} scores={self.scores!r}>")


def _exact_auc_ap(yc, sc, wc):
    """(auc, ap, nan, nan, P, N) of one binary problem with the functional
    API's exact kernels; zero-weight tokens dropped."""

    yc = np.ascontiguousarray(yc)
    sc = np.ascontiguousarray(sc)
    if wc is not None:
        wc = np.ascontiguousarray(wc, dtype=np.float64)
        nz = wc != 0
        if not nz.all():
            yc, sc, wc = yc[nz], sc[nz], wc[nz]
    if yc.shape[0] == 0:
        return np.nan, np.nan, np.nan, np.nan, 0.0, 0.0
    yc = yc.astype(np.uint8, copy=False)
    auc, ap, P, N = _binary._auc_ap(yc, sc, 1, wc)
    return auc, ap, 0.0, 0.0, P, N


# Public under fastmetrics.streaming (pickling, repr, doctests find it there).
AUC.__module__ = "fastmetrics.streaming"

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
from .._kernels import codes
from .._core.backend import as_kernel_numbers, kernels
from .._core.state import StreamingState
from .._core.checks import as_array, check_ignore_index, check_state_task
from ..exceptions import UndefinedMetricWarning
from .._core.tokens import TokenShapeError, is_one_hot, read_tokens
from . import _binary
from ._tokens import FORMS, IGNORED, _shape_error, ranking_tokens

__all__ = ["AUC"]

_CURVES = ("ROC", "PR")
_MODES = ("binned", "exact")
_AVERAGES = (None, "micro", "macro", "weighted")
_SCORES = ("any", "probability")
# "probability" bins cover [2**-E, 1 - 2**-E]
_PROB_EXP = 40


def _binmap(bins, scores):
    """(lo, hi, M) of ``ranking_stream.bin_of`` for ``bins`` bins."""
    k = _kernels(1)
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


def _kernels(n):
    """The streaming ranking kernels for a call that reads ``n`` scores or
    table cells (``n`` picks the tier: NumPy twins for small ones)."""
    return kernels("ranking_stream", n=n)


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
    return as_kernel_numbers(a)


def _kernel_dtype(a, name):
    """float16 / non-native byte order -> a dtype the kernels compile for."""
    a = as_array(a, name)
    if a.dtype.kind in "biuf" and (a.dtype == np.float16 or not a.dtype.isnative):
        return _numeric(a, name)
    return a


def _expected(task, C):
    """What the shapes of ``task`` should be (for the shape error)."""
    if task == "binary":
        return ("y_score shaped like y_true (S), S + (1,), or S + (2,) (a two-unit "
                "output, scored on column 1); y_true (S + (2,)) one-hot with "
                "y_score (S + (2,))")
    if task == "multiclass":
        return (f"class ids y_true of shape S with scores y_score of shape S + "
                f"({C},), or one-hot y_true of the same shape as y_score")
    return f"y_true and y_score of the same shape S + ({C},)"


def _check_one_hot_rows(y2, what):
    if not is_one_hot(y2):
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
    try:
        view = read_tokens(task, yt, ys, FORMS[task], class_weight=class_weight)
    except TokenShapeError:
        view = None
    if view is None or (view.form == "squeezed" and not view.token_shape):
        # (a binned update reads no 0-d token arrays)
        raise _shape_error(task, yt, ys, _expected(task, C))
    t = _Tokens()
    if task == "binary":
        _binary_views(t, view)
    elif task == "multiclass":
        _multiclass_views(t, view, C)
    else:
        _multilabel_views(t, view, C)
    view.keep(mask, ignore)
    view.weigh(sample_weight, None if task == "multilabel" else class_weight)
    t.mask, t.w, t.rep, t.ignore, t.cw = view.mask, view.w, view.rep, ignore, view.cw
    t.n = t.s.shape[0]
    return t


_TWO_UNIT = ("targets for a two-unit output; for token arrays whose last axis has "
             "length 2 add a trailing axis")


def _binary_views(t, view):
    """Binary: labels and positive scores as (n, 1) views (one-hot targets and
    unit outputs read by their positive column)."""
    y, p = view.y, view.p
    if view.one_hot:
        _check_one_hot_rows(y, _TWO_UNIT if view.unit is not None else "binary targets")
        t.y = y[:, 1:2]
        t.y_pos = lambda i, c: 2 * i + 1
    else:
        t.y = y.reshape(-1, 1)
        t.y_pos = lambda i, c: i
    if view.unit is not None:  # an output S + (k,) scored on its last column
        k = p.shape[1]
        t.s = p[:, k - 1:]
        t.s_pos = lambda i, c, k=k: k * i + k - 1
    else:
        t.s = p.reshape(-1, 1)
        t.s_pos = lambda i, c: i
    t.kind = "indicator"


def _multiclass_views(t, view, C):
    """Multiclass: class ids (n,) (one-hot rows read by their argmax) and
    scores (n, C)."""
    if view.one_hot:
        y2 = view.y
        k = y2.shape[-1]
        _check_one_hot_rows(y2, f"one-hot targets of {k} classes")
        t.y = np.argmax(y2, axis=1) if y2.shape[0] else np.zeros(0, np.int64)
        t.y_pos = lambda i, c, k=k: k * i
    else:
        t.y = view.y
        t.y_pos = lambda i, c: i
    if view.C != C:
        raise ValueError(
            f"num_classes={C} but the class axis of y_score has size {view.C}."
        )
    t.s = view.p
    t.s_pos = lambda i, c: C * i + c
    t.kind = "multiclass"


def _multilabel_views(t, view, C):
    """Multilabel: 0/1 labels and scores, both (n, C)."""
    if view.C != C:
        raise ValueError(
            f"num_classes={C} but the label axis of y_true / y_score has size "
            f"{view.C}."
        )
    t.y, t.s = view.y, view.p
    t.y_pos = lambda i, c: C * i + c
    t.s_pos = lambda i, c: C * i + c
    t.kind = "indicator"


def _raise_bad(task, C, t, i, c, code):
    """Raise the kernel's report ``code`` on token ``i`` (class row ``c``)."""
    if code == codes.PRED_NOT_FINITE:
        where = f"(first bad score at flat index {t.s_pos(i, c)})"
        raise ValueError(f"y_score contains NaN or infinity {where}.")
    if code == codes.WEIGHT_INVALID:
        j = i // t.rep
        where = f"first bad weight at index {j} (value {t.w[j]!r})"
        raise ValueError(f"sample_weight must be finite and >= 0; {where}.")
    value = (t.y[i, c] if t.y.ndim == 2 else t.y[i]).item()
    got = f"got {value!r} at flat index {t.y_pos(i, c)}"
    if task == "multiclass":
        raise ValueError(
            f"y_true must hold class ids in [0, {C}) for task='multiclass'; {got}. "
            "Exclude such tokens with mask= or ignore_index=, or set num_classes."
        )
    raise ValueError(
        f"y_true must hold 0/1 labels for task={task!r}; {got}. Exclude such tokens "
        "with mask= or ignore_index=."
    )


# ======================================================================= state

class AUC(StreamingState):
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
    ignore_index : int, default=None
        Tokens whose label equals this value are skipped (multilabel: that
        label of that token); :meth:`update` may override it per call.

    Notes
    -----
    ``state_dict()`` holds the settings, ``unit_weights`` (True while no
    update carried weights) and, in binned mode, ``table`` (C, bins, 2)
    float64 (negative, positive weight per bin; C = 1 for binary),
    ``moments``, ``moments2`` and ``sq_weights`` (C, bins, 2) float64 (the
    same cells' sums of weight times position in the bin, in [0, 1), of
    weight times its square, and of squared weights); in exact mode ``y``,
    ``s``, ``w`` (the kept tokens; ``w`` None when no update carried
    weights).  ``ignore_index`` is saved only when it is set.

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

    _KIND = "AUC"
    _CONFIG = ("curve", "task", "num_classes", "mode", "bins", "average", "scores")
    # ``average`` only chooses how ``result`` reads the statistics
    _MERGE_KEYS = ("curve", "task", "num_classes", "mode", "bins", "scores", "ignore_index")
    #: the additive tables of binned mode, in kernel argument order
    _TABLES = ("table", "moments", "moments2", "sq_weights")
    #: tie tolerance of the AP estimate for statistics accumulated in float32
    #: (positions and their squares carry ~1e-7 relative rounding there, so a
    #: bin of tied scores shows a variance of that order); see :meth:`load_tables`
    FLOAT32_TIE_TOL = 1e-4
    #: what ``_n_parts`` answers for an update that runs serially
    _SERIAL = 1

    def __init__(self, curve="ROC", *, task="binary", num_classes=None,
                 mode="binned", bins=2**16, average="macro", scores="any",
                 ignore_index=None):
        if scores not in _SCORES:
            raise ValueError(f"scores must be one of {_SCORES}; got {scores!r}.")
        if not isinstance(curve, str) or curve.upper() not in _CURVES:
            raise ValueError(f"curve must be 'ROC' or 'PR'; got {curve!r}.")
        num_classes = check_state_task(task, num_classes)
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
        self.ignore_index = check_ignore_index(ignore_index)
        self._binmap = _binmap(self.bins, scores)
        self._tie_tol = self._float64_tie_tol()
        self.reset()

    @staticmethod
    def _float64_tie_tol():
        return float(_kernels(0).TIE_TOL)

    @property
    def _ARRAYS(self):
        return self._TABLES if self.mode == "binned" else ()

    # ------------------------------------------------------------------ state
    def reset(self):
        """Forget every update.

        Returns
        -------
        self : AUC
        """
        if self.mode == "binned":
            for name in self._TABLES:
                setattr(self, "_" + name,
                        np.zeros((self._C, self.bins, 2), dtype=np.float64))
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
            of that token).  None: the constructor's ``ignore_index``; a value
            given here overrides it for this update.
        class_weight : dict or array of shape (2,) or (C,), default=None
            Multiplies a token's weight by the weight of its true class
            (binary and multiclass; not defined for multilabel).

        Returns
        -------
        self : AUC
        """
        args = self._args(y_true, y_score, sample_weight, mask, ignore_index, class_weight)
        if self.mode == "exact":
            self._chunks.append(self._exact_chunk(*args))
            return self
        t = self._binned_tokens(args)
        if t.n:
            self._add(t, args)
        return self

    def batch_deltas(self, y_true, y_score, *, sample_weight=None, mask=None,
                     ignore_index=None, class_weight=None):
        """The table cells a batch adds to and what it adds there (binned mode).

        Reads the batch as :meth:`update` does (same validation, same errors)
        but leaves the state unchanged, in O(batch) time whatever the number
        of bins.  Adding ``deltas[name]`` at ``cells`` of the flat
        ``state_dict()[name]`` of a state with these settings gives the state
        :meth:`update` gives (exactly on an empty state; up to the order of
        float64 additions on one holding data); ``unit_weights`` becomes
        False if the batch carried weights.

        Parameters
        ----------
        y_true, y_score, sample_weight, mask, ignore_index, class_weight
            As for :meth:`update`.

        Returns
        -------
        cells : ndarray of shape (k,), int64
            Distinct flat indices into the ``(C, bins, 2)`` tables,
            ``(c * bins + bin) * 2 + label``, of the cells that receive
            weight: the negative cells in increasing order, then the
            positive ones.
        deltas : dict of str to ndarray of shape (k,), float64
            For each table (``"table"``, ``"moments"``, ``"moments2"``,
            ``"sq_weights"``), the batch's sums at ``cells``.
        """
        self._require_binned("batch_deltas")
        args = self._args(y_true, y_score, sample_weight, mask, ignore_index, class_weight)
        t = self._binned_tokens(args)
        cand = self._candidate_cells(t)
        flats = [getattr(self, "_" + name).reshape(-1) for name in self._TABLES]
        saved = [flat[cand] for flat in flats]
        unit = self._unit
        for flat in flats:
            flat[cand] = 0.0
        try:
            if t.n:
                self._add(t, args)
            hit = flats[0][cand] != 0
            return cand[hit], {name: flat[cand][hit]
                               for name, flat in zip(self._TABLES, flats)}
        finally:
            for flat, values in zip(flats, saved):
                flat[cand] = values
            self._unit = unit

    @property
    def bin_map(self):
        """The score-to-bin map of binned mode: ``(lo, hi, M)``, three ints.

        With ``k = clip(key, lo, hi) - lo``, where ``key`` is the score's
        folded order-preserving key (:mod:`fastmetrics._kernels.keys`), the
        score's bin is ``(k * M) >> 32`` and its position in the bin
        ``((k * M) mod 2**32) / 2**32``, in [0, 1).
        """
        return self._binmap

    def tables(self):
        """The binned statistics as arrays (read-only views; ``state_dict()``
        gives copies).

        Returns
        -------
        tables : dict of str to ndarray of shape (C, bins, 2), float64
            ``"table"``: negative / positive weight per bin and class row
            (C = 1 for binary); ``"moments"``, ``"moments2"``: the same
            cells' sums of weight times the position in the bin and of
            weight times its square; ``"sq_weights"``: their sums of squared
            weights.
        """
        self._require_binned("tables")
        out = {}
        for name in self._TABLES:
            view = getattr(self, "_" + name).view()
            view.flags.writeable = False
            out[name] = view
        return out

    def load_tables(self, *, unit_weights, table=None, moments=None, moments2=None,
                    sq_weights=None, tie_tol=None):
        """Take binned statistics as they are: no validation pass, no copy.

        For statistics this state's own updates produced, e.g. sums of
        :meth:`batch_deltas` held elsewhere (a framework's variables), where
        validating and copying tables of up to 2**24 bins per read would
        dominate.  Anything else goes through :meth:`from_state_dict`.

        Parameters
        ----------
        unit_weights : bool
            True when no update carried weights (the table holds counts).
        table, moments, moments2, sq_weights : array-like, default=None
            ``C * bins * 2`` values each, of shape ``(C, bins, 2)`` or flat;
            C-contiguous float64 arrays are kept without a copy (the state
            reads them, and an :meth:`update` adds to them).  They must hold
            what :meth:`from_state_dict` checks: finite values, ``0 <= table``,
            ``0 <= moments <= table``, ``0 <= moments2 <= moments``,
            ``0 <= sq_weights``.  None: that table is left as it is (zeros
            in a fresh state); ROC AUC and its bound read ``table`` and
            ``moments`` only.
        tie_tol : float, default=None
            Tolerance of the average-precision estimate's tie test (a bin
            whose positions vary less counts as tied scores).  None: the
            tolerance for float64 statistics (1e-8); statistics accumulated
            in float32 need :attr:`FLOAT32_TIE_TOL`.

        Returns
        -------
        self : AUC
        """
        self._require_binned("load_tables")
        given = dict(table=table, moments=moments, moments2=moments2,
                     sq_weights=sq_weights)
        shape = (self._C, self.bins, 2)
        for name, value in given.items():
            if value is not None:
                arr = np.ascontiguousarray(value, dtype=np.float64).reshape(shape)
                setattr(self, "_" + name, arr)
        self._unit = bool(unit_weights)
        self._tie_tol = self._float64_tie_tol() if tie_tol is None else float(tie_tol)
        return self

    # --------------------------------------------------------- binned update
    def _args(self, y_true, y_score, sample_weight, mask, ignore_index, class_weight):
        """One update's arguments, with the constructor's ``ignore_index``
        where the call gives none."""
        if ignore_index is None:
            ignore_index = self.ignore_index
        return y_true, y_score, sample_weight, mask, ignore_index, class_weight

    def _require_binned(self, what):
        if self.mode != "binned":
            raise ValueError(f"{what} needs mode='binned'; this state has mode={self.mode!r}.")

    def _binned_tokens(self, args):
        """The token views of one binned update; bad input raises the
        functional API's error."""
        try:
            t = _tokens(self.task, self.num_classes if self.task != "binary" else 1,
                        *args)
        except ValueError:
            self._canonical_error(*args)
            raise
        if t.n and self.scores == "probability":
            _check_probabilities(t.s)
        return t

    def _add(self, t, args):
        """Add the tokens ``t`` (at least one) to the tables."""
        weighted = t.w is not None or t.cw is not None
        parts = _n_parts(t.n, self._C, self.bins)
        if parts == self._SERIAL:
            self._add_serial(t, args)
        else:
            self._add_parts(t, args, parts, weighted)
        self._unit = self._unit and not weighted

    def _kernel_tokens(self, t):
        # flat row-major views: element i * C + c (binary: C = 1)
        return (t.y.reshape(-1), t.s.reshape(-1), self._C, t.w, t.rep, t.mask, t.ignore,
                t.cw, self._binmap)

    def _add_serial(self, t, args):
        k = _kernels(t.s.size)
        fn = k.indicator_serial if t.kind == "indicator" else k.multiclass_serial
        tables = [getattr(self, "_" + name).reshape(-1) for name in self._TABLES]
        i, c, code = fn(*self._kernel_tokens(t), *tables)
        if code != codes.OK:
            self._raise_bad(args, t, i, c, code)

    def _add_parts(self, t, args, parts, weighted):
        """Parallel update: one table set per part, then added in part order
        (deterministic float sums; int64 counts are exact in float64 below
        2**53)."""
        k = _kernels(t.s.size)
        size = self._C * 2 * self.bins
        parts_tables = [np.zeros((parts, size), dtype=np.float64 if weighted else np.int64)]
        parts_tables += [np.zeros((parts, size), dtype=np.float64) for _ in range(3)]
        ranges = np.empty((parts, 2), dtype=np.int64)
        fn = k.indicator_parts if t.kind == "indicator" else k.multiclass_parts
        i, c, code = fn(*self._kernel_tokens(t), *parts_tables, ranges)
        if code != codes.OK:
            self._raise_bad(args, t, i, c, code)
        for name, part in zip(self._TABLES, parts_tables):
            k.add_parts(getattr(self, "_" + name).reshape(-1), part, ranges, self._C)

    def _candidate_cells(self, t):
        """Sorted distinct cells of every score of ``t``, negative then
        positive: a superset of the cells an update with ``t`` adds to."""
        bins_of = _kernels(t.s.size).bins_of
        s = t.s if t.s.dtype == np.float32 else t.s.astype(np.float64)
        cells = np.empty(s.shape, dtype=np.int64)
        b = np.empty(s.shape[0], dtype=np.int64)
        for c in range(s.shape[1]):
            bins_of(np.ascontiguousarray(s[:, c]), self._binmap, b)
            cells[:, c] = c * 2 * self.bins + (b << 1)
        cand = np.unique(cells)
        return np.concatenate([cand, cand + 1])

    # ------------------------------------------------------------- state_dict
    def _merge_more(self, other):
        if self.mode == "exact":
            self._chunks.extend(other._chunks)
        self._unit = self._unit and other._unit

    def _more_state(self):
        state = {"unit_weights": self._unit}
        if self.ignore_index is not None:
            state["ignore_index"] = self.ignore_index
        if self.mode == "exact":
            y, s, w = self._consolidated()
            state.update(y=y.copy(), s=s.copy(), w=None if w is None else w.copy())
        return state

    @classmethod
    def _from_config(cls, state):
        # a missing "scores" or "ignore_index" means the default
        return cls(state["curve"], task=state["task"], num_classes=state["num_classes"],
                   mode=state["mode"], bins=state["bins"], average=state["average"],
                   scores=state.get("scores", "any"),
                   ignore_index=state.get("ignore_index"))

    def _load_more(self, state):
        if self.mode == "binned":
            self._load_binned(state)
        else:
            self._load_exact(state)

    def _load_binned(self, state):
        table = self._set_array("table", state["table"])
        if not (np.all(np.isfinite(table)) and np.all(table >= 0)):
            raise ValueError("state['table'] must hold finite weights >= 0.")
        self._unit = bool(state["unit_weights"])
        if self._unit and not np.array_equal(table, np.round(table)):
            raise ValueError(
                "state['unit_weights'] is True but state['table'] holds "
                "non-integer weights."
            )
        # without the moments: zeros, the tie treatment
        extra = ("moments", "moments2", "sq_weights")
        if any(key in state for key in extra) and not all(key in state for key in extra):
            raise ValueError(f"state needs all of {extra}, or none of them.")
        upper = table
        for key in ("moments", "moments2"):
            m = self._set_array(key, state.get(key, np.zeros_like(table)))
            if not (np.all(np.isfinite(m)) and np.all(m >= 0) and np.all(m <= upper)):
                raise ValueError(
                    f"state[{key!r}] must hold finite values in [0, "
                    f"{'table' if key == 'moments' else 'moments'}] (weight times a "
                    "position in [0, 1), or its square)."
                )
            upper = m
        sq = np.array(state.get("sq_weights", np.zeros_like(table)), dtype=np.float64)
        if sq.shape != table.shape or not (np.all(np.isfinite(sq)) and np.all(sq >= 0)):
            raise ValueError(
                f"state['sq_weights'] must be finite, >= 0 and of shape {table.shape}."
            )
        self._sq_weights = sq

    def _load_exact(self, state):
        y = np.asarray(state["y"])
        s = np.asarray(state["s"])
        w = None if state["w"] is None else np.asarray(state["w"], dtype=np.float64)
        n = y.shape[0] if y.ndim else -1
        y_shape, s_shape = self._exact_shapes(n)
        if y.shape != y_shape or s.shape != s_shape or (
                w is not None and w.shape != (n,)):
            raise ValueError(
                "state['y'], state['s'], state['w'] have shapes "
                f"{y.shape}, {s.shape}, {None if w is None else w.shape}; expected "
                f"{y_shape}, {s_shape} and {(n,)} (or None)."
            )
        if n:
            self._chunks.append((y, s, w))

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
            fn = self._result_kernels().table_auc_ap
            return np.array([fn(self._table[c], self._moments[c], self._moments2[c],
                                self._sq_weights[c], self._unit, self._tie_tol)
                             for c in range(self._C)]).T
        out = [_exact_auc_ap(*self._exact_problem(c)) for c in range(self._C)]
        return np.array(out).reshape(self._C, 6).T

    def _result_kernels(self):
        """Kernels for the result scan: one call reads one class row of
        ``bins`` bins (the default table is answered by the NumPy tier)."""
        return _kernels(self.bins)

    def _micro(self):
        if self.mode == "binned":
            return self._result_kernels().table_auc_ap(
                self._table.sum(axis=0), self._moments.sum(axis=0),
                self._moments2.sum(axis=0), self._sq_weights.sum(axis=0), self._unit,
                self._tie_tol)
        return _exact_auc_ap(*self._exact_problem(None))

    # ----------------------------------------------------------------- errors
    def _canonical_error(self, y_true, y_score, sample_weight, mask, ignore_index,
                         class_weight):
        """Raise the functional API's error for bad input (so both modes and the
        functional API word it alike); return if that reader accepts it."""
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

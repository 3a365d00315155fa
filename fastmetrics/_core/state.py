"""The base of every streaming state: configuration, merge, state_dict.

A state holds additive sufficient statistics: ``update`` over chunks and
``merge`` across workers add them, so any chunking and any merge order gives
the statistics of one pass over all the data.  A subclass declares

* ``_KIND``: its name in ``state_dict()["kind"]`` (the public class name);
* ``_CONFIG``: the constructor settings saved in the state_dict and passed
  back as keywords by :meth:`from_state_dict`;
* ``_MERGE_KEYS``: the settings two states must share to be merged (by
  default all of ``_CONFIG``; a setting that only chooses how ``result``
  reads the statistics, such as an average or a norm, may differ);
* ``_ARRAYS``: the additive arrays, held as attributes ``"_" + name``,
  summed by :meth:`merge`, copied into and validated out of the state_dict;

and implements :meth:`reset` (allocate the arrays) and, where it keeps more
than ``_ARRAYS``, :meth:`_merge_more`, :meth:`_more_state` and
:meth:`_load_more`.
"""

import numpy as np

#: Version of the state_dict layout; bumped when a layout changes.
STATE_VERSION = 1


class StreamingState:
    """Base class of the streaming states (see the module docstring)."""

    _KIND = None
    _CONFIG = ()
    _MERGE_KEYS = None
    _ARRAYS = ()

    def reset(self):  # pragma: no cover - every state implements it
        raise NotImplementedError

    # ------------------------------------------------------------------ merge
    def merge(self, other):
        """Add another state's statistics (from another chunk, worker or device).

        Parameters
        ----------
        other : same class as self
            A state with the same settings (see the class's parameters).

        Returns
        -------
        self
        """
        keys = self._CONFIG if self._MERGE_KEYS is None else self._MERGE_KEYS
        check_mergeable(self, other, keys)
        for name in self._ARRAYS:
            mine = getattr(self, "_" + name)
            mine += getattr(other, "_" + name)
        self._merge_more(other)
        return self

    def _merge_more(self, other):
        """Merge what ``_ARRAYS`` does not cover (flags, lists)."""

    # ------------------------------------------------------------- state_dict
    def state_dict(self):
        """The state as a dict of plain values and NumPy arrays (copies).

        Returns
        -------
        state : dict
            ``version`` and ``kind``, the settings, and the statistics.
        """
        state = {"version": STATE_VERSION, "kind": self._KIND}
        for key in self._CONFIG:
            value = getattr(self, key)
            state[key] = dict(value) if isinstance(value, dict) else value
        for name in self._ARRAYS:
            state[name] = getattr(self, "_" + name).copy()
        state.update(self._more_state())
        return state

    def _more_state(self):
        return {}

    @classmethod
    def from_state_dict(cls, state):
        """Rebuild a state saved by :meth:`state_dict` (arrays may be lists,
        as after a JSON round trip).

        Parameters
        ----------
        state : dict

        Returns
        -------
        a state of this class
        """
        if not isinstance(state, dict) or state.get("kind") != cls._KIND:
            kind = state.get("kind") if isinstance(state, dict) else type(state).__name__
            raise ValueError(
                f"state is not a streaming.{cls._KIND} state_dict (its kind is {kind!r})."
            )
        if state.get("version") != STATE_VERSION:
            raise ValueError(
                f"state version {state.get('version')!r} is not supported "
                f"(expected {STATE_VERSION})."
            )
        obj = cls._from_config(state)
        obj._load_more(state)
        return obj

    @classmethod
    def _from_config(cls, state):
        return cls(**{key: state[key] for key in cls._CONFIG})

    def _load_more(self, state):
        """Load the statistics; by default each of ``_ARRAYS`` with the dtype
        and shape that :meth:`reset` gave it."""
        for name in self._ARRAYS:
            self._set_array(name, state[name])

    def _set_array(self, name, value):
        fresh = getattr(self, "_" + name)
        arr = np.array(value, dtype=fresh.dtype)
        if arr.shape != fresh.shape:
            raise ValueError(
                f"state[{name!r}] has shape {arr.shape}, expected {fresh.shape}."
            )
        setattr(self, "_" + name, arr)
        return arr


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

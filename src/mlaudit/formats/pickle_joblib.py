"""joblib's inline arrays: how many raw bytes follow a ``NumpyArrayWrapper`` in a joblib pickle.

joblib writes each NumPy array's bytes straight into the file right after the
wrapper object's ``BUILD`` (``joblib/numpy_pickle.py``: ``write_array`` /
``read_array``): an optional padding-length byte and padding (when the state
has ``numpy_array_alignment_bytes``), then ``prod(shape) * itemsize`` bytes —
or, for object arrays, a nested pickle stream. The wrapper's state dict and the
pickled ``numpy.dtype`` (``numpy.dtype(str, False, True)`` with a ``BUILD``
state tuple) say all of that, so the walker can skip the data exactly.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from mlaudit.formats.pickle_values import Instance, TrackedDict, Value

JOBLIB_WRAPPERS = frozenset({
    "joblib.numpy_pickle.NumpyArrayWrapper",
    "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper",
})

_DTYPE_CLASSES = frozenset({"numpy.dtype", "numpy.core.multiarray.dtype", "numpy._core.multiarray.dtype"})
_SIZE = re.compile(r"^[a-zA-Z?]+(\d+)$")
_NPY_ITEM_REFCOUNT = 0x01  # dtype flag: the dtype holds Python objects
_MAX_ARRAY_BYTES = 1 << 50


class JoblibArray(NamedTuple):
    """The data a wrapper announces: byte count, alignment padding, or a nested pickle."""

    nbytes: int
    aligned: bool
    has_object: bool


def joblib_array_layout(state: Value) -> JoblibArray | None:
    """The layout of the data after a wrapper with this state, or None when it cannot be known."""
    if not isinstance(state, TrackedDict):
        return None
    shape = state.items.get("shape")
    dtype = state.items.get("dtype")
    if not isinstance(shape, tuple) or not all(isinstance(d, int) and d >= 0 for d in shape):
        return None
    described = _dtype_facts(dtype)
    if described is None:
        return None
    itemsize, has_object = described
    count = 1
    for dim in (d for d in shape if isinstance(d, int)):
        count *= dim
    nbytes = count * itemsize
    if nbytes > _MAX_ARRAY_BYTES:
        return None
    aligned = state.items.get("numpy_array_alignment_bytes") is not None
    return JoblibArray(nbytes=nbytes, aligned=aligned, has_object=has_object)


def _dtype_facts(dtype: Value) -> tuple[int, bool] | None:
    if not isinstance(dtype, Instance) or dtype.cls.dotted not in _DTYPE_CLASSES:
        return None
    args = dtype.args
    if not isinstance(args, tuple) or not args or not isinstance(args[0], str):
        return None
    spec = args[0]
    state = dtype.state
    flags = state[7] if isinstance(state, tuple) and len(state) > 7 and isinstance(state[7], int) else 0
    elsize = state[5] if isinstance(state, tuple) and len(state) > 5 and isinstance(state[5], int) else -1
    has_object = spec.startswith("O") or bool(flags & _NPY_ITEM_REFCOUNT)
    if elsize > 0:
        return elsize, has_object
    match = _SIZE.match(spec)
    if match is None:
        return None
    return int(match.group(1)), has_object

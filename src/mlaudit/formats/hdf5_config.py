"""Keras HDF5 (``.h5``) model configurations, found without an HDF5 library and without loading.

Keras stores the model architecture as the root attribute ``model_config``,
a JSON text; HDF5 keeps attribute values as contiguous bytes (in the object
header or a heap), so a bounded streaming search for the JSON's start finds it
whatever the HDF5 layout, and ``json.JSONDecoder.raw_decode`` reads exactly
one document from there. Memory stays at one chunk plus the configuration.
"""

from __future__ import annotations

import json
from typing import IO

_MARKERS = (b'{"class_name"', b'{"module"')
_CHUNK = 4 << 20
_MAX_CONFIG = 64 << 20


def find_model_configs(fh: IO[bytes]) -> list[str]:
    """Every Keras model configuration (JSON text) stored in the HDF5 file ``fh``."""
    decoder = json.JSONDecoder()
    found: list[str] = []
    buf = b""
    eof = False
    while True:
        if not eof:
            chunk = fh.read(_CHUNK)
            eof = not chunk
            buf += chunk
        hits = [i for i in (buf.find(m) for m in _MARKERS) if i != -1]
        if not hits:
            if eof:
                return found
            buf = buf[-64:]
            continue
        at = min(hits)
        try:
            text = buf[at:].decode("utf-8", "ignore")
            obj, end = decoder.raw_decode(text)
        except (ValueError, RecursionError):
            if eof or len(buf) - at > _MAX_CONFIG:
                buf = buf[at + 1:]  # not a JSON document after all
            else:
                buf = buf[at:]  # the document continues in the next chunk
            continue
        if isinstance(obj, dict) and "class_name" in obj:
            found.append(text[:end])
            buf = buf[at + len(text[:end].encode()):]
        else:
            buf = buf[at + 1:]

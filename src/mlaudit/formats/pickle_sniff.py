"""Is a file without a pickle header a pickle? A trial walk of its first bytes decides.

``pickle.load`` needs no ``PROTO`` header: a protocol 0/1 stream (or one that
uses later opcodes without announcing them) can sit in ``vocab.txt``. Most
text also begins with a byte that is an opcode, so the first bytes are walked
symbolically (never unpickled): a file is a pickle candidate when the walk
reached ``STOP`` after an import, when it called something, or when it ran out
of sniffed bytes while still valid. Text breaks the walk within
a few bytes (an invalid opcode, a missing mark, a memo miss).
"""

from __future__ import annotations

import io

from mlaudit.formats.byte_reader import ByteReader
from mlaudit.formats.pickle_opcodes import is_opcode

SNIFF_SIZE = 4096


def looks_like_headerless_pickle(head: bytes) -> bool:
    """True when ``head`` (a file's first bytes) reads as a pickle that imports or calls something."""
    if not head or not is_opcode(head[0]) or head[0] == 0x80:
        return False
    from mlaudit.formats.pickle_ops import walk_stream

    sample = head[:SNIFF_SIZE]
    scan = walk_stream(ByteReader(io.BytesIO(sample), size=len(sample)))
    if scan.calls or (scan.complete and scan.imports):
        return True
    # Still valid where the sample ends: what follows may import (a long string first hides nothing).
    stops = {p.kind for p in scan.problems if p.kind in ("malformed", "truncated", "limit")}
    return stops == {"truncated"}

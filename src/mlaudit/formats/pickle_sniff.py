"""Is a file without a pickle header a pickle? A trial walk of its first bytes decides.

``pickle.load`` needs no ``PROTO`` header: a protocol 0/1 stream (or one that
uses later opcodes without announcing them) can sit in ``vocab.txt``. Most
text also begins with a byte that is an opcode, so the first bytes are walked
symbolically (never unpickled): a file is a pickle candidate when the walk
reached ``STOP`` after an import, when it called something, or when it ran out
of sniffed bytes while still valid after a first whole opcode. Text breaks the walk within
a few bytes (an invalid opcode, a missing mark, a memo miss).
"""

from __future__ import annotations

import io

from mlaudit.formats.byte_reader import ByteReader
from mlaudit.formats.pickle_opcodes import is_opcode

SNIFF_SIZE = 4096

# Opcodes that can start a stream: the others need a stack item, a mark or a memo entry that an empty
# unpickler does not have, so ``pickle.load`` fails on them before importing anything (INST and OBJ
# look for their mark before they resolve the class).
_CAN_START = frozenset(b"()]}NIJKMLFGSTUVXBCcP") | frozenset({0x82, 0x83, 0x84, 0x88, 0x89, 0x8A, 0x8B, 0x8C,
                                                                0x8D, 0x8E, 0x8F, 0x95, 0x96})


def looks_like_headerless_pickle(head: bytes) -> bool:
    """True when ``head`` (a file's first bytes) reads as a pickle that imports or calls something."""
    if not head or head[0] not in _CAN_START or not is_opcode(head[0]):
        return False
    from mlaudit.formats.pickle_ops import walk_stream

    sample = head[:SNIFF_SIZE]
    scan = walk_stream(ByteReader(io.BytesIO(sample), size=len(sample)))
    if scan.calls or (scan.complete and scan.imports):
        return True
    # Still valid where the sample ends, after at least one whole opcode: what follows may import
    # (a long string first hides nothing). A first opcode whose length runs past the sample is raw data.
    stops = {p.kind for p in scan.problems if p.kind in ("malformed", "truncated", "limit")}
    return stops == {"truncated"} and scan.opcodes >= 1

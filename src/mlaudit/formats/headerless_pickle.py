"""Does a file's content read as a pickle without a PROTO header that imports or calls something?

Discovery by content asks this of every tracked file's first ``SNIFF_SIZE``
bytes whose first byte can start a stream: a symbolic walk (never unpickled)
that imports or calls something, or is still valid where the sample ends (what
follows may import). Protocol 0 and 1 pickles have no magic number, so a pickle
named ``vocab.txt`` is found this way.
"""

from __future__ import annotations

import io

from mlaudit.formats.byte_reader import ByteReader
from mlaudit.formats.pickle_opcodes import is_opcode
from mlaudit.formats.pickle_sniff import SNIFF_SIZE

# Opcodes that can start a stream: the others need a stack item, a mark or a memo entry that an empty
# unpickler does not have, so ``pickle.load`` fails on them before importing anything (INST and OBJ
# look for their mark before they resolve the class).
_CAN_START = frozenset(b"()]}NIJKMLFGSTUVXBCcP") | frozenset({0x82, 0x83, 0x84, 0x88, 0x89, 0x8A, 0x8B, 0x8C,
                                                                0x8D, 0x8E, 0x8F, 0x95, 0x96})


def looks_like_headerless_pickle(head: bytes) -> bool:
    """True when ``head`` (a file's first bytes) reads as a pickle that imports or calls something."""
    if not head or head[0] not in _CAN_START or not is_opcode(head[0]):
        return False
    from mlaudit.formats.pickle_ops import walk_stream  # the machine: loaded only when a file could be a pickle

    sample = head[:SNIFF_SIZE]
    scan = walk_stream(ByteReader(io.BytesIO(sample), size=len(sample)))
    if scan.calls or (scan.complete and scan.imports):
        return True
    # Still valid where the sample ends, after at least one whole opcode: what follows may import
    # (a long string first hides nothing). A first opcode whose length runs past the sample is raw data.
    stops = {p.kind for p in scan.problems if p.kind in ("malformed", "truncated", "limit")}
    return stops == {"truncated"} and scan.opcodes >= 1

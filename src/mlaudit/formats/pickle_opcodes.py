"""The pickle opcode table (protocols 0-5): each opcode byte, its name and how its argument is encoded.

Taken from CPython's ``Lib/pickletools.py`` / ``Modules/_pickle.c``; kept as a
flat table so the walker's hot loop is one dict lookup per opcode.
"""

from __future__ import annotations

import enum


class Arg(enum.IntEnum):
    """How an opcode's argument is stored after the opcode byte."""

    NONE = 0
    U1 = 1            # unsigned byte
    U2 = 2            # unsigned 16-bit little endian
    I4 = 3            # signed 32-bit little endian
    U4 = 4            # unsigned 32-bit little endian
    U8 = 5            # unsigned 64-bit little endian
    F8 = 6            # big-endian double
    BYTES_U1 = 7      # length (1 byte) then bytes
    BYTES_I4 = 8      # length (signed 4 bytes) then bytes
    BYTES_U4 = 9      # length (4 bytes) then bytes
    BYTES_U8 = 10     # length (8 bytes) then bytes
    LINE = 11         # text up to newline
    TWO_LINES = 12    # two newline-terminated lines (module, name)


# opcode byte -> (name, argument encoding)
OPCODES: dict[int, tuple[str, Arg]] = {
    ord("("): ("MARK", Arg.NONE),
    ord("."): ("STOP", Arg.NONE),
    ord("0"): ("POP", Arg.NONE),
    ord("1"): ("POP_MARK", Arg.NONE),
    ord("2"): ("DUP", Arg.NONE),
    ord("F"): ("FLOAT", Arg.LINE),
    ord("I"): ("INT", Arg.LINE),
    ord("J"): ("BININT", Arg.I4),
    ord("K"): ("BININT1", Arg.U1),
    ord("L"): ("LONG", Arg.LINE),
    ord("M"): ("BININT2", Arg.U2),
    ord("N"): ("NONE", Arg.NONE),
    ord("P"): ("PERSID", Arg.LINE),
    ord("Q"): ("BINPERSID", Arg.NONE),
    ord("R"): ("REDUCE", Arg.NONE),
    ord("S"): ("STRING", Arg.LINE),
    ord("T"): ("BINSTRING", Arg.BYTES_I4),
    ord("U"): ("SHORT_BINSTRING", Arg.BYTES_U1),
    ord("V"): ("UNICODE", Arg.LINE),
    ord("X"): ("BINUNICODE", Arg.BYTES_U4),
    ord("a"): ("APPEND", Arg.NONE),
    ord("b"): ("BUILD", Arg.NONE),
    ord("c"): ("GLOBAL", Arg.TWO_LINES),
    ord("d"): ("DICT", Arg.NONE),
    ord("}"): ("EMPTY_DICT", Arg.NONE),
    ord("e"): ("APPENDS", Arg.NONE),
    ord("g"): ("GET", Arg.LINE),
    ord("h"): ("BINGET", Arg.U1),
    ord("i"): ("INST", Arg.TWO_LINES),
    ord("j"): ("LONG_BINGET", Arg.U4),
    ord("l"): ("LIST", Arg.NONE),
    ord("]"): ("EMPTY_LIST", Arg.NONE),
    ord("o"): ("OBJ", Arg.NONE),
    ord("p"): ("PUT", Arg.LINE),
    ord("q"): ("BINPUT", Arg.U1),
    ord("r"): ("LONG_BINPUT", Arg.U4),
    ord("s"): ("SETITEM", Arg.NONE),
    ord("t"): ("TUPLE", Arg.NONE),
    ord(")"): ("EMPTY_TUPLE", Arg.NONE),
    ord("u"): ("SETITEMS", Arg.NONE),
    ord("G"): ("BINFLOAT", Arg.F8),
    0x80: ("PROTO", Arg.U1),
    0x81: ("NEWOBJ", Arg.NONE),
    0x82: ("EXT1", Arg.U1),
    0x83: ("EXT2", Arg.U2),
    0x84: ("EXT4", Arg.I4),
    0x85: ("TUPLE1", Arg.NONE),
    0x86: ("TUPLE2", Arg.NONE),
    0x87: ("TUPLE3", Arg.NONE),
    0x88: ("NEWTRUE", Arg.NONE),
    0x89: ("NEWFALSE", Arg.NONE),
    0x8A: ("LONG1", Arg.BYTES_U1),
    0x8B: ("LONG4", Arg.BYTES_I4),
    ord("B"): ("BINBYTES", Arg.BYTES_U4),
    ord("C"): ("SHORT_BINBYTES", Arg.BYTES_U1),
    0x8C: ("SHORT_BINUNICODE", Arg.BYTES_U1),
    0x8D: ("BINUNICODE8", Arg.BYTES_U8),
    0x8E: ("BINBYTES8", Arg.BYTES_U8),
    0x8F: ("EMPTY_SET", Arg.NONE),
    0x90: ("ADDITEMS", Arg.NONE),
    0x91: ("FROZENSET", Arg.NONE),
    0x92: ("NEWOBJ_EX", Arg.NONE),
    0x93: ("STACK_GLOBAL", Arg.NONE),
    0x94: ("MEMOIZE", Arg.NONE),
    0x95: ("FRAME", Arg.U8),
    0x96: ("BYTEARRAY8", Arg.BYTES_U8),
    0x97: ("NEXT_BUFFER", Arg.NONE),
    0x98: ("READONLY_BUFFER", Arg.NONE),
}

HIGHEST_PROTOCOL = 5


def is_opcode(byte: int) -> bool:
    """True when ``byte`` starts a valid pickle opcode."""
    return byte in OPCODES

"""The symbolic values the pickle walker keeps on its stack: just enough to resolve imports.

The walker never builds real objects. It keeps small literals (strings, ints,
short tuples, small dicts) because imports can be spelled with them
(``STACK_GLOBAL`` takes its module and name from the stack or the memo) and
because joblib's array wrapper declares in a literal dict how many raw bytes
follow. Everything else collapses to ``OPAQUE``. Containers stop being tracked
past ``MAX_TRACKED_ITEMS`` so a hostile pickle cannot make the walker hold a
copy of its data.
"""

from __future__ import annotations

import codecs

MAX_TRACKED_ITEMS = 64
MAX_TRACKED_STR = 4096


class Opaque:
    """A value the walker does not track."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "OPAQUE"


OPAQUE = Opaque()


class GlobalRef:
    """A callable or class the pickle imports: ``module.name`` at a byte offset."""

    __slots__ = ("module", "name", "offset", "opcode")

    def __init__(self, module: str, name: str, offset: int, opcode: str) -> None:
        self.module, self.name, self.offset, self.opcode = module, name, offset, opcode

    @property
    def dotted(self) -> str:
        """``module.name``."""
        return f"{self.module}.{self.name}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GlobalRef) and (self.module, self.name, self.offset, self.opcode) == (
            other.module, other.name, other.offset, other.opcode)

    def __hash__(self) -> int:
        return hash((self.module, self.name, self.offset, self.opcode))

    def __repr__(self) -> str:
        return f"GlobalRef({self.dotted!r} at {self.offset} by {self.opcode})"


class Instance:
    """The result of calling or instantiating a ``GlobalRef`` (REDUCE, NEWOBJ, OBJ, INST)."""

    __slots__ = ("args", "cls", "state")

    def __init__(self, cls: GlobalRef, args: Value = None, state: Value = None) -> None:
        self.cls = cls
        self.args: Value = OPAQUE if args is None else args
        self.state: Value = OPAQUE if state is None else state


class TrackedList:
    """A list or set the walker still follows (few, small items)."""

    __slots__ = ("items", "overflowed")

    def __init__(self) -> None:
        self.items: list[Value] = []
        self.overflowed = False


class TrackedDict:
    """A dict with hashable literal keys that the walker still follows."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: dict[object, Value] = {}


class Mark:
    """The MARK sentinel on the stack (also kept on a separate mark stack)."""

    __slots__ = ()


MARK = Mark()



Value = (str | bytes | int | float | bool | None | tuple[object, ...] | GlobalRef | Instance | TrackedList
         | TrackedDict | Opaque)


def small_str(value: str) -> Value:
    """Keep short strings (import names), drop long ones (data)."""
    return value if len(value) <= MAX_TRACKED_STR else OPAQUE


def make_tuple(items: list[Value]) -> Value:
    """A tracked tuple, or OPAQUE when it is too long to matter."""
    return tuple(items) if len(items) <= MAX_TRACKED_ITEMS else OPAQUE


def list_extend(target: Value, items: list[Value]) -> None:
    """APPEND/APPENDS/ADDITEMS on a tracked list; past the limit its items are no longer kept."""
    if isinstance(target, TrackedList) and not target.overflowed:
        if len(target.items) + len(items) > MAX_TRACKED_ITEMS:
            target.items = []
            target.overflowed = True
        else:
            target.items.extend(items)


def dict_update(target: Value, pairs: list[Value]) -> None:
    """SETITEM/SETITEMS on a tracked dict (keys that are not literals are ignored)."""
    if not isinstance(target, TrackedDict):
        return
    for i in range(0, len(pairs) - 1, 2):
        key = pairs[i]
        if isinstance(key, (str, int, bytes, bool)) and len(target.items) < MAX_TRACKED_ITEMS:
            target.items[key] = pairs[i + 1]


def utf8_value(raw: bytes) -> Value:
    """A UTF-8 payload (BINUNICODE...) as a tracked string."""
    try:
        return small_str(raw.decode("utf-8", "surrogatepass"))
    except UnicodeDecodeError:
        return OPAQUE


def int_literal(raw: bytes) -> Value:
    """Protocol 0 ``INT``/``LONG`` text (``01``/``00`` are the booleans)."""
    if raw == b"01":
        return True
    if raw == b"00":
        return False
    try:
        return int(raw.rstrip(b"L")) if len(raw) <= 64 else OPAQUE
    except ValueError:
        return OPAQUE


def string_literal(raw: bytes) -> Value:
    """Protocol 0 ``STRING``: a quoted, escaped byte string."""
    if len(raw) >= 2 and raw[:1] == raw[-1:] and raw[:1] in (b"'", b'"'):
        try:
            return small_str(codecs.escape_decode(raw[1:-1])[0].decode("latin-1"))
        except (ValueError, UnicodeDecodeError):
            return OPAQUE
    return OPAQUE


def unicode_literal(raw: bytes) -> Value:
    """Protocol 0 ``UNICODE``: raw-unicode-escape text."""
    try:
        return small_str(raw.decode("raw-unicode-escape"))
    except UnicodeDecodeError:
        return OPAQUE


def _children(node: object) -> tuple[object, ...] | list[Value] | None:
    if isinstance(node, tuple):
        return node
    if isinstance(node, TrackedList):
        return node.items
    if isinstance(node, TrackedDict):
        return list(node.items.values())
    if isinstance(node, Instance):
        return (node.args, node.state)
    return None


def expanded_size(root: object, cap: int) -> int:
    """How many nodes ``root`` has once shared references (memo GETs, DUP) are expanded, capped at ``cap``.

    The real object is small (references are shared), but printing, copying or
    serialising it to JSON walks the expanded tree: ``[x, x]`` nested forty deep
    is 2**40 nodes. Each distinct container is visited once (iteratively, by
    identity); a reference back to a container still being visited counts 1.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    todo: list[tuple[object, bool]] = [(root, False)]
    while todo:
        node, finished = todo.pop()
        key = id(node)
        children = _children(node)
        if children is None:
            continue
        if finished:
            on_path.discard(key)
            total = 1
            for child in children:
                total = min(cap, total + sizes.get(id(child), 1))
            sizes[key] = total
            continue
        if key in sizes or key in on_path:
            continue
        on_path.add(key)
        todo.append((node, True))
        todo.extend((child, False) for child in children
                    if _children(child) is not None and id(child) not in sizes)
    return sizes.get(id(root), 1)

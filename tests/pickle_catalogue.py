"""A corpus of code-running and benign pickles, built as bytes (never loaded), from public bypass catalogues.

Sources of the malicious entries: the picklescan, modelscan, fickling and
modelaudit deny-lists and their published advisories and bypass reports
(GHSA-vvpj-8cmc-gx39 ``pkgutil.resolve_name``, GHSA-xp4f-hrf8-rxw7
``ensurepip._run_pip``, ``mailcap.findmatch``, the ``INST`` and memo-confusion
bypasses of picklescan issues #13/#14, the idlelib / lib2to3 / ``_osx_support``
/ ``_aix_support`` / ``uuid`` helpers, the torch ``_inductor``/``jit``/``fx``
paths), plus the evasions of mlaudit's own issue 16 (names with whitespace or
look-alike letters, limits hit before the payload, FRAME overrun). Each sample
is ``(name, bytes, malicious)``; a malicious one runs code, touches files or the
network when ``pickle.load`` reads it, so every gate must fail on it.
"""

from __future__ import annotations

import base64
import pickle
import struct
from collections.abc import Iterator
from typing import NamedTuple


class Sample(NamedTuple):
    """One corpus entry."""

    name: str
    data: bytes
    malicious: bool
    why: str


def _su(text: str) -> bytes:
    raw = text.encode()
    return b"\x8c" + bytes([len(raw)]) + raw


def _stack_global(module: str, name: str) -> bytes:
    return _su(module) + _su(name) + b"\x93"


def call4(module: str, name: str, arg: str = "id") -> bytes:
    """``module.name(arg)`` with PROTO 4, STACK_GLOBAL, REDUCE."""
    return b"\x80\x04" + _stack_global(module, name) + _su(arg) + b"\x85R."


def call0(module: str, name: str, arg: str = "id") -> bytes:
    """``module.name(arg)`` in protocol 0: GLOBAL, MARK, STRING, TUPLE, REDUCE."""
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n(S'" + arg.encode() + b"'\ntR."


# (module, name) called with one string argument; from the public catalogues.
CALLS: tuple[tuple[str, str], ...] = (
    ("os", "system"), ("posix", "system"), ("nt", "system"), ("os", "popen"), ("os", "execv"),
    ("subprocess", "Popen"), ("subprocess", "check_output"), ("subprocess", "run"),
    ("_posixsubprocess", "fork_exec"), ("pty", "spawn"), ("runpy", "run_path"), ("runpy", "_run_code"),
    ("code", "InteractiveInterpreter.runcode"), ("codeop", "compile_command"), ("importlib", "import_module"),
    ("ctypes", "CDLL"), ("multiprocessing.util", "spawnv_passfds"), ("builtins", "eval"), ("builtins", "exec"),
    ("builtins", "compile"), ("builtins", "__import__"), ("__builtin__", "eval"), ("builtins", "getattr"),
    ("builtins", "breakpoint"), ("operator", "attrgetter"), ("operator", "methodcaller"),
    ("_operator", "attrgetter"), ("uuid", "_get_command_stdout"), ("_aix_support", "_read_cmd_output"),
    ("_osx_support", "_read_output"), ("_osx_support", "_find_build_tool"),
    ("idlelib.pyshell", "ModifiedInterpreter.runcode"), ("idlelib.run", "Executive.runcode"),
    ("idlelib.autocomplete", "AutoComplete.fetch_completions"), ("idlelib.calltip", "get_entity"),
    ("idlelib.debugobj", "ObjectTreeItem.SetText"), ("lib2to3.pgen2.grammar", "Grammar.loads"),
    ("lib2to3.pgen2.pgen", "ParserGenerator.make_label"), ("distutils.spawn", "spawn"),
    ("distutils.file_util", "write_file"), ("setuptools.sandbox", "run_setup"), ("pydoc", "pipepager"),
    ("pydoc", "locate"), ("timeit", "timeit"), ("cProfile", "run"), ("profile", "run"), ("pdb", "run"),
    ("bdb", "Bdb.run"), ("trace", "Trace.run"), ("doctest", "debug_script"), ("ensurepip", "_run_pip"),
    ("venv", "create"), ("pip", "main"), ("imaplib", "IMAP4_stream"), ("mailcap", "findmatch"),
    ("pkgutil", "resolve_name"), ("numpy.testing._private.utils", "runstring"),
    ("numpy.f2py.crackfortran", "getlincoef"), ("torch._inductor.codecache", "compile_file"),
    ("torch.jit.unsupported_tensor_ops", "execWrapper"),
    ("torch.fx.experimental.symbolic_shapes", "ShapeEnv.evaluate_guards_expression"),
    ("torch._dynamo.guards", "GuardBuilder.get"), ("torch.utils.collect_env", "run"),
    ("torch.utils.bottleneck.__main__", "run_cprofile"), ("torch.serialization", "load"), ("torch", "load"),
    ("torch.utils._config_module", "ConfigModule.load_config"),
    ("torch.utils.data.datapipes.utils.decoder", "basichandlers"), ("torch.hub", "load"),
    ("torch.utils.cpp_extension", "load_inline"), ("cloudpickle.cloudpickle", "subimport"),
    ("dill._dill", "_create_code"), ("types", "CodeType"), ("types", "FunctionType"), ("marshal", "loads"),
    ("pickle", "loads"), ("_pickle", "loads"), ("shelve", "open"), ("asyncio.subprocess", "create_subprocess_shell"),
    ("sys", "exit"), ("test.support.script_helper", "assert_python_ok"), ("_pyrepl.pager", "pipe_pager"),
    ("webbrowser", "open"), ("smtplib", "SMTP"), ("http.client", "HTTPSConnection"), ("httplib", "HTTPConnection"),
    ("socket", "create_connection"), ("urllib.request", "urlopen"), ("ftplib", "FTP"), ("requests.api", "get"),
    ("aiohttp.client", "request"), ("ssl", "get_server_certificate"), ("logging", "FileHandler"),
    ("shutil", "rmtree"), ("tempfile", "mkstemp"), ("builtins", "open"), ("_io", "FileIO"),
    ("__main__", "Exploit"), ("functools", "partial"), ("numpy", "load"), ("yaml", "unsafe_load"),
    ("logging.config", "listen"), ("typing", "get_type_hints"), ("inspect", "getsource"),
    ("gc", "get_objects"), ("platform", "popen"), ("tkinter", "Tcl"), ("unittest", "main"),
)


def _limited(prefix: bytes) -> bytes:
    return prefix + b"\x8c\x02os\x8c\x06system\x93\x8c\x02id\x85R."


def _framed_overrun() -> bytes:
    # A FRAME that ends in the middle of SHORT_BINUNICODE's argument: the C unpickler reads on
    # (and calls os.system), the pure-Python one stops with "pickle exhausted before end of frame".
    body = b"\x8c\x02os\x8c\x06system\x93\x8c\x02id\x85R."
    return b"\x80\x04\x95" + struct.pack("<Q", 3) + body


def _memo_confusion() -> bytes:
    # picklescan issue #14: BINPUT and MEMOIZE mixed so a naive memo model sees torch._utils.
    return (b"\x80\x04" + _su("os") + b"q\x00" + _su("system") + b"q\x01" + _su("torch._utils") + b"\x94"
            + _su("_rebuild_tensor_v2") + b"\x94" + b"h\x00h\x01\x93" + _su("id") + b"\x85R.")


def structural() -> Iterator[Sample]:
    """Opcode-level bypasses: other opcodes, evasive names, limits, frames, embedded pickles."""
    yield Sample("inst-eval", b"(S'id'\nibuiltins\neval\n.", True, "INST calls without REDUCE (picklescan #13)")
    yield Sample("obj-exec", b"\x80\x02(cbuiltins\nexec\nS'x=1'\no.", True, "OBJ")
    yield Sample("newobj", b"\x80\x02cos\nsystem\n)\x81.", True, "NEWOBJ")
    yield Sample("newobj-ex", b"\x80\x04cos\nsystem\n)}\x92.", True, "NEWOBJ_EX")
    yield Sample("build-setstate", b"\x80\x02c__main__\nEvil\n}b.", True, "BUILD on an imported object")
    yield Sample("memo-confusion", _memo_confusion(), True, "BINPUT/MEMOIZE mix (picklescan #14)")
    yield Sample("getattr-chain", b"\x80\x04" + _stack_global("builtins", "getattr")
                 + _stack_global("builtins", "__import__") + _su("os") + b"\x85R" + _su("system") + b"\x86R"
                 + _su("id") + b"\x85R.", True, "getattr(__import__('os'), 'system')")
    yield Sample("dotted-name", call4("builtins", "__import__.__self__.exec"), True, "protocol-4 dotted name")
    yield Sample("name-trailing-space", call0("os ", "system"), True, "module name with a trailing space")
    yield Sample("name-newline", call4("os\n", "system"), True, "module name ending in a newline")
    yield Sample("name-cyrillic", call4("\u043es", "system"), True, "Cyrillic o in the module name")
    yield Sample("name-fullwidth", call4("\uff4f\uff53", "system"), True, "fullwidth letters")
    yield Sample("marks-100001", _limited(b"\x80\x04" + b"(" * 100_001), True, "a MARK limit before the payload")
    yield Sample("string-2mib", _limited(b"\x80\x02S'" + b"A" * (2 << 20) + b"'\n0"), True,
                 "a 2 MiB STRING line before the payload")
    yield Sample("stack-million", _limited(b"\x80\x04" + b"N" * 1_000_001), True,
                 "a million stack items before the payload")
    yield Sample("frame-overrun", _framed_overrun(), True, "opcodes that overrun a FRAME boundary")
    yield Sample("protocol0-os", call0("os", "system"), True, "protocol 0 (no header)")
    yield Sample("broken-after-call", call4("os", "system")[:-1] + b"\xff", True, "garbage after the call")
    wrapper = (b"\x8c\x13joblib.numpy_pickle\x8c\x11NumpyArrayWrapper\x93)\x81}" + _su("shape") + b"Nsb")
    yield Sample("joblib-wrapper-unparsed", b"\x80\x04" + wrapper + bytes(range(256)) + b"0" + _su("os") + b"\x94"
                 + _su("system") + b"\x94\x93" + _su("id") + b"\x85R.", True,
                 "a joblib array wrapper whose size cannot be known, payload after the array")
    inner = call4("os", "system")
    for enc, blob in (("raw", inner), ("hex", inner.hex().encode()), ("base64", base64.b64encode(inner))):
        yield Sample(f"embedded-{enc}", b"\x80\x04}" + _su("payload") + b"B" + struct.pack("<I", len(blob)) + blob
                     + b"s.", True, f"a pickle held {enc} in a bytes field")


def malicious() -> Iterator[Sample]:
    """Every code-running sample: catalogue calls in protocols 4 and 0, then the structural bypasses."""
    for module, name in CALLS:
        yield Sample(f"{module}.{name}", call4(module, name), True, "catalogue entry")
    for module, name in CALLS[:20]:
        yield Sample(f"p0-{module}.{name}", call0(module, name), True, "catalogue entry, protocol 0")
    yield from structural()


def benign() -> Iterator[Sample]:
    """Pickles real code writes that load without side effects."""
    import collections
    import collections.abc
    import datetime

    yield Sample("builtins-len", pickle.dumps(len, 4), False, "a pure builtin, named")
    yield Sample("abc-iterable", pickle.dumps(collections.abc.Iterable, 4), False, "collections.abc")
    yield Sample("future-annotations", b"\x80\x04" + _stack_global("__future__", "annotations") + b".", False, "__future__ name")
    yield Sample("ordered-dict", pickle.dumps(collections.OrderedDict(a=1, b=[1.0, 2.0]), 2), False, "OrderedDict")
    yield Sample("datetime", pickle.dumps({"when": datetime.datetime(2024, 1, 1)}, 4), False, "datetime")
    yield Sample("protocol0-list", pickle.dumps([1, "two", 3.0], 0), False, "protocol 0 data")
    yield Sample("protocol5-bytes", pickle.dumps({"blob": b"\x80\x00" * 64, "n": 3}, 5), False, "bytes data")
    yield Sample("vocab", pickle.dumps({f"tok{i}": i for i in range(2000)}, 4), False, "a vocabulary")
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is a test dependency
        return
    yield Sample("numpy-array", pickle.dumps({"w": np.arange(256, dtype=np.float32)}, 4), False, "NumPy array")
    yield Sample("numpy-random-state", pickle.dumps(np.random.default_rng(0), 4), False, "NumPy generator")
    try:
        import torch
        from sklearn.linear_model import LogisticRegression
    except ImportError:  # pragma: no cover - both are test dependencies
        return
    import io

    x = np.random.default_rng(0).normal(size=(40, 3))
    model = LogisticRegression().fit(x, x[:, 0] > 0)
    yield Sample("sklearn-model", pickle.dumps(model, 5), False, "a fitted scikit-learn estimator")
    buf = io.BytesIO()
    torch.save({"w": torch.zeros(4, 4), "step": 3}, buf, _use_new_zipfile_serialization=False)
    yield Sample("torch-legacy", buf.getvalue(), False, "a legacy torch.save checkpoint")

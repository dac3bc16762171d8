"""The import lists behind the default-deny pickle policy: what real checkpoints use, what is known to be dangerous.

Patterns are dotted paths: ``module.name`` matches exactly; ``module.*`` any
plain attribute of that module; ``package.**`` any attribute of the package or
its submodules; ``module.prefix*`` names starting with ``prefix``. Deny
patterns without a wildcard match the path and everything below it (``os``
denies ``os.system`` and ``os.path.join``).
"""

from __future__ import annotations

from mlaudit.model import Severity

_TORCH_DTYPES = (
    "float", "double", "half", "bfloat16", "float16", "float32", "float64", "uint8", "uint16", "uint32",
    "uint64", "int8", "int16", "int32", "int64", "bool", "complex32", "complex64", "complex128", "cfloat",
    "cdouble", "chalf", "long", "int", "short", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2",
    "float8_e5m2fnuz", "float8_e8m0fnu", "float4_e2m1fn_x2", "quint8", "qint8", "qint32", "quint4x2",
    "quint2x4", "bits8", "bits16",
)
_TORCH_LAYOUTS = (
    "Size", "device", "Tensor", "strided", "sparse_coo", "sparse_csr", "sparse_csc", "sparse_bsr",
    "sparse_bsc", "_mkldnn", "per_tensor_affine", "per_channel_affine", "per_tensor_symmetric",
    "per_channel_symmetric", "per_channel_affine_float_qparams", "contiguous_format", "channels_last",
    "channels_last_3d", "preserve_format", "*Storage",
)
_NUMPY_SCALARS = (
    "bool_", "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "intc", "uintc",
    "intp", "uintp", "longlong", "ulonglong", "float16", "float32", "float64", "longdouble", "complex64",
    "complex128", "clongdouble", "str_", "bytes_", "void", "datetime64", "timedelta64", "object_",
    "ndarray", "dtype",
)

_PURE_BUILTINS = (
    "len", "abs", "min", "max", "sum", "all", "any", "repr", "ascii", "hash", "id", "isinstance",
    "issubclass", "callable", "iter", "next", "sorted", "reversed", "enumerate", "zip", "round", "pow",
    "divmod", "ord", "chr", "hex", "oct", "bin", "format", "Ellipsis", "NotImplemented", "memoryview",
    "ArithmeticError", "AssertionError", "AttributeError", "Exception", "IndexError", "KeyError",
    "LookupError", "NotImplementedError", "OverflowError", "RuntimeError", "StopIteration", "TypeError",
    "ValueError", "ZeroDivisionError", "UserWarning", "DeprecationWarning", "Warning",
)

ALLOWED: tuple[str, ...] = (
    # Python containers and value types real checkpoints hold.
    "collections.OrderedDict", "collections.defaultdict", "collections.Counter", "collections.deque",
    "builtins.dict", "builtins.list", "builtins.tuple", "builtins.set", "builtins.frozenset",
    "builtins.int", "builtins.float", "builtins.complex", "builtins.str", "builtins.bytes",
    "builtins.bytearray", "builtins.bool", "builtins.slice", "builtins.range", "builtins.object",
    "copyreg._reconstructor", "copyreg.__newobj__", "copyreg.__newobj_ex__", "_codecs.encode",
    "datetime.datetime", "datetime.date", "datetime.time", "datetime.timedelta", "datetime.timezone",
    "decimal.Decimal", "fractions.Fraction", "uuid.UUID", "argparse.Namespace", "enum.Enum",
    # PyTorch tensors, storages, parameters, dtypes, layouts and its own modules.
    "torch._utils._rebuild_*", "torch._tensor._rebuild_from_type_v2", "torch._tensor._rebuild_from_type",
    "torch.serialization._get_layout", "torch.storage.UntypedStorage", "torch.storage.TypedStorage",
    "torch.nn.parameter.Parameter", "torch.nn.parameter.Buffer", "torch.nn.parameter.UninitializedParameter",
    "torch.nn.parameter.UninitializedBuffer", "torch.nn.modules.**", "torch.torch_version.TorchVersion",
    "torch.nn.functional.*",  # activations referenced by modules (nn.Transformer keeps F.relu)
    "torch.nn.utils.parametrize.ParametrizationList", "torch.ao.quantization.**",
    # TorchScript archives: compiled classes and the jit unpickler's list builders.
    "__torch__.**", "torch.jit._pickle.build_*", "torch.jit._pickle.restore_type_tag",
    *(f"torch.{name}" for name in _TORCH_DTYPES + _TORCH_LAYOUTS),
    # NumPy arrays, dtypes, scalars and random generator state.
    *(f"numpy.{name}" for name in _NUMPY_SCALARS),
    "numpy.dtypes.*", "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
    "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar", "numpy.core.numeric._frombuffer",
    "numpy._core.numeric._frombuffer", "numpy.ma.core._mareconstruct", "numpy.ma.core.MaskedArray",
    "numpy.core._internal._reconstruct", "numpy.matrixlib.defmatrix.matrix",
    "numpy.random._pickle.__randomstate_ctor", "numpy.random._pickle.__bit_generator_ctor",
    "numpy.random._pickle.__generator_ctor", "numpy.random.mtrand.RandomState",
    "numpy.random._mt19937.MT19937", "numpy.random._pcg64.PCG64", "numpy.random._pcg64.PCG64DXSM",
    "numpy.random._philox.Philox", "numpy.random._sfc64.SFC64", "numpy.random._generator.Generator",
    "numpy.random.bit_generator.SeedSequence", "numpy.random.bit_generator.__pyx_unpickle_SeedSequence",
    # scikit-learn estimators, joblib's array wrappers, SciPy sparse matrices.
    "sklearn.**", "joblib.numpy_pickle.NumpyArrayWrapper", "joblib.numpy_pickle.NDArrayWrapper",
    "joblib.numpy_pickle.ZNDArrayWrapper", "scipy.sparse.**",
    # Pure, side-effect-free callables and markers: calling them reads or builds values only.
    *(f"builtins.{name}" for name in _PURE_BUILTINS),
    "collections.abc.*", "_collections_abc.*", "types.SimpleNamespace",
    "sklearn.externals.joblib.numpy_pickle.*Wrapper", "__future__.*", "numbers.*", "math.*", "cmath.*",
)


_EXEC = "runs code, spawns processes, compiles code or imports arbitrary modules when the file is loaded"
_NESTED = "unpickles or unmarshals a second payload (which can run any code) when the file is loaded"
_TORCH_CODE = "reaches PyTorch's code generation, compilation or scripting paths, which run code"
_GETATTR = "fetches attributes by name, reaching any function (os.system) without naming it"
_FILES = "reads, writes or deletes files when the file is loaded"
_NET = "opens network connections when the file is loaded"
_INDIRECT = "builds calls to arbitrary functions or classes, hiding what really runs"
_BROWSER = "opens a web browser (an external program) when the file is loaded"

# Code execution, process spawning, compilation and arbitrary import: whole modules whose
# loading-time use can only mean that (and their Python 2 spellings).
_EXEC_MODULES = (
    "os", "posix", "nt", "subprocess", "_posixsubprocess", "_winapi", "_bootsubprocess", "pty", "commands",
    "popen2", "runpy", "importlib", "imp", "zipimport", "pkgutil", "pkg_resources", "code", "codeop",
    "compileall", "py_compile", "ctypes", "_ctypes", "cffi", "multiprocessing", "concurrent", "asyncio",
    "sys", "timeit", "cProfile", "profile", "pdb", "bdb", "trace", "doctest", "pydoc", "unittest",
    "modulefinder", "platform", "site", "ensurepip", "venv", "pip", "distutils", "setuptools",
    "_distutils_hack", "idlelib", "lib2to3", "_aix_support", "_osx_support", "_pyrepl", "mailcap",
    "pipes", "tkinter", "_tkinter", "turtle", "turtledemo", "test", "types", "gc", "inspect", "_thread",
    "threading", "signal", "rlcompleter", "code.InteractiveInterpreter", "xxsubtype", "_xxsubinterpreters",
    "IPython", "ipykernel", "jupyter_client", "__builtins__", "numpy.f2py", "numpy.distutils", "numpy.testing",
    "numpy.ctypeslib", "scipy.weave", "sklearn.utils._testing", "sklearn.externals", "pandas.io.clipboard",
    "builtins.eval", "builtins.exec", "builtins.compile", "builtins.__import__", "builtins.execfile",
    "builtins.breakpoint", "builtins.input", "builtins.help", "builtins.apply", "builtins.reload",
    "builtins.globals", "builtins.locals", "builtins.vars",
)
# Stdlib helpers that spawn processes or compile code inside otherwise harmless modules.
_EXEC_HELPERS = (
    "uuid._*", "uuid.getnode", "imaplib.IMAP4_stream", "logging.config", "http.server.CGIHTTPRequestHandler",
    "cgitb", "typing.get_type_hints", "typing.ForwardRef", "dataclasses._create_fn", "webbrowser.get",
    "webbrowser.register", "webbrowser.BackgroundBrowser", "webbrowser.GenericBrowser", "webbrowser.UnixBrowser",
)
_TORCH_CODE_PATHS = (
    "torch._inductor", "torch.jit", "torch.fx", "torch._dynamo", "torch.compiler", "torch._export",
    "torch.export", "torch.package", "torch.hub", "torch.utils.cpp_extension", "torch.utils.collect_env",
    "torch.utils.bottleneck", "torch.utils._config_module", "torch.utils.data.datapipes", "torch.testing",
    "torch._functorch", "torch._higher_order_ops", "torch._ops", "torch.ops", "torch._library",
    "torch.library",
    "torch._utils._import_dotted_name", "torch.ao.quantization.fx", "torch.distributed.rpc",
)
_NESTED_LOADERS = (
    "pickle", "_pickle", "cPickle", "pickletools", "copy_reg.add_extension", "copyreg.add_extension",
    "marshal", "dill", "cloudpickle", "joblib.load", "joblib.numpy_pickle.load", "joblib._memmapping_reducer",
    "shelve", "dbm", "numpy.load", "numpy.lib.npyio", "numpy.lib.format.read_array", "torch.load",
    "torch.serialization.load", "torch.serialization._load", "torch.storage._load_from_bytes",
    "torch._C", "yaml.load", "yaml.unsafe_load", "yaml.full_load", "yaml.load_all", "yaml.unsafe_load_all",
    "jsonpickle", "pandas.read_pickle", "pandas.io.pickle", "keras.models.load_model",
    "keras.saving", "tensorflow", "tf_keras", "onnx.load",
)
_GETATTR_CHAINS = (
    "builtins.getattr", "builtins.setattr", "builtins.delattr", "builtins.object.__getattribute__",
    "operator.attrgetter", "operator.methodcaller", "_operator.attrgetter", "_operator.methodcaller",
    "operator.call", "_operator.call", "functools.reduce", "_functools.reduce",
)
_FILE_WRITERS = (
    "builtins.open", "io", "_io", "_pyio", "codecs.open", "codecs.StreamReaderWriter", "shutil", "tempfile",
    "pathlib", "glob", "fileinput", "filecmp", "tarfile", "zipfile", "gzip", "bz2", "lzma", "mmap",
    "logging.FileHandler", "logging.handlers", "logging.basicConfig", "sqlite3",
    "linecache", "posixpath", "ntpath", "genericpath", "csv.writer", "csv.DictWriter", "wave", "aifc",
    "sunau", "numpy.fromfile", "numpy.tofile", "numpy.save", "numpy.savez", "numpy.savez_compressed",
    "numpy.savetxt", "numpy.loadtxt", "numpy.genfromtxt", "numpy.memmap", "numpy.lib.format.open_memmap",
    "torch.save", "torch.from_file", "torch.storage.UntypedStorage.from_file", "sklearn.datasets",
    "scipy.sparse.load_npz", "scipy.sparse.save_npz", "scipy.io", "joblib.dump", "pandas.read_csv",
    "pandas.DataFrame.to_csv", "PIL.Image.open", "h5py.File",
)
_NETWORK_CLIENTS = (
    "socket", "_socket", "ssl", "_ssl", "urllib", "urllib2", "urllib3", "http",
    "httplib", "requests", "ftplib", "smtplib", "smtpd", "poplib", "imaplib", "nntplib", "telnetlib",
    "xmlrpc", "xmlrpclib", "socketserver", "asyncore", "asynchat", "aiohttp", "httpx", "websocket",
    "websockets", "paramiko", "wsgiref", "torch.distributed", "huggingface_hub",
)
_INDIRECT_CALLS = (
    "functools.partial", "functools.partialmethod", "_functools.partial", "operator.itemgetter",
    "_operator.itemgetter", "builtins.map", "builtins.filter", "builtins.type", "builtins.staticmethod",
    "builtins.classmethod", "builtins.property", "builtins.super", "copyreg.copyreg.extension",
)

DENIED: tuple[tuple[str, Severity, str], ...] = (
    *((m, Severity.CRITICAL, _EXEC) for m in _EXEC_MODULES + _EXEC_HELPERS),
    *((m, Severity.CRITICAL, _TORCH_CODE) for m in _TORCH_CODE_PATHS),
    *((m, Severity.CRITICAL, _NESTED) for m in _NESTED_LOADERS),
    *((m, Severity.CRITICAL, _GETATTR) for m in _GETATTR_CHAINS),
    *((m, Severity.HIGH, _FILES) for m in _FILE_WRITERS),
    *((m, Severity.HIGH, _NET) for m in _NETWORK_CLIENTS),
    *((m, Severity.HIGH, _INDIRECT) for m in _INDIRECT_CALLS),
    ("webbrowser", Severity.HIGH, _BROWSER),
    *((m, Severity.HIGH, "is a class or function of the script that saved the file: loading runs whatever the "
                         "loading program's __main__ defines under that name") for m in ("__main__", "__mp_main__")),
)

DENY_EXCEPTIONS: frozenset[str] = frozenset({
    # The TorchScript unpickler's list builders: allow-listed inside the denied torch.jit package.
    "torch.jit._pickle.build_intlist", "torch.jit._pickle.build_floatlist", "torch.jit._pickle.build_boollist",
    "torch.jit._pickle.build_tensorlist", "torch.jit._pickle.build_doublelist", "torch.jit._pickle.build_list",
    "torch.jit._pickle.build_complexlist", "torch.jit._pickle.restore_type_tag",
    # joblib array wrappers of old scikit-learn releases (sklearn.externals.joblib), and a plain record type.
    "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper", "sklearn.externals.joblib.numpy_pickle.NDArrayWrapper",
    "sklearn.externals.joblib.numpy_pickle.ZNDArrayWrapper", "types.SimpleNamespace",
})
"""Exact names below a denied package that real checkpoints use and that only build values."""

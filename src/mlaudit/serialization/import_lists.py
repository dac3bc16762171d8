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
    "numpy.random.bit_generator.SeedSequence",
    # scikit-learn estimators, joblib's array wrappers, SciPy sparse matrices.
    "sklearn.**", "joblib.numpy_pickle.NumpyArrayWrapper", "joblib.numpy_pickle.NDArrayWrapper",
    "joblib.numpy_pickle.ZNDArrayWrapper", "scipy.sparse.**",
)

_EXEC = "executes arbitrary code or shell commands when the file is loaded"
_FILES = "reads, writes or deletes files when the file is loaded"
_NET = "opens network connections when the file is loaded"
_NESTED = "loads another serialized object (a second, unchecked payload) when the file is loaded"
_INDIRECT = "builds calls to arbitrary functions, hiding what really runs"

DENIED: tuple[tuple[str, Severity, str], ...] = (
    *((m, Severity.CRITICAL, _EXEC) for m in (
        "os", "posix", "nt", "subprocess", "_posixsubprocess", "pty", "commands", "popen2", "runpy",
        "importlib", "imp", "pip", "code", "codeop", "ctypes", "_ctypes", "sys", "timeit", "cProfile",
        "profile", "pdb", "bdb", "trace", "doctest", "pydoc", "platform", "asyncio", "multiprocessing",
        "builtins.eval", "builtins.exec", "builtins.compile", "builtins.__import__", "builtins.execfile",
        "builtins.getattr", "builtins.setattr", "builtins.delattr", "builtins.globals", "builtins.locals",
        "builtins.vars", "builtins.breakpoint", "builtins.input", "builtins.apply", "builtins.help",
        "numpy.testing._private.utils.runstring", "numpy.f2py", "torch.hub", "torch.utils.cpp_extension",
        "logging.config", "site", "ensurepip", "venv", "distutils", "setuptools", "zipimport", "pkgutil",
        "types", "marshal", "gc", "inspect", "webbrowser", "_thread", "threading", "signal", "_winapi",
        # Allowed packages' own code runners: exec of generated code, test helpers.
        "torch.fx", "torch.ao.quantization.fx", "torch._dynamo", "torch.utils.data.datapipes",
        "sklearn.utils._testing", "sklearn.externals",
    )),
    *((m, Severity.HIGH, _FILES) for m in (
        "builtins.open", "io", "_io", "shutil", "tempfile", "pathlib", "glob", "fileinput", "tarfile",
        "zipfile", "numpy.fromfile", "numpy.tofile", "numpy.save", "numpy.savez", "numpy.loadtxt",
        "numpy.genfromtxt", "numpy.memmap", "torch.save", "linecache", "posixpath", "ntpath",
        "sklearn.datasets", "scipy.sparse.load_npz", "scipy.sparse.save_npz", "scipy.io",
    )),
    *((m, Severity.HIGH, _NET) for m in (
        "socket", "_socket", "ssl", "urllib", "urllib2", "http", "httplib", "requests", "ftplib",
        "smtplib", "telnetlib", "xmlrpc", "socketserver", "aiohttp", "httpx",
    )),
    *((m, Severity.HIGH, _NESTED) for m in (
        "pickle", "_pickle", "cPickle", "dill", "cloudpickle", "joblib.load", "numpy.load",
        "numpy.lib.npyio", "torch.load", "torch.serialization.load", "torch.jit.load", "torch._C",
        "torch.storage._load_from_bytes", "torch.package", "yaml.load", "yaml.unsafe_load", "shelve",
        "copyreg.add_extension", "keras.models.load_model", "tensorflow",
    )),
    *((m, Severity.HIGH, _INDIRECT) for m in (
        "functools.partial", "functools.reduce", "functools.partialmethod", "operator.attrgetter",
        "operator.methodcaller", "operator.call", "_operator.attrgetter", "_operator.methodcaller",
        "builtins.map", "builtins.filter", "builtins.type", "builtins.staticmethod", "builtins.classmethod",
        "builtins.property", "builtins.super", "copyreg.copyreg.extension", "torch._utils._import_dotted_name",
    )),
)

"""Severity follows what loading can do: one case per class of issue 16, and the whole bypass catalogue.

Every sample is built as bytes and scanned, never loaded. The catalogue
(``pickle_catalogue``) holds the entries of the public deny-lists and bypass
reports of picklescan, modelscan, fickling and modelaudit; each must fail
``mlaudit audit`` with the default policy and ``mlaudit scan``.
"""

from __future__ import annotations

import base64
import json
import pickle
import struct
from pathlib import Path

import pytest
from conftest import git, run_mlaudit
from pickle_catalogue import benign, call0, call4, malicious
from serialization_samples import imports_found, rules, scan_bytes, short_unicode, stream

from mlaudit.model import Finding, Severity
from mlaudit.serialization.file_report import FileReport


def _worst(report: FileReport) -> Severity | None:
    return max((f.severity for f in report.findings), key=lambda s: s.rank, default=None)


def _rule(report: FileReport, rule: str) -> Finding:
    found = [f for f in report.findings if f.rule == rule]
    assert found, [(f.rule, f.message) for f in report.findings]
    return found[0]


@pytest.mark.parametrize(("module", "name"), [
    ("os", "system"), ("builtins", "exec"), ("uuid", "_get_command_stdout"), ("_aix_support", "_read_cmd_output"),
    ("_osx_support", "_find_build_tool"), ("idlelib.pyshell", "ModifiedInterpreter.runcode"),
    ("lib2to3.pgen2.pgen", "ParserGenerator.make_label"), ("pydoc", "pipepager"),
    ("torch._inductor.codecache", "compile_file"), ("torch.jit.unsupported_tensor_ops", "execWrapper"),
    ("pickle", "loads"), ("operator", "attrgetter"), ("pkgutil", "resolve_name"),
])
def test_code_execution_spawning_and_compilation_are_critical(tmp_path: Path, module: str, name: str) -> None:
    finding = imports_found(scan_bytes(tmp_path, "m.pkl", call4(module, name)))[f"{module}.{name}"]
    assert (finding.rule, finding.severity) == ("serialization.dangerous-import", Severity.CRITICAL)
    assert finding.details["called"] is True


@pytest.mark.parametrize(("module", "name", "what"), [
    ("smtplib", "SMTP", "network"), ("http.client", "HTTPSConnection", "network"),
    ("logging", "FileHandler", "files"), ("shutil", "rmtree", "files"), ("webbrowser", "open", "browser"),
    ("__main__", "Exploit", "__main__"), ("myproject.layers", "Block", "allow-list"),
])
def test_other_called_callables_network_files_and_main_are_high(tmp_path: Path, module: str, name: str,
                                                               what: str) -> None:
    finding = imports_found(scan_bytes(tmp_path, "m.pkl", call4(module, name)))[f"{module}.{name}"]
    assert finding.severity is Severity.HIGH
    assert what in finding.message


@pytest.mark.parametrize("module", ["os ", "os\n", "\u043es", "\uff4f\uff53", "o\u200bs"])
def test_names_spelled_to_evade_are_at_least_high(tmp_path: Path, module: str) -> None:
    report = scan_bytes(tmp_path, "e.pkl", call4(module, "system"))
    finding = _rule(report, "serialization.name-evasion")
    assert finding.severity is Severity.CRITICAL  # normalised it is os.system
    assert "normalised it is os.system" in finding.message
    named = scan_bytes(tmp_path, "n.pkl", stream(short_unicode("my\u0430pp") + short_unicode("X") + b"\x93"))
    assert _rule(named, "serialization.name-evasion").severity is Severity.HIGH


def test_protocol_0_trailing_space_module(tmp_path: Path) -> None:
    assert _rule(scan_bytes(tmp_path, "p.pkl", call0("os ", "system")), "serialization.name-evasion")


def test_imports_only_named_are_medium_and_pure_callables_are_allowed(tmp_path: Path) -> None:
    named = scan_bytes(tmp_path, "n.pkl", stream(short_unicode("myproject") + short_unicode("thing") + b"\x93"))
    assert [(f.rule, f.severity) for f in named.findings] == [("serialization.unknown-import", Severity.MEDIUM)]
    # A dangerous name handed over but never called: one step below its called severity.
    ref = scan_bytes(tmp_path, "r.pkl", stream(short_unicode("os") + short_unicode("system") + b"\x93"))
    assert imports_found(ref)["os.system"].severity is Severity.HIGH
    import collections.abc

    for value in (len, collections.abc.Iterable, {"f": max, "g": sorted}):
        assert scan_bytes(tmp_path, "b.pkl", pickle.dumps(value, 4)).findings == []
    future = stream(short_unicode("__future__") + short_unicode("annotations") + b"\x93")
    assert scan_bytes(tmp_path, "f.pkl", future).findings == []


@pytest.mark.parametrize(("body", "words"), [
    (b"N" + b"\x80\x04" + b"0N", "repeats the protocol header"),
    (b"]" + b"2" + b"a", "puts a list inside itself"),
    (b"\x95" + struct.pack("<Q", 20) + b"\x95" + struct.pack("<Q", 2) + b"NN" + b"0" * 8, "frames in frames"),
    (b"]\x94" + b"".join(b"(h" + bytes([i]) + b"h" + bytes([i]) + b"l\x94" for i in range(40)), "memo/DUP expansion"),
    (b"N" + b"2\x86" * 40, "memo/DUP expansion"),
], ids=["duplicate-proto", "self-containing", "frame-in-frame", "memo-expansion", "dup-expansion"])
def test_malformed_constructs_are_medium_never_silent(tmp_path: Path, body: bytes, words: str) -> None:
    report = scan_bytes(tmp_path, "m.pkl", stream(body))
    finding = _rule(report, "serialization.malformed")
    assert finding.severity is Severity.MEDIUM and words in finding.message


def test_frame_overrun_is_read_as_cpython_reads_it_and_the_divergence_is_high(tmp_path: Path) -> None:
    body = b"\x8c\x02os\x8c\x06system\x93\x8c\x02id\x85R."
    report = scan_bytes(tmp_path, "f.pkl", b"\x80\x04\x95" + struct.pack("<Q", 3) + body)
    assert imports_found(report)["os.system"].severity is Severity.CRITICAL
    divergence = _rule(report, "serialization.frame-divergence")
    assert divergence.severity is Severity.HIGH
    assert "SHORT_BINUNICODE reads across the end of the FRAME at byte 14" in divergence.message
    # The real pickler's frames end at opcode boundaries: no divergence.
    real = pickle.dumps({"a": list(range(100_000))}, 4)
    assert scan_bytes(tmp_path, "real.pkl", real).findings == []


@pytest.mark.parametrize("prefix", [
    b"\x80\x04" + b"(" * 100_001,
    b"\x80\x02S'" + b"A" * (2 << 20) + b"'\n0",
    b"\x80\x04" + b"N" * 1_000_001,
], ids=["marks", "long-line", "stack"])
def test_a_limit_before_the_payload_does_not_hide_it(tmp_path: Path, prefix: bytes) -> None:
    data = prefix + b"\x8c\x02os\x8c\x06system\x93\x8c\x02id\x85R."
    report = scan_bytes(tmp_path, "l.pkl", data)
    unscanned = _rule(report, "serialization.unscanned")
    assert unscanned.severity is Severity.HIGH and "swept for imports" in unscanned.message
    finding = imports_found(report)["os.system"]
    assert finding.severity is Severity.CRITICAL and "swept" in finding.message


@pytest.mark.parametrize("encoding", ["raw", "hex", "base64"])
def test_a_pickle_inside_a_field_is_scanned(tmp_path: Path, encoding: str) -> None:
    inner = call4("os", "system")
    blob = {"raw": inner, "hex": inner.hex().encode(), "base64": base64.b64encode(inner)}[encoding]
    outer = stream(b"}" + short_unicode("payload") + b"B" + struct.pack("<I", len(blob)) + blob + b"s")
    report = scan_bytes(tmp_path, "o.pkl", outer)
    finding = _rule(report, "serialization.embedded-pickle")
    assert finding.severity is Severity.HIGH
    assert "os.system" in finding.message and "runs if the application unpickles this field" in finding.message
    text = stream(b"X" + struct.pack("<I", len(base64.b64encode(inner))) + base64.b64encode(inner))
    assert _rule(scan_bytes(tmp_path, "t.pkl", text), "serialization.embedded-pickle")
    padded = b"N0" * 60 + call0("os", "system")  # the import far from the field's start
    for blob in (padded, padded.hex().encode(), base64.b64encode(padded)):
        outer = stream(b"B" + struct.pack("<I", len(blob)) + blob)
        assert _rule(scan_bytes(tmp_path, "p.pkl", outer), "serialization.embedded-pickle")
    harmless = stream(b"B" + struct.pack("<I", 64) + pickle.dumps([1, 2, 3], 4).ljust(64, b"."))
    assert "serialization.embedded-pickle" not in rules(scan_bytes(tmp_path, "h.pkl", harmless))


def test_protocol_0_behind_any_extension(tmp_path: Path) -> None:
    for name in ("model.dill", "weights.dat", "vocab.txt", "thing"):
        report = scan_bytes(tmp_path, name, call0("os", "system"))
        assert imports_found(report)["os.system"].severity is Severity.CRITICAL, name


def test_bytes_that_are_not_a_pickle_are_low_not_a_model(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
    report = scan_bytes(tmp_path, "image.pt", png)
    finding = _rule(report, "serialization.not-a-model")
    assert finding.severity is Severity.LOW and "at byte" in finding.message
    assert "Error" not in finding.message  # never an internal exception's text


def test_every_catalogue_sample_is_caught_at_high_or_above(tmp_path: Path) -> None:
    missed = []
    for sample in malicious():
        worst = _worst(scan_bytes(tmp_path, "model.pkl", sample.data))
        if worst is None or not worst.at_least(Severity.HIGH):
            missed.append(sample.name)
    assert missed == []
    alarms = {s.name: rules(scan_bytes(tmp_path, "ok.pkl", s.data)) for s in benign()}
    assert {k: v for k, v in alarms.items() if v} == {}


def test_catalogue_fails_mlaudit_audit_and_mlaudit_scan(repo: Path) -> None:
    samples = list(malicious())
    for i, sample in enumerate(samples):
        (repo / f"s{i:03d}.pkl").write_bytes(sample.data)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "samples")
    audit = run_mlaudit("audit", "--only", "serialization", "--format", "json", "--offline", str(repo))
    assert audit.returncode == 1, audit.stderr
    report = json.loads(audit.stdout)
    worst: dict[str, int] = {}
    for check in report["checks"]:
        for f in check["findings"]:
            worst[f["path"]] = max(worst.get(f["path"], 0), Severity(f["severity"]).rank)
    high = Severity.HIGH.rank
    assert [s.name for i, s in enumerate(samples) if worst.get(f"s{i:03d}.pkl", 0) < high] == []
    scan = run_mlaudit("scan", "--format", "json", "--fail-on", "high", *sorted(p.name for p in repo.glob("*.pkl")),
                       cwd=repo)
    assert scan.returncode == 1
    files = {f["path"]: f["findings"] for f in json.loads(scan.stdout)["files"]}
    assert [s.name for i, s in enumerate(samples)
            if not any(Severity(f["severity"]).rank >= high for f in files[f"s{i:03d}.pkl"])] == []


def test_a_callable_passed_to_a_call_counts_as_called(tmp_path: Path) -> None:
    # copyreg._reconstructor(Popen, Popen, "id") runs Popen.__init__(obj, "id"): Popen is only an argument.
    body = (b"ccopyreg\n_reconstructor\n(csubprocess\nPopen\ncsubprocess\nPopen\nS'id'\ntR")
    finding = imports_found(scan_bytes(tmp_path, "r.pkl", stream(body, 2)))["subprocess.Popen"]
    assert finding.severity is Severity.CRITICAL and "passed to copyreg._reconstructor" in finding.message


def test_ten_thousand_streams_then_a_payload_is_still_found(tmp_path: Path) -> None:
    data = b"N." * 10_000 + call0("os", "system")
    report = scan_bytes(tmp_path, "many.pkl", data)
    assert _rule(report, "serialization.unscanned").severity is Severity.HIGH
    assert imports_found(report)["os.system"].severity is Severity.CRITICAL


def test_joblib_wrapper_that_does_not_parse_is_high_and_the_rest_is_searched(tmp_path: Path) -> None:
    # A NumpyArrayWrapper whose state gives no shape: joblib.load reads its array anyway and unpickles
    # on, so what follows cannot be walked; it is searched for imports byte by byte.
    wrapper = (b"\x8c\x13joblib.numpy_pickle\x8c\x11NumpyArrayWrapper\x93)\x81}" + short_unicode("shape")
               + b"Ns" + b"b")
    data = stream(wrapper + b"\x00\x01\x02" * 100 + b"0" + short_unicode("os") + b"\x94" + short_unicode("system")
                  + b"\x94\x93" + short_unicode("id") + b"\x85R")
    report = scan_bytes(tmp_path, "model.joblib", data)
    unscanned = _rule(report, "serialization.unscanned")
    assert unscanned.severity is Severity.HIGH and "searched for imports" in unscanned.message
    assert imports_found(report)["os.system"].severity is Severity.CRITICAL


class _OldArrayWrapper:
    """Stands in for the array wrappers of joblib as scikit-learn < 0.23 vendored it (sklearn.externals.joblib)."""

    def __init__(self, **state: object) -> None:
        self.__dict__.update(state)


def _old_sklearn_dump(monkeypatch: pytest.MonkeyPatch, protocol: int) -> bytes:
    """A dump as old scikit-learn wrote it: arrays in .npy files beside it, NDArrayWrapper/ZNDArrayWrapper in
    the pickle (and NumpyArrayWrapper of the vendored joblib 0.10+). Made with pickle.dumps, never loaded."""
    import sys
    import types

    import numpy as np

    module = types.ModuleType("sklearn.externals.joblib.numpy_pickle")
    for name in ("NDArrayWrapper", "ZNDArrayWrapper", "NumpyArrayWrapper"):
        cls = type(name, (_OldArrayWrapper,), {"__module__": module.__name__})
        setattr(module, name, cls)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    estimator = {
        "coef_": module.NDArrayWrapper(filename="model.pkl_01.npy", subclass=np.ndarray, allow_mmap=True),
        "intercept_": module.ZNDArrayWrapper(filename="model.pkl_02.npy", init_args=(np.ndarray, (0,), b"b"),
                                             state=(1, (3,), np.dtype("float64"), False, b"")),
    }
    return pickle.dumps(estimator, protocol=protocol)


@pytest.mark.parametrize("protocol", range(6))
def test_old_scikit_learn_array_wrappers_are_data_not_an_alarm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              protocol: int) -> None:
    report = scan_bytes(tmp_path, "model.pkl", _old_sklearn_dump(monkeypatch, protocol))
    assert report.findings == [] and report.complete, [(f.rule, f.severity, f.message) for f in report.findings]


def test_the_vendored_joblib_stays_dangerous_outside_its_array_wrappers(tmp_path: Path) -> None:
    from mlaudit.serialization.policy import ImportPolicy

    policy = ImportPolicy()
    for name in ("NDArrayWrapper", "ZNDArrayWrapper", "NumpyArrayWrapper"):
        assert policy.judge("sklearn.externals.joblib.numpy_pickle", name).kind == "allowed"
        assert policy.judge("joblib.numpy_pickle", name).kind == "allowed"
    for module, name in (("sklearn.externals.joblib", "load"), ("sklearn.externals.joblib.numpy_pickle", "load"),
                         ("sklearn.externals.joblib.numpy_pickle", "EvilWrapper")):
        assert policy.judge(module, name).severity is Severity.CRITICAL, (module, name)


@pytest.mark.parametrize("body", [
    b"(i\xd0\xbes\nsystem\n",  # INST names are ASCII to CPython: a Cyrillic letter stops it before the import
    b"(ios\nsyst\xd0\xbem\n",
    b"c\xffos\nsystem\n",  # GLOBAL names are UTF-8 to CPython
    b"cos\nsys\xfftem\n",
])
def test_names_cpython_cannot_decode_stop_the_walk_before_any_import(tmp_path: Path, body: bytes) -> None:
    report = scan_bytes(tmp_path, "m.pkl", stream(body + b"(S'id'\ntR", protocol=2))
    assert [(f.rule, f.severity) for f in report.findings] == [("serialization.malformed", Severity.MEDIUM)]
    assert "before importing anything" in report.findings[0].message


def test_names_cpython_decodes_are_still_judged_whatever_they_spell(tmp_path: Path) -> None:
    # UTF-8 Cyrillic in GLOBAL decodes: the unpickler looks the module up, so the evasion is reported.
    report = scan_bytes(tmp_path, "m.pkl", stream("c\u043es\nsystem\n(S'id'\ntR".encode(), protocol=2))
    assert _rule(report, "serialization.name-evasion").severity is Severity.CRITICAL

"""Every pickle construct that imports or calls code is seen, whichever protocol and opcode spell it."""

from __future__ import annotations

import os
import pickle
import subprocess
from pathlib import Path

import pytest
from serialization_samples import (
    call_with_string,
    dumped_call,
    global_op,
    imports_found,
    proto,
    reduce_pickle,
    rules,
    scan_bytes,
    short_unicode,
    stream,
)

from mlaudit.model import Severity


@pytest.mark.parametrize("protocol", [0, 1, 2, 3, 4, 5])
def test_real_pickler_output_of_os_system_is_critical_in_every_protocol(tmp_path: Path, protocol: int) -> None:
    data = dumped_call(os.system, ("touch /tmp/pwned",), protocol)
    report = scan_bytes(tmp_path, "model.pkl", data)
    found = imports_found(report)
    assert set(found) == {"posix.system"}
    finding = found["posix.system"]
    assert finding.rule == "serialization.dangerous-import"
    assert finding.severity is Severity.CRITICAL
    if protocol < 4:  # GLOBAL: the opcode byte precedes the module name
        expected = data.index(b"posix") - 1
    else:  # STACK_GLOBAL: the opcode after the memoized module and name strings
        expected = data.index(b"\x93", data.index(b"system"))
    assert finding.details["offset"] == expected
    assert "calls it (REDUCE" in finding.message
    assert report.complete


def test_stack_global_with_module_and_name_from_the_memo(tmp_path: Path) -> None:
    # Strings are memoized first, then fetched with BINGET / LONG_BINGET / GET before STACK_GLOBAL.
    body = (short_unicode("subprocess") + b"\x94" + b"0" + short_unicode("Popen") + b"q\x07" + b"0"
            + b"h\x00" + b"h\x07" + b"\x93" + b"(" + short_unicode("id") + b"tR")
    report = scan_bytes(tmp_path, "memo.pkl", stream(body))
    finding = imports_found(report)["subprocess.Popen"]
    assert finding.severity is Severity.CRITICAL
    assert finding.details["opcode"] == "STACK_GLOBAL"


@pytest.mark.parametrize(
    ("body", "opcode"),
    [
        (b"(" + short_unicode("x") + b"ibuiltins\neval\n", "INST"),
        (b"(" + global_op("builtins", "exec") + short_unicode("x") + b"o", "GLOBAL"),
        (global_op("os", "system") + b")\x81", "GLOBAL"),
        (global_op("os", "system") + b")}\x92", "GLOBAL"),
        (global_op("builtins", "getattr") + b"}b", "GLOBAL"),
    ],
    ids=["INST", "OBJ", "NEWOBJ", "NEWOBJ_EX", "BUILD"],
)
def test_instantiation_opcodes(tmp_path: Path, body: bytes, opcode: str) -> None:
    report = scan_bytes(tmp_path, "m.pkl", stream(body, 4))
    dangerous = [f for f in report.findings if f.rule == "serialization.dangerous-import"]
    assert dangerous and dangerous[0].severity is Severity.CRITICAL
    assert dangerous[0].details["opcode"] == opcode


@pytest.mark.parametrize(("op", "arg"), [(b"\x82", b"\x07"), (b"\x83", b"\x07\x01"), (b"\x84", b"\x07\x00\x01\x00")])
def test_extension_registry_imports_cannot_be_judged(tmp_path: Path, op: bytes, arg: bytes) -> None:
    report = scan_bytes(tmp_path, "ext.pkl", stream(op + arg + b")R"))
    unresolved = [f for f in report.findings if f.rule == "serialization.unresolved-import"]
    assert unresolved and unresolved[0].severity is Severity.HIGH
    assert "copyreg extension registry" in unresolved[0].message


def test_stack_global_of_computed_strings_is_unresolved(tmp_path: Path) -> None:
    # The module name is the result of a call: no static scanner can know it.
    body = global_op("builtins", "str") + b"(K\x01tR" + short_unicode("system") + b"\x93)R"
    report = scan_bytes(tmp_path, "computed.pkl", stream(body))
    assert "serialization.unresolved-import" in rules(report)


def test_every_concatenated_stream_is_scanned(tmp_path: Path) -> None:
    benign = pickle.dumps({"a": [1, 2]}, protocol=2)
    evil = reduce_pickle("subprocess", "check_output")
    report = scan_bytes(tmp_path, "two.pkl", benign + benign + evil)
    finding = imports_found(report)["subprocess.check_output"]
    assert finding.details["offset"] == 2 * len(benign) + evil.index(b"\x93")
    assert report.complete


def test_stream_broken_after_the_dangerous_call_still_reports_it(tmp_path: Path) -> None:
    data = stream(call_with_string(global_op("os", "system"), "id") + b"\xff\xfe garbage")
    report = scan_bytes(tmp_path, "broken.pkl", data[:-1])
    assert imports_found(report)["os.system"].severity is Severity.CRITICAL
    malformed = [f for f in report.findings if f.rule == "serialization.malformed"]
    assert malformed and "invalid opcode" in malformed[0].message and malformed[0].severity is Severity.MEDIUM
    assert not report.complete


@pytest.mark.parametrize(
    ("module", "name", "severity"),
    [
        ("__builtin__", "eval", Severity.CRITICAL),          # Python 2 spelling
        ("builtins", "getattr", Severity.CRITICAL),
        ("functools", "partial", Severity.HIGH),
        ("operator", "attrgetter", Severity.CRITICAL),       # a getattr chain
        ("torch.hub", "load", Severity.CRITICAL),
        ("numpy", "load", Severity.CRITICAL),                # unpickles a second payload
        ("runpy", "run_path", Severity.CRITICAL),
        ("webbrowser", "open", Severity.HIGH),
        ("torch._utils", "_rebuild_tensor_v2.__globals__", Severity.HIGH),  # protocol-4 dotted name
        ("torch.fx.graph_module", "reduce_graph_module", Severity.CRITICAL),  # execs code, inside torch
        ("sklearn.datasets", "fetch_openml", Severity.HIGH),  # allowed package, dangerous corner
        ("copy_reg", "_reconstructor", None),                # allowed under its Python 3 name
        ("collections", "OrderedDict", None),
    ],
)
def test_policy_verdicts_on_scanned_imports(tmp_path: Path, module: str, name: str,
                                            severity: Severity | None) -> None:
    report = scan_bytes(tmp_path, "p.pkl", reduce_pickle(module, name))
    found = imports_found(report)
    if severity is None:
        assert found == {}
    else:
        assert found[f"{module}.{name}"].severity is severity
        assert found[f"{module}.{name}"].rule == "serialization.dangerous-import"


def test_unknown_import_is_high_when_called_medium_when_named_and_allow_listable(tmp_path: Path) -> None:
    from mlaudit.serialization.policy import ImportPolicy
    from mlaudit.serialization.scanner import ScanSettings

    data = reduce_pickle("mypackage.layers", "Block")
    report = scan_bytes(tmp_path, "u.pkl", data)
    finding = imports_found(report)["mypackage.layers.Block"]
    assert (finding.rule, finding.severity) == ("serialization.unknown-import", Severity.HIGH)
    named = scan_bytes(tmp_path, "n.pkl", stream(short_unicode("mypackage.layers") + short_unicode("Block") + b"\x93"))
    finding = imports_found(named)["mypackage.layers.Block"]
    assert (finding.rule, finding.severity) == ("serialization.unknown-import", Severity.MEDIUM)
    assert "named only" in finding.message
    allowed = scan_bytes(tmp_path, "u2.pkl", data, ScanSettings(policy=ImportPolicy(["mypackage.**"])))
    assert allowed.findings == []
    # The user's allow-list never overrides the deny-list.
    still = scan_bytes(tmp_path, "u3.pkl", reduce_pickle("os", "system"),
                       ScanSettings(policy=ImportPolicy(["os.*", "os.system"])))
    assert imports_found(still)["os.system"].severity is Severity.CRITICAL


def test_joblib_inline_array_data_is_skipped_exactly(tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    joblib = pytest.importorskip("joblib")
    path = tmp_path / "arrays.joblib"
    # Array bytes that look like opcodes must not be parsed as pickle.
    joblib.dump({"a": np.frombuffer(b"cos\nsystem\n" * 100, dtype=np.uint8), "b": np.ones((3, 4))}, path)
    evil = reduce_pickle("os", "system")
    path.write_bytes(path.read_bytes() + evil)
    from mlaudit.serialization.scanner import ModelScanner

    report = ModelScanner().scan_path(path, "arrays.joblib")
    assert set(imports_found(report)) == {"os.system"}
    assert imports_found(report)["os.system"].details["offset"] == path.stat().st_size - len(evil) + evil.index(b"\x93")


def test_offsets_inside_a_stream_are_exact(tmp_path: Path) -> None:
    prefix = proto(2) + b"(" + b"K\x01" * 10
    data = prefix + global_op("subprocess", "run") + b")R" + b"l."
    report = scan_bytes(tmp_path, "o.pkl", data)
    assert imports_found(report)["subprocess.run"].details["offset"] == len(prefix)


def test_scan_never_executes_the_payload(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    data = dumped_call(subprocess.call, (["touch", str(marker)],), 4)
    data += dumped_call(os.system, (f"touch {marker}",), 2)
    report = scan_bytes(tmp_path, "payload.pt", data)
    assert {"subprocess.call", "posix.system"} <= set(imports_found(report))
    assert not marker.exists()

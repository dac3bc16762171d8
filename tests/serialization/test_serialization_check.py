"""The ``serialization`` check inside ``mlaudit audit`` and the ``mlaudit scan`` command, end to end."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path

import pytest
from conftest import run_mlaudit
from serialization_samples import reduce_pickle, zip_bytes

from mlaudit.config import load_config
from mlaudit.context import AuditContext
from mlaudit.engine import run_audit
from mlaudit.model import Status

BENIGN = pickle.dumps({"w": [1.0, 2.0]}, protocol=2)


def _audit(root: Path) -> tuple[Status, dict[str, object], list[dict[str, object]]]:
    report = run_audit(AuditContext(root, load_config(root)), only=["serialization"])
    check = report.check("serialization")
    assert check is not None
    return check.status, dict(check.evidence), [f.to_json() for f in check.findings]


def test_audit_fails_on_a_dangerous_checkpoint_and_reports_coverage(repo: Path) -> None:
    (repo / "models").mkdir()
    (repo / "models" / "good.pt").write_bytes(zip_bytes({"good/data.pkl": BENIGN}))
    (repo / "models" / "bad.bin").write_bytes(reduce_pickle("os", "system"))
    (repo / "export").mkdir()
    (repo / "export" / "saved_model.pb").write_bytes(b"")  # include glob; empty protobuf is valid
    status, evidence, findings = _audit(repo)
    assert status is Status.FAIL
    assert [(f["rule"], f["path"], f["severity"]) for f in findings] == [
        ("serialization.dangerous-import", "models/bad.bin", "critical")]
    assert findings[0]["details"]["import"] == "os.system"
    files = evidence["files"]
    assert isinstance(files, dict)
    assert files["models/good.pt"] == {"parsers": ["torch-zip", "pickle"], "complete": True}
    assert files["export/saved_model.pb"]["parsers"] == ["savedmodel"]


def test_unknown_imports_fail_when_called_and_the_allow_list_is_configurable(repo: Path) -> None:
    (repo / "m.pkl").write_bytes(reduce_pickle("myproject.model", "Net"))
    status, _, findings = _audit(repo)
    assert status is Status.FAIL  # loading calls a class on no list: high, the default fail_on
    assert findings[0]["rule"] == "serialization.unknown-import"
    (repo / "pyproject.toml").write_text('[tool.mlaudit.serialization]\nallow = ["myproject.**"]\n')
    assert _audit(repo)[0] is Status.PASS
    (repo / "pyproject.toml").write_text('[tool.mlaudit.serialization]\nunknown_import_severity = "critical"\n')
    assert _audit(repo)[0] is Status.FAIL


def test_nothing_scannable_is_never_a_pass(repo: Path) -> None:
    assert _audit(repo)[0] is Status.SKIPPED  # no model file at all
    (repo / "model.bin").write_bytes(b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"a" * 64
                                     + b"\nsize 9\n")
    status, evidence, findings = _audit(repo)
    assert status is Status.ERROR
    assert [f["rule"] for f in findings] == ["serialization.unscanned"]
    assert evidence["unscanned"]


def test_unchanged_files_come_from_the_scan_cache(repo: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # Files changed in the last 2 s are never cached (racily clean); the test cannot age ctime.
    monkeypatch.setattr("mlaudit.serialization.scan_cache.RACY_WINDOW_NS", 0)
    path = repo / "bad.pkl"
    path.write_bytes(reduce_pickle("os", "system"))
    old = path.stat().st_mtime - 60
    os.utime(path, (old, old))
    first = _audit(repo)[2]
    cache_files = list((tmp_path / "mlaudit-cache" / "serialization").glob("*.json"))
    assert len(cache_files) == 1
    cached = json.loads(cache_files[0].read_text())
    data = path.read_bytes()
    blob_id = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    assert list(cached["entries"]) == [blob_id]  # keyed by the content scanned, not by the name or a stat
    # Prove the second run reads the cache: a marker planted in it comes back.
    cached["entries"][blob_id]["findings"][0]["message"] = "served from the cache"
    cache_files[0].write_text(json.dumps(cached))
    second = _audit(repo)[2]
    assert second[0]["message"] == "served from the cache"
    assert second[0]["fingerprint"] == first[0]["fingerprint"]
    path.write_bytes(reduce_pickle("subprocess", "run"))  # changed: rescanned, not served from the cache
    os.utime(path, (old + 1, old + 1))
    assert _audit(repo)[2][0]["details"]["import"] == "subprocess.run"


def test_scan_command(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "a.pt").write_bytes(zip_bytes({"a/data.pkl": reduce_pickle("builtins", "exec")}))
    (tmp_path / "dir" / "notes.txt").write_text("not a model")
    (tmp_path / "clean.pkl").write_bytes(BENIGN)
    proc = run_mlaudit("scan", "dir", "clean.pkl", cwd=tmp_path)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("dir/a.pt: [critical] serialization.dangerous-import: member a/data.pkl at byte")
    assert "builtins.exec" in lines[0] and "(fix: " in lines[0]
    assert "2 file(s), 2 fully scanned" in proc.stderr
    clean = run_mlaudit("scan", "--format", "json", "clean.pkl", cwd=tmp_path)
    assert clean.returncode == 0
    assert json.loads(clean.stdout)["files"] == [
        {"path": "clean.pkl", "parsers": ["pickle"], "complete": True, "findings": []}]
    assert run_mlaudit("scan", "missing.pt", cwd=tmp_path).returncode == 2
    (tmp_path / "x.txt").write_text("hello")
    assert run_mlaudit("scan", "x.txt", cwd=tmp_path).returncode == 1  # scanned nothing: never clean


def test_corrupt_scan_cache_is_ignored(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mlaudit.serialization.scan_cache.RACY_WINDOW_NS", 0)
    (repo / "bad.pkl").write_bytes(reduce_pickle("os", "system"))
    first = _audit(repo)[2]
    cache_file = next((tmp_path / "mlaudit-cache" / "serialization").glob("*.json"))
    for garbage in ("{not json", '{"bad.pkl": {"stat": "x"}}', "[]"):
        cache_file.write_text(garbage)
        assert _audit(repo)[2] == first


def test_scan_command_reads_the_serialization_section(tmp_path: Path) -> None:
    (tmp_path / "m.pkl").write_bytes(reduce_pickle("myproject.model", "Net"))
    assert run_mlaudit("scan", "m.pkl", cwd=tmp_path).returncode == 1
    (tmp_path / "pyproject.toml").write_text('[tool.mlaudit.serialization]\nallow = ["myproject.**"]\n')
    assert run_mlaudit("scan", "m.pkl", cwd=tmp_path).returncode == 0
    (tmp_path / "pyproject.toml").write_text('[tool.mlaudit.serialization]\nalow = ["x"]\n')
    bad = run_mlaudit("scan", "m.pkl", cwd=tmp_path)
    assert bad.returncode == 2 and "tool.mlaudit.serialization.alow" in bad.stderr


def test_markdown_report_shows_coverage(repo: Path) -> None:
    from mlaudit.render import render

    (repo / "good.pt").write_bytes(zip_bytes({"good/data.pkl": BENIGN}))
    (repo / "model.bin").write_bytes(b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"b" * 64
                                     + b"\nsize 9\n")
    report = run_audit(AuditContext(repo, load_config(repo)), only=["serialization"])
    text = render(report, "markdown")
    assert "| `good.pt` | `torch-zip`, `pickle` | yes |" in text
    assert "| `model.bin` | (nothing) | **no** |" in text
    assert "- model.bin: Git LFS pointer: the content is not in the working tree" in text


def test_onnx_external_data_files_are_data_not_unknown_formats(repo: Path) -> None:
    from serialization_samples import pb_field

    entry = pb_field(1, "location") + pb_field(2, "weights.bin")
    (repo / "onnx").mkdir()
    (repo / "onnx" / "model.onnx").write_bytes(pb_field(7, pb_field(5, pb_field(8, "w") + pb_field(13, entry))))
    (repo / "onnx" / "weights.bin").write_bytes(bytes(range(256)) * 4)  # raw floats: no format of its own
    (repo / "stray.bin").write_bytes(bytes(range(256)) * 4)  # named by no model: not a model (low)
    _, evidence, findings = _audit(repo)
    files = evidence["files"]
    assert isinstance(files, dict)
    assert files["onnx/weights.bin"] == {"parsers": ["onnx-external-data"], "complete": True}
    assert [(f["rule"], f["path"], f["severity"]) for f in findings] == [
        ("serialization.not-a-model", "stray.bin", "low")]

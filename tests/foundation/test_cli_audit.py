"""``mlaudit audit`` and ``mlaudit hash`` end to end, on real temporary repositories."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import PROJECT_ROOT, git, run_mlaudit


def _weights_repo(repo: Path) -> Path:
    (repo / "model.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}      " + bytes(range(256)) * 8)
    (repo / "sub").mkdir()
    (repo / "sub" / "head.pt").write_bytes(b"PK\x03\x04" + b"\x01" * 3000)
    return repo


def _weights_check(stdout: str) -> dict[str, object]:
    data = json.loads(stdout)
    return next(c for c in data["checks"] if c["id"] == "weights")


def test_update_then_clean_audit_then_tamper(repo: Path) -> None:
    _weights_repo(repo)
    update = run_mlaudit("hash", "--update", str(repo))
    assert update.returncode == 0, update.stderr
    assert "added    model.safetensors" in update.stdout and "added    sub/head.pt" in update.stdout
    clean = run_mlaudit("audit", str(repo), "--only", "weights", "--format", "json")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert _weights_check(clean.stdout)["status"] == "pass"

    data = bytearray((repo / "sub" / "head.pt").read_bytes())
    data[100] ^= 1
    (repo / "sub" / "head.pt").write_bytes(bytes(data))
    (repo / "model.safetensors").unlink()
    (repo / "new.gguf").write_bytes(b"GGUF" + b"\x00" * 100)
    audit = run_mlaudit("audit", str(repo), "--only", "weights", "--format", "json")
    assert audit.returncode == 1
    check = _weights_check(audit.stdout)
    rules = {(f["rule"], f["path"]) for f in check["findings"]}  # type: ignore[union-attr]
    assert rules == {("weights.mismatch", "sub/head.pt"), ("weights.missing", "model.safetensors"),
                     ("weights.unrecorded", "new.gguf")}
    assert run_mlaudit("hash", "--check", str(repo)).returncode == 1
    update = run_mlaudit("hash", "--update", str(repo))
    assert "changed  sub/head.pt" in update.stdout and "removed  model.safetensors" in update.stdout
    assert run_mlaudit("hash", "--check", str(repo)).returncode == 0


def test_ignored_files_and_git_dir_are_not_weights(repo: Path) -> None:
    (repo / ".gitignore").write_text("cache/\n")
    (repo / "cache").mkdir()
    (repo / "cache" / "tmp.bin").write_bytes(b"x" * 2000)
    (repo / ".git" / "stray.bin").write_bytes(b"x" * 2000)
    listing = run_mlaudit("hash", str(repo))
    assert listing.returncode == 0
    assert listing.stdout == ""


def test_no_weights_is_skipped_never_pass(repo: Path) -> None:
    audit = run_mlaudit("audit", str(repo), "--only", "weights", "--format", "json")
    assert audit.returncode == 0
    assert _weights_check(audit.stdout)["status"] == "skipped"


def test_weights_without_manifest_fail(repo: Path) -> None:
    _weights_repo(repo)
    audit = run_mlaudit("audit", str(repo), "--only", "weights")
    assert audit.returncode == 1
    assert "weights.no-manifest" in audit.stdout


def test_fail_on_threshold(repo: Path) -> None:
    _weights_repo(repo)
    assert run_mlaudit("audit", str(repo), "--only", "weights", "--fail-on", "critical").returncode == 0
    (repo / "mlaudit.toml").write_text('fail_on = "critical"\n')
    result = run_mlaudit("audit", str(repo), "--only", "weights", "--format", "json")
    assert result.returncode == 0
    assert _weights_check(result.stdout)["status"] == "warn"


def test_malformed_manifest_is_a_finding_with_line(repo: Path) -> None:
    _weights_repo(repo)
    (repo / "weights.lock.json").write_text('{\n  "version": 1,\n  "resources": [\n    {"name": 1}\n  ]\n}\n')
    audit = run_mlaudit("audit", str(repo), "--only", "weights", "--format", "json")
    assert audit.returncode == 1
    finding = _weights_check(audit.stdout)["findings"][0]  # type: ignore[index]
    assert finding["rule"] == "weights.manifest-invalid" and finding["line"] == 3
    assert "Traceback" not in audit.stderr


def test_usage_and_config_errors_exit_2(repo: Path, tmp_path: Path) -> None:
    bad_check = run_mlaudit("audit", str(repo), "--only", "nosuch")
    assert bad_check.returncode == 2 and "unknown check id(s): nosuch" in bad_check.stderr
    assert run_mlaudit("audit", str(tmp_path / "missing")).returncode == 2
    assert run_mlaudit("audit", "--format", "pdf", str(repo)).returncode == 2
    (repo / "pyproject.toml").write_text("[tool.mlaudit.weights]\nmanifest = 3\n")
    bad_config = run_mlaudit("audit", str(repo), "--only", "weights")
    assert bad_config.returncode == 2
    assert "pyproject.toml" in bad_config.stderr and "tool.mlaudit.weights.manifest" in bad_config.stderr
    assert "Traceback" not in bad_config.stderr


def test_outside_git_and_output_file(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    root.mkdir()
    (root / "a.npy").write_bytes(b"\x93NUMPY" + b"\x00" * 100)
    (root / "node_modules").mkdir()
    (root / "node_modules" / "b.npy").write_bytes(b"\x93NUMPY" + b"\x00" * 100)
    assert run_mlaudit("hash", "--update", str(root)).returncode == 0
    out = tmp_path / "reports" / "r.md"
    audit = run_mlaudit("audit", str(root), "--only", "weights", "--format", "markdown", "--output", str(out))
    assert audit.returncode == 0, audit.stderr
    assert out.read_text().startswith("## ✅ mlaudit: PASS")
    manifest = json.loads((root / "weights.lock.json").read_text())
    assert [r["name"] for r in manifest["resources"]] == ["a.npy"]


def test_demo_audit_finds_the_deliberate_mismatch() -> None:
    audit = run_mlaudit("audit", str(PROJECT_ROOT / "examples" / "demo-model"), "--only", "weights",
                        "--format", "json")
    assert audit.returncode == 1
    findings = _weights_check(audit.stdout)["findings"]
    assert [(f["rule"], f["path"]) for f in findings] == [("weights.mismatch", "head.safetensors")]  # type: ignore[index,union-attr]


def test_text_report_lists_every_check_and_its_fix(repo: Path) -> None:
    _weights_repo(repo)
    git(repo, "add", "-A")
    audit = run_mlaudit("audit", str(repo), "--only", "weights")
    assert "✗ fail" in audit.stdout and "weights.no-manifest" in audit.stdout
    assert "fix: run `mlaudit hash --update`" in audit.stdout

"""Issue 15 case 4: the register, model files and data files are read only inside the repository."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

from conftest import git, run_mlaudit

SECRET_LINE = "jane.doe@example.com,root-password-hash,SECRET-CONTENT-1234"


def _audit(repo: Path, only: str) -> tuple[int, dict[str, Any], str]:
    proc = run_mlaudit("audit", str(repo), "--only", only, "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    return proc.returncode, next(c for c in report["checks"] if c["id"] == only), proc.stdout + proc.stderr


def _outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "people.csv").write_text(f"email,note\n{SECRET_LINE}\n", encoding="utf-8")
    (folder / "register.yaml").write_text(f"- name: {SECRET_LINE}\n  bogus_key: {SECRET_LINE}\n",
                                          encoding="utf-8")
    evil = pickle.dumps(eval)  # bytes only, never loaded
    (folder / "evil.pkl").write_bytes(evil)
    return folder


def test_register_outside_the_repository_is_refused_and_never_shown(repo: Path, tmp_path: Path) -> None:
    folder = _outside(tmp_path)
    for register in (str(folder / "register.yaml"), "../outside/register.yaml", "linked.yaml"):
        if register == "linked.yaml" and not (repo / "linked.yaml").is_symlink():
            (repo / "linked.yaml").symlink_to(folder / "register.yaml")
        (repo / "mlaudit.toml").write_text(f"[privacy]\nregister = {json.dumps(register)}\nscan = false\n",
                                           encoding="utf-8")
        git(repo, "add", "-A")
        _code, check, out = _audit(repo, "privacy")
        assert "SECRET-CONTENT" not in out and "bogus_key" not in out, out
        problems = [f for f in check["findings"] if f["rule"] == "privacy.register-invalid"]
        assert problems and "not read" in problems[0]["message"], check


def test_symlinked_data_file_out_of_the_root_is_a_finding_never_scanned(repo: Path, tmp_path: Path) -> None:
    folder = _outside(tmp_path)
    (repo / "data").mkdir()
    (repo / "data" / "people.csv").symlink_to(folder / "people.csv")
    (repo / "data" / "own.csv").write_text("name\nalice\n", encoding="utf-8")
    git(repo, "add", "-A")
    _code, check, _out = _audit(repo, "privacy")
    rules = {(f["path"], f["rule"]) for f in check["findings"]}
    assert ("data/people.csv", "privacy.file-outside") in rules, check
    assert not any(r == "privacy.personal-data-found" for _p, r in rules)


def test_symlinked_model_file_out_of_the_root_is_a_finding_never_scanned(repo: Path, tmp_path: Path) -> None:
    folder = _outside(tmp_path)
    (repo / "model.pkl").symlink_to(folder / "evil.pkl")
    git(repo, "add", "-A")
    code, check, _out = _audit(repo, "serialization")
    assert code == 1
    rules = {f["rule"] for f in check["findings"] if f["path"] == "model.pkl"}
    assert rules == {"serialization.file-outside"}, check["findings"]

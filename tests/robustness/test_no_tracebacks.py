"""Broken input that used to end in a traceback (exit 3) is now exit 2 (or a finding) naming the file and problem."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import git, run_mlaudit
from robustness_helpers import hook, no_traceback, weights_repo
from serialization_samples import reduce_pickle

pytestmark = pytest.mark.slow  # end-to-end: real git repositories and mlaudit runs (the edit loop is `-m 'not slow'`)

BAD_PYPROJECT = b'[project]\nname = "caf\xe9"\ndependencies = ["jinja2==2.11.0"]\n'


@pytest.fixture
def latin1_repo(tmp_path: Path) -> Path:
    return weights_repo(tmp_path / "repo", {"pyproject.toml": BAD_PYPROJECT, "requirements.txt": b"jinja2==3.1.4\n"})


def test_non_utf8_pyproject_in_the_audit(latin1_repo: Path) -> None:
    proc = run_mlaudit("audit", str(latin1_repo), "--offline")
    no_traceback(proc)
    assert proc.returncode == 2
    assert "pyproject.toml: not UTF-8 text (line 2" in proc.stderr


@pytest.mark.parametrize("name", ["mlaudit-pinned-deps", "mlaudit-licenses", "mlaudit-weight-hashes",
                                  "mlaudit-personal-data", "mlaudit-unsafe-models"])
def test_non_utf8_pyproject_in_the_hooks(latin1_repo: Path, name: str) -> None:
    proc = hook(name, "pyproject.toml", "requirements.txt", cwd=latin1_repo)
    no_traceback(proc)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "pyproject.toml: not UTF-8 text" in proc.stderr


@pytest.mark.parametrize("content, message", [
    ("tool = 5\n", "'tool' must be a table"),
    ("[tool]\nmlaudit = 5\n", "[tool.mlaudit] must be a table"),
    ("a = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
])
def test_config_file_that_is_not_usable(tmp_path: Path, content: str, message: str) -> None:
    repo = weights_repo(tmp_path / "repo", {"a.safetensors": b"A" * 64})
    config = tmp_path / "pyproject.toml"
    config.write_text(content)
    for command in ("audit", "hash"):
        proc = run_mlaudit(command, str(repo), "--config", str(config))
        no_traceback(proc)
        assert proc.returncode == 2 and message in proc.stderr, proc.stderr


def test_manifest_ignore_paths_of_the_wrong_type(tmp_path: Path) -> None:
    repo = weights_repo(tmp_path / "repo", {"a.safetensors": b"A" * 64})
    assert run_mlaudit("hash", "--update", str(repo)).returncode == 0
    manifest = repo / "weights.lock.json"
    data = json.loads(manifest.read_text())
    data["serialization"]["ignore_paths"] = 5
    manifest.write_text(json.dumps(data))
    proc = run_mlaudit("hash", "--check", str(repo))
    no_traceback(proc)
    assert proc.returncode == 1 and "ignore_paths must be a list of strings" in proc.stdout
    assert run_mlaudit("hash", "--update", str(repo)).returncode == 2


def test_non_utf8_file_names_everywhere(tmp_path: Path) -> None:
    repo = weights_repo(tmp_path / "repo", {"ok.safetensors": b"A" * 64})
    odd = os.fsencode(str(repo)) + b"/w\xfe.pkl"
    with open(odd, "wb") as fh:
        fh.write(reduce_pickle("os", "system"))
    git(repo, "add", "-A")
    name = os.fsdecode(b"w\xfe.pkl")
    for args in (("hash", str(repo)), ("scan", str(repo)), ("audit", str(repo), "--offline")):
        proc = run_mlaudit(*args)
        no_traceback(proc)
        assert proc.returncode in (0, 1), proc.stderr
        assert "w\\xfe.pkl" in proc.stdout, args
    for fmt in ("json", "sarif", "markdown"):
        out = tmp_path / f"report.{fmt}"
        proc = run_mlaudit("audit", str(repo), "--offline", "--format", fmt, "--output", str(out))
        no_traceback(proc)
        text = out.read_bytes().decode("utf-8")  # valid UTF-8: the byte is written as \xfe
        if fmt == "sarif":  # an artifact URI: the byte percent-encoded (RFC 3986)
            assert '"uri": "w%FE.pkl"' in text
        else:
            assert "w\\xfe.pkl" in text.replace("\\\\", "\\")
        if fmt != "markdown":
            json.loads(text)
    for hook_name in ("mlaudit-unsafe-models", "mlaudit-weight-hashes", "mlaudit-personal-data"):
        proc = hook(hook_name, name, cwd=repo)
        no_traceback(proc)
        assert proc.returncode in (0, 1)

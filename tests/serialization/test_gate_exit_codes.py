"""Every code-running sample of the container and discovery classes fails ``mlaudit audit`` (default policy),
the ``mlaudit-unsafe-models`` hook and ``mlaudit github`` on a pull request; content no loader reads passes."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import shutil
import struct
import subprocess
import sys
import tarfile
import zlib
from pathlib import Path

import pytest
from conftest import git, init_repo, run_mlaudit
from github_actions_env import PR_NUMBER, REPO, actions_env, read_outputs, write_event
from github_api_server import GitHubApiServer, add_pull_request
from serialization_samples import pb_field, reduce_pickle, stream, zip_bytes

pytestmark = pytest.mark.slow  # end-to-end: real git repositories and mlaudit runs (the edit loop is `-m 'not slow'`)

EVIL = reduce_pickle("os", "system")
TORCH_ZIP = zip_bytes({"m/data.pkl": EVIL, "m/version": b"3\n"})
HOOK = shutil.which("mlaudit-unsafe-models") or str(Path(sys.executable).parent / "mlaudit-unsafe-models")


def _keras(layer: dict[str, object]) -> bytes:
    config = {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": [layer]}}
    return zip_bytes({"config.json": json.dumps(config).encode()})


def _bomb() -> bytes:
    return bz2.compress(b"\x80\x04\x8e" + struct.pack("<Q", 16 << 30)) + bz2.compress(b"\0" * (64 << 20)) * 8


def _tar(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


LAMBDA = {"class_name": "Lambda", "config": {"name": "l", "function": ["4wEA", None, None], "function_type": "lambda"}}
CODE_RUNNING = {
    "gzip-torch-zip.pt": gzip.compress(TORCH_ZIP),
    "prefixed.pt": b"\0" * 512 + TORCH_ZIP,
    "lfs-header.bin": b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"a" * 64 + b"\nsize 9\n" + TORCH_ZIP,
    "old-joblib.pkl": b"ZF" + hex(len(EVIL)).encode().ljust(19) + zlib.compress(EVIL),
    "broken-wrapper.joblib": stream(b"\x8c\x13joblib.numpy_pickle\x8c\x11NumpyArrayWrapper\x93)\x81}b") + EVIL,
    "os-layer.keras": _keras({"module": "os", "class_name": "function", "config": "system"}),
    "foreign-layer.keras": _keras({"module": "evil.layers", "class_name": "Backdoor", "config": {}}),
    "export/keras_metadata.pb": pb_field(1, pb_field(5, json.dumps(LAMBDA))),
    "export/saved_model.pb": pb_field(2, pb_field(2, pb_field(1, pb_field(1, "n") + pb_field(2, "PyFunc")))),
    "pyop.onnx": pb_field(7, pb_field(1, pb_field(4, "PyOp") + pb_field(7, "com.microsoft"))),
    "vocab.txt": b"cos\nsystem\n(S'id'\ntR.",
    "checkpoint.zip": zip_bytes({"notes.txt": EVIL}),
    "bomb.pkl.bz2": _bomb(),
    "bombs.tar": _tar({f"m{i}.pkl.bz2": _bomb() for i in range(4)}),
}
NOT_MODELS = {
    "image.pt": b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
    "notes.pkl": b"hello, not a pickle",
}


def _repo_with(tmp_path: Path, files: dict[str, bytes]) -> Path:
    repo = init_repo(tmp_path / "repo")
    for name, data in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_bytes(data)
    git(repo, "add", "-A")
    return repo


@pytest.mark.parametrize("name", sorted(CODE_RUNNING))
def test_code_running_sample_fails_the_audit_and_the_hook(tmp_path: Path, name: str) -> None:
    # A clean checkpoint beside it: the gate must fail on the sample, not on "nothing could be scanned".
    repo = _repo_with(tmp_path, {name: CODE_RUNNING[name], "clean.pkl": stream(b"N")})
    audit = run_mlaudit("audit", str(repo), "--only", "serialization", timeout=120)
    assert audit.returncode == 1, audit.stdout + audit.stderr
    hook = subprocess.run([HOOK, name], cwd=repo, capture_output=True, text=True, timeout=120, check=False)
    assert hook.returncode == 1, hook.stdout + hook.stderr


def test_content_no_loader_reads_passes_the_audit_with_a_low_finding(tmp_path: Path) -> None:
    repo = _repo_with(tmp_path, NOT_MODELS)
    audit = run_mlaudit("audit", str(repo), "--only", "serialization", "--format", "json", timeout=120)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    findings = [f for c in json.loads(audit.stdout)["checks"] for f in c["findings"]]
    assert sorted((f["path"], f["rule"], f["severity"]) for f in findings) == [
        ("image.pt", "serialization.not-a-model", "low"), ("notes.pkl", "serialization.not-a-model", "low")]
    hook = subprocess.run([HOOK, *NOT_MODELS], cwd=repo, capture_output=True, text=True, timeout=120, check=False)
    assert hook.returncode == 0, hook.stdout
    assert "image.pt: [low] serialization.not-a-model: not a model: bytes 89 50 4e 47" in hook.stdout


def _commit(repo: Path, files: dict[str, bytes], message: str) -> str:
    for name, data in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_bytes(data)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.mark.slow  # base and head audits of a real repository, the loopback GitHub API
def test_a_pull_request_adding_code_running_samples_fails_the_action(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "tiny-model")
    base_sha = _commit(repo, {"clean.pkl": stream(b"N")}, "base model")  # a clean base: the PR decides the verdict
    git(repo, "checkout", "-q", "-b", "feature")
    head_sha = _commit(repo, CODE_RUNNING, "add checkpoints")
    with GitHubApiServer() as api:
        add_pull_request(api, REPO, PR_NUMBER, head_sha=head_sha, base_sha=base_sha)
        env = actions_env(api, write_event(tmp_path, base_sha, head_sha), tmp_path)
        result = run_mlaudit("github", str(repo), "--only", "serialization", env=env, timeout=300)
        assert result.returncode == 1, result.stdout + result.stderr
        outputs = read_outputs(Path(env["GITHUB_OUTPUT"]))
        assert outputs["status"] == "fail"
        report = json.loads(Path(outputs["report-json"]).read_text())
        failing = {f["path"] for c in report["checks"] for f in c["findings"] if f["severity"] in ("high", "critical")}
        assert sorted(set(CODE_RUNNING) - failing) == [], "every sample fails the gate on a finding of its own"
        assert "clean.pkl" not in failing
        [comment] = api.repos[REPO].comments.values()
        new_section = comment["body"].split("### 🆕 New in this pull request")[1]
        assert [name for name in sorted(CODE_RUNNING) if name not in new_section] == []

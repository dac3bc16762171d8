"""Discovery by content: a pickle is scanned whatever its name, in the audit, the hook and ``mlaudit scan DIR``."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git, git_commit, run_mlaudit, run_pre_commit, write_pre_commit_config
from serialization_samples import pb_field, reduce_pickle, zip_bytes

pytestmark = pytest.mark.slow  # end-to-end: real git repositories and mlaudit runs (the edit loop is `-m 'not slow'`)

EVIL = reduce_pickle("os", "system")
PROTO0_EVIL = b"cos\nsystem\n(S'id'\ntR."  # protocol 0: no header, pure text
HOOK = shutil.which("mlaudit-unsafe-models") or str(Path(sys.executable).parent / "mlaudit-unsafe-models")

DISGUISES = {
    "tokenizer/vocab.txt": PROTO0_EVIL,
    "config.json": EVIL,
    "data/weights.dat": EVIL,
    "model.dill": PROTO0_EVIL,
    "estimator.sav": b"(cos\nsystem\nS'id'\no.",
    "checkpoint.zip": zip_bytes({"notes/readme.txt": EVIL}),
    "docs/figure.png": b"\0" * 300 + zip_bytes({"m/data.pkl": EVIL}),
}
BENIGN_TEXT = {
    "README.md": b"# Model\n\nc at\ndog\n",
    "src/train.py": b"import os\nimport sys\n\nprint(os.getcwd())\n",
    "vocab.txt": b"cat\ndog\nemu\nfish\n",
    "notes.txt": b"x marks the spot\n",
    "config.json": b'{"hidden_size": 8}\n',
}


def _audit_json(repo: Path) -> tuple[int, dict[str, object]]:
    import json

    proc = run_mlaudit("audit", str(repo), "--only", "serialization", "--format", "json")
    return proc.returncode, json.loads(proc.stdout)


def _findings(report: dict[str, object]) -> list[dict[str, object]]:
    checks = report["checks"]
    assert isinstance(checks, list)
    return [f for c in checks for f in c["findings"]]


@pytest.mark.parametrize("name", sorted(DISGUISES))
def test_audit_fails_on_a_pickle_whatever_its_name(repo: Path, name: str) -> None:
    (repo / name).parent.mkdir(parents=True, exist_ok=True)
    (repo / name).write_bytes(DISGUISES[name])
    git(repo, "add", "-A")
    code, report = _audit_json(repo)
    assert code == 1, report
    found = [f for f in _findings(report) if f["path"] == name]
    assert any(f["severity"] == "critical" and "os.system" in str(f["message"]) for f in found), found


def test_text_files_are_sniffed_but_not_reported(repo: Path) -> None:
    for name, data in BENIGN_TEXT.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_bytes(data)
    (repo / "model.pkl").write_bytes(pickle.dumps({"w": [1.0]}, protocol=2))
    git(repo, "add", "-A")
    code, report = _audit_json(repo)
    assert code == 0, report
    assert _findings(report) == []


def test_hook_scans_staged_files_by_content(repo: Path) -> None:
    for name, data in DISGUISES.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_bytes(data)
    for name, data in BENIGN_TEXT.items():
        if name not in DISGUISES:
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / name).write_bytes(data)
    names = sorted({*DISGUISES, *BENIGN_TEXT})
    proc = subprocess.run([HOOK, *names], cwd=repo, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 1
    flagged = {line.split(": [", 1)[0] for line in proc.stdout.splitlines() if "[critical]" in line}
    assert flagged == set(DISGUISES), proc.stdout
    clean = subprocess.run([HOOK, "README.md", "src/train.py", "notes.txt"], cwd=repo, capture_output=True,
                           text=True, timeout=300, check=False)
    assert clean.returncode == 0 and clean.stdout == "", clean.stdout


def test_pre_commit_refuses_a_pickle_named_config_json(repo: Path, hook_repo: tuple[Path, str],
                                                      pre_commit_home: Path) -> None:
    write_pre_commit_config(repo, hook_repo, [{"id": "mlaudit-unsafe-models"}])
    assert run_pre_commit(repo, pre_commit_home, "install").returncode == 0
    (repo / "config.json").write_bytes(EVIL)
    git(repo, "add", "-A")
    refused = git_commit(repo, pre_commit_home, "add config")
    assert refused.returncode != 0
    assert "config.json: [critical] serialization.dangerous-import" in refused.stdout + refused.stderr


def _onnx_with_external(location: str) -> bytes:
    entry = pb_field(1, "location") + pb_field(2, location)
    return pb_field(7, pb_field(5, pb_field(8, "w") + pb_field(13, entry)))


def test_a_pickle_named_as_onnx_external_data_is_scanned_as_a_pickle(repo: Path) -> None:
    (repo / "model.onnx").write_bytes(_onnx_with_external("pytorch_model.bin"))
    (repo / "pytorch_model.bin").write_bytes(EVIL)
    (repo / "other.onnx").write_bytes(_onnx_with_external("weights.bin"))
    (repo / "weights.bin").write_bytes(b"\x28\x03" + bytes(range(256)) * 4)  # raw floats, first byte an opcode
    git(repo, "add", "-A")
    code, report = _audit_json(repo)
    assert code == 1
    found = {(f["path"], f["rule"]) for f in _findings(report)}
    assert ("pytorch_model.bin", "serialization.dangerous-import") in found
    assert not any(path == "weights.bin" for path, _ in found)
    checks = report["checks"]
    assert isinstance(checks, list)
    files = checks[0]["evidence"]["files"]
    assert files["weights.bin"] == {"parsers": ["onnx-external-data"], "complete": True}
    assert files["pytorch_model.bin"]["parsers"] == ["pickle"]


def test_scan_dir_refuses_fifos_without_opening_them(tmp_path: Path) -> None:
    folder = tmp_path / "models"
    folder.mkdir()
    os.mkfifo(folder / "model.pt")
    os.mkfifo(folder / "pipe")
    (folder / "weights.dat").write_bytes(EVIL)
    proc = run_mlaudit("scan", "models", cwd=tmp_path, timeout=60)
    assert proc.returncode == 1
    assert "models/model.pt: [high] serialization.file-outside: never opened: not a regular file" in proc.stdout
    assert "models/weights.dat: [critical]" in proc.stdout
    assert "pipe" not in proc.stdout


def test_a_model_link_leading_out_of_the_repository_is_reported_not_read(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.pkl"
    outside.write_bytes(EVIL)  # were it read, os.system would be reported
    (repo / "model.pt").symlink_to(outside)
    (repo / "clean.pkl").write_bytes(pickle.dumps([1], protocol=2))
    git(repo, "add", "-A")
    code, report = _audit_json(repo)
    assert code == 1
    assert [(f["path"], f["rule"], f["severity"]) for f in _findings(report)] == [
        ("model.pt", "serialization.file-outside", "high")]
    assert "outside the repository" in str(_findings(report)[0]["message"]).replace("\n", " ")


def _float_tensor(seed: int, count: int = 1024) -> bytes:
    """Raw float32 tensor bytes whose first two bytes read as a pickle header (PROTO 3)."""
    import random
    import struct

    rnd = random.Random(seed)
    return b"\x80\x03" + struct.pack(f"<{count}f", *(rnd.gauss(0, 1) for _ in range(count)))


def test_tensor_data_that_starts_like_a_pickle_header_is_data(repo: Path) -> None:
    tensor = _float_tensor(0)
    (repo / "model.onnx").write_bytes(_onnx_with_external("weights.bin"))
    (repo / "weights.bin").write_bytes(tensor)
    (repo / "loose.bin").write_bytes(tensor)  # named by no ONNX model: judged as the pickle it starts like
    (repo / "spliced.onnx").write_bytes(_onnx_with_external("spliced.bin"))
    (repo / "spliced.bin").write_bytes(b"\x80\x03cos\nsystem\n" + tensor[2:])  # an import before the garbage
    git(repo, "add", "-A")
    code, report = _audit_json(repo)
    assert code == 1
    found = {(f["path"], f["rule"], f["severity"]) for f in _findings(report)}
    assert not any(path == "weights.bin" for path, _, _ in found), found
    assert ("loose.bin", "serialization.malformed", "medium") in found
    assert ("spliced.bin", "serialization.dangerous-import", "high") in found  # named only: one step down
    checks = report["checks"]
    assert isinstance(checks, list)
    assert checks[0]["evidence"]["files"]["weights.bin"] == {"parsers": ["onnx-external-data"], "complete": True}
    again_code, again = _audit_json(repo)  # from the scan cache: the same verdicts
    assert again_code == code and sorted(map(str, _findings(again))) == sorted(map(str, _findings(report)))
    assert again["checks"][0]["evidence"]["files"] == checks[0]["evidence"]["files"]  # type: ignore[index]


def test_random_tensors_named_as_external_data_are_data_unless_they_import(tmp_path: Path) -> None:
    import io

    from mlaudit.formats.byte_reader import ByteReader
    from mlaudit.formats.pickle_ops import walk_stream
    from mlaudit.serialization.batch import scan_files
    from mlaudit.serialization.options import SerializationOptions

    (tmp_path / "model.onnx").write_bytes(_onnx_with_external("weights.bin"))
    importing = 0
    for seed in range(200):
        tensor = _float_tensor(seed, 256)
        (tmp_path / "weights.bin").write_bytes(tensor)
        _, data = scan_files(tmp_path, ["model.onnx", "weights.bin"], SerializationOptions(cache=False))
        if walk_stream(ByteReader(io.BytesIO(tensor), size=len(tensor))).imports:
            importing += 1  # garbage that spells an import first stays a pickle finding (fail-closed)
            assert data.parsers == ["pickle"] and data.findings, seed
        else:
            assert (data.parsers, data.findings) == (["onnx-external-data"], []), (seed, data.findings)
    assert importing < 10


def test_the_scan_cache_keeps_what_the_content_is_not_how_one_file_was_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mlaudit.serialization.batch import scan_files
    from mlaudit.serialization.options import SerializationOptions

    monkeypatch.setattr("mlaudit.serialization.scan_cache.RACY_WINDOW_NS", 0)
    root = tmp_path / "models"
    root.mkdir()
    (root / "model.onnx").write_bytes(_onnx_with_external("weights.bin"))
    for name in ("weights.bin", "loose.bin"):  # the same bytes: one is ONNX external data, the other is not
        (root / name).write_bytes(_float_tensor(0))
    names = ["model.onnx", "weights.bin", "loose.bin"]
    for _ in range(2):  # the second run reads every report from the cache
        by_name = {r.path: r for r in scan_files(root, names, SerializationOptions(), tmp_path / "cache")}
        assert (by_name["weights.bin"].parsers, by_name["weights.bin"].findings) == (["onnx-external-data"], [])
        assert [f.rule for f in by_name["loose.bin"].findings] == ["serialization.malformed"]
    assert (tmp_path / "cache" / "serialization").is_dir()

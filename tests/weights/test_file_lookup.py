"""The one-lstat-per-file lookup keeps every refusal of the full walk (folders resolved once, not trusted blindly)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from mlaudit.weights.hashing import digest_files


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "models").mkdir(parents=True)
    return root


def test_folder_symlink_out_of_the_root_is_refused_for_every_file(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "a.bin").write_bytes(b"secret")
    (root / "escape").symlink_to(outside)
    result = digest_files(root, ["escape/a.bin", "escape/b.bin"])
    assert result.digests == {}
    assert result.problems["escape/a.bin"].kind == "symlink-outside"
    assert result.problems["escape/b.bin"].kind == "symlink-outside"


def test_folder_symlink_inside_the_root_is_followed(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / "models" / "w.bin").write_bytes(b"weights")
    (root / "alias").symlink_to("models")
    result = digest_files(root, ["alias/w.bin", "models/w.bin"])
    assert result.digests["alias/w.bin"].digest == hashlib.sha256(b"weights").hexdigest()
    assert result.digests["models/w.bin"].digest == hashlib.sha256(b"weights").hexdigest()


def test_last_component_symlink_out_of_the_root_in_a_shared_folder(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (tmp_path / "secret.bin").write_bytes(b"secret")
    (root / "models" / "ok.bin").write_bytes(b"ok")
    (root / "models" / "leak.bin").symlink_to(tmp_path / "secret.bin")
    result = digest_files(root, ["models/ok.bin", "models/leak.bin"])
    assert "models/ok.bin" in result.digests
    assert result.problems["models/leak.bin"].kind == "symlink-outside"


def test_dot_dot_names_missing_files_and_non_files(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / "models" / "w.bin").write_bytes(b"w")
    (root / "plain.bin").write_bytes(b"p")
    os.mkfifo(root / "models" / "pipe.bin")
    result = digest_files(root, ["../repo/plain.bin", "models/../plain.bin", "gone/w.bin", "models/gone.bin",
                                 "plain.bin/inner.bin", "models/pipe.bin", "models"])
    assert result.problems["../repo/plain.bin"].kind == "outside"
    assert result.digests["models/../plain.bin"].digest == hashlib.sha256(b"p").hexdigest()
    assert result.problems["gone/w.bin"].kind == "missing"
    assert result.problems["models/gone.bin"].kind == "missing"
    assert result.problems["plain.bin/inner.bin"].kind in ("missing", "outside", "unreadable")
    assert result.problems["models/pipe.bin"].kind == "not-a-file"
    assert result.problems["models"].kind == "not-a-file"

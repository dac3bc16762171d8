"""The one helper that keeps repository-named paths inside the repository: hostile names."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlaudit.repo_paths import OutsideRepository, contained_file, resolve_in_repo, shown


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "models").mkdir(parents=True)
    (root / "models" / "w.bin").write_bytes(b"w")
    (tmp_path / "secret.txt").write_text("outside", encoding="utf-8")
    return root


def test_plain_relative_paths_resolve_inside(root: Path) -> None:
    found = resolve_in_repo(root, "models/w.bin", expect="file")
    assert found.exists and found.rel == "models/w.bin"
    assert found.real == (root / "models" / "w.bin").resolve()
    assert resolve_in_repo(root, "./models/../models/w.bin").rel == "models/w.bin"
    assert resolve_in_repo(root, "w.bin", base="models").real == found.real
    missing = resolve_in_repo(root, "new/weights.lock.json", expect="file")
    assert not missing.exists and missing.real == root.resolve() / "new" / "weights.lock.json"


@pytest.mark.parametrize("name", ["../secret.txt", "models/../../secret.txt", "..", "a/b/../../../x"])
def test_dotdot_above_the_root_is_refused(root: Path, name: str) -> None:
    with pytest.raises(OutsideRepository, match="leaves the repository"):
        resolve_in_repo(root, name)


def test_include_from_a_subfolder_cannot_climb_out(root: Path) -> None:
    with pytest.raises(OutsideRepository):
        resolve_in_repo(root, "../../secret.txt", base="models")
    assert resolve_in_repo(root, "../models/w.bin", base="models").exists


@pytest.mark.parametrize("name", ["/etc/passwd", "\\\\server\\share", "C:/Windows/x", "~/.bashrc", "~root/x"])
def test_absolute_paths_are_refused(root: Path, name: str) -> None:
    with pytest.raises(OutsideRepository, match="absolute"):
        resolve_in_repo(root, name)


@pytest.mark.parametrize("name", ["", "  ", "models/w.bin\0.txt"])
def test_empty_and_nul_names_are_refused(root: Path, name: str) -> None:
    with pytest.raises(OutsideRepository):
        resolve_in_repo(root, name)


def test_symlink_out_of_the_root_is_refused_at_any_component(root: Path, tmp_path: Path) -> None:
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    (root / "outdir").symlink_to(tmp_path)
    (root / "models" / "rel").symlink_to("../../secret.txt")
    for name in ("link.txt", "outdir/secret.txt", "models/rel"):
        with pytest.raises(OutsideRepository, match=r"outside the repository|leads out"):
            resolve_in_repo(root, name)
        assert isinstance(contained_file(root, name), OutsideRepository)


def test_symlink_chain_is_followed_only_while_inside(root: Path, tmp_path: Path) -> None:
    (root / "a").symlink_to("b")
    (root / "b").symlink_to("models")
    assert resolve_in_repo(root, "a/w.bin", expect="file").real == (root / "models" / "w.bin").resolve()
    (root / "models" / "abs").symlink_to(root.resolve() / "models" / "w.bin")
    assert resolve_in_repo(root, "models/abs", expect="file").exists
    (root / "c").symlink_to("d")
    (root / "d").symlink_to("models/../..")
    with pytest.raises(OutsideRepository):
        resolve_in_repo(root, "c/secret.txt")


def test_dangling_symlink_to_outside_is_refused_for_writes(root: Path, tmp_path: Path) -> None:
    (root / "weights.lock.json").symlink_to(tmp_path / "not-yet" / "x")
    with pytest.raises(OutsideRepository):
        resolve_in_repo(root, "weights.lock.json", expect="file")
    assert not (tmp_path / "not-yet").exists()


def test_symlink_loops_are_refused(root: Path) -> None:
    (root / "loop1").symlink_to("loop2")
    (root / "loop2").symlink_to("loop1")
    (root / "self").symlink_to("self/x")
    for name in ("loop1", "loop1/x", "self"):
        with pytest.raises(OutsideRepository, match="loop"):
            resolve_in_repo(root, name)


def test_non_regular_files_are_refused_where_a_file_is_expected(root: Path) -> None:
    os.mkfifo(root / "fifo")
    with pytest.raises(OutsideRepository, match="FIFO"):
        resolve_in_repo(root, "fifo", expect="file")
    with pytest.raises(OutsideRepository, match="folder"):
        resolve_in_repo(root, "models", expect="file")
    with pytest.raises(OutsideRepository, match="not a folder"):
        resolve_in_repo(root, "models/w.bin", expect="dir")


def test_non_utf8_names_resolve_and_are_shown_escaped(root: Path) -> None:
    raw = b"models/caf\xe9\n::error::x.bin"
    (root / os.fsdecode(raw)).write_bytes(b"x")
    name = os.fsdecode(raw)
    assert resolve_in_repo(root, name, expect="file").exists
    text = shown(name)
    assert "\n" not in text and "\\xe9" in text and "\\n" in text
    with pytest.raises(OutsideRepository) as caught:
        resolve_in_repo(root, "/" + name)
    assert "\n" not in str(caught.value)

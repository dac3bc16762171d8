"""Hostile dependency files: deep nesting, huge files, garbage bytes give findings, never a crash."""

from __future__ import annotations

from pathlib import Path

from pins_scan import scan, write


def test_deeply_nested_files_are_findings(tmp_path: Path) -> None:
    write(tmp_path, ".github/workflows/deep.yml", "a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    write(tmp_path, "environment.yml", "dependencies: " + "{a: " * 50_000 + "1" + "}" * 50_000 + "\n")
    write(tmp_path, "sub/pyproject.toml", "[project]\ndependencies = " + "[" * 100_000 + "]" * 100_000 + "\n")
    write(tmp_path, "nested.py", "m = from_pretrained(" + "(" * 200_000 + ")" * 200_000 + ")\n")
    write(tmp_path, "long.py", "x = from_pretrained\na = " + " + ".join(["1"] * 200_000) + "\n")
    paths = (".github/workflows/deep.yml", "environment.yml", "sub/pyproject.toml", "nested.py", "long.py")
    result = scan(tmp_path, *paths)
    assert sorted(f.path for f in result.findings if f.rule == "pins.invalid-file") == sorted(paths)


def test_huge_and_binary_files(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_bytes(b"numpy==1.0\n" * 600_000)  # > 5 MB
    (tmp_path / "Dockerfile").write_bytes(b"\x00\xff\xfe" * 1000)
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "bin.yml").write_bytes(b"\xff\xfe\x00jobs")
    result = scan(tmp_path, "requirements.txt", "Dockerfile", ".github/workflows/bin.yml")
    assert sorted(f.path for f in result.findings if f.rule == "pins.invalid-file") == [
        ".github/workflows/bin.yml", "Dockerfile", "requirements.txt"]


def test_self_including_requirements_terminate(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "-r requirements-dev.txt\ntorch==2.3.1\n")
    write(tmp_path, "requirements-dev.txt", "-r requirements.txt\n-c requirements-dev.txt\npytest\n")
    result = scan(tmp_path, "requirements.txt", "requirements-dev.txt")
    assert [(f.rule, f.path) for f in result.findings] == [("pins.unpinned", "requirements-dev.txt")]

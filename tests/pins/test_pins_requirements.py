"""Requirements and constraints files: exact pins, hashes, URLs, includes, broken lines."""

from __future__ import annotations

from pathlib import Path

from pins_scan import by_rule, scan, write

SHA = "0123456789abcdef0123456789abcdef01234567"


def test_tricky_lines_are_classified(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", f"""
        # markers and extras do not make a pin loose
        numpy==1.26.4 ; python_version >= "3.10"
        requests[security,socks]==2.31.0
        -e .
        ./vendored/pkg
        torch>=2.0
        scipy
        local @ file:///opt/wheels/local-1.0-py3-none-any.whl
        good @ git+https://github.com/org/good.git@{SHA}
        moving @ git+https://github.com/org/moving.git@main
        git+https://github.com/org/tagged.git@v1.0#egg=tagged
        https://example.com/archive-1.0.tar.gz
        https://example.com/hashed-1.0.tar.gz#sha256={"a" * 64}
        wild==1.*
        """)
    result = scan(tmp_path, "requirements.txt")
    assert by_rule(result.findings, "pins.unpinned") == [
        ("requirements.txt", 6), ("requirements.txt", 7), ("requirements.txt", 14)]
    assert by_rule(result.findings, "pins.url-unpinned") == [
        ("requirements.txt", 10), ("requirements.txt", 11), ("requirements.txt", 12)]
    assert by_rule(result.findings, "pins.local-file") == [("requirements.txt", 8)]
    assert not by_rule(result.findings, "pins.missing-hash")  # no line has a hash: not in hash mode
    assert {(p.name, p.version, p.line) for p in result.pinned} == {
        ("numpy", "1.26.4", 2), ("requests", "2.31.0", 3)}


def test_hash_continuation_lines_and_hash_mode(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", """
        jinja2==3.1.4 \\
            --hash=sha256:aaaa \\
            --hash=sha256:bbbb
        markupsafe==2.1.5
        """)
    result = scan(tmp_path, "requirements.txt")
    # One hashed line switches pip to hash-checking mode: the other line needs one too.
    assert by_rule(result.findings, "pins.missing-hash") == [("requirements.txt", 4)]
    assert not by_rule(result.findings, "pins.unpinned")
    assert [(p.name, p.line) for p in result.pinned] == [("jinja2", 1), ("markupsafe", 4)]


def test_require_hashes_option_and_disabling_rules(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "numpy==1.26.4\ntorch\n")
    strict = scan(tmp_path, "requirements.txt", require_hashes=True)
    assert by_rule(strict.findings, "pins.missing-hash") == [("requirements.txt", 1), ("requirements.txt", 2)]
    tuned = scan(tmp_path, "requirements.txt", require_hashes=True, disable=["missing-hash"],
                 severity={"pins.unpinned": "low"})
    assert [f.rule for f in tuned.findings] == ["pins.unpinned"]
    assert tuned.findings[0].severity.value == "low"


def test_includes_are_followed_and_constraints_pin(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", """
        -r requirements/base.txt
        -c constraints.txt
        -r missing.txt
        torch
        """)
    write(tmp_path, "requirements/base.txt", "pandas>=2\n")
    write(tmp_path, "constraints.txt", "torch==2.3.1\n")
    result = scan(tmp_path, "requirements.txt")
    assert by_rule(result.findings, "pins.include-missing") == [("requirements.txt", 3)]
    # torch is pinned by the constraints file; pandas in the included file is not pinned.
    assert by_rule(result.findings, "pins.unpinned") == [("requirements/base.txt", 1)]
    assert sorted(result.sources["requirements"]) == [
        "constraints.txt", "requirements.txt", "requirements/base.txt"]
    assert ("torch", "2.3.1") in {(p.name, p.version) for p in result.pinned}


def test_broken_lines_and_files_are_findings_not_tracebacks(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "numpy==1.26.4\nthis is ( not valid\n===1\n")
    (tmp_path / "requirements-bin.txt").write_bytes(b"\xff\xfe\x00garbage\x00\x81")
    result = scan(tmp_path, "requirements.txt", "requirements-bin.txt")
    lines = by_rule(result.findings, "pins.invalid-file")
    assert ("requirements.txt", 2) in lines and ("requirements.txt", 3) in lines
    messages = " ".join(f.message for f in result.findings)
    assert "this is ( not valid" in messages

"""Real scancode-toolkit over small fixture trees; the scan cache keyed by Git blob id."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import git, init_repo

from mlaudit.licenses import file_scan, scancode_jobs
from mlaudit.licenses.file_scan import scan_files
from mlaudit.licenses.scan_cache import ScanCache

pytestmark = pytest.mark.slow  # scancode-toolkit's licence index and scans

APACHE_NOTICE = """Widget
Copyright 2024 The Widget Authors

This product includes software developed at
The Apache Software Foundation (http://www.apache.org/).

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
"""


@pytest.fixture(scope="session")
def scancode_index() -> None:
    """Load scancode's licence index once for the whole test session (~6 s)."""
    pytest.importorskip("scancode")
    from licensedcode.cache import get_index

    get_index()


def _gpl3_text() -> str:
    import licensedcode

    path = Path(licensedcode.__file__).parent / "data" / "licenses" / "gpl-3.0.LICENSE"
    text = path.read_text(encoding="utf-8")
    return text.split("---", 2)[-1] if text.startswith("---") else text  # drop the YAML header


def _tree(root: Path) -> Path:
    init_repo(root)
    (root / "src").mkdir()
    (root / "src" / "tool.py").write_text("# SPDX-License-Identifier: MIT\nprint('hello')\n", encoding="utf-8")
    (root / "third_party").mkdir()
    (root / "third_party" / "COPYING").write_text(_gpl3_text(), encoding="utf-8")
    (root / "NOTICE").write_text(APACHE_NOTICE, encoding="utf-8")
    (root / "model.bin").write_bytes(b"# SPDX-License-Identifier: GPL-3.0-only\n" + b"\x00" * 64)
    (root / "data.dat").write_bytes(b"SPDX-License-Identifier: GPL-3.0-only\x00\x01")
    (root / "plain.txt").write_text("nothing to see here\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "tree")
    return root


def _files(root: Path) -> list[str]:
    return sorted(git(root, "ls-files").split())


def test_spdx_header_gpl_text_and_apache_notice(tmp_path: Path, scancode_index: None) -> None:
    root = _tree(tmp_path / "repo")
    cache = ScanCache(tmp_path / "cache.json")
    result = scan_files(root, _files(root), cache, workers=1)
    found = {d.path: d.expression for d in result.detections}
    assert found["src/tool.py"] == "MIT"
    assert found["third_party/COPYING"].startswith("GPL-3.0")
    assert "Apache-2.0" in found["NOTICE"]
    assert "model.bin" not in found  # weight files are never scanned
    assert "data.dat" not in found  # binary
    assert "plain.txt" not in found
    assert "model.bin" not in result.scanned and "data.dat" not in result.scanned
    assert result.errors == ()
    gpl = next(d for d in result.detections if d.path == "third_party/COPYING")
    assert gpl.license_text_percent > 50


def test_second_run_rescans_only_the_changed_file(tmp_path: Path, scancode_index: None) -> None:
    root = _tree(tmp_path / "repo")
    cache_file = tmp_path / "cache.json"
    first = scan_files(root, _files(root), ScanCache(cache_file), workers=1)
    assert set(first.scanned) == {"src/tool.py", "third_party/COPYING", "NOTICE", "plain.txt"}

    again = scan_files(root, _files(root), ScanCache(cache_file), workers=1)
    assert again.scanned == ()
    assert again.detections == first.detections

    (root / "src" / "tool.py").write_text("# SPDX-License-Identifier: GPL-2.0-only\nprint('hi')\n", encoding="utf-8")
    changed = scan_files(root, _files(root), ScanCache(cache_file), workers=1)
    assert changed.scanned == ("src/tool.py",)
    assert {d.path: d.expression for d in changed.detections}["src/tool.py"] == "GPL-2.0-only"

    # The same content under another name is not scanned again (the key is the content).
    shutil.copy(root / "NOTICE", root / "NOTICE.copy")
    renamed = scan_files(root, [*_files(root), "NOTICE.copy"], ScanCache(cache_file), workers=1)
    assert renamed.scanned == ()
    assert "NOTICE.copy" in {d.path for d in renamed.detections}


def test_parallel_workers_agree_with_serial(
    tmp_path: Path, scancode_index: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path / "repo")
    serial = scan_files(root, _files(root), ScanCache(tmp_path / "a.json"), workers=1)
    monkeypatch.setattr(scancode_jobs, "PARALLEL_FROM", 2)
    parallel = scan_files(root, _files(root), ScanCache(tmp_path / "b.json"), workers=2)
    assert parallel.detections == serial.detections
    assert parallel.scanned == serial.scanned


def test_corrupt_cache_is_discarded(tmp_path: Path, scancode_index: None) -> None:
    root = _tree(tmp_path / "repo")
    cache_file = tmp_path / "cache.json"
    cache_file.write_text('{"version": 1, "entries": {"not-a-blob": [1, 2, 3, 4]}}', encoding="utf-8")
    cache = ScanCache(cache_file)
    assert cache.rebuilt
    result = scan_files(root, ["src/tool.py"], cache, workers=1)
    assert result.scanned == ("src/tool.py",)
    assert ScanCache(cache_file).rebuilt is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("import os\nprint(1)\n", (None, None)),
        ("x = 1\n# SPDX-License-Identifier: MIT\n", ("MIT", 2)),
        ("/* SPDX-License-Identifier: GPL-2.0-or-later OR Apache-2.0 */\nint x;\n",
         ("GPL-2.0-or-later OR Apache-2.0", 1)),
    ],
)
def test_files_without_licence_wording_are_decided_without_the_index(
    text: str, expected: tuple[str | None, int | None]
) -> None:
    from mlaudit.licenses.license_clues import quick_scan

    scan = quick_scan(text)
    assert scan is not None and (scan.expression, scan.start_line) == expected


@pytest.mark.parametrize(
    "text",
    ["# Copyright 2024 Someone\nx = 1\n", "# SPDX-License-Identifier: Not-A-Licence\n", "# released under the GPL\n",
     "Permission is hereby granted, free of charge\n", "# SPDX-License-Identifier: MIT\n# All rights reserved.\n"],
)
def test_any_licence_wording_goes_to_scancode(text: str) -> None:
    from mlaudit.licenses.license_clues import quick_scan

    assert quick_scan(text) is None


def test_spdx_only_files_agree_with_scancode(tmp_path: Path, scancode_index: None) -> None:
    from mlaudit.licenses.license_clues import quick_scan

    for i, expression in enumerate(["MIT", "Apache-2.0", "GPL-3.0-only", "BSD-3-Clause OR MIT"]):
        path = tmp_path / f"f{i}.py"
        path.write_text(f"# SPDX-License-Identifier: {expression}\nvalue = {i}\n", encoding="utf-8")
        quick = quick_scan(path.read_text(encoding="utf-8"))
        real, error = scancode_jobs.scan_one(str(path))
        assert error is None and quick is not None
        assert (quick.expression, quick.start_line) == (real.expression, real.start_line)


def test_a_change_without_licence_wording_never_loads_the_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = init_repo(tmp_path / "repo")
    (root / "a.py").write_text("print('a')\n", encoding="utf-8")
    (root / "b.py").write_text("# SPDX-License-Identifier: MIT\nprint('b')\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "code")

    def no_index(*args: object, **kwargs: object) -> object:
        raise AssertionError("the scancode index was needed")

    monkeypatch.setattr(file_scan, "run_jobs", no_index)
    result = scan_files(root, ["a.py", "b.py"], ScanCache(tmp_path / "cache.json"))
    assert [(d.path, d.expression) for d in result.detections] == [("b.py", "MIT")]
    assert result.scanned == ("a.py", "b.py") and not result.errors


def test_files_through_a_symlinked_folder_or_outside_the_root_are_never_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("# Copyright 2020 Secret\n# SPDX-License-Identifier: MIT\n", encoding="utf-8")
    root = tmp_path / "plain"  # not a Git repository: every path is hashed and read here
    root.mkdir()
    (root / "linked").symlink_to(outside, target_is_directory=True)
    (root / "own.py").write_text("# SPDX-License-Identifier: MIT\n", encoding="utf-8")

    def no_index(*args: object, **kwargs: object) -> object:
        raise AssertionError("an outside file reached scancode")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(file_scan, "run_jobs", no_index)
        result = scan_files(root, ["linked/secret.py", "../outside/secret.py", "own.py"], ScanCache(tmp_path / "c.json"))
    assert [d.path for d in result.detections] == ["own.py"]
    assert result.skipped == 2 and result.scanned == ("own.py",)

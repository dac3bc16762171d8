"""The licence scan gives scancode's answer for the whole file, while matching only what it must.

Agreement: on generated trees (every header style, licence texts, notices) and on
this repository's own fixtures, the SPDX expression (and first line) per file
equals what scancode reports for the whole file: through its Python API here,
through the real ``scancode --license`` CLI in the slow test.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, git, init_repo
from licence_trees import APACHE, write_tree

from mlaudit.licenses import file_scan, scancode_jobs
from mlaudit.licenses.file_scan import scan_files
from mlaudit.licenses.scan_cache import ScanCache


@pytest.fixture(scope="session")
def scancode_index() -> None:
    """Load scancode's licence index once for the whole test session."""
    pytest.importorskip("scancode")
    scancode_jobs.load_index()


def _commit(root: Path) -> list[str]:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "tree")
    return sorted(git(root, "ls-files").splitlines())


def _whole_file_answers(root: Path, files: list[str]) -> dict[str, tuple[str | None, int | None]]:
    answers = {}
    for rel in files:
        if b"\0" in (root / rel).read_bytes()[:8192]:
            continue  # binary files are never scanned (scancode reads their strings)
        scan, error = scancode_jobs.scan_one(str(root / rel))
        assert error is None
        answers[rel] = (scan.expression, scan.start_line)
    return answers


def _counting_jobs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record how many texts each ``run_jobs`` call sends to scancode (run in this process)."""
    counts: list[int] = []
    real: Callable[..., Any] = scancode_jobs.run_jobs

    def counting(jobs: list[Any], workers: int, progress: Any) -> Any:
        counts.append(len(jobs))
        return real(jobs, 1, progress)

    monkeypatch.setattr(file_scan, "run_jobs", counting)
    return counts


def test_generated_tree_agrees_with_scancode_on_whole_files(
    tmp_path: Path, scancode_index: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = init_repo(tmp_path / "repo")
    write_tree(root, 72)
    files = _commit(root)
    counts = _counting_jobs(monkeypatch)
    result = scan_files(root, files, ScanCache(tmp_path / "cache.json"))
    assert result.errors == ()
    got = {d.path: (d.expression, d.start_line) for d in result.detections}
    expected = _whole_file_answers(root, files)
    assert {rel: got.get(rel, (None, None)) for rel in expected} == expected
    assert len([e for e in expected.values() if e[0]]) >= 60  # the tree really has licences to find
    # 72 source files and 5 documents, but only distinct headers, documents and ambiguous files are matched
    assert sum(counts) < len(files) / 2


def test_own_fixtures_agree_with_scancode_on_whole_files(tmp_path: Path, scancode_index: None) -> None:
    root = init_repo(tmp_path / "repo")
    shutil.copytree(FIXTURES, root / "fixtures")
    files = _commit(root)
    result = scan_files(root, files, ScanCache(tmp_path / "cache.json"), workers=1)
    assert result.errors == ()
    got = {d.path: (d.expression, d.start_line) for d in result.detections}
    expected = _whole_file_answers(root, files)
    assert {rel: got.get(rel, (None, None)) for rel in expected} == expected


INEXACT_HEADER = """#
# Copyright (c) nexB Inc. and others. All rights reserved.
# http://nexb.com and https://github.com/nexB/scancode-toolkit/
# The ScanCode software is licensed under the Apache License version 2.0.
#
# You may not use this software except in compliance with the License.
# You may obtain a copy of the License at: http://apache.org/licenses/LICENSE-2.0
# Unless required by applicable law or agreed to in writing, software distributed
# under the License is distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR
# CONDITIONS OF ANY KIND, either express or implied. See the License for the
# specific language governing permissions and limitations under the License.
#
"""


def test_an_approximate_match_in_the_regions_rescans_the_whole_file(tmp_path: Path, scancode_index: None) -> None:
    # scancode matches this header approximately, and differently alone than with the code around it.
    root = init_repo(tmp_path / "repo")
    docstring = '    """\n    Copyright 2016 Robot Framework Foundation\n\n' + "".join(
        f"    {line}\n" for line in APACHE.splitlines()[2:]
    ) + '    """\n'
    code = "\n\nimport os\n\nif os.name:\n" + docstring + "    x = 1\n"
    (root / "a.py").write_text(INEXACT_HEADER + code, encoding="utf-8")
    (root / "b.py").write_text(INEXACT_HEADER + code.replace("x = 1", "y = 2"), encoding="utf-8")
    files = _commit(root)
    cache_file = tmp_path / "cache.json"
    result = scan_files(root, files, ScanCache(cache_file), workers=1)
    got = {d.path: (d.expression, d.start_line) for d in result.detections}
    assert got == _whole_file_answers(root, files)
    # The regions' answer is remembered as "not decisive": a third file with them goes whole at once.
    (root / "c.py").write_text(INEXACT_HEADER + code.replace("x = 1", "z = 3"), encoding="utf-8")
    again = scan_files(root, [*files, "c.py"], ScanCache(cache_file), workers=1)
    assert {d.path: d.expression for d in again.detections}["c.py"] == got["a.py"][0]


def test_files_sharing_a_header_cost_one_match_and_a_warm_run_none(
    tmp_path: Path, scancode_index: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = init_repo(tmp_path / "repo")
    header = "".join(f"# {line}".rstrip() + "\n" for line in APACHE.splitlines())
    for index in range(40):
        (root / f"m{index}.py").write_text(f"{header}\nVALUE = {index}\n", encoding="utf-8")
    files = _commit(root)
    counts = _counting_jobs(monkeypatch)
    cache_file = tmp_path / "cache.json"
    first = scan_files(root, files, ScanCache(cache_file))
    assert counts == [1]
    assert {d.expression for d in first.detections} == {"Apache-2.0"} and len(first.detections) == 40
    assert {d.start_line for d in first.detections} == {3}

    # New files with the known header, and a warm run: scancode's index is not even loaded.
    def no_index(*args: object) -> object:
        raise AssertionError("the scancode index was loaded")

    monkeypatch.setattr(file_scan, "run_jobs", no_index)
    (root / "new.py").write_text(f"#!/usr/bin/env python\n{header}\nprint('new')\n", encoding="utf-8")
    warm = scan_files(root, [*files, "new.py"], ScanCache(cache_file))
    assert warm.from_cache == 40 and warm.scanned == ("new.py",)
    assert {d.path: d.start_line for d in warm.detections}["new.py"] == 4


@pytest.mark.slow
def test_the_scancode_cli_reports_the_same_expressions(tmp_path: Path, scancode_index: None) -> None:
    scancode = shutil.which("scancode", path=str(Path(sys.executable).parent)) or shutil.which("scancode")
    if scancode is None:
        pytest.skip("the scancode CLI is not installed")
    root = init_repo(tmp_path / "repo")
    write_tree(root, 36, seed=11)
    files = _commit(root)
    out = tmp_path / "scancode.json"
    subprocess.run(
        [scancode, "--license", "-n", "2", "--quiet", "--ignore", ".git", "--json", str(out), str(root)],
        check=True, capture_output=True, timeout=600,
    )
    reported: dict[str, str | None] = {}
    followed: set[str] = set()
    for entry in json.loads(out.read_text(encoding="utf-8"))["files"]:
        if entry["type"] != "file":
            continue
        rel = entry["path"].split("/", 1)[1]
        reported[rel] = entry.get("detected_license_expression_spdx") or None
        # The CLI follows "see LICENSE" to that file's licence, a step over the whole codebase; the audit
        # judges such a reference as the project's licence instead (assessment.drop_license_references).
        origins = {m.get("from_file") for d in entry.get("license_detections", ()) for m in d["matches"]}
        if origins - {None, entry["path"]}:
            followed.add(rel)
    result = scan_files(root, files, ScanCache(tmp_path / "cache.json"))
    got = {d.path: d.expression for d in result.detections}
    compared = [rel for rel in files if rel not in followed]
    assert {rel: got.get(rel) for rel in compared} == {rel: reported.get(rel) for rel in compared}
    assert len(compared) >= 30 and sum(1 for rel in compared if reported.get(rel)) >= 20

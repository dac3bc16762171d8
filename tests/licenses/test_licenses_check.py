"""The ``licenses`` check end to end on temporary repositories: findings, evidence, report, bad cards."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import pytest
from conftest import git, init_repo

from mlaudit.config import load_config
from mlaudit.context import AuditContext
from mlaudit.engine import run_audit
from mlaudit.model import CheckResult, Status
from mlaudit.render.markdown import render_markdown

NO_SCAN = "scan_files = false\nresolve = false\n"


def _repo(
    root: Path, card: str | None, config: str = NO_SCAN, weights: bool = True, project: str = "Apache-2.0"
) -> Path:
    init_repo(root)
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "demo"\nversion = "1"\nlicense = "{project}"\n\n[tool.mlaudit.licenses]\n{config}',
        encoding="utf-8",
    )
    if card is not None:
        (root / "README.md").write_text(card, encoding="utf-8")
    if weights:
        (root / "model.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{}" + b" " * 14)
    git(root, "add", "-A")
    return root


def _licenses(root: Path, tmp_path: Path, config_file: Path | None = None) -> CheckResult:
    ctx = AuditContext(root, load_config(root, config_file), cache_dir=tmp_path / "cache")
    result = run_audit(ctx, only=["licenses"]).check("licenses")
    assert result is not None
    assert "traceback" not in result.evidence, result.evidence.get("traceback")
    return result


def _rules(result: CheckResult) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in result.findings:
        out.setdefault(f.rule, []).append(f.message)
    return out


def test_card_without_front_matter(tmp_path: Path) -> None:
    result = _licenses(_repo(tmp_path / "r", "# My model\n\nNo metadata here.\n"), tmp_path)
    assert result.status is Status.WARN
    [message] = _rules(result)["licenses.model-card"]
    assert "no YAML front matter" in message and "README.md" in message


def test_malformed_card_names_the_line(tmp_path: Path) -> None:
    result = _licenses(_repo(tmp_path / "r", "---\nlicense: mit\ntags: [a, b\n---\n"), tmp_path)
    [finding] = [f for f in result.findings if f.rule == "licenses.model-card"]
    assert finding.line is not None and finding.line >= 3
    assert "malformed YAML" in finding.message and finding.path == "README.md"


def test_unknown_licence_id(tmp_path: Path) -> None:
    result = _licenses(_repo(tmp_path / "r", "---\nlicense: acme-weights-1.0\n---\n"), tmp_path)
    [message] = _rules(result)["licenses.unknown"]
    assert "acme-weights-1.0" in message
    assert result.status is Status.WARN  # needs review, not a failure by default


def test_unknown_licence_fails_when_the_policy_says_so(tmp_path: Path) -> None:
    result = _licenses(
        _repo(tmp_path / "r", "---\nlicense: acme-weights-1.0\n---\n", NO_SCAN + 'unknown = "fail"\n'),
        tmp_path,
    )
    assert result.status is Status.FAIL
    assert [f.severity.value for f in result.findings if f.rule == "licenses.unknown"] == ["high"]


def test_non_commercial_weights_and_dataset_under_commercial_intent(tmp_path: Path) -> None:
    card = "---\nlicense: cc-by-nc-4.0\ndatasets: [acme/reviews]\n---\n"
    config = NO_SCAN + 'commercial = true\ndataset_licenses = { "acme/reviews" = "cc-by-nc-sa-4.0" }\n'
    result = _licenses(_repo(tmp_path / "r", card, config), tmp_path)
    assert result.status is Status.FAIL
    conflicts = _rules(result)["licenses.conflict"]
    assert any("model" in m and "CC-BY-NC-4.0" in m for m in conflicts)
    assert any("dataset `acme/reviews`" in m and "CC-BY-NC-SA-4.0" in m for m in conflicts)


def test_base_model_terms_are_inherited(tmp_path: Path) -> None:
    card = "---\nlicense: mit\nbase_model: meta-llama/Llama-2-7b-hf\n---\n"
    result = _licenses(_repo(tmp_path / "r", card), tmp_path)
    [message] = _rules(result)["licenses.base-model"]
    assert "meta-llama/Llama-2-7b-hf" in message and "MIT" in message
    assert [f.severity.value for f in result.findings if f.rule == "licenses.base-model"] == ["high"]
    same = _licenses(_repo(tmp_path / "same", card.replace("mit", "llama2")), tmp_path)
    assert "licenses.base-model" not in _rules(same)
    # A RAIL derivative of a RAIL base may use its own terms if the use restrictions are carried over.
    rail = "---\nlicense: creativeml-openrail-m\nbase_model: acme/base\n---\n"
    config = NO_SCAN + 'base_model_licenses = { "acme/base" = "openrail" }\n'
    carried = _licenses(_repo(tmp_path / "rail", rail, config), tmp_path)
    [finding] = [f for f in carried.findings if f.rule == "licenses.base-model"]
    assert finding.severity.value == "medium" and "carried over" in finding.message


def test_evidence_lists_every_component_and_renders(tmp_path: Path) -> None:
    card = "---\nlicense: apache-2.0\n---\n"
    config = NO_SCAN + f'site_packages = ["{sysconfig.get_paths()["purelib"]}"]\n'
    trusted = tmp_path / "trusted.toml"  # an environment outside the repository is named by the user's config
    trusted.write_text("[licenses]\n" + config, encoding="utf-8")
    result = _licenses(_repo(tmp_path / "r", card, config), tmp_path, trusted)
    rows = result.evidence["components"]
    kinds = {row["kind"] for row in rows}
    assert {"project", "model", "dependency"} <= kinds
    pytest_row = next(r for r in rows if r["name"].lower() == "pytest")
    assert (pytest_row["license"], pytest_row["verdict"]) == ("MIT", "pass")
    assert all(row["reason"] for row in rows)
    ctx = AuditContext(tmp_path / "r", load_config(tmp_path / "r", trusted), cache_dir=tmp_path / "cache")
    markdown = render_markdown(run_audit(ctx, only=["licenses"]))
    assert "| Kind | Component | Licence (SPDX) | Class | Verdict | Reason |" in markdown
    assert "| dependency | `pytest`" in markdown


def test_offline_with_requirements_is_incomplete_not_pass(tmp_path: Path) -> None:
    root = _repo(tmp_path / "r", "---\nlicense: mit\n---\n", "scan_files = false\n")
    (root / "requirements.txt").write_text("six==1.16.0\n", encoding="utf-8")
    git(root, "add", "-A")
    ctx = AuditContext(root, load_config(root), offline=True, cache_dir=tmp_path / "cache")
    result = run_audit(ctx, only=["licenses"]).check("licenses")
    assert result is not None and result.status is Status.ERROR
    assert "offline" in result.summary


@pytest.fixture(scope="session")
def scancode_index() -> None:
    """scancode's licence index, loaded once per session (it is cached in the process)."""
    pytest.importorskip("scancode")
    from licensedcode.cache import get_index

    get_index()


def test_full_audit_scans_files_with_scancode(tmp_path: Path, scancode_index: None) -> None:
    root = _repo(tmp_path / "r", "---\nlicense: apache-2.0\n---\n", "resolve = false\n")
    (root / "vendor").mkdir()
    (root / "vendor" / "gpl_helper.py").write_text("# SPDX-License-Identifier: GPL-3.0-only\nx = 1\n", encoding="utf-8")
    git(root, "add", "-A")
    ctx = AuditContext(root, load_config(root), cache_dir=tmp_path / "cache")
    report = run_audit(ctx, only=["licenses"])
    check = report.to_json()["checks"][0]
    assert report.status is Status.FAIL
    conflict = [f for f in check["findings"] if f["rule"] == "licenses.conflict"]
    assert [f["path"] for f in conflict] == ["vendor/gpl_helper.py"]
    assert "GPL-3.0-only file `vendor/gpl_helper.py` in an Apache-2.0 project" in conflict[0]["message"]
    assert check["evidence"]["scan"]["scanned"] >= 2
    # The second audit reads every file from the scan cache.
    again = run_audit(AuditContext(root, load_config(root), cache_dir=tmp_path / "cache"), only=["licenses"])
    evidence = again.to_json()["checks"][0]["evidence"]
    assert evidence["scan"]["scanned"] == 0 and evidence["scan"]["from_cache"] >= 2


def test_card_listing_several_licences_reads_them_as_all_applying(tmp_path: Path) -> None:
    card = "---\nlicense: [apache-2.0, cc-by-nc-4.0]\n---\n"
    result = _licenses(_repo(tmp_path / "r", card, NO_SCAN + "commercial = true\n"), tmp_path)
    model = next(row for row in result.evidence["components"] if row["kind"] == "model")
    assert model["license"] == "Apache-2.0 AND CC-BY-NC-4.0"
    assert model["verdict"] == "conflict"


def test_full_audit_reads_licence_texts_in_package_metadata(tmp_path: Path, scancode_index: None) -> None:
    site = tmp_path / "site"
    info = site / "oddpkg-1.0.dist-info"
    info.mkdir(parents=True)
    license_field = "\n        ".join(BSD_TEXT.splitlines())
    info.joinpath("METADATA").write_text(
        f"Metadata-Version: 2.1\nName: oddpkg\nVersion: 1.0\nLicense: {license_field}\n\n", encoding="utf-8"
    )
    config = f'resolve = false\nsite_packages = ["{site}"]\n'
    trusted = tmp_path / "trusted.toml"
    trusted.write_text("[licenses]\n" + config, encoding="utf-8")
    result = _licenses(_repo(tmp_path / "r", "---\nlicense: apache-2.0\n---\n", config), tmp_path, trusted)
    row = next(r for r in result.evidence["components"] if r["name"] == "oddpkg")
    assert (row["license"], row["verdict"]) == ("BSD-3-Clause", "pass")
    assert any("recognised by scancode" in n for n in row["notes"])


BSD_TEXT = """Copyright (c) 2005-2023, Example Developers.
All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are
met:

    * Redistributions of source code must retain the above copyright
       notice, this list of conditions and the following disclaimer.

    * Redistributions in binary form must reproduce the above
       copyright notice, this list of conditions and the following
       disclaimer in the documentation and/or other materials provided
       with the distribution.

    * Neither the name of the Example Developers nor the names of any
       contributors may be used to endorse or promote products derived
       from this software without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS
"AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT
LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR
A PARTICULAR PURPOSE ARE DISCLAIMED.
"""


def test_licence_texts_in_metadata_matched_by_scancode(scancode_index: None) -> None:
    from mlaudit.licenses.text_match import match_license_text

    assert match_license_text(BSD_TEXT) == "BSD-3-Clause"
    both = match_license_text("Dual licensed under MIT and Apache 2")
    assert both is not None and "MIT" in both and "Apache-2.0" in both
    assert match_license_text("qwertyuiop asdfghjkl") is None


def test_other_without_license_name_says_so(tmp_path: Path) -> None:
    result = _licenses(_repo(tmp_path / "r", "---\nlicense: other\n---\n"), tmp_path)
    [message] = _rules(result)["licenses.unknown"]
    assert "license: other without license_name" in message and "(declared: 'other')" in message


def test_ambiguous_hub_id_is_named_in_the_finding(tmp_path: Path) -> None:
    result = _licenses(_repo(tmp_path / "r", "---\nlicense: gpl-3.0\n---\n"), tmp_path)
    [message] = _rules(result)["licenses.needs-review"]
    assert "GPL-3.0-only" in message and "does not say -only or -or-later" in message

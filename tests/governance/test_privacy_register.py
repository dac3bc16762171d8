"""The data-source register and its map to GDPR / CCPA obligations."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import git, init_repo, run_mlaudit

CARD = "---\nlicense: apache-2.0\ndatasets:\n  - acme/reviews\n  - acme/clicks\n{extra}---\n# Model\n"

GAPPY = """
[privacy]
scan = false

[[data_sources]]
name = "reviews"
dataset = "acme/reviews"
personal_data = true
categories = ["contact", "opinions"]
special_categories = ["health"]
jurisdictions = ["EU", "US-CA"]
ccpa_sale_or_share = true

[[data_sources]]
name = "clicks"
dataset = "acme/clicks"
"""

COMPLETE = """
[privacy]
scan = false

[[data_sources]]
name = "reviews"
location = "https://data.example.org/reviews"
dataset = "acme/reviews"
personal_data = true
categories = ["contact", "opinions"]
special_categories = ["health"]
jurisdictions = ["EU", "US-CA"]
lawful_basis = "consent"
retention = "raw records deleted 24 months after collection"
ccpa_sale_or_share = true
ccpa_opt_out = "https://example.org/privacy#do-not-sell-or-share"
dpia = "DPIA-2026-004"

[[data_sources]]
name = "clicks"
dataset = "acme/clicks"
personal_data = false
"""


def _audit(tmp_path: Path, config: str, *, card_extra: str = "", files: dict[str, str] | None = None,
           fmt: str = "json") -> tuple[int, str]:
    root = init_repo(tmp_path / "repo")
    (root / "README.md").write_text(CARD.format(extra=card_extra))
    (root / "mlaudit.toml").write_text(config)
    for rel, text in (files or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    git(root, "add", "-A")
    proc = run_mlaudit("audit", "--only", "privacy", "--format", fmt, str(root))
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, proc.stdout


def test_register_with_every_gap(tmp_path: Path) -> None:
    _, out = _audit(tmp_path, GAPPY)
    check = json.loads(out)["checks"][0]
    rules = sorted(f["rule"] for f in check["findings"])
    assert rules == sorted([
        "privacy.ccpa-no-opt-out", "privacy.no-lawful-basis", "privacy.no-retention",
        "privacy.special-category-without-dpia", "privacy.personal-data-unstated",
    ])
    assert check["status"] == "fail"
    statuses = {(r["source"], r["regime"]): r["status"] for r in check["evidence"]["map"]}
    assert statuses == {("reviews", "GDPR"): "gap", ("reviews", "CCPA/CPRA"): "gap", ("clicks", "-"): "unknown"}
    lawful = next(f for f in check["findings"] if f["rule"] == "privacy.no-lawful-basis")
    assert lawful["path"] == "mlaudit.toml" and "data_sources[0]" in lawful["remediation"]


def test_dataset_in_model_card_without_register_entry(tmp_path: Path) -> None:
    _, out = _audit(tmp_path, COMPLETE, card_extra="  - acme/untracked\n")
    findings = json.loads(out)["checks"][0]["findings"]
    assert [(f["rule"], f["path"]) for f in findings] == [("privacy.dataset-unregistered", "README.md")]
    assert "acme/untracked" in findings[0]["message"]


def test_complete_register_passes_and_the_map_is_a_table(tmp_path: Path) -> None:
    code, out = _audit(tmp_path, COMPLETE)
    check = json.loads(out)["checks"][0]
    assert code == 0 and check["status"] == "pass" and check["findings"] == []
    assert [(r["source"], r["regime"], r["status"]) for r in check["evidence"]["map"]] == [
        ("reviews", "GDPR", "ok"), ("reviews", "CCPA/CPRA", "ok"), ("clicks", "-", "not applicable")]
    _, markdown = _audit(tmp_path / "md", COMPLETE, fmt="markdown")
    assert "| Source | Dataset | Regime | Status |" in markdown
    assert "| reviews | `acme/reviews` | GDPR | 🟢 ok | yes (contact, opinions); special: health | consent |" in markdown
    assert "| clicks | `acme/clicks` | - | ⚪ not applicable | no |" in markdown


def test_malformed_toml_register_names_file_and_key(tmp_path: Path) -> None:
    config = COMPLETE.replace('lawful_basis = "consent"', 'lawful_basis = "because we can"').replace(
        "personal_data = false", 'personal_data = "no"')
    _, out = _audit(tmp_path, config)
    invalid = [f for f in json.loads(out)["checks"][0]["findings"] if f["rule"] == "privacy.register-invalid"]
    assert sorted(f["message"] for f in invalid) == [
        "mlaudit.toml: 'data_sources[0].lawful_basis' 'because we can' is not a GDPR Art. 6(1) basis "
        "(consent, contract, legal-obligation, vital-interests, public-task, legitimate-interests)",
        "mlaudit.toml: 'data_sources[1].personal_data' must be true or false, got 'no'",
    ]


def test_yaml_register_beside_the_card_and_its_malformed_entries(tmp_path: Path) -> None:
    register = """data_sources:
  - name: reviews
    dataset: acme/reviews
    personal_data: true
    jurisdictions: [EU]
    lawful_basis: legitimate-interests
    retention: 12 months
  - dataset: acme/clicks
    personal_data: false
  - name: logs
    personal_data: false
    categories: 5
    colour: blue
  - just a string
"""
    _, out = _audit(tmp_path, "[privacy]\nscan = false\n", files={"data-sources.yaml": register})
    check = json.loads(out)["checks"][0]
    invalid = sorted((f["path"], f["details"] if "details" in f else None, f["message"])
                     for f in check["findings"] if f["rule"] == "privacy.register-invalid")
    keys = [m.split("'")[1] for _, _, m in invalid]
    assert all(p == "data-sources.yaml" for p, _, _ in invalid)
    assert keys == ["data_sources[1].name", "data_sources[2].categories", "data_sources[2].colour",
                    "data_sources[3]"]
    assert check["evidence"]["register_files"] == ["data-sources.yaml"]
    # acme/clicks's entry has no name, so the card's dataset has no usable entry
    assert any(f["rule"] == "privacy.dataset-unregistered" for f in check["findings"])


def test_unreadable_yaml_register_is_a_finding(tmp_path: Path) -> None:
    _, out = _audit(tmp_path, "[privacy]\nscan = false\n", files={"data-sources.yaml": "- name: [unclosed\n"})
    findings = json.loads(out)["checks"][0]["findings"]
    assert any(f["rule"] == "privacy.register-invalid" and f["path"] == "data-sources.yaml" for f in findings)


def test_nothing_to_map_or_scan_is_skipped(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "bare")
    (root / "train.py").write_text("print('hi')\n")
    git(root, "add", "-A")
    proc = run_mlaudit("audit", "--only", "privacy", "--format", "json", str(root))
    check = json.loads(proc.stdout)["checks"][0]
    assert check["status"] == "skipped" and "nothing to map or scan" in check["summary"]

"""Waivers: accepted findings listed apart and not counted; expired ones count again and are reported."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import run_mlaudit

from mlaudit.model import Finding, Severity
from mlaudit.waivers import WaiverOptions, apply_waivers

pytestmark = pytest.mark.slow  # end-to-end: real git repositories and mlaudit runs (the edit loop is `-m 'not slow'`)

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def model(tmp_path: Path) -> Path:
    """A model whose audit fails: two weight files not recorded in the manifest."""
    model = tmp_path / "model"
    (model / "ckpt").mkdir(parents=True)
    (model / "model.safetensors").write_bytes(b"a" * 32)
    assert run_mlaudit("hash", str(model), "--update").returncode == 0
    (model / "ckpt" / "step1.safetensors").write_bytes(b"b" * 32)
    (model / "ckpt" / "step2.safetensors").write_bytes(b"c" * 32)
    return model


def _audit(model: Path, waivers: str, fmt: str = "json") -> tuple[int, str]:
    (model / "mlaudit.toml").write_text(waivers)
    proc = run_mlaudit("audit", str(model), "--only", "weights", "--format", fmt)
    return proc.returncode, proc.stdout + proc.stderr


def test_without_waivers_the_audit_fails(model: Path) -> None:
    code, out = _audit(model, "")
    assert code == 1
    assert json.loads(out)["checks"][0]["findings"][0]["rule"] == "weights.unrecorded"


def test_rule_and_glob_waiver_accepts_findings(model: Path) -> None:
    code, out = _audit(model, '[[waivers]]\nrule = "weights.unrecorded"\npath = "ckpt/**"\n'
                              'reason = "intermediate checkpoints, not shipped"\nowner = "ml-team"\n'
                              'expires = 2999-01-01\n')
    assert code == 0, out
    check = json.loads(out)["checks"][0]
    assert check["status"] == "pass" and check["findings"] == []
    assert sorted(a["path"] for a in check["accepted"]) == ["ckpt/step1.safetensors", "ckpt/step2.safetensors"]
    assert check["accepted"][0]["waiver"] == {"rule": "weights.unrecorded", "path": "ckpt/**",
                                              "reason": "intermediate checkpoints, not shipped",
                                              "owner": "ml-team", "expires": "2999-01-01"}
    assert json.loads(out)["counts"]["high"] == 0


def test_fingerprint_waiver_accepts_only_that_finding(model: Path) -> None:
    _code, out = _audit(model, "")
    findings = json.loads(out)["checks"][0]["findings"]
    first = findings[0]
    code, out = _audit(model, f'[[waivers]]\nfingerprint = "{first["fingerprint"]}"\nreason = "r"\nowner = "o"\n'
                              'expires = "2999-12-31"\n')
    check = json.loads(out)["checks"][0]
    assert [a["fingerprint"] for a in check["accepted"]] == [first["fingerprint"]]
    assert len(check["findings"]) == len(findings) - 1
    assert code == 1


def test_expired_waiver_counts_again_and_is_reported(model: Path) -> None:
    code, out = _audit(model, '[[waivers]]\nrule = "weights.unrecorded"\nreason = "temporary"\nowner = "alice"\n'
                              "expires = 2020-01-31\n")
    assert code == 1
    check = json.loads(out)["checks"][0]
    rules = sorted(f["rule"] for f in check["findings"])
    assert rules == ["weights.unrecorded", "weights.unrecorded", "weights.waiver-expired", "weights.waiver-expired"]
    expired = next(f for f in check["findings"] if f["rule"] == "weights.waiver-expired")
    assert "expired on 2020-01-31" in expired["message"] and "alice" in expired["message"]
    assert "accepted" not in check


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('rule = "weights.unrecorded"\nowner = "o"\nexpires = 2999-01-01\n', "needs a 'reason'"),
        ('rule = "weights.unrecorded"\nreason = "r"\nexpires = 2999-01-01\n', "needs an 'owner'"),
        ('rule = "weights.unrecorded"\nreason = "r"\nowner = "o"\n', "needs an 'expires' date"),
        ('rule = "weights.unrecorded"\nreason = "r"\nowner = "o"\nexpires = "next year"\n', "must be a date"),
        ('reason = "r"\nowner = "o"\nexpires = 2999-01-01\n', "'fingerprint' or 'rule'"),
        ('rule = "x"\nreason = "r"\nowner = "o"\nexpires = 2999-01-01\nteam = "t"\n', "unknown key"),
    ],
)
def test_incomplete_waiver_is_a_configuration_error(model: Path, entry: str, message: str) -> None:
    (model / "mlaudit.toml").write_text("[[waivers]]\n" + entry)
    proc = run_mlaudit("audit", str(model), "--only", "weights")
    assert proc.returncode == 2
    assert message in proc.stderr and "waivers[0]" in proc.stderr and "mlaudit.toml" in proc.stderr


def test_text_and_markdown_list_accepted_findings(model: Path) -> None:
    waiver = ('[[waivers]]\nrule = "weights.unrecorded"\nreason = "checkpoints | not shipped"\nowner = "ml-team"\n'
              "expires = 2999-01-01\n")
    _code, text = _audit(model, waiver, "text")
    assert "accepted weights.unrecorded  ckpt/step1.safetensors" in text
    assert "waived by ml-team until 2999-01-01" in text
    _code, markdown = _audit(model, waiver, "markdown")
    assert "Accepted by a waiver (not counted)" in markdown
    assert "| ml-team | 2999-01-01 | checkpoints \\| not shipped |" in markdown


def test_waiver_expiring_today_still_holds() -> None:
    finding = Finding(rule="vulns.advisory", severity=Severity.HIGH, message="m", path="requirements.txt", key="x")
    waiver = WaiverOptions(rule="vulns.advisory", path="requirements*.txt", reason="r", owner="o", expires=TODAY)
    assert apply_waivers("vulns", [finding], [waiver], TODAY).accepted
    late = apply_waivers("vulns", [finding], [waiver], TODAY + dt.timedelta(days=1))
    assert not late.accepted and [f.rule for f in late.findings] == ["vulns.advisory", "vulns.waiver-expired"]
    other_path = Finding(rule="vulns.advisory", severity=Severity.HIGH, message="m", path="sub/req.in", key="x")
    assert not apply_waivers("vulns", [other_path], [waiver], TODAY).accepted

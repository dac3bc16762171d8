"""The engine's policy: a check that crashes, skips or errs is never a pass, and never stops the audit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mlaudit import registry as check_registry
from mlaudit.checks.interface import Check, NoOptions, Outcome
from mlaudit.config import load_config
from mlaudit.context import AuditContext
from mlaudit.engine import run_audit
from mlaudit.errors import CheckError, CheckSkipped
from mlaudit.model import Finding, Pillar, Severity, Status


class _Crashing(Check[NoOptions]):
    id, title, pillar = "crash", "Crashes", Pillar.SECURITY

    def run(self, ctx: AuditContext, options: NoOptions) -> Outcome:
        raise ZeroDivisionError("boom")


class _Skipping(Check[NoOptions]):
    id, title, pillar = "skip", "Skips", Pillar.COMPLIANCE

    def run(self, ctx: AuditContext, options: NoOptions) -> Outcome:
        raise CheckSkipped("nothing to do here")


class _Erring(Check[NoOptions]):
    id, title, pillar = "err", "Errs", Pillar.SECURITY

    def run(self, ctx: AuditContext, options: NoOptions) -> Outcome:
        raise CheckError("service down")


class _Partial(Check[NoOptions]):
    id, title, pillar = "partial", "Partial", Pillar.SECURITY

    def run(self, ctx: AuditContext, options: NoOptions) -> Outcome:
        low = Finding(rule="partial.x", severity=Severity.LOW, message="m")
        return Outcome(findings=(low,), summary="half", incomplete=("source b unreachable",))


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    fake = {c.id: c for c in (_Crashing, _Skipping, _Erring, _Partial)}
    monkeypatch.setattr(check_registry, "REGISTRY", fake)
    monkeypatch.setattr("mlaudit.engine.REGISTRY", fake)
    return fake


def test_broken_checks_become_results(tmp_path: Path, registry: dict[str, Any]) -> None:
    report = run_audit(AuditContext(tmp_path, load_config(tmp_path)))
    by_id = {c.check_id: c for c in report.checks}
    assert by_id["crash"].status is Status.ERROR
    assert "ZeroDivisionError: boom" in by_id["crash"].summary
    assert "traceback" in by_id["crash"].evidence
    assert by_id["skip"].status is Status.SKIPPED and by_id["skip"].summary == "nothing to do here"
    assert by_id["err"].status is Status.ERROR and by_id["err"].summary == "service down"
    assert by_id["partial"].status is Status.ERROR and len(by_id["partial"].findings) == 1
    assert "source b unreachable" in by_id["partial"].summary
    assert report.status is Status.FAIL


def test_errors_can_be_policy_warnings(tmp_path: Path, registry: dict[str, Any]) -> None:
    (tmp_path / "mlaudit.toml").write_text('errors = "warn"\n')
    report = run_audit(AuditContext(tmp_path, load_config(tmp_path)), only=["skip", "err"])
    assert [c.check_id for c in report.checks] == ["skip", "err"]
    assert report.status is Status.PASS

"""A CPU-heavy check runs in a forked process while the others run here: same report, same reads.

What could break: the apart check's result lost or reordered, a crash in the
child read as a pass, a configuration error swallowed, or the files it judged
missing from ``snapshot.files-changed`` (they were recorded in another process).
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest

from mlaudit import registry as check_registry
from mlaudit.checks.interface import Check, NoOptions, Outcome
from mlaudit.config import load_config
from mlaudit.context import AuditContext
from mlaudit.engine import FILES_CHANGED_RULE, run_audit
from mlaudit.errors import ConfigError
from mlaudit.model import Finding, Pillar, Severity, Status

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="checks run apart only where fork exists")


class _Heavy(Check[NoOptions]):
    id, title, pillar = "heavy", "Heavy", Pillar.COMPLIANCE
    runs_apart = True

    def run(self, ctx: AuditContext, options: NoOptions) -> Outcome:
        ctx.record_read("judged.txt")
        found = Finding(rule="heavy.x", severity=Severity.HIGH, message=(ctx.root / "judged.txt").read_text())
        return Outcome(findings=(found,), summary="heavy done", evidence={"pid": os.getpid()})


class _Light(Check[NoOptions]):
    id, title, pillar = "light", "Light", Pillar.SECURITY

    def run(self, ctx: AuditContext, options: NoOptions) -> Outcome:
        return Outcome(summary="light done", evidence={"pid": os.getpid()})


class _Dies(_Heavy):
    id = "dies"

    def run(self, ctx: AuditContext, options: NoOptions) -> Outcome:
        os.kill(os.getpid(), signal.SIGKILL)
        raise AssertionError("unreachable")


class _BadConfig(_Heavy):
    id = "badconfig"

    def run(self, ctx: AuditContext, options: NoOptions) -> Outcome:
        raise ConfigError("[tool.mlaudit.badconfig] is wrong")


def _use(monkeypatch: pytest.MonkeyPatch, *checks: type[Check[Any]]) -> None:
    fake = {c.id: c for c in checks}
    monkeypatch.setattr(check_registry, "REGISTRY", fake)
    monkeypatch.setattr("mlaudit.engine.REGISTRY", fake)


def _ctx(root: Path) -> AuditContext:
    (root / "judged.txt").write_text("as judged\n")
    return AuditContext(root, load_config(root))


def test_the_heavy_check_runs_in_another_process_and_keeps_its_place(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _use(monkeypatch, _Light, _Heavy)
    ctx = _ctx(tmp_path)
    report = run_audit(ctx)
    assert [c.check_id for c in report.checks] == ["light", "heavy"]
    light, heavy = report.checks
    assert light.evidence["pid"] == os.getpid()
    assert heavy.evidence["pid"] != os.getpid(), "the heavy check ran in this process"
    assert heavy.status is Status.FAIL and heavy.findings[0].message == "as judged\n"
    assert report.status is Status.FAIL
    # The child's reads are this process's reads: a later change to what it judged is named.
    (tmp_path / "judged.txt").write_text("changed after it was judged\n")
    assert ctx.changed_reads() == {"judged.txt": "modified during the audit"}


def test_a_change_after_the_heavy_check_read_is_a_files_changed_finding(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    class _Rewrites(_Light):
        id = "rewrites"

        def run(self, ctx: AuditContext, options: NoOptions) -> Outcome:
            ctx.record_read("judged.txt")
            return Outcome(summary="read it too")

    class _HeavyThenWrites(_Heavy):
        def run(self, ctx: AuditContext, options: NoOptions) -> Outcome:
            outcome = super().run(ctx, options)
            (ctx.root / "judged.txt").write_text("rewritten by the heavy check's process\n")
            return outcome

    _use(monkeypatch, _HeavyThenWrites, _Rewrites)
    report = run_audit(_ctx(tmp_path))
    changed = [f.path for c in report.checks if c.check_id == "snapshot" for f in c.findings
               if f.rule == FILES_CHANGED_RULE]
    assert changed == ["judged.txt"]


def test_a_child_that_dies_is_an_error_not_a_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _use(monkeypatch, _Dies, _Light)
    report = run_audit(_ctx(tmp_path))
    dies = report.checks[0]
    assert dies.check_id == "dies" and dies.status is Status.ERROR
    assert "ended without a result" in dies.summary
    assert report.checks[1].status is Status.PASS


def test_a_configuration_error_in_the_child_stops_the_audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _use(monkeypatch, _BadConfig, _Light)
    with pytest.raises(ConfigError, match="badconfig"):
        run_audit(_ctx(tmp_path))

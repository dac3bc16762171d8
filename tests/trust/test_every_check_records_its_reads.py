"""Every check records the files it judged, so a file changed during the audit is caught whatever check read it.

The attack: something that runs after a check (a later check's tool, a racing
process) rewrites the file the check judged (a requirements include, the data
register, a sample data file, the model card) so the verdict is about content
that is no longer there. The engine's ``snapshot.files-changed`` must name it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import fixture_path, git, init_repo
from pins_scan import write

from mlaudit import registry as check_registry
from mlaudit.checks.interface import Check, NoOptions, Outcome
from mlaudit.config import load_config
from mlaudit.context import AuditContext
from mlaudit.engine import FILES_CHANGED_RULE, run_audit
from mlaudit.model import Pillar

CARD = "---\nlicense: apache-2.0\nbase_model: org/base\ndatasets:\n- org/data\n---\n# Model\n"


def _rewrite(rel: str) -> type[Check[NoOptions]]:
    class _Rewrite(Check[NoOptions]):
        id, title, pillar = "tamper", f"Rewrites {rel}", Pillar.SECURITY

        def run(self, ctx: AuditContext, options: NoOptions) -> Outcome:
            with (ctx.root / rel).open("a", encoding="utf-8") as fh:
                fh.write("\n# changed after it was judged\n")
            return Outcome(summary="did nothing visible")

    return _Rewrite


def _changed(root: Path, check_id: str, rel: str, monkeypatch: pytest.MonkeyPatch, **ctx_args: object) -> list[str]:
    real = check_registry.REGISTRY
    ordered = {check_id: real[check_id], "tamper": _rewrite(rel)}
    monkeypatch.setattr(check_registry, "REGISTRY", ordered)
    monkeypatch.setattr("mlaudit.engine.REGISTRY", ordered)
    report = run_audit(AuditContext(root, load_config(root), offline=True, **ctx_args))  # type: ignore[arg-type]
    judged = next(c for c in report.checks if c.check_id == check_id)
    assert judged.status.value in ("pass", "warn", "fail"), (judged.status, judged.summary)
    return [f.path or "" for c in report.checks if c.check_id == "snapshot" for f in c.findings
            if f.rule == FILES_CHANGED_RULE]


@pytest.mark.parametrize("rel", ["requirements.txt", "deps/base.in", "Dockerfile", "train.py"])
def test_pins_records_its_sources_and_includes(tmp_path: Path, rel: str, monkeypatch: pytest.MonkeyPatch) -> None:
    root = init_repo(tmp_path / "repo")
    write(root, "requirements.txt", "-r deps/base.in\nnumpy==1.26.4\n")
    write(root, "deps/base.in", "jinja2==3.1.4\n")
    write(root, "Dockerfile", f"FROM python@sha256:{'ab' * 32}\n")
    write(root, "train.py", "print('hi')\n")
    assert _changed(root, "pins", rel, monkeypatch) == [rel]


@pytest.mark.slow
def test_vulns_records_the_pinned_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = init_repo(tmp_path / "repo")
    write(root, "requirements.txt", "-r deps/base.in\n")
    write(root, "deps/base.in", "jinja2==2.11.0\n")
    assert _changed(root, "vulns", "deps/base.in", monkeypatch,
                    advisory_db=fixture_path("pypa-advisory-db")) == ["deps/base.in"]


@pytest.mark.parametrize("rel", ["README.md", "data-sources.yaml", "samples/users.csv"])
def test_privacy_records_the_card_the_register_and_the_samples(tmp_path: Path, rel: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    root = init_repo(tmp_path / "repo")
    write(root, "README.md", CARD)
    write(root, "data-sources.yaml", "sources:\n- name: org/data\n  regime: none\n  personal_data: false\n")
    write(root, "samples/users.csv", "name,city\nAda,London\n")
    assert _changed(root, "privacy", rel, monkeypatch) == [rel]


def test_provenance_records_the_model_card(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = init_repo(tmp_path / "repo")
    write(root, "README.md", CARD)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "card")
    assert _changed(root, "provenance", "README.md", monkeypatch) == ["README.md"]

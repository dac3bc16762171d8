"""The licences check records every file it judges, so a file changed after it was judged is named.

The attack: something that runs after the check (a later check's tool, a racing
process) rewrites a file whose licence was judged (the LICENSE, the model card, a
source header, pyproject.toml, a requirements file) so the verdict is about
content that is no longer there. The engine's ``snapshot.files-changed`` must name it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import init_repo
from pins_scan import write

from mlaudit import registry as check_registry
from mlaudit.checks.interface import Check, NoOptions, Outcome
from mlaudit.config import load_config
from mlaudit.context import AuditContext
from mlaudit.engine import FILES_CHANGED_RULE, run_audit
from mlaudit.model import Pillar

pytestmark = pytest.mark.slow  # end-to-end: real git repositories and mlaudit runs (the edit loop is `-m 'not slow'`)

CARD = "---\nlicense: apache-2.0\nbase_model: org/base\ndatasets:\n- org/data\n---\n# Model\n"
LICENSED = {
    "pyproject.toml": '[project]\nname = "m"\nversion = "1"\nlicense = "Apache-2.0"\n\n'
                      "[tool.mlaudit.licenses]\nresolve = false\n",
    "README.md": CARD,
    "LICENSE": "SPDX-License-Identifier: Apache-2.0\n",
    "DATA_LICENSE": "SPDX-License-Identifier: CC-BY-4.0\n",
    "requirements.txt": "numpy==1.26.4\n",
    "src/model.py": "# SPDX-License-Identifier: Apache-2.0\nprint('hi')\n",
}


def _rewrite(rel: str) -> type[Check[NoOptions]]:
    class _Rewrite(Check[NoOptions]):
        id, title, pillar = "tamper", f"Rewrites {rel}", Pillar.SECURITY

        def run(self, ctx: AuditContext, options: NoOptions) -> Outcome:
            with (ctx.root / rel).open("a", encoding="utf-8") as fh:
                fh.write("\n# changed after it was judged\n")
            return Outcome(summary="did nothing visible")

    return _Rewrite


def _changed(root: Path, rel: str, monkeypatch: pytest.MonkeyPatch, cache: Path) -> list[str]:
    ordered = {"licenses": check_registry.REGISTRY["licenses"], "tamper": _rewrite(rel)}
    monkeypatch.setattr(check_registry, "REGISTRY", ordered)
    monkeypatch.setattr("mlaudit.engine.REGISTRY", ordered)
    # The tamper check stands for a write *after* the check judged the file: in turn, never run apart.
    monkeypatch.setattr("mlaudit.check_apart.can_fork", lambda: False)
    report = run_audit(AuditContext(root, load_config(root), offline=True, cache_dir=cache))
    judged = next(c for c in report.checks if c.check_id == "licenses")
    assert judged.status.value in ("pass", "warn", "fail"), (judged.status, judged.summary)
    return [f.path or "" for c in report.checks if c.check_id == "snapshot" for f in c.findings
            if f.rule == FILES_CHANGED_RULE]


@pytest.mark.parametrize("rel", sorted(LICENSED))
def test_licenses_records_every_file_it_judges(tmp_path: Path, rel: str, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("scancode")
    root = init_repo(tmp_path / "repo")
    for name, text in LICENSED.items():
        write(root, name, text)
    assert _changed(root, rel, monkeypatch, tmp_path / "cache") == [rel]


@pytest.mark.parametrize("rel", ["pyproject.toml", "README.md", "LICENSE", "requirements.txt"])
def test_licenses_records_its_declaring_files_without_a_scan(tmp_path: Path, rel: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    root = init_repo(tmp_path / "repo")
    for name, text in LICENSED.items():
        write(root, name, text.replace("resolve = false", "resolve = false\nscan_files = false"))
    assert _changed(root, rel, monkeypatch, tmp_path / "cache") == [rel]


def test_the_licences_check_runs_apart_and_its_reads_come_back(tmp_path: Path) -> None:
    """In a full audit the licences check runs in a forked process; what it read is still watched."""
    pytest.importorskip("scancode")
    root = init_repo(tmp_path / "repo")
    for name, text in LICENSED.items():
        write(root, name, text)
    ctx = AuditContext(root, load_config(root), offline=True, cache_dir=tmp_path / "cache")
    report = run_audit(ctx, only=["licenses", "pins"])
    assert [c.check_id for c in report.checks] == ["licenses", "pins"]
    write(root, "DATA_LICENSE", "rewritten after the audit read it\n")  # read by licenses alone
    assert ctx.changed_reads() == {"DATA_LICENSE": "modified during the audit"}

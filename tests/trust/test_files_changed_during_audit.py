"""What ``weights`` hashed is what ``serialization`` scanned (issue 15, "Check what was hashed").

The attack of case 1, made deterministic: something that runs between two checks
(there, an in-tree build backend) rewrites a committed ``os.system`` pickle into a
benign one after ``weights`` hashed it and before ``serialization`` scans it.
Here a check registered between the two does the rewrite.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

import pytest
from conftest import run_mlaudit
from serialization_samples import dumped_call

from mlaudit import registry as check_registry
from mlaudit.checks.interface import Check, NoOptions, Outcome
from mlaudit.config import load_config
from mlaudit.context import AuditContext
from mlaudit.engine import FILES_CHANGED_RULE, run_audit
from mlaudit.model import Pillar, Status

BENIGN = pickle.dumps({"weights": [1, 2, 3], "payload": "nothing to see"}, protocol=4)


def _tamper_check(how: str) -> type[Check[NoOptions]]:
    class _Tamper(Check[NoOptions]):
        id, title, pillar = "tamper", "Rewrites model.pkl", Pillar.SECURITY

        def run(self, ctx: AuditContext, options: NoOptions) -> Outcome:
            target = ctx.root / "model.pkl"
            if how == "rewrite":
                target.write_bytes(BENIGN)
            elif how == "rename":
                staged = ctx.root / ".staged"
                staged.write_bytes(BENIGN)
                os.replace(staged, target)
            return Outcome(summary="did nothing visible")

    return _Tamper


@pytest.fixture
def model(tmp_path: Path) -> Path:
    """A model whose manifest records a pickle that calls os.system."""
    root = tmp_path / "model"
    root.mkdir()
    (root / "model.pkl").write_bytes(dumped_call(os.system, ("touch /tmp/never",), 4))
    assert run_mlaudit("hash", str(root), "--update").returncode == 0
    return root


def _audit(root: Path, how: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    real = check_registry.REGISTRY
    ordered = {"weights": real["weights"], "tamper": _tamper_check(how), "serialization": real["serialization"]}
    monkeypatch.setattr(check_registry, "REGISTRY", ordered)
    monkeypatch.setattr("mlaudit.engine.REGISTRY", ordered)
    return run_audit(AuditContext(root, load_config(root), offline=True))


def test_untouched_files_keep_their_verdict(model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = _audit(model, "nothing", monkeypatch)
    by_id = {c.check_id: c for c in report.checks}
    assert by_id["weights"].status is Status.PASS
    assert by_id["serialization"].status is Status.FAIL  # the os.system pickle is seen
    assert "snapshot" not in by_id


@pytest.mark.parametrize("how", ["rewrite", "rename"])
def test_a_file_swapped_between_weights_and_serialization_fails_the_audit(
        model: Path, how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    report = _audit(model, how, monkeypatch)
    by_id = {c.check_id: c for c in report.checks}
    assert by_id["weights"].status is Status.PASS
    assert by_id["serialization"].status is Status.PASS  # the swap worked: the scanner saw the benign pickle
    snapshot = by_id["snapshot"]
    assert snapshot.status is Status.FAIL
    assert [f.path for f in snapshot.findings] == ["model.pkl"]
    assert snapshot.findings[0].rule == FILES_CHANGED_RULE
    assert "files changed during the audit" in snapshot.findings[0].message
    expected = "replaced by another file" if how == "rename" else "modified"
    assert expected in snapshot.findings[0].message
    assert report.status is Status.FAIL
    from mlaudit.render import FORMATTERS, render

    for name in FORMATTERS:  # every output names the changed file
        assert "model.pkl" in render(report, name), name


def test_a_file_removed_after_it_was_read_is_named(model: Path) -> None:
    ctx = AuditContext(model, load_config(model))
    ctx.record_read("model.pkl")
    (model / "model.pkl").unlink()
    assert ctx.changed_reads() == {"model.pkl": "removed during the audit"}


def test_a_file_recorded_twice_in_two_states_is_a_change(model: Path) -> None:
    ctx = AuditContext(model, load_config(model))
    ctx.record_read("model.pkl")
    (model / "model.pkl").write_bytes(BENIGN)
    ctx.record_read("model.pkl")
    st = (model / "model.pkl").stat()
    os.utime(model / "model.pkl", ns=(st.st_atime_ns, st.st_mtime_ns))
    assert ctx.changed_reads() == {"model.pkl": "modified between two checks"}


def test_a_model_file_outside_the_manifest_is_watched_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No manifest at all: serialization records what it scans, a swap after the scan is still caught."""
    root = tmp_path / "bare"
    root.mkdir()
    (root / "model.pkl").write_bytes(BENIGN)
    real = check_registry.REGISTRY
    ordered = {"serialization": real["serialization"], "tamper": _tamper_check("rename")}
    monkeypatch.setattr(check_registry, "REGISTRY", ordered)
    monkeypatch.setattr("mlaudit.engine.REGISTRY", ordered)
    report = run_audit(AuditContext(root, load_config(root), offline=True))
    assert [f.path for c in report.checks if c.check_id == "snapshot" for f in c.findings] == ["model.pkl"]

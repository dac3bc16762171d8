"""The comment's Markdown against golden files, the comment model, SARIF against the 2.1.0 schema.

Golden files live in ``tests/github/golden/``; regenerate them with
``MLAUDIT_UPDATE_GOLDEN=1 pytest tests/github/test_pr_comment_golden.py`` and
review the diff. Volatile fields (version, dates) are fixed by building the
reports here, so the files change only when the rendering does.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import jsonschema
import pytest

from mlaudit.github.comment_model import WeightCommit, build_comment_model, license_changes, weight_changes
from mlaudit.github.pr_comment import render_comment, render_fitting_comment
from mlaudit.model import AcceptedFinding, CheckResult, Finding, Pillar, Report, Severity, Status
from mlaudit.render.sarif import render_sarif

GOLDEN = Path(__file__).parent / "golden"
SCHEMA = Path(__file__).parent / "sarif-schema-2.1.0.json"
UPDATE = os.environ.get("MLAUDIT_UPDATE_GOLDEN") == "1"


def check_golden(name: str, text: str) -> None:
    """Compare ``text`` with the golden file ``name`` (or rewrite it when MLAUDIT_UPDATE_GOLDEN=1)."""
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with MLAUDIT_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs: rerun with MLAUDIT_UPDATE_GOLDEN=1 and review"


MISMATCH = Finding(
    rule="weights.mismatch",
    severity=Severity.HIGH,
    path="model.safetensors",
    message="SHA-256 differs from weights.lock.json",
    remediation="run `mlaudit hash --update`",
    details={"recorded_digest": "a" * 64, "actual_digest": "b" * 64},
)
UNRECORDED_OLD = Finding(
    rule="weights.unrecorded",
    severity=Severity.HIGH,
    path="old.bin",
    message="weight file is not recorded in weights.lock.json",
)
GPL = Finding(
    rule="licenses.denied",
    severity=Severity.CRITICAL,
    path="requirements.txt",
    line=4,
    key="gpl-lib",
    message="gpl-lib is GPL-3.0-only | denied by policy",
    remediation="replace gpl-lib",
)
PICKLE = Finding(
    rule="serialization.pickle-global",
    severity=Severity.MEDIUM,
    path="legacy/model.pt",
    key="os.system",
    message="pickle imports os.system",
)
NO_CARD = Finding(
    rule="licenses.no-model-license",
    severity=Severity.LOW,
    path=None,
    message="the model card declares no licence",
)


WAIVED_CVE = AcceptedFinding(
    Finding(
        rule="serialization.pickle-global",
        severity=Severity.HIGH,
        path="legacy/old.pt",
        key="builtins.eval",
        message="pickle imports builtins.eval",
    ),
    {
        "match": "fingerprint",
        "reason": "legacy | checkpoint, never loaded",
        "owner": "ml-team",
        "expires": "2027-01-31",
    },
)
WAIVED_BEFORE = AcceptedFinding(
    Finding(rule="licenses.unknown", severity=Severity.MEDIUM, path="data/LICENSE", message="unknown licence"),
    {"match": "rule", "reason": "reviewed by legal", "owner": "legal", "expires": "2027-06-30"},
)


def check(
    check_id: str,
    pillar: Pillar,
    status: Status,
    findings: tuple[Finding, ...] = (),
    evidence: dict[str, object] | None = None,
    summary: str = "",
    accepted: tuple[AcceptedFinding, ...] = (),
) -> CheckResult:
    return CheckResult(
        accepted=accepted,
        check_id=check_id,
        title=check_id.title(),
        pillar=pillar,
        status=status,
        summary=summary or f"{check_id} summary",
        findings=findings,
        evidence=evidence or {},
    )


def reports() -> tuple[Report, Report]:
    """A base and a head that differ in every way the comment shows."""
    base = Report(
        tool_version="9.9.9",
        root="/repo",
        status=Status.FAIL,
        fail_on=Severity.HIGH,
        generated_at="2026-01-01T00:00:00+00:00",
        checks=(
            check(
                "weights",
                Pillar.SECURITY,
                Status.FAIL,
                (UNRECORDED_OLD,),
                {
                    "files": {
                        "model.safetensors": {"size": 10, "sha256": "a" * 64},
                        "old.bin": {"size": 5, "sha256": "c" * 64},
                    }
                },
            ),
            check("serialization", Pillar.SECURITY, Status.WARN, (PICKLE,)),
            check(
                "licenses",
                Pillar.COMPLIANCE,
                Status.PASS,
                (),
                {
                    "dependencies": {"numpy": "BSD-3-Clause", "leftpad": {"license": "MIT"}},
                    "model": "Apache-2.0",
                    "project_license": "MIT",
                    "components": [
                        {
                            "kind": "weights",
                            "name": "model.safetensors",
                            "license": "Apache-2.0",
                            "verdict": "allow",
                        }
                    ],
                },
            ),
        ),
    )
    head = Report(
        tool_version="9.9.9",
        root="/repo",
        status=Status.FAIL,
        fail_on=Severity.HIGH,
        generated_at="2026-01-02T00:00:00+00:00",
        checks=(
            check(
                "weights",
                Pillar.SECURITY,
                Status.FAIL,
                (MISMATCH,),
                {
                    "files": {
                        "model.safetensors": {"size": 12, "sha256": "b" * 64},
                        "adapter.bin": {"size": 3, "sha256": "d" * 64},
                    }
                },
            ),
            check("serialization", Pillar.SECURITY, Status.WARN, (PICKLE,), accepted=(WAIVED_CVE,)),
            check(
                "licenses",
                Pillar.COMPLIANCE,
                Status.FAIL,
                (GPL, NO_CARD),
                {
                    "dependencies": {"numpy": "BSD-3-Clause", "gpl-lib": "GPL-3.0-only"},
                    "model": "Apache-2.0",
                    "project_license": "MIT",
                    "components": [
                        {
                            "kind": "weights",
                            "name": "model.safetensors",
                            "license": "CC-BY-NC-4.0",
                            "verdict": "deny",
                        }
                    ],
                },
            ),
            check("performance", Pillar.PERFORMANCE, Status.PASS, ()),
            check("fairness", Pillar.BIAS_SAFETY, Status.SKIPPED, (), summary="no predictions file configured"),
        ),
    )
    # The same finding was already waived on the base: listed, but not as added by this pull request.
    base, head = (
        dataclasses.replace(
            r,
            checks=tuple(
                dataclasses.replace(c, accepted=(*c.accepted, WAIVED_BEFORE)) if c.check_id == "licenses" else c
                for c in r.checks
            ),
        )
        for r in (base, head)
    )
    return base, head


COMMITS = {
    "model.safetensors": (
        WeightCommit(
            "1234567890abcdef" * 2 + "12345678",
            "Mallory | Contributor",
            "2026-01-02T10:00:00+00:00",
            "swap the weights",
        ),
    )
}


def model():  # type: ignore[no-untyped-def]
    base, head = reports()
    return build_comment_model(
        head,
        base,
        commits=COMMITS,
        run_url="https://github.invalid/o/r/actions/runs/1",
        artifact_url="https://github.invalid/o/r/actions/runs/1#artifacts",
        head_sha="f" * 40,
    )


def test_full_comment_matches_golden() -> None:
    text = render_comment(model())
    check_golden("pr_comment_full.md", text)


def test_short_comment_matches_golden() -> None:
    text = render_comment(model(), short=True, max_new=1)
    check_golden("pr_comment_short.md", text)


def test_comment_without_base_matches_golden() -> None:
    _, head = reports()
    m = build_comment_model(head, None, base_note="the base could not be audited: no merge base")
    check_golden("pr_comment_no_base.md", render_comment(m))


def test_model_sections() -> None:
    m = model()
    assert [f.rule for f in m.diff.new] == [
        "licenses.denied",
        "weights.mismatch",
        "licenses.no-model-license",
    ]
    assert [f.rule for f in m.diff.fixed] == ["weights.unrecorded"]
    assert [f.rule for f in m.diff.unchanged] == ["serialization.pickle-global"]
    assert [(w.path, w.change) for w in m.weight_changes] == [
        ("adapter.bin", "added"),
        ("model.safetensors", "modified"),
        ("old.bin", "removed"),
    ]
    rows = {r.pillar: r for r in m.pillars}
    assert rows[Pillar.SECURITY].status is Status.FAIL and rows[Pillar.SECURITY].new == 1
    assert rows[Pillar.COMPLIANCE].counts["critical"] == 1 and rows[Pillar.COMPLIANCE].new == 2
    assert rows[Pillar.BIAS_SAFETY].status is Status.SKIPPED and rows[Pillar.PERFORMANCE].total == 0
    base, head = reports()
    assert [(c.component, c.old, c.new) for c in license_changes(base, head)] == [
        ("dependencies/gpl-lib", None, "GPL-3.0-only"),
        ("dependencies/leftpad", "MIT", None),
        ("weights/model.safetensors", "Apache-2.0", "CC-BY-NC-4.0"),
    ]


def test_waivers_added_by_the_pull_request_are_called_out() -> None:
    m = model()
    assert [a.finding.rule for a in m.waived_here] == ["serialization.pickle-global"]
    assert [a.finding.rule for a in m.waived_before] == ["licenses.unknown"]


def test_no_weight_changes_when_a_side_has_no_digests() -> None:
    base, head = reports()
    no_manifest = dataclasses.replace(
        base,
        checks=tuple(
            dataclasses.replace(c, evidence={"weight_files": ["model.safetensors"]}) if c.check_id == "weights" else c
            for c in base.checks
        ),
    )
    assert weight_changes(no_manifest, head) == ()
    assert weight_changes(None, head) == ()


def test_untrusted_text_cannot_break_the_table() -> None:
    text = render_comment(model())
    row = next(line for line in text.splitlines() if "gpl-lib is GPL" in line)
    assert "GPL-3.0-only \\| denied" in row and row.count(" | ") == 4
    assert "Mallory \\| Contributor" in text


def test_fitting_comment_shrinks_until_it_fits() -> None:
    m = model()
    full, shortened = render_fitting_comment(m)
    assert not shortened and full == render_comment(m)
    text, shortened = render_fitting_comment(m, limit=len(full) - 1)
    assert shortened and len(text) < len(full) - 1 and "shortened" in text


def sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    # The official schema's `language` pattern uses `(?i)` mid-pattern, which Python's `re` rejects,
    # so the schema itself is not meta-validated; instances are (`language` is never emitted).
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def test_sarif_validates_and_matches_golden() -> None:
    m = model()
    text = render_sarif(m.head, diff=m.diff)
    data = json.loads(text)
    errors = [f"{list(e.path)}: {e.message}" for e in sarif_validator().iter_errors(data)]
    assert errors == []
    run = data["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [
        "weights.mismatch",
        "serialization.pickle-global",
        "licenses.denied",
        "licenses.no-model-license",
    ]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert by_rule["licenses.denied"]["locations"][0]["physicalLocation"]["region"] == {"startLine": 4}
    assert by_rule["licenses.denied"]["level"] == "error" and by_rule["licenses.denied"]["baselineState"] == "new"
    assert by_rule["serialization.pickle-global"]["baselineState"] == "unchanged"
    assert by_rule["weights.mismatch"]["fingerprints"]["mlaudit/v1"] == MISMATCH.fingerprint
    assert run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"].startswith(
        "check 'fairness' skipped"
    )
    check_golden("report.sarif", text)


def test_the_schema_catches_invalid_sarif() -> None:
    broken = {"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": [{"level": "fatal"}]}]}
    messages = sorted(e.message for e in sarif_validator().iter_errors(broken))
    assert any("'name' is a required property" in m for m in messages)
    assert any("'fatal' is not one of" in m for m in messages)


@pytest.mark.parametrize("fmt", ["sarif"])
def test_audit_command_writes_sarif(fmt: str, tmp_path: Path) -> None:
    from conftest import PROJECT_ROOT, run_mlaudit

    out = tmp_path / "report.sarif"
    result = run_mlaudit(
        "audit",
        str(PROJECT_ROOT / "examples" / "demo-model"),
        "--only",
        "weights",
        "--format",
        fmt,
        "--output",
        str(out),
    )
    assert result.returncode == 1, result.stderr
    data = json.loads(out.read_text())
    assert list(sarif_validator().iter_errors(data)) == []
    assert data["runs"][0]["results"], "the demo model has a weights finding"

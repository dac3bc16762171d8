"""SARIF 2.1.0 for GitHub code scanning (``github/codeql-action/upload-sarif``) and other viewers.

One run, one rule per rule id (with help text from the remediation and the
check's title), one result per finding with its location and the finding's
stable fingerprint, so code scanning tracks an alert across runs the same way
the pull-request comment does. Checks that could not run become tool
notifications, never silent passes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from mlaudit.model import Finding, Report, ReportDiff, Severity, Status
from mlaudit.render.escape import json_document, uri_path

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/mlaudit/mlaudit"
# The documentation site (mkdocs.yml `site_url`): every rule has an anchor on its check's page.
DOCS_URL = "https://mlaudit.github.io/mlaudit/"

_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub reads `security-severity` (0.0-10.0) to show critical/high/medium/low.
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}


def render_sarif(report: Report, *, diff: ReportDiff | None = None, path_prefix: str = "") -> str:
    """The report as a SARIF 2.1.0 log (``path_prefix`` maps audited paths to repository paths)."""
    return (
        json_document(json.dumps(sarif_log(report, diff=diff, path_prefix=path_prefix), indent=2, ensure_ascii=False))
        + "\n"
    )


def sarif_log(report: Report, *, diff: ReportDiff | None = None, path_prefix: str = "") -> dict[str, Any]:
    """The SARIF log as a JSON-able dict."""
    rules, index = _rules(report)
    baseline = _baseline_states(diff)
    results = [_result(f, index[f.rule], path_prefix, baseline.get(f.fingerprint)) for f in report.findings]
    notifications = [
        {
            "level": "error" if c.status is Status.ERROR else "note",
            "message": {"text": f"check '{c.check_id}' {c.status.value}: {c.summary}"},
            "descriptor": {"id": c.check_id},
        }
        for c in report.checks
        if not c.ran
    ]
    invocation: dict[str, Any] = {
        "executionSuccessful": all(c.status is not Status.ERROR for c in report.checks),
        "toolExecutionNotifications": notifications,
    }
    if report.generated_at:
        invocation["endTimeUtc"] = report.generated_at
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mlaudit",
                        "version": report.tool_version,
                        "semanticVersion": report.tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "invocations": [invocation],
                "columnKind": "unicodeCodePoints",
                "results": results,
                "properties": {
                    "status": report.status.value,
                    "fail_on": report.fail_on.value,
                    "counts": report.counts(),
                },
            }
        ],
    }


def _rules(report: Report) -> tuple[list[dict[str, Any]], dict[str, int]]:
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for check in report.checks:
        for finding in check.findings:
            if finding.rule in index:
                continue
            index[finding.rule] = len(rules)
            help_text = finding.remediation or f"See {rule_help_uri(finding.rule)}"
            rules.append(
                {
                    "id": finding.rule,
                    "name": "".join(part.title() for part in finding.rule.replace("-", ".").split(".")),
                    "shortDescription": {"text": f"{check.title}: {finding.rule}"},
                    "fullDescription": {
                        "text": f"{check.title} ({check.check_id}, {check.pillar.value} pillar)."
                    },
                    "help": {
                        "text": help_text,
                        "markdown": f"**{check.title}** (`{check.check_id}`)\n\nFix: {help_text}",
                    },
                    "helpUri": rule_help_uri(finding.rule),
                    "defaultConfiguration": {"level": _LEVEL[finding.severity]},
                    "properties": {
                        "tags": ["mlaudit", check.pillar.value, check.check_id],
                        "security-severity": _SECURITY_SEVERITY[finding.severity],
                        "precision": "high",
                    },
                }
            )
    return rules, index


def rule_help_uri(rule: str) -> str:
    """The documentation of ``rule``: its anchor on its check's page (``docs/checks/<check>.md``)."""
    return f"{DOCS_URL}checks/{rule.split('.', 1)[0]}/#{rule}"


def _baseline_states(diff: ReportDiff | None) -> dict[str, str]:
    if diff is None:
        return {}
    states = {f.fingerprint: "new" for f in diff.new}
    states.update({f.fingerprint: "unchanged" for f in diff.unchanged})
    return states


def _result(finding: Finding, rule_index: int, path_prefix: str, baseline: str | None) -> dict[str, Any]:
    location: dict[str, Any] = {
        "artifactLocation": {
            # percent-encoded (RFC 3986): a space or a byte that is not UTF-8 would make the log invalid
            "uri": uri_path(f"{path_prefix}{finding.path}") if finding.path else (uri_path(path_prefix) or "."),
            "uriBaseId": "%SRCROOT%",
        },
    }
    if finding.path and finding.line:
        location["region"] = {"startLine": finding.line}
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": _LEVEL[finding.severity],
        "message": {
            "text": finding.message + (f" Fix: {finding.remediation}" if finding.remediation else "")
        },
        "locations": [{"physicalLocation": location}],
        "fingerprints": {"mlaudit/v1": finding.fingerprint},
        "partialFingerprints": {"mlauditFingerprint/v1": finding.fingerprint},
        "properties": {"severity": finding.severity.value, **_json_safe(finding.details)},
    }
    if baseline:
        result["baselineState"] = baseline
    return result


def _json_safe(details: Any) -> dict[str, Any]:
    return {f"details.{k}": v for k, v in dict(details).items()} if details else {}


def rule_ids(report: Report) -> Iterable[str]:
    """The distinct rule ids in ``report`` (the SARIF rules, in order)."""
    return dict.fromkeys(f.rule for f in report.findings).keys()

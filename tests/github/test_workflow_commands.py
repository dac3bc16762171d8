"""Step outputs, summary and annotations: what the runner parses must not be forgeable."""

from __future__ import annotations

import re
from pathlib import Path

from mlaudit.github.workflow_commands import (
    annotation_for,
    append_summary,
    finding_annotations,
    format_output,
    workflow_command,
    write_outputs,
)
from mlaudit.model import Finding, Severity


def parse_outputs(text: str) -> dict[str, str]:
    """The runner's reading of ``$GITHUB_OUTPUT``: ``name<<DELIM`` ... ``DELIM`` blocks, or ``name=value``."""
    outputs: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        heredoc = re.match(r"^([^<=]+)<<(.+)$", lines[i])
        if heredoc:
            name, delim = heredoc.groups()
            end = lines.index(delim, i + 1)
            outputs[name] = "\n".join(lines[i + 1 : end])
            i = end + 1
            continue
        if "=" in lines[i]:
            name, value = lines[i].split("=", 1)
            outputs[name] = value
        i += 1
    return outputs


def test_multiline_and_hostile_values_stay_one_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    hostile = "line one\nstatus=pass\nEOF\nghadelimiter_x\n"
    write_outputs(str(out), {"status": "fail", "report-markdown": hostile, "empty": ""})
    parsed = parse_outputs(out.read_text())
    assert parsed == {"status": "fail", "report-markdown": hostile, "empty": ""}


def test_delimiters_are_random() -> None:
    a, b = format_output("x", "v"), format_output("x", "v")
    assert a != b and a.startswith("x<<ghadelimiter_")


def test_annotation_escapes_data_and_properties() -> None:
    finding = Finding(
        rule="weights.mismatch",
        severity=Severity.HIGH,
        path="dir,1/a:b.bin",
        line=3,
        message="100% wrong\nsecond line",
        remediation="fix it",
    )
    line = annotation_for(finding, root_prefix="sub/")
    assert line.startswith("::error file=sub/dir%2C1/a%3Ab.bin,line=3,title=mlaudit weights.mismatch (high)::")
    assert line.endswith("100%25 wrong%0Asecond line%0AFix: fix it")
    assert "\n" not in line


def test_levels_and_limit() -> None:
    findings = [
        Finding(rule=f"weights.r{i}", severity=s, message="m", path=f"f{i}")
        for i, s in enumerate([Severity.LOW, Severity.CRITICAL, Severity.MEDIUM])
    ]
    lines = finding_annotations(findings, limit=2)
    assert lines[0].startswith("::error ") and lines[1].startswith("::warning ")
    assert lines[2] == "::notice::1 more finding(s) are in the report"
    assert workflow_command("notice", "x") == "::notice::x"


def test_summary_too_large_is_replaced_by_a_pointer(tmp_path: Path) -> None:
    summary = tmp_path / "summary"
    assert append_summary(str(summary), "# small") is True
    append_summary(str(summary), "x" * (1024 * 1024), fallback_note="see the artifact")
    assert summary.read_text() == "# small\n\nsee the artifact\n\n"
    assert append_summary("", "ignored") is False

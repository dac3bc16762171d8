"""The "Configuration changed" section of the comment: golden file, hostile values, the short form."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from mlaudit.config import config_from_table
from mlaudit.config_diff import ConfigChange, diff_configs
from mlaudit.github.comment_model import build_comment_model
from mlaudit.github.pr_comment import render_comment, render_fitting_comment
from mlaudit.github.pr_config import PullRequestConfig, config_check, with_config_check
from mlaudit.model import Report, Severity, Status
from mlaudit.registry import ARRAY_SECTIONS, REGISTRY

GOLDEN = Path(__file__).parent / "golden" / "pr_comment_config.md"
HOSTILE = "x`|<img src=x onerror=alert(1)>@octo-org/admins [link](https://evil.invalid) #1\n### Fake"


def outside_code_spans(markdown: str) -> str:
    """The text GitHub interprets as Markdown/HTML: everything but inline code spans."""
    return re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", markdown)


def head_report(trusted: bool, changes: tuple[ConfigChange, ...]) -> Report:
    base = config_from_table(None, {}, "")
    prc = PullRequestConfig(base, base, changes, trusted, "b" * 40, "mlaudit.toml", "mlaudit.toml")
    empty = Report("9.9.9", "/repo", Status.PASS, Severity.HIGH, (), "2026-01-02T00:00:00+00:00")
    return with_config_check(empty, config_check(prc))


def real_changes(new: dict[str, Any]) -> tuple[ConfigChange, ...]:
    types = {c: check.options_type for c, check in REGISTRY.items()}
    return diff_configs(config_from_table(None, {}, ""), config_from_table(None, new, ""), types, ARRAY_SECTIONS,
                        old_label="mlaudit.toml", new_label="mlaudit.toml")


def test_configuration_changed_golden() -> None:
    changes = real_changes({
        "exclude": ["extras/**", HOSTILE],
        "fail_on": "critical",
        "weights": {"workers": 4},
        "serialization": {"deny": ["numpy.load"]},
        "waivers": [{"rule": "serialization.dangerous-import", "reason": HOSTILE, "owner": "@mallory",
                     "expires": "2099-01-01"}],
    })
    head = head_report(False, changes)
    assert head.status is Status.FAIL
    text = render_comment(build_comment_model(head, None, head_sha="c" * 40))
    if os.environ.get("MLAUDIT_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8"), "rerun with MLAUDIT_UPDATE_GOLDEN=1 and review"
    section = text.split("### ⚙️ Configuration changed", 1)[1].split("\n### ", 1)[0]
    assert "**3 loosening(s) fail the policy**" in section
    inert = outside_code_spans(text)
    assert "<img" not in inert and "](https://evil" not in inert and "\n### Fake" not in inert
    assert "@octo-org" not in inert.replace("@\u200b", "")


def test_trusted_changes_are_listed_and_do_not_fail() -> None:
    head = head_report(True, real_changes({"exclude": ["extras/**"]}))
    assert head.status is Status.PASS and not head.findings
    text = render_comment(build_comment_model(head, None))
    section = text.split("### ⚙️ Configuration changed", 1)[1]
    assert "`trust_pr_config = true` on the base branch" in section and "extras/**" in section


def test_short_form_keeps_the_section_and_counts_the_rest() -> None:
    changes = tuple(ConfigChange(f"key{i:02d}", i, i + 1, "loosening", "why") for i in range(30))
    model = build_comment_model(head_report(False, changes), None)
    text, shortened = render_fitting_comment(model, limit=len(render_comment(model)) - 10)
    assert shortened and "### ⚙️ Configuration changed" in text
    assert "`key19`" in text and "`key20`" not in text
    assert "…and 10 more configuration change(s)" in text


def test_forged_evidence_is_dropped_or_rendered_inert() -> None:
    forged = head_report(False, ())
    config = forged.check("config")
    assert config is None  # nothing changed: no result at all
    head = head_report(False, (ConfigChange(HOSTILE, HOSTILE, None, "neutral", HOSTILE),))
    check = head.check("config")
    assert check is not None
    check.evidence["changes"].append({"key": 3, "kind": "evil"})  # type: ignore[attr-defined]
    text = render_comment(build_comment_model(head, None))
    rows = [line for line in text.splitlines() if "onerror" in line]
    assert len(rows) == 1, "the hostile value must stay inside its one table row"
    inert = outside_code_spans(text)
    assert "<img" not in inert and "\n### Fake" not in inert and "](https://evil" not in inert
    assert rows[0].count(" | ") == 3  # four cells, none broken open by the pipe

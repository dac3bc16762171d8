"""SARIF artifact locations are RFC 3986 URI references whatever the file name holds; the schema validates them."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import unquote_to_bytes

import jsonschema
import pytest

from mlaudit.model import CheckResult, Finding, Pillar, Report, Severity, Status
from mlaudit.render.sarif import render_sarif

SCHEMA = Path(__file__).parents[1] / "github" / "sarif-schema-2.1.0.json"
NAMES = [
    "models/a b.pkl",
    "caf\udcff/w.bin",  # a byte that is not UTF-8 (surrogateescape from the file system)
    "c:drive.bin",  # a colon in the first segment would read as a scheme
    "100%.bin",
    "w`x|<img src=x>\nhttps:/www.evil.example/#frag?q=1[0].bin",
    "ünïcödé/模型.safetensors",
]


def _report(paths: list[str]) -> Report:
    findings = tuple(
        Finding(rule="weights.unrecorded", severity=Severity.HIGH, path=p, line=3, message="not recorded")
        for p in paths
    )
    check = CheckResult(check_id="weights", title="Weights", pillar=Pillar.SECURITY, status=Status.FAIL,
                        summary="x", findings=findings)
    return Report(tool_version="0", root="/repo", status=Status.FAIL, fail_on=Severity.HIGH, checks=(check,))


def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


@pytest.mark.parametrize("prefix", ["", "sub dir/"])
def test_hostile_file_names_give_valid_uris_that_decode_to_the_file(prefix: str) -> None:
    data = json.loads(render_sarif(_report(NAMES), path_prefix=prefix))
    errors = [f"{list(e.path)}: {e.message}" for e in _validator().iter_errors(data)]
    assert errors == []
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in data["runs"][0]["results"]]
    assert [unquote_to_bytes(u) for u in uris] == [os.fsencode(prefix + n) for n in NAMES]
    assert uris[0] == f"{prefix.replace(' ', '%20')}models/a%20b.pkl"

"""GitHub workflows and composite actions: uses: by SHA, docker:// digests, pip install in run:."""

from __future__ import annotations

from pathlib import Path

from pins_scan import by_rule, scan, write

SHA = "0123456789abcdef0123456789abcdef01234567"

WORKFLOW = f"""
on: [push]
jobs:
  call-reusable:
    uses: org/shared/.github/workflows/train.yml@v2
  call-pinned:
    uses: org/shared/.github/workflows/train.yml@{SHA}
  call-local:
    uses: ./.github/workflows/local.yml
  build:
    runs-on: ubuntu-latest
    container:
      image: python:3.11
    services:
      db:
        image: postgres@sha256:{"cd" * 32}
      cache:
        image: redis:7
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@{SHA} # v5
      - uses: ./.github/actions/mine
      - uses: docker://alpine:3.20
      - uses: docker://alpine@sha256:{"ab" * 32}
      - uses: actions/cache@main
      - name: install
        run: |
          python -m pip install -r requirements.txt
          pip install torch==2.3.1 "numpy==1.26.4" \\
            transformers accelerate>=0.30
          uv pip install ${{{{ matrix.pkg }}}}
          pip install -e . git+https://github.com/org/x.git@{SHA}
          echo pip install is only text here
"""


def test_workflow_uses_and_run_steps(tmp_path: Path) -> None:
    write(tmp_path, ".github/workflows/ci.yml", WORKFLOW)
    result = scan(tmp_path, ".github/workflows/ci.yml")
    path = ".github/workflows/ci.yml"
    assert by_rule(result.findings, "pins.action-unpinned") == [(path, 4), (path, 19), (path, 24)]
    assert by_rule(result.findings, "pins.docker-action-unpinned") == [(path, 22)]
    assert by_rule(result.findings, "pins.image-unpinned") == [(path, 12), (path, 17)]  # container, redis
    assert by_rule(result.findings, "pins.run-pip-install") == [(path, 28)]
    messages = {f.line: f.message for f in result.findings}
    assert "reusable workflow org/shared/.github/workflows/train.yml" in messages[4]
    assert "transformers accelerate>=0.30" in messages[28]


def test_allowed_actions_and_disabled_rule(tmp_path: Path) -> None:
    write(tmp_path, ".github/workflows/ci.yml", WORKFLOW)
    result = scan(tmp_path, ".github/workflows/ci.yml", allowed_actions=["actions/*", "org/shared/*"],
                  disable=["pins.run-pip-install"])
    assert sorted(f.rule for f in result.findings) == [
        "pins.docker-action-unpinned", "pins.image-unpinned", "pins.image-unpinned"]


def test_composite_action(tmp_path: Path) -> None:
    write(tmp_path, ".github/actions/setup/action.yml", f"""
        name: setup
        runs:
          using: composite
          steps:
            - uses: actions/setup-python@v5
            - uses: actions/cache@{SHA}
            - run: pip install huggingface_hub
              shell: bash
        """)
    result = scan(tmp_path, ".github/actions/setup/action.yml")
    assert [(f.rule, f.line) for f in sorted(result.findings, key=lambda f: f.line or 0)] == [
        ("pins.action-unpinned", 5), ("pins.run-pip-install", 7)]


def test_invalid_workflow_yaml_is_a_finding(tmp_path: Path) -> None:
    write(tmp_path, ".github/workflows/bad.yml", "jobs:\n  a:\n    steps: [\n      - uses: x@v1\n")
    write(tmp_path, ".github/workflows/empty.yaml", "")
    result = scan(tmp_path, ".github/workflows/bad.yml", ".github/workflows/empty.yaml")
    assert [(f.rule, f.path) for f in result.findings] == [("pins.invalid-file", ".github/workflows/bad.yml")]
    assert result.findings[0].line is not None and "invalid YAML" in result.findings[0].message

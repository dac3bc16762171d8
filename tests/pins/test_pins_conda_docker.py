"""conda environments and Dockerfiles/Containerfiles."""

from __future__ import annotations

from pathlib import Path

from pins_scan import by_rule, scan, write

DIGEST = "sha256:" + "ab" * 32


def test_conda_environment(tmp_path: Path) -> None:
    write(tmp_path, "environment.yml", """
        name: demo
        channels: [conda-forge]
        dependencies:
          - python=3.11.9
          - conda-forge::pandas=2.2.2=py311h_0
          - numpy
          - scipy>=1.10
          - pytorch==2.3.1
          - pip
          - pip:
            - requests==2.32.3
            - flask
            - -r requirements.txt
        """)
    result = scan(tmp_path, "environment.yml")
    assert by_rule(result.findings, "pins.conda-unpinned") == [
        ("environment.yml", 6), ("environment.yml", 7), ("environment.yml", 9)]
    assert by_rule(result.findings, "pins.unpinned") == [("environment.yml", 12)]
    assert [(p.name, p.version, p.line) for p in result.pinned] == [("requests", "2.32.3", 11)]


def test_conda_broken_yaml(tmp_path: Path) -> None:
    write(tmp_path, "environment.yml", "dependencies:\n  - numpy\n - [unclosed\n")
    result = scan(tmp_path, "environment.yml")
    assert [(f.rule, f.line) for f in result.findings] == [("pins.invalid-file", 3)]


def test_multi_stage_and_arg_templated_dockerfile(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", f"""
        ARG PYTHON=python:3.11-slim
        ARG PINNED=python@{DIGEST}
        ARG REGISTRY
        FROM --platform=linux/amd64 ${{PINNED}} AS builder
        RUN pip install --no-cache-dir -r requirements.txt \\
            torch==2.3.1 \\
            transformers
        FROM builder AS test
        FROM ${{PYTHON}}
        FROM $REGISTRY/base:1
        FROM ${{UNSET:-alpine:3.20}}
        FROM scratch
        FROM ubuntu:24.04@{DIGEST}
        COPY --from=builder /app /app
        """)
    result = scan(tmp_path, "Dockerfile")
    assert by_rule(result.findings, "pins.image-unpinned") == [
        ("Dockerfile", 9), ("Dockerfile", 10), ("Dockerfile", 11)]
    messages = {f.line: f.message for f in result.findings}
    assert "python:3.11-slim" in messages[9]
    assert "REGISTRY" in messages[10] and "no default" in messages[10]
    assert by_rule(result.findings, "pins.run-pip-install") == [("Dockerfile", 5)]
    assert "transformers" in messages[5] and "torch" not in messages[5]
    # Exact pins installed by RUN are dependency pins too (the vulns check audits them).
    assert [(p.name, p.version, p.path, p.line) for p in result.pinned] == [("torch", "2.3.1", "Dockerfile", 5)]


def test_containerfile_names(tmp_path: Path) -> None:
    write(tmp_path, "deploy/Containerfile", "FROM registry.example/app:latest\n")
    write(tmp_path, "docker/serve.Dockerfile", f"FROM python@{DIGEST}\n")
    write(tmp_path, "Dockerfile.gpu", "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\n")
    write(tmp_path, "src/dockerfile.py", '"""Reads FROM lines."""\nFROM = "FROM python:3.11"\n')
    write(tmp_path, "docs/Dockerfile.md", "FROM python:3.11\n")
    result = scan(tmp_path, "deploy/Containerfile", "docker/serve.Dockerfile", "Dockerfile.gpu",
                  "src/dockerfile.py", "docs/Dockerfile.md")
    assert sorted(result.sources) == ["dockerfile", "python"]
    assert sorted(result.sources["dockerfile"]) == ["Dockerfile.gpu", "deploy/Containerfile", "docker/serve.Dockerfile"]
    assert by_rule(result.findings, "pins.image-unpinned") == [("Dockerfile.gpu", 1), ("deploy/Containerfile", 1)]
    result = scan(tmp_path, "deploy/Containerfile", "docker/serve.Dockerfile")
    assert by_rule(result.findings, "pins.image-unpinned") == [("deploy/Containerfile", 1)]
    allowed = scan(tmp_path, "deploy/Containerfile", allowed_images=["registry.example/*"])
    assert not allowed.findings

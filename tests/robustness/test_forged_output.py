"""No string from the repository can forge a line of mlaudit's output (a workflow command) or a link."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import git, run_mlaudit
from robustness_helpers import hook, no_traceback, weights_repo
from serialization_samples import reduce_pickle

from mlaudit.github.markdown_safety import code_span, escape_text
from mlaudit.render.escape import terminal_line, terminal_text

FORGED = "x\n::error file=README.md,title=FORGED::owned\r::warning::y\u202e"
NAME = f"model{FORGED}.pkl"


def _forged_lines(*procs: subprocess.CompletedProcess[str]) -> list[str]:
    out = []
    for proc in procs:
        no_traceback(proc)
        for line in (proc.stdout + proc.stderr).split("\n"):
            if line.lstrip().startswith("::") or "\r" in line or "\u202e" in line:
                out.append(line)
    return out


@pytest.fixture
def hostile_repo(tmp_path: Path) -> Path:
    return weights_repo(tmp_path / "repo", {NAME: reduce_pickle("os", "system"), "ok.safetensors": b"A" * 64})


def test_cli_output_never_starts_a_line_with_a_command(hostile_repo: Path) -> None:
    procs = [
        run_mlaudit("hash", str(hostile_repo)),
        run_mlaudit("hash", "--update", str(hostile_repo)),
        run_mlaudit("scan", str(hostile_repo / NAME)),
        run_mlaudit("scan", str(hostile_repo)),
        run_mlaudit("audit", str(hostile_repo), "--only", "weights,serialization", "--offline"),
    ]
    (hostile_repo / NAME).write_bytes(reduce_pickle("subprocess", "Popen"))
    procs.append(run_mlaudit("hash", "--check", str(hostile_repo)))
    assert _forged_lines(*procs) == []
    assert "model" + terminal_text(FORGED) in procs[-1].stdout  # reported, escaped
    assert procs[2].returncode == 1 and procs[-1].returncode == 1


def test_hooks_never_start_a_line_with_a_command(hostile_repo: Path) -> None:
    (hostile_repo / "weights.lock.json").unlink(missing_ok=True)
    git(hostile_repo, "add", "-A")
    procs = [
        hook("mlaudit-unsafe-models", NAME, cwd=hostile_repo),
        hook("mlaudit-weight-hashes", NAME, cwd=hostile_repo),
        hook("mlaudit-weight-hashes", "--fix", NAME, cwd=hostile_repo),
    ]
    assert _forged_lines(*procs) == []
    assert all(p.returncode == 1 for p in procs), [p.stdout + p.stderr for p in procs]


def test_terminal_escaping() -> None:
    assert terminal_text("a\nb\r\x1b[31m\u202e\udcff") == "a\\nb\\r\\x1b[31m\\u202e\\xff"
    assert terminal_line("::error::x") == "\\x3a:error::x"
    assert terminal_line("  ::error::x") == "  \\x3a:error::x"
    assert terminal_line("a::b") == "a::b"


@pytest.mark.parametrize("text", ["see https://evil.example/x", "WWW.evil.example", "http://a", "ftp://b"])
def test_markdown_has_no_autolinks(text: str) -> None:
    escaped = escape_text(text)
    assert "://" not in escaped and "www." not in escaped.lower()
    assert escaped.replace("\u200b", "").replace("\\", "") == text
    assert "\udcff" not in escape_text("caf\udcff") and "\\xff" in code_span("caf\udcff")


def test_report_markdown_cells_have_no_links() -> None:
    from mlaudit.render.templates import escape_markdown_cell

    cell = escape_markdown_cell("see https://evil.example and www.evil.example, caf\udcff")
    assert "://" not in cell and "www." not in cell and "\\xff" in cell

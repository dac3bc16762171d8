"""A repository string inside a code span of a Markdown report stays inside it: no backtick, pipe or newline breaks out."""

from __future__ import annotations

import html
import re
from pathlib import Path

from conftest import run_mlaudit
from markdown_it import MarkdownIt
from robustness_helpers import no_traceback, weights_repo
from serialization_samples import reduce_pickle

# A path cannot hold "//": "https:" is a folder here, and "www." the autolink GFM would make of the text.
HOSTILE = "w`x``|<img src=x>\nhttps:/www.evil.example/a \\|b.pkl"
SHOWN = HOSTILE.replace("\n", " ")  # one code span holds one line


def _render(markdown: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


def _outside_code(rendered: str) -> str:
    return re.sub(r"<code>.*?</code>", "", rendered, flags=re.DOTALL)


def test_audit_markdown_keeps_a_hostile_file_name_in_its_code_spans(tmp_path: Path) -> None:
    repo = weights_repo(tmp_path / "repo", {HOSTILE: reduce_pickle("os", "system")})
    proc = run_mlaudit("audit", str(repo), "--only", "serialization", "--offline", "--format", "markdown")
    no_traceback(proc)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    rendered = _render(proc.stdout)
    codes = [html.unescape(c) for c in re.findall(r"<code>(.*?)</code>", rendered, flags=re.DOTALL)]
    # the finding's location and the coverage table both show the whole name, in one code span each
    assert sum(1 for c in codes if SHOWN in c) >= 2, codes
    outside = _outside_code(rendered)
    assert "<img" not in outside and "www." not in outside and "https:" not in outside and "<a " not in outside
    table_rows = [line for line in proc.stdout.splitlines() if "evil.example" in line]
    assert table_rows and all(_cells(line) == _cells(_header_above(proc.stdout, line)) for line in table_rows)


def _cells(line: str) -> int:
    """Cells of a GFM table row: pipes not escaped by a backslash (as GitHub splits them)."""
    return len(re.findall(r"(?<!\\)\|", line))


def _header_above(markdown: str, row: str) -> str:
    lines = markdown.splitlines()
    index = lines.index(row)
    while index > 0 and lines[index - 1].startswith("|"):
        index -= 1
    return lines[index]


def test_every_template_code_span_uses_the_code_filter() -> None:
    """No template writes `{{ value }}` between literal backticks: the value could hold a backtick of its own."""
    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = []
    for path in sorted(root.rglob("*.j2")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if line.lstrip().startswith("{#"):
                continue
            if re.search(r"`\{\{[^}]*\}\}|\{\{[^}]*\}\}`|\"`\" ~", line):
                offenders.append(f"{path.relative_to(root)}:{number}")
    assert offenders == []

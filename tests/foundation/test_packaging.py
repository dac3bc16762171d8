"""What ships: templates inside the wheel, every hook wired and documented, every check documented."""

from __future__ import annotations

import io
import re
import shutil
import sys
from importlib import metadata, resources
from pathlib import Path

import yaml
from conftest import PROJECT_ROOT

from mlaudit.progress import TerminalProgress
from mlaudit.registry import REGISTRY

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
HOOKS = yaml.safe_load((PROJECT_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def test_templates_ship_inside_the_installed_package() -> None:
    templates = resources.files("mlaudit") / "templates"
    assert (templates / "report.md.j2").is_file()
    for template in (PROJECT_ROOT / "templates").rglob("*.j2"):
        rel = template.relative_to(PROJECT_ROOT / "templates").as_posix()
        assert (templates / rel).is_file(), f"{rel} is not in the installed package"


def test_every_hook_has_a_console_script_and_a_readme_row() -> None:
    scripts = {ep.name: ep.value for ep in metadata.entry_points(group="console_scripts")}
    for hook in HOOKS:
        assert list(hook)[:5] == ["id", "name", "description", "entry", "language"], hook["id"]
        entry = hook["entry"].split()[0]
        assert entry in scripts, f"{hook['id']}: console script {entry} is not installed"
        assert shutil.which(entry) or (Path(sys.executable).parent / entry).is_file(), entry
        assert f"`{hook['id']}`" in README, f"{hook['id']} is not documented in README.md"


def test_every_check_is_documented() -> None:
    for check_id, check in REGISTRY.items():
        assert check.id == check_id
        assert re.search(rf"\|\s*`{check_id}`\s*\|", README), f"check {check_id} has no row in README.md"


def test_progress_bar_only_on_terminals_and_large_jobs() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    bar = TerminalProgress(stream=tty)
    bar(10, 100)  # small job: no bar
    assert tty.getvalue() == ""
    big = 1 << 30
    bar(big // 2, big)
    bar(big, big)
    bar.close()
    assert "50%" in tty.getvalue() and "100%" in tty.getvalue() and tty.getvalue().endswith("\n")
    plain = io.StringIO()
    TerminalProgress(stream=plain)(big, big)
    assert plain.getvalue() == ""


def test_readme_starts_with_the_two_commands() -> None:
    blocks = re.findall(r"```bash\n(.*?)\n```", README, re.S)
    assert "mlaudit audit examples/demo-model" in blocks[0]
    assert "pytest" in blocks[1]
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert "pytest" in ci and "'.[full,test]'" in ci and "'.[full,test]'" in blocks[1]


def test_examples_exist() -> None:
    demo = PROJECT_ROOT / "examples" / "demo-model"
    assert {"README.md", "requirements.txt", "weights.lock.json"} <= {p.name for p in demo.iterdir()}
    assert any(p.suffix == ".safetensors" for p in demo.iterdir())
    assert Path(PROJECT_ROOT / "action.yml").is_file()

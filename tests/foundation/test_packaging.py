"""What ships: the wheel's contents, every hook wired to a console script, a short README with the two commands.

Whether every check, rule, option, hook and Action input is documented is tested on the
documentation site (tests/docs/test_site.py).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata, resources
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

import pytest
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


def test_every_hook_has_a_console_script() -> None:
    scripts = {ep.name: ep.value for ep in metadata.entry_points(group="console_scripts")}
    for hook in HOOKS:
        assert list(hook)[:5] == ["id", "name", "description", "entry", "language"], hook["id"]
        entry = hook["entry"].split()[0]
        assert entry in scripts, f"{hook['id']}: console script {entry} is not installed"
        assert shutil.which(entry) or (Path(sys.executable).parent / entry).is_file(), entry


def test_readme_is_short_and_points_to_the_docs() -> None:
    """README under 10 KB: what it is, the commands, a quick start per face, links to the site."""
    assert len(README.encode("utf-8")) < 10 * 1024, f"README.md is {len(README.encode())} bytes; move detail to docs/"
    for check_id, check in REGISTRY.items():
        assert check.id == check_id
        assert f"`{check_id}`" in README, f"check {check_id} is not named in README.md"
    for hook in HOOKS:
        assert f"`{hook['id']}`" in README, f"hook {hook['id']} is not in the README's quick start"
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README)
    local = [link for link in links if not link.startswith(("http://", "https://"))]
    assert "docs/index.md" in local and "docs/threat-model.md" in local
    for link in local:
        assert (PROJECT_ROOT / link).exists(), f"README.md links to {link}, which does not exist"
    assert re.search(r"^## Threat model$", README, re.M)


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


def _build_wheel(dest: Path) -> Path:
    """Build the wheel the way a release does (pip's isolated build with the project's backend)."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(dest), str(PROJECT_ROOT)],
        capture_output=True, text=True, check=False, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (wheel,) = dest.glob("mlaudit-*.whl")
    return wheel


@pytest.mark.slow  # an isolated build: pip fetches the build backend
def test_the_wheel_ships_hooks_templates_schemas_and_entry_points(tmp_path: Path) -> None:
    """The built wheel holds what the editable install imports from the tree, and the declared entry points."""
    with zipfile.ZipFile(_build_wheel(tmp_path)) as wheel:
        names = set(wheel.namelist())
        dist_info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        entry_points = wheel.read(f"{dist_info}/entry_points.txt").decode()
    expected = {f"mlaudit/hooks/{p.name}" for p in (PROJECT_ROOT / "hooks").glob("*.py")}
    expected |= {f"mlaudit/templates/{p.relative_to(PROJECT_ROOT / 'templates').as_posix()}"
                 for p in (PROJECT_ROOT / "templates").rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    expected |= {f"mlaudit/{p.relative_to(PROJECT_ROOT / 'src' / 'mlaudit').as_posix()}"
                 for p in (PROJECT_ROOT / "src" / "mlaudit").rglob("*.json")}
    expected |= {"mlaudit/schemas/report.schema.json", "mlaudit/py.typed"}
    assert any(n.startswith(f"{dist_info}/") and n.endswith("/LICENSE") for n in names), "LICENSE is not in the wheel"
    assert len(expected) > 10
    assert sorted(expected - names) == []
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]

    section = re.search(r"\[console_scripts\]\n(.*?)(?:\n\[|\Z)", entry_points, re.S)
    assert section is not None, entry_points
    shipped = dict(line.split(" = ", 1) for line in section.group(1).strip().splitlines())
    declared = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert shipped == declared
    for hook in HOOKS:
        entry = hook["entry"].split()[0]
        assert entry in shipped, f"hook {hook['id']}: entry {entry} is not a console script of the wheel"
        module = shipped[entry].split(":")[0]
        assert f"{module.replace('.', '/')}.py" in names, f"hook {hook['id']}: {module} is not in the wheel"

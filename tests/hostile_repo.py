"""Shared by the trust tests: repositories whose content tries to run when mlaudit reads them."""

from __future__ import annotations

from pathlib import Path

from conftest import git, init_repo

_BACKEND = '''\
import pathlib
pathlib.Path({marker!r}).write_text("{label} ran\\n", encoding="utf-8")


def get_requires_for_build_wheel(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    raise RuntimeError("never get this far")


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    raise RuntimeError("never get this far")
'''


def plant_backend(repo: Path, folder: str, marker: Path) -> None:
    """A local package whose in-tree build backend writes ``marker`` as soon as it is imported."""
    pkg = repo / folder
    pkg.mkdir(parents=True, exist_ok=True)
    (pkg / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "evil_backend"\nbackend-path = ["."]\n\n'
        '[project]\nname = "helper"\nversion = "1.0"\n',
        encoding="utf-8",
    )
    (pkg / "evil_backend.py").write_text(_BACKEND.format(marker=str(marker), label=folder), encoding="utf-8")


def plant_shadow_modules(repo: Path, marker: Path, names: tuple[str, ...] = ("pip", "pip_audit")) -> None:
    """Top-level packages named like the tools mlaudit runs (``python -m pip``): importing one writes ``marker``."""
    for name in names:
        pkg = repo / name
        pkg.mkdir(parents=True, exist_ok=True)
        code = f"import pathlib\npathlib.Path({str(marker)!r}).write_text('{name} shadowed\\n')\n"
        (pkg / "__init__.py").write_text(code, encoding="utf-8")
        (pkg / "__main__.py").write_text(code, encoding="utf-8")


def hostile_requirements_repo(base: Path, marker: Path) -> Path:
    """A committed repository whose requirements name local packages with code-running build backends."""
    repo = init_repo(base / "repo")
    plant_backend(repo, "tools/helper", marker)
    plant_backend(repo, "tools/editable", marker)
    plant_backend(repo, "tools/fileurl", marker)
    plant_shadow_modules(repo, marker)
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "1"\nlicense = "MIT"\n', encoding="utf-8"
    )
    (repo / "requirements.txt").write_text(
        "tools/helper\n-e tools/editable\nfile:tools/fileurl\njinja2==2.11.0\n", encoding="utf-8"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "hostile", "--no-verify")
    return repo

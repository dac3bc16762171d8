"""Fixtures shared by the whole suite: temporary Git repositories, tests/fixtures, the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
MLAUDIT = shutil.which("mlaudit") or str(Path(sys.executable).parent / "mlaudit")

# Markers for what a CI machine cannot have; only a test carrying one may skip when CI is set
# (CONTRIBUTING.md, "Test markers"). Everything else a test needs, CI installs: a skip there is a failure.
CI_MAY_SKIP = {
    "needs_network": "reaches a public service (the package index, OSV) that may be unreachable",
    "needs_gpu": "needs a GPU",
}


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _ci_failure(reason: str) -> str:
    return (f"skipped under CI ({reason}); CI must run every test. Install what it needs in .ci/run, "
            f"or mark it with one of {', '.join(sorted(CI_MAY_SKIP))} if CI cannot have it (CONTRIBUTING.md)")


def _skip_reason(longrepr: object) -> str:
    return str(longrepr[2]) if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Under CI, turn a skip into a failure unless the test is marked for something CI cannot have."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    if not (report.skipped and _in_ci()) or hasattr(report, "wasxfail"):
        return
    if any(item.get_closest_marker(name) for name in CI_MAY_SKIP):
        return
    report.outcome = "failed"
    report.longrepr = _ci_failure(_skip_reason(report.longrepr))


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[None]:
    """Under CI, a module that skips itself at import (``pytest.importorskip`` at the top) fails too."""
    outcome = yield
    report: pytest.CollectReport = outcome.get_result()  # type: ignore[attr-defined]
    if report.skipped and _in_ci():
        report.outcome = "failed"
        report.longrepr = _ci_failure(_skip_reason(report.longrepr))


# Fixtures of end-to-end tests: the real pre-commit framework (it builds the hooks' environment) and
# scancode-toolkit's licence index (seconds to load): their tests are `slow`.
_SLOW_FIXTURES = frozenset({"hook_repo", "pre_commit_home", "scancode_index"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the end-to-end pre-commit tests `slow`, so `pytest -m "not slow"` is the edit loop."""
    for item in items:
        if _SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def fixture_path(*parts: str) -> Path:
    """A path under tests/fixtures (see its README for sources and licences); a missing one is an error."""
    path = FIXTURES.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"test fixture {path} is missing from the repository")
    return path


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` and return its stdout (raises on failure)."""
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


def init_repo(path: Path) -> Path:
    """A fresh Git repository with a committer identity and no hooks of the user's."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "test@example.invalid")
    git(path, "config", "user.name", "mlaudit test")
    git(path, "config", "commit.gpgsign", "false")
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty Git repository."""
    return init_repo(tmp_path / "repo")


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test gets its own mlaudit cache, never the user's."""
    monkeypatch.setenv("MLAUDIT_CACHE_DIR", str(tmp_path / "mlaudit-cache"))
    yield


def run_mlaudit(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
                timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the installed ``mlaudit`` command line."""
    return subprocess.run([MLAUDIT, *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout, check=False)


PRE_COMMIT = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
_HOOK_REPO_PARTS = ("src", "hooks", "templates", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml")


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This project, as it is on disk, committed into a temporary repository pre-commit can clone.

    pre-commit installs a hook repository at a commit; copying the working tree
    tests the code as it is now, not as it was last committed. Returns (path, rev).
    """
    dest = init_repo(tmp_path_factory.mktemp("hook-repo") / "mlaudit")
    for part in _HOOK_REPO_PARTS:
        src = PROJECT_ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(src, dest / part)
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "snapshot for tests")
    return dest, git(dest, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit cache for the session, so the hook environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def write_pre_commit_config(repo: Path, hook_repo: tuple[Path, str], hooks: list[dict[str, object]]) -> None:
    """Point ``repo``'s ``.pre-commit-config.yaml`` at the snapshot of this project."""
    import yaml

    path, rev = hook_repo
    config = {"repos": [{"repo": str(path), "rev": rev, "hooks": hooks}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


def run_pre_commit(repo: Path, pre_commit_home: Path, *args: str,
                   timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """``pre-commit run ...`` in ``repo`` with the session's pre-commit cache."""
    env = {**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run([PRE_COMMIT, *args], cwd=repo, capture_output=True, text=True,
                          env=env, timeout=timeout, check=False)


def git_commit(repo: Path, pre_commit_home: Path, message: str = "change") -> subprocess.CompletedProcess[str]:
    """``git commit`` in ``repo`` with hooks installed by pre-commit (the user's real flow)."""
    env = {**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", message],
                          capture_output=True, text=True, env=env, timeout=600, check=False)

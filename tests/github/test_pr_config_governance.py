"""Attacks on the pull-request audit through the pull request's own configuration (issue 15, case 5).

Each test builds a real Git repository whose base commit (``main``) holds the
trusted ``mlaudit.toml`` and whose head commit (``feature``) is the hostile
pull request, then runs ``mlaudit github`` on a ``pull_request`` event against
the loopback GitHub API. The base branch's configuration must govern: the
pull request's loosening is shown under "Configuration changed", is a failing
``config.loosened`` finding, and has no effect on what is audited.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import git, init_repo, run_mlaudit
from github_actions_env import PR_NUMBER, REPO, actions_env, read_outputs, write_event
from github_api_server import GitHubApiServer, add_pull_request
from serialization_samples import reduce_pickle

from mlaudit.registry import REGISTRY

pytestmark = pytest.mark.slow  # end-to-end: real git repositories and mlaudit runs (the edit loop is `-m 'not slow'`)

# Every check but serialization and performance is disabled on the base, to keep the runs short.
OTHERS = sorted(c for c in REGISTRY if c not in ("serialization", "performance"))
BASE_CONFIG = "disable = [" + ", ".join(f'"{c}"' for c in OTHERS) + "]\n"
DANGEROUS_PICKLE = reduce_pickle("os", "system")  # bytes only: never loaded


def _write(root: Path, files: dict[str, bytes | str]) -> None:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)


def make_pull_request(tmp: Path, base: dict[str, bytes | str], head: dict[str, bytes | str]) -> dict[str, Any]:
    """A repository: ``base`` committed on main, then ``head`` (overwriting) committed on feature."""
    root = init_repo(tmp / "tiny-model")
    _write(root, {"README.md": "# tiny model\n", **base})
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    base_sha = git(root, "rev-parse", "HEAD").strip()
    git(root, "checkout", "-q", "-b", "feature")
    _write(root, head)
    git(root, "add", "-A")
    git(root, "-c", "user.name=Mallory Contributor", "commit", "-q", "-m", "pull request")
    head_sha = git(root, "rev-parse", "HEAD").strip()
    return {"root": root, "base_sha": base_sha, "head_sha": head_sha, "tmp": tmp}


def run_pr(pr: dict[str, Any], *args: str) -> tuple[Any, dict[str, str], str, dict[str, Any]]:
    """Run ``mlaudit github`` on the pull request: (result, env, comment body, JSON report)."""
    with GitHubApiServer() as api:
        add_pull_request(api, REPO, PR_NUMBER, head_sha=pr["head_sha"], base_sha=pr["base_sha"])
        env = actions_env(api, write_event(pr["tmp"], pr["base_sha"], pr["head_sha"]), pr["tmp"])
        result = run_mlaudit("github", str(pr["root"]), *args, env=env)
        posted = comments(api)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    [comment] = posted
    outputs = read_outputs(Path(env["GITHUB_OUTPUT"]))
    report = json.loads(Path(outputs["report-json"]).read_text())
    return result, env, str(comment["body"]), report


def comments(api: GitHubApiServer) -> list[dict[str, Any]]:
    return list(api.repos[REPO].comments.values())


def section(body: str, title: str) -> str:
    assert title in body, body
    return body.split(title, 1)[1].split("\n### ", 1)[0]


def findings(report: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(f["rule"], f.get("path")) for c in report["checks"] for f in c["findings"]]


def test_pr_that_excludes_its_own_pickle_is_audited_with_the_base_config(tmp_path: Path) -> None:
    pr = make_pull_request(
        tmp_path,
        base={"mlaudit.toml": BASE_CONFIG},
        head={
            "mlaudit.toml": BASE_CONFIG + 'exclude = ["extras/**"]\n',
            "extras/helper.pkl": DANGEROUS_PICKLE,
        },
    )
    result, env, body, report = run_pr(pr)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "PASS" not in body.splitlines()[1]
    changed = section(body, "### ⚙️ Configuration changed")
    assert "exclude" in changed and "extras/**" in changed and "loosening" in changed
    new = section(body, "### 🆕 New in this pull request")
    assert "config.loosened" in new
    assert "serialization.dangerous-import" in new and "extras/helper.pkl" in new
    assert ("serialization.dangerous-import", "extras/helper.pkl") in findings(report)
    config = next(c for c in report["checks"] if c["id"] == "config")
    assert config["status"] == "fail"
    assert [(c["key"], c["kind"]) for c in config["evidence"]["changes"]] == [("exclude", "loosening")]
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert "Configuration changed" in summary and "config.loosened" in summary


def test_pr_that_waives_its_own_finding_still_fails(tmp_path: Path) -> None:
    waiver = (
        '[[waivers]]\nrule = "serialization.dangerous-import"\npath = "extras/**"\n'
        'reason = "only a helper"\nowner = "mallory"\nexpires = 2099-01-01\n'
    )
    pr = make_pull_request(
        tmp_path,
        base={"mlaudit.toml": BASE_CONFIG},
        head={"mlaudit.toml": BASE_CONFIG + waiver, "extras/helper.pkl": DANGEROUS_PICKLE},
    )
    result, _, body, report = run_pr(pr)
    assert result.returncode == 1
    assert ("serialization.dangerous-import", "extras/helper.pkl") in findings(report)
    assert not [a for c in report["checks"] for a in c.get("accepted", [])], "the PR's waiver must not apply"
    changed = section(body, "### ⚙️ Configuration changed")
    assert "waivers" in changed and "serialization.dangerous-import" in changed and "loosening" in changed
    assert "config.loosened" in section(body, "### 🆕 New in this pull request")


def test_pr_that_disables_a_check_still_gets_it_run(tmp_path: Path) -> None:
    disabled = "disable = [" + ", ".join(f'"{c}"' for c in [*OTHERS, "serialization"]) + "]\n"
    pr = make_pull_request(
        tmp_path,
        base={"mlaudit.toml": BASE_CONFIG},
        head={"mlaudit.toml": disabled, "model/extra.pkl": DANGEROUS_PICKLE},
    )
    result, _, body, report = run_pr(pr)
    assert result.returncode == 1
    assert ("serialization.dangerous-import", "model/extra.pkl") in findings(report)
    changed = section(body, "### ⚙️ Configuration changed")
    assert "disable" in changed and "serialization" in changed and "loosening" in changed


def test_pr_that_raises_fail_on_is_held_to_the_base_threshold(tmp_path: Path) -> None:
    base = BASE_CONFIG + 'fail_on = "medium"\n'
    pr = make_pull_request(
        tmp_path,
        base={"mlaudit.toml": base},
        head={
            "mlaudit.toml": BASE_CONFIG + 'fail_on = "critical"\n',
            "model/layers.pkl": reduce_pickle("mypkg.layers", "Block"),  # medium: unknown import
        },
    )
    result, _, body, report = run_pr(pr)
    assert result.returncode == 1
    assert report["fail_on"] == "medium"
    serialization = next(c for c in report["checks"] if c["id"] == "serialization")
    assert serialization["status"] == "fail"
    changed = section(body, "### ⚙️ Configuration changed")
    assert "fail_on" in changed and "medium" in changed and "critical" in changed and "loosening" in changed


def test_pr_evaluation_command_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "pwned-marker"
    command = f'[performance]\ncommand = "touch {marker}"\n'
    for trusted in (False, True):
        base = BASE_CONFIG + ("trust_pr_config = true\n" if trusted else "")
        pr = make_pull_request(
            tmp_path / str(trusted), base={"mlaudit.toml": base}, head={"mlaudit.toml": base + command}
        )
        result, _, body, _ = run_pr(pr)
        assert not marker.exists(), f"the pull request's evaluation command ran (trust_pr_config={trusted})"
        changed = section(body, "### ⚙️ Configuration changed")
        assert "performance.command" in changed and "loosening" in changed
        if not trusted:
            assert result.returncode == 1
            assert "config.loosened" in body


def test_pr_cannot_turn_on_trust_in_its_own_config(tmp_path: Path) -> None:
    pr = make_pull_request(
        tmp_path,
        base={"mlaudit.toml": BASE_CONFIG},
        head={
            "mlaudit.toml": BASE_CONFIG + 'trust_pr_config = true\nexclude = ["extras/**"]\n',
            "extras/helper.pkl": DANGEROUS_PICKLE,
        },
    )
    result, _, body, report = run_pr(pr)
    assert result.returncode == 1
    assert ("serialization.dangerous-import", "extras/helper.pkl") in findings(report)
    changed = section(body, "### ⚙️ Configuration changed")
    assert "trust_pr_config" in changed and "exclude" in changed


def test_pyproject_config_of_the_pr_is_diffed_too(tmp_path: Path) -> None:
    pyproject = '[project]\nname = "tiny"\nversion = "1"\n\n[tool.mlaudit]\n' + BASE_CONFIG
    pr = make_pull_request(
        tmp_path,
        base={"pyproject.toml": pyproject},
        head={
            "pyproject.toml": pyproject + '[tool.mlaudit.serialization]\nallow = ["os.system"]\n',
            "extras/helper.pkl": DANGEROUS_PICKLE,
        },
    )
    result, _, body, report = run_pr(pr)
    assert result.returncode == 1
    assert ("serialization.dangerous-import", "extras/helper.pkl") in findings(report)
    changed = section(body, "### ⚙️ Configuration changed")
    assert "serialization.allow" in changed and "os.system" in changed


def test_with_trust_pr_config_the_pr_config_governs_and_is_still_listed(tmp_path: Path) -> None:
    base = BASE_CONFIG + "trust_pr_config = true\n"
    pr = make_pull_request(
        tmp_path,
        base={"mlaudit.toml": base},
        head={"mlaudit.toml": base + 'exclude = ["extras/**"]\n', "extras/helper.pkl": DANGEROUS_PICKLE},
    )
    result, _, body, report = run_pr(pr)
    assert result.returncode == 0, body
    assert ("serialization.dangerous-import", "extras/helper.pkl") not in findings(report)
    changed = section(body, "### ⚙️ Configuration changed")
    assert "exclude" in changed and "extras/**" in changed and "loosening" in changed
    assert "trust_pr_config" in changed  # says why the loosening does not fail
    assert "config.loosened" not in body


def test_unchanged_config_adds_no_section(tmp_path: Path) -> None:
    pr = make_pull_request(
        tmp_path, base={"mlaudit.toml": BASE_CONFIG}, head={"notes.txt": "nothing to see\n"}
    )
    result, _, body, report = run_pr(pr)
    assert result.returncode == 0, body
    assert "Configuration changed" not in body
    assert "config" not in [c["id"] for c in report["checks"]]

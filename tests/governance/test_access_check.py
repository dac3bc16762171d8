"""The ``access`` check against the loopback GitHub API with real-shaped answers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import git, init_repo, run_mlaudit
from github_api_governance_routes import (
    classic_protection,
    collaborator,
    governance_state,
    pull_request_rule,
    register_governance_routes,
    ruleset,
    status_checks_rule,
    team,
)
from github_api_server import GitHubApiServer

from mlaudit.config import load_config
from mlaudit.context import AuditContext
from mlaudit.engine import run_audit
from mlaudit.model import CheckResult, Status

pytestmark = pytest.mark.slow  # end-to-end: real git repositories and mlaudit runs (the edit loop is `-m 'not slow'`)

REPO = "octo/model"
CHECKOUT = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683"  # v4.2.2
WORKFLOW = f"""name: audit
on:
  pull_request:
permissions: {{}}
jobs:
  audit:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: {CHECKOUT}
        with:
          persist-credentials: false
      - run: echo audit
"""
CODEOWNERS = """# Owners of what the model is made of
*                      @octo/maintainers
*.safetensors          @octo/ml-leads
weights.lock.json      @octo/ml-leads
README.md              @octo/ml-leads @alice
mlaudit.toml           @octo/security
/.github/workflows/    @octo/security
"""


def _write(root: Path, rel: str, text: str | bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)


@pytest.fixture
def model_repo(tmp_path: Path) -> Path:
    """A model repository whose files satisfy the policy (CODEOWNERS, least-privilege workflow)."""
    root = init_repo(tmp_path / "model")
    _write(root, "README.md", "---\nlicense: apache-2.0\n---\n# Model\n")
    _write(root, "model.safetensors", b"\x08\x00\x00\x00\x00\x00\x00\x00{}      ")
    _write(root, "weights.lock.json", "{}\n")
    _write(root, "mlaudit.toml", "[access]\nmax_admins = 2\nmax_writers = 5\n")
    _write(root, ".github/CODEOWNERS", CODEOWNERS)
    _write(root, ".github/workflows/audit.yml", WORKFLOW)
    git(root, "add", "-A")
    return root


def _protected(api: GitHubApiServer) -> None:
    """A well-protected repository: branch and tag rulesets, no classic rule, few admins, 130 readers."""
    state = governance_state(api, REPO)
    state.rulesets = [
        ruleset(42, REPO, rules=[pull_request_rule(1), status_checks_rule("mlaudit", "tests"),
                                 {"type": "non_fast_forward"}, {"type": "deletion"}]),
        ruleset(43, REPO, target="tag", include=["refs/tags/v*"],
                rules=[{"type": "deletion"}, {"type": "update"}, {"type": "non_fast_forward"}]),
    ]
    state.collaborators = ([collaborator("alice", "admin"), collaborator("bob", "write")]
                           + [collaborator(f"reader{i:03d}", "read") for i in range(130)])
    state.teams = [team("ml-leads", "maintain"), team("maintainers", "push"), team("security", "admin")]


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[GitHubApiServer]:
    with GitHubApiServer() as server:
        register_governance_routes(server)
        server.tokens["read-token"] = "read"
        _protected(server)
        for name in ("MLAUDIT_GITHUB_TOKEN", "GH_TOKEN"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("GITHUB_TOKEN", "test-token")
        monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
        monkeypatch.setenv("GITHUB_API_URL", server.url)
        monkeypatch.setenv("MLAUDIT_GITHUB_BACKOFF_S", "0")
        yield server


def _access(root: Path) -> CheckResult:
    report = run_audit(AuditContext(root, load_config(root)), only=["access"])
    result = report.check("access")
    assert result is not None
    return result


def test_well_protected_repository_passes_with_evidence(model_repo: Path, api: GitHubApiServer) -> None:
    result = _access(model_repo)
    assert result.status is Status.PASS, [f.rule + ": " + f.message for f in result.findings]
    evidence = result.evidence
    snapshot = evidence["snapshot"]
    assert snapshot["branch"] == "main" and snapshot["read_at"]
    assert {r["type"] for r in snapshot["branch_rules"]} == {"pull_request", "required_status_checks",
                                                             "non_fast_forward", "deletion"}
    assert snapshot["classic_protection"] is None and "classic_protection" not in snapshot["unreadable"]
    assert len(snapshot["collaborators"]) == 132  # two pages of the paginated list were read
    assert api.requests_to("GET", r"/collaborators$")[-1].query.get("page") == "2"
    assert [a["name"] for a in evidence["access"]["admins"]] == ["alice", "security"]
    assert evidence["effective_protection"]["status_checks"] == ["mlaudit", "tests"]
    assert evidence["workflows"]["workflows"] == [".github/workflows/audit.yml"]


def _weaken_rule(kind: str, **changes: Any) -> Callable[[GitHubApiServer, Path], None]:
    def apply(api: GitHubApiServer, _root: Path) -> None:
        rules = governance_state(api, REPO).rulesets[0]["rules"]
        if changes.get("remove"):
            rules[:] = [r for r in rules if r["type"] != kind]
            return
        for rule in rules:
            if rule["type"] == kind:
                rule["parameters"].update(changes)
    return apply


def _tags_evaluate(api: GitHubApiServer, _root: Path) -> None:
    governance_state(api, REPO).rulesets[1]["enforcement"] = "evaluate"


def _more_admins(api: GitHubApiServer, _root: Path) -> None:
    governance_state(api, REPO).collaborators.append(collaborator("mallory", "admin"))


def _more_writers(api: GitHubApiServer, _root: Path) -> None:
    governance_state(api, REPO).collaborators.extend(collaborator(f"w{i}", "write") for i in range(3))


def _workflows_unowned(_api: GitHubApiServer, root: Path) -> None:
    _write(root, ".github/CODEOWNERS", CODEOWNERS.replace("/.github/workflows/    @octo/security\n", ""))


def _bad_codeowners_line(_api: GitHubApiServer, root: Path) -> None:
    _write(root, ".github/CODEOWNERS", CODEOWNERS + "data/  ml-team\n")


def _no_permissions(_api: GitHubApiServer, root: Path) -> None:
    _write(root, ".github/workflows/audit.yml", WORKFLOW.replace("permissions: {}\n", ""))


def _signed_policy(_api: GitHubApiServer, root: Path) -> None:
    _write(root, "mlaudit.toml", "[access]\nmax_admins = 2\nmax_writers = 5\nrequire_signed_commits = true\n")


WEAKENED = {
    "no pull request": (_weaken_rule("pull_request", remove=True), "access.pull-request-not-required"),
    "zero approvals": (_weaken_rule("pull_request", required_approving_review_count=0),
                       "access.approvals-below-policy"),
    "stale approvals kept": (_weaken_rule("pull_request", dismiss_stale_reviews_on_push=False),
                             "access.stale-approvals-kept"),
    "no code-owner review": (_weaken_rule("pull_request", require_code_owner_review=False),
                             "access.code-owner-review-not-required"),
    "force pushes": (_weaken_rule("non_fast_forward", remove=True), "access.force-push-allowed"),
    "deletions": (_weaken_rule("deletion", remove=True), "access.deletion-allowed"),
    "audit not required": (_weaken_rule("required_status_checks", required_status_checks=[
        {"context": "tests", "integration_id": 15368}]), "access.audit-not-required"),
    "tag ruleset only evaluated": (_tags_evaluate, "access.tags-unprotected"),
    "admin above limit": (_more_admins, "access.too-many-admins"),
    "writers above limit": (_more_writers, "access.too-many-writers"),
    "workflows without owner": (_workflows_unowned, "access.codeowners-catch-all"),
    "CODEOWNERS line GitHub skips": (_bad_codeowners_line, "access.codeowners-invalid"),
    "workflow without permissions": (_no_permissions, "access.workflow-permissions-unset"),
    "signed commits asked": (_signed_policy, "access.unsigned-commits-allowed"),
}


@pytest.mark.parametrize("name", list(WEAKENED))
def test_each_weakened_setting_is_one_finding(name: str, model_repo: Path, api: GitHubApiServer) -> None:
    weaken, rule = WEAKENED[name]
    weaken(api, model_repo)
    result = _access(model_repo)
    assert [f.rule for f in result.findings] == [rule], [f.message for f in result.findings]
    assert result.status in (Status.FAIL, Status.WARN)
    assert result.findings[0].remediation  # says which setting to change, and where


def test_classic_protection_counts_when_there_are_no_rulesets(model_repo: Path, api: GitHubApiServer) -> None:
    state = governance_state(api, REPO)
    state.rulesets = [state.rulesets[1]]  # only the tag ruleset
    state.protection["main"] = classic_protection(REPO, "main")
    assert _access(model_repo).status is Status.PASS
    state.protection["main"] = classic_protection(REPO, "main", force_pushes=True)
    assert [f.rule for f in _access(model_repo).findings] == ["access.force-push-allowed"]


def test_unprotected_branch_with_missing_protection_404(model_repo: Path, api: GitHubApiServer) -> None:
    governance_state(api, REPO).rulesets[0]["enforcement"] = "disabled"
    result = _access(model_repo)
    assert {f.rule for f in result.findings} == {"access.pull-request-not-required", "access.force-push-allowed",
                                                 "access.deletion-allowed", "access.audit-not-required"}
    assert api.requests_to("GET", r"/branches/main/protection$")  # asked, answered 404 "Branch not protected"


def test_read_only_token_is_skipped_with_the_reason(model_repo: Path, api: GitHubApiServer,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "read-token")
    result = _access(model_repo)
    assert result.status is Status.SKIPPED
    assert "403" in result.summary and "collaborators" in result.summary
    assert "Administration: read" in result.summary
    assert not result.findings


def test_unreadable_rulesets_skip_rather_than_pass(model_repo: Path, api: GitHubApiServer) -> None:
    api.fail(403, path=r"/rulesets$", body={"message": "Resource not accessible by integration"})
    result = _access(model_repo)
    assert result.status is Status.SKIPPED and "tag rulesets" in result.summary


def test_no_token_is_skipped_never_passed(model_repo: Path, api: GitHubApiServer,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    result = _access(model_repo)
    assert result.status is Status.SKIPPED and "no GitHub token" in result.summary


def test_api_down_is_an_error(model_repo: Path, api: GitHubApiServer) -> None:
    api.fail(502, path=r"/rules/branches/", times=10)
    result = _access(model_repo)
    assert result.status is Status.ERROR and "502" in result.summary


def test_cli_json_report_carries_the_rules_as_read(model_repo: Path, api: GitHubApiServer) -> None:
    (model_repo / ".github/CODEOWNERS").unlink()
    proc = run_mlaudit("audit", "--only", "access", "--format", "json", str(model_repo))
    assert proc.returncode == 0, proc.stderr  # a medium finding warns; the policy fails on high by default
    check = json.loads(proc.stdout)["checks"][0]
    assert check["status"] == "warn"
    assert [f["rule"] for f in check["findings"]] == ["access.codeowners-missing"]
    assert check["evidence"]["snapshot"]["rulesets"][1]["target"] == "tag"


TARGET_WORKFLOW = f"""on: pull_request_target
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: {CHECKOUT}
        with:
          ref: ${{{{ github.event.pull_request.head.sha }}}}
      - run: echo "${{{{ secrets.GITHUB_TOKEN }}}}" > .token
"""


@pytest.mark.parametrize("zizmor", [True, False])
def test_pull_request_target_checkout_with_and_without_zizmor(zizmor: bool, model_repo: Path,
                                                               api: GitHubApiServer) -> None:
    _write(model_repo, ".github/workflows/target.yml", TARGET_WORKFLOW)
    _write(model_repo, "mlaudit.toml", f"[access]\nmax_admins = 2\nmax_writers = 5\nzizmor = {str(zizmor).lower()}\n")
    git(model_repo, "add", "-A")
    result = _access(model_repo)
    rules = {f.rule for f in result.findings if f.path == ".github/workflows/target.yml"}
    # zizmor's audit ids and the fallback's are the same, so fingerprints survive installing zizmor
    assert {"access.workflow-dangerous-triggers", "access.workflow-artipacked",
            "access.workflow-token-on-disk"} <= rules
    assert result.evidence["workflows"]["auditor"].startswith("zizmor" if zizmor else "mlaudit")


def test_cli_github_token_option_and_markdown_evidence(model_repo: Path, api: GitHubApiServer) -> None:
    env_without_token = {"GITHUB_TOKEN": ""}
    proc = run_mlaudit("audit", "--only", "access", "--format", "markdown", "--github-token", "test-token",
                       str(model_repo), env=env_without_token)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "| Force pushes blocked | yes |" in proc.stdout
    assert "| Required status checks | mlaudit, tests |" in proc.stdout
    assert "Admin access: alice (user), security (team)" in proc.stdout
    assert "test-token" not in proc.stdout

"""Loopback GitHub API routes for the ``access`` check: repository, rules, rulesets, protection, people.

Shapes follow GitHub's REST API (2022-11-28): ``GET /repos/{o}/{r}`` (``default_branch``),
``GET /repos/{o}/{r}/rules/branches/{branch}`` (the active rules that apply, each with
``ruleset_id``), ``GET /repos/{o}/{r}/rulesets`` (summaries) and ``/rulesets/{id}``
(full, with ``rules``), ``GET /repos/{o}/{r}/branches/{branch}/protection`` (404
"Branch not protected" when none; 403 for a token without the administration
permission), ``GET /repos/{o}/{r}/collaborators`` and ``/teams`` (paginated; 403 for
such a token too). State lives in ``Repository.extra`` (see ``GovernanceState``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from github_api_server import ApiRequest, ApiResponse, GitHubApiServer, NotFound

_FORBIDDEN = {"message": "Resource not accessible by integration",
              "documentation_url": "https://docs.github.com/rest/branches/branch-protection"}


@dataclass
class GovernanceState:
    """What the routes serve for one repository."""

    default_branch: str = "main"
    rulesets: list[dict[str, Any]] = field(default_factory=list)
    protection: dict[str, dict[str, Any]] = field(default_factory=dict)
    collaborators: list[dict[str, Any]] = field(default_factory=list)
    teams: list[dict[str, Any]] = field(default_factory=list)


def governance_state(server: GitHubApiServer, full_name: str) -> GovernanceState:
    """The state of ``full_name`` (created with the repository when absent)."""
    repo = server.add_repository(full_name)
    state = repo.extra.setdefault("governance", GovernanceState())
    assert isinstance(state, GovernanceState)
    return state


def _admin_read(server: GitHubApiServer, request: ApiRequest) -> bool:
    # A read-only token (e.g. a fork's GITHUB_TOKEN) lacks the administration permission.
    return server.tokens.get(request.token or "") == "write"


def _branch_matches(ruleset: dict[str, Any], branch: str, default_branch: str) -> bool:
    include = ruleset.get("conditions", {}).get("ref_name", {}).get("include", [])
    names = {branch, f"refs/heads/{branch}"}
    return "~ALL" in include or bool(names & set(include)) or (
        "~DEFAULT_BRANCH" in include and branch == default_branch)


def register_governance_routes(server: GitHubApiServer) -> None:
    """Add the routes the ``access`` check reads."""
    base = "/repos/{owner}/{repo}"

    def state_of(srv: GitHubApiServer, req: ApiRequest) -> GovernanceState:
        repo = srv.repository(req)
        return governance_state(srv, repo.full_name)

    @server.route("GET", base)
    def get_repository(srv: GitHubApiServer, req: ApiRequest) -> Any:
        repo = srv.repository(req)
        state = governance_state(srv, repo.full_name)
        owner, name = repo.full_name.split("/")
        return {"id": 1296269, "name": name, "full_name": repo.full_name, "private": False,
                "owner": {"login": owner, "type": "Organization"}, "default_branch": state.default_branch,
                "visibility": "public"}

    @server.route("GET", base + "/rules/branches/{branch}")
    def branch_rules(srv: GitHubApiServer, req: ApiRequest) -> ApiResponse:
        state = state_of(srv, req)
        rules = []
        for ruleset in state.rulesets:
            if ruleset["target"] != "branch" or ruleset["enforcement"] != "active":
                continue
            if not _branch_matches(ruleset, req.params["branch"], state.default_branch):
                continue
            for rule in ruleset["rules"]:
                rules.append({**copy.deepcopy(rule), "ruleset_source_type": "Repository",
                              "ruleset_source": srv.repository(req).full_name, "ruleset_id": ruleset["id"]})
        return srv.paginate(req, rules)

    @server.route("GET", base + "/rulesets")
    def list_rulesets(srv: GitHubApiServer, req: ApiRequest) -> ApiResponse:
        summaries = [{k: r[k] for k in ("id", "name", "target", "source_type", "source", "enforcement",
                                         "node_id", "created_at", "updated_at")}
                     for r in state_of(srv, req).rulesets]
        return srv.paginate(req, summaries)

    @server.route("GET", base + "/rulesets/{ruleset_id}")
    def get_ruleset(srv: GitHubApiServer, req: ApiRequest) -> Any:
        for ruleset in state_of(srv, req).rulesets:
            if str(ruleset["id"]) == req.params["ruleset_id"]:
                return ruleset
        raise NotFound()

    @server.route("GET", base + "/branches/{branch}/protection")
    def get_protection(srv: GitHubApiServer, req: ApiRequest) -> ApiResponse:
        state = state_of(srv, req)
        if not _admin_read(srv, req):
            return ApiResponse(403, _FORBIDDEN)
        protection = state.protection.get(req.params["branch"])
        if protection is None:
            return ApiResponse(404, {"message": "Branch not protected",
                                     "documentation_url": "https://docs.github.com/rest/branches/branch-protection"})
        return ApiResponse(200, protection)

    @server.route("GET", base + "/collaborators")
    def list_collaborators(srv: GitHubApiServer, req: ApiRequest) -> ApiResponse:
        state = state_of(srv, req)
        if not _admin_read(srv, req):
            return ApiResponse(403, _FORBIDDEN)
        return srv.paginate(req, state.collaborators)

    @server.route("GET", base + "/teams")
    def list_teams(srv: GitHubApiServer, req: ApiRequest) -> ApiResponse:
        state = state_of(srv, req)
        if not _admin_read(srv, req):
            return ApiResponse(403, _FORBIDDEN)
        return srv.paginate(req, state.teams)


def ruleset(ruleset_id: int, full_name: str, *, target: str = "branch", include: list[str] | None = None,
            rules: list[dict[str, Any]], enforcement: str = "active") -> dict[str, Any]:
    """A full ruleset as ``GET /repos/{o}/{r}/rulesets/{id}`` returns it."""
    return {
        "id": ruleset_id, "name": f"{target} ruleset {ruleset_id}", "target": target, "source_type": "Repository",
        "source": full_name, "enforcement": enforcement, "node_id": f"RRS_{ruleset_id}",
        "bypass_actors": [], "current_user_can_bypass": "never",
        "conditions": {"ref_name": {"include": include or ["~DEFAULT_BRANCH"], "exclude": []}},
        "rules": rules, "created_at": "2026-01-05T10:00:00.000Z", "updated_at": "2026-02-01T09:30:00.000Z",
        "_links": {"self": {"href": f"https://api.github.invalid/repos/{full_name}/rulesets/{ruleset_id}"}},
    }


def pull_request_rule(approvals: int = 1, *, dismiss_stale: bool = True, code_owners: bool = True) -> dict[str, Any]:
    """A ``pull_request`` rule."""
    return {"type": "pull_request", "parameters": {
        "required_approving_review_count": approvals, "dismiss_stale_reviews_on_push": dismiss_stale,
        "require_code_owner_review": code_owners, "require_last_push_approval": False,
        "required_review_thread_resolution": False, "automatic_copilot_code_review_enabled": False,
        "allowed_merge_methods": ["merge", "squash", "rebase"]}}


def status_checks_rule(*contexts: str) -> dict[str, Any]:
    """A ``required_status_checks`` rule."""
    return {"type": "required_status_checks", "parameters": {
        "strict_required_status_checks_policy": True, "do_not_enforce_on_create": False,
        "required_status_checks": [{"context": c, "integration_id": 15368} for c in contexts]}}


def classic_protection(full_name: str, branch: str, *, approvals: int = 1, contexts: tuple[str, ...] = ("mlaudit",),
                       force_pushes: bool = False, deletions: bool = False) -> dict[str, Any]:
    """Classic branch protection as ``GET .../branches/{b}/protection`` returns it."""
    url = f"https://api.github.invalid/repos/{full_name}/branches/{branch}/protection"
    return {
        "url": url,
        "required_status_checks": {"url": url + "/required_status_checks", "strict": True,
                                   "contexts": list(contexts),
                                   "checks": [{"context": c, "app_id": 15368} for c in contexts]},
        "required_pull_request_reviews": {"url": url + "/required_pull_request_reviews",
                                          "dismiss_stale_reviews": True, "require_code_owner_reviews": True,
                                          "required_approving_review_count": approvals,
                                          "require_last_push_approval": False},
        "required_signatures": {"url": url + "/required_signatures", "enabled": False},
        "enforce_admins": {"url": url + "/enforce_admins", "enabled": True},
        "required_linear_history": {"enabled": False},
        "allow_force_pushes": {"enabled": force_pushes},
        "allow_deletions": {"enabled": deletions},
        "block_creations": {"enabled": False},
        "required_conversation_resolution": {"enabled": False},
        "lock_branch": {"enabled": False},
        "allow_fork_syncing": {"enabled": False},
    }


def collaborator(login: str, role: str) -> dict[str, Any]:
    """A collaborator with ``role`` (admin, maintain, write, triage, read)."""
    rank = ["read", "triage", "write", "maintain", "admin"].index(role)
    return {"login": login, "id": abs(hash(login)) % 10**7, "type": "User", "site_admin": False,
            "html_url": f"https://github.invalid/{login}", "role_name": role,
            "permissions": {"pull": True, "triage": rank >= 1, "push": rank >= 2, "maintain": rank >= 3,
                            "admin": rank >= 4}}


def team(slug: str, permission: str) -> dict[str, Any]:
    """A team with ``permission`` (pull, triage, push, maintain, admin)."""
    return {"id": abs(hash(slug)) % 10**7, "slug": slug, "name": slug.replace("-", " ").title(),
            "privacy": "closed", "permission": permission,
            "html_url": f"https://github.invalid/orgs/octo/teams/{slug}"}

"""``[tool.mlaudit.access]``: the policy the ``access`` check holds the repository's settings to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AccessOptions:
    """``[tool.mlaudit.access]``."""

    repository: str = ""
    """``owner/name``; default ``GITHUB_REPOSITORY``, else the ``origin`` remote of the work tree."""
    api_url: str = ""
    """REST API base; default ``GITHUB_API_URL``, else ``https://api.github.com``."""
    token_env: tuple[str, ...] = ("MLAUDIT_GITHUB_TOKEN", "GITHUB_TOKEN", "GH_TOKEN")
    """Environment variables tried, in order, for the token (never put a token in the configuration)."""
    branch: str = ""
    """The branch to audit; default the repository's default branch."""
    required_approvals: int = 1
    """Approving reviews a pull request needs before it can merge."""
    dismiss_stale_reviews: bool = True
    """New pushes must dismiss earlier approvals."""
    require_code_owner_review: bool = True
    """Code owners must approve changes to the paths they own."""
    require_signed_commits: bool = False
    """Commits on the branch must carry verified signatures."""
    status_check: str = "mlaudit"
    """Name (context) of the mlaudit job among the branch's required status checks; empty = not required."""
    protect_tags: bool = True
    """An active tag ruleset must block deleting and moving release tags."""
    max_admins: int = 3
    """More people or teams with admin access than this is a finding."""
    max_writers: int = 15
    """More people or teams with write (push or maintain) access than this is a finding."""
    codeowners_paths: tuple[str, ...] = ()
    """Extra paths (besides weights, manifest, model card, configuration, workflows) CODEOWNERS must cover."""
    workflows: bool = True
    """Audit ``.github/workflows/`` (permissions, pull_request_target, credentials on disk)."""
    zizmor: bool = True
    """Use zizmor's offline findings for workflows when it is installed."""
    timeout_s: float = 30.0
    """Per-request timeout against the API."""

    def __post_init__(self) -> None:
        if self.required_approvals < 0 or self.required_approvals > 10:
            raise ValueError("'required_approvals' must be between 0 and 10 (GitHub's range)")
        if self.max_admins < 0 or self.max_writers < 0:
            raise ValueError("'max_admins' and 'max_writers' must not be negative")

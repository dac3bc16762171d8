"""Which repository the ``access`` check reads, through which API, with which token."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mlaudit.errors import CheckSkipped
from mlaudit.git_safe import run_git
from mlaudit.governance.access_options import AccessOptions

DEFAULT_API_URL = "https://api.github.com"
_REMOTE = re.compile(r"[:/](?P<owner>[A-Za-z0-9_.-]+)/(?P<name>[A-Za-z0-9_.-]+?)(?:\.git)?/?$")
_FULL_NAME = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class GitHubTarget:
    """Where to read: the repository ``owner/name``, the API base URL and the token."""

    repository: str
    api_url: str
    token: str
    token_source: str

    @property
    def owner(self) -> str:
        """The owner (user or organisation)."""
        return self.repository.split("/", 1)[0]

    @property
    def name(self) -> str:
        """The repository's name."""
        return self.repository.split("/", 1)[1]


def resolve_target(
    root: Path, options: AccessOptions, env: Mapping[str, str] | None = None, token: str | None = None
) -> GitHubTarget:
    """The target from options, then the Actions variables, then the Git remote; skipped when incomplete.

    ``token`` (``--github-token``) wins over the environment variables of ``token_env``.
    """
    environ = dict(os.environ if env is None else env)
    if token:
        environ["--github-token"] = token
        token_source = "--github-token"
    else:
        token_source = next((name for name in options.token_env if environ.get(name)), "")
    if not token_source:
        tried = ", ".join(options.token_env)
        raise CheckSkipped(
            f"no GitHub token: set one of {tried} (in Actions: `env: GITHUB_TOKEN: ${{{{ github.token }}}}`) "
            "to read the repository's rules, protection and collaborators"
        )
    repository = options.repository or environ.get("GITHUB_REPOSITORY", "") or remote_repository(root)
    if not repository:
        raise CheckSkipped(
            'cannot tell which GitHub repository this is: set [tool.mlaudit.access] repository = "owner/name" '
            "or GITHUB_REPOSITORY, or add an 'origin' remote"
        )
    if not _FULL_NAME.match(repository):
        raise CheckSkipped(f"'{repository}' is not a repository name of the form owner/name")
    api_url = options.api_url or environ.get("GITHUB_API_URL", "") or DEFAULT_API_URL
    return GitHubTarget(repository, api_url.rstrip("/"), environ[token_source], token_source)


def remote_repository(root: Path) -> str:
    """``owner/name`` from the ``origin`` remote's URL ('' when there is none)."""
    url = run_git(root, "config", "--get", "remote.origin.url", timeout=30)
    match = _REMOTE.search(url.strip()) if url is not None else None
    return f"{match['owner']}/{match['name']}" if match else ""

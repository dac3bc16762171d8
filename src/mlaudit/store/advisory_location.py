"""Which advisory database decides the ``vulns`` verdict: the user's choice, never the audited repository's.

A repository that commits its own "advisory database" (valid, but missing the
advisories that matter) and names it in its config would pass the vulns check.
So the order is:

1. the caller's own choice on the command line (``--advisory-db``, which the
   Action's ``advisory-db`` input becomes);
2. ``$MLAUDIT_ADVISORY_DB`` (the user's environment);
3. ``advisory_db`` of the audited repository's config, **only** on a
   developer's machine: in CI (``CI`` or ``GITHUB_ACTIONS`` set) and in
   pull-request mode it is ignored;
4. none: the public OSV service.

A database that resolves inside the audited root is refused (the repository
would be vouching for itself), except when the user names it explicitly on the
command line: that is used, and the report's database evidence says it lies
inside the repository. Every decision comes back as a note for the user.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mlaudit.repo_paths import lies_inside
from mlaudit.store.cache_location import running_in_ci

CLI_SOURCE = "--advisory-db"
ENV_VARIABLE = "MLAUDIT_ADVISORY_DB"
ENV_SOURCE = f"${ENV_VARIABLE}"
CONFIG_SOURCE = "advisory_db in the repository's config"


@dataclass(frozen=True)
class AdvisoryLocation:
    """The local advisory database chosen (None: the public service), who chose it, and what to tell the user."""

    path: Path | None
    source: str | None = None
    inside_repository: bool = False
    """True only for a database given explicitly on the command line that lies inside the audited root."""
    notes: tuple[str, ...] = ()


def choose_advisory_db(root: Path, *, explicit: Path | None, configured: str | None,
                       untrusted_config: bool = False) -> AdvisoryLocation:
    """The advisory database for auditing ``root`` (see the module docstring for the order).

    ``configured`` is the repository's ``advisory_db``; ``untrusted_config`` says the
    caller audits in pull-request mode (the config is the pull request's).
    """
    notes: list[str] = []
    if explicit is not None:
        if lies_inside(explicit, root):
            notes.append(f"advisory database {explicit} ({CLI_SOURCE}) lies inside the audited repository; "
                         "used because you named it on the command line")
            return AdvisoryLocation(explicit, CLI_SOURCE, True, tuple(notes))
        return AdvisoryLocation(explicit, CLI_SOURCE)
    candidates: list[tuple[Path, str]] = []
    env = os.environ.get(ENV_VARIABLE)
    if env:
        candidates.append((Path(env).expanduser(), ENV_SOURCE))
    if configured:
        if untrusted_config or running_in_ci():
            where = "in pull-request mode" if untrusted_config else "in CI"
            notes.append(f"advisory_db = {configured!r} from the audited repository's config is ignored {where} "
                         f"(pass --advisory-db or set {ENV_VARIABLE} instead)")
        elif not candidates:
            path = Path(configured).expanduser()
            candidates.append((path if path.is_absolute() else root / path, CONFIG_SOURCE))
    for path, source in candidates:
        if lies_inside(path, root):
            notes.append(f"advisory database {path} ({source}) is inside the audited repository and is refused: "
                         "a repository never chooses the advisories it is judged against "
                         f"(name it with {CLI_SOURCE} to use it anyway)")
            continue
        return AdvisoryLocation(path.absolute(), source, False, tuple(notes))
    return AdvisoryLocation(None, None, False, tuple(notes))

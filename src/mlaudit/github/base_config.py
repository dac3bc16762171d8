"""The base branch's configuration, read from the base commit's Git objects, never from the checkout.

In a pull request the checkout is the head: its ``mlaudit.toml`` and
``pyproject.toml`` are the pull request's. The trusted configuration is the one
committed on the base branch, so it is read with ``git ls-tree`` / ``git cat-file``
from that commit, the same way ``config.find_config`` reads files: ``mlaudit.toml``,
else ``[tool.mlaudit]`` of ``pyproject.toml``, else the defaults. A ``--config``
file outside the audited tree is the workflow's own and is read as is.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlaudit.config import CONFIG_FILE, PYPROJECT, Config, config_from_table, load_config
from mlaudit.errors import ConfigError, UsageError
from mlaudit.git_safe import run_git

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

_REGULAR_FILE_MODES = ("100644", "100755")


class BaseCommitUnavailable(UsageError):
    """The base commit is not in the checkout (shallow clone), so its configuration cannot be read."""


@dataclass(frozen=True)
class TrustedConfig:
    """A configuration and where it came from (``label`` names the file, None for the defaults)."""

    config: Config
    label: str | None


def config_label(config: Config, root: Path) -> str | None:
    """The configuration's file relative to ``root`` (``pyproject.toml [tool.mlaudit]``), None for defaults."""
    if config.path is None:
        return None
    path = Path(os.path.abspath(config.path))
    top = Path(os.path.abspath(root))
    name = path.relative_to(top).as_posix() if path.is_relative_to(top) else str(config.path)
    return f"{name} [tool.mlaudit]" if config.prefix == "tool.mlaudit." else name


def _blob_text(root: Path, commit: str, rel_path: str) -> str | None:
    """The text of ``rel_path`` (relative to ``root``) at ``commit``; None when it has no such file."""
    listing = run_git(root, "ls-tree", "-z", commit, "--", rel_path)
    if listing is None:
        raise BaseCommitUnavailable(f"cannot list {rel_path} at the base commit {commit[:12]}")
    if not listing.strip("\0"):
        return None
    meta = listing.split("\0", 1)[0].split("\t", 1)[0].split()
    if len(meta) != 3 or meta[1] != "blob" or meta[0] not in _REGULAR_FILE_MODES:
        raise ConfigError(f"{rel_path} on the base branch ({commit[:12]}) is not a regular file")
    text = run_git(root, "cat-file", "blob", meta[2])
    if text is None:
        raise BaseCommitUnavailable(f"cannot read {rel_path} at the base commit {commit[:12]}")
    return text


def _parse(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{where}: invalid TOML: nested too deeply") from None


def _from_blob(root: Path, commit: str, rel_path: str) -> tuple[dict[str, Any], str] | None:
    """(table, prefix) of a configuration file at ``commit``; None when the commit has no such file."""
    text = _blob_text(root, commit, rel_path)
    if text is None:
        return None
    data = _parse(text, f"{rel_path} on the base branch ({commit[:12]})")
    if Path(rel_path).name != PYPROJECT:
        return data, ""
    tool = data.get("tool", {})
    if not isinstance(tool, dict) or "mlaudit" not in tool:
        return None
    if not isinstance(tool["mlaudit"], dict):
        raise ConfigError(f"{rel_path} on the base branch ({commit[:12]}): [tool.mlaudit] must be a table")
    return tool["mlaudit"], "tool.mlaudit."


def _commit_exists(root: Path, commit: str) -> bool:
    return bool(commit) and run_git(root, "rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}") is not None


def _validated(config: Config) -> Config:
    from mlaudit.registry import SECTION_TYPES  # every check: imported only when a base branch is read

    config.validate(SECTION_TYPES)
    return config


def base_branch_config(root: Path, commit: str, explicit: Path | None = None) -> TrustedConfig:
    """The configuration committed at ``commit`` for the tree at ``root`` (validated).

    ``explicit`` (``--config``) outside ``root`` is the workflow's file and read
    from disk; inside ``root`` it names the file read from the commit.
    Raises ``BaseCommitUnavailable`` when the commit is not in the checkout.
    """
    top = Path(os.path.abspath(root))
    if explicit is not None and not Path(os.path.abspath(explicit)).is_relative_to(top):
        config = _validated(load_config(root, explicit))
        return TrustedConfig(config, str(explicit))
    if not _commit_exists(root, commit):
        raise BaseCommitUnavailable(f"the base commit {commit[:12] or '(none)'} is not in this checkout")
    if explicit is not None:
        rel = Path(os.path.abspath(explicit)).relative_to(top).as_posix()
        found = _from_blob(root, commit, rel)
        if found is None:
            raise ConfigError(f"{rel}: configuration file not found on the base branch ({commit[:12]})")
        candidates = [(rel, found)]
    else:
        own, pyproject = _from_blob(root, commit, CONFIG_FILE), _from_blob(root, commit, PYPROJECT)
        if own is not None and pyproject is not None:
            raise ConfigError(
                f"both {CONFIG_FILE} and [tool.mlaudit] in {PYPROJECT} configure mlaudit on the base branch"
            )
        candidates = [(n, t) for n, t in ((CONFIG_FILE, own), (PYPROJECT, pyproject)) if t is not None]
    if not candidates:
        return TrustedConfig(config_from_table(None, {}, "tool.mlaudit."), None)
    rel, (table, prefix) = candidates[0]
    # The path names where the file sits in the audited tree (CODEOWNERS, messages); its content is the base's.
    try:
        config = _validated(config_from_table(top / rel, table, prefix))
    except ConfigError as exc:
        raise ConfigError(f"the base branch's configuration ({commit[:12]}): {exc}") from None
    return TrustedConfig(config, config_label(config, root))

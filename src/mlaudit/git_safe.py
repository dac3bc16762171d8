"""Every Git call of mlaudit: the audited checkout's own Git configuration never runs a command.

A checkout's ``.git/config`` (and the files it includes) belongs to whoever
prepared the checkout, not to mlaudit's user: ``core.fsmonitor``, a ``clean``
filter that ``.gitattributes`` selects, a ``textconv`` driver, ``gpg.program``
(asked by ``git log %G?``) and a dozen other keys name commands that plain
read-only Git calls would run. Every Git process mlaudit starts, by
``run_git`` or through GitPython (``open_repo``), therefore gets:

- ``GIT_CONFIG_NOSYSTEM=1``, no terminal prompt, no pager, no editor, no
  replace objects and no optional locks;
- command-line configuration (``GIT_CONFIG_COUNT``, which outranks every
  configuration file): ``core.fsmonitor=false``, ``core.hooksPath=/dev/null``,
  ``protocol.ext.allow=never``, ``diff.external`` and ``log.showSignature``
  off, and ``safe.directory`` for the audited checkout only (the runner owns
  it; no other repository is vouched for);
- every key of the checkout's *local* or *worktree* configuration that names a
  command (see ``COMMAND_KEY_NAMES``), or whose value is a ``!shell`` command,
  blanked: Git then runs no filter, driver, helper or program at all.
  The keys are read with ``git config --list``, which executes nothing.

The user's global configuration is the user's and stays in force.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

# Last component of a configuration key that names a command Git may run
# (``filter.<driver>.clean``, ``diff.<driver>.textconv``, ``core.sshCommand``, ...).
COMMAND_KEY_NAMES = frozenset({
    "fsmonitor", "sshcommand", "editor", "pager", "askpass", "gitproxy", "alternaterefscommand",
    "external", "textconv", "command", "cmd", "clean", "smudge", "process", "driver", "helper",
    "program", "packobjectshook", "uploadpack", "receivepack", "difffilter", "browser",
    "defaultkeycommand", "proxycommand", "hookspath", "fetchcommand",
})
# Keys whose blank value would not mean "off": they get this value instead.
_SAFE_VALUES = {"core.fsmonitor": "false", "core.hookspath": os.devnull, "log.showsignature": "false"}
# Always set, whatever the checkout's configuration says.
_FIXED = (
    ("core.fsmonitor", "false"),
    ("core.hooksPath", os.devnull),
    ("core.pager", "cat"),
    ("diff.external", ""),
    ("log.showSignature", "false"),
    ("protocol.ext.allow", "never"),
    ("credential.helper", ""),
)
_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_PAGER": "cat",
    "PAGER": "cat",
    "GIT_EDITOR": "true",
    "GIT_ASKPASS": "",
    "SSH_ASKPASS": "",
    "GIT_NO_REPLACE_OBJECTS": "1",
    "GIT_OPTIONAL_LOCKS": "0",
}
# Variables of the caller's environment that would let a command in through the back door.
_DROP = ("GIT_EXTERNAL_DIFF", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG", "GIT_CONFIG_GLOBAL_OVERRIDE")


def checkout_top(root: Path) -> Path | None:
    """The nearest folder at or above ``root`` holding ``.git`` (found without running Git), or None."""
    here = root.resolve()
    for folder in (here, *here.parents):
        if os.path.lexists(folder / ".git"):
            return folder
    return None


_LOCAL_CONFIG_SEEN: dict[tuple[str, tuple[int, ...]], list[tuple[str, str]]] = {}


def _config_stamp(root: Path) -> tuple[int, ...]:
    top = checkout_top(root)
    stamp: list[int] = []
    for path in ((top / ".git", top / ".git" / "config") if top is not None else ()):
        try:
            st = os.stat(path)
        except OSError:
            stamp.extend((0, 0, 0))
            continue
        stamp.extend((st.st_ino, st.st_size, st.st_mtime_ns))
    return tuple(stamp)


def _local_config(root: Path) -> list[tuple[str, str]]:
    """(key, value) of the checkout's local and worktree configuration, read once per process and config state."""
    key = (str(root.resolve()), _config_stamp(root))
    if key not in _LOCAL_CONFIG_SEEN:
        _LOCAL_CONFIG_SEEN[key] = _read_local_config(root)
    return _LOCAL_CONFIG_SEEN[key]


def _read_local_config(root: Path) -> list[tuple[str, str]]:
    """(key, value) of the checkout's local and worktree configuration (includes followed), nothing run."""
    listed = _run(root, _base_env(root, ()), "config", "--list", "--includes", "--show-scope", "-z", timeout=30)
    if listed is None:
        return []
    fields = listed.split("\0")
    out = []
    for scope, entry in zip(fields[0::2], fields[1::2], strict=False):
        if scope in ("local", "worktree"):
            key, _, value = entry.partition("\n")
            out.append((key, value))
    return out


def local_command_keys(root: Path, local: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """(key, safe value) for every local/worktree key of the checkout that could run a command."""
    out: dict[str, str] = {}
    for key, value in _local_config(root) if local is None else local:
        name = key.rsplit(".", 1)[-1]
        if name in COMMAND_KEY_NAMES or value.lstrip().startswith("!"):
            out[key] = _SAFE_VALUES.get(key, "")
        elif key.startswith("filter.") and name == "required":
            out[key] = "false"
        elif key == "log.showsignature":
            out[key] = "false"
    return sorted(out.items())


def _base_env(root: Path, extra: tuple[tuple[str, str], ...]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROP and not k.startswith("GIT_CONFIG_KEY_")
           and not k.startswith("GIT_CONFIG_VALUE_")}
    env.update(_ENV)
    pairs = list(_FIXED)
    top = checkout_top(root)
    if top is not None:
        pairs.append(("safe.directory", str(top)))
    pairs.extend(extra)
    env["GIT_CONFIG_COUNT"] = str(len(pairs))
    for i, (key, value) in enumerate(pairs):
        env[f"GIT_CONFIG_KEY_{i}"] = key
        env[f"GIT_CONFIG_VALUE_{i}"] = value
    return env


def git_env(root: Path) -> dict[str, str]:
    """The environment for any Git process working on the checkout at ``root`` (see the module docstring).

    A local ``core.worktree`` would make Git list and compare another folder's
    files; the work tree is pinned to the checkout itself instead.
    """
    local = _local_config(root)
    env = _base_env(root, tuple(local_command_keys(root, local)))
    top = checkout_top(root)
    if top is not None and any(key == "core.worktree" for key, _ in local):
        env["GIT_WORK_TREE"] = str(top)
    return env


def _run(root: Path, env: dict[str, str], *args: str, timeout: float) -> str | None:
    try:
        proc = subprocess.run(["git", "--no-pager", "-C", str(root), *args], capture_output=True, check=False,
                              timeout=timeout, env=env, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.decode("utf-8", "surrogateescape") if proc.returncode == 0 else None


def run_git(root: Path, *args: str, timeout: float = 120) -> str | None:
    """Stdout of ``git -C root ARGS`` with the hardened environment, or None when Git is missing, fails or times out."""
    return _run(root, git_env(root), *args, timeout=timeout)


def open_repo(root: Path) -> Any:
    """The GitPython ``Repo`` holding ``root``; every Git process it starts gets the hardened environment.

    Raises GitPython's ``InvalidGitRepositoryError`` / ``NoSuchPathError`` outside
    Git, and ``ImportError`` without GitPython (callers turn these into their own errors).
    """
    import git

    repo = git.Repo(root, search_parent_directories=True)
    top = checkout_top(root)
    if top is None or repo.working_tree_dir is None or Path(repo.working_tree_dir).resolve() != top:
        # core.worktree (read by GitPython itself) points away from the checkout: never follow it.
        raise git.InvalidGitRepositoryError(f"{root}: the repository's work tree is not this checkout")
    env = git_env(top)
    # GitPython layers this over os.environ: variables to drop are emptied there.
    repo.git.update_environment(**{k: "" for k in _DROP}, **env)
    return repo


def git_in(repo: Any, cwd: Path) -> Any:
    """A GitPython ``Git`` working in ``cwd`` (a folder of ``repo``'s checkout) with ``repo``'s hardened environment.

    For commands whose paths are relative to the working folder (``git log --relative``)
    rather than to the repository's top; ``repo`` comes from ``open_repo``.
    """
    import git

    runner = git.Git(str(cwd))
    runner.update_environment(**repo.git.environment())
    return runner

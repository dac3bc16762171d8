"""``pip install`` commands inside shell scripts (workflow ``run:`` steps, Dockerfile ``RUN``).

Every package a script installs by name must be pinned (``name==version``) or
come from a requirements file (checked on its own), a local path, or a VCS URL
at a commit. Arguments built from variables (``$X``, ``${{ ... }}``) cannot be
checked statically and are left alone.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator

from mlaudit.pins.pinned_package import PinnedPackage, is_commit_sha
from mlaudit.pins.rules import FindingList, PinRules

# pip options that take a value as the next argument (pip 24, `pip install --help`).
_VALUE_OPTIONS = frozenset({
    "-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url",
    "-f", "--find-links", "-t", "--target", "--prefix", "--root", "--platform", "--python-version",
    "--implementation", "--abi", "--only-binary", "--no-binary", "--progress-bar", "--cache-dir",
    "--src", "--upgrade-strategy", "--trusted-host", "-C", "--config-settings", "--global-option",
    "--log", "--timeout", "--retries", "--proxy", "--exists-action", "--cert", "--client-cert",
    "--report", "--keyring-provider", "--python", "--group",
})
_SEPARATORS = re.compile(r"&&|\|\||;|\|")
_PIP = re.compile(r"^(?:.*/)?pip(?:\d+(?:\.\d+)?)?$")
_PYTHON = re.compile(r"^(?:.*/)?python(?:\d+(?:\.\d+)?)?$")


def logical_lines(script: str, first_line: int) -> Iterator[tuple[int, str]]:
    """(line number, command text) with backslash continuations joined."""
    buffer: list[str] = []
    start = first_line
    for offset, raw in enumerate(script.splitlines()):
        if not buffer:
            start = first_line + offset
        stripped = raw.rstrip()
        if stripped.endswith("\\"):
            buffer.append(stripped[:-1])
            continue
        buffer.append(stripped)
        yield start, " ".join(buffer)
        buffer = []
    if buffer:
        yield start, " ".join(buffer)


_PREFIX_COMMANDS = frozenset({"sudo", "env", "time", "exec", "command", "nice"})
_EXPRESSION = re.compile(r"\$\{\{.*?\}\}")


def install_arguments(tokens: list[str]) -> list[str] | None:
    """The arguments after ``pip install`` / ``python -m pip install`` / ``uv pip install``, else None.

    The installer must be the command itself (after ``sudo``, ``env`` and ``VAR=value``
    prefixes), so ``echo pip install x`` is text, not an install.
    """
    start = 0
    while start < len(tokens) and (tokens[start] in _PREFIX_COMMANDS or re.match(r"^\w+=", tokens[start])):
        start += 1
    for i, token in enumerate(tokens[start : start + 1], start):
        rest: list[str] | None = None
        if _PIP.match(token) and tokens[i + 1 : i + 2] == ["install"]:
            rest = tokens[i + 2 :]
        elif _PYTHON.match(token) and tokens[i + 1 : i + 4] == ["-m", "pip", "install"]:
            rest = tokens[i + 4 :]
        elif token == "uv" and tokens[i + 1 : i + 3] == ["pip", "install"]:
            rest = tokens[i + 3 :]
        if rest is not None:
            return rest
    return None


def unpinned_arguments(args: list[str], pinned: list[tuple[str, str]] | None = None) -> list[str]:
    """The install arguments that name a package without an exact pin (exact pins go to ``pinned``)."""
    from packaging.requirements import InvalidRequirement, Requirement

    from mlaudit.pins.requirements_file import exact_version

    out: list[str] = []
    skip_next = False
    editable_next = False
    for arg in args:
        if skip_next:
            skip_next = False
            continue
        if arg in ("-e", "--editable"):
            editable_next = True
            continue
        if arg.startswith("-"):
            skip_next = arg in _VALUE_OPTIONS
            continue
        editable, editable_next = editable_next, False
        if "$" in arg or arg.startswith((".", "/", "~")) or (arg.endswith((".whl", ".tar.gz", ".zip")) \
                and "://" not in arg):
            continue
        if editable or arg.startswith(("git+", "hg+", "svn+", "bzr+")):
            ref = arg.split("#", 1)[0].rsplit("@", 1)[-1] if "@" in arg else ""
            if not is_commit_sha(ref):
                out.append(arg)
            continue
        try:
            req = Requirement(arg)
        except InvalidRequirement:
            out.append(arg)
            continue
        if req.url:
            ref = req.url.split("#", 1)[0].rsplit("@", 1)[-1]
            if not (is_commit_sha(ref) or "sha256=" in req.url or req.url.startswith("file:")):
                out.append(arg)
        else:
            version = exact_version(req.specifier)
            if version is None:
                out.append(arg)
            elif pinned is not None:
                pinned.append((req.name, version))
    return out


def scan_script(script: str, first_line: int, rel: str, rules: PinRules, where: str,
                findings: FindingList, pinned: list[PinnedPackage] | None = None) -> None:
    """Add a ``pins.run-pip-install`` finding per pip install line with unpinned packages;
    the exact pins it installs go to ``pinned`` (what ``vulns`` audits)."""
    if "install" not in script:
        return
    for number, command_line in logical_lines(script, first_line):
        if "install" not in command_line:
            continue
        for command in _SEPARATORS.split(command_line):
            try:
                # ${{ expr }} is one opaque value (a variable for the shell's purposes).
                tokens = shlex.split(_EXPRESSION.sub("$GITHUB_EXPRESSION", command), comments=True)
            except ValueError:
                continue  # unbalanced quotes: a shell would fail too
            args = install_arguments(tokens)
            if args is None:
                continue
            exact: list[tuple[str, str]] = []
            bad = unpinned_arguments(args, exact)
            if pinned is not None:
                pinned.extend(PinnedPackage(name, version, rel, number) for name, version in exact)
            if bad:
                shown = " ".join(bad)
                findings.add(rules.finding(
                    "pins.run-pip-install", rel, number, f"{where}: pip install of unpinned {shown}",
                    "pin each package (name==version) or install from a pinned requirements file "
                    "with -r", key=f"pip:{where}:{shown}"))

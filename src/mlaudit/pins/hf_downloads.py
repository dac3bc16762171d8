"""Hugging Face downloads in Python code, found with ``ast`` (never imported, never run).

``from_pretrained``, ``hf_hub_download``, ``snapshot_download`` and
``load_dataset`` fetch whatever the Hub's ``main`` branch holds today unless
``revision=`` names a commit. ``trust_remote_code=True`` runs Python code from
that repository: its own, higher-severity finding.
"""

from __future__ import annotations

import ast
from pathlib import Path

from mlaudit.pins.pinned_package import is_commit_sha
from mlaudit.pins.rules import FindingList, PinRules

MAX_BYTES = 2_000_000
# load_dataset("csv", data_files=...) and friends read local files, not the Hub.
_LOCAL_BUILDERS = frozenset({
    "csv", "json", "parquet", "text", "arrow", "pandas", "imagefolder", "audiofolder",
    "videofolder", "webdataset", "sql", "generator",
})


def _call_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _first_argument(call: ast.Call, name: str) -> ast.expr | None:
    if call.args:
        return call.args[0]
    wanted = {"pretrained_model_name_or_path", "repo_id", "path"}
    return next((k.value for k in call.keywords if k.arg in wanted), None)


def _is_local(source: ast.expr | None, name: str, root: Path) -> bool:
    if not isinstance(source, ast.Constant) or not isinstance(source.value, str):
        return False
    value = source.value
    if name == "load_dataset" and value in _LOCAL_BUILDERS:
        return True
    return value.startswith((".", "/", "~")) or _exists_inside(root, value)


def _exists_inside(root: Path, value: str) -> bool:
    """True for a path of the repository; a name that climbs out (``a/../../x``) is not probed outside the root."""
    from mlaudit.errors import UsageError
    from mlaudit.repo_paths import resolve_in_repo

    try:
        return resolve_in_repo(root, value).exists
    except UsageError:  # OutsideRepository, or a name no file can have
        return False


def scan_python(root: Path, rel: str, rules: PinRules) -> FindingList:
    """Check the Hugging Face download calls of one Python file."""
    findings = FindingList()
    names = set(rules.options.hf_functions)
    path = root / rel
    try:
        if path.stat().st_size > MAX_BYTES:
            return findings  # generated code, not a training script
        source = path.read_bytes()
    except OSError:
        return findings
    if not any(n.encode() in source for n in (*names, "trust_remote_code")):
        return findings  # the common case, without paying for a parse
    try:
        tree = ast.parse(source, filename=rel)
    except (RecursionError, MemoryError):
        findings.add(rules.finding("pins.invalid-file", rel, None, f"{rel}: nested too deeply to parse",
                                   "simplify the file so the downloads can be checked", key="python"))
        return findings
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        findings.add(rules.finding("pins.invalid-file", rel, line, f"{rel}: Python syntax error: {exc}",
                                   "fix the syntax so the downloads can be checked", key="python"))
        return findings
    for node in ast.walk(tree):  # iterative: no recursion limit on hostile nesting
        if isinstance(node, ast.Call):
            try:
                _check_call(node, rel, root, names, rules, findings)
            except RecursionError:  # ast.unparse of a hostile argument
                findings.add(rules.finding("pins.invalid-file", rel, node.lineno,
                                           f"{rel}:{node.lineno}: call nested too deeply to check",
                                           "simplify the call", key=f"deep:{node.lineno}"))
    return findings


def _check_call(call: ast.Call, rel: str, root: Path, names: set[str], rules: PinRules,
                findings: FindingList) -> None:
    keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
    name = _call_name(call)
    trust = keywords.get("trust_remote_code")
    if isinstance(trust, ast.Constant) and trust.value is True:
        findings.add(rules.finding(
            "pins.hf-trust-remote-code", rel, call.lineno,
            f"{name or 'call'}(trust_remote_code=True) runs Python code downloaded from the Hub",
            "drop trust_remote_code, or vendor and review the code and pin revision= to a commit",
            key=f"trust:{name}:{ast.unparse(call.args[0]) if call.args else ''}"))
    if name not in names:
        return
    source = _first_argument(call, name)
    if _is_local(source, name, root):
        return
    if any(k.arg is None for k in call.keywords):
        return  # **kwargs may carry revision=; cannot tell statically
    target = ast.unparse(source) if source is not None else "?"
    revision = keywords.get("revision")
    if revision is None:
        problem = "has no revision="
    elif isinstance(revision, ast.Constant) and isinstance(revision.value, str):
        if is_commit_sha(revision.value):
            return
        problem = f"uses revision={revision.value!r}, a branch or tag"
    else:
        return  # a variable: resolved at run time, cannot be checked here
    findings.add(rules.finding(
        "pins.hf-unpinned-revision", rel, call.lineno, f"{name}({target}) {problem}",
        "pass revision=\"<40-hex commit>\" (the commit shown on the Hub's file history)",
        key=f"hf:{name}:{target}"))

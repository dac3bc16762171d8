"""The default-deny import policy: every global a pickle imports is allowed, dangerous or unknown.

The deny-list gives the severity of known-dangerous callables and always wins;
the allow-list holds what real checkpoints import (``import_lists``) plus the
project's ``allow`` entries; anything else is unknown (a finding of the
configured severity). Python 2 spellings (``__builtin__``, ``copy_reg``, ...)
are judged under both names, as ``pickle`` maps them when loading. Names
reaching through Python internals (``__globals__``, ``__subclasses__``...)
are dangerous unless allow-listed exactly.
"""

from __future__ import annotations

import _compat_pickle
from collections.abc import Iterable
from typing import Literal, NamedTuple

from mlaudit.model import Severity
from mlaudit.serialization.import_lists import ALLOWED, DENIED

VerdictKind = Literal["allowed", "dangerous", "unknown"]


class Verdict(NamedTuple):
    """How the policy judges one import."""

    kind: VerdictKind
    severity: Severity | None
    reason: str


def _name_matches(glob: str, name: str) -> bool:
    """``*`` any plain name, ``pre*`` names starting with pre, ``*suf`` names ending with suf."""
    if glob == "*":
        return True
    if glob.endswith("*"):
        return name.startswith(glob[:-1])
    if glob.startswith("*"):
        return name.endswith(glob[1:])
    return name == glob


class ImportPolicy:
    """Judges ``module.name`` pairs against the deny-list, the allow-list and the user's additions."""

    def __init__(
        self,
        allow: Iterable[str] = (),
        deny: Iterable[str] = (),
        *,
        unknown_severity: Severity = Severity.MEDIUM,
        deny_severity: Severity = Severity.HIGH,
    ) -> None:
        allowed = [*ALLOWED, *allow]
        self._exact_allowed = frozenset(p for p in allowed if "*" not in p)
        # Wildcards without regexes: ``pkg.**`` prefixes, and per-module name globs.
        self._packages = tuple(p[:-3] for p in allowed if p.endswith(".**"))
        self._name_globs: dict[str, list[str]] = {}
        for pattern in allowed:
            if "*" in pattern and not pattern.endswith(".**"):
                module, _, glob = pattern.rpartition(".")
                self._name_globs.setdefault(module, []).append(glob)
        self._denied: list[tuple[str, Severity, str]] = list(DENIED)
        self._denied += [(p, deny_severity, "denied by the project's configuration") for p in deny]
        self.unknown_severity = unknown_severity

    def judge(self, module: str, name: str) -> Verdict:
        """The verdict for ``module.name`` (Python 2 names judged as their Python 3 equivalents too)."""
        verdicts = [self._judge_one(module, name)]
        mapped = _py3_spelling(module, name)
        if mapped != (module, name):
            verdicts.append(self._judge_one(*mapped))
        worst = max(verdicts, key=_badness)
        if worst.kind == "dangerous":
            return worst
        # Either spelling being allow-listed is enough: pickle loads the mapped one.
        return next((v for v in verdicts if v.kind == "allowed"), worst)

    def _judge_one(self, module: str, name: str) -> Verdict:
        dotted = f"{module}.{name}"
        for pattern, severity, why in self._denied:
            if _below(dotted, pattern):
                return Verdict("dangerous", severity, why)
        if dotted in self._exact_allowed:
            return Verdict("allowed", None, "allow-listed")
        if any(part.startswith("__") and part.endswith("__") for part in name.split(".")):
            return Verdict("dangerous", Severity.HIGH,
                           "reaches Python internals through a special attribute, a known sandbox escape")
        if "." not in name and self._wild_allowed(module, name):
            return Verdict("allowed", None, "allow-listed")
        return Verdict("unknown", self.unknown_severity,
                       "is not on the allow-list of what model checkpoints import; "
                       "loading the file imports and may call it")


    def _wild_allowed(self, module: str, name: str) -> bool:
        if any(module == p or module.startswith(p + ".") for p in self._packages):
            return True
        return any(_name_matches(glob, name) for glob in self._name_globs.get(module, ()))


def _below(dotted: str, pattern: str) -> bool:
    return dotted == pattern or dotted.startswith(pattern + ".")


def _badness(verdict: Verdict) -> int:
    base = {"allowed": 0, "unknown": 1, "dangerous": 2}[verdict.kind]
    return base * 10 + (verdict.severity.rank if verdict.severity else 0)


def _py3_spelling(module: str, name: str) -> tuple[str, str]:
    mapped = _compat_pickle.NAME_MAPPING.get((module, name))
    if mapped is not None:
        return mapped
    return _compat_pickle.IMPORT_MAPPING.get(module, module), name

"""The default-deny import policy: every global a pickle imports is allowed, dangerous or unknown.

The deny-list gives the severity of known-dangerous callables and always wins;
the allow-list holds what real checkpoints import (``import_lists``) plus the
project's ``allow`` entries; anything else is unknown (a finding of the
configured severity). Python 2 spellings (``__builtin__``, ``copy_reg``, ...)
are judged under both names, as ``pickle`` maps them when loading. Names
reaching through Python internals (``__globals__``, ``__subclasses__``...)
are dangerous unless allow-listed exactly. Names spelled with whitespace,
control characters or non-ASCII look-alikes (``os\n``, Cyrillic ``о``,
fullwidth ``ｏｓ``) are an evasion in themselves: they are judged as their NFKC
normal form and never below ``high``.
"""

from __future__ import annotations

import _compat_pickle
from collections.abc import Iterable
from typing import Literal, NamedTuple

from mlaudit.model import Severity
from mlaudit.serialization.import_lists import ALLOWED, DENIED, DENY_EXCEPTIONS

VerdictKind = Literal["allowed", "dangerous", "unknown", "evasion"]


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
        # Exact patterns in a dict (each dotted prefix of a name is one lookup), globs in a short list.
        self._denied: dict[str, tuple[Severity, str]] = {}
        self._denied_globs: list[tuple[str, Severity, str]] = []
        entries = [*DENIED, *((p, deny_severity, "denied by the project's configuration") for p in deny)]
        for pattern, severity, why in entries:
            if "*" in pattern:
                self._denied_globs.append((pattern, severity, why))
            elif pattern not in self._denied or severity.rank > self._denied[pattern][0].rank:
                self._denied[pattern] = (severity, why)
        self.unknown_severity = unknown_severity

    def judge(self, module: str, name: str) -> Verdict:
        """The verdict for ``module.name`` (Python 2 names judged as their Python 3 equivalents too)."""
        if not (_plain(module) and _plain(name)):
            return self._judge_evasion(module, name)
        return self._judge_plain(module, name)

    def _judge_evasion(self, module: str, name: str) -> Verdict:
        clean_module, clean_name = _normalised(module), _normalised(name)
        inner = self._judge_plain(clean_module, clean_name)
        severity = Severity.HIGH
        if inner.severity is not None and inner.severity.rank > severity.rank:
            severity = inner.severity
        shown = f"{clean_module}.{clean_name}"
        what = "allow-listed" if inner.kind == "allowed" else inner.reason
        return Verdict("evasion", severity,
                       f"is spelled with whitespace, control or non-ASCII characters ({_spelling(module, name)}), "
                       f"a known way to slip past name-based scanners; normalised it is {shown}, which {what}")

    def _judge_plain(self, module: str, name: str) -> Verdict:
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
        if dotted not in DENY_EXCEPTIONS:
            worst: Verdict | None = None
            parts = dotted.split(".")
            for end in range(1, len(parts) + 1):
                hit = self._denied.get(".".join(parts[:end]))
                if hit is not None and (worst is None or hit[0].rank > _rank(worst)):
                    worst = Verdict("dangerous", hit[0], hit[1])
            for pattern, severity, why in self._denied_globs:
                if _below(dotted, pattern) and (worst is None or severity.rank > _rank(worst)):
                    worst = Verdict("dangerous", severity, why)
            if worst is not None:
                return worst
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
    if "*" in pattern:  # ``module.prefix*``: names of that module starting with prefix (and below them)
        module, _, glob = pattern.rpartition(".")
        if not dotted.startswith(module + "."):
            return False
        return _name_matches(glob, dotted[len(module) + 1:].split(".", 1)[0])
    return dotted == pattern or dotted.startswith(pattern + ".")


def _rank(verdict: Verdict) -> int:
    return verdict.severity.rank if verdict.severity else 0


def _plain(text: str) -> bool:
    """True for printable ASCII without whitespace: the only spelling real modules and names use."""
    return text.isascii() and text.isprintable() and not any(c.isspace() for c in text)


# Cyrillic and Greek letters that look like Latin ones (NFKC keeps them apart).
_LOOK_ALIKES = str.maketrans(
    "аеорсхуіїјѕԁһӏԛԝкмнтвАЕОРСХУІЈЅКМНТВαεορτυνικχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcxyiijsdhlqwkmhtbAEOPCXYIJSKMHTBaeoptuvikxABEZHIKMNOPTYX",
)


def _normalised(text: str) -> str:
    """NFKC (fullwidth letters to ASCII), look-alike letters folded, whitespace and controls removed."""
    import unicodedata  # only names that are not plain ASCII get here

    folded = unicodedata.normalize("NFKC", text).translate(_LOOK_ALIKES)
    return "".join(c for c in folded if c.isprintable() and not c.isspace())


def _spelling(module: str, name: str) -> str:
    import unicodedata

    odd = sorted({c for c in module + name if not (c.isascii() and c.isprintable() and not c.isspace())})
    return ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'control character')}" for c in odd[:4])


def _badness(verdict: Verdict) -> int:
    base = {"allowed": 0, "unknown": 1, "dangerous": 2, "evasion": 3}[verdict.kind]
    return base * 10 + (verdict.severity.rank if verdict.severity else 0)


def _py3_spelling(module: str, name: str) -> tuple[str, str]:
    mapped = _compat_pickle.NAME_MAPPING.get((module, name))
    if mapped is not None:
        return mapped
    return _compat_pickle.IMPORT_MAPPING.get(module, module), name

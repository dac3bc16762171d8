"""Compare weight files on disk with the manifest; the findings shared by the check and the hook."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mlaudit.errors import ConfigError
from mlaudit.model import Finding, Severity
from mlaudit.repo_paths import OutsideRepository, resolve_in_repo
from mlaudit.store.hash_cache import HashCache
from mlaudit.weights.hashing import HashResult, Progress, digest_files
from mlaudit.weights.manifest import ManifestEntry, ManifestError, WeightManifest, read_manifest

UPDATE_HINT = "run `mlaudit hash --update` (or the mlaudit-weight-hashes hook with --fix) and commit {manifest}"


@dataclass(frozen=True)
class Verification:
    """Findings plus the digests they were computed from."""

    findings: tuple[Finding, ...]
    hashed: HashResult

    @property
    def missing(self) -> tuple[str, ...]:
        """Recorded paths whose files are gone."""
        return tuple(f.path for f in self.findings if f.rule == "weights.missing" and f.path)


def manifest_path(root: Path, manifest_name: str) -> Path:
    """Where the manifest ``[weights] manifest`` names lives, inside the root; ``ConfigError`` (exit 2) if not.

    The name comes from the repository's configuration: an absolute path, ``..``
    or a symlink out of the root would make ``--update`` write anywhere.
    """
    try:
        # Any kind: an existing manifest that is a folder or a FIFO is the manifest's problem (read_manifest says so).
        return resolve_in_repo(root, manifest_name).real
    except OutsideRepository as exc:
        raise ConfigError(
            f"[weights] manifest = {exc.name!r} cannot be used: {exc.reason} "
            "(the manifest must be a file inside the repository)"
        ) from None


def load_manifest(root: Path, manifest_name: str) -> tuple[WeightManifest | None, Finding | None]:
    """The manifest, or None with the finding that explains why it cannot be used."""
    path = manifest_path(root, manifest_name)
    try:
        return read_manifest(path), None
    except FileNotFoundError:
        return None, None
    except ManifestError as exc:
        return None, Finding(
            rule="weights.manifest-invalid",
            severity=Severity.HIGH,
            path=manifest_name,
            line=exc.line,
            message=f"malformed weight manifest: {exc}",
            remediation="fix the file (resolve the conflict, or restore it from Git): its recorded digests are "
                        "the evidence, so `mlaudit hash --update` refuses to overwrite it",
        )
    except OSError as exc:
        return None, Finding(
            rule="weights.manifest-invalid",
            severity=Severity.HIGH,
            path=manifest_name,
            message=f"cannot read the weight manifest: {exc.strerror or exc}",
            remediation="check the file's permissions",
        )


def verify_weights(
    root: Path,
    weight_files: Iterable[str],
    manifest: WeightManifest,
    manifest_name: str,
    *,
    recorded: Literal["hash", "exists"] = "hash",
    cache: HashCache | None = None,
    workers: int = 0,
    progress: Progress | None = None,
) -> Verification:
    """Hash ``weight_files`` and compare with ``manifest``.

    Recorded entries not among ``weight_files`` are hashed too (``recorded="hash"``,
    the audit) or only checked to exist (``"exists"``, the commit hook, which
    judges what is staged and must not hash gigabytes nobody touched).
    """
    targets = list(dict.fromkeys(weight_files))
    listed = set(targets)  # once: a set built per entry made 100k present files quadratic
    others = [name for name in manifest.entries if name not in listed]
    hint = UPDATE_HINT.format(manifest=manifest_name)
    findings: list[Finding] = []
    if recorded == "hash":
        targets += others
    else:
        for name in others:
            try:
                exists = resolve_in_repo(root, name).exists
            except OutsideRepository as exc:
                findings.append(_problem_finding(name, "outside", exc.reason, None, manifest_name, hint))
                continue
            if not exists:
                findings.append(_problem_finding(name, "missing", "", manifest.entries[name], manifest_name, hint))
    hashed = digest_files(root, targets, cache=cache, workers=workers, progress=progress)
    for rel in targets:
        entry = manifest.entries.get(rel)
        problem = hashed.problems.get(rel)
        if problem is not None:
            findings.append(_problem_finding(rel, problem.kind, problem.message, entry, manifest_name, hint))
            continue
        got = hashed.digests[rel]
        if entry is None:
            findings.append(Finding(
                rule="weights.unrecorded",
                severity=Severity.HIGH,
                path=rel,
                message=f"weight file is not recorded in {manifest_name}",
                remediation=hint,
                details={"digest": got.digest, "size": got.size},
            ))
        elif entry.digest != got.digest or entry.size != got.size:
            findings.append(Finding(
                rule="weights.mismatch",
                severity=Severity.HIGH,
                path=rel,
                message=(
                    f"SHA-256 differs from {manifest_name} (recorded {entry.digest[:12]}…, "
                    f"{entry.size} bytes; now {got.digest[:12]}…, {got.size} bytes)"
                ),
                remediation=f"if the change is intended, {hint}; otherwise restore the file (`git checkout -- {rel}`)",
                details={"recorded_digest": entry.digest, "actual_digest": got.digest,
                         "recorded_size": entry.size, "actual_size": got.size,
                         "manifest_line": entry.line},
            ))
    return Verification(findings=tuple(findings), hashed=hashed)


def _problem_finding(
    rel: str, kind: str, message: str, entry: ManifestEntry | None, manifest_name: str, hint: str
) -> Finding:
    if kind == "missing" and entry is not None:
        return Finding(
            rule="weights.missing",
            severity=Severity.MEDIUM,
            path=rel,
            line=None,
            message=f"recorded in {manifest_name} (line {entry.line}) but the file is gone",
            remediation=f"restore the file, or {hint} to drop the entry",
            details={"recorded_digest": entry.digest, "manifest_line": entry.line},
        )
    if kind == "outside":
        return Finding(
            rule="weights.path-outside",
            severity=Severity.HIGH,
            path=rel,
            message=f"{manifest_name} records a path that is not read: {message}",
            remediation=f"record only files inside the repository: {hint}",
        )
    if kind == "symlink-outside":
        return Finding(
            rule="weights.symlink-outside",
            severity=Severity.HIGH,
            path=rel,
            message=message,
            remediation="replace the symlink with the file itself, or remove it",
        )
    return Finding(
        rule="weights.unreadable",
        severity=Severity.HIGH,
        path=rel,
        message=f"could not be hashed: {message}",
        remediation="make the file readable and stable, then run the audit again",
        details={"kind": kind},
    )


def updated_entries(
    manifest: WeightManifest | None, hashed: HashResult, *, drop: Iterable[str] = ()
) -> list[ManifestEntry]:
    """Manifest entries after recording ``hashed`` digests and dropping ``drop`` paths."""
    entries = dict(manifest.entries) if manifest else {}
    for name in drop:
        entries.pop(name, None)
    for rel, got in hashed.digests.items():
        entries[rel] = ManifestEntry(name=rel, size=got.size, digest=got.digest)
    return list(entries.values())


@dataclass(frozen=True)
class ManifestChanges:
    """What recording the weights changed in the manifest."""

    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def record_weights(
    root: Path,
    manifest_name: str,
    hashed: HashResult,
    *,
    drop: Iterable[str] = (),
) -> ManifestChanges:
    """Record ``hashed`` digests and drop ``drop`` paths in the manifest; say what changed.

    Under the manifest's exclusive lock the file is read again and the changes
    are merged into what is there now, so two hooks fixing at once both keep
    their entries. A manifest that exists but cannot be used (unreadable,
    conflicted, invalid, not a file) raises ``ManifestError`` and nothing is written:
    its recorded digests are the evidence, never rebuilt from the files on disk.
    """
    from mlaudit.weights.manifest import write_manifest
    from mlaudit.weights.manifest_lock import manifest_lock

    path = manifest_path(root, manifest_name)
    with manifest_lock(path):
        current = _read_for_update(path)
        old = dict(current.entries) if current else {}
        new_entries = updated_entries(current, hashed, drop=drop)
        new = {e.name: e for e in new_entries}
        changes = ManifestChanges(
            added=tuple(sorted(n for n in new if n not in old)),
            changed=tuple(sorted(
                n for n in new if n in old and (old[n].digest, old[n].size) != (new[n].digest, new[n].size)
            )),
            removed=tuple(sorted(n for n in old if n not in new)),
        )
        if changes or current is None:
            write_manifest(path, new_entries, current.ignore_paths if current else ())
    return changes


def _read_for_update(path: Path) -> WeightManifest | None:
    try:
        return read_manifest(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ManifestError(f"cannot read: {exc.strerror or exc}") from None

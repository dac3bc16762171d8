"""Compare a model directory with what a signature lists: hash it the way the signer did, name each difference."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlaudit.errors import MlauditError

if TYPE_CHECKING:
    from mlaudit.signing.oms_verify import SignedManifest


class ComparisonFailed(MlauditError):
    """The model could not be compared with the signature (unreadable file, unusable settings): it fails."""

    exit_code = 1


@dataclass(frozen=True)
class FileDifferences:
    """How the files on disk differ from a signed manifest."""

    changed: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    details: dict[str, tuple[str, str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.changed or self.missing or self.extra)

    def describe(self) -> list[str]:
        """One human line per difference."""
        lines = [f"changed: {n} (signed {self.details[n][0][:16]}…, on disk {self.details[n][1][:16]}…)"
                 for n in self.changed]
        lines += [f"missing: {n} (signed but not on disk)" for n in self.missing]
        lines += [f"extra: {n} (on disk but not in the signature; sign again or add it to ignore_paths)"
                  for n in self.extra]
        return lines


def hash_like_signature(model_dir: Path, signed: SignedManifest, *, ignore_paths: Sequence[str] = (),
                        ignore_git_paths: bool = True) -> dict[str, str]:
    """Hash ``model_dir`` with the settings the signature recorded; identifier -> hex digest."""
    from model_signing import hashing

    settings = signed.serialization
    ignored = sorted({*settings.get("ignore_paths", ()), *ignore_paths})
    config = hashing.Config()  # type: ignore[no-untyped-call]
    algorithm = settings.get("hash_type", "sha256")
    if algorithm not in ("sha256", "blake2", "blake3"):
        raise ComparisonFailed(f"the signature's hash_type {algorithm!r} is not one model_signing knows")
    if settings.get("method") == "shards":
        config.use_shard_serialization(hashing_algorithm=algorithm, shard_size=_shard_size(settings),
                                       allow_symlinks=bool(settings.get("allow_symlinks", False)))
    else:
        config.use_file_serialization(hashing_algorithm=algorithm,
                                      allow_symlinks=bool(settings.get("allow_symlinks", False)))
    config.set_ignored_paths(paths=ignored, ignore_git_paths=ignore_git_paths)
    config.set_allow_symlinks(bool(settings.get("allow_symlinks", False)))
    try:
        actual = config.hash(model_dir)
    except (OSError, ValueError) as exc:
        raise ComparisonFailed(f"{model_dir}: cannot hash the model: {exc}") from None
    return {str(rd.identifier): rd.digest.digest_hex for rd in actual.resource_descriptors()}


def _shard_size(settings: dict[str, Any]) -> int:
    """The shard size as an integer: the statement passed through a protobuf Struct, where numbers are floats."""
    value = settings.get("shard_size")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value < 1:
        raise ComparisonFailed(f"the signature's shard_size {value!r} is not a positive integer")
    return int(value)


def compare_files(signed: SignedManifest, on_disk: dict[str, str]) -> FileDifferences:
    """Name every resource that changed, is missing, or was added since signing."""
    changed = tuple(sorted(n for n in signed.resources.keys() & on_disk.keys()
                           if signed.resources[n] != on_disk[n]))
    return FileDifferences(
        changed=changed,
        missing=tuple(sorted(signed.resources.keys() - on_disk.keys())),
        extra=tuple(sorted(on_disk.keys() - signed.resources.keys())),
        details={n: (signed.resources[n], on_disk[n]) for n in changed},
    )

"""The signing policy of a repository: configuration and command line merged."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mlaudit.config import Config
from mlaudit.signing.oms_verify import ExpectedSigner
from mlaudit.signing.options import SigningOptions


def signing_options(config: Config) -> SigningOptions:
    """The validated ``[tool.mlaudit.signing]`` section."""
    return config.section("signing", SigningOptions)


def signature_path(options: SigningOptions, root: Path) -> Path:
    """The configured signature file, inside ``root``; ``ConfigError`` (exit 2) when it would leave it.

    ``mlaudit sign`` writes there: a configuration naming ``/home/me/.bashrc`` or
    ``../../x`` must not turn signing into a write outside the repository.
    """
    from mlaudit.errors import ConfigError
    from mlaudit.repo_paths import OutsideRepository, resolve_in_repo

    try:
        return resolve_in_repo(root, options.signature, expect="file").real
    except OutsideRepository as exc:
        raise ConfigError(f"[signing] signature = {exc.name!r} cannot be used: {exc.reason} "
                          "(the signature must be a file inside the model directory)") from None


def config_anchor(options: SigningOptions, *, public_key: Path | None, identities: Sequence[str]) -> str | None:
    """The configuration's setting that names the signer when the command line does not (in words), else None.

    Read from the audited repository, it is the repository vouching for itself: a
    repository that commits its own key pair can sign anything it likes.
    """
    if public_key is not None or identities:
        return None
    if options.public_key:
        return f"[signing] public_key = {options.public_key!r}"
    if options.identities:
        return f"[signing] identities = {list(options.identities)!r}"
    return None


def expected_signer(options: SigningOptions, root: Path, *, identities: Sequence[str] = (),
                    issuers: Sequence[str] = (), public_key: Path | None = None,
                    offline: bool = False) -> ExpectedSigner:
    """The command line wins over the configuration; a configured key is a file inside ``root`` (else exit 2)."""
    key = public_key
    if key is None and options.public_key and not identities:
        key = _configured_key(options.public_key, root)
    return ExpectedSigner(
        public_key=key,
        identities=tuple(identities) or options.identities,
        issuers=tuple(issuers) or options.issuers,
        instance=options.instance,
        offline=offline,
    )


def _configured_key(name: str, root: Path) -> Path:
    from mlaudit.errors import ConfigError
    from mlaudit.repo_paths import OutsideRepository, resolve_in_repo

    try:
        return resolve_in_repo(root, name, expect="file").real
    except OutsideRepository as exc:
        raise ConfigError(f"[signing] public_key = {exc.name!r} cannot be used: {exc.reason} (pass --public-key "
                          "PATH to verify against a key of your choice)") from None


def ignore_paths_for(root: Path, config: Config, extra: Sequence[str] = ()) -> list[str]:
    """Paths left out of the signature: configured, given, and those the weight manifest ignores."""
    paths = [*signing_options(config).ignore_paths, *extra]
    paths.extend(_manifest_ignore_paths(root, config))
    return sorted(set(paths))


def _manifest_ignore_paths(root: Path, config: Config) -> list[str]:
    from mlaudit.weights.options import WeightsOptions
    from mlaudit.weights.verify import load_manifest

    manifest, _problem = load_manifest(root, config.section("weights", WeightsOptions).manifest)
    return list(manifest.ignore_paths) if manifest else []

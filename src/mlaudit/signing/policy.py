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


def expected_signer(options: SigningOptions, root: Path, *, identities: Sequence[str] = (),
                    issuers: Sequence[str] = (), public_key: Path | None = None,
                    offline: bool = False) -> ExpectedSigner:
    """The command line wins over the configuration; a configured key is relative to ``root``."""
    key = public_key
    if key is None and options.public_key and not identities:
        key = root / options.public_key
    return ExpectedSigner(
        public_key=key,
        identities=tuple(identities) or options.identities,
        issuers=tuple(issuers) or options.issuers,
        instance=options.instance,
        offline=offline,
    )


def ignore_paths_for(root: Path, config: Config, extra: Sequence[str] = ()) -> list[str]:
    """Paths left out of the signature: configured, given, and those the weight manifest ignores."""
    paths = [*signing_options(config).ignore_paths, *extra]
    paths.extend(_manifest_ignore_paths(root, config))
    return sorted(set(paths))


def _manifest_ignore_paths(root: Path, config: Config) -> list[str]:
    from mlaudit.checks.weights import WeightsOptions
    from mlaudit.weights.verify import load_manifest

    manifest, _problem = load_manifest(root, config.section("weights", WeightsOptions).manifest)
    return list(manifest.ignore_paths) if manifest else []

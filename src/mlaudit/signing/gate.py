"""The release gate: sign an audit as an attestation about the weights, and check such attestations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlaudit.config import Config
from mlaudit.signing.oms_sign import SigningKey
from mlaudit.signing.oms_verify import ExpectedSigner, SignatureInvalid
from mlaudit.signing.report_attestation import AuditAttestation, sign_report, verify_attestation


def current_root_digest(root: Path, config: Config) -> str:
    """The OMS root digest of the weight files on disk (what the manifest's root digest should be)."""
    from mlaudit.checks.weights import WeightsOptions, find_weight_files, hash_cache_for
    from mlaudit.context import AuditContext
    from mlaudit.weights.hashing import digest_files
    from mlaudit.weights.manifest import compute_root_digest

    ctx = AuditContext(root, config)
    options = ctx.section("weights", WeightsOptions)
    weights = find_weight_files(ctx, options)
    hashed = digest_files(ctx.root, weights, cache=hash_cache_for(ctx), workers=options.workers)
    if hashed.problems:
        problems = "; ".join(f"{p.path}: {p.message}" for p in hashed.problems.values())
        raise SignatureInvalid(f"{root}: cannot hash every weight file: {problems}")
    return compute_root_digest(hashed.digests[name].digest for name in sorted(hashed.digests))


def check_attested_audit(root: Path, config: Config, attestation: Path, expected: ExpectedSigner,
                         required_status: str) -> AuditAttestation:
    """Verify the attestation, that it is about the weights on disk, and that the audit had ``required_status``."""
    attested = verify_attestation(attestation, expected)
    digest = current_root_digest(root, config)
    if attested.subject_digest != digest:
        raise SignatureInvalid(
            f"{attestation}: the attested audit is about weights sha256:{attested.subject_digest}, "
            f"but the weights on disk have root digest sha256:{digest} (audit and sign again)"
        )
    if attested.status != required_status:
        raise SignatureInvalid(
            f"{attestation}: the attested audit has status {attested.status!r}, the gate requires {required_status!r}"
        )
    return attested


def attest_audit(report_json: dict[str, Any], root: Path, config: Config, key: SigningKey, out: Path) -> str:
    """Sign the audit report as an attestation about the weights on disk; returns the subject digest."""
    digest = current_root_digest(root, config)
    sign_report(report_json, root.resolve().name, digest, key, out)
    return digest

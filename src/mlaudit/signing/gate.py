"""The release gate: sign an audit as an attestation about the weights, and check such attestations."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlaudit.config import Config
from mlaudit.signing.gate_coverage import VerifierExclusions, uncovered_model_files
from mlaudit.signing.oms_sign import SigningKey
from mlaudit.signing.oms_verify import ExpectedSigner, SignatureInvalid
from mlaudit.signing.report_attestation import AuditAttestation, sign_report, verify_attestation
from mlaudit.weights.manifest import compute_root_digest


def current_weight_digests(root: Path, config: Config) -> dict[str, str]:
    """SHA-256 of every weight file on disk, read again: the release gate never takes a digest from a cache."""
    from mlaudit.context import AuditContext
    from mlaudit.weights.hashing import digest_files
    from mlaudit.weights.options import WeightsOptions
    from mlaudit.weights.repository_weights import find_weight_files
    ctx = AuditContext(root, config)
    options = ctx.section("weights", WeightsOptions)
    weights = find_weight_files(ctx, options)
    hashed = digest_files(ctx.root, weights, cache=None, workers=options.workers)
    if hashed.problems:
        problems = "; ".join(f"{p.path}: {p.message}" for p in hashed.problems.values())
        raise SignatureInvalid(f"{root}: cannot hash every weight file: {problems}")
    return {name: d.digest for name, d in hashed.digests.items()}


@dataclass(frozen=True)
class GateResult:
    """What the release gate verified: the attested audit, and whether the model signature was checked."""

    attestation: AuditAttestation
    signature_checked: bool
    signature_note: str
    """``verified: <signer>``, or why the model signature was not checked (``--no-signature``)."""


def require_model_signature(signature: Path, *, allow_missing: bool) -> None:
    """Refuse a release gate without the model signature, unless the caller explicitly allowed it."""
    if signature.exists() or allow_missing:
        return
    raise SignatureInvalid(
        f"{signature}: the model signature is missing; the release gate verifies the signed weights and the "
        "attested audit (sign with `mlaudit sign`, or pass --no-signature to gate on the attestation alone)"
    )


def release_gate(root: Path, config: Config, attestation: Path, expected: ExpectedSigner, required_status: str,
                 *, signer: str | None, signed_files: frozenset[str] = frozenset(),
                 exclusions: VerifierExclusions | None = None) -> GateResult:
    """The attested audit checked against the weights on disk; ``signer`` is the model signature's, None if absent.

    Every model file on disk must be in ``signed_files`` (what the verified signature
    lists) or in the attested digest, unless the verifier's ``exclusions`` leave it out.
    """
    attested, digests = _check_attested_audit(root, config, attestation, expected, required_status)
    require_covered(root, signed_files | digests.keys(), exclusions or VerifierExclusions())
    if signer is None:
        return GateResult(attested, False, "model signature not checked (--no-signature)")
    return GateResult(attested, True, f"verified: {signer}")


def check_attested_audit(root: Path, config: Config, attestation: Path, expected: ExpectedSigner,
                         required_status: str) -> AuditAttestation:
    """Verify the attestation, that it is about the weights on disk, and that the audit had ``required_status``."""
    return _check_attested_audit(root, config, attestation, expected, required_status)[0]


def _check_attested_audit(root: Path, config: Config, attestation: Path, expected: ExpectedSigner,
                          required_status: str) -> tuple[AuditAttestation, dict[str, str]]:
    attested = verify_attestation(attestation, expected)
    digests = current_weight_digests(root, config)
    digest = compute_root_digest(digests[name] for name in sorted(digests))
    if attested.subject_digest != digest:
        raise SignatureInvalid(
            f"{attestation}: the attested audit is about weights sha256:{attested.subject_digest}, "
            f"but the weights on disk have root digest sha256:{digest} (audit and sign again)"
        )
    if attested.status != required_status:
        raise SignatureInvalid(
            f"{attestation}: the attested audit has status {attested.status!r}, the gate requires {required_status!r}"
        )
    return attested, digests


def require_covered(root: Path, covered: AbstractSet[str], exclusions: VerifierExclusions) -> None:
    """Fail when a model file on disk is neither signed, attested, nor left out by the verifier (naming each)."""
    uncovered = uncovered_model_files(root, covered, exclusions)
    if uncovered:
        shown = ", ".join(uncovered[:10]) + (f", … ({len(uncovered)} in all)" if len(uncovered) > 10 else "")
        raise SignatureInvalid(
            f"{root}: {len(uncovered)} model file(s) not covered by the model signature nor the attested audit: "
            f"{shown}. The repository's own config (exclude, [weights] exclude, [signing] ignore_paths) cannot "
            "leave a model file out of the release gate; sign and audit it, delete it, or leave it out yourself "
            "with --ignore PATH (or --config PATH outside the repository)"
        )


def _require_audited(report_json: dict[str, Any], digests: dict[str, str]) -> None:
    for check in report_json.get("checks", []):
        if check.get("id") != "weights" or not isinstance(check.get("evidence", {}).get("files"), dict):
            continue
        audited = {name: str(entry.get("sha256")) for name, entry in check["evidence"]["files"].items()}
        changed = sorted(n for n in audited.keys() | digests.keys() if audited.get(n) != digests.get(n))
        if changed:
            raise SignatureInvalid(
                f"the weights changed after the audit ({', '.join(changed[:5])}"
                f"{', …' if len(changed) > 5 else ''}): not signing an attestation about content the audit "
                "did not judge (audit again)"
            )


def attest_audit(report_json: dict[str, Any], root: Path, config: Config, key: SigningKey, out: Path) -> str:
    """Sign the audit report as an attestation about the weights on disk; returns the subject digest.

    The weights are read again and must be the ones the report's ``weights`` check
    judged: a file changed after the audit would otherwise get a pass it never had.
    """
    digests = current_weight_digests(root, config)
    _require_audited(report_json, digests)
    digest = compute_root_digest(digests[name] for name in sorted(digests))
    sign_report(report_json, root.resolve().name, digest, key, out)
    return digest

"""``mlaudit verify``: check an OMS signature (by mlaudit or model_signing) against the files on disk."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from mlaudit.cli.project import open_project
from mlaudit.errors import UsageError

if TYPE_CHECKING:
    from mlaudit.signing.gate import GateResult
    from mlaudit.signing.options import SigningOptions


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``mlaudit verify``."""
    parser.add_argument("path", nargs="?", default=".",
                        help="model directory (default: .), or one file signed with `sigstore sign`")
    parser.add_argument("--signature", type=Path,
                        help="the signature (default: PATH/model.sig, or FILE.sigstore for a file)")
    parser.add_argument("--identity", action="append", default=[],
                        help="expected signer identity (keyless); repeatable; default: config")
    parser.add_argument("--issuer", action="append", default=[],
                        help="expected OIDC issuer (keyless); repeatable; default: config")
    parser.add_argument("--public-key", type=Path, help="PEM public key (key-based signatures)")
    parser.add_argument("--offline", action="store_true",
                        help="verify with the trust root bundled with sigstore (no network)")
    parser.add_argument("--staging", action="store_true", help="keyless signatures from Sigstore's staging instance")
    parser.add_argument("--ignore", action="append", default=[], metavar="PATH",
                        help="path (relative to PATH) not compared; repeatable")
    parser.add_argument("--attestation", type=Path,
                        help="also verify a signed audit report (from `mlaudit audit --sign`) for these weights")
    parser.add_argument("--require-status", choices=["pass", "fail"], default="pass",
                        help="status the attested audit must have (default: pass)")
    parser.add_argument("--no-signature", action="store_true",
                        help="with --attestation: pass the gate without a model signature (said in the output)")
    parser.add_argument("--config", type=Path, help="configuration file (default: found in PATH)")


def run(args: argparse.Namespace) -> int:
    """Verify; 0 when the signature holds, 1 when it does not (the message names every difference)."""
    from mlaudit.signing.gate import require_model_signature
    from mlaudit.signing.gate_coverage import config_outside, signed_file_names, verifier_exclusions
    from mlaudit.signing.oms_verify import verify_model
    from mlaudit.signing.policy import expected_signer, ignore_paths_for, signature_path, signing_options

    if Path(args.path).is_file():
        return _verify_blob(args)
    project = open_project(args)
    root, config = project.root, project.config
    options = _trusted_signing_options(args, signing_options(config))
    if args.staging:
        options = dataclasses.replace(options, instance="staging")
    expected = expected_signer(options, root, identities=args.identity, issuers=args.issuer,
                               public_key=args.public_key, offline=args.offline or config.general.offline)
    sig_path = args.signature or signature_path(options, root)
    if args.attestation is not None:
        require_model_signature(sig_path, allow_missing=args.no_signature)
    exclusions = verifier_exclusions(args.ignore, config, config_is_trusted=config_outside(root, args.config))
    # The gate leaves out only what the signature itself recorded and what the verifier says; a plain
    # verify also honours the repository's own ignore lists.
    ignored = list(exclusions.paths) if args.attestation is not None else ignore_paths_for(root, config, args.ignore)
    signer: str | None = None
    signed_files: frozenset[str] = frozenset()
    if args.attestation is None or sig_path.exists():
        signed = verify_model(root, sig_path, expected, ignore_paths=ignored,
                              ignore_git_paths=options.ignore_git_paths)
        signer = signed.signer
        signed_files = signed_file_names(signed.resources, signed.serialization.get("method"))
        print(f"mlaudit: {sig_path}: OK, {len(signed.resources)} file(s) of {signed.model_name} match "
              f"(root sha256:{signed.root_digest}), signed by {signed.signer}")
    if args.attestation is not None:
        from mlaudit.signing.gate import release_gate

        result = release_gate(root, config, args.attestation, expected, args.require_status, signer=signer,
                              signed_files=signed_files, exclusions=exclusions)
        return _report_gate(args.attestation, result)
    return 0


def _trusted_signing_options(args: argparse.Namespace, options: SigningOptions) -> SigningOptions:
    """The signing options, once the audited repository's own say over the trust anchor is settled.

    A configuration the user named (``--config``) is theirs. A configuration found in the
    audited tree may name the signer only on a developer's machine (said on stderr); in CI
    the release gate refuses it, and its Sigstore ``instance`` is not taken either.
    """
    import sys

    from mlaudit.signing.policy import config_anchor
    from mlaudit.store.cache_location import running_in_ci

    if args.config is not None:
        return options
    gate_in_ci = args.attestation is not None and running_in_ci()
    anchor = config_anchor(options, public_key=args.public_key, identities=args.identity)
    if anchor and gate_in_ci:
        raise UsageError(
            f"{anchor} comes from the audited repository's own config: in CI the release gate never takes its "
            "trust anchor from the repository it verifies; pass --public-key PATH (or --identity and --issuer), "
            "or --config PATH for a configuration you trust")
    if anchor:
        print(f"mlaudit: note: the signer is taken from the repository's own config ({anchor}): that proves only "
              "that whoever controls the repository signed; pass --public-key (or --identity) to verify against "
              "a signer you trust", file=sys.stderr)
    if gate_in_ci:
        options = dataclasses.replace(options, instance="production")  # --staging still applies after this
    return options


def _report_gate(path: Path, result: GateResult) -> int:
    audit = result.attestation
    if not result.signature_checked:
        print(f"mlaudit: WARNING: {result.signature_note}: the weights are gated on the attested audit alone")
    print(f"mlaudit: {path}: OK, audit {audit.status} of {audit.subject_name} "
          f"(sha256:{audit.subject_digest}), signed by {audit.signer}; model signature {result.signature_note}")
    return 0


def _verify_blob(args: argparse.Namespace) -> int:
    from mlaudit.signing.blob_verify import default_bundle, verify_blob
    from mlaudit.signing.oms_verify import ExpectedSigner

    artifact = Path(args.path)
    bundle = args.signature or default_bundle(artifact)
    expected = ExpectedSigner(identities=tuple(args.identity), issuers=tuple(args.issuer),
                              instance="staging" if args.staging else "production", offline=args.offline)
    signer = verify_blob(artifact, bundle, expected)
    print(f"mlaudit: {artifact}: OK, signature {bundle} by {signer}")
    return 0

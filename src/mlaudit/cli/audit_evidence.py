"""The evidence options of ``mlaudit audit``: ``--log FILE`` and ``--sign`` (an attestation of the report)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mlaudit.config import Config
from mlaudit.model import Report

DEFAULT_ATTESTATION = "mlaudit-report.sigstore.json"


def configure_evidence(parser: argparse.ArgumentParser) -> None:
    """Add ``--log``, ``--sign``, ``--key``, ``--identity-token``, ``--attestation``."""
    group = parser.add_argument_group("evidence")
    group.add_argument("--log", type=Path, metavar="FILE",
                       help="append this audit to a hash-chained JSON-lines log")
    group.add_argument("--sign", action="store_true",
                       help="sign the report as an in-toto attestation about the model's weights")
    group.add_argument("--key", type=Path, help="with --sign: PEM EC private key (default: keyless Sigstore)")
    group.add_argument("--identity-token", help="with --sign: OIDC identity token for keyless signing")
    group.add_argument("--attestation", type=Path, metavar="FILE",
                       help=f"with --sign: where to write it (default: {DEFAULT_ATTESTATION}, next to --output)")


def record_evidence(args: argparse.Namespace, report: Report, config: Config, root: Path) -> None:
    """Write what ``--log`` and ``--sign`` asked for (after the report is rendered)."""
    if args.log is not None:
        from mlaudit.audit_log.entry import log_audit

        entry = log_audit(args.log, report, config, root)
        print(f"mlaudit: audit logged to {args.log} (entry {entry['seq']}, hash {entry['hash'][:16]}…)",
              file=sys.stderr)
    if args.sign:
        from mlaudit.signing.gate import attest_audit
        from mlaudit.signing.oms_sign import SigningKey

        out = args.attestation or ((args.output.parent if args.output else Path(".")) / DEFAULT_ATTESTATION)
        key = SigningKey(private_key=args.key, identity_token=args.identity_token)
        digest = attest_audit(report.to_json(), root, config, key, out)
        print(f"mlaudit: signed report attestation for weights sha256:{digest} -> {out}", file=sys.stderr)

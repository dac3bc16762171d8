"""``mlaudit sign``: write ``model.sig`` (OpenSSF Model Signing) with a key or keyless with Sigstore."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mlaudit.cli.project import open_project
from mlaudit.errors import UsageError


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``mlaudit sign``."""
    parser.add_argument("path", nargs="?", default=".", help="model directory (default: .)")
    parser.add_argument("--key", type=Path, help="PEM EC private key (default: keyless with Sigstore)")
    parser.add_argument("--password-env", metavar="VAR", help="environment variable holding the key's password")
    parser.add_argument("--identity-token", help="OIDC identity token for keyless signing "
                        "(default: the ambient one, e.g. GitHub Actions with id-token: write)")
    parser.add_argument("--signature", type=Path, help="where to write the signature (default: PATH/model.sig)")
    parser.add_argument("--ignore", action="append", default=[], metavar="PATH",
                        help="path (relative to PATH) left out of the signature; repeatable")
    parser.add_argument("--config", type=Path, help="configuration file (default: found in PATH)")


def run(args: argparse.Namespace) -> int:
    """Sign the model directory; 0 on success."""
    from mlaudit.signing.oms_sign import SigningKey, sign_model
    from mlaudit.signing.policy import ignore_paths_for, signature_path, signing_options

    project = open_project(args)
    root, config = project.root, project.config
    options = signing_options(config)
    password = None
    if args.password_env:
        password = os.environ.get(args.password_env)
        if password is None:
            raise UsageError(f"--password-env: environment variable {args.password_env} is not set")
    key = SigningKey(private_key=args.key, password=password, identity_token=args.identity_token,
                     instance=options.instance)
    sig_path = args.signature or signature_path(options, root)
    written = sign_model(root, sig_path, key, ignore_paths=ignore_paths_for(root, config, args.ignore),
                         ignore_git_paths=options.ignore_git_paths)
    print(f"mlaudit: signed {written.files} file(s) of {written.model_name} "
          f"(root sha256:{written.root_digest}) -> {written.path}", file=sys.stderr)
    return 0

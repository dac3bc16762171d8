"""Signing and verification in the OpenSSF Model Signing (OMS) format.

Built on the reference library ``model_signing`` (imported lazily): mlaudit adds
policy from the configuration (expected identities and issuers, ignore paths),
offline verification against sigstore's bundled trust root, clear messages for
changed, missing and extra files, and signed audit reports (in-toto attestations
whose subject is the model's root digest).
"""

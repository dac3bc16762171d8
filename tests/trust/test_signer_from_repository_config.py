"""The release gate's trust anchor is the verifier's, never the audited repository's own config.

The attack: a repository commits its own key pair's public half, points
``[signing] public_key`` at it, swaps the weights, re-records the manifest, signs
the model and attests a passing audit with its private key. ``mlaudit verify
--attestation`` in CI must not take that key as the trust anchor: only
``--public-key`` / ``--identity`` (the workflow's own choice) or ``--config``
given by the user decide whom the signatures must come from.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_mlaudit

pytestmark = pytest.mark.slow  # end-to-end: real git repositories and mlaudit runs (the edit loop is `-m 'not slow'`)

NOT_CI = {"CI": "", "GITHUB_ACTIONS": ""}


def _key_pair(directory: Path, name: str) -> tuple[Path, Path]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    private, public = directory / f"{name}.key", directory / f"{name}.pub"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


@pytest.fixture
def self_signed(tmp_path: Path) -> dict[str, Path]:
    """Swapped weights, signed and attested with a key pair whose public half the repository names itself."""
    _maintainer_private, maintainer_public = _key_pair(tmp_path / "maintainers", "release")
    attacker_private, attacker_public = _key_pair(tmp_path / "attacker", "release")
    model = tmp_path / "model"
    (model / "keys").mkdir(parents=True)
    (model / "model.safetensors").write_bytes(b"swapped!" * 1000)
    (model / "keys" / "release.pub").write_bytes(attacker_public.read_bytes())
    (model / "mlaudit.toml").write_text('[signing]\npublic_key = "keys/release.pub"\nignore_paths = ["keys"]\n')
    assert run_mlaudit("hash", str(model), "--update", env=NOT_CI).returncode == 0
    signed = run_mlaudit("sign", str(model), "--key", str(attacker_private), env=NOT_CI)
    assert signed.returncode == 0, signed.stderr
    attestation = tmp_path / "attestation.json"
    audited = run_mlaudit("audit", str(model), "--only", "weights", "--sign", "--key", str(attacker_private),
                          "--attestation", str(attestation), env=NOT_CI)
    assert audited.returncode == 0, audited.stderr
    return {"model": model, "attestation": attestation, "maintainers": maintainer_public}


@pytest.mark.parametrize("variable", ["CI", "GITHUB_ACTIONS"])
def test_the_gate_in_ci_refuses_a_key_the_repository_chose(self_signed: dict[str, Path], variable: str) -> None:
    env = {**NOT_CI, variable: "true"}
    gate = run_mlaudit("verify", str(self_signed["model"]), "--attestation", str(self_signed["attestation"]), env=env)
    assert gate.returncode != 0, gate.stdout
    assert "OK" not in gate.stdout
    assert "--public-key" in gate.stderr and "keys/release.pub" in gate.stderr


def test_the_workflow_key_decides_and_the_swap_fails(self_signed: dict[str, Path]) -> None:
    env = {**NOT_CI, "CI": "true"}
    gate = run_mlaudit("verify", str(self_signed["model"]), "--attestation", str(self_signed["attestation"]),
                       "--public-key", str(self_signed["maintainers"]), env=env)
    assert gate.returncode == 1 and "OK, audit" not in gate.stdout, gate.stdout + gate.stderr


def test_the_users_explicit_choice_is_theirs(self_signed: dict[str, Path]) -> None:
    model = self_signed["model"]
    env = {**NOT_CI, "CI": "true"}
    explicit_key = run_mlaudit("verify", str(model), "--attestation", str(self_signed["attestation"]),
                               "--public-key", str(model / "keys" / "release.pub"), env=env)
    assert explicit_key.returncode == 0, explicit_key.stderr
    explicit_config = run_mlaudit("verify", str(model), "--attestation", str(self_signed["attestation"]),
                                  "--config", str(model / "mlaudit.toml"), env=env)
    assert explicit_config.returncode == 0, explicit_config.stderr


def test_on_a_developers_machine_the_repository_key_is_used_and_said(self_signed: dict[str, Path]) -> None:
    gate = run_mlaudit("verify", str(self_signed["model"]), "--attestation", str(self_signed["attestation"]),
                       env=NOT_CI)
    assert gate.returncode == 0, gate.stderr
    assert "keys/release.pub" in gate.stderr and "repository's own config" in gate.stderr


def test_a_configured_key_outside_the_repository_is_refused(self_signed: dict[str, Path]) -> None:
    model = self_signed["model"]
    (model / "mlaudit.toml").write_text('[signing]\npublic_key = "../attacker/release.pub"\nignore_paths = ["keys"]\n')
    gate = run_mlaudit("verify", str(model), env=NOT_CI)
    assert gate.returncode == 2 and "public_key" in gate.stderr, gate.stderr

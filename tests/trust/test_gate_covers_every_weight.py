"""The release gate covers every weight file, whatever the audited repository's config says.

The attack: a model is signed and its passing audit attested; then a pickle that
runs ``os.system`` is dropped in as ``evil.pt`` and the repository's own config
leaves it out (``exclude``, ``[weights] exclude``, ``[signing] ignore_paths``).
It is then in neither the signature nor the attested digest, and the gate used to
say OK. Only the verifier may leave a model file out: ``--ignore`` on the command
line, or a ``--config`` outside the tree.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_mlaudit

pytestmark = pytest.mark.slow  # end-to-end: real git repositories and mlaudit runs (the edit loop is `-m 'not slow'`)

NOT_CI = {"CI": "", "GITHUB_ACTIONS": ""}
EVIL_PICKLE = b"cos\nsystem\n(S'touch /tmp/mlaudit-gate-pwned'\ntR."


def _key_pair(directory: Path) -> tuple[Path, Path]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    private, public = directory / "release.key", directory / "release.pub"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


def _release(tmp_path: Path, config: str) -> dict[str, Path]:
    private, public = _key_pair(tmp_path / "maintainers")
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.safetensors").write_bytes(b"weights!" * 1000)
    (model / "mlaudit.toml").write_text(config)
    assert run_mlaudit("hash", str(model), "--update", env=NOT_CI).returncode == 0
    signed = run_mlaudit("sign", str(model), "--key", str(private), env=NOT_CI)
    assert signed.returncode == 0, signed.stderr
    attestation = tmp_path / "attestation.json"
    audited = run_mlaudit("audit", str(model), "--only", "weights", "--sign", "--key", str(private),
                          "--attestation", str(attestation), env=NOT_CI)
    assert audited.returncode == 0, audited.stderr
    return {"model": model, "attestation": attestation, "public": public}


@pytest.fixture
def released(tmp_path: Path) -> dict[str, Path]:
    """A model signed and attested by the maintainers; its config is left out of the signature (a common set-up)."""
    return _release(tmp_path, '[signing]\nignore_paths = ["mlaudit.toml"]\n')


@pytest.fixture
def released_with_a_hole(tmp_path: Path) -> dict[str, Path]:
    """The config at signing time already left ``evil.pt`` out: the signature records that ignore list."""
    return _release(tmp_path, 'exclude = ["evil.pt"]\n[signing]\nignore_paths = ["mlaudit.toml", "evil.pt"]\n')


def _gate(released: dict[str, Path], *extra: str, ci: bool = True) -> tuple[int, str]:
    env = {**NOT_CI, "CI": "true"} if ci else NOT_CI
    proc = run_mlaudit("verify", str(released["model"]), "--attestation", str(released["attestation"]),
                       "--public-key", str(released["public"]), *extra, env=env)
    return proc.returncode, proc.stdout + proc.stderr


def test_the_release_passes_before_the_attack(released: dict[str, Path]) -> None:
    code, out = _gate(released)
    assert code == 0, out


EXCLUSIONS = {
    "general-exclude": 'exclude = ["evil.pt"]\n[signing]\nignore_paths = ["mlaudit.toml", "evil.pt"]\n',
    "weights-exclude": '[weights]\nexclude = ["evil.pt"]\n[signing]\nignore_paths = ["mlaudit.toml", "evil.pt"]\n',
    "tool-mlaudit": None,  # [tool.mlaudit] in pyproject.toml
}


@pytest.mark.parametrize("how", sorted(EXCLUSIONS))
@pytest.mark.parametrize("ci", [True, False], ids=["ci", "developer"])
def test_a_weight_file_the_repository_excludes_fails_the_gate(released: dict[str, Path], how: str,
                                                              ci: bool) -> None:
    model = released["model"]
    (model / "evil.pt").write_bytes(EVIL_PICKLE)
    text = EXCLUSIONS[how]
    if text is None:
        # mlaudit.toml is in the signature's own ignore list, so it may go; pyproject.toml takes over
        (model / "mlaudit.toml").unlink()
        (model / "pyproject.toml").write_text('[tool.mlaudit]\nexclude = ["evil.pt"]\n'
                                              '[tool.mlaudit.signing]\nignore_paths = ["evil.pt", "pyproject.toml"]\n')
    else:
        (model / "mlaudit.toml").write_text(text)
    code, out = _gate(released, ci=ci)
    assert code == 1, out
    assert "OK, audit" not in out
    assert "evil.pt" in out


@pytest.mark.parametrize("ci", [True, False], ids=["ci", "developer"])
def test_a_weight_file_the_signed_ignore_list_leaves_out_fails_the_gate(released_with_a_hole: dict[str, Path],
                                                                        ci: bool) -> None:
    (released_with_a_hole["model"] / "evil.pt").write_bytes(EVIL_PICKLE)
    code, out = _gate(released_with_a_hole, ci=ci)
    assert code == 1, out
    assert "OK, audit" not in out
    assert "not covered" in out and "evil.pt" in out
    code, out = _gate(released_with_a_hole, "--ignore", "evil.pt")
    assert code == 0, out


def test_a_disguised_pickle_is_found_by_content(released: dict[str, Path]) -> None:
    model = released["model"]
    (model / "notes").mkdir()
    (model / "notes" / "vocab.txt").write_bytes(EVIL_PICKLE)
    (model / "mlaudit.toml").write_text('exclude = ["notes/**"]\n[signing]\nignore_paths = ["mlaudit.toml", "notes"]\n')
    code, out = _gate(released)
    assert code == 1 and "notes/vocab.txt" in out, out


def test_a_model_file_the_repository_gitignores_fails_the_gate(released: dict[str, Path]) -> None:
    model = released["model"]
    (model / "evil.pt").write_bytes(EVIL_PICKLE)
    (model / ".gitignore").write_text("evil.pt\n")
    (model / "mlaudit.toml").write_text('[signing]\nignore_paths = ["mlaudit.toml", "evil.pt"]\n')
    code, out = _gate(released, "--no-signature")
    assert code == 1 and "evil.pt" in out, out


def test_without_a_signature_the_excluded_weight_fails_too(released: dict[str, Path]) -> None:
    model = released["model"]
    (model / "model.sig").unlink()
    (model / "evil.pt").write_bytes(EVIL_PICKLE)
    (model / "mlaudit.toml").write_text('exclude = ["evil.pt"]\n')
    code, out = _gate(released, "--no-signature")
    assert code == 1 and "evil.pt" in out and "OK, audit" not in out, out


def test_the_verifier_may_leave_a_file_out(released: dict[str, Path], tmp_path: Path) -> None:
    model = released["model"]
    (model / "scratch.pt").write_bytes(EVIL_PICKLE)
    (model / "mlaudit.toml").write_text('exclude = ["scratch.pt"]\n[signing]\nignore_paths = ["mlaudit.toml", '
                                        '"scratch.pt"]\n')
    code, out = _gate(released, "--ignore", "scratch.pt")
    assert code == 0, out
    trusted = tmp_path / "trusted.toml"
    trusted.write_text('exclude = ["scratch.pt"]\n[signing]\nignore_paths = ["mlaudit.toml", "scratch.pt"]\n')
    code, out = _gate(released, "--config", str(trusted))
    assert code == 0, out
    # a --config inside the tree is the repository's own, not the verifier's
    code, out = _gate(released, "--config", str(model / "mlaudit.toml"))
    assert code == 1 and "scratch.pt" in out, out


def test_model_files_are_found_by_name_and_by_content(tmp_path: Path) -> None:
    import os

    from mlaudit.signing.gate_coverage import model_files_on_disk

    (tmp_path / ".git" / "objects").mkdir(parents=True)
    (tmp_path / ".git" / "objects" / "x.pt").write_bytes(EVIL_PICKLE)  # Git's own folder is not the model
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "vocab.txt").write_bytes(EVIL_PICKLE)
    (tmp_path / "sub" / "notes.txt").write_text("plain text\n")
    (tmp_path / "model.safetensors").write_bytes(b"anything")
    (tmp_path / "empty.pt").write_bytes(b"")
    os.symlink("/etc/passwd", tmp_path / "linked.ckpt")  # counted by its name, never opened
    assert model_files_on_disk(tmp_path) == ["empty.pt", "linked.ckpt", "model.safetensors", "sub/vocab.txt"]


def test_verifier_exclusions_and_signed_shards() -> None:
    from mlaudit.signing.gate_coverage import VerifierExclusions, signed_file_names

    paths = VerifierExclusions(paths=("scratch", "a.pt"))
    assert paths.excludes("scratch/x.pt") and paths.excludes("a.pt")
    assert not paths.excludes("scratchpad.pt") and not paths.excludes("b/a.pt")
    assert VerifierExclusions(globs=("**/*.bin",)).excludes("x/y.bin")
    assert signed_file_names(["w/big.bin:0:4096", "w/big.bin:4096:8192", "a:b.pt:0:10"], "shards") == {
        "w/big.bin", "a:b.pt"}
    assert signed_file_names(["a.pt"], "files") == {"a.pt"}

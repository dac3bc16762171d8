"""Provenance from real Git histories: SSH-signed and unsigned commits, CODEOWNERS, model card, PRs, shallow clones."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import git, init_repo, run_mlaudit

CARD = "---\nlicense: apache-2.0\nbase_model: acme/base-7b\ndatasets: [acme/corpus]\n---\n# Model\n"

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is needed to sign commits")


def _commit(repo: Path, message: str, *, who: str, signed: bool) -> str:
    name, email = who.split(":")
    sign = ["-S"] if signed else ["--no-gpg-sign"]
    git(repo, "-c", f"user.name={name}", "-c", f"user.email={email}", "add", "-A")
    git(repo, "-c", f"user.name={name}", "-c", f"user.email={email}", "commit", "-q", *sign, "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A model repository: Alice's signed first commit, Bob's unsigned change, an uncovered adapter."""
    base = tmp_path_factory.mktemp("provenance")
    key = base / "signing_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "alice@example.org", "-f", str(key)],
                   check=True)
    allowed = base / "allowed_signers"
    allowed.write_text(f'alice@example.org namespaces="git" {(base / "signing_key.pub").read_text()}')
    repo = init_repo(base / "repo")
    git(repo, "config", "gpg.format", "ssh")
    git(repo, "config", "user.signingkey", str(base / "signing_key.pub"))
    git(repo, "config", "gpg.ssh.allowedSignersFile", str(allowed))
    (repo / "model.safetensors").write_bytes(b"v1" * 50)
    (repo / "weights.lock.json").write_text('{"version": 1, "resources": []}\n')
    (repo / "README.md").write_text(CARD)
    (repo / ".github").mkdir()
    (repo / ".github" / "CODEOWNERS").write_text("# weights need the ML leads\n*.safetensors @acme/ml-leads\n")
    first = _commit(repo, "initial model", who="Alice:alice@example.org", signed=True)
    (repo / "model.safetensors").write_bytes(b"v2" * 50)
    (repo / "adapters").mkdir()
    (repo / "adapters" / "lora.bin").write_bytes(b"\x80\x02" + b"x" * 40)
    second = _commit(repo, "retrain", who="Bob:bob@example.org", signed=False)
    return {"repo": repo, "first": first, "second": second, "base": base}


def _audit(repo: Path, **env: str) -> tuple[int, dict[str, Any]]:
    proc = run_mlaudit("audit", str(repo), "--only", "provenance", "--format", "json", env=env)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)["checks"][0]


def _rules(check: dict[str, Any]) -> list[tuple[str, str | None]]:
    return sorted((f["rule"], f["path"]) for f in check["findings"])


def test_history_signatures_and_codeowners(history: dict[str, Any]) -> None:
    code, check = _audit(history["repo"])
    files = check["evidence"]["files"]
    commits = files["model.safetensors"]["commits"]
    assert [c["sha"] for c in commits] == [history["second"], history["first"]]
    assert commits[1]["signed"] and commits[1]["signature_status"] == "G" and commits[1]["signer"] == "alice@example.org"
    assert commits[1]["author"] == "Alice <alice@example.org>"
    assert not commits[0]["signed"] and commits[0]["author"] == "Bob <bob@example.org>"
    assert files["model.safetensors"]["first_commit"]["sha"] == history["first"]
    assert files["adapters/lora.bin"]["first_commit"]["sha"] == history["second"]
    assert [c["sha"] for c in files["weights.lock.json"]["commits"]] == [history["first"]]
    assert _rules(check) == [
        ("provenance.no-codeowner", "adapters/lora.bin"),
        ("provenance.unsigned-commit", "adapters/lora.bin"),
        ("provenance.unsigned-commit", "model.safetensors"),
    ]
    unsigned = next(f for f in check["findings"] if f["path"] == "model.safetensors")
    assert history["second"][:12] in unsigned["message"] and "Bob" in unsigned["message"]
    assert unsigned["details"]["count"] == 1 and unsigned["details"]["newest"]["sha"] == history["second"]
    assert check["evidence"]["shallow"] is False
    assert check["evidence"]["model_card"]["base_model"] == ["acme/base-7b"]
    assert check["status"] == "warn" and code == 0  # medium findings, fail-on high
    markdown = run_mlaudit("audit", str(history["repo"]), "--only", "provenance", "--format", "markdown").stdout
    assert f"| `model.safetensors` | 2 | `{history['second'][:12]}`" in markdown
    assert "| Bob &lt;bob@example.org&gt; | unsigned |" in markdown
    assert f"`{history['first'][:12]}` " in markdown and "Alice &lt;alice@example.org&gt;" in markdown


def test_signature_not_checkable_here_is_not_called_unsigned(history: dict[str, Any], tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(history["repo"]), str(clone))
    _code, check = _audit(clone)  # no allowed signers configured in this clone
    first = check["evidence"]["files"]["model.safetensors"]["commits"][1]
    assert first["signed"] is True and first["signature_status"] == "E"
    rules = _rules(check)
    assert ("provenance.unverified-signature", "model.safetensors") in rules
    (clone / "mlaudit.toml").write_text('[provenance]\ntrusted_signatures = ["G", "U", "E"]\n'
                                        'unsigned_severity = "high"\n')
    code, check = _audit(clone)
    assert ("provenance.unverified-signature", "model.safetensors") not in _rules(check)
    assert code == 1 and check["status"] == "fail"


def test_pull_request_judges_only_its_commits(history: dict[str, Any], tmp_path: Path) -> None:
    clone = tmp_path / "pr"
    git(tmp_path, "clone", "-q", str(history["repo"]), str(clone))
    git(clone, "config", "user.email", "carol@example.org")
    git(clone, "config", "user.name", "Carol")
    git(clone, "checkout", "-q", "-b", "feature")
    (clone / "model.safetensors").write_bytes(b"v3" * 50)
    (clone / "notes.txt").write_text("unrelated")
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "--no-gpg-sign", "-m", "fine-tune")
    pr_commit = git(clone, "rev-parse", "HEAD").strip()
    _code, check = _audit(clone, GITHUB_BASE_REF="main")
    assert check["evidence"]["pull_request_base"] == "origin/main"
    assert check["evidence"]["files"]["model.safetensors"]["pull_request_commits"] == [pr_commit]
    assert check["evidence"]["files"]["adapters/lora.bin"]["pull_request_commits"] == []
    unsigned = [f for f in check["findings"] if f["rule"] == "provenance.unsigned-commit"]
    assert [(f["path"], f["details"]["commits"]) for f in unsigned] == [("model.safetensors", [pr_commit])]
    proc = run_mlaudit("audit", str(clone), "--only", "provenance", env={"GITHUB_BASE_REF": "no-such-branch"})
    assert proc.returncode == 1 and "no-such-branch" in proc.stdout


def test_shallow_clone_is_reported_not_misread(history: dict[str, Any], tmp_path: Path) -> None:
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{history['repo']}", str(shallow))
    code, check = _audit(shallow)
    assert check["status"] == "error" and code == 1
    assert "shallow clone" in check["summary"] and "fetch-depth: 0" in check["summary"]
    assert check["evidence"]["shallow"] is True
    assert check["evidence"]["files"]["model.safetensors"]["first_commit"] is None


def test_model_card_and_codeowners_missing(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "bare-model")
    (repo / "weights.safetensors").write_bytes(b"w" * 20)
    (repo / "README.md").write_text("---\nlicense: mit\n---\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "add")
    _code, check = _audit(repo)
    rules = _rules(check)
    assert ("provenance.card-missing-base-model", "README.md") in rules
    assert ("provenance.no-codeowners", None) in rules
    (repo / "README.md").unlink()
    git(repo, "commit", "-qam", "drop card")
    _code, check = _audit(repo)
    assert ("provenance.no-model-card", "README.md") in _rules(check)
    (repo / "mlaudit.toml").write_text('[provenance]\nrequire_model_card = false\ncard_keys = []\n'
                                       'require_codeowners = false\nrequire_signed_commits = false\n')
    code, check = _audit(repo)
    assert check["findings"] == [] and check["status"] == "pass" and code == 0


def test_outside_git_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "w.safetensors").write_bytes(b"w")
    _code, check = _audit(tmp_path / "plain")
    assert check["status"] == "skipped" and "not in a Git repository" in check["summary"]


def test_model_in_a_subfolder_uses_the_top_level_codeowners(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "mono")
    (repo / "models" / "small").mkdir(parents=True)
    (repo / "models" / "small" / "w.safetensors").write_bytes(b"w" * 20)
    (repo / "models" / "small" / "other.bin").write_bytes(b"\x80\x02" + b"o" * 20)
    (repo / "models" / "small" / "README.md").write_text(CARD)
    (repo / ".github").mkdir()
    (repo / ".github" / "CODEOWNERS").write_text("/models/small/*.safetensors @acme/ml\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "add")
    _code, check = _audit(repo / "models" / "small")
    rules = _rules(check)
    assert ("provenance.no-codeowner", "other.bin") in rules
    assert ("provenance.no-codeowner", "w.safetensors") not in rules
    assert set(check["evidence"]["files"]) == {"w.safetensors", "other.bin"}


def test_unsigned_history_is_one_finding_per_file_keyed_by_the_newest(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "history")
    (repo / "README.md").write_text(CARD)
    for n in range(3):
        (repo / "w.safetensors").write_bytes(bytes([n]) * 10)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"change {n}")
    _code, check = _audit(repo)
    unsigned = [f for f in check["findings"] if f["rule"] == "provenance.unsigned-commit"]
    assert len(unsigned) == 1 and unsigned[0]["details"]["count"] == 3
    assert "and 2 earlier commit(s)" in unsigned[0]["message"]
    (repo / "w.safetensors").write_bytes(b"new")
    git(repo, "commit", "-qam", "change 3")
    _code, again = _audit(repo)
    newer = [f for f in again["findings"] if f["rule"] == "provenance.unsigned-commit"]
    assert newer[0]["details"]["count"] == 4
    assert newer[0]["fingerprint"] != unsigned[0]["fingerprint"]  # a new unsigned change is a new finding


def test_a_readme_that_is_not_a_card_is_no_finding_when_no_card_is_required(tmp_path: Path) -> None:
    """With ``require_model_card = false`` a plain README is just a README; a broken card is still a finding."""
    repo = init_repo(tmp_path / "code-repo")
    (repo / "weights.safetensors").write_bytes(b"w" * 20)
    (repo / "README.md").write_text("# A project\n\nNo front matter here.\n")
    (repo / "mlaudit.toml").write_text('[provenance]\nrequire_model_card = false\n'
                                       'require_codeowners = false\nrequire_signed_commits = false\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "add")
    code, check = _audit(repo)
    assert check["findings"] == [] and check["status"] == "pass" and code == 0, check
    # Required, the same README is not a usable card: reported.
    (repo / "mlaudit.toml").write_text('[provenance]\nrequire_codeowners = false\nrequire_signed_commits = false\n')
    _code, check = _audit(repo)
    assert ("provenance.model-card-invalid", "README.md") in _rules(check)
    # Not required, a card that exists but is broken (front matter never closed) is still reported.
    (repo / "mlaudit.toml").write_text('[provenance]\nrequire_model_card = false\n'
                                       'require_codeowners = false\nrequire_signed_commits = false\n')
    (repo / "README.md").write_text("---\nlicense: mit\n# the front matter never ends\n")
    _code, check = _audit(repo)
    assert ("provenance.model-card-invalid", "README.md") in _rules(check)

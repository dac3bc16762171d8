"""Keyless signing up to the Sigstore signer: the identity token and Fulcio/Rekor are the only fakes."""

from __future__ import annotations

import base64
import contextlib
import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from conftest import fixture_path

from mlaudit.errors import MlauditError
from mlaudit.signing.oms_sign import SigningFailed, SigningKey, sign_model
from mlaudit.weights.manifest import compute_root_digest

WORKFLOW = "https://github.com/acme/model/.github/workflows/release.yml@refs/tags/v1"


def _jwt(claims: dict[str, Any]) -> str:
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.{base64.urlsafe_b64encode(b'sig').decode().rstrip('=')}"


def _github_token() -> str:
    now = int(time.time())
    return _jwt({"iss": "https://token.actions.githubusercontent.com", "aud": "sigstore", "sub": WORKFLOW,
                 "iat": now, "nbf": now, "exp": now + 600, "job_workflow_ref": WORKFLOW.split("https://github.com/")[1]})


class _RecordingSigner:
    """Stands in for sigstore's Signer, whose construction asks Fulcio for a certificate."""

    calls: ClassVar[list[tuple[Any, bytes]]] = []

    def __init__(self, token: Any) -> None:
        self.token = token

    def sign_dsse(self, statement: Any) -> Any:
        from sigstore.models import Bundle

        _RecordingSigner.calls.append((self.token, statement._contents))
        fixture = fixture_path("model-signing", "v1.1.0-sigstore", "model.sig")
        return Bundle.from_json(fixture.read_bytes())


@pytest.fixture
def fake_sigstore(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, bytes]]:
    from sigstore.sign import SigningContext

    @contextlib.contextmanager
    def signer(self: Any, identity_token: Any, *, cache: bool = True) -> Iterator[_RecordingSigner]:
        yield _RecordingSigner(identity_token)

    _RecordingSigner.calls = []
    monkeypatch.setattr(SigningContext, "signer", signer)
    return _RecordingSigner.calls


def _model(tmp_path: Path) -> Path:
    model = tmp_path / "model"
    model.mkdir()
    (model / "a.safetensors").write_bytes(b"A" * 100)
    (model / "b.bin").write_bytes(b"B" * 10)
    (model / ".gitattributes").write_text("*.bin filter=lfs\n")
    return model


def test_explicit_token_signs_the_oms_statement(tmp_path: Path, fake_sigstore: list[tuple[Any, bytes]]) -> None:
    import hashlib

    model = _model(tmp_path)
    key = SigningKey(identity_token=_github_token(), offline_trust_root=True)
    written = sign_model(model, model / "model.sig", key)
    assert len(fake_sigstore) == 1
    token, raw = fake_sigstore[0]
    assert token.identity == WORKFLOW
    statement = json.loads(raw)
    assert statement["predicateType"] == "https://model_signing/signature/v1.0"
    resources = {r["name"]: r["digest"] for r in statement["predicate"]["resources"]}
    assert resources == {"a.safetensors": hashlib.sha256(b"A" * 100).hexdigest(),
                         "b.bin": hashlib.sha256(b"B" * 10).hexdigest()}
    assert "model.sig" in statement["predicate"]["serialization"]["ignore_paths"]
    root = compute_root_digest(resources[n] for n in sorted(resources))
    assert statement["subject"] == [{"name": "model", "digest": {"sha256": root}}]
    assert written.root_digest == root and written.files == 2
    # the bundle the signer returned is written as is, in the Sigstore bundle format
    assert json.loads((model / "model.sig").read_text())["mediaType"].startswith("application/vnd.dev.sigstore.bundle")


@pytest.fixture
def github_oidc(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A loopback stand-in for the Actions OIDC endpoint; records the requests it served."""
    token = _github_token()
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(f"{self.path} {self.headers.get('Authorization')}")
            body = json.dumps({"value": token}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-token")
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_URL", f"http://127.0.0.1:{server.server_port}/token?api=1")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    yield seen
    server.shutdown()


def test_ambient_github_token_is_used(tmp_path: Path, fake_sigstore: list[tuple[Any, bytes]],
                                      github_oidc: list[str]) -> None:
    model = _model(tmp_path)
    sign_model(model, model / "model.sig", SigningKey(offline_trust_root=True))
    assert github_oidc and "audience=sigstore" in github_oidc[0] and "bearer request-token" in github_oidc[0]
    assert fake_sigstore[0][0].identity == WORKFLOW


def test_no_identity_is_a_clear_error(tmp_path: Path, fake_sigstore: list[tuple[Any, bytes]],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("GITHUB_ACTIONS", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_URL",
                "GOOGLE_SERVICE_ACCOUNT_NAME", "BUILDKITE_JOB_ID", "GITLAB_CI", "CIRCLECI"):
        monkeypatch.delenv(var, raising=False)
    model = _model(tmp_path)
    with pytest.raises(SigningFailed, match="--identity-token"):
        sign_model(model, model / "model.sig", SigningKey(offline_trust_root=True))
    with pytest.raises(SigningFailed, match="not usable"):
        sign_model(model, model / "model.sig", SigningKey(identity_token="not-a-jwt", offline_trust_root=True))
    assert not fake_sigstore
    assert not (model / "model.sig").exists()


def test_expired_token_is_refused(tmp_path: Path, fake_sigstore: list[tuple[Any, bytes]]) -> None:
    now = int(time.time())
    expired = _jwt({"iss": "https://token.actions.githubusercontent.com", "aud": "sigstore", "sub": "x",
                    "iat": now - 7200, "nbf": now - 7200, "exp": now - 3600, "job_workflow_ref": "a/b"})
    with pytest.raises(MlauditError):
        sign_model(_model(tmp_path), tmp_path / "model.sig", SigningKey(identity_token=expired,
                                                                          offline_trust_root=True))
    assert not fake_sigstore


def test_keyless_report_attestation(tmp_path: Path, fake_sigstore: list[tuple[Any, bytes]]) -> None:
    from mlaudit.signing.report_attestation import PREDICATE_TYPE, report_digest, sign_report

    report = {"schema_version": 1, "tool": {"name": "mlaudit", "version": "0"}, "status": "pass",
              "counts": {"high": 0}, "checks": [{"id": "weights", "duration_s": 0.25, "findings": []}]}
    out = sign_report(report, "model", "ab" * 32, SigningKey(identity_token=_github_token(), offline_trust_root=True),
                      tmp_path / "attestation.json")
    token, raw = fake_sigstore[0]
    assert token.identity == WORKFLOW
    statement = json.loads(raw)
    assert statement["predicateType"] == PREDICATE_TYPE
    assert statement["subject"] == [{"name": "model", "digest": {"sha256": "ab" * 32}}]
    predicate = statement["predicate"]
    assert predicate["status"] == "pass" and predicate["reportSha256"] == report_digest(report)
    # integers survive the protobuf Struct on the way to the signer: the report travels as text
    assert json.loads(predicate["report"]) == report
    assert out.is_file()

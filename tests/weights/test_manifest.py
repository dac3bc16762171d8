"""The weight manifest: layout, OMS-compatible root digest, and malformed manifests with lines."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from conftest import fixture_path

from mlaudit.weights.hashing import digest_files
from mlaudit.weights.manifest import (
    ManifestEntry,
    ManifestError,
    compute_root_digest,
    parse_manifest,
    read_manifest,
    render_manifest,
)

A = "a" * 64
B = "b" * 64


def test_render_is_sorted_one_entry_per_line_and_round_trips() -> None:
    text = render_manifest([ManifestEntry("z.bin", 2, B), ManifestEntry("a/x.pt", 1, A)])
    lines = text.splitlines()
    entry_lines = [line for line in lines if '"name"' in line]
    assert [json.loads(line.strip().rstrip(","))["name"] for line in entry_lines] == ["a/x.pt", "z.bin"]
    manifest = parse_manifest(text)
    assert manifest.entries["z.bin"].size == 2
    assert manifest.entries["z.bin"].line == lines.index(entry_lines[1]) + 1
    assert json.loads(text)["serialization"]["method"] == "files"


def test_root_digest_matches_model_signing() -> None:
    # A real OMS signature: its subject digest is the root digest over the files' SHA-256.
    folder = fixture_path("model-signing", "v1.1.0-elliptic-key")
    bundle = json.loads((folder / "model.sig").read_text())
    statement = json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"]))
    names = [r["name"] for r in statement["predicate"]["resources"]]
    digests = digest_files(folder, names).digests
    assert compute_root_digest(digests[n].digest for n in sorted(names)) == statement["subject"][0]["digest"]["sha256"]


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('{\n  "version": 1,\n  "resources": [\n    {"name": "a"\n  ]\n}\n', "not valid JSON", 5),
        ("[]", "must be a JSON object", 1),
        ('{\n"version": 2,\n"resources": []}', "unsupported manifest version", 2),
        ('{"version": 1,\n"resources": {}}', "'resources' must be a list", 2),
        ('{"version": 1, "resources": [\n{"name": "a.bin", "digest": "xyz", "size": 1}\n]}', "digest must be 64", 2),
        ('{"version": 1, "resources": [\n{"name": "a.bin", "digest": "' + A + '", "size": -1}\n]}', "size must be", 2),
        ('{"version": 1, "resources": [\n{"name": "../x", "digest": "' + A + '", "size": 1}\n]}', "inside it", 2),
        ('{"version": 1, "resources": [\n{"name": "a", "digest": "' + A + '", "size": 1},\n'
         '{"name": "a", "digest": "' + A + '", "size": 1}]}', "listed twice", 2),
    ],
)
def test_malformed_manifest_errors_carry_a_line(text: str, message: str, line: int) -> None:
    with pytest.raises(ManifestError) as info:
        parse_manifest(text)
    assert message in str(info.value)
    assert info.value.line == line


def test_hand_edited_digest_breaks_root_digest() -> None:
    text = render_manifest([ManifestEntry("a.bin", 1, A)]).replace(A, B)
    with pytest.raises(ManifestError, match="root_digest"):
        parse_manifest(text)


def test_non_utf8_and_oversized_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "weights.lock.json"
    path.write_bytes(b'{"version": 1,\n"x": "\xff"}')
    with pytest.raises(ManifestError, match="not UTF-8") as info:
        read_manifest(path)
    assert info.value.line == 2
    monkeypatch.setattr("mlaudit.weights.manifest.MAX_MANIFEST_BYTES", 4)
    with pytest.raises(ManifestError, match="over the"):
        read_manifest(path)

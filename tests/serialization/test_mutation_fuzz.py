"""Seeded mutations of valid samples: the scanner always returns a report, never raises or hangs."""

from __future__ import annotations

import pickle
import random
import zipfile
from pathlib import Path

import pytest
from serialization_samples import gguf_bytes, pb_field, safetensors_bytes, stream, zip_bytes

from mlaudit.serialization.scanner import ModelScanner

SEEDS = {
    "model.pt": zip_bytes({"m/data.pkl": pickle.dumps({"w": [1.0] * 20, "n": "x"}, protocol=2), "m/data/0": b"\0" * 64}),
    "model.pkl": pickle.dumps({"layers": [{"w": list(range(30)), "name": "l" * 40}] * 3}, protocol=4),
    "old.pkl": pickle.dumps({"a": [1, 2, (3, "x")]}, protocol=0),
    "model.gguf": gguf_bytes({"general.architecture": "llama", "tokenizer.ggml.tokens": ["a", "bb"] * 20,
                              "tokenizer.chat_template": "{% for m in messages %}{{ m['content'] }}{% endfor %}"}),
    "w.safetensors": safetensors_bytes({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}, b"\0" * 16),
    "model.keras": zip_bytes({"config.json": b'{"module": "keras", "class_name": "Sequential", "config": {}}',
                              "metadata.json": b"{}"}, zipfile.ZIP_DEFLATED),
    "model.onnx": pb_field(7, pb_field(5, pb_field(8, "w") + pb_field(13, pb_field(1, "location")
                                                                       + pb_field(2, "w.bin")))),
    "nested.pkl": stream(b"(" * 50 + b"N" + b"t" * 50),
}


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_mutated_samples_always_end_in_a_report(tmp_path: Path, name: str) -> None:
    rng = random.Random(f"mlaudit-{name}")
    scanner = ModelScanner()
    original = SEEDS[name]
    for i in range(150):
        data = bytearray(original)
        for _ in range(rng.randint(1, 4)):
            choice = rng.random()
            at = rng.randrange(len(data)) if data else 0
            if choice < 0.5 and data:
                data[at] = rng.randrange(256)
            elif choice < 0.7:
                del data[at:]
            elif choice < 0.85:
                data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
            else:
                data[at:at + 8] = rng.choice([b"\xff" * 8, b"\x00" * 8, (1 << 62).to_bytes(8, "little")])
        path = tmp_path / f"{i}-{name}"
        path.write_bytes(bytes(data))
        report = scanner.scan_path(path, path.name)  # must not raise
        assert report.complete or report.findings, f"{path.name}: incomplete without a finding"

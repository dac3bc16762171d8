"""Regenerate the demo model's weights (a tiny two-layer MLP) as safetensors, without any ML library.

safetensors layout: 8-byte little-endian header length, a JSON header naming each
tensor's dtype, shape and byte offsets, then the raw little-endian data.
Run: python examples/generate_demo_model.py
"""

from __future__ import annotations

import json
import random
import struct
from pathlib import Path

HERE = Path(__file__).parent / "demo-model"


def tensor_bytes(count: int, rng: random.Random) -> bytes:
    return struct.pack(f"<{count}f", *(rng.uniform(-0.5, 0.5) for _ in range(count)))


def write_safetensors(path: Path, tensors: dict[str, tuple[list[int], bytes]]) -> None:
    header: dict[str, object] = {"__metadata__": {"format": "pt", "source": "mlaudit demo"}}
    offset = 0
    for name, (shape, data) in tensors.items():
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)  # the format pads the header to 8 bytes
    with path.open("wb") as fh:
        fh.write(struct.pack("<Q", len(raw)) + raw)
        for _, data in tensors.values():
            fh.write(data)


def main() -> None:
    rng = random.Random(20261201)
    write_safetensors(HERE / "model.safetensors", {
        "fc1.weight": ([16, 8], tensor_bytes(128, rng)),
        "fc1.bias": ([16], tensor_bytes(16, rng)),
        "fc2.weight": ([2, 16], tensor_bytes(32, rng)),
        "fc2.bias": ([2], tensor_bytes(2, rng)),
    })
    write_safetensors(HERE / "head.safetensors", {"head.weight": ([4, 2], tensor_bytes(8, rng))})


if __name__ == "__main__":
    main()

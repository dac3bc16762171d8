"""Cost of keeping repository paths inside the root: ``resolve_in_repo`` against a plain ``os.stat``.

Every weight file, manifest entry and sample file goes through ``resolve_in_repo``
(one ``lstat`` per path component). Reference: ``os.stat`` of the same paths,
which follows symlinks blindly. Usage: ``python benchmarks/bench_repo_paths.py [N]``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from mlaudit.repo_paths import resolve_in_repo


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "models" / "shards").mkdir(parents=True)
        names = [f"models/shards/w{i}.bin" for i in range(n)]
        for name in names:
            (root / name).touch()
        start = time.perf_counter()
        for name in names:
            os.stat(root / name)
        reference = time.perf_counter() - start
        start = time.perf_counter()
        for name in names:
            resolve_in_repo(root, name, expect="file")
        ours = time.perf_counter() - start
    print(f"{n} paths, 3 components each")
    print(f"os.stat (reference): {reference:.3f} s ({reference / n * 1e6:.1f} us/path)")
    print(f"resolve_in_repo:     {ours:.3f} s ({ours / n * 1e6:.1f} us/path)")
    print(f"ratio: {ours / reference:.1f}x; 100k paths would take {ours / n * 100_000:.2f} s")


if __name__ == "__main__":
    main()

"""Reading the weight manifest back: mlaudit against plain `json.load` of the same files, in one run.

A manifest of N entries is written by mlaudit itself (``render_manifest``), then
read back, with the entries' line numbers, by:
  1. the reference: ``python -c 'import json; json.load(open(F))'`` (a fresh process);
  2. mlaudit: ``python -c 'from mlaudit.weights.manifest import read_manifest; read_manifest(F)'``
     (a fresh process: parse, validation, the depth check, a line number for every entry, root digest);
  3. ``mlaudit hash --check`` on a repository whose N recorded files are absent (every entry is
     compared: N ``weights.missing`` findings), the whole command.
Prints seconds and the ratio to the reference for 1k, 10k and 100k entries. The target
(issue 17): linear, 100k entries read in under 3 s (the old `find()` per entry needed over 300 s).

Usage: python benchmarks/bench_manifest.py [--sizes 1000,10000,100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mlaudit.weights.manifest import ManifestEntry, render_manifest


def _best(argv: list[str], repeat: int, cwd: Path) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, check=False, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    """Run the benchmark and print one line per size."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    mlaudit = shutil.which("mlaudit", path=str(Path(sys.executable).parent)) or "mlaudit"
    print(f"{'entries':>8} {'json.load':>10} {'read_manifest':>14} {'ratio':>6} {'hash --check':>13} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            repo = Path(tmp) / f"repo{n}"
            repo.mkdir()
            entries = [ManifestEntry(f"models/shard-{i:06}.safetensors", i, f"{i:064x}") for i in range(n)]
            manifest = repo / "weights.lock.json"
            manifest.write_text(render_manifest(entries))
            reference = _best([sys.executable, "-c", f"import json; json.load(open({str(manifest)!r}))"],
                              args.repeat, repo)
            ours = _best([sys.executable, "-c", "from mlaudit.weights.manifest import read_manifest; "
                          f"from pathlib import Path; read_manifest(Path({str(manifest)!r}))"], args.repeat, repo)
            check = _best([mlaudit, "hash", "--check", str(repo)], 1, repo)
            print(f"{n:>8} {reference:>9.3f}s {ours:>13.3f}s {ours / reference:>5.1f}x {check:>12.3f}s "
                  f"{check / reference:>5.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Reading the weight manifest back and checking it: mlaudit against plain `json.load` of the same files, in one run.

A manifest of N entries is written by mlaudit itself (``render_manifest``), then
read back, with the entries' line numbers, by:
  1. the reference: ``python -c 'import json; json.load(open(F))'`` (a fresh process);
  2. mlaudit: ``python -c 'from mlaudit.weights.manifest import read_manifest; read_manifest(F)'``
     (a fresh process: parse, validation, the depth check, a line number for every entry, root digest);
  3. ``mlaudit hash --check --no-cache`` on a repository whose N recorded files are absent (every
     entry is compared and printed: N ``weights.missing`` findings), the whole command;
  4. ``mlaudit hash --check --no-cache`` on a repository whose N files exist and match (half small
     files that are hashed, half Git LFS pointers that are read): each file discovered, checked
     to be inside the root, read and compared; no finding.
Prints seconds and the ratio to the reference for 1k, 10k and 100k entries, and the load
average (the machine is shared: read the ratios, not the seconds). The target (issue 17):
linear, 100k entries checked in under 3 s (the old `find()` per entry needed over 300 s).

Usage: python benchmarks/bench_manifest.py [--sizes 1000,10000,100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mlaudit.weights.manifest import ManifestEntry, render_manifest


def _best(argv: list[str], repeat: int, cwd: Path) -> tuple[float, int]:
    best, code = float("inf"), -1
    for _ in range(repeat):
        start = time.perf_counter()
        code = subprocess.run(argv, cwd=cwd, check=False, capture_output=True).returncode
        best = min(best, time.perf_counter() - start)
    return best, code


def _missing_repo(repo: Path, n: int) -> None:
    entries = [ManifestEntry(f"models/shard-{i:06}.safetensors", i, f"{i:064x}") for i in range(n)]
    (repo / "weights.lock.json").write_text(render_manifest(entries))


def _present_repo(repo: Path, n: int) -> None:
    """N weight files that match: even ones small files (hashed), odd ones LFS pointers (read)."""
    entries = []
    for i in range(n):
        name = f"models/part-{i // 1000:03}/shard-{i:06}.safetensors"
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if i % 2:
            oid = hashlib.sha256(f"weights {i}".encode()).hexdigest()
            size = 1_000_000 + i
            path.write_text(f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {size}\n")
            entries.append(ManifestEntry(name, size, oid))
        else:
            data = f"small weight file {i}\n".encode()
            path.write_bytes(data)
            entries.append(ManifestEntry(name, len(data), hashlib.sha256(data).hexdigest()))
    (repo / "weights.lock.json").write_text(render_manifest(entries))


def main() -> int:
    """Run the benchmark and print one line per size."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    mlaudit = shutil.which("mlaudit", path=str(Path(sys.executable).parent)) or "mlaudit"
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} core(s)")
    print(f"{'entries':>8} {'json.load':>10} {'read_manifest':>14} {'ratio':>6} {'check missing':>14} {'ratio':>6} "
          f"{'check present':>14} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            missing, present = Path(tmp) / f"missing{n}", Path(tmp) / f"present{n}"
            missing.mkdir()
            present.mkdir()
            _missing_repo(missing, n)
            _present_repo(present, n)
            manifest = missing / "weights.lock.json"
            reference, _ = _best([sys.executable, "-c", f"import json; json.load(open({str(manifest)!r}))"],
                                 args.repeat, missing)
            ours, _ = _best([sys.executable, "-c", "from mlaudit.weights.manifest import read_manifest; "
                             f"from pathlib import Path; read_manifest(Path({str(manifest)!r}))"], args.repeat, missing)
            check_missing, code_missing = _best([mlaudit, "hash", "--check", "--no-cache", "."], args.repeat, missing)
            check_present, code_present = _best([mlaudit, "hash", "--check", "--no-cache", "."], args.repeat, present)
            if (code_missing, code_present) != (1, 0):  # a benchmark of a broken check measures nothing
                print(f"unexpected exit codes: missing {code_missing} (want 1), present {code_present} (want 0)")
                return 1
            print(f"{n:>8} {reference:>9.3f}s {ours:>13.3f}s {ours / reference:>5.1f}x {check_missing:>13.3f}s "
                  f"{check_missing / reference:>5.1f}x {check_present:>13.3f}s {check_present / reference:>5.1f}x")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

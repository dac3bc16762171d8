"""Benchmark: the ``provenance`` check against the bare ``git log`` it builds on.

Builds (once, with ``git fast-import``) a repository whose weight files were
changed by many commits, then times ``mlaudit audit --only provenance`` and the
reference ``git log --name-only --format=%H%G?`` over the same paths, and prints
the ratio: what reading authors, dates and signature presence costs on top.

    python benchmarks/bench_provenance.py [--commits 3000] [--files 40] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data" / "provenance"
MLAUDIT = Path(sys.executable).parent / "mlaudit"


def _repository(commits: int, files: int) -> Path:
    repo = DATA / f"repo-{commits}-{files}"
    if (repo / ".git").is_dir():
        return repo
    repo.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    stream = []
    for n in range(commits):
        name = f"weights/shard-{n % files:04d}.safetensors"
        blob = f"weights {n}\n".encode()
        message = f"change {n}".encode()
        stream.append(b"commit refs/heads/main\n")
        stream.append(f"author Dev{n % 7} <dev{n % 7}@example.org> {1700000000 + n} +0000\n".encode())
        stream.append(f"committer Dev{n % 7} <dev{n % 7}@example.org> {1700000000 + n} +0000\n".encode())
        stream.append(f"data {len(message)}\n".encode() + message + b"\n")
        stream.append(f"M 100644 inline {name}\ndata {len(blob)}\n".encode() + blob + b"\n")
    subprocess.run(["git", "-C", str(repo), "fast-import", "--quiet"], input=b"".join(stream), check=True)
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "main"], check=True)
    return repo


def _median(argv: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        proc = subprocess.run(argv, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{argv[0]} failed: {proc.stderr.decode()}")
    return statistics.median(times)


def main() -> None:
    """Run the benchmark and print both timings and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=3000)
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    repo = _repository(args.commits, args.files)
    paths = sorted(p.relative_to(repo).as_posix() for p in (repo / "weights").iterdir())
    reference = ["git", "-C", str(repo), "log", "--format=%x1e%H%x1f%G?%x1f%GS", "--name-only", "--no-renames",
                 "--relative", "HEAD", "--", *paths]
    ours = [str(MLAUDIT), "audit", str(repo), "--only", "provenance", "--format", "json", "--offline"]
    t_reference = _median(reference, args.repeat)
    t_ours = _median(ours, args.repeat)
    print(f"repository: {args.commits} commits over {args.files} weight files; median of {args.repeat} runs")
    print(f"provenance check {t_ours:.2f} s vs `git log --name-only` {t_reference:.2f} s "
          f"(ratio {t_ours / t_reference:.1f}x, {t_ours / args.commits * 1e3:.2f} ms per commit)")


if __name__ == "__main__":
    main()

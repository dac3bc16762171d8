"""Cost of discovery by content, and the decompression bombs, timed in one run.

Discovery: generates (once, under ``--dir``) a Git repository of 10,000 small
files (Python, Markdown, JSON, CSV, vocabularies, extension-less and raw
binaries) plus three model files, then times, best of ``--repeat``:

  1. ``git ls-files`` (the listing every audit already pays: the reference);
  2. the content sniff of every listed file (``files_with_model_content``:
     first 4 KiB, the zip end record, the LFS rule, a trial pickle walk);
  3. ``mlaudit audit --offline`` as a process (the whole audit the sniff is
     part of), and ``--only serialization`` (the check that sniffs).

and prints the sniff's share of the audit (the issue's target: under 10%), in
wall-clock time and in CPU time (user + system of this process and the audit's;
steadier than wall-clock time on a shared machine).

Bombs: a ~20 KB ``.pkl.bz2`` that expands to 16 GiB and a tar of four of them,
each scanned by ``mlaudit scan`` as a process (target: each under 5 s with a
high "decompression budget exceeded" finding); the reference is Python's own
bz2 expanding the first 256 MiB of the same bomb (what the budget lets through).

Usage: python benchmarks/bench_discovery.py [--dir DIR] [--repeat 3] [--files 10000]
"""

from __future__ import annotations

import argparse
import bz2
import io
import json
import os
import pickle
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

BIN = Path(sys.executable).parent
MLAUDIT = shutil.which("mlaudit") or str(BIN / "mlaudit")


def _generate(root: Path, count: int) -> None:
    """A repository of ``count`` small files of the kinds real model repositories hold."""
    if (root / ".done").exists():
        return
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    kinds: list[tuple[str, Callable[[int], bytes]]] = [
        ("src/pkg{d}/module{i}.py", lambda i: f"import os\n\ndef f{i}(x):\n    return x * {i}\n".encode()),
        ("docs/page{i}.md", lambda i: f"# Page {i}\n\nSome text about the model.\n".encode()),
        ("configs/run{i}.json", lambda i: json.dumps({"lr": 0.001 * i, "layers": [i, i + 1]}).encode()),
        ("data/table{i}.csv", lambda i: f"id,label\n{i},cat\n{i + 1},dog\n".encode()),
        ("vocab/words{i}.txt", lambda i: b"cat\ndog\nemu\nfish\n" * 4),
        ("scripts/tool{i}", lambda i: f"#!/bin/sh\necho {i}\n".encode()),
        ("assets/blob{i}.raw", lambda i: bytes((i * 7 + k) % 256 for k in range(256))),
    ]
    for i in range(count):
        pattern, make = kinds[i % len(kinds)]
        path = root / pattern.format(i=i, d=i % 50)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(make(i))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("model/data.pkl", pickle.dumps({"w": [1.0, 2.0]}, protocol=2))
    (root / "model.pt").write_bytes(buf.getvalue())
    (root / "extra.pkl").write_bytes(pickle.dumps({"b": 1}, protocol=4))
    (root / "tokenizer.bin").write_bytes(pickle.dumps(["a", "b"], protocol=2))
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(root), "-c", "user.email=b@example.invalid", "-c", "user.name=bench",
                    "commit", "-q", "-m", "files"], check=True)
    (root / ".done").write_text("")


def _best(repeat: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def _best_cpu(repeat: int, fn: Callable[[], object]) -> float:
    """Least CPU time (user + system, this process and its children) of ``repeat`` runs.

    On a shared machine the wall-clock share swings with the load; the CPU-time share does not.
    """
    import resource

    def cpu() -> float:
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    best = float("inf")
    for _ in range(repeat):
        started = cpu()
        fn()
        best = min(best, cpu() - started)
    return best


def _run(args: Sequence[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MLAUDIT_CACHE_DIR": tempfile.mkdtemp(prefix="bench-discovery-cache-")}
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, env=env, check=False)


def bench_discovery(root: Path, repeat: int) -> None:
    from mlaudit.repo_files import list_repo_files
    from mlaudit.serialization.discovery import files_with_model_content

    files = list_repo_files(root)
    listing = _best(repeat, lambda: list_repo_files(root))
    found: list[str] = []
    sniff = _best(repeat, lambda: found.extend(files_with_model_content(root, files)) or found.clear())
    found = files_with_model_content(root, files)

    def audit(*only: str) -> Callable[[], None]:
        def run() -> None:
            proc = _run([MLAUDIT, "audit", str(root), "--offline", *only, "--format", "json"])
            if proc.returncode not in (0, 1):
                raise SystemExit(f"audit failed: {proc.stderr[-2000:]}")
        return run

    audit_s = _best(repeat, audit())
    check_s = _best(repeat, audit("--only", "serialization"))
    sniff_cpu = _best_cpu(repeat, lambda: files_with_model_content(root, files))
    audit_cpu = _best_cpu(repeat, audit())
    print(f"discovery by content over {len(files)} files (best of {repeat}):")
    print(f"  git ls-files (reference)        {listing * 1000:8.1f} ms")
    print(f"  content sniff of every file     {sniff * 1000:8.1f} ms  ({sniff / len(files) * 1e6:.1f} us/file, "
          f"{len(found)} model file(s) found: {', '.join(sorted(found))})")
    print(f"  mlaudit audit --offline         {audit_s * 1000:8.1f} ms")
    print(f"  mlaudit audit --offline --only serialization  {check_s * 1000:8.1f} ms")
    print(f"  sniff / audit = {sniff / audit_s:.1%} (target < 10%); sniff / serialization-only audit = "
          f"{sniff / check_s:.1%}; sniff / git ls-files = {sniff / listing:.2f}x")
    print(f"  CPU time (steady under load): sniff {sniff_cpu * 1000:.1f} ms, audit {audit_cpu * 1000:.1f} ms, "
          f"sniff / audit = {sniff_cpu / audit_cpu:.1%} (target < 10%)")


def _bz2_bomb() -> bytes:
    zeros = bz2.compress(b"\0" * (64 << 20), 9)
    return bz2.compress(b"\x80\x04\x8e" + struct.pack("<Q", 16 << 30)) + zeros * 256


def bench_bombs(folder: Path) -> None:
    bomb = _bz2_bomb()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bomb.pkl.bz2").write_bytes(bomb)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for i in range(4):
            info = tarfile.TarInfo(f"m{i}.pkl.bz2")
            info.size = len(bomb)
            tf.addfile(info, io.BytesIO(bomb))
    (folder / "four.tar").write_bytes(buf.getvalue())

    def reference() -> None:
        with bz2.open(folder / "bomb.pkl.bz2") as fh:
            left = 256 << 20
            while left > 0 and (chunk := fh.read(min(left, 1 << 20))):
                left -= len(chunk)

    ref = _best(1, reference)
    print(f"decompression bombs (16 GiB each; reference: Python's bz2 expanding 256 MiB of it: {ref:.2f} s):")
    for name in ("bomb.pkl.bz2", "four.tar"):
        started = time.perf_counter()
        proc = _run([MLAUDIT, "scan", "--format", "json", name], cwd=folder)
        elapsed = time.perf_counter() - started
        report = json.loads(proc.stdout)
        messages = [f["message"] for f in report["files"][0]["findings"]]
        budget = sum("decompression budget exceeded" in m for m in messages)
        size = (folder / name).stat().st_size
        print(f"  {name:14} {size:7d} bytes  {elapsed:6.2f} s (target < 5 s; {elapsed / ref:.2f}x the reference)"
              f"  exit {proc.returncode}, {budget} budget finding(s)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--dir", type=Path, default=Path(__file__).parent / ".data" / "discovery-repo")
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-bombs", action="store_true")
    args = parser.parse_args(argv)
    _generate(args.dir, args.files)
    bench_discovery(args.dir, args.repeat)
    if not args.skip_bombs:
        bench_bombs(args.dir.parent / "bombs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

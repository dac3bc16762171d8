"""Weight hashing throughput: mlaudit against sha256sum and openssl, in one run.

Measures, on files in the page cache (so CPU, not the disk, is compared):
  1. one ~1 GiB file: `sha256sum`, `openssl dgst -sha256`, `mlaudit hash` (cold cache);
  2. several large files (4 x 256 MiB): the same commands, one process each;
  3. warm: `mlaudit hash` and the `mlaudit-weight-hashes` hook over ~2 GiB of
     unchanged, recorded weights (the stat cache answers).
Prints throughputs and the ratios the foundation issue targets
(cold >= 0.9x single-stream on one file, >= 1.5x (1.6x vs openssl) on several, warm hook < 0.2 s).

Usage: python benchmarks/bench_hashing.py [--dir DIR] [--size-mib 1024] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found; install mlaudit into this interpreter's environment first")
    return found


def _make_file(path: Path, size: int) -> None:
    if path.exists() and path.stat().st_size == size:
        return
    block = os.urandom(1 << 20)
    with path.open("wb") as fh:
        for i in range(size >> 20):
            fh.write(block[i % 7 :] + block[: i % 7])


def _timed(cmd: Sequence[str], repeat: int, env: dict[str, str] | None = None, cwd: Path | None = None,
           before: object = None) -> float:
    best = float("inf")
    for _ in range(repeat):
        if callable(before):
            before()
        start = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd, check=False)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
        best = min(best, elapsed)
    return best


def _warm_page_cache(paths: Sequence[Path]) -> None:
    for p in paths:
        with p.open("rb") as fh:
            while fh.read(8 << 20):
                pass


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "mlaudit-bench-hashing",
                        help="scratch folder, outside any Git work tree (default: %(default)s)")
    parser.add_argument("--size-mib", type=int, default=1024, help="size of the single file and of the set")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    mlaudit, hook = _tool("mlaudit"), _tool("mlaudit-weight-hashes")
    sha256sum, openssl = shutil.which("sha256sum"), shutil.which("openssl")
    size = args.size_mib << 20
    single_dir, multi_dir = args.dir / "single", args.dir / "multi"
    for d in (single_dir, multi_dir):
        d.mkdir(parents=True, exist_ok=True)
    single = [single_dir / "model.safetensors"]
    multi = [multi_dir / f"shard-{i}.safetensors" for i in range(4)]
    print(f"preparing {2 * args.size_mib} MiB of weights in {args.dir} ...", flush=True)
    _make_file(single[0], size)
    for p in multi:
        _make_file(p, size // 4)
    _warm_page_cache(single + multi)
    time.sleep(2.1)  # older than the stat cache's racy window, like weights at rest

    rows: list[tuple[str, str, float, float]] = []
    results: dict[tuple[str, str], float] = {}
    for label, folder, files in (("one file", single_dir, single), ("4 files", multi_dir, multi)):
        total = sum(p.stat().st_size for p in files)
        refs = {}
        if sha256sum:
            refs["sha256sum"] = _timed([sha256sum, *map(str, files)], args.repeat)
        if openssl:
            refs["openssl dgst -sha256"] = _timed([openssl, "dgst", "-sha256", *map(str, files)], args.repeat)
        for name, secs in refs.items():
            results[(label, name)] = total / secs
            rows.append((label, name, secs, total / secs))
        cache = Path(tempfile.mkdtemp(prefix="mlaudit-bench-cache-"))
        env = {**os.environ, "MLAUDIT_CACHE_DIR": str(cache)}
        cold = _timed([mlaudit, "hash", str(folder)], args.repeat, env=env,
                      before=lambda c=cache: shutil.rmtree(c / "hashes", ignore_errors=True))
        results[(label, "mlaudit cold")] = total / cold
        rows.append((label, "mlaudit hash (cold cache)", cold, total / cold))
        shutil.rmtree(cache, ignore_errors=True)

    # Warm: a repository holding both sets (~2 GiB), recorded in its manifest.
    repo = args.dir / "repo"
    if not (repo / ".git").exists():
        repo.mkdir(exist_ok=True)
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
    for p in single + multi:
        link = repo / p.name
        if not link.exists():
            os.link(p, link)  # hard links: same inode, no extra disk
    cache = Path(tempfile.mkdtemp(prefix="mlaudit-bench-cache-"))
    env = {**os.environ, "MLAUDIT_CACHE_DIR": str(cache)}
    subprocess.run([mlaudit, "hash", "--update", str(repo)], env=env, check=True, stdout=subprocess.DEVNULL)
    names = [p.name for p in single + multi]
    total = sum(p.stat().st_size for p in single + multi)
    warm_cli = _timed([mlaudit, "hash", "--check", str(repo)], args.repeat, env=env)
    warm_hook = _timed([hook, *names], args.repeat, env=env, cwd=repo)
    python_startup = _timed([sys.executable, "-c", "pass"], args.repeat)
    shutil.rmtree(cache, ignore_errors=True)

    print(f"\n{'set':<10} {'command':<30} {'seconds':>8} {'MB/s':>8}")
    for label, name, secs, rate in rows:
        print(f"{label:<10} {name:<30} {secs:8.3f} {rate / 1e6:8.0f}")
    print(f"\nwarm, {total / 2**30:.1f} GiB unchanged and recorded:")
    print(f"  mlaudit hash --check          {warm_cli:.3f} s")
    print(f"  mlaudit-weight-hashes (hook)  {warm_hook:.3f} s   (python -c pass: {python_startup:.3f} s)")
    print("\nratios (mlaudit cold / reference single stream):")
    for label in ("one file", "4 files"):
        for ref in ("sha256sum", "openssl dgst -sha256"):
            if (label, ref) in results:
                ratio = results[(label, "mlaudit cold")] / results[(label, ref)]
                print(f"  {label:<9} vs {ref:<22} {ratio:5.2f}x")
    print(f"  warm hook: {warm_hook:.3f} s (target < 0.2 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

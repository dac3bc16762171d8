"""Licence scanning: a first full audit, a second one after changing one file, and scancode's own CLI.

Builds a Git repository of real source files (Python files copied from this
interpreter's site-packages, many with licence headers) plus a few full licence
texts, then times, each as a separate process:
  1. `mlaudit audit --only licenses` with an empty cache (every text file scanned);
  2. the same after changing one file (only that file is scanned again; target >= 10x faster);
  3. the reference: `scancode --license --json` over the same tree, as one would
     run it on every audit without a cache (skipped with --no-reference).
The scancode licence index load (~2-4 s, see scancode_jobs.load_index) is part of every run that scans at least
one file; it is the floor of the incremental run.

Usage: python benchmarks/bench_licenses.py [--files 300] [--dir DIR] [--workers 0] [--no-reference]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

BIN = Path(sys.executable).parent
DEFAULT_DIR = Path(__file__).resolve().parent / ".data" / "licenses"


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found; install mlaudit[full] into this interpreter's environment first")
    return found


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def build_tree(repo: Path, count: int) -> int:
    """A Git repository with ``count`` real source files and a few licence texts; returns the file count."""
    if repo.exists():
        shutil.rmtree(repo)
    repo.mkdir(parents=True)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "bench@example.invalid")
    _git(repo, "config", "user.name", "bench")
    site = Path(sysconfig.get_paths()["purelib"])
    sources = sorted(p for p in site.rglob("*.py") if 200 < p.stat().st_size < 40_000)
    step = max(1, len(sources) // count)
    copied = 0
    for index, source in enumerate(sources[::step][:count]):
        target = repo / "src" / f"m{index // 100:03d}" / f"{source.parent.name}_{source.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        copied += 1
    import licensedcode

    texts = Path(licensedcode.__file__).parent / "data" / "licenses"
    for key in ("mit", "apache-2.0", "gpl-3.0", "bsd-new", "lgpl-2.1"):
        text = (texts / f"{key}.LICENSE").read_text(encoding="utf-8")
        (repo / "third_party" / key).mkdir(parents=True, exist_ok=True)
        (repo / "third_party" / key / "LICENSE").write_text(text.split("---", 2)[-1], encoding="utf-8")
    (repo / "README.md").write_text("---\nlicense: apache-2.0\n---\n# Benchmark model\n", encoding="utf-8")
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "bench"\nversion = "1"\nlicense = "Apache-2.0"\n\n'
        "[tool.mlaudit.licenses]\nresolve = false\n",
        encoding="utf-8",
    )
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "tree")
    return copied + 7


def audit(repo: Path, cache: Path, workers: int) -> tuple[float, dict[str, int]]:
    """One `mlaudit audit --only licenses` process: seconds and the scan evidence."""
    env = {**os.environ, "MLAUDIT_CACHE_DIR": str(cache)}
    if workers:
        with (repo / "pyproject.toml").open("a", encoding="utf-8") as handle:
            handle.write(f"scan_workers = {workers}\n")
    start = time.perf_counter()
    proc = subprocess.run(
        [_tool("mlaudit"), "audit", str(repo), "--only", "licenses", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"mlaudit audit failed ({proc.returncode}): {proc.stderr[-800:]}")
    evidence = json.loads(proc.stdout)["checks"][0]["evidence"]
    return elapsed, dict(evidence.get("scan", {}))


def reference(repo: Path, out: Path) -> float:
    """The scancode CLI over the same tree (licences only, one process per core)."""
    start = time.perf_counter()
    proc = subprocess.run(
        [
            _tool("scancode"),
            "--license",
            "--quiet",
            "-n",
            str(os.cpu_count() or 1),
            "--ignore",
            "*.git*",
            "--json",
            str(out),
            str(repo),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"scancode failed ({proc.returncode}): {proc.stderr[-800:]}")
    return elapsed


def main() -> int:
    """Run the benchmark and print the times and ratios."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=300, help="source files in the tree")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where the tree and caches go")
    parser.add_argument("--workers", type=int, default=0, help="scan processes (0: one per core)")
    parser.add_argument("--no-reference", action="store_true", help="do not time the scancode CLI")
    args = parser.parse_args()
    repo, cache = args.dir / "repo", args.dir / "cache"
    total = build_tree(repo, args.files)
    shutil.rmtree(cache, ignore_errors=True)
    print(f"tree: {total} files in {repo} ({os.cpu_count()} cores)")

    first, first_scan = audit(repo, cache, args.workers)
    print(
        f"first full audit (empty cache): {first:7.2f} s  scanned {first_scan.get('scanned')} "
        f"files, {first_scan.get('skipped')} skipped"
    )

    changed = next(iter(sorted((repo / "src").rglob("*.py"))))
    changed.write_text(changed.read_text(encoding="utf-8") + "\n# SPDX-License-Identifier: MIT\n", encoding="utf-8")
    second, second_scan = audit(repo, cache, 0)
    print(
        f"second audit, one file changed:  {second:7.2f} s  scanned {second_scan.get('scanned')} "
        f"file(s), {second_scan.get('from_cache')} from cache"
    )
    unchanged, third_scan = audit(repo, cache, 0)
    print(f"third audit, nothing changed:    {unchanged:7.2f} s  scanned {third_scan.get('scanned')} file(s)")
    # The common change: code with no licence wording (decided without scancode's index).
    plain = repo / "src" / "model_utils.py"
    plain.write_text("def scale(x: float) -> float:\n    return 2 * x\n", encoding="utf-8")
    fourth, fourth_scan = audit(repo, cache, 0)
    print(
        f"fourth audit, one code file without licence wording: {fourth:7.2f} s  "
        f"scanned {fourth_scan.get('scanned')} file(s)"
    )
    print(f"ratio first / incremental (changed file carries licence wording): {first / second:.1f}x (target >= 10x)")
    print(f"ratio first / incremental (changed file is plain code):           {first / fourth:.1f}x (target >= 10x)")
    if not args.no_reference:
        ref = reference(repo, args.dir / "scancode.json")
        print(f"reference `scancode --license -n {os.cpu_count()}` over the tree: {ref:7.2f} s")
        print(f"ratio reference / incremental audit: {ref / second:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

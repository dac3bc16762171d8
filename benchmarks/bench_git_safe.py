"""Cost of the hardened Git environment (``mlaudit.git_safe``) on the hooks' hot path.

Usage: ``python benchmarks/bench_git_safe.py [--files N] [--repeat K]``

Makes a temporary repository of N files, then times, in the same run, what a
hook does before it can look at a file: ``repo_files.list_repo_files`` plus
``repo_files.clean_blob_ids`` (three Git calls, each with the checkout's local
configuration read and its command keys blanked) against the same three Git
calls started plainly with ``subprocess.run`` (the reference: the old wrapper,
which would run the checkout's own fsmonitor, filters and hooks). Prints the best time of each
and the ratio.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def _best(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    """Run the benchmark and print the ratio."""
    from mlaudit import repo_files
    from mlaudit.repo_files import clean_blob_ids, list_repo_files

    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        for i in range(args.files):
            (root / f"f{i}.txt").write_text(str(i))
        subprocess.run(["git", "-C", str(root), "add", "."], check=True)

        def plain_git(where: Path, *cmd: str, timeout: float = 120) -> str | None:
            proc = subprocess.run(["git", "-C", str(where), *cmd], capture_output=True, check=False)
            return proc.stdout.decode("utf-8", "surrogateescape") if proc.returncode == 0 else None

        def run() -> None:
            list_repo_files(root)
            clean_blob_ids(root)

        ours = _best(run, args.repeat)
        hardened_git = repo_files.run_git
        repo_files.run_git = plain_git  # the same work with Git started plainly (the old wrapper)
        try:
            reference = _best(run, args.repeat)
        finally:
            repo_files.run_git = hardened_git
    print(f"plain git (3 calls):         {reference * 1000:7.1f} ms")
    print(f"hardened git_safe (3 calls): {ours * 1000:7.1f} ms")
    print(f"ratio hardened / plain:      {ours / reference:7.2f}")


if __name__ == "__main__":
    main()

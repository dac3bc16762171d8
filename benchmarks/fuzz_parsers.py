"""Fuzz every parser of repository content for longer than the suite does (default 10 minutes).

Runs ``tests/robustness/test_fuzz_parsers.py`` with ``MLAUDIT_FUZZ_SECONDS`` (spread over the
parsers) and a seed (``--seed``; a different one each run explores new inputs). A failure names
the parser, the exception and the file holding the input, with the seed to replay it.

Usage: python benchmarks/fuzz_parsers.py [--seconds 600] [--seed N]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    """Run the fuzz test with a longer budget; return pytest's exit code."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--seed", type=int, default=random.SystemRandom().randrange(1 << 30))
    args = parser.parse_args()
    env = {**os.environ, "MLAUDIT_FUZZ_SECONDS": str(args.seconds), "MLAUDIT_FUZZ_SEED": str(args.seed)}
    print(f"fuzzing for {args.seconds:.0f} s with seed {args.seed}", flush=True)
    return subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            str(ROOT / "tests" / "robustness" / "test_fuzz_parsers.py")], cwd=ROOT, env=env)


if __name__ == "__main__":
    raise SystemExit(main())

"""The mlaudit-pinned-deps hook on a generated repository, against reference commands in one run.

Generates (once, under benchmarks/.data/pins-repo) a Git repository with 50
requirements files (25 lines each; odd ones compiled with --hash continuation lines, even
ones plain pins with markers, extras, a VCS line, -e . and a few ranges) and 20 workflows (12 steps each:
``uses:`` by tag and by SHA, ``run:`` blocks with pip install), then times,
best of ``--repeat``, each as its own process:

  1. ``python -c pass``: interpreter start-up, the floor of any Python hook;
  2. a minimal parse: PyYAML + pip-requirements-parser reading the same 70 files
     without checking anything (what any hook doing this job must at least pay);
  3. when pre-commit-hooks is installed (``pip install pre-commit-hooks``): its
     ``check-yaml`` over the 20 workflows plus ``requirements-txt-fixer`` over a
     copy of the 50 requirements files (it rewrites files; the copy is sorted once
     before timing), the two hooks a repository would run over the same files;
  4. ``mlaudit-pinned-deps`` with the 70 files as arguments (as pre-commit calls it).

Prints wall and CPU milliseconds (CPU time stays meaningful on a shared, loaded
machine) and the ratios; the issue's target is "well under a second".

Usage: python benchmarks/bench_pins.py [--dir DIR] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

BIN = Path(sys.executable).parent
SHA = "0123456789abcdef0123456789abcdef01234567"
REQUIREMENT_FILES = 50
WORKFLOWS = 20

_REFERENCE_PARSE = """
import sys, yaml
from pip_requirements_parser import RequirementsFile
loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
for name in sys.argv[1:]:
    if name.endswith(".txt"):
        RequirementsFile.from_file(name)
    else:
        with open(name, encoding="utf-8") as fh:
            yaml.load(fh, Loader=loader)
"""


def _requirements(index: int) -> str:
    """Odd files are compiled locks (every line hashed), even files plain pins; every fifth has a range."""
    hashed = index % 2 == 1
    lines = [f"# generated requirements file {index}"]
    for j in range(24):
        package = f"package-{index}-{j}"
        if j % 4 == 0:
            spec = f'{package}==1.{j}.0 ; python_version >= "3.10"'
        elif j % 4 == 1:
            spec = f"{package}[extra]=={j}.0.1"
        elif j % 4 == 2 and index % 5 == 0 and not hashed:
            spec = f"{package}>={j}.0"
        else:
            spec = f"{package}=={j}.0.0"
        if hashed:
            spec += f" \\\n    --hash=sha256:{'a' * 64} \\\n    --hash=sha256:{'b' * 64}"
        lines.append(spec)
    if not hashed:
        lines.append(f"vcs-{index} @ git+https://github.com/org/vcs-{index}.git@{SHA}")
        lines.append("-e .")
    return "\n".join(lines) + "\n"


def _workflow(index: int) -> str:
    steps = []
    for j in range(12):
        if j % 3 == 0:
            steps.append(f"      - uses: actions/checkout@{SHA if j % 2 else 'v4'}")
        elif j % 3 == 1:
            steps.append(f"      - uses: org/action-{j}@{SHA}\n        with:\n          value: {j}")
        else:
            steps.append(f"      - name: step {j}\n        run: |\n          echo building {j}\n"
                         f"          python -m pip install -r requirements/req-{j}.txt pkg-{j}==1.0")
    return (f"name: workflow {index}\non: [push, pull_request]\njobs:\n  build:\n"
            f"    runs-on: ubuntu-latest\n    steps:\n" + "\n".join(steps) + "\n")


def generate(root: Path) -> list[str]:
    """Create the repository (idempotent) and return the files pre-commit would pass."""
    files: list[str] = []
    for i in range(REQUIREMENT_FILES):
        rel = f"requirements/req-{i}.txt" if i else "requirements.txt"
        files.append(rel)
    for i in range(WORKFLOWS):
        files.append(f".github/workflows/wf-{i}.yml")
    marker = root / ".generated"
    if marker.exists():
        return files
    if root.exists():
        shutil.rmtree(root)
    for i, rel in enumerate(files[:REQUIREMENT_FILES]):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(_requirements(i), encoding="utf-8")
    for i, rel in enumerate(files[REQUIREMENT_FILES:]):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(_workflow(i), encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    marker.write_text("ok\n")
    return files


def _timed(cmd: Sequence[str], repeat: int, cwd: Path, expect: Sequence[int] = (0,)) -> tuple[float, float]:
    """Best wall time and best CPU time (user + system of the child) over ``repeat`` runs.

    CPU time is reported too because the machine may be shared: wall time then
    measures the neighbours as much as the command.
    """
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, check=False)
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode not in expect:
            raise SystemExit(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr.decode()[-800:]}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_wall, best_cpu = min(best_wall, elapsed), min(best_cpu, cpu)
    return best_wall, best_cpu


def _pre_commit_hooks_reference(root: Path, files: list[str], repeat: int) -> tuple[float, float] | None:
    """check-yaml (workflows) + requirements-txt-fixer (a sorted copy of the requirements), or None."""
    check_yaml = shutil.which("check-yaml", path=str(BIN)) or shutil.which("check-yaml")
    fixer = shutil.which("requirements-txt-fixer", path=str(BIN)) or shutil.which("requirements-txt-fixer")
    if check_yaml is None or fixer is None:
        print("(pre-commit-hooks not installed: pip install pre-commit-hooks to add it as a reference)")
        return None
    copy = root.parent / "pins-repo-fixer-copy"
    requirements = [f for f in files if f.endswith(".txt")]
    workflows = [f for f in files if not f.endswith(".txt")]
    if not copy.exists():
        for rel in requirements:
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / rel, copy / rel)
        subprocess.run([fixer, *requirements], cwd=copy, capture_output=True, check=False)  # sorts once
    yaml_t = _timed([check_yaml, *workflows], repeat, root)
    fixer_t = _timed([fixer, *requirements], repeat, copy)
    return yaml_t[0] + fixer_t[0], yaml_t[1] + fixer_t[1]


def main(argv: Sequence[str] | None = None) -> int:
    """Generate, time, print."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=Path(__file__).parent / ".data" / "pins-repo")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    hook = shutil.which("mlaudit-pinned-deps", path=str(BIN)) or shutil.which("mlaudit-pinned-deps")
    if hook is None:
        raise SystemExit("mlaudit-pinned-deps not found; pip install . into this interpreter's environment")
    root = args.dir.resolve()
    files = generate(root)
    startup = _timed([sys.executable, "-c", "pass"], args.repeat, root)
    reference = _timed([sys.executable, "-c", _REFERENCE_PARSE, *files], args.repeat, root)
    rows = [("python -c pass", startup), ("reference: PyYAML + pip-requirements-parser, no checks", reference)]
    pch = _pre_commit_hooks_reference(root, files, args.repeat)
    if pch is not None:
        rows.append(("pre-commit-hooks: check-yaml + requirements-txt-fixer", pch))
    # The generated repository has unpinned lines on purpose: the hook exits 1.
    hook_t = _timed([hook, *files], args.repeat, root, expect=(1,))
    findings = subprocess.run([hook, *files], cwd=root, capture_output=True, text=True, check=False)
    count = len(findings.stdout.splitlines())
    print(f"repository: {REQUIREMENT_FILES} requirements files, {WORKFLOWS} workflows ({root}); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'command':<58} {'wall ms':>9} {'cpu ms':>9}")
    for label, (wall, cpu) in (*rows, (f"mlaudit-pinned-deps ({count} findings)", hook_t)):
        print(f"{label:<58} {wall * 1000:9.1f} {cpu * 1000:9.1f}")
    print(f"ratio hook / python start-up:  wall {hook_t[0] / startup[0]:5.2f}x  cpu {hook_t[1] / startup[1]:5.2f}x")
    print(f"ratio hook / reference parse:  wall {hook_t[0] / reference[0]:5.2f}x  cpu {hook_t[1] / reference[1]:5.2f}x")
    if pch is not None:
        print(f"ratio hook / pre-commit-hooks:  wall {hook_t[0] / pch[0]:5.2f}x  cpu {hook_t[1] / pch[1]:5.2f}x")
    verdict = "met" if min(hook_t) < 0.5 else "NOT met"
    print(f"target well under 1000 ms: {verdict} (best of wall/cpu {min(hook_t) * 1000:.0f} ms, goal < 500 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

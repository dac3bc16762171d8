"""Fleet scale: plan 10,000 repositories, aggregate 1,000 reports, with times and peak memory against references.

Real reports first: `mlaudit audit --format json` on three small generated
repositories (passing with recorded weights; failing with a pickle that imports
os.system and unrecorded weights; errored with a probe set that cannot run),
then replicated under other names (``org-N__model-M.json``) to ``--reports``
files. Timed in this process (medians of ``--repeat`` runs):

  plan       load + validate a 10,000-repository inventory, chunk it
             reference: tomllib.load of the same file (parsing alone)
  aggregate  stream every report into the tables, append the history, SLOs,
             render Markdown, JSON and the HTML dashboard
             reference: plain json.load of every report file (no model, no tables)

Memory (tracemalloc, separate runs) of streaming the reports into the tables
at a quarter, half and all of the reports: the peak is the summary tables
(one row per repository, the open critical/high findings the SLOs track, one
entry per rule) plus a transient part that must stay flat: one report at a
time, whatever the number read. The CLI wall time (`mlaudit fleet
aggregate`, Python start-up included) is printed too.

Usage: python benchmarks/bench_fleet.py [--reports 1000] [--plan 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
EVIL_PICKLE = b"cos\nsystem\n(S'echo pwned'\ntR."
NPY = (b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }" + b" " * 59 + b"\n"
       + b"\x00" * 8)


def _mlaudit(*args: str, check_codes: tuple[int, ...] = (0,)) -> None:
    tool = shutil.which("mlaudit", path=str(BIN)) or shutil.which("mlaudit")
    if tool is None:
        raise SystemExit("mlaudit not found; install it into this interpreter's environment first")
    proc = subprocess.run([tool, *args], capture_output=True, text=True, check=False)
    if proc.returncode not in check_codes:
        raise SystemExit(f"mlaudit {' '.join(args)} exited {proc.returncode}: {proc.stderr}")


def _repo(path: Path) -> Path:
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    return path


def real_reports(work: Path) -> dict[str, Path]:
    """Three real audit reports."""
    out = work / "real"
    passing = _repo(work / "passing")
    for i in range(10):
        (passing / f"layer-{i}.npy").write_bytes(NPY)
    _mlaudit("hash", str(passing), "--update")
    failing = _repo(work / "failing")
    (failing / "model.pkl").write_bytes(EVIL_PICKLE)
    _mlaudit("hash", str(failing), "--update")
    for i in range(30):
        (failing / f"unrecorded-{i}.npy").write_bytes(NPY)
    errored = _repo(work / "errored")
    (errored / "model.npy").write_bytes(NPY)
    _mlaudit("hash", str(errored), "--update")
    (errored / "mlaudit.toml").write_text('[probes]\ncommand = "python3 -c pass"\nbuiltin = false\n')
    common = ("--format", "json", "--offline")
    _mlaudit("audit", str(passing), *common, "--only", "weights", "-o", str(out / "passing.json"))
    _mlaudit("audit", str(failing), *common, "--only", "weights,serialization", "-o", str(out / "failing.json"),
             check_codes=(1,))
    _mlaudit("audit", str(errored), *common, "--only", "weights,probes", "-o", str(out / "errored.json"),
             check_codes=(1,))
    return {kind: out / f"{kind}.json" for kind in ("passing", "failing", "errored")}


def write_inventory(path: Path, count: int) -> None:
    tiers = ("high", "medium", "low")
    lines = ['[slos.high]\nkind = "coverage"\ntier = "high"\nobjective = 0.9\n',
             '[slos.critical]\nkind = "fix-time"\nseverity = "critical"\ndays = 7\nobjective = 0.5\n']
    for i in range(count):
        lines.append(f'[[repositories]]\nname = "org-{i % 50}/model-{i:05d}"\ntier = "{tiers[i % 3]}"\n'
                     f'owners = ["team-{i % 17}"]\n')
    path.write_text("\n".join(lines))


def replicate(reports: dict[str, Path], folder: Path, count: int) -> None:
    """``count`` reports: 70 % passing, 20 % failing, 10 % errored (real texts, other names)."""
    folder.mkdir(parents=True)
    texts = {k: p.read_text() for k, p in reports.items()}
    for i in range(count):
        kind = "errored" if i % 10 == 0 else "failing" if i % 5 == 1 else "passing"
        (folder / f"org-{i % 50}__model-{i:05d}.json").write_text(texts[kind])


def median_time(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_mib(action: Callable[[], object]) -> tuple[float, float]:
    """(peak, retained) MiB: retained is what the result keeps alive (the summary tables)."""
    tracemalloc.start()
    result = action()
    retained, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return peak / 2**20, retained / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--plan", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from mlaudit.fleet.aggregate import aggregate_reports
    from mlaudit.fleet.dashboard import render_dashboard
    from mlaudit.fleet.fleet_markdown import render_fleet_markdown
    from mlaudit.fleet.fleet_report import render_fleet_json
    from mlaudit.fleet.fleet_run import run_fleet_aggregate
    from mlaudit.fleet.inventory import load_inventory
    from mlaudit.fleet.plan import plan_fleet
    from mlaudit.fleet.report_reader import report_files

    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        reports = real_reports(work)
        sizes = {k: p.stat().st_size for k, p in reports.items()}
        print(f"real audits: {time.perf_counter() - started:.1f} s; report sizes {sizes} bytes")

        big = work / "plan-fleet.toml"
        write_inventory(big, args.plan)
        plan_s = median_time(lambda: plan_fleet(load_inventory(big)), args.repeat)
        toml_s = median_time(lambda: tomllib.loads(big.read_text()), args.repeat)
        chunks = len(plan_fleet(load_inventory(big)).chunks)
        print(f"plan {args.plan} repositories ({chunks} chunks): {plan_s:.3f} s; reference tomllib.load "
              f"{toml_s:.3f} s; ratio {plan_s / toml_s:.2f}x (target < 5 s)")

        inventory_path = work / "mlaudit-fleet.toml"
        write_inventory(inventory_path, args.reports + args.reports // 10)  # a tenth never audited
        inventory = load_inventory(inventory_path)
        folder = work / "reports"
        replicate(reports, folder, args.reports)
        now = dt.datetime.now(dt.timezone.utc)
        history = work / "history.jsonl"

        def aggregate(limit_dir: Path = folder) -> None:
            outcome = run_fleet_aggregate(inventory, limit_dir, now=now, history=history)
            render_fleet_markdown(outcome.report)
            render_fleet_json(outcome.report)
            render_dashboard(outcome.report)

        def plain_load(limit_dir: Path = folder) -> None:
            for path in report_files(limit_dir):
                with path.open(encoding="utf-8") as fh:
                    json.load(fh)

        agg_s = median_time(aggregate, args.repeat)
        ref_s = median_time(plain_load, args.repeat)
        print(f"aggregate {args.reports} reports (+ history, SLOs, Markdown, JSON, HTML): {agg_s:.3f} s; "
              f"reference json.load of every report {ref_s:.3f} s; ratio {agg_s / ref_s:.2f}x (target < 10 s)")

        for share in (4, 2, 1):
            part = work / f"part-{share}"
            part.mkdir()
            for path in sorted(folder.iterdir())[: args.reports // share]:
                (part / path.name).symlink_to(path)
            peak, tables = peak_mib(lambda part=part: aggregate_reports(inventory, part, now=now))
            ref_peak, _ = peak_mib(lambda part=part: plain_load(part))
            print(f"memory, {args.reports // share:>5} reports: aggregate peak {peak:5.1f} MiB = summary tables "
                  f"{tables:5.1f} MiB + transient {peak - tables:4.1f} MiB; reference json.load peak "
                  f"{ref_peak:4.1f} MiB")

        tool = shutil.which("mlaudit", path=str(BIN)) or "mlaudit"
        started = time.perf_counter()
        subprocess.run([tool, "fleet", "aggregate", "--inventory", str(inventory_path), str(folder),
                        "--history", str(work / "cli-history.jsonl"), "--html", str(work / "d.html"),
                        "--json", str(work / "f.json")], capture_output=True, check=False)
        print(f"CLI `mlaudit fleet aggregate` on {args.reports} reports (Python start-up included): "
              f"{time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()

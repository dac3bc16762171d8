"""Unsafe-serialization scanning: mlaudit against picklescan and modelscan, on the same files in one run.

Inputs (generated once under benchmarks/.data/serialization/, kept in the page cache):
  1. a ~1 GB PyTorch zip checkpoint (torch.save of a transformer-shaped state_dict);
  2. a ~100 MB legacy (non-zip) PyTorch pickle;
  3. a ~2 GB directory: sharded zip checkpoints, a legacy file, safetensors, a joblib
     scikit-learn model, a vocabulary pickle, and one malicious pickle (all tools should flag it).
The peers live in their own virtualenv (python3 -m venv /work/venv-scanners; its pip install picklescan
modelscan), found by --scanners-venv or $MLAUDIT_SCANNERS_VENV; when absent, the run says so and times
mlaudit alone. Each command runs `--repeat` times; the best wall time and the peak RSS of that process are
printed, with the ratio of the fastest peer's time to mlaudit's (> 1 means mlaudit is faster).
Targets (issue #3): faster than the fastest peer on every input; peak memory < 100 MB on the 1 GB file.

Detection (issue #16): the bypass catalogue of tests/pickle_catalogue.py (entries of the picklescan,
modelscan, fickling and modelaudit deny-lists and advisories, and issue 16's evasions) and benign
pickles are written as files (never loaded) and every tool scans the same folder: per sample, caught at
high or above (picklescan: a "dangerous" global; modelscan: a HIGH/CRITICAL issue; mlaudit: a high or
critical finding), and false alarms (benign samples with any finding above info / any issue).

Usage: python benchmarks/bench_serialization.py [--repeat 3] [--data DIR] [--scanners-venv DIR]
       [--detection-only]
(run with the interpreter of an environment where mlaudit and torch are installed)
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
DEFAULT_SCANNERS_VENV = Path(os.environ.get("MLAUDIT_SCANNERS_VENV", "/work/venv-scanners"))
# Runs a command and reports its peak RSS: a fresh launcher per run, so RUSAGE_CHILDREN is that child's.
_LAUNCHER = (
    "import resource, subprocess, sys\n"
    "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "sys.stderr.write(p.stderr.decode(errors='replace')[-300:])\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(p.returncode, u.ru_maxrss, u.ru_utime + u.ru_stime)\n"
)


def _peers(venv: Path) -> dict[str, list[str]]:
    """The reference scanners installed in ``venv`` (missing ones are named, never installed here)."""
    found = {}
    for name, flag in (("picklescan", "--path"), ("modelscan", "-p")):
        exe = venv / "bin" / name
        if exe.exists():
            found[name] = [str(exe), flag]
        else:
            print(f"{name} not found in {venv} (python3 -m venv {venv} && {venv}/bin/pip install {name}): "
                  "it is left out of this run", file=sys.stderr)
    return found


def _state_dict(total_bytes: int, layers: int) -> dict[str, object]:
    import torch

    per_layer = total_bytes // layers // 4  # float32 elements
    hidden = int((per_layer / 12) ** 0.5)
    sd: dict[str, object] = {"embed.weight": torch.zeros(hidden * 4, hidden)}
    for i in range(layers):
        p = f"layers.{i}."
        for name, shape in [("attn.q.weight", (hidden, hidden)), ("attn.k.weight", (hidden, hidden)),
                            ("attn.v.weight", (hidden, hidden)), ("attn.o.weight", (hidden, hidden)),
                            ("mlp.up.weight", (4 * hidden, hidden)), ("mlp.down.weight", (hidden, 4 * hidden)),
                            ("norm1.weight", (hidden,)), ("norm1.bias", (hidden,)), ("norm2.weight", (hidden,)),
                            ("norm2.bias", (hidden,)), ("mlp.up.bias", (4 * hidden,))]:
            sd[p + name] = torch.zeros(*shape)
    return sd


def _generate(data: Path) -> dict[str, Path]:
    import torch

    data.mkdir(parents=True, exist_ok=True)
    one_gb, legacy, folder = data / "checkpoint-1g.pt", data / "legacy-100m.bin", data / "repo-2g"
    if not one_gb.exists():
        torch.save(_state_dict(1 << 30, 24), one_gb)
    if not legacy.exists():
        torch.save(_state_dict(100 << 20, 12), legacy, _use_new_zipfile_serialization=False)
    if not folder.exists():
        folder.mkdir()
        for shard in range(3):
            torch.save(_state_dict(450 << 20, 8), folder / f"pytorch_model-{shard + 1:05d}-of-00003.bin")
        torch.save(_state_dict(100 << 20, 6), folder / "legacy_adapter.pt", _use_new_zipfile_serialization=False)
        from safetensors.torch import save_file

        save_file({k: v for k, v in _state_dict(350 << 20, 8).items()}, str(folder / "model.safetensors"))
        torch.save({"step": 1000, "lr": 1e-4}, folder / "training_state.pt")
        with open(folder / "vocab.pkl", "wb") as fh:
            pickle.dump({f"token{i}": i for i in range(50_000)}, fh, protocol=4)
        _joblib_model(folder / "classifier.joblib")
        # One malicious file (never loaded): every tool should report it.
        (folder / "evil.pkl").write_bytes(b"\x80\x04\x8c\x02os\x8c\x06system\x93\x8c\x02id\x85R.")
    return {"1 GB torch zip": one_gb, "100 MB legacy pickle": legacy, "2 GB directory": folder}


def _joblib_model(path: Path) -> None:
    import joblib
    import numpy as np
    from sklearn.ensemble import RandomForestClassifier

    x = np.random.default_rng(0).normal(size=(2000, 20))
    joblib.dump(RandomForestClassifier(n_estimators=50, random_state=0).fit(x, x[:, 0] > 0), path)


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _warm(path: Path) -> None:
    for p in [path] if path.is_file() else sorted(path.rglob("*")):
        if p.is_file():
            with p.open("rb") as fh:
                while fh.read(16 << 20):
                    pass


def _tool_env() -> dict[str, str]:
    """Every tool runs with its bytecode cached in one place (as an installed package has it): a shell
    with PYTHONDONTWRITEBYTECODE=1 would otherwise recompile mlaudit's source tree on every run while the
    peers' pip-installed bytecode is reused."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(HERE / ".data" / "pycache")
    return env


def _run_once(cmd: Sequence[str]) -> tuple[float, float, float, int]:
    """Wall time (s), CPU time (s, user+system), peak RSS (MB), exit code of one run."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _LAUNCHER, *cmd], capture_output=True, text=True, check=False,
                          env=_tool_env())
    elapsed = time.perf_counter() - start
    fields = proc.stdout.split()
    return elapsed, float(fields[2]), int(fields[1]) / 1024, int(fields[0])


def _run_all(tools: dict[str, list[str]], path: Path, repeat: int) -> dict[str, tuple[float, float, float, int]]:
    """Best wall and CPU time, largest peak RSS per tool; runs interleaved so load hits every tool alike."""
    best: dict[str, tuple[float, float, float, int]] = {}
    for cmd in tools.values():
        _run_once([*cmd, str(path)])  # warm-up: bytecode cache and page cache, not timed
    for _ in range(repeat):
        for name, cmd in tools.items():
            wall, cpu, rss, code = _run_once([*cmd, str(path)])
            old = best.get(name, (float("inf"), float("inf"), 0.0, code))
            best[name] = (min(old[0], wall), min(old[1], cpu), max(old[2], rss), code)
    return best


def _write_corpus(folder: Path) -> dict[str, tuple[str, bool]]:
    """The catalogue and benign samples as files: file name -> (sample name, malicious)."""
    sys.path.insert(0, str(HERE.parent / "tests"))
    from pickle_catalogue import benign, malicious

    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.pkl"):
        old.unlink()
    names = {}
    for i, sample in enumerate([*malicious(), *benign()]):
        file = f"{'m' if sample.malicious else 'b'}{i:03d}.pkl"
        (folder / file).write_bytes(sample.data)
        names[file] = (sample.name, sample.malicious)
    return names


def _caught_by_mlaudit(folder: Path, files: list[str]) -> tuple[dict[str, bool], dict[str, bool]]:
    proc = subprocess.run([str(BIN / "mlaudit"), "scan", "--format", "json", *files], cwd=folder,
                          capture_output=True, text=True, check=False)
    high, alarm = {}, {}
    for entry in json.loads(proc.stdout)["files"]:
        severities = [f["severity"] for f in entry["findings"]]
        high[entry["path"]] = any(s in ("high", "critical") for s in severities)
        alarm[entry["path"]] = any(s not in ("info", "low") for s in severities)
    return high, alarm


def _caught_by_picklescan(cmd: list[str], folder: Path) -> tuple[dict[str, bool], dict[str, bool]]:
    proc = subprocess.run([*cmd, str(folder)], capture_output=True, text=True, check=False)
    dangerous = set(re.findall(r"([^/\s]+\.pkl): dangerous import", proc.stdout))
    flagged = set(re.findall(r"([^/\s]+\.pkl): (?:dangerous|suspicious)", proc.stdout))
    files = [p.name for p in folder.glob("*.pkl")]
    return {f: f in dangerous for f in files}, {f: f in flagged for f in files}


def _caught_by_modelscan(cmd: list[str], folder: Path) -> tuple[dict[str, bool], dict[str, bool]]:
    out = folder.parent / "modelscan-report.json"
    subprocess.run([*cmd, str(folder), "-r", "json", "-o", str(out)], capture_output=True, text=True, check=False)
    issues = json.loads(out.read_text())["issues"] if out.exists() else []
    files = [p.name for p in folder.glob("*.pkl")]
    high = {Path(i["source"]).name for i in issues if i["severity"] in ("HIGH", "CRITICAL")}
    any_issue = {Path(i["source"]).name for i in issues}
    return {f: f in high for f in files}, {f: f in any_issue for f in files}


def detection(data: Path, peers: dict[str, list[str]]) -> None:
    """Print the detection table: per sample, which tool catches it at high or above; then totals."""
    folder = data / "detection"
    names = _write_corpus(folder)
    files = sorted(names)
    results = {"mlaudit": _caught_by_mlaudit(folder, files)}
    if "picklescan" in peers:
        results["picklescan"] = _caught_by_picklescan(peers["picklescan"], folder)
    if "modelscan" in peers:
        results["modelscan"] = _caught_by_modelscan(peers["modelscan"], folder)
    tools = list(results)
    print(f"\ndetection: {sum(m for _, m in names.values())} code-running samples, "
          f"{sum(not m for _, m in names.values())} benign (caught = finding at high or above)")
    print(f"{'sample':58} " + " ".join(f"{t:>10}" for t in tools))
    for file in files:
        sample, bad = names[file]
        marks = []
        for tool in tools:
            high, alarm = results[tool]
            if bad:
                marks.append("caught" if high.get(file) else "MISSED")
            else:
                marks.append("FALSE-ALARM" if alarm.get(file) else "ok")
        print(f"{('' if bad else '[benign] ') + sample:58.58} " + " ".join(f"{m:>10}" for m in marks))
    print()
    for tool in tools:
        high, alarm = results[tool]
        caught = sum(1 for f in files if names[f][1] and high.get(f))
        total = sum(1 for f in files if names[f][1])
        false = sum(1 for f in files if not names[f][1] and alarm.get(f))
        print(f"{tool:11} caught {caught}/{total} code-running samples at high or above; "
              f"{false} false alarm(s) on {len(files) - total} benign samples")


def main(argv: Sequence[str] | None = None) -> int:
    """Generate the inputs, run every tool on each, print times, ratios and peak memory, then detection."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=HERE / ".data" / "serialization")
    parser.add_argument("--scanners-venv", type=Path, default=DEFAULT_SCANNERS_VENV,
                        help="virtualenv holding picklescan and modelscan (default: $MLAUDIT_SCANNERS_VENV, "
                             "else /work/venv-scanners)")
    parser.add_argument("--detection-only", action="store_true", help="skip the speed comparison")
    args = parser.parse_args(argv)
    peers = _peers(args.scanners_venv)
    if args.detection_only:
        detection(args.data, peers)
        return 0
    tools = {"mlaudit": [str(BIN / "mlaudit"), "scan"], **peers}
    inputs = _generate(args.data)
    print(f"load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(on a shared machine, CPU time is the steadier comparison)")
    print(f"{'input':22} {'tool':11} {'wall s':>8} {'cpu s':>7} {'peak MB':>8} {'exit':>5}  peer/mlaudit (wall, cpu)")
    verdicts = []
    for label, path in inputs.items():
        _warm(path)
        results = _run_all(tools, path, args.repeat)
        ours_wall, ours_cpu = results["mlaudit"][0], results["mlaudit"][1]
        for name, (wall, cpu, rss, code) in results.items():
            ratio = "" if name == "mlaudit" else f"{wall / ours_wall:5.2f}x  {cpu / ours_cpu:5.2f}x"
            print(f"{label:22} {name:11} {wall:8.3f} {cpu:7.3f} {rss:8.1f} {code:5}  {ratio}")
        peers_run = [v for k, v in results.items() if k != "mlaudit"] or [results["mlaudit"]]
        verdicts.append((label, _size(path), min(p[0] for p in peers_run) / ours_wall,
                         min(p[1] for p in peers_run) / ours_cpu, results["mlaudit"][2]))
    print()
    for label, size, wall_ratio, cpu_ratio, rss in verdicts:
        print(f"{label} ({size / 1e9:.2f} GB): fastest peer / mlaudit = {wall_ratio:.2f}x wall, "
              f"{cpu_ratio:.2f}x CPU (> 1: mlaudit faster); mlaudit peak {rss:.0f} MB")
    detection(args.data, peers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

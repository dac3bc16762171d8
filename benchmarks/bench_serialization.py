"""Unsafe-serialization scanning: mlaudit against picklescan and modelscan, on the same files in one run.

Inputs (generated once under benchmarks/.data/serialization/, kept in the page cache):
  1. a ~1 GB PyTorch zip checkpoint (torch.save of a transformer-shaped state_dict);
  2. a ~100 MB legacy (non-zip) PyTorch pickle;
  3. a ~2 GB directory: sharded zip checkpoints, a legacy file, safetensors, a joblib
     scikit-learn model, a vocabulary pickle, and one malicious pickle (all tools should flag it).
Peers are installed into benchmarks/.data/peers-venv (pip install picklescan modelscan) by this script.
Each command runs `--repeat` times; the best wall time and the peak RSS of that process are printed, with
the ratio of the fastest peer's time to mlaudit's (> 1 means mlaudit is faster).
Targets (issue #3): faster than the fastest peer on every input; peak memory < 100 MB on the 1 GB file.

Usage: python benchmarks/bench_serialization.py [--repeat 3] [--data DIR]
(run with the interpreter of an environment where mlaudit and torch are installed)
"""

from __future__ import annotations

import argparse
import os
import pickle
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PEERS = HERE / ".data" / "peers-venv"
# Runs a command and reports its peak RSS: a fresh launcher per run, so RUSAGE_CHILDREN is that child's.
_LAUNCHER = (
    "import resource, subprocess, sys\n"
    "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "sys.stderr.write(p.stderr.decode(errors='replace')[-300:])\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(p.returncode, u.ru_maxrss, u.ru_utime + u.ru_stime)\n"
)


def _peers() -> dict[str, list[str]]:
    if not (PEERS / "bin" / "modelscan").exists() or not (PEERS / "bin" / "picklescan").exists():
        print("installing picklescan and modelscan into", PEERS, file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(PEERS)], check=True)
        subprocess.run([str(PEERS / "bin" / "pip"), "install", "-q", "picklescan", "modelscan"], check=True)
    return {"picklescan": [str(PEERS / "bin" / "picklescan"), "--path"],
            "modelscan": [str(PEERS / "bin" / "modelscan"), "-p"]}


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


def _run_once(cmd: Sequence[str]) -> tuple[float, float, float, int]:
    """Wall time (s), CPU time (s, user+system), peak RSS (MB), exit code of one run."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _LAUNCHER, *cmd], capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    fields = proc.stdout.split()
    return elapsed, float(fields[2]), int(fields[1]) / 1024, int(fields[0])


def _run_all(tools: dict[str, list[str]], path: Path, repeat: int) -> dict[str, tuple[float, float, float, int]]:
    """Best wall and CPU time, largest peak RSS per tool; runs interleaved so load hits every tool alike."""
    best: dict[str, tuple[float, float, float, int]] = {}
    for _ in range(repeat):
        for name, cmd in tools.items():
            wall, cpu, rss, code = _run_once([*cmd, str(path)])
            old = best.get(name, (float("inf"), float("inf"), 0.0, code))
            best[name] = (min(old[0], wall), min(old[1], cpu), max(old[2], rss), code)
    return best


def main(argv: Sequence[str] | None = None) -> int:
    """Generate the inputs, run every tool on each, print times, ratios and peak memory."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=HERE / ".data" / "serialization")
    args = parser.parse_args(argv)
    tools = {"mlaudit": [str(BIN / "mlaudit"), "scan"], **_peers()}
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
        peers = [v for k, v in results.items() if k != "mlaudit"]
        verdicts.append((label, _size(path), min(p[0] for p in peers) / ours_wall,
                         min(p[1] for p in peers) / ours_cpu, results["mlaudit"][2]))
    print()
    for label, size, wall_ratio, cpu_ratio, rss in verdicts:
        print(f"{label} ({size / 1e9:.2f} GB): fastest peer / mlaudit = {wall_ratio:.2f}x wall, "
              f"{cpu_ratio:.2f}x CPU (> 1: mlaudit faster); mlaudit peak {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Time to comment: licence scanning and the pull-request flow against scancode's own CLI, in one run.

Builds a Git repository of ``--files`` source files with licence headers (a few
distinct headers, SPDX lines, Apache boilerplate blocks, a GPL notice, licences
in docstrings and string constants; tests/licence_trees.py), full licence texts,
a NOTICE, a model card, pinned requirements and two weight files, then times,
each as its own process:

  scancode         `scancode --license -n <cores>` on the tree (the reference);
  licences cold    `mlaudit audit --only licenses` with an empty cache;
  one header       the same after one file's header changed (warm cache);
  audit cold       the full `mlaudit audit` (offline, local advisory db), empty cache;
  PR warm          `mlaudit github` on a pull request changing three files (a header,
                   code, requirements) against a loopback GitHub API, warm cache.

Then compares the SPDX expression per file with scancode's (files whose licence
scancode took from a referenced file, its codebase-wide "see LICENSE" step, are
counted apart). Targets on a 2-core machine: licences cold <= 0.33x scancode;
one header <= 3 s; PR warm <= 10 s; audit cold <= 1.2x licences cold.

Usage: python benchmarks/bench_pr.py [--files 300] [--workers 0] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
BIN = Path(sys.executable).parent
ADVISORY_DB = ROOT / "tests" / "fixtures" / "pypa-advisory-db"


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found; install mlaudit[full] into this interpreter's environment first")
    return found


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def build_repo(repo: Path, files: int) -> None:
    """The benchmark repository, committed on main."""
    from licence_trees import write_tree

    repo.mkdir(parents=True)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "bench@example.invalid")
    _git(repo, "config", "user.name", "bench")
    write_tree(repo, files)
    (repo / "README.md").write_text("---\nlicense: apache-2.0\n---\n# Bench model\n", encoding="utf-8")
    (repo / "requirements.txt").write_text("numpy==1.26.4\nrequests==2.31.0\n", encoding="utf-8")
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "bench"\nversion = "1"\nlicense = "Apache-2.0"\n\n'
        "[tool.mlaudit.licenses]\nresolve = false\n",
        encoding="utf-8",
    )
    weights = repo / "weights"
    weights.mkdir()
    header = json.dumps({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}).encode()
    for name in ("model-00001.safetensors", "model-00002.safetensors"):
        (weights / name).write_bytes(len(header).to_bytes(8, "little") + header + os.urandom(16))
    subprocess.run([_tool("mlaudit"), "hash", str(repo), "--update"], check=True, capture_output=True)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return elapsed


def change_header(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in (("2024", "2026"), ("2023", "2026"), ("2022", "2026"), ("2021", "2026")):
        if old in text:
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
            return
    raise SystemExit(f"{path} has no year to change")


def scancode_expressions(report: Path) -> tuple[dict[str, str | None], set[str]]:
    """scancode's expression per file, and the files whose licence it took from a referenced file."""
    found: dict[str, str | None] = {}
    followed: set[str] = set()
    for entry in json.loads(report.read_text(encoding="utf-8"))["files"]:
        if entry["type"] != "file":
            continue
        rel = entry["path"].split("/", 1)[1]
        found[rel] = entry.get("detected_license_expression_spdx") or None
        origins = {m.get("from_file") for d in entry.get("license_detections", ()) for m in d["matches"]}
        if origins - {None, entry["path"]}:
            followed.add(rel)
    return found, followed


def agreement(repo: Path, cache_dir: Path, reference: Path) -> str:
    """Compare the audit's per-file expressions (from its warm cache) with the scancode CLI's."""
    from mlaudit.licenses.file_scan import cache_path, scan_files
    from mlaudit.licenses.scan_cache import ScanCache

    files = _git(repo, "ls-files").splitlines()
    result = scan_files(repo, files, ScanCache(cache_path(cache_dir)))
    ours = {d.path: d.expression for d in result.detections}
    theirs, followed = scancode_expressions(reference)
    compared = [f for f in files if f not in followed and f in theirs]
    differ = [f for f in compared if ours.get(f) != theirs.get(f)]
    with_licence = sum(1 for f in compared if theirs.get(f))
    line = f"{len(compared) - len(differ)}/{len(compared)} files agree ({with_licence} with a licence)"
    line += f"; {len(followed)} where scancode followed 'see LICENSE' (the audit judges those as the project)"
    if differ:
        line += "\n  differ: " + ", ".join(f"{f}: {ours.get(f)} vs {theirs.get(f)}" for f in differ[:10])
    return line


def pull_request(repo: Path, tmp: Path, env: dict[str, str]) -> float:
    """`mlaudit github` on a pull request that changes three files, against a loopback GitHub API."""
    from github_actions_env import bench_pull_request_env
    from github_api_server import GitHubApiServer

    base = _git(repo, "rev-parse", "HEAD").strip()
    _git(repo, "checkout", "-q", "-b", "feature")
    sources = sorted(p for p in (repo / "src").rglob("mod_*.py"))
    change_header(sources[3])
    with (sources[4]).open("a", encoding="utf-8") as handle:
        handle.write("\n\ndef added() -> int:\n    return 1\n")
    (repo / "requirements.txt").write_text("numpy==1.26.4\nrequests==2.32.3\n", encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "head")
    head = _git(repo, "rev-parse", "HEAD").strip()
    with GitHubApiServer() as api:
        flow_env = {**env, **bench_pull_request_env(api, repo, tmp, base_sha=base, head_sha=head)}
        seconds = timed([_tool("mlaudit"), "github", str(repo), "--offline", "--advisory-db", str(ADVISORY_DB),
                         "--report-dir", str(tmp / "pr-report")], flow_env)
        if len(api.repos["bench/model"].comments) != 1:
            raise SystemExit("the pull-request flow posted no comment")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--workers", type=int, default=0, help="scancode -n (default: every core)")
    parser.add_argument("--keep", type=Path, help="build the repository here and keep it")
    args = parser.parse_args()
    cores = args.workers or len(os.sched_getaffinity(0))
    mlaudit = _tool("mlaudit")
    with tempfile.TemporaryDirectory(prefix="mlaudit-bench-pr-") as tmp_name:
        tmp = Path(tmp_name)
        repo = (args.keep or tmp) / "model"
        if repo.exists():
            shutil.rmtree(repo)
        build_repo(repo, args.files)
        files = len(_git(repo, "ls-files").splitlines())
        env = dict(os.environ)

        reference = tmp / "scancode.json"
        scancode_s = timed([_tool("scancode"), "--license", "-n", str(cores), "--quiet", "--ignore", ".git",
                            "--json", str(reference), str(repo)], env)

        licences_cache = tmp / "cache-licences"
        licences_env = {**env, "MLAUDIT_CACHE_DIR": str(licences_cache)}
        licences_cmd = [mlaudit, "audit", str(repo), "--only", "licenses", "--offline", "--format", "json",
                        "--output", str(tmp / "licences.json")]
        licences_s = timed(licences_cmd, licences_env)
        agree = agreement(repo, licences_cache, reference)

        change_header(sorted((repo / "src").rglob("mod_*.py"))[0])
        _git(repo, "commit", "-q", "-am", "one header")
        one_header_s = timed(licences_cmd, licences_env)

        audit_env = {**env, "MLAUDIT_CACHE_DIR": str(tmp / "cache-audit")}
        audit_s = timed([mlaudit, "audit", str(repo), "--offline", "--advisory-db", str(ADVISORY_DB), "--format",
                         "json", "--output", str(tmp / "audit.json")], audit_env)
        pr_s = pull_request(repo, tmp, audit_env)

    load = os.getloadavg()
    rows = [
        (f"scancode --license -n {cores} (reference)", scancode_s, "", ""),
        ("licences check, cold", licences_s, f"{licences_s / scancode_s:.2f}x scancode", "<= 0.33x"),
        ("licences check, one header changed", one_header_s, "", "<= 3 s"),
        ("full audit, cold", audit_s, f"{audit_s / licences_s:.2f}x licences cold", "<= 1.2x"),
        ("mlaudit github, PR of 3 files, warm", pr_s, "", "<= 10 s"),
    ]
    print(f"repository: {files} files ({args.files} source files), {cores} cores, "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"| {'measure':<42} | {'seconds':>8} | {'ratio':<22} | target   |")
    print(f"|{'-' * 44}|{'-' * 10}|{'-' * 24}|----------|")
    for name, seconds, ratio, target in rows:
        print(f"| {name:<42} | {seconds:8.2f} | {ratio:<22} | {target:<8} |")
    print(f"expressions: {agree}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The Action's pull-request flow against a plain audit, in one run.

Builds a Git repository with a base and a head commit (``--files`` weight files
of ``--size-kib`` each; the head changes a tenth of them and adds a few), then
times, ``--repeat`` times each:

  reference  `mlaudit audit --only weights` on the head (one audit);
  flow       `mlaudit github` on the pull request: audits the head, audits the
             base in a Git worktree, diffs, renders the comment, posts it to a
             loopback GitHub API (tests/github_api_server.py), writes summary,
             outputs and SARIF.

Prints the medians with a cold hash cache (a fresh CI runner) and a warm one, and the
cold ratio flow/reference: the pull-request flow does two
audits, so about 2x plus the worktree and the comment is what to expect; much
more means the GitHub side costs more than the audits. Also times rendering a
comment for 5,000 new findings (the shortening loop).

Usage: python benchmarks/bench_github.py [--files 200] [--size-kib 256] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found; install mlaudit into this interpreter's environment first")
    return found


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def build_repo(where: Path, files: int, size: int) -> tuple[Path, str, str]:
    """A repository with recorded weights on main and a feature commit changing some of them."""
    repo = where / "model"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "bench@example.invalid")
    _git(repo, "config", "user.name", "bench")
    for i in range(files):
        (repo / "weights").mkdir(exist_ok=True)
        (repo / "weights" / f"shard-{i:04d}.bin").write_bytes(os.urandom(size))
    subprocess.run([_tool("mlaudit"), "hash", str(repo), "--update"], check=True, capture_output=True)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    base = _git(repo, "rev-parse", "HEAD").strip()
    _git(repo, "checkout", "-q", "-b", "feature")
    for i in range(0, files, 10):
        (repo / "weights" / f"shard-{i:04d}.bin").write_bytes(os.urandom(size))
    for i in range(5):
        (repo / "weights" / f"new-{i}.bin").write_bytes(os.urandom(size))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "head")
    return repo, base, _git(repo, "rev-parse", "HEAD").strip()


def timed(cmd: list[str], env: dict[str, str], cache: Path | None = None) -> float:
    """Wall time of ``cmd``; with ``cache``, a fresh (cold) hash cache, as on a new CI runner."""
    if cache is not None:
        shutil.rmtree(cache, ignore_errors=True)
        env = {**env, "MLAUDIT_CACHE_DIR": str(cache)}
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr}")
    return elapsed


def bench_render(n: int) -> float:
    from mlaudit.github.comment_model import build_comment_model
    from mlaudit.github.pr_comment import render_fitting_comment
    from mlaudit.model import CheckResult, Finding, Pillar, Report, Severity, Status

    findings = tuple(
        Finding(
            rule="weights.unrecorded",
            severity=Severity.HIGH,
            path=f"shards/shard-{i:05d}.bin",
            message="weight file is not recorded in weights.lock.json",
            remediation="run mlaudit hash --update",
        )
        for i in range(n)
    )
    check = CheckResult("weights", "Weight integrity", Pillar.SECURITY, Status.FAIL, "", findings)
    head = Report("bench", "/r", Status.FAIL, Severity.HIGH, (check,))
    start = time.perf_counter()
    text, shortened = render_fitting_comment(build_comment_model(head, None))
    elapsed = time.perf_counter() - start
    assert shortened and len(text) < 65536
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--size-kib", type=int, default=256)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from github_actions_env import bench_pull_request_env
    from github_api_server import GitHubApiServer

    mlaudit = _tool("mlaudit")
    with tempfile.TemporaryDirectory(prefix="mlaudit-bench-github-") as tmp_name:
        tmp = Path(tmp_name)
        repo, base, head = build_repo(tmp, args.files, args.size_kib * 1024)
        with GitHubApiServer() as api:
            env = {
                **os.environ,
                **bench_pull_request_env(api, repo, tmp, base_sha=base, head_sha=head),
                "MLAUDIT_CACHE_DIR": str(tmp / "cache"),
            }
            audit_cmd = [
                mlaudit,
                "audit",
                str(repo),
                "--only",
                "weights",
                "--format",
                "json",
                "--output",
                str(tmp / "r.json"),
            ]
            flow_cmd = [mlaudit, "github", str(repo), "--only", "weights"]
            cold = tmp / "cold-cache"
            reference = [timed(audit_cmd, env, cold) for _ in range(args.repeat)]
            flow = [timed(flow_cmd, env, cold) for _ in range(args.repeat)]
            warm_reference = [timed(audit_cmd, env) for _ in range(args.repeat)]
            warm_flow = [timed(flow_cmd, env) for _ in range(args.repeat)]
            comments = len(api.repos["bench/model"].comments)
        ref_s, flow_s = statistics.median(reference), statistics.median(flow)
        warm_ref_s, warm_flow_s = statistics.median(warm_reference), statistics.median(warm_flow)
        print(f"repository: {args.files} weight files x {args.size_kib} KiB, head changes {args.files // 10 + 5}")
        print(f"cold cache (a fresh CI runner), median of {args.repeat}:")
        print(f"  reference  mlaudit audit --only weights : {ref_s:.3f} s")
        print(f"  flow       mlaudit github (pull request) : {flow_s:.3f} s")
        print("warm cache (head digests cached; the base worktree is always new, so hashed again):")
        print(f"  reference  mlaudit audit --only weights : {warm_ref_s:.3f} s")
        print(f"  flow       mlaudit github (pull request) : {warm_flow_s:.3f} s")
        print(
            f"ratio flow/reference, cold: {flow_s / ref_s:.2f}x (two audits + worktree + comment; comments posted: "
            f"{comments}, expected 1)"
        )
    render_s = bench_render(5000)
    print(f"render + shorten a comment with 5000 new findings: {render_s * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Fuzz every parser of repository content: random and mutated inputs end in a result or the project's error.

Seeded (``MLAUDIT_FUZZ_SEED``) and bounded by time (``MLAUDIT_FUZZ_SECONDS``, 15 s in the suite;
``benchmarks/fuzz_parsers.py`` runs it longer). Each input must end, within a hang guard, in a
value or in one of the errors the callers turn into exit 2 or a finding; never another exception
(a traceback, exit 3). A few CLI runs check the same through the entry points: exit in {0, 1, 2}.
"""

from __future__ import annotations

import os
import random
import resource
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

import pytest
from conftest import init_repo, run_mlaudit
from fuzz_corpus import SEEDS, mutate
from robustness_helpers import no_traceback

from mlaudit.audit_log.chain import ChainError, verify_chain
from mlaudit.config import load_config
from mlaudit.errors import MlauditError
from mlaudit.formats.bounded_json import BoundedParseError
from mlaudit.formats.codeowners import parse_codeowners
from mlaudit.formats.model_card import read_model_card
from mlaudit.github.event import PullRequestRef, pull_request_from_event, read_event
from mlaudit.governance.data_register import Register, register_from_yaml
from mlaudit.pins.rules import PinRules, PinsOptions
from mlaudit.pins.sources import PinsScanner
from mlaudit.render.json_report import load_report
from mlaudit.store.hash_cache import HashCache
from mlaudit.weights.manifest import ManifestError, parse_manifest
from mlaudit.weights.verify import load_manifest

pytestmark = pytest.mark.slow  # end-to-end: real git repositories and mlaudit runs (the edit loop is `-m 'not slow'`)

SECONDS = float(os.environ.get("MLAUDIT_FUZZ_SECONDS", "15"))
SEED = int(os.environ.get("MLAUDIT_FUZZ_SEED", "1717"))
HANG_GUARD_S = 20  # a hang detector, not a speed test: one input far past any sane parse


def _pins(root: Path, rel: str) -> None:
    PinsScanner(root, PinRules(PinsOptions()), None).scan([rel])


def _config(root: Path, rel: str) -> None:
    load_config(root)


def _manifest(root: Path, rel: str) -> None:
    load_manifest(root, rel)  # a finding, never an exception
    try:
        parse_manifest((root / rel).read_bytes().decode("utf-8", "surrogateescape"))
    except ManifestError:
        pass


def _model_card(root: Path, rel: str) -> None:
    read_model_card(root / rel, rel)


def _register(root: Path, rel: str) -> None:
    register_from_yaml(root, rel, Register())


def _log(root: Path, rel: str) -> None:
    verify_chain(root / rel)


def _event(root: Path, rel: str) -> None:
    data = read_event(str(root / rel))
    pull_request_from_event(data)


def _pr_context(root: Path, rel: str) -> None:
    from mlaudit.formats.bounded_json import loads_json

    PullRequestRef.from_json(loads_json((root / rel).read_bytes()), source=rel)


def _stat_cache(root: Path, rel: str) -> None:
    HashCache(root / rel).get("a.bin", os.stat(root / rel))


def _codeowners(root: Path, rel: str) -> None:
    parse_codeowners((root / rel).read_bytes().decode("utf-8", "replace"), rel)


def _report(root: Path, rel: str) -> None:
    load_report((root / rel).read_bytes().decode("utf-8", "replace"), source=rel)


def _config_diff(root: Path, rel: str) -> None:
    """The pull request's configuration against the base's, both ways (as ``resolve_pull_request_config`` does)."""
    from mlaudit.config import Config, GeneralOptions
    from mlaudit.config_diff import diff_configs, loosenings
    from mlaudit.registry import SECTION_TYPES

    head = load_config(root)
    head.validate(SECTION_TYPES)
    base = Config(path=None, general=GeneralOptions(), prefix="tool.mlaudit.")
    for old, new in ((base, head), (head, base)):
        loosenings(diff_configs(old, new, SECTION_TYPES.tables, SECTION_TYPES.arrays, old_label=None, new_label=rel))


def _model_file(root: Path, rel: str) -> None:
    from mlaudit.formats.keras_config import keras_constructs
    from mlaudit.serialization.scanner import ModelScanner

    report = ModelScanner().scan_path(root / rel, rel)
    assert report is not None
    if rel.endswith(".json"):
        keras_constructs((root / rel).read_bytes())


def _licence_regions(root: Path, rel: str) -> None:
    from mlaudit.licenses.source_regions import licence_regions

    text = (root / rel).read_bytes().decode("utf-8", "replace")
    for name in (rel, "x.js", "x.sh", "x.ts", "x.c", "x.txt"):
        regions = licence_regions(name, text)
        assert regions is None or isinstance(regions.text, str)


def _gitmodules(root: Path, rel: str) -> None:
    from mlaudit.serialization.submodules import submodules

    if not (root / ".git").exists():  # once per run: a repository whose index holds gitlinks
        init_repo(root)
        for path in ("sub", "-x", "a\nb"):
            subprocess.run(["git", "-C", str(root), "update-index", "--add", "--cacheinfo",
                            f"160000,{'1' * 40},{path}"], check=True, capture_output=True)
    for sub in submodules(root):
        assert not sub.checked_out


# file (its seed corpus) -> (parser, the errors its callers turn into exit 2 or a finding)
TARGETS: dict[str, tuple[str, Callable[[Path, str], None], tuple[type[BaseException], ...]]] = {
    "config": ("pyproject.toml", _config, (MlauditError,)),
    "manifest": ("weights.lock.json", _manifest, ()),
    "requirements": ("requirements.txt", _pins, ()),
    "pyproject-deps": ("pyproject.toml", _pins, ()),
    "lock": ("poetry.lock", _pins, ()),
    "conda": ("environment.yml", _pins, ()),
    "dockerfile": ("Dockerfile", _pins, ()),
    "workflow": (".github/workflows/ci.yml", _pins, ()),
    "model-card": ("README.md", _model_card, ()),
    "register": ("data-sources.yaml", _register, ()),
    "audit-log": ("audit.jsonl", _log, (ChainError,)),
    "github-event": ("event.json", _event, (MlauditError,)),
    "pr-context": ("event.json", _pr_context, (MlauditError, BoundedParseError)),
    "stat-cache": ("stat-cache.json", _stat_cache, ()),
    "codeowners": ("CODEOWNERS", _codeowners, ()),
    "report": ("report.json", _report, (MlauditError,)),
    "pr-config-diff": ("pyproject.toml", _config_diff, (MlauditError,)),
    "keras-config": ("config.json", _model_file, ()),
    "keras-metadata": ("keras_metadata.pb", _model_file, ()),
    "licence-regions": ("licensed.py", _licence_regions, ()),
    "gitmodules": (".gitmodules", _gitmodules, ()),
}


class _Hang(Exception):
    pass


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise _Hang


def _inputs(rel: str, rng: random.Random, budget_s: float) -> Iterator[bytes]:
    seeds = SEEDS[rel]
    deadline = time.monotonic() + budget_s
    yield from seeds
    while time.monotonic() < deadline:
        data = rng.choice(seeds)
        for _ in range(rng.randint(1, 3)):
            data = mutate(data, rng)
        yield data


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_parser_never_crashes_or_hangs(tmp_path: Path, target: str) -> None:
    rel, parse, allowed = TARGETS[target]
    rng = random.Random(f"{SEED}:{target}")
    root = tmp_path / "repo"
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    count = 0
    try:
        for data in _inputs(rel, rng, SECONDS / len(TARGETS)):
            (root / rel).write_bytes(data)
            count += 1
            signal.alarm(HANG_GUARD_S)
            try:
                parse(root, rel)
            except allowed:
                pass
            except _Hang:
                pytest.fail(f"{target}: no result after {HANG_GUARD_S} s on input #{count} {data[:200]!r}")
            except Exception as exc:  # noqa: BLE001 - the point: anything else is a crash
                repro = tmp_path / f"crash-{target}"
                repro.write_bytes(data)
                pytest.fail(f"{target}: {type(exc).__name__}: {exc} on input #{count} (saved to {repro}, "
                            f"seed {SEED})")
            finally:
                signal.alarm(0)
    finally:
        signal.signal(signal.SIGALRM, previous)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 512, f"{target}: memory grew by {grown_mb:.0f} MB"
    assert count > len(SEEDS[rel])


@pytest.mark.parametrize("seed", range(3))
def test_cli_on_mutated_repositories(tmp_path: Path, seed: int) -> None:
    rng = random.Random(f"{SEED}:cli:{seed}")
    root = init_repo(tmp_path / "repo")
    for rel in ("pyproject.toml", "weights.lock.json", "requirements.txt", "Dockerfile", "README.md",
                ".github/workflows/ci.yml", "environment.yml", "data-sources.yaml"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(mutate(rng.choice(SEEDS[rel]), rng))
    (root / "a.bin").write_bytes(b"weights")
    log = tmp_path / "audit.jsonl"
    log.write_bytes(mutate(SEEDS["audit.jsonl"][0], rng))
    for args in (("hash", "--check", str(root)), ("audit", str(root), "--offline", "--only", "pins,weights,privacy"),
                 ("log", "verify", str(log))):
        proc = run_mlaudit(*args, timeout=120)
        no_traceback(proc)
        assert proc.returncode in (0, 1, 2), (args, proc.stderr)

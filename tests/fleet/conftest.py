"""Real audit reports for the fleet tests: ``mlaudit audit --format json`` on small generated repositories.

Three real audits (passing, failing with a critical finding, errored) are run
once per session; tests copy them under the names of a fleet's repositories.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import init_repo, run_mlaudit

# A protocol-0 pickle that would call os.system: written as bytes, never loaded.
EVIL_PICKLE = b"cos\nsystem\n(S'echo pwned'\ntR."


@dataclass(frozen=True)
class AuditedReports:
    """Paths of the three real reports and the time they were generated."""

    passing: Path
    failing: Path
    errored: Path
    generated_at: dt.datetime

    def copy(self, kind: str, dest: Path, *, generated_at: dt.datetime | None = None) -> Path:
        """Copy report ``kind`` to ``dest``; optionally rewrite its ``generated_at`` (a stale audit)."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        source: Path = getattr(self, kind)
        if generated_at is None:
            shutil.copyfile(source, dest)
        else:
            data = json.loads(source.read_text())
            data["generated_at"] = generated_at.isoformat(timespec="seconds")
            dest.write_text(json.dumps(data, indent=2))
        return dest


def _audit(repo: Path, out: Path, only: str, expected_code: int) -> Path:
    result = run_mlaudit("audit", str(repo), "--format", "json", "--output", str(out), "--only", only,
                         "--offline", env={"MLAUDIT_CACHE_DIR": str(repo.parent / "cache")})
    assert result.returncode == expected_code, result.stdout + result.stderr
    return out


@pytest.fixture(scope="session")
def audited_reports(tmp_path_factory: pytest.TempPathFactory) -> AuditedReports:
    """Run the three real audits once."""
    base = tmp_path_factory.mktemp("fleet-audits")
    passing = init_repo(base / "passing")
    (passing / "model.npy").write_bytes(b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, "
                                        b"'shape': (2,), }" + b" " * 59 + b"\n" + b"\x00" * 8)
    hashed = run_mlaudit("hash", str(passing), "--update")
    assert hashed.returncode == 0, hashed.stderr
    failing = init_repo(base / "failing")
    (failing / "model.pkl").write_bytes(EVIL_PICKLE)
    assert run_mlaudit("hash", str(failing), "--update").returncode == 0
    errored = init_repo(base / "errored")
    (errored / "model.npy").write_bytes((passing / "model.npy").read_bytes())
    assert run_mlaudit("hash", str(errored), "--update").returncode == 0
    (errored / "mlaudit.toml").write_text("[probes]\ncommand = \"python3 -c pass\"\nbuiltin = false\n")
    reports = base / "reports"
    audited = AuditedReports(
        passing=_audit(passing, reports / "passing.json", "weights", 0),
        failing=_audit(failing, reports / "failing.json", "weights,serialization", 1),
        errored=_audit(errored, reports / "errored.json", "weights,probes", 1),
        generated_at=dt.datetime.now(dt.timezone.utc),
    )
    stamp = json.loads(audited.passing.read_text())["generated_at"]
    parsed = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return AuditedReports(audited.passing, audited.failing, audited.errored, parsed)

"""The hash-chained audit log: `audit --log` appends, `log verify` catches every edit, removal and reordering."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import git, init_repo, run_mlaudit

from mlaudit.audit_log.chain import GENESIS, append_record, verify_chain

AUDIT_FIELDS = ("time", "tool_version", "commit", "config_digest", "report_digest", "status")


@pytest.fixture(scope="module")
def audited_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three real audits of a Git repository appended to one log (built once)."""
    tmp_path = tmp_path_factory.mktemp("audit-log")
    repo = init_repo(tmp_path / "repo")
    (repo / "model.safetensors").write_bytes(b"w" * 64)
    cache = {"MLAUDIT_CACHE_DIR": str(tmp_path / "cache")}  # module scope: the per-test cache is not set yet
    assert run_mlaudit("hash", str(repo), "--update", env=cache).returncode == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "model")
    log = tmp_path / "audit.log"
    for _ in range(3):
        proc = run_mlaudit("audit", str(repo), "--only", "weights", "--log", str(log), env=cache)
        assert proc.returncode == 0, proc.stderr
    return log


@pytest.fixture
def logged(audited_log: Path, tmp_path: Path) -> Path:
    """A copy of the three-audit log that the test may tamper with."""
    copy = tmp_path / "audit.log"
    copy.write_bytes(audited_log.read_bytes())
    return copy


def _entries(log: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def _write(log: Path, entries: list[dict[str, object]]) -> None:
    log.write_text("".join(json.dumps(e, sort_keys=True, separators=(",", ":")) + "\n" for e in entries))


def test_audit_appends_chained_entries(logged: Path, audited_log: Path) -> None:
    entries = _entries(logged)
    assert [e["seq"] for e in entries] == [0, 1, 2]
    assert entries[0]["prev"] == GENESIS
    assert entries[1]["prev"] == entries[0]["hash"] and entries[2]["prev"] == entries[1]["hash"]
    repo = audited_log.parent / "repo"
    head = git(repo, "rev-parse", "HEAD").strip()
    for entry in entries:
        assert set(AUDIT_FIELDS) <= set(entry)
        assert entry["commit"] == head and entry["status"] == "pass"
        assert len(str(entry["config_digest"])) == 64 and len(str(entry["report_digest"])) == 64
    proc = run_mlaudit("log", "verify", str(logged))
    assert proc.returncode == 0, proc.stdout
    assert "3 entries, chain intact" in proc.stdout


@pytest.mark.parametrize("field", [*AUDIT_FIELDS, "seq", "prev", "hash"])
def test_editing_any_field_is_detected(logged: Path, field: str) -> None:
    entries = _entries(logged)
    value = entries[1][field]
    entries[1][field] = value + 1 if isinstance(value, int) else ("x" + str(value))
    _write(logged, entries)
    proc = run_mlaudit("log", "verify", str(logged))
    assert proc.returncode == 1
    assert "line 2" in proc.stdout
    assert "tampered" in proc.stdout


def test_removed_entry_is_detected(logged: Path) -> None:
    entries = _entries(logged)
    _write(logged, [entries[0], entries[2]])
    proc = run_mlaudit("log", "verify", str(logged))
    assert proc.returncode == 1
    assert "line 2: does not follow the previous line" in proc.stdout


def test_reordered_entries_are_detected(logged: Path) -> None:
    entries = _entries(logged)
    _write(logged, [entries[0], entries[2], entries[1]])
    proc = run_mlaudit("log", "verify", str(logged))
    assert proc.returncode == 1
    assert "does not follow the previous line" in proc.stdout


def test_dropped_tail_is_detected_against_a_kept_head(logged: Path) -> None:
    entries = _entries(logged)
    head = str(entries[-1]["hash"])
    assert run_mlaudit("log", "verify", str(logged), "--head", head).returncode == 0
    _write(logged, entries[:2])
    proc = run_mlaudit("log", "verify", str(logged), "--head", head)
    assert proc.returncode == 1
    assert "dropped from the end" in proc.stdout


def test_generic_records_and_garbage_lines(tmp_path: Path) -> None:
    log = tmp_path / "history.jsonl"
    first = append_record(log, {"repo": "acme/model", "findings": [1, 2]})
    second = append_record(log, {"repo": "acme/other", "nested": {"a": None}})
    assert second["prev"] == first["hash"] and verify_chain(log).ok
    with pytest.raises(ValueError, match="reserved"):
        append_record(log, {"hash": "mine"})
    with log.open("a") as fh:
        fh.write("not json\n")
    result = verify_chain(log)
    assert not result.ok and "line 3: not a JSON object" in result.problems[0]

"""The personal-data scan: planted records found at their lines, a clean file quiet, values never printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import git, init_repo, run_mlaudit
from privacy_samples import PLANTED, expected_lines, write_sample_csv

from mlaudit.governance.pii_detectors import TextDetector
from mlaudit.governance.pii_scan import scan_file

pytestmark = pytest.mark.slow  # end-to-end: real git repositories and mlaudit runs (the edit loop is `-m 'not slow'`)


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pii")
    write_sample_csv(folder / "planted.csv", planted=True)
    write_sample_csv(folder / "clean.csv", planted=False)
    return folder


def test_planted_records_are_found_at_their_lines(samples: Path) -> None:
    scan = scan_file(samples, "planted.csv", TextDetector(), max_bytes=10**9)
    assert scan.records == 100_001 and not scan.skipped
    found = {kind: sorted(h.positions) for kind, h in scan.hits.items()}
    assert found == expected_lines()


def test_clean_file_of_the_same_size_has_no_finding(samples: Path) -> None:
    scan = scan_file(samples, "clean.csv", TextDetector(), max_bytes=10**9)
    assert scan.records == 100_001
    assert scan.hits == {}


def test_checksums_reject_lookalikes(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text(
        "card 4111 1111 1111 1112\n"       # fails Luhn
        "ssn 000-12-3456 and 666-12-3456\n"  # impossible SSN areas
        "ip 10.0.0.1 192.168.1.1 127.0.0.1\n"  # private and loopback: not reported
        "mail foo@bar and @handle\n"          # no dotted domain
        "phone +1 555 0100 99\n"              # not a valid number
    )
    assert scan_file(tmp_path, "x.txt", TextDetector(), max_bytes=10**6).hits == {}


def test_json_jsonl_parquet_and_limits(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "a.jsonl").write_text('{"u": "ok"}\n{"u": "x@corp.example.com"}\n')
    table = pa.table({"id": [1, 2, 3], "mail": ["none", "none", "ana@example.net"]})
    pq.write_table(table, tmp_path / "t.parquet")
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    (tmp_path / "big.csv").write_text("a\n" * 1000)
    detector = TextDetector()
    assert scan_file(tmp_path, "a.jsonl", detector, max_bytes=10**6).hits["email"].positions == [2]
    parquet = scan_file(tmp_path, "t.parquet", detector, max_bytes=10**6)
    assert parquet.unit == "row" and parquet.hits["email"].positions == [3]
    assert "cannot parse" in scan_file(tmp_path, "broken.parquet", detector, max_bytes=10**6).skipped
    big = scan_file(tmp_path, "big.csv", detector, max_bytes=100)  # scanned up to the budget, the rest reported
    assert not big.skipped and "work budget" in big.incomplete and big.records == 50


def test_audit_reports_file_line_kind_and_never_the_value(samples: Path, tmp_path: Path) -> None:
    root = init_repo(tmp_path / "repo")
    (root / "data").mkdir()
    (root / "data" / "sample.csv").write_bytes((samples / "planted.csv").read_bytes())
    (root / "data" / "clean.csv").write_bytes((samples / "clean.csv").read_bytes())
    git(root, "add", "-A")
    text = run_mlaudit("audit", "--only", "privacy", str(root))
    md = run_mlaudit("audit", "--only", "privacy", "--format", "markdown", str(root))
    proc = run_mlaudit("audit", "--only", "privacy", "--format", "json", str(root))
    assert proc.returncode == 1, proc.stderr
    check = json.loads(proc.stdout)["checks"][0]
    by_kind = {f["details"]["kind"]: f for f in check["findings"]}
    assert set(by_kind) == set(expected_lines())
    assert all(f["path"] == "data/sample.csv" for f in by_kind.values())
    assert by_kind["email"]["line"] == 12 and by_kind["email"]["details"]["lines"] == [12, 25002, 99992]
    assert by_kind["secret:GitHub Token"]["rule"] == "privacy.secret-in-data"
    assert by_kind["phone"]["rule"] == "privacy.personal-data-found"
    for output in (text.stdout, md.stdout, proc.stdout):
        for _kind, value in PLANTED.values():
            assert value not in output
            assert value.replace(" ", "").replace("-", "") not in output


def test_declared_file_is_reported_as_declared(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "repo")
    (root / "samples").mkdir()
    (root / "samples" / "users.csv").write_text("id,email\n1,ana@example.org\n")
    (root / "mlaudit.toml").write_text(
        '[[data_sources]]\nname = "users"\nfiles = ["samples/users.csv"]\npersonal_data = true\n'
        'categories = ["contact"]\njurisdictions = ["EU"]\nlawful_basis = "consent"\nretention = "12 months"\n')
    git(root, "add", "-A")
    proc = run_mlaudit("audit", "--only", "privacy", "--format", "json", str(root))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    findings = json.loads(proc.stdout)["checks"][0]["findings"]
    assert [(f["rule"], f["severity"], f["details"]["source"]) for f in findings] == [
        ("privacy.personal-data-declared", "info", "users")]

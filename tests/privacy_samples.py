"""Generated sample data for the personal-data scan: a clean CSV and the same with planted records.

Shared by the tests and ``benchmarks/bench_privacy.py``. Values are synthetic
and valid for their standard (Luhn, SSN ranges, libphonenumber, public IPs).
"""

from __future__ import annotations

import random
from pathlib import Path

HEADER = "id,first_name,city,age,score,created,version,comment"
NAMES = ["Ana", "Ben", "Chen", "Dara", "Eli", "Femi", "Gus", "Hana", "Ivo", "Jun"]
CITIES = ["Lyon", "Porto", "Osaka", "Lima", "Accra", "Oslo", "Pune", "Perth"]
WORDS = ["good", "late", "fast", "ok", "broken", "refund", "great", "slow", "again", "fine"]

# row index -> (kind, value); the CSV line of row i is i + 2 (line 1 is the header)
PLANTED: dict[int, tuple[str, str]] = {
    10: ("email", "jane.roe@example.org"),
    25_000: ("email", "j.doe+news@mail.example.com"),
    99_990: ("email", "someone@uni.example.ac.uk"),
    20: ("payment-card", "4111 1111 1111 1111"),
    60_000: ("payment-card", "5500-0000-0000-0004"),
    30: ("phone", "+44 20 7946 0958"),
    70_000: ("phone", "(415) 555-2671"),
    40: ("national-id:us-ssn", "536-22-8726"),
    50: ("ip-address", "81.2.69.160"),
    80_000: ("ip-address", "8.8.4.4"),
    90: ("secret:GitHub Token", "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"),
}


def clean_row(i: int, rng: random.Random) -> str:
    """One row with no personal data: ids, names, cities, numbers, dates, versions, words."""
    comment = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 8)))
    return (f"{i},{rng.choice(NAMES)},{rng.choice(CITIES)},{rng.randint(18, 90)},{rng.random():.6f},"
            f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z,"
            f"{rng.randint(0, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 99)},{comment}")


def write_sample_csv(path: Path, rows: int = 100_000, *, planted: bool, seed: int = 7) -> Path:
    """Write the CSV; with ``planted`` the rows in ``PLANTED`` carry their value in the comment."""
    rng = random.Random(seed)
    lines = [HEADER]
    for i in range(rows):
        row = clean_row(i, rng)
        if planted and i in PLANTED:
            row += f" contact {PLANTED[i][1]}"
        lines.append(row)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def expected_lines() -> dict[str, list[int]]:
    """Kind -> sorted CSV line numbers of the planted records."""
    out: dict[str, list[int]] = {}
    for row, (kind, _value) in PLANTED.items():
        out.setdefault(kind, []).append(row + 2)
    return {k: sorted(v) for k, v in out.items()}

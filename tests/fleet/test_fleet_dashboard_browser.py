"""The HTML dashboard opened in real headless Chromium: the coverage figures as rendered, and a screenshot."""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import run_mlaudit

pytestmark = pytest.mark.slow  # a real headless Chromium

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"]
SCREENSHOT_COPY = Path("/tmp/mlaudit-fleet-dashboard.png")


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("Debian's chromium is not installed (.ci/system-deps installs it with apt-get; "
                "it could not be installed on this machine)")


def browser(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120, check=False)


def visible_text(dom: str) -> str:
    body = re.sub(r"<(style|title)[^>]*>.*?</\1>", " ", dom, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def test_dashboard_renders_the_coverage_figures_in_chromium(tmp_path: Path, audited_reports) -> None:  # type: ignore[no-untyped-def]
    inventory = tmp_path / "mlaudit-fleet.toml"
    inventory.write_text(
        '[[repositories]]\nname = "acme/fraud"\ntier = "high"\nowners = ["<script>alert(1)</script>"]\n\n'
        '[[repositories]]\nname = "acme/x-script"\ntier = "high"\n\n'
        '[[repositories]]\nname = "acme/support"\ntier = "high"\n\n'
        '[[repositories]]\nname = "acme/tagger"\ntier = "low"\n\n'
        '[slos.high]\nkind = "coverage"\ntier = "high"\nobjective = 0.5\n')
    reports = tmp_path / "reports"
    audited_reports.copy("passing", reports / "acme__fraud.json")
    audited_reports.copy("failing", reports / "acme__support.json")
    audited_reports.copy("errored", reports / "acme__tagger.json")
    (reports / "acme__x-script.json").write_text('{"schema_version": 1, "root": "<img src=x onerror=alert(1)>"')
    page = tmp_path / "dashboard.html"
    now = (audited_reports.generated_at + dt.timedelta(hours=1)).isoformat()
    result = run_mlaudit("fleet", "aggregate", "--inventory", str(inventory), str(reports), "--html", str(page),
                         "--no-history", "--now", now)
    assert result.returncode == 0, result.stderr
    source = page.read_text()
    # Untrusted text (an owner) reaches the page only escaped.
    assert "<script" not in source.lower() and "&lt;script&gt;alert(1)&lt;/script&gt;" in source
    assert "http://" not in source and "https://" not in source
    assert source.count("<svg") == 2
    dom = browser("--dump-dom", page.as_uri(), profile=tmp_path / "profile")
    assert dom.returncode == 0, dom.stderr
    text = visible_text(dom.stdout)
    assert "66.7 % high risk: 2 of 3 covered" in text
    assert "0.0 % low risk: 0 of 1 covered" in text
    assert "n/a medium risk: 0 of 0 covered" in text, "an empty tier is not shown as 100 %"
    assert "50.0 % all risk: 2 of 4 covered" in text
    assert "acme/x-script high errored report unreadable: not valid JSON" in text
    assert "check(s) errored: probes" in text
    shot = tmp_path / "dashboard.png"
    taken = browser(f"--screenshot={shot}", "--window-size=1200,1400", "--hide-scrollbars", page.as_uri(),
                    profile=tmp_path / "profile")
    assert taken.returncode == 0, taken.stderr
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    shutil.copyfile(shot, SCREENSHOT_COPY)  # for a person to look at
    print(f"dashboard screenshot: {SCREENSHOT_COPY}")

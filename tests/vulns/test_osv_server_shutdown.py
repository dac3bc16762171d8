"""The loopback OSV server stops promptly: an audit with a local advisory database does not wait on its poll."""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest
from conftest import fixture_path

from mlaudit.vulns import osv_server
from mlaudit.vulns.osv_server import LocalOsvServer


def test_the_server_polls_for_shutdown_often(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[float] = []
    real = osv_server._OsvHTTPServer.serve_forever

    def spy(self: Any, poll_interval: float = 0.5) -> None:
        seen.append(poll_interval)
        real(self, poll_interval)

    monkeypatch.setattr(osv_server._OsvHTTPServer, "serve_forever", spy)
    with LocalOsvServer(fixture_path("pypa-advisory-db")) as server:
        request = urllib.request.Request(server.query_url, data=b'{"package": {"name": "jinja2", "ecosystem": '
                                         b'"PyPI"}, "version": "2.11.0"}', method="POST")
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert b"PYSEC-2021-66" in answer.read()
    # serve_forever's default (0.5 s) made every audit with a local database wait up to half a second to stop.
    assert seen and seen[0] <= 0.1

"""An OSV-compatible API on 127.0.0.1, answered from a local advisory database.

pip-audit speaks OSV (``-s osv --osv-url``): serving ``POST /v1/query`` (and
``/v1/querybatch``) from a PyPA advisory-db checkout makes audits offline and
reproducible with the real pip-audit. The server binds a random loopback port
and lives as long as the ``with`` block.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from mlaudit.formats.bounded_json import loads_json
from mlaudit.vulns.advisory_db import AdvisoryDatabase

MAX_REQUEST_BYTES = 1_000_000


class _Handler(BaseHTTPRequestHandler):
    server: _OsvHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the audit's output is the report, not an access log."""

    def _reply(self, status: int, body: Any) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self) -> None:
        """``/v1/query`` and ``/v1/querybatch``; anything else is 404."""
        try:
            self._answer()
        except Exception as exc:  # noqa: BLE001 - a 500 for pip-audit, not a traceback on the user's terminal
            self._reply(500, {"message": f"{type(exc).__name__}: {exc}"})

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            self._reply(413, {"message": "request too large"})
            return
        try:
            body = loads_json(self.rfile.read(length) or b"{}")
        except ValueError:
            self._reply(400, {"message": "invalid JSON"})
            return
        db = self.server.database
        if self.path == "/v1/query":
            vulns = self._query(db, body)
            self._reply(200 if vulns is not None else 400,
                        {"vulns": vulns} if vulns else ({} if vulns is not None else {"message": "bad query"}))
        elif self.path == "/v1/querybatch":
            queries = body.get("queries") if isinstance(body, dict) else None
            if not isinstance(queries, list):
                self._reply(400, {"message": "queries must be a list"})
                return
            results = []
            for query in queries:
                found = self._query(db, query) or []
                results.append({"vulns": [{"id": v["id"], "modified": v.get("modified", "")} for v in found]})
            self._reply(200, {"results": results})
        else:
            self._reply(404, {"message": f"unknown path {self.path}"})

    @staticmethod
    def _query(db: AdvisoryDatabase, body: Any) -> list[dict[str, Any]] | None:
        if not isinstance(body, dict):
            return None
        package = body.get("package") or {}
        name, version = package.get("name"), body.get("version")
        if not isinstance(name, str) or not isinstance(version, str):
            return None
        if package.get("ecosystem", "PyPI") != "PyPI":
            return []
        return db.query(name, version)


class _OsvHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a client that hung up is pip-audit's problem to report, not a traceback to print."""

    def __init__(self, database: AdvisoryDatabase) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.database = database


class LocalOsvServer:
    """``with LocalOsvServer(path) as server: server.query_url`` -> an OSV endpoint on loopback."""

    def __init__(self, database_path: Path) -> None:
        self.database = AdvisoryDatabase(database_path)
        self._server: _OsvHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` while running."""
        if self._server is None:
            raise RuntimeError("server not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def query_url(self) -> str:
        """The ``/v1/query`` URL to give pip-audit's ``--osv-url``."""
        return f"{self.base_url}/v1/query"

    def start(self) -> LocalOsvServer:
        """Bind a random loopback port and serve in a daemon thread."""
        self._server = _OsvHTTPServer(self.database)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="osv-server", daemon=True)  # stops within 50 ms, not 0.5 s
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> LocalOsvServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

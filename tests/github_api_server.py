"""A loopback stand-in for the GitHub REST API, for tests (127.0.0.1 only, stdlib only).

It keeps repositories in memory and serves the endpoints mlaudit uses; other
tests add their own with ``server.route(method, pattern)(handler)`` where
``pattern`` is a path such as ``/repos/{owner}/{repo}/rulesets`` and the
handler receives the server and a ``ApiRequest`` and returns an ``ApiResponse``
(or a JSON-able value, sent with status 200). List handlers return
``server.paginate(request, items)`` to get ``Link`` headers like GitHub's.

Faults are injected with ``server.fail(status, method=..., path=..., times=...,
retry_after=...)``: the next matching requests get that response instead.
Tokens: ``server.tokens`` maps a token to ``"write"`` or ``"read"``; a write
(POST/PATCH/PUT/DELETE) with a read token gets GitHub's 403 "Resource not
accessible by integration", an unknown token 401.

Usage::

    with GitHubApiServer() as api:
        api.add_repository("octo/model")
        ... run the client with GITHUB_API_URL=api.url ...
        assert api.requests[-1].method == "PATCH"
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

JsonValue = Any


@dataclass
class ApiRequest:
    """One request as the server saw it (kept in ``server.requests``)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: JsonValue
    params: dict[str, str] = field(default_factory=dict)

    @property
    def token(self) -> str | None:
        """The bearer token of the request, if any."""
        auth = self.headers.get("authorization", "")
        for prefix in ("Bearer ", "bearer ", "token "):
            if auth.startswith(prefix):
                return auth[len(prefix) :]
        return None


@dataclass
class ApiResponse:
    """What a handler answers."""

    status: int = 200
    body: JsonValue = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Fault:
    """An injected failure: the next ``times`` matching requests get it."""

    status: int
    method: str | None
    path: re.Pattern[str] | None
    times: int
    headers: dict[str, str]
    body: JsonValue


Handler = Callable[["GitHubApiServer", ApiRequest], "ApiResponse | JsonValue"]


@dataclass
class Repository:
    """The in-memory state of one repository."""

    full_name: str
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    """Free space for routes added by other tests (rulesets, collaborators, ...)."""


def _compile(pattern: str) -> re.Pattern[str]:
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
    return re.compile(f"^{regex}$")


class GitHubApiServer:
    """The server; a context manager that serves on an ephemeral loopback port."""

    def __init__(self, *, per_page_default: int = 30) -> None:
        self.repos: dict[str, Repository] = {}
        self.requests: list[ApiRequest] = []
        self.tokens: dict[str, str] = {"test-token": "write"}
        self.per_page_default = per_page_default
        self._faults: list[Fault] = []
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._lock = threading.Lock()
        self._next_id = 1000
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        from github_api_issue_routes import register_issue_routes

        register_issue_routes(self)

    # -- lifecycle -------------------------------------------------------
    def __enter__(self) -> GitHubApiServer:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet in tests
                return

            def _serve(self) -> None:
                server._dispatch(self)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        """Base URL to use as ``GITHUB_API_URL``."""
        assert self._httpd is not None, "use the server as a context manager"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    # -- configuration ---------------------------------------------------
    def add_repository(self, full_name: str) -> Repository:
        """Create (or return) a repository ``owner/name``."""
        return self.repos.setdefault(full_name, Repository(full_name))

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        """Decorator registering ``handler`` for ``method`` on ``pattern`` (``{name}`` = one segment).

        Routes added later win over earlier ones, so a test can override a built-in route.
        """

        def register(handler: Handler) -> Handler:
            self._routes.insert(0, (method.upper(), _compile(pattern), handler))
            return handler

        return register

    def fail(
        self,
        status: int,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
        retry_after: float | None = None,
        body: JsonValue = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next ``times`` requests matching ``method``/``path`` (a regex) with ``status``."""
        all_headers = dict(headers or {})
        if retry_after is not None:
            all_headers["Retry-After"] = str(retry_after)
        default_body = {"message": f"injected failure {status}"}
        self._faults.append(
            Fault(
                status,
                method.upper() if method else None,
                re.compile(path) if path else None,
                times,
                all_headers,
                body if body is not None else default_body,
            )
        )

    def next_id(self) -> int:
        """A fresh id for a created object."""
        with self._lock:
            self._next_id += 1
            return self._next_id

    def requests_to(self, method: str, path_regex: str) -> list[ApiRequest]:
        """The recorded requests with ``method`` whose path matches ``path_regex``."""
        pattern = re.compile(path_regex)
        return [r for r in self.requests if r.method == method.upper() and pattern.search(r.path)]

    # -- helpers for handlers ----------------------------------------------
    def repository(self, request: ApiRequest) -> Repository:
        """The repository named by the ``owner``/``repo`` path parameters (404 when unknown)."""
        name = f"{request.params['owner']}/{request.params['repo']}"
        repo = self.repos.get(name)
        if repo is None:
            raise NotFound()
        return repo

    def paginate(self, request: ApiRequest, items: list[Any]) -> ApiResponse:
        """One page of ``items`` by ``page``/``per_page`` with a GitHub-style ``Link`` header."""
        per_page = max(1, min(100, int(request.query.get("per_page", self.per_page_default))))
        page = max(1, int(request.query.get("page", 1)))
        last = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page : page * per_page]
        links = []
        for rel, number in (("next", page + 1), ("last", last), ("first", 1), ("prev", page - 1)):
            if (rel in ("next",) and page >= last) or (rel == "prev" and page <= 1):
                continue
            query = {**request.query, "page": str(number), "per_page": str(per_page)}
            links.append(f'<{self.url}{request.path}?{urllib.parse.urlencode(query)}>; rel="{rel}"')
        return ApiResponse(200, chunk, {"Link": ", ".join(links)} if last > 1 else {})

    # -- dispatch ---------------------------------------------------------
    def _dispatch(self, handler: BaseHTTPRequestHandler) -> None:
        parsed = urllib.parse.urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            self._send(handler, ApiResponse(400, {"message": "Problems parsing JSON"}))
            return
        request = ApiRequest(
            method=handler.command,
            path=parsed.path,
            query=dict(urllib.parse.parse_qsl(parsed.query)),
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=body,
        )
        with self._lock:
            self.requests.append(request)
            fault = self._take_fault(request)
        if fault is not None:
            self._send(handler, ApiResponse(fault.status, fault.body, fault.headers))
            return
        self._send(handler, self._answer(request))

    def _take_fault(self, request: ApiRequest) -> Fault | None:
        for fault in self._faults:
            if fault.times <= 0:
                continue
            if fault.method and fault.method != request.method:
                continue
            if fault.path and not fault.path.search(request.path):
                continue
            fault.times -= 1
            return fault
        return None

    def _answer(self, request: ApiRequest) -> ApiResponse:
        access = self.tokens.get(request.token or "")
        if access is None:
            return ApiResponse(401, {"message": "Bad credentials"})
        if request.method != "GET" and access != "write":
            return ApiResponse(
                403,
                {
                    "message": "Resource not accessible by integration",
                    "documentation_url": "https://docs.github.com/rest",
                },
            )
        for method, pattern, route_handler in self._routes:
            match = pattern.match(request.path)
            if method != request.method or match is None:
                continue
            request.params = match.groupdict()
            try:
                result = route_handler(self, request)
            except NotFound:
                return ApiResponse(404, {"message": "Not Found"})
            except Invalid as exc:
                return ApiResponse(422, {"message": "Validation Failed", "errors": [str(exc)]})
            return result if isinstance(result, ApiResponse) else ApiResponse(200, result)
        return ApiResponse(404, {"message": "Not Found"})

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, response: ApiResponse) -> None:
        payload = b"" if response.body is None else json.dumps(response.body).encode()
        handler.send_response(response.status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)


class NotFound(Exception):
    """Raise in a handler to answer 404."""


class Invalid(Exception):
    """Raise in a handler to answer 422 with the message."""


def require_fields(body: JsonValue, *names: str) -> dict[str, Any]:
    """The JSON object body, with ``names`` present (422 otherwise)."""
    if not isinstance(body, dict):
        raise Invalid("body must be a JSON object")
    for name in names:
        if not isinstance(body.get(name), str):
            raise Invalid(f"'{name}' is required")
    return body


def add_pull_request(server: GitHubApiServer, full_name: str, number: int, **kwargs: Any) -> dict[str, Any]:
    """Register pull request ``number`` (see ``github_api_issue_routes.add_pull_request``)."""
    from github_api_issue_routes import add_pull_request as add

    return add(server, full_name, number, **kwargs)

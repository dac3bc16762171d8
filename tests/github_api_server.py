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

import datetime as dt
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


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


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
        _register_issue_routes(self)

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
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
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
            raise _NotFound()
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
            except _NotFound:
                return ApiResponse(404, {"message": "Not Found"})
            except _Invalid as exc:
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


class _NotFound(Exception):
    pass


class _Invalid(Exception):
    pass


def require_fields(body: JsonValue, *names: str) -> dict[str, Any]:
    """The JSON object body, with ``names`` present (422 otherwise)."""
    if not isinstance(body, dict):
        raise _Invalid("body must be a JSON object")
    for name in names:
        if not isinstance(body.get(name), str):
            raise _Invalid(f"'{name}' is required")
    return body


def _user() -> dict[str, Any]:
    return {"login": "github-actions[bot]", "type": "Bot"}


def _register_issue_routes(server: GitHubApiServer) -> None:
    """Issues, issue comments and pull requests: what the sticky comment and the schedule issue use."""
    base = "/repos/{owner}/{repo}"

    @server.route("GET", base + "/issues/{number}/comments")
    def list_comments(srv: GitHubApiServer, req: ApiRequest) -> ApiResponse:
        repo = srv.repository(req)
        number = int(req.params["number"])
        if number not in repo.issues and number not in repo.pulls:
            raise _NotFound()
        items = [c for c in repo.comments.values() if c["_issue"] == number]
        return srv.paginate(req, [_public(c) for c in items])

    @server.route("POST", base + "/issues/{number}/comments")
    def create_comment(srv: GitHubApiServer, req: ApiRequest) -> ApiResponse:
        repo = srv.repository(req)
        number = int(req.params["number"])
        if number not in repo.issues and number not in repo.pulls:
            raise _NotFound()
        body = require_fields(req.body, "body")
        if len(body["body"]) > 65536:
            raise _Invalid("body is too long (maximum is 65536 characters)")
        cid = srv.next_id()
        comment = {
            "id": cid,
            "body": body["body"],
            "user": _user(),
            "created_at": _now(),
            "updated_at": _now(),
            "_issue": number,
            "html_url": f"https://github.invalid/{repo.full_name}/issues/{number}#issuecomment-{cid}",
        }
        repo.comments[cid] = comment
        return ApiResponse(201, _public(comment))

    @server.route("PATCH", base + "/issues/comments/{comment_id}")
    def update_comment(srv: GitHubApiServer, req: ApiRequest) -> ApiResponse:
        repo = srv.repository(req)
        comment = repo.comments.get(int(req.params["comment_id"]))
        if comment is None:
            raise _NotFound()
        body = require_fields(req.body, "body")
        if len(body["body"]) > 65536:
            raise _Invalid("body is too long (maximum is 65536 characters)")
        comment.update(body=body["body"], updated_at=_now())
        return ApiResponse(200, _public(comment))

    @server.route("GET", base + "/issues")
    def list_issues(srv: GitHubApiServer, req: ApiRequest) -> ApiResponse:
        repo = srv.repository(req)
        state = req.query.get("state", "open")
        labels = {x for x in req.query.get("labels", "").split(",") if x}
        items = [
            i
            for _, i in sorted(repo.issues.items(), reverse=True)
            if (state == "all" or i["state"] == state) and labels <= {lab["name"] for lab in i["labels"]}
        ]
        return srv.paginate(req, items)

    @server.route("POST", base + "/issues")
    def create_issue(srv: GitHubApiServer, req: ApiRequest) -> ApiResponse:
        repo = srv.repository(req)
        body = require_fields(req.body, "title")
        number = max([0, *repo.issues, *repo.pulls]) + 1
        issue = {
            "id": srv.next_id(),
            "number": number,
            "title": body["title"],
            "body": body.get("body", ""),
            "state": "open",
            "labels": [{"name": n} for n in body.get("labels", [])],
            "user": _user(),
            "created_at": _now(),
            "updated_at": _now(),
            "html_url": f"https://github.invalid/{repo.full_name}/issues/{number}",
        }
        repo.issues[number] = issue
        return ApiResponse(201, issue)

    @server.route("PATCH", base + "/issues/{number}")
    def update_issue(srv: GitHubApiServer, req: ApiRequest) -> ApiResponse:
        repo = srv.repository(req)
        issue = repo.issues.get(int(req.params["number"]))
        if issue is None:
            raise _NotFound()
        body = req.body if isinstance(req.body, dict) else {}
        for key in ("title", "body", "state"):
            if key in body:
                issue[key] = body[key]
        if "labels" in body:
            issue["labels"] = [{"name": n} for n in body["labels"]]
        issue["updated_at"] = _now()
        return ApiResponse(200, issue)

    @server.route("GET", base + "/pulls/{number}")
    def get_pull(srv: GitHubApiServer, req: ApiRequest) -> ApiResponse:
        pull = srv.repository(req).pulls.get(int(req.params["number"]))
        if pull is None:
            raise _NotFound()
        return ApiResponse(200, pull)


def _public(comment: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in comment.items() if not k.startswith("_")}


def add_pull_request(
    server: GitHubApiServer,
    full_name: str,
    number: int,
    *,
    head_sha: str,
    base_sha: str,
    base_ref: str = "main",
    head_ref: str = "feature",
    head_repo: str | None = None,
) -> dict[str, Any]:
    """Register pull request ``number`` (its comments live on the issue of the same number)."""
    repo = server.add_repository(full_name)
    pull = {
        "number": number,
        "state": "open",
        "html_url": f"https://github.invalid/{full_name}/pull/{number}",
        "head": {"sha": head_sha, "ref": head_ref, "repo": {"full_name": head_repo or full_name}},
        "base": {"sha": base_sha, "ref": base_ref, "repo": {"full_name": full_name}},
    }
    repo.pulls[number] = pull
    return pull

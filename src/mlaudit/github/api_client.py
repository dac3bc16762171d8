"""A small GitHub REST client on urllib: retries, rate limits, pagination, clear errors.

Retries: 5xx answers, network errors, 429 and GitHub's *secondary* rate limit
(a 403 whose body says "rate limit" or that carries ``Retry-After`` or
``x-ratelimit-remaining: 0``). The wait honours ``Retry-After`` (seconds or an
HTTP date), then ``x-ratelimit-reset``, then a minute for a secondary limit
(GitHub's advice), else grows exponentially; a wait longer
than ``max_wait`` is not slept but reported. A 403 that is not a rate limit is
a permission problem: ``ReadOnlyTokenError`` when GitHub says the token cannot
write (pull requests from forks get such a token).
"""

from __future__ import annotations

import email.utils
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from mlaudit import __version__
from mlaudit.errors import MlauditError

SECONDARY_RATE_LIMIT_WAIT_S = 60.0
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


class GitHubApiError(MlauditError):
    """GitHub answered with an error (after retries), or could not be reached."""

    def __init__(self, message: str, *, status: int | None = None, method: str = "", url: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.method = method
        self.url = url

    def diagnostics(self) -> str:
        """The error with the request that caused it."""
        where = f" ({self.method} {self.url})" if self.method else ""
        return f"GitHub API: {self}{where}"


class ReadOnlyTokenError(GitHubApiError):
    """The token may read but not write (fork pull requests, ``permissions:`` too narrow)."""


@dataclass(frozen=True)
class ApiResponse:
    """A decoded answer: status, headers (lower-case names) and JSON body."""

    status: int
    headers: Mapping[str, str]
    data: Any


class GitHubClient:
    """Calls the REST API at ``api_url`` with ``token``."""

    def __init__(
        self,
        api_url: str,
        token: str | None,
        *,
        max_attempts: int = 5,
        backoff_s: float = 1.0,
        max_wait_s: float = 120.0,
        timeout_s: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.token = token
        self.max_attempts = max(1, max_attempts)
        self.backoff_s = backoff_s
        self.max_wait_s = max_wait_s
        self.timeout_s = timeout_s
        self.sleep = sleep
        self.retries = 0
        """How many requests were retried (for the job log)."""

    def request(
        self, method: str, path: str, body: Any = None, params: Mapping[str, str | int] | None = None
    ) -> ApiResponse:
        """Send one request (retried as the module says) and decode its JSON answer."""
        url = path if path.startswith(("http://", "https://")) else self.api_url + path
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        payload = None if body is None else json.dumps(body).encode("utf-8")
        last_error: GitHubApiError | None = None
        for attempt in range(1, self.max_attempts + 1):
            try:
                return self._send(method, url, payload)
            except _Retryable as exc:
                last_error = GitHubApiError(exc.message, status=exc.status, method=method, url=url)
                if attempt == self.max_attempts:
                    break
                wait = exc.wait if exc.wait is not None else self.backoff_s * 2 ** (attempt - 1)
                if wait > self.max_wait_s:
                    raise GitHubApiError(
                        f"{exc.message}; GitHub asks to wait {wait:.0f} s, "
                        f"more than the {self.max_wait_s:.0f} s allowed",
                        status=exc.status,
                        method=method,
                        url=url,
                    ) from None
                self.retries += 1
                self.sleep(max(0.0, wait))
        assert last_error is not None
        raise GitHubApiError(
            f"{last_error} (gave up after {self.max_attempts} attempts)",
            status=last_error.status,
            method=method,
            url=url,
        )

    def paginate(
        self, path: str, params: Mapping[str, str | int] | None = None, *, max_pages: int = 50
    ) -> Iterator[Any]:
        """Every item of a list endpoint, following ``Link: rel="next"``."""
        response = self.request("GET", path, params={"per_page": 100, **(params or {})})
        for _ in range(max_pages):
            if not isinstance(response.data, list):
                raise GitHubApiError("expected a list", status=response.status, method="GET", url=path)
            yield from response.data
            match = _LINK_NEXT.search(response.headers.get("link", ""))
            if match is None:
                return
            response = self.request("GET", match.group(1))

    def _send(self, method: str, url: str, payload: bytes | None) -> ApiResponse:
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": f"mlaudit/{__version__}",
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if payload is not None:
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=payload, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
                return ApiResponse(resp.status, _lower(resp.headers), _decode(resp.read()))
        except urllib.error.HTTPError as exc:
            raise _classify(exc, method, url) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise _Retryable(f"cannot reach GitHub: {reason}", None, None) from None


class _Retryable(Exception):
    def __init__(self, message: str, status: int | None, wait: float | None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.wait = wait


def _lower(headers: Any) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in headers.items()}


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw.decode("utf-8", "replace")


def _classify(exc: urllib.error.HTTPError, method: str, url: str) -> Exception:
    headers = _lower(exc.headers or {})
    try:
        data = _decode(exc.read())
    except OSError:
        data = None
    message = data.get("message", "") if isinstance(data, dict) else str(data or "")
    text = f"HTTP {exc.code}: {message or exc.reason}"
    wait = retry_after_seconds(headers)
    rate_limited = exc.code == 429 or (
        exc.code == 403
        and ("rate limit" in message.lower() or "retry-after" in headers or headers.get("x-ratelimit-remaining") == "0")
    )
    if rate_limited and wait is None and "secondary rate limit" in message.lower():
        # GitHub's advice for a secondary limit without Retry-After: wait at least a minute.
        wait = SECONDARY_RATE_LIMIT_WAIT_S
    if rate_limited or exc.code >= 500:
        return _Retryable(text, exc.code, wait)
    if exc.code == 403 and method != "GET":
        return ReadOnlyTokenError(
            f"{text} — the token cannot write here (a pull request from a fork gets a read-only token; "
            "use the workflow_run pattern, or grant `pull-requests: write` / `issues: write`)",
            status=exc.code,
            method=method,
            url=url,
        )
    return GitHubApiError(text, status=exc.code, method=method, url=url)


def retry_after_seconds(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """How long GitHub asks to wait: ``Retry-After`` (seconds or date), else the rate-limit reset."""
    current = time.time() if now is None else now
    value = headers.get("retry-after")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                parsed = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                parsed = None
            if parsed is not None:
                return max(0.0, parsed.timestamp() - current)
    if headers.get("x-ratelimit-remaining") == "0" and headers.get("x-ratelimit-reset", "").isdigit():
        return max(0.0, float(headers["x-ratelimit-reset"]) - current)
    return None

"""Where probes are sent: the user's generate command or an HTTP endpoint.

Both speak the same JSON: the request is ``{"prompt": "...", "id": "...",
"category": "..."}``; the response is an object whose ``response_field``
(default ``output``; ``response``, ``text`` and ``completion`` are also
accepted) holds the model's text, or a bare JSON string.
"""

from __future__ import annotations

import json
import shlex
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Protocol

from mlaudit.behaviour.command_runner import CommandFailed, run_command, split_command, tail
from mlaudit.behaviour.probe_sets import Probe

FALLBACK_FIELDS = ("output", "response", "text", "completion")
MAX_HTTP_BYTES = 8 * 1024 * 1024


class ProbeTarget(Protocol):
    """Anything that turns a probe into the model's output text."""

    def generate(self, probe: Probe) -> str:
        """The model's answer to ``probe``; raises ``CommandFailed`` when it cannot be had."""
        ...


def _request(probe: Probe) -> dict[str, str]:
    return {"prompt": probe.prompt, "id": probe.id, "category": probe.category}


def extract_output(document: Any, response_field: str, *, what: str, stderr_tail: str = "") -> str:
    """The text of a generate response; ``CommandFailed`` when there is none."""
    if isinstance(document, str):
        return document
    if isinstance(document, dict):
        for name in (response_field, *FALLBACK_FIELDS):
            value = document.get(name)
            if isinstance(value, str):
                return value
    raise CommandFailed(
        f"{what} answered without a string '{response_field}' field: {json.dumps(document)[:200]}", stderr_tail
    )


class CommandTarget:
    """One run of the user's generate command per probe: JSON on stdin, JSON on stdout."""

    def __init__(self, command: str, *, cwd: Path, timeout: float, response_field: str = "output") -> None:
        self.argv = split_command(command)
        self.cwd = cwd
        self.timeout = timeout
        self.response_field = response_field

    def generate(self, probe: Probe) -> str:
        """Run the command with the probe on stdin; its stdout JSON holds the output."""
        result = run_command(self.argv, cwd=self.cwd, timeout=self.timeout,
                             stdin=json.dumps(_request(probe)), what="generate command")
        try:
            document = json.loads(result.stdout)
        except json.JSONDecodeError:
            raise CommandFailed(
                f"generate command `{shlex.join(self.argv)}` did not print JSON for probe {probe.id} "
                f"(stdout: {tail(result.stdout, 200)!r})",
                result.stderr_tail,
            ) from None
        return extract_output(document, self.response_field, what="generate command",
                              stderr_tail=result.stderr_tail)


class HttpTarget:
    """A POST of the probe as JSON to the user's endpoint per probe."""

    def __init__(self, url: str, *, timeout: float, response_field: str = "output",
                 headers: dict[str, str] | None = None) -> None:
        if not url.startswith(("http://", "https://")):
            raise CommandFailed(f"probe endpoint {url!r} is not an http(s) URL")
        self.url = url
        self.timeout = timeout
        self.response_field = response_field
        self.headers = {"Content-Type": "application/json", **(headers or {})}

    def generate(self, probe: Probe) -> str:
        """POST the probe; the JSON body of a 2xx response holds the output."""
        body = json.dumps(_request(probe)).encode()
        request = urllib.request.Request(self.url, data=body, headers=self.headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read(MAX_HTTP_BYTES + 1)
        except urllib.error.HTTPError as exc:
            detail = exc.read(2000).decode("utf-8", "replace")
            raise CommandFailed(f"endpoint {self.url} answered HTTP {exc.code} for probe {probe.id}", detail) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise CommandFailed(f"endpoint {self.url} failed for probe {probe.id}: {reason}") from None
        if len(raw) > MAX_HTTP_BYTES:
            raise CommandFailed(f"endpoint {self.url} answered more than {MAX_HTTP_BYTES} bytes")
        try:
            document = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise CommandFailed(
                f"endpoint {self.url} did not answer JSON for probe {probe.id}",
                raw[:500].decode("utf-8", "replace"),
            ) from None
        return extract_output(document, self.response_field, what=f"endpoint {self.url}")

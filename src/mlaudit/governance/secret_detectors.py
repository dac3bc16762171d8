"""Secrets in sample data with detect-secrets' plugins (imported lazily; the package is in the ``full`` extra).

Only high-precision plugins run, and only over the lines that can hold a secret.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import re
import string
from collections.abc import Iterator
from typing import Any

_TOKEN_SHAPE = str.maketrans(dict.fromkeys(string.ascii_letters + string.digits + "_-+/=", "x"))
_LONG_TOKEN = re.compile("x" * 20)

# High-precision detect-secrets plugins: the entropy and keyword detectors flag
# ordinary data (hashes, ids, "password" columns), so they stay out of data scans.
SECRET_PLUGINS = (
    ("aws", "AWSKeyDetector"),
    ("azure_storage_key", "AzureStorageKeyDetector"),
    ("basic_auth", "BasicAuthDetector"),
    ("discord", "DiscordBotTokenDetector"),
    ("github_token", "GitHubTokenDetector"),
    ("gitlab_token", "GitLabTokenDetector"),
    ("jwt", "JwtTokenDetector"),
    ("mailchimp", "MailchimpDetector"),
    ("npm", "NpmDetector"),
    ("openai", "OpenAIDetector"),
    ("private_key", "PrivateKeyDetector"),
    ("pypi_token", "PypiTokenDetector"),
    ("sendgrid", "SendGridDetector"),
    ("slack", "SlackDetector"),
    ("square_oauth", "SquareOAuthDetector"),
    ("stripe", "StripeDetector"),
    ("telegram_token", "TelegramBotTokenDetector"),
)


def secrets_available() -> bool:
    """True when detect-secrets can be imported (it is in the ``full`` extra)."""
    return importlib.util.find_spec("detect_secrets") is not None


@functools.lru_cache(maxsize=1)
def _secret_patterns() -> tuple[tuple[str, Any], ...]:
    patterns: list[tuple[str, Any]] = []
    for module_name, class_name in SECRET_PLUGINS:
        plugin = getattr(importlib.import_module(f"detect_secrets.plugins.{module_name}"), class_name)()
        patterns.extend((str(plugin.secret_type), regex) for regex in plugin.denylist)
    return tuple(patterns)


def find_secrets(text: str, _shape: str) -> Iterator[tuple[int, str | None]]:
    """Offsets and ``secret:<type>`` of what detect-secrets' plugin patterns match."""
    for begin, end in _secret_regions(text):
        for secret_type, regex in _secret_patterns():
            for match in regex.finditer(text, begin, end):
                yield match.start(), f"secret:{secret_type}"


def _secret_regions(text: str) -> list[tuple[int, int]]:
    """Spans of lines that can hold a secret: a 20+ character token, a URL with credentials, a PEM key.

    Every plugin pattern needs one of these; scanning only such lines keeps
    the patterns that start with a character class off the bulk of the data.
    """
    starts: set[int] = set()
    tokens = text.translate(_TOKEN_SHAPE)
    for match in _LONG_TOKEN.finditer(tokens):
        starts.add(text.rfind("\n", 0, match.start()) + 1)
    for marker in ("://", "PRIVATE KEY"):
        pos = text.find(marker)
        while pos != -1:
            starts.add(text.rfind("\n", 0, pos) + 1)
            pos = text.find(marker, pos + 1)
    regions: list[tuple[int, int]] = []
    for start in sorted(starts):
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        if regions and start <= regions[-1][1] + 1:
            regions[-1] = (regions[-1][0], max(end, regions[-1][1]))
        else:
            regions.append((start, end))
    return regions

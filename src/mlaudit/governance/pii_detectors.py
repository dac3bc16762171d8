"""Detectors of personal data and secrets in text, built on maintained validators.

Each detector finds *candidates* with a cheap regular expression run over a
whole block of text (C speed, one pass) and confirms them with a maintained
library, so what is reported passed the same test its standard defines:

- payment cards: python-stdnum's Luhn checksum (``stdnum.luhn``) and the IIN range;
- national ids: python-stdnum's validators (US SSN, Spanish DNI, Italian codice
  fiscale, French NIR), which check ranges and check digits;
- phone numbers: Google's libphonenumber (``phonenumbers``): valid for its region;
- IP addresses: detect-secrets' ``IPPublicDetector`` pattern when installed,
  confirmed public by ``ipaddress``;
- e-mail addresses: the WHATWG HTML "valid e-mail address" grammar, with a
  dotted domain (no library finds e-mails in free text offline; Presidio's
  recognizer validates domains with tldextract, which downloads the public
  suffix list);
- secrets: detect-secrets' plugins (AWS, GitHub, GitLab, Slack, Stripe, JWT,
  private keys ...), their own patterns; only when detect-secrets is installed.

Presidio was tried and not chosen: importing its recognizers imports spaCy
(~10 s here), its e-mail recognizer reaches the network, and its pattern
recognizers ran ~100x slower than this over the same text.

A detection carries the kind and the offset, never the value.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

PERSONAL_KINDS = ("email", "phone", "payment-card", "national-id", "ip-address")
SECRET_KIND = "secret"


@dataclass(frozen=True)
class Detection:
    """One confirmed detection: its kind (``email``, ``secret:AWS Access Key``...) and where it starts."""

    kind: str
    offset: int


_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}\Z")
_EMAIL_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
                           r"\.[A-Za-z]{2,63}\b")
_CARD = re.compile(r"(?<![\d.])[2-6]\d{3}(?:[ -]?\d{4}){2}[ -]?\d{1,7}(?![\d.])")
_SSN = re.compile(r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])")
_DNI = re.compile(r"(?<![A-Za-z0-9])\d{8}-?[A-Z](?![A-Za-z0-9])")
_CODICE_FISCALE = re.compile(r"(?<![A-Z0-9])[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z](?![A-Z0-9])")
_NIR = re.compile(r"(?<!\d)[12] ?\d{2} ?(?:0[1-9]|1[0-2]) ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}(?!\d)")
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{1,4}){1,4}"
                    r"|\(\d{3}\) ?\d{3}[ .-]\d{4}|\d{3}[.-]\d{3}[.-]\d{4})(?![\w])")
_IPV4_FALLBACK = re.compile(r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\w.])")
# High-precision detect-secrets plugins: the entropy and keyword detectors flag
# ordinary data (hashes, ids, "password" columns), so they stay out of data scans.
SECRET_PLUGINS = (
    ("aws", "AWSKeyDetector"), ("azure_storage_key", "AzureStorageKeyDetector"),
    ("basic_auth", "BasicAuthDetector"), ("discord", "DiscordBotTokenDetector"),
    ("github_token", "GitHubTokenDetector"), ("gitlab_token", "GitLabTokenDetector"),
    ("jwt", "JwtTokenDetector"), ("mailchimp", "MailchimpDetector"), ("npm", "NpmDetector"),
    ("openai", "OpenAIDetector"), ("private_key", "PrivateKeyDetector"), ("pypi_token", "PypiTokenDetector"),
    ("sendgrid", "SendGridDetector"), ("slack", "SlackDetector"), ("square_oauth", "SquareOAuthDetector"),
    ("stripe", "StripeDetector"), ("telegram_token", "TelegramBotTokenDetector"),
)


def secrets_available() -> bool:
    """True when detect-secrets can be imported (it is in the ``full`` extra)."""
    import importlib.util

    return importlib.util.find_spec("detect_secrets") is not None


class TextDetector:
    """Runs the chosen detectors over blocks of text."""

    def __init__(self, kinds: tuple[str, ...] = (*PERSONAL_KINDS, SECRET_KIND), phone_region: str = "US") -> None:
        self.kinds = kinds
        self.phone_region = phone_region
        self.secrets = SECRET_KIND in kinds and secrets_available()

    def detect(self, text: str) -> list[Detection]:
        """Every confirmed detection in ``text``, by offset."""
        found: list[Detection] = []
        for kind, finder in self._finders():
            found.extend(Detection(kind if k is None else k, pos) for pos, k in finder(text))
        found.sort(key=lambda d: d.offset)
        return found

    def _finders(self) -> Iterator[tuple[str, Callable[[str], Iterator[tuple[int, str | None]]]]]:
        table: dict[str, Callable[[str], Iterator[tuple[int, str | None]]]] = {
            "email": _emails, "payment-card": _cards, "national-id": _national_ids,
            "phone": functools.partial(_phones, region=self.phone_region), "ip-address": _ips,
        }
        for kind in PERSONAL_KINDS:
            if kind in self.kinds:
                yield kind, table[kind]
        if self.secrets:
            yield SECRET_KIND, _secrets


def _emails(text: str) -> Iterator[tuple[int, str | None]]:
    start = text.find("@")
    while start != -1:
        local = _EMAIL_LOCAL.search(text, max(0, start - 64), start)
        if local and not local.group().startswith(".") and _EMAIL_DOMAIN.match(text, start + 1):
            yield local.start(), None
        start = text.find("@", start + 1)


def _cards(text: str) -> Iterator[tuple[int, str | None]]:
    from stdnum import luhn

    for match in _CARD.finditer(text):
        digits = re.sub(r"[ -]", "", match.group())
        if 13 <= len(digits) <= 19 and luhn.is_valid(digits):
            yield match.start(), None


def _national_ids(text: str) -> Iterator[tuple[int, str | None]]:
    from stdnum.es import dni
    from stdnum.fr import nir
    from stdnum.it import codicefiscale
    from stdnum.us import ssn

    for pattern, validator, name in ((_SSN, ssn, "us-ssn"), (_DNI, dni, "es-dni"),
                                     (_CODICE_FISCALE, codicefiscale, "it-codice-fiscale"), (_NIR, nir, "fr-nir")):
        for match in pattern.finditer(text):
            if validator.is_valid(match.group()):
                yield match.start(), f"national-id:{name}"


def _phones(text: str, region: str) -> Iterator[tuple[int, str | None]]:
    matches = list(_PHONE.finditer(text))
    if not matches:
        return
    import phonenumbers

    for match in matches:
        try:
            number = phonenumbers.parse(match.group(), region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            yield match.start(), None


@functools.lru_cache(maxsize=1)
def _ip_pattern() -> re.Pattern[str]:
    if secrets_available():
        from detect_secrets.plugins.ip_public import IPPublicDetector

        return next(iter(IPPublicDetector().denylist))  # type: ignore[no-any-return]
    return _IPV4_FALLBACK


def _ips(text: str) -> Iterator[tuple[int, str | None]]:
    for match in _ip_pattern().finditer(text):
        try:
            address = ipaddress.ip_address(match.group().strip())
        except ValueError:
            continue
        if address.is_global:
            yield match.start(), None


@functools.lru_cache(maxsize=1)
def _secret_patterns() -> tuple[tuple[str, Any], ...]:
    import importlib

    patterns = []
    for module_name, class_name in SECRET_PLUGINS:
        plugin = getattr(importlib.import_module(f"detect_secrets.plugins.{module_name}"), class_name)()
        patterns.extend((str(plugin.secret_type), regex) for regex in plugin.denylist)
    return tuple(patterns)


def _secrets(text: str) -> Iterator[tuple[int, str | None]]:
    for secret_type, regex in _secret_patterns():
        for match in regex.finditer(text):
            yield match.start(), f"secret:{secret_type}"

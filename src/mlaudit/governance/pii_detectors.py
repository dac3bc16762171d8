"""Detectors of personal data and secrets in text, built on maintained validators.

Each detector finds *candidates* with a cheap regular expression run over a
whole block of text (C speed, one pass) and confirms them with a maintained
library, so what is reported passed the same test its standard defines:

- payment cards: python-stdnum's Luhn checksum (``stdnum.luhn``) and the IIN range;
- national ids: python-stdnum's validators (US SSN, Spanish DNI, Italian codice
  fiscale), which check ranges and check digits;
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
import importlib
import ipaddress
import re
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from mlaudit.governance.secret_detectors import find_secrets, secrets_available

PERSONAL_KINDS = ("email", "phone", "payment-card", "national-id", "ip-address")
SECRET_KIND = "secret"


@dataclass(frozen=True)
class Detection:
    """One confirmed detection: its kind (``email``, ``secret:AWS Access Key``...) and where it starts."""

    kind: str
    offset: int


_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}\Z")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,63}}\b")
# Candidates are searched in the text's *shape*: digits -> D, A-Z -> U, a-z -> l
# (same length, so offsets carry over). Patterns that start with a literal run
# at C speed (CPython's re skips ahead to the literal); patterns that start with
# a character class try every position and were ~10x slower on sample data.
_SHAPE = str.maketrans(
    {
        **dict.fromkeys(string.digits, "D"),
        **dict.fromkeys(string.ascii_uppercase, "U"),
        **dict.fromkeys(string.ascii_lowercase, "l"),
    }
)
_CARD = re.compile(r"DDDD[ -]?DDDD[ -]?DDDD[ -]?D{1,7}")
_NATIONAL_IDS = (
    (re.compile(r"DDD-DD-DDDD"), "us.ssn", "us-ssn"),
    (re.compile(r"DDDDDDDD-?U"), "es.dni", "es-dni"),
    (re.compile(r"UUUUUUDDUDDUDDDU"), "it.codicefiscale", "it-codice-fiscale"),
)
# Three patterns, not one alternation: each keeps its literal prefix ('+D', '(DDD)', 'DDD').
_PHONES = (
    re.compile(r"\+D{1,3}[ .-]?(?:\(D{1,4}\)[ .-]?)?D{1,4}(?:[ .-]?D{1,4}){1,4}"),
    re.compile(r"\(DDD\) ?DDD[ .-]DDDD"),
    re.compile(r"DDD[.-]DDD[.-]DDDD"),
)
_IPV4_TAIL = re.compile(r"\.D{1,3}\.D{1,3}\.D{1,3}")
_IPV4_FALLBACK = re.compile(r"(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)")


class TextDetector:
    """Runs the chosen detectors over blocks of text."""

    def __init__(self, kinds: tuple[str, ...] = (*PERSONAL_KINDS, SECRET_KIND), phone_region: str = "US") -> None:
        self.kinds = kinds
        self.phone_region = phone_region
        self.secrets = SECRET_KIND in kinds and secrets_available()

    def detect(self, text: str) -> list[Detection]:
        """Every confirmed detection in ``text``, by offset."""
        shape = text.translate(_SHAPE)
        found: list[Detection] = []
        for kind, finder in self._finders():
            found.extend(Detection(kind if k is None else k, pos) for pos, k in finder(text, shape))
        found.sort(key=lambda d: d.offset)
        return found

    def _finders(self) -> Iterator[tuple[str, Finder]]:
        table: dict[str, Finder] = {
            "email": _emails,
            "payment-card": _cards,
            "national-id": _national_ids,
            "phone": functools.partial(_phones, region=self.phone_region),
            "ip-address": _ips,
        }
        for kind in PERSONAL_KINDS:
            if kind in self.kinds:
                yield kind, table[kind]
        if self.secrets:
            yield SECRET_KIND, find_secrets


Finder = Callable[[str, str], Iterator[tuple[int, "str | None"]]]


def _isolated(text: str, start: int, end: int) -> bool:
    """True when the candidate is not part of a longer word or number."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before in "._-+") and not (
        after.isalnum() or after in "_-+" or (after == "." and text[end + 1 : end + 2].isdigit())
    )


def _emails(text: str, _shape: str) -> Iterator[tuple[int, str | None]]:
    start = text.find("@")
    while start != -1:
        local = _EMAIL_LOCAL.search(text, max(0, start - 64), start)
        if local and not local.group().startswith(".") and _EMAIL_DOMAIN.match(text, start + 1):
            yield local.start(), None
        start = text.find("@", start + 1)


def _cards(text: str, shape: str) -> Iterator[tuple[int, str | None]]:
    from stdnum import luhn

    for match in _CARD.finditer(shape):
        start, end = match.span()
        digits = text[start:end].replace(" ", "").replace("-", "")
        if 13 <= len(digits) <= 19 and digits[0] in "23456" and _isolated(text, start, end) and luhn.is_valid(digits):
            yield start, None


def _national_ids(text: str, shape: str) -> Iterator[tuple[int, str | None]]:
    for pattern, module_name, name in _NATIONAL_IDS:
        validator = None
        for match in pattern.finditer(shape):
            start, end = match.span()
            if not _isolated(text, start, end):
                continue
            validator = validator or importlib.import_module(f"stdnum.{module_name}")
            if validator.is_valid(text[start:end]):
                yield start, f"national-id:{name}"


def _phones(text: str, shape: str, region: str) -> Iterator[tuple[int, str | None]]:
    matches = [m for pattern in _PHONES for m in pattern.finditer(shape) if _isolated(text, *m.span())]
    if not matches:
        return
    import phonenumbers

    for match in matches:
        try:
            number = phonenumbers.parse(text[match.start() : match.end()], region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            yield match.start(), None


@functools.lru_cache(maxsize=1)
def _ip_pattern() -> re.Pattern[str]:
    if secrets_available():
        from detect_secrets.plugins.ip_public import IPPublicDetector

        return next(iter(IPPublicDetector().denylist))
    return _IPV4_FALLBACK


def _ips(text: str, shape: str) -> Iterator[tuple[int, str | None]]:
    pattern = _ip_pattern()
    for match in _IPV4_TAIL.finditer(shape):
        start = match.start()
        while start > 0 and shape[start - 1] == "D" and match.start() - start < 3:
            start -= 1
        if start == match.start() or not _isolated(text, start, match.end()):
            continue
        confirmed = pattern.search(text, max(0, start - 1), match.end() + 1)
        if confirmed is None:
            continue
        try:
            address = ipaddress.ip_address(text[start : match.end()])
        except ValueError:
            continue
        if address.is_global:
            yield start, None

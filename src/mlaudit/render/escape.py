"""The one place that makes untrusted strings inert for each output mlaudit writes.

Every string from the audited repository (file names, messages quoting its
content, licence strings) is hostile. Each output has its own escaping:

- **terminal / CI log lines** (``terminal_text``, ``terminal_line``): control
  characters, newlines, bidirectional overrides and bytes that are not UTF-8 are
  shown as ``\\n``, ``\\x1b``, ``\\u202e``, ``\\xff``; so a file name can never start
  a line of its own, and a line that would start with ``::`` (a GitHub workflow
  command) has its first colon escaped;
- **workflow commands** (``workflow_data``, ``workflow_property``): the runner's
  own escapes (``%``, CR, LF; ``:`` and ``,`` in properties);
- **Markdown** (``markdown_text``, ``markdown_code``): punctuation escaped,
  ``<>&`` as entities, no mentions, issue links or autolinks (``://`` and ``www.``
  broken with a zero-width space, as ``@`` and ``#`` are);
- **JSON / SARIF** (``json_safe``): as is, except text that is not UTF-8, whose
  bytes are written as ``\\xNN`` so the document can be encoded at all;
- **SARIF artifact URIs** (``uri_path``): an RFC 3986 relative reference, every
  byte of the name but the unreserved characters and ``/`` percent-encoded.

Pure functions of ``str``; no imports beyond ``re``, so hooks stay fast.
"""

from __future__ import annotations

import re

ZERO_WIDTH_SPACE = "\u200b"

# C0 and C1 controls, DEL, line/paragraph separators, bidi embeddings/overrides/isolates,
# and lone surrogates (file-name bytes that are not UTF-8, decoded with surrogateescape).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_COMMAND_START = re.compile(r"^(\s*):")

_MD_PUNCTUATION = re.compile(r"([\\`*_\[\]()!#~|{}+])")
_MD_PUNCTUATION_KEEP_CODE = re.compile(r"([\\*_\[\]()!#~|{}+])")
_MD_BACKTICKS = re.compile(r"`+")
_MD_AUTOLINK = re.compile(r"(:)(//)|(w)(ww\.)", re.IGNORECASE)


def _escape_char(match: re.Match[str]) -> str:
    char = match.group(0)
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the original byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def terminal_text(value: object) -> str:
    """``value`` as one line of printable text: controls, newlines, bidi and non-UTF-8 bytes escaped."""
    text = "" if value is None else str(value)
    return _UNPRINTABLE.sub(_escape_char, text) if _UNPRINTABLE.search(text) else text


def terminal_line(line: str) -> str:
    """A whole output line: ``terminal_text`` plus no ``::`` workflow command at its start."""
    text = terminal_text(line)
    if text[:1] != ":" and not text[:1].isspace():  # the common line: nothing a workflow command could start
        return text
    return _COMMAND_START.sub(r"\1\\x3a", text, count=1)


def json_safe(value: str) -> str:
    """``value`` for a JSON/SARIF document: unchanged unless it holds non-UTF-8 bytes (then ``\\xNN``)."""
    return _SURROGATES.sub(_escape_char, value) if _SURROGATES.search(value) else value


def json_document(text: str) -> str:
    """A rendered JSON/SARIF document that UTF-8 can encode: each non-UTF-8 byte becomes ``\\xNN`` in its string.

    Lone surrogates only occur inside JSON strings, so the escaped backslash keeps the document valid.
    """
    if not _SURROGATES.search(text):
        return text
    return _SURROGATES.sub(lambda m: "\\" + _escape_char(m), text)


_URI_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/")


def uri_path(path: str) -> str:
    """``path`` as an RFC 3986 path reference: the bytes of the name (non-UTF-8 ones included) percent-encoded.

    Everything but unreserved characters and ``/`` is encoded, so a space, ``%``, ``#``, ``?``, a
    colon in the first segment (which would read as a scheme) or a control character cannot
    make the reference invalid or change what it points at; decoding gives the file's own bytes.
    """
    raw = path.encode("utf-8", "surrogateescape")
    return "".join(chr(b) if b in _URI_UNRESERVED else f"%{b:02X}" for b in raw)


def workflow_data(value: object) -> str:
    """A workflow command's message, escaped as the runner reads it (``%``, CR, LF)."""
    text = json_safe("" if value is None else str(value))
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(value: object) -> str:
    """A workflow command's property value: ``workflow_data`` plus ``:`` and ``,``."""
    return workflow_data(value).replace(":", "%3A").replace(",", "%2C")


def markdown_text(value: object, *, keep_code: bool = False) -> str:
    """``value`` as inert Markdown text in a table cell: no links, images, mentions, autolinks or HTML.

    ``keep_code`` leaves backticks, so `commands` in a remediation stay code spans; only for a cell
    that holds this value alone (a stray backtick could otherwise pair with one of a code span
    rendered beside it in the same cell and open it up).
    """
    text = json_safe("" if value is None else str(value))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = (_MD_PUNCTUATION_KEEP_CODE if keep_code else _MD_PUNCTUATION).sub(r"\\\1", text)
    # "@team" in a file name must not notify a team; "#12" must not link an issue;
    # "https://x" and "www.x" must not become links (GFM autolinks need them unbroken).
    text = text.replace("@", "@" + ZERO_WIDTH_SPACE).replace("#", "#" + ZERO_WIDTH_SPACE)
    text = _MD_AUTOLINK.sub(_break_autolink, text)
    return text.replace("\r", " ").replace("\n", "<br>")


def _break_autolink(match: re.Match[str]) -> str:
    if match.group(1):
        return match.group(1) + ZERO_WIDTH_SPACE + match.group(2)
    return match.group(3) + ZERO_WIDTH_SPACE + match.group(4)


def markdown_unlinked(text: str) -> str:
    """``text`` with no GFM URL autolink left (``://`` and ``www.`` broken by a zero-width space).

    For the report and job summary, which notify nobody: ``@`` is kept there (commit authors'
    e-mail addresses stay readable); the PR comment (``markdown_text``) breaks it too.
    """
    return _MD_AUTOLINK.sub(_break_autolink, text)


def markdown_code(value: object) -> str:
    """``value`` as one inline code span that is safe inside a table cell (code spans never autolink)."""
    text = json_safe("" if value is None else str(value)).replace("\r", " ").replace("\n", " ")
    text = text.replace("|", "\\|")  # GFM splits cells before parsing code spans
    longest = max((len(m.group(0)) for m in _MD_BACKTICKS.finditer(text)), default=0)
    fence = "`" * (longest + 1)
    if text.startswith("`") or text.endswith("`") or not text.strip():
        text = f" {text} "
    return f"{fence}{text}{fence}"

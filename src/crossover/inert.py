"""Client text made inert for where it is shown: the terminal, an email header, a CSV cell, an echo."""

from __future__ import annotations

import re
import unicodedata

ECHO_LIMIT = 200
"""The longest piece of typed text an error or warning repeats (SECURITY.md promise 4)."""

# Categories that move the cursor, end a line or reorder what follows: control characters
# (C0, DEL, C1), line and paragraph separators, and the bidirectional overrides and isolates.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def is_unsafe_char(ch: str) -> bool:
    """A character that acts on a terminal or a header rather than showing as itself."""
    return unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in _BIDI


def visible(text: str) -> str:
    """Text with every unsafe character written as its escape (`\\x1b`, `\\u2028`), so it shows and does nothing."""
    return "".join(_escape(ch) if is_unsafe_char(ch) else ch for ch in text)


_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(ch: str) -> str:
    if ch in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clip(text: str, limit: int = ECHO_LIMIT) -> str:
    """Text cut to `limit` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters)"


_LONG = ECHO_LIMIT + 1
_LONG_PIECE = re.compile(rf"'[^']{{{_LONG},}}'|\"[^\"]{{{_LONG},}}\"|\S{{{_LONG},}}")


def cut_long_values(text: str, limit: int = ECHO_LIMIT) -> str:
    """A message with every quoted value or unbroken run longer than `limit` cut to it."""
    return _LONG_PIECE.sub(lambda m: clip(m.group(0), limit), text)


def echo(value: object, limit: int = ECHO_LIMIT) -> str:
    """A typed value as an error or warning repeats it: quoted, visible and cut to `limit`."""
    return f"'{clip(visible(str(value)), limit)}'"


# An RFC 2047 encoded word opens with "=?". Every mail reader decodes one it finds in a
# header, and Python's email package does so on interpreters without the CVE-2024-6923 fix
# (3.11.7 among them), turning an encoded CR LF into a real header line. A word joiner after
# the "=" keeps the text as typed on screen and leaves no encoded word to decode.
_ENCODED_WORD_START = re.compile(r"=(?=\?)")
WORD_JOINER = "\u2060"


def header_text(text: str) -> str:
    """Client text for an email header: one line, no control characters, no encoded word."""
    spaced = "".join(" " if is_unsafe_char(ch) else ch for ch in text)
    return _ENCODED_WORD_START.sub("=" + WORD_JOINER, " ".join(spaced.split()))


CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A spreadsheet may split a cell at any of these (its locale's separator), so a formula
# character after one starts a cell of its own.
_CSV_SEPARATORS = ",;\t|\n\r"
_AFTER_SEPARATOR = re.compile(rf"([{re.escape(_CSV_SEPARATORS)}]\s*)(?=[=+\-@])")


def csv_text(value: str | None) -> str:
    """Text for a CSV cell that no spreadsheet runs as a formula, whatever its separator."""
    if value is None:
        return ""
    text = _AFTER_SEPARATOR.sub(r"\1'", value)
    return "'" + text if text.startswith(CSV_TRIGGERS) else text

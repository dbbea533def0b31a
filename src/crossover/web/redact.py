"""Private-link tokens kept out of every log line: an access log, the error log, the app's log."""

from __future__ import annotations

import logging
import re

LINK = "[link]"
"""What a redacted token reads as: the line still shows that a client's page was asked for."""

# A token in a path (/c/<token>/upload) or percent-encoded in a query (?next=%2Fc%2F<token>).
_TOKEN = re.compile(r"(/c/)[^/?#\s\"']+|(%2Fc%2F)[^&#\s\"']+", re.IGNORECASE)


def redact(text: str) -> str:
    """`text` with every private-link token replaced by [link]."""
    return _TOKEN.sub(lambda m: (m.group(1) or m.group(2)) + LINK, text)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts tokens from a record's message, arguments included."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True

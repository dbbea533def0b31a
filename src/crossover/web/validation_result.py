"""What the validation child sends back: a file's problems, warnings and key figures."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Validation:
    """What `validate` says of a file: its errors and warnings, and for a sound one the key figures."""

    sound: bool
    problems: list[dict[str, str]] = field(default_factory=list)
    """Each {"where": cell or field or "", "message": ...}; shown as 'where: message'."""
    warnings: list[dict[str, str]] = field(default_factory=list)
    figures: list[list[str]] | None = None
    seconds: float = 0.0
    client_name: str | None = None
    """The client the workbook names (a sound one)."""


def said(message: str, where: str = "") -> dict[str, str]:
    """One problem as stored and shown."""
    return {"where": where, "message": message}

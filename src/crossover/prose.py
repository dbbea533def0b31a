"""The consultant's own words as plain text: checked, tidied and split into paragraphs and bullets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from crossover.inert import is_unsafe_char, visible

NOTES_MAX_CHARS = 4_000
"""The longest note a scenario may carry: about a page of the report."""
MESSAGE_MAX_CHARS = 8_000
"""The longest opening an email may take from a --message file."""

BULLETS = ("- ", "* ", "• ")
"""What starts a bullet line, as people type one in a cell or a text file."""

PLAIN_TEXT_RULE = (
    'plain text: paragraphs separated by a blank line, bullets as lines starting with "- "'
)

# Line and paragraph separators are how some editors end a line; tab is only a wide space.
_LINE_ENDS = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n\n"}
_ALLOWED = frozenset("\n\t")


def tidy(text: str) -> str:
    """Text with one kind of line end, no byte-order mark, no trailing spaces, no outer blank lines.

    Raises ValueError naming the line and column of the first control character left, which
    would act on a terminal or a mail reader rather than show.
    """
    text = text.removeprefix("\ufeff")
    for end, replacement in _LINE_ENDS.items():
        text = text.replace(end, replacement)
    lines = [line.rstrip() for line in text.split("\n")]
    for number, line in enumerate(lines, start=1):
        for column, ch in enumerate(line, start=1):
            if ch not in _ALLOWED and is_unsafe_char(ch):
                raise ValueError(
                    f"a control character ({visible(ch)}) found at line {number}, column "
                    f"{column}: remove it (the text must be {PLAIN_TEXT_RULE})"
                )
    return "\n".join(lines).strip()


@dataclass(frozen=True)
class Paragraph:
    """Lines of text kept together; a single line break stays a line break."""

    kind: ClassVar[Literal["paragraph"]] = "paragraph"
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Bullets:
    """A list of points, each one line or a line and its continuation."""

    kind: ClassVar[Literal["bullets"]] = "bullets"
    items: tuple[str, ...]


Block = Paragraph | Bullets


def blocks(text: str) -> list[Block]:
    """Paragraphs and bullet lists, in order: a blank line ends a block, a bullet mark starts a point."""
    found: list[Block] = []
    for chunk in tidy(text).split("\n\n"):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        plain: list[str] = []
        points: list[str] = []
        for line in lines:
            if line.startswith(BULLETS):
                if plain:
                    found.append(Paragraph(tuple(plain)))
                    plain = []
                points.append(line[2:].strip())
            elif points:
                # A line under a point without a mark of its own continues that point.
                points[-1] = f"{points[-1]} {line}"
            else:
                plain.append(line)
        if points:
            found.append(Bullets(tuple(points)))
        if plain:
            found.append(Paragraph(tuple(plain)))
    return found

"""The consultant's words: tidied, refused with the place of a control character, split into blocks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crossover.inert import is_unsafe_char
from crossover.prose import BULLETS, Bullets, Paragraph, blocks, tidy
from crossover.scenario import ScenarioError, parse_scenario

ROOT = Path(__file__).resolve().parents[1]

THREE_PARAGRAPHS = (
    "We looked at your invoices.\n"
    "They match the volumes.\n"
    "\n"
    "What we recommend:\n"
    "- Move extraction to a self-hosted model.\n"
    "* Keep reasoning on the API,\n"
    "  as its volume is small.\n"
    "• Test for two weeks first.\n"
    "\n"
    "Next steps: a call on Monday."
)


def test_paragraphs_and_bullets_are_split_as_typed() -> None:
    assert blocks(THREE_PARAGRAPHS) == [
        Paragraph(("We looked at your invoices.", "They match the volumes.")),
        Paragraph(("What we recommend:",)),
        Bullets(
            (
                "Move extraction to a self-hosted model.",
                "Keep reasoning on the API, as its volume is small.",
                "Test for two weeks first.",
            )
        ),
        Paragraph(("Next steps: a call on Monday.",)),
    ]


def test_line_ends_of_every_kind_become_one_and_the_edges_are_trimmed() -> None:
    typed = "\ufeff  Dear Dana,  \r\n\r\nFirst.\rSecond.\u2028Third.\u2029- point\n\n\n"
    assert tidy(typed) == "Dear Dana,\n\nFirst.\nSecond.\nThird.\n\n- point"
    assert blocks(typed) == [
        Paragraph(("Dear Dana,",)),
        Paragraph(("First.", "Second.", "Third.")),
        Bullets(("point",)),
    ]


def test_a_tab_is_kept_as_a_wide_space() -> None:
    assert tidy("a\tb") == "a\tb"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Fine.\nNot \x1b[2J fine.",
            "a control character (\\x1b) found at line 2, column 5",
        ),
        ("\x07", "a control character (\\x07) found at line 1, column 1"),
        (
            "ok\n\nright-to-left \u202eevil",
            "a control character (\\u202e) found at line 3, column 15",
        ),
        ("nul\x00", "a control character (\\x00) found at line 1, column 4"),
        ("c1 \x85 next line", "a control character (\\x85) found at line 1, column 4"),
    ],
)
def test_a_control_character_is_refused_with_its_place(text: str, message: str) -> None:
    with pytest.raises(ValueError) as refused:
        tidy(text)
    assert str(refused.value) == (
        f"{message}: remove it (the text must be plain text: paragraphs separated by a blank "
        'line, bullets as lines starting with "- ")'
    )


_TYPED = st.text(alphabet=st.sampled_from([*"ab -*•\n\r\t", "\u2028", "\u2029", "é"]), max_size=80)


def _words_typed(text: str) -> list[str]:
    """The words of a tidied text, with the bullet marks that start lines taken away."""
    words: list[str] = []
    for line in tidy(text).split("\n"):
        line = line.strip()
        words += (line[2:] if line.startswith(BULLETS) else line).split()
    return words


def _words_shown(found: list[Paragraph | Bullets]) -> list[str]:
    words: list[str] = []
    for block in found:
        parts = block.items if isinstance(block, Bullets) else block.lines
        for part in parts:
            words += part.split()
    return words


@given(_TYPED)
def test_no_word_is_lost_or_moved(text: str) -> None:
    assert _words_shown(blocks(text)) == _words_typed(text)


@given(_TYPED)
def test_tidy_is_idempotent_and_leaves_no_control_character_but_line_ends_and_tabs(
    text: str,
) -> None:
    once = tidy(text)
    assert tidy(once) == once
    assert not any(is_unsafe_char(ch) for ch in once if ch not in "\n\t")


@given(st.text(max_size=40))
def test_any_text_is_tidied_or_refused_never_passed_through_unsafe(text: str) -> None:
    try:
        once = tidy(text)
    except ValueError as e:
        assert str(e).startswith("a control character (")
    else:
        assert not any(is_unsafe_char(ch) for ch in once if ch not in "\n\t")


# -- the scenario's notes ---------------------------------------------------------------


def _raw(notes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(
        (ROOT / "inputs" / "examples" / "small-startup.json").read_text(encoding="utf-8")
    )
    raw["client"]["notes"] = notes
    return raw


def test_notes_are_optional_and_blank_by_default() -> None:
    raw = _raw("")
    del raw["client"]["notes"]
    assert parse_scenario(raw, "s.json").client.notes == ""


def test_notes_are_read_tidied() -> None:
    scenario = parse_scenario(_raw("  Our view.\r\n\r\n- one\r\n- two  \r\n"), "s.json")
    assert scenario.client.notes == "Our view.\n\n- one\n- two"


@pytest.mark.parametrize(
    ("notes", "message"),
    [
        (
            "x" * 4001,
            "s.json: 1 problem(s): client.notes: too long: at most 4,000 characters, found "
            "4,001; shorten it",
        ),
        (
            "Hello\x1b]0;owned\x07",
            "s.json: 1 problem(s): client.notes: a control character (\\x1b) found at line 1, "
            "column 6: remove it (the text must be plain text: paragraphs separated by a blank "
            'line, bullets as lines starting with "- ")',
        ),
    ],
)
def test_notes_too_long_or_with_a_control_character_are_refused(notes: str, message: str) -> None:
    with pytest.raises(ScenarioError) as refused:
        parse_scenario(_raw(notes), "s.json")
    assert str(refused.value) == message


def test_four_thousand_characters_are_allowed() -> None:
    assert len(parse_scenario(_raw("y" * 4000), "s.json").client.notes) == 4000

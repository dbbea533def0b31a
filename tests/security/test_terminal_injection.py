"""Client text in the terminal: escape sequences, control characters and Rich markup shown inert."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crossover.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "inputs" / "examples" / "document-intelligence.json"

# A window title, a screen clear, an OSC 8 link, a bell, a line separator and markup.
HOSTILE = "Acme\x1b]0;pwned\x07\x1b[2J\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\\u2028[bold red]x[/]"
SHOWN = "Acme\\x1b]0;pwned\\x07\\x1b[2J\\x1b]8;;http://evil.example\\x1b\\link\\x1b]8;;\\x1b\\\\u2028[bold red]x[/]"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
        raise SystemExit(0)
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), out, err


def scenario(tmp_path: Path, change: Any) -> Path:
    data = json.loads(EXAMPLE.read_text())
    change(data)
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(data))
    return path


def _inert(text: str) -> None:
    assert not any(ch in text for ch in "\x1b\x07\x00\u2028")


@pytest.mark.parametrize("command", ["analyse", "validate"])
def test_escape_sequences_and_markup_in_the_client_name_are_shown_not_run(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = scenario(tmp_path, lambda d: d["client"].update(client_name=HOSTILE))
    code, out, err = run([command, str(path)], capsys)
    assert (code, err) == (0, "")
    _inert(out)
    # Markup is printed as typed, not interpreted (rich would drop "[bold red]" and "[/]").
    assert "[bold red]x[/]" in " ".join(out.split())
    assert "Acme\\x1b]0;pwned\\x07" in out


def test_escape_sequences_in_an_error_line_are_shown_not_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = scenario(
        tmp_path, lambda d: d["deployments"][0].update(gpu="h100\x1b]0;pwned\x07[red]x")
    )
    code, _, err = run(["analyse", str(path)], capsys)
    assert code == 65
    _inert(err)
    assert "h100\\x1b]0;pwned\\x07[red]x" in err


@pytest.mark.parametrize(
    "place",
    [
        ("client", "client_name"),
        ("client", "prepared_by"),
        ("tiers", 0, "tier"),
        ("tiers", 0, "api_model"),
        ("deployments", 0, "deployment"),
        ("deployments", 0, "instance"),
        ("deployments", 0, "gpu"),
        ("deployments", 0, "model"),
    ],
)
@pytest.mark.parametrize("command", ["analyse", "validate"])
def test_a_100000_character_value_is_echoed_at_most_200_characters_long(
    command: str, place: tuple[Any, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def change(data: Any) -> None:
        target = data
        for key in place[:-1]:
            target = target[key]
        target[place[-1]] = "x" * 100_000

    path = scenario(tmp_path, change)
    _, out, err = run([command, str(path)], capsys)
    for line in (out + err).splitlines():
        assert "x" * 201 not in line

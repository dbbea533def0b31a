"""Helpers for delivery tests: the example scenarios, raw and analysed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from crossover.catalogue import Catalogue
from crossover.engine import analyse
from crossover.engine.results import Results
from crossover.scenario import parse_scenario

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = ROOT / "inputs" / "examples"
EXAMPLE_JSONS = sorted(EXAMPLES_DIR.glob("*.json"))


def example_raw(stem: str = "document-intelligence") -> dict[str, Any]:
    """An example scenario as the JSON dict, to alter in a test."""
    raw: dict[str, Any] = json.loads((EXAMPLES_DIR / f"{stem}.json").read_text(encoding="utf-8"))
    return raw


def analyse_raw(raw: dict[str, Any], catalogue: Catalogue) -> Results:
    return analyse(parse_scenario(raw, "test"), catalogue)


def run_cli(args: list[str], capsys: Any) -> tuple[int, str, str]:
    """Run the CLI as `crossover` does, through main(), catching its exit: (code, stdout, stderr)."""
    import pytest

    from crossover.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(args)
        raise SystemExit(0)
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), out, err


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (for a server, or to be refused)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def blank_pdf(path: Path) -> Path:
    """A real one-page PDF, standing in for a rendered report."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Report"})
    with path.open("wb") as f:
        writer.write(f)
    return path

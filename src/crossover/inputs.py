"""Open a scenario file, workbook or JSON, by what its name says it is."""

from __future__ import annotations

from pathlib import Path

from crossover.catalogue import Catalogue
from crossover.scenario import Problem, Scenario, ScenarioError, load_json_scenario

WORKBOOK_SUFFIXES = (".xlsx",)


def load_scenario(path: Path, catalogue: Catalogue) -> Scenario:
    """Read and check a scenario; ScenarioError lists every problem, with its cell or field."""
    return load_scenario_with_warnings(path, catalogue)[0]


def load_scenario_with_warnings(path: Path, catalogue: Catalogue) -> tuple[Scenario, list[Problem]]:
    """Read and check a scenario, and return the warnings, each with its cell or field."""
    if not path.is_file():
        what = "a folder" if path.is_dir() else "no such file"
        raise ScenarioError(
            str(path), [Problem(loc=(), message=f"{what}; expected an .xlsx or .json file")]
        )
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        from crossover.workbook import read_workbook_with_warnings

        read: tuple[Scenario, list[Problem]] = read_workbook_with_warnings(path)
        return read
    if suffix == ".json":
        scenario = load_json_scenario(path)
        from crossover.engine import check_scenario

        problems = check_scenario(scenario, catalogue)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise ScenarioError(str(path), errors)
        return scenario, [p for p in problems if p.severity == "warning"]
    raise ScenarioError(
        str(path),
        [
            Problem(
                loc=(),
                message=f"a {suffix or 'suffix-less'} file; expected an .xlsx workbook or a .json scenario",
            )
        ],
    )

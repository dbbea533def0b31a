"""Open a scenario file, workbook or JSON, by what its name says it is."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from crossover.catalogue import Catalogue
from crossover.limits import extreme_numbers, read_json_scenario
from crossover.scenario import Problem, Scenario, ScenarioError

if TYPE_CHECKING:
    from crossover.engine.results import InputWarning, Results

WORKBOOK_SUFFIXES = (".xlsx",)


def load_scenario(path: Path, catalogue: Catalogue) -> Scenario:
    """Read and check a scenario; ScenarioError lists every problem, with its cell or field."""
    return load_scenario_with_warnings(path, catalogue)[0]


def analyse_file(path: Path, catalogue: Catalogue) -> Results:
    """Read, check and analyse a scenario file; every warning on the way, and every input left to
    its default, travels in the results."""
    from crossover.assumed import defaulted_fields
    from crossover.engine import analyse

    scenario, read_warnings = load_scenario_with_warnings(path, catalogue)
    results = analyse(scenario, catalogue)
    defaulted = defaulted_fields(scenario, workbook=path.suffix.lower() in WORKBOOK_SUFFIXES)
    return results.model_copy(
        update={"warnings": all_warnings(read_warnings, results), "defaulted": defaulted}
    )


def all_warnings(read_warnings: list[Problem], results: Results) -> list[InputWarning]:
    """The reader's warnings with their cells, then the analysis's own, each once."""
    from crossover.engine.results import InputWarning
    from crossover.plausibility import results_warnings

    warnings = [InputWarning.of(p) for p in read_warnings]
    # The engine repeats the catalogue checks' warnings; each is kept once, with its cell.
    said = {(w.field, w.message) for w in warnings}
    warnings += [w for w in results.warnings if (w.field, w.message) not in said]
    warnings += results_warnings(results)
    return warnings


def load_scenario_with_warnings(path: Path, catalogue: Catalogue) -> tuple[Scenario, list[Problem]]:
    """Read and check a scenario, and return the warnings, each with its cell or field."""
    if not path.is_file():
        what = "a folder" if path.is_dir() else "no such file"
        raise ScenarioError(
            str(path), [Problem(loc=(), message=f"{what}; expected an .xlsx or .json file")]
        )
    from crossover.engine.ids import canonical_ids

    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        from crossover.workbook import read_workbook_with_warnings

        read, read_warnings = read_workbook_with_warnings(path)
        _refuse_extremes(path, read)
        return canonical_ids(read, catalogue), read_warnings
    if suffix == ".json":
        scenario = canonical_ids(read_json_scenario(path), catalogue)
        _refuse_extremes(path, scenario)
        from crossover.engine import check_scenario
        from crossover.plausibility import scenario_problems

        problems = check_scenario(scenario, catalogue) + scenario_problems(scenario, catalogue)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise ScenarioError(str(path), errors + [p for p in problems if p not in errors])
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


def _refuse_extremes(path: Path, scenario: Scenario) -> None:
    extremes = extreme_numbers(scenario)
    if extremes:
        raise ScenarioError(str(path), extremes)

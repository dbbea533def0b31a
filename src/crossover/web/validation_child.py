"""What runs inside the validation child: the same calls `crossover validate` makes, and nothing else."""

from __future__ import annotations

from pathlib import Path

from crossover.catalogue import load_catalogue
from crossover.engine import analyse
from crossover.errors import CrossoverError, Described
from crossover.inputs import all_warnings, load_scenario_with_warnings
from crossover.scenario import ScenarioError, format_loc
from crossover.summary import key_figures
from crossover.web.validation import Validation, said

# Loaded in the forkserver, so that every child starts with them in memory.
_CATALOGUE = load_catalogue()


def check(path: Path) -> Validation:
    """Validate as the CLI does; every message worded as `validate` words it, without the path."""
    try:
        scenario, warnings = load_scenario_with_warnings(path, _CATALOGUE)
    except ScenarioError as e:
        return Validation(sound=False, problems=[_said(p) for p in e.problems])
    except CrossoverError as e:
        return Validation(sound=False, problems=[said(str(e).removeprefix(f"{path}: "))])
    except MemoryError:
        return Validation(
            sound=False,
            problems=[
                said(
                    "the workbook could not be read: reading it needed more memory than a "
                    "filled-in template ever does; copy your answers into a fresh template "
                    "and send that"
                )
            ],
        )
    results = analyse(scenario, _CATALOGUE)
    # The reader's warnings with their cells, then the analysis's own (the bill calibration,
    # the plausibility of the results), each once, as the report carries them.
    return Validation(
        sound=True,
        warnings=[
            said(w.message, w.cell or w.field or "") for w in all_warnings(warnings, results)
        ],
        figures=[[label, value] for label, value in key_figures(results)],
        client_name=scenario.client.client_name,
    )


def _said(problem: Described) -> dict[str, str]:
    """The place and the message, which the page joins as describe() does: 'place: message'."""
    where = problem.where or format_loc(problem.loc)
    return said(problem.message, where)

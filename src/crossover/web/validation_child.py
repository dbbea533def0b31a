"""What runs inside the validation child: the same calls `crossover validate` makes, and nothing else."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

from crossover.catalogue import load_catalogue
from crossover.engine import analyse
from crossover.errors import CrossoverError, Described
from crossover.inputs import all_warnings, load_scenario_with_warnings
from crossover.scenario import ScenarioError, format_loc
from crossover.summary import key_figures
from crossover.web.validation_result import Validation, said

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


def _warm_up() -> None:
    """Read a blank template once, here in the forkserver, before any child is forked from it.

    The reader imports openpyxl and the workbook package when first called, and builds the
    template's texts once (cached); the key figures' money loads Babel's locale data: 1.1 s
    that every child, forked from a forkserver that had done neither, used to pay again
    (profiled: 0.84 s of imports, 0.39 s building the template, 0.25 s of locale data). Done
    here, a child costs the reading and the analysis alone.
    """
    from crossover.formatting import CURRENCY_LOCALES, DEFAULT_LOCALE, display_for, money
    from crossover.workbook.template import build_template, save_workbook

    money(1.0, display_for("USD", 1.0, DEFAULT_LOCALE))
    for currency in CURRENCY_LOCALES:
        money(1.0, display_for(currency, 1.0))

    with tempfile.TemporaryDirectory(prefix="crossover-warm-up-") as folder:
        path = Path(folder) / "template.xlsx"
        save_workbook(build_template(), path)
        check(path)


# Only a head start: if it fails (no writable temporary folder), children warm up themselves.
with contextlib.suppress(Exception):
    _warm_up()

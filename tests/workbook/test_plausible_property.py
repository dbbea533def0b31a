"""A value out of its plausible range never reaches the results unremarked (issue 28).

For every numeric input with a plausible range, hypothesis draws a value outside that range
but inside what the schema accepts, puts it into a valid scenario and reads the scenario as
the tool does: the value is either refused or read with a warning at its own field. No rule
is written per field here: a new input with a range is covered by the same property.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossover.catalogue import load_catalogue
from crossover.inputs import load_scenario_with_warnings
from crossover.ranges import PLAUSIBLE, TABLES, Plausible
from crossover.scenario import Loc, ScenarioError
from crossover.workbook import layout
from crossover.workbook.layout import FieldSpec

from .helpers import BASE

CATALOGUE = load_catalogue()
LARGEST = 1e12
"""Far beyond every plausible range, well inside what the tool computes with (1e15)."""


def _spec(entry: Plausible) -> FieldSpec:
    section = layout.section(entry.section)
    return next(f for f in section.fields if f.path == entry.path)


def _schema_bounds(spec: FieldSpec) -> tuple[float, float, bool, bool]:
    """The lowest and highest values the schema accepts, and whether each is excluded."""
    low = spec.ge if spec.ge is not None else spec.gt if spec.gt is not None else -LARGEST
    high = spec.le if spec.le is not None else spec.lt if spec.lt is not None else LARGEST
    return float(low), float(high), spec.gt is not None, spec.lt is not None


def _outside(entry: Plausible) -> st.SearchStrategy[float] | None:
    """Values the schema accepts that lie outside the entry's plausible range; None if none."""
    spec = _spec(entry)
    low, high, low_open, high_open = _schema_bounds(spec)
    sides = []
    if entry.low is not None and entry.low > low:
        sides.append(
            st.floats(min_value=low, max_value=entry.low, exclude_min=low_open, exclude_max=True)
        )
    if entry.high is not None and entry.high < high:
        sides.append(
            st.floats(min_value=entry.high, max_value=high, exclude_min=True, exclude_max=high_open)
        )
    if not sides:
        return None
    values = st.one_of(sides)
    if spec.kind == "integer":
        values = values.map(math.floor).filter(lambda v: not entry.holds(v) and v >= low)
    return values.filter(lambda v: not entry.holds(v))


CHECKED = [(entry, values) for entry in PLAUSIBLE if (values := _outside(entry)) is not None]


def _place(data: dict[str, Any], entry: Plausible, value: float) -> Loc:
    """Put the value into the scenario where the entry's field lives; its loc."""
    if entry.section in TABLES:
        row = data.setdefault(entry.section, [{}])[0]
        loc: Loc = (entry.section, 0, *entry.path)
    else:
        row = data.setdefault(entry.section, {})
        loc = (entry.section, *entry.path)
    name = entry.path[0]
    if len(entry.path) == 2:
        # An uncertainty range given as low = likely = high: a valid range whatever the value.
        row[name] = {"low": value, "likely": value, "high": value}
    elif name in ("prefill_tps_per_gpu", "decode_tps_per_gpu"):
        row["prefill_tps_per_gpu"] = row["decode_tps_per_gpu"] = value
    else:
        row[name] = value
    return loc


def test_every_numeric_input_with_a_range_narrower_than_the_schema_is_drawn() -> None:
    drawn = {entry.field for entry, _ in CHECKED}
    undrawn = {entry.field for entry in PLAUSIBLE if not entry.judged} - drawn
    # Their plausible range is the schema's own (or, for the seed, every whole number; for a
    # quality rule or score, the tier's own scale).
    assert undrawn == {
        "tiers[].share_pct",
        "tiers[].max_quality_drop",
        "tiers[].quality_floor",
        "evaluations[].score",
        "deployments[].gpus_per_instance",
        "operations.horizon_months",
        "uncertainty.draws",
        "uncertainty.seed",
    }


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_a_value_out_of_its_range_is_refused_or_warned_of_at_its_field(
    data: st.DataObject, tmp_path: Path
) -> None:
    entry, values = data.draw(st.sampled_from(CHECKED), label="input")
    value = data.draw(values, label="value")
    scenario = json.loads(json.dumps(BASE))
    loc = _place(scenario, entry, value)
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario))
    try:
        _, warnings = load_scenario_with_warnings(path, CATALOGUE)
    except ScenarioError:
        return  # Refused: the value never reaches the results.
    assert [w for w in warnings if w.loc == loc], f"{entry.field} = {value} passed unremarked"

"""Which inputs the client left to the tool: the defaults an analysis used, recorded as the file is read."""

from __future__ import annotations

from pydantic import BaseModel

from crossover.scenario import Scenario

ASSUMABLE: tuple[tuple[str, str], ...] = (
    ("client", "current_monthly_api_bill"),
    ("client", "usd_fx_rate"),
    ("workload", "monthly_growth_pct"),
    ("workload", "peak_to_average"),
    ("workload", "cache_hit_pct"),
    ("operations", "setup_weeks"),
    ("operations", "setup_engineers"),
    ("operations", "engineer_week_cost"),
    ("operations", "ops_fte"),
    ("operations", "fte_annual_cost"),
    ("operations", "infra_overhead_pct"),
    ("operations", "target_peak_utilisation_pct"),
    ("operations", "redundancy"),
    ("operations", "horizon_months"),
    ("compliance", "hipaa"),
    ("compliance", "gdpr_restricted_subprocessors"),
    ("compliance", "financial_regulated"),
    ("compliance", "data_must_stay_in_network"),
)
"""The single-value inputs whose blank means a stated default that moves the figures, most
material first. The request shape and latency of each tier are recorded by the engine itself
(TierResult.request_shape_assumed, tpot_assumed): their defaults depend on the tier."""


def defaulted_fields(scenario: Scenario, *, workbook: bool) -> list[str]:
    """The inputs of ASSUMABLE the client did not give, as paths ('operations.setup_weeks').

    Not given: absent from the JSON or null, a blank cell, or, in a workbook, a cell still
    holding the value the template fills in: a client who confirmed it cannot be told from
    one who never looked. Both readers leave out what was blank, so pydantic's record of the
    fields set is the record of what the client gave. A rate of 1 per dollar is no assumption
    for a client who counts in dollars.
    """
    found = []
    for section_name, name in ASSUMABLE:
        if (section_name, name) == ("client", "usd_fx_rate") and scenario.client.currency == "USD":
            continue
        section: BaseModel = getattr(scenario, section_name)
        value = getattr(section, name)
        given = section_name in scenario.model_fields_set and name in section.model_fields_set
        prefilled = workbook and value == _template_value(section_name, name)
        if not given or value is None or prefilled:
            found.append(f"{section_name}.{name}")
    return found


def _template_value(section_name: str, name: str) -> object:
    # Imported only for a workbook: the workbook package loads openpyxl.
    from crossover.workbook import layout

    return layout.section(section_name).field(name).default

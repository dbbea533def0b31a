"""The best plan: the cheapest routing of tiers to the API or a candidate, over the horizon (§7a).

A routing gives each tier one option: its API model or one of its candidate deployments. Its
cost over the horizon is additive: the API tiers' cost, plus per deployment a cost that
depends only on the set of tiers sent to it (and the instance it runs on), plus setup and
ops once when anything is self-hosted. So each deployment's cost is tabled once per set of
tiers (a bitmask), vectorised over months and instances, and a routing's cost is a sum of
look-ups, vectorised over routings.

Where the routings and the sets to table are few, every routing is priced; beyond, branch
and bound (branch.py) prices only routings that a proven lower bound (bounds.py) cannot rule
out. Either way the best is the optimum, or, where its work budget runs out, the
best found with a proven gap.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from crossover.engine.bounds import Pricing, Psi, StepTable, step_table, tier_work
from crossover.engine.branch import (
    API,
    TIE_TOLERANCE,
    WORK_BUDGET,
    Priced,
    Problem,
    branch_and_bound,
)
from crossover.engine.constants import SECONDS_PER_DAY, TOKENS_PER_MTOK
from crossover.engine.instances import Placement
from crossover.engine.scenarios import CostModel, Routing
from crossover.scenario import Scenario, Tier

__all__ = ["API", "TIE_TOLERANCE", "PlanCost", "PlanSearch", "SearchOutcome", "tier_options"]

EXHAUSTIVE_LIMIT = 100_000
"""Up to this many routings the search may try every one; beyond, branch and bound."""
SETS_LIMIT = 4096
"""…and up to this many sets of tiers to table over the deployments (each set is rated once:
tens of microseconds each); beyond, branch and bound, which rates only the sets it prices."""
RANKED = 8
"""The cheapest routings kept in order, for the alternatives shown beside the best."""

DENSE_TIERS = 20
"""Up to this many tiers a deployment's table may have a slot for every set of tiers."""

SearchMethod = Literal["exhaustive", "branch_and_bound"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def tier_options(
    scenario: Scenario, excluded: Mapping[str, Collection[str]] | None = None
) -> list[list[str | None]]:
    """Per tier, where it may go (None: its API model), economics §7a.

    A locked tier keeps the proposal's route; compliance removes the API option; a candidate
    its tier's quality rule excludes (§7b: `excluded`, tier → deployment ids, from
    engine.quality.QualityAssessment.excluded_by_tier) is no option.
    """
    api_allowed = not scenario.compliance.flags
    excluded = excluded or {}
    found: list[list[str | None]] = []
    for tier in scenario.tiers:
        if tier.locked:
            # The client's own route stands, whatever the rule says of it; the report shows it.
            found.append([tier.deployment if tier.route == "self_host" else None])
            continue
        barred = excluded.get(tier.tier, ())
        options: list[str | None] = [None] if api_allowed else []
        options += [d for d in tier.options if d not in options and d not in barred]
        found.append(options)
    return found


@dataclass
class _Table:
    """One deployment's cost per set of tiers it serves, filled as sets come up."""

    horizon_usd: dict[int, float] = field(default_factory=dict)
    month0_usd: dict[int, float] = field(default_factory=dict)
    billed0: dict[int, int] = field(default_factory=dict)
    placement: dict[int, int] = field(default_factory=dict)
    """Index into the deployment's placements of the cheapest over the horizon."""


@dataclass(frozen=True)
class Evaluation:
    """Costs of a batch of routings, one entry per routing."""

    horizon_usd: FloatArray
    month0_usd: FloatArray
    billed_gpus: IntArray
    deployments: IntArray
    self_hosted_tiers: IntArray


@dataclass(frozen=True)
class PlanCost:
    """One routing with its instances and costs."""

    choice: tuple[int, ...]
    """Per tier: the deployment index, or API (−1)."""
    routes: dict[str, str]
    """Tier → 'api' or deployment id."""
    placements: dict[str, Placement]
    """Deployment → the instance and plan it runs on in this routing."""
    horizon_usd: float
    month0_usd: float
    billed_gpus: int
    deployments: int
    self_hosted_tiers: int

    @property
    def has_self_hosting(self) -> bool:
        return self.self_hosted_tiers > 0


@dataclass(frozen=True)
class SearchOutcome:
    ranked: list[PlanCost]
    """The cheapest routings, best first."""
    all_self_hosted: PlanCost | None
    routings: int
    """How many routings the options allow."""
    evaluated: int
    """Routings priced exactly."""
    exhaustive: bool
    """Every routing was priced."""
    method: SearchMethod
    proven: bool
    """The best is the optimum: every routing was priced or ruled out by a proven bound. False
    only where branch and bound ran out of its work budget."""
    all_self_hosted_proven: bool
    """The same of the best all self-hosted plan (and of there being none, where it is None)."""
    lower_bound_usd: float
    """No routing costs less over the horizon: the best's own cost where proven."""
    nodes: int
    """Partial routings bounded by branch and bound (0 when exhaustive)."""

    @property
    def gap_usd(self) -> float:
        """How much cheaper than the best the optimum could be (0 where proven)."""
        return self.ranked[0].horizon_usd - self.lower_bound_usd if self.ranked else 0.0


class PlanSearch:
    """Prices routings of one scenario: vectorised over routings, tabled per deployment."""

    def __init__(
        self,
        model: CostModel,
        setup_cost_usd: float,
        excluded: Mapping[str, Collection[str]] | None = None,
    ) -> None:
        """excluded: per tier, the candidates its quality rule removes (tier_options)."""
        scenario = model.scenario
        self.model = model
        self.tiers: list[Tier] = list(scenario.tiers)
        self.names = [t.tier for t in self.tiers]
        self.deployment_ids = sorted(model.deployments)
        index = {d: i for i, d in enumerate(self.deployment_ids)}
        self.options: list[list[int]] = [
            [API if o is None else index[o] for o in opts]
            for opts in tier_options(scenario, excluded)
        ]
        ops = scenario.operations
        months = ops.horizon_months
        growth = 1 + scenario.workload.monthly_growth_pct / 100
        self.factors: FloatArray = growth ** np.arange(months, dtype=np.float64)
        self.horizon_factor = float(self.factors.sum())
        self.setup_usd = setup_cost_usd
        self.ops_month_usd = model.ops_month_usd
        self.api_month = np.array([model.tier_api_month[n] for n in self.names])
        p2a = scenario.workload.peak_to_average
        to_tps = TOKENS_PER_MTOK / SECONDS_PER_DAY
        totals = np.array([model.volumes[n].total for n in self.names]) * to_tps
        batch = np.array([t.api_mode == "batch" for t in self.tiers])
        self.peak_tps: FloatArray = np.where(batch, totals, totals * p2a)
        self.u_max = ops.target_peak_utilisation_pct / 100
        self.redundancy = ops.redundancy
        self.overhead = 1 + model.overhead_fraction
        self.tables = [_Table() for _ in self.deployment_ids]
        self.pricing = [
            Pricing(
                gpus_per_replica=dep.gpus_per_replica,
                gpus_per_instance=np.array([p.gpus_per_instance for p in dep.options]),
                gpu_hour_usd=np.array([p.gpu_hour_price_usd for p in dep.options]),
                redundancy=self.redundancy,
                overhead=self.overhead,
            )
            for dep in (model.deployments[d] for d in self.deployment_ids)
        ]
        self.limit = EXHAUSTIVE_LIMIT
        self.sets_limit = SETS_LIMIT
        self.budget = WORK_BUDGET

    @property
    def routings(self) -> int:
        return math.prod(len(o) for o in self.options)

    def evaluate(self, choices: IntArray) -> Evaluation:
        """The cost of each routing (rows of deployment indices, API = −1)."""
        on_api = choices == API
        api_month = (on_api * self.api_month).sum(axis=1)
        horizon = api_month * self.horizon_factor
        month0 = api_month.copy()
        billed = np.zeros(len(choices), dtype=np.int64)
        used = np.zeros(len(choices), dtype=np.int64)
        bits = np.int64(1) << np.arange(len(self.tiers), dtype=np.int64)
        for d in range(len(self.deployment_ids)):
            masks = ((choices == d) * bits).sum(axis=1)
            if len(self.tiers) <= DENSE_TIERS and (1 << len(self.tiers)) <= 8 * len(choices):
                # Every set of tiers has a slot: look-ups by index, no sort of the routings.
                present = np.zeros(1 << len(self.tiers), dtype=bool)
                present[masks] = True
                unique = np.flatnonzero(present)
                inverse = np.zeros(len(present), dtype=np.int64)
                inverse[unique] = np.arange(len(unique))
                inverse = inverse[masks]
            else:
                unique, inverse = np.unique(masks, return_inverse=True)
            h, m0, b0 = self._tabled(d, unique)
            horizon += h[inverse]
            month0 += m0[inverse]
            billed += b0[inverse]
            used += masks != 0
        self_hosted = (~on_api).sum(axis=1)
        estate = self_hosted > 0
        horizon += estate * (self.ops_month_usd * len(self.factors) + self.setup_usd)
        month0 += estate * self.ops_month_usd
        return Evaluation(horizon, month0, billed, used, self_hosted)

    def _tabled(self, d: int, masks: IntArray) -> tuple[FloatArray, FloatArray, IntArray]:
        table = self.tables[d]
        new = [int(m) for m in masks if int(m) not in table.horizon_usd]
        if new:
            self._fill(d, new)
        return (
            np.array([table.horizon_usd[int(m)] for m in masks]),
            np.array([table.month0_usd[int(m)] for m in masks]),
            np.array([table.billed0[int(m)] for m in masks], dtype=np.int64),
        )

    def _fill(self, d: int, masks: list[int]) -> None:
        """Cost of a deployment serving each set of tiers: months × placements at once."""
        table = self.tables[d]
        deployment_id = self.deployment_ids[d]
        empty = [m for m in masks if m == 0]
        for m in empty:
            table.horizon_usd[m] = table.month0_usd[m] = 0.0
            table.billed0[m] = 0
            table.placement[m] = 0
        masks = [m for m in masks if m != 0]
        if not masks:
            return
        members = np.array([[(m >> t) & 1 for t in range(len(self.tiers))] for m in masks])
        rate = np.array(
            [
                self.model.replica_tps_for(
                    deployment_id, tuple(n for t, n in enumerate(self.names) if (m >> t) & 1)
                )
                for m in masks
            ]
        )
        peak = members @ self.peak_tps
        # A set of tiers the rate model says this deployment cannot serve costs infinitely much:
        # the search never picks it. The others are sized as usual.
        feasible = rate > 0
        rate = np.where(feasible, rate, 1.0)
        # need[mask, month] = D_peak × growth / (R × u_max); replicas max(1, ceil(need)) + redundancy
        need = np.outer(peak / (rate * self.u_max), self.factors)
        horizon, month0, billed0 = self.pricing[d].costs(need)  # [mask, placement]
        # Cheapest over the horizon; among equals, fewer GPUs today, then the listed order.
        listed = np.broadcast_to(np.arange(horizon.shape[1]), horizon.shape)
        best = np.lexsort((listed, billed0, horizon))[:, 0]
        for row, m in enumerate(masks):
            p = int(best[row])
            if not feasible[row]:
                table.horizon_usd[m] = table.month0_usd[m] = math.inf
                table.billed0[m] = 0
                table.placement[m] = 0
                continue
            table.horizon_usd[m] = float(horizon[row, p])
            table.month0_usd[m] = float(month0[row, p])
            table.billed0[m] = int(billed0[row, p])
            table.placement[m] = p

    def plan(self, choice: tuple[int, ...]) -> PlanCost:
        """One routing, costed and with its placements."""
        row = np.array([choice], dtype=np.int64)
        e = self.evaluate(row)
        placements = {}
        for d, deployment_id in enumerate(self.deployment_ids):
            mask = sum(1 << t for t, c in enumerate(choice) if c == d)
            if mask:
                options = self.model.deployments[deployment_id].options
                placements[deployment_id] = options[self.tables[d].placement[mask]]
        return PlanCost(
            choice=choice,
            routes={
                n: "api" if c == API else self.deployment_ids[c]
                for n, c in zip(self.names, choice, strict=True)
            },
            placements=placements,
            horizon_usd=float(e.horizon_usd[0]),
            month0_usd=float(e.month0_usd[0]),
            billed_gpus=int(e.billed_gpus[0]),
            deployments=int(e.deployments[0]),
            self_hosted_tiers=int(e.self_hosted_tiers[0]),
        )

    def routing(self, choice: tuple[int, ...], name: str = "proposed") -> Routing:
        """The routing as the scalar cost model takes it."""
        self_hosted: dict[str, list[Tier]] = {}
        api_tiers = []
        for tier, c in zip(self.tiers, choice, strict=True):
            if c == API:
                api_tiers.append(tier)
            else:
                self_hosted.setdefault(self.deployment_ids[c], []).append(tier)
        return Routing(name, self_hosted, api_tiers)  # type: ignore[arg-type]

    def allows(self, choice: tuple[int, ...]) -> bool:
        """No tier is on an API its options rule out (compliance, or a lock on self-hosting).

        A deployment outside a tier's candidates is still allowed: the proposal may name one.
        """
        return all(c != API or API in o for c, o in zip(choice, self.options, strict=True))

    def choice_of(self, routes: dict[str, str | None]) -> tuple[int, ...]:
        """Tier → deployment id (None: API) as a routing tuple."""
        index = {d: i for i, d in enumerate(self.deployment_ids)}
        return tuple(
            API if routes[n] is None else index[routes[n]]  # type: ignore[index]
            for n in self.names
        )

    def search(self) -> SearchOutcome:
        """Every routing where they (and the sets of tiers to table) are few; else branch and
        bound, proven unless its work budget runs out."""
        if self.routings <= self.limit and self.table_sets <= self.sets_limit:
            return self._exhaustive()
        return self._branch_and_bound()

    @property
    def table_sets(self) -> int:
        """Sets of tiers the deployments' tables need for every routing: 2^(optional tiers)."""
        total = 0
        for d in range(len(self.deployment_ids)):
            reach = [opts for opts in self.options if d in opts]
            total += 1 << sum(1 for opts in reach if len(opts) > 1)
        return total

    def _exhaustive(self) -> SearchOutcome:
        choices = self._all_routings()
        e = self.evaluate(choices)
        order = _ranked(e)
        # Routings the rate model says cannot be served (infinite cost) are never shown.
        order = order[np.isfinite(e.horizon_usd[order])]
        best = [self.plan(_choice(choices[i])) for i in order[:RANKED]]
        self_hosted_only = order[(choices[order] != API).all(axis=1)]
        all_self = (
            self.plan(_choice(choices[self_hosted_only[0]])) if len(self_hosted_only) else None
        )
        lower = best[0].horizon_usd if best else math.inf
        return SearchOutcome(
            best, all_self, self.routings, len(choices), True, "exhaustive", True, True, lower, 0
        )

    def _branch_and_bound(self) -> SearchOutcome:
        problem = self.problem()
        found = branch_and_bound(problem, self._priced, RANKED, self.budget)
        best = [self.plan(_choice(row)) for row in found.choices]
        nodes, evaluated, proven = found.nodes, found.evaluated, found.proven
        all_self: PlanCost | None = None
        all_self_proven = True
        if best and not best[0].choice.count(API):
            all_self, all_self_proven = best[0], proven
        elif all(any(o != API for o in opts) for opts in problem.options):
            hosted = Problem(
                [[o for o in opts if o != API] for opts in problem.options],
                problem.api_usd,
                problem.estate_usd,
                problem.work,
                problem.tables,
                problem.kappa,
                problem.psi,
            )
            only = branch_and_bound(hosted, self._priced, 1, self.budget)
            nodes, evaluated = nodes + only.nodes, evaluated + only.evaluated
            all_self_proven = only.proven
            if len(only.choices):
                all_self = self.plan(_choice(only.choices[0]))
        return SearchOutcome(
            best,
            all_self,
            self.routings,
            evaluated,
            False,
            "branch_and_bound",
            proven,
            all_self_proven,
            found.lower_bound_usd,
            nodes,
        )

    def problem(self) -> Problem:
        """The search as branch and bound sees it: options, API costs, and the bounds' tables.

        A tier that no set holding it can be served in on a deployment loses that option (every
        routing sending it there costs infinitely much)."""
        tiers = len(self.tiers)
        work = np.zeros((len(self.deployment_ids), tiers))
        tables: list[StepTable] = []
        kappa = np.zeros(len(self.deployment_ids))
        served = np.zeros((len(self.deployment_ids), tiers), dtype=bool)
        for d, deployment_id in enumerate(self.deployment_ids):
            reach = [t for t, opts in enumerate(self.options) if d in opts]
            if not reach:
                tables.append(StepTable(np.array([-np.inf]), np.array([np.inf])))
                continue
            names = [self.names[t] for t in reach]
            w, ok = tier_work(self.model, deployment_id, names, self.peak_tps[reach])
            work[d, reach] = w
            served[d, reach] = ok
            tables.append(step_table(self.pricing[d], self.factors, self.u_max, float(w.sum())))
            kappa[d] = self.pricing[d].gpu_month_floor_usd
        options = [
            [o for o in opts if o == API or served[o, t]] for t, opts in enumerate(self.options)
        ]
        return Problem(
            options=options,
            api_usd=self.api_month * self.horizon_factor,
            estate_usd=self.ops_month_usd * len(self.factors) + self.setup_usd,
            work=work,
            tables=tables,
            kappa=kappa,
            psi=Psi(self.factors, self.u_max, self.redundancy),
        )

    def _priced(self, choices: IntArray) -> Priced:
        e = self.evaluate(choices)
        return Priced(e.horizon_usd, e.deployments, e.self_hosted_tiers)

    def _all_routings(self) -> IntArray:
        sizes = [len(o) for o in self.options]
        index = np.indices(sizes, dtype=np.int64).reshape(len(sizes), -1).T
        lookup = [np.array(o, dtype=np.int64) for o in self.options]
        return np.stack([lookup[t][index[:, t]] for t in range(len(sizes))], axis=1)


def _choice(row: IntArray) -> tuple[int, ...]:
    return tuple(int(c) for c in row)


def _ranked(e: Evaluation) -> IntArray:
    """Cheapest over the horizon first; ties to fewer deployments, then fewer self-hosted tiers.

    Costs within TIE_TOLERANCE of the cheapest tie with it: the same figures summed in another
    order may differ in the last bit.
    """
    cheapest = e.horizon_usd.min() if len(e.horizon_usd) else 0.0
    tied = e.horizon_usd <= cheapest + TIE_TOLERANCE * abs(cheapest)
    cost = np.where(tied, cheapest, e.horizon_usd)
    return np.lexsort((np.arange(len(cost)), e.self_hosted_tiers, e.deployments, cost))

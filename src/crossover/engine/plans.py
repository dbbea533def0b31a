"""The best plan: every routing of tiers to the API or a candidate, priced over the horizon (§7a).

A routing gives each tier one option: its API model or one of its candidate deployments. Its
cost over the horizon is additive: the API tiers' cost, plus per deployment a cost that
depends only on the set of tiers sent to it (and the instance it runs on), plus setup and
ops once when anything is self-hosted. So each deployment's cost is tabled once per set of
tiers (a bitmask), vectorised over months and instances, and a routing's cost is a sum of
look-ups, vectorised over routings.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from crossover.engine.constants import HOURS_PER_MONTH, SECONDS_PER_DAY, TOKENS_PER_MTOK
from crossover.engine.instances import Placement
from crossover.engine.scenarios import CostModel, Routing
from crossover.engine.sizing import WHOLE_TOLERANCE
from crossover.scenario import Scenario, Tier

EXHAUSTIVE_LIMIT = 100_000
"""Up to this many routings the search tries every one; beyond, coordinate descent."""
RANKED = 8
"""The cheapest routings kept in order, for the alternatives shown beside the best."""

DENSE_TIERS = 20
"""Up to this many tiers a deployment's table has a slot for every set of tiers (2^20 at most)."""
TIE_TOLERANCE = 1e-9
"""Relative: horizon costs closer than this are equal (the same figures summed in another order)."""

API = -1
"""The option index of 'on its API model' in a routing array."""

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
    exhaustive: bool


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
        self.limit = EXHAUSTIVE_LIMIT

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
            if len(self.tiers) <= DENSE_TIERS:
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
        dep = self.model.deployments[deployment_id]
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
        # replicas[mask, month] = max(1, ceil(D_peak × growth / (R × u_max))) + redundancy
        need = np.outer(peak / (rate * self.u_max), self.factors)
        replicas = np.maximum(1, _whole(need)) + self.redundancy
        gpus = replicas * dep.gpus_per_replica
        k = np.array([p.gpus_per_instance for p in dep.options])
        price = np.array([p.gpu_hour_price_usd for p in dep.options])
        billed = _whole(gpus[:, :, None] / k) * k  # [mask, month, placement]
        monthly = billed * price * HOURS_PER_MONTH * self.overhead
        horizon = monthly.sum(axis=1)  # [mask, placement]
        # Cheapest over the horizon; among equals, fewer GPUs today, then the listed order.
        listed = np.broadcast_to(np.arange(len(k)), horizon.shape)
        best = np.lexsort((listed, billed[:, 0, :], horizon))[:, 0]
        for row, m in enumerate(masks):
            p = int(best[row])
            if not feasible[row]:
                table.horizon_usd[m] = table.month0_usd[m] = math.inf
                table.billed0[m] = 0
                table.placement[m] = 0
                continue
            table.horizon_usd[m] = float(horizon[row, p])
            table.month0_usd[m] = float(monthly[row, 0, p])
            table.billed0[m] = int(billed[row, 0, p])
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
        """Every routing where they are few enough; else coordinate descent from several starts."""
        total = self.routings
        if total <= self.limit:
            choices = self._all_routings()
            exhaustive = True
        else:
            choices = self._descent()
            exhaustive = False
        e = self.evaluate(choices)
        order = _ranked(e)
        # Routings the rate model says cannot be served (infinite cost) are never shown.
        order = order[np.isfinite(e.horizon_usd[order])]
        best = [self.plan(_choice(choices[i])) for i in order[:RANKED]]
        self_hosted_only = order[(choices[order] != API).all(axis=1)]
        all_self = (
            self.plan(_choice(choices[self_hosted_only[0]])) if len(self_hosted_only) else None
        )
        return SearchOutcome(best, all_self, total, len(choices), exhaustive)

    def _all_routings(self) -> IntArray:
        sizes = [len(o) for o in self.options]
        index = np.indices(sizes, dtype=np.int64).reshape(len(sizes), -1).T
        lookup = [np.array(o, dtype=np.int64) for o in self.options]
        return np.stack([lookup[t][index[:, t]] for t in range(len(sizes))], axis=1)

    def _descent(self) -> IntArray:
        """Coordinate descent: move one tier at a time to its best option until none improves.

        Started from API only (where allowed), every tier on its first candidate, and each
        tier on its cheapest option alone; every routing tried is kept for the ranking.
        """
        starts = {
            tuple(o[0] for o in self.options),
            tuple(o[-1] for o in self.options),
        }
        for t in range(len(self.tiers)):
            for option in self.options[t]:
                starts.add(tuple(option if u == t else o[0] for u, o in enumerate(self.options)))
        seen: set[tuple[int, ...]] = set()
        for start in sorted(starts):
            current = start
            improved = True
            while improved:
                improved = False
                for t, options in enumerate(self.options):
                    batch = [(*current[:t], o, *current[t + 1 :]) for o in options]
                    seen.update(batch)
                    e = self.evaluate(np.array(batch, dtype=np.int64))
                    best = batch[int(_ranked(e)[0])]
                    if best != current:
                        current, improved = best, True
        return np.array(sorted(seen), dtype=np.int64)


def _choice(row: IntArray) -> tuple[int, ...]:
    return tuple(int(c) for c in row)


def _whole(x: FloatArray) -> IntArray:
    """sizing.whole, element-wise: ceil tolerant of the last bit of floating-point noise."""
    tolerance = WHOLE_TOLERANCE * np.maximum(1.0, np.abs(x))
    return np.ceil(x - tolerance).astype(np.int64)


def _ranked(e: Evaluation) -> IntArray:
    """Cheapest over the horizon first; ties to fewer deployments, then fewer self-hosted tiers.

    Costs within TIE_TOLERANCE of the cheapest tie with it: the same figures summed in another
    order may differ in the last bit.
    """
    cheapest = e.horizon_usd.min() if len(e.horizon_usd) else 0.0
    tied = e.horizon_usd <= cheapest + TIE_TOLERANCE * abs(cheapest)
    cost = np.where(tied, cheapest, e.horizon_usd)
    return np.lexsort((np.arange(len(cost)), e.self_hosted_tiers, e.deployments, cost))

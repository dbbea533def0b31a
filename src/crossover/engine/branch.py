"""Branch and bound over routings: the cheapest plans, proven, where there are too many to try (§7a).

Tiers are decided one at a time, the tiers with most at stake first. A node is a partial
routing; its bound is a cost no routing below it can beat:

- what is decided: the API tiers' cost, setup and ops once if anything is self-hosted, and
  per deployment in use Φ(ω), the step cost at the work its tiers already bring
  (bounds.py);
- per undecided tier, the least of its options: its API cost, or what it adds to a
  deployment at least, max(0, κ ψ(ω + w) − Φ(ω)); the increments of a convex floor never
  add up to more than the increment of the tiers together, so the sum holds;
- a deployment not yet in use costs at least Φ(0) (one replica a month) when opened, and
  the first self-hosted tier brings setup and ops: the bound takes the cheaper of opening
  none, or opening at least one (the cheapest such charge, once);
- the same two cases are also priced along tangents (a deployment in use adds at least
  κ ψ'(ω) w per tier less its slack once, a new one its full-replica cost per unit of
  work), and the larger of the two bounds is kept.

Nodes are handled in batches (numpy over nodes × undecided tiers × options), depth first,
the batch with the lowest bounds first, so good routings are priced early and prune the
rest. A few plain routings are priced before the first node, and the best node of early
batches is completed greedily and priced, so there is a good best found from the start. A
complete routing is priced exactly by the search's own tables. The `keep` cheapest routings
are kept, and a node is pruned only when its bound exceeds the keep-th cheapest by more than
the tie tolerance, so ties are broken exactly as the exhaustive search breaks them.

The work is bounded by a count (cells bounded, routings priced), not by the clock, so the
same scenario always gives the same answer. Where the count runs out, the least bound of the
nodes left is a proven lower bound on the optimum: the gap is stated beside the best found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from crossover.engine.bounds import SAFETY, Psi, StepTable

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

API = -1
"""The option index of 'on its API model' in a routing array."""
TIE_TOLERANCE = 1e-9
"""Relative: horizon costs closer than this are equal (the same figures summed in another order)."""
WORK_BUDGET = 160_000_000
"""Work before the search stops and states its gap: cells bounded (a node × an undecided tier ×
an option) plus LEAF_WORK per tier of each routing priced; about ten seconds on one core (four
times what the first bound needed: the p99 rate model loosens it, and cases just past the
exhaustive limit are proven within it)."""
PAST_BUDGET = 4
"""Where no routing that can be served is priced when the budget runs out, the search goes on
to this many budgets for one; then it gives up (every routing it priced was infeasible)."""
GREEDY_FIRST = 32
GREEDY_EVERY = 8
"""The best node of the first GREEDY_FIRST batches, then of every GREEDY_EVERY-th, is completed
greedily and priced: good routings early, whatever the depth of the tree."""
LEAF_WORK = 200
"""Cells a routing's exact pricing costs per tier, about (its sets rated, its tables filled)."""
CELLS = 1 << 21
"""Nodes × undecided tiers × options bounded at once: the memory of one batch (~16 MB an array)."""
BATCH = 256
"""Most nodes expanded at once: enough for numpy to pay, few enough that the search dives to
priced routings early and prunes with them."""
LEAVES = 64
"""Complete routings priced at once, lowest bounds first, the threshold updated between."""
_PAD = -2


@dataclass(frozen=True)
class Problem:
    """A plan search as branch and bound sees it (tiers in the workbook's order)."""

    options: list[list[int]]
    """Per tier, its options in the listed order: API (−1) or a deployment index."""
    api_usd: FloatArray
    """Per tier, its horizon cost on its API model."""
    estate_usd: float
    """Setup and ops over the horizon: paid once when any tier is self-hosted."""
    work: FloatArray
    """[deployment, tier]: w, the tier's share of the deployment's work (bounds.tier_work)."""
    tables: list[StepTable]
    """Per deployment, Φ."""
    kappa: FloatArray
    """Per deployment, κ: the cheapest GPU-month of a replica."""
    psi: Psi


@dataclass(frozen=True)
class Priced:
    """What the exact pricing returns for a batch of routings."""

    horizon_usd: FloatArray
    deployments: IntArray
    self_hosted_tiers: IntArray


@dataclass(frozen=True)
class Found:
    """The cheapest routings found, best first, and what is proven about them."""

    choices: IntArray
    """[rank, tier]: API (−1) or a deployment index; finite costs only."""
    horizon_usd: FloatArray
    lower_bound_usd: float
    """No routing costs less than this (the best's own cost where the search finished)."""
    proven: bool
    """True where every routing was ruled out or priced: the first is the optimum."""
    nodes: int
    """Partial routings bounded."""
    evaluated: int
    """Complete routings priced exactly."""


@dataclass
class _Batch:
    """Nodes at one depth: the options chosen so far (in branching order) and their state."""

    depth: int
    choice: npt.NDArray[np.int16]
    api_usd: FloatArray
    work: FloatArray
    """[node, deployment]: ω, the work the deployment's decided tiers bring."""
    count: npt.NDArray[np.int16]
    """[node, deployment]: its decided tiers."""
    bound: FloatArray

    def take(self, rows: IntArray | BoolArray | slice) -> _Batch:
        return _Batch(
            self.depth,
            self.choice[rows],
            self.api_usd[rows],
            self.work[rows],
            self.count[rows],
            self.bound[rows],
        )

    def __len__(self) -> int:
        return len(self.bound)


def branch_and_bound(
    problem: Problem,
    price: Callable[[IntArray], Priced],
    keep: int,
    budget: int = WORK_BUDGET,
) -> Found:
    """The `keep` cheapest routings (ties as the exhaustive search breaks them), proven where
    the budget allows; else the best found and a proven lower bound."""
    return _Search(problem, price, keep, budget).run()


class _Search:
    def __init__(
        self, problem: Problem, price: Callable[[IntArray], Priced], keep: int, budget: int
    ) -> None:
        self.p = problem
        self.price = price
        self.keep = keep
        self.budget = budget
        tiers = len(problem.options)
        deployments = len(problem.tables)
        self.order = _branching_order(problem)
        self.floor = np.array([t.floor for t in problem.tables])
        width = max(len(o) for o in problem.options)
        # Per tier, its options padded to one width: the deployment, API, or nothing.
        self.slot = np.full((tiers, width), _PAD, dtype=np.int64)
        for t, opts in enumerate(problem.options):
            self.slot[t, : len(opts)] = opts
        self.is_deployment = self.slot >= 0
        self.slot_deployment = np.where(self.is_deployment, self.slot, 0)
        self.slot_work = problem.work[self.slot_deployment, np.arange(tiers)[:, None]]
        self.slot_other = np.where(self.slot == API, problem.api_usd[:, None], np.inf)
        # Per depth: which deployments an undecided tier may still open.
        self.reach = np.zeros((tiers + 1, deployments), dtype=bool)
        for k in range(tiers - 1, -1, -1):
            self.reach[k] = self.reach[k + 1]
            for o in problem.options[self.order[k]]:
                if o >= 0:
                    self.reach[k, o] = True
        # Options' position in their tier's list: the exhaustive search's enumeration order.
        self.position = [{o: i for i, o in enumerate(opts)} for opts in problem.options]
        self.seeds: set[tuple[int, ...]] = set()
        self.nodes = 0
        self.batches = 0
        self.work = 0
        self.evaluated = 0
        self.best_choices = np.zeros((0, tiers), dtype=np.int64)
        self.best_costs = np.zeros(0)
        self.best_deployments = np.zeros(0, dtype=np.int64)
        self.best_self_hosted = np.zeros(0, dtype=np.int64)

    def run(self) -> Found:
        tiers = len(self.p.options)
        deployments = len(self.p.tables)
        root = _Batch(
            0,
            np.zeros((1, tiers), dtype=np.int16),
            np.zeros(1),
            np.zeros((1, deployments)),
            np.zeros((1, deployments), dtype=np.int16),
            np.zeros(1),
        )
        root.bound = self._bound(root)
        self._seed()
        stack = [root]
        # Past the budget, only until a first routing is priced, so that there is a best found.
        while stack and (
            self.work < self.budget
            or (not len(self.best_costs) and self.work < PAST_BUDGET * self.budget)
        ):
            batch = stack.pop()
            batch = batch.take(batch.bound <= self._threshold())
            if not len(batch):
                continue
            size = self._batch_size(batch.depth)
            if len(batch) > size:
                stack.append(batch.take(slice(size, None)))
                batch = batch.take(slice(0, size))
            if self.batches < GREEDY_FIRST or self.batches % GREEDY_EVERY == 0:
                self._greedy(batch.take(np.array([int(np.argmin(batch.bound))])))
            self.batches += 1
            children = self._children(batch)
            self.nodes += len(children)
            self.work += len(children) * self.slot.shape[1] * max(1, tiers - children.depth)
            children = children.take(children.bound <= self._threshold())
            if children.depth == tiers:
                self._price(children)
                continue
            ranked = np.argsort(children.bound, kind="stable")
            chunks = [
                ranked[i : i + size] for i in range(0, len(ranked), size)
            ]  # lowest bounds on top of the stack
            stack.extend(children.take(c) for c in reversed(chunks))
        left = [float(b.bound.min()) for b in stack if len(b)]
        best = float(self.best_costs.min()) if len(self.best_costs) else np.inf
        lower = min([best, *left])
        order = self._ranked()[: self.keep]
        # Nodes left whose bounds exceed the threshold would have been dropped when reached.
        open_nodes = any(bound <= self._threshold() for bound in left)
        return Found(
            choices=self.best_choices[order],
            horizon_usd=self.best_costs[order],
            lower_bound_usd=lower,
            proven=not open_nodes,
            nodes=self.nodes,
            evaluated=self.evaluated,
        )

    def _batch_size(self, depth: int) -> int:
        rest = len(self.p.options) - depth
        width = self.slot.shape[1]
        return max(1, min(BATCH, CELLS // max(1, width * width * max(1, rest - 1))))

    def _threshold(self) -> float:
        if len(self.best_costs) < self.keep:
            return np.inf
        kth = float(np.partition(self.best_costs, self.keep - 1)[self.keep - 1])
        return kth + 2 * TIE_TOLERANCE * abs(kth)

    def _children(self, batch: _Batch) -> _Batch:
        """Every option of the next tier for every node of the batch, bounded."""
        k = batch.depth
        t = self.order[k]
        options = np.array(self.p.options[t], dtype=np.int64)
        m = len(options)
        chosen = np.tile(options, len(batch))
        choice = np.repeat(batch.choice, m, axis=0)
        choice[:, k] = chosen
        api = np.repeat(batch.api_usd, m) + np.where(chosen == API, self.p.api_usd[t], 0.0)
        work = np.repeat(batch.work, m, axis=0)
        count = np.repeat(batch.count, m, axis=0)
        rows = np.flatnonzero(chosen >= 0)
        work[rows, chosen[rows]] += self.p.work[chosen[rows], t]
        count[rows, chosen[rows]] += 1
        children = _Batch(k + 1, choice, api, work, count, np.zeros(len(chosen)))
        children.bound = self._bound(children)
        return children

    def _bound(self, batch: _Batch) -> FloatArray:
        """No routing below each node costs less (module docstring)."""
        phi = np.stack([table(batch.work[:, d]) for d, table in enumerate(self.p.tables)], axis=1)
        used = batch.count > 0
        hosting = used.any(axis=1)
        fixed = (
            batch.api_usd
            + np.where(hosting, self.p.estate_usd, 0.0)
            + np.where(used, phi, 0.0).sum(axis=1)
        )
        if batch.depth == len(self.p.options):
            return np.asarray(fixed, dtype=np.float64)
        rest = self.order[batch.depth :]
        slot = self.slot_deployment[rest]  # [tier, option]
        is_deployment = self.is_deployment[rest]
        omega = batch.work[:, slot]  # [node, tier, option]
        grown = self.p.kappa[slot] * self.p.psi(omega + self.slot_work[rest])
        added = np.maximum(0.0, grown - phi[:, slot])
        added = np.where(is_deployment, added, self.slot_other[rest])
        in_use = used[:, slot] | ~is_deployment
        opened_none = np.where(in_use, added, np.inf).min(axis=2).sum(axis=1)
        opened_any = added.min(axis=2).sum(axis=1)
        charge = np.where(~used & self.reach[batch.depth], self.floor, np.inf).min(axis=1)
        estate = np.where(hosting, 0.0, self.p.estate_usd)
        # The same two cases priced along tangents instead: a deployment in use adds at least
        # κ ψ'(ω) w per tier, less its slack Φ(ω) − κ ψ(ω) once; a new one at least λ w (its
        # cost per unit of work at full replicas). Linear, so the slack is not spent per tier.
        rate = np.where(
            used,
            self.p.kappa * self.p.psi.slope_at(batch.work),
            self.p.kappa * self.p.psi.slope,
        )
        linear = rate[:, slot] * self.slot_work[rest] * (1 - SAFETY)
        linear = np.where(is_deployment, linear, self.slot_other[rest])
        slack = phi - self.p.kappa * self.p.psi(batch.work)
        credit = np.where(used & self.reach[batch.depth], slack, 0.0).sum(axis=1)
        tangent_none = np.where(in_use, linear, np.inf).min(axis=2).sum(axis=1) - credit
        tangent_any = linear.min(axis=2).sum(axis=1) - credit
        none = np.maximum(opened_none, tangent_none)
        any_new = np.maximum(charge + opened_any, tangent_any) + estate
        bound: FloatArray = fixed + np.minimum(none, any_new)
        return bound

    def _price(self, leaves: _Batch) -> None:
        """Price complete routings exactly, lowest bounds first, and keep the cheapest."""
        ranked = np.argsort(leaves.bound, kind="stable")
        for start in range(0, len(ranked), LEAVES):
            chunk = leaves.take(ranked[start : start + LEAVES])
            chunk = chunk.take(chunk.bound <= self._threshold())
            if len(chunk):
                self._price_chunk(chunk)

    def _price_chunk(self, leaves: _Batch) -> None:
        choices = np.empty_like(leaves.choice, dtype=np.int64)
        choices[:, self.order] = leaves.choice
        fresh = [tuple(row) not in self.seeds for row in choices.tolist()]
        self._keep(choices[fresh])

    def _greedy(self, node: _Batch) -> None:
        """Complete one node tier by tier, each to its cheapest option on the bounds' step costs
        (a new deployment paying its floor, the first self-hosted tier setup and ops), and
        price the routing."""
        api = float(node.api_usd[0])
        work = node.work[0].copy()
        used = node.count[0] > 0
        choice = node.choice[0].astype(np.int64)
        for k in range(node.depth, len(self.order)):
            t = self.order[k]
            options = np.array(self.p.options[t], dtype=np.int64)
            if not len(options):
                return
            cost = np.full(len(options), self.p.api_usd[t])
            for i, d in enumerate(options):
                if d >= 0:
                    table = self.p.tables[d]
                    before = table(work[d : d + 1])[0] if used[d] else 0.0
                    after = table(work[d : d + 1] + self.p.work[d, t])[0]
                    cost[i] = after - before + (0.0 if used.any() else self.p.estate_usd)
            o = int(options[int(np.argmin(cost))])
            choice[k] = o
            if o >= 0:
                work[o] += self.p.work[o, t]
                used[o] = True
            else:
                api += self.p.api_usd[t]
        row = np.empty(len(choice), dtype=np.int64)
        row[self.order] = choice
        if tuple(row.tolist()) not in self.seeds:
            self.seeds.add(tuple(row.tolist()))
            self._keep(row[None, :])

    def _seed(self) -> None:
        """Price a few plain routings first, so that there is a best found from the start:
        every tier on its API where all may go there, on its first option, on its last."""
        options = self.p.options
        if not all(options):
            return
        rows = {tuple(o[0] for o in options), tuple(o[-1] for o in options)}
        if all(API in o for o in options):
            rows.add(tuple(API for _ in options))
        self.seeds |= rows
        self._keep(np.array(sorted(rows), dtype=np.int64))

    def _keep(self, choices: IntArray) -> None:
        """Price routings (tiers in the workbook's order) and keep the cheapest."""
        if not len(choices):
            return
        priced = self.price(choices)
        self.evaluated += len(choices)
        self.work += len(choices) * choices.shape[1] * LEAF_WORK
        finite = np.isfinite(priced.horizon_usd)
        self.best_choices = np.concatenate([self.best_choices, choices[finite]])
        self.best_costs = np.concatenate([self.best_costs, priced.horizon_usd[finite]])
        self.best_deployments = np.concatenate([self.best_deployments, priced.deployments[finite]])
        self.best_self_hosted = np.concatenate(
            [self.best_self_hosted, priced.self_hosted_tiers[finite]]
        )
        kept = self.best_costs <= self._threshold()
        self.best_choices = self.best_choices[kept]
        self.best_costs = self.best_costs[kept]
        self.best_deployments = self.best_deployments[kept]
        self.best_self_hosted = self.best_self_hosted[kept]

    def _ranked(self) -> IntArray:
        """Cheapest first; ties (within TIE_TOLERANCE of the cheapest) to fewer deployments,
        then fewer self-hosted tiers, then the exhaustive search's enumeration order."""
        costs = self.best_costs
        if not len(costs):
            return np.zeros(0, dtype=np.int64)
        cheapest = costs.min()
        cost = np.where(costs <= cheapest + TIE_TOLERANCE * abs(cheapest), cheapest, costs)
        positions = np.array(
            [[self.position[t][int(o)] for t, o in enumerate(row)] for row in self.best_choices],
            dtype=np.int64,
        )
        keys = (*positions.T[::-1], self.best_self_hosted, self.best_deployments, cost)
        return np.lexsort(keys)


def _branching_order(problem: Problem) -> list[int]:
    """Tiers with one option first (nothing to branch on), then the most at stake first."""
    stakes = []
    slope = problem.psi.slope
    for t, opts in enumerate(problem.options):
        api = problem.api_usd[t] if API in opts else 0.0
        hosted = max(
            (problem.kappa[o] * problem.work[o, t] * slope for o in opts if o >= 0), default=0.0
        )
        stakes.append((len(opts) > 1, -max(api, hosted), t))
    return [t for _, _, t in sorted(stakes)]

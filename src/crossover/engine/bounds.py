"""Lower bounds on a deployment's horizon cost for any set of tiers, for the plan search (§7a).

A deployment serving a set of tiers S needs, in month m, max(1, ceil(P(S) g_m / (R(S) u))) +
redundancy replicas, billed in whole instances of the cheapest placement over the horizon.
R(S), the rate of one replica, depends on the set (its input share, mean request and
strictest latency), so the exact cost must be priced set by set. A bound must not be.

Over every set a deployment may receive, the rate model never serves a replica faster than
at the smallest mean request (the shortest prompt and answer among its tiers) with no
latency promised: a longer request leaves less memory for the batch and makes each step
slower; a latency only caps the batch further (`tier_work`). So P(S) / R(S) ≥ ω(S), the
*work* of the set, a sum over its tiers of w_t (see `tier_work`). The costs below are
functions of ω alone:

- Φ(ω): the exact step cost of §3 and §6 (replicas each month, whole instances, the
  cheapest placement) at work ω. Φ(ω(S)) ≤ the cost of S, and Φ never falls as ω grows.
- κ ψ(ω): a convex piecewise-linear floor under Φ (fractional replicas, no whole instances,
  the cheapest GPU-month among the placements), whose increments add up across tiers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from crossover.engine.constants import HOURS_PER_MONTH, SECONDS_PER_DAY, TOKENS_PER_MTOK
from crossover.engine.rates import DoesNotFitError, LatencyUnreachableError, RequestShape
from crossover.engine.scenarios import CostModel
from crossover.engine.sizing import WHOLE_TOLERANCE

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

SAFETY = 1e-9
"""Relative: work is shrunk by this before any bound is read, so that the exact cost, summed
in another order, can never fall below its bound by a last bit of floating-point noise."""
MAX_STEPS = 8192
"""Most steps tabled for Φ; beyond, Φ is tabled on an even grid, each step its left end."""
CHUNK = 512
"""Work levels priced at once when tabling Φ (memory: CHUNK × months × placements)."""


def whole_array(x: FloatArray) -> IntArray:
    """sizing.whole, element-wise: ceil tolerant of the last bit of floating-point noise."""
    tolerance = WHOLE_TOLERANCE * np.maximum(1.0, np.abs(x))
    return np.ceil(x - tolerance).astype(np.int64)


@dataclass(frozen=True)
class Pricing:
    """What turns replicas needed into money for one deployment: its placements, all at once."""

    gpus_per_replica: int
    gpus_per_instance: IntArray
    """Per placement: GPUs that come together on one machine (k)."""
    gpu_hour_usd: FloatArray
    """Per placement: USD per GPU-hour."""
    redundancy: int
    overhead: float
    """1 + the infrastructure overhead fraction."""

    def costs(self, need: FloatArray) -> tuple[FloatArray, FloatArray, IntArray]:
        """Horizon cost, month-0 cost and month-0 billed GPUs per row of need and placement.

        need[row, month] is D_peak × growth^m / (R × u_max); replicas are
        max(1, ceil(need)) + redundancy, billed as ceil(GPUs / k) × k.
        """
        replicas = np.maximum(1, whole_array(need)) + self.redundancy
        gpus = replicas * self.gpus_per_replica
        k = self.gpus_per_instance
        billed = whole_array(gpus[:, :, None] / k) * k  # [row, month, placement]
        monthly = billed * self.gpu_hour_usd * HOURS_PER_MONTH * self.overhead
        return monthly.sum(axis=1), monthly[:, 0, :], billed[:, 0, :]

    @property
    def gpu_month_floor_usd(self) -> float:
        """κ: the cheapest GPU-month among the placements, times GPUs per replica."""
        cheapest = float(self.gpu_hour_usd.min()) * HOURS_PER_MONTH * self.overhead
        return cheapest * self.gpus_per_replica


def tier_work(
    model: CostModel,
    deployment_id: str,
    names: Sequence[str],
    peak_tps: FloatArray,
) -> tuple[FloatArray, BoolArray]:
    """w_t per tier, with Σ_{t∈S} w_t ≤ P(S) / R(S) for every set S of these tiers; and which
    tiers can be in a set the deployment serves at all.

    `names` are the tiers the deployment may receive (its universe); `peak_tps` their peak
    demand. A set's mean request is at least the smallest request among the universe (the
    shortest prompt, the shortest answer), and its latency at least as strict as each of its
    tiers'. What that rests on in the rate model: the KV cache a request holds and a decode
    step's time grow with the request; the batch is capped by memory, by the engine and by
    the latency; a step of b sequences takes no less than b/(b+1) of a step of b + 1 (so
    more sequences never decode slower). Then:

    - where even one sequence of the smallest request does not fit, or misses tier t's own
      latency, no set holding t can be served (False for t);
    - the decode rate D(S) of any set is at most D̄, the rate at the smallest request with
      no latency promised (a latency only caps the batch further).

    R(S) = 1 / (s/F + (1 − s)/D(S)), with s the set's input share and F the prefill rate (the
    same at every request). With h_t = s_t/F + (1 − s_t)/D̄ and ρ_t the tier's peak per
    average token (peak_to_average, or 1 for batch work), P(S)/R(S) ≥
    (Σ ρ_t a_t)(Σ a_t h_t)/(Σ a_t) over the tiers' token rates a_t, which is at least
    Σ ρ_min a_t h_t and at least Σ h_min ρ_t a_t: the larger of the two over the universe
    is used (the first is the exact work where the tiers share ρ and D(S) = D̄).
    """
    shapes = [model.shapes[n].shape for n in names]
    dep = model.deployments[deployment_id]
    n = dep.gpus_per_replica
    inputs = np.array([model.volumes[t].input_mtok_per_day for t in names])
    totals = np.array([model.volumes[t].total for t in names])
    share = np.divide(inputs, totals, out=np.zeros_like(totals), where=totals > 0)
    smallest_input = min(s.input_tokens for s in shapes)
    smallest_output = min(s.output_tokens for s in shapes)
    served = np.ones(len(names), dtype=bool)
    for latency in {s.tpot_ms for s in shapes}:
        try:
            dep.rates_for(RequestShape(smallest_input, smallest_output, latency))
        except (DoesNotFitError, LatencyUnreachableError):
            served &= np.array([s.tpot_ms != latency for s in shapes])
    if not served.any():
        return np.zeros(len(names)), served
    # The rate with no latency promised: the batch memory and the engine allow at the
    # smallest request. A latency only caps the batch further.
    rates = dep.rates_for(RequestShape(smallest_input, smallest_output, None))
    if rates.prefill_tps_per_gpu is not None and rates.decode_tps_per_gpu is not None:
        prefill = rates.prefill_tps_per_gpu * n
        per_token = share / prefill + (1 - share) / (rates.decode_tps_per_gpu * n)
    else:
        assert rates.tps_per_gpu is not None
        per_token = np.full(len(names), 1 / (rates.tps_per_gpu * n))
    busy = (totals > 0) & served
    if not busy.any():
        return np.zeros(len(names)), served
    average = totals * TOKENS_PER_MTOK / SECONDS_PER_DAY
    rho = np.divide(peak_tps, average, out=np.ones_like(average), where=busy)
    by_rho = rho[busy].min() * average * per_token
    by_share = per_token[busy].min() * peak_tps
    work = by_rho if by_rho[busy].sum() >= by_share[busy].sum() else by_share
    return np.where(busy, work, 0.0), served


class Psi:
    """ψ(ω) = redundancy × months + Σ_m max(1, ω g_m / u): replicas-months, fractional.

    Convex and piecewise linear in ω, so κ ψ(ω + x) − κ ψ(ω) is superadditive in x: the
    increments of several tiers added one by one never exceed the increment of them together.
    """

    def __init__(self, factors: FloatArray, u_max: float, redundancy: int) -> None:
        self.slopes = factors / u_max
        self.knees = np.sort(np.unique(1 / self.slopes))
        self.base = float(redundancy * len(factors))
        points = np.concatenate(([0.0], self.knees))
        self.points = points
        self.values = self._exact(points)
        self.last = float(points[-1])
        self.slope = float(self.slopes.sum())
        # Per month its knee u / g_m, sorted, and the slope gathered up to each.
        order = np.argsort(1 / self.slopes, kind="stable")
        self.sorted_knees = (1 / self.slopes)[order]
        self.cumulative = np.concatenate(([0.0], np.cumsum(self.slopes[order])))

    def _exact(self, omega: FloatArray) -> FloatArray:
        replicas: FloatArray = np.maximum(1.0, np.multiply.outer(omega, self.slopes))
        found: FloatArray = self.base + replicas.sum(axis=-1)
        return found

    def slope_at(self, omega: FloatArray) -> FloatArray:
        """ψ's slope just right of each ω (shrunk by SAFETY, as ψ is read): Σ of g_m / u over
        the months whose replicas are above the floor of one, so ψ(ω + x) ≥ ψ(ω) + slope × x."""
        index = np.searchsorted(self.sorted_knees, omega * (1 - SAFETY), side="right")
        found: FloatArray = self.cumulative[index]
        return found

    def __call__(self, omega: FloatArray) -> FloatArray:
        omega = omega * (1 - SAFETY)
        inside = np.interp(omega, self.points, self.values)
        beyond = self.values[-1] + (omega - self.last) * self.slope
        return np.where(omega > self.last, beyond, inside)


@dataclass(frozen=True)
class StepTable:
    """Φ tabled: Φ(ω) ≥ values[i] for every ω > lows[i]; values never fall."""

    lows: FloatArray
    values: FloatArray

    def __call__(self, omega: FloatArray) -> FloatArray:
        index = np.searchsorted(self.lows, omega * (1 - SAFETY), side="left") - 1
        return self.values[np.maximum(index, 0)]

    @property
    def floor(self) -> float:
        """Φ(0): one replica (plus redundancy) every month, what any non-empty set costs at least."""
        return float(self.values[0])


def step_table(pricing: Pricing, factors: FloatArray, u_max: float, most_work: float) -> StepTable:
    """Φ on every step up to `most_work`: where any month's replica count goes up.

    At work ω, month m needs ceil(ω g_m / u) replicas, which steps at ω = j u / g_m; between
    two steps Φ is constant, so its value at a step's right end holds back to the step before.
    Where the steps would exceed MAX_STEPS, an even grid instead, each cell at its left end
    (a lower value, as Φ never falls).
    """
    slopes = factors / u_max
    top = most_work * (1 + 1e-6) + 1e-12
    counts = np.floor(top * slopes) + 1
    if counts.sum() <= MAX_STEPS:
        steps = np.unique(
            np.concatenate([np.arange(1, c + 1) / s for c, s in zip(counts, slopes, strict=True)])
        )
        values = _phi(pricing, steps, factors, u_max)
        lows = np.concatenate(([-np.inf], steps[:-1]))
    else:
        grid = np.linspace(0.0, top, MAX_STEPS)
        values = _phi(pricing, grid, factors, u_max)
        lows = np.concatenate(([-np.inf], grid[1:]))
    return StepTable(lows, np.maximum.accumulate(values))


def _phi(pricing: Pricing, omega: FloatArray, factors: FloatArray, u_max: float) -> FloatArray:
    """Φ at each work level: the cheapest placement's horizon cost."""
    found = []
    for start in range(0, len(omega), CHUNK):
        need = np.outer(omega[start : start + CHUNK], factors) / u_max
        horizon, _, _ = pricing.costs(need)
        found.append(horizon.min(axis=1))
    return np.concatenate(found) if found else np.zeros(0)

"""A self-hosted deployment: memory fit, serving rate, replicas, GPUs and their cost (economics §3)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import lru_cache

from crossover.catalogue import Catalogue, Gpu, Instance, OpenModel
from crossover.engine.api_cost import TierVolume, close_matches, tier_volume
from crossover.engine.constants import (
    COMFORTABLE_FIT,
    HOURS_PER_MONTH,
    MAX_FIT,
    SECONDS_PER_DAY,
    TOKENS_PER_MTOK,
)
from crossover.engine.instances import (
    Placement,
    is_searched,
    no_placement,
    placements,
)
from crossover.engine.rates import (
    GB,
    Band,
    DoesNotFitError,
    Efficiency,
    ErrorSummary,
    LatencyUnreachableError,
    NoComputeRateError,
    Replica,
    RequestShape,
    calibrate,
    default_gpus_per_replica,
    serving_rate,
    weight_gb,
)
from crossover.engine.replica_size import (
    SizeTried,
    best_size,
    closest_to_bound,
    sizes_to_try,
    try_sizes,
)
from crossover.engine.results import GpuPriceSource, GpusPerReplicaSource, RateError, Rates
from crossover.engine.shapes import TierShape, tier_shapes
from crossover.problem_facts import (
    InstanceGpuMismatch,
    LatencyUnreachable,
    MemoryTight,
    NoComputeRate,
    NoMemoryFit,
    ProblemFacts,
    Reach,
    RequestDoesNotFit,
    TpotUnreachable,
    UnknownGpu,
    UnknownInstance,
    UnknownOpenModel,
    WeightsDoNotFit,
)
from crossover.scenario import (
    Compliance,
    Deployment,
    Engine,
    Operations,
    Precision,
    PricePlan,
    Problem,
    Scenario,
    Tier,
)

ReplicaSizeReason = GpusPerReplicaSource
"""Why a deployment's replica has its GPUs (engine.results.GpusPerReplicaSource)."""


@dataclass(frozen=True)
class ModelledRates:
    """What the rate model needs to rate a replica for any request shape (economics §3a)."""

    replica: Replica
    efficiency: Efficiency
    error: ErrorSummary
    engine: Engine
    measured_alike: int
    """Published runs on the same GPU at the same weight precision."""
    bands: tuple[Band, Band] | None = None
    """Held-out bands for this engine and GPU vendor: throughput-bound, latency-bound."""


@dataclass(frozen=True)
class ResolvedDeployment:
    """A deployment with every catalogue look-up done: what does not depend on volume."""

    spec: Deployment
    model: OpenModel
    gpu: Gpu
    instance: Instance | None
    """None where the client prices the GPU itself and the catalogue rents none."""
    weight_gb: float
    gpus_per_replica: int
    gpus_per_replica_reason: ReplicaSizeReason
    supplied_rates: Rates | None
    """The client's own rates, which win; None: the rate model's."""
    modelled: ModelledRates | None
    gpu_hour_price_usd: float
    gpu_hour_price_source: GpuPriceSource
    gpus_per_instance: int
    price_plan: PricePlan
    options: tuple[Placement, ...]
    """Where it may run (economics §7a); the fields above hold the placement in use."""
    throughput_factor: float = field(default=1.0)
    """A multiplier on every rate (the sensitivity and the simulation move it)."""

    def placed(self, placement: Placement) -> ResolvedDeployment:
        """The same deployment on another instance and price plan."""
        return replace(
            self,
            instance=placement.instance,
            gpu_hour_price_usd=placement.gpu_hour_price_usd,
            gpu_hour_price_source=placement.gpu_hour_price_source,
            gpus_per_instance=placement.gpus_per_instance,
            price_plan=placement.price_plan,
        )

    @property
    def placement(self) -> Placement:
        return Placement(
            self.instance,
            self.price_plan,
            self.gpu_hour_price_usd,
            self.gpu_hour_price_source,
            self.gpus_per_instance,
        )

    @property
    def memory_fit_ratio(self) -> float:
        return self.weight_gb / (self.gpus_per_replica * self.gpu.vram_gb)

    def rates_for(self, shape: RequestShape) -> Rates:
        """The rates per GPU at this request shape: the client's, or the rate model's."""
        if self.supplied_rates is not None:
            rates = self.supplied_rates
        else:
            assert self.modelled is not None
            rates = _modelled_rates(self.modelled, shape)
        if self.throughput_factor == 1.0:
            return rates
        return rates.scaled(self.throughput_factor)

    def replica_tps(self, rates: Rates, input_share: float) -> float:
        """R: tokens/s per replica at a mix with this share of input tokens.

        With prefill and decode rates, R = (I + O) / (I/prefill + O/decode): input tokens are
        far cheaper to process than output tokens. Per-GPU rates scale linearly with n.
        """
        n = self.gpus_per_replica
        if rates.prefill_tps_per_gpu is not None and rates.decode_tps_per_gpu is not None:
            prefill = rates.prefill_tps_per_gpu * n
            decode = rates.decode_tps_per_gpu * n
            return 1 / (input_share / prefill + (1 - input_share) / decode)
        assert rates.tps_per_gpu is not None
        return rates.tps_per_gpu * n

    @property
    def replica_hour_usd(self) -> float:
        return self.gpu_hour_price_usd * self.gpus_per_replica


@lru_cache(maxsize=4096)
def _modelled_rates(modelled: ModelledRates, shape: RequestShape) -> Rates:
    """The rate model's rates per GPU for one replica and shape (cached: the search asks often)."""
    rate = serving_rate(modelled.replica, modelled.efficiency, shape)
    n = modelled.replica.gpus
    error = modelled.error
    return Rates(
        prefill_tps_per_gpu=rate.prefill_tps / n,
        decode_tps_per_gpu=rate.decode_tps / n,
        tps_per_gpu=None,
        kind="modelled",
        source="rate model (economics §3a) calibrated on the catalogue's measurements",
        as_of=None,
        input_tokens_per_request=shape.input_tokens,
        output_tokens_per_request=shape.output_tokens,
        tpot_target_ms=shape.tpot_ms,
        batch=rate.batch,
        batch_limited_by=rate.batch_limited_by,
        tpot_ms=rate.tpot_ms,
        ttft_s=rate.ttft_s,
        error=rate_error(
            error,
            modelled.engine,
            modelled.measured_alike,
            _band(modelled.bands, rate.batch_limited_by),
        ),
    )


def _band(bands: tuple[Band, Band] | None, limited_by: str) -> Band | None:
    """The band of the regime this rate is in: latency-bound where the latency bound or the
    requests in flight set the batch, else throughput-bound."""
    if bands is None:
        return None
    return bands[1] if limited_by in ("latency", "concurrency") else bands[0]


def rate_error(
    error: ErrorSummary, engine: Engine, measured_alike: int, band: Band | None = None
) -> RateError:
    """The calibration error a modelled rate states, as results carry it."""
    return RateError(
        band_factor=band.factor if band else None,
        band_rows=band.rows if band else 0,
        band_engine=band.engine if band else None,
        band_vendor=band.vendor if band else None,
        band_regime=band.regime if band else None,
        engine=engine,
        measurements=error.measurements,
        median_error_factor=error.median_factor,
        worst_error_factor=error.worst_factor,
        left_out_median_error_factor=error.left_out_median_factor,
        left_out_worst_error_factor=error.left_out_worst_factor,
        measured_alike=measured_alike,
    )


def measured_alike(catalogue: Catalogue, gpu: str, precision: Precision) -> int:
    """Published runs on this GPU at this weight precision (0: a rate here is extrapolated)."""
    return sum(1 for m in catalogue.measurements if m.gpu == gpu and m.precision == precision)


@dataclass(frozen=True)
class Load:
    """A deployment's daily volume, split by how it may be scheduled, and its request shape."""

    realtime_input: float = 0.0
    realtime_output: float = 0.0
    batch_input: float = 0.0
    batch_output: float = 0.0
    requests: float = 0.0
    """Millions of requests a day: (I_t + O_t) / (i_t + o_t) summed over the tiers."""
    request_input_tokens: float = 0.0
    """Σ requests_t × i_t: with `requests`, the request-weighted mean prompt."""
    request_output_tokens: float = 0.0
    tpot_ms: float | None = None
    """The strictest latency promised among the tiers; None when every tier is batch."""

    @property
    def input_mtok(self) -> float:
        return self.realtime_input + self.batch_input

    @property
    def output_mtok(self) -> float:
        return self.realtime_output + self.batch_output

    @property
    def total_mtok(self) -> float:
        return self.input_mtok + self.output_mtok

    @property
    def shape(self) -> RequestShape | None:
        """The request-weighted mean shape and the strictest latency (economics §3a); None for
        an empty load."""
        if self.requests <= 0:
            return None
        return RequestShape(
            self.request_input_tokens / self.requests,
            self.request_output_tokens / self.requests,
            self.tpot_ms,
        )

    def scaled(self, factor: float) -> Load:
        """The same tiers at `factor` times the volume: the shape does not change."""
        return Load(
            self.realtime_input * factor,
            self.realtime_output * factor,
            self.batch_input * factor,
            self.batch_output * factor,
            self.requests * factor,
            self.request_input_tokens * factor,
            self.request_output_tokens * factor,
            self.tpot_ms,
        )

    def __add__(self, other: Load) -> Load:
        targets = [t for t in (self.tpot_ms, other.tpot_ms) if t is not None]
        return Load(
            self.realtime_input + other.realtime_input,
            self.realtime_output + other.realtime_output,
            self.batch_input + other.batch_input,
            self.batch_output + other.batch_output,
            self.requests + other.requests,
            self.request_input_tokens + other.request_input_tokens,
            self.request_output_tokens + other.request_output_tokens,
            min(targets) if targets else None,
        )


def demand_tps(load: Load, peak_to_average: float) -> tuple[float, float]:
    """(D_avg, D_peak) in tokens/s: realtime work peaks, batch work runs flat."""
    to_tps = TOKENS_PER_MTOK / SECONDS_PER_DAY
    realtime = (load.realtime_input + load.realtime_output) * to_tps
    batch = (load.batch_input + load.batch_output) * to_tps
    return realtime + batch, realtime * peak_to_average + batch


WHOLE_TOLERANCE = 1e-12
"""Relative: far above float noise (~1e-16), far below any real demand difference."""


def whole(x: float) -> int:
    """ceil, tolerant of the last bit of floating-point noise (3.0000000000004 is 3)."""
    return math.ceil(x - WHOLE_TOLERANCE * max(1.0, abs(x)))


def replicas_needed(peak_tps: float, replica_tps: float, ops: Operations) -> int:
    """max(1, ceil(D_peak / (R × u_max))) + redundancy."""
    u_max = ops.target_peak_utilisation_pct / 100
    return max(1, whole(peak_tps / (replica_tps * u_max))) + ops.redundancy


def billed_gpus(replicas: int, dep: ResolvedDeployment) -> int:
    """Whole instances: ceil(gpus / k) × k."""
    k = dep.gpus_per_instance
    return whole(replicas * dep.gpus_per_replica / k) * k


def gpu_month_usd(billed: int, dep: ResolvedDeployment) -> float:
    return billed * dep.gpu_hour_price_usd * HOURS_PER_MONTH


def mtok_per_hour(tps: float) -> float:
    """Millions of tokens an hour at a rate in tokens/s."""
    return tps * 3600 / TOKENS_PER_MTOK


def cost_per_mtok(hourly_usd: float, utilisation: float, tps: float) -> float:
    """The article's formula: hourly cost / (u × R × 3600 / 10^6)."""
    return hourly_usd / (utilisation * mtok_per_hour(tps))


def break_even_utilisation(hourly_usd: float, api_usd_per_mtok: float, tps: float) -> float:
    """The average utilisation at which cost_per_mtok equals the API's blended price."""
    return hourly_usd / (api_usd_per_mtok * mtok_per_hour(tps))


def resolve_deployments(
    scenario: Scenario, catalogue: Catalogue
) -> tuple[dict[str, ResolvedDeployment], list[Problem]]:
    """Look every deployment up in the catalogue; collect what cannot be resolved."""
    resolved: dict[str, ResolvedDeployment] = {}
    problems: list[Problem] = []
    shapes = tier_shapes(scenario)
    for i, spec in enumerate(scenario.deployments):
        loads = served_loads(scenario, spec.deployment, shapes)
        outcome = _resolve(i, spec, catalogue, scenario, loads)
        if isinstance(outcome, ResolvedDeployment):
            resolved[spec.deployment] = outcome
            problems += _fit_warning(i, outcome)
            sizes = _held_sizes(outcome, catalogue, scenario.operations, scenario.compliance)
            problems += _request_problems(i, outcome, scenario.tiers, shapes, catalogue, sizes)
        else:
            problems += outcome
    return resolved, problems


def served_loads(
    scenario: Scenario, deployment_id: str, shapes: dict[str, TierShape]
) -> list[Load]:
    """What a deployment may serve, at today's volume: the tiers proposed to it and those
    naming it a candidate (every tier where none names it) together, then each alone where
    there are several (a plan may send it any of them)."""
    tiers = [
        t for t in scenario.tiers if t.deployment == deployment_id or deployment_id in t.options
    ] or list(scenario.tiers)
    alone = [tier_load(scenario, t, shapes[t.tier].shape) for t in tiers]
    return [sum(alone, Load()), *(alone if len(alone) > 1 else [])]


def tier_load(scenario: Scenario, tier: Tier, shape: RequestShape) -> Load:
    """One tier's daily volume, realtime or batch, and its requests (tokens ÷ tokens per
    request) at its request shape and latency."""
    return volume_load(tier_volume(scenario, tier), tier.api_mode == "batch", shape)


def volume_load(volume: TierVolume, batch: bool, shape: RequestShape) -> Load:
    """A tier's daily volume as load: realtime or batch, and its requests at its shape."""
    requests = volume.total / shape.tokens
    return Load(
        realtime_input=0.0 if batch else volume.input_mtok_per_day,
        realtime_output=0.0 if batch else volume.output_mtok_per_day,
        batch_input=volume.input_mtok_per_day if batch else 0.0,
        batch_output=volume.output_mtok_per_day if batch else 0.0,
        requests=requests,
        request_input_tokens=requests * shape.input_tokens,
        request_output_tokens=requests * shape.output_tokens,
        tpot_ms=shape.tpot_ms,
    )


def _resolve(
    i: int,
    spec: Deployment,
    catalogue: Catalogue,
    scenario: Scenario,
    loads: list[Load],
) -> ResolvedDeployment | list[Problem]:
    """The deployment looked up and its replica sized for the loads it may serve."""
    operations, compliance = scenario.operations, scenario.compliance

    def problem(field: str, facts: ProblemFacts) -> Problem:
        return Problem(loc=("deployments", i, field), facts=facts)

    problems = []
    model = catalogue.models.get(spec.model)
    gpu = catalogue.gpus.get(spec.gpu)
    if model is None:
        problems.append(
            problem(
                "model",
                UnknownOpenModel(
                    model=spec.model,
                    close=close_matches(spec.model, sorted(catalogue.models)),
                    known=sorted(catalogue.models),
                ),
            )
        )
    if gpu is None:
        problems.append(
            problem(
                "gpu",
                UnknownGpu(
                    gpu=spec.gpu,
                    close=close_matches(spec.gpu, sorted(catalogue.gpus)),
                    known=sorted(catalogue.gpus),
                ),
            )
        )
    instance = None
    if spec.instance is not None:
        instance = catalogue.instances.get(spec.instance)
        if instance is None:
            problems.append(
                problem(
                    "instance",
                    UnknownInstance(
                        instance=spec.instance,
                        close=close_matches(spec.instance, sorted(catalogue.instances)),
                    ),
                )
            )
        elif gpu is not None and instance.gpu != gpu.id:
            problems.append(
                problem(
                    "instance",
                    InstanceGpuMismatch(
                        instance=instance.id, instance_gpu=instance.gpu, gpu=gpu.id
                    ),
                )
            )
    if model is None or gpu is None or problems:
        return problems

    weights = weight_gb(model, spec.precision)
    n: int
    if spec.gpus_per_replica is not None:
        n = spec.gpus_per_replica
        if weights > MAX_FIT * n * gpu.vram_gb:
            problems.append(
                problem(
                    "gpus_per_replica",
                    WeightsDoNotFit(
                        model_name=model.name,
                        precision=spec.precision,
                        weights_gb=weights,
                        gpus_per_replica=n,
                        vram_gb=gpu.vram_gb,
                    ),
                )
            )
    else:
        fitted = default_gpus_per_replica(weights, gpu.vram_gb)
        if fitted is None:
            problems.append(
                problem(
                    "gpu",
                    NoMemoryFit(
                        model_name=model.name,
                        precision=spec.precision,
                        weights_gb=weights,
                        gpu_name=gpu.name,
                        vram_gb=gpu.vram_gb,
                    ),
                )
            )
            return problems
        n = fitted

    supplied = _supplied_rates(spec)
    reason: ReplicaSizeReason = "memory_fit" if spec.gpus_per_replica is None else "workbook"
    modelled = None
    try:
        if supplied is None and spec.gpus_per_replica is None:
            n, reason = _size_for(spec, catalogue, model, gpu, scenario, loads)
        if supplied is None:
            modelled = _modelled(spec, catalogue, model, gpu, n)
    except NoComputeRateError as e:
        problems.append(
            problem(
                "precision",
                NoComputeRate(gpu_name=gpu.name, compute=e.compute, precision=spec.precision),
            )
        )
    options = placements(spec, n, catalogue, operations, compliance)
    if not options:
        field_name = "instance" if is_searched(spec) else "gpu_hour_price"
        problems.append(
            problem(field_name, no_placement(spec, n, catalogue, operations, compliance))
        )
    if problems or not options:
        return problems
    first = options[0]
    return ResolvedDeployment(
        spec=spec,
        model=model,
        gpu=gpu,
        instance=first.instance,
        weight_gb=weights,
        gpus_per_replica=n,
        gpus_per_replica_reason=reason,
        supplied_rates=supplied,
        modelled=modelled,
        gpu_hour_price_usd=first.gpu_hour_price_usd,
        gpu_hour_price_source=first.gpu_hour_price_source,
        gpus_per_instance=first.gpus_per_instance,
        price_plan=first.price_plan,
        options=tuple(options),
    )


def _size_for(
    spec: Deployment,
    catalogue: Catalogue,
    model: OpenModel,
    gpu: Gpu,
    scenario: Scenario,
    loads: list[Load],
) -> tuple[int, ReplicaSizeReason]:
    """The replica size whose replicas serve the loads' peaks for the least an hour, spares and
    whole machines included, then the one with the most output per GPU (economics §3a); the
    smallest the memory-fit rule allows where no larger one does better or none meets the
    latency (the request checks then say why).

    `loads`: every tier it may serve together, then each alone (see served_loads): a plan may
    send it any of them, and one size serves them all. Sizes run from that smallest up to 8
    GPUs, among those a machine the deployment may be placed on holds whole (a replica never
    spans machines). Each is rated at the tiers' mean request and strictest latency, and
    priced on its cheapest placement. At a large load the cheapest is the size of the highest
    rate per GPU (on machines priced alike per GPU); at a small one, a large replica's higher
    rate per GPU is idle capacity.
    """
    operations, compliance = scenario.operations, scenario.compliance
    sizes = sizes_to_try(weight_gb(model, spec.precision), gpu)
    smallest = sizes[0]
    if not all(
        math.isfinite(demand_tps(load, scenario.workload.peak_to_average)[1]) for load in loads
    ):
        # A volume beyond what the tool computes with is refused by the checks: it is not sized.
        return smallest, "memory_fit"
    shape = loads[0].shape
    if shape is None:
        return smallest, "memory_fit"
    held = [n for n in sizes if n == smallest or _holds(spec, n, catalogue, operations, compliance)]
    peak_to_average = scenario.workload.peak_to_average

    def replica_tps(size: SizeTried, load: Load) -> float:
        """R at the load's mix (economics §3), as the plans are costed."""
        assert size.rate is not None
        share = load.input_mtok / load.total_mtok
        return 1 / (share / size.rate.prefill_tps + (1 - share) / size.rate.decode_tps)

    def hourly_usd(size: SizeTried) -> float:
        """The loads' replicas on the size's cheapest placement: whole machines, USD an hour."""
        n = size.gpus
        options = [
            p
            for p in placements(spec, n, catalogue, operations, compliance)
            if n == smallest or p.gpus_per_instance % n == 0
        ]
        total = 0.0
        for load in loads:
            if load.total_mtok <= 0:
                continue
            peak = demand_tps(load, peak_to_average)[1]
            replicas = replicas_needed(peak, replica_tps(size, load), operations)
            total += min(
                (
                    whole(replicas * n / p.gpus_per_instance)
                    * p.gpus_per_instance
                    * p.gpu_hour_price_usd
                    for p in options
                ),
                default=math.inf,
            )
        return total

    best = best_size(
        _tried(spec, catalogue, model, gpu, shape, held),
        lambda t: replica_tps(t, loads[0]) / t.gpus,
        hourly_usd,
    )
    if best is None or best.gpus == smallest:
        return smallest, "memory_fit"
    return best.gpus, "least_cost"


def _holds(
    spec: Deployment,
    n: int,
    catalogue: Catalogue,
    operations: Operations,
    compliance: Compliance,
) -> bool:
    """Some machine the deployment may be placed on holds a whole replica of n GPUs."""
    return any(
        p.gpus_per_instance % n == 0 for p in placements(spec, n, catalogue, operations, compliance)
    )


def _held_sizes(
    dep: ResolvedDeployment, catalogue: Catalogue, operations: Operations, compliance: Compliance
) -> list[int]:
    """The replica sizes this deployment could have: its own, and those from the memory-fit
    rule's smallest up to 8 that a machine holds whole."""
    sizes = sizes_to_try(dep.weight_gb, dep.gpu)
    others = [n for n in sizes if _holds(dep.spec, n, catalogue, operations, compliance)]
    return sorted({dep.gpus_per_replica, *others})


def _tried(
    spec: Deployment,
    catalogue: Catalogue,
    model: OpenModel,
    gpu: Gpu,
    shape: RequestShape,
    sizes: list[int],
) -> list[SizeTried]:
    """The rate model at each replica size for this deployment's engine and shape."""
    efficiency = calibrate(catalogue).efficiency(spec.engine, gpu.vendor)
    engine = catalogue.engines[spec.engine]
    return try_sizes(
        model, spec.precision, gpu, engine, spec.kv_precision, efficiency, shape, sizes
    )


def _supplied_rates(spec: Deployment) -> Rates | None:
    """The client's own rates, which win over the rate model's (economics §3)."""
    if spec.prefill_tps_per_gpu is None and spec.tps_per_gpu is None:
        return None
    return Rates(
        prefill_tps_per_gpu=spec.prefill_tps_per_gpu,
        decode_tps_per_gpu=spec.decode_tps_per_gpu,
        tps_per_gpu=None if spec.prefill_tps_per_gpu is not None else spec.tps_per_gpu,
        kind="client-supplied",
        source="the client's workbook",
        as_of=None,
    )


def _modelled(
    spec: Deployment, catalogue: Catalogue, model: OpenModel, gpu: Gpu, n: int
) -> ModelledRates:
    """The rate model for this replica and engine, with the engine's calibration error."""
    calibration = calibrate(catalogue)
    replica = Replica.of(
        model, spec.precision, gpu, n, catalogue.engines[spec.engine], spec.kv_precision
    )
    return ModelledRates(
        replica=replica,
        efficiency=calibration.efficiency(spec.engine, gpu.vendor),
        error=calibration.error(spec.engine),
        engine=spec.engine,
        measured_alike=measured_alike(catalogue, gpu.id, spec.precision),
        bands=(
            calibration.band(spec.engine, gpu.vendor, "throughput"),
            calibration.band(spec.engine, gpu.vendor, "latency"),
        ),
    )


def _request_problems(
    i: int,
    dep: ResolvedDeployment,
    tiers: list[Tier],
    shapes: dict[str, TierShape],
    catalogue: Catalogue,
    sizes: list[int],
) -> list[Problem]:
    """Each tier that may be served here must fit one request, and its latency be reachable.

    A deployment no tier names is an option for any tier: every tier's requests must fit it
    (whether it meets a tier's latency only decides where that tier may go). A latency missed
    names the replica size that meets it, or the one that comes closest (`sizes`: those the
    deployment could have).
    """
    if dep.modelled is None:
        return []
    replica, efficiency = dep.modelled.replica, dep.modelled.efficiency.on(dep.modelled.replica)
    named = any(dep.spec.deployment in tier.options for tier in tiers)
    problems = []
    for t, tier in enumerate(tiers):
        own = tier.deployment == dep.spec.deployment
        if named and dep.spec.deployment not in tier.options:
            continue
        shape = shapes[tier.tier].shape
        if not named:
            shape = RequestShape(shape.input_tokens, shape.output_tokens, None)
        try:
            serving_rate(replica, efficiency, shape)
        except DoesNotFitError as e:
            problems.append(
                Problem(
                    loc=("deployments", i, "gpus_per_replica"),
                    facts=RequestDoesNotFit(
                        tier=tier.tier,
                        deployment=dep.spec.deployment,
                        context_tokens=e.context_tokens,
                        needed_gb=e.needed_bytes / GB,
                        left_gb=max(0.0, e.kv_budget_bytes) / GB,
                        gpus_per_replica=dep.gpus_per_replica,
                        vram_gb=dep.gpu.vram_gb,
                    ),
                )
            )
        except LatencyUnreachableError as e:
            tried = _tried(dep.spec, catalogue, dep.model, dep.gpu, shape, sizes)
            latency = {
                "tier": tier.tier,
                "deployment": dep.spec.deployment,
                "tpot_ms": e.tpot_ms,
                "best_ms": e.best_ms,
                "gpus_per_replica": dep.gpus_per_replica,
                "gpu": dep.gpu.id,
                "reach": _reach(tried, shape, dep),
            }
            # Its own deployment missing the tier's latency is an error; a candidate's, a
            # warning (the plans leave it out).
            problems.append(
                Problem(
                    loc=("tiers", t, "tpot_ms"),
                    facts=TpotUnreachable.model_validate(latency),
                )
                if own
                else Problem(
                    loc=("tiers", t, "candidates"),
                    severity="warning",
                    code="latency_unreachable",
                    facts=LatencyUnreachable.model_validate(latency),
                )
            )
    return problems


def _reach(tried: list[SizeTried], shape: RequestShape, dep: ResolvedDeployment) -> Reach:
    """What reaches a latency this replica misses: the size serving the most per GPU among
    those that meet it, else the size that comes closest (none where it is the only size)."""
    best = best_size(tried, lambda t: t.per_gpu(shape))
    if best is not None:
        return Reach(meets_gpus=best.gpus, meets_per_gpu_tps=best.per_gpu(shape))
    closest = closest_to_bound(tried)
    sizes = [t.gpus for t in tried]
    if closest is None or closest.best_ms is None or sizes == [dep.gpus_per_replica]:
        return Reach(tried=sizes)
    return Reach(tried=sizes, closest_gpus=closest.gpus, closest_ms=closest.best_ms)


def _fit_warning(i: int, dep: ResolvedDeployment) -> list[Problem]:
    ratio = dep.memory_fit_ratio
    if ratio <= COMFORTABLE_FIT:
        return []
    return [
        Problem(
            loc=("deployments", i, "gpus_per_replica"),
            severity="warning",
            code="memory_tight",
            facts=MemoryTight(
                deployment=dep.spec.deployment,
                ratio=ratio,
                gpus_per_replica=dep.gpus_per_replica,
                vram_gb=dep.gpu.vram_gb,
            ),
        )
    ]

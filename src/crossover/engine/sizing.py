"""A self-hosted deployment: memory fit, serving rate, replicas, GPUs and their cost (economics §3)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from crossover.catalogue import BYTES_PER_PARAM, Catalogue, Gpu, Instance, OpenModel
from crossover.engine.api_cost import did_you_mean
from crossover.engine.constants import (
    COMFORTABLE_FIT,
    HOURS_PER_MONTH,
    MAX_FIT,
    REPLICA_SIZES,
    SECONDS_PER_DAY,
    TOKENS_PER_MTOK,
)
from crossover.engine.results import Rates
from crossover.scenario import Deployment, Operations, Problem, Scenario


@dataclass(frozen=True)
class ResolvedDeployment:
    """A deployment with every catalogue look-up done: what does not depend on volume."""

    spec: Deployment
    model: OpenModel
    gpu: Gpu
    instance: Instance
    weight_gb: float
    gpus_per_replica: int
    gpus_per_replica_supplied: bool
    rates: Rates
    gpu_hour_price_usd: float
    gpu_hour_price_source: str
    gpus_per_instance: int

    @property
    def memory_fit_ratio(self) -> float:
        return self.weight_gb / (self.gpus_per_replica * self.gpu.vram_gb)

    def replica_tps(self, input_share: float) -> float:
        """R: tokens/s per replica at a mix with this share of input tokens.

        With prefill and decode rates, R = (I + O) / (I/prefill + O/decode): input tokens are
        far cheaper to process than output tokens. Per-GPU rates scale linearly with n.
        """
        n = self.gpus_per_replica
        if self.rates.prefill_tps_per_gpu is not None and self.rates.decode_tps_per_gpu is not None:
            prefill = self.rates.prefill_tps_per_gpu * n
            decode = self.rates.decode_tps_per_gpu * n
            return 1 / (input_share / prefill + (1 - input_share) / decode)
        assert self.rates.tps_per_gpu is not None
        return self.rates.tps_per_gpu * n

    @property
    def replica_hour_usd(self) -> float:
        return self.gpu_hour_price_usd * self.gpus_per_replica


@dataclass(frozen=True)
class Load:
    """A deployment's daily volume, split by how it may be scheduled."""

    realtime_input: float = 0.0
    realtime_output: float = 0.0
    batch_input: float = 0.0
    batch_output: float = 0.0

    @property
    def input_mtok(self) -> float:
        return self.realtime_input + self.batch_input

    @property
    def output_mtok(self) -> float:
        return self.realtime_output + self.batch_output

    @property
    def total_mtok(self) -> float:
        return self.input_mtok + self.output_mtok

    def scaled(self, factor: float) -> Load:
        return Load(
            self.realtime_input * factor,
            self.realtime_output * factor,
            self.batch_input * factor,
            self.batch_output * factor,
        )

    def __add__(self, other: Load) -> Load:
        return Load(
            self.realtime_input + other.realtime_input,
            self.realtime_output + other.realtime_output,
            self.batch_input + other.batch_input,
            self.batch_output + other.batch_output,
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


def weight_gb(model: OpenModel, precision: str) -> float:
    return model.params_b * BYTES_PER_PARAM[precision]  # type: ignore[index]


def default_gpus_per_replica(weights_gb: float, vram_gb: float) -> int | None:
    """The smallest of 1, 2, 4, 8 GPUs leaving at least 40% of memory for KV cache."""
    return next((n for n in REPLICA_SIZES if weights_gb <= COMFORTABLE_FIT * n * vram_gb), None)


def resolve_deployments(
    scenario: Scenario, catalogue: Catalogue
) -> tuple[dict[str, ResolvedDeployment], list[Problem]]:
    """Look every deployment up in the catalogue; collect what cannot be resolved."""
    resolved: dict[str, ResolvedDeployment] = {}
    problems: list[Problem] = []
    for i, spec in enumerate(scenario.deployments):
        outcome = _resolve(i, spec, catalogue)
        if isinstance(outcome, ResolvedDeployment):
            resolved[spec.deployment] = outcome
            problems += _fit_warning(i, outcome)
        else:
            problems += outcome
    return resolved, problems


def _resolve(i: int, spec: Deployment, catalogue: Catalogue) -> ResolvedDeployment | list[Problem]:
    def problem(field: str, message: str) -> Problem:
        return Problem(loc=("deployments", i, field), message=message)

    problems = []
    model = catalogue.models.get(spec.model)
    gpu = catalogue.gpus.get(spec.gpu)
    if model is None:
        problems.append(
            problem(
                "model",
                f"unknown open-weight model {spec.model!r}"
                + did_you_mean(spec.model, sorted(catalogue.models))
                + f"; known: {', '.join(sorted(catalogue.models))}",
            )
        )
    if gpu is None:
        problems.append(
            problem(
                "gpu",
                f"unknown GPU {spec.gpu!r}"
                + did_you_mean(spec.gpu, sorted(catalogue.gpus))
                + f"; known: {', '.join(sorted(catalogue.gpus))}",
            )
        )
    instance = None
    if spec.instance is not None:
        instance = catalogue.instances.get(spec.instance)
        if instance is None:
            problems.append(
                problem(
                    "instance",
                    f"unknown instance {spec.instance!r}"
                    + did_you_mean(spec.instance, sorted(catalogue.instances))
                    + "; leave it blank to use the GPU's reference instance",
                )
            )
        elif gpu is not None and instance.gpu != gpu.id:
            problems.append(
                problem(
                    "instance",
                    f"instance {instance.id} has {instance.gpu} GPUs, not {gpu.id}",
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
                    f"{model.name} at {spec.precision} does not fit: its weights take "
                    f"{weights:.1f} GB, more than 90% of {n} × {gpu.vram_gb:g} GB; use more GPUs "
                    "per replica, a lower precision, or leave it blank for the memory-fit rule",
                )
            )
    else:
        fitted = default_gpus_per_replica(weights, gpu.vram_gb)
        if fitted is None:
            problems.append(
                problem(
                    "gpu",
                    f"{model.name} at {spec.precision} does not fit on 8 × {gpu.name}: its "
                    f"weights take {weights:.1f} GB and need at most 60% of the replica's "
                    f"{8 * gpu.vram_gb:g} GB; choose a larger GPU or a lower precision",
                )
            )
            return problems
        n = fitted

    instance = instance or catalogue.instance_for(gpu.id, None, n)
    rates = _rates(spec, catalogue, model, gpu, n)
    if rates is None:
        problems.append(
            problem(
                "tps_per_gpu",
                f"the catalogue has no throughput for {spec.model} at {spec.precision} on "
                f"{spec.gpu}; give prefill_tps_per_gpu and decode_tps_per_gpu (or tps_per_gpu)",
            )
        )
    price, price_source = _gpu_hour_price(spec, instance, catalogue)
    if price is None:
        problems.append(
            problem(
                "gpu_hour_price",
                f"the catalogue has no {spec.price_plan} price for {instance.id}; "
                "give gpu_hour_price or choose another price plan",
            )
        )
    if problems or rates is None or price is None:
        return problems
    return ResolvedDeployment(
        spec=spec,
        model=model,
        gpu=gpu,
        instance=instance,
        weight_gb=weights,
        gpus_per_replica=n,
        gpus_per_replica_supplied=spec.gpus_per_replica is not None,
        rates=rates,
        gpu_hour_price_usd=price,
        gpu_hour_price_source=price_source,
        gpus_per_instance=spec.gpus_per_instance or instance.gpus_per_instance,
    )


def _rates(
    spec: Deployment, catalogue: Catalogue, model: OpenModel, gpu: Gpu, n: int
) -> Rates | None:
    """Workbook rates win over the catalogue's; without a catalogue row, the roofline estimate."""
    if spec.prefill_tps_per_gpu is not None or spec.tps_per_gpu is not None:
        return Rates(
            prefill_tps_per_gpu=spec.prefill_tps_per_gpu,
            decode_tps_per_gpu=spec.decode_tps_per_gpu,
            tps_per_gpu=None if spec.prefill_tps_per_gpu is not None else spec.tps_per_gpu,
            kind="client-supplied",
            source="the client's workbook",
            as_of=None,
        )
    entry = catalogue.rate(spec.model, spec.precision, spec.gpu)
    if entry is None:
        # The estimator builds on this module's memory-fit rule, so it is imported here.
        from crossover.engine.estimator import estimated_rates

        return estimated_rates(model, spec.precision, gpu, n, catalogue)
    return Rates(
        prefill_tps_per_gpu=entry.prefill_tps_per_gpu,
        decode_tps_per_gpu=entry.decode_tps_per_gpu,
        tps_per_gpu=None,
        kind=entry.kind,
        source=entry.source,
        as_of=entry.as_of,
    )


def _gpu_hour_price(
    spec: Deployment, instance: Instance, catalogue: Catalogue
) -> tuple[float | None, str]:
    if spec.gpu_hour_price is not None:
        return spec.gpu_hour_price, "the client's workbook"
    price = catalogue.gpu_hour_price(instance, spec.price_plan)
    basis = catalogue.price_basis(instance, spec.price_plan)
    seen = f"{basis[0].source}, seen {basis[0].seen.isoformat()}" if basis else "no price"
    if spec.price_plan in ("reserved_1y", "reserved_3y"):
        plan = catalogue.price_plan(spec.price_plan, instance.cloud)
        source = (
            f"{instance.id} on-demand list price less an assumed "
            f"{plan.discount_vs_on_demand_pct:g}% {spec.price_plan} discount ({seen})"
        )
    else:
        source = f"{instance.id} {spec.price_plan.replace('_', '-')} price ({seen})"
    return price, source


def _fit_warning(i: int, dep: ResolvedDeployment) -> list[Problem]:
    ratio = dep.memory_fit_ratio
    if ratio <= COMFORTABLE_FIT:
        return []
    return [
        Problem(
            loc=("deployments", i, "gpus_per_replica"),
            severity="warning",
            message=f"{dep.spec.deployment}: weights fill {ratio:.0%} of {dep.gpus_per_replica} × "
            f"{dep.gpu.vram_gb:g} GB, leaving little room for KV cache: throughput will fall "
            "well short of the catalogue's figure",
        )
    ]

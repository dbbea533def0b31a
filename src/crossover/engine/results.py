"""The engine's output: every figure the report, the JSON and the email show, in full precision."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from crossover.engine.parts import TierPart
from crossover.engine.quality import QualityAssessment
from crossover.scenario import (
    ApiMode,
    Engine,
    KvPrecision,
    Precision,
    PricePlan,
    Problem,
    Route,
    Scenario,
    WarningCode,
    format_loc,
)

ScenarioName = Literal["api_only", "proposed", "all_self_hosted"]
"""The routings a workbook states itself (economics §4)."""
RateKind = Literal["modelled", "client-supplied"]
BatchLimit = Literal["memory", "latency", "engine", "concurrency"]
PlanName = Literal["api_only", "proposed", "best", "all_self_hosted", "alternative"]
PriceSource = Literal["catalogue", "override"]


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class InputWarning(_Result):
    """A value that reads but looks wrong: which field, which cell, and what to check."""

    field: str | None = None
    """The scenario field: 'workload.cache_hit_pct', 'tiers[2].share_pct'."""
    cell: str | None = None
    """Where in the client's workbook, when it came from one: 'Workload!C9 (cache_hit_pct)'."""
    message: str
    code: WarningCode | None = None
    """What kind of warning it is; None in results saved before warnings had kinds."""

    @classmethod
    def of(cls, problem: Problem) -> InputWarning:
        return cls(
            field=format_loc(problem.loc) or None,
            cell=problem.where,
            message=problem.message,
            code=problem.code,
        )

    def __str__(self) -> str:
        place = self.cell or self.field
        return f"{place}: {self.message}" if place else self.message


def _structured(value: object) -> object:
    """Results saved before warnings had fields held plain sentences."""
    if isinstance(value, list):
        return [{"message": item} if isinstance(item, str) else item for item in value]
    return value


GpuPriceSource = Literal["client", "catalogue"]
"""Where a GPU-hour price comes from: the client's own figure, or the catalogue (whose
provenance, a price list or an assumed discount with its date, is in the sources)."""
GpusPerReplicaSource = Literal["memory_fit", "least_cost", "workbook"]
"""Where a replica's GPUs come from: memory_fit, the smallest replica the memory allows (no
larger one serves the load for less, or the rates are the client's); least_cost, a larger one
whose higher rate per GPU serves the load for less under the latency bound (economics §3a);
workbook, the client's gpus_per_replica."""

_LEGACY_SOURCES = {
    "memory-fit rule": "memory_fit",
    "most output per dollar": "least_cost",
    "client-supplied": "workbook",
}


def _coded(value: object) -> object:
    """Results saved before the sources were codes held their words."""
    return _LEGACY_SOURCES.get(value, value) if isinstance(value, str) else value


SourceKind = Literal[
    "api_prices", "gpu", "model", "instance", "price_plan", "engine", "serving_efficiency"
]


class Sourced(_Result):
    """A catalogue figure used in the analysis, for the report's sources section (numbers only)."""

    kind: SourceKind
    subject: str
    """The catalogue id it is about: an API model, GPU, model, instance, price plan or engine."""
    name: str
    """The catalogue's own name for it (the id where the catalogue has none)."""
    figures: dict[str, float]
    """The figures, keyed by what and unit: api_prices: input_usd_per_mtok,
    cached_input_usd_per_mtok, output_usd_per_mtok; gpu: vram_gb, bandwidth_tbs; model:
    params_b, layers, kv_heads, head_dim; instance: gpus_per_instance and
    on_demand_usd_per_gpu_hour or spot_usd_per_gpu_hour (the plan's price; absent: none);
    price_plan: discount_pct, range_low_pct, range_high_pct; engine: mem_fraction (of GPU
    memory), max_batch (sequences at once on gpu_name); serving_efficiency: measurements (the
    published runs the efficiencies were fitted on)."""
    api_mode: ApiMode | None = None
    """api_prices: realtime or batch."""
    gpu_name: str | None = None
    """instance and engine: the GPU's name."""
    cloud: str | None = None
    """price_plan: the provider the discount applies to (None: every provider without its own)."""
    note: str | None = None
    """price_plan: why the stated discount is a fair assumption, as the catalogue states it."""
    source: str
    """Where the catalogue has it from, as the catalogue states it (serving_efficiency: the
    publishers of the runs)."""
    as_of: date | None
    """The day the figure was seen at its source (for a price) or gathered; None: the report
    date (the client's own figures)."""
    undated: bool = False
    """A price whose source gives no date: as_of is the day the source was read, and the
    price counts as stale whatever that day."""
    stale: bool = False
    """A price seen longer ago than the catalogue's stale age before the report date."""


class StalePrice(_Result):
    """A price the analysis used that was seen at its source long before the report date."""

    kind: SourceKind
    """The kind of the Sourced row the price is in: api_prices, instance or price_plan."""
    subject: str
    name: str
    api_mode: ApiMode | None = None
    """api_prices: realtime or batch."""
    cloud: str | None = None
    """price_plan: the provider the discount applies to."""
    gpu_name: str | None = None
    """instance: the GPU it rents."""
    source: str
    seen: date
    """The day it was seen at its source; for an undated price, the day the source was read."""
    undated: bool = False
    """The source gives no date for the price: flagged whatever its age."""
    age_days: int
    """Days from the day it was seen (or read, undated) to the report date."""
    limit_days: int
    """The catalogue's stale age: older prices are flagged."""


class TierPrices(_Result):
    """The API prices used for one tier, USD per million tokens."""

    input_per_mtok: float
    cached_input_per_mtok: float
    output_per_mtok: float
    source: PriceSource
    """catalogue, or override (the client's negotiated price)."""
    reference: str
    """Where the price comes from: the catalogue's source, or 'price override'."""
    seen: date | None = None
    """The day the catalogue's price was seen at its source; None for the client's own price."""


class TierResult(_Result):
    """One tier: its volume and what it costs on its API model."""

    tier: str
    share_pct: float
    """Its share of the whole volume, percent: as typed, or (I_t + O_t) / (I + O) × 100 where
    the tier gives its own volumes (economics §1)."""
    api_model: str
    """The canonical provider/model id."""
    api_mode: ApiMode
    route: Route
    deployment: str | None
    input_mtok_per_day: float
    output_mtok_per_day: float
    prices: TierPrices
    api_month_usd: float
    """economics §2: the tier's monthly API cost at today's volume."""
    api_month_without_cache_usd: float
    """The same with no prompt-cache hits: the cache's effect is the difference."""
    api_month_at_realtime_price_usd: float | None
    """For a batch tier, the same volume at realtime prices: the batch discount's effect."""
    blended_price_per_mtok_usd: float
    """api_month / (DAYS_PER_MONTH × (I_t + O_t))."""
    input_tokens_per_request: float
    output_tokens_per_request: float
    request_shape_assumed: bool
    """True where the client gave no shape and a stated default was used (economics §3a)."""
    tpot_ms: float | None
    """Time per output token promised (None: a batch tier promises none)."""
    tpot_assumed: bool
    part: TierPart | None = None
    """Where the client's tier is split by difficulty, which part of it this is: the easier
    share (its own entry, after the rest) or the rest (under the tier's own id)."""


class RateError(_Result):
    """How far the rate model lands from published measurements, as factors (1.2: within 20%)."""

    engine: Engine
    """The engine whose calibration the rate uses."""
    measurements: int
    """Published runs of that engine the efficiencies were fitted on."""
    median_error_factor: float
    worst_error_factor: float
    left_out_median_error_factor: float
    """Each run predicted by a fit without it: the error to expect where nothing was measured."""
    left_out_worst_error_factor: float
    measured_alike: int
    """Published runs on this GPU at this weight precision (0: the rate is extrapolated)."""
    band_factor: float | None = None
    """Held-out band (issue 24): the factor within which 80% of measurements lay when their
    whole source was left out of the fit, for this engine, GPU vendor and regime."""
    band_rows: int = 0
    """Held-out measurements the band comes from."""
    band_engine: Engine | None = None
    """The group the band comes from (a wider one where too few rows): its engine (None: every
    engine), its GPU vendor (None: both) and its regime (None: either)."""
    band_vendor: str | None = None
    band_regime: Literal["throughput", "latency"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _without_words(cls, data: object) -> object:
        # Results saved before the band's group was facts held it as words: the facts are lost,
        # the band itself stands.
        if isinstance(data, dict) and "band_basis" in data:
            return {k: v for k, v in data.items() if k != "band_basis"}
        return data


class Rates(_Result):
    """The serving rates a deployment is sized with, and where they come from."""

    prefill_tps_per_gpu: float | None
    decode_tps_per_gpu: float | None
    tps_per_gpu: float | None
    """A single blended rate, where no prefill/decode split is known."""
    kind: RateKind
    source: str
    as_of: date | None
    input_tokens_per_request: float | None = None
    """The request shape the model rated (mean prompt)."""
    output_tokens_per_request: float | None = None
    tpot_target_ms: float | None = None
    """The latency promised (None: throughput-bound batch work)."""
    batch: int | None = None
    """Sequences a replica decodes together."""
    batch_limited_by: BatchLimit | None = None
    """What capped the batch: memory, latency, or the engine."""
    tpot_ms: float | None = None
    """Time per output token at that batch."""
    ttft_s: float | None = None
    """Time to first token of a request (prefill, no queueing)."""
    error: RateError | None = None

    def scaled(self, factor: float) -> Rates:
        """Every rate × factor (the sensitivity and simulation's throughput driver)."""

        def times(rate: float | None) -> float | None:
            return None if rate is None else rate * factor

        return self.model_copy(
            update={
                "prefill_tps_per_gpu": times(self.prefill_tps_per_gpu),
                "decode_tps_per_gpu": times(self.decode_tps_per_gpu),
                "tps_per_gpu": times(self.tps_per_gpu),
            }
        )


class RateEstimate(_Result):
    """`crossover estimate`: one replica's rates at one request shape, with the model's error."""

    model: str
    precision: Precision
    compute_precision: Precision
    """The tensor-core mode the work runs at (economics §3a, compute precision)."""
    gpu: str
    gpus: int
    """GPUs in the replica."""
    engine: Engine
    kv_precision: KvPrecision
    input_tokens: float
    output_tokens: float
    tpot_target_ms: float | None
    """None: throughput-bound (offline) work."""
    prefill_tps: float
    """Input tokens/s of the replica."""
    decode_tps: float
    """Output tokens/s of the replica while decoding at `batch`."""
    output_tps_per_gpu: float
    """Output tokens/s per GPU serving only this shape, prefill included."""
    batch: int
    batch_limited_by: BatchLimit
    tpot_ms: float
    ttft_s: float
    kv_cache_gb: float
    """Memory the engine keeps for the KV cache in this replica."""
    calibration: RateError


class DeploymentResult(_Result):
    """One candidate self-hosted setup, sized for the tiers routed to it."""

    deployment: str
    model: str
    model_name: str
    precision: Precision
    gpu: str
    gpu_name: str
    price_plan: PricePlan
    instance: str | None
    """The catalogue instance the price and GPUs per instance come from (None: the client's
    own GPU price, for a GPU the catalogue rents nowhere)."""
    tiers: list[str]
    """The tiers the plan routes here; empty: an option, not sized or costed."""
    routed: bool
    weight_gb: float
    """params_b × bytes per parameter."""
    vram_gb: float
    """Per GPU."""
    gpus_per_replica: int
    gpus_per_replica_source: Annotated[GpusPerReplicaSource, BeforeValidator(_coded)]
    memory_fit_ratio: float
    """W / (n × vram): at most 0.6 is comfortable, above 0.9 does not fit."""
    memory_fit: Literal["comfortable", "tight"]
    rates: Rates
    input_mtok_per_day: float
    output_mtok_per_day: float
    realtime_share: float
    """Share of this deployment's volume that is realtime (the rest is batch, run flat)."""
    effective_tps_per_replica: float
    """R: tokens/s one replica serves at this deployment's input/output mix."""
    demand_avg_tps: float
    demand_peak_tps: float
    target_peak_utilisation: float
    """u_max, as a fraction."""
    replicas: int
    """Whole replicas including redundancy (0 when not routed)."""
    redundancy: int
    gpus: int
    gpus_per_instance: int
    instances: int
    billed_gpus: int
    gpu_hour_price_usd: float
    gpu_hour_price_source: GpuPriceSource
    average_utilisation: float | None
    """D_avg / (replicas × R); None when not routed."""
    utilisation_ceiling: float
    """u_max / peak_to_average of its traffic: the best average a peaky workload can reach."""
    gpu_month_usd: float
    overhead_month_usd: float
    ops_share_month_usd: float
    """This deployment's share of the estate's ops cost, by volume (for its all-in price)."""
    gpu_cost_per_mtok_usd: float | None
    all_in_cost_per_mtok_usd: float | None
    blended_api_price_per_mtok_usd: float | None
    """The blended API price of the tiers it takes over."""
    break_even_utilisation: float | None
    """Average utilisation at which its GPU + overhead cost per Mtok equals that API price."""


class CostCurvePoint(_Result):
    """Monthly cost of API only and of a plan at one total daily volume (the crossover chart)."""

    mtok_per_day: float
    api_only_usd: float
    plan_usd: float


class Crossover(_Result):
    """Where a plan becomes, and stays, cheaper than API only (economics §5)."""

    status: Literal["crossover", "never", "no_self_hosting"]
    today_mtok_per_day: float
    crossover_mtok_per_day: float | None
    """The start of the last uninterrupted region where the plan is not more expensive."""
    volume_factor: float | None
    """crossover / today."""
    api_price_rise_needed_pct: float | None
    """When 'never': how much the moved tiers' API prices would have to rise for a crossover."""
    marginal_selfhost_usd_per_mtok: float | None
    """Self-hosted cost of one more Mtok at scale (whole replicas averaged out)."""
    moved_api_usd_per_mtok: float | None
    """API cost saved per Mtok moved to self-hosting."""
    curve: list[CostCurvePoint]


class UtilisationPoint(_Result):
    average_utilisation: float
    cost_per_mtok_usd: float
    """GPU + infrastructure overhead per Mtok at that utilisation (break-even's basis)."""


class UtilisationCurve(_Result):
    """Effective GPU $/Mtok of one routed deployment against its average utilisation."""

    deployment: str
    points: list[UtilisationPoint]
    blended_api_price_per_mtok_usd: float
    break_even_utilisation: float
    current_utilisation: float
    utilisation_ceiling: float


class HorizonMonth(_Result):
    month: int
    """0-based; month 0 carries the setup cost."""
    volume_factor: float
    """(1 + g)^month."""
    total_mtok_per_day: float
    api_only_usd: float
    plan_usd: float
    """Including the setup cost in month 0."""
    cumulative_api_only_usd: float
    cumulative_plan_usd: float
    replicas: dict[str, int]
    """Replicas per routed deployment, re-sized for the month's volume."""


class Horizon(_Result):
    """A plan against API only month by month (economics §6)."""

    months: list[HorizonMonth]
    setup_cost_usd: float
    """The plan's setup cost (0 where it self-hosts nothing), in month 0."""
    payback_month: int | None
    """First month whose cumulative plan cost is below API only; None within the horizon."""
    cumulative_api_only_usd: float
    cumulative_plan_usd: float


class Risk(_Result):
    """A named risk with the figures that trigger it; the edge writes the sentence."""

    code: Literal[
        "low_utilisation",
        "payback_beyond_horizon",
        "extrapolated_rate",
        "low_precision",
        "memory_tight",
        "quality_change",
        "calibration_mismatch",
        "no_crossover",
        "compliance_premium",
    ]
    deployment: str | None = None
    """The deployment it concerns (low_utilisation, extrapolated_rate, low_precision,
    memory_tight, quality_change)."""
    tier: str | None = None
    """The tier it concerns (quality_change)."""
    value: float | None = None
    """The triggering figure: average utilisation or memory-fit ratio (fractions), the horizon
    in months, the calibration difference in percent, the compliance premium in USD a month,
    or (extrapolated_rate) the left-out median error factor of the rate model."""
    threshold: float | None = None
    """The line it crosses: the low-utilisation fraction, the calibration tolerance in percent;
    extrapolated_rate: the left-out worst error factor."""


ReasonCode = Literal["cheapest", "api_cheapest", "compliance"]
"""Why the headline plan: the cheapest over the horizon among the plans the constraints allow
(api_cheapest: that plan keeps every tier on its API; compliance: the API is ruled out for
some tiers, so the cheapest compliant plan)."""

VerdictCode = Literal["stay_on_api", "adopt_proposal", "self_host_all", "adopt_plan"]
"""What the headline plan asks of the client (the edge words it once, identically everywhere):
stay_on_api: every tier stays on its API; adopt_proposal: the headline is the client's own
routing; self_host_all: every tier self-hosted; adopt_plan: another split of the tiers."""


ConstraintReason = Literal["outside_client_account", "no_hipaa_baa", "no_eu_region"]
"""Why compliance keeps a provider out (economics §7): the deployment would run outside the
client's own cloud account (data_must_stay_in_network), with a provider that signs no HIPAA
business associate agreement or has none on record (hipaa), or with one that serves no EU
region on record (gdpr_restricted_subprocessors)."""


class ProviderExclusion(_Result):
    """A provider a deployment could have run on, kept out by the client's compliance rules."""

    deployment: str
    cloud: str
    """The provider, as instance ids start with it (runpod, lambda, ...)."""
    provider_name: str
    """The catalogue's name for it."""
    reasons: list[ConstraintReason]


class PlanInstance(_Result):
    """Where one deployment of a plan runs (economics §7a)."""

    instance: str | None
    """None: a GPU the catalogue rents nowhere, priced at the client's own figure."""
    price_plan: PricePlan
    gpus_per_instance: int
    gpu_hour_price_usd: float


class Commitment(_Result):
    """What a reserved placement signs the client up to (month 0's machines for the term)."""

    deployment: str
    instance: str | None
    price_plan: PricePlan
    term_months: int
    """12 for reserved_1y, 36 for reserved_3y."""
    instances: int
    """Machines reserved: month 0's billed GPUs ÷ GPUs per machine."""
    billed_gpus: int
    usd_per_year: float
    """billed GPUs × GPU-hour price × 8,760 hours."""
    total_usd: float
    """usd_per_year × the term in years."""


class QuarterCash(_Result):
    """One quarter of the plan's first year against API only (setup in the first quarter)."""

    quarter: int
    """1 to 4."""
    plan_usd: float
    api_only_usd: float


class Plan(_Result):
    """One routing of every tier with its whole analysis (economics §5-§7a): what it costs,
    what it saves, how it is sized, when it pays back and what could make it wrong."""

    key: str
    """Unique among the plans: api_only, proposed, best, all_self_hosted, alternative_1, ..."""
    name: PlanName
    """What the plan is: the first of its roles (best where the best plan is also the proposal)."""
    also: list[PlanName] = []
    """Other roles the same routing fills: the best plan that is also the proposal, API only
    that is also the best."""
    allowed: bool
    """The client's constraints (compliance, locks) allow it; API only under compliance does
    not, nor a proposal that keeps a tier compliance takes off its API."""
    routes: dict[str, str]
    """Tier → "api" or the deployment id it is self-hosted on."""
    instances: dict[str, PlanInstance]
    """Deployment → the instance and price plan it runs on (only deployments in use)."""
    api_month_usd: float
    """Month 0, today's volume: the tiers kept on their API."""
    gpu_month_usd: float
    overhead_month_usd: float
    ops_month_usd: float
    monthly_cost_usd: float
    """Month 0, today's volume, without setup: api + gpu + overhead + ops."""
    monthly_savings_usd: float
    """API only's month-0 cost − this plan's."""
    monthly_savings_at_client_bill_usd: float | None
    """The same if the client's bill is right and the difference lies in the API prices: every
    API cost scaled by bill / list-price bill, self-hosted costs unchanged (None: no bill)."""
    compliance_premium_month_usd: float | None
    """Under compliance: this plan's month-0 cost − API only's (positive: what compliance costs)."""
    setup_cost_usd: float
    """What the client pays to set it up (0 where it self-hosts nothing)."""
    payback_weeks: float | None
    """setup / (savings × 12/52); None: never, or nothing self-hosted."""
    billed_gpus: int
    """GPUs rented in month 0."""
    proven: bool
    """The plan is what its role says: the best plan is the optimum (every routing priced, or
    ruled out by a proven bound), the best all-self-hosted likewise; False: the best found when
    the search's work budget ran out (SearchSummary.gap_usd says how far it may be)."""
    deployments: list[DeploymentResult]
    """The deployments it uses, sized for the tiers it sends them."""
    crossover: Crossover
    horizon: Horizon
    utilisation_curves: list[UtilisationCurve]
    sensitivity: list[SensitivityBar]
    """The tornado on this plan's savings; empty where it self-hosts nothing."""
    monte_carlo: MonteCarlo | None
    """The simulation of this plan; None where the scenario gives no range or it self-hosts
    nothing."""
    risks: list[Risk]
    """What could make this plan wrong, most material first."""
    commitments: list[Commitment] = []
    """What its reserved placements sign the client up to (none on demand or spot)."""
    first_year: list[QuarterCash] = []
    """The first year's cash by quarter, from the horizon's months (fewer where the horizon is
    shorter than a year)."""

    @property
    def horizon_cost_usd(self) -> float:
        """Cumulative over the horizon (economics §6): growth, re-sized replicas, setup, ops."""
        return self.horizon.cumulative_plan_usd

    @property
    def tiers_on_api(self) -> list[str]:
        return [tier for tier, route in self.routes.items() if route == "api"]

    @property
    def tiers_self_hosted(self) -> list[str]:
        return [tier for tier, route in self.routes.items() if route != "api"]

    @property
    def self_hosts(self) -> bool:
        return bool(self.instances)

    def roles(self) -> list[PlanName]:
        return [self.name, *self.also]


class Headline(_Result):
    """The one recommendation (economics §7): a plan, chosen once by the engine."""

    plan: str
    """The key of the headline plan in Results.plans."""
    verdict: VerdictCode
    reason: ReasonCode
    compliance_flags: list[str]
    """The compliance rules that shaped the plan (empty: none)."""
    proposal_horizon_cost_change_usd: float
    """The proposal's horizon cost − the headline's (0 where the headline is the proposal):
    what the headline saves over the horizon beyond what the proposal would."""

    @property
    def required_by_compliance(self) -> bool:
        return bool(self.compliance_flags)


class TierMove(_Result):
    """What a tier's other option would cost, everything else in the plan kept."""

    route: str
    """"api" or a deployment id."""
    horizon_cost_change_usd: float
    """The plan's horizon cost with the tier moved there, minus the plan's own."""


class TierChoice(_Result):
    """Why the headline plan sends a tier where it does."""

    tier: str
    route: str
    proposed_route: str
    locked: bool
    moves: list[TierMove]
    """Every other option that can serve the tier, cheapest first."""


class SearchSummary(_Result):
    """How the best plan was found."""

    routings: int
    """How many routings the tiers' options allow."""
    evaluated: int
    exhaustive: bool
    """Every routing was priced."""
    method: Literal["exhaustive", "branch_and_bound"]
    proven: bool
    """The best plan is the optimum (always, where exhaustive)."""
    lower_bound_usd: float
    """No routing costs less over the horizon (the best plan's own cost where proven)."""
    gap_usd: float
    """How much cheaper than the best plan found the optimum could be (0 where proven)."""
    nodes: int
    """Partial routings branch and bound priced a bound for (0 where exhaustive)."""


class Calibration(_Result):
    """The catalogue-priced API bill against the client's own (economics §8)."""

    catalogue_api_month_usd: float
    client_bill_display: float | None
    client_bill_usd: float | None
    difference_pct: float | None
    """(catalogue − client) / client × 100."""
    flagged: bool
    """More than 20% apart: the report asks which is right."""


class Results(_Result):
    """Everything computed for one scenario, built around its plans and the headline one."""

    scenario: Scenario
    catalogue_versions: dict[str, str]
    hours_per_month: float
    days_per_month: float
    total_mtok_per_day: float
    tiers: list[TierResult]
    plans: list[Plan]
    """Every plan compared (§7a): API only, the proposal, the best plan, the best
    all-self-hosted where one exists, the next best; one routing appears once, with its roles."""
    headline: Headline
    unused_deployments: list[DeploymentResult] = []
    """Candidate deployments the headline plan does not use: rated, not sized or costed."""
    plan_search: SearchSummary
    tier_choices: list[TierChoice]
    """Per tier of the headline plan: where it goes and what each other option would cost."""
    calibration: Calibration
    kept_out: list[ProviderExclusion] = []
    """Providers compliance kept out of the search, per deployment, with why (economics §7)."""
    quality: QualityAssessment | None = None
    """Each tier's quality rule and how its options score (economics §7b); None in results
    saved before quality was assessed."""
    warnings: Annotated[list[InputWarning], BeforeValidator(_structured)]
    defaulted: list[str] = []
    """Inputs the client did not give, whose stated default the figures use, as field paths
    ('operations.setup_weeks'): recorded where the file is read (crossover.assumed), not by
    the engine. Each tier's request shape and latency are flagged on the tier itself."""
    sources: list[Sourced]
    """Every catalogue figure the plans used."""
    stale_prices: list[StalePrice] = []
    """Prices used that were seen more than the stale age before the report date."""
    display_currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    usd_fx_rate: float

    @property
    def headline_plan(self) -> Plan:
        """The recommendation: every output states this plan."""
        return self.plan_by_key(self.headline.plan)

    @property
    def proposal(self) -> Plan:
        return self.plan_in_role("proposed")

    @property
    def api_only(self) -> Plan:
        return self.plan_in_role("api_only")

    def plan_by_key(self, key: str) -> Plan:
        return next(p for p in self.plans if p.key == key)

    def plan_in_role(self, role: PlanName) -> Plan:
        return next(p for p in self.plans if role in p.roles())


SensitivityDriver = Literal[
    "daily_volume",
    "peak_to_average",
    "throughput",
    "gpu_hour_price",
    "api_prices",
    "setup_cost",
    "ops_fte",
]


SensitivityUnit = Literal["mtok_per_day", "ratio", "usd", "fte", "usd_per_gpu_hour", "none"]


class SensitivityBar(_Result):
    """One bar of the tornado: a driver moved down and up on its own, everything else kept."""

    driver: SensitivityDriver
    move_pct: float
    """How far the driver moves each way, percent (uncertainty.sensitivity_pct)."""
    unit: SensitivityUnit
    """The unit of low_value and high_value."""
    low_value: float | None
    """The driver at its low end in its unit (USD for money); None where it has no single
    value (several deployments' rates or prices): only the move is shown."""
    high_value: float | None
    low_floored: bool
    """The low end stopped at its floor (a peak-to-average ratio cannot go below 1)."""
    monthly_savings_usd_low: float
    """Monthly savings (API only − the plan, month 0) with the driver at its low end."""
    monthly_savings_usd_high: float
    """The same with the driver at its high end."""
    payback_weeks_low: float | None
    """Payback with the driver at its low end; None: never."""
    payback_weeks_high: float | None
    swing: float
    """|savings at high − savings at low|, USD a month: the bars are sorted by it, largest first."""


class Histogram(_Result):
    """Monthly savings of every simulated future in equal bins (the chart only draws them)."""

    edges_usd: list[float]
    """Bin edges, USD a month, lowest first: one more than there are bins."""
    counts: list[int]
    """Draws per bin; a bin holds [edge, next edge), the last one its upper edge too."""


class MonteCarlo(_Result):
    """The uncertain inputs drawn many times and the engine run on each draw."""

    draws: int
    seed: int
    distribution: Literal["pert", "triangular"]
    uncertain: list[str]
    """The uncertainty fields that were drawn (the rest stayed at their entered value)."""
    basis: Literal["client", "rate_model"] = "client"
    """client: the ranges the client gave; rate_model: none were given, so the serving rates
    were drawn within the rate model's held-out error band (the factor 80% of measurements left
    out of the fit lay within), every other input as entered."""
    probability_plan_cheaper: float
    """Share of draws where the plan's cumulative cost, setup included, is below API only's
    over the horizon (0 to 1)."""
    monthly_savings_usd_p10: float
    """10th percentile of month-0 savings (API only − the plan), USD a month."""
    monthly_savings_usd_p50: float
    monthly_savings_usd_p90: float
    payback_weeks_p10: float | None
    """10th percentile of payback (the quick end); None: the plan never pays back there.
    Payback falls as savings rise, so it is the payback at the 90th percentile of savings."""
    payback_weeks_p50: float | None
    payback_weeks_p90: float | None
    """The slow end: the payback at the 10th percentile of savings."""
    cumulative_savings_usd_p10: float
    """10th percentile of cumulative API-only cost − cumulative plan cost over the horizon."""
    cumulative_savings_usd_p50: float
    cumulative_savings_usd_p90: float
    histogram: Histogram


# Plan and Results name the classes above before they exist: resolve them now, not on first use.
Plan.model_rebuild()
Results.model_rebuild()

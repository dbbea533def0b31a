"""What the engine found wrong with a scenario, as a code and its facts: no words.

The engine reports each problem as one of these models (its `code` names the kind); the words
a client reads are written from them in crossover.problem_words. A warning's code is the
scenario's WarningCode of the same name, so the edge can word it as a question.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Facts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class _TierFacts(_Facts):
    tier: str
    """The tier's id, as the scenario names it."""


class _Suggested(_Facts):
    close: list[str]
    """Known ids close to the one given, closest first (at most three)."""


# Tiers and deployments: totals, ids and references.


class TierNamedLikePart(_TierFacts):
    code: Literal["tier_named_like_part"] = "tier_named_like_part"
    suffix: str
    """The suffix that names the easier part of a split tier."""


class SelfHostWithoutDeployment(_TierFacts):
    code: Literal["self_host_without_deployment"] = "self_host_without_deployment"


class UnknownDeployment(_TierFacts, _Suggested):
    code: Literal["unknown_deployment"] = "unknown_deployment"
    deployment: str


class NoShareNorVolume(_TierFacts):
    code: Literal["no_share_nor_volume"] = "no_share_nor_volume"


class SharesNot100(_Facts):
    code: Literal["shares_not_100"] = "shares_not_100"
    total_pct: float
    """What the tiers' shares add up to."""


class TierWithoutOwnVolume(_TierFacts):
    code: Literal["tier_without_own_volume"] = "tier_without_own_volume"


class OneVolumeOnly(_TierFacts):
    code: Literal["one_volume_only"] = "one_volume_only"


class ShareAndVolume(_TierFacts):
    code: Literal["share_and_volume"] = "share_and_volume"


class NoVolume(_TierFacts):
    code: Literal["no_volume"] = "no_volume"


class WorkloadVolumeMismatch(_Facts):
    code: Literal["workload_volume_mismatch"] = "workload_volume_mismatch"
    stated_mtok_per_day: float
    """The workload's own figure."""
    total_mtok_per_day: float
    """What the tiers' own volumes add up to."""


class DuplicateId(_Facts):
    code: Literal["duplicate_id"] = "duplicate_id"
    value: str
    """The id given twice, as typed."""
    field: str
    """The column the id is in."""


# Options: candidates, providers.


class UnknownCandidate(_TierFacts, _Suggested):
    code: Literal["unknown_candidate"] = "unknown_candidate"
    candidate: str


class DeploymentNotCandidate(_TierFacts):
    code: Literal["deployment_not_candidate"] = "deployment_not_candidate"
    deployment: str


class UnknownProvider(_Suggested):
    code: Literal["unknown_provider"] = "unknown_provider"
    provider: str
    known: list[str]
    """Every cloud the catalogue has, sorted."""


# API prices and price overrides.


class UnknownApiModel(_Suggested):
    code: Literal["unknown_api_model"] = "unknown_api_model"
    api_model: str


class NoBatchPrice(_Facts):
    code: Literal["no_batch_price"] = "no_batch_price"
    api_model: str


class UnpricedApiModel(_Facts):
    code: Literal["unpriced_api_model"] = "unpriced_api_model"
    api_model: str


class IncompleteOverride(_Suggested):
    code: Literal["incomplete_override"] = "incomplete_override"
    api_model: str


class OverrideModeUnused(_Facts):
    code: Literal["override_mode_unused"] = "override_mode_unused"
    api_model: str
    api_mode: str
    """The override's mode, which no tier on the model runs."""
    modes: tuple[str, ...]
    """The modes the tiers on the model do run, sorted."""


class OverrideModelUnused(_Suggested):
    code: Literal["override_model_unused"] = "override_model_unused"
    api_model: str


class RetirementNotice(_Facts):
    """A provider's dated retirement of an API model."""

    retires_on: date
    already: bool
    """Whether that day is on or before the report's date."""
    source: str
    """Where the notice was read."""
    successor: str | None
    """The model its provider recommends instead, if it names one."""


class RetiredModel(_Facts):
    code: Literal["retired_model"] = "retired_model"
    api_model: str
    notice: RetirementNotice | None
    """None when the catalogue marks the model retired without a dated notice."""


class UnusedDeployment(_Facts):
    code: Literal["unused_deployment"] = "unused_deployment"
    deployment: str


# Compliance and quality rules.


class ComplianceNeedsDeployment(_TierFacts):
    code: Literal["compliance_needs_deployment"] = "compliance_needs_deployment"
    flags: tuple[str, ...]


class ComplianceLockedApi(_TierFacts):
    code: Literal["compliance_locked_api"] = "compliance_locked_api"
    flags: tuple[str, ...]


class EvaluationUnknownTier(_TierFacts, _Suggested):
    code: Literal["evaluation_unknown_tier"] = "evaluation_unknown_tier"


class EvaluationUnknownModel(_Suggested):
    code: Literal["evaluation_unknown_model"] = "evaluation_unknown_model"
    model: str


class EvaluationScoredTwice(_TierFacts):
    code: Literal["evaluation_scored_twice"] = "evaluation_scored_twice"
    model: str


class SplitWithoutEffect(_TierFacts):
    code: Literal["split_without_effect"] = "split_without_effect"
    why: Literal["no_rule", "nothing_excluded", "locked"]
    """The tier has no quality rule; its rule excludes no candidate; it is locked."""


class RuleWithoutBasis(_TierFacts):
    code: Literal["rule_without_basis"] = "rule_without_basis"
    field: str
    """The rule's column: max_quality_drop or quality_floor."""


class Miss(_Facts):
    """How one model's deployments miss a tier's quality rule (alike for each)."""

    model: str
    deployments: list[str]
    """Its deployments, 'api' for the API itself."""
    verdict: Literal["short", "no_score", "no_api_score"]
    shortfall_points: float = 0.0
    """Points short of the rule, rounded to 2 places (when the verdict is short)."""


class ComplianceRuleExcludesAll(_TierFacts):
    code: Literal["compliance_rule_excludes_all"] = "compliance_rule_excludes_all"
    flags: tuple[str, ...]
    misses: list[Miss]


# Deployments: the model, GPU and instance, the fit, the requests and latency.


class UnknownOpenModel(_Suggested):
    code: Literal["unknown_open_model"] = "unknown_open_model"
    model: str
    known: list[str]
    """Every open-weight model the catalogue has, sorted."""


class UnknownGpu(_Suggested):
    code: Literal["unknown_gpu"] = "unknown_gpu"
    gpu: str
    known: list[str]
    """Every GPU the catalogue has, sorted."""


class UnknownInstance(_Suggested):
    code: Literal["unknown_instance"] = "unknown_instance"
    instance: str


class InstanceGpuMismatch(_Facts):
    code: Literal["instance_gpu_mismatch"] = "instance_gpu_mismatch"
    instance: str
    instance_gpu: str
    """The GPU the instance has."""
    gpu: str
    """The GPU the deployment names."""


class WeightsDoNotFit(_Facts):
    code: Literal["weights_do_not_fit"] = "weights_do_not_fit"
    model_name: str
    precision: str
    weights_gb: float
    gpus_per_replica: int
    vram_gb: float
    """One GPU's memory."""


class NoMemoryFit(_Facts):
    code: Literal["no_memory_fit"] = "no_memory_fit"
    model_name: str
    precision: str
    weights_gb: float
    gpu_name: str
    vram_gb: float
    """One GPU's memory."""


class NoComputeRate(_Facts):
    code: Literal["no_compute_rate"] = "no_compute_rate"
    gpu_name: str
    compute: str
    """The precision the work runs at, which the GPU has no dense figure for."""
    precision: str
    """The weights' precision."""


class NoRentableInstance(_Facts):
    code: Literal["no_rentable_instance"] = "no_rentable_instance"
    gpu: str


class NoPlanPrice(_Facts):
    code: Literal["no_plan_price"] = "no_plan_price"
    price_plan: str
    instance: str


class NoPlacement(_Facts):
    code: Literal["no_placement"] = "no_placement"
    gpu: str
    gpus_per_replica: int
    providers: tuple[str, ...]
    """The providers allowed; none: any."""
    price_plans: tuple[str, ...]
    """The price plans allowed; none: any."""
    flags: tuple[str, ...]
    """The compliance flags that narrowed the providers."""


class RequestDoesNotFit(_TierFacts):
    code: Literal["request_does_not_fit"] = "request_does_not_fit"
    deployment: str
    context_tokens: float
    """The tier's longest request: prompt and output."""
    needed_gb: float
    """What its KV cache needs."""
    left_gb: float
    """What a replica has left beside the weights (0 or more)."""
    gpus_per_replica: int
    vram_gb: float
    """One GPU's memory."""


class Reach(_Facts):
    """What reaches a latency a replica misses, among the sizes the deployment could have."""

    meets_gpus: int | None = None
    """The size serving the most per GPU among those that meet it (None: none does)."""
    meets_per_gpu_tps: float | None = None
    """That size's output tokens/s per GPU under the bound."""
    tried: list[int] = []
    """The sizes tried (GPUs per replica)."""
    closest_gpus: int | None = None
    """Where none meets it: the size that comes closest (None: no other size to name)."""
    closest_ms: float | None = None
    """Its least time per output token, ms."""


class _Latency(_TierFacts):
    deployment: str
    tpot_ms: float
    """What the tier promises per output token."""
    best_ms: float
    """The least the deployment takes per output token, with one request."""
    gpus_per_replica: int
    gpu: str
    """The catalogue GPU id."""
    reach: Reach


class TpotUnreachable(_Latency):
    """The tier's own deployment cannot meet its latency (an error)."""

    code: Literal["tpot_unreachable"] = "tpot_unreachable"


class LatencyUnreachable(_Latency):
    """A candidate cannot meet the tier's latency (a warning: the plans leave it out)."""

    code: Literal["latency_unreachable"] = "latency_unreachable"


class MemoryTight(_Facts):
    code: Literal["memory_tight"] = "memory_tight"
    deployment: str
    ratio: float
    """The weights' share of the replica's memory (0.9: 90%)."""
    gpus_per_replica: int
    vram_gb: float
    """One GPU's memory."""


# The analysis as a whole.


class NoPlan(_Facts):
    code: Literal["no_plan"] = "no_plan"


class BillMismatch(_Facts):
    code: Literal["bill_mismatch"] = "bill_mismatch"


ProblemFacts = Annotated[
    TierNamedLikePart
    | SelfHostWithoutDeployment
    | UnknownDeployment
    | NoShareNorVolume
    | SharesNot100
    | TierWithoutOwnVolume
    | OneVolumeOnly
    | ShareAndVolume
    | NoVolume
    | WorkloadVolumeMismatch
    | DuplicateId
    | UnknownCandidate
    | DeploymentNotCandidate
    | UnknownProvider
    | UnknownApiModel
    | NoBatchPrice
    | UnpricedApiModel
    | IncompleteOverride
    | OverrideModeUnused
    | OverrideModelUnused
    | RetiredModel
    | UnusedDeployment
    | ComplianceNeedsDeployment
    | ComplianceLockedApi
    | EvaluationUnknownTier
    | EvaluationUnknownModel
    | EvaluationScoredTwice
    | SplitWithoutEffect
    | RuleWithoutBasis
    | ComplianceRuleExcludesAll
    | UnknownOpenModel
    | UnknownGpu
    | UnknownInstance
    | InstanceGpuMismatch
    | WeightsDoNotFit
    | NoMemoryFit
    | NoComputeRate
    | NoRentableInstance
    | NoPlanPrice
    | NoPlacement
    | RequestDoesNotFit
    | TpotUnreachable
    | LatencyUnreachable
    | MemoryTight
    | NoPlan
    | BillMismatch,
    Field(discriminator="code"),
]
"""Every kind of problem the engine reports, told apart by its code."""


# `crossover estimate`: one replica asked of the rate model, outside any scenario.


class EstimateUnknownId(_Facts):
    code: Literal["estimate_unknown_id"] = "estimate_unknown_id"
    kind: Literal["model", "GPU"]
    given: str
    known: list[str]


class EstimateNoComputeRate(_Facts):
    code: Literal["estimate_no_compute_rate"] = "estimate_no_compute_rate"
    gpu_name: str
    compute: str
    """The precision the work runs at, whose dense figure the GPU lacks."""
    precision: str


class EstimateNoFit(_Facts):
    code: Literal["estimate_no_fit"] = "estimate_no_fit"
    model_name: str
    precision: str
    weights_gb: float
    gpu_name: str


class EstimateClosest(_Facts):
    """The replica size that comes closest to a bound none meets."""

    gpus: int
    gpu: str
    best_ms: float


class EstimateFixedSizeMisses(_Facts):
    """The replica size asked for misses the bound: the size that meets it, or comes closest."""

    code: Literal["estimate_fixed_size_misses"] = "estimate_fixed_size_misses"
    tpot_ms: float
    gpus: int
    gpu: str
    best_ms: float
    """What one request alone takes on the size asked for, at the 99th percentile."""
    meets_gpus: int | None = None
    meets_per_gpu_tps: float | None = None
    closest: EstimateClosest | None = None


class EstimateNoSizeMeets(_Facts):
    code: Literal["estimate_no_size_meets"] = "estimate_no_size_meets"
    tpot_ms: float
    tried: list[int]
    gpu: str
    closest: EstimateClosest


EstimateFacts = Annotated[
    EstimateUnknownId
    | EstimateNoComputeRate
    | EstimateNoFit
    | EstimateFixedSizeMisses
    | EstimateNoSizeMeets,
    Field(discriminator="code"),
]
"""Why `crossover estimate` cannot answer, told apart by its code."""

"""The words of every problem the engine finds: what is wrong, where, and the fix.

The engine reports a problem as a code and its facts (crossover.problem_facts); each code has
one function here writing the sentence a client reads, and `words` picks it. Problem.message
is filled from it, so the engine writes no sentence.
"""

from __future__ import annotations

from typing import assert_never

from crossover.problem_facts import (
    BillMismatch,
    ComplianceLockedApi,
    ComplianceNeedsDeployment,
    ComplianceRuleExcludesAll,
    DeploymentNotCandidate,
    DuplicateId,
    EstimateClosest,
    EstimateFacts,
    EstimateFixedSizeMisses,
    EstimateNoComputeRate,
    EstimateNoFit,
    EstimateNoSizeMeets,
    EstimateUnknownId,
    EvaluationScoredTwice,
    EvaluationUnknownModel,
    EvaluationUnknownTier,
    IncompleteOverride,
    InstanceGpuMismatch,
    LatencyUnreachable,
    MemoryTight,
    Miss,
    NoBatchPrice,
    NoComputeRate,
    NoMemoryFit,
    NoPlacement,
    NoPlan,
    NoPlanPrice,
    NoRentableInstance,
    NoShareNorVolume,
    NoVolume,
    OneVolumeOnly,
    OverrideModelUnused,
    OverrideModeUnused,
    ProblemFacts,
    RequestDoesNotFit,
    RetiredModel,
    RuleWithoutBasis,
    SelfHostWithoutDeployment,
    ShareAndVolume,
    SharesNot100,
    SplitWithoutEffect,
    TierNamedLikePart,
    TierWithoutOwnVolume,
    TpotUnreachable,
    UnknownApiModel,
    UnknownCandidate,
    UnknownDeployment,
    UnknownGpu,
    UnknownInstance,
    UnknownOpenModel,
    UnknownProvider,
    UnpricedApiModel,
    UnusedDeployment,
    WeightsDoNotFit,
    WorkloadVolumeMismatch,
)


def words(facts: ProblemFacts) -> str:
    """The sentence for one problem, written by its code's function."""
    match facts:
        case TierNamedLikePart():
            return tier_named_like_part(facts)
        case SelfHostWithoutDeployment():
            return self_host_without_deployment(facts)
        case UnknownDeployment():
            return unknown_deployment(facts)
        case NoShareNorVolume():
            return no_share_nor_volume(facts)
        case SharesNot100():
            return shares_not_100(facts)
        case TierWithoutOwnVolume():
            return tier_without_own_volume(facts)
        case OneVolumeOnly():
            return one_volume_only(facts)
        case ShareAndVolume():
            return share_and_volume(facts)
        case NoVolume():
            return no_volume(facts)
        case WorkloadVolumeMismatch():
            return workload_volume_mismatch(facts)
        case DuplicateId():
            return duplicate_id(facts)
        case UnknownCandidate():
            return unknown_candidate(facts)
        case DeploymentNotCandidate():
            return deployment_not_candidate(facts)
        case UnknownProvider():
            return unknown_provider(facts)
        case UnknownApiModel():
            return unknown_api_model(facts)
        case NoBatchPrice():
            return no_batch_price(facts)
        case UnpricedApiModel():
            return unpriced_api_model(facts)
        case IncompleteOverride():
            return incomplete_override(facts)
        case OverrideModeUnused():
            return override_mode_unused(facts)
        case OverrideModelUnused():
            return override_model_unused(facts)
        case RetiredModel():
            return retired_model(facts)
        case UnusedDeployment():
            return unused_deployment(facts)
        case ComplianceNeedsDeployment():
            return compliance_needs_deployment(facts)
        case ComplianceLockedApi():
            return compliance_locked_api(facts)
        case EvaluationUnknownTier():
            return evaluation_unknown_tier(facts)
        case EvaluationUnknownModel():
            return evaluation_unknown_model(facts)
        case EvaluationScoredTwice():
            return evaluation_scored_twice(facts)
        case SplitWithoutEffect():
            return split_without_effect(facts)
        case RuleWithoutBasis():
            return rule_without_basis(facts)
        case ComplianceRuleExcludesAll():
            return compliance_rule_excludes_all(facts)
        case UnknownOpenModel():
            return unknown_open_model(facts)
        case UnknownGpu():
            return unknown_gpu(facts)
        case UnknownInstance():
            return unknown_instance(facts)
        case InstanceGpuMismatch():
            return instance_gpu_mismatch(facts)
        case WeightsDoNotFit():
            return weights_do_not_fit(facts)
        case NoMemoryFit():
            return no_memory_fit(facts)
        case NoComputeRate():
            return no_compute_rate(facts)
        case NoRentableInstance():
            return no_rentable_instance(facts)
        case NoPlanPrice():
            return no_plan_price(facts)
        case NoPlacement():
            return no_placement(facts)
        case RequestDoesNotFit():
            return request_does_not_fit(facts)
        case TpotUnreachable():
            return tpot_unreachable(facts)
        case LatencyUnreachable():
            return latency_unreachable(facts)
        case MemoryTight():
            return memory_tight(facts)
        case NoPlan():
            return no_plan(facts)
        case BillMismatch():
            return bill_mismatch(facts)
        case _:
            assert_never(facts)


def did_you_mean(close: list[str]) -> str:
    """' (did you mean a, b?)' after an unknown id, or nothing when none is close."""
    return f" (did you mean {', '.join(close)}?)" if close else ""


# Tiers and deployments: totals, ids and references.


def tier_named_like_part(facts: TierNamedLikePart) -> str:
    return (
        f"tier {facts.tier!r} contains {facts.suffix!r}, which names the easier part of a tier "
        "split by difficulty; rename the tier"
    )


def self_host_without_deployment(facts: SelfHostWithoutDeployment) -> str:
    return (
        f"tier {facts.tier!r} is routed to self_host but names no deployment; name one from "
        "the Deployments table, or route it to api"
    )


def unknown_deployment(facts: UnknownDeployment) -> str:
    return (
        f"tier {facts.tier!r} names deployment {facts.deployment!r}, which is not in the "
        "Deployments table" + did_you_mean(facts.close)
    )


def no_share_nor_volume(facts: NoShareNorVolume) -> str:
    return (
        f"tier {facts.tier!r} gives neither a share nor its own daily volume; give share_pct "
        "(or every tier's input and output Mtok per day)"
    )


def shares_not_100(facts: SharesNot100) -> str:
    return f"the tiers' shares add up to {facts.total_pct:g}%, expected 100%"


def tier_without_own_volume(facts: TierWithoutOwnVolume) -> str:
    return (
        f"tier {facts.tier!r} gives no volume of its own while other tiers do: give every "
        "tier its input and output Mtok per day, or every tier a share_pct"
    )


def one_volume_only(facts: OneVolumeOnly) -> str:
    return (
        f"tier {facts.tier!r} gives only one of its input and output volumes: give both (0 "
        "where it has none)"
    )


def share_and_volume(facts: ShareAndVolume) -> str:
    return (
        f"tier {facts.tier!r} gives both a share and its own volume: leave share_pct blank "
        "where the tiers give their own volumes"
    )


def no_volume(facts: NoVolume) -> str:
    return f"tier {facts.tier!r} has no volume: its input + output Mtok per day must be more than 0"


def workload_volume_mismatch(facts: WorkloadVolumeMismatch) -> str:
    return (
        f"the workload's {facts.stated_mtok_per_day:g} Mtok/day does not match the tiers' own "
        f"volumes, which add up to {facts.total_mtok_per_day:g} Mtok/day; leave it blank or "
        "make them agree (within 0.5%)"
    )


def duplicate_id(facts: DuplicateId) -> str:
    return f"{facts.value!r} appears more than once; each row needs its own {facts.field}"


# Options: candidates, providers.


def unknown_candidate(facts: UnknownCandidate) -> str:
    return (
        f"tier {facts.tier!r} lists candidate {facts.candidate!r}, which is not in the "
        "Deployments table" + did_you_mean(facts.close)
    )


def deployment_not_candidate(facts: DeploymentNotCandidate) -> str:
    return (
        f"tier {facts.tier!r} names deployment {facts.deployment!r} but does not list it "
        "among its candidates; add it to the candidates"
    )


def unknown_provider(facts: UnknownProvider) -> str:
    return (
        f"unknown provider {facts.provider!r}"
        + did_you_mean(facts.close)
        + f"; known: {', '.join(facts.known)}"
    )


# API prices and price overrides.


def unknown_api_model(facts: UnknownApiModel) -> str:
    return (
        f"unknown API model {facts.api_model!r}"
        + did_you_mean(facts.close)
        + "; use provider/model as in the drop-down, or price it fully in the price overrides "
        "table"
    )


def no_batch_price(facts: NoBatchPrice) -> str:
    return (
        f"{facts.api_model}: the price list has no batch price for this model; price it in "
        "PriceOverrides, or use realtime"
    )


def unpriced_api_model(facts: UnpricedApiModel) -> str:
    return (
        f"the catalogue has no token price for {facts.api_model}; price it in the price "
        "overrides table"
    )


def incomplete_override(facts: IncompleteOverride) -> str:
    return (
        f"{facts.api_model!r} is not in the catalogue, so its row must give both "
        "input_per_mtok and output_per_mtok" + did_you_mean(facts.close)
    )


def override_mode_unused(facts: OverrideModeUnused) -> str:
    model, modes = facts.api_model, facts.modes
    return (
        f"this {facts.api_mode} price for {model} is used by no tier: the tiers on {model} "
        f"run {' and '.join(modes)}, so the negotiated price would be ignored; set api_mode "
        f"to {modes[0]}, or delete the row"
    )


def override_model_unused(facts: OverrideModelUnused) -> str:
    return (
        f"no tier runs on {facts.api_model}, so this negotiated price would be ignored; name "
        "the model a tier runs on today" + did_you_mean(facts.close) + ", or delete the row"
    )


def retired_model(facts: RetiredModel) -> str:
    notice = facts.notice
    if notice is None:
        return (
            f"{facts.api_model} is retired by its provider: it is priced at its last published "
            "price; price the model the client will move to instead"
        )
    when = notice.retires_on.isoformat()
    tense = (
        f"was retired by its provider on {when}"
        if notice.already
        else f"is to be retired by its provider on {when}"
    )
    successor = (
        f"{notice.successor} replaces it" if notice.successor else "its provider names no successor"
    )
    return (
        f"{facts.api_model} {tense} ({notice.source}); {successor}: price the model the client "
        "will move to instead"
    )


def unused_deployment(facts: UnusedDeployment) -> str:
    return (
        f"no tier names {facts.deployment} as its deployment or among its candidates, so no "
        "plan considers it; name it in a tier's row, or delete this row"
    )


# Compliance and quality rules.


def compliance_needs_deployment(facts: ComplianceNeedsDeployment) -> str:
    return (
        f"compliance ({', '.join(facts.flags)}) forbids sending tier {facts.tier!r} to an "
        "outside API, so it must name a deployment to be self-hosted on"
    )


def compliance_locked_api(facts: ComplianceLockedApi) -> str:
    return (
        f"tier {facts.tier!r} is locked on the API, but compliance ({', '.join(facts.flags)}) "
        "forbids sending it to an outside API; unlock it or route it to self_host"
    )


def evaluation_unknown_tier(facts: EvaluationUnknownTier) -> str:
    return f"tier {facts.tier!r} is not in the Tiers table" + did_you_mean(facts.close)


def evaluation_unknown_model(facts: EvaluationUnknownModel) -> str:
    return (
        f"unknown model {facts.model!r}: give an API model as provider/model or an "
        "open-weight model's catalogue id" + did_you_mean(facts.close)
    )


def evaluation_scored_twice(facts: EvaluationScoredTwice) -> str:
    return (
        f"model {facts.model!r} is scored twice for tier {facts.tier!r}; keep one row per "
        "model and tier"
    )


_SPLIT_WITHOUT_EFFECT = {
    "no_rule": "no quality rule (max_quality_drop or quality_floor) to keep the rest of it from "
    "a smaller model",
    "nothing_excluded": "its quality rule excludes none of its candidates: each may take all of "
    "it already",
    "locked": "it is locked to its proposed route",
}


def split_without_effect(facts: SplitWithoutEffect) -> str:
    return (
        f"tier {facts.tier!r} gives an easier share but "
        + _SPLIT_WITHOUT_EFFECT[facts.why]
        + ", so it is not split"
    )


def rule_without_basis(facts: RuleWithoutBasis) -> str:
    return (
        f"tier {facts.tier!r} has a quality rule ({facts.field}) but nothing to judge it by: "
        "name its task_family, or give the client's own scores for this tier in the "
        "Evaluations table"
    )


def compliance_rule_excludes_all(facts: ComplianceRuleExcludesAll) -> str:
    return (
        f"compliance ({', '.join(facts.flags)}) keeps tier {facts.tier!r} off the API and its "
        f"quality rule excludes every candidate ({misses(facts.misses)}); relax the rule, add "
        "a candidate that meets it, or score the tier in the Evaluations table"
    )


def misses(found: list[Miss]) -> str:
    """'llama-3.3-70b (l-h100, l-h200): 1 point short; qwen2.5-14b (q-l40s): no score'."""
    parts = []
    for miss in found:
        named = f"{miss.model} ({', '.join(miss.deployments)})"
        if miss.verdict == "no_score":
            parts.append(f"{named}: no score")
        elif miss.verdict == "no_api_score":
            parts.append(f"{named}: the API model has no score to compare with")
        else:
            short = miss.shortfall_points
            parts.append(f"{named}: {short:g} point{'' if short == 1 else 's'} short")
    return "; ".join(parts)


# Deployments: the model, GPU and instance, the fit, the requests and latency.


def unknown_open_model(facts: UnknownOpenModel) -> str:
    return (
        f"unknown open-weight model {facts.model!r}"
        + did_you_mean(facts.close)
        + f"; known: {', '.join(facts.known)}"
    )


def unknown_gpu(facts: UnknownGpu) -> str:
    return (
        f"unknown GPU {facts.gpu!r}"
        + did_you_mean(facts.close)
        + f"; known: {', '.join(facts.known)}"
    )


def unknown_instance(facts: UnknownInstance) -> str:
    return (
        f"unknown instance {facts.instance!r}"
        + did_you_mean(facts.close)
        + "; leave it blank to let the tool choose the cheapest"
    )


def instance_gpu_mismatch(facts: InstanceGpuMismatch) -> str:
    return f"instance {facts.instance} has {facts.instance_gpu} GPUs, not {facts.gpu}"


def weights_do_not_fit(facts: WeightsDoNotFit) -> str:
    return (
        f"{facts.model_name} at {facts.precision} does not fit: its weights take "
        f"{facts.weights_gb:.1f} GB, more than 90% of {facts.gpus_per_replica} × "
        f"{facts.vram_gb:g} GB; use more GPUs per replica, a lower precision, or leave it blank "
        "for the memory-fit rule"
    )


def no_memory_fit(facts: NoMemoryFit) -> str:
    return (
        f"{facts.model_name} at {facts.precision} does not fit on 8 × {facts.gpu_name}: its "
        f"weights take {facts.weights_gb:.1f} GB and need at most 60% of the replica's "
        f"{8 * facts.vram_gb:g} GB; choose a larger GPU or a lower precision"
    )


def no_compute_rate(facts: NoComputeRate) -> str:
    return (
        f"{facts.gpu_name} has no dense {facts.compute} figure in the catalogue, which "
        f"{facts.precision} weights run at on it; choose another precision or GPU, or give "
        "prefill_tps_per_gpu and decode_tps_per_gpu"
    )


def no_rentable_instance(facts: NoRentableInstance) -> str:
    return (
        f"the catalogue knows no rentable {facts.gpu} instance; give gpu_hour_price (and "
        "gpus_per_instance) from the client's own quote"
    )


def no_plan_price(facts: NoPlanPrice) -> str:
    return (
        f"the catalogue has no {facts.price_plan} price for {facts.instance}; give "
        "gpu_hour_price or choose another price plan"
    )


def no_placement(facts: NoPlacement) -> str:
    providers = ", ".join(facts.providers) or "any provider"
    plans = ", ".join(facts.price_plans) or "any price plan"
    ruled_out = ""
    if facts.flags:
        ruled_out = (
            f" that compliance ({', '.join(facts.flags)}) allows (a provider inside your own "
            "cloud account, with a HIPAA business associate agreement or EU regions on record, "
            "as the rules require)"
        )
    return (
        f"no catalogue instance with {facts.gpu} GPUs holding a whole {facts.gpus_per_replica}-GPU "
        f"replica is priced among {providers} on {plans}{ruled_out}; allow more providers or "
        "price plans, or name an instance (or your own premises) and give its gpu_hour_price"
    )


def request_does_not_fit(facts: RequestDoesNotFit) -> str:
    return (
        f"a {facts.context_tokens:,.0f}-token request of tier {facts.tier!r} does not fit on "
        f"{facts.deployment}: its KV cache needs {facts.needed_gb:.2f} GB and the "
        f"{facts.gpus_per_replica} × {facts.vram_gb:g} GB replica has {facts.left_gb:.2f} GB left "
        "beside the weights; use more GPUs per replica, a lower precision, or an fp8 KV cache "
        "(kv_precision)"
    )


def tpot_unreachable(facts: TpotUnreachable) -> str:
    return (
        f"tier {facts.tier!r} promises {facts.tpot_ms:g} ms per output token, but "
        f"{_here(facts)}; {_reach(facts)}"
    )


def latency_unreachable(facts: LatencyUnreachable) -> str:
    return (
        f"{_here(facts)}, more than the {facts.tpot_ms:g} ms tier {facts.tier!r} promises: "
        f"the best plan never sends the tier there; {_reach(facts)}"
    )


def _here(facts: TpotUnreachable | LatencyUnreachable) -> str:
    return (
        f"{facts.deployment} takes at least {facts.best_ms:.1f} ms per output token on "
        f"{facts.gpus_per_replica} × {facts.gpu}, even for one request"
    )


def _reach(facts: TpotUnreachable | LatencyUnreachable) -> str:
    """What reaches a latency this replica misses: the size serving the most per GPU among
    those that meet it, else the size that comes closest, and the fixes left."""
    reach, gpu = facts.reach, facts.gpu
    if reach.meets_gpus is not None:
        return (
            f"{reach.meets_gpus} × {gpu} meets it at {reach.meets_per_gpu_tps or 0:,.0f} output "
            f"tokens/s per GPU: set gpus_per_replica to {reach.meets_gpus}, or relax tpot_ms"
        )
    if reach.closest_gpus is None or reach.closest_ms is None:
        return "use a faster GPU, a lower precision, or relax tpot_ms"
    return (
        f"no replica of {_alternatives(reach.tried)} × {gpu} meets it; the closest is "
        f"{reach.closest_gpus} × {gpu} at {reach.closest_ms:.1f} ms (its weights' reads and its "
        "exchanges between GPUs); use a faster GPU, a lower precision, or relax tpot_ms"
    )


def _alternatives(sizes: list[int]) -> str:
    """1, 2 or 4."""
    words = [str(n) for n in sizes]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def memory_tight(facts: MemoryTight) -> str:
    return (
        f"{facts.deployment}: weights fill {facts.ratio:.0%} of {facts.gpus_per_replica} × "
        f"{facts.vram_gb:g} GB, leaving little room for KV cache: few requests fit at once, so "
        "throughput is low"
    )


# The analysis as a whole.


def no_plan(facts: NoPlan) -> str:
    return (
        "no routing can serve every tier: each tier the API is ruled out for must have a "
        "deployment that can hold its requests and meet its latency; add such a deployment or "
        "relax the latency target"
    )


def bill_mismatch(facts: BillMismatch) -> str:
    return (
        "The API cost priced from the catalogue differs from the client's current bill by more "
        "than 20%: check the volumes and prices, or the bill."
    )


def estimate_words(facts: EstimateFacts) -> str:
    """Why `crossover estimate` cannot answer, as the command says it."""
    match facts:
        case EstimateUnknownId():
            return f"unknown {facts.kind} {facts.given!r}; known: {', '.join(facts.known)}"
        case EstimateNoComputeRate():
            return (
                f"{facts.gpu_name} has no dense {facts.compute} figure in the catalogue, which "
                f"{facts.precision} weights run at on it"
            )
        case EstimateNoFit():
            return (
                f"{facts.model_name} at {facts.precision} ({facts.weights_gb:.1f} GB) does not "
                f"fit 8 × {facts.gpu_name} by the 60% rule; give --gpus or a lower precision"
            )
        case EstimateFixedSizeMisses():
            here = (
                f"{facts.tpot_ms:g} ms per output token cannot be met on {facts.gpus} × "
                f"{facts.gpu}: one request alone takes {facts.best_ms:.1f} ms at the 99th "
                "percentile"
            )
            if facts.meets_gpus is not None:
                return (
                    f"{here}; {facts.meets_gpus} × {facts.gpu} meets it at "
                    f"{facts.meets_per_gpu_tps or 0:,.0f} output tokens/s per GPU, the most per "
                    f"GPU of the replicas that do: use --gpus {facts.meets_gpus}, or leave --gpus "
                    "out to have it chosen"
                )
            assert facts.closest is not None
            return f"{here}; {_estimate_closest(facts.closest)}"
        case EstimateNoSizeMeets():
            return (
                f"{facts.tpot_ms:g} ms per output token cannot be met on any replica of "
                f"{_alternatives(facts.tried)} × {facts.gpu}; {_estimate_closest(facts.closest)}"
            )
        case _:
            assert_never(facts)


def _estimate_closest(closest: EstimateClosest) -> str:
    """Which shape comes closest to the promise, and the fixes left."""
    return (
        f"the closest is {closest.gpus} × {closest.gpu}, where one request alone takes "
        f"{closest.best_ms:.1f} ms (its weights' reads and its exchanges between GPUs); "
        "use a faster GPU, a lower precision or a looser bound"
    )

"""Every code the engine reports a problem by has its words, written as the client reads them."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import cast, get_args

import pytest
from pydantic import ValidationError

from crossover import problem_facts as f
from crossover.problem_words import estimate_words, words
from crossover.scenario import Problem

EXAMPLES: list[tuple[f.ProblemFacts, str]] = [
    (
        f.TierNamedLikePart(tier="chat~easier", suffix="~easier"),
        "tier 'chat~easier' contains '~easier', which names the easier part of a tier split by "
        "difficulty; rename the tier",
    ),
    (
        f.SelfHostWithoutDeployment(tier="chat"),
        "tier 'chat' is routed to self_host but names no deployment; name one from the "
        "Deployments table, or route it to api",
    ),
    (
        f.UnknownDeployment(tier="chat", deployment="l70-h100", close=["llama70-h100"]),
        "tier 'chat' names deployment 'l70-h100', which is not in the Deployments table (did you "
        "mean llama70-h100?)",
    ),
    (
        f.NoShareNorVolume(tier="chat"),
        "tier 'chat' gives neither a share nor its own daily volume; give share_pct (or every "
        "tier's input and output Mtok per day)",
    ),
    (f.SharesNot100(total_pct=99.0), "the tiers' shares add up to 99%, expected 100%"),
    (
        f.TierWithoutOwnVolume(tier="chat"),
        "tier 'chat' gives no volume of its own while other tiers do: give every tier its input "
        "and output Mtok per day, or every tier a share_pct",
    ),
    (
        f.OneVolumeOnly(tier="chat"),
        "tier 'chat' gives only one of its input and output volumes: give both (0 where it has "
        "none)",
    ),
    (
        f.ShareAndVolume(tier="chat"),
        "tier 'chat' gives both a share and its own volume: leave share_pct blank where the "
        "tiers give their own volumes",
    ),
    (
        f.NoVolume(tier="chat"),
        "tier 'chat' has no volume: its input + output Mtok per day must be more than 0",
    ),
    (
        f.WorkloadVolumeMismatch(stated_mtok_per_day=120.0, total_mtok_per_day=100.5),
        "the workload's 120 Mtok/day does not match the tiers' own volumes, which add up to "
        "100.5 Mtok/day; leave it blank or make them agree (within 0.5%)",
    ),
    (
        f.DuplicateId(value="Llama70", field="deployment"),
        "'Llama70' appears more than once; each row needs its own deployment",
    ),
    (
        f.UnknownCandidate(tier="chat", candidate="q-l4", close=[]),
        "tier 'chat' lists candidate 'q-l4', which is not in the Deployments table",
    ),
    (
        f.DeploymentNotCandidate(tier="chat", deployment="q-l40s"),
        "tier 'chat' names deployment 'q-l40s' but does not list it among its candidates; add it "
        "to the candidates",
    ),
    (
        f.UnknownProvider(provider="awz", close=["aws"], known=["aws", "azure", "gcp"]),
        "unknown provider 'awz' (did you mean aws?); known: aws, azure, gcp",
    ),
    (
        f.UnknownApiModel(api_model="openai/gpt-4", close=["openai/gpt-4o", "openai/gpt-4.1"]),
        "unknown API model 'openai/gpt-4' (did you mean openai/gpt-4o, openai/gpt-4.1?); use "
        "provider/model as in the drop-down, or price it fully in the price overrides table",
    ),
    (
        f.NoBatchPrice(api_model="openai/gpt-4o"),
        "openai/gpt-4o: the price list has no batch price for this model; price it in "
        "PriceOverrides, or use realtime",
    ),
    (
        f.UnpricedApiModel(api_model="acme/m1"),
        "the catalogue has no token price for acme/m1; price it in the price overrides table",
    ),
    (
        f.IncompleteOverride(api_model="acme/m1", close=[]),
        "'acme/m1' is not in the catalogue, so its row must give both input_per_mtok and "
        "output_per_mtok",
    ),
    (
        f.OverrideModeUnused(api_model="openai/gpt-4o", api_mode="batch", modes=("realtime",)),
        "this batch price for openai/gpt-4o is used by no tier: the tiers on openai/gpt-4o run "
        "realtime, so the negotiated price would be ignored; set api_mode to realtime, or "
        "delete the row",
    ),
    (
        f.OverrideModelUnused(api_model="openai/gpt-4", close=["openai/gpt-4o"]),
        "no tier runs on openai/gpt-4, so this negotiated price would be ignored; name the model "
        "a tier runs on today (did you mean openai/gpt-4o?), or delete the row",
    ),
    (
        f.RetiredModel(
            api_model="openai/gpt-4",
            notice=f.RetirementNotice(
                retires_on=date(2026, 3, 1),
                already=True,
                source="platform.openai.com/docs/deprecations",
                successor="openai/gpt-4.1",
            ),
        ),
        "openai/gpt-4 was retired by its provider on 2026-03-01 "
        "(platform.openai.com/docs/deprecations); openai/gpt-4.1 replaces it: price the model "
        "the client will move to instead",
    ),
    (
        f.UnusedDeployment(deployment="q-l40s"),
        "no tier names q-l40s as its deployment or among its candidates, so no plan considers "
        "it; name it in a tier's row, or delete this row",
    ),
    (
        f.ComplianceNeedsDeployment(tier="chat", flags=("hipaa",)),
        "compliance (hipaa) forbids sending tier 'chat' to an outside API, so it must name a "
        "deployment to be self-hosted on",
    ),
    (
        f.ComplianceLockedApi(tier="chat", flags=("hipaa", "gdpr")),
        "tier 'chat' is locked on the API, but compliance (hipaa, gdpr) forbids sending it to an "
        "outside API; unlock it or route it to self_host",
    ),
    (
        f.EvaluationUnknownTier(tier="chta", close=["chat"]),
        "tier 'chta' is not in the Tiers table (did you mean chat?)",
    ),
    (
        f.EvaluationUnknownModel(model="llama", close=[]),
        "unknown model 'llama': give an API model as provider/model or an open-weight model's "
        "catalogue id",
    ),
    (
        f.EvaluationScoredTwice(tier="chat", model="llama-3.3-70b"),
        "model 'llama-3.3-70b' is scored twice for tier 'chat'; keep one row per model and tier",
    ),
    (
        f.SplitWithoutEffect(tier="chat", why="locked"),
        "tier 'chat' gives an easier share but it is locked to its proposed route, so it is not "
        "split",
    ),
    (
        f.RuleWithoutBasis(tier="chat", field="quality_floor"),
        "tier 'chat' has a quality rule (quality_floor) but nothing to judge it by: name its "
        "task_family, or give the client's own scores for this tier in the Evaluations table",
    ),
    (
        f.ComplianceRuleExcludesAll(
            tier="chat",
            flags=("hipaa",),
            misses=[
                f.Miss(
                    model="llama-3.3-70b",
                    deployments=["l-h100", "l-h200"],
                    verdict="short",
                    shortfall_points=1.0,
                ),
                f.Miss(model="qwen2.5-14b", deployments=["q-l40s"], verdict="no_score"),
            ],
        ),
        "compliance (hipaa) keeps tier 'chat' off the API and its quality rule excludes every "
        "candidate (llama-3.3-70b (l-h100, l-h200): 1 point short; qwen2.5-14b (q-l40s): no "
        "score); relax the rule, add a candidate that meets it, or score the tier in the "
        "Evaluations table",
    ),
    (
        f.UnknownOpenModel(model="llama", close=[], known=["llama-3.1-8b", "qwen2.5-14b"]),
        "unknown open-weight model 'llama'; known: llama-3.1-8b, qwen2.5-14b",
    ),
    (
        f.UnknownGpu(gpu="h10", close=["h100"], known=["a100", "h100"]),
        "unknown GPU 'h10' (did you mean h100?); known: a100, h100",
    ),
    (
        f.UnknownInstance(instance="p5.48xl", close=["p5.48xlarge"]),
        "unknown instance 'p5.48xl' (did you mean p5.48xlarge?); leave it blank to let the tool "
        "choose the cheapest",
    ),
    (
        f.InstanceGpuMismatch(instance="g6e.xlarge", instance_gpu="l40s", gpu="h100"),
        "instance g6e.xlarge has l40s GPUs, not h100",
    ),
    (
        f.WeightsDoNotFit(
            model_name="Llama 3.3 70B",
            precision="bf16",
            weights_gb=141.12,
            gpus_per_replica=1,
            vram_gb=80.0,
        ),
        "Llama 3.3 70B at bf16 does not fit: its weights take 141.1 GB, more than 90% of 1 × "
        "80 GB; use more GPUs per replica, a lower precision, or leave it blank for the "
        "memory-fit rule",
    ),
    (
        f.NoMemoryFit(
            model_name="Llama 3.1 405B",
            precision="bf16",
            weights_gb=810.0,
            gpu_name="L40S",
            vram_gb=48.0,
        ),
        "Llama 3.1 405B at bf16 does not fit on 8 × L40S: its weights take 810.0 GB and need at "
        "most 60% of the replica's 384 GB; choose a larger GPU or a lower precision",
    ),
    (
        f.NoComputeRate(gpu_name="T4", compute="fp8", precision="fp8"),
        "T4 has no dense fp8 figure in the catalogue, which fp8 weights run at on it; choose "
        "another precision or GPU, or give prefill_tps_per_gpu and decode_tps_per_gpu",
    ),
    (
        f.NoRentableInstance(gpu="mi300x"),
        "the catalogue knows no rentable mi300x instance; give gpu_hour_price (and "
        "gpus_per_instance) from the client's own quote",
    ),
    (
        f.NoPlanPrice(price_plan="spot", instance="p5.48xlarge"),
        "the catalogue has no spot price for p5.48xlarge; give gpu_hour_price or choose another "
        "price plan",
    ),
    (
        f.NoPlacement(gpu="h100", gpus_per_replica=2, providers=(), price_plans=(), flags=()),
        "no catalogue instance with h100 GPUs holding a whole 2-GPU replica is priced among any "
        "provider on any price plan; allow more providers or price plans, or name an instance "
        "(or your own premises) and give its gpu_hour_price",
    ),
    (
        f.RequestDoesNotFit(
            tier="chat",
            deployment="l-l4",
            context_tokens=128000.0,
            needed_gb=41.943,
            left_gb=3.5,
            gpus_per_replica=1,
            vram_gb=24.0,
        ),
        "a 128,000-token request of tier 'chat' does not fit on l-l4: its KV cache needs 41.94 "
        "GB and the 1 × 24 GB replica has 3.50 GB left beside the weights; use more GPUs per "
        "replica, a lower precision, or an fp8 KV cache (kv_precision)",
    ),
    (
        f.TpotUnreachable(
            tier="chat",
            deployment="l-l4",
            tpot_ms=20.0,
            best_ms=31.25,
            gpus_per_replica=1,
            gpu="l4",
            reach=f.Reach(meets_gpus=4, meets_per_gpu_tps=1234.4),
        ),
        "tier 'chat' promises 20 ms per output token, but l-l4 takes at least 31.2 ms per output "
        "token on 1 × l4, even for one request; 4 × l4 meets it at 1,234 output tokens/s per "
        "GPU: set gpus_per_replica to 4, or relax tpot_ms",
    ),
    (
        f.LatencyUnreachable(
            tier="chat",
            deployment="l-l4",
            tpot_ms=20.0,
            best_ms=31.26,
            gpus_per_replica=1,
            gpu="l4",
            reach=f.Reach(tried=[1, 2, 4], closest_gpus=4, closest_ms=22.04),
        ),
        "l-l4 takes at least 31.3 ms per output token on 1 × l4, even for one request, more "
        "than the 20 ms tier 'chat' promises: the best plan never sends the tier there; no "
        "replica of 1, 2 or 4 × l4 meets it; the closest is 4 × l4 at 22.0 ms (its weights' "
        "reads and its exchanges between GPUs); use a faster GPU, a lower precision, or relax "
        "tpot_ms",
    ),
    (
        f.LatencyUnreachable(
            tier="chat",
            deployment="l-l4",
            tpot_ms=20.0,
            best_ms=31.26,
            gpus_per_replica=1,
            gpu="l4",
            reach=f.Reach(tried=[1]),
        ),
        "l-l4 takes at least 31.3 ms per output token on 1 × l4, even for one request, more "
        "than the 20 ms tier 'chat' promises: the best plan never sends the tier there; use a "
        "faster GPU, a lower precision, or relax tpot_ms",
    ),
    (
        f.MemoryTight(deployment="l-h100", ratio=0.88, gpus_per_replica=2, vram_gb=80.0),
        "l-h100: weights fill 88% of 2 × 80 GB, leaving little room for KV cache: few requests "
        "fit at once, so throughput is low",
    ),
    (
        f.NoPlan(),
        "no routing can serve every tier: each tier the API is ruled out for must have a "
        "deployment that can hold its requests and meet its latency; add such a deployment or "
        "relax the latency target",
    ),
    (
        f.BillMismatch(),
        "The API cost priced from the catalogue differs from the client's current bill by more "
        "than 20%: check the volumes and prices, or the bill.",
    ),
]


def _codes() -> set[str]:
    union = get_args(f.ProblemFacts)[0]
    return {kind.model_fields["code"].default for kind in get_args(union)}


def test_every_code_has_a_worked_example() -> None:
    # A code added to ProblemFacts without an example here fails: its words are then untested.
    assert {facts.code for facts, _ in EXAMPLES} == _codes()
    # One example a code, but for the latency codes: one a way their reach is worded.
    counts = Counter(facts.code for facts, _ in EXAMPLES)
    assert {code: n for code, n in counts.items() if n > 1} == {"latency_unreachable": 2}


@pytest.mark.parametrize(("facts", "expected"), EXAMPLES, ids=lambda x: getattr(x, "code", ""))
def test_the_words_of_each_code(facts: f.ProblemFacts, expected: str) -> None:
    assert words(facts) == expected


def test_a_problem_found_by_the_engine_reads_as_its_code_words() -> None:
    problem = Problem(loc=("tiers", 0, "share_pct"), facts=f.NoVolume(tier="chat"))
    assert problem.message == (
        "tier 'chat' has no volume: its input + output Mtok per day must be more than 0"
    )
    assert problem.describe() == f"tiers[0].share_pct: {problem.message}"


def test_the_other_words_of_the_cases_a_code_tells_apart() -> None:
    # Retirement without a notice, or ahead of the report with no successor.
    undated = f.RetiredModel(api_model="anthropic/claude-2", notice=None)
    ahead = f.RetiredModel(
        api_model="openai/gpt-4o",
        notice=f.RetirementNotice(
            retires_on=date(2027, 1, 5), already=False, source="openai.com", successor=None
        ),
    )
    assert words(undated) == (
        "anthropic/claude-2 is retired by its provider: it is priced at its last published "
        "price; price the model the client will move to instead"
    )
    assert words(ahead) == (
        "openai/gpt-4o is to be retired by its provider on 2027-01-05 (openai.com); its "
        "provider names no successor: price the model the client will move to instead"
    )
    # Two points short, and an API model with no score to compare with.
    misses = f.ComplianceRuleExcludesAll(
        tier="t",
        flags=("gdpr",),
        misses=[
            f.Miss(model="m", deployments=["d"], verdict="short", shortfall_points=2.5),
            f.Miss(model="n", deployments=["api"], verdict="no_api_score"),
        ],
    )
    assert "(m (d): 2.5 points short; n (api): the API model has no score to compare with)" in (
        words(misses)
    )
    # Providers, plans and compliance named where they narrowed the search.
    narrowed = f.NoPlacement(
        gpu="h100",
        gpus_per_replica=8,
        providers=("aws", "gcp"),
        price_plans=("on_demand",),
        flags=("hipaa",),
    )
    assert words(narrowed) == (
        "no catalogue instance with h100 GPUs holding a whole 8-GPU replica is priced among "
        "aws, gcp on on_demand that compliance (hipaa) allows (a provider inside your own cloud "
        "account, with a HIPAA business associate agreement or EU regions on record, as the "
        "rules require); allow more providers or price plans, or name an instance (or your own "
        "premises) and give its gpu_hour_price"
    )
    split = [f.SplitWithoutEffect(tier="t", why=why) for why in ("no_rule", "nothing_excluded")]
    assert [words(s) for s in split] == [
        "tier 't' gives an easier share but no quality rule (max_quality_drop or quality_floor) "
        "to keep the rest of it from a smaller model, so it is not split",
        "tier 't' gives an easier share but its quality rule excludes none of its candidates: "
        "each may take all of it already, so it is not split",
    ]


def test_an_unknown_code_has_no_words() -> None:
    with pytest.raises(ValidationError):
        Problem(loc=(), facts=cast(f.ProblemFacts, {"code": "no_such_code"}))
    with pytest.raises(AssertionError):
        words(cast(f.ProblemFacts, object()))


def test_a_problem_says_something() -> None:
    with pytest.raises(ValidationError, match="needs its message, or the facts"):
        Problem(loc=("tiers",))


def test_an_input_layer_problem_keeps_its_plain_message() -> None:
    problem = Problem(loc=("workload", "cache_hit_pct"), message="must be between 0 and 100")
    assert problem.facts is None
    assert problem.message == "must be between 0 and 100"


CLOSEST = f.EstimateClosest(gpus=8, gpu="l4", best_ms=23.44)
ESTIMATE_EXAMPLES: list[tuple[f.EstimateFacts, str]] = [
    (
        f.EstimateUnknownId(kind="model", given="llama-9", known=["a", "b"]),
        "unknown model 'llama-9'; known: a, b",
    ),
    (
        f.EstimateUnknownId(kind="GPU", given="z100", known=["h100-sxm"]),
        "unknown GPU 'z100'; known: h100-sxm",
    ),
    (
        f.EstimateNoComputeRate(gpu_name="NVIDIA T4", compute="fp8", precision="fp8"),
        "NVIDIA T4 has no dense fp8 figure in the catalogue, which fp8 weights run at on it",
    ),
    (
        f.EstimateNoFit(
            model_name="Kimi K2", precision="fp8", weights_gb=1000.0, gpu_name="NVIDIA B200"
        ),
        "Kimi K2 at fp8 (1000.0 GB) does not fit 8 × NVIDIA B200 by the 60% rule; give --gpus "
        "or a lower precision",
    ),
    (
        f.EstimateFixedSizeMisses(
            tpot_ms=20, gpus=1, gpu="l40s", best_ms=21.04, meets_gpus=4, meets_per_gpu_tps=312.6
        ),
        "20 ms per output token cannot be met on 1 × l40s: one request alone takes 21.0 ms at "
        "the 99th percentile; 4 × l40s meets it at 313 output tokens/s per GPU, the most per GPU "
        "of the replicas that do: use --gpus 4, or leave --gpus out to have it chosen",
    ),
    (
        f.EstimateFixedSizeMisses(tpot_ms=20, gpus=1, gpu="l4", best_ms=53.1, closest=CLOSEST),
        "20 ms per output token cannot be met on 1 × l4: one request alone takes 53.1 ms at the "
        "99th percentile; the closest is 8 × l4, where one request alone takes 23.4 ms (its "
        "weights' reads and its exchanges between GPUs); use a faster GPU, a lower precision or "
        "a looser bound",
    ),
    (
        f.EstimateNoSizeMeets(tpot_ms=20, tried=[1, 2, 4, 8], gpu="l4", closest=CLOSEST),
        "20 ms per output token cannot be met on any replica of 1, 2, 4 or 8 × l4; the closest "
        "is 8 × l4, where one request alone takes 23.4 ms (its weights' reads and its exchanges "
        "between GPUs); use a faster GPU, a lower precision or a looser bound",
    ),
]


def test_every_estimate_code_has_a_worked_example() -> None:
    union = get_args(f.EstimateFacts)[0]
    codes = {kind.model_fields["code"].default for kind in get_args(union)}
    assert {facts.code for facts, _ in ESTIMATE_EXAMPLES} == codes


@pytest.mark.parametrize(
    ("facts", "expected"), ESTIMATE_EXAMPLES, ids=lambda x: getattr(x, "code", "")
)
def test_the_words_of_each_estimate_code(facts: f.EstimateFacts, expected: str) -> None:
    assert estimate_words(facts) == expected

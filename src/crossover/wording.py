"""The results in words for a client: names for ids, risks, tornado ends, sources, in the display currency.

The engine returns numbers and codes; every sentence and amount a reader sees is written
here (and in the templates), money converted to the client's currency by formatting.py.
"""

from __future__ import annotations

import math
import re
from typing import Literal

from crossover import formatting
from crossover.catalogue.api_prices import model_name as api_model_display_name
from crossover.engine.results import (
    DeploymentResult,
    InputWarning,
    Plan,
    RateError,
    Results,
    Risk,
    SensitivityBar,
    Sourced,
    StalePrice,
)
from crossover.formatting import Display
from crossover.quality_words import QualityWords
from crossover.tier_words import named_routes, split_with, tier_labels, tier_names

PLAN_NAMES = {
    "on_demand": "on-demand",
    "reserved_1y": "1-year reserved",
    "reserved_3y": "3-year reserved",
    "spot": "spot",
}
"""Price plans as a client says them."""

DRIVER_LABELS = {
    "daily_volume": "Daily volume",
    "peak_to_average": "Peak ÷ average demand",
    "throughput": "Serving throughput",
    "gpu_hour_price": "GPU-hour price",
    "api_prices": "API prices",
    "setup_cost": "Engineering setup cost",
    "ops_fte": "Ops staff",
}

COMPLIANCE_NAMES = {
    "hipaa": "HIPAA",
    "gdpr_restricted_subprocessors": "GDPR sub-processor limits",
    "financial_regulated": "financial regulation",
    "data_must_stay_in_network": "data must stay in the client's network",
}

REASONS = {
    "api_cheapest": "No routing that self-hosts a tier costs less than keeping every tier on "
    "its API over the horizon, engineering setup included.",
    "cheapest": "Of every routing of the tiers compared, this plan costs least over the "
    "horizon, engineering setup included.",
}
"""Why the headline plan, by the engine's reason code (compliance is worded apart)."""

KEPT_OUT = {
    "outside_client_account": "it runs outside your own cloud account",
    "no_hipaa_baa": "no HIPAA business associate agreement is on record",
    "no_eu_region": "no EU region is on record",
}
"""Why compliance keeps a provider out, by the engine's reason code."""

GLOSSARY = (
    ("Mtok", "a million tokens; a token is about three quarters of an English word."),
    ("Replica", "one complete copy of a model, on as many GPUs as it needs, serving requests."),
    (
        "Prefill and decode",
        "the two phases of answering a request: reading the prompt (prefill, fast) and "
        "writing the answer token by token (decode, slower).",
    ),
    (
        "Precision",
        "how many bits each model weight is stored in (bf16, fp8, int4): fewer bits need "
        "less GPU memory, at some risk to quality.",
    ),
    (
        "Utilisation ceiling",
        "the highest average utilisation a workload can reach when replicas are sized for "
        "its peak hour: the peak limit divided by the peak-to-average ratio.",
    ),
    (
        "Crossover",
        "the daily volume from which the recommended plan costs less than the API, and "
        "keeps costing less as volume grows.",
    ),
    ("Payback", "the time the monthly savings take to repay the one-off setup cost."),
)
"""Terms a client may not know, defined once in the report."""


def plan_name(plan: str) -> str:
    return PLAN_NAMES.get(plan, plan.replace("_", " "))


def provider_name(instance_id: str | None) -> str:
    """'Lambda': who rents the instance, in words (the provider's own instance code stays in
    the results JSON and the sources' notes, never in a sentence)."""
    if instance_id is None:
        return "your own GPU price"
    cloud = instance_id.partition("/")[0]
    return _CLOUDS.get(cloud.lower(), cloud)


def instance_name(instance_id: str | None, gpus_per_instance: int, gpu_name: str) -> str:
    """'Lambda machines of 8 × H100 SXM 80GB': the provider and what one machine holds."""
    if instance_id is None:
        return f"{gpu_name} GPUs priced at your own figure"
    return f"{provider_name(instance_id)} machines of {gpus_per_instance} × {gpu_name}"


def gpu_price_from(d: DeploymentResult) -> str:
    """'the 1-year reserved price of Lambda machines of 8 × H100 SXM, an assumed discount off
    on-demand'."""
    if d.gpu_hour_price_source == "client":
        return "your workbook"
    assumed = ", an assumed discount off on-demand" if d.price_plan.startswith("reserved") else ""
    where = instance_name(d.instance, d.gpus_per_instance, d.gpu_name)
    return f"the {plan_name(d.price_plan)} price of {where}{assumed}"


def api_model_name(model_ref: str) -> str:
    """'anthropic/claude-haiku-4-5' -> 'Claude Haiku 4.5 (Anthropic)'."""
    return api_model_display_name(model_ref)


_SKYPILOT = re.compile(r"SkyPilot catalog\s+v\d+\s+([a-z]+)", re.IGNORECASE)
_CLOUDS = {
    "aws": "Amazon Web Services",
    "gcp": "Google Cloud",
    "azure": "Microsoft Azure",
    "lambda": "Lambda",
    "runpod": "RunPod",
    "oci": "Oracle Cloud",
}
_ESTIMATE = re.compile(r"^(Estimate from|Roofline estimate)", re.IGNORECASE)
_REPO_FILE = re.compile(r"^([\w.-]+)/([\w.-]+) (config\.json|model card|benchmark_v0\.md)")
_REPO_PATH = re.compile(r"(?:^|; )([\w.-]+)/([\w.-]+) [\w.-]+/")
"""A file in a published repository ('NVIDIA/TensorRT-LLM docs/source/...'), at the start or
after '; ' where several sources are listed (a serving efficiency's)."""
_PUBLISHED = {
    ("NVIDIA", "TensorRT-LLM"): "NVIDIA: TensorRT-LLM performance overview",
    ("dstackai", "benchmarks"): "dstack: published GPU serving benchmarks",
    ("datacrunch-research", "h200-benchmarks"): "DataCrunch: H200 serving benchmarks",
    ("QwenLM", "Qwen2.5"): "Qwen team: Qwen2.5 speed benchmark",
    ("SemiAnalysisAI", "InferenceX-app"): "SemiAnalysis: InferenceX serving benchmarks",
}


def plain_source(source: str) -> str:
    """Where a figure comes from, as a client reads it: publisher, document (no file paths,
    commit hashes or working notes); the full text stays in the results JSON."""
    text = source.strip()
    cloud = _SKYPILOT.search(text)
    if cloud:
        name = _CLOUDS.get(cloud[1].lower(), cloud[1])
        return f"{name}: published on-demand and spot price list"
    if _ESTIMATE.match(text):
        return "Our estimate, scaled from published benchmarks of similar set-ups"
    repo = _REPO_FILE.match(text)
    if repo:
        document = {
            "config.json": "model configuration and model card",
            "model card": "model card",
            "benchmark_v0.md": "published serving benchmark",
        }[repo[3]]
        return f"{repo[1]}: {repo[2]} {document}"
    published = _REPO_PATH.findall(text)
    if published:
        names = (
            _PUBLISHED.get((owner, repo), f"{owner}: {repo}, published benchmark results")
            for owner, repo in published
        )
        return "; ".join(dict.fromkeys(names))
    if text.startswith("Catalogue assumption"):
        return (
            "Our assumption, from the published discount ranges of AWS Savings Plans, "
            "Google Cloud committed-use discounts and Azure reservations"
        )
    # The catalogue's working notes follow a colon or sit in brackets: the reader needs the
    # publisher and the document, not the arithmetic or our own research notes.
    text = re.sub(r",? and the domain article's [^,;]*", "", text)
    text = re.sub(r"\s*\((?:3rd-party|third-party)[^)]*\)", "", text)
    text = re.sub(r"\s*\((?:vLLM|ShareGPT|dense|sparse|a PCIe|on-demand and spot)[^)]*\)", "", text)
    text = re.sub(
        r"^genai-prices [\d.]+ \((.*) price list\)", r"\1: published API price list", text
    )
    head, colon, _ = text.partition(": ")
    return head if colon and len(head) > 12 else text


class Words:
    """The results' ids, codes and figures in words, bound to a display currency."""

    def __init__(self, results: Results, display: Display) -> None:
        self.results = results
        self.display = display
        self.plan = results.headline_plan
        """The plan every output states."""
        # The headline's sizing first: a deployment other plans size differently keeps it.
        self._deployments: dict[str, DeploymentResult] = {}
        for d in [*self.plan.deployments, *results.unused_deployments]:
            self._deployments.setdefault(d.deployment, d)
        for p in results.plans:
            for d in p.deployments:
                self._deployments.setdefault(d.deployment, d)
        self._tiers = tier_labels(results, display)

    def prepared_by(self, brand_name: str) -> str:
        """'Jane Doe, Crossover Advisory': the brand once, even when the author names it too."""
        author = (self.results.scenario.client.prepared_by or "").strip()
        if not author or author == brand_name:
            return brand_name
        if author.endswith(brand_name) or brand_name in author.split(", "):
            return author
        return f"{author}, {brand_name}"

    def money(self, usd: float) -> str:
        return formatting.money(usd, self.display)

    @staticmethod
    def band_basis(error: RateError) -> str:
        """Which held-out measurements an error band comes from: 'vllm on amd,
        throughput-bound', 'every engine'."""
        text: str = error.band_engine or "every engine"
        if error.band_vendor:
            text += f" on {error.band_vendor}"
        return f"{text}, {error.band_regime}-bound" if error.band_regime else text

    @staticmethod
    def replica_size_source(d: DeploymentResult) -> str:
        """Why its replica has its GPUs: 'memory-fit rule', 'least cost for its tiers', ..."""
        return REPLICA_SIZE_SOURCES[d.gpus_per_replica_source]

    def tier(self, tier_id: str) -> str:
        """A tier, or a part of one split by difficulty, by name."""
        return self._tiers.get(tier_id, tier_id)

    def splits(self) -> str | None:
        """What a split by difficulty means, for the tiers split (None where none is)."""
        easier = [
            t.part for t in self.results.tiers if t.part is not None and t.part.part == "easier"
        ]
        if not easier:
            return None
        shares = _names(
            [
                f"the easier {formatting.percent_points(p.share_of_tier_pct, self.display)} of "
                f"{p.of}"
                for p in easier
            ]
        )
        return (
            f"Split by difficulty: you state that a smaller model handles {shares}, so that "
            "share may go to a candidate the tier's quality rule otherwise excludes; the rest "
            "goes only where the rule allows. Each part is routed and costed as a tier of its own."
        )

    def _moved(self, risk: Risk) -> str:
        """The tier a quality_change risk moves: both parts of a split tier where its
        deployment serves both (the engine states that move once)."""
        tier_id = risk.tier or ""
        d = self._deployments.get(risk.deployment or "")
        if d is None:
            return self.tier(tier_id)
        served = [t for t in split_with(tier_id, self.results) if t in d.tiers]
        return _names(self.tiers(served or [tier_id]))

    def tiers(self, tier_ids: list[str]) -> list[str]:
        """Tiers or parts of tiers by name; both parts of a split tier as the tier."""
        return tier_names(tier_ids, self.results, self.display)

    def routes(self, plan: Plan) -> list[tuple[str, str]]:
        """(tier name, route) of a plan; a split tier routed one way is named once."""
        return named_routes(plan, self.results, self.display)

    def reason(self) -> str:
        """Why the headline plan, in one sentence without figures."""
        headline = self.results.headline
        if headline.reason == "compliance":
            flags = ", ".join(COMPLIANCE_NAMES[f] for f in headline.compliance_flags)
            kept = sorted({e.provider_name for e in self.results.kept_out})
            outside = (
                f" It also kept {_names(kept)} out, as providers the rules do not allow "
                "(section 9 says why)."
                if kept
                else ""
            )
            return (
                f"Compliance ({flags}) rules out an outside API for this data: this is the "
                f"cheapest compliant plan over the horizon, engineering setup included.{outside}"
            )
        return REASONS[headline.reason]

    def proposal_comparison(self) -> str | None:
        """Where the headline plan is not the client's proposal: what the proposal saves, what
        the headline saves, and which tiers it routes otherwise (None where they are one)."""
        plan, proposal = self.plan, self.results.proposal
        if plan.key == proposal.key:
            return None
        moved = self.tiers(
            [tier for tier in plan.routes if plan.routes[tier] != proposal.routes[tier]]
        )
        saves = "saves" if proposal.monthly_savings_usd >= 0 else "costs"
        return (
            f"Your proposal {saves} {self.money(abs(proposal.monthly_savings_usd))} a month "
            f"against the API; this plan saves {self.money(plan.monthly_savings_usd)}, and "
            f"{self.money(self.results.headline.proposal_horizon_cost_change_usd)} less over "
            f"the horizon, by routing {_tiers(moved)} otherwise (Workload and routing sets "
            "the two side by side)."
        )

    def deployment(self, deployment_id: str) -> str:
        """'Qwen 2.5 14B Instruct on A100 80GB', with precision and plan when two would read alike."""
        d = self._deployments.get(deployment_id)
        if d is None:
            return deployment_id
        name = f"{d.model_name} on {d.gpu_name}"
        alike = [
            o
            for o in self._deployments.values()
            if o.model_name == d.model_name and o.gpu_name == d.gpu_name
        ]
        if len(alike) > 1:
            name += f" ({d.precision}, {plan_name(d.price_plan)})"
        return name

    def gpu_price_note(self, d: DeploymentResult) -> str:
        """Where a deployment's GPU-hour price comes from, in words (the source is in the sources table)."""
        if d.gpu_hour_price_source == "client":
            return "GPU-hour price: from your workbook."
        return (
            f"GPU-hour price: {gpu_price_from(d)}; its source is listed under Assumptions and "
            "sources."
        )

    def api_model(self, model_ref: str) -> str:
        return api_model_name(model_ref)

    def provider(self, instance_id: str | None) -> str:
        return provider_name(instance_id)

    def instance(self, d: DeploymentResult) -> str:
        """Where a deployment runs: 'RunPod machines of 1 × L40S'."""
        return instance_name(d.instance, d.gpus_per_instance, d.gpu_name)

    def risk(self, risk: Risk) -> str:
        """One plain sentence, with the figure that triggers it."""
        d = self.display
        where = self.deployment(risk.deployment) if risk.deployment else ""
        if risk.code == "low_utilisation":
            return (
                f"{where} would average {_pct(risk.value, d)} utilisation, below the "
                f"{_pct(risk.threshold, d)} at which self-hosting reliably pays; you pay for "
                "idle GPUs around the clock."
            )
        if risk.code == "payback_beyond_horizon":
            months = formatting.integer(risk.value or 0, d)
            return f"The engineering setup does not pay back within the {months}-month horizon."
        if risk.code == "no_crossover":
            return (
                "At these prices self-hosting never becomes cheaper than the API, however much "
                "the volume grows."
            )
        if risk.code == "extrapolated_rate":
            dep = self._deployments.get(risk.deployment or "")
            hardware = f" of {dep.gpu_name} at {dep.precision}" if dep else ""
            return (
                f"The serving rate of {where} is modelled with no published run{hardware} "
                "behind it: runs left out of the fit were typically "
                f"{_off(risk.value, d)} off, at worst {_off(risk.threshold, d)}. Measure it on "
                "your own traffic before committing."
            )
        if risk.code == "low_precision":
            dep = self._deployments.get(risk.deployment or "")
            served = f" serves {dep.model_name} with {dep.precision} weights" if dep else ""
            return (
                f"{where}{served}: published 4-bit accuracy holds for the models and tasks "
                "tested, not for every model. Compare it with the full-precision model on your "
                "own evaluation set before switching."
            )
        if risk.code == "memory_tight":
            return (
                f"The weights of {where} fill {_pct(risk.value, d)} of its GPU memory, leaving "
                "little for the KV cache: real throughput may fall well short of the rate used."
            )
        if risk.code == "quality_change":
            tier = next((t for t in self.results.tiers if t.tier == risk.tier), None)
            dep = self._deployments.get(risk.deployment or "")
            source = self.api_model(tier.api_model) if tier else "its API model"
            target = dep.model_name if dep else where
            return (
                f"Tier {self._moved(risk)} would move from {source} to {target}: "
                "evaluate it on your "
                "own data before switching."
            )
        if risk.code == "calibration_mismatch":
            return self.calibration_sentence()
        return (
            f"Staying compliant costs {self.money(risk.value or 0)} a month more than the API "
            "would: a premium paid to keep the data in, not a loss."
        )

    def calibration_sentence(self) -> str:
        """The catalogue-priced bill against the client's own, with both amounts."""
        c = self.results.calibration
        priced = self.money(c.catalogue_api_month_usd)
        if c.client_bill_usd is None:
            return f"These volumes cost {priced} a month at list prices."
        return (
            f"Your stated API bill is {self.money(c.client_bill_usd)} a month, but these "
            f"volumes cost {priced} at list prices: check the volumes and prices, or the bill, "
            "before relying on the figures."
        )

    def bill_caveat(self) -> str | None:
        """When the client's bill and the list-price bill disagree, what the headline plan's
        savings are if the bill is right: said in the headline, not only among the risks."""
        c = self.results.calibration
        at_bill = self.plan.monthly_savings_at_client_bill_usd
        if not c.flagged or c.client_bill_usd is None or at_bill is None:
            return None
        if not self.plan.self_hosts:
            return None
        return (
            f"But your stated API bill is {self.money(c.client_bill_usd)} a month while these "
            f"volumes cost {self.money(c.catalogue_api_month_usd)} at list prices: if the bill "
            f"is right, the monthly savings are {self.money(at_bill)}, not "
            f"{self.money(self.plan.monthly_savings_usd)}."
        )

    def warning(self, warning: InputWarning) -> str:
        """A warning as the client reads it: at its cell, deployments and API models by name
        (the field path and the ids stay in the results JSON)."""
        names = {d: self.deployment(d) for d in self._deployments}
        names |= {t.api_model: self.api_model(t.api_model) for t in self.results.tiers}
        message = warning.message
        # Longest first, so that an id inside a longer one is never replaced on its own; an id
        # that is a plain word ('a', 'chat') could be the sentence's own word, and stays.
        for raw in sorted((n for n in names if not n.isalpha()), key=len, reverse=True):
            message = re.sub(rf"(?<![\w/.-]){re.escape(raw)}(?![\w/-])", names[raw], message)
        return f"{warning.cell}: {message}" if warning.cell else message

    def model(self, model_id: str) -> str:
        """Any model by name: an API model's 'provider/model' id or an open-weight model's."""
        if "/" in model_id:
            return self.api_model(model_id)
        named = {d.model: d.model_name for d in self._deployments.values()}
        return named.get(model_id, model_id)

    def quality(self) -> QualityWords | None:
        """The quality assessment in words, models by name; None where none was made."""
        if self.results.quality is None:
            return None
        return QualityWords(self.results.quality, self.model, self.tier)

    def quality_lines(self, plan: Plan) -> list[str]:
        """A sentence per tier of a plan on its quality; a tier split by difficulty whose two
        parts go one way is said once, as the tier."""
        words = self.quality()
        if words is None or self.results.quality is None:
            return []
        lines = []
        for tier in self.results.quality.tiers:
            part, route = tier.part, plan.routes[tier.tier]
            pair = split_with(tier.tier, self.results)
            if part is None or any(plan.routes[t] != route for t in pair):
                lines.append(words.line(tier, route))
            elif part.part == "rest":
                easier = next(
                    t.part for t in self.results.tiers if t.tier in pair and t.part != part
                )
                assert easier is not None
                share = formatting.percent_points(easier.share_of_tier_pct, self.display)
                said = words.line(tier, route, name=part.of).removesuffix(".")
                lines.append(
                    f"{said}; its easier {share} could go to a smaller model, but costs least "
                    "here too."
                )
        return lines

    def commitment(self) -> str | None:
        """What the headline plan's reservations sign the client up to, or None (on demand)."""
        parts = []
        for c in self.plan.commitments:
            d = self._deployments[c.deployment]
            machines = f"{c.instances} machine{'s' if c.instances != 1 else ''}"
            parts.append(
                f"{machines} of {d.gpus_per_instance} × {d.gpu_name} from "
                f"{provider_name(c.instance)} for {c.term_months // 12} "
                f"year{'s' if c.term_months > 12 else ''}, {self.money(c.usd_per_year)} a year "
                f"({self.money(c.total_usd)} in all)"
            )
        if not parts:
            return None
        return f"It reserves {'; '.join(parts)}: paid whether or not the traffic comes."

    def next_steps(self) -> list[str]:
        """What the client does next with the headline plan, in order: a pilot that measures
        what was modelled, an evaluation where a model changes, then any commitment."""
        plan = self.plan
        if not plan.self_hosts:
            return []
        setups = _names([self.deployment(d.deployment) for d in plan.deployments])
        steps = [f"Pilot {setups} on a copy of your own traffic and measure its rate and latency."]
        changed = self.tiers([r.tier for r in plan.risks if r.code == "quality_change" and r.tier])
        if changed:
            steps.append(
                f"Evaluate the self-hosted model on your own data for {_tiers(changed)}, "
                "before any traffic moves."
            )
        if plan.commitments:
            steps.append("Then, and only then, sign the reservation.")
        else:
            steps.append("Then move the traffic tier by tier, on demand: nothing to sign.")
        return steps

    def kept_out(self) -> list[str]:
        """What compliance kept out of the search, a sentence per provider: why, and which
        setups could otherwise have run there."""
        by_provider: dict[str, list[str]] = {}
        reasons: dict[str, list[str]] = {}
        for exclusion in self.results.kept_out:
            name = exclusion.provider_name
            by_provider.setdefault(name, []).append(self.deployment(exclusion.deployment))
            reasons[name] = [KEPT_OUT[r] for r in exclusion.reasons]
        return [
            f"{name}: {' and '.join(reasons[name])}, so {_names(setups)} cannot run there."
            for name, setups in by_provider.items()
        ]

    def risk_plan(self) -> Plan:
        """The plan whose risks the report lists in full: the headline plan, or where it
        self-hosts nothing, the proposal (what self-hosting as proposed would risk)."""
        return self.plan if self.plan.self_hosts else self.results.proposal

    def summary_risks(self) -> list[Risk]:
        """The headline plan's risks."""
        return list(self.plan.risks)

    def driver(self, bar: SensitivityBar) -> str:
        return DRIVER_LABELS[bar.driver]

    glossary = GLOSSARY

    def tornado_note(self) -> str:
        """What the tornado shows about a loss: only speak of crossing zero when a bar does."""
        ends = [
            v
            for b in self.plan.sensitivity
            for v in (b.monthly_savings_usd_low, b.monthly_savings_usd_high)
        ]
        base = self.plan.monthly_savings_usd
        if not ends:
            return ""
        if base > 0 and min(ends) < 0:
            return (
                "Bars that cross the “No saving” line belong to drivers that, alone, turn the "
                "saving into a loss."
            )
        if base <= 0 and max(ends) > 0:
            return (
                "Bars that cross the “No saving” line belong to drivers that, alone, turn the "
                "loss into a saving."
            )
        if base > 0:
            return "No driver alone, moved this far, turns the saving into a loss."
        return "No driver alone, moved this far, turns the loss into a saving."

    def drivers(self, bars: list[SensitivityBar]) -> str:
        return ", ".join(DRIVER_LABELS[bar.driver] for bar in bars)

    def sensitivity_end(self, bar: SensitivityBar, end: Literal["low", "high"]) -> str:
        """The driver at one end with its unit and the move: '75 Mtok/day (−25%)'."""
        d = self.display
        pct = -bar.move_pct if end == "low" else bar.move_pct
        move = formatting.signed_points(pct, d)
        value = bar.low_value if end == "low" else bar.high_value
        if end == "low" and bar.low_floored:
            return "1 (flat traffic: the ratio cannot go below 1)"
        if value is None:
            noun = "rate" if bar.driver == "throughput" else "price"
            return f"{move} on every {noun}"
        shown = {
            "mtok_per_day": lambda v: f"{formatting.number(v, d)} Mtok/day",
            "ratio": lambda v: formatting.number(v, d),
            "usd": lambda v: formatting.money(v, d),
            "fte": lambda v: f"{formatting.number(v, d)} FTE",
            "usd_per_gpu_hour": lambda v: f"{formatting.money_cents(v, d)} per GPU-hour",
            "none": lambda v: formatting.number(v, d),
        }[bar.unit](value)
        return f"{shown} ({move})"

    def confidence(self) -> str | None:
        """One sentence for the summary: how often the headline plan wins, and by how much."""
        mc = self.plan.monte_carlo
        if mc is None:
            return None
        return confidence_sentence(
            mc.probability_plan_cheaper,
            mc.monthly_savings_usd_p10,
            mc.monthly_savings_usd_p90,
            self.results.scenario.operations.horizon_months,
            self.display,
        )

    def source_figure(self, s: Sourced) -> str:
        """What the figure is: 'H100 SXM memory', 'Claude Haiku 4.5 (Anthropic) batch prices'."""
        if s.kind == "api_prices":
            return f"{self.api_model(s.subject)} {s.api_mode} prices"
        if s.kind == "gpu":
            return f"{s.name} memory"
        if s.kind == "model":
            return f"{s.name} parameters and attention shape"
        if s.kind == "instance":
            gpus = formatting.integer(s.figures["gpus_per_instance"], self.display)
            return f"{provider_name(s.name)} machine ({gpus} × {s.gpu_name})"
        if s.kind == "price_plan":
            cloud = f", {_CLOUDS.get(s.cloud, s.cloud)}" if s.cloud else ""
            return f"{plan_name(s.subject).capitalize()} discount{cloud} (assumption)"
        if s.kind == "engine":
            return f"{s.name} memory and batch settings on {s.gpu_name}"
        return f"{s.name} serving efficiency"

    def source_value(self, s: Sourced) -> str:
        """The figure with its unit, money in the display currency."""
        d, f = self.display, s.figures
        if s.kind == "api_prices":
            return (
                f"input {formatting.unit_price(f['input_usd_per_mtok'], d)}, cached input "
                f"{formatting.unit_price(f['cached_input_usd_per_mtok'], d)}, output "
                f"{formatting.unit_price(f['output_usd_per_mtok'], d)} per Mtok"
            )
        if s.kind == "gpu":
            return (
                f"{formatting.number(f['vram_gb'], d)} GB, "
                f"{formatting.number(f['bandwidth_tbs'], d)} TB/s"
            )
        if s.kind == "model":
            return (
                f"{formatting.number(f['params_b'], d)} billion parameters, "
                f"{formatting.integer(f['layers'], d)} layers, "
                f"{formatting.integer(f['kv_heads'], d)} KV heads of "
                f"{formatting.integer(f['head_dim'], d)}"
            )
        if s.kind == "instance":
            for key, plan in (("on_demand", "on-demand"), ("spot", "spot")):
                hourly = f.get(f"{key}_usd_per_gpu_hour")
                if hourly is not None:
                    return f"{plan} {formatting.money_cents(hourly, d)} per GPU-hour"
            return "no on-demand price"
        if s.kind == "price_plan":
            return (
                f"{formatting.percent_points(f['discount_pct'], d)} off on-demand (published "
                f"range {formatting.number(f['range_low_pct'], d)}–"
                f"{formatting.percent_points(f['range_high_pct'], d)})"
            )
        if s.kind == "engine":
            return (
                f"{formatting.percent(f['mem_fraction'], d)} of memory, at most "
                f"{formatting.integer(f['max_batch'], d)} sequences at once"
            )
        runs = formatting.integer(f["measurements"], d)
        return f"fitted on {runs} published run{'' if f['measurements'] == 1 else 's'}"

    def stale_price(self, s: StalePrice) -> str:
        """Which price is stale: 'Claude Haiku 4.5 (Anthropic) batch prices'."""
        if s.kind == "api_prices":
            return f"{self.api_model(s.subject)} {s.api_mode} prices"
        if s.kind == "price_plan":
            cloud = f", {_CLOUDS.get(s.cloud, s.cloud)}" if s.cloud else ""
            return f"{plan_name(s.subject).capitalize()} discount{cloud}"
        gpus = f" of {s.gpu_name}" if s.gpu_name else ""
        return f"The price of {provider_name(s.name)} machines{gpus}"

    def stale_when(self, s: StalePrice) -> str:
        """How a stale price is dated, before its date: an undated source says so."""
        if s.undated:
            return "undated at its source, read there on"
        return "last seen at its source on"

    def source(self, text: str) -> str:
        return plain_source(text)


def confidence_sentence(
    probability: float,
    savings_p10_usd: float,
    savings_p90_usd: float,
    horizon_months: int,
    display: Display,
) -> str:
    """How often the simulated plan is cheaper over the horizon, and the likely savings."""
    over = f"over {formatting.integer(horizon_months, display)} months"
    if probability == 1:
        share = f"In every simulated future the plan is cheaper {over}"
    elif probability >= 0.95:
        share = f"In more than 9 of 10 simulated futures the plan is cheaper {over}"
    elif probability >= 0.05:
        tenths = math.floor(probability * 10 + 0.5)
        share = f"In {tenths} of 10 simulated futures the plan is cheaper {over}"
    elif probability > 0:
        share = f"In fewer than 1 of 10 simulated futures is the plan cheaper {over}"
    else:
        share = f"In no simulated future is the plan cheaper {over}"
    low = formatting.money(savings_p10_usd, display)
    high = formatting.money(savings_p90_usd, display)
    loss = " (a loss)" if high.startswith(formatting.MINUS) else ""
    if low == high:
        return f"{share}; savings of {low} a month{loss}."
    return f"{share}; savings most likely between {low} and {high} a month{loss}."


def _off(factor: float | None, display: Display) -> str:
    """A ratio of rates as the share it is off: 1.25 → '25%'."""
    return "—" if factor is None else formatting.percent(factor - 1, display)


def _pct(fraction: float | None, display: Display) -> str:
    return "—" if fraction is None else formatting.percent(fraction, display)


SHORT_NAME = 40
"""Client-typed names (tiers, models) are cut to this many characters on the one-page brief."""

_PERCENT_LABELS = {
    "monthly_growth_pct": "monthly growth",
    "cache_hit_pct": "prompt-cache hits",
    "infra_overhead_pct": "infrastructure overhead",
    "target_peak_utilisation_pct": "peak utilisation allowed",
    "share_pct": "a tier's share",
    "sensitivity_pct": "the tornado's swing",
}

_PRICE_FIELDS = {
    "input_per_mtok": "input",
    "cached_input_per_mtok": "cached input",
    "output_per_mtok": "output",
}

_COMPLIANCE = {
    "compliance.hipaa": "HIPAA",
    "compliance.gdpr_restricted_subprocessors": "GDPR limits on sub-processors",
    "compliance.financial_regulated": "financial regulation",
    "compliance.data_must_stay_in_network": "data kept in your network",
}

REPLICA_SIZE_SOURCES = {
    "memory_fit": "memory-fit rule",
    "least_cost": "least cost for its tiers",
    "workbook": "client-supplied",
}
"""Why a replica has its GPUs (DeploymentResult.gpus_per_replica_source), in a few words."""

QUESTION_ORDER = (
    "bill_mismatch",
    "monthly_in_daily",
    "raw_token_count",
    "fx_rate_inverted",
    "percent_fraction",
    "price_override_far",
    "price_override_order",
    "fx_rate_far",
    "implausible_value",
    "currency_converted",
    "retired_model",
    "memory_tight",
    "latency_unreachable",
    "unused_deployment",
    "split_without_effect",
    "missing_column",
    "unknown_column",
)
"""The order questions are asked in: what could change the answer most first."""

_FIELD_PART = re.compile(r"([a-z_]+)(?:\[(\d+)\])?")


def short(name: str) -> str:
    """A client-typed name cut to SHORT_NAME characters, so that no name can push the page."""
    return name if len(name) <= SHORT_NAME else name[: SHORT_NAME - 1].rstrip() + "…"


class CallWords(Words):
    """The one-page brief for the consultant's call: the defaults used, and the warnings as
    questions to ask the client (one per kind of warning)."""

    def assumptions(self) -> list[str]:
        """Every default the figures use that the client did not give, most material first."""
        r, d = self.results, self.display
        scenario = r.scenario
        defaulted = set(r.defaulted)
        lines = []
        if "client.current_monthly_api_bill" in defaulted:
            lines.append(
                "No API bill given: the list-price cost of these volumes is not checked "
                "against what you pay."
            )
        if "client.usd_fx_rate" in defaulted:
            lines.append(
                f"Exchange rate: {formatting.number(scenario.client.usd_fx_rate, d)} "
                f"{scenario.client.currency} per US dollar."
            )
        shapes: dict[tuple[float, float], list[str]] = {}
        for t in r.tiers:
            if t.request_shape_assumed:
                shape = (t.input_tokens_per_request, t.output_tokens_per_request)
                shapes.setdefault(shape, []).append(self.tier(t.tier))
        for (prompt, answer), tiers in shapes.items():
            lines.append(
                f"Requests of {_tiers(tiers)}: {formatting.integer(prompt, d)} tokens in, "
                f"{formatting.integer(answer, d)} out."
            )
        latency = [t for t in r.tiers if t.tpot_assumed and t.tpot_ms is not None]
        if latency:
            lines.append(
                f"Answers written at {formatting.milliseconds(latency[0].tpot_ms or 0, d)} a "
                f"token (about 20 tokens a second) for {_tiers([self.tier(t.tier) for t in latency])}."
            )
        workload, ops = scenario.workload, scenario.operations
        said = {
            "workload.monthly_growth_pct": "Volume growth: "
            f"{formatting.percent_points(workload.monthly_growth_pct, d)} a month.",
            "workload.peak_to_average": "Busiest hour: "
            f"{formatting.ratio(workload.peak_to_average, d)} the day's average demand.",
            "workload.cache_hit_pct": "Prompt-cache hits: "
            f"{formatting.percent_points(workload.cache_hit_pct, d)} of input tokens.",
            "operations.setup_weeks": f"Setup: {formatting.number(ops.setup_weeks, d)} weeks.",
            "operations.setup_engineers": "Setup team: "
            f"{formatting.number(ops.setup_engineers, d)} engineer"
            f"{'' if ops.setup_engineers == 1 else 's'}.",
            "operations.engineer_week_cost": "An engineer-week costs "
            f"{formatting.money(ops.engineer_week_cost, d)}.",
            "operations.ops_fte": "Running the estate: "
            f"{formatting.number(ops.ops_fte, d)} of a full-time engineer.",
            "operations.fte_annual_cost": "An engineer-year costs "
            f"{formatting.money(ops.fte_annual_cost, d)}.",
            "operations.infra_overhead_pct": "Infrastructure overhead: "
            f"{formatting.percent_points(ops.infra_overhead_pct, d)} of the GPU cost.",
            "operations.target_peak_utilisation_pct": "GPUs run at most "
            f"{formatting.percent_points(ops.target_peak_utilisation_pct, d)} busy at peak.",
            "operations.redundancy": "Spare replicas for failover: "
            f"{formatting.integer(ops.redundancy, d)}.",
            "operations.horizon_months": "Horizon: "
            f"{formatting.integer(ops.horizon_months, d)} months.",
        }
        lines += [said[field] for field in said if field in defaulted]
        unstated = [label for field, label in _COMPLIANCE.items() if field in defaulted]
        if len(unstated) == len(_COMPLIANCE):
            lines.append("No compliance rule keeps data away from outside APIs.")
        elif unstated:
            lines.append(f"Not stated, so taken as no: {', '.join(unstated)}.")
        return lines

    def questions(self) -> list[str]:
        """The warnings as questions for the client, one per kind, the most material first."""
        by_code: dict[str | None, list[InputWarning]] = {}
        for warning in self.results.warnings:
            # A kind with no question of its own is asked as it reads, as a warning of no kind.
            code = warning.code if warning.code in QUESTION_ORDER else None
            by_code.setdefault(code, []).append(warning)
        asked = [self._question(code, by_code[code]) for code in QUESTION_ORDER if code in by_code]
        # A warning of no known kind (one saved before warnings had kinds) is asked as it reads.
        asked += [f"{self.warning(w)}: is that right?" for w in by_code.get(None, [])]
        stale = self.headline_stale_prices()
        if stale:
            named = "; ".join(
                f"{_lower_first(self.stale_price(p))} "
                f"({'undated' if p.undated else f'{p.age_days} days old'})"
                for p in stale[:3]
            )
            more = f" and {len(stale) - 3} more" if len(stale) > 3 else ""
            asked.append(
                f"The recommended plan rests on prices not seen recently: {named}{more}. Can you "
                "confirm them with a current quote?"
            )
        unmeasured = [r for r in self.plan.risks if r.code == "extrapolated_rate"]
        if unmeasured:
            setups = _names([self.deployment(r.deployment or "") for r in unmeasured])
            asked.append(
                f"No published run measures the serving rate of {setups}: can a short pilot on "
                "your own traffic measure it before anything is reserved?"
            )
        kept = sorted({e.provider_name for e in self.results.kept_out})
        if kept:
            asked.append(
                f"Compliance kept {_names(kept)} out of the search (outside your own cloud "
                "account, or no agreement on record): do you hold an agreement with any of them "
                "that would let them in?"
            )
        return [q for q in asked if q]

    def headline_stale_prices(self) -> list[StalePrice]:
        """The stale or undated prices the headline plan's own figures use: its instances, their
        reservation discounts and the API prices of the tiers it keeps on the API."""
        plan = self.plan
        instances = {p.instance for p in plan.instances.values() if p.instance is not None}
        discounts = {
            (p.price_plan, (p.instance or "").partition("/")[0])
            for p in plan.instances.values()
            if p.price_plan.startswith("reserved")
        }
        api_models = {t.api_model for t in self.results.tiers if plan.routes.get(t.tier) == "api"}
        return [
            p
            for p in self.results.stale_prices
            if (p.kind == "instance" and p.subject in instances)
            or (p.kind == "price_plan" and (p.subject, p.cloud or "") in discounts)
            or (p.kind == "api_prices" and p.subject in api_models)
        ]

    def _question(self, code: str, warnings: list[InputWarning]) -> str:
        r, d = self.results, self.display
        c = r.calibration
        if code == "bill_mismatch":
            bill = self.money(c.client_bill_usd or 0)
            return (
                f"Your stated bill is {bill} a month, but these volumes cost "
                f"{self.money(c.catalogue_api_month_usd)} on list prices: which is right?"
            )
        if code == "monthly_in_daily":
            times = formatting.integer(c.catalogue_api_month_usd / (c.client_bill_usd or 1), d)
            return (
                f"These volumes cost {times} times your stated bill, about the days in a month: "
                "are the daily volumes really monthly totals?"
            )
        if code == "raw_token_count":
            values = [self._value(w) for w in warnings]
            amounts = " and ".join(formatting.integer(v, d) for v in values)
            return (
                f"{amounts} million tokens a day is more than 100 billion tokens: is that a "
                "count of tokens rather than millions?"
            )
        if code == "fx_rate_inverted":
            client = r.scenario.client
            rate = client.usd_fx_rate
            return (
                f"Is the exchange rate {formatting.number(rate, d)} {client.currency} per US "
                f"dollar, or {formatting.number(1 / rate, d)}? It looks the wrong way round."
            )
        if code == "percent_fraction":
            meant = [
                f"{_PERCENT_LABELS.get(_last(w), 'a percentage')} of "
                f"{formatting.percent_points(self._value(w) * 100, d)} rather than "
                f"{formatting.number(self._value(w), d)}%"
                for w in warnings
            ]
            return f"Did you mean {'; '.join(meant)}? Percent cells take the percentage."
        if code == "price_override_far":
            prices = []
            for w in warnings:
                override = r.scenario.price_overrides[_index(w)]
                prices.append(
                    f"{formatting.price_per_mtok(self._value(w), d)} for "
                    f"{_PRICE_FIELDS[_last(w)]} on {short(self.api_model(override.api_model))}"
                )
            return (
                f"Is your negotiated price right: {'; '.join(prices)}? It is far from the "
                "list price."
            )
        if code == "price_override_order":
            swapped = sorted(
                {
                    short(self.api_model(r.scenario.price_overrides[_index(w)].api_model))
                    for w in warnings
                }
            )
            return (
                f"Are your negotiated prices for {' and '.join(swapped)} in the right columns? "
                "Output is priced below input, or a cache read above an uncached one."
            )
        if code == "fx_rate_far":
            client = r.scenario.client
            return (
                f"Is {formatting.number(client.usd_fx_rate, d)} {client.currency} per US dollar "
                "the rate of the report's day? It is far from the reference rate."
            )
        if code == "currency_converted":
            cells = ", ".join(w.cell or w.field or "" for w in warnings)
            return (
                f"The amounts in {cells} were given in another currency and converted at your "
                "exchange rate: were they meant in that currency?"
            )
        if code == "implausible_value":
            return "Are these figures right? " + " ".join(self.warning(w) + "." for w in warnings)
        if code == "unused_deployment":
            unused = [
                self.deployment(r.scenario.deployments[_index(w)].deployment) for w in warnings
            ]
            them = "it" if len(unused) == 1 else "them"
            return (
                f"Should a plan consider {'; '.join(unused)}? No tier names {them}, so the plans "
                f"leave {them} out."
            )
        if code == "split_without_effect":
            return (
                "Was a split by difficulty meant? "
                + " ".join(self.warning(w) + "." for w in warnings)
                + " A split needs a quality rule that keeps the smaller model from the rest."
            )
        if code == "retired_model":
            models = {
                short(self.api_model(r.scenario.tiers[_index(w)].api_model)) for w in warnings
            }
            return (
                f"{' and '.join(sorted(models))} {'is' if len(models) == 1 else 'are'} retired by "
                "the provider: which model will you move to?"
            )
        if code == "memory_tight":
            names = [r.scenario.deployments[_index(w)].deployment for w in warnings]
            fills = [
                f"{self.deployment(n)} ({_pct(self._deployments[n].memory_fit_ratio, d)})"
                for n in names
            ]
            return (
                f"The weights nearly fill the GPU memory of {', '.join(fills)}: may a replica "
                "use more GPUs, or a lower precision?"
            )
        if code == "latency_unreachable":
            # The warnings name the client's tiers by row; a split tier's parts share its promise.
            named = [r.scenario.tiers[i].tier for i in sorted({_index(w) for w in warnings})]
            tiers = [next(t for t in r.tiers if t.tier == name) for name in named]
            promises = ", ".join(
                f"{short(t.tier)} at {formatting.milliseconds(t.tpot_ms or 0, d)}"
                for t in tiers[:3]
            )
            more = f" and {len(tiers) - 3} more tiers" if len(tiers) > 3 else ""
            return (
                f"Must the answers keep their promised speed ({promises} a token{more})? Some "
                "candidate set-ups cannot reach it, so they were left out."
            )
        places = ", ".join(w.cell or w.field or "" for w in warnings)
        if code == "missing_column":
            return (
                f"The workbook lacks columns ({places}), so every row took its default: is "
                "that right?"
            )
        return f"The workbook has columns the tool does not read ({places}): what do they hold?"

    def _value(self, warning: InputWarning) -> float:
        """The number the warning's field holds in the scenario ('tiers[2].share_pct')."""
        node: object = self.results.scenario
        for name, index in _FIELD_PART.findall(warning.field or ""):
            node = getattr(node, name)
            if index:
                node = node[int(index)]  # type: ignore[index]
        assert isinstance(node, int | float), f"{warning.field} holds no number"
        return float(node)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _names(names: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    unique = list(dict.fromkeys(names))
    return unique[0] if len(unique) == 1 else f"{', '.join(unique[:-1])} and {unique[-1]}"


def _tiers(names: list[str], shown: int = 3) -> str:
    """'tier a', 'tiers a, b and c', 'tiers a, b, c and 4 more'."""
    cut = [short(n) for n in names[:shown]]
    if len(names) == 1:
        return f"tier {cut[0]}"
    if len(names) > shown:
        return f"tiers {', '.join(cut)} and {len(names) - shown} more"
    return f"tiers {', '.join(cut[:-1])} and {cut[-1]}"


def _last(warning: InputWarning) -> str:
    return (warning.field or "").rsplit(".", 1)[-1]


def _index(warning: InputWarning) -> int:
    """The row a warning's field is in: 'tiers[2].tpot_ms' -> 2."""
    found = re.search(r"\[(\d+)\]", warning.field or "")
    assert found is not None, f"{warning.field} names no row"
    return int(found[1])

"""The shapes of the shipped catalogues: every figure with its source and as-of date."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crossover.scenario import ApiMode, Engine, KvPrecision, Precision

STALE_AFTER_DAYS = 90
"""A price seen at its source longer ago than this before the report date is flagged stale."""

CatalogueId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._/-]*$", max_length=80)]
Usd = Annotated[float, Field(gt=0)]

BYTES_PER_PARAM: dict[Precision, float] = {
    "bf16": 2.0,
    "fp16": 2.0,
    "fp8": 1.0,
    "int8": 1.0,
    "int4": 0.5,
    # 4-bit values plus one 8-bit scale per block of 16, as NVFP4 stores them (economics §3).
    "fp4": 0.5625,
}
"""Weight bytes per parameter (economics §3)."""


class _Entry(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, use_attribute_docstrings=True
    )

    source: Annotated[str, Field(min_length=3)]
    """Where the figure comes from (a datasheet, a price list, a benchmark)."""
    as_of: date
    """When the figure was gathered."""


class Gpu(_Entry):
    """An accelerator's memory and dense compute."""

    id: CatalogueId
    name: str
    vendor: Literal["nvidia", "amd"]
    vram_gb: Annotated[float, Field(gt=0)]
    """Memory per GPU, GB."""
    memory_bandwidth_tbs: Annotated[float, Field(gt=0)]
    """Memory bandwidth per GPU, TB/s."""
    dense_tflops: dict[Precision, Annotated[float, Field(gt=0)] | None]
    """Dense (no 2:4 sparsity) tensor TFLOPS (TOPS for integers) per precision; null: the vendor
    gives no figure (the GPU has no tensor-core mode for it)."""
    reference_instance: CatalogueId | None
    """The instance priced when a deployment names none; null: none rentable in the catalogue."""
    interconnect: Literal["nvlink", "infinity-fabric", "pcie"]
    """How GPUs of a replica exchange activations: a PCIe-only card pays for it in every step."""

    @model_validator(mode="after")
    def _every_precision(self) -> Gpu:
        missing = set(BYTES_PER_PARAM) - set(self.dense_tflops)
        if missing:
            raise ValueError(f"dense_tflops lacks {sorted(missing)}")
        return self


class _Seen(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, use_attribute_docstrings=True
    )

    source: Annotated[str, Field(min_length=3)]
    """Where the price was read, in words a client understands: publisher, page or document."""
    seen: date
    """The day the price was seen at that source: the source's own date where it gives one,
    else the day it was read there; never the day the catalogue was assembled."""
    provenance: str = ""
    """How the figure reached the catalogue (dataset, commit, transcription): for maintainers."""


class _Observed(BaseModel):
    """A price as observed at its source: dated where the source shows when it held, else
    undated with the day it was read there."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, use_attribute_docstrings=True
    )

    source: Annotated[str, Field(min_length=3)]
    """Where the price was read, in words a client understands: publisher, page or document."""
    seen: date | None = None
    """The day the source shows the price held (its own date, a dataset's retrieval day, an
    API answer's day); None: the source gives no date (then `read_on`)."""
    read_on: date | None = None
    """For a source that gives no date: the day it was read there. Such a price is treated as
    past the stale age, whatever this day."""
    provenance: str = ""
    """How the figure reached the catalogue (dataset, commit, transcription): for maintainers."""

    @model_validator(mode="after")
    def _dated_or_read(self) -> _Observed:
        if (self.seen is None) == (self.read_on is None):
            raise ValueError(
                "a price needs either `seen` (the day its source shows it held) or `read_on` "
                "(the day an undated source was read), not both and not neither"
            )
        return self

    @property
    def dated(self) -> bool:
        """Whether the source itself shows when the price held."""
        return self.seen is not None

    @property
    def day(self) -> date:
        """The day it was seen at its source, or, undated, the day the source was read."""
        day = self.seen or self.read_on
        assert day is not None  # the validator requires one
        return day

    def stale_on(self, on: date) -> bool:
        """Whether a report dated `on` must flag it: undated, or seen more than
        STALE_AFTER_DAYS before."""
        return not self.dated or (on - self.day).days > STALE_AFTER_DAYS


class PriceSeen(_Observed):
    """One hourly price of an instance, per GPU, as seen at its source on a day."""

    usd_per_gpu_hour: Usd
    """The instance's hourly price divided by its GPU count, unrounded."""


class Instance(BaseModel):
    """A rentable GPU machine and its hourly prices, per GPU, each dated at its source."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, use_attribute_docstrings=True
    )

    id: CatalogueId
    """cloud/type, e.g. aws/p5.48xlarge."""
    cloud: str
    instance_type: str
    gpu: CatalogueId
    gpus_per_instance: Annotated[int, Field(ge=1, le=16)]
    region: str | None = None
    on_demand: PriceSeen | None = None
    spot: PriceSeen | None = None
    """Spot (interruptible) prices move daily; where a range was seen this is its upper end."""

    @property
    def on_demand_usd_per_gpu_hour(self) -> float | None:
        return self.on_demand.usd_per_gpu_hour if self.on_demand else None

    @property
    def spot_usd_per_gpu_hour(self) -> float | None:
        return self.spot.usd_per_gpu_hour if self.spot else None

    @model_validator(mode="after")
    def _id_names_cloud(self) -> Instance:
        if not self.id.startswith(f"{self.cloud}/"):
            raise ValueError(f"instance id {self.id!r} must start with {self.cloud + '/'!r}")
        if self.on_demand is None and self.spot is None:
            raise ValueError(f"instance {self.id!r} has neither an on_demand nor a spot price")
        return self


Pct = Annotated[float, Field(ge=0, lt=100)]


class PricePlanAssumption(_Observed):
    """A provider's reserved or committed discount off on-demand for a term: the point the
    engine uses and the range published for the provider, which the uncertainty simulation may
    draw from. A provider without a row for a term has no such plan."""

    plan: Literal["reserved_1y", "reserved_3y"]
    cloud: str
    """The provider it applies to: never another provider's discount."""
    upfront: Literal["none", "partial", "all"] | None = None
    """What the commitment asks to be paid in advance; None: the source does not say."""
    discount_vs_on_demand_pct: Pct
    """The stated point the engine uses."""
    range_pct: tuple[Pct, Pct]
    """Lowest and highest discount published or quoted for this provider and term."""
    basis: str
    """Why the point is a fair assumption."""

    @model_validator(mode="after")
    def _point_in_range(self) -> PricePlanAssumption:
        low, high = self.range_pct
        if not low <= self.discount_vs_on_demand_pct <= high:
            raise ValueError(
                f"{self.plan} {self.cloud}: the point "
                f"{self.discount_vs_on_demand_pct:g}% lies outside its range {low:g}-{high:g}%"
            )
        return self


class OpenModel(_Entry):
    """An open-weight model's size and attention shape."""

    id: CatalogueId
    name: str
    params_b: Annotated[float, Field(gt=0)]
    """Total parameters, billions."""
    hidden_size: Annotated[int, Field(gt=0)]
    """Width of the activations a split replica exchanges between its GPUs, per token."""
    layers: Annotated[int, Field(gt=0)]
    kv_heads: Annotated[int, Field(gt=0)]
    head_dim: Annotated[int, Field(gt=0)]
    api_equivalents: list[str] = []
    """API model ids that serve this very model (no quality change when self-hosting them)."""
    active_params_b: Annotated[float, Field(gt=0)] | None = None
    """Mixture-of-experts: parameters one token uses, billions (the model card's figure);
    None: a dense model, every parameter used by every token."""
    experts: Annotated[int, Field(ge=2)] | None = None
    """Mixture-of-experts: routed experts per MoE layer (shared experts count as active)."""
    experts_per_token: Annotated[int, Field(ge=1)] | None = None
    """Mixture-of-experts: routed experts each token selects per MoE layer."""
    kv_latent_dim: Annotated[int, Field(gt=0)] | None = None
    """Multi-head latent attention (MLA): values cached per layer and token (kv_lora_rank +
    qk_rope_head_dim), in place of 2 x kv_heads x head_dim; None: ordinary (grouped) attention."""
    sliding_window: Annotated[int, Field(gt=0)] | None = None
    """Tokens a sliding-window (or chunked) attention layer keeps; None: every layer keeps all."""
    sliding_layers: Annotated[int, Field(ge=0)] = 0
    """Layers whose attention keeps only the last `sliding_window` tokens."""

    @model_validator(mode="after")
    def _architecture_consistent(self) -> OpenModel:
        moe = (self.active_params_b, self.experts, self.experts_per_token)
        if any(v is not None for v in moe) and any(v is None for v in moe):
            raise ValueError(
                f"model {self.id}: a mixture-of-experts model gives active_params_b, experts "
                "and experts_per_token together"
            )
        if self.active_params_b is not None and not self.active_params_b < self.params_b:
            raise ValueError(f"model {self.id}: active_params_b must be below params_b")
        if (
            self.experts is not None
            and self.experts_per_token is not None
            and not self.experts_per_token < self.experts
        ):
            raise ValueError(f"model {self.id}: experts_per_token must be below experts")
        if self.sliding_layers > self.layers:
            raise ValueError(f"model {self.id}: sliding_layers exceeds layers")
        if self.sliding_layers and self.sliding_window is None:
            raise ValueError(f"model {self.id}: sliding_layers needs a sliding_window")
        return self

    @property
    def is_moe(self) -> bool:
        return self.experts is not None

    @property
    def expert_params_b(self) -> float:
        """P_e: one routed expert's parameters summed over the MoE layers, billions.

        From the card's total and active counts: total = P_a + E x P_e and active = P_a + k x P_e,
        so P_e = (total - active) / (E - k). 0 for a dense model.
        """
        if self.active_params_b is None or self.experts is None or self.experts_per_token is None:
            return 0.0
        return (self.params_b - self.active_params_b) / (self.experts - self.experts_per_token)

    @property
    def always_active_params_b(self) -> float:
        """P_a: attention, embeddings, shared experts and routers, billions (all of a dense model)."""
        if self.active_params_b is None or self.experts_per_token is None:
            return self.params_b
        return self.active_params_b - self.experts_per_token * self.expert_params_b

    @property
    def compute_params_b(self) -> float:
        """Parameters whose multiplications each token pays for, billions: active for MoE."""
        return self.active_params_b if self.active_params_b is not None else self.params_b

    @property
    def kv_values_per_layer_token(self) -> int:
        """Values one layer caches per token: the MLA latent, or K and V of every KV head."""
        if self.kv_latent_dim is not None:
            return self.kv_latent_dim
        return 2 * self.kv_heads * self.head_dim

    @property
    def kv_bytes_per_token_fp16(self) -> float:
        """KV cache per token at 16-bit in a context no window shortens: every layer keeps it."""
        return self.layers * self.kv_values_per_layer_token * 2


class EngineFacts(_Entry):
    """A serving engine's memory and batching defaults: facts of its configuration, not fitted."""

    id: Engine
    name: str
    mem_fraction: Annotated[float, Field(gt=0, le=1)]
    """The engine's memory setting: its share of each GPU's memory (rule share_of_total), or of
    what the weights and reserve leave free (rule share_of_free), kept for the KV cache."""
    kv_memory_rule: Literal["share_of_total", "share_of_free"]
    reserve_gb_per_gpu: Annotated[float, Field(ge=0)]
    """Memory per GPU kept for activations, CUDA graphs and the runtime, GB."""
    max_batch: Annotated[int, Field(ge=1)]
    """Sequences the engine runs at once at most, by default."""
    max_batch_by_gpu: dict[str, Annotated[int, Field(ge=1)]] = {}
    """GPUs on which the default differs (vLLM: 256 on A100s and GPUs under 70 GiB)."""

    def max_batch_on(self, gpu: str) -> int:
        return self.max_batch_by_gpu.get(gpu, self.max_batch)


class Measurement(_Entry):
    """One published serving run with its full conditions; `as_of` is the date its source gives."""

    id: CatalogueId
    model: CatalogueId
    """The catalogue model whose architecture the run used (Llama 3.1 70B counts as 3.3 70B)."""
    model_as_published: str
    precision: Precision
    """Weight precision."""
    kv_precision: KvPrecision
    gpu: CatalogueId
    gpus: Annotated[int, Field(ge=1, le=1024)]
    """GPUs serving the run in total."""
    tensor_parallel: Annotated[int, Field(ge=1, le=64)]
    """GPUs per replica; gpus / tensor_parallel replicas served the run."""
    engine: Engine
    engine_version: str
    input_tokens: Annotated[float, Field(gt=0)]
    """Input tokens per request (the mean, for a dataset)."""
    output_tokens: Annotated[float, Field(gt=0)]
    """Output tokens per request."""
    concurrency: Annotated[int, Field(ge=1)] | None = None
    """Requests in flight across the whole run, where the source states it."""
    tpot_ms_bound: Annotated[float, Field(gt=0)] | None = None
    """A bound on the time per output token the run had to meet, ms."""
    output_tps: Annotated[float, Field(gt=0)]
    """Measured output tokens per second of the whole run."""
    notes: str = ""

    @property
    def replicas(self) -> int:
        return self.gpus // self.tensor_parallel

    @model_validator(mode="after")
    def _whole_replicas(self) -> Measurement:
        if self.gpus % self.tensor_parallel:
            raise ValueError(
                f"measurement {self.id}: {self.gpus} GPUs are not whole replicas of "
                f"{self.tensor_parallel}"
            )
        return self


class ApiPriceRow(_Seen):
    """One API price in crossover's overlay on genai-prices, USD per million tokens."""

    model: Annotated[str, Field(pattern=r"^[a-z0-9-]+/\S+$")]
    mode: ApiMode
    input_per_mtok: Usd
    cached_input_per_mtok: Usd | None = None
    output_per_mtok: Usd


class TokenPrices(BaseModel):
    """Input, cache-read and output prices, USD per million tokens."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    input_per_mtok: Usd
    cached_input_per_mtok: Usd | None = None
    output_per_mtok: Usd


class TimeOfDayRow(_Seen):
    """A realtime price that depends on the hour: weighted by the overlay's peak share."""

    model: Annotated[str, Field(pattern=r"^[a-z0-9-]+/\S+$")]
    peak: TokenPrices
    off_peak: TokenPrices


class ApiPriceOverlayFile(BaseModel):
    """data/api_price_overlay.yaml: prices the genai-prices snapshot lacks or gets wrong."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    peak_hours_per_week: Annotated[int, Field(ge=0, le=168)]
    peak_share_basis: str
    prices: list[ApiPriceRow]
    time_of_day: list[TimeOfDayRow] = []


ApiModelRef = Annotated[str, Field(pattern=r"^[a-z0-9-]+/\S+$")]


class ApiRetirement(BaseModel):
    """A provider's retirement of an API model: the day its API stops serving it, and the model
    the provider names to move to."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    model: ApiModelRef
    retires_on: date
    """The provider's shutdown date: requests fail from this day."""
    successor: ApiModelRef | None
    """The replacement the provider recommends; None where its page names none."""
    source: Annotated[str, Field(min_length=3)]
    """The provider's deprecation page (or, where noted, the secondary source relied on)."""
    seen: date
    """The day the source gives for the announcement, or the day it was read."""


class ApiModelListFile(BaseModel):
    """data/api_models.yaml: which API models the workbook offers, and which are retired."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    checked: date
    not_chat: list[Annotated[str, Field(min_length=2)]]
    """Text that marks a model id as not a chat or completion model."""
    retired: list[ApiModelRef]
    """Legacy ids withdrawn long ago, without a recorded date: retired whatever the day."""
    retirements: list[ApiRetirement] = []
    """Dated retirements, announced or past, with the successor the provider names."""


class StoredFit(BaseModel):
    """The rate model's fit on the shipped measurements, computed ahead by
    scripts/store_fit.py so a fresh process need not refit (about a second of CPU).

    Used only where `digest` equals the digest of the catalogue data the fit reads
    (engine.rates.fit_digest); a test keeps it equal to a fresh fit.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    digest: str
    common: dict[str, float]
    engines: dict[Engine, dict[str, float]]
    vendors: dict[str, dict[str, float]] = {}
    """Per engine and GPU vendor ('vllm/amd') where the engine has its own fit there."""
    modelled_tps: list[float]
    """Per measurement, in the catalogue's order: the fitted model's rate."""
    left_out_tps: list[float]
    """Per measurement: the rate of the model fitted on every other measurement."""


class ProviderFacts(BaseModel):
    """What a compliance review asks of a provider, each answer with where it was read."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    id: CatalogueId
    """The cloud, as instance ids start with it (aws, runpod, ...)."""
    name: str
    runs_in_client_cloud_account: bool
    """True: a hyperscaler, where the deployment runs inside the client's own cloud account and
    agreements; False: a third party the client must add as a sub-processor."""
    hipaa_baa: bool | None
    """Whether the provider signs a HIPAA business associate agreement for its compute; None: no
    source found either way."""
    hipaa_source: Annotated[str, Field(min_length=3)]
    eu_regions: list[str] | None
    """The provider's EU regions, as it names them; None: not established."""
    regions_source: Annotated[str, Field(min_length=3)]
    as_of: date
    """The day these facts were read."""


class CatalogueFile(BaseModel):
    """The YAML data shipped in crossover/catalogue/data."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    """The data's release, e.g. 2026-11-27; named in every report."""
    gpus: list[Gpu]
    instances: list[Instance]
    price_plans: list[PricePlanAssumption]
    models: list[OpenModel]
    engines: list[EngineFacts]
    measurements: list[Measurement]
    providers: list[ProviderFacts] = []
    """data/providers.yaml: the compliance facts of each cloud."""

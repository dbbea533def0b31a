"""The shapes of the shipped evaluation table: every score with its benchmark, source and date."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crossover.quality.families import TaskFamily

Points = Annotated[float, Field(ge=0, le=100)]
"""A score on a 0-100 scale (a benchmark's accuracy or rescaled score, times 100)."""


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, use_attribute_docstrings=True
    )


class Source(_Model):
    """Who ran an evaluation, where it is published, and when its figures were seen."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")]
    publisher: str
    """Who ran the evaluation, in words a client understands."""
    kind: Literal["independent", "vendor"]
    """independent: one party ran every model the same way; vendor: a model's maker's claim."""
    link: Annotated[str, Field(pattern=r"^https://")]
    seen: date
    """The day the figures were read at that source (never the day this table was assembled)."""
    provenance: str = ""
    """How the figures reached this table (dataset, commit): for maintainers."""


class Benchmark(_Model):
    """The one benchmark that scores a task family, run by one source: scores on one family
    compare, because one party ran every model on it the same way."""

    family: TaskFamily
    name: str
    """The benchmark as its publisher names it (MMLU-Pro, IFEval, ...)."""
    measures: str
    """What it tests, in a line."""
    source: str
    """The id of the Source whose runs score this family; no other source's figures count."""


class ScoreRow(_Model):
    """One model's scores as one source published them, by family; a family it was not scored
    on is left out."""

    model: Annotated[str, Field(min_length=1)]
    """The catalogue id: provider/model for an API model, the open-weight model's id otherwise."""
    evaluated_as: str
    """The exact model (snapshot, endpoint) the source ran, as the source names it."""
    source: str
    """The id of the Source the scores come from."""
    note: str = ""
    """What a reader should know about how this model was run."""
    serving: str = ""
    """How an open-weight model was served for the run: host and precision, as far as stated,
    and by whom; blank for an API model (its maker serves it)."""
    quantised: bool | None = None
    """True: the weights run were quantised below the precision the model was trained in (a
    provider's FP8 endpoint, or the maker's own FP8 release of a BF16 model); False: they were
    not; None: not stated, or an API model."""
    scores: dict[TaskFamily, Points]


class EvaluationFile(_Model):
    """The shipped file: sources, one benchmark per family, and the scores, a row per model and
    source."""

    version: str
    sources: list[Source]
    benchmarks: list[Benchmark]
    scores: list[ScoreRow]

    @model_validator(mode="after")
    def _consistent(self) -> EvaluationFile:
        problems = []
        families = [b.family for b in self.benchmarks]
        problems += [
            f"family {f} has two benchmarks" for f in set(families) if families.count(f) > 1
        ]
        source_ids = {s.id for s in self.sources}
        problems += [
            f"benchmark {b.name}: unknown source {b.source}"
            for b in self.benchmarks
            if b.source not in source_ids
        ]
        scored_by = {b.family: b.source for b in self.benchmarks}
        rows = [(r.model, r.source) for r in self.scores]
        problems += [
            f"model {m} has two rows from {s}" for m, s in set(rows) if rows.count((m, s)) > 1
        ]
        for row in self.scores:
            if row.source not in source_ids:
                problems.append(f"model {row.model}: unknown source {row.source}")
            for family in row.scores:
                if family not in scored_by:
                    problems.append(f"model {row.model}: family {family} has no benchmark")
                elif scored_by[family] != row.source:
                    # Scores on a family compare only when one party ran them all.
                    problems.append(
                        f"model {row.model}: family {family} is scored by {scored_by[family]},"
                        f" not {row.source}"
                    )
        if problems:
            raise ValueError("; ".join(sorted(problems)))
        return self

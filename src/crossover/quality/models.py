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
    """The one benchmark that scores a task family: scores on one family compare."""

    family: TaskFamily
    name: str
    """The benchmark as its publisher names it (MMLU-Pro, IFEval, ...)."""
    measures: str
    """What it tests, in a line."""


class ScoreRow(_Model):
    """One model's published scores, by family; a family it was not scored on is left out."""

    model: Annotated[str, Field(min_length=1)]
    """The catalogue id: provider/model for an API model, the open-weight model's id otherwise."""
    evaluated_as: str
    """The exact model (snapshot, endpoint) the source ran, as the source names it."""
    source: str
    """The id of the Source the scores come from."""
    note: str = ""
    """What a reader should know about how this model was run."""
    scores: dict[TaskFamily, Points]


class EvaluationFile(_Model):
    """The shipped file: sources, one benchmark per family, and the scores."""

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
        models = [r.model for r in self.scores]
        problems += [f"model {m} has two rows" for m in set(models) if models.count(m) > 1]
        for row in self.scores:
            if row.source not in source_ids:
                problems.append(f"model {row.model}: unknown source {row.source}")
            problems += [
                f"model {row.model}: family {f} has no benchmark"
                for f in row.scores
                if f not in families
            ]
        if problems:
            raise ValueError("; ".join(sorted(problems)))
        return self

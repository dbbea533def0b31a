"""The evaluation table the engine looks scores up in, by model and task family."""

from __future__ import annotations

from dataclasses import dataclass

from crossover.quality.families import TaskFamily
from crossover.quality.models import Benchmark, EvaluationFile, Source


@dataclass(frozen=True)
class PublicScore:
    """One published score with everything a reader needs to weigh it."""

    model: str
    family: TaskFamily
    points: float
    """0-100."""
    benchmark: Benchmark
    source: Source
    evaluated_as: str
    note: str
    serving: str
    """How an open-weight model was served for the run (host, precision); blank for an API."""
    quantised: bool | None
    """True: run quantised below its trained precision; None: not stated, or an API model."""


@dataclass(frozen=True)
class EvaluationTable:
    """Public evaluation scores, indexed by (model, family): each family's scores come from its
    one benchmark's source, so any two scores on a family compare."""

    version: str
    benchmarks: dict[TaskFamily, Benchmark]
    scores: dict[tuple[str, TaskFamily], PublicScore]

    def score(self, model: str, family: TaskFamily) -> PublicScore | None:
        """The published score of a catalogue model on a family; None when none was published."""
        return self.scores.get((model, family))

    @property
    def models(self) -> list[str]:
        """Every model the table scores, sorted."""
        return sorted({model for model, _ in self.scores})


def build_table(data: EvaluationFile) -> EvaluationTable:
    """Index a validated evaluation file by model and family."""
    sources = {s.id: s for s in data.sources}
    benchmarks = {b.family: b for b in data.benchmarks}
    scores = {
        (row.model, family): PublicScore(
            model=row.model,
            family=family,
            points=points,
            benchmark=benchmarks[family],
            source=sources[row.source],
            evaluated_as=row.evaluated_as,
            note=row.note,
            serving=row.serving,
            quantised=row.quantised,
        )
        for row in data.scores
        for family, points in row.scores.items()
    }
    return EvaluationTable(version=data.version, benchmarks=benchmarks, scores=scores)

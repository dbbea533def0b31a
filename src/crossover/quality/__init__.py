"""Public evaluation scores of the catalogue's models, sourced and dated (economics §7b)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import yaml

from crossover.quality.families import TASK_FAMILIES, TaskFamily
from crossover.quality.models import Benchmark, EvaluationFile, ScoreRow, Source
from crossover.quality.table import EvaluationTable, PublicScore, build_table

__all__ = [
    "TASK_FAMILIES",
    "Benchmark",
    "EvaluationFile",
    "EvaluationTable",
    "PublicScore",
    "ScoreRow",
    "Source",
    "TaskFamily",
    "build_table",
    "shipped_evaluations",
]

EVALUATIONS_FILE = "evaluations.yaml"


@cache
def shipped_evaluations() -> EvaluationTable:
    """Read and validate the shipped evaluation table once per process."""
    text = files("crossover.quality.data").joinpath(EVALUATIONS_FILE).read_text("utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return build_table(EvaluationFile.model_validate(yaml.load(text, Loader=loader)))

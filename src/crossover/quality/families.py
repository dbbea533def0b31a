"""The task families a tier may name for its quality rule (economics §7b)."""

from __future__ import annotations

from typing import Literal, get_args

TaskFamily = Literal[
    "knowledge",
    "reasoning",
    "instruction_following",
    "chat",
    "math",
    "coding",
    "structured_data",
    "summary_faithfulness",
    "long_context",
]
"""What a tier's work is, as far as public evaluations can tell models apart on it."""

TASK_FAMILIES: tuple[TaskFamily, ...] = get_args(TaskFamily)

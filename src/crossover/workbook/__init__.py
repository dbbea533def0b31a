"""The client's workbook: the blank template, a filled copy of a scenario, and reading one back."""

from __future__ import annotations

from crossover.workbook.reader import read_workbook, read_workbook_with_warnings
from crossover.workbook.template import write_filled, write_template

__all__ = ["read_workbook", "read_workbook_with_warnings", "write_filled", "write_template"]

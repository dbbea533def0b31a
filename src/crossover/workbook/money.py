"""Money cells formatted in a currency: the amount is in the currency the client sees.

A number cell formatted as euros holds euros, whatever the field's unit. Where that currency
is the workbook's own (the Client sheet's currency), the amount is converted at the
workbook's own rate, with a warning that says so; any other currency, or a sign several
currencies share (¥, kr) that the workbook does not settle, is refused with the cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from crossover.plausibility import amount
from crossover.scenario import Loc, Problem
from crossover.workbook.coerce import is_money
from crossover.workbook.layout import FieldSpec

BILL = ("client", "current_monthly_api_bill")
"""The one money field in the display currency; the others are in US dollars."""


@dataclass(frozen=True)
class PricedCell:
    """A number read from a money cell whose format shows a currency."""

    loc: Loc
    where: str
    item: FieldSpec
    value: float
    currencies: tuple[str, ...]
    """What the format's sign can mean: one ISO code, or several for a shared sign."""
    refusal: str | None = None
    """For money typed as text with its currency: the message refusing it where it cannot be
    converted."""


def is_money_field(item: FieldSpec) -> bool:
    """A field holding an amount of money: in US dollars, or the bill in the display currency."""
    return is_money(item) or (item.section, item.name) == BILL


def convert(raw: dict[str, Any], cells: list[PricedCell]) -> list[Problem]:
    """Put each priced cell's amount into raw in its field's currency; the problems found."""
    client = raw.get("client") or {}
    display = client.get("currency")
    if not isinstance(display, str) or not re.fullmatch(r"[A-Z]{3}", display):
        display = "USD"
    rate = client.get("usd_fx_rate", 1.0)
    if not isinstance(rate, int | float) or isinstance(rate, bool) or rate <= 0:
        rate = None
    problems = []
    for cell in cells:
        problem = _convert(raw, cell, display, rate)
        if problem is not None:
            problems.append(problem.model_copy(update={"loc": cell.loc, "where": cell.where}))
    return problems


def _convert(
    raw: dict[str, Any], cell: PricedCell, display: str, rate: float | None
) -> Problem | None:
    target = display if (cell.item.section, cell.item.name) == BILL else "USD"
    if target in cell.currencies and len(cell.currencies) == 1:
        return None
    # The workbook's rate converts between US dollars and its own currency, and nothing else.
    known = [c for c in cell.currencies if c in ("USD", display)]
    if len(cell.currencies) > 1 and len(set(known)) != 1:
        return Problem(
            loc=cell.loc,
            message=f"the cell's currency format shows a sign that could be "
            f"{_either(cell.currencies)}; format the cell as {target} or as a plain number, "
            f"and type the amount in {target}",
        )
    currency = known[0] if known else cell.currencies[0]
    if currency == target:
        return None
    typed = f"{amount(cell.value)} {currency}"
    if (currency not in ("USD", display) or rate is None) and cell.refusal is not None:
        return Problem(loc=cell.loc, message=cell.refusal)
    if currency not in ("USD", display) or rate is None:
        return Problem(
            loc=cell.loc,
            message=f"the cell is formatted as {currency}, so it holds {typed}, but this field "
            f"is in {target}, and the Client sheet gives no exchange rate for {currency}; type "
            f"the amount in {target}",
        )
    converted = cell.value / rate if target == "USD" else cell.value * rate
    _set(raw, cell.loc, converted)
    how = "typed in" if cell.refusal is not None else "formatted as"
    return Problem(
        loc=cell.loc,
        severity="warning",
        code="currency_converted",
        message=f"the cell is {how} {currency}, so it holds {typed}: read as "
        f"{amount(round(converted, 2))} {target}, at the Client sheet's {amount(rate)} "
        f"{display} per US dollar",
    )


def _either(currencies: tuple[str, ...]) -> str:
    return ", ".join(currencies[:-1]) + f" or {currencies[-1]}"


def _set(raw: dict[str, Any], loc: Loc, value: float) -> None:
    node: Any = raw
    for part in loc[:-1]:
        node = node[part]
    node[loc[-1]] = value

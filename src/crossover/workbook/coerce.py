"""Turning what people type into a cell into the value a field expects, or saying why not."""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from crossover.workbook.layout import FieldSpec, format_number

# A cell left empty, or holding only spaces: the field's default applies (or it is missing).
BLANK: Any = object()

_SPACES = " \u00a0\u202f\u2009"
_PLAIN = re.compile(r"\d+(\.\d*)?([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?")
# Thousands grouped by commas, spaces or apostrophes, a point for decimals: 1,234,567.5
_GROUPED = re.compile(r"\d{1,3}(?P<sep>[,'" + _SPACES + r"])\d{3}((?P=sep)\d{3})*(\.\d+)?")
# Digits and separators that do not form one of the shapes above: 1.234,5 or 1,5 or 1.234.567
_SEPARATED = re.compile(r"[\d.,'" + _SPACES + r"]*\d[\d.,'" + _SPACES + r"]*")
# One separator before exactly three digits reads two ways: 1.200 is 1.2 here and 1,200 in
# Germany; 0,125 is 0.125 there and, taken as thousands, 125. A comma before three digits
# after a non-zero lead (1,200) is read as thousands, as the contract fixes.
_POINT_THOUSANDS = re.compile(r"[1-9]\d{0,2}\.\d{3}")
_COMMA_DECIMAL = re.compile(r"0,\d{3}")
# Money typed with its currency: $3,000, US$ 3,000, 3000 USD, €3,000, 1.5m, 250k.
_CURRENCIES = (
    ("US$", "US dollars"),
    ("USD", "US dollars"),
    ("$", "US dollars"),
    ("EUR", "euros"),
    ("€", "euros"),
    ("GBP", "pounds sterling"),
    ("£", "pounds sterling"),
    ("JPY", "yen"),
    ("¥", "yen"),
    ("CHF", "Swiss francs"),
)
_TEXT_CODES: dict[str, tuple[str, ...]] = {
    "euros": ("EUR",),
    "pounds sterling": ("GBP",),
    "yen": ("JPY",),
    "Swiss francs": ("CHF",),
}
_MULTIPLIERS = {"k": 1e3, "m": 1e6, "mn": 1e6, "bn": 1e9}
_TRUE = frozenset({"yes", "y", "true", "1"})
_FALSE = frozenset({"no", "n", "false", "0"})
_ISO_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})([T ]00:00(:00)?)?")
_DAY_MONTH = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_WORDY_DATES = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y")
_ERROR_VALUES = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}
)


@dataclass(frozen=True)
class Cell:
    """What a cell holds: its cached value, its number format, and its formula if any."""

    value: Any
    number_format: str = "General"
    formula: str | None = None

    @property
    def is_blank(self) -> bool:
        if self.formula is not None and self.value is None:
            return False
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())


class UnreadableCellError(ValueError):
    """A cell's content cannot be read as the field's value; the message says why."""


class ForeignAmountError(UnreadableCellError):
    """Money typed as text in a currency other than the field's: refused, unless the reader
    can convert it at the workbook's own rate."""

    def __init__(self, message: str, currencies: tuple[str, ...], amount: float) -> None:
        super().__init__(message)
        self.currencies = currencies
        self.amount = amount


def coerce(spec: FieldSpec, cell: Cell) -> Any:
    """The field's value from a cell, BLANK for an empty cell, or raise UnreadableCellError."""
    if cell.formula is not None and cell.value is None:
        raise UnreadableCellError(
            f"the formula {cell.formula} has no saved result (the file was last saved by a "
            "program that does not calculate formulas); open the file in Excel or LibreOffice, "
            "save it, and send it again"
        )
    if isinstance(cell.value, str) and cell.value.strip() in _ERROR_VALUES:
        raise UnreadableCellError(
            f"the cell shows the error {cell.value.strip()}{_from_formula(cell)}; "
            f"correct it so that it holds {spec.expects}"
        )
    if cell.is_blank:
        return BLANK
    if spec.kind in ("number", "percent"):
        return _number(spec, cell)
    if spec.kind == "integer":
        return _integer(spec, cell)
    if spec.kind == "choice":
        return _choice(spec, cell)
    if spec.kind == "flag":
        return _flag(spec, cell)
    if spec.kind == "date":
        return _date(spec, cell)
    return _text(spec, cell)


def show(cell: Cell) -> str:
    """What the cell holds, as a client would recognise it: "lots", 150%, 2026-01-12."""
    return _show_value(cell.value, cell.number_format) + _from_formula(cell)


def is_percent_format(number_format: str) -> bool:
    """True for a real percent format (0%, 0.0%); a quoted or escaped % is only decoration."""
    unquoted = re.sub(r'"[^"]*"|\\.', "", number_format or "")
    return "%" in unquoted


# Currency signs in number formats, by what they can mean. A sign several currencies share is
# ambiguous: the reader takes the one the workbook uses, or refuses.
_FORMAT_SIGNS: dict[str, tuple[str, ...]] = {
    "US$": ("USD",),
    "$": ("USD",),
    "€": ("EUR",),
    "£": ("GBP",),
    "¥": ("JPY", "CNY"),
    "￥": ("JPY", "CNY"),
    "₹": ("INR",),
    "₩": ("KRW",),
    "R$": ("BRL",),
    "A$": ("AUD",),
    "AU$": ("AUD",),
    "C$": ("CAD",),
    "CA$": ("CAD",),
    "NZ$": ("NZD",),
    "S$": ("SGD",),
    "HK$": ("HKD",),
    "zł": ("PLN",),
    "Kč": ("CZK",),
    "Fr.": ("CHF",),
    "kr": ("SEK", "NOK", "DKK", "ISK"),
    "kr.": ("DKK", "ISK"),
}
# Excel writes a locale's currency as [$sign-LCID]: the locale tells shared signs apart.
_SIGN_LOCALES = {
    ("$", "409"): "USD",
    ("$", "c09"): "AUD",
    ("$", "1009"): "CAD",
    ("$", "1409"): "NZD",
    ("$", "4809"): "SGD",
    ("¥", "411"): "JPY",
    ("¥", "804"): "CNY",
    ("kr", "41d"): "SEK",
    ("kr", "414"): "NOK",
    ("kr.", "406"): "DKK",
}
_DOLLARS = ("USD", "AUD", "CAD", "NZD", "SGD", "HKD", "MXN")
"""What a dollar sign with a locale not listed above may mean."""
_LOCALE_PART = re.compile(r"\[\$([^\]-]*)(?:-([0-9A-Fa-f]+))?\]")
_ISO_CODE = re.compile(r"(?<![A-Za-z])([A-Z]{3})(?![A-Za-z])")


def format_currencies(number_format: str) -> tuple[str, ...]:
    """The currencies a number format shows its amount in: () for none, one ISO code, or the
    several a shared sign (¥, kr) can mean."""
    text = number_format or ""
    found: list[tuple[str, ...]] = []
    for sign, locale in _LOCALE_PART.findall(text):
        sign = sign.strip()
        if (sign, locale.lower()) in _SIGN_LOCALES:
            found.append((_SIGN_LOCALES[sign, locale.lower()],))
        elif sign == "$" and locale:
            found.append(_DOLLARS)
        elif sign:
            found.append(_sign_currencies(sign))
    rest = _LOCALE_PART.sub(" ", text)
    # Quoted text and escaped characters are shown as typed: a sign there is still a sign.
    quoted = " ".join(a or b for a, b in re.findall(r'"([^"]*)"|\\(.)', rest))
    bare = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', " ", rest)
    for part in (quoted, bare):
        code = _ISO_CODE.search(part)
        if code:
            found.append((code[1],))
        sign = next((s for s in sorted(_FORMAT_SIGNS, key=len, reverse=True) if s in part), None)
        if sign is not None:
            found.append(_FORMAT_SIGNS[sign])
    return found[0] if found else ()


def _sign_currencies(sign: str) -> tuple[str, ...]:
    if re.fullmatch(r"[A-Z]{3}", sign):
        return (sign,)
    return _FORMAT_SIGNS.get(sign, (sign,))


def _show_value(value: Any, number_format: str) -> str:
    if value is None:
        return "a blank cell"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        if is_percent_format(number_format):
            return f"{format_number(_times_100(value))}%"
        return format_number(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    text = str(value)
    if len(text) > 60:
        text = text[:57] + "…"
    return json.dumps(text, ensure_ascii=False)


def _from_formula(cell: Cell) -> str:
    return f" (from the formula {cell.formula})" if cell.formula else ""


def _times_100(value: float | int) -> float:
    # A real percent cell stores 15% as 0.15; through Decimal so that 0.15 gives 15, not 15.000…2.
    return float(Decimal(repr(value)) * 100)


def _expected(spec: FieldSpec, cell: Cell, why: str = "") -> UnreadableCellError:
    return UnreadableCellError(f"expected {spec.expects}, found {show(cell)}{why}")


def _number(spec: FieldSpec, cell: Cell) -> float:
    value = cell.value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _expected(spec, cell)
    if isinstance(value, str):
        return parse_number_text(spec, cell, value)
    if spec.kind == "percent" and is_percent_format(cell.number_format):
        return _times_100(value)
    return float(value)


def is_money(spec: FieldSpec) -> bool:
    """A field holding an amount or price in US dollars."""
    return spec.unit.startswith("USD")


def parse_number_text(spec: FieldSpec, cell: Cell, text: str) -> float:
    """A number typed as text: 1,200 / 1 200 / 1'200 / 15% / −3 / $3,000 / 1.5m; ambiguous shapes refused."""
    body = text.strip().replace("\u2212", "-")
    percent = body.endswith("%")
    if percent:
        if spec.kind != "percent":
            raise _expected(spec, cell)
        body = body[:-1].rstrip(_SPACES)
    sign = ""
    if body[:1] in ("-", "+"):
        sign, body = body[0], body[1:].lstrip(_SPACES)
    body, factor, foreign = _money(spec, cell, body)
    if body[:1] in ("-", "+") and not sign:
        sign, body = body[0], body[1:].lstrip(_SPACES)
    value = _magnitude(spec, cell, sign, body)
    # Through Decimal, so that 1.1m is 1100000 and not 1100000.0000000002.
    value = value if factor == 1 else float(Decimal(repr(value)) * Decimal(int(factor)))
    if foreign is not None:
        name, codes = foreign
        raise ForeignAmountError(
            str(
                _expected(
                    spec,
                    cell,
                    f", an amount in {name}: this field is in US dollars, so convert the amount "
                    "(the report shows the client's currency at the exchange rate on the Client "
                    "sheet)",
                )
            ),
            codes,
            value,
        )
    return value


def _money(
    spec: FieldSpec, cell: Cell, body: str
) -> tuple[str, float, tuple[str, tuple[str, ...]] | None]:
    """The digits of money text without its currency and multiplier, the multiplier, and the
    currency (its name and codes) where it is not the US dollar."""
    currency = None
    for symbol, name in _CURRENCIES:
        if body.upper().startswith(symbol):
            currency, body = name, body[len(symbol) :].lstrip(_SPACES)
            break
        if body.upper().endswith(symbol):
            currency, body = name, body[: -len(symbol)].rstrip(_SPACES)
            break
    factor = 1.0
    suffix = re.search(r"(?<=[\d" + _SPACES + r"])(k|m|mn|bn)$", body, re.IGNORECASE)
    if suffix is not None:
        factor = _MULTIPLIERS[suffix[1].lower()]
        body = body[: suffix.start()].rstrip(_SPACES)
    if (currency is not None or suffix is not None) and not is_money(spec):
        raise _expected(spec, cell, ", which is not a plain number: type the number alone")
    if currency is not None and currency != "US dollars":
        return body, factor, (currency, _TEXT_CODES[currency])
    return body, factor, None


def _magnitude(spec: FieldSpec, cell: Cell, sign: str, body: str) -> float:
    if _POINT_THOUSANDS.fullmatch(body) or _COMMA_DECIMAL.fullmatch(body):
        as_decimal = float(body.replace(",", "."))
        as_thousands = float(re.sub("[.,]", "", body))
        raise _expected(
            spec,
            cell,
            f", which could be {sign}{format_number(as_decimal)} or "
            f"{sign}{as_thousands:,.0f}: type {sign}{format_number(as_decimal)} or "
            f"{sign}{format_number(as_thousands)} without the ambiguity",
        )
    if _PLAIN.fullmatch(body):
        return float(sign + body)
    if _GROUPED.fullmatch(body):
        return float(sign + re.sub(r"[,'" + _SPACES + "]", "", body))
    if _SEPARATED.fullmatch(body):
        raise _expected(
            spec,
            cell,
            ", which is ambiguous: write it with a point for decimals and commas or spaces only "
            "between thousands (e.g. 1234.5 or 1,234.5)",
        )
    raise _expected(spec, cell)


def _integer(spec: FieldSpec, cell: Cell) -> int:
    number = _number(spec, cell)
    if not number.is_integer():
        raise _expected(spec, cell)
    return int(number)


def _choice(spec: FieldSpec, cell: Cell) -> str | int:
    if all(isinstance(c, int) for c in spec.choices):
        try:
            number = _number(spec, cell)
        except UnreadableCellError:
            raise _expected(spec, cell) from None
        if number.is_integer() and int(number) in spec.choices:
            return int(number)
        raise _expected(spec, cell)
    if not isinstance(cell.value, str):
        raise _expected(spec, cell)

    # "Self host", "self-host" and "SELF_HOST" all mean self_host; "TRT LLM" means trt-llm.
    def folded(text: str) -> str:
        return re.sub(r"[\s_-]+", "_", text.strip().lower())

    typed = folded(cell.value)
    for choice in spec.choices:
        if isinstance(choice, str) and folded(choice) == typed:
            return choice
    raise _expected(spec, cell)


def _flag(spec: FieldSpec, cell: Cell) -> bool:
    value = cell.value
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        typed = value.strip().lower()
        if typed in _TRUE:
            return True
        if typed in _FALSE:
            return False
    raise _expected(spec, cell)


def _date(spec: FieldSpec, cell: Cell) -> date:
    value = cell.value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise _expected(spec, cell)
    text = value.strip()
    iso = _ISO_DATE.fullmatch(text)
    if iso:
        try:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            raise _expected(spec, cell, ", which is not a day of the calendar") from None
    for pattern in _WORDY_DATES:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    day_month = _DAY_MONTH.fullmatch(text)
    if day_month and int(day_month[1]) <= 12 and int(day_month[2]) <= 12:
        first, second = int(day_month[1]), int(day_month[2])
        raise _expected(
            spec,
            cell,
            f", which could be {first} {calendar.month_name[second]} or {second} {calendar.month_name[first]}",
        )
    raise _expected(spec, cell)


def _text(spec: FieldSpec, cell: Cell) -> str:
    value = cell.value
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_number(value)
    raise _expected(spec, cell)

"""The consultancy's brand: name, logo, colours, fonts, contact line and disclaimer, from a TOML file."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from importlib.resources import as_file, files
from pathlib import Path
from typing import Annotated, Literal

from babel import Locale, UnknownLocaleError
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import ErrorDetails

from crossover.errors import InputError
from crossover.report.brand_files import (
    AssetRefusedError,
    BrandFileError,
    check_font,
    check_logo,
    read_brand_toml,
    resolve_asset,
)

BRAND_FILE = "brand.toml"
LOGO_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg")
FONT_SUFFIXES = (".otf", ".ttf", ".woff", ".woff2")

# Colours and family names end up in CSS: a strict shape keeps them from closing a rule.
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
_FAMILY = re.compile(r"[A-Za-z0-9][A-Za-z0-9 \-]{0,62}")


def _colour(value: str) -> str:
    if not _COLOUR.fullmatch(value):
        raise ValueError(f"expected a colour like #1F3A5F, found {value!r}")
    return value


def _family(value: str) -> str:
    if not _FAMILY.fullmatch(value):
        raise ValueError(
            f"expected a font family name (letters, digits, spaces, hyphens), found {value!r}"
        )
    return value


Colour = Annotated[str, AfterValidator(_colour)]
FontFamily = Annotated[str, AfterValidator(_family)]
Line = Annotated[str, Field(min_length=1, max_length=300)]


def _known_locale(value: str) -> str:
    try:
        Locale.parse(value)
    except (ValueError, UnknownLocaleError):
        raise ValueError(f"not a locale Babel knows (like en_GB), found {value!r}") from None
    return value


class _BrandModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Colours(_BrandModel):
    """The palette: a dark primary, a quieter secondary, one accent, and neutrals."""

    primary: Colour
    """Headings, the cover band, the proposal's line in charts."""
    secondary: Colour
    """The API-only line in charts, secondary emphasis."""
    accent: Colour
    """Markers and highlights: crossover, break-even, payback."""
    text: Colour
    """Body text."""
    muted: Colour
    """Captions, labels, table headers."""
    rule: Colour
    """Hairlines and table rules."""
    tint: Colour
    """Light fills behind callouts and key figures."""


class FontFace(_BrandModel):
    """One font file of the brand's folder, as a CSS @font-face."""

    family: FontFamily
    file: Path
    """Relative to the brand's folder."""
    weight: Annotated[int, Field(ge=100, le=900, multiple_of=100)] = 400
    style: Literal["normal", "italic"] = "normal"

    @field_validator("file")
    @classmethod
    def _inside_folder(cls, value: Path, info: ValidationInfo) -> Path:
        return _asset(value, info, FONT_SUFFIXES, check_font)


class Fonts(_BrandModel):
    body: FontFamily
    """The family for text and tables (it should have tabular figures)."""
    headings: FontFamily
    faces: Annotated[list[FontFace], Field(min_length=1, max_length=16)]
    """The files the families come from; they are embedded in the PDF."""


class Brand(_BrandModel):
    """A consultancy's look, with every asset checked to be a file inside its own folder."""

    folder: Path
    """The brand's folder: the only place its assets are read from."""
    name: Annotated[str, Field(min_length=1, max_length=120)]
    """The consultancy's name, on the cover and in the running header."""
    logo: Path
    """An SVG, PNG or JPEG in the brand's folder."""
    contact: Line
    """One line: email, phone, web."""
    disclaimer: Annotated[str, Field(min_length=1, max_length=2000)]
    colours: Colours
    fonts: Fonts
    locale: Annotated[str, AfterValidator(_known_locale)] | None = None
    """A Babel locale for numbers and dates (en_GB); blank: one that suits the currency."""

    @field_validator("logo")
    @classmethod
    def _logo_inside_folder(cls, value: Path, info: ValidationInfo) -> Path:
        return _asset(value, info, LOGO_SUFFIXES, check_logo)

    @property
    def families(self) -> list[str]:
        """Every family the brand names, body first, once each."""
        return list(dict.fromkeys([self.fonts.body, self.fonts.headings]))


def _asset(
    value: Path,
    info: ValidationInfo,
    suffixes: tuple[str, ...],
    check: Callable[[Path, Path], None],
) -> Path:
    """The asset's real path inside the brand's folder, once its size and content are checked."""
    folder = (info.context or {}).get("folder")
    if not isinstance(folder, Path):
        raise ValueError("a brand is loaded with load_brand(), which knows its folder")
    if value.suffix.lower() not in suffixes:
        raise ValueError(f"expected a {', '.join(suffixes)} file, found {str(value)!r}")
    try:
        path = resolve_asset(folder, value)
        check(value, path)
    except (AssetRefusedError, BrandFileError) as e:
        raise ValueError(str(e)) from None
    except OSError as e:
        raise ValueError(f"{value}: cannot read the file: {e.strerror or e}") from None
    return path


def load_brand(path: Path) -> Brand:
    """Read a brand from its TOML file (or the folder holding brand.toml); InputError names the field."""
    file = path / BRAND_FILE if path.is_dir() else path
    try:
        raw = read_brand_toml(file)
    except BrandFileError as e:
        raise InputError(f"{file}: {e}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{file}: cannot read the brand file: {e}") from None
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{file}: not valid TOML: {e}") from None
    if "folder" in raw:
        raise InputError(
            f"{file}: folder: not a known field (assets are read from the brand's own folder)"
        )
    folder = file.resolve().parent
    try:
        return Brand.model_validate({**raw, "folder": folder}, context={"folder": folder})
    except ValidationError as e:
        problems = "; ".join(_describe(err) for err in e.errors(include_url=False))
        raise InputError(f"{file}: {problems}") from None


def _describe(err: ErrorDetails) -> str:
    where = ".".join(str(part) for part in err["loc"])
    if err["type"] == "missing":
        return f"{where}: required, but missing"
    if err["type"] == "extra_forbidden":
        return f"{where}: not a known field (check the spelling)"
    message = err["msg"].removeprefix("Value error, ")
    found = err.get("input")
    if "found" not in message and str(found) not in message and not isinstance(found, dict | list):
        message = f"{message}, found {found!r}"
    return f"{where}: {message}"


def brand_or_default(path: Path | None) -> Brand:
    """The brand at path (a folder or its brand.toml), or the one that ships with the tool."""
    return load_brand(path) if path is not None else default_brand()


def default_brand() -> Brand:
    """The tasteful brand that ships with the tool (templates/brands/default)."""
    with as_file(files("crossover.templates") / "brands" / "default") as folder:
        return load_brand(folder)

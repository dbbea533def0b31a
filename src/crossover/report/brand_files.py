"""Where a brand's files may be and what they may cost and hold, checked before the report renders them."""

from __future__ import annotations

import re
import stat
import tomllib
import warnings
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from crossover.limits import too_deep

MAX_BRAND_FILE_BYTES = 64 * 1024
"""A brand file is about 2 KB; the longest field (the disclaimer) is 2,000 characters."""
MAX_BRAND_DEPTH = 8
"""A brand nests three levels (fonts, faces, a face's field)."""
MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_SVG_ELEMENTS = 5_000
"""Counted with every <use> expanded: what the renderer would draw."""
MAX_SVG_NESTING = 64
MAX_USE_DEPTH = 8
"""A <use> of an element holding a <use> of an element holding ... at most this many deep."""
MAX_LOGO_PIXELS = 16_000_000
"""About 4,000 × 4,000: a logo printed 5 cm wide needs a tenth of it."""
MAX_FONT_BYTES = 4 * 1024 * 1024
"""A Latin font face is well under 1 MB; the shipped Inter faces are 270 KB each."""

# What a brand folder may hold, by extension, and the type WeasyPrint is told.
ASSET_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".otf": "font/otf",
    ".ttf": "font/ttf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}


class AssetRefusedError(ValueError):
    """Raised when a path or URL is outside what the report may read; says which and why."""


def resolve_asset(folder: Path, name: str | Path) -> Path:
    """The real path of an asset strictly inside folder: a regular file with an allowed type.

    Symlinks are followed before the check, so one that leads out of the folder is refused.
    """
    root = folder.resolve(strict=True)
    candidate = Path(name)
    if not candidate.is_absolute():
        candidate = root / candidate
    try:
        path = candidate.resolve(strict=True)
    except (OSError, RuntimeError) as e:
        raise AssetRefusedError(f"{name}: no such file in {root}") from e
    if not path.is_relative_to(root):
        raise AssetRefusedError(f"{name}: outside the asset folder {root}")
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):
        raise AssetRefusedError(f"{name}: not a regular file")
    if path.suffix.lower() not in ASSET_TYPES:
        allowed = ", ".join(sorted(ASSET_TYPES))
        raise AssetRefusedError(
            f"{name}: a {path.suffix or 'suffix-less'} file; allowed: {allowed}"
        )
    return path


_RASTER_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}
_SVG = "{http://www.w3.org/2000/svg}"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# url(...) in an attribute or a stylesheet, unless it points inside the file (url(#gradient)).
_OUTSIDE_URL = re.compile(r"url\(\s*['\"]?\s*(?!#)|@import", re.IGNORECASE)
_ACTIVE_ELEMENTS = frozenset({"script", "foreignObject", "iframe"})


class BrandFileError(ValueError):
    """A brand file refused for its size or content; the message names the file and the limit."""


def read_brand_toml(file: Path) -> dict[str, Any]:
    """The brand file's table, refused if it is larger or deeper than a brand can be."""
    with file.open("rb") as f:
        # Read one byte past the limit rather than trust stat(): a pipe or /dev/zero has no size.
        data = f.read(MAX_BRAND_FILE_BYTES + 1)
    if len(data) > MAX_BRAND_FILE_BYTES:
        raise BrandFileError(
            f"larger than {MAX_BRAND_FILE_BYTES // 1024} KB, the most a brand file may be "
            "(a brand file is about 2 KB)"
        )
    deep = f"nested more than {MAX_BRAND_DEPTH} levels deep; a brand nests three"
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except RecursionError:
        raise BrandFileError(deep) from None
    if too_deep(raw, MAX_BRAND_DEPTH):
        raise BrandFileError(deep)
    return raw


def check_logo(name: Path, path: Path) -> None:
    """Refuse a logo that is too large to draw cheaply, or that reaches outside its own file."""
    size = path.stat().st_size
    if size > MAX_LOGO_BYTES:
        raise BrandFileError(
            f"{name}: the file is {size / 1024 / 1024:,.1f} MB; a logo may be at most "
            f"{MAX_LOGO_BYTES // 1024 // 1024} MB"
        )
    if path.suffix.lower() == ".svg":
        _check_svg(name, path.read_bytes())
    else:
        _check_raster(name, path, _RASTER_FORMATS[path.suffix.lower()])


def _check_svg(name: Path, data: bytes) -> None:
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise BrandFileError(
            f"{name}: the SVG declares a DTD or entities, which a logo never needs (they are "
            "how entity-expansion attacks begin); export it again without them"
        ) from None
    except ParseError as e:
        raise BrandFileError(f"{name}: not a well-formed SVG file ({e})") from None
    if root.tag != f"{_SVG}svg":
        raise BrandFileError(f"{name}: not an SVG image (its root element is not <svg>)")
    elements = _elements(name, root)
    for element in elements:
        local = element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""
        if local in _ACTIVE_ELEMENTS:
            raise BrandFileError(f"{name}: the SVG holds a <{local}> element; a logo holds none")
        for key, value in element.attrib.items():
            if key in ("href", _XLINK_HREF) and not value.startswith("#"):
                raise BrandFileError(
                    f"{name}: the SVG refers to {value[:60]!r} outside itself; a logo must be "
                    "one self-contained file (embed or remove what it links to)"
                )
            if key.startswith("on"):
                raise BrandFileError(f"{name}: the SVG holds a script ({key}); a logo holds none")
            if _OUTSIDE_URL.search(value):
                raise BrandFileError(
                    f"{name}: the SVG refers to a URL outside itself in {key}; a logo must be "
                    "one self-contained file"
                )
        if local == "style" and _OUTSIDE_URL.search("".join(element.itertext())):
            raise BrandFileError(
                f"{name}: the SVG's stylesheet refers to a URL outside itself; a logo must be "
                "one self-contained file"
            )
    _check_expansion(name, root, elements)


def _elements(name: Path, root: Element) -> list[Element]:
    """Every element, refused past the count and nesting a logo can need (no recursion)."""
    found: list[Element] = []
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_SVG_NESTING:
            raise BrandFileError(
                f"{name}: the SVG nests elements more than {MAX_SVG_NESTING} deep; a logo may "
                f"nest at most {MAX_SVG_NESTING}"
            )
        found.append(element)
        if len(found) > MAX_SVG_ELEMENTS:
            raise _too_many(name)
        stack.extend((child, depth + 1) for child in element)
    return found


def _too_many(name: Path) -> BrandFileError:
    return BrandFileError(
        f"{name}: the SVG draws more than {MAX_SVG_ELEMENTS:,} elements (counting each <use> "
        f"as the elements it repeats); a logo may draw at most {MAX_SVG_ELEMENTS:,}: simplify "
        "it or use a PNG"
    )


def _check_expansion(name: Path, root: Element, elements: list[Element]) -> None:
    """What the renderer would draw once every <use> is replaced by what it refers to.

    A 2 KB file of <use> elements each repeating ten copies of the one before draws 10^9
    shapes; counted with a memo, the refusal costs one visit per element.
    """
    by_id = {e.attrib["id"]: e for e in elements if "id" in e.attrib}
    deep = BrandFileError(
        f"{name}: the SVG nests <use> references more than {MAX_USE_DEPTH} deep; a logo may "
        f"nest them at most {MAX_USE_DEPTH} deep"
    )
    # Per element: the elements it draws, and the longest chain of <use> inside it.
    drawn: dict[int, tuple[int, int]] = {}
    visiting: set[int] = set()

    def count(element: Element, uses: int) -> tuple[int, int]:
        key = id(element)
        if key in drawn:
            return drawn[key]
        if key in visiting:
            raise BrandFileError(f"{name}: a <use> in the SVG refers to an element holding it")
        visiting.add(key)
        total, chain = 1, 0
        for child in element:
            child_total, child_chain = count(child, uses)
            total, chain = total + child_total, max(chain, child_chain)
        href = element.attrib.get("href", element.attrib.get(_XLINK_HREF, ""))
        if href.startswith("#") and href[1:] in by_id:
            # Refused on the way down too: a chain of thousands would exhaust the stack first.
            if uses >= MAX_USE_DEPTH:
                raise deep
            used_total, used_chain = count(by_id[href[1:]], uses + 1)
            total, chain = total + used_total, max(chain, used_chain + 1)
        if chain > MAX_USE_DEPTH:
            raise deep
        if total > MAX_SVG_ELEMENTS:
            raise _too_many(name)
        visiting.discard(key)
        drawn[key] = (total, chain)
        return total, chain

    count(root, 0)


def _check_raster(name: Path, path: Path, expected: str) -> None:
    from PIL import Image, UnidentifiedImageError

    too_big = (
        f"a logo may have at most {MAX_LOGO_PIXELS:,} pixels (about 4,000 × 4,000): scale it down"
    )
    try:
        with warnings.catch_warnings():
            # Pillow warns above 89 million pixels and raises above twice that; our limit is
            # lower and checked below, from the header, before any pixel is decoded.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path, formats=[expected]) as image:
                width, height = image.size
                if width * height <= MAX_LOGO_PIXELS:
                    image.verify()
    except Image.DecompressionBombError:
        raise BrandFileError(
            f"{name}: the image's header declares more than "
            f"{2 * (Image.MAX_IMAGE_PIXELS or 0):,} pixels; {too_big}"
        ) from None
    except UnidentifiedImageError:
        raise BrandFileError(f"{name}: not a {expected} image") from None
    except Exception as e:  # Pillow's parsers raise many types for a damaged file
        raise BrandFileError(f"{name}: a damaged {expected} image ({e})") from None
    if width * height > MAX_LOGO_PIXELS:
        raise BrandFileError(f"{name}: the image is {width:,} × {height:,} pixels; {too_big}")


def check_font(name: Path, path: Path) -> None:
    """Refuse a font file that is too large, or that fontTools cannot read as a font.

    WeasyPrint hands fonts to FreeType and HarfBuzz in every render: a broken file is caught
    here, in pure Python, where it costs one error instead of a render (or a worker).
    """
    size = path.stat().st_size
    if size > MAX_FONT_BYTES:
        raise BrandFileError(
            f"{name}: the file is {size / 1024 / 1024:,.1f} MB; a font file may be at most "
            f"{MAX_FONT_BYTES // 1024 // 1024} MB"
        )
    from fontTools.ttLib import TTFont

    try:
        with TTFont(path, lazy=True) as font:
            for tag in ("head", "hhea", "maxp"):
                font[tag]
            outlines = any(tag in font for tag in ("glyf", "CFF ", "CFF2"))
            mapped = font.getBestCmap()
    except Exception as e:  # fontTools' parsers raise many types for a damaged file
        raise BrandFileError(
            f"{name}: not a font file that can be read ({type(e).__name__}: {e})"[:200]
        ) from None
    if not outlines or not mapped:
        raise BrandFileError(f"{name}: a font file without glyph outlines or a character map")

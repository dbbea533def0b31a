"""Builders of hostile brand folders (TOML, logos, fonts), made fresh in each test run from the default brand."""

from __future__ import annotations

import io
import random
import shutil
import struct
import zlib
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

DEFAULT = Path(str(files("crossover.templates") / "brands" / "default"))
SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">'


def brand_folder(target: Path) -> Path:
    """A copy of the default brand, to spoil one file of."""
    shutil.copytree(DEFAULT, target)
    return target


def with_logo(folder: Path, name: str, data: bytes) -> Path:
    """The brand with its logo replaced by a file called name holding data."""
    (folder / name).write_bytes(data)
    toml = folder / "brand.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('logo = "logo.svg"', f'logo = "{name}"'),
        encoding="utf-8",
    )
    return folder


def use_bomb() -> bytes:
    """About 1.9 KB: nine levels of groups each repeating the one below ten times: 10^9 shapes."""
    groups = "".join(
        f'<g id="l{i}">' + f'<use href="#l{i - 1}"/>' * 10 + "</g>" for i in range(1, 10)
    )
    return (
        f'{SVG_OPEN}<defs><rect id="l0" width="1" height="1"/>{groups}</defs>'
        '<use href="#l9"/></svg>'
    ).encode()


def use_chain(length: int) -> bytes:
    """Each <use> refers to the one before: a linear chain, `length` deep."""
    chain = "".join(f'<use id="u{i}" href="#u{i - 1}"/>' for i in range(1, length + 1))
    return f'{SVG_OPEN}<defs><rect id="u0" width="1" height="1"/>{chain}</defs></svg>'.encode()


def png(width: int, height: int) -> bytes:
    """A real 1-bit greyscale PNG of the given size, all black: megabytes compress to kilobytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    rows_at_once = max(1, (1 << 22) // len(row))
    idat = bytearray()
    for start in range(0, height, rows_at_once):
        idat += compressor.compress(row * min(rows_at_once, height - start))
    idat += compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", bytes(idat))
        + chunk(b"IEND", b"")
    )


def jpeg(width: int, height: int) -> bytes:
    """A real 8 × 8 JPEG whose frame header then declares width × height."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    frame = data.index(b"\xff\xc0")
    data[frame + 5 : frame + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def with_font(folder: Path, data: bytes) -> Path:
    """The brand with its bold face's file replaced by data."""
    (folder / "fonts" / "Inter-Bold.otf").write_bytes(data)
    return folder


def with_toml(folder: Path, extra: str) -> Path:
    toml = folder / "brand.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return folder


def _random_bytes(size: int) -> bytes:
    return random.Random(13).randbytes(size)


BrandBuilder = Callable[[Path], Path]

# name: (builder, the field the error names, the message after it)
HOSTILE_BRANDS: dict[str, tuple[BrandBuilder, str, str]] = {
    "toml-10-mb": (
        lambda f: with_toml(f, "# " + "x" * (10 * 1024 * 1024) + "\n"),
        "",
        "larger than 64 KB, the most a brand file may be (a brand file is about 2 KB)",
    ),
    "toml-deep-recursion": (
        lambda f: with_toml(f, "deep = " + "[" * 30_000 + "]" * 30_000 + "\n"),
        "",
        "nested more than 8 levels deep; a brand nests three",
    ),
    "toml-deep": (
        lambda f: with_toml(f, "deep = " + "[" * 9 + "1" + "]" * 9 + "\n"),
        "",
        "nested more than 8 levels deep; a brand nests three",
    ),
    "svg-use-bomb": (
        lambda f: with_logo(f, "bomb.svg", use_bomb()),
        "logo: ",
        "bomb.svg: the SVG draws more than 5,000 elements (counting each <use> as the elements "
        "it repeats); a logo may draw at most 5,000: simplify it or use a PNG",
    ),
    "svg-use-chain": (
        lambda f: with_logo(f, "chain.svg", use_chain(9)),
        "logo: ",
        "chain.svg: the SVG nests <use> references more than 8 deep; a logo may nest them at "
        "most 8 deep",
    ),
    "svg-use-chain-4000": (
        lambda f: with_logo(f, "long.svg", use_chain(4_000)),
        "logo: ",
        "long.svg: the SVG nests <use> references more than 8 deep; a logo may nest them at "
        "most 8 deep",
    ),
    "svg-use-cycle": (
        lambda f: with_logo(
            f, "cycle.svg", f'{SVG_OPEN}<g id="a"><use href="#a"/></g></svg>'.encode()
        ),
        "logo: ",
        "cycle.svg: a <use> in the SVG refers to an element holding it",
    ),
    "svg-many-elements": (
        lambda f: with_logo(f, "many.svg", (SVG_OPEN + "<rect/>" * 5_001 + "</svg>").encode()),
        "logo: ",
        "many.svg: the SVG draws more than 5,000 elements (counting each <use> as the elements "
        "it repeats); a logo may draw at most 5,000: simplify it or use a PNG",
    ),
    "svg-deep": (
        lambda f: with_logo(
            f, "deep.svg", (SVG_OPEN + "<g>" * 100 + "</g>" * 100 + "</svg>").encode()
        ),
        "logo: ",
        "deep.svg: the SVG nests elements more than 64 deep; a logo may nest at most 64",
    ),
    "svg-external-file": (
        lambda f: with_logo(
            f, "ext.svg", f'{SVG_OPEN}<image href="file:///etc/passwd"/></svg>'.encode()
        ),
        "logo: ",
        "ext.svg: the SVG refers to 'file:///etc/passwd' outside itself; a logo must be one "
        "self-contained file (embed or remove what it links to)",
    ),
    "svg-external-xlink": (
        lambda f: with_logo(
            f,
            "xlink.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
            b'<image x:href="https://tracker.example/pixel.png"/></svg>',
        ),
        "logo: ",
        "xlink.svg: the SVG refers to 'https://tracker.example/pixel.png' outside itself; a "
        "logo must be one self-contained file (embed or remove what it links to)",
    ),
    "svg-external-css": (
        lambda f: with_logo(
            f,
            "css.svg",
            f'{SVG_OPEN}<style>@import url("https://evil.example/x.css");</style></svg>'.encode(),
        ),
        "logo: ",
        "css.svg: the SVG's stylesheet refers to a URL outside itself; a logo must be one "
        "self-contained file",
    ),
    "svg-external-fill": (
        lambda f: with_logo(
            f,
            "fill.svg",
            f'{SVG_OPEN}<rect fill="url(http://evil.example/p#g)"/></svg>'.encode(),
        ),
        "logo: ",
        "fill.svg: the SVG refers to a URL outside itself in fill; a logo must be one "
        "self-contained file",
    ),
    "svg-entities": (
        lambda f: with_logo(
            f,
            "lol.svg",
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>',
        ),
        "logo: ",
        "lol.svg: the SVG declares a DTD or entities, which a logo never needs (they are how "
        "entity-expansion attacks begin); export it again without them",
    ),
    "svg-script": (
        lambda f: with_logo(f, "js.svg", f"{SVG_OPEN}<script>alert(1)</script></svg>".encode()),
        "logo: ",
        "js.svg: the SVG holds a <script> element; a logo holds none",
    ),
    "svg-3-mb": (
        lambda f: with_logo(
            f, "big.svg", (SVG_OPEN + "<!--" + "x" * (3 * 1024 * 1024) + "--></svg>").encode()
        ),
        "logo: ",
        "big.svg: the file is 3.0 MB; a logo may be at most 2 MB",
    ),
    "png-bomb": (
        lambda f: with_logo(f, "bomb.png", png(20_000, 20_000)),
        "logo: ",
        "bomb.png: the image's header declares more than 178,956,970 pixels; a logo may have "
        "at most 16,000,000 pixels (about 4,000 × 4,000): scale it down",
    ),
    "png-25-megapixels": (
        lambda f: with_logo(f, "wide.png", png(5_000, 5_000)),
        "logo: ",
        "wide.png: the image is 5,000 × 5,000 pixels; a logo may have at most 16,000,000 "
        "pixels (about 4,000 × 4,000): scale it down",
    ),
    "jpeg-header-bomb": (
        lambda f: with_logo(f, "bomb.jpg", jpeg(60_000, 60_000)),
        "logo: ",
        "bomb.jpg: the image's header declares more than 178,956,970 pixels; a logo may have "
        "at most 16,000,000 pixels (about 4,000 × 4,000): scale it down",
    ),
    "jpeg-named-png": (
        lambda f: with_logo(f, "photo.png", jpeg(8, 8)),
        "logo: ",
        "photo.png: not a PNG image",
    ),
    "png-3-mb": (
        lambda f: with_logo(f, "noise.png", png(8, 8) + _random_bytes(3 * 1024 * 1024)),
        "logo: ",
        "noise.png: the file is 3.0 MB; a logo may be at most 2 MB",
    ),
    "font-8-mb": (
        lambda f: with_font(f, _random_bytes(8 * 1024 * 1024)),
        "fonts.faces.4.file: ",
        "fonts/Inter-Bold.otf: the file is 8.0 MB; a font file may be at most 4 MB",
    ),
    "font-random-bytes": (
        lambda f: with_font(f, _random_bytes(200 * 1024)),
        "fonts.faces.4.file: ",
        "fonts/Inter-Bold.otf: not a font file that can be read (TTLibError: Not a TrueType "
        "or OpenType font (bad sfntVersion))",
    ),
    "font-truncated": (
        lambda f: with_font(f, (DEFAULT / "fonts" / "Inter-Bold.otf").read_bytes()[:2048]),
        "fonts.faces.4.file: ",
        "fonts/Inter-Bold.otf: not a font file that can be read (",
    ),
    "font-is-png": (
        lambda f: with_font(f, png(8, 8)),
        "fonts.faces.4.file: ",
        "fonts/Inter-Bold.otf: not a font file that can be read (TTLibError: Not a TrueType "
        "or OpenType font (bad sfntVersion))",
    ),
}

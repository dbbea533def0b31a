"""Brands: the default one loads; a bad brand file is refused with its file and field named."""

from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path

import pytest

from crossover.errors import InputError
from crossover.report.brand import Brand, default_brand, load_brand

DEFAULT = Path(str(files("crossover.templates") / "brands" / "default"))


@pytest.fixture
def brand_dir(tmp_path: Path) -> Path:
    """A copy of the default brand, to spoil one field at a time."""
    folder = tmp_path / "acme"
    shutil.copytree(DEFAULT, folder)
    return folder


def edit(folder: Path, old: str, new: str) -> Path:
    file = folder / "brand.toml"
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return file


def test_the_default_brand_ships_its_logo_fonts_and_licence() -> None:
    brand = default_brand()
    assert brand.name == "Crossover Advisory"
    assert brand.logo == DEFAULT.resolve() / "logo.svg"
    assert {face.weight for face in brand.fonts.faces} >= {400, 600, 700}
    assert all(
        face.file.is_file() and face.file.is_relative_to(brand.folder) for face in brand.fonts.faces
    )
    assert "SIL OPEN FONT LICENSE" in (DEFAULT / "fonts" / "OFL.txt").read_text(encoding="utf-8")


def test_a_brand_loads_from_its_file_or_its_folder(brand_dir: Path) -> None:
    edit(brand_dir, 'name = "Crossover Advisory"', 'name = "Acme & Partners"')
    by_folder = load_brand(brand_dir)
    assert by_folder == load_brand(brand_dir / "brand.toml")
    assert by_folder.name == "Acme & Partners"
    assert by_folder.folder == brand_dir.resolve()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'primary = "#1F3A5F"',
            'primary = "navy; } body { display: none"',
            r"colours\.primary: expected a colour like #1F3A5F, found 'navy; \} body \{ display: none'",
        ),
        ('name = "Crossover Advisory"\n', "", "name: required, but missing"),
        (
            'logo = "logo.svg"',
            'logo = "../../../../etc/passwd.svg"',
            r"logo: \.\./\.\./\.\./\.\./etc/passwd\.svg: (no such file|outside the asset folder)",
        ),
        (
            'logo = "logo.svg"',
            'logo = "fonts/OFL.txt"',
            r"logo: expected a \.svg, \.png, \.jpg, \.jpeg file, found 'fonts/OFL\.txt'",
        ),
        (
            'file = "fonts/Inter-Bold.otf"',
            'file = "fonts/Missing.otf"',
            r"fonts\.faces\.4\.file: fonts/Missing\.otf: no such file",
        ),
        (
            'body = "Inter"',
            'body = "Inter\\"; src: url(x)"',
            r"fonts\.body: expected a font family name",
        ),
        ("weight = 700", "weight = 750", r"fonts\.faces\.4\.weight"),
        ("contact = ", "contakt = ", r"contakt: not a known field \(check the spelling\)"),
        ("# locale", 'locale = "xx_NOPE" #', r"locale: not a locale Babel knows"),
    ],
)
def test_a_bad_field_is_named_with_the_file(
    brand_dir: Path, old: str, new: str, message: str
) -> None:
    file = edit(brand_dir, old, new)
    with pytest.raises(InputError, match=message) as caught:
        load_brand(brand_dir)
    assert str(caught.value).startswith(f"{file}: ")


def test_a_logo_symlinked_out_of_the_folder_is_refused(brand_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.svg"
    outside.write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (brand_dir / "logo.svg").unlink()
    (brand_dir / "logo.svg").symlink_to(outside)
    with pytest.raises(InputError, match=r"logo: logo\.svg: outside the asset folder"):
        load_brand(brand_dir)


def test_a_brand_cannot_point_its_folder_elsewhere(brand_dir: Path) -> None:
    edit(brand_dir, 'logo = "logo.svg"', 'logo = "logo.svg"\nfolder = "/etc"')
    with pytest.raises(InputError, match="folder: not a known field"):
        load_brand(brand_dir)


@pytest.mark.parametrize(
    ("content", "message"),
    [("name = ", "not valid TOML"), (b"\xff\xfe", "cannot read the brand file")],
)
def test_an_unreadable_brand_file_is_refused(
    tmp_path: Path, content: str | bytes, message: str
) -> None:
    file = tmp_path / "brand.toml"
    if isinstance(content, bytes):
        file.write_bytes(content)
    else:
        file.write_text(content)
    with pytest.raises(InputError, match=f"{file}: {message}"):
        load_brand(file)


def test_a_missing_brand_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the brand file"):
        load_brand(tmp_path / "nowhere")


def test_brand_colours_reach_the_report(brand: Brand, brand_dir: Path) -> None:
    from crossover.formatting import display_for
    from crossover.report.render import environment

    edit(brand_dir, 'primary = "#1F3A5F"', 'primary = "#123456"')
    custom = load_brand(brand_dir)
    css = environment(display_for("USD", 1.0)).get_template("base.css").render(brand=custom)
    assert "#123456" in css and brand.colours.primary not in css

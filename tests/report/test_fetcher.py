"""The restricted URL fetcher: only files inside the asset folder, and inline images."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from weasyprint.urls import URLFetcherResponse

from crossover.errors import InputError
from crossover.report.brand import Brand
from crossover.report.brand_files import AssetRefusedError
from crossover.report.fetcher import MAX_ASSET_BYTES, AssetFetcher, read_asset
from crossover.report.render import render_pdf

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    assets = tmp_path / "brand"
    (assets / "fonts").mkdir(parents=True)
    (assets / "logo.svg").write_bytes(SVG)
    (tmp_path / "secret.svg").write_bytes(SVG)
    return assets


def fetch(folder: Path, url: str) -> URLFetcherResponse:
    return AssetFetcher(folder).fetch(url)


def test_a_file_inside_the_folder_is_read(folder: Path) -> None:
    response = fetch(folder, (folder / "logo.svg").as_uri())
    assert response.read() == SVG
    assert response.content_type == "image/svg+xml"


def test_an_inline_image_is_decoded(folder: Path) -> None:
    url = "data:image/svg+xml;base64," + base64.b64encode(SVG).decode()
    assert fetch(folder, url).read() == SVG


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("file:///etc/passwd", "outside the asset folder"),
        ("file:///dev/zero", "outside the asset folder"),
        ("http://example.com/logo.svg", "only file and data URLs"),
        ("https://example.com/logo.svg", "only file and data URLs"),
        ("ftp://example.com/logo.svg", "only file and data URLs"),
        ("file://evil.example/share/logo.svg", "another host"),
        ("data:text/html;base64,PHNjcmlwdD4=", "only images"),
        ("data:image/svg+xml;base64,!!!", "invalid base64"),
    ],
)
def test_anything_else_is_refused(folder: Path, url: str, why: str) -> None:
    with pytest.raises(AssetRefusedError, match=why):
        fetch(folder, url)


def test_a_path_climbing_out_of_the_folder_is_refused(folder: Path) -> None:
    with pytest.raises(AssetRefusedError, match="outside the asset folder"):
        fetch(folder, folder.as_uri() + "/fonts/../../secret.svg")
    with pytest.raises(AssetRefusedError, match="outside the asset folder"):
        read_asset(folder, "../secret.svg")


def test_a_symlink_out_of_the_folder_is_refused(folder: Path) -> None:
    (folder / "passwd.svg").symlink_to("/etc/passwd")
    (folder / "zero.svg").symlink_to("/dev/zero")
    (folder / "sibling.svg").symlink_to(folder.parent / "secret.svg")
    for name in ("passwd.svg", "zero.svg", "sibling.svg"):
        with pytest.raises(AssetRefusedError, match="outside the asset folder"):
            fetch(folder, (folder / name).as_uri())


def test_a_device_or_pipe_inside_the_folder_is_refused(folder: Path) -> None:
    os.mkfifo(folder / "pipe.svg")
    with pytest.raises(AssetRefusedError, match="not a regular file"):
        fetch(folder, (folder / "pipe.svg").as_uri())


def test_a_file_of_another_type_or_too_large_is_refused(folder: Path) -> None:
    (folder / "notes.txt").write_text("hello")
    with pytest.raises(AssetRefusedError, match="allowed: "):
        fetch(folder, (folder / "notes.txt").as_uri())
    (folder / "huge.png").write_bytes(b"\0" * (MAX_ASSET_BYTES + 1))
    with pytest.raises(AssetRefusedError, match="larger than"):
        fetch(folder, (folder / "huge.png").as_uri())


def test_a_missing_file_is_refused(folder: Path) -> None:
    with pytest.raises(AssetRefusedError, match="no such file"):
        fetch(folder, (folder / "gone.svg").as_uri())


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="file:///etc/passwd" alt="">',
        '<link rel="attachment" href="file:///etc/passwd">',
        '<img src="http://127.0.0.1:9/x.png" alt="">',
        '<img src="logo-that-is-not-there.svg" alt="">',
        '<img src="file:///dev/zero" alt="">',
    ],
)
def test_a_refused_or_missing_resource_fails_the_render(brand: Brand, markup: str) -> None:
    html = (
        f'<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>{markup}</body></html>'
    )
    with pytest.raises(InputError, match="could not"):
        render_pdf(html, brand)


def test_an_image_that_does_not_decode_fails_the_render(brand: Brand) -> None:
    broken = "data:image/png;base64," + base64.b64encode(b"not a png").decode()
    html = f'<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><img src="{broken}" alt=""></body></html>'
    with pytest.raises(InputError, match="could not be rendered"):
        render_pdf(html, brand)

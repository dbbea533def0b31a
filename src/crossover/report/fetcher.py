"""The only way the report reads a file or a URL: inside one asset folder, or an inline image."""

from __future__ import annotations

import base64
import binascii
import os
import stat
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from crossover.report.brand_files import ASSET_TYPES, AssetRefusedError, resolve_asset

# Inline images the report makes itself (charts, the logo): images only, never HTML or CSS.
DATA_URL_TYPES = frozenset({"image/svg+xml", "image/png", "image/jpeg"})
# A logo or a font is well under this; /dev/zero or a stray video is not.
MAX_ASSET_BYTES = 8 * 1024 * 1024


def read_asset(folder: Path, name: str | Path) -> tuple[bytes, str]:
    """The bytes and media type of an asset inside folder, refusing anything resolve_asset does."""
    path = resolve_asset(folder, name)
    # O_NOFOLLOW: the path is already resolved, so a symlink here was swapped in since.
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise AssetRefusedError(f"{name}: not a regular file")
        data = f.read(MAX_ASSET_BYTES + 1)
    if len(data) > MAX_ASSET_BYTES:
        raise AssetRefusedError(f"{name}: larger than {MAX_ASSET_BYTES // (1024 * 1024)} MB")
    return data, ASSET_TYPES[path.suffix.lower()]


def decode_data_url(url: str) -> tuple[bytes, str]:
    """The bytes and media type of a data: URL holding an image."""
    header, comma, payload = url[len("data:") :].partition(",")
    if not comma:
        raise AssetRefusedError("data URL without a comma")
    media_type, *params = header.split(";")
    media_type = media_type.strip().lower()
    if media_type not in DATA_URL_TYPES:
        raise AssetRefusedError(f"data URL of type {media_type or 'text/plain'}: only images")
    if len(payload) > MAX_ASSET_BYTES * 4 // 3 + 4:
        raise AssetRefusedError("data URL too large")
    if "base64" in params:
        try:
            data = base64.b64decode(payload, validate=True)
        except binascii.Error as e:
            raise AssetRefusedError(f"data URL with invalid base64: {e}") from None
    else:
        data = unquote(payload).encode("utf-8")
    return data, media_type


class AssetFetcher(URLFetcher):  # type: ignore[misc]  # weasyprint ships no type hints
    """WeasyPrint's URL fetcher for the report: file URLs inside one folder, and image data URLs.

    Anything else (http, https, ftp, a path outside the folder, a device, a symlink out) is
    refused, and with fail_on_errors a refusal stops the render instead of leaving a blank.
    """

    def __init__(self, folder: Path) -> None:
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)
        self.folder = folder.resolve(strict=True)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme = url.partition(":")[0].lower()
        if scheme == "data":
            data, media_type = decode_data_url(url)
        elif scheme == "file":
            parts = urlsplit(url)
            if parts.netloc not in ("", "localhost"):
                raise AssetRefusedError(f"{url}: a file on another host")
            data, media_type = read_asset(self.folder, unquote(parts.path))
        else:
            raise AssetRefusedError(f"{url}: only file and data URLs are allowed")
        return URLFetcherResponse(url, data, {"Content-Type": media_type})

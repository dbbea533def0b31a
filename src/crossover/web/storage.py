"""Every uploaded file kept by its content: uploads/<aa>/<sha256><suffix>, written once, never overwritten."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

_SUFFIX = re.compile(r"\.[a-z0-9]{1,10}$")


@dataclass(frozen=True)
class Stored:
    """Where an upload's bytes are and what they are."""

    sha256: str
    blob: str
    """Relative to the uploads folder."""
    size: int


def suffix_of(filename: str) -> str:
    """The file name's extension, lower case, as the reader dispatches on it ('' if none or odd)."""
    match = _SUFFIX.search(filename.lower())
    return match.group(0) if match else ""


def store(uploads: Path, data: bytes, filename: str) -> Stored:
    """Keep the bytes under their SHA-256; the same bytes sent again are the same file.

    The suffix the client gave is kept in the name, because the reader (like the CLI) decides
    by it what the file should be, and says so when it is neither .xlsx nor .json.
    """
    digest = hashlib.sha256(data).hexdigest()
    blob = f"{digest[:2]}/{digest}{suffix_of(filename)}"
    path = uploads / blob
    if not path.exists():
        # Client files: the folders are the portal's account's (and its group's) only.
        uploads.mkdir(mode=0o750, parents=True, exist_ok=True)
        path.parent.mkdir(mode=0o750, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            Path(temp).chmod(0o440)
            # link() fails rather than replace a file another request stored meanwhile.
            with contextlib.suppress(FileExistsError):
                os.link(temp, path)
        finally:
            Path(temp).unlink()
    return Stored(digest, blob, len(data))

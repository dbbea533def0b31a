"""Write output files atomically: a temp file beside the target, then a rename; never over what must stay."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from crossover.errors import InputError, OutputError


def check_target(path: Path, inputs: Iterable[Path] = ()) -> None:
    """Refuse to write over a device, a pipe, a folder or one of the command's own inputs."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    except OSError as e:
        raise OutputError(f"{path}: cannot write: {reason(e)}") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            f"{path}: not a regular file (a device, a pipe or a folder), so it is not replaced; "
            "give the name of a file to write"
        )
    for source in inputs:
        try:
            same = source.exists() and source.samefile(path)
        except OSError:
            same = False
        if same:
            raise InputError(f"{path}: this is the input file; give another name for the output")


def write_bytes_atomic(path: Path, data: bytes, inputs: Iterable[Path] = ()) -> None:
    """Write data to path so that readers see the old file or the whole new one, never a part."""
    write_set([(path, data)], inputs)


def write_text_atomic(path: Path, text: str, inputs: Iterable[Path] = ()) -> None:
    write_bytes_atomic(path, text.encode("utf-8"), inputs)


def write_set(files: Sequence[tuple[Path, bytes]], inputs: Iterable[Path] = ()) -> None:
    """Write files that belong together: every one is complete on disk before any is renamed.

    A failure while writing (disk full, a read-only folder) leaves every earlier file as it
    was; OutputError names the file that could not be written.
    """
    sources = list(inputs)
    targets = [(_link_target(path), data) for path, data in files]
    for path, _ in targets:
        check_target(path, sources)
    temps: list[tuple[Path, Path]] = []
    try:
        for path, data in targets:
            temps.append((_write_temp(path, data), path))
        for temp, path in temps:
            try:
                temp.replace(path)
            except OSError as e:
                raise OutputError(f"{path}: cannot write: {reason(e)}") from None
    finally:
        for temp, _ in temps:
            temp.unlink(missing_ok=True)


def _link_target(path: Path) -> Path:
    """Where a write to path lands: the file a symlink points to, so the link stays a link.

    Renaming a new file over the link itself would replace the user's link with a file; a
    link whose target's folder is gone is refused, naming that target.
    """
    if not path.is_symlink():
        return path
    target = Path(os.path.realpath(path))
    if not target.parent.is_dir():
        raise OutputError(
            f"{path}: cannot write: it is a link to {target}, whose folder {target.parent} "
            "does not exist"
        )
    return target


def _write_temp(path: Path, data: bytes) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise OutputError(f"{path}: cannot write: {reason(e)}") from None
    temp = Path(name)
    try:
        # mkstemp makes the file private (0600); a report is an ordinary file (0666 less umask).
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except OSError as e:
        temp.unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write: {reason(e)}") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def reason(error: OSError) -> str:
    """The operating system's reason in words: 'No space left on device'."""
    if error.errno == errno.EFBIG:
        return "file too large for this disk or its limits"
    return error.strerror or str(error) or type(error).__name__


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

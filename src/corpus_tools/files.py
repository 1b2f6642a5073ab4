"""Files written for other people: complete before they appear, with ordinary permissions;
lines appended whole or not at all.

``tempfile`` makes files and folders that only their owner may read, which suits a secret
but not a cache, a report or a release that teaching assistants open on a shared machine.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ExportError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "append_whole",
    "part_beside",
    "shareable",
    "write_atomic",
    "write_spreadsheet_csv",
    "writing_into",
]


@contextlib.contextmanager
def writing_into(folder: Path, what: str) -> Iterator[Path]:
    """Create ``folder`` and write ``what`` into it; a failure of the file system (a file
    where the folder should be, no permission, a full disk) becomes an :class:`ExportError`
    naming the path and what to do.

    Raises:
        ExportError: the folder or a file in it could not be written.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        yield folder
    except OSError as exc:
        raise ExportError(
            f"cannot write the {what} ({_reason(exc)}); choose a folder you can write to, "
            "with room on its disk",
            path=exc.filename or folder,
        ) from exc


def _reason(exc: OSError) -> str:
    if exc.errno == errno.EEXIST or (exc.errno == errno.ENOTDIR):
        return "a file stands where a folder is needed"
    return exc.strerror or str(exc)


def part_beside(path: Path) -> Path:
    """A new, empty, shareable file beside ``path``, to be renamed onto it once complete."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(handle)
    return shareable(Path(name))


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one.

    Raises:
        OSError: the folder cannot be written to (nothing is left behind).
    """
    part = part_beside(path)
    try:
        part.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)


def shareable(path: Path) -> Path:
    """Give ``path`` the mode a new file (or folder) gets under the user's umask."""
    umask = os.umask(0)
    os.umask(umask)
    path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)
    return path


def append_whole(path: Path, payload: bytes) -> None:
    """Append ``payload`` to ``path`` (made if missing) and sync it to the disk, or leave the
    file as it was: a write that fails half-way is cut off again.

    If the file does not end with a newline (an earlier write was cut off and could not be
    undone), the payload starts a fresh line.  Callers hold a lock against other writers.

    Raises:
        OSError: the file cannot be opened, written or synced (the disk is full, ...).
    """
    flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, 0o666)
    try:
        start = os.fstat(fd).st_size
        if start and os.lseek(fd, start - 1, os.SEEK_SET) >= 0 and os.read(fd, 1) != b"\n":
            payload = b"\n" + payload
        try:
            _write_all(fd, payload)
            os.fsync(fd)
        except OSError:
            with contextlib.suppress(OSError):  # a line left half-written is reported on load
                os.ftruncate(fd, start)
            raise
    finally:
        os.close(fd)


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view) :]


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP, CSV injection)."""


def write_spreadsheet_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as CSV for a spreadsheet: a text cell that would be read as a formula
    (a student's name or comment beginning with ``=``, say) is prefixed with ``'``, which
    spreadsheets show as text; numbers are left as they are."""
    import pandas as pd

    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(_as_text)
    safe.to_csv(path, index=False)


def _as_text(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return f"'{value}"
    return value

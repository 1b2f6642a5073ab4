"""Folders built beside their target and swapped in whole, so a reader sees the old folder or
the complete new one, never half of it.

A staging folder is named ``.<target>.<kind>-<host>-<pid>-<random>``: the run that owns it is
on record.  A run that is killed cannot remove its own, so every run first removes the stale
ones of its kind beside its target: those whose process, on this machine, no longer exists.  A
concurrent run's folder is left alone (its process is alive), and so is one made on another
machine that shares the folder (its process cannot be checked from here).  An earlier version
named these folders without the process (``.<target>.release-<random>``,
``.student-build-<random>``); those, given as ``legacy``, are removed once they are an hour
old, since no run takes that long.

A swap renames the old folder aside (``.<target>.replaced-…``, named the same way), renames
the new one into place and only then removes the old one; if a run is killed between the two
renames, the next run puts the old folder back before it does anything else.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .files import shareable

__all__ = ["REPLACED", "install", "process_alive", "remove_stale", "staging"]

REPLACED = "replaced"
"""The kind of the folder an earlier target is renamed to while the new one moves in."""
_LEGACY_AGE = 3600.0  # seconds after which an unowned staging folder of an old version is stale


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", socket.gethostname()) or "host"


def _prefix(target: Path, kind: str) -> str:
    return f".{target.name}.{kind}-{_host()}-{os.getpid()}-"


@contextmanager
def staging(target: Path, kind: str, *, legacy: str | None = None) -> Iterator[Path]:
    """A fresh, shareable folder beside ``target``, removed unless it was moved into place.

    Stale staging folders of ``kind`` beside ``target`` (see the module's docstring) are
    removed first; ``legacy`` is the name prefix an earlier version gave them.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(target, kind, legacy=legacy)
    folder = shareable(Path(tempfile.mkdtemp(prefix=_prefix(target, kind), dir=target.parent)))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def install(folder: Path, target: Path) -> None:
    """Move ``folder`` to ``target``; an earlier ``target`` is removed only afterwards."""
    if target.is_dir() and not any(target.iterdir()):
        target.rmdir()
    if not target.exists():
        folder.rename(target)
        return
    old = target.with_name(f"{_prefix(target, REPLACED)}{uuid.uuid4().hex[:8]}")
    target.rename(old)
    try:
        folder.rename(target)
    except BaseException:
        old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def remove_stale(target: Path, kind: str, *, legacy: str | None = None) -> list[Path]:
    """Remove what killed runs left beside ``target``: their staging folders of ``kind`` and
    the earlier targets they had renamed aside (put back if ``target`` is missing).

    Returns:
        The folders removed or put back.
    """
    handled = []
    for kind_, folder in _left_behind(target, (REPLACED, kind), legacy):
        if kind_ == REPLACED and not target.exists():
            folder.rename(target)  # killed between the two renames: the old one comes back
        else:
            shutil.rmtree(folder, ignore_errors=True)
        handled.append(folder)
    return handled


def _left_behind(
    target: Path, kinds: tuple[str, ...], legacy: str | None
) -> list[tuple[str, Path]]:
    """Folders of these kinds beside ``target`` whose run is over, newest first."""
    if not target.parent.is_dir():
        return []
    names = "|".join(map(re.escape, kinds))
    owned = re.compile(rf"\.{re.escape(target.name)}\.({names})-(.+)-(\d+)-[^-]+")
    unowned = re.compile(rf"{re.escape(legacy)}[a-z0-9_]{{8}}") if legacy else None
    found = []
    for path in target.parent.iterdir():
        if not path.is_dir() or path.is_symlink():
            continue
        if match := owned.fullmatch(path.name):
            if match[2] == _host() and not process_alive(int(match[3])):
                found.append((match[1], path))
        elif unowned and unowned.fullmatch(path.name) and _old(path):
            found.append((kinds[-1], path))
    return sorted(found, key=lambda item: item[1].stat().st_mtime, reverse=True)


def process_alive(pid: int) -> bool:
    """Whether a process ``pid`` of this machine may still be running (always, on Windows)."""
    if pid == os.getpid() or os.name == "nt":  # on Windows, os.kill would end the process
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _old(path: Path) -> bool:
    return time.time() - path.stat().st_mtime > _LEGACY_AGE

"""Annotators' file names: each name gives one file, and two names that give the same file
are told apart by the creators recorded in it.

A name becomes a file name by keeping letters, digits, ``-``, ``_`` and ``.`` and turning every
other character into ``_``, so ``Anna Müller`` and ``Anna_Müller`` give one file.  The mapping
stays as it is (students' existing files keep their names); instead a file that already holds
annotations whose creator is another name of the same file is refused to the second name.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from ..errors import AnnotationError
from ..formatting import shorten

__all__ = ["NAMESAKE_ADVICE", "NAME_MAX", "file_stem", "namesake"]

NAME_MAX = 255
"""Bytes in a file name most file systems allow."""
_SUFFIXES = ".jsonl.lock"
"""The longest suffix a file of an annotator gets (the lock file beside the annotations)."""
NAMESAKE_ADVICE = (
    "each annotator needs a file of their own; choose a name that differs in letters or digits, "
    "not only in spaces, punctuation or capitals"
)


def file_stem(annotator: str) -> str:
    """The file name ``annotator`` gives, without its suffix.

    Raises:
        AnnotationError: the name has no letters or digits, or is too long for a file name.
    """
    safe = _safe(annotator)
    if not safe.strip("._"):
        raise AnnotationError(f"annotator name {annotator!r} cannot name a file; use letters")
    longest = len(f"{safe}{_SUFFIXES}".encode())
    if longest > NAME_MAX:
        raise AnnotationError(
            f"annotator name {shorten(annotator)!r} is too long to name a file ({longest} bytes "
            f"with the suffixes; at most {NAME_MAX}): choose a shorter name"
        )
    return safe


def namesake(path: Path, annotator: str) -> str | None:
    """Another creator in ``path`` whose name gives the same file name as ``annotator``.

    Names are compared without regard to case, since a file system may not tell ``Anna`` and
    ``anna`` apart.
    """
    stem = _safe(annotator).casefold()
    for name in sorted(_creators(path)):
        if name != annotator and _safe(name).casefold() == stem:
            return name
    return None


def _safe(annotator: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in annotator)


def _creators(path: Path) -> set[str]:
    """The creators' names in an annotation file (lines that cannot be read are passed over)."""
    try:
        lines = path.read_bytes().splitlines()
    except OSError:
        return set()  # nothing there yet; a save there will say what is wrong
    names = set()
    for line in lines:
        with contextlib.suppress(ValueError, UnicodeDecodeError, RecursionError, LookupError,
                                 TypeError, AttributeError):  # fmt: skip
            names.add(str(json.loads(line)["annotation"]["creator"]["name"]).strip())
    return names

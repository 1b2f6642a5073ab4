"""Where the characters of one version of a text are in the next: an offset map from a diff.

The map is made from :class:`difflib.SequenceMatcher`'s opcodes over code points, so it is
exact wherever the text is unchanged and says so (:meth:`OffsetMap.intact`); an offset inside a
changed stretch maps to where the replacement begins.
"""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

__all__ = ["OffsetMap", "counterpart"]


class _Span(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


U = TypeVar("U", bound=_Span)


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Offsets of the old text mapped onto the new one."""

    opcodes: tuple[tuple[str, int, int, int, int], ...]
    old_length: int
    new_length: int

    @classmethod
    def between(cls, old: str, new: str) -> OffsetMap:
        matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
        return cls(tuple(matcher.get_opcodes()), len(old), len(new))

    def _opcode(self, offset: int) -> tuple[str, int, int, int, int] | None:
        for opcode in self.opcodes:
            if opcode[1] <= offset < opcode[2]:
                return opcode
        return None

    def point(self, offset: int) -> int:
        """Where the character at ``offset`` is now (text inserted before it comes first)."""
        opcode = self._opcode(offset)
        if opcode is None:
            return self.new_length
        tag, i1, _, j1, _ = opcode
        return j1 + (offset - i1) if tag == "equal" else j1

    def end(self, offset: int) -> int:
        """Where an exclusive end at ``offset`` is now."""
        return 0 if offset <= 0 else self.point(offset - 1) + 1

    def intact(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` is unchanged in the new text (then :meth:`point` is exact)."""
        opcode = self._opcode(start)
        return opcode is not None and opcode[0] == "equal" and end <= opcode[2]

    @property
    def changed(self) -> list[tuple[int, int, int, int]]:
        """The changed stretches: old start and end, new start and end."""
        return [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in self.opcodes if tag != "equal"]


def counterpart(old: _Span, new_units: Sequence[U], offsets: OffsetMap) -> U | None:
    """The new unit that overlaps most where the old unit's text is now (None: nothing of it
    is left).  ``new_units`` are in document order and do not overlap."""
    start, end = offsets.point(old.start), offsets.end(old.end)
    if end <= start:
        return None
    starts = [unit.start for unit in new_units]
    first = max(0, bisect.bisect_right(starts, start) - 1)
    best, overlap = None, 0
    for unit in new_units[first:]:
        if unit.start >= end:
            break
        shared = min(end, unit.end) - max(start, unit.start)
        if shared > overlap:
            best, overlap = unit, shared
    return best

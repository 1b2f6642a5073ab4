"""Paragraph and sentence ids that keep naming the same text across versions of a source.

A document's paragraphs are ``p1``, ``p2`` ... and its sentences ``s1``, ``s2`` ... in document
order, until a new version of the source inserts text before units that exercises, notebooks
and alignments name.  Then ``corpus-tools update`` keeps every unit's id and gives a new unit
the id of the unit before it with a letter (``p13a`` between ``p13`` and ``p14``); a unit
appended after the last one takes the next number.  The document file records such ids in
``unit_ids`` as runs, ``p1-p13 p13a p14-p27``: only where they differ from the plain count.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["carried_ids", "compress", "expand", "is_plain"]

_RUN = re.compile(r"([a-z])(\d+)-\1?(\d+)")
_ONE = re.compile(r"([a-z])(\d+)([a-z]*)")


def expand(runs: str, prefix: str) -> list[str]:
    """The ids that ``runs`` (``p1-p13 p13a p14-p27``) stands for, in order.

    Raises:
        ValueError: a run that is not of this layer's ids, or an id given twice.
    """
    ids: list[str] = []
    for part in runs.replace(",", " ").split():
        run, one = _RUN.fullmatch(part), _ONE.fullmatch(part)
        if run and run.group(1) == prefix and int(run.group(2)) <= int(run.group(3)):
            ids += [f"{prefix}{n}" for n in range(int(run.group(2)), int(run.group(3)) + 1)]
        elif one and one.group(1) == prefix:
            ids.append(part)
        else:
            raise ValueError(
                f"{part!r} is neither an id ({prefix}14, {prefix}13a) nor a run of them "
                f"({prefix}1-{prefix}13)"
            )
    doubled = sorted({i for i in ids if ids.count(i) > 1})
    if doubled:
        raise ValueError(f"{', '.join(doubled)} given twice; each id names one unit")
    return ids


def compress(ids: Sequence[str]) -> str:
    """``ids`` written as runs, the inverse of :func:`expand`."""
    parts: list[str] = []
    run: list[tuple[str, int]] = []
    for unit_id in [*ids, ""]:
        match = _ONE.fullmatch(unit_id)
        plain = match is not None and not match.group(3)
        number = int(match.group(2)) if match and plain else None
        if run and plain and number == run[-1][1] + 1:
            run.append((unit_id, number))
            continue
        if run:
            parts.append(run[0][0] if len(run) == 1 else f"{run[0][0]}-{run[-1][0]}")
            run = []
        if plain and number is not None:
            run = [(unit_id, number)]
        elif unit_id:
            parts.append(unit_id)
    return " ".join(parts)


def is_plain(ids: Sequence[str], prefix: str) -> bool:
    """Whether ``ids`` are ``p1``, ``p2`` ... in order (then none need recording)."""
    return list(ids) == [f"{prefix}{n}" for n in range(1, len(ids) + 1)]


def carried_ids(old_ids: Sequence[str], continues: Sequence[int | None], prefix: str) -> list[str]:
    """The ids of a new version's units: each keeps the id of the old unit it continues
    (``continues[i]``, a row of ``old_ids``, or None for a new unit); a new unit gets the id of
    the unit before it with the next free letter, or, after the last old unit, the next number.
    An old unit continued twice (two paragraphs joined) keeps its id for the first only."""
    taken = set(old_ids)
    highest = max((_number(i) for i in old_ids), default=0)
    last_kept = max((row for row in continues if row is not None), default=-1)
    ids: list[str] = []
    seen_last = False
    for row in continues:
        if row is not None and old_ids[row] not in ids:
            ids.append(old_ids[row])
            seen_last = seen_last or row == last_kept
            continue
        if seen_last or last_kept < 0:
            highest += 1
            new = f"{prefix}{highest}"
        else:
            new = _lettered(ids[-1] if ids else f"{prefix}0", taken | set(ids))
        taken.add(new)
        ids.append(new)
    return ids


def _number(unit_id: str) -> int:
    match = _ONE.fullmatch(unit_id)
    return int(match.group(2)) if match else 0


def _lettered(before: str, taken: set[str]) -> str:
    """The id after ``before`` with the next free letter: p13 → p13a, p13a → p13b."""
    candidate = before
    while True:
        last = candidate[-1]
        if last.isdigit():
            candidate += "a"
        elif last == "z":
            candidate += "a"  # p13z → p13za
        else:
            candidate = candidate[:-1] + chr(ord(last) + 1)
        if candidate not in taken:
            return candidate

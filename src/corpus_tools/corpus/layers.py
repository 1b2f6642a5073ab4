"""A layer: the units of one kind over one document, stored as columns.

A million tokens cost arrays of integers, not a million objects: indexing a layer makes the
unit asked for, a column becomes a Python list the first time code asks for one, and
:mod:`.frames` makes tables from the arrays themselves.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from ..errors import CorpusError
from .columnar import as_list
from .units import Paragraph, Section, Sentence, Token

if TYPE_CHECKING:
    import pandas as pd

    from .document import Document

__all__ = ["Columns", "Layer"]

U = TypeVar("U", Section, Paragraph, Sentence, Token)


class Columns:
    """A layer's columns by name, each given as values (a list, a numpy or an Arrow array) or
    as a function that computes them when first asked for."""

    __slots__ = ("_given", "_lists", "_resolved", "names")

    def __init__(self, given: Mapping[str, Any]):
        self._given = dict(given)
        self._resolved: dict[str, Any] = {}
        self._lists: dict[str, list[Any]] = {}
        self.names = tuple(given)

    def array(self, name: str) -> Any:
        """The column as given (computed if it was a function)."""
        if name not in self._resolved:
            given = self._given[name]
            self._resolved[name] = given() if callable(given) else given
        return self._resolved[name]

    def list(self, name: str) -> list[Any]:
        """The column as a Python list, converted once."""
        if name not in self._lists:
            self._lists[name] = as_list(self.array(name))
        return self._lists[name]


class Layer(Sequence[U], Generic[U]):
    """An ordered, immutable layer of units over one document, sorted by ``start``.

    Args:
        name: the layer's name (``sections``, ``paragraphs`` ...).
        doc: the document.
        columns: ``start``, ``end`` and the layer's own columns, one value per unit (see
            :class:`Columns`).
        make: builds the unit of a row.
        id_prefix: ids are the prefix and the row number from 1 (``p1``, ``p2`` ...); None
            when the ids are a column of their own (sections).
        nested: units may contain one another (sections); else they never overlap.
        links: columns that hold a row of another layer, with that layer's name, shown by id
            in frames.
        ids: the units' ids where a document file records them (see :mod:`.unit_ids`),
            instead of the prefix and the row number.
    """

    __slots__ = (
        "_columns", "_doc", "_id_row", "_ids", "_make", "_nested", "_rows", "id_prefix", "links",
        "name",
    )  # fmt: skip

    def __init__(
        self,
        name: str,
        doc: Document,
        columns: Mapping[str, Any] | Columns,
        make: Callable[[Document, int], U],
        *,
        id_prefix: str | None,
        nested: bool = False,
        links: Mapping[str, str] | None = None,
        rows: Sequence[int] | None = None,
        ids: Sequence[str] | None = None,
    ):
        self.name = name
        self.id_prefix = id_prefix
        self.links = dict(links or {})
        self._doc = doc
        self._columns = columns if isinstance(columns, Columns) else Columns(columns)
        self._make = make
        self._rows = range(len(self._columns.array("start"))) if rows is None else rows
        self._ids = ids
        named = ids if ids is not None else None if id_prefix else self._columns.list("id")
        self._id_row = None if named is None else {v: row for row, v in enumerate(named)}
        self._nested = nested

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, position: int) -> U: ...
    @overload
    def __getitem__(self, position: str) -> U: ...
    @overload
    def __getitem__(self, position: slice) -> Layer[U]: ...
    def __getitem__(self, position: int | str | slice) -> U | Layer[U]:
        """A unit by position (``[0]``), by id (``["p14"]``, ``["s21"]``), or a slice of them.

        Raises:
            CorpusError: no unit of the layer has this id.
        """
        if isinstance(position, str):
            return self._make(self._doc, self.row_of(position))
        if isinstance(position, slice):
            return self._subset(self._rows[position])
        return self._make(self._doc, self._rows[position])

    def unit_id(self, row: int) -> str:
        """The id of the unit in ``row`` of the document's whole layer."""
        if self._ids is not None:
            return self._ids[row]
        if self.id_prefix:
            return f"{self.id_prefix}{row + 1}"
        return self._columns.list("id")[row]

    def row_of(self, unit_id: str) -> int:
        """The row of the unit with this id.

        Raises:
            CorpusError: no unit of this layer has the id.
        """
        if self._id_row is not None:
            row = self._id_row.get(unit_id, -1)
        else:
            number = unit_id.removeprefix(self.id_prefix or "")
            row = int(number) - 1 if number != unit_id and number.isdecimal() else -1
        if 0 <= row < len(self._columns.array("start")) and row in self._rows:
            return row
        known = "none here"
        if self._rows:
            known = f"ids run from {self.unit_id(self._rows[0])} to {self.unit_id(self._rows[-1])}"
        raise CorpusError(f"the {self.name} of {self._doc.id!r} have no {unit_id!r}; {known}")

    def __iter__(self) -> Iterator[U]:
        make, doc = self._make, self._doc
        return (make(doc, row) for row in self._rows)

    def __repr__(self) -> str:
        return f"<Layer {self.name} of {self._doc.id!r}: {len(self)} units>"

    def _subset(self, rows: Sequence[int]) -> Layer[U]:
        return Layer(
            self.name, self._doc, self._columns, self._make, id_prefix=self.id_prefix,
            nested=self._nested, links=self.links, rows=rows, ids=self._ids,
        )  # fmt: skip

    @property
    def numbered(self) -> bool:
        """Whether the ids are the prefix and the row number from 1 (not recorded ones)."""
        return bool(self.id_prefix) and self._ids is None

    def column(self, name: str) -> Sequence[Any]:
        """One column (``start``, ``end``, ``section``, ``lemma``, ...) of the document's whole
        layer, indexed by row, without making unit objects: for tools that run over millions
        of units.  A filtered layer shares its document's columns; the row of a unit is its
        position in the whole layer.

        Raises:
            KeyError: the layer has no such column.
        """
        if name not in self._columns.names:
            raise KeyError(f"the {self.name} have no column {name!r}")
        return self._columns.list(name)

    def covered_by(self, start: int, end: int) -> Layer[U]:
        """Units that lie entirely within ``[start, end)`` (found by bisection)."""
        starts, ends = self.column("start"), self.column("end")
        rows = self._rows
        low = bisect_left(rows, start, key=starts.__getitem__)
        high = bisect_left(rows, end, key=starts.__getitem__)
        return self._subset([row for row in rows[low:high] if ends[row] <= end])

    def at(self, offset: int) -> U | None:
        """The innermost unit that contains the character at ``offset``, if any."""
        starts, ends = self.column("start"), self.column("end")
        position = bisect_left(self._rows, offset + 1, key=starts.__getitem__)
        # Units that never nest leave the nearest one as the only candidate.
        candidates = self._rows[:position] if self._nested else self._rows[:position][-1:]
        for row in reversed(candidates):
            if ends[row] > offset:
                return self._make(self._doc, row)
        return None

    def filter(self, keep: Callable[[U], bool]) -> Layer[U]:
        """The units for which ``keep(unit)`` is true, as a layer."""
        return self._subset([row for row in self._rows if keep(self._make(self._doc, row))])

    def to_frame(self) -> pd.DataFrame:
        """One row per unit: ids, offsets, text, the layer's own columns and provenance."""
        from .frames import frame

        return frame([self])

    @property
    def doc(self) -> Document:
        return self._doc

    @property
    def columns(self) -> Columns:
        """The document's whole columns, as given (for tools that work on arrays)."""
        return self._columns

    def row_numbers(self) -> Any:
        """The rows of the document's whole layer that this layer holds, as a numpy array."""
        import numpy as np

        rows = self._rows
        if isinstance(rows, range):
            return np.arange(rows.start, rows.stop, rows.step, dtype=np.int64)
        return np.asarray(rows, dtype=np.int64)

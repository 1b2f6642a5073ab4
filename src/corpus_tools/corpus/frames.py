"""Layers as pandas tables: built from the column arrays through Arrow, for every document at
once, so a table of a million tokens costs array operations rather than a Python object per
cell (and comes out as pandas' Arrow-backed strings, as ``pd.read_parquet`` gives them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from .layers import Layer

__all__ = ["Texts", "as_strings", "frame"]

_SKIPPED = {"id", "start", "end", "section", "provenance"}
"""Columns that are not shown as they are: ids and offsets lead, sections join provenance."""
_WORD_COLUMNS = {"lemma", "token_class"}


def frame(layers: Sequence[Layer[Any]]) -> pd.DataFrame:
    """One table of layers of one kind from any number of documents: ``doc_id``, ``id``,
    ``start``, ``end``, ``text``, the layer's own columns (links shown by id) and the
    provenance of each unit's section."""
    import numpy as np
    import pyarrow as pa

    first = layers[0]
    rows = [layer.row_numbers() for layer in layers]
    counts = np.array([len(r) for r in rows], dtype=np.int64)
    starts = _joined(layers, rows, "start")
    ends = _joined(layers, rows, "end")
    columns: dict[str, Any] = {
        "doc_id": _repeated([layer.doc.id for layer in layers], counts),
        "id": _ids(first.id_prefix, np.concatenate(rows))
        if first.id_prefix
        else _named(layers, rows),
        "start": starts,
        "end": ends,
        "text": Texts([layer.doc.text for layer in layers]).slices(
            np.repeat(np.arange(len(layers)), counts), starts, ends
        ),
    }
    for name in first.columns.names:
        if name not in _SKIPPED:
            columns[name] = _own_column(layers, rows, name)
    table = pa.table(columns)
    provenance, section_rows, offset = [], [], 0
    for layer, r in zip(layers, rows, strict=True):
        sections = r if first.id_prefix is None else _array(layer.columns.array("section"))[r]
        section_rows.append(np.asarray(sections, dtype=np.int64) + offset)
        described = layer.doc.provenance_rows()
        provenance.extend(described)
        offset += len(described)
    joined = pa.Table.from_pylist(provenance).take(np.concatenate(section_rows))
    if first.id_prefix is None:  # a section's own id is its section
        joined = joined.drop_columns("section")
    for name in joined.column_names:
        table = table.append_column(name, joined.column(name))
    return table.to_pandas()


def _named(layers: Sequence[Layer[Any]], rows: list[np.ndarray]) -> Any:
    """The ids of a layer whose units are named (sections)."""
    import pyarrow as pa

    ids = [
        i for layer, r in zip(layers, rows, strict=True) for i in _pick(layer.columns.list("id"), r)
    ]
    return pa.array(ids, pa.string())


def _pick(values: list[Any], rows: np.ndarray) -> list[Any]:
    return [values[row] for row in rows.tolist()]


def _array(values: Any) -> np.ndarray:
    """Integers (a list, perhaps with None, or an array) as numpy, None masked."""
    import numpy as np

    if not isinstance(values, list):
        return np.asarray(values)
    if None not in values:
        return np.asarray(values, dtype=np.int64)
    mask = [value is None for value in values]
    return np.ma.masked_array([0 if v is None else v for v in values], mask=mask, dtype=np.int64)


def _joined(layers: Sequence[Layer[Any]], rows: list[np.ndarray], name: str) -> np.ndarray:
    """An integer column of every layer's rows, end to end (masked where a value is None)."""
    import numpy as np

    parts = [_array(layer.columns.array(name))[r] for layer, r in zip(layers, rows, strict=True)]
    if any(np.ma.isMaskedArray(part) for part in parts):
        return np.ma.concatenate(parts)
    return np.concatenate(parts).astype(np.int64, copy=False) if parts else np.zeros(0, np.int64)


def _own_column(layers: Sequence[Layer[Any]], rows: list[np.ndarray], name: str) -> Any:
    """A layer's own column: a link as the ids it points at, words as strings, else numbers."""
    import pyarrow as pa

    first = layers[0]
    target = first.links.get(name)
    if target is not None:
        prefix = getattr(first.doc, target).id_prefix
        if prefix:
            return _ids(prefix, _joined(layers, rows, name))
        named = [
            None if row is None else getattr(layer.doc, target).unit_id(row)
            for layer, r in zip(layers, rows, strict=True)
            for row in _pick(layer.columns.list(name), r)
        ]
        return pa.array(named, pa.string())
    if name in _WORD_COLUMNS:
        return pa.chunked_array(
            [as_strings(layer.columns.array(name)).take(pa.array(r))
             for layer, r in zip(layers, rows, strict=True)],
            pa.string(),
        )  # fmt: skip
    return _joined(layers, rows, name)


def as_strings(values: Any) -> Any:
    import pyarrow as pa

    if hasattr(values, "dictionary_decode"):
        return values.dictionary_decode()
    return pa.array(values, pa.string())


def _repeated(values: list[str], counts: np.ndarray) -> Any:
    """Each value ``counts`` times, as a string array."""
    import numpy as np
    import pyarrow as pa

    indices = np.repeat(np.arange(len(values), dtype=np.int32), counts)
    return pa.DictionaryArray.from_arrays(
        indices, pa.array(values, pa.string())
    ).dictionary_decode()


def _ids(prefix: str, rows: np.ndarray) -> Any:
    """``prefix`` and each row number from 1 (``t1``, ``t2`` ...), null where a row is masked."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    mask = np.ma.getmaskarray(rows) if np.ma.isMaskedArray(rows) else None
    numbers = pa.array(np.ma.getdata(rows).astype(np.int64) + 1, mask=mask)
    return pc.binary_join_element_wise(prefix, pc.cast(numbers, pa.string()), "")


class Texts:
    """Texts as one UTF-8 buffer, cut by code-point offsets in bulk into Arrow strings."""

    def __init__(self, texts: Sequence[str]):
        import numpy as np

        joined = "".join(texts)
        data = joined.encode("utf-8")
        self._data = np.frombuffer(data, dtype=np.uint8)
        self._base = np.concatenate(([0], np.cumsum([len(text) for text in texts])))
        self._byte_at: Any = None  # code point -> byte offset; None while they are the same
        if len(data) != len(joined):
            points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
            widths = 1 + (points >= 0x80) + (points >= 0x800) + (points >= 0x10000)
            offsets = np.zeros(len(points) + 1, dtype=np.int64)
            np.cumsum(widths, out=offsets[1:])
            self._byte_at = offsets

    def slices(self, numbers: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> Any:
        """``texts[number][start:end]`` for every row, as one Arrow string array."""
        import numpy as np
        import pyarrow as pa

        # the end of one text is where the next begins, so one map serves every text
        first, last = self._base[numbers] + starts, self._base[numbers] + ends
        if self._byte_at is None:
            byte_starts, byte_ends = first, last
        else:
            byte_starts, byte_ends = self._byte_at[first], self._byte_at[last]
        lengths = byte_ends - byte_starts
        offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
        gather = np.repeat(byte_starts - offsets[:-1], lengths) + np.arange(offsets[-1])
        data = self._data[gather]
        strings = pa.LargeStringArray.from_buffers(
            len(lengths), pa.py_buffer(offsets), pa.py_buffer(data)
        )
        return strings.cast(pa.string()) if offsets[-1] < 2**31 else strings

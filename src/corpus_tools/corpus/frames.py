"""Layers as pandas tables: built from the column arrays through Arrow, for every document at
once, so a table of a million tokens costs array operations rather than a Python object per
cell.  Strings come out as pandas' Arrow-backed ``str``, as ``pd.read_parquet`` gives them;
they are built as Arrow's ``large_string``, which is what pandas keeps (so nothing is copied
on the way)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .columnar import as_dictionary, prefer_jemalloc_pool

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from .layers import Layer

__all__ = ["Texts", "frame"]

_SKIPPED = {"id", "start", "end", "section", "provenance", "form"}
"""Columns that are not shown as they are: ids and offsets lead, sections join provenance, and
a token's form is the table's ``text``."""
_WORD_COLUMNS = {"lemma", "token_class"}
"""Columns of words, each kept as a dictionary (as is ``form``)."""


def frame(layers: Sequence[Layer[Any]]) -> pd.DataFrame:
    """One table of layers of one kind from any number of documents: ``doc_id``, ``id``,
    ``start``, ``end``, ``text``, the layer's own columns (links shown by id) and the
    provenance of each unit's section."""
    import pyarrow as pa

    prefer_jemalloc_pool()
    rows = [layer.row_numbers() for layer in layers]
    columns = _leading(layers, rows)
    for name in layers[0].columns.names:
        if name not in _SKIPPED:
            columns[name] = _own_column(layers, rows, name)
    table = pa.table(columns)
    provenance = _provenance(layers, rows)
    for name in provenance.column_names:
        table = table.append_column(name, provenance.column(name))
    return table.to_pandas()


def _leading(layers: Sequence[Layer[Any]], rows: list[np.ndarray]) -> dict[str, Any]:
    """The columns every table begins with: ``doc_id``, ``id``, ``start``, ``end``, ``text``."""
    import numpy as np

    first = layers[0]
    counts = np.array([len(r) for r in rows], dtype=np.int64)
    starts, ends = _joined(layers, rows, "start"), _joined(layers, rows, "end")
    if "form" in first.columns.names:  # tokens: their forms are kept, words of a dictionary
        text = _words(layers, rows, "form")
    else:
        texts = Texts([layer.doc.text for layer in layers])
        text = texts.slices(np.repeat(np.arange(len(layers)), counts), starts, ends)
    return {
        "doc_id": _repeated([layer.doc.id for layer in layers], counts),
        "id": _ids(first.id_prefix, np.concatenate(rows))
        if first.id_prefix and all(layer.numbered for layer in layers)
        else _named(layers, rows),
        "start": starts,
        "end": ends,
        "text": text,
    }  # fmt: skip


def _provenance(layers: Sequence[Layer[Any]], rows: list[np.ndarray]) -> Any:
    """The provenance columns of each row's section, as an Arrow table."""
    import numpy as np
    import pyarrow as pa

    by_section, section_rows = [], []
    for layer, r in zip(layers, rows, strict=True):
        own = layer.id_prefix is None  # a section is its own section
        sections = r if own else _array(layer.columns.array("section"))[r]
        section_rows.append(np.asarray(sections, dtype=np.int64) + len(by_section))
        by_section.extend(layer.doc.provenance_rows())
    described = pa.Table.from_pylist(by_section)
    large = pa.schema([_large_field(field) for field in described.schema])
    joined = described.cast(large).take(np.concatenate(section_rows))
    return joined.drop_columns("section") if layers[0].id_prefix is None else joined


def _large_field(field: Any) -> Any:
    import pyarrow as pa

    if pa.types.is_string(field.type):
        return field.with_type(pa.large_string())
    return field


def _named(layers: Sequence[Layer[Any]], rows: list[np.ndarray]) -> Any:
    """The ids of a layer whose units are named (sections)."""
    import pyarrow as pa

    ids = [
        i
        for layer, r in zip(layers, rows, strict=True)
        for i in (
            _pick(layer.columns.list("id"), r)
            if layer.id_prefix is None
            else [layer.unit_id(row) for row in r.tolist()]
        )
    ]
    return pa.array(ids, pa.large_string())


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
        if prefix and all(getattr(layer.doc, target).numbered for layer in layers):
            return _ids(prefix, _joined(layers, rows, name))
        named = [
            None if row is None else getattr(layer.doc, target).unit_id(row)
            for layer, r in zip(layers, rows, strict=True)
            for row in _pick(layer.columns.list(name), r)
        ]
        return pa.array(named, pa.large_string())
    if name in _WORD_COLUMNS:
        return _words(layers, rows, name)
    return _joined(layers, rows, name)


def _words(layers: Sequence[Layer[Any]], rows: list[np.ndarray], name: str) -> Any:
    """A column of words (lemmas, token classes) of every layer's rows: the documents'
    dictionaries are unified and decoded once."""
    import pyarrow as pa

    parts = [
        _taken(as_dictionary(layer.columns.array(name)), r, len(layer.columns.array("start")))
        for layer, r in zip(layers, rows, strict=True)
    ]
    unified = pa.chunked_array(parts).unify_dictionaries().combine_chunks()
    large = pa.dictionary(unified.type.index_type, pa.large_string())
    return unified.cast(large).dictionary_decode()


def _taken(values: Any, rows: np.ndarray, count: int) -> Any:
    """``values`` at ``rows`` (all of them, untouched, when the rows are the whole layer)."""
    import pyarrow as pa

    whole = len(rows) == count and (not count or (rows[0] == 0 and rows[-1] == count - 1))
    return values if whole else values.take(pa.array(rows))


def _repeated(values: list[str], counts: np.ndarray) -> Any:
    """Each value ``counts`` times, as a string array."""
    import numpy as np
    import pyarrow as pa

    indices = np.repeat(np.arange(len(values), dtype=np.int32), counts)
    return pa.DictionaryArray.from_arrays(
        indices, pa.array(values, pa.large_string())
    ).dictionary_decode()


def _ids(prefix: str, rows: np.ndarray) -> Any:
    """``prefix`` and each row number from 1 (``t1``, ``t2`` ...), null where a row is masked.
    Every document numbers its units from 1, so the distinct ids are few: they are made once
    and taken."""
    import numpy as np
    import pyarrow as pa

    mask = np.ma.getmaskarray(rows) if np.ma.isMaskedArray(rows) else None
    data = np.ma.getdata(rows).astype(np.int32)
    numbers = range(1, int(data.max(initial=-1)) + 2)
    distinct = pa.array([f"{prefix}{n}" for n in numbers], pa.large_string())
    return pa.DictionaryArray.from_arrays(pa.array(data, mask=mask), distinct).dictionary_decode()


class Texts:
    """Texts as one UTF-8 buffer, cut by code-point offsets in bulk into Arrow strings."""

    def __init__(self, texts: Sequence[str]):
        import numpy as np

        joined = "".join(texts)
        self._data = np.frombuffer(joined.encode("utf-8"), dtype=np.uint8)
        self._base = np.concatenate(([0], np.cumsum([len(text) for text in texts])))
        # A character's byte offset is its own offset plus the extra bytes of the wider
        # characters before it.  Those begin with a byte of 11xxxxxx, and are few.
        lead = np.flatnonzero(self._data >= 0xC0)
        extra = 1 + (self._data[lead] >= 0xE0) + (self._data[lead] >= 0xF0)
        before = np.concatenate(([0], np.cumsum(extra))).astype(np.int64)
        self._wide_at = lead - before[:-1]  # their offsets, in characters
        self._extra_before = before

    def _bytes(self, offsets: np.ndarray) -> np.ndarray:
        import numpy as np

        if not len(self._wide_at):
            return offsets
        return offsets + self._extra_before[np.searchsorted(self._wide_at, offsets)]

    def slices(self, numbers: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> Any:
        """``texts[number][start:end]`` for every row, as one Arrow ``large_string`` array."""
        import numpy as np
        import pyarrow as pa

        # the end of one text is where the next begins: offsets into the joined texts
        byte_starts = self._bytes(self._base[numbers] + starts)
        byte_ends = self._bytes(self._base[numbers] + ends)
        lengths = byte_ends - byte_starts
        offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
        gather = np.repeat(byte_starts - offsets[:-1], lengths) + np.arange(offsets[-1])
        data = self._data[gather]
        return pa.LargeStringArray.from_buffers(
            len(lengths), pa.py_buffer(offsets), pa.py_buffer(data)
        )

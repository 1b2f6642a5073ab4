"""The corpus as Parquet tables, for DuckDB, Spark, R or pandas without this package.

The tables are those of :meth:`Corpus.frame`, with two changes that SQL needs: offsets are
``start_char``/``end_char`` (``end`` is a reserved word), and dates are dates.  A
``documents`` table carries each source text, so that any unit's text can be checked against
``substring(text, start_char + 1, end_char - start_char)`` without the corpus folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..files import writing_into
from .document import LAYER_NAMES, Corpus
from .provenance import format_origin

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["DATES", "OFFSETS", "export_layers"]


def export_layers(corpus: Corpus, outdir: Path | str) -> list[Path]:
    """Write ``documents.parquet`` and one Parquet file per layer, with offsets and provenance.

    Returns:
        The written files, documents first.

    Raises:
        ExportError: the folder or a file in it could not be written.
    """
    with writing_into(Path(outdir), "Parquet export") as folder:
        return _write_tables(corpus, folder)


OFFSETS = {"start": "start_char", "end": "end_char"}
"""Offset columns as the export names them: code points from the start of the source."""
DATES = ("date", "documents_date")


def _write_tables(corpus: Corpus, outdir: Path) -> list[Path]:
    import pyarrow.parquet as pq

    tables = {"documents": _documents(corpus)}
    tables |= {layer: _for_sql(corpus.frame(layer)) for layer in LAYER_NAMES}
    written = []
    for name, table in tables.items():
        written.append(outdir / f"{name}.parquet")
        pq.write_table(table, written[-1])
    return written


def _documents(corpus: Corpus) -> pa.Table:
    import pandas as pd

    rows = [
        {
            "doc_id": doc.id,
            "title": doc.title,
            "language": doc.language,
            "date": doc.manifest.date,
            "origin": format_origin(doc.manifest.origin),
            "source": doc.manifest.source_path.name,
            "sha256": doc.manifest.sha256,
            "characters": len(doc.text),
            "text": doc.text,
        }
        for doc in corpus.values()
    ]
    return _for_sql(pd.DataFrame(rows))


def _for_sql(frame: pd.DataFrame) -> pa.Table:
    """A frame as an Arrow table whose names need no quoting and whose dates are dates."""
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    table = table.rename_columns([OFFSETS.get(name, name) for name in table.column_names])
    for name in DATES:
        if name in table.column_names:
            position = table.column_names.index(name)
            dates = table[name].cast(pa.string()).cast(pa.date32())
            table = table.set_column(position, pa.field(name, pa.date32()), dates)
    return table

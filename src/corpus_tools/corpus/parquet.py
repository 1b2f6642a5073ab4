"""Exports of the corpus for tools that do not use this package."""

from __future__ import annotations

from pathlib import Path

from ..files import writing_into
from .document import LAYER_NAMES, Corpus
from .provenance import format_origin

__all__ = ["export_layers"]


def export_layers(corpus: Corpus, outdir: Path | str) -> list[Path]:
    """Write ``documents.parquet`` and one Parquet file per layer, with offsets and provenance.

    Every row has the document id, ``start``/``end`` code-point offsets into the document's
    source and the unit's text, so pandas, DuckDB or Spark can query the corpus directly.

    Returns:
        The written files, documents first.

    Raises:
        ExportError: the folder or a file in it could not be written.
    """
    with writing_into(Path(outdir), "Parquet export") as folder:
        return _write_tables(corpus, folder)


def _write_tables(corpus: Corpus, outdir: Path) -> list[Path]:
    import pandas as pd

    documents = pd.DataFrame(
        [
            {
                "doc_id": doc.id,
                "title": doc.title,
                "language": doc.language,
                "date": doc.manifest.date,
                "origin": format_origin(doc.manifest.origin),
                "source": doc.manifest.source_path.name,
                "sha256": doc.manifest.sha256,
                "characters": len(doc.text),
            }
            for doc in corpus.values()
        ]
    )
    written = [outdir / "documents.parquet"]
    documents.to_parquet(written[0], index=False)
    for layer in LAYER_NAMES:
        path = outdir / f"{layer}.parquet"
        corpus.frame(layer).to_parquet(path, index=False)
        written.append(path)
    return written

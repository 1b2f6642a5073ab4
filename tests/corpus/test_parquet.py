"""The Parquet export, read by DuckDB and pandas rather than by this package."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from corpus_tools import Corpus
from corpus_tools.corpus.parquet import OFFSETS, export_layers

LAYERS = ["sections", "paragraphs", "sentences", "tokens"]


@pytest.fixture
def sql() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


@pytest.fixture(scope="module")
def exported(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("parquet")
    written = export_layers(corpus, folder)
    assert [p.name for p in written] == ["documents.parquet"] + [f"{n}.parquet" for n in LAYERS]
    return folder


def test_duckdb_finds_every_units_text_in_the_source(
    corpus: Corpus, exported: Path, sql: duckdb.DuckDBPyConnection
) -> None:
    for layer in LAYERS:
        rows, wrong = sql.execute(
            f"""
            SELECT count(*), count(*) FILTER (WHERE u.text <> substring(d.text, u.start_char + 1,
                                                                       u.end_char - u.start_char))
            FROM '{exported / layer}.parquet' u JOIN '{exported}/documents.parquet' d USING (doc_id)
            """
        ).fetchone()
        assert (rows, wrong) == (sum(len(getattr(doc, layer)) for doc in corpus.values()), 0)


def test_no_column_needs_quoting_in_sql(exported: Path, sql: duckdb.DuckDBPyConnection) -> None:
    reserved = {row[0] for row in sql.execute(
        "SELECT keyword_name FROM duckdb_keywords() WHERE keyword_category = 'reserved'"
    ).fetchall()}  # fmt: skip
    for name in ["documents", *LAYERS]:
        columns = [c[0] for c in sql.execute(f"DESCRIBE '{exported / name}.parquet'").fetchall()]
        assert not reserved & set(columns), name
        sql.execute(f"SELECT {', '.join(columns)} FROM '{exported / name}.parquet'").fetchall()


def test_dates_are_dates(exported: Path, sql: duckdb.DuckDBPyConnection) -> None:
    (date,) = sql.execute(f"SELECT date FROM '{exported}/documents.parquet'").fetchone()
    assert date == dt.date(2025, 2, 18)
    kinds = sql.execute(
        f"SELECT DISTINCT typeof(documents_date) FROM '{exported}/sections.parquet'"
    ).fetchall()
    assert kinds == [("DATE",)]


def test_pandas_reads_the_frames_back(corpus: Corpus, exported: Path) -> None:
    sentences = pd.read_parquet(exported / "sentences.parquet")
    expected = corpus.frame("sentences").rename(columns=OFFSETS)
    dates = [None if pd.isna(d) else d.isoformat() for d in sentences.pop("documents_date")]
    assert dates == [None if pd.isna(d) else d for d in expected.pop("documents_date")]
    pd.testing.assert_frame_equal(sentences, expected)

"""How fast the corpus opens: a notebook's first cell beside ``import pandas``, and the
generated corpus's warm load, token table and memory beside Arrow and Parquet reads of the
same columns (the peers allocating as ours do)."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from corpus_tools import load_corpus
from corpus_tools.corpus.parquet import export_layers

from .measure import (
    Row,
    fresh_process_seconds,
    in_turn,
    peak_megabytes,
    process_seconds,
    ratio,
    statement_seconds,
)
from .synthetic import LARGE_ID, REAL_CORPUS, large_document, write_document

FIRST_CELL = (
    "import corpus_tools; from corpus_tools.glossary import load_glossary; "
    f"load_glossary(corpus_tools.load_corpus({str(REAL_CORPUS)!r}))"
)


def first_cell() -> list[Row]:
    """A notebook's first cell in a new process (import, load the corpus and the glossary),
    warm, beside ``import pandas`` alone."""
    fresh_process_seconds(FIRST_CELL, runs=1)  # warm the caches
    baseline = fresh_process_seconds("pass")
    imported = fresh_process_seconds("import corpus_tools")
    cell, pandas = in_turn(
        lambda: process_seconds(FIRST_CELL), lambda: process_seconds("import pandas")
    )
    return [
        Row("python start-up alone", f"{baseline:.3f} s", "(reference)"),
        Row("import corpus_tools", f"{imported:.3f} s", "(part of the next row)"),
        Row("first cell: import, load_corpus(), load_glossary(); warm", f"{cell:.3f} s",
            "no slower than import pandas", f"import pandas {pandas:.3f} s", ratio(cell, pandas)),
    ]  # fmt: skip


_SAME_POOL = "from corpus_tools.corpus.columnar import prefer_jemalloc_pool\nprefer_jemalloc_pool()"
"""What the peers run first, so that their tables are allocated as ours are (jemalloc)."""


def generated_corpus(root: Path) -> list[Row]:
    """Cold build, warm load, token table and peak memory of the generated corpus."""
    import pyarrow.parquet as pq

    start = time.perf_counter()
    corpus = load_corpus(root, progress=True)
    cold = time.perf_counter() - start
    tokens = sum(len(doc.tokens) for doc in corpus.values())
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder)
        export_layers(corpus, export)
        columns = ["doc_id", "start_char", "end_char", "sentence", "lemma", "token_class"]
        same_columns = export / "token-columns.parquet"
        pq.write_table(pq.read_table(export / "tokens.parquet", columns=columns), same_columns)
        load = f"import corpus_tools\ncorpus = corpus_tools.load_corpus({str(root)!r})"
        warm, arrow = in_turn(
            lambda: statement_seconds("import corpus_tools", load.splitlines()[1]),
            lambda: statement_seconds(
                f"import pyarrow.parquet as pq\n{_SAME_POOL}",
                f"pq.read_table({str(same_columns)!r}, memory_map=True)",
            ),
        )
        (read_all,) = in_turn(
            lambda: statement_seconds(
                "import corpus_tools",
                f"{load.splitlines()[1]}\n[len(d.tokens) for d in corpus.values()]",
            )
        )
        parquet_path = export / "tokens.parquet"
        framed, parquet = in_turn(
            lambda: statement_seconds(  # pandas imported first, as for the peer
                f"import pandas\n{load}\n[len(d.tokens) for d in corpus.values()]",
                "corpus.frame('tokens')",
            ),
            lambda: statement_seconds(
                f"import pandas as pd\n{_SAME_POOL}", f"pd.read_parquet({str(parquet_path)!r})"
            ),
        )
        ours_mb = peak_megabytes(f"{load}\ncorpus.frame('tokens')")
        theirs_mb = peak_megabytes(
            f"import pandas\n{_SAME_POOL}\npandas.read_parquet({str(parquet_path)!r})"
        )
    cores = os.cpu_count() or 1
    return [
        Row(f"cold build ({cores} processes, progress bar)", f"{cold:.1f} s", "(once per source)"),
        Row(f"warm load_corpus(), {tokens:,} tokens", f"{warm:.3f} s", "< 0.3 s",
            f"same columns, Parquet, pyarrow {arrow:.3f} s", ratio(warm, arrow)),
        Row("warm load_corpus() and every document's tokens read", f"{read_all:.3f} s",
            "(for reference)"),
        Row(f"corpus.frame('tokens'), {tokens:,} rows", f"{framed:.2f} s",
            "within 3× of Parquet", f"pd.read_parquet {parquet:.2f} s", ratio(framed, parquet)),
        Row("peak memory: load_corpus() + frame('tokens')", f"{ours_mb:.0f} MB",
            "within 1.3× of Parquet", f"pd.read_parquet {theirs_mb:.0f} MB",
            ratio(ours_mb, theirs_mb)),
    ]  # fmt: skip


def one_long_document() -> list[Row]:
    """A single 3 MB source, segmented cold (its paragraphs are shared among the processes),
    then again after one paragraph in the middle was rewritten."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "corpus"
        paragraphs = large_document(root, characters=3_000_000)
        start = time.perf_counter()
        doc = load_corpus(root)[LARGE_ID]
        cold = time.perf_counter() - start
        middle = len(paragraphs) // 2
        text, language, kind = paragraphs[middle]
        paragraphs[middle] = (f"{text} {text}", language, kind)
        write_document(root, LARGE_ID, paragraphs)
        start = time.perf_counter()
        edited = load_corpus(root)[LARGE_ID]
        len(edited.tokens)
        again = time.perf_counter() - start
    cores = os.cpu_count() or 1
    return [
        Row(f"one {len(doc.text) / 1e6:.1f} MB document, cold ({cores} processes)",
            f"{cold:.1f} s", "validate < 30 s"),
        Row(f"the same, one of its {len(paragraphs):,} paragraphs edited", f"{again:.2f} s",
            "(only that paragraph segmented)", f"cold build {cold:.1f} s", ratio(again, cold)),
    ]  # fmt: skip

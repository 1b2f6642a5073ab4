"""Run every benchmark and print one table: `python -m bench [--documents N]`.

Each figure with a peer (a library that does the same job, or the floor of doing it) has the
peer measured beside it in the same run, and the ratio ours / peer. The last row runs the
whole of `make test` once.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
from pathlib import Path

from . import (
    annotation_store,
    concordance,
    corpus_load,
    glossary_lookup,
    scoring,
    suite,
    translation_cost,
)
from .measure import Row
from .synthetic import distinct_paragraphs, generate


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--documents", type=int, default=1000, help="size of the generated corpus (default 1000)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = generate(Path(folder) / "corpus", args.documents)
        paragraphs, distinct = distinct_paragraphs(root)
        print(
            f"Generated corpus: {args.documents:,} documents of the real document's sentences "
            f"recombined (seed 2025; {distinct:,} of {paragraphs:,} paragraphs distinct). "
            f"{os.cpu_count()} cores, Python {platform.python_version()}."
        )
        rows = [
            *corpus_load.first_cell(),
            *corpus_load.generated_corpus(root),
            *corpus_load.one_long_document(),
            *glossary_lookup.real_corpus(),
            *glossary_lookup.generated_corpus(root),
            *concordance.query_side_by_side(root),
            *translation_cost.translate_twice(),
            *annotation_store.save_and_load(),
            *scoring.score_class(),
        ]
    rows += suite.make_test()  # last: it needs the machine to itself
    _print([Row(*row) for row in rows])


def _print(rows: list[Row]) -> None:
    headings = Row("benchmark", "measured", "goal", "peer, same run", "ours / peer")
    order = ("name", "measured", "peer", "ratio", "goal")
    widths = {field: max(len(getattr(row, field)) for row in [headings, *rows]) for field in order}
    for row in [headings, Row(*("-" * widths[f] for f in Row._fields)), *rows]:
        print("  ".join(getattr(row, field).ljust(widths[field]) for field in order).rstrip())


if __name__ == "__main__":
    main()

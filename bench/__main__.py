"""Run every benchmark and print one table: `python -m bench [--documents N]`."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from . import annotation_store, concordance, corpus_load, glossary_lookup, scoring, translation_cost
from .synthetic import generate


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--documents", type=int, default=1000, help="size of the generated corpus (default 1000)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = generate(Path(folder) / "corpus", args.documents)
        rows = [
            *corpus_load.import_and_load(),
            *corpus_load.generated_corpus(root),
            *glossary_lookup.real_corpus(),
            *glossary_lookup.generated_corpus(root),
            *concordance.query_side_by_side(root),
            *translation_cost.translate_twice(),
            *annotation_store.save_and_load(),
            *scoring.score_class(),
        ]
    width = max(len(name) for name, _, _ in rows)
    print(f"\n{'benchmark':<{width}}  {'measured':>20}  goal")
    print(f"{'-' * width}  {'-' * 20}  {'-' * 20}")
    for name, value, goal in rows:
        print(f"{name:<{width}}  {value:>20}  {goal}")


if __name__ == "__main__":
    main()

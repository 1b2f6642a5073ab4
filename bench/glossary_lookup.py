"""How fast the glossary finds its terms and names: the real corpus, and a generated one."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from corpus_tools import Corpus, load_corpus
from corpus_tools.glossary import Glossary, load_glossary

from .synthetic import REAL_CORPUS

Row = tuple[str, str, str]


def _fresh_lookup_seconds(glossary: Glossary, corpus: Corpus) -> tuple[float, int]:
    """Time to find every match in every document, with nothing found before."""
    fresh = Glossary(corpus, glossary.terms, glossary.entities)
    start = time.perf_counter()
    matches = sum(len(fresh.find(doc)) for doc in corpus.values())
    return time.perf_counter() - start, matches


def real_corpus(runs: int = 5) -> list[Row]:
    corpus = load_corpus(REAL_CORPUS)
    start = time.perf_counter()
    glossary = load_glossary(corpus)
    loaded = time.perf_counter() - start
    timings = [_fresh_lookup_seconds(glossary, corpus) for _ in range(runs)]
    seconds = statistics.median(t for t, _ in timings)
    return [
        ("load_glossary() (validates, compiles forms)", f"{loaded:.2f} s", "(once per session)"),
        (f"all glossary matches, real corpus ({timings[0][1]} found)", f"{1000 * seconds:.1f} ms",
         "< 50 ms"),
    ]  # fmt: skip


def generated_corpus(root: Path) -> list[Row]:
    corpus = load_corpus(root)
    glossary = load_glossary(corpus, REAL_CORPUS / "glossary")
    rows = []
    ids = list(corpus)
    for share in (4, 2, 1):
        part = Corpus(root, [corpus[i] for i in ids[: len(ids) // share]])
        tokens = sum(len(doc.tokens) for doc in part.values())
        seconds, matches = _fresh_lookup_seconds(glossary, part)
        rows.append(
            (
                f"glossary matches, {tokens:,} generated tokens ({matches:,} found)",
                f"{seconds:.2f} s",
                f"{1e6 * seconds / tokens:.2f} µs/token (linear)",
            )
        )
    return rows

"""A concordance query on the generated million-token corpus, beside NLTK's on the same tokens."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from corpus_tools import load_corpus
from corpus_tools.analysis import Concordancer

Row = tuple[str, str, str]
QUERY = "Außenminister"


def _median(run: object, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def query_side_by_side(root: Path) -> list[Row]:
    from nltk.text import ConcordanceIndex

    corpus = load_corpus(root)
    start = time.perf_counter()
    ours = Concordancer(corpus)
    built = time.perf_counter() - start
    tokens = [doc.text[t.start : t.end] for doc in corpus.values() for t in doc.tokens]
    start = time.perf_counter()
    theirs = ConcordanceIndex(tokens, key=str.casefold)
    nltk_built = time.perf_counter() - start
    hits = len(ours.find(QUERY, by="form"))
    nltk_hits = len(theirs.find_concordance(QUERY.casefold(), width=80))
    return [
        (f"concordance index, {len(tokens):,} tokens: corpus_tools / NLTK",
         f"{built:.2f} s / {nltk_built:.2f} s", "(once per corpus)"),
        (f"concordance '{QUERY}' ({hits:,} lines; NLTK {nltk_hits:,}): corpus_tools",
         f"{1000 * _median(lambda: ours.find(QUERY, by='form')):.0f} ms", "< 100 ms"),
        (f"concordance '{QUERY}', NLTK find_concordance",
         f"{1000 * _median(lambda: theirs.find_concordance(QUERY.casefold(), width=80)):.0f} ms",
         "(reference)"),
    ]  # fmt: skip

"""A concordance query on the generated million-token corpus, beside NLTK's on the same tokens."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from corpus_tools import load_corpus
from corpus_tools.analysis import Concordancer

Row = tuple[str, str, str]
QUERY = "Außenminister"
FREQUENT = ("Ukraine", "die")  # a common name, and the commonest word of the corpus


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
    nltk_hits = len(theirs.find_concordance(QUERY.casefold(), width=80))
    rows = [
        (f"concordance index, {len(tokens):,} tokens: corpus_tools / NLTK",
         f"{built:.2f} s / {nltk_built:.2f} s", "(once per corpus)"),
    ]  # fmt: skip
    for query in (QUERY, *FREQUENT):
        hits = len(ours.find(query, by="form"))
        rows.append(
            (f"concordance '{query}' ({hits:,} lines): corpus_tools",
             f"{1000 * _median(lambda q=query: ours.find(q, by='form')):.0f} ms", "< 100 ms")
        )  # fmt: skip
    rows.append(
        (f"concordance '{QUERY}' ({nltk_hits:,} lines), NLTK find_concordance",
         f"{1000 * _median(lambda: theirs.find_concordance(QUERY.casefold(), width=80)):.0f} ms",
         "(reference)")
    )  # fmt: skip
    return rows

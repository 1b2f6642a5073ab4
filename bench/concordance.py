"""Concordance queries on the generated corpus, beside NLTK's concordance index and a plain
numpy scan of the same tokens (the floor: one comparison over every token, then the lines)."""

from __future__ import annotations

from pathlib import Path

from corpus_tools import Corpus, load_corpus
from corpus_tools.analysis import Concordancer

from .measure import Row, in_turn, median_seconds, ratio, timed

WIDTH = 40
FREQUENT = "die"  # the commonest word of the corpus
NAME = "Ukraine"
RARE = "Außenminister"
PHRASE = "beide Seiten"
ABSENT = "Quantenchromodynamik"


class NumpyScan:
    """The floor: each token's casefolded form as a number, a query found by comparing every
    token's number with it, and the lines cut with Python slices."""

    def __init__(self, corpus: Corpus):
        import numpy as np

        self.docs = list(corpus.values())
        self.vocabulary: dict[str, int] = {}
        numbers, self.where = [], []
        for number, doc in enumerate(self.docs):
            for row, token in enumerate(doc.tokens):
                numbers.append(
                    self.vocabulary.setdefault(token.text.casefold(), len(self.vocabulary))
                )
                self.where.append((number, row))
        self.numbers = np.asarray(numbers)

    def find(self, query: str) -> object:
        import numpy as np
        import pandas as pd

        words = [self.vocabulary.get(word.casefold(), -1) for word in query.split()]
        hits = np.flatnonzero(self.numbers[: len(self.numbers) - len(words) + 1] == words[0])
        for offset, number in enumerate(words[1:], start=1):
            hits = hits[self.numbers[hits + offset] == number]
        lines: dict[str, list[object]] = {"doc_id": [], "left": [], "match": [], "right": []}
        for hit in hits.tolist():
            document, row = self.where[hit]
            doc = self.docs[document]
            if self.where[hit + len(words) - 1][0] != document:
                continue
            start, end = doc.tokens[row].start, doc.tokens[row + len(words) - 1].end
            lines["doc_id"].append(doc.id)
            lines["left"].append(
                doc.text[max(0, start - WIDTH) : start].replace("\n", " ").rjust(WIDTH)
            )
            lines["match"].append(doc.text[start:end])
            lines["right"].append(doc.text[end : end + WIDTH].replace("\n", " ").ljust(WIDTH))
        return pd.DataFrame(lines)


def query_side_by_side(root: Path) -> list[Row]:
    from nltk.text import ConcordanceIndex

    corpus = load_corpus(root)
    built = median_seconds(lambda: Concordancer(corpus), repeat=1)
    ours = Concordancer(corpus)
    floor = NumpyScan(corpus)
    tokens = [doc.text[t.start : t.end] for doc in corpus.values() for t in doc.tokens]
    nltk_built = median_seconds(lambda: ConcordanceIndex(tokens, key=str.casefold), repeat=1)
    theirs = ConcordanceIndex(tokens, key=str.casefold)
    rows = [
        Row(f"concordance index, {len(tokens):,} tokens", f"{built:.2f} s", "(once per corpus)",
            f"NLTK {nltk_built:.2f} s", ratio(built, nltk_built)),
    ]  # fmt: skip
    goals = {FREQUENT: "within 1.5× of the floor", NAME: "≥ 3× faster than NLTK",
             RARE: "≥ 3× faster than NLTK", PHRASE: "≥ 3× faster than NLTK"}  # fmt: skip
    for query, goal in goals.items():
        lines = len(ours.find(query, by="form"))
        assert lines == len(floor.find(query)), query  # the same lines, or no comparison
        words = query.casefold().split()
        mine, scan, nltk = in_turn(
            lambda q=query: timed(lambda: ours.find(q, by="form")),
            lambda q=query: timed(lambda: floor.find(q)),
            lambda w=words: timed(lambda: theirs.find_concordance(w, width=2 * WIDTH)),
        )
        peers = f"numpy floor {1000 * scan:.1f} ms, NLTK {1000 * nltk:.1f} ms"
        against = scan if query == FREQUENT else nltk
        name = f"concordance '{query}' ({lines:,} lines)"
        rows.append(Row(name, f"{1000 * mine:.1f} ms", goal, peers, ratio(mine, against)))
    absent = median_seconds(lambda: ours.find(ABSENT, by="form"), repeat=20)
    rows.append(Row(f"concordance '{ABSENT}' (no line)", f"{1000 * absent:.2f} ms", "< 1 ms"))
    return rows

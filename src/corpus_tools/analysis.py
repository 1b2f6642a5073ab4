"""Counting and finding words: concordance (keyword in context), frequencies and keyness.

Everything works on the token layer, by lemma (so *Gespräche* finds *Gespräch*) or by form.
A concordance index is built once per corpus and kept, so queries on a corpus of a million
tokens answer in milliseconds.
"""

from __future__ import annotations

import math
import weakref
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from .corpus import Corpus, Document, Section, Token
from .errors import CorpusError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Concordancer", "concordance", "frequencies", "keyness", "tokens_of"]

_BY = ("lemma", "form")


def tokens_of(
    corpus: Corpus,
    *,
    sections: Iterable[str] | None = None,
    kinds: Iterable[str] | None = None,
    languages: Iterable[str] | None = None,
    words_only: bool = True,
) -> list[Token]:
    """The tokens of the top-level sections chosen by id, kind and language.

    Args:
        words_only: leave out punctuation, numbers and other non-word tokens.
    """
    wanted = (set(sections or ()), set(kinds or ()), set(languages or ()))
    chosen = []
    for doc in corpus.values():
        for section in doc.sections:
            if section.depth or section.kind == "separator" or not _wanted(section, wanted):
                continue
            for token in doc.tokens.covered_by(section.start, section.end):
                if not words_only or token.token_class in {"regular", "abbreviation"}:
                    chosen.append(token)
    return chosen


def _wanted(section: Section, wanted: tuple[set[str], set[str], set[str]]) -> bool:
    ids, kinds, languages = wanted
    return (
        (not ids or section.id in ids)
        and (not kinds or section.kind in kinds)
        and (not languages or section.language in languages)
    )


def _key(token_text: str, lemma: str, by: str) -> str:
    return (lemma if by == "lemma" else token_text).casefold()


def frequencies(
    tokens: Sequence[Token], *, by: str = "lemma", top: int | None = None
) -> pd.DataFrame:
    """How often each lemma (or form) occurs, with its rate per 1,000 tokens."""
    import pandas as pd

    _check_by(by)
    counts = Counter(_key(t.text, t.lemma, by) for t in tokens)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
    total = max(len(tokens), 1)
    return pd.DataFrame(
        [{by: word, "count": n, "per 1,000": round(1000 * n / total, 2)} for word, n in rows]
    )


def keyness(
    target: Sequence[Token],
    reference: Sequence[Token],
    *,
    by: str = "lemma",
    min_count: int = 2,
) -> pd.DataFrame:
    """Words used more (or less) in ``target`` than in ``reference``.

    Log-likelihood (Dunning's G²) says how sure the difference is (3.84 is p < 0.05, 6.63 is
    p < 0.01); the log ratio (base 2) says how big it is, with 0.5 added to zero counts.
    Positive log ratios are words typical of the target.
    """
    import pandas as pd

    _check_by(by)
    a = Counter(_key(t.text, t.lemma, by) for t in target)
    b = Counter(_key(t.text, t.lemma, by) for t in reference)
    size_a, size_b = max(len(target), 1), max(len(reference), 1)
    rows = []
    for word in a.keys() | b.keys():
        if a[word] + b[word] < min_count:
            continue
        rows.append(
            {
                by: word,
                "target": a[word],
                "reference": b[word],
                "log-likelihood": round(_g2(a[word], b[word], size_a, size_b), 2),
                "log ratio": round(
                    math.log2(((a[word] or 0.5) / size_a) / ((b[word] or 0.5) / size_b)), 2
                ),
            }
        )
    frame = pd.DataFrame(rows, columns=[by, "target", "reference", "log-likelihood", "log ratio"])
    return frame.sort_values(["log-likelihood", by], ascending=[False, True], ignore_index=True)


def _g2(a: int, b: int, size_a: int, size_b: int) -> float:
    expected_a = size_a * (a + b) / (size_a + size_b)
    expected_b = size_b * (a + b) / (size_a + size_b)
    total = sum(o * math.log(o / e) for o, e in ((a, expected_a), (b, expected_b)) if o)
    return 2 * total


def _check_by(by: str) -> None:
    if by not in _BY:
        raise CorpusError(f"count by {by!r}? use 'lemma' or 'form'")


class Concordancer:
    """Keyword-in-context lines for a corpus, from an index of lemmas and forms built once."""

    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self._index: dict[str, dict[str, list[tuple[str, int]]]] = {by: {} for by in _BY}
        for doc in corpus.values():
            columns = doc.tokens._columns
            text = doc.text
            for row, (start, end, lemma) in enumerate(
                zip(columns["start"], columns["end"], columns["lemma"], strict=True)
            ):
                self._index["form"].setdefault(text[start:end].casefold(), []).append((doc.id, row))
                self._index["lemma"].setdefault(lemma.casefold(), []).append((doc.id, row))

    def find(self, query: str, *, by: str = "lemma", width: int = 40) -> pd.DataFrame:
        """Every occurrence of ``query`` (a word, or words in a row) with ``width`` characters
        of context on either side, in document order."""
        import pandas as pd

        _check_by(by)
        words = query.split()
        if not words:
            raise CorpusError("give a word to look for")
        keys = [self._query_key(word, by) for word in words]
        rows = []
        for doc_id, row in self._index[by].get(keys[0], []):
            doc = self.corpus[doc_id]
            if self._continues(doc, row, keys[1:], by):
                rows.append(self._line(doc, row, len(keys), width))
        columns = ["doc", "section", "left", "match", "right", "start", "end"]
        return pd.DataFrame(rows, columns=columns)

    def _query_key(self, word: str, by: str) -> str:
        if by == "form":
            return word.casefold()
        from .segment import segment_paragraphs

        language = "de" if word.casefold() in self._index["lemma"] else "en"
        lemmas = segment_paragraphs(word, [(0, len(word), language)]).lemma
        return (lemmas[0] if lemmas else word).casefold()

    def _continues(self, doc: Document, row: int, keys: Sequence[str], by: str) -> bool:
        columns = doc.tokens._columns
        for offset, key in enumerate(keys, start=1):
            at = row + offset
            if at >= len(columns["start"]):
                return False
            token = doc.text[columns["start"][at] : columns["end"][at]]
            if _key(token, columns["lemma"][at], by) != key:
                return False
        return True

    def _line(self, doc: Document, row: int, length: int, width: int) -> dict[str, object]:
        columns = doc.tokens._columns
        start, end = columns["start"][row], columns["end"][row + length - 1]
        section = doc.sections[columns["section"][row]].id
        left = doc.text[max(0, start - width) : start].replace("\n", " ")
        right = doc.text[end : end + width].replace("\n", " ")
        return {
            "doc": doc.id, "section": section, "left": left.rjust(width),
            "match": doc.text[start:end], "right": right.ljust(width), "start": start, "end": end,
        }  # fmt: skip


_concordancers: dict[int, tuple[weakref.ref[Corpus], Concordancer]] = {}


def concordance(corpus: Corpus, query: str, *, by: str = "lemma", width: int = 40) -> pd.DataFrame:
    """Keyword in context: :meth:`Concordancer.find` on an index kept while ``corpus`` lives."""
    kept = _concordancers.get(id(corpus))
    if kept is None or kept[0]() is not corpus:
        kept = (weakref.ref(corpus), Concordancer(corpus))
        _concordancers[id(corpus)] = kept
        weakref.finalize(corpus, _concordancers.pop, id(corpus), None)
    return kept[1].find(query, by=by, width=width)

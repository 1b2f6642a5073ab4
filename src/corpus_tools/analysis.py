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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .corpus import Corpus, Document, Paragraph, Section, Token
from .corpus.provenance import other_language
from .errors import CorpusError

if TYPE_CHECKING:
    import pandas as pd

    from .corpus.references import ReferenceTranslations

__all__ = [
    "Concordancer",
    "concordance",
    "concordances",
    "frequencies",
    "keyness",
    "list_items",
    "paragraph_starts",
    "quotation_marks",
    "text_tokens",
    "tokens_of",
    "translated_tokens",
]

_BY = ("lemma", "form")


def tokens_of(
    corpus: Corpus,
    *,
    sections: Iterable[str] | None = None,
    kinds: Iterable[str] | None = None,
    languages: Iterable[str] | None = None,
    words_only: bool = True,
    skip_duplicates: bool = False,
) -> list[Token]:
    """The tokens of the top-level sections chosen by id, kind and language.

    Args:
        words_only: leave out punctuation, numbers and other non-word tokens.
        skip_duplicates: leave out paragraphs that repeat an earlier one word for word.
    """
    wanted = (set(sections or ()), set(kinds or ()), set(languages or ()))
    chosen = []
    for doc in corpus.values():
        repeated = [p for p in doc.paragraphs if p.duplicate_of] if skip_duplicates else []
        for section in doc.parts:
            if not _wanted(section, wanted):
                continue
            for token in doc.tokens.covered_by(section.start, section.end):
                if any(p.start <= token.start < p.end for p in repeated):
                    continue
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
    target: Sequence[Token | TextToken],
    reference: Sequence[Token | TextToken],
    *,
    by: str = "lemma",
    min_count: int = 2,
    min_expected: float = 5.0,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Words used more (or less) in ``target`` than in ``reference``, tested as a family.

    Each word gets Dunning's log-likelihood G² and its p-value (chi-square, one degree of
    freedom); the p-values of all words tested are corrected for multiple comparisons by Holm's
    method, so ``significant`` holds the family-wise error rate at ``alpha``.  A word whose
    smaller expected count is below ``min_expected`` (Cochran's rule) is not tested: G² is not
    reliable there.  The log ratio (base 2, 0.5 added to zero counts) is the effect size:
    positive for words typical of the target.

    Returns:
        One row per word seen at least ``min_count`` times: counts, ``expected`` (the smaller
        expected count), ``log-likelihood``, ``p``, ``p (Holm)``, ``significant``, ``log
        ratio``; tested words first, by log-likelihood.
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
        g2 = _g2(a[word], b[word], size_a, size_b)
        rows.append(
            {
                by: word,
                "target": a[word],
                "reference": b[word],
                "expected": min(_expected(a[word], b[word], size_a, size_b)),
                "log-likelihood": g2,
                "p": math.erfc(math.sqrt(g2 / 2)),
                "log ratio": math.log2(((a[word] or 0.5) / size_a) / ((b[word] or 0.5) / size_b)),
            }
        )
    columns = [by, "target", "reference", "expected", "log-likelihood", "p", "p (Holm)",
               "significant", "log ratio"]  # fmt: skip
    frame = pd.DataFrame(rows, columns=[c for c in columns if c not in {"p (Holm)", "significant"}])
    tested = frame["expected"] >= min_expected
    frame["p (Holm)"] = float("nan")
    frame.loc[tested, "p (Holm)"] = _holm(frame.loc[tested, "p"].tolist())
    frame["significant"] = tested & (frame["p (Holm)"] < alpha)
    frame = frame[columns].round(
        {"expected": 2, "log-likelihood": 2, "p": 4, "p (Holm)": 4, "log ratio": 2}
    )
    order = [~tested, -frame["log-likelihood"], frame[by]]
    return frame.iloc[_lexsort(order)].reset_index(drop=True)


def _expected(a: int, b: int, size_a: int, size_b: int) -> tuple[float, float]:
    total = size_a + size_b
    return size_a * (a + b) / total, size_b * (a + b) / total


def _g2(a: int, b: int, size_a: int, size_b: int) -> float:
    expected = _expected(a, b, size_a, size_b)
    return 2 * sum(o * math.log(o / e) for o, e in zip((a, b), expected, strict=True) if o)


def _holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment of a family of p-values, in their order."""
    order = sorted(range(len(p_values)), key=p_values.__getitem__)
    adjusted = [0.0] * len(p_values)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def _lexsort(keys: Sequence[Any]) -> list[int]:
    """Row positions sorted by the first key, then the next, ... (each key a column)."""
    rows = list(zip(*(list(key) for key in keys), strict=True))
    return sorted(range(len(rows)), key=rows.__getitem__)


def _lemma_of_word(word: str, language: str) -> str | None:
    """The lemma the segmenter gives ``word`` standing alone (of its first token).  A German
    word of letters only is one token to SoMaJo, so it is looked up at once, without starting
    SoMaJo; English ones may not be (``cannot`` is *can* and *not*)."""
    from .corpus.lemmas import lemmatize

    if language == "de" and word.isalpha():
        return lemmatize(word, language)
    from .corpus.segment import segment_paragraphs

    lemmas = segment_paragraphs(word, [(0, len(word), language)]).lemma
    return lemmas[0] if lemmas else None


def _check_by(by: str) -> None:
    if by not in _BY:
        raise CorpusError(f"count by {by!r}? use 'lemma' or 'form'")


class Concordancer:
    """Keyword-in-context lines for a corpus, from an index of lemmas and forms built once.

    The index is a few arrays over every token of the corpus: each token's document, offsets
    and the number of its form and of its lemma, and the tokens sorted by those numbers, so a
    word's occurrences are one slice and a phrase is found by comparing the tokens after them.
    The lines are cut from the texts as whole arrays (no Python string per line).
    """

    def __init__(self, corpus: Corpus):
        import numpy as np
        import pyarrow as pa

        from .corpus.columnar import joined_integers, word_chunks
        from .corpus.frames import Texts

        self.corpus = corpus
        self._docs = list(corpus.values())
        counts = np.array([len(doc.tokens) for doc in self._docs], dtype=np.int64)
        self._document = np.repeat(np.arange(len(self._docs), dtype=np.int32), counts)
        self._starts = joined_integers([doc.tokens.columns.array("start") for doc in self._docs])
        self._ends = joined_integers([doc.tokens.columns.array("end") for doc in self._docs])
        self._texts = Texts([doc.text for doc in self._docs])
        self._vocabulary: dict[str, dict[str, int]] = {}
        self._keys: dict[str, Any] = {}
        for by in _BY:
            words = word_chunks([doc.tokens.columns.array(by) for doc in self._docs])
            self._vocabulary[by], self._keys[by] = _numbered(words)
        self._sorted = {by: np.argsort(keys, kind="stable") for by, keys in self._keys.items()}
        self._bounds = {
            by: np.searchsorted(
                self._keys[by][self._sorted[by]], np.arange(len(self._vocabulary[by]) + 1)
            )
            for by in _BY
        }
        self._sizes = np.array([len(doc.text) for doc in self._docs], dtype=np.int64)
        self._ids = pa.array([doc.id for doc in self._docs], pa.string())
        self._lemma_names: list[str] | None = None
        self._section_of: Any = None
        self._section_names: Any = None
        self._empty: pd.DataFrame | None = None

    def find(
        self, query: str, *, by: str = "lemma", width: int = 40, language: str | None = None
    ) -> pd.DataFrame:
        """Every occurrence of ``query`` (a word, or words in a row) with ``width`` characters
        of context on either side, in document order.

        By lemma, a query word that is not itself a lemma of the corpus stands for the lemma its
        tokens in the corpus have; a word the corpus lacks (or spells with several lemmas) is
        lemmatised as German, then as English. Pass ``language`` where that guess is wrong
        (German *war* is a form of *sein*, English *war* is a noun).

        Returns:
            One row per occurrence: doc, section, left, match, right, start, end.
        """
        _check_by(by)
        words = query.split()
        if not words:
            raise CorpusError("give a word to look for")
        numbers = [self._vocabulary[by].get(self._query_key(word, by, language)) for word in words]
        if None in numbers:
            return self._no_lines()
        hits = self._occurrences(by, numbers)  # type: ignore[arg-type]
        return self._lines(hits, len(numbers), width) if len(hits) else self._no_lines()

    def _query_key(self, word: str, by: str, language: str | None) -> str:
        if by == "form" or word.casefold() in self._vocabulary["lemma"]:
            return word.casefold()
        if language is None and (lemma := self._lemma_in_the_corpus(word)) is not None:
            return lemma
        for guess in (language,) if language else ("de", "en"):
            lemma = _lemma_of_word(word, guess)
            if lemma is not None and lemma.casefold() in self._vocabulary["lemma"]:
                return lemma.casefold()
        return word.casefold()

    def _lemma_in_the_corpus(self, word: str) -> str | None:
        """The lemma every token of the corpus spelt ``word`` has (the segmenter gave it in
        the token's own language), or None if the word is not in the corpus or its tokens
        disagree; found without starting the segmenter."""
        import numpy as np

        number = self._vocabulary["form"].get(word.casefold())
        if number is None:
            return None
        bounds = self._bounds["form"]
        tokens = self._sorted["form"][bounds[number] : bounds[number + 1]]
        lemmas = np.unique(self._keys["lemma"][tokens])
        if len(lemmas) != 1:
            return None
        if self._lemma_names is None:
            self._lemma_names = list(self._vocabulary["lemma"])
        return self._lemma_names[lemmas[0]]

    def _occurrences(self, by: str, numbers: list[int]) -> Any:
        """Positions (in the whole corpus) of the first token of each occurrence, in order."""
        import numpy as np

        bounds, keys = self._bounds[by], self._keys[by]
        first = numbers[0]
        hits = np.sort(self._sorted[by][bounds[first] : bounds[first + 1]])
        for offset, number in enumerate(numbers[1:], start=1):
            following = hits + offset
            inside = following < len(keys)
            hits, following = hits[inside], following[inside]
            same = (keys[following] == number) & (self._document[following] == self._document[hits])
            hits = hits[same]
        return hits

    def _lines(self, hits: Any, length: int, width: int) -> pd.DataFrame:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        documents = self._document[hits]
        starts = self._starts[hits]
        ends = self._ends[hits + length - 1]
        cut = self._texts.slices
        left = cut(documents, np.maximum(starts - width, 0), starts)
        right = cut(documents, ends, np.minimum(ends + width, self._sizes[documents]))
        table = pa.table(
            {
                "doc_id": self._ids.take(pa.array(documents)),
                "section": self._sections(hits, documents),
                "left": pc.utf8_lpad(pc.replace_substring(left, "\n", " "), width),
                "match": cut(documents, starts, ends),
                "right": pc.utf8_rpad(pc.replace_substring(right, "\n", " "), width),
                "start": starts,
                "end": ends,
            }
        )
        return table.to_pandas()

    def _sections(self, hits: Any, documents: Any) -> Any:
        """The id of the section of each hit's first token."""
        import numpy as np
        import pyarrow as pa

        if self._section_of is None:
            names, rows = [], []
            for doc in self._docs:
                rows.append(np.asarray(doc.tokens.columns.array("section"), np.int64) + len(names))
                names += doc.sections.column("id")
            self._section_names = pa.array(names, pa.string())
            self._section_of = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        return self._section_names.take(pa.array(self._section_of[hits]))

    def _no_lines(self) -> pd.DataFrame:
        """An empty result with the columns and types of a full one (made once, copied)."""
        if self._empty is None:
            import pandas as pd

            self._empty = pd.DataFrame({
                column: pd.Series([], dtype="int64" if column in {"start", "end"} else "str")
                for column in _LINE_COLUMNS
            })  # fmt: skip
        return self._empty.copy()


def _numbered(words: Any) -> tuple[dict[str, int], Any]:
    """Number the casefolded words (an Arrow array of words): each distinct key its number,
    and each word the number of its key.  Only the distinct words are casefolded in Python."""
    import numpy as np

    from .corpus.columnar import distinct_words

    distinct, at = distinct_words(words)
    vocabulary: dict[str, int] = {}
    numbers = [vocabulary.setdefault(word.casefold(), len(vocabulary)) for word in distinct]
    return vocabulary, np.asarray(numbers, dtype=np.int32)[at]


_LINE_COLUMNS = ["doc_id", "section", "left", "match", "right", "start", "end"]


_concordancers: dict[int, tuple[weakref.ref[Corpus], Concordancer]] = {}


def concordance(
    corpus: Corpus,
    query: str,
    *,
    by: str = "lemma",
    width: int = 40,
    language: str | None = None,
) -> pd.DataFrame:
    """Keyword in context: :meth:`Concordancer.find` on an index kept while ``corpus`` lives."""
    kept = _concordancers.get(id(corpus))
    if kept is None or kept[0]() is not corpus:
        kept = (weakref.ref(corpus), Concordancer(corpus))
        _concordancers[id(corpus)] = kept
        weakref.finalize(corpus, _concordancers.pop, id(corpus), None)
    return kept[1].find(query, by=by, width=width, language=language)


def concordances(
    corpus: Corpus,
    queries: Iterable[str],
    *,
    sections: Iterable[str] | None = None,
    by: str = "lemma",
    width: int = 40,
) -> pd.DataFrame:
    """The concordances of several queries in one table, in text order, with a ``query``
    column; ``sections`` keeps only lines from these sections. The queries that found no line
    are ``attrs["without_lines"]`` of the table (:func:`~corpus_tools.display.kwic` names
    them under it)."""
    import pandas as pd

    queries = list(queries)
    frames = [concordance(corpus, q, by=by, width=width).assign(query=q) for q in queries]
    lines = pd.concat(frames, ignore_index=True)
    if sections is not None:
        lines = lines[lines["section"].isin(list(sections))]
    columns = ["query", "section", "left", "match", "right", "start"]
    table = lines.sort_values(["doc_id", "start"], ignore_index=True)[columns]
    found = set(table["query"])
    table.attrs["without_lines"] = [q for q in queries if q not in found]
    return table


@dataclass(frozen=True, slots=True)
class TextToken:
    """A token of a text outside the corpus (a translation, say): its form and lemma."""

    text: str
    lemma: str
    token_class: str


def text_tokens(text: str, language: str, *, words_only: bool = True) -> list[TextToken]:
    """Tokens and lemmas of any text, made the way the corpus's layers are, so that they can
    be counted against corpus tokens (e.g. with :func:`keyness`)."""
    from .corpus.segment import segment_paragraphs

    columns = segment_paragraphs(text, [(0, len(text), language)])
    tokens = [
        TextToken(text[start:end], lemma, token_class)
        for start, end, lemma, token_class in zip(
            columns.token_start, columns.token_end, columns.lemma, columns.token_class,
            strict=True,
        )
    ]  # fmt: skip
    if words_only:
        return [t for t in tokens if t.token_class in {"regular", "abbreviation"}]
    return tokens


def translated_tokens(
    paragraphs: Iterable[Paragraph], references: ReferenceTranslations, language: str
) -> list[TextToken]:
    """The word tokens of the reference translations of ``paragraphs`` into ``language``, in
    reading order: a translated text to count against the corpus (e.g. with :func:`keyness`).

    Raises:
        NoReferenceError: a paragraph has no reference translation into ``language``.
    """
    from .errors import NoReferenceError

    texts = []
    for paragraph in paragraphs:
        found = references.lookup(paragraph.text, language)
        if found is None:
            raise NoReferenceError(
                f"paragraph {paragraph.id} has no reference translation into {language!r}; "
                "add one to corpus/translations/"
            )
        texts.append(found.text)

    def build() -> list[list[str]]:
        tokens = [t for text in texts for t in text_tokens(text, language)]
        return [[t.text, t.lemma, t.token_class] for t in tokens]

    if references.cache is None:
        return [TextToken(*token) for token in build()]
    from .corpus.cache import derived_key

    inputs = [language, texts]
    name = f"reference-tokens.{derived_key(inputs)[:16]}"
    stored = references.cache.derived(name, inputs, build, _checked_tokens)
    return [TextToken(*token) for token in stored]


def _checked_tokens(payload: Any) -> list[list[str]]:
    """Tokens stored as ``[text, lemma, token class]`` lists, or ValueError."""
    if not isinstance(payload, list) or not all(
        isinstance(token, list) and len(token) == 3 and all(isinstance(f, str) for f in token)
        for token in payload
    ):
        raise ValueError("not a list of tokens, each three strings")
    return payload


def list_items(
    doc: Document, list_id: str, references: ReferenceTranslations | None = None
) -> pd.DataFrame:
    """The items of a list section (such as agreed points) as a table: item id, its first word
    (the verb of an item that starts with one), the whole text and, with ``references``, the
    reference translation.

    Raises:
        CorpusError: no such section, or it has no items.
    """
    import pandas as pd

    parent = doc.section(list_id)
    items = [s for s in doc.sections if s.kind == "list_item" and parent.start <= s.start
             and s.end <= parent.end]  # fmt: skip
    if not items:
        raise CorpusError(f"section {list_id!r} of {doc.id!r} has no list items")
    rows = []
    for item in items:
        first = doc.tokens.covered_by(item.start, item.end)[0]
        row = {"item": item.id, "first word": first.text, "text": item.text}
        if references is not None:
            found = references.lookup(item.text, other_language(item.language))
            row["translation"] = found.text if found else None
        rows.append(row)
    return pd.DataFrame(rows)


def paragraph_starts(doc: Document, words: int = 8) -> pd.DataFrame:
    """Every paragraph by id with its language and its first ``words`` words, in reading order:
    a map of the text that names no section (so it answers no question about who wrote what)."""
    import pandas as pd

    rows = []
    for paragraph in doc.paragraphs:
        tokens = doc.tokens.covered_by(paragraph.start, paragraph.end)
        end = tokens[min(words, len(tokens)) - 1].end if len(tokens) else paragraph.end
        more = " …" if end < paragraph.end else ""
        rows.append({"paragraph": paragraph.id, "language": paragraph.language,
                     "begins": doc.text[paragraph.start : end] + more})  # fmt: skip
    return pd.DataFrame(rows, columns=["paragraph", "language", "begins"])


QUOTATION_MARKS = '"„“”‚‘«»‹›'
"""Characters counted as quotation marks; the apostrophe ’ (U+2019) is left out, as it is
mostly an apostrophe in these texts."""


def quotation_marks(doc: Document, sections: Iterable[str] | None = None) -> pd.DataFrame:
    """Every quotation mark in the chosen top-level sections (default: all), with its offset,
    code point and Unicode name, so that conventions can be compared across languages."""
    import unicodedata

    import pandas as pd

    chosen = [doc.section(s) for s in sections] if sections is not None else list(doc.parts)
    rows = [
        {"section": section.id, "offset": offset, "mark": doc.text[offset],
         "code point": f"U+{ord(doc.text[offset]):04X}", "name": unicodedata.name(doc.text[offset])}
        for section in chosen
        for offset in range(section.start, section.end)
        if doc.text[offset] in QUOTATION_MARKS
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["section", "offset", "mark", "code point", "name"])

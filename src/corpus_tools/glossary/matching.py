"""Finding the glossary's patterns in tokens, with arrays rather than a loop over tokens.

A pattern is a run of words; a word is a set of keys.  A token matches a word through its
casefolded form or lemma (terms) or its form as written (the spellings of a name).  Every key
of every pattern gets a number, every token the numbers of its keys (each distinct word of a
text is looked up once), and matching is then a few array operations for the whole corpus:
pair each token with the patterns of its language whose first word it matches, and keep the
pairs whose following tokens match the pattern's following words, in the same document and
language.  Each word of each pattern is a *slot*, with a row of the keys it accepts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Found", "Matcher", "Pattern", "TokenKeys"]

BY_FORM, BY_LEMMA, BY_SPELLING = 0, 1, 2

_NO_KEY = -2
"""What pads a slot's row of keys: never a token's key (which is -1 for none)."""


@dataclass(frozen=True, slots=True)
class Pattern:
    """The words of one form of an entry, in one language."""

    entry: int
    """The entry's position in the glossary."""
    language: int
    exact: bool
    """Words as written (a name's spelling), not casefolded forms and lemmas."""
    words: tuple[frozenset[str], ...]


@dataclass(frozen=True, slots=True)
class TokenKeys:
    """Tokens of one or more texts, end to end, as arrays: which text, which language, and
    the numbers of their casefolded form, casefolded lemma and form as written (-1 for a
    word that is no key of any pattern)."""

    text: np.ndarray
    language: np.ndarray
    folded_form: np.ndarray
    folded_lemma: np.ndarray
    written: np.ndarray


@dataclass(frozen=True, slots=True)
class Found:
    """Matches as arrays: the first and last token of each, its pattern and how it matched
    (``BY_FORM``, ``BY_LEMMA`` or ``BY_SPELLING``)."""

    first: np.ndarray
    last: np.ndarray
    pattern: np.ndarray
    by: np.ndarray


class _Beginnings:
    """Which patterns each key begins in each language: those of the number
    ``language * size + key`` are ``patterns[offsets[number]:offsets[number + 1]]``."""

    def __init__(self, begun: list[tuple[int, int]], numbers: int):
        """``begun`` holds a ``(number, pattern)`` for each key a pattern begins with."""
        import numpy as np

        number = np.asarray([n for n, _ in begun], dtype=np.int64)
        self.patterns = np.asarray([p for _, p in begun], dtype=np.int64)[
            np.argsort(number, kind="stable")
        ]
        self.offsets = np.cumsum([0, *np.bincount(number, minlength=numbers)], dtype=np.int64)

    def pairs(self, tokens: np.ndarray, numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every ``(token, pattern)`` such that the token's number begins the pattern: first
        those of numbers that begin one pattern (most), then the others."""
        import numpy as np

        begin = self.offsets[numbers]
        counts = self.offsets[numbers + 1] - begin
        one, more = np.flatnonzero(counts == 1), np.flatnonzero(counts > 1)
        several = counts[more]
        ends = np.cumsum(several)
        within = np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - several, several)
        return (
            np.concatenate([tokens[one], np.repeat(tokens[more], several)]),
            self.patterns[np.concatenate([begin[one], np.repeat(begin[more], several) + within])],
        )


Candidates = tuple["np.ndarray", "np.ndarray", "np.ndarray"]
"""Matches so far: the first token of each, its pattern, and how it matched."""


class Matcher:
    """The patterns of a glossary, compiled to arrays; :meth:`find` matches them."""

    def __init__(self, patterns: Sequence[Pattern]):
        import numpy as np

        self.patterns = tuple(patterns)
        self.folded: dict[str, int] = {}
        """A number for each casefolded key (of terms)."""
        self.written: dict[str, int] = {}
        """A number for each key as written (of names)."""
        rows = [self._numbered(pattern) for pattern in self.patterns]
        self.length = np.asarray([len(p.words) for p in self.patterns], dtype=np.int64)
        self.language = np.asarray([p.language for p in self.patterns], dtype=np.int64)
        self.exact = np.asarray([p.exact for p in self.patterns], dtype=bool)
        self.entry = np.asarray([p.entry for p in self.patterns], dtype=np.int64)
        self.slot_base = np.cumsum(self.length) - self.length
        self.slot_keys = _slot_keys([row for pattern_rows in rows for row in pattern_rows])
        """For each column, one key of each slot (or ``_NO_KEY``)."""
        self.languages = int(self.language.max(initial=-1)) + 1
        self.sizes = {False: max(len(self.folded), 1), True: max(len(self.written), 1)}
        self.begins = {
            (exact, single): _Beginnings(
                self._begun(rows, exact, single), self.languages * self.sizes[exact]
            )
            for exact in (False, True)
            for single in (False, True)
        }
        """By names or terms, single words or longer: which patterns each key begins."""

    def _numbered(self, pattern: Pattern) -> list[list[int]]:
        """The numbers of the keys of each word of ``pattern``, numbering new keys."""
        numbers = self.written if pattern.exact else self.folded
        return [[numbers.setdefault(key, len(numbers)) for key in sorted(w)] for w in pattern.words]

    def _begun(
        self, rows: list[list[list[int]]], exact: bool, single: bool
    ) -> list[tuple[int, int]]:
        """``(language * size + key, pattern)`` for each key that begins a pattern of names
        (``exact``) or terms, of one word (``single``) or more."""
        size = self.sizes[exact]
        return [
            (pattern.language * size + key, number)
            for number, (pattern, words) in enumerate(zip(self.patterns, rows, strict=True))
            if pattern.exact == exact and words and (len(words) == 1) == single
            for key in words[0]
        ]

    def keys_of(
        self, forms: tuple[list[str], np.ndarray], lemmas: tuple[list[str], np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The key numbers of tokens, given the distinct forms and lemmas and which is each
        token's (as :func:`~corpus_tools.corpus.columnar.distinct_words` gives them):
        casefolded form, casefolded lemma, form as written."""
        import numpy as np

        folded, written = self.folded, self.written
        (words, at), (lemma_words, lemma_at) = forms, lemmas
        folded_form = np.asarray([folded.get(w.casefold(), -1) for w in words], np.int64)[at]
        written_form = np.asarray([written.get(w, -1) for w in words], np.int64)[at]
        lemma_keys = np.asarray([folded.get(w.casefold(), -1) for w in lemma_words], np.int64)
        return folded_form, lemma_keys[lemma_at], written_form

    def find(self, tokens: TokenKeys) -> Found:
        """Every match of every pattern (overlapping ones too, and some twice), unordered."""
        import numpy as np

        single, going = self._first_words(tokens)
        found = [single]
        for offset in range(1, int(self.length.max(initial=1))):
            first, pattern, by = self._next_word(tokens, offset, *going)
            done = self.length[pattern] == offset + 1
            found.append((first[done], pattern[done], by[done]))
            going = first[~done], pattern[~done], by[~done]
        first, pattern, by = (np.concatenate(column) for column in zip(*found, strict=True))
        return Found(first, first + self.length[pattern] - 1, pattern, by)

    def _first_words(self, tokens: TokenKeys) -> tuple[Candidates, Candidates]:
        """Each (token, pattern) whose first word the token matches, and how: those of
        patterns of one word, and those of longer ones.  A lemma that is also the token's
        form adds no pair; one that is another key of the same word pairs the token with the
        pattern again, as a lemma: the match through the form comes first and the other is
        dropped with the repeats."""
        import numpy as np

        usable = (tokens.language >= 0) & (tokens.language < self.languages)
        other_lemma = usable & (tokens.folded_lemma != tokens.folded_form)
        single: list[Candidates] = []
        longer: list[Candidates] = []
        for keys, where, exact, by in (
            (tokens.folded_form, usable, False, BY_FORM),
            (tokens.folded_lemma, other_lemma, False, BY_LEMMA),
            (tokens.written, usable, True, BY_SPELLING),
        ):
            at = np.flatnonzero(where & (keys >= 0))
            numbers = tokens.language[at] * self.sizes[exact] + keys[at]
            for single_word, into in ((True, single), (False, longer)):
                first, pattern = self.begins[exact, single_word].pairs(at, numbers)
                into.append((first, pattern, np.full(len(first), by, np.int8)))
        return _joined(single), _joined(longer)

    def _next_word(self, tokens: TokenKeys, offset: int, first: np.ndarray,
                   pattern: np.ndarray, by: np.ndarray) -> Candidates:  # fmt: skip
        """The candidates whose token ``offset`` places further on, in the same text and
        language, matches word ``offset`` of their pattern; a term's match is by lemma from
        the first word matched only by its lemma."""
        import numpy as np

        at = first + offset
        inside = at < len(tokens.text)
        first, pattern, by, at = first[inside], pattern[inside], by[inside], at[inside]
        slot = self.slot_base[pattern] + offset
        exact = self.exact[pattern]
        by_form = self._accepts(slot, np.where(exact, tokens.written[at], tokens.folded_form[at]))
        by_lemma = ~exact & self._accepts(slot, tokens.folded_lemma[at])
        matched = (
            (by_form | by_lemma)
            & (tokens.text[at] == tokens.text[first])
            & (tokens.language[at] == tokens.language[first])
        )
        by = np.where(by_form, by, BY_LEMMA).astype(np.int8)
        return first[matched], pattern[matched], by[matched]

    def _accepts(self, slot: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """Whether each slot accepts the key beside it (a key of -1 never)."""
        accepted = self.slot_keys[0][slot] == keys
        for column in self.slot_keys[1:]:
            accepted |= column[slot] == keys
        return accepted


def _slot_keys(slots: list[list[int]]) -> tuple[np.ndarray, ...]:
    """The keys each slot accepts as columns: the first of every slot, the second (or
    ``_NO_KEY``), and so on."""
    import numpy as np

    table = np.full((len(slots), max(map(len, slots), default=1)), _NO_KEY, dtype=np.int64)
    for slot, keys in enumerate(slots):
        table[slot, : len(keys)] = keys
    return tuple(np.ascontiguousarray(column) for column in table.T)


def _joined(parts: list[Candidates]) -> Candidates:
    import numpy as np

    first, pattern, by = (np.concatenate(column) for column in zip(*parts, strict=True))
    return first, pattern, by

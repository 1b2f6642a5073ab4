"""Finding the glossary's patterns in tokens, with arrays rather than a loop over tokens.

A pattern is a run of words; a word is a set of keys.  A token matches a word through its
casefolded form or lemma (terms) or its form as written (the spellings of a name).  Every key
of every pattern gets a number, every token the numbers of its keys (each distinct word of a
text is looked up once), and matching is then a few array operations for the whole corpus:
pair each token with the patterns whose first word it matches, and keep the pairs whose
following tokens match the pattern's following words, in the same document and language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Found", "Matcher", "Pattern", "TokenKeys"]

BY_FORM, BY_LEMMA, BY_SPELLING = 0, 1, 2


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


class _Keys:
    """The keys of one kind (casefolded or as written): a number for each, the word slots
    they may fill, and which patterns each may begin."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.codes: list[int] = []  # slot * size + key, for every key a slot accepts
        self.first: dict[int, list[int]] = {}  # key -> patterns it may begin

    def number(self, key: str) -> int:
        return self.numbers.setdefault(key, len(self.numbers))

    def finish(self, slots: list[tuple[int, list[int]]]) -> None:
        import numpy as np

        size = max(len(self.numbers), 1)
        self.size = size
        self.valid = np.unique(
            np.asarray([slot * size + key for slot, keys in slots for key in keys], np.int64)
        )
        order = sorted(self.first)
        counts = [len(self.first[key]) for key in order]
        self.first_start = np.zeros(size + 1, dtype=np.int64)
        self.first_start[np.asarray(order, dtype=np.int64) + 1] = counts
        np.cumsum(self.first_start, out=self.first_start)
        self.first_patterns = np.asarray(
            [p for key in order for p in self.first[key]], dtype=np.int64
        )

    def accepts(self, slots: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """Whether each slot accepts the key beside it (a key of -1 never)."""
        import numpy as np

        codes = slots * self.size + keys
        found = np.searchsorted(self.valid, codes)
        inside = found < len(self.valid)
        accepted = np.zeros(len(codes), dtype=bool)
        accepted[inside] = self.valid[found[inside]] == codes[inside]
        return accepted & (keys >= 0)

    def pairs(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every (token, pattern) such that the token's key may begin the pattern."""
        import numpy as np

        tokens = np.flatnonzero(keys >= 0)
        starts = self.first_start[keys[tokens]]
        counts = self.first_start[keys[tokens] + 1] - starts
        total = int(counts.sum())
        within = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        return np.repeat(tokens, counts), self.first_patterns[np.repeat(starts, counts) + within]


class Matcher:
    """The patterns of a glossary, compiled to arrays; :meth:`find` matches them."""

    def __init__(self, patterns: Sequence[Pattern]):
        import numpy as np

        self.patterns = tuple(patterns)
        self.folded, self.written = _Keys(), _Keys()
        folded_slots: list[tuple[int, list[int]]] = []
        written_slots: list[tuple[int, list[int]]] = []
        self.slot_base = np.zeros(len(patterns), dtype=np.int64)
        slot = 0
        for number, pattern in enumerate(patterns):
            self.slot_base[number] = slot
            keys = self.written if pattern.exact else self.folded
            slots = written_slots if pattern.exact else folded_slots
            for position, word in enumerate(pattern.words):
                numbered = [keys.number(key) for key in sorted(word)]
                slots.append((slot + position, numbered))
                if position == 0:
                    for key in numbered:
                        keys.first.setdefault(key, []).append(number)
            slot += len(pattern.words)
        self.folded.finish(folded_slots)
        self.written.finish(written_slots)
        self.length = np.asarray([len(p.words) for p in patterns], dtype=np.int64)
        self.language = np.asarray([p.language for p in patterns], dtype=np.int64)
        self.exact = np.asarray([p.exact for p in patterns], dtype=bool)

    def keys_of(self, forms: Any, lemmas: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The key numbers of tokens given as Arrow string arrays of forms and lemmas
        (plain or dictionary-encoded): casefolded form, casefolded lemma, form as written."""
        import numpy as np

        from ..corpus.columnar import distinct_words

        folded, written = self.folded.numbers, self.written.numbers
        words, at = distinct_words(forms)
        folded_form = np.asarray([folded.get(w.casefold(), -1) for w in words], np.int64)[at]
        written_form = np.asarray([written.get(w, -1) for w in words], np.int64)[at]
        lemma_words, lemma_at = distinct_words(lemmas)
        lemma_keys = [folded.get(w.casefold(), -1) for w in lemma_words]
        return folded_form, np.asarray(lemma_keys, np.int64)[lemma_at], written_form

    def find(self, tokens: TokenKeys) -> Found:
        """Every match of every pattern (overlapping ones too, and some twice), unordered."""
        import numpy as np

        first, pattern = self._first_words(tokens)
        keep = tokens.language[first] == self.language[pattern]
        first, pattern = first[keep], pattern[keep]
        exact = self.exact[pattern]
        slots = self.slot_base[pattern]
        by = np.where(
            exact, BY_SPELLING,
            np.where(self.folded.accepts(slots, tokens.folded_form[first]), BY_FORM, BY_LEMMA),
        )  # fmt: skip
        count = len(tokens.text)
        for offset in range(1, int(self.length.max(initial=1))):
            longer = np.flatnonzero(self.length[pattern] > offset)
            at = first[longer] + offset
            inside = at < count
            longer, at = longer[inside], at[inside]
            same = (tokens.text[at] == tokens.text[first[longer]]) & (
                tokens.language[at] == tokens.language[first[longer]]
            )
            slot = slots[longer] + offset
            by_form = self.folded.accepts(slot, tokens.folded_form[at])
            by_lemma = self.folded.accepts(slot, tokens.folded_lemma[at])
            written = self.written.accepts(slot, tokens.written[at])
            matched = same & np.where(exact[longer], written, by_form | by_lemma)
            by[longer[matched & ~exact[longer] & ~by_form]] = BY_LEMMA
            failed = np.ones(len(first), dtype=bool)
            failed[longer[matched]] = False
            failed &= self.length[pattern] > offset
            alive = ~failed
            first, pattern, exact, slots, by = (
                first[alive],
                pattern[alive],
                exact[alive],
                slots[alive],
                by[alive],
            )
        return Found(first, first + self.length[pattern] - 1, pattern, by)

    def _first_words(self, tokens: TokenKeys) -> tuple[np.ndarray, np.ndarray]:
        """Each (token, pattern) whose first word the token matches (a casefolded key begins
        only patterns of terms, a key as written only those of names)."""
        import numpy as np

        found = [
            self.folded.pairs(tokens.folded_form),
            self.folded.pairs(tokens.folded_lemma),
            self.written.pairs(tokens.written),
        ]
        # a token whose form and lemma both begin a pattern pairs with it twice: the second
        # match has the same entry and span as the first, and is dropped with the other repeats
        first = np.concatenate([pair[0] for pair in found])
        pattern = np.concatenate([pair[1] for pair in found])
        return first, pattern

"""The bilingual glossary: terms and named entities, found in any text span.

Terms match through lemmas (simplemma), so ``der stellvertretenden Außenminister`` finds the
term *stellvertretender Außenminister*; entities match through their listed spellings,
initials included (``Sergej W. Lawrow``, ``M. Rubio``).  Where anything occurs is computed
from the corpus, never stored in the glossary files.
"""

from __future__ import annotations

import gc
import math
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import pairwise, repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..corpus import Corpus, Document, Paragraph
from ..corpus.columnar import distinct_words, joined_integers, word_chunks
from ..corpus.datafile import Fields, Record, load_yaml
from ..corpus.provenance import UNKNOWN, other_language
from ..corpus.segment import segment_paragraphs
from ..errors import GlossaryError
from .matching import Found, Matcher, Pattern, TokenKeys

if TYPE_CHECKING:
    import pandas as pd

    from ..corpus.cache import LayerCache
    from ..corpus.references import ReferenceTranslations
    from ..display import Rendered

__all__ = [
    "ENTITY_TYPES",
    "GENDERS",
    "PARTS_OF_SPEECH",
    "Entity",
    "Glossary",
    "Match",
    "MatchKind",
    "Term",
    "load_glossary",
]

PARTS_OF_SPEECH = ("noun", "verb", "adjective", "adverb", "phrase")
GENDERS = {"m": "masculine", "f": "feminine", "n": "neuter", "pl": "plural only"}
ENTITY_TYPES = {"person": "PER", "organisation": "ORG", "location": "LOC", "event": "EVENT"}
"""Entity types with the label common NER schemes (CoNLL, OntoNotes-style) give them."""
LANGUAGES = ("de", "en")


@dataclass(frozen=True, slots=True)
class Term:
    """A German–English term; ``de[0]`` and ``en[0]`` are the headwords."""

    id: str
    de: tuple[str, ...]
    en: tuple[str, ...]
    pos: str
    gender: str | None
    category: str
    note: str | None = None
    headword: str | None = None
    unless: tuple[str, ...] = ()
    line: int = field(default=0, compare=False, repr=False)

    kind = "term"

    def forms(self, language: str) -> tuple[str, ...]:
        return self.de if language == "de" else self.en

    def german_headword(self) -> str:
        """The German headword, with its article if it is a noun (``der Außenminister``); an
        adjectival noun gives its own (``der Sonderbeauftragte``, not *der Sonderbeauftragter*)."""
        if self.headword:
            return self.headword
        article = {"m": "der ", "f": "die ", "n": "das ", "pl": "die "}.get(self.gender or "", "")
        return f"{article}{self.de[0]}"

    def describe(self) -> str:
        """One line for a tooltip: the translation and the note."""
        text = f"{self.german_headword()} = {', '.join(self.en)} ({self.pos}, {self.category})"
        return f"{text}. {self.note}" if self.note else text


@dataclass(frozen=True, slots=True)
class Entity:
    """A named entity with every spelling of it that occurs in the corpus."""

    id: str
    type: str
    name: str
    role: str
    variants: tuple[str, ...]
    note: str | None = None
    line: int = field(default=0, compare=False, repr=False)

    kind = "entity"

    @property
    def label(self) -> str:
        return ENTITY_TYPES[self.type]

    def forms(self, language: str) -> tuple[str, ...]:
        return self.variants

    def describe(self) -> str:
        text = f"{self.name} ({self.type}): {self.role}"
        return f"{text}. {self.note}" if self.note else text


Entry = Term | Entity


class MatchKind(StrEnum):
    """How a match was found."""

    LEMMA = "lemma"
    """An inflected form, through its lemma."""
    FORM = "form"
    """A form as the glossary lists it."""
    SPELLING = "spelling"
    """One of an entity's spellings, exactly."""


class Match(NamedTuple):
    """One occurrence of a glossary entry: offsets into the document (or the given string).

    A named tuple, not a dataclass: a corpus has hundreds of thousands of matches, and a tuple
    is made in a seventh of the time."""

    entry: Entry
    start: int
    end: int
    text: str
    language: str
    doc_id: str | None
    section: str | None
    by: MatchKind

    @property
    def entry_id(self) -> str:
        return self.entry.id

    def __repr__(self) -> str:
        return (
            f"Match(entry_id={self.entry.id!r}, start={self.start}, end={self.end}, "
            f"text={self.text!r}, language={self.language!r}, doc_id={self.doc_id!r}, "
            f"section={self.section!r}, by={self.by!s})"
        )


class Glossary:
    """Terms and entities of one corpus, with lookup, tables and highlighting."""

    def __init__(self, corpus: Corpus, terms: Sequence[Term], entities: Sequence[Entity]):
        self.corpus = corpus
        self.terms = tuple(terms)
        self.entities = tuple(entities)
        self._matcher = Matcher(
            _patterns(self.entries, _analysed_forms(self.entries, corpus.cache))
        )
        self._by_document: dict[str, list[Match]] = {}  # every document's, found together

    @property
    def entries(self) -> tuple[Entry, ...]:
        return (*self.terms, *self.entities)

    def __repr__(self) -> str:
        return f"<Glossary: {len(self.terms)} terms, {len(self.entities)} entities>"

    def find(self, target: Any, *, language: str = "de", overlapping: bool = False) -> list[Match]:
        """Glossary matches in a document, a unit of one (section, paragraph, sentence) or a
        string, sorted by position.

        Args:
            target: a :class:`Document`, a unit with ``doc_id``/``start``/``end``, or text.
            language: the language of ``target`` when it is a string.
            overlapping: keep every match; by default the longest wins where matches overlap.
        """
        if isinstance(target, str):
            (found,) = self._locate([_string_tokens(target, language)]).by_text()
            return found if overlapping else _longest(found)
        doc_id = target.id if isinstance(target, Document) else target.doc_id
        found = self._document_matches(doc_id)
        if not isinstance(target, Document):
            found = _within(found, target.start, target.end)
        return found if overlapping else _longest(found)

    def _document_matches(self, doc_id: str) -> list[Match]:
        """The matches of one document: the first call finds those of every document at
        once, which costs little more than finding one's."""
        doc = self.corpus[doc_id]
        if not self._by_document:
            docs = list(self.corpus.values())
            located = self._locate([_document_tokens(d) for d in docs])
            with _made_long_lived():  # hundreds of thousands of tuples, kept
                self._by_document = dict(zip([d.id for d in docs], located.by_text(), strict=True))
        return self._by_document[doc.id]

    def _locate(self, texts: Sequence[_Text]) -> _Located:
        """Every match in ``texts``, sorted as :meth:`find` gives them, one per entry and span
        (a form before a lemma where both match)."""
        tokens = _joined_tokens(texts)
        keys = self._matcher.keys_of(
            tokens.forms, distinct_words(word_chunks([t.lemmas for t in texts]))
        )
        found = self._matcher.find(TokenKeys(tokens.text, tokens.language, *keys))
        return _Located(self, texts, found, tokens)

    def vocabulary(
        self, units: Iterable[Any], *, categories: Iterable[str] | None = None
    ) -> pd.DataFrame:
        """The terms (not the names) found in ``units``, in reading order: the words as
        written, the German headword, the English equivalents and the category.

        Args:
            units: paragraphs, sentences or sections.
            categories: keep only terms of these categories (e.g. ``["diplomacy"]``).
        """
        import pandas as pd

        wanted = set(categories) if categories is not None else None

        rows = [
            {
                "unit": unit.id,
                "as written": m.text,
                "German": m.entry.german_headword(),
                "English": ", ".join(m.entry.en),
                "category": m.entry.category,
            }
            for unit in units
            for m in self.find(unit)
            if isinstance(m.entry, Term) and (wanted is None or m.entry.category in wanted)
        ]
        return pd.DataFrame(rows, columns=["unit", "as written", "German", "English", "category"])

    def names(self, units: Iterable[Any], *, types: Iterable[str] = ("person",)) -> pd.DataFrame:
        """The named entities of these types found in ``units``, in reading order: the name as
        written, the entity it refers to and its role."""
        import pandas as pd

        wanted = set(types)
        rows = [
            {"unit": unit.id, "as written": m.text, "name": m.entry.name, "role": m.entry.role}
            for unit in units
            for m in self.find(unit)
            if isinstance(m.entry, Entity) and m.entry.type in wanted
        ]
        return pd.DataFrame(rows, columns=["unit", "as written", "name", "role"])

    def spellings(self, types: Iterable[str] = ("person",)) -> pd.DataFrame:
        """Each entity's spellings side by side across the texts of the corpus.

        Columns are the voices of the document (the German commentary, the US statement, the
        DeepL readout, the Reuters report ...), in the order they first speak.
        """
        import pandas as pd

        wanted = set(types)
        cells: dict[str, dict[str, list[str]]] = {}
        voices: list[str] = []
        for doc in self.corpus.values():
            for m in self.find(doc):
                if m.entry.kind != "entity" or m.entry.type not in wanted:
                    continue
                voice = doc.section(m.section).provenance.voice() if m.section else UNKNOWN
                if voice not in voices:
                    voices.append(voice)
                spelled = cells.setdefault(m.entry.id, {}).setdefault(voice, [])
                if m.text not in spelled:
                    spelled.append(m.text)
        rows = [
            {"entity": e.name, **{v: " · ".join(cells.get(e.id, {}).get(v, [])) for v in voices}}
            for e in self.entities
            if e.type in wanted and e.id in cells
        ]
        return pd.DataFrame(rows).set_index("entity")

    def highlight(
        self, unit: Any, *, only: Iterable[str] | None = None, legend: bool = True
    ) -> Rendered:
        """A section, paragraph or sentence as HTML with each match marked and explained in a
        tooltip.

        Args:
            unit: what to show.
            only: show only these term categories and entity types (e.g. ``["person"]``).
            legend: add the line that explains the colours.
        """
        from ..display import highlighted

        matches = self.find(unit)
        if only is not None:
            wanted = set(only)
            matches = [m for m in matches if _group(m.entry) in wanted]
        doc = self.corpus[unit.doc_id]
        return highlighted(doc.text, unit.start, unit.end, matches, legend=legend)

    def read(
        self,
        paragraphs: Iterable[Paragraph],
        references: ReferenceTranslations | None = None,
        *,
        only: Iterable[str] | None = None,
    ) -> Rendered:
        """Paragraphs for close reading: each with its glossary marks and, if ``references``
        are given, its reference translation beside it.

        Args:
            paragraphs: e.g. ``doc.paragraphs.covered_by(section.start, section.end)``.
            references: from :func:`~corpus_tools.reference_translations.load_references`.
            only: mark only these term categories and entity types.
        """
        from ..display import glossary_legend, parallel_reading

        rows, targets = [], set()
        for paragraph in paragraphs:
            target = other_language(paragraph.language)
            found = references.lookup(paragraph.text, target) if references else None
            targets.add(target)
            marked = self.highlight(paragraph, only=only, legend=False)
            rows.append((paragraph.id, marked, found.text if found else None))
        heading = f"reference translation ({', '.join(sorted(targets))})"
        return parallel_reading(rows, heading=heading, footer=glossary_legend())


def _group(entry: Entry) -> str:
    return entry.type if isinstance(entry, Entity) else entry.category


def _ruled_out(
    entries: Sequence[Entry], texts: Sequence[_Text], entry: Any, text: Any, start: Any
) -> Any:
    """Which matches begin one of the phrases their term is not meant for (``unless: [joined
    by]`` keeps *join* = *beitreten* off "was joined by"): looked at only for the matches of
    the few terms that have such phrases."""
    import numpy as np

    phrases = [tuple(p.casefold() for p in getattr(e, "unless", ())) for e in entries]
    longest = [max(map(len, these), default=0) for these in phrases]
    ruled_out = np.zeros(len(entry), dtype=bool)
    at = np.flatnonzero(np.asarray(longest, dtype=np.int64)[entry] > 0)
    if not len(at):
        return ruled_out
    sources = [t.source for t in texts]
    ruled_out[at] = [
        sources[number][begin : begin + longest[n]].casefold().startswith(phrases[n])
        for n, number, begin in zip(
            entry[at].tolist(), text[at].tolist(), start[at].tolist(), strict=True
        )
    ]
    return ruled_out


def _reading_order(text: Any, start: Any, end: Any, rank: Any) -> Any:
    """The order :meth:`Glossary.find` gives matches in: by text and start, the longer
    first, then by ``rank``; one stable sort of one number where the four fit in 63 bits."""
    import numpy as np

    if not len(text):
        return np.zeros(0, dtype=np.int64)
    shorter = (end - start).max() - (end - start)
    sizes = [int(column.max()) + 1 for column in (start, shorter, rank)]
    if (int(text.max()) + 1) * math.prod(sizes) >= 2**63:
        return np.lexsort((rank, shorter, start, text))
    return np.argsort(((text * sizes[0] + start) * sizes[1] + shorter) * sizes[2] + rank,
                      kind="stable")  # fmt: skip


def _longest(found: list[Match]) -> list[Match]:
    """Leftmost-longest matches that do not overlap (``found`` is sorted so that, at equal
    spans, entities come before terms and earlier entries before later ones)."""
    kept: list[Match] = []
    last_end = -1
    for match in found:
        if match.start >= last_end:
            kept.append(match)
            last_end = match.end
    return kept


def _within(found: list[Match], start: int, end: int) -> list[Match]:
    low = bisect_left(found, start, key=lambda m: m.start)
    return [m for m in found[low:] if m.start < end and m.end <= end]


Analyses = dict[tuple[str, str], tuple[list[str], list[str]]]
"""Per ``(language, form)``: the form's tokens and their lemmas."""


def _analysed_forms(entries: Iterable[Entry], cache: LayerCache | None) -> Analyses:
    """Tokens and lemmas of every form of ``entries``, from the corpus's cache when it holds
    them (so a notebook's first cell never starts SoMaJo and simplemma for an unchanged
    glossary)."""
    wanted = sorted(
        {
            (language, form)
            for entry in entries
            for language in LANGUAGES
            for form in entry.forms(language)
        }
    )

    def build() -> list[list[list[str]]]:
        analysed = []
        for language, form in wanted:
            layers = segment_paragraphs(form, [(0, len(form), language)])
            spans = zip(layers.token_start, layers.token_end, strict=True)
            analysed.append([[form[s:e] for s, e in spans], [w.casefold() for w in layers.lemma]])
        return analysed

    def check(payload: Any) -> list[list[list[str]]]:
        if not isinstance(payload, list) or len(payload) != len(wanted):
            raise ValueError("not one analysis per form")
        for texts, lemmas in payload:
            if not texts or len(texts) != len(lemmas):
                raise ValueError("a form without tokens, or tokens without lemmas")
            if not all(isinstance(word, str) for word in (*texts, *lemmas)):
                raise TypeError("tokens and lemmas must be strings")
        return payload

    analysed = build() if cache is None else cache.derived("glossary-forms", wanted, build, check)
    return {form: (texts, lemmas) for form, (texts, lemmas) in zip(wanted, analysed, strict=True)}


def _patterns(entries: Sequence[Entry], analyses: Analyses) -> list[Pattern]:
    """Every form of every entry in each language, as a pattern of words."""
    patterns = []
    for language_number, language in enumerate(LANGUAGES):
        for number, entry in enumerate(entries):
            exact = entry.kind == "entity"
            noun = getattr(entry, "pos", None) == "noun" and language == "en"
            for form in entry.forms(language):
                texts, lemmas = analyses[language, form]
                words = tuple(
                    frozenset({text} if exact else _word_keys(text.casefold(), lemma, noun))
                    for text, lemma in zip(texts, lemmas, strict=True)
                )
                patterns.append(Pattern(number, language_number, exact, words))
    return patterns


def _word_keys(form: str, lemma: str, english_noun: bool) -> set[str]:
    """What a word of a term matches: its form and its lemma.  An English noun whose lemma is
    another word (the lemmatiser takes *meeting* for a form of *meet*) matches its form and
    plural instead, so that *met* is not taken for a *meeting*."""
    if english_noun and lemma != form:
        return {form, f"{form}s"}
    return {form, lemma}


@dataclass(frozen=True, slots=True)
class _Text:
    """A text to match in: a document, or a string outside the corpus (no id, one section)."""

    source: str
    doc_id: str | None
    starts: Sequence[int]
    ends: Sequence[int]
    forms: Any
    lemmas: Any
    section_rows: Any
    languages: Sequence[str]
    """The language of each section."""
    section_ids: Sequence[str | None]


def _string_tokens(text: str, language: str) -> _Text:
    layers = segment_paragraphs(text, [(0, len(text), language)])
    count = len(layers.token_start)
    return _Text(
        text, None, layers.token_start, layers.token_end, layers.form, layers.lemma,
        [0] * count, [language], [None],
    )  # fmt: skip


def _document_tokens(doc: Document) -> _Text:
    columns = doc.tokens.columns
    return _Text(
        doc.text, doc.id, columns.array("start"), columns.array("end"), columns.array("form"),
        columns.array("lemma"), columns.array("section"),
        [spec.provenance.language for spec in doc.manifest.sections], doc.sections.column("id"),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Tokens:
    """The tokens of some texts, end to end, as arrays."""

    text: Any
    """Which text each token is in."""
    start: Any
    end: Any
    language: Any
    """The number of the token's language in ``LANGUAGES`` (-1 for another)."""
    section: Any
    """Where the token's section is in ``section_ids``."""
    section_ids: list[str | None]
    """The ids of every text's sections, one text after another."""
    forms: tuple[list[str], Any]
    """The distinct forms, and which is each token's."""


def _joined_tokens(texts: Sequence[_Text]) -> _Tokens:
    """The tokens of ``texts``, one text after another."""
    import numpy as np

    counts = np.asarray([len(text.starts) for text in texts], dtype=np.int64)
    number = np.repeat(np.arange(len(texts)), counts)
    numbered = {language: n for n, language in enumerate(LANGUAGES)}
    languages = [numbered.get(lang, -1) for text in texts for lang in text.languages]
    before = np.cumsum([0, *(len(text.languages) for text in texts)])[:-1]
    section = joined_integers([text.section_rows for text in texts]) + before[number]
    return _Tokens(
        number,
        joined_integers([text.starts for text in texts]),
        joined_integers([text.ends for text in texts]),
        np.asarray(languages, dtype=np.int64)[section],
        section,
        [section_id for text in texts for section_id in text.section_ids],
        distinct_words(word_chunks([text.forms for text in texts])),
    )


@contextmanager
def _made_long_lived() -> Iterator[None]:
    """Make many small objects that live as long as the glossary (its matches) without
    Python's cycle collector walking them while they are young: it is paused while they are
    made, and then they go straight to its oldest generation (``gc.freeze`` and ``unfreeze``),
    which (up to Python 3.13) only a full collection walks.  Left young, each would be walked
    twice more, which costs more than making it.  Other young objects move with them: a cycle
    among those is freed by the next full collection rather than an earlier one.  The
    collector is only paused where objects are frozen already (someone's own ``gc.freeze``)
    and where it has no generations (a build without the GIL)."""
    import sysconfig

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        if not gc.get_freeze_count() and not sysconfig.get_config_var("Py_GIL_DISABLED"):
            gc.freeze()
            gc.unfreeze()
    finally:
        if was_enabled:
            gc.enable()


_KINDS = (MatchKind.FORM, MatchKind.LEMMA, MatchKind.SPELLING)
"""By the numbers :mod:`.matching` gives them."""


class _Located:
    """The matches of some texts as arrays, sorted and made unique; :meth:`by_text` makes
    their :class:`Match` objects."""

    def __init__(self, glossary: Glossary, texts: Sequence[_Text], found: Found, tokens: _Tokens):
        import numpy as np

        entries = glossary.entries
        self._entries, self._texts, self._tokens = entries, texts, tokens
        entry = glossary._matcher.entry[found.pattern]
        kind = np.asarray([e.kind == "term" for e in entries], np.int64)[entry]  # names first
        start, end = tokens.start[found.first], tokens.end[found.last]
        text = tokens.text[found.first]
        # text and start, then the longer first, names first, by entry, a form before a lemma
        ranked = (kind * len(entries) + entry) * len(_KINDS) + found.by
        order = _reading_order(text, start, end, ranked)
        start, end, text, entry, by, first, last = (
            a[order] for a in (start, end, text, entry, found.by, found.first, found.last)
        )
        repeated = np.zeros(len(order), dtype=bool)
        repeated[1:] = (text[1:] == text[:-1]) & (entry[1:] == entry[:-1]) & (
            start[1:] == start[:-1]) & (end[1:] == end[:-1])  # fmt: skip
        keep = np.flatnonzero(~repeated)
        keep = keep[~_ruled_out(entries, texts, entry[keep], text[keep], start[keep])]
        self._start, self._end, self._text, self._entry, self._by, self._first, self._last = (
            a[keep] for a in (start, end, text, entry, by, first, last)
        )
        self._bounds = np.searchsorted(self._text, np.arange(len(texts) + 1)).tolist()

    def by_text(self) -> list[list[Match]]:
        """The matches of each text, in order (made column by column, for all texts at
        once: this runs for every match of a corpus)."""
        tokens, bounds = self._tokens, self._bounds
        start, end = _int_objects(self._start, self._end)
        columns = (
            _objects(self._entries)[self._entry].tolist(),
            start.tolist(),
            end.tolist(),
            self._written(start, end),
            _objects(LANGUAGES)[tokens.language[self._first]].tolist(),
            self._per_text([text.doc_id for text in self._texts]),
            _objects(tokens.section_ids)[tokens.section[self._first]].tolist(),
            _objects(_KINDS)[self._by].tolist(),
        )
        # tuple.__new__ makes each Match in C (``Match._make`` checks the length in Python)
        every = list(map(tuple.__new__, repeat(Match), zip(*columns, strict=True)))
        return [every[low:high] for low, high in pairwise(bounds)]

    def _written(self, start: Any, end: Any) -> list[str]:
        """Each match's text as written: for a match of one token its form (which is the
        token's text: one string for all its occurrences), else the text from its first
        token to its last (``start`` and ``end`` are the offsets as Python ints)."""
        import numpy as np

        words, at = self._tokens.forms
        written = _objects(words)[at[self._first]]
        longer = np.flatnonzero(self._first != self._last)
        sources = _objects([text.source for text in self._texts])[self._text[longer]]
        written[longer] = [
            source[low:high]
            for source, low, high in zip(
                sources.tolist(), start[longer].tolist(), end[longer].tolist(), strict=True
            )
        ]
        return written.tolist()

    def _per_text(self, values: Sequence[Any]) -> list[Any]:
        """``values[n]`` for each match of text ``n``."""
        import numpy as np

        return np.repeat(_objects(values), np.diff(self._bounds)).tolist()


def _objects(values: Sequence[Any]) -> Any:
    """A numpy array of Python objects, to pick from by arrays of numbers."""
    import numpy as np

    return np.fromiter(values, dtype=object, count=len(values))


def _int_objects(*columns: Any) -> list[Any]:
    """Integer columns as numpy arrays of Python ints.  Where the largest value is below the
    number of items (offsets into documents of a few pages, each found many times), each
    value is one int object for all its items, made and freed once."""
    import numpy as np

    items = sum(len(column) for column in columns)
    top = max((int(column.max()) for column in columns if len(column)), default=-1) + 1
    if top > items or any(int(column.min()) < 0 for column in columns if len(column)):
        return [column.astype(object) for column in columns]
    shared = _objects(range(top))
    return [shared[np.asarray(column, dtype=np.intp)] for column in columns]


_TERM_KEYS = {"id", "de", "en", "pos", "gender", "category", "note", "headword", "unless"}
_ENTITY_KEYS = {"id", "type", "name", "role", "variants", "note"}


def load_glossary(corpus: Corpus | None = None, folder: Path | str | None = None) -> Glossary:
    """Read and validate ``glossary/terms.yaml`` and ``glossary/entities.yaml``.

    Args:
        corpus: the corpus the glossary describes (default: :func:`load_corpus`).
        folder: the glossary folder (default: ``glossary/`` in the corpus folder).

    Raises:
        GlossaryError: a malformed, duplicate or empty entry, an unknown category, part of
            speech, gender or entity type, or an entity spelling that never occurs; the
            message names the file and line.
    """
    if corpus is None:
        from ..corpus import load_corpus

        corpus = load_corpus()
    folder = Path(folder) if folder is not None else corpus.root / "glossary"
    terms = _read_terms(folder / "terms.yaml")
    entities, variant_lines = _read_entities(folder / "entities.yaml")
    glossary = Glossary(corpus, terms, entities)
    _check_spellings_occur(glossary, folder / "entities.yaml", variant_lines)
    return glossary


def _read_terms(path: Path) -> list[Term]:
    data = Fields(load_yaml(path, what="glossary file"), path, "glossary file", GlossaryError)
    data.check_keys({"categories", "terms"})
    categories = data.record.get("categories")
    if not isinstance(categories, Record) or not categories:
        data.fail("categories", "'categories' should map each category to a description")
    terms: list[Term] = []
    seen: dict[Any, int] = {}
    for record in data.list("terms"):
        fields = Fields(record, path, "term", GlossaryError)
        fields.check_keys(_TERM_KEYS)
        pos = fields.choice("pos", dict.fromkeys(PARTS_OF_SPEECH))
        term = Term(
            id=fields.identifier("id"),
            de=_forms(fields, "de"),
            en=_forms(fields, "en"),
            pos=pos,
            gender=_gender(fields, pos),
            category=fields.choice("category", categories),
            note=fields.optional("note", str),
            headword=fields.optional("headword", str),
            unless=_forms(fields, "unless") if "unless" in record else (),
            line=record.line,
        )
        for key in (term.id, (term.de[0], term.en[0])):
            if key in seen:
                fields.fail(
                    "id", f"term {term.id!r} repeats the entry on line {seen[key]}; merge them"
                )
            seen[key] = record.line
        terms.append(term)
    return terms


def _read_entities(path: Path) -> tuple[list[Entity], dict[str, int]]:
    data = Fields(load_yaml(path, what="glossary file"), path, "glossary file", GlossaryError)
    data.check_keys({"entities"})
    entities: list[Entity] = []
    ids: dict[str, int] = {}
    spellings: dict[str, str] = {}
    variant_lines: dict[str, int] = {}
    for record in data.list("entities"):
        fields = Fields(record, path, "entity", GlossaryError)
        fields.check_keys(_ENTITY_KEYS)
        entity = Entity(
            id=fields.identifier("id"),
            type=fields.choice("type", ENTITY_TYPES),
            name=fields.string("name"),
            role=fields.string("role"),
            variants=_forms(fields, "variants"),
            note=fields.optional("note", str),
            line=record.line,
        )
        if entity.id in ids:
            fields.fail("id", f"entity {entity.id!r} repeats the entry on line {ids[entity.id]}")
        ids[entity.id] = record.line
        for variant in entity.variants:
            if variant in spellings:
                fields.fail(
                    "variants",
                    f"spelling {variant!r} is claimed by {spellings[variant]!r} and {entity.id!r}; "
                    "a spelling must name one entity",
                )
            spellings[variant] = entity.id
        variant_lines[entity.id] = record.line_of("variants")
        entities.append(entity)
    return entities, variant_lines


def _forms(fields: Fields, key: str) -> tuple[str, ...]:
    value = fields.record.get(key)
    forms = [value] if isinstance(value, str) else value
    if not isinstance(forms, list) or not forms:
        fields.fail(key, f"{key!r} should be a form or a list of forms")
    cleaned = []
    for form in forms:
        if not isinstance(form, str) or not form.strip() or form != form.strip():
            fields.fail(key, f"{key!r} has an empty form or one with surrounding spaces: {form!r}")
        if form in cleaned:
            fields.fail(key, f"{key!r} lists {form!r} twice")
        cleaned.append(form)
    return tuple(cleaned)


def _gender(fields: Fields, pos: str) -> str | None:
    gender = fields.optional("gender", str)
    if pos == "noun" and gender not in GENDERS:
        fields.fail("gender", f"a German noun needs a gender: one of {', '.join(GENDERS)}")
    if pos != "noun" and gender is not None:
        fields.fail("gender", f"only nouns have a gender, and this term is a {pos}")
    return gender


def _check_spellings_occur(glossary: Glossary, path: Path, lines: dict[str, int]) -> None:
    found = {
        (m.entry.id, m.text)
        for doc in glossary.corpus.values()
        for m in glossary.find(doc, overlapping=True)
        if m.entry.kind == "entity"
    }
    for entity in glossary.entities:
        for variant in entity.variants:
            if (entity.id, variant) not in found:
                raise GlossaryError(
                    f"spelling {variant!r} of {entity.id!r} never occurs in the corpus; "
                    "correct it or remove it (only spellings found in the texts are listed)",
                    path=path,
                    line=lines[entity.id],
                )

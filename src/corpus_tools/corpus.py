"""The corpus as standoff layers: documents, sections, paragraphs, sentences and tokens.

Every unit is a view into one immutable string, half-open like a Python slice, so
``unit.text == doc.text[unit.start:unit.end]`` always holds; nothing is copied or
normalised.  Layers are stored as columns and make unit objects only when asked, so a
million tokens cost lists of integers, not a million objects.
"""

from __future__ import annotations

import os
import warnings
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from .cache import DiskCache, check_layers, layer_key, manifest_key
from .errors import CacheError, CorpusError
from .manifest import DocumentManifest, read_manifest
from .provenance import Provenance
from .segment import (
    ParagraphSpan,
    Segmentation,
    find_duplicates,
    paragraph_spans,
    segment_paragraphs,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Corpus",
    "Document",
    "Layer",
    "Paragraph",
    "Section",
    "Sentence",
    "Token",
    "find_corpus_root",
    "load_corpus",
]


class _Span:
    """Shared behaviour of every unit: its text is a slice of the document's text."""

    __slots__ = ()
    source: str
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.source[self.start : self.end]


@dataclass(frozen=True, slots=True)
class Section(_Span):
    """A part of a document with one provenance; nested sections have a ``parent``."""

    index: int
    id: str
    start: int
    end: int
    depth: int
    parent: str | None
    provenance: Provenance
    doc_id: str = field(repr=False)
    source: str = field(repr=False, compare=False)

    @property
    def kind(self) -> str:
        return self.provenance.kind

    @property
    def language(self) -> str:
        return self.provenance.language


class _InSection(_Span):
    __slots__ = ()
    section: Section

    @property
    def language(self) -> str:
        return self.section.provenance.language

    @property
    def provenance(self) -> Provenance:
        return self.section.provenance


@dataclass(frozen=True, slots=True)
class Paragraph(_InSection):
    """A paragraph; ``duplicate_of`` is the id of an identical earlier paragraph."""

    index: int
    start: int
    end: int
    section: Section = field(repr=False)
    duplicate_of: str | None
    doc_id: str = field(repr=False)
    source: str = field(repr=False, compare=False)

    @property
    def id(self) -> str:
        return f"p{self.index + 1}"


@dataclass(frozen=True, slots=True)
class Sentence(_InSection):
    """A sentence (SoMaJo); it never crosses a paragraph."""

    index: int
    start: int
    end: int
    paragraph: int
    section: Section = field(repr=False)
    doc_id: str = field(repr=False)
    source: str = field(repr=False, compare=False)

    @property
    def id(self) -> str:
        return f"s{self.index + 1}"


@dataclass(frozen=True, slots=True)
class Token(_InSection):
    """A token (SoMaJo) with its simplemma lemma and SoMaJo token class."""

    index: int
    start: int
    end: int
    sentence: int
    lemma: str
    token_class: str
    section: Section = field(repr=False)
    doc_id: str = field(repr=False)
    source: str = field(repr=False, compare=False)

    @property
    def id(self) -> str:
        return f"t{self.index + 1}"


U = TypeVar("U", Section, Paragraph, Sentence, Token)


class Layer(Sequence[U], Generic[U]):
    """An ordered, immutable layer of units over one document, stored as columns.

    Units are sorted by ``start``.  Indexing makes a unit object; :meth:`to_frame` makes a
    pandas DataFrame straight from the columns.
    """

    __slots__ = ("_columns", "_doc", "_make", "_rows", "name")

    def __init__(
        self,
        name: str,
        doc: Document,
        columns: Mapping[str, Sequence[Any]],
        make: Callable[[Document, int], U],
        rows: Sequence[int] | None = None,
    ):
        self.name = name
        self._doc = doc
        self._columns = columns
        self._make = make
        self._rows = range(len(columns["start"])) if rows is None else rows

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, position: int) -> U: ...
    @overload
    def __getitem__(self, position: str) -> U: ...
    @overload
    def __getitem__(self, position: slice) -> Layer[U]: ...
    def __getitem__(self, position: int | str | slice) -> U | Layer[U]:
        """A unit by position (``[0]``), by id (``["p14"]``, ``["s21"]``), or a slice of them.

        Raises:
            CorpusError: no unit of the layer has this id.
        """
        if isinstance(position, str):
            return self._make(self._doc, self._row_of(position))
        if isinstance(position, slice):
            return self._subset(self._rows[position])
        return self._make(self._doc, self._rows[position])

    def _row_of(self, unit_id: str) -> int:
        if self.name == "sections":
            ids = self._columns["id"]
            row = ids.index(unit_id) if unit_id in ids else -1
        else:  # paragraphs p1, p2, ...; sentences s1, ...; tokens t1, ...
            prefix, number = unit_id[:1], unit_id[1:]
            row = int(number) - 1 if prefix == self.name[0] and number.isdecimal() else -1
        if 0 <= row < len(self._columns["start"]) and row in self._rows:
            return row
        known = "none here"
        if self._rows:
            first, last = (self._make(self._doc, self._rows[i]).id for i in (0, -1))
            known = f"ids run from {first} to {last}"
        raise CorpusError(f"the {self.name} of {self._doc.id!r} have no {unit_id!r}; {known}")

    def __iter__(self) -> Iterator[U]:
        make, doc = self._make, self._doc
        return (make(doc, row) for row in self._rows)

    def __repr__(self) -> str:
        return f"<Layer {self.name} of {self._doc.id!r}: {len(self)} units>"

    def _subset(self, rows: Sequence[int]) -> Layer[U]:
        return Layer(self.name, self._doc, self._columns, self._make, rows)

    def column(self, name: str) -> Sequence[Any]:
        """One column (``start``, ``end``, ``section``, ``lemma``, ...) of the document's whole
        layer, indexed by row, without making unit objects: for tools that run over millions
        of units.  A filtered layer shares its document's columns; the row of a unit is its
        position in the whole layer.

        Raises:
            KeyError: the layer has no such column.
        """
        return self._columns[name]

    def covered_by(self, start: int, end: int) -> Layer[U]:
        """Units that lie entirely within ``[start, end)`` (found by bisection)."""
        starts = self._columns["start"]
        ends = self._columns["end"]
        rows = self._rows
        low = bisect_left(rows, start, key=starts.__getitem__)
        high = bisect_left(rows, end, key=starts.__getitem__)
        return self._subset([row for row in rows[low:high] if ends[row] <= end])

    def at(self, offset: int) -> U | None:
        """The innermost unit that contains the character at ``offset``, if any."""
        starts, ends = self._columns["start"], self._columns["end"]
        position = bisect_left(self._rows, offset + 1, key=starts.__getitem__)
        # Only sections nest; in every other layer the nearest unit is the only candidate.
        candidates = (
            self._rows[:position] if self.name == "sections" else self._rows[:position][-1:]
        )
        for row in reversed(candidates):
            if ends[row] > offset:
                return self._make(self._doc, row)
        return None

    def filter(self, keep: Callable[[U], bool]) -> Layer[U]:
        """The units for which ``keep(unit)`` is true, as a layer."""
        return self._subset([row for row in self._rows if keep(self._make(self._doc, row))])

    def to_frame(self) -> pd.DataFrame:
        """One row per unit: ids, offsets, text, the layer's own columns and provenance."""
        return _frame([self])

    def _plain_columns(self) -> tuple[dict[str, list[Any]], list[int]]:
        """The frame's columns as lists, and each row's section index (for provenance)."""
        rows = list(self._rows)
        columns = {name: [values[row] for row in rows] for name, values in self._columns.items()}
        starts, ends = columns.pop("start"), columns.pop("end")
        if self.name == "sections":
            ids, section_rows = columns.pop("id"), rows
            del columns["provenance"]
        else:
            ids, section_rows = [f"{self.name[0]}{row + 1}" for row in rows], columns.pop("section")
        text = self._doc.text
        plain = {
            "doc": [self._doc.id] * len(rows),
            "id": ids,
            "start": starts,
            "end": ends,
            "text": [text[s:e] for s, e in zip(starts, ends, strict=True)],
            **{name: _as_ids(name, values) for name, values in columns.items()},
        }
        return plain, section_rows


def _frame(layers: Sequence[Layer[Any]]) -> pd.DataFrame:
    """One DataFrame of layers of one kind, from any number of documents, built in one go."""
    import pandas as pd

    columns: dict[str, list[Any]] = {}
    provenance: list[dict[str, object]] = []
    section_rows: list[int] = []
    for layer in layers:
        plain, rows = layer._plain_columns()
        for name, values in plain.items():
            columns.setdefault(name, []).extend(values)
        offset = len(provenance)
        provenance.extend(layer._doc._provenance_rows())
        section_rows.extend(offset + row for row in rows)
    joined = pd.DataFrame(provenance).take(section_rows).reset_index(drop=True)
    if layers[0].name == "sections":
        joined = joined.drop(columns="section")
    return pd.concat([pd.DataFrame(columns), joined], axis=1)


def _as_ids(column: str, values: list[Any]) -> list[Any]:
    """Show links to other units by id (``p3``, ``s12``) rather than by index."""
    prefix = {"paragraph": "p", "sentence": "s"}.get(column)
    if prefix is None:
        return values
    return [None if value is None else f"{prefix}{value + 1}" for value in values]


class Document:
    """One source text with its manifest and its layers."""

    def __init__(
        self, manifest: DocumentManifest, paragraphs: list[ParagraphSpan], layers: Segmentation
    ):
        self.manifest = manifest
        self.id = manifest.id
        self.title = manifest.title
        self.text = manifest.text
        self.language = manifest.language
        self.sections: Layer[Section] = Layer(
            "sections", self, _section_columns(manifest), _section
        )
        self.paragraphs: Layer[Paragraph] = Layer(
            "paragraphs",
            self,
            {
                "start": [p.start for p in paragraphs],
                "end": [p.end for p in paragraphs],
                "section": [p.section for p in paragraphs],
                "duplicate_of": [
                    None if first is None else f"p{first + 1}"
                    for first in find_duplicates(self.text, paragraphs)
                ],
            },
            _paragraph,
        )
        paragraph_section = self.paragraphs._columns["section"]
        sentence_section = [paragraph_section[p] for p in layers.sentence_paragraph]
        self.sentences: Layer[Sentence] = Layer(
            "sentences",
            self,
            {
                "start": layers.sentence_start,
                "end": layers.sentence_end,
                "paragraph": layers.sentence_paragraph,
                "section": sentence_section,
            },
            _sentence,
        )
        self.tokens: Layer[Token] = Layer(
            "tokens",
            self,
            {
                "start": layers.token_start,
                "end": layers.token_end,
                "sentence": layers.token_sentence,
                "lemma": layers.lemma,
                "token_class": layers.token_class,
                "section": [sentence_section[s] for s in layers.token_sentence],
            },
            _token,
        )

    def _provenance_rows(self) -> list[dict[str, object]]:
        """Provenance columns of every section, in section order (joined into unit frames)."""
        return [{"section": s.id, **s.provenance.as_row()} for s in self.manifest.sections]

    def __repr__(self) -> str:
        return (
            f"<Document {self.id!r}: {len(self.text):,} characters, {len(self.sections)} "
            f"sections, {len(self.paragraphs)} paragraphs, {len(self.sentences)} sentences, "
            f"{len(self.tokens):,} tokens>"
        )

    def outline(self) -> pd.DataFrame:
        """The sections without separators (nested ones marked ``·``): who speaks, in which
        language, original or translation, and how much text."""
        import pandas as pd

        rows = [
            {
                "section": "· " * section.depth + section.id,
                "kind": section.kind,
                "language": section.language,
                "origin": section.provenance.origin_text(),
                "original or translation": _original_or_translation(section.provenance),
                "characters": section.end - section.start,
                "sentences": len(self.sentences.covered_by(section.start, section.end)),
            }
            for section in self.sections
            if section.kind != "separator"
        ]
        return pd.DataFrame(rows)

    def section(self, section_id: str) -> Section:
        """The section with this id.

        Raises:
            CorpusError: no such section (the message lists the ids).
        """
        for section in self.sections:
            if section.id == section_id:
                return section
        known = ", ".join(s.id for s in self.sections if s.kind != "separator")
        raise CorpusError(f"document {self.id!r} has no section {section_id!r}; known: {known}")

    def paragraphs_in(self, *section_ids: str) -> list[Paragraph]:
        """The paragraphs of these sections, in document order.

        Raises:
            CorpusError: a section id that does not exist.
        """
        spans = [self.section(section_id) for section_id in section_ids]
        chosen = {p.index: p for s in spans for p in self.paragraphs.covered_by(s.start, s.end)}
        return [chosen[index] for index in sorted(chosen)]


def _original_or_translation(provenance: Provenance) -> str:
    chain = provenance.translation
    if chain is None:
        return "original"
    return f"translation from {chain.from_language} by {chain.engine}"


def _section_columns(manifest: DocumentManifest) -> dict[str, list[Any]]:
    specs = manifest.sections
    return {
        "id": [s.id for s in specs],
        "start": [s.start for s in specs],
        "end": [s.end for s in specs],
        "depth": [s.depth for s in specs],
        "parent": [s.parent for s in specs],
        "provenance": [s.provenance for s in specs],
    }


def _paragraphs(manifest: DocumentManifest) -> list[ParagraphSpan]:
    top_level = [
        (spec.start, spec.end, index)
        for index, spec in enumerate(manifest.sections)
        if spec.depth == 0 and spec.provenance.kind != "separator"
    ]
    return paragraph_spans(manifest.text, top_level, manifest.paragraph_mode)


def _section(doc: Document, row: int) -> Section:
    c = doc.sections._columns
    return Section(
        row, c["id"][row], c["start"][row], c["end"][row], c["depth"][row], c["parent"][row],
        c["provenance"][row], doc.id, doc.text,
    )  # fmt: skip


def _paragraph(doc: Document, row: int) -> Paragraph:
    c = doc.paragraphs._columns
    return Paragraph(
        row, c["start"][row], c["end"][row], doc.sections[c["section"][row]],
        c["duplicate_of"][row], doc.id, doc.text,
    )  # fmt: skip


def _sentence(doc: Document, row: int) -> Sentence:
    c = doc.sentences._columns
    return Sentence(
        row, c["start"][row], c["end"][row], c["paragraph"][row],
        doc.sections[c["section"][row]], doc.id, doc.text,
    )  # fmt: skip


def _token(doc: Document, row: int) -> Token:
    c = doc.tokens._columns
    return Token(
        row, c["start"][row], c["end"][row], c["sentence"][row], c["lemma"][row],
        c["token_class"][row], doc.sections[c["section"][row]], doc.id, doc.text,
    )  # fmt: skip


class Corpus(Mapping[str, Document]):
    """The documents of one corpus folder, by id, in id order."""

    def __init__(self, root: Path, documents: Sequence[Document]):
        self.root = root
        self._documents = {doc.id: doc for doc in documents}

    def __getitem__(self, doc_id: str) -> Document:
        try:
            return self._documents[doc_id]
        except KeyError:
            known = ", ".join(self._documents)
            raise KeyError(f"no document {doc_id!r} in {self.root}; known: {known}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._documents)

    def __len__(self) -> int:
        return len(self._documents)

    def __repr__(self) -> str:
        tokens = sum(len(doc.tokens) for doc in self._documents.values())
        return f"<Corpus {self.root.name}/: {len(self)} documents, {tokens:,} tokens>"

    def frame(self, layer: str) -> pd.DataFrame:
        """One layer (``"sections"``, ``"paragraphs"``, ``"sentences"``, ``"tokens"``) of all
        documents as one DataFrame."""

        if layer not in {"sections", "paragraphs", "sentences", "tokens"}:
            raise CorpusError(
                f"unknown layer {layer!r}; expected sections, paragraphs, sentences or tokens"
            )
        return _frame([getattr(doc, layer) for doc in self._documents.values()])


def find_corpus_root(start: Path | None = None) -> Path:
    """The corpus folder: ``$CORPUS_TOOLS_ROOT``, else the nearest ``corpus/`` above ``start``
    (default: the working directory), else the one beside this package's source tree.

    Raises:
        CorpusError: none of these holds a ``documents`` folder.
    """
    if env := os.environ.get("CORPUS_TOOLS_ROOT"):
        return Path(env)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "corpus" / "documents").is_dir():
            return folder / "corpus"
    beside = Path(__file__).resolve().parents[2] / "corpus"
    if (beside / "documents").is_dir():
        return beside
    raise CorpusError(
        f"no corpus/ folder with documents/ found above {here}; pass the path to load_corpus() "
        "or set CORPUS_TOOLS_ROOT"
    )


def load_corpus(
    root: Path | str | None = None,
    *,
    cache_dir: Path | str | None = None,
    workers: int | None = None,
    progress: bool | None = None,
) -> Corpus:
    """Load and validate every document under ``root/documents``.

    Args:
        root: the corpus folder (see :func:`find_corpus_root` for the default).
        cache_dir: where derived layers are cached (default ``root/.cache``,
            or ``$CORPUS_TOOLS_CACHE``).
        workers: processes for building missing layers (default: every core).
        progress: show a progress bar while building (default: when more than one
            document needs building).

    Raises:
        CorpusError: any file of the corpus is malformed; the message names file and line.
    """
    root = Path(root) if root is not None else find_corpus_root()
    paths = sorted((root / "documents").glob("*.yaml"))
    if not paths:
        raise CorpusError(
            f"no document files (*.yaml) in {root / 'documents'}; add one as corpus/README.md shows"
        )
    cache = DiskCache(Path(cache_dir or os.environ.get("CORPUS_TOOLS_CACHE") or root / ".cache"))
    plans = [_plan(_manifest(path, root / "sources", cache)) for path in paths]
    layers = {plan.manifest.id: found for plan in plans if (found := _cached_layers(plan, cache))}
    missing = [plan for plan in plans if plan.manifest.id not in layers]
    layers.update(_build(missing, workers=workers, progress=progress))
    for plan in missing:
        _store(cache, f"{plan.manifest.id}.layers", plan.key, layers[plan.manifest.id].as_json())
    return Corpus(root, [Document(p.manifest, p.paragraphs, layers[p.manifest.id]) for p in plans])


def _manifest(path: Path, sources_dir: Path, cache: DiskCache) -> DocumentManifest:
    """The validated manifest: from the cache if the file and its source are unchanged."""
    name, key = f"{path.stem}.manifest", manifest_key(path.read_bytes())
    try:
        payload = cache.load(name, key)
        cached = payload and DocumentManifest.from_json(payload, path, sources_dir)
    except (CacheError, KeyError, TypeError, ValueError) as exc:
        warnings.warn(f"{cache.path(name)}: ignoring the cached manifest ({exc})", stacklevel=4)
        cached = None
    if cached:
        return cached
    manifest = read_manifest(path, sources_dir)
    _store(cache, name, key, manifest.to_json())
    return manifest


@dataclass(frozen=True, slots=True)
class _Plan:
    """What a document's derived layers are computed from, and their cache key."""

    manifest: DocumentManifest
    paragraphs: list[ParagraphSpan]
    segments: list[tuple[int, int, str]]
    key: str


def _plan(manifest: DocumentManifest) -> _Plan:
    paragraphs = _paragraphs(manifest)
    languages = [spec.provenance.language for spec in manifest.sections]
    segments = [(p.start, p.end, languages[p.section]) for p in paragraphs]
    return _Plan(manifest, paragraphs, segments, layer_key(manifest.text, segments))


def _cached_layers(plan: _Plan, cache: DiskCache) -> Segmentation | None:
    name = f"{plan.manifest.id}.layers"
    try:
        payload = cache.load(name, plan.key)
        if payload is None:
            return None
        return check_layers(
            payload,
            text_length=len(plan.manifest.text),
            paragraph_count=len(plan.paragraphs),
            path=cache.path(name),
        )
    except CacheError as exc:
        warnings.warn(str(exc), stacklevel=4)
        return None


def _store(cache: DiskCache, name: str, key: str, payload: Any) -> None:
    try:
        cache.store(name, key, payload)
    except CacheError as exc:
        warnings.warn(str(exc), stacklevel=4)


def _segment(plan: _Plan) -> tuple[str, Segmentation]:
    return plan.manifest.id, segment_paragraphs(plan.manifest.text, plan.segments)


def _build(
    plans: list[_Plan], *, workers: int | None, progress: bool | None
) -> dict[str, Segmentation]:
    """Segment documents, in parallel processes when there are several."""
    if not plans:
        return {}
    workers = min(workers or os.cpu_count() or 1, len(plans))
    show = len(plans) > 1 if progress is None else progress
    if workers == 1:
        return dict(_with_progress(map(_segment, plans), len(plans), show))
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        chunks = max(1, len(plans) // (workers * 8))
        return dict(_with_progress(pool.map(_segment, plans, chunksize=chunks), len(plans), show))


def _with_progress(results: Iterator[Any], total: int, show: bool) -> Iterator[Any]:
    if not show:
        return results
    from tqdm.auto import tqdm

    return tqdm(results, total=total, desc="segmenting", unit="doc")

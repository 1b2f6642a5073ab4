"""Documents and the corpus: one source text with its manifest and layers, and all of them by id.

The model only: reading the files and caching what is derived from them is
:mod:`corpus_tools.corpus.load`'s job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CorpusError, DocumentSpecError
from .cache import LayerCache
from .frames import frame
from .layers import Layer
from .manifest import DocumentManifest
from .provenance import SEPARATOR
from .segment import ParagraphSpan, Segmentation, find_duplicates
from .units import Paragraph, Section, Sentence, Token

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LAYER_NAMES", "Corpus", "Document"]

LAYER_NAMES = ("sections", "paragraphs", "sentences", "tokens")


class Document:
    """One source text with its manifest and its four layers."""

    def __init__(
        self,
        manifest: DocumentManifest,
        paragraphs: Sequence[ParagraphSpan],
        layers: Segmentation | Callable[[], Segmentation],
    ):
        """``layers`` may be a function that makes them: it is called when the sentences or
        tokens are first asked for."""
        self.manifest = manifest
        self.id = manifest.id
        self.title = manifest.title
        self.text = manifest.text
        self.language = manifest.language
        self._layers = layers
        self.sections: Layer[Section] = Layer(
            "sections", self, _section_columns(manifest), _section, id_prefix=None, nested=True,
            links={"parent": "sections"},
        )  # fmt: skip
        self._paragraph_section = [p.section for p in paragraphs]
        self.paragraphs: Layer[Paragraph] = Layer(
            "paragraphs",
            self,
            {
                "start": [p.start for p in paragraphs],
                "end": [p.end for p in paragraphs],
                "section": self._paragraph_section,
                "duplicate_of": find_duplicates(self.text, paragraphs),
            },
            _paragraph,
            id_prefix="p",
            links={"duplicate_of": "paragraphs"},
            ids=_recorded_ids(manifest, "paragraphs", len(paragraphs)),
        )

    def _segmentation(self) -> Segmentation:
        if callable(self._layers):
            self._layers = self._layers()
        return self._layers

    @cached_property
    def _sentence_section(self) -> Callable[[], Any]:
        return _lazy_take(self._paragraph_section, self._segmentation().sentence_paragraph)

    @cached_property
    def sentences(self) -> Layer[Sentence]:
        layers = self._segmentation()
        return Layer(
            "sentences",
            self,
            {
                "start": layers.sentence_start,
                "end": layers.sentence_end,
                "paragraph": layers.sentence_paragraph,
                "section": self._sentence_section,
            },
            _sentence,
            id_prefix="s",
            links={"paragraph": "paragraphs"},
            ids=_recorded_ids(self.manifest, "sentences", len(layers.sentence_start)),
        )

    @cached_property
    def tokens(self) -> Layer[Token]:
        layers = self._segmentation()
        return Layer(
            "tokens",
            self,
            {
                "start": layers.token_start,
                "end": layers.token_end,
                "sentence": layers.token_sentence,
                "lemma": layers.lemma,
                "token_class": layers.token_class,
                "form": layers.form,
                "section": _lazy_take(self._sentence_section, layers.token_sentence),
            },
            _token,
            id_prefix="t",
            links={"sentence": "sentences"},
        )

    def provenance_rows(self) -> list[dict[str, object]]:
        """Provenance columns of every section, in section order (joined into unit frames)."""
        return [{"section": s.id, **s.provenance.as_row()} for s in self.manifest.sections]

    def __repr__(self) -> str:
        return (
            f"<Document {self.id!r}: {len(self.text):,} characters, {len(self.sections)} "
            f"sections, {len(self.paragraphs)} paragraphs, {len(self.sentences)} sentences, "
            f"{len(self.tokens):,} tokens>"
        )

    @property
    def parts(self) -> Layer[Section]:
        """The top-level sections that hold text (every section but separators and nested
        ones), in document order."""
        return self.sections.filter(lambda s: s.depth == 0 and s.kind != SEPARATOR)

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
                "original or translation": section.provenance.original_or_translation(),
                "characters": section.end - section.start,
                "sentences": len(self.sentences.covered_by(section.start, section.end)),
            }
            for section in self.sections
            if section.kind != SEPARATOR
        ]
        return pd.DataFrame(rows)

    def section(self, section_id: str) -> Section:
        """The section with this id.

        Raises:
            CorpusError: no such section (the message lists the ids).
        """
        try:
            return self.sections[section_id]
        except CorpusError:
            known = ", ".join(s.id for s in self.sections if s.kind != SEPARATOR)
            raise CorpusError(
                f"document {self.id!r} has no section {section_id!r}; known: {known}"
            ) from None

    def paragraphs_in(self, *section_ids: str) -> list[Paragraph]:
        """The paragraphs of these sections, in document order.

        Raises:
            CorpusError: a section id that does not exist.
        """
        spans = [self.section(section_id) for section_id in section_ids]
        chosen = {p.index: p for s in spans for p in self.paragraphs.covered_by(s.start, s.end)}
        return [chosen[index] for index in sorted(chosen)]


def _recorded_ids(manifest: DocumentManifest, layer: str, count: int) -> Sequence[str] | None:
    """The ids the document file records for a layer (None: numbered from 1), one per unit.

    Raises:
        DocumentSpecError: the file records more or fewer ids than there are units.
    """
    ids = manifest.ids_of(layer)
    if ids is not None and len(ids) != count:
        raise DocumentSpecError(
            f"unit_ids gives {len(ids)} ids of {layer}, but the document has {count}; the ids "
            "are written by corpus-tools update: restore them, or run the update again",
            path=manifest.path,
            line=manifest.unit_ids_line,
        )
    return ids


def _lazy_take(values: Any, rows: Sequence[int]) -> Callable[[], Any]:
    """A column computed when first asked for: ``values[row]`` for each row (``values`` is a
    list or another such function)."""

    taken: list[Any] = []

    def take() -> Any:
        if not taken:
            import numpy as np

            given = np.asarray(values() if callable(values) else values)
            taken.append(given[np.asarray(rows, dtype=np.intp)])
        return taken[0]

    return take


def _section_columns(manifest: DocumentManifest) -> dict[str, list[Any]]:
    specs = manifest.sections
    row_of = {s.id: row for row, s in enumerate(specs)}
    return {
        "id": [s.id for s in specs],
        "start": [s.start for s in specs],
        "end": [s.end for s in specs],
        "depth": [s.depth for s in specs],
        "parent": [None if s.parent is None else row_of[s.parent] for s in specs],
        "provenance": [s.provenance for s in specs],
    }


def _section(doc: Document, row: int) -> Section:
    c = doc.sections.column
    return Section(
        row, c("id")[row], c("start")[row], c("end")[row], c("depth")[row],
        c("provenance")[row], doc, c("parent")[row],
    )  # fmt: skip


def _paragraph(doc: Document, row: int) -> Paragraph:
    c = doc.paragraphs.column
    return Paragraph(
        row, c("start")[row], c("end")[row], doc, c("section")[row], c("duplicate_of")[row]
    )


def _sentence(doc: Document, row: int) -> Sentence:
    c = doc.sentences.column
    return Sentence(
        row, c("start")[row], c("end")[row], doc, c("section")[row], c("paragraph")[row]
    )


def _token(doc: Document, row: int) -> Token:
    c = doc.tokens.column
    return Token(
        row, c("start")[row], c("end")[row], doc, c("section")[row], c("sentence")[row],
        c("lemma")[row], c("token_class")[row],
    )  # fmt: skip


class Corpus(Mapping[str, Document]):
    """The documents of one corpus folder, by id, in id order.

    Args:
        cache: where tools keep what they derive from this corpus (None: keep nothing).
    """

    def __init__(
        self, root: Path, documents: Sequence[Document], *, cache: LayerCache | None = None
    ):
        self.root = root
        self.cache = cache
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
        documents as one DataFrame.

        Raises:
            CorpusError: no layer has this name.
        """
        if layer not in LAYER_NAMES:
            raise CorpusError(f"unknown layer {layer!r}; expected one of {', '.join(LAYER_NAMES)}")
        return frame([getattr(doc, layer) for doc in self._documents.values()])

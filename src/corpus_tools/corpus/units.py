"""The units of a document: sections, paragraphs, sentences and tokens.

Every unit is a view into its document's one immutable text, half-open like a Python slice,
so ``unit.text == unit.doc.text[unit.start:unit.end]`` always holds.  A unit links to the
units around it by object (``token.sentence.paragraph.section``); each link is looked up in
the document's layers when it is asked for, so making a unit costs a few integers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .provenance import Provenance

if TYPE_CHECKING:
    from .document import Document

__all__ = ["Paragraph", "Section", "Sentence", "Token"]


class _Span:
    """What every unit has: a document, offsets into its text, and an id."""

    __slots__ = ()
    doc: Document
    start: int
    end: int
    id: str

    @property
    def text(self) -> str:
        return self.doc.text[self.start : self.end]

    @property
    def doc_id(self) -> str:
        return self.doc.id

    def __repr__(self) -> str:
        text = self.text
        shown = text if len(text) <= 40 else text[:39] + "…"
        return f"<{type(self).__name__} {self.id} [{self.start}, {self.end}) {shown!r}>"


@dataclass(frozen=True, slots=True, repr=False)
class Section(_Span):
    """A part of a document with one provenance; a nested section has a ``parent``."""

    index: int
    id: str
    start: int
    end: int
    depth: int
    provenance: Provenance
    doc: Document = field(compare=False)
    parent_row: int | None = field(default=None, compare=False)

    @property
    def parent(self) -> Section | None:
        """The section this one is nested in (None at the top level)."""
        return None if self.parent_row is None else self.doc.sections[self.parent_row]

    @property
    def top(self) -> Section:
        """The top-level section that holds this one (itself at the top level)."""
        section = self
        while section.parent is not None:
            section = section.parent
        return section

    @property
    def kind(self) -> str:
        return self.provenance.kind

    @property
    def language(self) -> str:
        return self.provenance.language


@dataclass(frozen=True, slots=True, repr=False)
class _InSection(_Span):
    """A unit inside one top-level section, whose provenance it shares: its row in its layer,
    its offsets, and the row of its section."""

    index: int
    start: int
    end: int
    doc: Document = field(compare=False)
    section_row: int = field(compare=False)

    @property
    def section(self) -> Section:
        return self.doc.sections[self.section_row]

    @property
    def provenance(self) -> Provenance:
        return self.section.provenance

    @property
    def language(self) -> str:
        return self.provenance.language


@dataclass(frozen=True, slots=True, repr=False)
class Paragraph(_InSection):
    """A paragraph; ``duplicate_of`` is an earlier paragraph with identical text, if any."""

    duplicate_row: int | None = field(default=None, compare=False)

    @property
    def id(self) -> str:
        return self.doc.paragraphs.unit_id(self.index)

    @property
    def duplicate_of(self) -> Paragraph | None:
        return None if self.duplicate_row is None else self.doc.paragraphs[self.duplicate_row]


@dataclass(frozen=True, slots=True, repr=False)
class Sentence(_InSection):
    """A sentence (SoMaJo); it never crosses a paragraph."""

    paragraph_row: int = field(default=0, compare=False)

    @property
    def id(self) -> str:
        return self.doc.sentences.unit_id(self.index)

    @property
    def paragraph(self) -> Paragraph:
        return self.doc.paragraphs[self.paragraph_row]


@dataclass(frozen=True, slots=True, repr=False)
class Token(_InSection):
    """A token (SoMaJo) with its simplemma lemma and SoMaJo token class."""

    sentence_row: int = field(default=0, compare=False)
    lemma: str = ""
    token_class: str = ""

    @property
    def id(self) -> str:
        return f"t{self.index + 1}"

    @property
    def sentence(self) -> Sentence:
        return self.doc.sentences[self.sentence_row]

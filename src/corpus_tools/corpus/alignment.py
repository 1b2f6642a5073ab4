"""Alignments between texts: which passage of one readout corresponds to which of the other.

``corpus/alignments/<document>.yaml`` links sentences of two sections by their first words,
with a relation and a note.  Loading resolves every link to a sentence and checks that every
sentence of both sections is covered (a paragraph printed twice counts once), so that a
passage without counterpart is always marked as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import AlignmentError
from .datafile import Fields, load_yaml
from .document import Corpus, Document
from .units import Sentence

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["NO_COUNTERPART", "Alignment", "Link", "load_alignment", "relations"]

NO_COUNTERPART = "no counterpart"
"""The relation of a link with one side only: a passage the other readout does not have."""

_FILE_KEYS = {"document", "us_section", "russian_section", "relations", "links"}
_LINK_KEYS = {"us", "russian", "relation", "note"}


@dataclass(frozen=True, slots=True)
class Link:
    """One correspondence; a side is None where the passage has no counterpart."""

    us: Sentence | None
    russian: Sentence | None
    relation: str
    note: str | None
    line: int


@dataclass(frozen=True, repr=False)
class Alignment:
    """The links between two sections of a document."""

    doc: Document
    us_section: str
    russian_section: str
    relations: dict[str, str]
    links: tuple[Link, ...]

    def __repr__(self) -> str:
        return (
            f"<Alignment {self.us_section} ↔ {self.russian_section} of {self.doc.id!r}: "
            f"{len(self.links)} links, {len(self.relations)} relations>"
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per link: both passages (by sentence id and text), relation and note."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "us": link.us.id if link.us else "",
                    "U.S. statement": link.us.text if link.us else "",
                    "relation": link.relation,
                    "russian": link.russian.id if link.russian else "",
                    "Russian readout": link.russian.text if link.russian else "",
                    "note": link.note or "",
                }
                for link in self.links
            ]
        )

    def relation_counts(self) -> pd.DataFrame:
        """How many links of each relation there are, in the file's order of relations."""
        import pandas as pd

        counts = {
            name: sum(1 for link in self.links if link.relation == name) for name in self.relations
        }
        return pd.DataFrame({"relation": list(counts), "links": list(counts.values())})


def relations(corpus: Corpus, path: Path | str | None = None) -> dict[str, str]:
    """The relations an alignment file defines, in their order of application, without its
    links (so that a notebook can show them before students judge passages themselves).

    Raises:
        AlignmentError: the file is malformed or defines no relations.
    """
    return _relations(_fields(corpus, path))


def load_alignment(corpus: Corpus, path: Path | str | None = None) -> Alignment:
    """Read and check an alignment file (default: the one of the corpus's first document).

    Raises:
        AlignmentError: a malformed link, first words that match no sentence (or several), an
            unknown relation, or a sentence of either section that no link covers.
    """
    data = _fields(corpus, path)
    path = data.path
    doc = data.document(corpus)
    sides = {"us": data.string("us_section"), "russian": data.string("russian_section")}
    relations = _relations(data)
    sentences = {side: _sentences(doc, section) for side, section in sides.items()}
    links = tuple(_link(record, path, sentences, relations) for record in data.list("links"))
    for side, section in sides.items():
        linked = {getattr(link, side).index for link in links if getattr(link, side)}
        missing = [s for s in sentences[side] if s.index not in linked]
        if missing:
            first = missing[0]
            data.fail(
                "links",
                f"{len(missing)} sentence(s) of {section!r} are in no link, first {first.id}: "
                f"{first.text[:40]!r}; link it, or mark it {NO_COUNTERPART!r}",
            )
    return Alignment(doc, sides["us"], sides["russian"], relations, links)


def _fields(corpus: Corpus, path: Path | str | None) -> Fields:
    if path is None:
        path = corpus.root / "alignments" / f"{next(iter(corpus))}.yaml"
    path = Path(path)
    data = Fields(load_yaml(path, what="alignment file"), path, "alignment file", AlignmentError)
    data.check_keys(_FILE_KEYS)
    return data


def _relations(data: Fields) -> dict[str, str]:
    found = {str(k): str(v) for k, v in (data.optional("relations", dict) or {}).items()}
    if not found:
        data.fail("relations", "list the relations, each with a short explanation")
    return found


def _sentences(doc: Document, section_id: str) -> list[Sentence]:
    """The section's sentences, leaving out those of a paragraph that repeats an earlier one."""
    section = doc.section(section_id)
    within = doc.sentences.covered_by(section.start, section.end)
    return [s for s in within if s.paragraph.duplicate_of is None]


def _link(
    record: object, path: Path, sentences: dict[str, list[Sentence]], relations: dict[str, str]
) -> Link:
    fields = Fields(record, path, "link", AlignmentError)
    fields.check_keys(_LINK_KEYS)
    relation = fields.choice("relation", relations)
    found = {side: _resolve(fields, side, candidates) for side, candidates in sentences.items()}
    if found["us"] is None and found["russian"] is None:
        fields.fail("relation", "a link needs 'us', 'russian' or both")
    if (found["us"] is None or found["russian"] is None) != (relation == NO_COUNTERPART):
        fields.fail(
            "relation",
            f"a link with one side has the relation {NO_COUNTERPART!r}, and only such a link",
        )
    if relation == NO_COUNTERPART and NO_COUNTERPART not in relations:
        fields.fail("relation", f"the file's relations must define {NO_COUNTERPART!r}")
    return Link(
        found["us"], found["russian"], relation, fields.optional("note", str), fields.record.line
    )


def _resolve(fields: Fields, side: str, candidates: list[Sentence]) -> Sentence | None:
    begins = fields.optional(side, str)
    if begins is None:
        return None
    matches = [s for s in candidates if s.text.startswith(begins)]
    if len(matches) != 1:
        what = "no sentence" if not matches else f"{len(matches)} sentences"
        fields.fail(
            side, f"{begins!r} begins {what} of that section; quote more of its first words"
        )
    return matches[0]

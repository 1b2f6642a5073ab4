"""Annotation assignments (``corpus/assignments/<id>.yaml``): passages, tag set and key.

An assignment is what students are asked to do, and so the scope of their scores: only spans
inside its passages are scored, against only the key's spans inside them.  Loading checks that
the passages exist, lie where the tag set applies, leave out a paragraph the source prints twice,
and that the key has at least one span in every passage (a passage the key never tags cannot be
graded).  In a student release, which has no ``keys/``, the key is not read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..corpus.datafile import Fields, load_yaml, named_file, require_ordinary_file
from ..corpus.layout import data_files
from ..errors import AssignmentError
from .record import Annotation

if TYPE_CHECKING:
    from ..corpus import Corpus, Paragraph
    from .tagsets import TagSet

__all__ = ["Assignment", "load_assignment", "load_assignments"]

_KEYS = {"id", "title", "notebook", "document", "tagset", "key", "passages", "instructions"}


@dataclass(frozen=True)
class Assignment:
    """A tagging task: a tag set, the passages to tag, and the key that grades them."""

    id: str
    title: str
    doc_id: str
    tagset: TagSet
    key: str
    passages: tuple[Paragraph, ...]
    instructions: str | None = None
    notebook: str | None = None
    path: Path | None = None

    def __repr__(self) -> str:
        ids = ", ".join(p.id for p in self.passages)
        return f"<Assignment {self.id}: {self.tagset.id} on {self.doc_id} {ids}>"

    def covers(self, annotation: Annotation) -> bool:
        """Whether the annotation lies inside one of the passages (and uses the tag set)."""
        return (
            annotation.doc_id == self.doc_id
            and annotation.tagset == self.tagset.id
            and any(p.start <= annotation.start and annotation.end <= p.end for p in self.passages)
        )

    def within(self, annotations: Iterable[Annotation]) -> list[Annotation]:
        """The annotations this assignment covers, in their order."""
        return [a for a in annotations if self.covers(a)]


def load_assignments(corpus: Corpus) -> dict[str, Assignment]:
    """Every assignment of the corpus (``assignments/*.yaml``), by id, each checked against the
    text, its tag set and its key.

    Raises:
        AssignmentError: a malformed file, an unknown passage, tag set or key, a passage the tag
            set does not apply to or that repeats another, or a passage the key never tags.
    """
    folder = corpus.root / "assignments"
    found = [load_assignment(path, corpus) for path in data_files(folder, "*.yaml")]
    return {assignment.id: assignment for assignment in found}


def load_assignment(name_or_path: str | Path, corpus: Corpus) -> Assignment:
    """One assignment, by id (``assignments/<id>.yaml``) or by path; see :func:`load_assignments`.

    Raises:
        AssignmentError: as :func:`load_assignments`, or no such assignment.
    """
    from .keys import load_key
    from .tagsets import load_tagsets

    path = _path(name_or_path, corpus)
    fields = Fields(load_yaml(path, what="assignment"), path, "assignment", AssignmentError)
    fields.check_keys(_KEYS)
    assignment_id = fields.identifier("id")
    if assignment_id != path.stem:
        fields.fail("id", f"id {assignment_id!r} differs from the file name; rename one to match")
    tagsets = load_tagsets(corpus.root / "tagsets")
    tagset = tagsets.get(fields.string("tagset"))
    if tagset is None:
        fields.fail("tagset", f"no such tag set; expected one of {', '.join(sorted(tagsets))}")
    doc_id = fields.string("document")
    if doc_id not in corpus:
        fields.fail("document", f"no such document; expected one of {', '.join(corpus)}")
    passages = _passages(fields, corpus[doc_id].paragraphs, tagset)
    key_name = fields.string("key")
    # A student release has no keys/ at all; everywhere else the key must exist and fit.
    key = load_key(key_name, corpus) if (corpus.root / "keys").is_dir() else None
    assignment = Assignment(
        id=assignment_id,
        title=fields.string("title"),
        doc_id=doc_id,
        tagset=tagset,
        key=key_name,
        passages=tuple(passages),
        instructions=fields.optional("instructions", str),
        notebook=fields.optional("notebook", str),
        path=path,
    )
    if key is not None:
        _check_key_covers(assignment, key, fields)
    return assignment


def _path(name_or_path: str | Path, corpus: Corpus) -> Path:
    path, _ = named_file(name_or_path, corpus.root / "assignments", ".yaml")
    if not path.is_file():
        if os.path.lexists(path):
            require_ordinary_file(path, what="assignment")
        known = sorted(p.stem for p in data_files(corpus.root / "assignments", "*.yaml"))
        raise AssignmentError(
            f"no such assignment; give its id or the path of its file (assignments: "
            f"{', '.join(known) or 'none'})",
            path=path,
        )
    return path


def _passages(fields: Fields, paragraphs: Sequence[Paragraph], tagset: TagSet) -> list[Paragraph]:
    by_id = {p.id: p for p in paragraphs}
    chosen = []
    for passage_id in fields.list("passages"):
        paragraph = by_id.get(str(passage_id))
        if paragraph is None:
            fields.fail("passages", f"no paragraph {passage_id!r} (p1 to p{len(paragraphs)})")
        if paragraph.duplicate_of is not None:
            fields.fail(
                "passages",
                f"{paragraph.id} repeats {paragraph.duplicate_of.id} word for word; assign the "
                "first copy only",
            )
        if not tagset.applies_to(paragraph.section.kind, paragraph.language):
            fields.fail(
                "passages",
                f"{paragraph.id} is in {paragraph.section.id!r} ({paragraph.section.kind}, "
                f"{paragraph.language}), where tag set {tagset.id!r} does not apply",
            )
        chosen.append(paragraph)
    if not chosen:
        fields.fail("passages", "list the paragraphs to tag, e.g. [p14, p15]")
    return chosen


def _check_key_covers(assignment: Assignment, key: Sequence[Annotation], fields: Fields) -> None:
    if assignment.tagset.id not in {a.tagset for a in key}:
        fields.fail("key", f"key {assignment.key!r} does not use tag set {assignment.tagset.id!r}")
    for passage in assignment.passages:
        inside = [a for a in key if passage.start <= a.start and a.end <= passage.end]
        if not inside:
            fields.fail(
                "passages",
                f"key {assignment.key!r} has no span in {passage.id}, so a student's tags there "
                "could only count as mistakes: tag it in the key, or leave it out",
            )

"""The annotator widget: select text with the mouse, tag it with a click or a shortcut key.

The front end (``widget.js``, styled by ``widget.css``) only reports what the student did, as
messages on the widget's channel; every action is carried out here, by the same methods a
notebook or a test calls (:meth:`Annotator.add`, ``delete``, ``undo``, ``goto``), and saved at
once to the annotator's store.  Offsets from the browser count UTF-16 code units; they are
converted to code points in one place, :func:`from_utf16`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..corpus import Document, Paragraph
from ..errors import AnnotationError, CorpusError, SaveError
from ..formatting import shorten
from .record import Annotation, make_annotation
from .store import AnnotationStore, LoadReport
from .tagsets import TagSet

__all__ = ["Annotator", "from_utf16", "to_utf16"]


def to_utf16(text: str, index: int) -> int:
    """The UTF-16 offset (as JavaScript counts) of code-point ``index`` in ``text``."""
    return len(text[:index].encode("utf-16-le")) // 2


def from_utf16(text: str, units: int) -> int:
    """The code-point index of UTF-16 offset ``units`` in ``text``."""
    encoded = text.encode("utf-16-le")[: 2 * units]
    return len(encoded.decode("utf-16-le", errors="ignore"))


class Annotator(anywidget.AnyWidget):
    """Annotate passages of one document with one tag set, saving to one annotator's file.

    Args:
        doc: the document.
        passages: the paragraphs to work through (``next``/``previous`` move between them).
        tagset: the tag set whose labels are offered.
        store: where every action is saved (see :meth:`AnnotationStore.for_annotator`).
        annotator: the name recorded as creator.

    Attributes:
        orphans: this document's annotations with this tag set that could not be anchored in
            its text when the annotator opened (kept in the file, not shown); the status line
            lists their quotes.

    A save that fails (a full disk, no permission, a name too long) is shown in the status
    line as ``NOT SAVED (<action>): <reason and advice>``; nothing of that action changes on
    screen or in the file, so what is shown is always what is saved: do the action again once
    the cause is fixed (an undo that could not be saved stays on the undo list).
    """

    _esm = Path(__file__).with_name("widget.js")
    _css = Path(__file__).with_name("widget.css")

    passage_text = traitlets.Unicode("").tag(sync=True)
    passage_label = traitlets.Unicode("").tag(sync=True)
    labels = traitlets.List([]).tag(sync=True)
    spans = traitlets.List([]).tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    tokens = traitlets.List([]).tag(sync=True)
    attributes = traitlets.Dict({}).tag(sync=True)
    guidelines = traitlets.Dict({}).tag(sync=True)

    def __init__(
        self,
        doc: Document,
        passages: Sequence[Paragraph],
        tagset: TagSet,
        store: AnnotationStore,
        *,
        annotator: str,
    ):
        if not passages:
            raise CorpusError("give the annotator at least one passage (a paragraph)")
        super().__init__()
        self.doc, self.tagset, self.store, self.annotator = doc, tagset, store, annotator
        self.passages = list(passages)
        self.position = 0
        self._undo: list[tuple[str, Annotation]] = []
        report = store.load({doc.id: doc.text})
        mine = [a for a in report.annotations if (a.doc_id, a.tagset) == (doc.id, tagset.id)]
        self._annotations = {a.id: a for a in mine}
        self.orphans = [a for a in report.orphans if (a.doc_id, a.tagset) == (doc.id, tagset.id)]
        self.labels = [
            {"name": label.name, "colour": label.colour, "shortcut": label.shortcut,
             "description": label.description}
            for label in tagset.labels
        ]  # fmt: skip
        self.attributes = {name: list(values) for name, values in tagset.attributes.items()}
        self.guidelines = _guidelines(tagset)
        self.on_msg(self._on_message)
        moved = sum(m.id in self._annotations for m in report.moved)
        self._show(_opening(report, moved, self.orphans))

    # --- the actions, for notebooks and the browser alike --------------------------------------
    @property
    def passage(self) -> Paragraph:
        return self.passages[self.position]

    def annotations(self) -> list[Annotation]:
        """This document's annotations with this tag set, in text order."""
        return sorted(self._annotations.values(), key=lambda a: (a.start, -a.end, a.tag))

    def add(
        self, start: int, end: int, tag: str, *, comment: str | None = None, **attributes: str
    ) -> Annotation:
        """Tag ``[start, end)`` (document offsets, widened to whole tokens) and save it."""
        start, end = self._snap(start, end)
        annotation = make_annotation(
            self.doc.text, self.doc.id, start, end, tag, self.tagset,
            creator=self.annotator, comment=comment, attributes=attributes,
        )  # fmt: skip
        with self._saving(f"add {tag} “{shorten(annotation.exact)}”"):
            self.store.add(annotation)
        self._annotations[annotation.id] = annotation
        self._undo.append(("add", annotation))
        self._show(f"saved: {tag} “{annotation.exact}”")
        return annotation

    def add_phrase(self, phrase: str, tag: str, **options: Any) -> Annotation:
        """Tag the first occurrence of ``phrase`` in the current passage."""
        found = self.doc.text.find(phrase, self.passage.start, self.passage.end)
        if found < 0:
            raise AnnotationError(f"{phrase!r} does not occur in passage {self.passage.id}")
        return self.add(found, found + len(phrase), tag, **options)

    def delete(self, annotation_id: str) -> None:
        """Delete an annotation (the deletion is saved too; undo brings it back).

        Raises:
            AnnotationError: no such annotation; SaveError: the deletion could not be saved
                (the annotation stays, in the file and on screen).
        """
        annotation = self._annotations.get(annotation_id)
        if annotation is None:
            raise AnnotationError(f"no annotation {annotation_id!r} to delete")
        with self._saving(f"delete {annotation.tag} “{shorten(annotation.exact)}”"):
            self.store.delete(annotation_id)
        del self._annotations[annotation_id]
        self._undo.append(("delete", annotation))
        self._show(f"deleted: {annotation.tag} “{annotation.exact}”")

    def undo(self) -> None:
        """Take back the last add or delete of this session (kept for another try if saving
        the undo fails)."""
        if not self._undo:
            self._show("nothing to undo")
            return
        action, annotation = self._undo[-1]
        with self._saving(f"undo {action} {annotation.tag} “{shorten(annotation.exact)}”"):
            if action == "add":
                self.store.delete(annotation.id)
                self._annotations.pop(annotation.id, None)
            else:
                self.store.add(annotation)
                self._annotations[annotation.id] = annotation
        self._undo.pop()
        self._show(f"undone: {action} {annotation.tag} “{annotation.exact}”")

    def goto(self, position: int) -> None:
        """Show passage number ``position`` (0-based) of the passages given."""
        if not 0 <= position < len(self.passages):
            raise AnnotationError(
                f"passage {position} does not exist (0 to {len(self.passages) - 1})"
            )
        self.position = position
        self._show(f"passage {position + 1} of {len(self.passages)}")

    def __repr__(self) -> str:
        here = [a for a in self.annotations() if self.passage.start <= a.start < self.passage.end]
        return (
            f"<Annotator {self.doc.id} {self.passage.id} ({self.passage.section.kind}), "
            f"tag set {self.tagset.id}: {len(here)} annotations here, "
            f"{len(self._annotations)} in the document, by {self.annotator}>"
        )

    # --- plumbing ------------------------------------------------------------------------------
    @contextmanager
    def _saving(self, action: str) -> Iterator[None]:
        """Say in the status line that ``action`` was not saved if saving it fails."""
        try:
            yield
        except SaveError as exc:
            self._show(f"NOT SAVED ({action}): {exc}")
            raise

    def _snap(self, start: int, end: int) -> tuple[int, int]:
        """Widen a selection to whole tokens; strip white space at its edges."""
        tokens = self.doc.tokens
        first, last = tokens.at(start), tokens.at(max(start, end - 1))
        start = first.start if first is not None else start
        end = last.end if last is not None else end
        while start < end and self.doc.text[start].isspace():
            start += 1
        while end > start and self.doc.text[end - 1].isspace():
            end -= 1
        return start, end

    def _show(self, status: str) -> None:
        passage = self.passage
        text = self.doc.text[passage.start : passage.end]
        spans = []
        for a in self.annotations():
            if a.start < passage.start or a.end > passage.end:
                continue
            colour = self.tagset.label(a.tag).colour
            spans.append({
                "id": a.id, "tag": a.tag, "colour": colour, "comment": a.comment or "",
                "attributes": dict(a.attributes),
                "start": to_utf16(text, a.start - passage.start),
                "end": to_utf16(text, a.end - passage.start),
            })  # fmt: skip
        if text != self.passage_text:  # a new passage: its words first, then its text
            self.tokens = [
                [to_utf16(text, t.start - passage.start), to_utf16(text, t.end - passage.start)]
                for t in self.doc.tokens.covered_by(passage.start, passage.end)
            ]
        self.passage_text = text
        self.passage_label = (
            f"{passage.id} · {passage.section.id} ({passage.language}) · "
            f"passage {self.position + 1} of {len(self.passages)}"
        )
        self.spans = spans
        self.status = f"{status} · file {self.store.path.name}"

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        """A message from the front end: one action the student took."""
        try:
            self._carry_out(content if isinstance(content, dict) else {"action": None})
        except SaveError:
            pass  # the status line says what was not saved, and why
        except CorpusError as exc:
            self._show(f"not done: {exc}")
        except (KeyError, TypeError, ValueError):
            self._show("not done: the browser sent an incomplete request; try again")

    def _carry_out(self, request: dict[str, Any]) -> None:
        action = request.get("action")
        if action == "add":
            text = self.passage_text
            start = self.passage.start + from_utf16(text, int(request["start"]))
            end = self.passage.start + from_utf16(text, int(request["end"]))
            attributes = {str(k): str(v) for k, v in (request.get("attributes") or {}).items()}
            comment = request.get("comment") or None
            self.add(start, end, str(request["tag"]), comment=comment, **attributes)
        elif action == "delete":
            self.delete(str(request["id"]))
        elif action == "undo":
            self.undo()
        elif action == "goto":
            self.goto(min(max(self.position + int(request["delta"]), 0), len(self.passages) - 1))
        else:
            raise ValueError(f"unknown action {action!r}")


def _opening(report: LoadReport, moved: int, orphans: Sequence[Annotation]) -> str:
    """What the status line says when the annotator opens: whether the file loaded whole, how
    many of this document's annotations with this tag set were re-anchored, and every orphan's
    quote."""
    parts = ["ready: select words (mouse, or arrows and Shift), then press a tag's key"]
    if moved:
        parts.append(f"{moved} annotation(s) re-anchored where the text moved")
    if orphans:
        shown = "; ".join(f"“{shorten(a.exact)}”" for a in orphans)
        parts.append(
            f"{len(orphans)} orphaned (their text changed or is gone; kept in the file, not "
            f"shown): {shown}"
        )
    if report.skipped:
        parts.append(f"{len(report.skipped)} damaged line(s) skipped, the rest loaded")
    if report.warnings:
        first = report.warnings[0]
        parts.append(f"{len(report.warnings)} line(s) to check, e.g. line {first.line}: "
                     f"{first.reason}")  # fmt: skip
    return " · ".join(parts)


def _guidelines(tagset: TagSet) -> dict[str, Any]:
    """The tag set's guidelines as plain data for the front end's guidelines panel."""
    return {
        "rules": list(tagset.rules),
        "do_not_tag": list(tagset.do_not_tag),
        "labels": [
            {
                "name": label.name, "shortcut": label.shortcut, "mapped": label.mqm or label.ner,
                "definition": label.definition or label.description, "rules": list(label.rules),
                "examples": list(label.examples),
                "counter": [{"text": c.text, "why": c.why} for c in label.counter_examples],
            }
            for label in tagset.labels
        ],
    }  # fmt: skip

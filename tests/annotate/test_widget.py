"""The annotator widget: actions saved at once, undo, token snapping, messages from the browser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus_tools import Document
from corpus_tools.annotate import AnnotationStore


@pytest.fixture
def annotator(doc: Document, tagsets, tmp_path: Path):
    from corpus_tools.annotate.widget import Annotator

    passages = [p for p in doc.paragraphs if p.section.id == "russian-readout"]
    store = AnnotationStore.for_annotator("ada", tmp_path)
    return Annotator(doc, passages, tagsets["diplomatic-discourse"], store, annotator="ada")


def test_widget_actions_are_saved_at_once_and_undoable(annotator) -> None:
    first = annotator.add_phrase("Sergej W. Lawrow", "actor", comment="the minister")
    assert [a.exact for a in annotator.store.load().annotations] == ["Sergej W. Lawrow"]
    assert "saved: actor “Sergej W. Lawrow”" in annotator.status
    annotator.delete(first.id)
    assert annotator.store.load().annotations == []
    annotator.undo()  # brings the deleted one back
    assert [a.id for a in annotator.store.load().annotations] == [first.id]
    annotator.undo()  # takes the deletion's undo ... back to the first add, which is undone
    assert _events(annotator.store.path) == ["add", "delete", "add", "delete"]
    annotator.undo()
    assert "nothing to undo" in annotator.status


def test_selection_snaps_to_whole_tokens(annotator, doc: Document) -> None:
    start = doc.text.index("Außenminister Sergej")
    annotation = annotator.add(start + 3, start + 16, "actor")  # "enminister Se"
    assert annotation.exact == "Außenminister Sergej"


def test_browser_messages_use_utf16_offsets(annotator) -> None:
    def message(content: object) -> None:  # as ipywidgets hands on a message from the browser
        annotator._handle_custom_msg(content, [])

    text = annotator.passage_text
    start = text.index("Donald Trump")
    message({"action": "add", "start": start, "end": start + 12, "tag": "actor", "comment": ""})
    assert [a.exact for a in annotator.annotations()] == ["Donald Trump"]
    assert annotator.spans[0]["start"] == start and annotator.spans[0]["tag"] == "actor"
    message({"action": "goto", "delta": 1})
    assert annotator.passage_label.startswith("p15 · russian-readout (de) · passage 2 of 6")
    message({"action": "add", "start": 0, "end": 3, "tag": "villain"})
    assert annotator.status.startswith("not done: tag set 'diplomatic-discourse' has no label")
    for broken in ({"action": "add", "start": "x"}, {"action": "delete"}, ["add"], {}):
        annotator.goto(0)
        message(broken)  # never an exception in the kernel, and nothing saved
        assert annotator.status.startswith("not done: the browser sent an incomplete request")
    assert len(annotator.store.load().annotations) == 1


def test_utf16_conversion_outside_the_basic_plane() -> None:
    from corpus_tools.annotate.widget import from_utf16, to_utf16

    text = "a😀b„c“"
    for index in range(len(text) + 1):
        assert from_utf16(text, to_utf16(text, index)) == index
    assert to_utf16(text, 2) == 3 and from_utf16(text, 3) == 2


def test_widget_repr_is_stable(annotator) -> None:
    annotator.add_phrase("Donald Trump", "actor")
    annotator.goto(1)
    annotator.add_phrase("Beide Seiten", "actor")
    text = repr(annotator)
    assert text == (
        "<Annotator riyadh-2025-02-18 p15 (readout), tag set diplomatic-discourse: "
        "1 annotations here, 2 in the document, by ada>"
    )
    assert "0x" not in text


def _events(path: Path) -> list[str]:
    """The kinds of event in an annotation file, read as plain JSON lines."""
    return [json.loads(line)["event"] for line in path.read_text(encoding="utf-8").splitlines()]

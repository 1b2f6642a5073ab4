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


def test_the_front_end_gets_tokens_attributes_and_guidelines(doc: Document, tagsets, tmp_path):
    from corpus_tools.annotate.widget import Annotator, from_utf16

    readout = [p for p in doc.paragraphs if p.section.id == "russian-readout"]
    store = AnnotationStore.for_annotator("cy", tmp_path)
    critic = Annotator(doc, readout, tagsets["translation-critique"], store, annotator="cy")
    assert critic.attributes == {"severity": ["minor", "major", "critical"]}
    words = [critic.passage_text[s:e] for s, e in critic.tokens]
    assert words[:3] == ["Im", "Einklang", "mit"]
    assert len(words) == len(doc.tokens.covered_by(readout[0].start, readout[0].end))
    labels = {label["name"]: label for label in critic.guidelines["labels"]}
    assert labels["wrong name"]["examples"] == ["S. Whitkoff"]
    assert labels["omission"]["mapped"] == "Accuracy / Omission"
    start, end = critic.tokens[words.index("S.")][0], critic.tokens[words.index("Whitkoff")][1]
    critic._handle_custom_msg(
        {"action": "add", "start": start, "end": end, "tag": "wrong name", "comment": "",
         "attributes": {"severity": "major"}}, [],
    )  # fmt: skip
    [saved] = store.load().annotations
    assert saved.exact == "S. Whitkoff" and saved.attributes == {"severity": "major"}
    assert from_utf16(critic.passage_text, start) + readout[0].start == saved.start
    assert critic.spans[0]["attributes"] == {"severity": "major"}


def test_opening_says_what_was_re_anchored_or_orphaned(doc: Document, tagsets, tmp_path):
    from corpus_tools.annotate import make_annotation
    from corpus_tools.annotate.widget import Annotator

    tagset = tagsets["diplomatic-discourse"]
    store = AnnotationStore.for_annotator("dee", tmp_path)
    start = doc.text.index("Beide Seiten kamen")
    kept = make_annotation(doc.text, doc.id, start, start + 12, "actor", tagset, creator="dee")
    store.add(kept)
    lines = store.path.read_text("utf-8").splitlines()
    moved, lost = json.loads(lines[0]), json.loads(lines[0])
    for event, shift, quote in ((moved, 3, None), (lost, 0, "Keine Seite")):
        event["annotation"]["id"] += "-" + str(shift)
        for selector in event["annotation"]["target"]["selector"]:
            if selector["type"] == "TextPositionSelector":
                selector["start"] += shift
                selector["end"] += shift
            elif quote:
                selector["exact"] = quote
    with store.path.open("a", encoding="utf-8") as stream:
        stream.write(json.dumps(moved, ensure_ascii=False) + "\n")
        stream.write(json.dumps(lost, ensure_ascii=False) + "\n")
        stream.write('{"event": "add"\n')
    readout = [p for p in doc.paragraphs if p.section.id == "russian-readout"]
    opened = Annotator(doc, readout, tagset, store, annotator="dee")
    assert "1 annotation(s) re-anchored" in opened.status
    assert (
        "1 orphaned (their text changed or is gone; kept in the file, not shown): “Keine Seite”"
        in opened.status
    )
    assert [o.exact for o in opened.orphans] == ["Keine Seite"]
    assert "1 damaged line(s) skipped" in opened.status


def test_a_save_that_fails_says_so_and_changes_nothing(doc: Document, tagsets, tmp_path):
    from corpus_tools.annotate.widget import Annotator

    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    store = AnnotationStore(blocked / "eve.jsonl")  # its folder cannot be made
    readout = [p for p in doc.paragraphs if p.section.id == "russian-readout"]
    widget = Annotator(doc, readout, tagsets["diplomatic-discourse"], store, annotator="eve")
    start = widget.passage_text.index("Sergej W. Lawrow")
    widget._handle_custom_msg(
        {"action": "add", "start": start, "end": start + 16, "tag": "actor"}, []
    )
    assert widget.status.startswith("NOT SAVED (add actor “Sergej W. Lawrow”): cannot save to")
    assert "a file stands where its folder should be" in widget.status
    assert "saved:" not in widget.status and widget.annotations() == [] and widget.spans == []

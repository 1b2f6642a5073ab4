"""Annotation: tag sets, W3C records, a store that loses nothing, and exports that round-trip."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from corpus_tools import Document
from corpus_tools.annotate import AnnotationStore, TagSet, load_tagsets, make_annotation
from corpus_tools.annotate.exports import (
    annotations_frame,
    read_w3c_collection,
    read_xmi,
    to_w3c_collection,
    write_brat,
    write_xmi,
)
from corpus_tools.errors import AnnotationError, TagSetError

from .conftest import CORPUS


@pytest.fixture(scope="module")
def tagsets() -> dict[str, TagSet]:
    return load_tagsets(CORPUS / "tagsets")


def _tag(doc: Document, tagsets: dict[str, TagSet], phrase: str, tag: str, **kw: object):
    start = doc.text.index(phrase)
    tagset = next(t for t in tagsets.values() if tag in {label.name for label in t.labels})
    return make_annotation(
        doc.text, doc.id, start, start + len(phrase), tag, tagset, creator="ada", **kw
    )


# --- tag sets ----------------------------------------------------------------------------------


def test_three_tag_sets_with_labels_colours_and_shortcuts(tagsets: dict[str, TagSet]) -> None:
    assert set(tagsets) == {"diplomatic-discourse", "translation-critique", "entities"}
    discourse = tagsets["diplomatic-discourse"]
    assert [label.name for label in discourse.labels] == [
        "actor", "commitment", "condition", "hedge", "evaluation", "attribution of agency",
        "framing of the war",
    ]  # fmt: skip
    critique = tagsets["translation-critique"]
    assert {label.name: label.mqm for label in critique.labels}["omission"] == "Accuracy / Omission"
    assert all(label.mqm for label in critique.labels)
    assert critique.attributes == {"severity": ("minor", "major", "critical")}
    assert critique.applies_to("readout", "de") and not critique.applies_to("readout", "en")
    assert [label.ner for label in tagsets["entities"].labels] == ["PER", "ORG", "LOC", "DATE"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('    shortcut: "2"\n', '    shortcut: "1"\n', "shortcut '1' is already used on line"),
        ('    colour: "#55a868"\n', '    colour: green\n', "colour 'green' should be written like"),
        ("  - name: hedge\n", "  - name: actor\n", "label name 'actor' is already used on line"),
        ("  kinds: [official_statement,", "  kinds: [speech, official_statement,",
         "unknown kind 'speech'"),
        ("version: 1\n", "version: one\n", "should be a whole number"),
    ],
)  # fmt: skip
def test_malformed_tag_set_names_file_and_line(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    shutil.copytree(CORPUS / "tagsets", tmp_path / "tagsets")
    path = tmp_path / "tagsets" / "diplomatic-discourse.yaml"
    text = path.read_text("utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), "utf-8")
    with pytest.raises(TagSetError, match=r"diplomatic-discourse\.yaml:\d+: ") as caught:
        load_tagsets(tmp_path / "tagsets")
    assert message in str(caught.value)


# --- records -----------------------------------------------------------------------------------


def test_annotation_is_w3c_with_position_and_quote(doc: Document, tagsets) -> None:
    note = _tag(doc, tagsets, "S. Whitkoff", "name variant", attributes={"severity": "minor"},
                comment="misspelt: Witkoff")  # fmt: skip
    data = note.to_w3c()
    assert data["@context"] == "http://www.w3.org/ns/anno.jsonld" and data["type"] == "Annotation"
    position, quote = data["target"]["selector"]
    assert doc.text[position["start"] : position["end"]] == quote["exact"] == "S. Whitkoff"
    assert doc.text[: position["start"]].endswith(quote["prefix"])
    assert doc.text[position["end"] :].startswith(quote["suffix"])
    assert data["body"][0] == {
        "type": "TextualBody", "purpose": "tagging", "value": "name variant",
        "tagset": "translation-critique", "tagsetVersion": 1, "severity": "minor",
    }  # fmt: skip
    assert data["body"][1]["value"] == "misspelt: Witkoff"
    assert type(note).from_w3c(json.loads(json.dumps(data))) == note


def test_creating_an_annotation_validates_it(doc: Document, tagsets) -> None:
    discourse = tagsets["diplomatic-discourse"]
    with pytest.raises(AnnotationError, match=r"span \[10, 10\) is not inside"):
        make_annotation(doc.text, doc.id, 10, 10, "actor", discourse, creator="ada")
    with pytest.raises(TagSetError, match="no label 'villain'; its labels: actor, commitment"):
        make_annotation(doc.text, doc.id, 0, 3, "villain", discourse, creator="ada")
    with pytest.raises(AnnotationError, match="severity='huge' is not allowed"):
        _tag(doc, tagsets, "S. Whitkoff", "name variant", attributes={"severity": "huge"})


# --- the store ---------------------------------------------------------------------------------


def test_store_keeps_history_and_replays_edits_and_deletions(
    doc: Document, tagsets, tmp_path: Path
) -> None:
    store = AnnotationStore.for_annotator("Ada Lovelace", tmp_path)
    assert store.path.name == "Ada_Lovelace.jsonl"
    actor = _tag(doc, tagsets, "Beide Seiten", "actor")
    commitment = _tag(doc, tagsets, "kamen überein", "commitment")
    store.add(actor)
    store.add(commitment)
    store.edit(replace(commitment, comment="a formal verb"))
    store.delete(actor.id)
    report = store.load({doc.id: doc.text})
    assert [(a.tag, a.comment) for a in report.annotations] == [("commitment", "a formal verb")]
    assert [e["event"] for e in store.history()] == ["add", "add", "edit", "delete"]
    assert not report.skipped and not report.moved and not report.orphans


def test_truncated_last_line_is_reported_and_the_rest_loads(
    doc: Document, tagsets, tmp_path: Path
) -> None:
    store = AnnotationStore(tmp_path / "ada.jsonl")
    for phrase in ("Beide Seiten", "Die russische Seite"):
        store.add(_tag(doc, tagsets, phrase, "actor"))
    data = store.path.read_bytes()
    store.path.write_bytes(data[: len(data) - 40])  # a crash in the middle of the last write
    report = store.load()
    assert [a.exact for a in report.annotations] == ["Beide Seiten"]
    assert [(p.line, "interrupted" in p.reason) for p in report.skipped] == [(2, True)]
    store.add(_tag(doc, tagsets, "Es wurde vereinbart", "commitment"))  # the next save still works
    assert [a.exact for a in store.load().annotations] == ["Beide Seiten", "Es wurde vereinbart"]


def test_changed_text_reanchors_by_quote_or_reports_orphans(
    doc: Document, tagsets, tmp_path: Path
) -> None:
    store = AnnotationStore(tmp_path / "ada.jsonl")
    kept = _tag(doc, tagsets, "S. Whitkoff", "name variant")
    lost = _tag(doc, tagsets, "Raumfahrt", "hedge")
    store.add_many([kept, lost])
    changed = "Ein neuer erster Satz. " + doc.text.replace("Raumfahrt", "Luftfahrt")
    report = store.load({doc.id: changed})
    [moved] = report.moved
    assert moved.new == (kept.start + 23, kept.end + 23)
    assert changed[moved.new[0] : moved.new[1]] == "S. Whitkoff"
    assert [o.exact for o in report.orphans] == ["Raumfahrt"]
    assert repr(report) == "<LoadReport ada.jsonl: 1 annotations, 1 re-anchored, 1 orphaned>"


def test_ambiguous_quote_is_orphaned_not_guessed(doc: Document, tagsets, tmp_path: Path) -> None:
    store = AnnotationStore(tmp_path / "ada.jsonl")
    store.add(_tag(doc, tagsets, "Beide Seiten", "actor"))
    text = "Beide Seiten. Beide Seiten."
    assert [o.exact for o in store.load({doc.id: text}).orphans] == ["Beide Seiten"]


def _append_many(path: str, prefix: str, count: int) -> None:
    from corpus_tools.annotate import AnnotationStore, load_tagsets, make_annotation

    tagset = load_tagsets(CORPUS / "tagsets")["entities"]
    store = AnnotationStore(path)
    text = "x" * 100
    for n in range(count):
        store.add(make_annotation(text, "doc", n % 50, n % 50 + 1, "place", tagset,
                                  creator=prefix, annotation_id=f"{prefix}-{n}"))  # fmt: skip


def test_two_processes_appending_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.jsonl")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(path, name, 1000)) for name in "ab"]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    report = AnnotationStore(path).load()
    assert len(report.annotations) == 2000 and not report.skipped
    assert len(Path(path).read_text("utf-8").splitlines()) == 2000


# --- exports -----------------------------------------------------------------------------------


@pytest.fixture
def sample(doc: Document, tagsets) -> list:
    return [
        _tag(doc, tagsets, "S. Whitkoff", "name variant", attributes={"severity": "minor"},
             comment="<script>alert(1)</script>"),
        _tag(doc, tagsets, "Beide Seiten", "actor"),
        _tag(doc, tagsets, "Beide Seiten kamen überein", "commitment"),
    ]  # fmt: skip


def test_w3c_collection_round_trips(sample: list) -> None:
    collection = json.loads(json.dumps(to_w3c_collection(sample, "ada")))
    assert collection["type"] == "AnnotationCollection" and collection["total"] == 3
    assert read_w3c_collection(collection) == sample


def test_brat_standoff(doc: Document, sample: list, tmp_path: Path) -> None:
    spans_lines = doc.text.index("Zum Thema") - 3
    crossing = replace(sample[1], start=spans_lines, end=spans_lines + 12)
    txt, ann = write_brat(doc.text, [*sample, crossing], tmp_path / "brat" / doc.id)
    assert txt.read_text("utf-8") == doc.text
    lines = ann.read_text("utf-8").splitlines()
    entities = [line.split("\t") for line in lines if line.startswith("T")]
    for _, spec, shown in entities:
        _, *offsets = spec.replace(";", " ").split(" ")
        pieces = [
            doc.text[int(a) : int(b)] for a, b in zip(offsets[::2], offsets[1::2], strict=True)
        ]
        assert " ".join(pieces) == shown and "\n" not in shown
    assert any(";" in spec for _, spec, _ in entities)
    assert "A1\tSeverity T1 minor" in lines
    assert "#1\tAnnotatorNotes T1\t<script>alert(1)</script>" in lines


def test_xmi_round_trips_through_cassis(doc: Document, sample: list, tmp_path: Path) -> None:
    path = write_xmi(doc.text, sample, tmp_path / "xmi" / f"{doc.id}.xmi")
    root = ET.parse(path).getroot()
    assert root.tag.endswith("XMI")
    back = read_xmi(path, doc.id)
    key = lambda a: (a.start, a.end, a.tag, a.tagset, a.comment, dict(a.attributes), a.id)  # noqa: E731
    assert sorted(map(key, back)) == sorted(map(key, sample))
    assert all(doc.text[a.start : a.end] == a.exact for a in back)


def test_annotation_frame(sample: list) -> None:
    frame = annotations_frame(sample)
    assert list(frame.tag) == ["name variant", "commitment", "actor"]
    assert list(frame.columns[:5]) == ["doc", "start", "end", "text", "tag"]
    assert frame.set_index("tag").loc["name variant", "severity"] == "minor"


# --- the widget, driven from Python --------------------------------------------------------------


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
    assert [e["event"] for e in annotator.store.history()] == ["add", "delete", "add", "delete"]
    annotator.undo()
    assert "nothing to undo" in annotator.status


def test_selection_snaps_to_whole_tokens(annotator, doc: Document) -> None:
    start = doc.text.index("Außenminister Sergej")
    annotation = annotator.add(start + 3, start + 16, "actor")  # "enminister Se"
    assert annotation.exact == "Außenminister Sergej"


def test_browser_requests_use_utf16_offsets(annotator) -> None:
    text = annotator.passage_text
    start = text.index("Donald Trump")
    annotator.request = {"action": "add", "start": start, "end": start + 12, "tag": "actor",
                         "comment": "", "n": 1}  # fmt: skip
    assert [a.exact for a in annotator.annotations()] == ["Donald Trump"]
    assert annotator.spans[0]["start"] == start and annotator.spans[0]["tag"] == "actor"
    annotator.request = {"action": "goto", "delta": 1, "n": 2}
    assert annotator.passage_label.startswith("p15 · russian-readout (de) · passage 2 of 6")
    annotator.request = {"action": "add", "start": 0, "end": 3, "tag": "villain", "n": 3}
    assert annotator.status.startswith("not done: tag set 'diplomatic-discourse' has no label")


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

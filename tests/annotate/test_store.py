"""The annotation store: append-only, locked, replayed; damaged lines and changed texts reported."""

from __future__ import annotations

import json
import multiprocessing
from dataclasses import replace
from pathlib import Path

from corpus_tools import Document
from corpus_tools.annotate import AnnotationStore, load_tagsets, make_annotation

from ..conftest import CORPUS, tag_phrase


def test_store_keeps_history_and_replays_edits_and_deletions(
    doc: Document, tagsets, tmp_path: Path
) -> None:
    store = AnnotationStore.for_annotator("Ada Lovelace", tmp_path)
    assert store.path.name == "Ada_Lovelace.jsonl"
    actor = tag_phrase(doc, tagsets, "Beide Seiten", "actor")
    commitment = tag_phrase(doc, tagsets, "kamen überein", "commitment")
    store.add(actor)
    store.add(commitment)
    store.edit(replace(commitment, comment="a formal verb"))
    store.delete(actor.id)
    report = store.load({doc.id: doc.text})
    assert [(a.tag, a.comment) for a in report.annotations] == [("commitment", "a formal verb")]
    assert _events(store.path) == ["add", "add", "edit", "delete"]
    assert not report.skipped and not report.moved and not report.orphans


def test_truncated_last_line_is_reported_and_the_rest_loads(
    doc: Document, tagsets, tmp_path: Path
) -> None:
    store = AnnotationStore(tmp_path / "ada.jsonl")
    for phrase in ("Beide Seiten", "Die russische Seite"):
        store.add(tag_phrase(doc, tagsets, phrase, "actor"))
    data = store.path.read_bytes()
    store.path.write_bytes(data[: len(data) - 40])  # a crash in the middle of the last write
    report = store.load()
    assert [a.exact for a in report.annotations] == ["Beide Seiten"]
    assert [(p.line, "interrupted" in p.reason) for p in report.skipped] == [(2, True)]
    store.add(
        tag_phrase(doc, tagsets, "Es wurde vereinbart", "commitment")
    )  # the next save still works
    assert [a.exact for a in store.load().annotations] == ["Beide Seiten", "Es wurde vereinbart"]


def test_changed_text_reanchors_by_quote_or_reports_orphans(
    doc: Document, tagsets, tmp_path: Path
) -> None:
    store = AnnotationStore(tmp_path / "ada.jsonl")
    kept = tag_phrase(doc, tagsets, "S. Whitkoff", "wrong name")
    lost = tag_phrase(doc, tagsets, "Raumfahrt", "hedge")
    store.add_many([kept, lost])
    changed = "Ein neuer erster Satz. " + doc.text.replace("Raumfahrt", "Luftfahrt")
    report = store.load({doc.id: changed})
    [moved] = report.moved
    assert moved.new == (kept.start + 23, kept.end + 23)
    assert changed[moved.new[0] : moved.new[1]] == "S. Whitkoff"
    assert [o.exact for o in report.orphans] == ["Raumfahrt"]
    assert repr(report) == "<LoadReport ada.jsonl: 1 annotations, 1 re-anchored, 1 orphaned>"


def test_a_quote_without_its_context_is_orphaned_not_guessed(
    doc: Document, tagsets, tmp_path: Path
) -> None:
    store = AnnotationStore(tmp_path / "ada.jsonl")
    store.add(tag_phrase(doc, tagsets, "Beide Seiten", "actor"))
    text = "Beide Seiten. Beide Seiten."
    assert [o.exact for o in store.load({doc.id: text}).orphans] == ["Beide Seiten"]


def test_between_identical_copies_the_nearest_wins(doc: Document, tagsets, tmp_path: Path) -> None:
    store = AnnotationStore(tmp_path / "ada.jsonl")
    note = tag_phrase(doc, tagsets, "Beide Seiten", "actor")
    store.add(note)
    paragraph = doc.text[note.start - 40 : note.end + 40]
    text = "Neu. " + doc.text[: note.start - 40] + paragraph + paragraph + doc.text[note.end + 40 :]
    report = store.load({doc.id: text})
    assert [m.new for m in report.moved] == [(note.start + 5, note.end + 5)]


def _append_many(path: str, prefix: str, count: int) -> None:
    from corpus_tools.annotate import AnnotationStore

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


def _events(path: Path) -> list[str]:
    """The kinds of event in an annotation file, read as plain JSON lines."""
    return [json.loads(line)["event"] for line in path.read_text(encoding="utf-8").splitlines()]

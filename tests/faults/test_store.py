"""Fault injection for the annotation store and the annotator: ill-shaped lines, torn writes,
duplicate ids, failing saves, colliding names and changed texts.  Each case checks what the
user is told (the line, the file or the fault) and that no good annotation is lost."""

from __future__ import annotations

import codecs
import errno
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from filelock import FileLock

from corpus_tools import Document
from corpus_tools.annotate import Annotation, AnnotationStore, TagSet, make_annotation
from corpus_tools.annotate import store as store_module
from corpus_tools.errors import AnnotationError, SaveError

PARAGRAPH = (
    "Die Delegationen beider Länder trafen sich am Dienstag in Riad, der Hauptstadt "
    "Saudi-Arabiens, zu ersten Gesprächen über die Lage."
)
TEXT = (
    "Beide Seiten kamen überein, die Gespräche fortzusetzen.\n\n"
    + PARAGRAPH
    + "\n\n"
    + PARAGRAPH  # the source prints this paragraph twice
    + "\n\nEs wurde vereinbart, die Botschafter nach Moskau und Washington zurückzuschicken."
)
DOC = "readout"


@pytest.fixture(scope="module")
def entities(tagsets: dict[str, TagSet]) -> TagSet:
    return tagsets["entities"]


def note(
    entities: TagSet, phrase: str, occurrence: int = 0, *, text: str = TEXT, **kw
) -> Annotation:
    """An annotation of the ``occurrence``-th copy of ``phrase`` in ``text``."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(phrase, start + 1)
    who = kw.pop("creator", "ada")
    return make_annotation(text, DOC, start, start + len(phrase), "place", entities,
                           creator=who, annotation_id=kw.pop("annotation_id", None))  # fmt: skip


def line_of(event: str, annotation: Annotation) -> str:
    return json.dumps({"event": event, "at": "t", "annotation": annotation.to_w3c()})


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


# --- ill-shaped lines ---------------------------------------------------------------------------
ILL_SHAPED = {
    "add without annotation": ('{"event": "add"}', 'an add event without an "annotation"'),
    "edit without annotation": ('{"event": "edit", "at": "t"}', "an edit event without an"),
    "annotation is an array": ('{"event": "add", "annotation": [1, 2]}', "is a JSON array, not"),
    "annotation is a string": ('{"event": "add", "annotation": "Riad"}', "is a JSON string, not"),
    "JSON array line": ('["add", {}]', "not an event but a JSON array"),
    "JSON number line": ("42", "not an event but a JSON number"),
    "JSON string line": ('"add"', "not an event but a JSON string"),
    "JSON null line": ("null", "not an event but a JSON null"),
    "unknown event": ('{"event": "rename", "id": "x"}', "unknown event 'rename'"),
    "event is a list": ('{"event": ["add"]}', "unknown event ['add']"),
    "delete of unknown id": ('{"event": "delete", "id": "urn:x"}', "deletes 'urn:x', which does"),
    "delete without id": ('{"event": "delete"}', 'a delete without an "id"'),
    "annotation without target": ('{"event": "add", "annotation": {"id": "a"}}', "missing or bad"),
    "not JSON": ("{'event': 'add'}", "not a complete JSON line"),
    "invalid UTF-8": ('{"event": "add", "x": "\\xff"}', "not a complete JSON line"),
    "nested too deep": ("[" * 100_000 + "]" * 100_000, "not a complete JSON line"),
}


@pytest.mark.parametrize("line, reason", ILL_SHAPED.values(), ids=ILL_SHAPED.keys())
def test_an_ill_shaped_line_is_skipped_with_its_number_and_the_rest_loads(
    entities: TagSet, tmp_path: Path, line: str, reason: str
) -> None:
    before, after = note(entities, "Riad"), note(entities, "Moskau")
    path = tmp_path / "ada.jsonl"
    write_lines(path, [line_of("add", before), "", line, line_of("add", after)])
    # a byte that is not UTF-8, as a broken editor may leave
    path.write_bytes(path.read_bytes().replace(b"\\xff", b"\xff"))
    report = AnnotationStore(path).load({DOC: TEXT})
    [problem] = report.skipped
    assert problem.line == 3 and reason in problem.reason
    assert report.annotations == [before, after]
    assert f"{path.name}: 2 annotations, 1 damaged lines skipped" in repr(report)


def test_a_file_an_editor_began_with_a_byte_order_mark_loads_whole(
    entities: TagSet, tmp_path: Path
) -> None:
    first, second = note(entities, "Riad"), note(entities, "Moskau")
    path = tmp_path / "ada.jsonl"
    write_lines(path, [line_of("add", first)])
    path.write_bytes(codecs.BOM_UTF8 + path.read_bytes())  # as Notepad saves UTF-8
    AnnotationStore(path).add(second)
    report = AnnotationStore(path).load({DOC: TEXT})
    assert report.annotations == [first, second] and not report.skipped


def test_a_bad_span_in_an_otherwise_good_record_is_named(entities: TagSet, tmp_path: Path) -> None:
    good, data = note(entities, "Riad"), note(entities, "Moskau").to_w3c()
    data["target"]["selector"][0].update(start=5, end=5)
    path = write_lines(tmp_path / "ada.jsonl", [json.dumps({"event": "add", "annotation": data}),
                                                 line_of("add", good)])  # fmt: skip
    report = AnnotationStore(path).load()
    assert [(p.line, "span [5, 5) is empty" in p.reason) for p in report.skipped] == [(1, True)]
    assert report.annotations == [good]


# --- torn writes --------------------------------------------------------------------------------
@pytest.mark.parametrize("cut", [1, 0.5, -2], ids=["first byte", "half", "all but the brace"])
def test_a_torn_last_line_is_reported_and_the_next_save_starts_a_fresh_line(
    entities: TagSet, tmp_path: Path, cut: float
) -> None:
    store = AnnotationStore(tmp_path / "ada.jsonl")
    first, torn, later = (
        note(entities, "Riad"),
        note(entities, "Moskau"),
        note(entities, "Washington"),
    )
    store.add(first)
    size = store.path.stat().st_size
    store.add(torn)
    line = len(store.path.read_bytes()) - size - 1  # without its newline
    keep = size + (int(cut) if cut >= 1 else int(line * cut) if cut > 0 else line + int(cut))
    store.path.write_bytes(store.path.read_bytes()[:keep])
    report = store.load()
    assert report.annotations == [first] and [p.line for p in report.skipped] == [2]
    store.add(later)
    report = store.load()
    assert report.annotations == [first, later] and [p.line for p in report.skipped] == [2]


def test_a_line_cut_just_before_its_newline_is_complete(entities: TagSet, tmp_path: Path) -> None:
    store = AnnotationStore(tmp_path / "ada.jsonl")
    store.add_many([note(entities, "Riad"), note(entities, "Moskau")])
    store.path.write_bytes(store.path.read_bytes()[:-1])
    report = store.load()
    assert len(report.annotations) == 2 and not report.skipped
    store.add(note(entities, "Washington"))
    assert len(store.load().annotations) == 3


def test_a_cut_inside_a_multibyte_character_is_a_damaged_line(
    entities: TagSet, tmp_path: Path
) -> None:
    store = AnnotationStore(tmp_path / "ada.jsonl")
    store.add(note(entities, "Riad"))
    store.add(note(entities, "Länder"))
    data = store.path.read_bytes()
    store.path.write_bytes(data[: data.rindex("ä".encode()) + 1])  # half of "ä"
    report = store.load()
    assert [a.exact for a in report.annotations] == ["Riad"]
    assert [(p.line, "interrupted" in p.reason) for p in report.skipped] == [(2, True)]


# --- duplicate ids and unknown edits ------------------------------------------------------------
def test_an_add_that_reuses_an_id_is_reported_and_the_first_kept(
    entities: TagSet, tmp_path: Path
) -> None:
    first = note(entities, "Riad", annotation_id="urn:same")
    second = note(entities, "Moskau", annotation_id="urn:same")
    path = write_lines(tmp_path / "ada.jsonl", [line_of("add", first), line_of("add", second)])
    report = AnnotationStore(path).load({DOC: TEXT})
    assert report.annotations == [first]
    [problem] = report.skipped
    assert problem.line == 2 and "adds 'urn:same' again (first added on line 1)" in problem.reason


def test_a_file_appended_to_itself_loads_once_and_reports_every_copy(
    entities: TagSet, tmp_path: Path
) -> None:
    store = AnnotationStore(tmp_path / "ada.jsonl")
    notes = [note(entities, "Riad"), note(entities, "Moskau"), note(entities, "Washington")]
    store.add_many(notes)
    store.path.write_bytes(store.path.read_bytes() * 2)  # a copy-and-paste mishap
    report = store.load({DOC: TEXT})
    assert report.annotations == notes
    assert [p.line for p in report.skipped] == [4, 5, 6]


def test_adding_again_after_a_delete_is_no_duplicate(entities: TagSet, tmp_path: Path) -> None:
    store = AnnotationStore(tmp_path / "ada.jsonl")
    riad = note(entities, "Riad")
    store.add(riad)
    store.delete(riad.id)
    store.add(riad)  # the annotator's undo of a delete
    report = store.load({DOC: TEXT})
    assert report.annotations == [riad] and not report.skipped and not report.warnings


@pytest.mark.parametrize("deleted_first", [False, True], ids=["never added", "deleted"])
def test_an_edit_of_an_unknown_id_is_kept_and_reported(
    entities: TagSet, tmp_path: Path, deleted_first: bool
) -> None:
    kept, lost = note(entities, "Moskau"), note(entities, "Riad")
    edited = replace(lost, comment="the capital")
    lines = [line_of("add", kept)]
    if deleted_first:
        lines += [line_of("add", lost), json.dumps({"event": "delete", "id": lost.id})]
    path = write_lines(tmp_path / "ada.jsonl", [*lines, line_of("edit", edited)])
    report = AnnotationStore(path).load({DOC: TEXT})
    assert report.annotations == [kept, edited] and not report.skipped
    [warning] = report.warnings
    assert (
        warning.line == len(lines) + 1 and f"edits {lost.id!r}, which was never" in warning.reason
    )
    assert "1 warnings" in repr(report)


# --- failing saves ------------------------------------------------------------------------------
@contextmanager
def failing(monkeypatch: pytest.MonkeyPatch, name: str, code: int, **how: object) -> Iterator[None]:
    """Make ``os.<name>`` fail with ``code`` (``os.write`` after writing half its bytes; ``os.open``
    only for annotation files)."""
    real = getattr(os, name)

    def fake(*args: object, **kwargs: object) -> object:
        if name == "open" and not str(args[0]).endswith(".jsonl"):
            return real(*args, **kwargs)
        if name == "write":
            fd, data = args
            real(fd, bytes(data)[: len(data) // 2])
        raise OSError(code, os.strerror(code), *([args[0]] if name == "open" else []))

    with monkeypatch.context() as patch:
        patch.setattr(os, name, fake)
        yield


SAVE_FAULTS = {
    "disk full mid-write": ("write", errno.ENOSPC, "the disk is full: free some space"),
    "quota used up": ("write", errno.EDQUOT, "your disk quota is used up"),
    "sync fails": ("fsync", errno.EIO, "free some disk space or choose a folder"),
    "permission denied": ("open", errno.EACCES, "you may not write there"),
    "read-only disk": ("open", errno.EROFS, "the disk is read-only"),
}


@pytest.mark.parametrize("call, code, advice", SAVE_FAULTS.values(), ids=SAVE_FAULTS.keys())
def test_a_failed_save_says_why_and_leaves_the_file_as_it_was(
    entities: TagSet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: str, code: int,
    advice: str,
) -> None:  # fmt: skip
    store = AnnotationStore(tmp_path / "ada.jsonl")
    saved = note(entities, "Riad")
    store.add(saved)
    before = store.path.read_bytes()
    with failing(monkeypatch, call, code), pytest.raises(SaveError) as caught:
        store.add(note(entities, "Moskau"))
    message = str(caught.value)
    assert message.startswith(f"cannot save to {store.path} ({os.strerror(code)})")
    assert "nothing was saved" in message and advice in message
    assert store.path.read_bytes() == before  # no half line left
    store.add(note(entities, "Washington"))
    assert [a.exact for a in store.load().annotations] == ["Riad", "Washington"]


def test_a_file_name_too_long_is_refused_or_reported(tmp_path: Path, entities: TagSet) -> None:
    with pytest.raises(AnnotationError, match=r"too long to name a file \(311 bytes"):
        AnnotationStore.for_annotator("a" * 300, tmp_path)
    store = AnnotationStore(tmp_path / ("b" * 250 + ".jsonl"))  # its lock file's name is too long
    assert store.load().annotations == []
    with pytest.raises(SaveError, match="the file's name is too long: choose a shorter"):
        store.add(note(entities, "Riad"))


def test_a_file_locked_too_long_is_reported(
    entities: TagSet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = AnnotationStore(tmp_path / "ada.jsonl")
    monkeypatch.setattr(store_module, "LOCK_TIMEOUT", 0.2)
    with FileLock(f"{store.path}.lock"), pytest.raises(SaveError, match="locked by another"):
        store.add(note(entities, "Riad"))
    assert not store.path.exists()


# --- the annotator when saving fails --------------------------------------------------------------
@pytest.fixture
def annotator(doc: Document, tagsets: dict[str, TagSet], tmp_path: Path):
    from corpus_tools.annotate.widget import Annotator

    passages = [p for p in doc.paragraphs if p.section.id == "russian-readout"]
    store = AnnotationStore.for_annotator("ada", tmp_path)
    return Annotator(doc, passages, tagsets["diplomatic-discourse"], store, annotator="ada")


def _click_add(widget, phrase: str) -> None:
    start = widget.passage_text.index(phrase)
    widget._handle_custom_msg(
        {"action": "add", "start": start, "end": start + len(phrase), "tag": "actor"}, []
    )


def test_the_annotator_never_says_saved_when_the_disk_is_full(
    annotator, monkeypatch: pytest.MonkeyPatch
) -> None:
    annotator.add_phrase("Donald Trump", "actor")
    before = annotator.store.path.read_bytes()
    with failing(monkeypatch, "write", errno.ENOSPC):
        _click_add(annotator, "Sergej W. Lawrow")
    assert annotator.status.startswith("NOT SAVED (add actor “Sergej W. Lawrow”): cannot save")
    assert "the disk is full" in annotator.status and "saved:" not in annotator.status
    assert [a.exact for a in annotator.annotations()] == ["Donald Trump"]
    assert [s["tag"] for s in annotator.spans] == ["actor"]
    assert annotator.store.path.read_bytes() == before


def test_a_delete_or_undo_that_cannot_be_saved_changes_nothing_and_can_be_retried(
    annotator, monkeypatch: pytest.MonkeyPatch
) -> None:
    trump = annotator.add_phrase("Donald Trump", "actor")
    with failing(monkeypatch, "open", errno.EACCES), pytest.raises(SaveError):
        annotator.delete(trump.id)  # from a notebook cell: the error, and the status says so
    assert annotator.status.startswith("NOT SAVED (delete actor “Donald Trump”)")
    assert [a.id for a in annotator.annotations()] == [trump.id]
    with failing(monkeypatch, "open", errno.EACCES):
        annotator._handle_custom_msg({"action": "undo"}, [])
    assert annotator.status.startswith("NOT SAVED (undo add actor “Donald Trump”)")
    assert [a.id for a in annotator.store.load().annotations] == [trump.id]
    annotator.undo()  # the undo was kept for another try
    assert annotator.annotations() == [] and annotator.store.load().annotations == []
    assert annotator.status.startswith("undone: add actor")


# --- annotator names that give one file ----------------------------------------------------------
NAMESAKES = [("Anna Müller", "Anna_Müller"), ("a/b", "a_b"), ("Zoë Li", "Zoë?Li")]


@pytest.mark.parametrize("first, second", NAMESAKES)
def test_a_second_name_for_the_same_file_is_refused(
    entities: TagSet, tmp_path: Path, first: str, second: str
) -> None:
    store = AnnotationStore.for_annotator(first, tmp_path)
    store.add(note(entities, "Riad", creator=first))
    with pytest.raises(AnnotationError) as caught:
        AnnotationStore.for_annotator(second, tmp_path)
    assert f"gives the file {store.path.name}, which already holds annotations by {first!r}" in (
        str(caught.value)
    )
    assert [
        a.creator for a in AnnotationStore.for_annotator(first, tmp_path).load().annotations
    ] == [first]


def test_two_names_opened_before_either_saves_cannot_share_the_file(
    entities: TagSet, tmp_path: Path
) -> None:
    anna, other = (
        AnnotationStore.for_annotator(n, tmp_path) for n in ("Anna Müller", "Anna_Müller")
    )
    anna.add(note(entities, "Riad", creator="Anna Müller"))
    with pytest.raises(SaveError, match=r"already holds annotations by 'Anna Müller'.*nothing was"):
        other.add(note(entities, "Moskau", creator="Anna_Müller"))
    assert [a.creator for a in anna.load().annotations] == ["Anna Müller"]
    anna.add(note(entities, "Moskau", creator="Anna Müller"))  # its owner still saves


def test_names_that_give_other_files_or_the_same_name_again_are_fine(
    entities: TagSet, tmp_path: Path
) -> None:
    store = AnnotationStore.for_annotator(" Ada ", tmp_path)
    store.add(note(entities, "Riad", creator="Ada"))
    store.add(note(entities, "Moskau", creator="the instructor"))  # an import: another name
    assert AnnotationStore.for_annotator("Ada", tmp_path).path == store.path
    assert AnnotationStore.for_annotator("Ada-B", tmp_path).path.name == "Ada-B.jsonl"


def test_the_annotator_says_not_saved_for_a_name_taken_meanwhile(
    doc: Document, tagsets: dict[str, TagSet], tmp_path: Path
) -> None:
    from corpus_tools.annotate.widget import Annotator

    readout = [p for p in doc.paragraphs if p.section.id == "russian-readout"]
    discourse = tagsets["diplomatic-discourse"]
    late = Annotator(doc, readout, discourse, AnnotationStore.for_annotator("a_b", tmp_path),
                     annotator="a_b")  # fmt: skip
    first = Annotator(doc, readout, discourse, AnnotationStore.for_annotator("a/b", tmp_path),
                      annotator="a/b")  # fmt: skip
    first.add_phrase("Donald Trump", "actor")
    _click_add(late, "Sergej W. Lawrow")
    assert late.status.startswith("NOT SAVED (add actor “Sergej W. Lawrow”): a_b.jsonl already")
    assert late.annotations() == [] and [a.creator for a in first.store.load().annotations] == [
        "a/b"
    ]


# --- re-anchoring after the text changed ---------------------------------------------------------
def _load(path: Path, *notes: Annotation, text: str):
    store = AnnotationStore(path)
    store.add_many(notes)
    return store.load({DOC: text})


def test_an_insertion_before_moves_the_annotation_and_says_so(
    entities: TagSet, tmp_path: Path
) -> None:
    riad = note(entities, "Moskau")
    report = _load(tmp_path / "a.jsonl", riad, text="Vorab: " + TEXT)
    assert [(m.id, m.old, m.new) for m in report.moved] == [
        (riad.id, (riad.start, riad.end), (riad.start + 7, riad.end + 7))
    ]
    [moved] = report.annotations
    assert moved.prefix == ("Vorab: " + TEXT)[moved.start - 32 : moved.start]


def test_a_deleted_quote_is_orphaned(entities: TagSet, tmp_path: Path) -> None:
    lost = note(entities, "Moskau")
    report = _load(tmp_path / "a.jsonl", lost, text=TEXT.replace("Moskau und ", ""))
    assert report.orphans == [lost] and not report.annotations and not report.moved


@pytest.mark.parametrize("copy", [0, 1], ids=["first copy", "second copy"])
def test_between_identical_copies_the_nearest_one_wins(
    entities: TagSet, tmp_path: Path, copy: int
) -> None:
    riad = note(entities, "Riad", copy)
    unchanged = _load(tmp_path / "a.jsonl", riad, text=TEXT)
    assert unchanged.annotations == [riad] and not unchanged.moved  # the old position is right
    shifted = _load(tmp_path / "b.jsonl", riad, text="Vorab: " + TEXT)
    assert [m.new for m in shifted.moved] == [(riad.start + 7, riad.end + 7)]
    assert not shifted.orphans  # equally good copies are no reason to give up


def test_the_quote_at_the_old_place_with_other_context_is_not_kept(
    entities: TagSet, tmp_path: Path
) -> None:
    second = note(entities, "Gespräche", 1)  # "ersten Gesprächen", not "die Gespräche"
    shift = second.start - TEXT.index("Gespräche")
    text = "x" * shift + TEXT  # the first "Gespräche" now stands where the second was
    assert text[second.start : second.end] == "Gespräche"
    report = _load(tmp_path / "a.jsonl", second, text=text)
    assert [m.new for m in report.moved] == [(second.start + shift, second.end + shift)]


def test_a_change_far_inside_the_context_keeps_the_annotation(
    entities: TagSet, tmp_path: Path
) -> None:
    riad = note(entities, "Washington")
    text = TEXT.replace("die Botschafter", "den Botschafter")  # 30 characters before
    report = _load(tmp_path / "a.jsonl", riad, text=text)
    assert report.annotations == [riad] and not report.moved and not report.orphans


def test_a_quote_whose_context_changed_on_both_sides_is_orphaned(
    entities: TagSet, tmp_path: Path
) -> None:
    moskau = note(entities, "Moskau")
    text = TEXT.replace("nach Moskau und", "nahe Moskau, um")
    report = _load(tmp_path / "a.jsonl", moskau, text=text)
    assert text.index("Moskau") == moskau.start  # same place, same quote, other words around
    assert report.orphans == [moskau] and not report.annotations


def test_a_record_whose_span_disagrees_with_its_quote_is_reported_moved(
    entities: TagSet, tmp_path: Path
) -> None:
    moskau = note(entities, "Moskau")
    report = _load(tmp_path / "a.jsonl", replace(moskau, end=moskau.end + 3), text=TEXT)
    assert [(m.old, m.new) for m in report.moved] == [
        ((moskau.start, moskau.end + 3), (moskau.start, moskau.end))
    ]


def test_the_annotator_counts_only_its_own_document_s_orphans(
    doc: Document, tagsets: dict[str, TagSet], tmp_path: Path, entities: TagSet
) -> None:
    from corpus_tools.annotate.widget import Annotator

    store = AnnotationStore.for_annotator("ada", tmp_path)
    store.add(note(entities, "Riad", creator="ada"))  # another document's annotation
    readout = [p for p in doc.paragraphs if p.section.id == "russian-readout"]
    discourse = tagsets["diplomatic-discourse"]
    opened = Annotator(doc, readout, discourse, store, annotator="ada")
    assert "orphaned" not in opened.status and opened.orphans == []
    start = doc.text.index("Beide Seiten")
    gone = make_annotation(doc.text, doc.id, start, start + 12, "actor", discourse, creator="ada")
    store.add(replace(gone, exact="Keine Seite", start=3, end=14))
    opened = Annotator(doc, readout, discourse, store, annotator="ada")
    assert (
        "1 orphaned (their text changed or is gone; kept in the file, not shown): “Keine Seite”"
        in (opened.status)
    )
    assert len(store.load().annotations) == 2  # nothing is deleted from the file

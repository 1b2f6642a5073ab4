"""Fault injection for what leaves the instructor's hands: the student release (stray files in
the corpus, runs killed half-way), the score report (failures half-way, suspicious student
files, hostile names) and the exports (text that would break their formats).

Each case checks the message (the file, line or fault named) and that nothing was lost or
leaked: no answer key's text or id anywhere in a student release.
"""

from __future__ import annotations

import csv
import errno
import html
import io
import os
import sqlite3
import tempfile
import warnings
import zipfile
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import nbformat
import pandas as pd
import pytest

from corpus_tools import Document
from corpus_tools.annotate import AnnotationStore
from corpus_tools.annotate.exports import annotations_frame, write_brat
from corpus_tools.annotate.record import Annotation
from corpus_tools.errors import GradingError, ReleaseError
from corpus_tools.figures import plot_alignment, plot_disagreement, plot_makeup, plot_tag_counts
from corpus_tools.glossary import Term
from corpus_tools.glossary.exports import write_anki, write_deepl, write_table
from corpus_tools.grading import GradingResults, grade, load_class, summary, write_report
from corpus_tools.release import release
from corpus_tools.staging import REPLACED, _host, remove_stale, staging

from ..conftest import dead_pid
from ..test_release import EXERCISES, NAME, fixture_notebook

# None of these cases looks at the score report's disagreement figure.
pytestmark = pytest.mark.usefixtures("no_disagreement_figure")

KEY_ID = "urn:uuid:0ddba11-key-secret"
KEY_TEXT = "THE-KEY-SAYS-p9-AND-p10"
KEY_LINE = f'{{"event": "add", "annotation": {{"id": "{KEY_ID}", "exact": "{KEY_TEXT}"}}}}\n'
RELEASED = ["documents/a.yaml", "exercises/01_fixture.yaml", "exercises/README.md", "sources/a.txt"]


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    folder = tmp_path / "src-notebooks"
    folder.mkdir()
    nbformat.write(fixture_notebook(), folder / NAME)
    return folder


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """The release tests' small corpus, with an answer key whose text and id are known."""
    root = tmp_path / "corpus"
    for name, text in {
        "documents/a.yaml": "id: a\nsource: a.txt\n",
        "sources/a.txt": "Text.",
        "keys/diplomatic-discourse.jsonl": KEY_LINE,
        ".cache/a.layers.json": "{}",
        "exercises/01_fixture.yaml": EXERCISES,
        "exercises/README.md": "How exercises are written.\n",
    }.items():
        _write(root / name, text)
    return root


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _assert_no_key(outdir: Path) -> None:
    """Nothing of the key, nor any exercise answer, anywhere in the student's release."""
    for path in (outdir / "student").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert KEY_ID.encode() not in data and KEY_TEXT.encode() not in data, path
            assert b"[p9, p10]" not in data, path


# --- stray files in the corpus: an allow-list keeps them out, and names them ------------------

HIDDEN = "a hidden file, not read by the corpus"
OUTSIDE_KEYS = "an annotation file (an answer key?) outside keys/, not read by the corpus"
STRAY = [
    ("exercises/01_fixture.yaml~", "not read by the corpus"),
    ("exercises/01_fixture.yaml.bak", "not read by the corpus"),
    ("exercises/01_fixture.yaml.orig", "not read by the corpus"),
    ("exercises/.01_fixture.yaml.swp", HIDDEN),
    ("exercises/.#01_fixture.yaml", HIDDEN),
    ("documents/.draft.yaml", HIDDEN),
    ("keys-old/diplomatic-discourse.jsonl", OUTSIDE_KEYS),
    ("tagsets/diplomatic-discourse.jsonl", OUTSIDE_KEYS),
    ("exercises/old/01_fixture.yaml", "not read by the corpus"),
    ("sources/01_fixture.yaml", "not read by the corpus"),
    ("glossary/terms.yaml.orig", "not read by the corpus"),
    ("keys/diplomatic-discourse.jsonl~", "in keys/, which students never get"),
    ("answers.txt", "not read by the corpus"),
]


@pytest.mark.parametrize(("stray", "reason"), STRAY, ids=[s for s, _ in STRAY])
def test_a_stray_file_stays_out_of_the_release_and_is_named(
    sources: Path, small_corpus: Path, tmp_path: Path, stray: str, reason: str
) -> None:
    secret = KEY_LINE if stray.endswith((".jsonl", "jsonl~")) else EXERCISES + f"# {KEY_TEXT}\n"
    _write(small_corpus / stray, secret)
    before = _files(small_corpus)
    result = release(tmp_path / "out", sources, small_corpus)
    assert _files(tmp_path / "out/student/corpus") == RELEASED  # nothing missing, nothing more
    assert [str(item) for item in result.left_out] == [f"{stray} ({reason})"]
    assert f"left out of the student corpus: 1 file(s)\n  {stray} ({reason})" in result.summary()
    _assert_no_key(tmp_path / "out")
    assert _files(small_corpus) == before  # the instructor's corpus is as it was


def test_many_stray_files_are_counted_and_the_summary_stays_short(
    sources: Path, small_corpus: Path, tmp_path: Path
) -> None:
    for number in range(12):
        _write(small_corpus / f"documents/a.yaml.{number}~", KEY_LINE)
    result = release(tmp_path / "out", sources, small_corpus)
    assert len(result.left_out) == 12
    assert "left out of the student corpus: 12 file(s)" in result.summary()
    assert result.summary().endswith("  and 2 more (Release.left_out)")
    _assert_no_key(tmp_path / "out")


def test_a_source_named_by_its_document_is_copied_whatever_its_suffix(
    sources: Path, small_corpus: Path, tmp_path: Path
) -> None:
    (small_corpus / "sources/a.txt").rename(small_corpus / "sources/a.md")
    _write(small_corpus / "documents/a.yaml", "id: a\nsource: a.md\n")
    result = release(tmp_path / "out", sources, small_corpus)
    assert "sources/a.md" in _files(tmp_path / "out/student/corpus")
    assert result.left_out == ()


# --- runs killed half-way: the next run clears what they left, and only that ------------------


def _left_by(target: Path, kind: str, pid: int, host: str | None = None) -> Path:
    """A staging folder as a run with ``pid`` would have left it, holding a key."""
    folder = target.with_name(f".{target.name}.{kind}-{host or _host()}-{pid}-abc_12x9")
    _write(folder / "answer-key/notebooks/key.txt", KEY_LINE)
    return folder


def test_a_killed_release_leaves_nothing_for_the_next_one(
    sources: Path, small_corpus: Path, tmp_path: Path
) -> None:
    dead = _left_by(tmp_path / "out", "release", dead_pid())
    release(tmp_path / "out", sources, small_corpus)
    assert not dead.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "out", "src-notebooks"]


def test_a_concurrent_or_foreign_staging_folder_is_left_alone(
    sources: Path, small_corpus: Path, tmp_path: Path
) -> None:
    alive = _left_by(tmp_path / "out", "release", os.getppid())  # a live process: a second run
    elsewhere = _left_by(tmp_path / "out", "release", dead_pid(), host="otherhost")
    report = _left_by(tmp_path / "out", "report", dead_pid())  # another kind
    mine = tmp_path / ".out.release-notes"  # a user's folder that only looks similar
    mine.mkdir()
    release(tmp_path / "out", sources, small_corpus)
    assert alive.exists() and elsewhere.exists() and report.exists() and mine.exists()


def test_an_old_versions_staging_folder_goes_once_it_is_an_hour_old(
    sources: Path, small_corpus: Path, tmp_path: Path
) -> None:
    old, fresh = tmp_path / ".out.release-abcd1234", tmp_path / ".out.release-efgh5678"
    for folder in (old, fresh):
        _write(folder / "student/x.txt", KEY_LINE)
    os.utime(old, (0, 0))
    release(tmp_path / "out", sources, small_corpus)
    assert not old.exists() and fresh.exists()


def test_a_release_killed_between_its_renames_gets_the_old_one_back(
    sources: Path, small_corpus: Path, tmp_path: Path
) -> None:
    release(tmp_path / "out", sources, small_corpus)
    aside = tmp_path / f".out.{REPLACED}-{_host()}-{dead_pid()}-1a2b3c4d"
    (tmp_path / "out").rename(aside)  # the killed run renamed it aside, and no more
    with pytest.raises(ReleaseError, match="the folder is not empty"):
        release(tmp_path / "out", sources, small_corpus)  # it is back, so not replaced unasked
    assert not aside.exists() and (tmp_path / "out/answer-key/notebooks" / NAME).is_file()
    release(tmp_path / "out", sources, small_corpus, force=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "out", "src-notebooks"]


def test_a_killed_student_build_leaves_no_answer_key_in_the_students_folder(
    sources: Path, small_corpus: Path, tmp_path: Path
) -> None:
    from corpus_tools.student_copy import sync_student_copy

    student = tmp_path / "student"
    dead = _left_by(student / "release", "build", dead_pid())
    legacy = student / ".student-build-abcd1234"
    _write(legacy / "release/answer-key/notebooks" / NAME, KEY_LINE)
    os.utime(legacy, (0, 0))
    sync_student_copy(student, notebooks=sources, corpus=small_corpus)
    assert not dead.exists() and not legacy.exists()
    assert sorted(p.name for p in student.iterdir()) == [".built.json", "corpus", "notebooks"]
    for path in student.rglob("*"):
        assert not path.is_file() or KEY_ID.encode() not in path.read_bytes(), path


def test_staging_removes_its_folder_when_the_work_fails(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), staging(tmp_path / "out", "release") as folder:
        _write(folder / "half.txt", "half")
        raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []
    assert remove_stale(tmp_path / "out", "release") == []


# --- the score report: whole or not at all; suspicious files noted; hostile names defused -----


def _class(folder: Path, files: dict[str, list[Annotation]]) -> list[Path]:
    for name, made in files.items():
        AnnotationStore(folder / name).add_many(made)
    return [folder / name for name in files]


def _graded(doc: Document, key: list[Annotation], paths: list[Path]) -> GradingResults:
    return grade(key, load_class(paths, {doc.id: doc.text}, key=key), {doc.id: doc})


@pytest.fixture
def report(tmp_path: Path, doc: Document, key: list[Annotation]) -> Path:
    """A report already written in ``tmp_path/report``, as a previous run left it."""
    paths = _class(tmp_path / "class", {"ada.jsonl": _by("ada", key[::2])})
    write_report(_graded(doc, key, paths), tmp_path / "report")
    return tmp_path / "report"


def _by(creator: str, annotations: list[Annotation]) -> list[Annotation]:
    return [replace(a, creator=creator, id=f"urn:uuid:{creator}-{n}") for n, a in
            enumerate(annotations)]  # fmt: skip


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("failing", ["notes.csv", "disagreement.png"])
def test_a_report_that_fails_half_way_leaves_the_old_one_whole(
    report: Path, tmp_path: Path, doc: Document, key: list[Annotation],
    monkeypatch: pytest.MonkeyPatch, failing: str,
) -> None:  # fmt: skip
    import corpus_tools.grading as grading

    before = _snapshot(report)
    parts = grading._parts

    def breaking(results: GradingResults) -> dict:
        found = parts(results)

        def full_disk(path: Path) -> None:
            path.write_bytes(b"half")
            raise OSError(28, "No space left on device")

        return found | {failing: full_disk}

    monkeypatch.setattr(grading, "_parts", breaking)
    paths = _class(tmp_path / "class2", {"bob.jsonl": _by("bob", key[1::2])})
    with pytest.raises(GradingError, match=r"report: cannot write the report \(No space left"):
        write_report(_graded(doc, key, paths), report)
    assert _snapshot(report) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["class", "class2", "report"]


def test_a_killed_reports_staging_folder_goes_with_the_next_report(
    report: Path, tmp_path: Path, doc: Document, key: list[Annotation]
) -> None:
    dead = _left_by(report, "report", dead_pid())
    alive = _left_by(report, "report", os.getppid())
    paths = _class(tmp_path / "class2", {"bob.jsonl": _by("bob", key)})
    write_report(_graded(doc, key, paths), report)
    assert not dead.exists() and alive.exists()
    assert set(pd.read_csv(report / "scores.csv").student) == {"bob"}


def test_a_report_folder_with_other_files_is_refused_and_kept(
    report: Path, doc: Document, key: list[Annotation], tmp_path: Path
) -> None:
    _write(report / "my-marks.xlsx", "the instructor's own marks")
    before = _snapshot(report)
    paths = _class(tmp_path / "class2", {"bob.jsonl": _by("bob", key)})
    with pytest.raises(GradingError, match=r"report: the folder also holds my-marks\.xlsx"):
        write_report(_graded(doc, key, paths), report)
    assert _snapshot(report) == before
    with pytest.raises(GradingError, match=r"my-marks\.xlsx: exists and is not a folder"):
        write_report(_graded(doc, key, paths), report / "my-marks.xlsx")


def _notes_csv(folder: Path) -> list[list[str]]:
    with (folder / "notes.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_a_copy_of_the_key_and_duplicate_ids_are_noted_in_the_report(
    tmp_path: Path, doc: Document, key: list[Annotation]
) -> None:
    paths = _class(tmp_path / "class", {"carl.jsonl": _by("carl", key)})
    twice = tmp_path / "class/dora.jsonl"
    dora = _by("dora", key[:3])
    AnnotationStore(twice).add_many(dora)
    AnnotationStore(twice).add(replace(key[5], creator="dora", id=dora[0].id))  # line 4
    copy = tmp_path / "class/erin.jsonl"  # the key's own file, copied
    AnnotationStore(copy).add_many(key)
    results = _graded(doc, key, [*paths, twice, copy])
    text = summary(results)
    same = "the same 8 span(s) and tag(s) as the answer key"
    perfect = f"{paths[0]}: {same}, exactly: a perfect score, or a copy of the key?"
    copied = f"{copy}: {same}, with the key's own annotation ids: a copy of the key's file"
    duplicate = f"{twice}: line 4: adds {dora[0].id!r} again (first added on line 1)"
    assert perfect in text and copied in text and duplicate in text
    write_report(results, tmp_path / "report")
    rows = _notes_csv(tmp_path / "report")
    assert rows[0] == ["kind", "text"]
    for note in (perfect, copied, duplicate):
        assert any(row[0] == "note" and row[1].startswith(note) for row in rows), note
    dora_row = results.scores.query("student == 'dora' and tag == '(all)' and matching == 'exact'")
    assert dora_row.true_pos.item() == 3  # key[0], key[1] and key[2]: the first add of an id


def test_names_that_look_like_formulas_reach_the_report_as_text(
    tmp_path: Path, doc: Document, key: list[Annotation], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    hostile = Path("=1+2.jsonl")
    AnnotationStore(hostile).add_many(_by("@SUM(A1)", key[:2]) + _by("-x", key[2:3]))
    (tmp_path / "+junk.jsonl").write_text("not annotations\n", encoding="utf-8")
    results = _graded(doc, key, [hostile, Path("+junk.jsonl")])
    write_report(results, "report")
    rows = _notes_csv(tmp_path / "report")
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]
    assert "'+junk.jsonl: not an annotation file" in " ".join(cells)
    assert "'=1+2.jsonl: several creators (-x, @SUM(A1))" in " ".join(cells)
    assert set(pd.read_csv(tmp_path / "report/scores.csv").student) == {"'@SUM(A1)"}


# --- exports: each format's text escaped as it requires, read back by its own reader ----------

HOSTILE = 'a <b>bold</b> & "quoted", tab\there;\nsecond line\r\nthird\u2028fourth \x1f end'


def _term(**change: object) -> Term:
    fields = dict(id="vertrag", de=("Vertrag <neu> & alt",), en=("treaty, the 'so-called'",),
                  pos="noun", gender="m", category="institution", note=HOSTILE)  # fmt: skip
    return replace(Term(**fields), **change)  # type: ignore[arg-type]


def _glossary(*terms: Term) -> Any:
    return SimpleNamespace(terms=list(terms), entities=[], corpus={})


def test_anki_fields_are_escaped_html_and_read_back_as_the_text(tmp_path: Path) -> None:
    term = _term()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # genanki warns of a field with stray HTML
        write_anki(_glossary(term), tmp_path / "terms.apkg")
    with zipfile.ZipFile(tmp_path / "terms.apkg") as package:
        (tmp_path / "collection.anki2").write_bytes(package.read("collection.anki2"))
    with closing(sqlite3.connect(tmp_path / "collection.anki2")) as db:
        (fields,) = db.execute("select flds from notes").fetchone()
    german, english, note, category = fields.split("\x1f")
    assert german == "der Vertrag &lt;neu&gt; &amp; alt" and category == "institution"
    assert english == "treaty, the 'so-called'"
    assert "<b>" not in note and "&lt;b&gt;bold&lt;/b&gt;" in note
    shown = html.unescape(note.replace("<br>", "\n"))
    assert shown.splitlines() == HOSTILE.replace("\x1f", " ").splitlines()  # no text lost


def test_anki_export_leaves_no_database_in_the_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # what every tempfile call uses
    write_anki(_glossary(_term()), tmp_path / "terms.apkg")
    assert list(scratch.iterdir()) == []
    assert sorted(os.listdir(tmp_path)) == ["terms.apkg", "tmp"]


def test_anki_export_cut_off_by_a_full_disk_leaves_the_deck_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "terms.apkg"
    target.write_bytes(b"the deck of last week")
    write_bytes = Path.write_bytes

    def disk_full_half_way(path: Path, data: Any) -> int:
        if path.parent != tmp_path:  # the collection, in its temporary folder
            return write_bytes(path, data)
        write_bytes(path, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(Path, "write_bytes", disk_full_half_way)
    with pytest.raises(OSError, match="No space"):
        write_anki(_glossary(_term()), target)
    assert target.read_bytes() == b"the deck of last week"
    assert os.listdir(tmp_path) == ["terms.apkg"]  # no part of the new deck left


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_glossary_tables_quote_what_they_carry(tmp_path: Path, suffix: str) -> None:
    path = write_table(_glossary(_term()), tmp_path / f"terms{suffix}")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t" if suffix == ".tsv" else ","))
    assert len(rows) == 1
    assert rows[0]["note"] == HOSTILE and rows[0]["de"] == "Vertrag <neu> & alt"
    read = pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",", keep_default_na=False)
    assert read.note.tolist() == [HOSTILE]


def test_deepl_entries_are_one_line_each(tmp_path: Path) -> None:
    term = _term(de=("Vertrag\tneu", "Ver\ntrag", "  "), en=("treaty\r\nnew",))
    path = write_deepl(_glossary(term), tmp_path / "deepl.tsv")
    lines = path.read_text("utf-8").split("\n")
    assert lines == ["Vertrag neu\ttreaty new", "Ver trag\ttreaty new", ""]


def _brat_lines(ann: Path) -> list[list[str]]:
    """brat's standoff format: one annotation per line, fields split by tabs (a text-bound or
    a note line has three, an attribute line two)."""
    rows = [line.split("\t") for line in ann.read_text("utf-8").splitlines()]
    for row in rows:
        assert len(row) == (2 if row[0].startswith("A") else 3), row
    return rows


def test_brat_notes_attributes_and_spans_stay_on_their_lines(
    tmp_path: Path, doc: Document, key: list[Annotation]
) -> None:
    text = "First line\r\nsecond\u2028third part.\nLast."
    odd = {"severity": "very\tbad\nindeed"}
    start, end, last = text.index("line"), text.index(" part"), text.index("Last.")
    one = replace(key[0], doc_id="x", start=start, end=end, exact=text[start:end], comment=HOSTILE,
                  attributes=odd, tag="framing of\tthe war")  # fmt: skip
    two = replace(key[1], doc_id="x", start=last, end=last + 5, exact="Last.", comment="=SUM(A1)")
    txt, ann = write_brat(text, [one, two], tmp_path / "x")
    assert txt.read_bytes().decode("utf-8") == text
    rows = _brat_lines(ann)
    assert [row[0] for row in rows] == ["T1", "A1", "#1", "T2", "#2"]
    t1 = rows[0]
    assert t1[1] == "framing_of_the_war 6 10;12 18;19 24" and t1[2] == "line second third"
    for fragment in t1[1].split(" ", 1)[1].split(";"):
        start, end = map(int, fragment.split())
        assert not set(text[start:end]) & set("\r\n\u2028")
    assert rows[1][1] == "Severity T1 very_bad_indeed"
    assert rows[2][2] == 'a <b>bold</b> & "quoted", tab here; second line third fourth \x1f end'
    assert rows[4] == ["#2", "AnnotatorNotes T2", "=SUM(A1)"]


def test_annotation_table_round_trips_through_csv(tmp_path: Path, key: list[Annotation]) -> None:
    frame = annotations_frame([replace(key[0], comment=HOSTILE)])
    frame.to_csv(tmp_path / "a.csv", index=False)
    with (tmp_path / "a.csv").open(newline="", encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["comment"] == HOSTILE and row["text"] == key[0].exact


MONEY = "costs $5 billion and $6 billion"


def _drawn(fig: Any) -> set[str]:
    """What the figure's texts show once drawn; every one of them as plain text, none as
    mathtext."""
    from matplotlib.text import Text

    fig.savefig(io.BytesIO(), format="png")
    shown = set()
    for artist in fig.findobj(Text):
        text, math = artist._preprocess_math(artist.get_text())
        assert math is False, artist.get_text()
        shown.add(text)
    return shown


def test_tag_counts_draw_dollars_literally() -> None:
    labels = [
        SimpleNamespace(name=MONEY, colour="#55a868"),
        SimpleNamespace(name="$x$", colour="#333333"),
    ]
    tagset = SimpleNamespace(id="us-$-$", labels=labels)
    shown = _drawn(plot_tag_counts([], tagset))
    assert {MONEY, "$x$", "Tags used (us-$-$)"} <= shown


def test_alignment_and_makeup_draw_dollars_literally() -> None:
    sentence = SimpleNamespace(index=0, id="s1", text=MONEY)
    other = SimpleNamespace(index=0, id="s2", text="$a$ und $b$")
    link = SimpleNamespace(us=sentence, russian=other, relation="says $more$")
    alignment = SimpleNamespace(links=[link], relations=["says $more$"])
    assert {f"s1 {MONEY}", "s2 $a$ und $b$", "says $more$"} <= _drawn(plot_alignment(alignment))
    part = SimpleNamespace(id="p$1$", kind="$kind$", start=0, end=10, language="en",
                           provenance=SimpleNamespace(is_translation=False))  # fmt: skip
    doc = SimpleNamespace(title=MONEY, parts=[part])
    assert {f"What “{MONEY}” is made of", "p$1$  ($kind$)"} <= _drawn(plot_makeup(doc))


def test_disagreement_figure_draws_tokens_with_dollars_literally() -> None:
    words = ["$5$", "and", "$6", "billion$"]
    starts = [0, 4, 8, 11]
    tokens = pd.DataFrame({
        "start": starts, "end": [s + len(w) for s, w in zip(starts, words, strict=True)],
        "text": words, "paragraph": "p$1$", "section": "s$x$", "language": "en",
        "disagreement": [0.5, 0.0, 1.0, float("nan")],
    })  # fmt: skip
    shown = _drawn(plot_disagreement(tokens, annotators=2))
    assert {*words, "p$1$", "s$x$ (en)"} <= shown

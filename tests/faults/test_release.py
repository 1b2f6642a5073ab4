"""Fault injection for what leaves the instructor's hands: the student release (stray files in
the corpus, runs killed half-way), the score report (failures half-way, suspicious student
files, hostile names) and the exports (text that would break their formats).

Each case checks the message (the file, line or fault named) and that nothing was lost or
leaked: no answer key's text or id anywhere in a student release.
"""

from __future__ import annotations

import csv
import os
from dataclasses import replace
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from corpus_tools import Document
from corpus_tools.annotate import AnnotationStore
from corpus_tools.annotate.record import Annotation
from corpus_tools.errors import GradingError, ReleaseError
from corpus_tools.grading import GradingResults, grade, load_class, summary, write_report
from corpus_tools.release import release
from corpus_tools.staging import REPLACED, _host, remove_stale, staging

from ..test_release import EXERCISES, NAME, fixture_notebook

KEY_ID = "urn:uuid:0ddba11-key-secret"
KEY_TEXT = "THE-KEY-SAYS-p9-AND-p10"
KEY_LINE = f'{{"event": "add", "annotation": {{"id": "{KEY_ID}", "exact": "{KEY_TEXT}"}}}}\n'
RELEASED = ["documents/a.yaml", "exercises/01_fixture.yaml", "exercises/README.md", "sources/a.txt"]


def _dead_pid() -> int:
    """A process id no process has: above the kernel's maximum."""
    try:
        return int(Path("/proc/sys/kernel/pid_max").read_text()) + 1
    except OSError:
        return 2**31 - 1


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
    dead = _left_by(tmp_path / "out", "release", _dead_pid())
    release(tmp_path / "out", sources, small_corpus)
    assert not dead.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "out", "src-notebooks"]


def test_a_concurrent_or_foreign_staging_folder_is_left_alone(
    sources: Path, small_corpus: Path, tmp_path: Path
) -> None:
    alive = _left_by(tmp_path / "out", "release", os.getppid())  # a live process: a second run
    elsewhere = _left_by(tmp_path / "out", "release", _dead_pid(), host="otherhost")
    report = _left_by(tmp_path / "out", "report", _dead_pid())  # another kind
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
    aside = tmp_path / f".out.{REPLACED}-{_host()}-{_dead_pid()}-1a2b3c4d"
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
    dead = _left_by(student / "release", "build", _dead_pid())
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


class _Figure:
    """Stands in for the disagreement figure, which these cases do not look at (drawing it
    takes a second)."""

    def savefig(self, path: Path, **_: object) -> None:
        Path(path).write_bytes(b"\x89PNG\r\n\x1a\n")


@pytest.fixture(autouse=True)
def _quick_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    import corpus_tools.grading as grading

    monkeypatch.setattr(grading, "_disagreement_figure", lambda _: _Figure())


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
    dead = _left_by(report, "report", _dead_pid())
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
    results = _graded(doc, key, [*paths, twice])
    text = summary(results)
    copied = f"{paths[0]}: the same 8 span(s) and tag(s) as the answer key, exactly"
    duplicate = f"{twice}: duplicate annotation ids (line 4: adds id '{dora[0].id}' again)"
    assert copied in text and duplicate in text and "1 annotation(s) are not scored" in text
    write_report(results, tmp_path / "report")
    rows = _notes_csv(tmp_path / "report")
    assert rows[0] == ["kind", "text"]
    assert any(row[0] == "note" and row[1].startswith(copied) for row in rows)
    assert any(row[0] == "note" and row[1].startswith(duplicate) for row in rows)
    dora_row = results.scores.query("student == 'dora' and tag == '(all)' and matching == 'exact'")
    assert dora_row.true_pos.item() == 3  # key[1], key[2] and key[5]: the last of each id


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

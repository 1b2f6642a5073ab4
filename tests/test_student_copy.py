"""The student's copy that `make lab` opens: built as a release, refreshed without ever writing
over a notebook the student has edited."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from corpus_tools.cli import main
from corpus_tools.student_copy import sync_student_copy

from .conftest import CORPUS, PROJECT


@pytest.fixture
def sources(tmp_path: Path) -> tuple[Path, Path]:
    """Copies of the source notebooks and the corpus that a test may change."""
    notebooks, corpus = tmp_path / "src" / "notebooks", tmp_path / "src" / "corpus"
    shutil.copytree(PROJECT / "notebooks", notebooks, ignore=shutil.ignore_patterns(".*"))
    shutil.copytree(CORPUS, corpus, ignore=shutil.ignore_patterns(".cache"))
    return notebooks, corpus


def _edit(path: Path, cell_id: str, source: str) -> None:
    notebook = nbformat.read(path, as_version=4)
    next(c for c in notebook.cells if c.get("id") == cell_id).source = source
    nbformat.write(notebook, path)


def test_the_copy_is_a_release_without_answers_and_keys(
    tmp_path: Path, sources: tuple[Path, Path]
) -> None:
    notebooks, corpus = sources
    first = sync_student_copy(tmp_path / "student", notebooks=notebooks, corpus=corpus)
    student = tmp_path / "student"
    assert len(first.written) == 8 and not first.kept
    assert "08_instructor_toolkit.ipynb" not in {p.name for p in (student / "notebooks").iterdir()}
    text = (student / "notebooks" / "02_state_department_statement.ipynb").read_text("utf-8")
    assert "BEGIN SOLUTION" not in text and '\\"p7\\"' not in text
    assert not (student / "corpus" / "keys").exists()
    assert (
        "hidden: true"
        in (student / "corpus" / "exercises" / "01_german_commentary.yaml").read_text()
    )
    again = sync_student_copy(student, notebooks=notebooks, corpus=corpus)
    assert again.unchanged and "up to date" in str(again)


def test_a_refresh_keeps_the_students_edits_and_offers_the_new_version(
    tmp_path: Path, sources: tuple[Path, Path]
) -> None:
    notebooks, corpus = sources
    student = tmp_path / "student"
    sync_student_copy(student, notebooks=notebooks, corpus=corpus)
    mine = student / "notebooks" / "02_state_department_statement.ipynb"
    _edit(mine, "58ce9d58", 'agreed_points = ["p7", "p8"]  # my answer')
    (student / "annotations").mkdir()
    (student / "annotations" / "ada.jsonl").write_text("{}\n")
    (student / "corpus" / ".cache").mkdir()
    (student / "corpus" / ".cache" / "layers.json").write_text("{}")
    _edit(notebooks / "02_state_department_statement.ipynb", "732edc6d", "A new explanation.")
    _edit(notebooks / "03_russian_readout_deepl.ipynb", "e8d6e3d5", "## 4. Printed twice")
    (student / "notebooks" / "05_zakharova_and_nato.ipynb").unlink()  # to get it back

    report = sync_student_copy(student, notebooks=notebooks, corpus=corpus)

    assert report.kept == ["02_state_department_statement.ipynb"]
    assert "my answer" in mine.read_text("utf-8")
    newer = (student / "newer" / mine.name).read_text("utf-8")
    assert "A new explanation." in newer and "my answer" not in newer
    assert "Printed twice" in (student / "notebooks" / "03_russian_readout_deepl.ipynb").read_text()
    assert (student / "notebooks" / "05_zakharova_and_nato.ipynb").is_file()
    assert "kept your edited 02_state_department_statement.ipynb" in str(report)
    assert (student / "annotations" / "ada.jsonl").read_text() == "{}\n"
    assert (student / "corpus" / ".cache" / "layers.json").is_file()
    # The student's notebook stays theirs on every later refresh too.
    _edit(notebooks / "02_state_department_statement.ipynb", "732edc6d", "Newer still.")
    later = sync_student_copy(student, notebooks=notebooks, corpus=corpus)
    assert later.kept == [mine.name] and "my answer" in mine.read_text("utf-8")
    record = json.loads((student / ".built.json").read_text())
    assert set(record["notebooks"]) == {p.name for p in (student / "notebooks").glob("*.ipynb")}


def test_the_command_reports_and_a_bad_source_stops_it(
    tmp_path: Path, sources: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    notebooks, corpus = sources
    argv = ["student", str(tmp_path / "student"), "--notebooks", str(notebooks), "--corpus",
            str(corpus)]  # fmt: skip
    assert main(argv) == 0
    assert "8 written" in capsys.readouterr().out
    _edit(notebooks / "01_german_commentary.ipynb", "535f3980", "bridges = []\n### BEGIN SOLUTION")
    assert main(argv) == 1
    assert "01_german_commentary.ipynb" in capsys.readouterr().err
    assert (tmp_path / "student" / "notebooks" / "01_german_commentary.ipynb").is_file()

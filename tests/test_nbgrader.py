"""nbgrader: the README's instructor flow run end to end on one real notebook, and a class's
annotation files scored from nbgrader's submitted/ folder, each student named by their id."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest
import yaml

from corpus_tools import Corpus
from corpus_tools.annotate import AnnotationStore, load_key
from corpus_tools.annotate.assignments import load_assignment
from corpus_tools.annotate.record import Annotation
from corpus_tools.cli import main
from corpus_tools.errors import GradingError, ReleaseError
from corpus_tools.grading import ALL_TAGS
from corpus_tools.nbgrader_course import submitted_annotations, write_source
from corpus_tools.release import CODE_STUB

from .conftest import CORPUS, PROJECT, alembic_in_process, key_span, run_nbgrader

NOTEBOOK = "05_zakharova_and_nato"  # quick to run: no translation, no widget
INSTRUCTORS = "08_instructor_toolkit"
RIGHT, WRONG, OPEN = "05-ex1", "05-ex2", "05-ex3"  # grade ids <id>-answer and <id>-check
_STARTER = '{"s39": "", "s40": "", "s41": "", "s42": ""}'  # the line above the model answer


def answers() -> dict[str, object]:
    """The model answers of the notebook's exercises, by exercise id."""
    data = yaml.safe_load((CORPUS / "exercises" / f"{NOTEBOOK}.yaml").read_text("utf-8"))
    return {exercise["id"]: exercise["answer"] for exercise in data["exercises"]}


def answer(path: Path, changes: dict[str, str]) -> None:
    """Write answer cells of a notebook, by grade_id, as a student does in JupyterLab."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in changes:
            cell.source = changes.pop(grade_id)
    assert not changes, f"no such cells: {changes}"
    nbformat.write(nb, path)


@pytest.mark.usefixtures("glossary")  # layer_cache holds the glossary's forms too
def test_the_readme_flow_grades_a_right_and_a_wrong_answer(
    tmp_path: Path, layer_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's instructor flow: ``corpus-tools release course --nbgrader riyadh``, then in
    ``course/`` ``nbgrader generate_assignment riyadh`` and, after a student's submission,
    ``nbgrader autograde riyadh``. Each command runs in this process (the same apps its console
    command starts, reading the ``nbgrader_config.py`` the release wrote); autograde runs the
    student's notebook in a kernel of its own, as it always does, which finds the corpus's
    layers in the tests' warm cache."""
    notebooks, home = tmp_path / "notebooks", tmp_path / "home"
    notebooks.mkdir()
    for name in (NOTEBOOK, INSTRUCTORS):
        shutil.copy(PROJECT / "notebooks" / f"{name}.ipynb", notebooks)
    monkeypatch.chdir(tmp_path)  # corpus-tools in this process: the same command, started faster
    release = ["release", "course", "--nbgrader", "riyadh"]
    assert main([*release, "--notebooks", str(notebooks), "--corpus", str(CORPUS)]) == 0
    course = tmp_path / "course"
    run_nbgrader(["generate_assignment", "riyadh"], course, home)

    released = course / "release" / "riyadh"
    for folder in (course / "source" / "riyadh", released):
        assert sorted(p.name for p in folder.glob("*.ipynb")) == [f"{NOTEBOOK}.ipynb"]
    assert not (released / "corpus" / "keys").exists()
    exercises = yaml.safe_load((released / "corpus/exercises" / f"{NOTEBOOK}.yaml").read_text())
    assert exercises["hidden"]
    cells = nbformat.read(released / f"{NOTEBOOK}.ipynb", as_version=4).cells
    text = "\n".join(cell.source for cell in cells)
    assert "BEGIN SOLUTION" not in text and 'quote_convention = "German"' not in text
    solution = next(c for c in cells if c.metadata.get("nbgrader", {}).get("solution"))
    assert solution.source == f"speech = {_STARTER}\n{CODE_STUB}"

    student = home / "riyadh"  # the student's copy; they work and save their annotations there
    shutil.copytree(released, student)
    right = answers()["05-speech"]
    answer(student / f"{NOTEBOOK}.ipynb", {
        f"{RIGHT}-answer": f"speech = {right!r}",
        f"{WRONG}-answer": 'quote_convention = "English"',
    })  # fmt: skip
    monkeypatch.chdir(student)
    monkeypatch.delenv("CORPUS_TOOLS_ANNOTATIONS")
    assert AnnotationStore.for_annotator("student").path == student / "annotations/student.jsonl"

    shutil.copytree(student, course / "submitted" / "ada" / "riyadh")
    monkeypatch.setenv("CORPUS_TOOLS_CACHE", str(layer_cache))  # the kernel's first cell: warm
    run_nbgrader(["autograde", "riyadh"], course, home)
    scores = _autograded(course / "gradebook.db", "ada")
    assert scores == {f"{RIGHT}-check": (1.0, 1.0), f"{WRONG}-check": (0.0, 1.0),
                      f"{OPEN}-check": (0.0, 1.0)}  # fmt: skip


def _autograded(database: Path, student: str) -> dict[str, tuple[float, float]]:
    """(score, points) of each autograded cell of the student's notebook, from the gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{database}") as gradebook:
        notebook = gradebook.find_submission_notebook(NOTEBOOK, "riyadh", student)
        return {
            grade.name: (grade.score, grade.max_score)
            for grade in notebook.grades
            if grade.name.endswith("-check")
        }


def test_annotations_travel_with_the_assignment_through_submit_and_collect(
    tmp_path: Path, corpus: Corpus, class_key: list[Annotation], monkeypatch: pytest.MonkeyPatch
) -> None:
    """nbgrader's own exchange, through its Python API (what its commands and its JupyterLab
    extension run): release, a student's annotation saved where the notebooks save it by
    default, submit, collect (the student's copy is made as fetch_assignment makes it)."""
    course, home, exchange = tmp_path / "course", tmp_path / "home", tmp_path / "exchange"
    source = write_source(course, "riyadh", _one_notebook(tmp_path), CORPUS).folder
    shutil.copytree(source, course / "release" / "riyadh", ignore=shutil.ignore_patterns("*.ipynb"))
    exchange.mkdir(mode=0o777)
    alembic_in_process(monkeypatch)  # for the gradebook nbgrader sets up
    api = _exchange(course, exchange)
    _succeeded(api.release_assignment("riyadh"))
    shutil.copytree(course / "release" / "riyadh", home / "riyadh")
    monkeypatch.chdir(home / "riyadh")
    monkeypatch.delenv("CORPUS_TOOLS_ANNOTATIONS")
    doc, tagset = corpus[class_key[0].doc_id], load_assignment("readout-discourse", corpus).tagset
    AnnotationStore.for_annotator("student").add(
        key_span(doc, tagset, *_span(class_key[0]), "student")
    )
    _succeeded(_submit_from(home, api))
    _succeeded(api.collect("riyadh"))
    (path, student), *others = submitted_annotations(course / "submitted").files.items()
    assert not others
    assert path == course / "submitted" / student / "riyadh" / "annotations" / "student.jsonl"
    assert [a.exact for a in AnnotationStore(path).load().annotations] == [class_key[0].exact]


def _exchange(course: Path, exchange: Path) -> Any:
    """nbgrader's API for a course on a local exchange."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.course_id = "riyadh-readouts"
    config.Exchange.root = str(exchange)
    return NbGraderAPI(config=config)


def _submit_from(home: Path, api: Any) -> dict[str, Any]:
    """``nbgrader submit riyadh`` run in ``home``, as a student does."""
    from nbgrader.utils import capture_log, temp_attrs

    with temp_attrs(api.coursedir, assignment_id="riyadh"):
        submit = api.exchange.Submit(coursedir=api.coursedir, authenticator=api.authenticator,
                                     parent=api)  # fmt: skip
        submit.assignment_dir = str(home)
        return capture_log(submit)


def _succeeded(result: dict[str, Any]) -> None:
    assert result["success"], result.get("error") or result.get("log")


def _one_notebook(tmp_path: Path) -> Path:
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(PROJECT / "notebooks" / f"{NOTEBOOK}.ipynb", notebooks)
    return notebooks


# --- scoring a class from nbgrader's submitted/ -----------------------------------------------


def _submit(submitted: Path, student: str, annotations: list[Annotation]) -> Path:
    """``student``'s annotation file as notebook 07 saves it when MY_NAME is left as it is."""
    store = AnnotationStore(submitted / student / "riyadh" / "annotations" / "student.jsonl")
    store.add_many(annotations)
    return store.path


@pytest.fixture
def class_key(corpus: Corpus) -> list[Annotation]:
    scope = load_assignment("readout-discourse", corpus)
    return scope.within(load_key(scope.key, corpus))


def test_score_reads_nbgrader_submitted_and_names_each_student_by_id(
    tmp_path: Path, corpus: Corpus, class_key: list[Annotation], capsys: pytest.CaptureFixture[str]
) -> None:
    doc, tagset = corpus[class_key[0].doc_id], load_assignment("readout-discourse", corpus).tagset
    submitted = tmp_path / "course" / "submitted"
    as_student = [key_span(doc, tagset, a.start, a.end, a.tag, "student") for a in class_key]
    _submit(submitted, "ada", as_student)
    _submit(submitted, "bob", as_student[: len(as_student) // 2])
    (submitted / "eve" / "riyadh").mkdir(parents=True)  # submitted, but annotated nothing
    (submitted / "eve" / "week2" / "annotations").mkdir(parents=True)
    bob = submitted / "bob" / "riyadh" / "annotations" / "student.jsonl"
    shutil.copy(bob, submitted / "eve" / "week2" / "annotations")  # another assignment's
    report = tmp_path / "report"
    status = main(["score", "--assignment", "readout-discourse", "--corpus", str(CORPUS),
                   "--nbgrader", str(submitted), "--out", str(report)])  # fmt: skip
    out = capsys.readouterr().out
    assert status == 0
    assert "2 annotation file(s) of 2 student(s)" in out
    assert "submitted without an annotation file: eve" in out
    scores = pd.read_csv(report / "scores.csv")
    overall = scores[(scores.tag == ALL_TAGS) & (scores.matching == "exact")].set_index("student")
    assert sorted(overall.index) == ["ada", "bob"]
    assert overall.f1["ada"] == 1.0 and overall.recall["bob"] < 1.0


def test_score_names_the_assignments_there_are_when_none_has_annotations(
    tmp_path: Path, corpus: Corpus, class_key: list[Annotation]
) -> None:
    doc = corpus[class_key[0].doc_id]
    tagset = load_assignment("readout-discourse", corpus).tagset
    path = _submit(tmp_path, "ada", [key_span(doc, tagset, *_span(class_key[0]), "student")])
    path.parent.parent.rename(tmp_path / "ada" / "week2")
    with pytest.raises(GradingError, match="the assignments there are week2"):
        submitted_annotations(tmp_path, "riyadh")
    assert main(["score", "--key", "diplomatic-discourse", "--corpus", str(CORPUS)]) == 2
    both = ["score", "--key", "diplomatic-discourse", str(path), "--nbgrader", str(tmp_path)]
    assert main(both) == 2


def _span(annotation: Annotation) -> tuple[int, int, str]:
    return annotation.start, annotation.end, annotation.tag


# --- the assignment's source folder -----------------------------------------------------------


def test_source_folder_is_replaced_only_with_force_and_nothing_else_of_the_course(
    tmp_path: Path,
) -> None:
    notebooks, course = _one_notebook(tmp_path), tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text("c = get_config()\n")  # the instructor's own
    (course / "gradebook.db").write_text("grades")
    made = write_source(course, "riyadh", notebooks, CORPUS)
    assert made.notebooks == (f"{NOTEBOOK}.ipynb",) and not made.config_written
    assert "sets no ClearSolutions.code_stub" in made.summary()
    (made.folder / "stale.txt").write_text("from an earlier run")
    with pytest.raises(ReleaseError, match="has this assignment already; pass --force"):
        write_source(course, "riyadh", notebooks, CORPUS)
    write_source(course, "riyadh", notebooks, CORPUS, force=True)
    assert sorted(p.name for p in made.folder.iterdir()) == [f"{NOTEBOOK}.ipynb", "corpus"]
    kept = ["gradebook.db", "nbgrader_config.py", "source"]
    assert sorted(p.name for p in course.iterdir()) == kept
    assert (course / "nbgrader_config.py").read_text() == "c = get_config()\n"
    with pytest.raises(ReleaseError, match="cannot name an nbgrader assignment"):
        write_source(course, "week+1", notebooks, CORPUS)

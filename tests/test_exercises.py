"""Exercise checks: feedback by kind, hidden answers, nbgrader behaviour, malformed files, and
the reading notebooks' exercises (markup, metadata, solutions that pass their checks)."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from corpus_tools import Corpus
from corpus_tools.corpus.alignment import load_alignment
from corpus_tools.errors import ExerciseError
from corpus_tools.exercises import FeedbackState, check, evaluate, hide_answers, load_exercises

from .conftest import CORPUS, PROJECT

EXERCISES = CORPUS / "exercises"
READING = sorted(
    path for path in (PROJECT / "notebooks").glob("0[1-6]_*.ipynb") if path.stem[:2] != "00"
)


@pytest.fixture
def hidden(tmp_path: Path) -> Path:
    folder = tmp_path / "hidden"
    folder.mkdir()
    for path in EXERCISES.glob("*.yaml"):
        hide_answers(path, folder / path.name)
    return folder


def test_every_kind_says_what_is_right_and_wrong_without_naming_the_answer() -> None:
    partial = evaluate("01-bridges", ["p3", "p4"])
    assert not partial.correct and partial.answered
    text = repr(partial)
    assert "1 of 3 right" in text and "'p4' does not belong" in text and "2 still missing" in text
    extra = repr(evaluate("01-bridges", ["p3", "p13", "p21", "p2"]))
    assert "3 of 3 right" in extra and "'p2' does not belong" in extra and "missing" not in extra
    choice = repr(evaluate("01-ukraine-place", "im Mittelpunkt"))
    assert "'im Mittelpunkt' is not right" in choice and "missing" not in choice
    assert "p13" not in text and "p21" not in text
    mapping = evaluate(
        "03-traces", {"Whitkoff": "misspelt surname", "Uschakow": "misspelt surname"}
    )
    assert "1 of 4 right" in repr(mapping) and "'Uschakow' is not right" in repr(mapping)
    assert "no answer yet for 'the M. of M. Rubio'" in repr(mapping)
    assert evaluate("05-quote-marks", " german. ").correct  # case, spacing, a full stop are free
    assert evaluate("05-disavow", "to take back the promise it made in 2008.").correct
    typographic = repr(evaluate("05-disavow", "to postpone Ukraine’s membership"))
    assert "is not right" in typographic and "not one of the options" not in typographic
    assert not evaluate("01-ukraine-place", "im Mittelpunkt").correct


def test_unanswered_and_malformed_answers_get_a_message_not_an_exception() -> None:
    assert not evaluate("01-bridges", []).answered
    assert evaluate("01-bridges", []).state is FeedbackState.OPEN
    assert evaluate("01-bridges", ["p1"]).state is FeedbackState.WRONG
    assert "border-left:4px solid var(--jp-error-color1,#c62828)" in (
        evaluate("01-bridges", ["p1"])._repr_html_()
    )
    assert "not answered yet" in repr(evaluate("02-credit", ""))
    assert "should be a list" in repr(evaluate("01-bridges", "p3"))
    assert "not one of the options" in repr(evaluate("04-economy-condition", "Moscow"))
    assert "not one of the items" in repr(evaluate("05-speech", {"s1": "contains direct speech"}))


def test_answers_from_pandas_or_numpy_and_repeated_items_are_checked_fairly(
    tmp_path: Path,
) -> None:
    assert evaluate("01-bridges", pd.Series(["p3", "p13", "p21"])).correct
    assert evaluate("01-bridges", np.array(["p21", "p13", "P3"])).correct
    assert not evaluate("01-bridges", pd.Series([], dtype=str)).answered
    assert not evaluate("01-bridges", "   ").answered
    repeated = evaluate("01-bridges", ["p3", "P3", " p3 ", "p13"])  # one item, not three
    assert not repeated.correct and "2 of 3 right" in repr(repeated)
    (tmp_path / "09_count.yaml").write_text(
        "notebook: 09_count\nexercises:\n  - id: 09-n\n    kind: number\n"
        "    question: How many?\n    answer: 26\n    hint: Count them.\n",
        encoding="utf-8",
    )
    assert evaluate("09-n", np.int64(26), folder=tmp_path).correct
    assert evaluate("09-n", 26, folder=tmp_path).correct
    assert not evaluate("09-n", 25, folder=tmp_path).correct
    assert "whole number" in repr(evaluate("09-n", True, folder=tmp_path))
    assert "whole number" in repr(evaluate("09-n", "26", folder=tmp_path))


def test_hidden_answers_check_the_same_and_do_not_contain_the_answers(hidden: Path) -> None:
    released = (hidden / "03_russian_readout_deepl.yaml").read_text(encoding="utf-8")
    assert "Whitkoff: misspelt surname" not in released and "p19" not in released
    cases = {
        "01-bridges": [["p3", "p13", "p21"], ["p3", "p2"]],
        "02-commitment": [["agreed to", "pledge"], ["wants", "pledge"]],
        "03-traces": [{"Whitkoff": "misspelt surname", "Uschakow": "misspelt surname"}],
        "04-relations": [{"s14 ↔ s27": "condition differs"}, {"s8 ↔ s21": "says less"}],
        "05-disavow": [
            "to take back the promise it made in 2008",
            "to close its office in Bucharest",
        ],
    }
    for exercise_id, answers in cases.items():
        for answer in answers:
            plain = evaluate(exercise_id, answer, folder=EXERCISES)
            secret = evaluate(exercise_id, answer, folder=hidden)
            assert (plain.correct, plain.lines) == (secret.correct, secret.lines)


def test_check_shows_feedback_and_fails_only_under_nbgrader(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check("01-hedges", ["eher"]) is None  # nothing nbgrader could take for a score
    assert "✗ 01-hedges: 1 of 2 right." in capsys.readouterr().out
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(AssertionError, match="01-hedges"):
        check("01-hedges", ["eher"])
    check("01-hedges", ["eher", "schienen"])
    assert "✓ 01-hedges: right." in capsys.readouterr().out


def test_hiding_hidden_answers_again_is_refused(hidden: Path, tmp_path: Path) -> None:
    with pytest.raises(ExerciseError, match="hidden already"):
        hide_answers(hidden / "01_german_commentary.yaml", tmp_path / "again.yaml")


def test_unknown_exercise_lists_the_known_ones() -> None:
    with pytest.raises(ExerciseError, match=r"no exercise '01-nothing'.*01-bridges"):
        evaluate("01-nothing", [])


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("kind: set", "kind: sets", "unknown kind 'sets'"),
        ("answer: eher am Rande", "answer: am Rande", "'am Rande' is not one of the options"),
        ("id: 01-hedges", "id: 01-bridges", "exercise id '01-bridges' is used twice"),
        ("notebook: 01_german_commentary", "notebook: 02_other", "must name the notebook"),
    ],
)
def test_malformed_exercise_files_name_file_and_line(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    folder = tmp_path / "exercises"
    shutil.copytree(EXERCISES, folder)
    path = folder / "01_german_commentary.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ExerciseError, match=message) as caught:
        load_exercises(folder)
    assert f"{path}:" in str(caught.value)


def test_alignment_exercises_agree_with_the_alignment_file(corpus: Corpus) -> None:
    alignment = load_alignment(corpus)
    relations = {
        f"{link.us.id} ↔ {link.russian.id}": link.relation
        for link in alignment.links
        if link.us and link.russian
    }
    exercise = load_exercises()["04-relations"]
    assert set(exercise.options) == set(alignment.relations)
    answers = {pair: relations[pair] for pair in exercise.items}
    assert evaluate("04-relations", answers).correct
    without = {link.russian.id for link in alignment.links if link.us is None}
    assert evaluate("04-only-in-readout", "s32").correct and "s32" in without
    assert not {"s23", "s24", "s28"} & without


def test_a_mapping_accepts_every_defensible_reading(hidden: Path) -> None:
    for folder in (None, hidden):
        for reading in ("partial overlap", "says less"):
            answer = {"s8 ↔ s21": reading, "s13 ↔ s22": "weaker commitment",
                      "s14 ↔ s27": "condition differs", "s19 ↔ s31": "says more"}  # fmt: skip
            assert evaluate("04-relations", answer, folder=folder).correct, (folder, reading)
        typed = {key.replace("↔", "<->"): value for key, value in answer.items()}
        assert evaluate("04-relations", typed, folder=folder).correct  # as a keyboard types it
        wrong = evaluate("04-relations", {**answer, "s8 ↔ s21": "equivalent"}, folder=folder)
        assert "3 of 4 right" in repr(wrong)


def _cells(path: Path) -> list[nbformat.NotebookNode]:
    return nbformat.read(path, as_version=4).cells


def _is_check(cell: nbformat.NotebookNode) -> bool:
    grader = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and grader.get("grade") and not grader.get("solution")


def test_every_reading_notebook_has_an_exercise_file() -> None:
    assert [p.stem[:2] for p in READING] == ["01", "02", "03", "04", "05", "06"]
    assert sorted(p.stem for p in EXERCISES.glob("*.yaml")) == [p.stem for p in READING]


@pytest.mark.parametrize("path", READING, ids=lambda p: p.stem)
def test_reading_notebook_has_goals_exercises_and_a_summary(path: Path) -> None:
    cells = _cells(path)
    opening, closing = cells[0].source, cells[-1].source
    assert "**Learning goals.**" in opening and "**Time:**" in opening
    assert "**Texts:**" in opening
    assert "## Summary" in closing and "**Next:**" in closing
    least = 2 if path.stem.startswith("06") else 3  # the translation lab also has a written one
    assert len([c for c in cells if _is_check(c)]) >= least
    ids = {c.metadata.nbgrader.grade_id for c in cells if "nbgrader" in c.metadata}
    assert len(ids) == sum("nbgrader" in c.metadata for c in cells)  # grade ids are unique
    for cell in cells:
        grader = cell.get("metadata", {}).get("nbgrader", {})
        if grader.get("solution"):
            assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
        if grader.get("grade"):  # autograded checks, and written answers graded by hand
            assert grader["points"] > 0 and grader["locked"] == (not grader["solution"])


@pytest.mark.parametrize("path", READING, ids=lambda p: p.stem)
def test_every_solution_passes_its_check_and_every_exercise_is_asked(path: Path) -> None:
    cells = _cells(path)
    exercises = {e.id for e in load_exercises().values() if e.notebook == path.stem}
    asked = set()
    for answer, checking in itertools.pairwise(cells):
        if not _is_check(checking):
            continue
        namespace: dict[str, object] = {"check": evaluate}
        exec(answer.source, namespace)  # the answer cells only assign values
        feedback = eval(checking.source, namespace)  # the same call, returning the feedback
        assert feedback.correct, repr(feedback)
        asked.add(feedback.exercise)
    assert asked == exercises


@pytest.mark.parametrize("path", sorted((PROJECT / "notebooks").glob("*.ipynb")), ids=str)
def test_stored_notebooks_carry_no_execution_timestamps(path: Path) -> None:
    cells = nbformat.read(path, as_version=4).cells
    assert not [i for i, cell in enumerate(cells) if "execution" in cell.metadata], (
        f"{path.name}: store it with `make notebooks NB={path.relative_to(PROJECT)}`"
    )

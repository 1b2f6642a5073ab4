"""`corpus-tools release`: student notebooks without solutions, an answer key, a student corpus
without answer keys; nothing half-written; the real notebooks stay valid nbgrader sources."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from corpus_tools.cli import main
from corpus_tools.errors import CorpusError, ReleaseError
from corpus_tools.exercises import evaluate, load_exercises
from corpus_tools.release import CODE_STUB, cell_source, check_notebook, for_instructors, release

from .conftest import CORPUS, PROJECT, run_nbgrader

NOTEBOOKS = PROJECT / "notebooks"
NAME = "01_fixture.ipynb"
MODEL_ANSWER = 'agreed_points = ["p9", "p10"]'
WRITTEN_ANSWER = "The readout never names the war."
EXERCISES = """\
notebook: 01_fixture
exercises:
  - id: fx-points
    kind: set
    question: Which paragraphs hold the agreed points?
    answer: [p9, p10]
    hint: Look for the list.
"""


def grader_meta(
    grade_id: str, *, grade: bool = False, solution: bool = False, **extra: Any
) -> dict:
    meta = {"grade": grade, "solution": solution, "locked": grade and not solution}
    meta |= {"task": False, "grade_id": grade_id, "schema_version": 3, **extra}
    return {"nbgrader": meta}


def fixture_notebook() -> nbformat.NotebookNode:
    """An exercise as the notebooks write them, with plain Python in the check cell."""
    ran = new_code_cell("print('setup')", execution_count=1)
    ran.outputs = [new_output("stream", name="stdout", text="setup\n")]
    cells = [
        new_markdown_cell("# A fixture"),
        ran,
        new_markdown_cell("Which paragraphs hold the agreed points?"),
        new_code_cell(
            "agreed_points = []  # paragraph ids\n### BEGIN SOLUTION\n"
            f"{MODEL_ANSWER}\n### END SOLUTION",
            metadata=grader_meta("01-ex1-answer", solution=True),
        ),
        new_code_cell(
            'print("your answer:", agreed_points)\n### BEGIN HIDDEN TESTS\n'
            'assert agreed_points == ["p9", "p10"]\n### END HIDDEN TESTS',
            metadata=grader_meta("01-ex1-check", grade=True, points=1),
        ),
        new_markdown_cell(
            f"### BEGIN SOLUTION\n{WRITTEN_ANSWER}\n### END SOLUTION",
            metadata=grader_meta("01-ex2-answer", grade=True, solution=True, points=2),
        ),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Py"}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    folder = tmp_path / "src-notebooks"
    folder.mkdir()
    nbformat.write(fixture_notebook(), folder / NAME)
    return folder


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    for name, text in {
        "documents/a.yaml": "id: a\n",
        "sources/a.txt": "Text.",
        "keys/01-ex1.jsonl": '{"secret": "answer key"}\n',
        ".cache/a.layers.json": "{}",
        "exercises/01_fixture.yaml": EXERCISES,
        "exercises/README.md": "How exercises are written.\n",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def released(outdir: Path, kind: str = "student") -> nbformat.NotebookNode:
    return nbformat.read(outdir / kind / "notebooks" / NAME, as_version=4)


def broken(sources: Path, cell: int, **change: Any) -> Path:
    """Change one cell of the fixture notebook (``source`` or nbgrader metadata fields)."""
    nb = fixture_notebook()
    target = nb.cells[cell]
    if "source" in change:
        target.source = change.pop("source")
    if change:
        meta = target.metadata["nbgrader"]
        meta.update(change)
        for key in [k for k, v in meta.items() if v is None]:
            del meta[key]
    nbformat.write(nb, sources / NAME)
    return sources


# --- what the release holds -------------------------------------------------------------------


def test_student_notebook_has_no_solutions_and_no_outputs(
    sources: Path, small_corpus: Path, tmp_path: Path
) -> None:
    result = release(tmp_path / "out", sources, small_corpus)
    nb = released(tmp_path / "out")
    text = "\n".join(cell.source for cell in nb.cells)
    assert MODEL_ANSWER not in text and WRITTEN_ANSWER not in text
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    assert nb.cells[3].source == f"agreed_points = []  # paragraph ids\n{CODE_STUB}"
    assert nb.cells[5].source == "YOUR ANSWER HERE"
    assert all(c.outputs == [] and c.execution_count is None for c in nb.cells if "outputs" in c)
    assert "widgets" not in nb.metadata
    assert result.student_notebooks == (tmp_path.resolve() / "out/student/notebooks" / NAME,)
    assert (result.solution_cells, result.check_cells) == (2, 1)


def test_cell_source_finds_a_cell_by_its_grade_id(
    sources: Path, small_corpus: Path, tmp_path: Path
) -> None:
    release(tmp_path / "out", sources, small_corpus)
    grade_id = released(tmp_path / "out").cells[3].metadata["nbgrader"]["grade_id"]
    student = cell_source(tmp_path / "out/student/notebooks" / NAME, grade_id)
    assert student == f"agreed_points = []  # paragraph ids\n{CODE_STUB}"
    assert MODEL_ANSWER in cell_source(sources / NAME, grade_id)
    with pytest.raises(ReleaseError, match=f"{NAME}: no cell has grade_id 'nope'"):
        cell_source(sources / NAME, "nope")


def test_notebook_for_instructors_goes_only_into_the_answer_key(
    sources: Path, small_corpus: Path, tmp_path: Path
) -> None:
    nb = fixture_notebook()
    nb.metadata["corpus_tools"] = {"audience": "instructors"}
    nbformat.write(nb, sources / "08_for_instructors.ipynb")
    result = release(tmp_path / "out", sources, small_corpus)
    assert [p.name for p in result.student_notebooks] == [NAME]
    assert sorted(p.name for p in result.answer_keys) == [NAME, "08_for_instructors.ipynb"]
    assert not (tmp_path / "out/student/notebooks/08_for_instructors.ipynb").exists()


def test_check_cells_are_kept_and_locked(sources: Path, small_corpus: Path, tmp_path: Path) -> None:
    release(tmp_path / "out", sources, small_corpus)
    check_cell = released(tmp_path / "out").cells[4]
    assert check_cell.source == 'print("your answer:", agreed_points)'
    assert check_cell.metadata["editable"] is False and check_cell.metadata["deletable"] is False
    meta = check_cell.metadata["nbgrader"]
    assert meta["grade"] and meta["locked"] and meta["points"] == 1 and len(meta["checksum"]) == 32
    answer = released(tmp_path / "out").cells[3]
    assert answer.metadata["deletable"] is False and "editable" not in answer.metadata


def test_answer_key_keeps_solutions_without_markers(
    sources: Path, small_corpus: Path, tmp_path: Path
) -> None:
    result = release(tmp_path / "out", sources, small_corpus)
    nb = released(tmp_path / "out", "answer-key")
    assert nb.cells[3].source == f"agreed_points = []  # paragraph ids\n{MODEL_ANSWER}"
    assert nb.cells[5].source == WRITTEN_ANSWER
    assert nb.cells[4].source.count("HIDDEN TESTS") == 2  # the instructor's tests stay
    assert nb.cells[1].outputs[0]["text"] == "setup\n"
    assert result.answer_keys == (tmp_path.resolve() / "out/answer-key/notebooks" / NAME,)


def test_student_corpus_has_no_keys_and_hidden_answers(
    sources: Path, small_corpus: Path, tmp_path: Path
) -> None:
    result = release(tmp_path / "out", sources, small_corpus)
    corpus = tmp_path / "out/student/corpus"
    assert sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*") if p.is_file()) == [
        "documents/a.yaml",
        "exercises/01_fixture.yaml",
        "exercises/README.md",
        "sources/a.txt",
    ]
    assert result.corpus_files == 4
    assert result.hidden_exercises == (corpus.resolve() / "exercises/01_fixture.yaml",)
    hidden = (corpus / "exercises/01_fixture.yaml").read_text("utf-8")
    assert "p9" not in hidden and "p10" not in hidden
    exercise = load_exercises(corpus / "exercises")["fx-points"]
    assert exercise.hidden
    assert evaluate("fx-points", ["p10", "p9"], folder=corpus / "exercises").correct
    assert not evaluate("fx-points", ["p9", "p11"], folder=corpus / "exercises").correct


def test_summary_names_folders_and_counts(
    sources: Path, small_corpus: Path, tmp_path: Path
) -> None:
    summary = release(tmp_path / "out", sources, small_corpus).summary()
    assert f"{tmp_path.resolve() / 'out/student/notebooks'} ({NAME})" in summary
    assert "1 exercise file(s) with hidden answers" in summary
    assert summary.endswith(
        "1 notebook(s): 2 solution cell(s) cleared, 1 check cell(s) kept and locked"
    )


# --- bad source notebooks ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "change", "expected"),
    [
        (3, {"source": "agreed_points = []"}, "01-ex1-answer'): a solution cell without"),
        (3, {"source": MODEL_ANSWER + "\n### END SOLUTION"}, "END SOLUTION without"),
        (3, {"source": "x = 1\n### BEGIN SOLUTION\nx = 2"}, "BEGIN SOLUTION has no"),
        (3, {"source": "### BEGIN SOLUTION\nx = 2\n### END SOLUTION"}, "nothing outside"),
        (4, {"grade_id": "01-ex1-answer"}, "is also used by cell 4"),
        (4, {"points": None}, "01-ex1-check'): invalid nbgrader metadata (nbgrader cell"),
        (4, {"grade_id": "bad id!"}, "invalid nbgrader metadata ('bad id!' does not match"),
        (5, {"grade": False}, "markdown solution cell must also be a grade cell"),
        (2, {"source": "### BEGIN SOLUTION\nx\n### END SOLUTION"}, "not an nbgrader solution"),
    ],
)
def test_bad_source_notebook_names_notebook_and_cell(
    sources: Path, small_corpus: Path, tmp_path: Path, cell: int, change: dict, expected: str
) -> None:
    broken(sources, cell, **change)
    with pytest.raises(ReleaseError) as caught:
        release(tmp_path / "out", sources, small_corpus)
    message = str(caught.value)
    assert message.startswith(f"{sources / NAME}: cell {cell + 1} of 6 (")
    assert expected in message
    assert not (tmp_path / "out").exists()


def test_every_bad_notebook_is_listed(sources: Path, small_corpus: Path, tmp_path: Path) -> None:
    broken(sources, 4, grade_id="01-ex1-answer")
    shutil.copy(sources / NAME, sources / "02_fixture.ipynb")
    nbformat.write(fixture_notebook(), sources / "00_fine.ipynb")
    with pytest.raises(ReleaseError) as caught:
        release(tmp_path / "out", sources, small_corpus)
    first, second = str(caught.value).split("\n")
    assert first.startswith(f"{sources / NAME}: cell 5 of 6 (grade_id '01-ex1-answer')")
    assert second.startswith(f"{sources / '02_fixture.ipynb'}: cell 5 of 6")


def test_metadata_that_is_not_a_mapping(sources: Path) -> None:
    nb = fixture_notebook()
    nb.cells[4].metadata["nbgrader"] = ["grade"]
    (sources / NAME).write_text(nbformat.writes(nb), encoding="utf-8")
    with pytest.raises(
        ReleaseError, match=r"cell 5 of 6 \(code cell starting 'print.*not a mapping"
    ):
        check_notebook(sources / NAME)


def test_not_a_notebook(sources: Path, tmp_path: Path) -> None:
    (sources / NAME).write_text("{not json", encoding="utf-8")
    with pytest.raises(ReleaseError, match=r"01_fixture.ipynb: not a readable notebook"):
        check_notebook(sources / NAME)


# --- never half-written -----------------------------------------------------------------------


def test_failure_late_in_the_release_leaves_nothing(
    sources: Path, small_corpus: Path, tmp_path: Path
) -> None:
    (small_corpus / "exercises/01_fixture.yaml").write_text(
        EXERCISES.replace("kind: set", "kind: ?")
    )
    before = sorted(tmp_path.iterdir())
    with pytest.raises(CorpusError, match=r"01_fixture\.yaml"):
        release(tmp_path / "out", sources, small_corpus)
    assert sorted(tmp_path.iterdir()) == before  # no OUTDIR and no staging folder


def test_failed_release_keeps_the_earlier_one(
    sources: Path, small_corpus: Path, tmp_path: Path
) -> None:
    release(tmp_path / "out", sources, small_corpus)
    broken(sources, 3, source="agreed_points = []")
    with pytest.raises(ReleaseError):
        release(tmp_path / "out", sources, small_corpus, force=True)
    assert MODEL_ANSWER in released(tmp_path / "out", "answer-key").cells[3].source
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "out", "src-notebooks"]


def test_refuses_a_non_empty_folder(sources: Path, small_corpus: Path, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ReleaseError, match=r"out: the folder is not empty"):
        release(tmp_path / "out", sources, small_corpus)
    with pytest.raises(ReleaseError, match=r"also holds notes.txt"):
        release(tmp_path / "out", sources, small_corpus, force=True)
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["notes.txt"]


def test_force_replaces_an_earlier_release(
    sources: Path, small_corpus: Path, tmp_path: Path
) -> None:
    release(tmp_path / "out", sources, small_corpus)
    (tmp_path / "out/student/notebooks/stale.ipynb").write_text("{}", encoding="utf-8")
    release(tmp_path / "out", sources, small_corpus, force=True)
    assert [p.name for p in (tmp_path / "out/student/notebooks").iterdir()] == [NAME]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "out", "src-notebooks"]


def test_empty_folder_is_used(sources: Path, small_corpus: Path, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    release(tmp_path / "out", sources, small_corpus)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["answer-key", "student"]


@pytest.mark.parametrize("inside", ["corpus/release", "src-notebooks", "."])
def test_refuses_to_write_over_the_sources(
    sources: Path, small_corpus: Path, tmp_path: Path, inside: str
) -> None:
    with pytest.raises(ReleaseError, match="must lie outside"):
        release(tmp_path / inside, sources, small_corpus, force=True)


def test_cli_release_prints_what_it_wrote(
    sources: Path, small_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["release", str(tmp_path / "out"), "--notebooks", str(sources)]
    argv += ["--corpus", str(small_corpus)]
    assert main(argv) == 0
    assert "student notebooks:" in capsys.readouterr().out
    assert main(argv) == 1
    assert f"error: {tmp_path / 'out'}: the folder is not empty" in capsys.readouterr().err
    assert main([*argv, "--force"]) == 0


# --- the real notebooks -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("release") / "out"
    release(outdir, NOTEBOOKS, CORPUS)
    return outdir


def _for_students(path: Path) -> bool:
    return not for_instructors(nbformat.read(path, as_version=4))


def test_real_release_holds_no_solution(real_release: Path) -> None:
    instructors = [p.name for p in NOTEBOOKS.glob("*.ipynb") if not _for_students(p)]
    assert instructors == ["08_instructor_toolkit.ipynb"]
    assert not (real_release / "student/notebooks" / instructors[0]).exists()
    assert (real_release / "answer-key/notebooks" / instructors[0]).exists()
    for path in sorted(filter(_for_students, NOTEBOOKS.glob("*.ipynb"))):
        source = nbformat.read(path, as_version=4)
        student = nbformat.read(real_release / "student/notebooks" / path.name, as_version=4)
        text = "\n".join(cell.source for cell in student.cells)
        assert "BEGIN SOLUTION" not in text, path.name
        for cell in source.cells:
            if cell.metadata.get("nbgrader", {}).get("solution"):
                region = cell.source.split("BEGIN SOLUTION", 1)[1].split("END SOLUTION", 1)[0]
                model = "\n".join(region.split("\n")[1:-1])  # between the marker lines
                assert model.strip() and model not in text, (path.name, model)
    assert not (real_release / "student/corpus/keys").exists()
    assert not (real_release / "student/corpus/.cache").exists()


def test_source_notebooks_are_valid_nbgrader_sources(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """nbgrader generate_assignment accepts them and writes what release writes (the command's
    app, run in this process)."""
    course = tmp_path / "course"
    shutil.copytree(NOTEBOOKS, course / "source" / "riyadh", ignore=shutil.ignore_patterns(".*"))
    (course / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(course)!r}\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{course / 'gradebook.db'}'\n"
        f"c.ClearSolutions.code_stub = {{'python': {CODE_STUB!r}}}\n",
        encoding="utf-8",
    )
    run_nbgrader(["generate_assignment", "riyadh"], course, tmp_path)
    made = sorted((course / "release" / "riyadh").glob("*.ipynb"))
    assert [p.name for p in made] == sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    real_release = request.getfixturevalue("real_release")  # only now: nbgrader's verdict first
    for path in filter(_for_students, made):
        theirs = nbformat.read(path, as_version=4).cells
        ours = nbformat.read(real_release / "student/notebooks" / path.name, as_version=4).cells
        assert [(c.source, c.metadata) for c in ours] == [(c.source, c.metadata) for c in theirs]

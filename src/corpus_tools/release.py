"""Student and answer-key versions of the notebooks, made with nbgrader's own preprocessors.

The notebooks in ``notebooks/`` are nbgrader *source* notebooks: an answer cell holds a starter
line and the model answer between ``### BEGIN SOLUTION`` and ``### END SOLUTION``; a locked,
autograded check cell follows it. :func:`release` writes, without an nbgrader database::

    OUTDIR/student/notebooks/     solutions replaced by a stub, outputs cleared, checks locked
                                  (notebooks for instructors only are left out)
    OUTDIR/student/corpus/        the files of the corpus its loaders read (see
                                  :mod:`corpus_tools.corpus.layout`), without keys/ and with
                                  exercise answers hidden; everything else is left out and listed
    OUTDIR/answer-key/notebooks/  solutions kept without their marker lines, outputs kept

It checks every source notebook before it writes anything, builds the release in a staging
folder beside OUTDIR and moves it into place only when all of it is written
(:mod:`corpus_tools.staging`; what a killed run left there is removed by the next one).
"""

from __future__ import annotations

import copy
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .corpus.layout import KEYS, corpus_files
from .errors import ReleaseError
from .staging import install, remove_stale, staging

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = [
    "CODE_STUB",
    "LeftOut",
    "Release",
    "cell_source",
    "check_notebook",
    "for_instructors",
    "left_out_lines",
    "release",
]

CODE_STUB = "# YOUR ANSWER HERE"
"""What replaces a code solution region: the starter line above it stays, so the cell runs."""

STUDENT, ANSWER_KEY = "student", "answer-key"
_STAGING = "release"  # the kind of staging folder (see corpus_tools.staging)
_CACHE = ".cache"  # derived layers: rebuilt by the student's first load, not worth listing
_SHOWN = 10  # left-out files named in the summary
_SOLUTION = ("BEGIN SOLUTION", "END SOLUTION")
_REGIONS = {  # marker pair -> the nbgrader flag a cell needs to hold such a region
    _SOLUTION: "solution",
    ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS"): "grade",
    ("BEGIN MARK SCHEME", "END MARK SCHEME"): "task",
}
_FIX_METADATA = "fix it in nbgrader's Create Assignment panel or in the cell's metadata"


@dataclass(frozen=True)
class LeftOut:
    """A file of the corpus that the student corpus does not get, and why."""

    path: str
    """Relative to the corpus folder, with ``/``."""
    reason: str

    def __str__(self) -> str:
        return f"{self.path} ({self.reason})"


@dataclass(frozen=True)
class Release:
    """What :func:`release` wrote; every path lies under ``outdir``."""

    outdir: Path
    student_notebooks: tuple[Path, ...]
    answer_keys: tuple[Path, ...]
    corpus: Path
    corpus_files: int
    hidden_exercises: tuple[Path, ...]
    solution_cells: int
    check_cells: int
    left_out: tuple[LeftOut, ...] = ()
    """Files of the corpus not copied: not read by the package (a backup, a copy of keys/,
    a hidden file), or in keys/ but not a key; the answer keys and .cache/ are not listed."""

    def summary(self) -> str:
        """A few lines for the terminal: the folders, the notebooks, the counts, and the files
        of the corpus left out."""
        names = ", ".join(path.name for path in self.student_notebooks)
        return "\n".join(
            [
                f"student notebooks:    {self.outdir / STUDENT / 'notebooks'} ({names})",
                f"student corpus:       {self.corpus} ({self.corpus_files} files; no keys/, "
                f"no .cache/; {len(self.hidden_exercises)} exercise file(s) with hidden answers)",
                f"answer-key notebooks: {self.outdir / ANSWER_KEY / 'notebooks'}",
                f"{len(self.student_notebooks)} notebook(s): {self.solution_cells} solution "
                f"cell(s) cleared, {self.check_cells} check cell(s) kept and locked",
                *self._left_out_lines(),
            ]
        )

    def _left_out_lines(self) -> list[str]:
        return left_out_lines(self.left_out)


def left_out_lines(left_out: tuple[LeftOut, ...]) -> list[str]:
    """The summary's lines on the files of the corpus left out of a student corpus."""
    if not left_out:
        return []
    lines = [f"left out of the student corpus: {len(left_out)} file(s)"]
    lines += [f"  {item}" for item in left_out[:_SHOWN]]
    if len(left_out) > _SHOWN:
        lines.append(f"  and {len(left_out) - _SHOWN} more (Release.left_out)")
    return lines


def release(
    outdir: Path | str,
    notebooks: Path | str | None = None,
    corpus: Path | str | None = None,
    *,
    force: bool = False,
) -> Release:
    """Write the student version and the answer key of every notebook into ``outdir``.

    Args:
        outdir: the folder to write; it must be empty or absent (see ``force``).
        notebooks: the folder of source notebooks (default: ``notebooks/`` beside the corpus).
        corpus: the corpus folder (default: :func:`corpus_tools.find_corpus_root`).
        force: replace an earlier release in ``outdir`` (a folder holding only ``student/``
            and ``answer-key/``).

    Returns:
        What was written.

    Raises:
        ReleaseError: source notebooks are malformed (the message names each such notebook
            and its cell), a folder is missing, or ``outdir`` is not empty; nothing is
            written then.
        ExerciseError: an exercise file of the corpus is malformed.
        CorpusError: no ``corpus`` is given and none is found.
    """
    from .corpus import find_corpus_root

    corpus_dir = Path(corpus) if corpus is not None else find_corpus_root()
    notebook_dir = Path(notebooks) if notebooks is not None else corpus_dir.parent / "notebooks"
    outdir = Path(outdir)
    paths = _source_notebooks(notebook_dir)
    legacy = f".{outdir.name}.release-"
    remove_stale(outdir, _STAGING, legacy=legacy)  # first: it may put a killed run's OUTDIR back
    _check_folders(outdir, notebook_dir, corpus_dir, force=force)
    sources = _check_all(paths)
    with staging(outdir, _STAGING, legacy=legacy) as folder:
        written = _write_all(folder, sources, corpus_dir)
        install(folder, outdir)
    return _relocated(written, folder, outdir.resolve())


# --- checking the sources ---------------------------------------------------------------------


def check_notebook(path: Path | str) -> NotebookNode:
    """Read a source notebook and check that nbgrader can make a student version of it.

    Cells are counted from 1, as they appear in JupyterLab.

    Args:
        path: the ``.ipynb`` file.

    Returns:
        The notebook as nbformat reads it (version 4).

    Raises:
        ReleaseError: the file is not a notebook; its kernel is not Python; a cell has invalid
            nbgrader metadata or a grade_id used twice; a solution cell lacks its markers or
            has nothing outside them; markers are unbalanced or in a cell of the wrong kind.
    """
    path = Path(path)
    nb = _read(path)
    language = nb.metadata.get("kernelspec", {}).get("language", "python")
    if language != "python":
        raise ReleaseError(f"the kernel language is {language!r}; release needs Python", path=path)
    seen: dict[str, int] = {}
    for index, cell in enumerate(nb.cells):
        problem = _cell_problem(cell, index, seen)
        if problem:
            where = f"cell {index + 1} of {len(nb.cells)} ({_describe(cell)})"
            raise ReleaseError(f"{where}: {problem}", path=path)
    return nb


def cell_source(path: Path | str, grade_id: str) -> str:
    """The source of the cell with this nbgrader ``grade_id`` in a notebook: to see what a
    release made of an answer cell.

    Raises:
        ReleaseError: the notebook cannot be read or has no such cell.
    """
    path = Path(path)
    for cell in _read(path).cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return str(cell.source)
    raise ReleaseError(f"no cell has grade_id {grade_id!r}", path=path)


def _check_all(paths: list[Path]) -> dict[Path, NotebookNode]:
    """Every notebook, checked; one error lists the first problem of each notebook that has one."""
    sources, problems = {}, []
    for path in paths:
        try:
            sources[path] = check_notebook(path)
        except ReleaseError as exc:
            problems.append(exc)
    if not problems:
        return sources
    first, *others = problems
    more = "".join(f"\n{problem}" for problem in others)
    raise ReleaseError(first.reason + more, path=first.path) from first


def _read(path: Path) -> NotebookNode:
    import nbformat

    try:
        return nbformat.read(path, as_version=4)
    except FileNotFoundError as exc:
        raise ReleaseError("the notebook does not exist", path=path) from exc
    except (OSError, ValueError, KeyError, TypeError, nbformat.ValidationError) as exc:
        raise ReleaseError(
            f"not a readable notebook ({exc}); open it in JupyterLab and save it again", path=path
        ) from exc


def _describe(cell: NotebookNode) -> str:
    meta = cell.metadata.get("nbgrader")
    grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
    if grade_id:
        return f"grade_id {grade_id!r}"
    first = next((line for line in cell.source.splitlines() if line.strip()), "")
    return f"{cell.cell_type} cell starting {first[:40]!r}" if first else f"empty {cell.cell_type}"


def _cell_problem(cell: NotebookNode, index: int, seen: dict[str, int]) -> str | None:
    """What is wrong with one cell, or None; records its grade_id in ``seen``."""
    meta = cell.metadata.get("nbgrader")
    if meta is not None:
        problem = _metadata_problem(cell) or _duplicate(meta, index, seen)
        if problem:
            return problem
    if cell.cell_type == "code" and "AUTOTEST" in cell.source:
        return "nbgrader's ### AUTOTEST is not supported here; call check(...) in the cell"
    for markers, flag in _REGIONS.items():
        problem = _region_problem(cell, markers, flag)
        if problem:
            return problem
    return None


def _metadata_problem(cell: NotebookNode) -> str | None:
    from jsonschema import ValidationError
    from nbgrader.nbgraderformat import MetadataValidator
    from nbgrader.nbgraderformat.common import SchemaMismatchError

    meta = cell.metadata["nbgrader"]
    if not isinstance(meta, dict):
        return f"its nbgrader metadata is not a mapping; {_FIX_METADATA}"
    if cell.cell_type == "markdown" and meta.get("solution") and not meta.get("grade"):
        return (
            'a markdown solution cell must also be a grade cell ("grade": true and "points", '
            "nbgrader's Manually graded answer); nbgrader refuses it otherwise"
        )
    try:
        MetadataValidator().validate_cell(cell)
    except ValidationError as exc:
        reason = exc.message
    except (SchemaMismatchError, KeyError) as exc:
        reason = str(exc)
    else:
        return None
    reason = reason.split("\n")[0][:120]  # nbgrader may append the whole cell
    return f"invalid nbgrader metadata ({reason}); {_FIX_METADATA}"


def _duplicate(meta: dict[str, Any], index: int, seen: dict[str, int]) -> str | None:
    if not (meta.get("grade") or meta.get("solution") or meta.get("locked")):
        return None
    grade_id = meta["grade_id"]
    if grade_id in seen:
        return f"grade_id {grade_id!r} is also used by cell {seen[grade_id] + 1}; give each its own"
    seen[grade_id] = index
    return None


def _region_problem(cell: NotebookNode, markers: tuple[str, str], flag: str) -> str | None:
    """Unbalanced markers, markers in the wrong kind of cell, or a solution cell without them."""
    begin, end = markers
    try:
        regions, outside = _scan(cell.source, begin, end)
    except ValueError as exc:
        return str(exc)
    marked = bool(cell.metadata.get("nbgrader", {}).get(flag))
    if regions and not marked:
        return f"### {begin} in a cell that is not an nbgrader {flag} cell; {_FIX_METADATA}"
    if markers != _SOLUTION or not marked:
        return None
    if not regions:
        return f"a solution cell without ### {begin} / ### {end} lines around the model answer"
    if cell.cell_type == "code" and not any(line.strip() for line in outside):
        return (
            "nothing outside ### BEGIN/END SOLUTION, so students would get only the stub and "
            "the check would fail; put the starter line (e.g. `answer = []`) above the markers"
        )
    return None


def _scan(source: str, begin: str, end: str) -> tuple[int, list[str]]:
    """The number of ``begin``/``end`` regions and the lines outside them, as nbgrader reads them.

    Raises:
        ValueError: a region is nested, not closed, or closed without being opened.
    """
    inside, regions, outside = False, 0, []
    for number, line in enumerate(source.split("\n"), 1):
        if begin in line:
            if inside:
                raise ValueError(f"line {number}: a second ### {begin} before ### {end}")
            inside, regions = True, regions + 1
        elif end in line:
            if not inside:
                raise ValueError(f"line {number}: ### {end} without ### {begin} above it")
            inside = False
        elif not inside:
            outside.append(line)
    if inside:
        raise ValueError(f"### {begin} has no ### {end} after it")
    return regions, outside


# --- writing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Written:
    student: tuple[Path, ...]
    keys: tuple[Path, ...]
    corpus_files: int
    hidden: tuple[Path, ...]
    left_out: tuple[LeftOut, ...]
    solutions: int
    checks: int


def for_instructors(nb: NotebookNode) -> bool:
    """Whether a notebook is for instructors only (metadata ``corpus_tools.audience`` is
    ``instructors``); such a notebook goes into the answer key, never to students."""
    return nb.metadata.get("corpus_tools", {}).get("audience") == "instructors"


def _write_all(staging: Path, sources: dict[Path, NotebookNode], corpus_dir: Path) -> _Written:
    import nbformat

    student, keys = staging / STUDENT / "notebooks", staging / ANSWER_KEY / "notebooks"
    student.mkdir(parents=True)
    keys.mkdir(parents=True)
    for path, nb in sources.items():
        if not for_instructors(nb):
            nbformat.write(_student_version(nb, path), student / path.name, version=4)
        nbformat.write(_answer_key(nb), keys / path.name, version=4)
    hidden, left_out = _copy_corpus(corpus_dir, staging / STUDENT / "corpus")
    cells = [cell for nb in sources.values() for cell in nb.cells]
    released = [path for path, nb in sources.items() if not for_instructors(nb)]
    return _Written(
        student=tuple(student / path.name for path in released),
        keys=tuple(keys / path.name for path in sources),
        corpus_files=sum(1 for p in (staging / STUDENT / "corpus").rglob("*") if p.is_file()),
        hidden=hidden,
        left_out=left_out,
        solutions=sum(1 for cell in cells if _flag(cell, "solution")),
        checks=sum(1 for cell in cells if _flag(cell, "grade") and not _flag(cell, "solution")),
    )


def _flag(cell: NotebookNode, name: str) -> bool:
    return bool(cell.metadata.get("nbgrader", {}).get(name))


def _student_version(nb: NotebookNode, path: Path) -> NotebookNode:
    """nbgrader generate_assignment's preprocessors, less those that need its database."""
    from nbgrader.preprocessors import (
        CheckCellMetadata,
        ClearHiddenTests,
        ClearMarkScheme,
        ClearOutput,
        ClearSolutions,
        ComputeChecksums,
        LockCells,
    )
    from traitlets.config import Config

    config = Config({"ClearSolutions": {"code_stub": {"python": CODE_STUB}}})
    steps = (LockCells, ClearSolutions, ClearOutput, ClearHiddenTests, ClearMarkScheme)
    steps += (ComputeChecksums, CheckCellMetadata)
    student = copy.deepcopy(nb)
    resources: dict[str, Any] = {"metadata": {"name": path.stem, "path": str(path.parent)}}
    try:
        for step in steps:
            student, resources = step(config=config).preprocess(student, resources)
    except Exception as exc:  # nbgrader raises RuntimeError, ValueError, ValidationError
        message = f"nbgrader could not make the student version: {exc}"
        raise ReleaseError(message, path=path) from exc
    student.metadata.pop("widgets", None)  # saved widget state is output too
    return student


def _answer_key(nb: NotebookNode) -> NotebookNode:
    """The notebook with its outputs, each solution without its marker lines."""
    key = copy.deepcopy(nb)
    for cell in key.cells:
        if _flag(cell, "solution"):
            lines = cell.source.split("\n")
            cell.source = "\n".join(ln for ln in lines if not any(m in ln for m in _SOLUTION))
    return key


def _copy_corpus(source: Path, target: Path) -> tuple[tuple[Path, ...], tuple[LeftOut, ...]]:
    """Copy the files of the corpus its loaders read, except the answer keys; exercise files get
    hidden answers.

    Returns:
        The exercise files written, and the files left out (the keys and .cache/ unlisted).
    """
    from .exercises import hide_answers

    read = corpus_files(source)
    hidden = []
    for relative in read:
        if relative.parts[0] == KEYS:
            continue
        copied = target / relative
        copied.parent.mkdir(parents=True, exist_ok=True)
        if relative.parts[0] == "exercises" and relative.suffix == ".yaml":
            hidden.append(hide_answers(source / relative, copied))
        else:
            shutil.copyfile(source / relative, copied)
    return tuple(hidden), _left_out(source, set(read))


def _left_out(source: Path, read: set[Path]) -> tuple[LeftOut, ...]:
    """Every file under ``source`` that the loaders do not read, with the reason."""
    found = []
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if relative.parts[0] == _CACHE or relative in read or path.is_dir():
            continue
        found.append(LeftOut(relative.as_posix(), _why(relative)))
    return tuple(found)


def _why(relative: Path) -> str:
    if relative.parts[0] == KEYS:
        return "in keys/, which students never get"
    if any(part.startswith(".") for part in relative.parts):
        return "a hidden file, not read by the corpus"
    if relative.suffix == ".jsonl":
        return "an annotation file (an answer key?) outside keys/, not read by the corpus"
    return "not read by the corpus"


# --- folders ----------------------------------------------------------------------------------


def _source_notebooks(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise ReleaseError("no such folder of notebooks; pass --notebooks DIR", path=folder)
    paths = sorted(folder.glob("*.ipynb"))
    if not paths:
        raise ReleaseError("no notebooks (*.ipynb) to release in this folder", path=folder)
    return paths


def _check_folders(outdir: Path, notebooks: Path, corpus: Path, *, force: bool) -> None:
    if not (corpus / "documents").is_dir():
        raise ReleaseError("not a corpus folder (it has no documents/); pass --corpus", path=corpus)
    out = outdir.resolve()
    for folder in (notebooks.resolve(), corpus.resolve()):
        if out == folder or folder in out.parents or out in folder.parents:
            raise ReleaseError(
                f"the release folder must lie outside {folder} and not contain it", path=outdir
            )
    if outdir.exists() and not outdir.is_dir():
        raise ReleaseError("exists and is not a folder; choose another OUTDIR", path=outdir)
    entries = sorted(p.name for p in outdir.iterdir()) if outdir.is_dir() else []
    if entries and not force:
        raise ReleaseError(
            "the folder is not empty; choose an empty one, or pass --force (force=True) to "
            "replace an earlier release",
            path=outdir,
        )
    if foreign := [name for name in entries if name not in {STUDENT, ANSWER_KEY}]:
        raise ReleaseError(
            f"--force replaces only an earlier release (student/ and answer-key/), but the folder "
            f"also holds {', '.join(foreign)}; choose an empty folder",
            path=outdir,
        )


def _relocated(written: _Written, staging: Path, outdir: Path) -> Release:
    def moved(path: Path) -> Path:
        return outdir / path.relative_to(staging)

    return Release(
        outdir=outdir,
        student_notebooks=tuple(map(moved, written.student)),
        answer_keys=tuple(map(moved, written.keys)),
        corpus=outdir / STUDENT / "corpus",
        corpus_files=written.corpus_files,
        hidden_exercises=tuple(map(moved, written.hidden)),
        solution_cells=written.solutions,
        check_cells=written.checks,
        left_out=written.left_out,
    )

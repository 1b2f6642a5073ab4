"""An nbgrader course for the notebooks: the assignment's source folder, and the students'
annotation files in what nbgrader collected.

nbgrader's ``generate_assignment NAME`` reads ``COURSE/source/NAME/``: it makes the student
version of each notebook there and copies every other file of that folder into
``release/NAME/``; ``autograde`` puts the source's files back over each submission before it
runs the notebooks. So :func:`write_source` (``corpus-tools release COURSE --nbgrader NAME``)
writes::

    COURSE/source/NAME/*.ipynb   the source notebooks, model answers between their markers,
                                 but not those for instructors (notebook 08)
    COURSE/source/NAME/corpus/   the student corpus of a release: no keys/, exercise answers
                                 hidden, so the checks work for students and in autograde
    COURSE/nbgrader_config.py    only if there is none: the code stub a release uses

The notebooks find ``NAME/corpus/`` themselves (the nearest ``corpus/`` above their folder) in
``release/NAME/``, in a student's copy and in ``autograded/<student id>/NAME/``. A student's
annotations are saved beside it, in ``NAME/annotations/``: inside the assignment folder, which
``nbgrader submit`` and ``collect`` carry whole to ``submitted/<student id>/NAME/``, where
:func:`submitted_annotations` finds them.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from .annotate.store import ANNOTATIONS
from .corpus.layout import data_files
from .errors import GradingError, ReleaseError
from .files import write_atomic
from .release import CODE_STUB, LeftOut, left_out_lines
from .staging import install, remove_stale, staging

__all__ = [
    "ASSIGNMENT",
    "CONFIG",
    "AssignmentSource",
    "Submitted",
    "submitted_annotations",
    "write_source",
]

ASSIGNMENT = "riyadh"
"""The nbgrader assignment's name unless another is given."""
CONFIG = "nbgrader_config.py"
SOURCE = "source"
"""nbgrader's folder of source assignments in a course (``CourseDirectory.source_directory``)."""
_STAGING = "nbgrader"  # the kind of staging folder (see corpus_tools.staging)
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
CONFIG_TEXT = f"""\
# nbgrader's settings for this course, written by `corpus-tools release COURSE --nbgrader`.
c = get_config()

# An answer cell keeps its starter line and gets this comment in place of the model answer, so
# every cell runs (nbgrader's own stub raises NotImplementedError).
c.ClearSolutions.code_stub = {{"python": {json.dumps(CODE_STUB)}}}

# To hand out and collect with nbgrader's exchange on a shared server, also set e.g.:
# c.CourseDirectory.course_id = "riyadh-readouts"
# c.Exchange.root = "/srv/nbgrader/exchange"
"""


@dataclass(frozen=True)
class AssignmentSource:
    """What :func:`write_source` wrote."""

    course: Path
    folder: Path
    """``COURSE/source/NAME``."""
    notebooks: tuple[str, ...]
    corpus_files: int
    hidden_exercises: int
    config: Path
    config_written: bool
    left_out: tuple[LeftOut, ...] = ()

    @property
    def name(self) -> str:
        return self.folder.name

    def summary(self) -> str:
        """A few lines for the terminal: what is where, and the next command."""
        lines = [
            f"nbgrader assignment: {self.folder} ({', '.join(self.notebooks)}; model answers "
            "between their markers, no notebook for instructors)",
            f"its corpus:          {self.folder / 'corpus'} ({self.corpus_files} files; no "
            f"keys/; {self.hidden_exercises} exercise file(s) with hidden answers)",
            f"{CONFIG}:  {self.config} ({self._config_state()})",
            *left_out_lines(self.left_out),
            f"next: cd {self.course} && nbgrader generate_assignment {self.name}",
        ]
        return "\n".join(lines)

    def _config_state(self) -> str:
        if self.config_written:
            return "written"
        if "code_stub" in self.config.read_text(encoding="utf-8", errors="replace"):
            return "kept"
        return (
            "kept, but it sets no ClearSolutions.code_stub: answer cells will get nbgrader's "
            f"stub, which raises; add c.ClearSolutions.code_stub = {{'python': {CODE_STUB!r}}}"
        )


def write_source(
    course: Path | str,
    assignment: str = ASSIGNMENT,
    notebooks: Path | str | None = None,
    corpus: Path | str | None = None,
    *,
    force: bool = False,
) -> AssignmentSource:
    """Write ``COURSE/source/<assignment>/`` for nbgrader, and ``COURSE/nbgrader_config.py``
    if there is none.

    The notebooks are checked as :func:`corpus_tools.release.release` checks them, and the
    folder is built beside its place and moved in whole; nothing else of the course (the
    gradebook, ``release/``, ``submitted/``, ...) is touched.

    Args:
        course: the nbgrader course folder (created if needed).
        assignment: the nbgrader assignment's name.
        notebooks: the source notebooks (default: ``notebooks/`` beside the corpus).
        corpus: the corpus folder (default: :func:`corpus_tools.find_corpus_root`).
        force: replace an earlier ``source/<assignment>/`` (only that folder).

    Raises:
        ReleaseError: a bad name, a malformed notebook, a missing folder, or the assignment's
            folder exists already (without ``force``); nothing is written then.
    """
    from .corpus import find_corpus_root
    from .release import release

    course = Path(course)
    _check_name(assignment)
    corpus_dir = Path(corpus) if corpus is not None else find_corpus_root()
    notebook_dir = Path(notebooks) if notebooks is not None else corpus_dir.parent / "notebooks"
    target = course / SOURCE / assignment
    remove_stale(target, _STAGING)
    _check_target(target, notebook_dir, corpus_dir, force=force)
    with staging(target, _STAGING) as folder:
        built = release(folder / "release", notebook_dir, corpus_dir)
        assembled = folder / assignment
        assembled.mkdir()
        names = tuple(path.name for path in built.student_notebooks)
        for name in names:
            shutil.copyfile(notebook_dir / name, assembled / name)
        built.corpus.rename(assembled / "corpus")
        install(assembled, target)
    written = _write_config(course / CONFIG)
    return AssignmentSource(
        course=course,
        folder=target,
        notebooks=names,
        corpus_files=built.corpus_files,
        hidden_exercises=len(built.hidden_exercises),
        config=course / CONFIG,
        config_written=written,
        left_out=built.left_out,
    )


def _check_name(assignment: str) -> None:
    if not _NAME.fullmatch(assignment):
        raise ReleaseError(
            f"{assignment!r} cannot name an nbgrader assignment; use letters, digits, '-', '_' "
            "and '.' (e.g. riyadh)"
        )


def _check_target(target: Path, notebooks: Path, corpus: Path, *, force: bool) -> None:
    out = target.resolve()
    for folder in (notebooks.resolve(), corpus.resolve()):
        if out == folder or folder in out.parents or out in folder.parents:
            raise ReleaseError(
                f"the course folder must lie outside {folder} and not contain it", path=target
            )
    if target.exists() and not target.is_dir():
        raise ReleaseError("exists and is not a folder; choose another course folder", path=target)
    if target.is_dir() and any(target.iterdir()) and not force:
        raise ReleaseError(
            "the course has this assignment already; pass --force (force=True) to replace this "
            "folder (nothing else of the course), or give another assignment name",
            path=target,
        )


def _write_config(path: Path) -> bool:
    """Write the course's nbgrader config unless there is one; whether it was written."""
    if path.exists():
        return False
    write_atomic(path, CONFIG_TEXT)
    return True


# --- what nbgrader collected ----------------------------------------------------------------


@dataclass(frozen=True)
class Submitted:
    """The annotation files in nbgrader's ``submitted/`` folder, by nbgrader student id."""

    folder: Path
    assignment: str
    files: dict[Path, str]
    """Each file, and the id of the student whose submission holds it."""
    without: tuple[str, ...] = ()
    """Students who submitted the assignment without an annotation file."""

    def summary(self) -> str:
        students = len(set(self.files.values()))
        where = f"{self.folder}/<student id>/{self.assignment}/{ANNOTATIONS}/"
        line = f"nbgrader: {len(self.files)} annotation file(s) of {students} student(s) in {where}"
        if self.without:
            line += f"\nsubmitted without an annotation file: {', '.join(self.without)}"
        return line


def submitted_annotations(submitted: Path | str, assignment: str = ASSIGNMENT) -> Submitted:
    """Every ``submitted/<student id>/<assignment>/annotations/*.jsonl``, with its student id.

    ``autograded/`` has the same layout and may be given instead.

    Raises:
        GradingError: the folder does not exist, or no student's submission holds an
            annotation file (the message lists the assignments there are).
    """
    submitted = Path(submitted)
    if not submitted.is_dir():
        raise GradingError(
            "no such folder; give nbgrader's submitted/ folder of the course", path=submitted
        )
    students = sorted(p for p in submitted.iterdir() if p.is_dir() and not p.name.startswith("."))
    files: dict[Path, str] = {}
    without = []
    for student in students:
        if not (student / assignment).is_dir():
            continue
        found = data_files(student / assignment / ANNOTATIONS, "*.jsonl")
        files.update((path, student.name) for path in found)
        if not found:
            without.append(student.name)
    if not files:
        raise GradingError(_nothing_found(students, assignment), path=submitted)
    return Submitted(submitted, assignment, files, tuple(without))


def _nothing_found(students: list[Path], assignment: str) -> str:
    seen = sorted({p.name for s in students for p in s.iterdir() if p.is_dir()})
    found = f"; the assignments there are {', '.join(seen)}" if seen else ""
    return (
        f"no annotation file in <student id>/{assignment}/{ANNOTATIONS}/ of "
        f"{len(students)} student folder(s){found}; give the nbgrader assignment's name"
    )

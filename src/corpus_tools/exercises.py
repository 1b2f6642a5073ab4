"""Exercise checks: a student's answer compared with the answer in ``corpus/exercises/``.

Each notebook's exercises live in ``exercises/<notebook>.yaml``. An exercise has a ``kind``:

* ``choice``: one of the listed ``options``;
* ``set``: several items, in any order (paragraph ids, sentence ids, words, or ``options``);
* ``mapping``: a value from ``options`` for each of the listed ``items``;
* ``number``: a whole number.

A check says how much of the answer is right and which of the student's items are wrong, but
never names a missing item or the right option. Student releases carry the answers only as
salted SHA-256 digests (:func:`hide_answers`), and checks work the same on both forms.

In a student's session :func:`check` only shows the feedback (:func:`evaluate` returns it).
Under nbgrader (``NBGRADER_EXECUTION`` is set while it validates or autogrades) a wrong answer
raises ``AssertionError``, so the check cells of a notebook are nbgrader's autograded tests too.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence, Sized
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from numbers import Integral
from pathlib import Path
from typing import Any

from .corpus.datafile import Fields, load_yaml, resolved
from .corpus.layout import data_files
from .display import feedback_box
from .errors import ExerciseError

__all__ = [
    "Exercise",
    "Feedback",
    "FeedbackState",
    "check",
    "evaluate",
    "hide_answers",
    "load_exercises",
]

KINDS = {
    "choice": "one of the options",
    "set": "several items, in any order",
    "mapping": "an option for each item (or a list of the defensible options)",
    "number": "a whole number",
}
_FILE_KEYS = {"notebook", "exercises", "hidden"}
_EXERCISE_KEYS = {"id", "kind", "question", "options", "items", "answer", "hint"}
_SEPARATOR = "\u241f"  # joins an item and its value before hashing


@dataclass(frozen=True)
class Exercise:
    """One exercise; ``answer`` holds normalised answers, or their digests if ``hidden``."""

    id: str
    notebook: str
    kind: str
    question: str
    hint: str
    options: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    answer: frozenset[str] = field(default_factory=frozenset)
    hidden: bool = False

    def digest(self, value: str) -> str:
        """The salted digest of a normalised answer, as stored in a student release."""
        return hashlib.sha256(f"{self.id}{_SEPARATOR}{value}".encode()).hexdigest()

    def matches(self, value: str) -> bool:
        """Whether one normalised answer item is right."""
        return (self.digest(value) if self.hidden else value) in self.answer

    @property
    def size(self) -> int:
        """How many items a complete answer has."""
        return len(self.items) if self.kind == "mapping" else len(self.answer)


class FeedbackState(StrEnum):
    """Where an answer stands."""

    RIGHT = "right"
    WRONG = "wrong"
    OPEN = "open"
    """Not answered yet."""


@dataclass(frozen=True)
class Feedback:
    """What a check found: whether the answer is right, and lines that say why not."""

    exercise: str
    correct: bool
    answered: bool
    lines: tuple[str, ...]

    @property
    def state(self) -> FeedbackState:
        if self.correct:
            return FeedbackState.RIGHT
        return FeedbackState.WRONG if self.answered else FeedbackState.OPEN

    def __repr__(self) -> str:
        mark = _MARKS[self.state]
        return "\n".join([f"{mark} {self.exercise}: {self.lines[0]}", *self.lines[1:]])

    def _repr_html_(self) -> str:
        return feedback_box(self.exercise, self.lines, self.state)


_MARKS = {FeedbackState.RIGHT: "✓", FeedbackState.WRONG: "✗", FeedbackState.OPEN: "…"}


def load_exercises(folder: Path | str | None = None) -> dict[str, Exercise]:
    """Every exercise in ``folder`` (default: ``exercises/`` of the corpus), by id.

    Raises:
        ExerciseError: a malformed file, an unknown kind, an answer that is not among the
            options, or an id used twice; the message names file and line.
    """
    if folder is None:
        from .corpus import find_corpus_root

        folder = find_corpus_root() / "exercises"
    folder = resolved(Path(folder), what="exercise folder")
    if not folder.is_dir():
        raise ExerciseError(f"no exercise folder {folder}; the corpus keeps them in exercises/")
    # Files are read again when one changes, so an instructor's edit counts at once.
    signature = tuple((p.name, *_changed(p)) for p in _files(folder))
    return dict(_load_folder(folder, signature))


def _changed(path: Path) -> tuple[int, int]:
    """When a file last changed, and its size; (0, 0) where it cannot be seen (a broken link),
    which reading it then reports."""
    try:
        status = path.stat()
    except OSError:
        return 0, 0
    return status.st_mtime_ns, status.st_size


def _files(folder: Path) -> list[Path]:
    return data_files(folder, "*.yaml")


@cache
def _load_folder(folder: Path, signature: tuple[object, ...]) -> tuple[tuple[str, Exercise], ...]:
    exercises: dict[str, Exercise] = {}
    for path in _files(folder):
        for exercise, line in _read(path):
            if exercise.id in exercises:
                raise ExerciseError(
                    f"{path}:{line}: exercise id {exercise.id!r} is used twice "
                    f"(also in {exercises[exercise.id].notebook}); give each a new id"
                )
            exercises[exercise.id] = exercise
    return tuple(exercises.items())


def _read(path: Path) -> list[tuple[Exercise, int]]:
    data = Fields(load_yaml(path, what="exercise file"), path, "exercise file", ExerciseError)
    data.check_keys(_FILE_KEYS)
    notebook, hidden = data.string("notebook"), bool(data.optional("hidden", bool))
    if notebook != path.stem:
        data.fail("notebook", f"the file {path.name} must name the notebook {path.stem!r}")
    return [
        (_exercise(Fields(record, path, "exercise", ExerciseError), notebook, hidden), record.line)
        for record in data.list("exercises")
    ]


def _exercise(fields: Fields, notebook: str, hidden: bool) -> Exercise:
    fields.check_keys(_EXERCISE_KEYS)
    kind = fields.choice("kind", KINDS)
    options = tuple(str(o) for o in fields.optional("options", list) or ())
    items = tuple(str(i) for i in fields.optional("items", list) or ())
    if kind in {"choice", "mapping"} and not options:
        fields.fail("options", f"a {kind} exercise lists its options")
    if kind == "mapping" and not items:
        fields.fail("items", "a mapping exercise lists the items to answer")
    exercise = Exercise(
        id=fields.identifier("id"), notebook=notebook, kind=kind,
        question=fields.string("question"), hint=fields.string("hint"),
        options=options, items=items, hidden=hidden,
    )  # fmt: skip
    answer = _answer(fields, exercise)
    return Exercise(**{**exercise.__dict__, "answer": answer})


def _answer(fields: Fields, exercise: Exercise) -> frozenset[str]:
    raw = fields.record.get("answer")
    if exercise.hidden:
        if not isinstance(raw, list) or not all(isinstance(d, str) for d in raw):
            fields.fail("answer", "a hidden answer is a list of digests; release it again")
        return frozenset(raw)
    expected = {"mapping": dict, "set": list}.get(exercise.kind, (str, int))
    if not isinstance(raw, expected) or isinstance(raw, bool):
        fields.fail("answer", f"a {exercise.kind} answer is {KINDS[exercise.kind]}")
    if exercise.kind == "mapping":
        if set(map(str, raw)) != set(exercise.items):
            fields.fail("answer", "give exactly one answer for each of the items")
        accepted = {str(item): _accepted(value) for item, value in raw.items()}
        if not all(accepted.values()):
            fields.fail("answer", "give each item an option, or a list of the defensible ones")
        values = [_pair(item, value) for item, values in accepted.items() for value in values]
        chosen = [value for values in accepted.values() for value in values]
    else:
        chosen = [str(v) for v in raw] if exercise.kind == "set" else [str(raw)]
        values = [_normal(v) for v in chosen]
    if exercise.options:
        stray = [v for v in chosen if _normal(v) not in {_normal(o) for o in exercise.options}]
        if stray:
            fields.fail("answer", f"{stray[0]!r} is not one of the options")
    return frozenset(values)


def _accepted(value: Any) -> list[str]:
    """The answers accepted for one item of a mapping: one option, or a list of those that
    are defensible readings."""
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def hide_answers(source: Path | str, target: Path | str) -> Path:
    """Write a copy of an exercise file whose answers are salted digests, for students.

    Raises:
        ExerciseError: the source file is malformed.
    """
    import yaml

    source, target = Path(source), Path(target)
    data = load_yaml(source, what="exercise file")
    if isinstance(data, dict) and data.get("hidden"):
        raise ExerciseError(
            f"{source}: the answers are hidden already; release from the instructor's corpus"
        )
    exercises = {exercise.id: exercise for exercise, _ in _read(source)}
    for record in data["exercises"]:
        exercise = exercises[record["id"]]
        record["answer"] = sorted(exercise.digest(value) for value in exercise.answer)
    data["hidden"] = True
    target.write_text(
        "# Student release: answers are hidden as salted SHA-256 digests.\n"
        + yaml.safe_dump(_plain(data), allow_unicode=True, sort_keys=False, width=100),
        encoding="utf-8",
    )
    return target


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def evaluate(exercise_id: str, answer: Any, *, folder: Path | str | None = None) -> Feedback:
    """Compare ``answer`` with the exercise's answer and say what is right or wrong.

    Args:
        exercise_id: the id printed in the notebook's check cell.
        answer: the student's answer (a string, a list, a dict or a number by kind).
        folder: where the exercise files are (default: the corpus's ``exercises/``).

    Raises:
        ExerciseError: no exercise has this id.
    """
    exercises = load_exercises(folder)
    exercise = exercises.get(exercise_id)
    if exercise is None:
        raise ExerciseError(
            f"no exercise {exercise_id!r}; the exercises are {', '.join(sorted(exercises))}"
        )
    return _CHECKS[exercise.kind](exercise, answer)


def check(exercise_id: str, answer: Any, *, folder: Path | str | None = None) -> None:
    """Show the feedback of :func:`evaluate` below the check cell.

    The feedback is displayed, not returned, so that nbgrader does not mistake it for a
    partial score.

    Raises:
        ExerciseError: no exercise has this id.
        AssertionError: only under nbgrader (``NBGRADER_EXECUTION`` set), for a wrong answer.
    """
    from IPython.display import display

    feedback = evaluate(exercise_id, answer, folder=folder)
    display(feedback)
    if os.environ.get("NBGRADER_EXECUTION") and not feedback.correct:
        raise AssertionError(repr(feedback))


def _unanswered(answer: Any) -> bool:
    """Nothing given yet: None, ``...``, a blank string or an empty collection (a list, a
    pandas Series or a numpy array alike: only ``len`` is asked of it)."""
    if answer is None or answer is ...:
        return True
    if isinstance(answer, str):
        return not answer.strip()
    return isinstance(answer, Sized) and len(answer) == 0


def _feedback(
    exercise: Exercise, right: int, wrong: Sequence[str], extra: Iterable[str] = ()
) -> Feedback:
    missing = exercise.size - right
    correct = not wrong and missing == 0
    if correct:
        return Feedback(exercise.id, True, True, ("right.",))
    head = "not right yet." if exercise.size == 1 else f"{right} of {exercise.size} right."
    verdict = "does not belong." if exercise.kind == "set" else "is not right."
    lines = [head, *(f"{item} {verdict}" for item in wrong), *extra]
    if missing > 0 and exercise.kind == "set":
        lines.append(f"{missing} still missing." if missing > 1 else "one is still missing.")
    lines.append(f"Hint: {exercise.hint}")
    return Feedback(exercise.id, False, True, tuple(lines))


def _not_yet(exercise: Exercise) -> Feedback:
    return Feedback(exercise.id, False, False, (f"not answered yet: {exercise.question}",))


def _check_choice(exercise: Exercise, answer: Any) -> Feedback:
    if _unanswered(answer):
        return _not_yet(exercise)
    if not isinstance(answer, str):
        return _wrong_type(exercise, "a string: one of the options")
    if unknown := _not_options(exercise, [answer]):
        return unknown
    if exercise.matches(_normal(answer)):
        return _feedback(exercise, 1, [])
    return _feedback(exercise, 0, [repr(answer)])


def _check_set(exercise: Exercise, answer: Any) -> Feedback:
    if _unanswered(answer):
        return _not_yet(exercise)
    if isinstance(answer, str | bytes) or not isinstance(answer, Iterable):
        return _wrong_type(exercise, 'a list of strings, e.g. ["p2", "p3"]')
    distinct: dict[str, str] = {}  # "P2" and "p2" are one answer, not two
    for item in map(str, answer):
        distinct.setdefault(_normal(item), item)
    given = list(distinct.values())
    if unknown := _not_options(exercise, given):
        return unknown
    right = [item for item in given if exercise.matches(_normal(item))]
    wrong = [repr(item) for item in given if item not in right]
    return _feedback(exercise, len(right), wrong)


def _check_mapping(exercise: Exercise, answer: Any) -> Feedback:
    if _unanswered(answer):
        return _not_yet(exercise)
    if not isinstance(answer, Mapping):
        return _wrong_type(exercise, "a dict: {item: option, ...}")
    items = {_normal(item): item for item in exercise.items}  # an item as a student types it
    given = {items.get(_normal(str(k)), str(k)): v for k, v in answer.items() if not _unanswered(v)}
    if unknown := _not_options(exercise, [str(v) for v in given.values()]):
        return unknown
    strange = [repr(item) for item in given if item not in exercise.items]
    if strange:
        return Feedback(
            exercise.id, False, True,
            (f"{strange[0]} is not one of the items; answer for: {', '.join(exercise.items)}",),
        )  # fmt: skip
    right = [k for k, v in given.items() if exercise.matches(_pair(k, str(v)))]
    wrong = [repr(k) for k in given if k not in right]
    unanswered = [repr(item) for item in exercise.items if item not in given]
    extra = [f"no answer yet for {', '.join(unanswered)}."] if unanswered else []
    return _feedback(exercise, len(right), wrong, extra)


def _check_number(exercise: Exercise, answer: Any) -> Feedback:
    if _unanswered(answer):
        return _not_yet(exercise)
    if isinstance(answer, bool) or not isinstance(answer, Integral):  # numpy integers too
        return _wrong_type(exercise, "a whole number")
    if exercise.matches(_normal(str(int(answer)))):
        return _feedback(exercise, 1, [])
    return _feedback(exercise, 0, [str(answer)])


def _wrong_type(exercise: Exercise, expected: str) -> Feedback:
    return Feedback(exercise.id, False, True, (f"the answer should be {expected}.",))


def _not_options(exercise: Exercise, given: Sequence[str]) -> Feedback | None:
    if not exercise.options:
        return None
    allowed = {_normal(option) for option in exercise.options}
    stray = [item for item in given if _normal(item) not in allowed]
    if not stray:
        return None
    listed = " · ".join(exercise.options)
    return Feedback(
        exercise.id, False, True, (f"{stray[0]!r} is not one of the options: {listed}",)
    )


_TYPED = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})
"""Typographic quotes and apostrophes, as the plain ones a keyboard types."""


def _normal(value: str) -> str:
    """Compare answers as a student types them: without regard to case, runs of white space,
    typographic quotes, ``<->`` for ``↔``, or a full stop (or other punctuation) at the end."""
    typed = value.translate(_TYPED).replace("<->", "↔")
    return " ".join(typed.split()).casefold().rstrip(".,;:!? ")


def _pair(item: str, value: str) -> str:
    return f"{_normal(item)}{_SEPARATOR}{_normal(value)}"


_CHECKS = {
    "choice": _check_choice,
    "set": _check_set,
    "mapping": _check_mapping,
    "number": _check_number,
}

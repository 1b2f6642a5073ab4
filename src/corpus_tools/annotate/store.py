"""One JSON Lines file per annotator, appended under a file lock, never rewritten.

Every change is an event on its own line (``add``, ``edit`` or ``delete``), appended whole and
synced before the lock is released, so a crash or a second kernel cannot lose or corrupt what
was saved; a write that fails (a full disk) is cut off again and reported as a SaveError.

Reading replays the events and loads whatever it can; each line that cannot be used is reported
with its number and skipped, and everything else loads:

* an ``add`` of an id that is already there is skipped: the first stays (an add never replaces
  an annotation; an ``edit`` does);
* an ``edit`` of an id never added (its ``add`` may be on a damaged line) or deleted is kept, and
  reported in :attr:`LoadReport.warnings`;
* a ``delete`` of an unknown id, an event without its annotation, and any line that is not a
  JSON object (a crash in the middle of a write leaves one) are skipped.

Given the texts, each annotation is re-anchored by its quote (see :mod:`.anchoring`): kept where
its quote and enough of its context still match, else reported moved or orphaned.
"""

from __future__ import annotations

import codecs
import datetime as dt
import errno
import json
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import AnnotationError, SaveError
from ..files import append_whole
from .anchoring import find_quote, moved_to
from .names import NAMESAKE_ADVICE, file_stem, namesake
from .record import Annotation

__all__ = [
    "ANNOTATIONS",
    "LOCK_SUFFIX",
    "AnnotationStore",
    "LoadReport",
    "Moved",
    "Problem",
    "is_lock_file",
]

ANNOTATIONS = "annotations"
"""The folder beside the corpus folder where annotators' files go by default."""

LOCK_SUFFIX = ".lock"
"""The lock file beside an annotation file is named like it, with this suffix."""
LOCK_TIMEOUT = 30.0
"""Seconds to wait for another kernel's write to finish before giving up with an error."""
_decode = json.JSONDecoder().decode
"""``json.loads`` of a line already decoded, without its per-call checks (files of 100,000
lines)."""

_ADVICE = {
    errno.ENOSPC: "the disk is full: free some space",
    getattr(errno, "EDQUOT", errno.ENOSPC): "your disk quota is used up: free some space",
    errno.EACCES: "you may not write there: choose a folder of your own",
    errno.EPERM: "you may not write there: choose a folder of your own",
    errno.EROFS: "the disk is read-only: choose a folder on another disk",
    errno.ENAMETOOLONG: "the file's name is too long: choose a shorter annotator name or folder",
    errno.EEXIST: "a file stands where its folder should be: choose another folder",
    errno.ENOTDIR: "a file stands where its folder should be: choose another folder",
    errno.EISDIR: "a folder has the file's name: choose another annotator name or folder",
}


def _advice(exc: OSError) -> str:
    """What to do about a failed write, by its cause."""
    return _ADVICE.get(exc.errno or 0, "free some disk space or choose a folder you can write to")


def is_lock_file(path: Path) -> bool:
    """Whether ``path`` is the lock file the store keeps beside an annotation file."""
    return (
        path.name.endswith(LOCK_SUFFIX)
        and path.with_name(path.name.removesuffix(LOCK_SUFFIX)).suffix == ".jsonl"
    )


@dataclass(frozen=True, slots=True)
class Problem:
    """A line of the file that could not be used (or, in warnings, one to check)."""

    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class Moved:
    """An annotation whose text moved and that was found again by its quote."""

    id: str
    old: tuple[int, int]
    new: tuple[int, int]


@dataclass
class LoadReport:
    """The current annotations of a file, and everything that needed attention."""

    path: Path
    annotations: list[Annotation] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    moved: list[Moved] = field(default_factory=list)
    orphans: list[Annotation] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    """Lines that were used although they look wrong (an edit of an id never added)."""

    def __repr__(self) -> str:
        parts = [f"{len(self.annotations)} annotations"]
        parts += [f"{len(self.skipped)} damaged lines skipped"] if self.skipped else []
        parts += [f"{len(self.moved)} re-anchored"] if self.moved else []
        parts += [f"{len(self.orphans)} orphaned"] if self.orphans else []
        parts += [f"{len(self.warnings)} warnings"] if self.warnings else []
        return f"<LoadReport {self.path.name}: {', '.join(parts)}>"


class AnnotationStore:
    """The annotation file of one annotator."""

    def __init__(self, path: Path | str, *, annotator: str | None = None):
        self.path = Path(path)
        self.annotator = annotator
        """The annotator this file belongs to, if opened by name: another name that gives the
        same file name is refused."""
        self._claimed = False

    @classmethod
    def for_annotator(cls, annotator: str, folder: Path | str | None = None) -> AnnotationStore:
        """The store ``<folder>/<annotator>.jsonl`` (characters other than letters, digits,
        ``-``, ``_`` and ``.`` become ``_``).

        ``folder`` defaults to ``$CORPUS_TOOLS_ANNOTATIONS``, else ``annotations/`` beside the
        corpus folder (ignored by git): ``student/annotations/`` in the copy ``make lab`` opens,
        and ``<assignment>/annotations/`` in an nbgrader assignment (its corpus is inside the
        assignment folder), where ``nbgrader submit`` and ``collect`` carry it.

        Raises:
            AnnotationError: the name cannot name a file (no letters, or too long), or its file
                already holds annotations by another name that gives the same file name
                ("Anna Müller" and "Anna_Müller"): each annotator needs a file of their own.
        """
        if folder is None:
            from ..corpus import find_corpus_root

            folder = (
                os.environ.get("CORPUS_TOOLS_ANNOTATIONS")
                or find_corpus_root().parent / ANNOTATIONS
            )
        name = annotator.strip()
        store = cls(Path(folder) / f"{file_stem(name)}.jsonl", annotator=name)
        other = namesake(store.path, name)
        if other is not None:
            raise AnnotationError(
                f"the annotator name {name!r} gives the file {store.path.name}, which already "
                f"holds annotations by {other!r}: " + NAMESAKE_ADVICE
            )
        return store

    def __repr__(self) -> str:
        return f"<AnnotationStore {self.path}>"

    # --- writing ------------------------------------------------------------------------------
    def add(self, annotation: Annotation) -> None:
        self._append([{"event": "add", "at": _now(), "annotation": annotation.to_w3c()}])

    def edit(self, annotation: Annotation) -> None:
        """Record a new version of an existing annotation (same id)."""
        self._append([{"event": "edit", "at": _now(), "annotation": annotation.to_w3c()}])

    def edit_many(self, annotations: Iterable[Annotation]) -> None:
        """Record new versions of many annotations under one lock (re-anchoring after an
        update of their text)."""
        at = _now()
        self._append([{"event": "edit", "at": at, "annotation": a.to_w3c()} for a in annotations])

    def delete(self, annotation_id: str) -> None:
        self._append([{"event": "delete", "at": _now(), "id": annotation_id}])

    def add_many(self, annotations: Iterable[Annotation]) -> None:
        """Append many annotations under one lock (for imports and simulations)."""
        at = _now()
        self._append([{"event": "add", "at": at, "annotation": a.to_w3c()} for a in annotations])

    def _append(self, events: list[dict[str, Any]]) -> None:
        from filelock import FileLock, Timeout

        payload = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events).encode()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with FileLock(f"{self.path}{LOCK_SUFFIX}", timeout=LOCK_TIMEOUT):
                if not _is_ordinary_or_absent(self.path):  # opening a named pipe would wait
                    raise SaveError(f"{self.path}: {NOT_ORDINARY}; nothing was saved")
                self._claim()
                append_whole(self.path, payload)
        except Timeout as exc:
            raise SaveError(
                f"{self.path} is locked by another program for over {LOCK_TIMEOUT:.0f} s; "
                "nothing was saved: close the other notebook or wait, then try again"
            ) from exc
        except OSError as exc:
            raise SaveError(
                f"cannot save to {self.path} ({exc.strerror or exc}); nothing was saved, and "
                f"everything saved before is intact: {_advice(exc)}, then try again"
            ) from exc

    def _claim(self) -> None:
        """Before this store's first write: refuse a file another annotator's name maps to."""
        if self.annotator is None or self._claimed:
            return
        other = namesake(self.path, self.annotator)
        if other is not None:
            raise SaveError(
                f"{self.path.name} already holds annotations by {other!r}, whose name gives the "
                f"same file name as {self.annotator!r}; nothing was saved: " + NAMESAKE_ADVICE
            )
        self._claimed = True

    # --- reading ------------------------------------------------------------------------------
    def load(self, texts: Mapping[str, str] | None = None) -> LoadReport:
        """Replay the file into the current annotations.

        Args:
            texts: document texts by id; when given, each annotation is checked against its
                text and re-anchored by its quote if the text moved, or reported as orphaned.
        """
        report = LoadReport(self.path)
        replay = _Replay(report)
        for number, event in self._events(report):
            try:
                replay.apply(number, event)
            except AnnotationError as exc:
                report.skipped.append(Problem(number, str(exc)))
        for annotation in replay.current.values():
            _anchor(annotation, texts, report)
        return report

    def _events(self, report: LoadReport) -> Iterable[tuple[int, Any]]:
        if not _is_ordinary_or_absent(self.path):  # reading a named pipe would wait forever
            raise AnnotationError(f"{self.path}: {NOT_ORDINARY}")
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.ENAMETOOLONG):
                return  # nothing saved yet (a save there will say what is wrong)
            raise AnnotationError(
                f"cannot read {self.path} ({exc.strerror or exc}); if it is a folder, or not "
                "yours, give the annotator another file"
            ) from exc
        data = data.removeprefix(codecs.BOM_UTF8)  # an editor on Windows may have put one
        for number, line in enumerate(data.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                event = _decode(line.decode("utf-8"))
            except (ValueError, UnicodeDecodeError, RecursionError):
                report.skipped.append(
                    Problem(number, "not a complete JSON line (an interrupted write?)")
                )
                continue
            yield number, event


class _Replay:
    """The annotations as the events so far leave them, and the line of each one's ``add``."""

    def __init__(self, report: LoadReport):
        self.report = report
        self.current: dict[str, Annotation] = {}
        self.added_on: dict[str, int] = {}

    def apply(self, number: int, event: Any) -> None:
        """Carry out one event; raise AnnotationError for a line that cannot be used."""
        if not isinstance(event, dict):
            raise AnnotationError(
                f"not an event but a JSON {_json_kind(event)}; each line is an object with "
                '"event": add, edit or delete'
            )
        kind = event.get("event")
        if kind == "add":
            self._add(number, _annotation_of(event, "add"))
        elif kind == "edit":
            self._edit(number, _annotation_of(event, "edit"))
        elif kind == "delete":
            self._delete(event.get("id"))
        else:
            raise AnnotationError(f"unknown event {kind!r}; expected add, edit or delete")

    def _add(self, number: int, annotation: Annotation) -> None:
        if annotation.id in self.current:
            raise AnnotationError(
                f"adds {annotation.id!r} again (first added on line "
                f"{self.added_on[annotation.id]}); the first is kept, as an add never "
                "replaces an annotation (an edit does)"
            )
        self.current[annotation.id] = annotation
        self.added_on[annotation.id] = number

    def _edit(self, number: int, annotation: Annotation) -> None:
        if annotation.id not in self.current:
            self.report.warnings.append(
                Problem(
                    number,
                    f"edits {annotation.id!r}, which was never added (its add may be on a "
                    "damaged line) or was deleted; the edited version is kept",
                )
            )
            self.added_on[annotation.id] = number
        self.current[annotation.id] = annotation

    def _delete(self, annotation_id: Any) -> None:
        if annotation_id is None:
            raise AnnotationError('a delete without an "id"; nothing was deleted')
        if self.current.pop(str(annotation_id), None) is None:
            raise AnnotationError(f"deletes {annotation_id!r}, which does not exist")


def _annotation_of(event: dict[str, Any], kind: str) -> Annotation:
    data = event.get("annotation")
    if data is None:
        raise AnnotationError(f'an {kind} event without an "annotation"')
    if not isinstance(data, dict):
        raise AnnotationError(
            f"the {kind} event's annotation is a JSON {_json_kind(data)}, not an object"
        )
    return Annotation.from_w3c(data)


def _json_kind(value: Any) -> str:
    kinds = {list: "array", str: "string", bool: "boolean", type(None): "null", dict: "object"}
    return kinds.get(type(value), "number")


def _anchor(annotation: Annotation, texts: Mapping[str, str] | None, report: LoadReport) -> None:
    if texts is None:
        report.annotations.append(annotation)
        return
    text = texts.get(annotation.doc_id)
    start = None if text is None else find_quote(text, annotation)
    if text is None or start is None:
        report.orphans.append(annotation)
        return
    unmoved = start == annotation.start and annotation.end - start == len(annotation.exact)
    if unmoved:
        report.annotations.append(annotation)
        return
    moved = moved_to(annotation, text, start)
    report.moved.append(
        Moved(annotation.id, (annotation.start, annotation.end), (moved.start, moved.end))
    )
    report.annotations.append(moved)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


NOT_ORDINARY = (
    "this is not an ordinary file (a folder, a named pipe or a device); give the annotator "
    "another file, or move this one aside"
)


def _is_ordinary_or_absent(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True  # absent, or unreadable: reading or writing it says what is wrong

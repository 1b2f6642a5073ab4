"""One JSON Lines file per annotator, appended under a file lock, never rewritten.

Every change is an event on its own line (``add``, ``edit`` or ``delete``), written in one
``write`` call, flushed and synced before the lock is released, so a crash or a second kernel
cannot lose or corrupt what was saved.  Reading replays the events; a damaged line (a crash in
the middle of a write) is reported with its line number and skipped, and everything else loads.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import AnnotationError, SaveError
from .record import Annotation

__all__ = ["LOCK_SUFFIX", "AnnotationStore", "LoadReport", "Moved", "Problem", "is_lock_file"]

CONTEXT_MARGIN = 8
"""Where a quote occurs more than once, the best context must beat the next by this many
characters for the annotation to be re-anchored there."""
LOCK_SUFFIX = ".lock"
"""The lock file beside an annotation file is named like it, with this suffix."""
LOCK_TIMEOUT = 30.0
"""Seconds to wait for another kernel's write to finish before giving up with an error."""


def _write_whole(stream: Any, payload: bytes) -> None:
    """Append ``payload`` and sync it, or leave the file as it was (no half-written line)."""
    start = stream.tell()
    try:
        stream.write(payload)
        stream.flush()
        os.fsync(stream.fileno())
    except OSError:
        stream.truncate(start)
        raise


def is_lock_file(path: Path) -> bool:
    """Whether ``path`` is the lock file the store keeps beside an annotation file."""
    return (
        path.name.endswith(LOCK_SUFFIX)
        and path.with_name(path.name.removesuffix(LOCK_SUFFIX)).suffix == ".jsonl"
    )


@dataclass(frozen=True, slots=True)
class Problem:
    """A line of the file that could not be used."""

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
    readded: list[Problem] = field(default_factory=list)
    """``add`` events for an id that is already there (a line pasted twice, two files joined):
    the later one replaces the earlier, as an ``edit`` would."""

    def __repr__(self) -> str:
        parts = [f"{len(self.annotations)} annotations"]
        parts += [f"{len(self.skipped)} damaged lines skipped"] if self.skipped else []
        parts += [f"{len(self.moved)} re-anchored"] if self.moved else []
        parts += [f"{len(self.orphans)} orphaned"] if self.orphans else []
        return f"<LoadReport {self.path.name}: {', '.join(parts)}>"


class AnnotationStore:
    """The annotation file of one annotator."""

    def __init__(self, path: Path | str):
        self.path = Path(path)

    @classmethod
    def for_annotator(cls, annotator: str, folder: Path | str | None = None) -> AnnotationStore:
        """The store ``<folder>/<annotator>.jsonl``.

        ``folder`` defaults to ``$CORPUS_TOOLS_ANNOTATIONS``, else ``annotations/`` beside the
        corpus folder (ignored by git).
        """
        if folder is None:
            from ..corpus import find_corpus_root

            folder = (
                os.environ.get("CORPUS_TOOLS_ANNOTATIONS")
                or find_corpus_root().parent / "annotations"
            )
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in annotator.strip())
        if not safe.strip("._"):
            raise AnnotationError(f"annotator name {annotator!r} cannot name a file; use letters")
        return cls(Path(folder) / f"{safe}.jsonl")

    def __repr__(self) -> str:
        return f"<AnnotationStore {self.path}>"

    # --- writing ------------------------------------------------------------------------------
    def add(self, annotation: Annotation) -> None:
        self._append([{"event": "add", "at": _now(), "annotation": annotation.to_w3c()}])

    def edit(self, annotation: Annotation) -> None:
        """Record a new version of an existing annotation (same id)."""
        self._append([{"event": "edit", "at": _now(), "annotation": annotation.to_w3c()}])

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
            lock = FileLock(f"{self.path}{LOCK_SUFFIX}", timeout=LOCK_TIMEOUT)
            with lock, open(self.path, "ab") as stream:
                _end_damaged_line(stream)
                _write_whole(stream, payload)
        except Timeout as exc:
            raise SaveError(
                f"{self.path} is locked by another program for over {LOCK_TIMEOUT:.0f} s; "
                "nothing was saved: close the other notebook or wait, then try again"
            ) from exc
        except OSError as exc:
            raise SaveError(
                f"cannot save to {self.path} ({exc.strerror or exc}); nothing was saved, and "
                "everything saved before is intact: free some disk space or choose a folder you "
                "can write to, then try again",
            ) from exc

    # --- reading ------------------------------------------------------------------------------
    def load(self, texts: Mapping[str, str] | None = None) -> LoadReport:
        """Replay the file into the current annotations.

        Args:
            texts: document texts by id; when given, each annotation is checked against its
                text and re-anchored by its quote if the text moved, or reported as orphaned.
        """
        report = LoadReport(self.path)
        current: dict[str, Annotation] = {}
        for number, event in self._events(report):
            try:
                again = _apply(current, event)
            except AnnotationError as exc:
                report.skipped.append(Problem(number, str(exc)))
                continue
            if again is not None:
                report.readded.append(Problem(number, f"adds id {again!r} again"))
        for annotation in current.values():
            _anchor(annotation, texts, report)
        return report

    def _events(self, report: LoadReport) -> Iterable[tuple[int, dict[str, Any]]]:
        try:
            data = self.path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return  # nothing saved yet (a save there will say what is wrong)
        except OSError as exc:
            raise AnnotationError(
                f"cannot read {self.path} ({exc.strerror or exc}); if it is a folder, or not "
                "yours, give the annotator another file"
            ) from exc
        for number, line in enumerate(data.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                event = json.loads(line)
            except (ValueError, UnicodeDecodeError, RecursionError):
                report.skipped.append(
                    Problem(number, "not a complete JSON line (an interrupted write?)")
                )
                continue
            yield number, event


def _apply(current: dict[str, Annotation], event: Any) -> str | None:
    """Apply one event; the id, if it is an ``add`` of an id that is there already."""
    kind = event.get("event") if isinstance(event, dict) else None
    if kind in ("add", "edit"):  # a tuple: ``kind`` may be any JSON value, even a list
        annotation = Annotation.from_w3c(event["annotation"])
        again = kind == "add" and annotation.id in current
        current[annotation.id] = annotation
        return annotation.id if again else None
    if kind == "delete":
        if current.pop(str(event.get("id")), None) is None:
            raise AnnotationError(f"deletes {event.get('id')!r}, which does not exist")
        return None
    raise AnnotationError(f"unknown event {kind!r}; expected add, edit or delete")


def _anchor(annotation: Annotation, texts: Mapping[str, str] | None, report: LoadReport) -> None:
    if texts is None:
        report.annotations.append(annotation)
        return
    text = texts.get(annotation.doc_id)
    if text is None:
        report.orphans.append(annotation)
        return
    if annotation.end <= len(text) and text[annotation.start : annotation.end] == annotation.exact:
        report.annotations.append(annotation)
        return
    start = _find_quote(text, annotation)
    if start is None:
        report.orphans.append(annotation)
        return
    moved = _moved_to(annotation, text, start)
    report.moved.append(
        Moved(annotation.id, (annotation.start, annotation.end), (moved.start, moved.end))
    )
    report.annotations.append(moved)


def _find_quote(text: str, annotation: Annotation) -> int | None:
    """Where the quote is now: the occurrence with the longest matching context, if unique."""
    candidates = []
    position = text.find(annotation.exact)
    while position >= 0:
        before = text[max(0, position - len(annotation.prefix)) : position]
        after = text[position + len(annotation.exact) :][: len(annotation.suffix)]
        score = _common_suffix(before, annotation.prefix) + _common_prefix(after, annotation.suffix)
        candidates.append((score, position))
        position = text.find(annotation.exact, position + 1)
    if not candidates:
        return None
    candidates.sort(reverse=True)
    if len(candidates) > 1 and candidates[0][0] - candidates[1][0] < CONTEXT_MARGIN:
        return None  # ambiguous: better orphaned than attached to the wrong place
    return candidates[0][1]


def _moved_to(annotation: Annotation, text: str, start: int) -> Annotation:
    from dataclasses import replace

    from .record import quote

    end = start + len(annotation.exact)
    return replace(annotation, start=start, end=end, **quote(text, start, end))


def _common_prefix(a: str, b: str) -> int:
    return next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])


def _end_damaged_line(stream: Any) -> None:
    """If the file does not end with a newline (a write was cut off), start a fresh line."""
    if stream.tell() == 0:
        return
    with open(stream.name, "rb") as reader:
        reader.seek(-1, os.SEEK_END)
        if reader.read(1) != b"\n":
            stream.write(b"\n")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")

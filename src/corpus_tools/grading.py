"""A class's annotations against an answer key: reading them, scores, and the report.

Reading
    Keys are read by :func:`corpus_tools.annotate.load_key`, strictly.  :func:`load_class`
    reads the students' files and never stops: a file that is not an annotation file, is
    empty, or holds annotations of another document or tag set than the key's is skipped and
    reported by name with the reason; damaged lines inside a file are reported and the rest of
    the file is scored.  A file that adds an annotation id twice (the later one replaces the
    earlier) is scored, with a note; so is, by :func:`grade`, a student whose spans and tags are
    exactly the key's (a copy of the key?).

Scores
    :func:`score` gives precision, recall and F1 per student and tag, and micro-averaged over the
    tags (tag ``(all)``), with two matchings: ``exact`` (same document, start, end and tag) and
    ``overlap`` (same document and tag, spans overlap; one-to-one, as many pairs as there can
    be, preferring the largest overlaps).
    A ratio whose denominator is 0 is NaN: precision of a student who used no span of a tag,
    recall of a tag the key does not use.  F1 is ``2 tp / (2 tp + fp + fn)``, so it is 0 when
    the key or the student has spans and none match, and NaN only when neither has any.

Agreement and disagreement
    Measured over tokens by :mod:`corpus_tools.agreement`; :func:`grade` gives both with the
    scores.

Scope
    An :class:`~corpus_tools.annotate.assignments.Assignment` names the passages and the tag set
    students were asked to tag: :func:`grade` then scores only inside those passages.  Labels that
    need a text the corpus does not hold (the Russian original) are set apart, never scored.

A paragraph the source prints twice (p19 repeats p16) counts once: :func:`grade` moves an
annotation inside the repeat onto the first copy (:func:`fold_repeated`), so a student who
tagged either copy gets the same credit, and the repeat's tokens are left out of agreement.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .agreement import (
    Disagreement,
    agreement,
    disagreement,
    find_document,
    kappa_by_student,
    key_sections,
    token_marks,
)
from .annotate.record import Annotation
from .annotate.store import AnnotationStore, LoadReport, is_lock_file
from .errors import GradingError
from .files import write_spreadsheet_csv
from .formatting import number, shorten
from .staging import install, staging

if TYPE_CHECKING:
    import pandas as pd

    from .annotate.assignments import Assignment
    from .corpus import Document, Section

__all__ = [
    "ALL_TAGS",
    "MATCHINGS",
    "ClassAnnotations",
    "GradingResults",
    "Skipped",
    "Submission",
    "fold_repeated",
    "grade",
    "load_class",
    "score",
    "summary",
    "write_report",
]

ALL_TAGS = "(all)"
"""The tag of the micro-averaged rows of :func:`score`."""
MATCHINGS = ("exact", "overlap")
SCORE_COLUMNS = [
    "student", "tag", "matching", "true_pos", "false_pos", "false_neg", "precision", "recall", "f1",
]  # fmt: skip


# --- reading ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Skipped:
    """A file that was not scored, and why."""

    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Submission:
    """One student's file: the annotations that are scored and what needed attention."""

    student: str
    path: Path
    annotations: tuple[Annotation, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ClassAnnotations:
    """The files of a class: those that are scored, and those skipped with the reason."""

    submissions: tuple[Submission, ...]
    skipped: tuple[Skipped, ...] = ()

    @property
    def students(self) -> tuple[str, ...]:
        return tuple(s.student for s in self.submissions)

    def by_student(self) -> dict[str, list[Annotation]]:
        """Each student's annotations, by student name."""
        return {s.student: list(s.annotations) for s in self.submissions}


def load_class(
    paths: Iterable[Path | str],
    texts: Mapping[str, str],
    *,
    key: Sequence[Annotation] | None = None,
    key_path: Path | str | None = None,
    students: Mapping[Path, str] | None = None,
) -> ClassAnnotations:
    """Read the students' annotation files; a file that cannot be scored is skipped, not fatal.

    Args:
        paths: the students' files.
        texts: document texts by id (annotations are checked and re-anchored against them).
        key: the answer key; when given, only annotations of its documents and tag sets are
            kept, and a file with none of them is skipped as foreign.
        key_path: the key's file, skipped if it is among ``paths``.
        students: the student of each file, by its path as given (an nbgrader student id:
            see :func:`corpus_tools.nbgrader_course.submitted_annotations`).

    Returns:
        The scored submissions (student name = the one ``students`` gives, else the
        annotations' creator, else the file stem; made unique) and the skipped files with
        their reasons.  Lock files that the store
        leaves beside annotation files (``*.jsonl.lock``) are passed over without a word.

    Raises:
        GradingError: ``key`` is given but empty.
    """
    scope = _scope(key) if key is not None else None
    own = Path(key_path).resolve() if key_path is not None else None
    submissions: list[Submission] = []
    skipped: list[Skipped] = []
    names: set[str] = set()
    for path in map(Path, paths):
        if is_lock_file(path):
            continue  # the store's lock file beside an annotation file, not a submission
        if own is not None and path.resolve() == own:
            skipped.append(Skipped(path, "this is the answer key"))
            continue
        try:
            found = _submission(path, texts, scope, (students or {}).get(path))
        except Exception as exc:  # one unreadable file must never stop a class's scoring
            found = Skipped(path, f"cannot be scored ({type(exc).__name__}: {exc})")
        if isinstance(found, Skipped):
            skipped.append(found)
            continue
        submissions.append(_unique(found, names))
    return ClassAnnotations(tuple(submissions), tuple(skipped))


def _read(path: Path, texts: Mapping[str, str]) -> LoadReport:
    try:
        return AnnotationStore(path).load(texts)
    except OSError as exc:
        raise GradingError(f"cannot be read ({exc.strerror or exc})", path=path) from exc


def _submission(
    path: Path,
    texts: Mapping[str, str],
    scope: tuple[set[str], set[str]] | None,
    name: str | None = None,
) -> Submission | Skipped:
    if not path.is_file():
        return Skipped(path, "no such file" if not path.exists() else "not a file")
    if path.stat().st_size == 0:
        return Skipped(path, "empty file")
    try:
        report = _read(path, texts)
    except GradingError as exc:
        return Skipped(path, exc.reason)
    problems = sorted([*report.skipped, *report.warnings], key=lambda p: p.line)
    notes = [f"line {p.line}: {p.reason}" for p in problems]
    usable, problem = _usable(report, texts, scope, notes)
    if problem:
        return Skipped(path, problem)
    creators = Counter(a.creator.strip() for a in usable if a.creator.strip())
    student = name or (creators.most_common(1)[0][0] if creators else path.stem)
    if len(creators) > 1:
        notes.append(f"several creators ({', '.join(sorted(creators))}); scored as {student!r}")
    return Submission(student, path, tuple(sorted(usable, key=_position)), tuple(notes))


def _usable(
    report: LoadReport,
    texts: Mapping[str, str],
    scope: tuple[set[str], set[str]] | None,
    notes: list[str],
) -> tuple[list[Annotation], str | None]:
    """The annotations to score, or the reason why the file cannot be scored."""
    stale = [a for a in report.orphans if a.doc_id in texts]
    outside = [a for a in report.orphans if a.doc_id not in texts]
    kept = report.annotations
    if scope is not None:
        docs, tagsets = scope
        kept = [a for a in report.annotations if a.doc_id in docs and a.tagset in tagsets]
        outside += [
            a for a in report.annotations if a.doc_id not in docs or a.tagset not in tagsets
        ]
    if not kept:
        return [], _unusable(report, stale, outside, scope)
    if stale:
        notes.append(f"{len(stale)} annotation(s) no longer match the text and are not scored")
    if outside:
        notes.append(f"{len(outside)} annotation(s) of another document or tag set are not scored")
    if report.moved:
        notes.append(
            f"{len(report.moved)} annotation(s) found again by their quote after the text moved"
        )
    return kept, None


def _unusable(
    report: LoadReport,
    stale: Sequence[Annotation],
    outside: Sequence[Annotation],
    scope: tuple[set[str], set[str]] | None,
) -> str:
    if outside:
        theirs = sorted({(a.doc_id, a.tagset) for a in outside})
        shown = "; ".join(f"document {d!r} with tag set {t!r}" for d, t in theirs[:3])
        if scope is None:
            return f"foreign: its annotations are for {shown}, not a document of this corpus"
        return (
            f"foreign: its annotations are for {shown}, but the key is for document(s) "
            f"{', '.join(sorted(scope[0]))} with tag set(s) {', '.join(sorted(scope[1]))}"
        )
    if stale:
        return (
            f"none of its {len(stale)} annotation(s) matches the text of its document "
            "(made for another version of the text?)"
        )
    if report.skipped:
        first = report.skipped[0]
        return (
            f"not an annotation file: none of its {len(report.skipped)} line(s) is an "
            f"annotation event (line {first.line}: {first.reason})"
        )
    return "no annotations (every one was deleted)"


def _scope(key: Sequence[Annotation]) -> tuple[set[str], set[str]]:
    if not key:
        raise GradingError("the answer key is empty; there is nothing to score against")
    return {a.doc_id for a in key}, {a.tagset for a in key}


def _unique(submission: Submission, names: set[str]) -> Submission:
    """The submission under a name no earlier submission has (the file stem is added)."""
    name = submission.student
    if name in names:
        base = f"{name} ({submission.path.stem})"
        name, number = base, 2
        while name in names:
            name, number = f"{base} {number}", number + 1
    names.add(name)
    if name == submission.student:
        return submission
    note = f"another file is also by {submission.student!r}; scored as {name!r}"
    return Submission(name, submission.path, submission.annotations, (*submission.notes, note))


def _position(annotation: Annotation) -> tuple[str, int, int, str]:
    return annotation.doc_id, annotation.start, annotation.end, annotation.tag


# --- scores -------------------------------------------------------------------------------------
def score(
    key: Sequence[Annotation],
    students: Mapping[str, Sequence[Annotation]] | ClassAnnotations,
    *,
    tags: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Precision, recall and F1 of each student against the key, per tag and over all tags.

    Args:
        key: the answer key's annotations.
        students: each student's annotations, by name (or a :class:`ClassAnnotations`).
        tags: the tags to report, in this order (default: every tag the key or a student used,
            sorted).

    Returns:
        A tidy frame with the columns of :data:`SCORE_COLUMNS`, one row per student, tag (then
        ``(all)``, micro-averaged over the tags) and matching (``exact``, ``overlap``), sorted in
        that order, students by name.
    """
    import pandas as pd

    if isinstance(students, ClassAnnotations):
        students = students.by_student()
    if tags is None:
        tags = sorted({a.tag for a in key} | {a.tag for anns in students.values() for a in anns})
    gold = _group(key)
    rows: list[dict[str, Any]] = []
    for student in sorted(students):
        counts = _counts(gold, _group(students[student]), tags)
        for matching in MATCHINGS:
            counts[matching, ALL_TAGS] = [
                sum(counts[matching, t][i] for t in tags) for i in range(3)
            ]
        for tag in [*tags, ALL_TAGS]:
            rows += [_row(student, tag, m, *counts[m, tag]) for m in MATCHINGS]
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


Spans = dict[tuple[str, str], list[tuple[int, int]]]


def _group(annotations: Iterable[Annotation]) -> Spans:
    """Spans by (tag, document)."""
    groups: Spans = {}
    for a in annotations:
        groups.setdefault((a.tag, a.doc_id), []).append((a.start, a.end))
    return groups


def _counts(gold: Spans, theirs: Spans, tags: Sequence[str]) -> dict[tuple[str, str], list[int]]:
    """(true_pos, false_pos, false_neg) by (matching, tag)."""
    counts = {(m, tag): [0, 0, 0] for m in MATCHINGS for tag in tags}
    for tag, doc in set(gold) | set(theirs):
        if tag not in tags:
            continue
        key_spans, student_spans = gold.get((tag, doc), []), theirs.get((tag, doc), [])
        for matching, match in (("exact", _exact_matches), ("overlap", _overlap_matches)):
            tp = match(key_spans, student_spans)
            found = counts[matching, tag]
            found[0] += tp
            found[1] += len(student_spans) - tp
            found[2] += len(key_spans) - tp
    return counts


def _exact_matches(key: Sequence[tuple[int, int]], student: Sequence[tuple[int, int]]) -> int:
    """One-to-one matches of identical spans (a span given twice matches at most twice)."""
    return sum((Counter(key) & Counter(student)).values())


def _overlap_matches(key: Sequence[tuple[int, int]], student: Sequence[tuple[int, int]]) -> int:
    """One-to-one matches of overlapping spans, as many as there can be: pairs are taken
    greedily by largest overlap (ties: the earlier key span, then the earlier student span),
    then augmenting paths add the pairs a greedy choice blocked (a student span that straddles
    two key spans must not cost the student the other one)."""
    import numpy as np

    if not key or not student:
        return 0
    k, s = np.asarray(key), np.asarray(student)
    overlap = np.minimum(k[:, 1:2], s[:, 1]) - np.maximum(k[:, 0:1], s[:, 0])
    ki, si = np.nonzero(overlap > 0)
    order = np.lexsort((si, ki, -overlap[ki, si]))
    partners: dict[int, list[int]] = {}  # key span -> student spans, largest overlap first
    key_of: dict[int, int] = {}  # student span -> the key span it is matched to
    greedy: set[int] = set()  # key spans matched greedily
    for i, j in zip(ki[order].tolist(), si[order].tolist(), strict=True):
        partners.setdefault(i, []).append(j)
        if j not in key_of and i not in greedy:
            key_of[j] = i
            greedy.add(i)
    for i in sorted(set(partners) - greedy):
        _augment(i, partners, key_of, set())
    return len(key_of)


def _augment(
    i: int, partners: dict[int, list[int]], key_of: dict[int, int], seen: set[int]
) -> bool:
    """Match key span ``i`` along an augmenting path, re-matching others as needed (Kuhn)."""
    for j in partners[i]:
        if j in seen:
            continue
        seen.add(j)
        if j not in key_of or _augment(key_of[j], partners, key_of, seen):
            key_of[j] = i
            return True
    return False


def _row(student: str, tag: str, matching: str, tp: int, fp: int, fn: int) -> dict[str, Any]:
    nan = float("nan")
    return {
        "student": student, "tag": tag, "matching": matching,
        "true_pos": tp, "false_pos": fp, "false_neg": fn,
        "precision": tp / (tp + fp) if tp + fp else nan,
        "recall": tp / (tp + fn) if tp + fn else nan,
        "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else nan,
    }  # fmt: skip


# --- all at once, and the report ----------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class GradingResults:
    """Scores, agreement and disagreement of one class against one key."""

    scores: pd.DataFrame = field(repr=False)
    agreement: pd.DataFrame = field(repr=False)
    kappa_by_student: pd.DataFrame = field(repr=False)
    disagreement: Disagreement
    sections: tuple[str, ...]
    students: tuple[str, ...]
    skipped: tuple[Skipped, ...] = ()
    notes: tuple[str, ...] = ()
    unjudged: pd.DataFrame | None = field(default=None, repr=False)
    """Spans with labels that need a text the corpus does not hold (the original of a
    translation), one row each: reported for a person to read, never scored."""

    def __repr__(self) -> str:
        return (
            f"<GradingResults: {len(self.students)} students, {len(self.skipped)} files "
            f"skipped, {len(self.disagreement.tokens)} tokens of {', '.join(self.sections)}>"
        )


def grade(
    key: Sequence[Annotation],
    students: Mapping[str, Sequence[Annotation]] | ClassAnnotations,
    docs: Mapping[str, Document],
    *,
    sections: Sequence[str] | None = None,
    tags: Sequence[str] | None = None,
    assignment: Assignment | None = None,
    needs_original: Iterable[str] = (),
) -> GradingResults:
    """Score a class against the key, and measure its agreement and disagreement.

    Args:
        key: the answer key's annotations.
        students: each student's annotations by name, or a :class:`ClassAnnotations`.
        docs: the documents by id.
        sections: ids of the sections to measure agreement over (default: the assignment's
            passages, else the sections the key covers, :func:`key_sections`).
        tags: the tags to report first, in this order (pass the tag set's labels to report
            unused tags too); tags used but not listed follow, sorted.
        assignment: score only inside its passages, the key's spans as the students'; spans
            outside are counted in the notes, not scored.
        needs_original: labels that cannot be judged from the corpus (default: those of the
            assignment's tag set); their spans are listed in ``unjudged``, not scored.

    Raises:
        GradingError: the key is empty, no student is given, or a section or document is
            unknown.
    """
    skipped: tuple[Skipped, ...] = ()
    notes: tuple[str, ...] = ()
    files: dict[str, Path] = {}
    if isinstance(students, ClassAnnotations):
        files = {s.student: s.path for s in students.submissions}
        skipped = students.skipped
        notes = tuple(f"{s.path}: {note}" for s in students.submissions for note in s.notes)
        students = students.by_student()
    _scope(key)
    if not students:
        raise GradingError("no student annotations to score")
    key, _ = fold_repeated(key, docs)
    folded = {name: fold_repeated(anns, docs) for name, anns in students.items()}
    students = {name: anns for name, (anns, _) in folded.items()}
    if moved := sum(count for _, count in folded.values()):
        notes += (
            f"{moved} annotation(s) in a paragraph the source prints twice were counted on its "
            "first copy",
        )
    if assignment is not None:
        key, students, outside = _in_scope(assignment, key, students)
        notes += outside
        needs_original = needs_original or assignment.tagset.needs_original
    apart = frozenset(needs_original)
    key, students, unjudged = _set_apart(key, students, apart)
    tags = None if tags is None else [tag for tag in tags if tag not in apart]
    if not key:
        raise GradingError("the key has no span to score against in this scope")
    notes += _copies_of_key(key, students, files)
    used = sorted({a.tag for a in key} | {a.tag for anns in students.values() for a in anns})
    if tags is not None and (unknown := [tag for tag in used if tag not in tags]):
        notes += (f"tag(s) not in the tag set, scored as mistakes: {', '.join(unknown)}",)
    tags = list(dict.fromkeys([*(tags or ()), *used]))
    scope = (
        list(assignment.passages)
        if assignment is not None and sections is None
        else _sections(key, docs, sections)
    )
    marks = token_marks(students, docs, scope, tags=tags)
    return GradingResults(
        scores=score(key, students, tags=tags),
        agreement=agreement(marks),
        kappa_by_student=kappa_by_student(marks),
        disagreement=disagreement(marks),
        sections=tuple(s.id for s in scope),
        students=tuple(sorted(students)),
        skipped=skipped,
        notes=notes,
        unjudged=unjudged,
    )


def _in_scope(
    assignment: Assignment,
    key: Sequence[Annotation],
    students: Mapping[str, Sequence[Annotation]],
) -> tuple[list[Annotation], dict[str, list[Annotation]], tuple[str, ...]]:
    """The key's and each student's spans inside the assignment, and a note per student with
    spans outside it."""
    kept = {name: assignment.within(anns) for name, anns in students.items()}
    notes = tuple(
        f"{name}: {len(anns) - len(kept[name])} annotation(s) outside assignment "
        f"{assignment.id!r} ({', '.join(p.id for p in assignment.passages)}) were not scored"
        for name, anns in sorted(students.items())
        if len(anns) > len(kept[name])
    )
    return assignment.within(key), kept, notes


def _copies_of_key(
    key: Sequence[Annotation], students: Mapping[str, Sequence[Annotation]], files: dict[str, Path]
) -> tuple[str, ...]:
    """A note for each student whose spans and tags are exactly the key's; it says whether the
    annotation ids are the key's too (a copy of the key's file) or the student's own."""
    spans, ids = Counter(map(_position, key)), {a.id for a in key}
    notes = []
    for name, anns in sorted(students.items()):
        if Counter(map(_position, anns)) != spans:
            continue
        same = f"{files.get(name, name)}: the same {len(key)} span(s) and tag(s) as the answer key"
        if all(a.id in ids for a in anns):
            notes.append(f"{same}, with the key's own annotation ids: a copy of the key's file")
        else:
            notes.append(f"{same}, exactly: a perfect score, or a copy of the key?")
    return tuple(notes)


def _set_apart(
    key: Sequence[Annotation],
    students: Mapping[str, Sequence[Annotation]],
    labels: frozenset[str],
) -> tuple[list[Annotation], dict[str, list[Annotation]], pd.DataFrame]:
    """Take out the spans whose labels the corpus cannot judge; list the students' ones."""
    import pandas as pd

    rows = [
        {"student": name, "tag": a.tag, "start": a.start, "end": a.end, "text": a.exact,
         "comment": a.comment or ""}
        for name, anns in sorted(students.items())
        for a in anns
        if a.tag in labels
    ]  # fmt: skip
    judged = {name: [a for a in anns if a.tag not in labels] for name, anns in students.items()}
    unjudged = pd.DataFrame(rows, columns=["student", "tag", "start", "end", "text", "comment"])
    return [a for a in key if a.tag not in labels], judged, unjudged


def fold_repeated(
    annotations: Sequence[Annotation], docs: Mapping[str, Document]
) -> tuple[list[Annotation], int]:
    """Count a paragraph the source prints twice once: an annotation inside a repeat (p19,
    which repeats p16) is moved onto the first copy, and dropped if the first copy already
    has the same span and tag.

    Returns:
        The annotations, in their order, and how many were moved or dropped.
    """
    import dataclasses

    repeats = {doc_id: _repeats(doc) for doc_id, doc in docs.items()}
    places = {(a.doc_id, a.start, a.end, a.tag) for a in annotations}
    folded: list[Annotation] = []
    changed = 0
    for annotation in annotations:
        shift = next(
            (shift for start, end, shift in repeats.get(annotation.doc_id, ())
             if start <= annotation.start and annotation.end <= end),
            None,
        )  # fmt: skip
        if shift is None:
            folded.append(annotation)
            continue
        changed += 1
        start, end = annotation.start + shift, annotation.end + shift
        if (annotation.doc_id, start, end, annotation.tag) not in places:
            folded.append(dataclasses.replace(annotation, start=start, end=end))
    return folded, changed


def _repeats(doc: Document) -> list[tuple[int, int, int]]:
    """``(start, end, shift)`` of each paragraph that repeats an earlier one; ``shift`` moves
    an offset inside it to the same place in the first copy."""
    return [
        (p.start, p.end, p.duplicate_of.start - p.start)
        for p in doc.paragraphs
        if p.duplicate_of is not None
    ]


def _sections(
    key: Sequence[Annotation], docs: Mapping[str, Document], ids: Sequence[str] | None
) -> list[Section]:
    if ids is None:
        return key_sections(key, docs)
    from .errors import CorpusError

    try:
        return [
            find_document(docs, doc_id).section(i)
            for doc_id in sorted({a.doc_id for a in key})
            for i in ids
        ]
    except CorpusError as exc:
        raise GradingError(exc.reason) from exc


def summary(results: GradingResults, *, top: int = 5) -> str:
    """A short plain-text account: students scored, files skipped and why, mean F1, alpha and
    mean kappa per tag, and the ``top`` passages where the class disagrees most."""
    lines = [f"scored {len(results.students)} student(s)"]
    if results.skipped:
        lines.append(f"skipped {len(results.skipped)} file(s):")
        lines += [f"  {s}" for s in results.skipped]
    if results.notes:
        lines.append("notes:")
        lines += [f"  {note}" for note in results.notes]
    overall = results.scores[results.scores["tag"] == ALL_TAGS].groupby("matching")["f1"].mean()
    lines.append(
        "mean F1 over students: " + ", ".join(f"{m} {number(overall[m])}" for m in MATCHINGS)
    )
    if results.unjudged is not None and len(results.unjudged):
        tags = ", ".join(sorted(set(results.unjudged.tag)))
        lines.append(
            f"not scored, for a person to read: {len(results.unjudged)} span(s) tagged {tags}, "
            "which need the original to judge (unjudged.csv)"
        )
    lines.append(
        f"agreement over {len(results.disagreement.tokens)} tokens of "
        f"{', '.join(results.sections)}:"
    )
    lines.append(f"  {'tag':<24} {'alpha':>6} {'mean kappa':>11}")
    for row in results.agreement.itertuples():
        note = f"  ({row.note})" if row.note else ""
        lines.append(f"  {row.tag:<24} {number(row.alpha):>6} {number(row.mean_kappa):>11}{note}")
    lines.append("passages where the class disagrees most:")
    for row in results.disagreement.passages.head(top).itertuples():
        text = shorten(" ".join(row.text.split()), 70)
        lines.append(f"  {number(row.disagreement)}  {row.sentence} ({row.paragraph}) {text}")
    return "\n".join(lines)


REPORT_FILES = (
    "scores.csv",
    "agreement.csv",
    "kappa_by_student.csv",
    "passages.csv",
    "unjudged.csv",
    "notes.csv",
    "disagreement.png",
)
"""What :func:`write_report` writes, in this order."""
_STAGING = "report"  # the kind of staging folder (see corpus_tools.staging)


def write_report(results: GradingResults, outdir: Path | str) -> list[Path]:
    """Write ``scores.csv``, ``agreement.csv``, ``kappa_by_student.csv``, ``passages.csv``,
    ``unjudged.csv`` (spans set apart for a person to read), ``notes.csv`` (files skipped and
    notes, as :func:`summary` lists them) and ``disagreement.png``.

    The report is written in a staging folder beside ``outdir`` and swapped in as a whole
    (:mod:`corpus_tools.staging`), so a reader sees the previous report or the complete new
    one, and a failure (a full disk, a figure that cannot be drawn) leaves the previous report
    as it was.  The files get the permissions the user's umask gives new files.

    Returns:
        The paths written.

    Raises:
        GradingError: the folder cannot be written to, is not a folder, or holds files that
            are not a report's (they would be replaced with it); nothing is written then.
    """
    outdir = Path(outdir)
    target = outdir.resolve()
    try:
        _check_report_folder(outdir, target)
        with staging(target, _STAGING) as folder:
            for name, write in _parts(results).items():
                write(folder / name)
            install(folder, target)
    except OSError as exc:
        raise GradingError(
            f"cannot write the report ({exc.strerror or exc}); choose a folder you can write to",
            path=outdir,
        ) from exc
    return [outdir / name for name in REPORT_FILES]


def _check_report_folder(outdir: Path, target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise GradingError("exists and is not a folder; choose another report folder", path=outdir)
    if target == Path.cwd().resolve() or target in Path.cwd().resolve().parents:
        raise GradingError(
            "is the working folder or holds it; a report replaces its folder as a whole, so "
            "give it a folder of its own (e.g. grading-report)",
            path=outdir,
        )
    entries = sorted(p.name for p in target.iterdir()) if target.is_dir() else []
    foreign = [name for name in entries if name not in REPORT_FILES]
    if foreign:
        raise GradingError(
            f"the folder also holds {', '.join(foreign)}, not part of a report; a report "
            "replaces its folder as a whole: move them, or choose another folder",
            path=outdir,
        )


def _parts(results: GradingResults) -> dict[str, Callable[[Path], None]]:
    """How to write each file of :data:`REPORT_FILES`."""
    return {
        "scores.csv": lambda p: write_spreadsheet_csv(results.scores, p),
        "agreement.csv": lambda p: write_spreadsheet_csv(results.agreement, p),
        "kappa_by_student.csv": lambda p: write_spreadsheet_csv(results.kappa_by_student, p),
        "passages.csv": lambda p: write_spreadsheet_csv(results.disagreement.passages, p),
        "unjudged.csv": lambda p: write_spreadsheet_csv(_unjudged(results), p),
        "notes.csv": lambda p: write_spreadsheet_csv(_notes(results), p),
        "disagreement.png": lambda p: _save_png(_disagreement_figure(results), p),
    }


def _notes(results: GradingResults) -> pd.DataFrame:
    """The files skipped and the notes, one row each: ``kind`` (skipped, note) and ``text``."""
    import pandas as pd

    rows = [("skipped", str(s)) for s in results.skipped]
    rows += [("note", note) for note in results.notes]
    return pd.DataFrame(rows, columns=["kind", "text"])


def _unjudged(results: GradingResults) -> pd.DataFrame:
    import pandas as pd

    if results.unjudged is not None:
        return results.unjudged
    return pd.DataFrame(columns=["student", "tag", "start", "end", "text", "comment"])


def _disagreement_figure(results: GradingResults) -> Any:
    from .figures import plot_disagreement

    found = results.disagreement
    return plot_disagreement(found.tokens, annotators=found.annotators)


def _save_png(figure: Any, path: Path) -> None:
    figure.savefig(path, format="png", dpi=150)

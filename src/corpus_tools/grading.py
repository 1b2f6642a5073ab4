"""A class's annotations against an answer key: scores, agreement and where the class disagrees.

Reading
    :func:`read_key` reads an answer key from any path (an annotation file, creator ``key``) and
    stops on any problem, since it is the instructor's own file (the keys shipped in
    ``corpus/keys/`` are checked more strictly by :func:`corpus_tools.annotate.load_key`).
    :func:`load_class` reads the students' files and never stops: a file that is not an
    annotation file, is empty, or holds annotations of another document or tag set than the
    key's is skipped and reported by name with the reason; damaged lines inside a file are
    reported and the rest of the file is scored.

Scores
    :func:`score` gives precision, recall and F1 per student and tag, and micro-averaged over the
    tags (tag ``(all)``), with two matchings: ``exact`` (same document, start, end and tag) and
    ``overlap`` (same document and tag, spans overlap; one-to-one, greedily by largest overlap).
    A ratio whose denominator is 0 is NaN: precision of a student who used no span of a tag,
    recall of a tag the key does not use.  F1 is ``2 tp / (2 tp + fp + fn)``, so it is 0 when
    the key or the student has spans and none match, and NaN only when neither has any.

Agreement
    Over the tokens of the sections the key covers, each annotator marks each token 1 for a tag
    if any of their spans with that tag overlaps it, else 0 (:func:`token_marks`).  Per tag,
    :func:`agreement` gives Krippendorff's alpha (nominal, the ``krippendorff`` package) and the
    mean of Cohen's kappa over all pairs of annotators (:func:`pairwise_kappa`, vectorised).
    Both are NaN, with the reason in the ``note`` column, when they are undefined: fewer than two
    annotators, or a tag whose marks are all equal (nobody used it, or everybody marked every
    token).  A pair of annotators who both marked nothing (or everything) has no kappa; the mean
    is over the pairs that have one.

A paragraph the source prints twice (p19 repeats p16) counts once: :func:`grade` moves an
annotation inside the repeat onto the first copy (:func:`fold_repeated`), so a student who
tagged either copy gets the same credit, and the repeat's tokens are left out of agreement.

Disagreement
    :func:`disagreement` gives each token the share of annotator pairs who tag it differently
    (their sets of tags on the token differ), and per tag the share of pairs of whom one marked
    the token and the other did not.  0 means everyone agrees; the per-tag share can reach about
    0.5 (half the class marked the token), the overall share up to 1 (every pair differs).  For
    one tag, its mean over the tokens is alpha's observed disagreement.  Sentences are ranked by
    the mean over their tokens.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .annotate.record import Annotation
from .annotate.store import AnnotationStore, LoadReport
from .errors import GradingError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from .corpus import Document, Section
    from .display import Rendered

__all__ = [
    "ALL_TAGS",
    "MATCHINGS",
    "ClassAnnotations",
    "Disagreement",
    "GradingResults",
    "Skipped",
    "Submission",
    "TokenMarks",
    "agreement",
    "disagreement",
    "fold_repeated",
    "grade",
    "key_sections",
    "load_class",
    "pairwise_kappa",
    "read_key",
    "render_disagreement",
    "score",
    "summary",
    "token_marks",
    "write_report",
]

ALL_TAGS = "(all)"
"""The tag of the micro-averaged rows of :func:`score`."""
MATCHINGS = ("exact", "overlap")
LOCK_SUFFIX = ".jsonl.lock"
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


def read_key(path: Path | str, texts: Mapping[str, str]) -> tuple[Annotation, ...]:
    """The annotations of an answer key, checked against the document texts.

    Args:
        path: the key, an annotation file as :class:`AnnotationStore` writes it.
        texts: document texts by id.

    Returns:
        The key's annotations, sorted by document and position.

    Raises:
        GradingError: the file is missing, has a damaged line, an annotation that is not where
            its offsets say (moved or orphaned), or no annotations at all.
    """
    path = Path(path)
    if not path.is_file():
        raise GradingError("no such answer key; give the path of a key file", path=path)
    report = _read(path, texts)
    if report.skipped:
        first = report.skipped[0]
        raise GradingError(
            f"{first.reason}; fix this line of the key (every line must be an annotation event)",
            path=path,
            line=first.line,
        )
    if report.orphans:
        orphan = report.orphans[0]
        raise GradingError(
            f"{len(report.orphans)} annotation(s) of the key do not match their document, e.g. "
            f"{orphan.exact!r} at [{orphan.start}, {orphan.end}) of {orphan.doc!r}; "
            "re-annotate them against the current text",
            path=path,
        )
    if report.moved:
        moved = report.moved[0]
        raise GradingError(
            f"annotation {moved.id} is not at [{moved.old[0]}, {moved.old[1]}) but its quote is "
            f"at [{moved.new[0]}, {moved.new[1]}); correct the key's offsets",
            path=path,
        )
    if not report.annotations:
        raise GradingError("the key holds no annotations; annotate the key first", path=path)
    return tuple(sorted(report.annotations, key=_position))


def load_class(
    paths: Iterable[Path | str],
    texts: Mapping[str, str],
    *,
    key: Sequence[Annotation] | None = None,
    key_path: Path | str | None = None,
) -> ClassAnnotations:
    """Read the students' annotation files; a file that cannot be scored is skipped, not fatal.

    Args:
        paths: the students' files.
        texts: document texts by id (annotations are checked and re-anchored against them).
        key: the answer key; when given, only annotations of its documents and tag sets are
            kept, and a file with none of them is skipped as foreign.
        key_path: the key's file, skipped if it is among ``paths``.

    Returns:
        The scored submissions (student name = the annotations' creator, else the file stem,
        made unique) and the skipped files with their reasons.  Lock files that the store
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
        if path.name.endswith(LOCK_SUFFIX):
            continue  # the store's lock file beside an annotation file, not a submission
        if own is not None and path.resolve() == own:
            skipped.append(Skipped(path, "this is the answer key"))
            continue
        found = _submission(path, texts, scope)
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
    path: Path, texts: Mapping[str, str], scope: tuple[set[str], set[str]] | None
) -> Submission | Skipped:
    if not path.is_file():
        return Skipped(path, "no such file" if not path.exists() else "not a file")
    if path.stat().st_size == 0:
        return Skipped(path, "empty file")
    try:
        report = _read(path, texts)
    except GradingError as exc:
        return Skipped(path, exc.reason)
    notes = [f"line {p.line}: {p.reason}" for p in report.skipped]
    usable, problem = _usable(report, texts, scope, notes)
    if problem:
        return Skipped(path, problem)
    creators = Counter(a.creator.strip() for a in usable if a.creator.strip())
    student = creators.most_common(1)[0][0] if creators else path.stem
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
    stale = [a for a in report.orphans if a.doc in texts]
    outside = [a for a in report.orphans if a.doc not in texts]
    kept = report.annotations
    if scope is not None:
        docs, tagsets = scope
        kept = [a for a in report.annotations if a.doc in docs and a.tagset in tagsets]
        outside += [a for a in report.annotations if a.doc not in docs or a.tagset not in tagsets]
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
        theirs = sorted({(a.doc, a.tagset) for a in outside})
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
    return {a.doc for a in key}, {a.tagset for a in key}


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
    return annotation.doc, annotation.start, annotation.end, annotation.tag


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
        groups.setdefault((a.tag, a.doc), []).append((a.start, a.end))
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
    """One-to-one matches of overlapping spans, taken greedily by largest overlap (ties: the
    earlier key span, then the earlier student span)."""
    import numpy as np

    if not key or not student:
        return 0
    k, s = np.asarray(key), np.asarray(student)
    overlap = np.minimum(k[:, 1:2], s[:, 1]) - np.maximum(k[:, 0:1], s[:, 0])
    ki, si = np.nonzero(overlap > 0)
    order = np.lexsort((si, ki, -overlap[ki, si]))
    used_key: set[int] = set()
    used_student: set[int] = set()
    for i, j in zip(ki[order].tolist(), si[order].tolist(), strict=True):
        if i not in used_key and j not in used_student:
            used_key.add(i)
            used_student.add(j)
    return len(used_key)


def _row(student: str, tag: str, matching: str, tp: int, fp: int, fn: int) -> dict[str, Any]:
    nan = float("nan")
    return {
        "student": student, "tag": tag, "matching": matching,
        "true_pos": tp, "false_pos": fp, "false_neg": fn,
        "precision": tp / (tp + fp) if tp + fp else nan,
        "recall": tp / (tp + fn) if tp + fn else nan,
        "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else nan,
    }  # fmt: skip


# --- token marks --------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class TokenMarks:
    """Which annotator marked which token with which tag.

    Attributes:
        annotators: the annotators, in the order of ``marks``' first axis.
        tags: the tags, in the order of its second axis.
        tokens: one row per token in scope (doc, token, start, end, text, sentence, paragraph,
            section, language), in the order of its third axis.
        sentences: the sentences of those tokens (doc, sentence, paragraph, section, start, end,
            text).
        marks: ``uint8`` array (annotators, tags, tokens), 1 where a span of the tag overlaps
            the token.
    """

    annotators: tuple[str, ...]
    tags: tuple[str, ...]
    tokens: pd.DataFrame = field(repr=False)
    sentences: pd.DataFrame = field(repr=False)
    marks: np.ndarray = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"<TokenMarks: {len(self.annotators)} annotators, {len(self.tags)} tags, "
            f"{len(self.tokens)} tokens>"
        )


def key_sections(key: Sequence[Annotation], docs: Mapping[str, Document]) -> list[Section]:
    """The top-level sections in which the key has annotations, in document order.

    Raises:
        GradingError: a key annotation is for a document not in ``docs``.
    """
    found: dict[tuple[str, int], Section] = {}
    for annotation in key:
        doc = _document(docs, annotation.doc)
        section = doc.sections.at(annotation.start)
        while section is not None and section.parent is not None:
            section = doc.section(section.parent)
        if section is not None:
            found[doc.id, section.index] = section
    return [found[k] for k in sorted(found)]


def token_marks(
    annotations: Mapping[str, Sequence[Annotation]],
    docs: Mapping[str, Document],
    sections: Sequence[Section],
    *,
    tags: Sequence[str] | None = None,
) -> TokenMarks:
    """Mark, per annotator and tag, every token of ``sections`` that a span of the tag overlaps.

    Args:
        annotations: each annotator's annotations, by name.
        docs: the documents by id.
        sections: the sections whose tokens are the units (see :func:`key_sections`).
        tags: the tags (default: every tag used, sorted).

    Returns:
        The marks; spans outside the sections' tokens are ignored.
    """
    import numpy as np

    names = tuple(annotations)
    if tags is None:
        tags = sorted({a.tag for anns in annotations.values() for a in anns})
    tokens, sentences = _scope_frames(docs, sections)
    rows = _span_rows(annotations, names, tags, tokens)
    marks = np.zeros((len(names), len(tags), len(tokens) + 1), dtype=np.int32)
    np.add.at(marks, (rows[0], rows[1], rows[2]), 1)
    np.add.at(marks, (rows[0], rows[1], rows[3]), -1)
    covered = (np.cumsum(marks, axis=2)[:, :, :-1] > 0).astype(np.uint8)
    return TokenMarks(names, tuple(tags), tokens, sentences, covered)


def _span_rows(
    annotations: Mapping[str, Sequence[Annotation]],
    names: Sequence[str],
    tags: Sequence[str],
    tokens: pd.DataFrame,
) -> np.ndarray:
    """(annotator, tag, first token, token after the last) of every span that covers a token."""
    import numpy as np

    tag_index = {tag: i for i, tag in enumerate(tags)}
    found = []
    for doc, group in tokens.groupby("doc", sort=False):
        offset = int(group.index[0])
        starts, ends = group["start"].to_numpy(), group["end"].to_numpy()
        spans = np.array(
            [(person, tag_index[a.tag], a.start, a.end)
             for person, name in enumerate(names) for a in annotations[name]
             if a.doc == doc and a.tag in tag_index],
            dtype=np.int64,
        ).reshape(-1, 4)  # fmt: skip
        first = np.searchsorted(ends, spans[:, 2], side="right")
        last = np.searchsorted(starts, spans[:, 3], side="left")
        keep = first < last
        found.append(np.stack([spans[keep, 0], spans[keep, 1], first[keep] + offset,
                               last[keep] + offset]))  # fmt: skip
    return np.concatenate(found, axis=1) if found else np.zeros((4, 0), dtype=np.int64)


def _scope_frames(
    docs: Mapping[str, Document], sections: Sequence[Section]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tokens of the sections (each once, in document order) and their sentences."""
    import pandas as pd

    if not sections:
        raise GradingError("no sections to measure agreement over; give at least one")
    token_rows: dict[tuple[str, int], dict[str, Any]] = {}
    sentence_rows: dict[tuple[str, int], dict[str, Any]] = {}
    for section in sections:
        doc = _document(docs, section.doc_id)
        for token in doc.tokens.covered_by(section.start, section.end):
            sentence = doc.sentences[token.sentence]
            if doc.paragraphs[sentence.paragraph].duplicate_of:
                continue  # a repeated paragraph counts once (see fold_repeated)
            token_rows[doc.id, token.index] = _token_row(doc, token, sentence)
            sentence_rows[doc.id, sentence.index] = _sentence_row(doc, sentence)
    if not token_rows:
        raise GradingError("the sections given have no tokens; choose sections with text")
    tokens = pd.DataFrame([token_rows[k] for k in sorted(token_rows, key=_doc_order(docs))])
    sentences = pd.DataFrame(
        [sentence_rows[k] for k in sorted(sentence_rows, key=_doc_order(docs))]
    )
    return tokens, sentences


def _doc_order(docs: Mapping[str, Document]) -> Callable[[tuple[str, int]], tuple[int, int]]:
    order = {doc_id: i for i, doc_id in enumerate(docs)}
    return lambda k: (order[k[0]], k[1])


def _token_row(doc: Document, token: Any, sentence: Any) -> dict[str, Any]:
    return {
        "doc": doc.id, "token": token.id, "start": token.start, "end": token.end,
        "text": token.text, "sentence": sentence.id, "paragraph": f"p{sentence.paragraph + 1}",
        "section": token.section.id, "language": token.language,
    }  # fmt: skip


def _sentence_row(doc: Document, sentence: Any) -> dict[str, Any]:
    return {
        "doc": doc.id, "sentence": sentence.id, "paragraph": f"p{sentence.paragraph + 1}",
        "section": sentence.section.id, "start": sentence.start, "end": sentence.end,
        "text": sentence.text,
    }  # fmt: skip


def _document(docs: Mapping[str, Document], doc_id: str) -> Document:
    if doc_id not in docs:
        known = ", ".join(docs) or "none"
        raise GradingError(f"annotations are for document {doc_id!r}, not in the corpus ({known})")
    return docs[doc_id]


# --- agreement ----------------------------------------------------------------------------------
def pairwise_kappa(marks: np.ndarray) -> np.ndarray:
    """Cohen's kappa of every pair of annotators, for one binary variable.

    Args:
        marks: array (annotators, units) of 0 and 1.

    Returns:
        Array (annotators, annotators); NaN on the diagonal and for pairs whose chance
        agreement is 1 (both marked nothing, or both everything), where kappa is undefined.
    """
    import numpy as np

    x = np.asarray(marks, dtype=np.float64)
    units = x.shape[1]
    if units == 0:
        return np.full((len(x), len(x)), np.nan)
    ones = x.sum(axis=1)
    differ = ones[:, None] + ones[None, :] - 2 * (x @ x.T)
    observed = 1 - differ / units
    p = ones / units
    chance = np.outer(p, p) + np.outer(1 - p, 1 - p)
    constant = (ones == 0) | (ones == units)
    undefined = constant[:, None] & constant[None, :] & (ones[:, None] == ones[None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = (observed - chance) / (1 - chance)
    kappa[undefined] = np.nan
    np.fill_diagonal(kappa, np.nan)
    return kappa


def agreement(marks: TokenMarks) -> pd.DataFrame:
    """Krippendorff's alpha and mean pairwise Cohen's kappa per tag, over the tokens.

    Args:
        marks: the annotators' token marks (:func:`token_marks`).

    Returns:
        One row per tag: tag, annotators, tokens, used_by (annotators who marked a token),
        marked (share of all marks that are 1), alpha, mean_kappa, kappa_pairs (pairs with a
        kappa) and note (why a value is NaN).
    """
    import pandas as pd

    rows = [_agreement_row(marks, index, tag) for index, tag in enumerate(marks.tags)]
    columns = ["tag", "annotators", "tokens", "used_by", "marked", "alpha", "mean_kappa",
               "kappa_pairs", "note"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _agreement_row(marks: TokenMarks, index: int, tag: str) -> dict[str, Any]:
    import numpy as np

    data = marks.marks[:, index, :]
    annotators, tokens = data.shape
    alpha, kappa, pairs, note = float("nan"), float("nan"), 0, ""
    if annotators < 2:
        note = "fewer than two annotators"
    elif data.size == 0 or data.min() == data.max():
        note = "nobody used this tag here" if not data.any() else "everyone marked every token"
    else:
        alpha = _alpha(data)
        upper = pairwise_kappa(data)[np.triu_indices(annotators, k=1)]
        defined = upper[~np.isnan(upper)]
        pairs = len(defined)
        kappa = float(defined.mean()) if pairs else float("nan")
    return {
        "tag": tag, "annotators": annotators, "tokens": tokens,
        "used_by": int(data.any(axis=1).sum()), "marked": float(data.mean()) if data.size else 0.0,
        "alpha": alpha, "mean_kappa": kappa, "kappa_pairs": pairs, "note": note,
    }  # fmt: skip


def _alpha(data: np.ndarray) -> float:
    import krippendorff

    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


# --- disagreement -------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Disagreement:
    """How much the class disagrees, per token and per sentence.

    Attributes:
        annotators: how many annotators were compared.
        tokens: the token frame of :class:`TokenMarks` with ``disagreement`` (share of pairs
            whose tags on the token differ) and one column per tag (share of pairs that differ
            on that tag).
        passages: sentences ranked by mean token disagreement, most disputed first: doc,
            sentence, paragraph, section, start, end, tokens, disagreement, peak, tag (the tag
            disputed most there) and text.
    """

    annotators: int
    tags: tuple[str, ...]
    tokens: pd.DataFrame = field(repr=False)
    passages: pd.DataFrame = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"<Disagreement of {self.annotators} annotators over {len(self.tokens)} tokens, "
            f"{len(self.passages)} sentences>"
        )


def disagreement(marks: TokenMarks) -> Disagreement:
    """Per token, the share of annotator pairs who tag it differently; sentences ranked by it.

    Args:
        marks: the annotators' token marks (:func:`token_marks`).

    Returns:
        The per-token and per-sentence disagreement; NaN throughout if there are fewer than
        two annotators.
    """
    import numpy as np

    data = marks.marks
    annotators = data.shape[0]
    pairs = annotators * (annotators - 1) / 2
    tokens = marks.tokens.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        tokens["disagreement"] = 1 - _agreeing_pairs(data) / pairs if pairs else np.nan
        for index, tag in enumerate(marks.tags):
            ones = data[:, index, :].sum(axis=0, dtype=np.int64)
            tokens[tag] = ones * (annotators - ones) / pairs if pairs else np.nan
    return Disagreement(annotators, marks.tags, tokens, _passages(tokens, marks))


def _agreeing_pairs(data: np.ndarray) -> np.ndarray:
    """Per token, the pairs of annotators whose sets of tags on it are equal."""
    import numpy as np

    annotators, _, units = data.shape
    if annotators < 2 or units == 0:
        return np.zeros(units)
    codes = _label_set_codes(data)
    ordered = np.sort(codes, axis=0)
    index = np.arange(annotators)[:, None]
    starts = np.where(np.vstack([np.ones((1, units), bool), ordered[1:] != ordered[:-1]]), index, 0)
    # Each annotator agrees with the earlier ones in its run of equal codes.
    return (index - np.maximum.accumulate(starts, axis=0)).sum(axis=0)


def _label_set_codes(data: np.ndarray) -> np.ndarray:
    """Array (annotators, tokens): equal numbers for equal sets of tags on a token."""
    import numpy as np

    annotators, tags, units = data.shape
    if tags <= 62:  # one bit per tag
        return np.tensordot(1 << np.arange(tags, dtype=np.int64), data.astype(np.int64), (0, 1))
    rows = data.transpose(0, 2, 1).reshape(-1, tags)
    return np.unique(rows, axis=0, return_inverse=True)[1].reshape(annotators, units)


def _passages(tokens: pd.DataFrame, marks: TokenMarks) -> pd.DataFrame:
    keys = ["doc", "sentence"]
    grouped = tokens.groupby(keys, sort=False)
    summary = grouped["disagreement"].agg(disagreement="mean", peak="max", tokens="size")
    if marks.tags:
        by_tag = grouped[list(marks.tags)].mean().fillna(0)
        summary["tag"] = by_tag.idxmax(axis=1).where(by_tag.max(axis=1) > 0, "")
    else:
        summary["tag"] = ""
    merged = marks.sentences.merge(summary.reset_index(), on=keys, how="inner")
    columns = ["doc", "sentence", "paragraph", "section", "start", "end", "tokens",
               "disagreement", "peak", "tag", "text"]  # fmt: skip
    ranked = merged[columns].sort_values(
        ["disagreement", "start"], ascending=[False, True], kind="stable", na_position="last"
    )
    return ranked.reset_index(drop=True)


def render_disagreement(
    disagreement: Disagreement, docs: Mapping[str, Document], *, top: int = 5
) -> Rendered:
    """The text in scope, paragraph by paragraph, each token shaded by how much the class
    disagrees on it (hover a token for its share of disagreeing pairs, per tag too).

    Args:
        disagreement: the class's disagreement.
        docs: the documents by id (the text between tokens is taken from them unchanged).
        top: how many of the most disputed sentences the plain-text form lists.

    Returns:
        HTML for notebooks; its plain-text form lists the ``top`` passages.
    """
    from .display import Rendered, escape

    tokens = disagreement.tokens
    blocks = []
    for (doc_id, paragraph), group in tokens.groupby(["doc", "paragraph"], sort=False):
        text, cursor, pieces = docs[doc_id].text, int(group["start"].iloc[0]), []
        shares = group[list(disagreement.tags)].to_numpy()
        for row, by_tag in zip(group.itertuples(), shares, strict=True):
            pieces.append(escape(text[cursor : row.start]))
            pieces.append(_shaded(row, dict(zip(disagreement.tags, by_tag, strict=True)), escape))
            cursor = row.end
        blocks.append(
            f'<p style="line-height:1.8;margin:.3em 0"><small style="color:#777">'
            f"{escape(paragraph)}</small> {''.join(pieces)}</p>"
        )
    head = (
        f"<div><small>shade: share of the {disagreement.annotators} annotators' pairs who tag "
        "the token differently (white: all agree)</small></div>"
    )
    plain = [f"disagreement of {disagreement.annotators} annotators; most disputed passages:"]
    for row in disagreement.passages.head(top).itertuples():
        plain.append(f"{_number(row.disagreement)} {row.sentence}: {' '.join(row.text.split())}")
    return Rendered(head + "".join(blocks), "\n".join(plain))


def _shaded(row: Any, by_tag: Mapping[str, float], escape: Callable[[object], str]) -> str:
    value = row.disagreement
    if not value > 0:
        return escape(row.text)
    shares = ", ".join(f"{tag} {share:.2f}" for tag, share in by_tag.items() if share > 0)
    return (
        f'<span style="background:rgba(215,48,31,{min(value, 1):.2f})" '
        f'title="{value:.2f} ({escape(shares)})">{escape(row.text)}</span>'
    )


# --- all at once, and the report ----------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class GradingResults:
    """Scores, agreement and disagreement of one class against one key."""

    scores: pd.DataFrame = field(repr=False)
    agreement: pd.DataFrame = field(repr=False)
    disagreement: Disagreement
    sections: tuple[str, ...]
    students: tuple[str, ...]
    skipped: tuple[Skipped, ...] = ()
    notes: tuple[str, ...] = ()

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
) -> GradingResults:
    """Score a class against the key, and measure its agreement and disagreement.

    Args:
        key: the answer key's annotations.
        students: each student's annotations by name, or a :class:`ClassAnnotations`.
        docs: the documents by id.
        sections: ids of the sections to measure agreement over (default: those the key
            covers, :func:`key_sections`); looked up in each of the key's documents.
        tags: the tags to report first, in this order (pass the tag set's labels to report
            unused tags too); tags used but not listed follow, sorted.

    Raises:
        GradingError: the key is empty, no student is given, or a section or document is
            unknown.
    """
    skipped: tuple[Skipped, ...] = ()
    notes: tuple[str, ...] = ()
    if isinstance(students, ClassAnnotations):
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
    used = sorted({a.tag for a in key} | {a.tag for anns in students.values() for a in anns})
    tags = list(dict.fromkeys([*(tags or ()), *used]))
    scope = _sections(key, docs, sections)
    marks = token_marks(students, docs, scope, tags=tags)
    return GradingResults(
        scores=score(key, students, tags=tags),
        agreement=agreement(marks),
        disagreement=disagreement(marks),
        sections=tuple(s.id for s in scope),
        students=tuple(sorted(students)),
        skipped=skipped,
        notes=notes,
    )


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
    places = {(a.doc, a.start, a.end, a.tag) for a in annotations}
    folded: list[Annotation] = []
    changed = 0
    for annotation in annotations:
        shift = next(
            (shift for start, end, shift in repeats.get(annotation.doc, ())
             if start <= annotation.start and annotation.end <= end),
            None,
        )  # fmt: skip
        if shift is None:
            folded.append(annotation)
            continue
        changed += 1
        start, end = annotation.start + shift, annotation.end + shift
        if (annotation.doc, start, end, annotation.tag) not in places:
            folded.append(dataclasses.replace(annotation, start=start, end=end))
    return folded, changed


def _repeats(doc: Document) -> list[tuple[int, int, int]]:
    """``(start, end, shift)`` of each paragraph that repeats an earlier one; ``shift`` moves
    an offset inside it to the same place in the first copy."""
    firsts = {p.id: p.start for p in doc.paragraphs}
    return [
        (p.start, p.end, firsts[p.duplicate_of] - p.start) for p in doc.paragraphs if p.duplicate_of
    ]


def _sections(
    key: Sequence[Annotation], docs: Mapping[str, Document], ids: Sequence[str] | None
) -> list[Section]:
    if ids is None:
        return key_sections(key, docs)
    from .errors import CorpusError

    try:
        return [
            _document(docs, doc_id).section(i)
            for doc_id in sorted({a.doc for a in key})
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
    lines.append("mean F1 over students: " + ", ".join(f"{m} {overall[m]:.2f}" for m in MATCHINGS))
    lines.append(
        f"agreement over {len(results.disagreement.tokens)} tokens of "
        f"{', '.join(results.sections)}:"
    )
    lines.append(f"  {'tag':<24} {'alpha':>6} {'mean kappa':>11}")
    for row in results.agreement.itertuples():
        note = f"  ({row.note})" if row.note else ""
        lines.append(f"  {row.tag:<24} {_number(row.alpha):>6} {_number(row.mean_kappa):>11}{note}")
    lines.append("passages where the class disagrees most:")
    for row in results.disagreement.passages.head(top).itertuples():
        text = " ".join(row.text.split())
        text = text if len(text) <= 70 else text[:69] + "…"
        lines.append(f"  {_number(row.disagreement)}  {row.sentence} ({row.paragraph}) {text}")
    return "\n".join(lines)


def _number(value: float) -> str:
    return "n/a" if value != value else f"{value:.2f}"  # NaN is not equal to itself


def write_report(results: GradingResults, outdir: Path | str) -> list[Path]:
    """Write ``scores.csv``, ``agreement.csv``, ``passages.csv`` and ``disagreement.png``.

    Each file is written beside its final name and renamed into place, so a file is either
    the old one or complete, never half-written.

    Returns:
        The paths written.

    Raises:
        GradingError: the folder cannot be created or written to.
    """
    from .figures import plot_disagreement

    outdir = Path(outdir)
    writers: list[tuple[str, Callable[[Path], None]]] = [
        ("scores.csv", lambda p: results.scores.to_csv(p, index=False)),
        ("agreement.csv", lambda p: results.agreement.to_csv(p, index=False)),
        ("passages.csv", lambda p: results.disagreement.passages.to_csv(p, index=False)),
        ("disagreement.png", lambda p: _save_png(plot_disagreement(results.disagreement), p)),
    ]
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        return [_replace(outdir / name, write) for name, write in writers]
    except OSError as exc:
        raise GradingError(
            f"cannot write the report ({exc.strerror or exc}); choose a folder you can write to",
            path=outdir,
        ) from exc


def _save_png(figure: Any, path: Path) -> None:
    figure.savefig(path, format="png", dpi=150)


def _replace(path: Path, write: Callable[[Path], None]) -> Path:
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(handle)
    partial = Path(name)
    try:
        write(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path

"""A simulated class: students of varying skill annotating a document after an answer key.

Each student gets a skill between :attr:`ErrorRates.skill_low` and ``skill_high``.  For every
span of the key the student may, with probabilities proportional to ``1 - skill``:

* miss it;
* shift one of its boundaries by one token, inward or outward (spans are snapped to the
  tokens of ``doc.tokens`` and stay inside their paragraph);
* confuse its tag with a neighbouring one.  The confusable pairs are given, or derived from
  the tag set's order: each label with the one before and the one after it (for
  ``diplomatic-discourse``: actor–commitment, commitment–condition, condition–hedge,
  hedge–evaluation, …).  :data:`DISCOURSE_CONFUSIONS` lists the pairs students mix up most
  in that tag set, for callers who prefer them.

and adds spurious spans of one to three tokens, with any label, on tokens that no key span
covers, in the sections the key covers.  With ``miss`` equal to ``spurious`` a student makes
on average as many spans as the key has.

Everything comes from one ``numpy`` Generator seeded with ``seed``, and annotation ids and
timestamps are derived from it too, so the same seed gives the same class, annotation for
annotation.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .annotate.record import Annotation, make_annotation
from .annotate.store import AnnotationStore
from .annotate.tagsets import TagSet
from .errors import GradingError

if TYPE_CHECKING:
    import numpy as np

    from .corpus import Document

__all__ = [
    "DISCOURSE_CONFUSIONS",
    "SIMULATED_AT",
    "ErrorRates",
    "neighbour_confusions",
    "simulate_class",
    "write_class",
]

SIMULATED_AT = "2025-02-19T09:00:00+00:00"
"""The ``created`` time of every simulated annotation (fixed, so a seed reproduces a class)."""
DISCOURSE_CONFUSIONS = (
    ("hedge", "condition"),
    ("commitment", "hedge"),
    ("evaluation", "framing of the war"),
    ("actor", "attribution of agency"),
)
"""Pairs of ``diplomatic-discourse`` labels that readers mix up most."""


@dataclass(frozen=True, slots=True)
class ErrorRates:
    """How often students err, per unit of ``1 - skill`` (probabilities per key span, except
    ``spurious``: extra spans per key span)."""

    miss: float = 0.5
    shift: float = 0.8
    confuse: float = 0.5
    spurious: float = 0.5
    skill_low: float = 0.35
    skill_high: float = 0.95


def neighbour_confusions(tagset: TagSet) -> tuple[tuple[str, str], ...]:
    """Each label of the tag set paired with the next one, in the tag set's order."""
    names = [label.name for label in tagset.labels]
    return tuple(itertools.pairwise(names))


def simulate_class(
    key: Sequence[Annotation],
    doc: Document,
    *,
    students: int = 30,
    seed: int = 0,
    tagset: TagSet | None = None,
    confusions: Sequence[tuple[str, str]] | None = None,
    rates: ErrorRates = ErrorRates(),
) -> dict[str, list[Annotation]]:
    """Simulate a class annotating ``doc`` after the ``key``.

    Args:
        key: the answer key (only its annotations of ``doc`` are used).
        doc: the document.
        students: how many students.
        seed: the seed; the same seed gives the same class.
        tagset: the key's tag set (default: loaded from the corpus's ``tagsets/``).
        confusions: pairs of labels students confuse, either way round (default: neighbours
            in the tag set's order, :func:`neighbour_confusions`).
        rates: how often students err.

    Returns:
        Each student's annotations, by name (``student-01``, ...), sorted by position.

    Raises:
        GradingError: the key has no annotation of ``doc``, ``students`` is below 1, or a
            confusion names a label the tag set does not have.
    """
    import numpy as np

    spans = sorted((a for a in key if a.doc_id == doc.id), key=lambda a: (a.start, a.end, a.tag))
    if not spans:
        raise GradingError(f"the key has no annotation of document {doc.id!r} to simulate")
    if students < 1:
        raise GradingError(f"a class needs at least one student, not {students}")
    tagset = tagset or _tagset(spans[0].tagset)
    confused = _confusions(tagset, confusions)
    grid = _Grid.of(doc, spans)
    rng = np.random.default_rng(seed)
    width = len(str(students))
    klass = {}
    for number in range(1, students + 1):
        name = f"student-{number:0{width}d}"
        skill = rng.uniform(rates.skill_low, rates.skill_high)
        made = _student(spans, grid, confused, tagset, rates, 1 - skill, rng)
        klass[name] = [_annotation(doc, tagset, name, start, end, tag, rng)
                       for start, end, tag in sorted(made)]  # fmt: skip
    return klass


def write_class(klass: Mapping[str, Sequence[Annotation]], outdir: Path | str) -> list[Path]:
    """Write each student's annotations to ``<outdir>/<student>.jsonl``.

    Returns:
        The files written, in the order of ``klass``.

    Raises:
        GradingError: a file already exists (nothing is written then: choose an empty folder).
    """
    stores = [AnnotationStore.for_annotator(name, outdir) for name in klass]
    existing = [store.path for store in stores if store.path.exists()]
    if existing:
        raise GradingError(
            f"{len(existing)} file(s) already exist, e.g. {existing[0].name}; nothing was "
            "written: choose an empty folder",
            path=outdir,
        )
    for store, made in zip(stores, klass.values(), strict=True):
        store.add_many(made)
    return [store.path for store in stores]


# --- the document's tokens -----------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class _Grid:
    """Token boundaries of the document, each token's paragraph, and the tokens free for
    spurious spans (in the key's sections, covered by no key span, not in a repeated
    paragraph)."""

    starts: np.ndarray
    ends: np.ndarray
    paragraph: np.ndarray
    is_free: np.ndarray

    @property
    def free(self) -> np.ndarray:
        import numpy as np

        return np.flatnonzero(self.is_free)

    @classmethod
    def of(cls, doc: Document, key: Sequence[Annotation]) -> _Grid:
        import numpy as np

        from .agreement import key_sections

        tokens = doc.tokens
        columns = [(t.start, t.end, t.sentence.paragraph.index) for t in tokens]
        starts, ends, paragraph = (np.array(c, dtype=np.int64) for c in zip(*columns, strict=True))
        inside = np.zeros(len(starts), dtype=bool)
        for section in key_sections(key, {doc.id: doc}):
            inside |= (starts >= section.start) & (ends <= section.end)
        covered = np.zeros(len(starts), dtype=bool)
        for a in key:
            covered |= (starts < a.end) & (ends > a.start)
        repeats = [p.index for p in doc.paragraphs if p.duplicate_of]
        covered |= np.isin(paragraph, repeats)  # a repeated paragraph is scored as its first copy
        return cls(starts, ends, paragraph, inside & ~covered)

    def tokens(self, start: int, end: int) -> tuple[int, int]:
        """The first token and the token after the last that ``[start, end)`` overlaps."""
        import numpy as np

        first = int(np.searchsorted(self.ends, start, side="right"))
        last = int(np.searchsorted(self.starts, end, side="left"))
        return first, max(last, first + 1)


# --- one student ---------------------------------------------------------------------------------
Span = tuple[int, int, str]


def _student(
    key: Sequence[Annotation],
    grid: _Grid,
    confused: Mapping[str, tuple[str, ...]],
    tagset: TagSet,
    rates: ErrorRates,
    weakness: float,
    rng: np.random.Generator,
) -> list[Span]:
    made: list[Span] = []
    for a in key:
        if rng.random() < rates.miss * weakness:
            continue
        start, end = a.start, a.end
        if rng.random() < rates.shift * weakness:
            start, end = _shift(grid, start, end, rng)
        tag = a.tag
        if confused.get(tag) and rng.random() < rates.confuse * weakness:
            tag = str(rng.choice(confused[tag]))
        made.append((start, end, tag))
    extra = rng.poisson(rates.spurious * weakness * len(key)) if grid.is_free.any() else 0
    free = grid.free
    return made + [_spurious(grid, free, tagset, rng) for _ in range(extra)]


def _shift(grid: _Grid, start: int, end: int, rng: np.random.Generator) -> tuple[int, int]:
    """The span snapped to tokens with one boundary moved by one token, if it stays a span
    inside its paragraph; else the span unchanged."""
    first, last = grid.tokens(start, end)
    edge, step = int(rng.integers(2)), int(rng.choice([-1, 1]))
    for move in (step, -step):
        new_first, new_last = (first + move, last) if edge == 0 else (first, last + move)
        if 0 <= new_first < new_last <= len(grid.starts) and (
            grid.paragraph[new_first] == grid.paragraph[new_last - 1]
        ):
            return int(grid.starts[new_first]), int(grid.ends[new_last - 1])
    return start, end


def _spurious(grid: _Grid, free: np.ndarray, tagset: TagSet, rng: np.random.Generator) -> Span:
    first = int(rng.choice(free))
    last = first + 1
    for _ in range(int(rng.integers(3))):  # one to three tokens, all free, in one paragraph
        if (
            last < len(grid.starts)
            and grid.is_free[last]
            and (grid.paragraph[last] == grid.paragraph[first])
        ):
            last += 1
    tag = tagset.labels[int(rng.integers(len(tagset.labels)))].name
    return int(grid.starts[first]), int(grid.ends[last - 1]), tag


def _annotation(
    doc: Document,
    tagset: TagSet,
    name: str,
    start: int,
    end: int,
    tag: str,
    rng: np.random.Generator,
) -> Annotation:
    identifier = uuid.UUID(bytes=rng.bytes(16), version=4)
    return make_annotation(
        doc.text, doc.id, start, end, tag, tagset, creator=name,
        annotation_id=f"urn:uuid:{identifier}", created=SIMULATED_AT,
    )  # fmt: skip


def _confusions(
    tagset: TagSet, pairs: Sequence[tuple[str, str]] | None
) -> dict[str, tuple[str, ...]]:
    """For each label, the labels it may be confused with."""
    names = {label.name for label in tagset.labels}
    found: dict[str, list[str]] = {}
    for a, b in neighbour_confusions(tagset) if pairs is None else pairs:
        for label in (a, b):
            if label not in names:
                raise GradingError(
                    f"confusion ({a!r}, {b!r}) names {label!r}, not a label of tag set "
                    f"{tagset.id!r}; its labels: {', '.join(sorted(names))}"
                )
        found.setdefault(a, []).append(b)
        found.setdefault(b, []).append(a)
    return {label: tuple(others) for label, others in found.items()}


def _tagset(tagset_id: str) -> TagSet:
    from .annotate.tagsets import load_tagsets

    tagsets = load_tagsets()
    if tagset_id not in tagsets:
        raise GradingError(
            f"the key's tag set {tagset_id!r} is not in the corpus ({', '.join(tagsets)}); "
            "pass tagset= explicitly"
        )
    return tagsets[tagset_id]

"""Re-anchoring: where an annotation's quote is in a text that may have changed.

Every occurrence of the quote is a candidate, scored by how many characters of the stored
prefix and suffix still match next to it, counted outwards from the quote (a change far from
the quote costs little, one right beside it costs much).  A candidate has *enough* context when
it matches at least half of the stored context (:data:`CONTEXT_NEEDED`).  Among the candidates
with enough context, those within :data:`CONTEXT_MARGIN` of the best score are equally good, and
the one nearest the old position wins, as Hypothesis does between identical copies of a
paragraph.  No candidate with enough context: the annotation is orphaned.
"""

from __future__ import annotations

from dataclasses import replace

from .record import Annotation, quote

__all__ = ["CONTEXT_MARGIN", "CONTEXT_NEEDED", "context_score", "find_quote", "moved_to"]

CONTEXT_NEEDED = 0.5
"""The share of the stored prefix and suffix that must still match beside the quote."""
CONTEXT_MARGIN = 8
"""Candidates whose context scores are this close to the best are told apart by position."""


def context_score(text: str, start: int, annotation: Annotation) -> int:
    """How many characters of the stored context match beside the quote at ``start``."""
    before = text[max(0, start - len(annotation.prefix)) : start]
    after = text[start + len(annotation.exact) :][: len(annotation.suffix)]
    return _common_suffix(before, annotation.prefix) + _common_prefix(after, annotation.suffix)


def find_quote(text: str, annotation: Annotation) -> int | None:
    """Where the annotation's quote is in ``text`` now, or None if it is gone or its context
    matches too little (see the module's description)."""
    if not annotation.exact:
        return None  # a record without a quote cannot be found again
    full = len(annotation.prefix) + len(annotation.suffix)
    if _unchanged(text, annotation):  # no occurrence can be better or nearer
        return annotation.start
    candidates = [
        (score, start)
        for start in _occurrences(text, annotation.exact)
        if (score := context_score(text, start, annotation)) >= CONTEXT_NEEDED * full
    ]
    if not candidates:
        return None
    best = max(score for score, _ in candidates)
    near_best = [start for score, start in candidates if score >= best - CONTEXT_MARGIN]
    return min(near_best, key=lambda start: (abs(start - annotation.start), start))


def moved_to(annotation: Annotation, text: str, start: int) -> Annotation:
    """The annotation anchored at ``start`` of ``text``, with its quote's context from there."""
    end = start + len(annotation.exact)
    return replace(annotation, start=start, end=end, **quote(text, start, end))


def _is_at(text: str, start: int, annotation: Annotation) -> bool:
    return start >= 0 and text.startswith(annotation.exact, start)


def _unchanged(text: str, annotation: Annotation) -> bool:
    """Whether the quote and all of its stored context are where they were (compared whole:
    this is the case of nearly every annotation at every load)."""
    start, end = annotation.start, annotation.start + len(annotation.exact)
    return (
        _is_at(text, start, annotation)
        and start >= len(annotation.prefix)
        and text.endswith(annotation.prefix, 0, start)
        and text.startswith(annotation.suffix, end)
    )


def _occurrences(text: str, exact: str) -> list[int]:
    found, position = [], text.find(exact)
    while position >= 0:
        found.append(position)
        position = text.find(exact, position + 1)
    return found


def _common_prefix(a: str, b: str) -> int:
    """How many characters ``a`` and ``b`` share at their start (found by halving, each step
    one comparison in C)."""
    same, differ = 0, min(len(a), len(b)) + 1
    while differ - same > 1:
        middle = (same + differ) // 2
        if a[:middle] == b[:middle]:
            same = middle
        else:
            differ = middle
    return same


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])

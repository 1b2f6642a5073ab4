"""Matplotlib figures of the corpus (matplotlib is imported only when a figure is drawn)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .annotate.record import Annotation
from .annotate.tagsets import TagSet
from .corpus import Document, Section

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["LANGUAGE_COLOURS", "plot_makeup", "plot_tag_counts"]

LANGUAGE_COLOURS = {"de": "#4c72b0", "en": "#dd8452"}


def plot_makeup(doc: Document, *, measure: str = "characters") -> Figure:
    """One bar per top-level section, in document order, sized by ``measure``.

    Bars are coloured by language; translations are hatched.

    Args:
        doc: the document.
        measure: ``"characters"``, ``"sentences"`` or ``"tokens"``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    if measure not in {"characters", "sentences", "tokens"}:
        raise ValueError(f"unknown measure {measure!r}; use characters, sentences or tokens")
    sections = [s for s in doc.sections if s.depth == 0 and s.kind != "separator"]
    sizes = [_size(doc, section, measure) for section in sections]
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(sections) + 1.2), layout="constrained")
    bars = ax.barh(
        range(len(sections)),
        sizes,
        color=[LANGUAGE_COLOURS.get(s.language, "#999999") for s in sections],
        hatch=["///" if s.provenance.is_translation else "" for s in sections],
        edgecolor="white",
    )
    ax.bar_label(bars, labels=[f"{n:,}" for n in sizes], padding=3, fontsize=8)
    ax.set_yticks(range(len(sections)), [f"{s.id}  ({s.kind})" for s in sections], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(f"{measure} per section")
    ax.set_title(f"What “{doc.title}” is made of", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(
        handles=[
            Patch(color=LANGUAGE_COLOURS["de"], label="German"),
            Patch(color=LANGUAGE_COLOURS["en"], label="English"),
            Patch(facecolor="white", edgecolor="#555", hatch="///", label="translation"),
        ],
        loc="lower right",
        fontsize=8,
        frameon=False,
    )
    plt.close(fig)  # shown once, as the cell's value, not again by pyplot
    return fig


def _size(doc: Document, section: Section, measure: str) -> int:
    if measure == "characters":
        return section.end - section.start
    return len(getattr(doc, measure).covered_by(section.start, section.end))


def plot_tag_counts(annotations: Sequence[Annotation], tagset: TagSet) -> Figure:
    """How often each label of ``tagset`` was used, in the labels' colours."""
    import matplotlib.pyplot as plt

    counts = [sum(1 for a in annotations if a.tag == label.name) for label in tagset.labels]
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(tagset.labels) + 1.2), layout="constrained")
    bars = ax.barh(
        [label.name for label in tagset.labels],
        counts,
        color=[label.colour for label in tagset.labels],
    )
    ax.bar_label(bars, padding=3, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("annotations")
    ax.set_title(f"Tags used ({tagset.id})", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    plt.close(fig)
    return fig

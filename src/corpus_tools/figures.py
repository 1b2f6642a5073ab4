"""Matplotlib figures of the corpus (matplotlib is imported only when a figure is drawn).

Every text a figure takes from the corpus or from its caller (titles, ids, labels, tokens,
sentences) is drawn literally: matplotlib would read ``$…$`` in it as mathtext (a sentence
about "$5 billion and $6 billion" would lose its dollars and set the words between in italics),
so each ``$`` is given to matplotlib as ``\\$``, which it draws as ``$``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .annotate.record import Annotation
from .annotate.tagsets import TagSet
from .corpus import Corpus, Document, Section
from .corpus.provenance import SEPARATOR
from .formatting import shorten

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from .corpus.alignment import Alignment

__all__ = [
    "LANGUAGE_COLOURS",
    "RELATION_COLOURS",
    "plot_alignment",
    "plot_disagreement",
    "plot_dispersion",
    "plot_makeup",
    "plot_tag_counts",
    "plot_voices",
]

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
    sections = list(doc.parts)
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
    ticks = [_literal(f"{s.id}  ({s.kind})") for s in sections]
    ax.set_yticks(range(len(sections)), ticks, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(f"{measure} per section")
    ax.set_title(_literal(f"What “{doc.title}” is made of"), fontsize=10)
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
        [_literal(label.name) for label in tagset.labels],
        counts,
        color=[label.colour for label in tagset.labels],
    )
    ax.bar_label(bars, padding=3, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("annotations")
    ax.set_title(_literal(f"Tags used ({tagset.id})"), fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    plt.close(fig)
    return fig


def plot_voices(doc: Document, sections: Sequence[str] | None = None) -> Figure:
    """Who speaks, and how much: characters per voice, in order of first appearance.

    A voice is the first origin a section states (the commentary's unknown author, an
    institution, an agency, a speaker); a nested section such as a quotation counts for its
    own voice, not for the section around it.

    Args:
        doc: the document.
        sections: ids of top-level sections to count (default: all but separators).
    """
    import matplotlib.pyplot as plt

    shares, translated = _voice_shares(doc, sections)
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(shares) + 1.1), layout="constrained")
    names = list(shares)
    bars = ax.barh(list(map(_literal, names)), [shares[n] for n in names], color="#4c72b0")
    for bar, name in zip(bars, names, strict=True):
        if name in translated:  # what the corpus holds of this voice is a translation
            bar.set_hatch("///")
            bar.set_edgecolor("white")
    total = sum(shares.values())
    ax.bar_label(bars, labels=[f"{shares[n]:,} ({shares[n] / total:.0%})" for n in names],
                 padding=3, fontsize=8)  # fmt: skip
    ax.invert_yaxis()
    ax.set_xlabel("characters")
    where = "the text" if sections is None else ", ".join(sections)
    ax.set_title(_literal(f"Who speaks in {where}"), fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.margins(x=0.25)
    plt.close(fig)
    return fig


def _voice_shares(doc: Document, sections: Sequence[str] | None) -> tuple[dict[str, int], set[str]]:
    """Characters per voice, in order of first appearance, and the voices heard in
    translation."""
    chosen = [
        s for s in doc.sections
        if s.kind != SEPARATOR and (sections is None or s.top.id in sections)
    ]  # fmt: skip
    shares: dict[str, int] = {}
    translated: set[str] = set()
    for section in chosen:
        inner = [s for s in chosen if s.parent is not None and s.parent.id == section.id]
        size = section.end - section.start - sum(s.end - s.start for s in inner)
        name = section.provenance.voice()
        shares[name] = shares.get(name, 0) + size
        if section.provenance.is_translation:
            translated.add(name)
    return shares, translated


def plot_dispersion(
    corpus: Corpus,
    queries: Sequence[str],
    *,
    sections: Sequence[str],
    doc: str | None = None,
    by: str = "lemma",
) -> Figure:
    """Where words occur: one row per query, one tick per occurrence, over the chosen sections
    laid end to end (a dispersion plot).

    Args:
        corpus: the corpus.
        queries: words (or words in a row) as :func:`~corpus_tools.analysis.concordance`
            takes them.
        sections: ids of the top-level sections to show, in this order.
        doc: the document's id (default: the corpus's first).
        by: match by ``"lemma"`` or by ``"form"``.
    """
    import matplotlib.pyplot as plt

    from .analysis import concordance

    document = corpus[doc or next(iter(corpus))]
    spans = [document.section(s) for s in sections]
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(queries) + 1.3), layout="constrained")
    total = _shade_sections(ax, spans)
    for row, query in enumerate(queries):
        found = concordance(corpus, query, by=by)
        found = found[found["doc_id"] == document.id]
        xs = [x for x in (_position(spans, start) for start in found["start"]) if x is not None]
        ax.vlines(xs, row - 0.35, row + 0.35, color="#c44e52", lw=1.6)
        ax.text(total * 1.01, row, str(len(xs)), va="center", fontsize=8, color="#555")
    ax.set_yticks(range(len(queries)), list(map(_literal, queries)), fontsize=9)
    ax.set_ylim(len(queries) - 0.5, -1.4)
    ax.set_xlim(0, total)
    ax.set_xticks([])
    ax.set_xlabel(
        "position in the text →   shading: orange English, blue German   "
        "(the number at the right counts the ticks)",
        fontsize=8,
    )
    ax.spines[["top", "right", "left"]].set_visible(False)
    plt.close(fig)
    return fig


def _shade_sections(ax: Any, spans: Sequence[Section]) -> int:
    """Shade each section in its language's colour, draw a line where one ends and name it
    above; names of narrow sections alternate between two heights so that they never
    overlap."""
    total = sum(span.end - span.start for span in spans)
    offset, narrow = 0, 0
    for span in spans:
        width = span.end - span.start
        colour = LANGUAGE_COLOURS.get(span.language, "#999999")
        ax.axvspan(offset, offset + width, color=colour, alpha=0.1, lw=0)
        if offset:
            ax.axvline(offset, color="#888888", lw=0.8, ls=(0, (2, 2)))
        height = -0.75
        if width < 0.15 * total:
            height, narrow = -0.75 - 0.4 * (narrow % 2), narrow + 1
        ax.text(offset + width / 2, height, _literal(span.id), ha="center", va="center", fontsize=8,
                color="#444")  # fmt: skip
        offset += width
    return offset


def _position(spans: Sequence[Section], start: int) -> int | None:
    offset = 0
    for span in spans:
        if span.start <= start < span.end:
            return offset + start - span.start
        offset += span.end - span.start
    return None


RELATION_COLOURS = {
    "condition differs": "#D55E00",
    "weaker commitment": "#0072B2",
    "stronger commitment": "#56B4E9",
    "equivalent": "#009E73",
    "says more": "#CC79A7",
    "says less": "#E69F00",
    "partial overlap": "#7F7F7F",
    "no counterpart": "#BBBBBB",
}
"""Each relation of an alignment in its own colour (the Okabe–Ito palette, which colour-blind
readers can tell apart, with greys for partial overlap and no counterpart)."""


def plot_alignment(alignment: Alignment) -> Figure:
    """The two readouts side by side, sentence by sentence, with a line for each link in the
    colour of its relation; a sentence without counterpart gets a grey mark on its side.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    us = _aligned_sentences(alignment, "us")
    russian = _aligned_sentences(alignment, "russian")
    height = max(len(us), len(russian))
    fig, ax = plt.subplots(figsize=(10, 0.36 * height + 1.6), layout="constrained")
    us_y = {s.index: _spread(i, len(us), height) for i, s in enumerate(us)}
    ru_y = {s.index: _spread(i, len(russian), height) for i, s in enumerate(russian)}
    for link in alignment.links:
        colour = RELATION_COLOURS.get(link.relation, "#333333")
        if link.us and link.russian:
            ax.plot([0.36, 0.64], [us_y[link.us.index], ru_y[link.russian.index]],
                    color=colour, lw=2.2, alpha=0.85)  # fmt: skip
        elif link.us:
            ax.plot([0.36, 0.42], [us_y[link.us.index]] * 2, color=colour, lw=4)
        elif link.russian:
            ax.plot([0.58, 0.64], [ru_y[link.russian.index]] * 2, color=colour, lw=4)
    for sentence in us:
        ax.text(0.35, us_y[sentence.index], _label(sentence), ha="right", va="center", fontsize=8)
    for sentence in russian:
        ax.text(0.65, ru_y[sentence.index], _label(sentence), ha="left", va="center", fontsize=8)
    ax.text(0.35, -1.2, "U.S. statement (English)", ha="right", fontsize=9, weight="bold")
    ax.text(0.65, -1.2, "Russian readout (German, DeepL)", ha="left", fontsize=9, weight="bold")
    ax.set_xlim(0, 1)
    ax.set_ylim(height - 0.4, -1.8)
    ax.axis("off")
    handles = [Line2D([], [], color=RELATION_COLOURS.get(r, "#333333"), lw=3, label=_literal(r))
               for r in alignment.relations]  # fmt: skip
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=4,
              fontsize=8, frameon=False)  # fmt: skip
    plt.close(fig)
    return fig


def _aligned_sentences(alignment: Alignment, side: str) -> list[Any]:
    found = {getattr(link, side).index: getattr(link, side) for link in alignment.links
             if getattr(link, side) is not None}  # fmt: skip
    return [found[index] for index in sorted(found)]


def _spread(position: int, count: int, height: int) -> float:
    return position * (height - 1) / max(count - 1, 1)


def _label(sentence: Any, width: int = 42) -> str:
    return _literal(f"{sentence.id} {shorten(' '.join(sentence.text.split()), width)}")


def plot_disagreement(tokens: pd.DataFrame, *, annotators: int, width: int = 120) -> Figure:
    """Where a class disagrees: the text of the passages in scope, each token on a background
    as dark as the share of annotator pairs who tag it differently (no background: all agree).

    Paragraphs are wrapped at ``width`` characters and labelled with their id at the left;
    each section starts with its id and language.  Tokens without a value (fewer than two
    annotators) are grey.

    Args:
        tokens: one row per token in scope, with its offsets, text, paragraph, section,
            language and ``disagreement`` (``Disagreement.tokens`` of
            :func:`corpus_tools.agreement.disagreement`).
        annotators: how many annotators were compared.
        width: characters per line.
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import PolyCollection
    from matplotlib.colors import Normalize

    rows, headings, labels, height = _text_layout(tokens, width)
    margin, line, top = 6, 0.17, 0.95  # characters left of the text; inches per line, above
    fig = plt.figure(figsize=(10, line * height + top + 0.1))
    ax = fig.add_axes((0.01, 0.1 / fig.get_figheight(), 0.98, line * height / fig.get_figheight()))
    cmap = plt.get_cmap("OrRd").with_extremes(bad="#dddddd")
    norm = Normalize(0, 1)
    values = tokens["disagreement"].to_numpy(dtype=float)
    shown = [i for i, value in enumerate(values) if not value <= 0]  # NaN is shown, in grey
    boxes = [_box(rows["x"][i], rows["y"][i], rows["w"][i], 0.88) for i in shown]
    ax.add_collection(PolyCollection(boxes, facecolors=cmap(norm(values[shown])), linewidths=0))
    size = _fit_monospace(fig, ax, columns=width + margin + 3, left=-margin)
    for x, w, y, text, value in zip(rows["x"], rows["w"], rows["y"], tokens["text"], values,
                                    strict=True):  # fmt: skip
        ax.text(x + w / 2, y, _literal(text), fontsize=size, family="monospace", va="center",
                ha="center", color="white" if value > 0.6 else "#222")  # fmt: skip
    for y, label in labels:
        ax.text(-1, y, _literal(label), fontsize=size * 0.85, color="#777", va="center", ha="right")
    for y, label in headings:
        ax.text(
            -margin,
            y,
            _literal(label),
            fontsize=size * 1.05,
            weight="bold",
            color="#333",
            va="center",
        )
    ax.set_ylim(height - 0.5, -0.5)
    ax.axis("off")
    _disagreement_legend(fig, cmap, norm, annotators, top)
    plt.close(fig)
    return fig


def _fit_monospace(fig: Any, ax: Any, *, columns: int, left: float) -> float:
    """The monospace font size at which ``columns`` characters fit across ``ax``; sets the x
    axis so that one unit is exactly one glyph as drawn (the renderer rounds advances to whole
    pixels, so a computed 0.6 em would drift by up to a character in a long word)."""
    size = ax.bbox.width * 72 / fig.dpi / columns / 0.6
    renderer = fig.canvas.get_renderer()
    while True:
        probe = ax.text(0, 0, "0" * 100, fontsize=size, family="monospace")
        advance = probe.get_window_extent(renderer=renderer).width / 100
        probe.remove()
        if ax.bbox.width / advance >= columns:
            ax.set_xlim(left, left + ax.bbox.width / advance)
            return size
        size *= 0.96


def _disagreement_legend(fig: Any, cmap: Any, norm: Any, annotators: int, top: float) -> None:
    import matplotlib.pyplot as plt

    height = fig.get_figheight()
    fig.text(0.01, 1 - 0.3 / height, "Where the class disagrees", fontsize=12, weight="bold",
             va="center")  # fmt: skip
    bar_ax = fig.add_axes((0.45, 1 - 0.42 / height, 0.45, 0.12 / height))
    bar = fig.colorbar(plt.cm.ScalarMappable(norm, cmap), cax=bar_ax, orientation="horizontal")
    bar.ax.tick_params(labelsize=7)
    bar.set_label(
        f"share of annotator pairs who tag the token differently ({annotators} "
        f"annotator{'' if annotators == 1 else 's'})",
        fontsize=8,
    )


def _text_layout(
    tokens: Any, width: int
) -> tuple[dict[str, list[float]], list[tuple[float, str]], list[tuple[float, str]], float]:
    """Where each token goes when paragraphs are wrapped at ``width`` characters (a line
    breaks only where the text has white space, so punctuation stays with its word): token x,
    y and width; section headings and paragraph labels with their y; the total height."""
    rows: dict[str, list[float]] = {"x": [], "y": [], "w": []}
    headings: list[tuple[float, str]] = []
    labels: list[tuple[float, str]] = []
    y, section, paragraph, line_start, previous_end = -1.0, None, None, 0, 0
    columns = ("start", "end", "paragraph", "section", "language")
    for start, end, para, sect, language in zip(*(tokens[c] for c in columns), strict=True):
        if sect != section:
            y += 1.6 if section is not None else 1.0
            headings.append((y, f"{sect} ({language})"))
        if para != paragraph or sect != section:
            y += 1.4
            labels.append((y, para))
            line_start, paragraph, section = start, para, sect
        elif end - line_start > width and start > previous_end:
            y += 1
            line_start = start
        rows["x"].append(start - line_start)
        rows["y"].append(y)
        rows["w"].append(end - start)
        previous_end = end
    return rows, headings, labels, y + 1


def _box(x: float, y: float, width: float, height: float) -> list[tuple[float, float]]:
    """The corners of a rectangle ``width`` wide from ``x``, ``height`` high around ``y``."""
    top, bottom = y - height / 2, y + height / 2
    return [(x, top), (x + width, top), (x + width, bottom), (x, bottom)]


def _literal(text: object) -> str:
    r"""``text`` as matplotlib draws it literally: each ``$`` as ``\$`` (see the module's
    docstring)."""
    return str(text).replace("$", r"\$")

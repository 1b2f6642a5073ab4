"""The figures of the walk-throughs and the score report: voices, dispersion, alignment, the
make-up of a document, and where a class disagrees."""

from __future__ import annotations

import io

import pytest

from corpus_tools import Corpus, Document
from corpus_tools.analysis import (
    concordance,
)
from corpus_tools.annotate import Annotation
from corpus_tools.corpus.alignment import load_alignment
from corpus_tools.figures import (
    RELATION_COLOURS,
    plot_alignment,
    plot_disagreement,
    plot_dispersion,
    plot_makeup,
    plot_voices,
)
from corpus_tools.grading import grade


def test_voices_figure_counts_each_character_once(doc: Document) -> None:
    bars = plot_voices(doc).axes[0].patches
    content = [s for s in doc.sections if s.depth == 0 and s.kind != "separator"]
    assert sum(bar.get_width() for bar in bars) == sum(s.end - s.start for s in content)
    report = plot_voices(doc, ["reuters-report"]).axes[0]
    labels = [t.get_text() for t in report.get_yticklabels()]
    widths = [bar.get_width() for bar in report.patches]
    assert labels == ["Reuters", "Maria Zakharova (as rendered by Reuters)"]
    quotes = [doc.section(f"zakharova-quote-{n}") for n in (1, 2)]
    assert widths[1] == sum(q.end - q.start for q in quotes)
    whole = plot_voices(doc).axes[0]
    voices = dict(zip((t.get_text() for t in whole.get_yticklabels()),
                      (bar.get_width() for bar in whole.patches), strict=True))  # fmt: skip
    credit, caption = doc.section("photo-credit"), doc.section("photo-caption")
    own = (caption.end - caption.start) - (credit.end - credit.start)  # the credit is State's
    assert voices["caption (author not stated)"] == own
    commentary = [s for s in content if s.kind in {"heading", "commentary", "editorial_note"}]
    assert voices["the commentator (not named)"] == sum(s.end - s.start for s in commentary)
    hatched = {t.get_text() for t, bar in zip(whole.get_yticklabels(), whole.patches,
                                              strict=True) if bar.get_hatch()}  # fmt: skip
    assert hatched == {  # every voice heard in translation, not only DeepL's
        "Ministry of Foreign Affairs of the Russian Federation, DeepL translation",
        "Maria Zakharova (as rendered by Reuters)",
    }


def test_dispersion_plot_has_one_tick_per_occurrence(corpus: Corpus) -> None:
    figure = plot_dispersion(
        corpus, ["Lawrow", "Lavrov"], sections=["russian-readout", "us-statement"], by="form"
    )
    counts = [len(c.get_segments()) for c in figure.axes[0].collections]
    assert counts == [
        len(concordance(corpus, word, by="form").query("section in @sections"))
        for word, sections in (("Lawrow", ["russian-readout"]), ("Lavrov", ["us-statement"]))
    ]


def test_alignment_figure_draws_every_link_in_its_relation_colour(corpus: Corpus) -> None:
    alignment = load_alignment(corpus)
    lines = plot_alignment(alignment).axes[0].get_lines()
    assert len(lines) == len(alignment.links)
    colours = {line.get_color() for line in lines}
    assert colours == {RELATION_COLOURS[link.relation] for link in alignment.links}


@pytest.mark.parametrize("measure", ["characters", "sentences", "tokens"])
def test_makeup_figure_has_one_bar_per_top_level_section(doc: Document, measure: str) -> None:
    figure = plot_makeup(doc, measure=measure)
    bars = figure.axes[0].patches
    top = [s for s in doc.sections if s.depth == 0 and s.kind != "separator"]
    assert len(bars) == len(top) == 11
    widths = [bar.get_width() for bar in bars]
    if measure == "characters":
        assert widths == [len(s.text) for s in top]
    hatched = [bar.get_hatch() for bar in bars]
    assert hatched.count("///") == 1 and hatched[5] == "///"


def test_makeup_figure_rejects_an_unknown_measure(doc: Document) -> None:
    with pytest.raises(ValueError, match="unknown measure 'words'"):
        plot_makeup(doc, measure="words")


def test_disagreement_figure_of_one_student_greys_every_token_and_says_one_annotator(
    doc: Document, key: list[Annotation]
) -> None:
    """With one annotator no token has a value: every background is the grey of "no value", one
    per token, and the legend counts one annotator."""
    from matplotlib.collections import PolyCollection
    from matplotlib.colors import to_hex

    found = grade(key, {"ada": key[::2]}, {doc.id: doc}).disagreement
    assert found.annotators == 1 and found.tokens.disagreement.isna().all()
    fig = plot_disagreement(found.tokens, annotators=found.annotators)
    fig.savefig(io.BytesIO(), format="png")
    (boxes,) = [c for c in fig.axes[0].collections if isinstance(c, PolyCollection)]
    assert len(boxes.get_paths()) == len(found.tokens)
    assert {to_hex(colour) for colour in boxes.get_facecolors()} == {"#dddddd"}
    labels = [ax.xaxis.get_label().get_text() for ax in fig.axes]
    assert any(label.endswith("(1 annotator)") for label in labels), labels

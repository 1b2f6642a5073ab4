"""What the notebooks show: the translation chain, the outline table, the make-up figure."""

from __future__ import annotations

import pytest

from corpus_tools import Document
from corpus_tools.display import escape, translation_chain
from corpus_tools.figures import plot_makeup


def test_translation_chain_names_every_step(doc: Document) -> None:
    shown = translation_chain(doc.section("russian-readout"), note=doc.section("deepl-note"))
    assert repr(shown) == (
        "Russian original (institution: Ministry of Foreign Affairs of the Russian Federation; "
        "not in the corpus) → machine translation: DeepL → German text in the corpus (section "
        "'russian-readout', 3,229 characters)\nstated in the text: (Übersetzt mit deepl.com)"
    )
    html = shown._repr_html_()
    assert html.count("<b>") == 3 and "border-style:dashed" in html
    assert "(Übersetzt mit deepl.com)" in html and "&#x27;russian-readout&#x27;" in html


def test_translation_chain_refuses_an_original(doc: Document) -> None:
    with pytest.raises(ValueError, match="'us-statement' is an original"):
        translation_chain(doc.section("us-statement"))


def test_escape_is_the_one_door_to_html() -> None:
    assert escape('<script>alert("x")</script>') == (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    )


def test_outline_lists_content_sections_with_provenance(doc: Document) -> None:
    outline = doc.outline()
    assert "separator" not in set(outline.kind)
    assert list(outline.section[:5]) == [
        "title",
        "introduction",
        "bridge-to-statement",
        "us-statement",
        "· agreed-points",
    ]
    readout = outline.set_index("section").loc["russian-readout"]
    assert readout["original or translation"] == "translation from ru by DeepL"
    assert set(outline["original or translation"]) == {"original", "translation from ru by DeepL"}
    assert readout.sentences == 16 and readout.characters == 3229


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

"""The close-reading helpers the walk-throughs use: paragraphs by section, the parallel reading
view, vocabulary and name tables, multi-query concordances, keyness against a translation,
quotation marks, and the figures of notebooks 1–5."""

from __future__ import annotations

import pytest

from corpus_tools import Corpus, Document
from corpus_tools.analysis import (
    concordance,
    concordances,
    keyness,
    list_items,
    quotation_marks,
    text_tokens,
    tokens_of,
    translated_tokens,
)
from corpus_tools.compare import load_alignment
from corpus_tools.display import full_table
from corpus_tools.errors import CorpusError, NoReferenceError
from corpus_tools.figures import RELATION_COLOURS, plot_alignment, plot_dispersion, plot_voices
from corpus_tools.glossary import Glossary
from corpus_tools.reference_translations import ReferenceTranslations


def test_paragraphs_in_sections_come_in_document_order(doc: Document) -> None:
    chosen = doc.paragraphs_in("bridge-to-report", "title", "us-point-2")
    assert [p.id for p in chosen] == ["p1", "p8", "p21"]
    assert [p.id for p in doc.paragraphs_in("us-statement")] == [f"p{n}" for n in range(4, 13)]
    with pytest.raises(CorpusError, match="no section 'nowhere'"):
        doc.paragraphs_in("nowhere")


def test_reading_view_pairs_each_paragraph_with_its_translation(
    doc: Document, glossary: Glossary, references: ReferenceTranslations
) -> None:
    view = glossary.read(doc.paragraphs_in("introduction", "reuters-report"), references)
    assert view.text.count("\n    → ") == 4
    assert "p2: 22 glossary matches" in view.text and "For the record:" in view.text
    assert "reference translation (de, en)" in view.html
    assert view.html.count("<tr>") == 5 and view.html.count("hover a mark") == 1
    assert "&lt;" not in doc.text and "„It is worth noting" in view.html  # quotes untouched
    untranslated = glossary.read(doc.paragraphs_in("introduction"))
    assert "(not available)" in untranslated.text


def test_vocabulary_and_names_tables(doc: Document, glossary: Glossary) -> None:
    terms = glossary.vocabulary(doc.paragraphs_in("introduction"), categories=["commentary"])
    assert set(terms.category) == {"commentary"}
    assert "am Rande" in set(terms["as written"]) and "Zur Dokumentation" in set(terms.German)
    people = glossary.names(doc.paragraphs_in("russian-readout"))
    whitkoff = people[people["as written"] == "S. Whitkoff"]
    assert list(whitkoff.name) == ["Steve Witkoff"]
    assert all(doc.text.count(written) for written in people["as written"])


def test_concordances_merge_queries_in_text_order(corpus: Corpus) -> None:
    lines = concordances(corpus, ["Konflikt", "conflict"], sections=["us-statement"])
    assert list(lines["query"]) == ["conflict", "conflict"]
    both = concordances(corpus, ["Konflikt", "conflict"])
    assert list(both.start) == sorted(both.start) and len(both) == 6
    assert len(concordance(corpus, "would like")) == 1  # an English phrase, by lemma


def test_keyness_against_a_translation_skips_the_repeated_paragraph(
    corpus: Corpus, doc: Document, references: ReferenceTranslations
) -> None:
    readout = tokens_of(corpus, sections=["russian-readout"])
    once = tokens_of(corpus, sections=["russian-readout"], skip_duplicates=True)
    repeated = doc.paragraphs[18]
    assert len(readout) - len(once) == sum(
        1 for t in readout if repeated.start <= t.start < repeated.end
    )
    german = text_tokens(references.lookup(doc.paragraphs[4].text, "de").text, "de")
    assert [t.lemma for t in german[:3]] == ["Präsident", "Trump", "wollen"]
    table = keyness(once, german, min_count=2).set_index("lemma")
    assert table.loc["beide", "target"] == 5 and table.loc["beide", "reference"] == 0


def test_quotation_marks_are_found_with_their_names(doc: Document) -> None:
    marks = quotation_marks(doc)
    assert list(marks.mark) == ["„", "“", "„", "“"]
    assert set(marks.section) == {"reuters-report"}
    assert marks["name"][0] == "DOUBLE LOW-9 QUOTATION MARK"
    assert all(doc.text[o] == m for o, m in zip(marks.offset, marks.mark, strict=True))


def test_voices_figure_counts_each_character_once(doc: Document) -> None:
    bars = plot_voices(doc).axes[0].patches
    content = [s for s in doc.sections if s.depth == 0 and s.kind != "separator"]
    assert sum(bar.get_width() for bar in bars) == sum(s.end - s.start for s in content)
    report = plot_voices(doc, ["reuters-report"]).axes[0]
    labels = [t.get_text() for t in report.get_yticklabels()]
    widths = [bar.get_width() for bar in report.patches]
    assert labels == ["Reuters", "Maria Zakharova (by Reuters)"]
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


def test_list_items_give_each_point_whole_with_its_first_word_and_translation(
    doc: Document, references: ReferenceTranslations
) -> None:
    items = list_items(doc, "agreed-points", references)
    assert list(items["item"]) == ["us-point-1", "us-point-2", "us-point-3"]
    assert list(items["first word"]) == ["Establish", "Appoint", "Lay"]
    assert list(items["text"]) == [doc.section(i).text for i in items["item"]]
    assert items["translation"][1].startswith("jeweils hochrangige Teams zu ernennen")
    assert "translation" not in list_items(doc, "agreed-points").columns
    with pytest.raises(
        CorpusError, match="'introduction' of 'riyadh-2025-02-18' has no list items"
    ):
        list_items(doc, "introduction")
    shown = full_table(items)
    assert "…" not in shown.text and "..." not in shown.text  # no cell is cut short
    assert items["text"][2] in shown.text and "<td>Lay</td>" in shown.html


def test_translated_tokens_are_the_reference_translations_words(
    doc: Document, references: ReferenceTranslations
) -> None:
    paragraphs = doc.paragraphs_in("us-statement")
    tokens = translated_tokens(paragraphs, references, "de")
    assert [t.text for t in tokens[:3]] == ["US-Außenminister", "Marco", "Rubio"]
    expected = sum(len(text_tokens(references.lookup(p.text, "de").text, "de")) for p in paragraphs)
    assert len(tokens) == expected
    with pytest.raises(NoReferenceError, match="p4 has no reference translation into 'fr'"):
        translated_tokens(paragraphs, references, "fr")

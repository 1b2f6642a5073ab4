"""Concordance, frequencies and keyness over the token layer, and the analysis helpers the
walk-throughs use: multi-query concordances, keyness against a translation, quotation marks, list
items and translated tokens."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from corpus_tools import Corpus, Document, load_corpus
from corpus_tools.analysis import (
    Concordancer,
    concordance,
    concordances,
    frequencies,
    keyness,
    list_items,
    quotation_marks,
    text_tokens,
    tokens_of,
    translated_tokens,
)
from corpus_tools.corpus.references import ReferenceTranslations, load_references
from corpus_tools.display import full_table
from corpus_tools.errors import CorpusError, NoReferenceError

from .conftest import CORPUS, DOC_ID, write_corpus


def test_concordance_by_lemma_finds_every_inflected_form(corpus: Corpus, doc: Document) -> None:
    lines = concordance(corpus, "Gespräch")
    expected = [t for t in doc.tokens if t.lemma == "Gespräch"]
    assert list(lines.start) == [t.start for t in expected]
    assert set(lines.match) == {"Gespräche"}
    assert all(
        doc.text[s:e] == m for s, e, m in zip(lines.start, lines.end, lines.match, strict=True)
    )
    assert all(len(left) == 40 for left in lines.left)


def test_concordance_of_a_phrase_and_by_form(corpus: Corpus, doc: Document) -> None:
    both_sides = concordance(corpus, "beide Seite")
    assert len(both_sides) == doc.text.count("Beide Seiten") == 6
    assert set(both_sides.section) == {"russian-readout"}
    forms = [t.text for t in doc.tokens]
    assert len(concordance(corpus, "Seite", by="form")) == forms.count("Seite") == 2
    assert len(concordance(corpus, "Seiten", by="form")) == forms.count("Seiten")
    assert len(concordance(corpus, "Seite")) == forms.count("Seite") + forms.count("Seiten")
    none = concordance(corpus, "Quantenchromodynamik")
    assert none.empty and list(none.dtypes[["start", "end"]]) == ["int64", "int64"]
    mixed = concordances(corpus, ["Quantenchromodynamik", "Seite"])
    assert mixed.start.dtype == "int64" and len(mixed) == len(concordance(corpus, "Seite"))


def test_a_word_is_looked_up_without_the_segmenter_unless_it_has_more_than_letters(
    corpus: Corpus, doc: Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A form of the corpus by its tokens' lemma, a word of letters it lacks by simplemma's."""

    def no_segmenter(*_: object) -> None:
        raise AssertionError("the segmenter was started for a word the corpus has")

    monkeypatch.setattr("corpus_tools.corpus.segment.segment_paragraphs", no_segmenter)
    (lemma,) = {t.lemma for t in doc.tokens if t.text == "Gespräche"}
    assert lemma == "Gespräch"
    lines = concordance(corpus, "Gespräche")
    assert list(lines.start) == [t.start for t in doc.tokens if t.lemma == lemma]
    english = concordance(corpus, "agreed")  # lemma "agree", of "agree" and "agreed"
    assert set(english.match) == {"agree", "agreed"}
    assert len(english) == sum(t.lemma == "agree" for t in doc.tokens)
    assert "Gesprächen" not in doc.text
    assert concordance(corpus, "Gesprächen").equals(lines)
    with pytest.raises(AssertionError, match="segmenter was started"):
        concordance(corpus, "Gesprächs-Runden")  # not in the corpus, and not one word


def test_concordance_rejects_nonsense(corpus: Corpus) -> None:
    with pytest.raises(CorpusError, match="give a word"):
        Concordancer(corpus).find("  ")
    with pytest.raises(CorpusError, match="use 'lemma' or 'form'"):
        concordance(corpus, "Frieden", by="stem")


def test_tokens_of_selects_sections_by_kind_and_language(corpus: Corpus, doc: Document) -> None:
    readout = tokens_of(corpus, kinds=["readout"])
    section = doc.section("russian-readout")
    words = [t for t in doc.tokens.covered_by(section.start, section.end) if t.text.isalpha()]
    assert {t.section.id for t in readout} == {"russian-readout"}
    assert len(readout) >= len(words)
    assert all(t.token_class in {"regular", "abbreviation"} for t in readout)
    english = tokens_of(corpus, languages=["en"], words_only=False)
    assert {t.language for t in english} == {"en"}


def test_frequencies_count_lemmas(corpus: Corpus) -> None:
    readout = tokens_of(corpus, kinds=["readout"])
    table = frequencies(readout).set_index("lemma")
    assert table["count"].sum() == len(readout)
    assert table.loc["seite", "count"] == sum(1 for t in readout if t.lemma == "Seite")
    assert list(frequencies(readout, top=3)["count"]) == sorted(table["count"], reverse=True)[:3]


def test_keyness_matches_a_hand_computed_log_likelihood(corpus: Corpus) -> None:
    readout = tokens_of(corpus, kinds=["readout"])
    commentary = tokens_of(corpus, kinds=["commentary"], languages=["de"])
    table = keyness(readout, commentary).set_index("lemma")
    a, b = table.loc["seite", "target"], table.loc["seite", "reference"]
    n, m = len(readout), len(commentary)
    e1, e2 = n * (a + b) / (n + m), m * (a + b) / (n + m)
    g2 = 2 * sum(o * math.log(o / e) for o, e in ((a, e1), (b, e2)) if o)
    assert table.loc["seite", "log-likelihood"] == round(g2, 2)
    assert table.loc["seite", "log ratio"] > 0 > table.loc["erklärung", "log ratio"]
    full = keyness(readout, commentary)
    tested = full[full["p (Holm)"].notna()]
    assert list(full.index[: len(tested)]) == list(tested.index)  # tested words come first
    assert list(tested["log-likelihood"]) == sorted(tested["log-likelihood"], reverse=True)
    assert (full.loc[full["p (Holm)"].isna(), "expected"] < 5).all()
    assert not full.loc[full["p (Holm)"].isna(), "significant"].any()


def test_keyness_p_values_and_the_holm_correction() -> None:
    from corpus_tools.analysis import _holm

    # G² = 3.841 is the 0.05 critical value of chi-square with one degree of freedom.
    assert math.erfc(math.sqrt(3.841458820694124 / 2)) == pytest.approx(0.05)
    assert _holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert _holm([0.2, 0.5]) == pytest.approx([0.4, 0.5])
    assert _holm([]) == []


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


def test_translated_tokens_are_kept_in_the_layer_cache(
    corpus_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(CORPUS / "translations", corpus_copy / "translations")
    corpus = load_corpus(corpus_copy, cache_dir=tmp_path / "cache")
    paragraphs = corpus[DOC_ID].paragraphs_in("us-statement")
    built = translated_tokens(paragraphs, load_references(corpus), "de")
    (stored,) = (tmp_path / "cache").glob("reference-tokens.*.json")

    def no_segmenter(*_: object) -> None:
        raise AssertionError("segmented again")

    monkeypatch.setattr("corpus_tools.corpus.segment.segment_paragraphs", no_segmenter)
    again = load_corpus(corpus_copy, cache_dir=tmp_path / "cache")
    assert translated_tokens(paragraphs, load_references(again), "de") == built
    monkeypatch.undo()
    stored.write_text(stored.read_text("utf-8").replace('"regular"', '"irregular"', 1), "utf-8")
    with pytest.warns(UserWarning, match="changed or damaged on disk"):
        assert translated_tokens(paragraphs, load_references(again), "de") == built


def test_paragraph_starts_list_every_paragraph_by_its_first_words(doc: Document) -> None:
    from corpus_tools.analysis import paragraph_starts

    table = paragraph_starts(doc, words=3)
    assert list(table.paragraph) == [p.id for p in doc.paragraphs]
    assert table.begins.iloc[0] == "Die USA und …"
    assert table.set_index("paragraph").loc["p6", "begins"] == "We agreed to …"
    whole = paragraph_starts(doc).set_index("paragraph")
    assert whole.loc["p6", "begins"] == "We agreed to:"  # a short paragraph is given whole
    assert "section" not in table.columns  # it must not say which paragraphs are the bridges


def test_a_phrase_never_runs_from_one_document_into_the_next(tmp_path: Path) -> None:
    root = write_corpus(tmp_path / "corpus", {
        "a-first": "Am Ende sprachen beide", "b-second": "Seiten miteinander. Beide Seiten auch.",
    })  # fmt: skip
    corpus = load_corpus(root, cache_dir=tmp_path / "cache")
    lines = concordance(corpus, "beide Seiten", by="form")
    assert list(zip(lines.doc_id, lines.match, strict=True)) == [("b-second", "Beide Seiten")]
    assert lines.left.iloc[0] == "Seiten miteinander. ".rjust(40)
    assert len(concordance(corpus, "beide", by="form")) == 2


def test_an_unknown_word_answers_with_an_empty_table_of_the_right_columns(corpus: Corpus) -> None:
    finder = Concordancer(corpus)
    empty = finder.find("Quantenchromodynamik")
    assert empty.empty and list(empty.columns) == list(finder.find("Rubio").columns)
    empty["left"] = "changed"  # a copy: the next empty answer is still empty
    assert finder.find("Quantenchromodynamik").empty

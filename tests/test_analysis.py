"""Concordance, frequencies and keyness over the token layer."""

from __future__ import annotations

import math

import pytest

from corpus_tools import Corpus, Document
from corpus_tools.analysis import (
    Concordancer,
    concordance,
    concordances,
    frequencies,
    keyness,
    tokens_of,
)
from corpus_tools.errors import CorpusError


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
    ordered = list(keyness(readout, commentary)["log-likelihood"])
    assert ordered == sorted(ordered, reverse=True)

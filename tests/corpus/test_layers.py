"""The layers are lossless standoff views with provenance, and they nest."""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from itertools import pairwise

import pytest

from corpus_tools import Document

from ..conftest import CORPUS, SEED


def test_source_is_byte_identical_to_the_seed() -> None:
    source = CORPUS / "sources" / "riyadh-2025-02-18.txt"
    if SEED.exists():
        assert source.read_bytes() == SEED.read_bytes()
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    assert digest == "ac1c67719f43602d8beecc4a62a81790170cfe433c50dfb647535233faece6a7"


def test_text_keeps_every_character(doc: Document) -> None:
    assert doc.text == (CORPUS / "sources" / "riyadh-2025-02-18.txt").read_text("utf-8")
    assert not doc.text.endswith("\n")
    assert "Trump’s" in doc.text and "„It is worth noting" in doc.text


def test_top_level_sections_tile_the_text(doc: Document) -> None:
    top = [s for s in doc.sections if s.depth == 0]
    assert top[0].start == 0 and top[-1].end == len(doc.text)
    assert all(a.end == b.start for a, b in pairwise(top))
    assert "".join(s.text for s in top) == doc.text


def test_separators_hold_only_line_breaks(doc: Document) -> None:
    separators = [s.text for s in doc.sections if s.kind == "separator"]
    assert set(separators) == {"\n\n", "\n"}
    assert separators.count("\n") == 1  # before the DeepL note


@pytest.mark.parametrize("layer", ["sections", "paragraphs", "sentences", "tokens"])
def test_every_unit_is_a_slice_of_the_text(doc: Document, layer: str) -> None:
    units = list(getattr(doc, layer))
    assert units
    for unit in units:
        assert unit.text == doc.text[unit.start : unit.end]
        assert unit.text.strip() or unit.kind == "separator"


def test_units_nest_inside_their_parents(doc: Document) -> None:
    paragraphs = list(doc.paragraphs)
    sentences = list(doc.sentences)
    for paragraph in paragraphs:
        assert paragraph.section.start <= paragraph.start < paragraph.end <= paragraph.section.end
    for sentence in sentences:
        paragraph = sentence.paragraph
        assert paragraph == paragraphs[paragraph.index]
        assert paragraph.start <= sentence.start < sentence.end <= paragraph.end
        assert sentence.section == paragraph.section
    for token in doc.tokens:
        sentence = token.sentence
        assert sentence == sentences[sentence.index]
        assert sentence.start <= token.start < token.end <= sentence.end


def test_tokens_cover_all_non_space_text(doc: Document) -> None:
    covered = sum(token.end - token.start for token in doc.tokens)
    assert covered == sum(1 for char in doc.text if not char.isspace())


def test_paragraphs_follow_the_line_structure(doc: Document) -> None:
    lines = [line for line in doc.text.split("\n") if line.strip()]
    assert [p.text for p in doc.paragraphs] == lines
    reuters = [p for p in doc.paragraphs if p.section.id == "reuters-report"]
    assert len(reuters) == 3
    assert all(doc.text[p.end] == "\n" for p in reuters[:2])


def test_repeated_readout_paragraph_is_flagged_on_its_second_occurrence(doc: Document) -> None:
    flagged = [p for p in doc.paragraphs if p.duplicate_of]
    assert len(flagged) == 1
    second = flagged[0]
    first = second.duplicate_of
    assert first is not None and first.id == "p16"
    assert first.text == second.text and first.start < second.start
    assert first.text.startswith("Beide Seiten tauschten ihre Ansichten")
    assert first.section.id == second.section.id == "russian-readout"
    assert second.text in doc.text[first.end :]


@pytest.mark.parametrize(
    "phrase",
    ["am 18. Februar", "Sergej W. Lawrow", "S. Whitkoff", "M. bin Salman", "Wladimir W. Putin"],
)
def test_ordinals_and_initials_do_not_end_sentences(doc: Document, phrase: str) -> None:
    ends = [s.end for s in doc.sentences]
    offset = doc.text.index(phrase)
    inside = set(range(offset + 1, offset + len(phrase)))
    assert not set(ends) & inside, f"a sentence ends inside {phrase!r}"


def test_sentence_boundaries_of_the_readout(doc: Document) -> None:
    readout = doc.section("russian-readout")
    sentences = doc.sentences.covered_by(readout.start, readout.end)
    assert len(sentences) == 16
    assert sentences[0].text.endswith("S. Whitkoff.")
    assert all(s.text.endswith(".") for s in sentences)


def test_quotation_sentence_keeps_its_closing_quote(doc: Document) -> None:
    last = doc.sentences.covered_by(*_span(doc, "reuters-report"))[-1]
    assert last.text == "„The alliance must disavow the Bucharest promises of 2008.“"


def test_tokens_carry_lemmas_by_language(doc: Document) -> None:
    lemmas = {(t.text, t.language): t.lemma for t in doc.tokens}
    assert lemmas[("Gespräche", "de")] == "Gespräch"
    assert lemmas[("Vereinbarungen", "de")] == "Vereinbarung"
    assert lemmas[("countries", "en")] == "country"
    assert lemmas[("2008", "en")] == "2008"


def test_layer_queries(doc: Document) -> None:
    offset = doc.text.index("Whitkoff")
    token = doc.tokens.at(offset)
    assert token is not None and token.text == "Whitkoff"
    assert doc.tokens.at(doc.text.index("\n\n")) is None
    quote = doc.section("zakharova-quote-1")
    assert doc.sections.at(quote.start + 3) == quote
    assert [t.text for t in doc.tokens.covered_by(quote.start, quote.end)][:3] == ["„", "It", "is"]
    starts = [t.start for t in doc.tokens]
    assert doc.tokens[bisect_right(starts, offset) - 1] == token
    assert len(doc.tokens[10:20]) == 10 and doc.tokens[10:20][0] == doc.tokens[10]
    english = doc.paragraphs.filter(lambda p: p.language == "en")
    assert {p.section.id for p in english} == {"us-statement", "reuters-report", "photo-caption"}


def test_units_by_id(doc: Document) -> None:
    from corpus_tools import CorpusError

    assert doc.paragraphs["p14"] == doc.paragraphs[13] and doc.paragraphs["p14"].id == "p14"
    assert doc.sentences["s21"].text.startswith("Im Einklang mit der Vereinbarung")
    assert doc.tokens["t1"] == doc.tokens[0]
    assert doc.sections["us-statement"] == doc.section("us-statement")
    english = doc.paragraphs.filter(lambda p: p.language == "en")
    assert english["p4"].id == "p4"
    for layer, unit_id, message in [
        (doc.paragraphs, "p27", "no 'p27'; ids run from p1 to p26"),
        (doc.sentences, "p3", "no 'p3'; ids run from s1"),
        (doc.paragraphs, "p", "no 'p'"),
        (english, "p14", "no 'p14'; ids run from p4 to"),
        (doc.paragraphs.filter(lambda p: False), "p1", "no 'p1'; none here"),
    ]:
        with pytest.raises(CorpusError, match=message):
            layer[unit_id]


def test_reprs_are_stable(doc: Document) -> None:
    assert repr(doc) == (
        "<Document 'riyadh-2025-02-18': 6,908 characters, 28 sections, 26 paragraphs, "
        f"{len(doc.sentences)} sentences, {len(doc.tokens):,} tokens>"
    )
    assert repr(doc.tokens) == f"<Layer tokens of 'riyadh-2025-02-18': {len(doc.tokens)} units>"
    assert "0x" not in repr(doc.tokens[0]) and "source" not in repr(doc.tokens[0])


def test_unknown_section_lists_the_known_ones(doc: Document) -> None:
    from corpus_tools import CorpusError

    with pytest.raises(CorpusError, match="no section 'readout'; known: title, introduction"):
        doc.section("readout")


def _span(doc: Document, section_id: str) -> tuple[int, int]:
    section = doc.section(section_id)
    return section.start, section.end

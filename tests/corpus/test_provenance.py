"""Every part of the document says who wrote it, in which language, original or translation."""

from __future__ import annotations

from corpus_tools import Document


def test_each_documented_text_has_its_kind_language_and_origin(doc: Document) -> None:
    expected = {
        "title": ("heading", "de", "author: unknown; publication: unknown"),
        "introduction": ("commentary", "de", "author: unknown; publication: unknown"),
        "us-statement": ("official_statement", "en", "institution: U.S. Department of State"),
        "russian-readout": (
            "readout",
            "de",
            "institution: Ministry of Foreign Affairs of the Russian Federation",
        ),
        "deepl-note": ("editorial_note", "de", "author: unknown; publication: unknown"),
        "reuters-report": ("news_report", "en", "agency: Reuters"),
        "zakharova-quote-1": ("quotation", "en", "speaker: Maria Zakharova; agency: Reuters"),
        "addendum-note": ("editorial_note", "de", "author: unknown; publication: unknown"),
        "photo-caption": ("caption", "en", "author: unknown"),
        "photo-credit": (
            "credit_line",
            "en",
            "institution: U.S. Department of State; photographer: Freddie Everett",
        ),
    }
    for section_id, (kind, language, origin) in expected.items():
        provenance = doc.section(section_id).provenance
        assert (provenance.kind, provenance.language, provenance.origin_text()) == (
            kind,
            language,
            origin,
        ), section_id


def test_readout_is_a_deepl_translation_whose_original_is_absent(doc: Document) -> None:
    readout = doc.section("russian-readout").provenance
    chain = readout.translation
    assert chain is not None
    assert (chain.from_language, chain.engine, chain.original_in_corpus) == ("ru", "DeepL", False)
    assert chain.method == "machine" and chain.kind == "machine translation"
    assert not chain.from_stated and "names the engine, not the language" in (readout.note or "")
    assert chain.describe("de") == (
        "Russian (inferred) → German by DeepL (original not in the corpus)"
    )
    note = doc.section(chain.stated_in)
    assert note.text == "(Übersetzt mit deepl.com)"
    assert note.kind == "editorial_note" and not note.provenance.is_translation


def test_the_deepl_note_is_not_part_of_the_readout(doc: Document) -> None:
    readout, note = doc.section("russian-readout"), doc.section("deepl-note")
    assert readout.end < note.start
    assert "deepl" not in readout.text.lower()
    assert doc.text[readout.end : note.start] == "\n"


def test_the_readout_and_zakharovas_direct_speech_are_translations(doc: Document) -> None:
    translated = {s.id for s in doc.sections if s.provenance.is_translation}
    assert translated == {"russian-readout", "zakharova-quote-1", "zakharova-quote-2"}
    quote = doc.section("zakharova-quote-1").provenance
    assert quote.translation.engine == "Reuters" and quote.translation.method == "unknown"
    assert not quote.translation.original_in_corpus
    assert "Direct speech in translation" in quote.note
    assert quote.voice() == "Maria Zakharova (as rendered by Reuters)"
    assert doc.section("reuters-report").provenance.translation is None  # Reuters' own English


def test_agreed_points_are_nested_list_items_of_the_us_statement(doc: Document) -> None:
    items = [s for s in doc.sections if s.kind == "list_item"]
    assert [s.parent.id for s in items] == ["agreed-points"] * 3
    assert doc.section("agreed-points").parent.id == "us-statement"
    assert {s.top.id for s in items} == {"us-statement"}
    assert [s.text.split()[0] for s in items] == ["Establish", "Appoint", "Lay"]
    assert all(s.depth == 2 and s.language == "en" for s in items)


def test_quotations_are_the_direct_speech_with_their_marks(doc: Document) -> None:
    quotes = [s.text for s in doc.sections if s.kind == "quotation"]
    assert all(q.startswith("„") and q.endswith("“") for q in quotes)
    assert quotes[1] == "„The alliance must disavow the Bucharest promises of 2008.“"


def test_units_inherit_the_provenance_of_their_section(doc: Document) -> None:
    token = doc.tokens.at(doc.text.index("Whitkoff"))
    assert token is not None
    assert token.section.id == "russian-readout"
    assert token.provenance.translation is not None and token.language == "de"


def test_document_metadata_records_what_the_text_states(doc: Document) -> None:
    manifest = doc.manifest
    assert dict(manifest.origin) == {"author": "unknown", "publication": "unknown"}
    assert manifest.date == "2025-02-18" and "Dienstag" in (manifest.date_basis or "")
    assert doc.title == doc.section("title").text

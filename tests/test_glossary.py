"""The glossary: validated data, inflection-aware lookup, names through their spellings, tables,
highlighting and exports."""

from __future__ import annotations

import shutil
import sqlite3
import xml.etree.ElementTree as ET
import zipfile
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest

from corpus_tools import Corpus, Document, load_corpus
from corpus_tools.cli import main
from corpus_tools.corpus.references import ReferenceTranslations
from corpus_tools.errors import DataFileError, GlossaryError
from corpus_tools.glossary import Glossary, MatchKind, load_glossary
from corpus_tools.glossary.exports import (
    TBX_NAMESPACE,
    deepl_entries,
    terms_frame,
    write_anki,
    write_table,
    write_tbx,
)

from .conftest import CORPUS, DOC_ID, write_corpus


def test_glossary_has_enough_well_formed_terms(glossary: Glossary) -> None:
    assert len(glossary.terms) >= 80
    assert len(glossary.entities) >= 20
    nouns = [t for t in glossary.terms if t.pos == "noun"]
    assert all(t.gender in {"m", "f", "n", "pl"} for t in nouns)
    assert all(t.gender is None for t in glossary.terms if t.pos != "noun")
    assert {e.type for e in glossary.entities} == {"person", "organisation", "location", "event"}


def test_words_of_another_sense_are_not_marked(glossary: Glossary, doc: Document) -> None:
    def marked(paragraph: str) -> set[str]:
        return {m.text for m in glossary.find(doc.paragraphs[paragraph], language="en")}

    assert "met" not in marked("p4") and "joined" not in marked("p4")  # not Treffen, beitreten
    assert "working" not in marked("p8")  # not Tätigkeit
    assert "join" in marked("p23")  # "a simple refusal to let it join": beitreten
    assert "meetings" in marked("p10")  # a noun still finds its plural


def test_adjectival_nouns_take_their_own_headword_with_the_article(glossary: Glossary) -> None:
    heads = {t.de[0]: t.german_headword() for t in glossary.terms}
    assert heads["Sonderbeauftragter"] == "der Sonderbeauftragte"
    assert heads["ständiges Mitglied"] == "das ständige Mitglied"
    assert heads["Botschafter"] == "der Botschafter"  # an ordinary noun keeps the rule
    strong = [h for h in heads.values() if h.split()[0] in {"der", "das"} and
              h.split()[1].endswith(("er", "es")) and h.split()[1][0].islower()]  # fmt: skip
    assert not strong, f"an article before a strong adjective: {strong}"


@pytest.mark.parametrize(
    ("text", "term", "found"),
    [
        ("auf der Ebene der stellvertretenden Außenminister", "stellvertretender-aussenminister",
         "stellvertretenden Außenminister"),
        ("Er traf den russischen Außenminister.", "aussenminister", "Außenminister"),
        ("die Beschränkungen aufzuheben", "aufheben", "aufzuheben"),
        ("Beide Seiten kamen überein", "uebereinkommen", "kamen überein"),
        ("mit den diplomatischen Vertretungen", "diplomatische-vertretung",
         "diplomatischen Vertretungen"),
    ],
)  # fmt: skip
def test_terms_match_inflected_forms_in_text(
    glossary: Glossary, text: str, term: str, found: str
) -> None:
    matches = [m for m in glossary.find(text, language="de") if m.entry.id == term]
    assert len(matches) == 1
    match = matches[0]
    assert text[match.start : match.end] == match.text == found
    assert match.doc_id is None and match.language == "de"


def test_english_terms_match_in_english(glossary: Glossary) -> None:
    matches = glossary.find("Both parties pledged to normalize relations.", language="en")
    assert all(isinstance(m.by, MatchKind) for m in matches)
    assert [(m.entry.id, m.by) for m in matches] == [
        ("seite", "lemma"),
        ("zusagen", "lemma"),
        ("normalisieren", "form"),
        ("beziehung", "form"),
    ]


def test_names_match_through_their_spellings(glossary: Glossary, doc: Document) -> None:
    readout = doc.section("russian-readout")
    names = {
        m.text: m.entry.id
        for m in glossary.find(readout)
        if m.entry.kind == "entity" and m.entry.type == "person"
    }
    assert names["Sergej W. Lawrow"] == "sergei-lavrov"
    assert names["M. Rubio"] == "marco-rubio"
    assert names["S. Whitkoff"] == "steve-witkoff"
    assert names["M. bin Salman"] == "mohammed-bin-salman"
    assert names["Wladimir W. Putin"] == "vladimir-putin"


def test_matches_are_exact_document_offsets_inside_the_unit(
    glossary: Glossary, doc: Document
) -> None:
    sentence = doc.sentences[20]
    matches = glossary.find(sentence)
    assert matches
    for match in matches:
        assert doc.text[match.start : match.end] == match.text
        assert sentence.start <= match.start < match.end <= sentence.end
        assert match.doc_id == doc.id and match.section == "russian-readout"
    everywhere = glossary.find(doc)
    assert all(doc.text[m.start : m.end] == m.text for m in everywhere)
    assert all(a.end <= b.start for a, b in pairwise(everywhere))


def test_longest_match_wins_unless_overlaps_are_asked_for(
    glossary: Glossary, doc: Document
) -> None:
    start = doc.text.index("Crown Prince")
    longest = [m for m in glossary.find(doc) if m.start == start]
    assert [m.entry.id for m in longest] == ["kronprinz"]
    overlapping = glossary.find(doc, overlapping=True)
    inside = {m.entry.id for m in overlapping if start <= m.start < start + len("Crown Prince")}
    assert inside == {"kronprinz", "prinz"}


def test_spelling_table_sets_the_texts_side_by_side(glossary: Glossary) -> None:
    table = glossary.spellings()
    readout = "Ministry of Foreign Affairs of the Russian Federation, DeepL translation"
    commentator = "the commentator (not named)"
    assert table.loc["Steve Witkoff", readout] == "S. Whitkoff"
    assert table.loc["Steve Witkoff", "U.S. Department of State"] == "Steve Witkoff"
    assert table.loc["Sergei Lavrov", commentator] == "Sergej Lawrow"
    assert "Sergej W. Lawrow" in table.loc["Sergei Lavrov", readout]
    assert table.loc["Maria Zakharova", "Reuters"] == "Maria Zakharova · Zakharova"
    places = glossary.spellings(types=["location"])
    assert places.loc["Riyadh", commentator] == "Riad"
    assert places.loc["Riyadh", "caption (author not stated)"] == "Riyadh"


def test_highlight_marks_matches_and_escapes_notes(glossary: Glossary, doc: Document) -> None:
    paragraph = doc.paragraphs[13]
    shown = glossary.highlight(paragraph, only=["person"])
    assert repr(shown).startswith("7 glossary matches: [Wladimir W. Putin] [Donald Trump]")
    html = shown._repr_html_()
    assert html.count("<mark") == 7
    assert 'title="Steve Witkoff (person): Special Envoy' in html
    assert "The German readout spells him &quot;Whitkoff&quot;" in html


def test_highlight_escapes_text_and_tooltips(tmp_path: Path, corpus: Corpus) -> None:
    folder = _glossary_copy(tmp_path)
    terms = folder / "terms.yaml"
    terms.write_text(
        terms.read_text("utf-8").replace(
            "note: German press usage for the US Secretary of State.",
            "note: <script>alert('x')</script>",
        ),
        "utf-8",
    )
    glossary = load_glossary(corpus, folder)
    doc = corpus["riyadh-2025-02-18"]
    html = glossary.highlight(doc.section("bridge-to-statement"))._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def _glossary_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "glossary"
    shutil.copytree(CORPUS / "glossary", folder)
    return folder


def _edit(path: Path, old: str, new: str) -> int:
    text = path.read_text("utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), "utf-8")
    return text[: text.index(old)].count("\n") + 1


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("terms.yaml", "  - id: prinz\n", "  - id: kronprinz\n",
         "term 'kronprinz' repeats the entry on line"),
        ("terms.yaml", "    de: Prinz\n    en: Prince\n",
         "    de: Kronprinz\n    en: Crown Prince\n", "term 'prinz' repeats the entry on line"),
        ("terms.yaml", "    de: Delegation\n", "    de: [Delegation, '']\n",
         "'de' has an empty form"),
        ("terms.yaml", "    en: pace\n    pos: noun\n    gender: n\n    category: commentary\n",
         "    en: pace\n    pos: noun\n    gender: n\n    category: rhetoric\n",
         "unknown category 'rhetoric'; expected one of: commentary, diplomacy"),
        ("terms.yaml", "    en: neutrality\n    pos: noun\n    gender: f\n",
         "    en: neutrality\n    pos: noun\n", "a German noun needs a gender"),
        ("terms.yaml", "    en: discuss\n    pos: verb\n",
         "    en: discuss\n    pos: verb\n    gender: m\n",
         "only nouns have a gender, and this term is a verb"),
        ("entities.yaml", "    type: event\n", "    type: happening\n",
         "unknown type 'happening'; expected one of: event, location, organisation, person"),
        ("entities.yaml", "variants: [Steve Witkoff, S. Whitkoff]",
         "variants: [Steve Witkoff, S. Whitkof]",
         "spelling 'S. Whitkof' of 'steve-witkoff' never occurs in the corpus"),
        ("entities.yaml", "variants: [Kyiv]", "variants: [Kyiv, Riad]",
         "spelling 'Riad' is claimed by 'riyadh' and 'kyiv'"),
    ],
)  # fmt: skip
def test_malformed_glossary_names_file_and_line(
    tmp_path: Path, corpus: Corpus, file: str, old: str, new: str, message: str
) -> None:
    folder = _glossary_copy(tmp_path)
    line = _edit(folder / file, old, new)
    with pytest.raises(GlossaryError) as caught:
        load_glossary(corpus, folder)
    text = str(caught.value)
    assert message in text
    assert text.startswith(f"{folder / file}:")
    reported = int(text.split(":")[1])
    assert line - 4 <= reported <= line + 4, text  # the entry or the offending key


def test_invalid_glossary_yaml_is_a_data_file_error(tmp_path: Path, corpus: Corpus) -> None:
    folder = _glossary_copy(tmp_path)
    _edit(folder / "entities.yaml", "    type: event\n", "    type: [event\n")
    with pytest.raises(DataFileError, match=r"entities\.yaml:\d+: invalid YAML"):
        load_glossary(corpus, folder)


def test_tbx_export_is_well_formed_and_complete(glossary: Glossary, tmp_path: Path) -> None:
    path = write_tbx(glossary, tmp_path / "glossary.tbx")
    root = ET.parse(path).getroot()
    ns = {"tbx": TBX_NAMESPACE}
    assert root.tag == f"{{{TBX_NAMESPACE}}}tbx" and root.get("type") == "TBX-Basic"
    concepts = root.findall(".//tbx:conceptEntry", ns)
    assert len(concepts) == len(glossary.terms) + len(glossary.entities)
    first = concepts[0]
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    german = first.find("tbx:langSec", ns)
    assert german is not None and german.get(lang) == "de"
    assert german.findtext("tbx:termSec/tbx:term", namespaces=ns) == "Außenminister"
    genders = {n.text for n in root.iterfind(".//tbx:termNote[@type='grammaticalGender']", ns)}
    assert genders <= {"masculine", "feminine", "neuter", "other"}
    witkoff = root.find(".//tbx:conceptEntry[@id='steve-witkoff']", ns)
    assert witkoff is not None
    spellings = {
        section.get(lang): [t.text for t in section.iterfind("tbx:termSec/tbx:term", ns)]
        for section in witkoff.iterfind("tbx:langSec", ns)
    }
    assert spellings == {"de": ["S. Whitkoff"], "en": ["Steve Witkoff"]}


def test_deepl_entries_are_unique_trimmed_and_fix_names(glossary: Glossary) -> None:
    entries = deepl_entries(glossary, "de")
    assert all(k == k.strip() and v == v.strip() and k and v for k, v in entries.items())
    assert entries["S. Whitkoff"] == "Steve Witkoff"
    assert entries["Sergej W. Lawrow"] == "Sergei Lavrov"
    assert entries["Angriffskrieg"] == "war of aggression"
    back = deepl_entries(glossary, "en")
    assert back["Secretary of State"] == "Außenminister"
    assert back["Steve Witkoff"] == "Steve Witkoff" and "S. Whitkoff" not in back


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_table_export_round_trips(glossary: Glossary, tmp_path: Path, suffix: str) -> None:
    path = write_table(glossary, tmp_path / f"terms{suffix}")
    back = pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",", keep_default_na=False)
    assert back.equals(terms_frame(glossary))


def test_anki_deck_has_one_card_per_term(glossary: Glossary, tmp_path: Path) -> None:
    path = write_anki(glossary, tmp_path / "terms.apkg")
    with zipfile.ZipFile(path) as package:
        package.extract("collection.anki2", tmp_path)
    with sqlite3.connect(tmp_path / "collection.anki2") as db:
        fields = [row[0].split("\x1f") for row in db.execute("select flds from notes")]
    assert len(fields) == len(glossary.terms)
    assert ["der Außenminister", "Foreign Minister, Secretary of State"] in [f[:2] for f in fields]


def test_export_command_writes_every_glossary_format(
    corpus_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    shutil.copytree(CORPUS / "glossary", corpus_copy / "glossary")
    assert main(["export", "glossary", str(tmp_path / "out"), "--corpus", str(corpus_copy)]) == 0
    names = [Path(line).name for line in capsys.readouterr().out.split()]
    assert names == [
        "terms.csv",
        "terms.tsv",
        "glossary.tbx",
        "glossary-tbx2.tbx",
        "deepl-de-en.tsv",
        "deepl-en-de.tsv",
        "deepl-de-en.csv",
        "deepl-en-de.csv",
        "terms.apkg",
    ]
    lines = (tmp_path / "out" / "deepl-de-en.tsv").read_text("utf-8").splitlines()
    assert "S. Whitkoff\tSteve Witkoff" in lines
    assert all(line.count("\t") == 1 for line in lines)


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


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_an_empty_text_has_no_matches_and_checks_no_terms(glossary: Glossary, text: str) -> None:
    from corpus_tools.translate import check_terms

    assert glossary.find(text, language="en") == []
    checked = check_terms("Beide Seiten kamen überein.", text, glossary, source_lang="de",
                          target_lang="en")  # fmt: skip
    assert len(checked) and not checked.used.any()


def _spans(glossary: Glossary, target: object) -> list[tuple[str, str, str]]:
    return [(m.entry_id, m.text, str(m.by)) for m in glossary.find(target, overlapping=True)]


def test_matching_keeps_to_the_rules_in_every_document(tmp_path: Path, glossary: Glossary) -> None:
    """Several documents at once: a name is matched only as written, a phrase never runs
    across a document's end, and a term matches through its inflected forms."""
    root = write_corpus(tmp_path / "corpus", {
        "a": "Der stellvertretende Außenminister kam. Es sprach rubio, nicht Rubio. Zuletzt: "
        "stellvertretender",
        "b": "Außenminister sprachen mit den stellvertretenden Außenministern.",
    })  # fmt: skip
    corpus = load_corpus(root, cache_dir=tmp_path / "cache")
    ours = Glossary(corpus, glossary.terms, glossary.entities)
    found = {doc_id: _spans(ours, corpus[doc_id]) for doc_id in corpus}
    assert ("marco-rubio", "Rubio", "spelling") in found["a"]
    assert not any(text == "rubio" for _, text, _ in found["a"])
    assert ("stellvertretender-aussenminister", "stellvertretende Außenminister", "lemma") in found[
        "a"
    ]
    across = "stellvertretender Außenminister"  # the end of "a" and the start of "b"
    assert across not in [text for _, text, _ in found["a"] + found["b"]]
    assert (
        "stellvertretender-aussenminister",
        "stellvertretenden Außenministern",
        "lemma",
    ) in found["b"]
    assert found["b"][0] == ("aussenminister", "Außenminister", "form")
    # the same words as a string give the same matches, offsets from the string's start
    text = corpus["b"].text
    assert _spans(ours, text) == found["b"]


def test_a_form_wins_over_a_lemma_for_the_same_entry_and_span(glossary: Glossary) -> None:
    """*hosting* is listed as a form and is also a form of *host*: it is found as written."""
    (match,) = [m for m in glossary.find("The talks were hosting many.", language="en")
                if m.text == "hosting"]  # fmt: skip
    assert match.by == MatchKind.FORM


@pytest.mark.parametrize("shift", [0, 2**50])
def test_matches_are_ordered_alike_whether_their_keys_fit_one_number_or_not(shift: int) -> None:
    """By text and start, the longer first, then by rank: one sort of one number, or (for
    offsets too large to share 63 bits with the rest) a sort by each key in turn."""
    import numpy as np

    from corpus_tools.glossary import _reading_order

    rng = np.random.default_rng(16)
    text, start, rank = (rng.integers(0, high, 5000) for high in (20, 300, 40))
    end = start + rng.integers(1, 30, 5000)
    expected = np.lexsort((rank, start - end, start, text))
    assert (_reading_order(text, start + shift, end + shift, rank) == expected).all()


@pytest.mark.parametrize("high", [300, 10**9])
def test_offsets_become_python_ints_one_object_per_value_where_values_repeat(high: int) -> None:
    """Offsets into short documents repeat, and each value is then one int object; offsets
    that hardly repeat are converted one by one.  The values are the same either way."""
    import numpy as np

    from corpus_tools.glossary import _int_objects

    rng = np.random.default_rng(16)
    start = rng.integers(0, high, 5000)
    end = start.copy()  # every value twice at least
    objects = _int_objects(start, end)
    values = [column.tolist() for column in objects]
    assert values == [start.tolist(), end.tolist()]
    assert {type(value) for column in values for value in column} == {int}
    distinct_objects = len({id(value) for column in values for value in column})
    distinct_values = len(set(values[0]) | set(values[1]))
    assert (distinct_objects == distinct_values) == (high == 300)


@pytest.mark.parametrize("enabled", [True, False])
def test_matches_go_straight_to_the_collectors_oldest_generation(enabled: bool) -> None:
    """What is made inside ``_made_long_lived`` skips the young generations; the collector is
    left as it was, and garbage made before is still freed by a full collection."""
    import gc
    import weakref

    from corpus_tools.glossary import _made_long_lived

    class Node:
        pass

    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        garbage = Node()
        garbage.itself = garbage
        freed = weakref.ref(garbage)
        del garbage
        with _made_long_lived():
            assert not gc.isenabled()
            made = [Node() for _ in range(1000)]
        assert gc.isenabled() == enabled
        oldest = {id(kept) for kept in gc.get_objects(generation=2)}  # ids: no references
        assert all(id(node) in oldest for node in made)
        gc.collect()
        assert freed() is None
    finally:
        (gc.enable if was else gc.disable)()


def test_objects_someone_else_froze_stay_frozen() -> None:
    """A program that froze its objects (before forking, say) finds them still frozen: in no
    generation the collector walks.  (Their count is no test: another thread may free some.)"""
    import gc

    from corpus_tools.glossary import _made_long_lived

    sentinel = [[]]
    gc.freeze()
    try:
        with _made_long_lived():
            made = [[] for _ in range(100)]
        walked = {id(tracked) for tracked in gc.get_objects()}  # ids: no references
        assert id(sentinel) not in walked
        assert id(made) in walked
    finally:
        gc.unfreeze()


def test_a_new_glossarys_matches_are_made_long_lived(corpus: Corpus, glossary: Glossary) -> None:
    import gc

    was = gc.isenabled()
    gc.disable()  # no collection moves them meanwhile
    try:
        found = Glossary(corpus, glossary.terms, glossary.entities).find(
            corpus[DOC_ID], overlapping=True
        )
        oldest = {id(kept) for kept in gc.get_objects(generation=2)}  # ids: no references
        assert found and all(id(match) in oldest for match in found)
    finally:
        (gc.enable if was else gc.disable)()

"""The glossary's TBX and DeepL exports, each read back by the tools that take them.

- TBX v3: LTAC's published TBX-Basic schemas, the core RelaxNG (TBX_Core_RNG,
  ``TBXcoreStructV03.rng``) and the dialect's Schematron (TBX-Basic_dialect,
  ``DCA/TBX-Basic_DCA.sch``), which holds TBX-Basic's own rules and picklists.  The Schematron
  declares the ``xslt2`` query binding and uses XPath 2.0 (``matches()``, ``./local-name()``),
  which lxml's ``isoschematron`` (XSLT 1.0) refuses to run; its rules are run here with
  elementpath's XPath 2.0 engine instead, every assert of every rule, with Schematron's rule
  order (the first rule of a pattern that matches a node is the one that checks it).
- TBX v2: translate-toolkit's ``tbxfile``, the reader of Weblate, Pootle and Virtaal.
- Anki: Anki's own importer (the ``anki`` package, the backend of Anki's desktop app).
- DeepL: the deepl client's own converters, and ``create_glossary_from_csv`` sending the CSV
  to the local fake DeepL server, which reads the entries as DeepL documents its CSV.

LTAC's schemas are not part of this repository (no licence is stated for them): the TBX v3
schema tests run where the files are found, in ``$TBX_SCHEMAS`` or ``../shared/tbx``, and are
skipped elsewhere; the picklist test below checks the same part-of-speech rule everywhere.
The files are checked against the SHA-256 of the published versions:

- https://github.com/LTAC-Global/TBX_Core_RNG, commit 14eb02ba5e16ea4f6be4acd142ce4b47f39b1eb0,
  ``TBXcoreStructV03.rng``
- https://github.com/LTAC-Global/TBX-Basic_dialect, commit
  317fb299eac50176549e0bb360370cb49e53faf7 (release 1.2.1), ``DCA/TBX-Basic_DCA.sch``
"""

from __future__ import annotations

import copy
import hashlib
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import deepl
import pytest
from pytest_httpserver import HTTPServer

from corpus_tools.cli import main
from corpus_tools.glossary import Glossary, Term
from corpus_tools.glossary.exports import deepl_entries, write_anki, write_deepl
from corpus_tools.glossary.spellings import entity_spellings
from corpus_tools.glossary.tbx import TBX_NAMESPACE, TBX_V3_PARTS_OF_SPEECH, write_tbx, write_tbx2
from fakes.deepl_server import AUTH_KEY, FakeDeepL

from .conftest import CORPUS, PROJECT

SCHEMAS = {
    "TBXcoreStructV03.rng": "e91e89f82e69fe42f3bdad6f2cd8ab2dbdcdd73c7bd63ab2bfa417262054e461",
    "TBX-Basic_DCA.sch": "0584301b1afdd855e6a325d6e6945dc86a86f1dce265e61ed362227a8149907f",
}
_SCH = "{http://purl.oclc.org/dsdl/schematron}"
_NS = {"tbx": TBX_NAMESPACE}


@pytest.fixture(scope="module")
def tbx_schemas() -> Path:
    """The folder with LTAC's TBX-Basic schemas, exactly as published."""
    folder = Path(os.environ.get("TBX_SCHEMAS") or PROJECT.parent / "shared" / "tbx")
    missing = [name for name in SCHEMAS if not (folder / name).is_file()]
    if missing:
        pytest.skip(f"LTAC's TBX-Basic schemas are not in {folder} (set TBX_SCHEMAS)")
    for name, digest in SCHEMAS.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    return folder


def test_tbx_v3_passes_ltacs_relaxng_and_schematron(
    glossary: Glossary, tmp_path: Path, tbx_schemas: Path
) -> None:
    from lxml import etree

    tbx = etree.parse(str(write_tbx(glossary, tmp_path / "glossary.tbx")))
    relaxng = etree.RelaxNG(etree.parse(str(tbx_schemas / "TBXcoreStructV03.rng")))
    assert relaxng.validate(tbx), relaxng.error_log
    assert _schematron_failures(tbx, tbx_schemas / "TBX-Basic_DCA.sch") == []


def test_the_schematron_run_reports_what_tbx_basic_forbids(
    glossary: Glossary, tmp_path: Path, tbx_schemas: Path
) -> None:
    """The run is no rubber stamp: a proper noun (TBX-Basic v2's value, not v3's) and a data
    category TBX-Basic lacks are each reported once."""
    from lxml import etree

    tbx = etree.parse(str(write_tbx(glossary, tmp_path / "glossary.tbx")))
    part_of_speech, *_ = tbx.iterfind(".//tbx:termNote[@type='partOfSpeech']", _NS)
    part_of_speech.text = "properNoun"
    tbx.find(".//tbx:termNote[@type='grammaticalGender']", _NS).set("type", "register")
    failures = _schematron_failures(tbx, tbx_schemas / "TBX-Basic_DCA.sch")
    assert len(failures) == 2, failures
    assert any(f.startswith("Permitted type value(s): administrativeStatus") for f in failures)
    assert any(f.startswith("/partOfSpeech/ type may be") for f in failures)


def test_tbx_v3_parts_of_speech_are_in_its_picklist(glossary: Glossary, tmp_path: Path) -> None:
    root = ET.parse(write_tbx(glossary, tmp_path / "glossary.tbx")).getroot()
    values = {n.text for n in root.iterfind(".//tbx:termNote[@type='partOfSpeech']", _NS)}
    assert values <= set(TBX_V3_PARTS_OF_SPEECH)
    name = root.find(".//tbx:conceptEntry[@id='sergei-lavrov']", _NS)
    assert {n.text for n in name.iterfind(".//tbx:termNote", _NS)} == {"noun"}
    assert name.findtext("tbx:descrip[@type='subjectField']", namespaces=_NS) == (
        "named entity: person"
    )
    phrase = next(t for t in glossary.terms if t.pos == "phrase")
    notes = root.find(f".//tbx:conceptEntry[@id='{phrase.id}']//tbx:termSec", _NS)
    assert [(n.get("type"), n.text) for n in notes.iterfind("tbx:termNote", _NS)][:2] == [
        ("partOfSpeech", "other"),
        ("termType", "phrase"),
    ]


def test_tbx_v2_reads_back_in_translate_toolkit(glossary: Glossary, tmp_path: Path) -> None:
    """Every term and name comes back from the martif file with every form of it in both
    languages, as Weblate, Pootle and Virtaal read it."""
    from translate.storage.tbx import tbxfile

    path = write_tbx2(glossary, tmp_path / "glossary-tbx2.tbx")
    store = tbxfile.parsestring(path.read_bytes(), sourcelanguage="de", targetlanguage="en")
    read = {unit.getid(): unit for unit in store.units}
    expected = {t.id: (list(t.de), list(t.en)) for t in glossary.terms}
    for entity, spellings in entity_spellings(glossary).items():
        expected[entity.id] = tuple([s for s, lang in spellings if lang == language]
                                    for language in ("de", "en"))  # fmt: skip
    assert list(read) == list(expected)
    for concept_id, (german, english) in expected.items():
        unit = read[concept_id]
        assert [t.text for t in unit.get_source_terms()] == german, concept_id
        assert [t.text for t in unit.get_target_terms()] == english, concept_id
    lavrov = read["sergei-lavrov"].get_source_terms()[0]
    assert ("partOfSpeech", "properNoun") in {(n.category, n.text) for n in lavrov.notes}


def test_anki_imports_the_deck_with_a_card_per_term(glossary: Glossary, tmp_path: Path) -> None:
    """Anki takes the package into a new collection: every term as a note of the export's
    deck, its fields as written, and nothing refused."""
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    path = write_anki(glossary, tmp_path / "terms.apkg")
    collection = Collection(str(tmp_path / "collection.anki2"))
    try:
        request = ImportAnkiPackageRequest(
            package_path=str(path), options=ImportAnkiPackageOptions()
        )
        log = collection.import_anki_package(request).log
        notes = [collection.get_note(note) for note in collection.find_notes("")]
        decks = {deck.name for deck in collection.decks.all_names_and_ids()}
        cards = collection.card_count()
    finally:
        collection.close()
    assert len(log.new) == log.found_notes == cards == len(glossary.terms)
    assert not (log.updated or log.duplicate or log.conflicting or log.first_field_match)
    assert decks == {"Default", "Riyadh readouts: diplomatic vocabulary"}
    read = {note["German"]: dict(note.items()) for note in notes}
    assert read["der Außenminister"] == {
        "German": "der Außenminister",
        "English": "Foreign Minister, Secretary of State",
        "Note": next(t.note for t in glossary.terms if t.id == "aussenminister"),
        "Category": "office",
    }
    assert sorted(read) == sorted(term.german_headword() for term in glossary.terms)


@pytest.mark.parametrize("source", ["de", "en"])
def test_deepl_csv_and_tsv_read_back_with_the_clients_converters(
    glossary: Glossary, tmp_path: Path, source: str
) -> None:
    entries = deepl_entries(glossary, source)
    csv_text = write_deepl(glossary, tmp_path / "deepl.csv", source).read_text("utf-8")
    tsv_text = write_deepl(glossary, tmp_path / "deepl.tsv", source).read_text("utf-8")
    assert deepl.util.convert_csv_to_dict(csv_text) == entries
    assert deepl.util.convert_tsv_to_dict(tsv_text) == entries
    target = "en" if source == "de" else "de"
    assert all(line.endswith(f",{source},{target}") for line in csv_text.splitlines())


def test_deepl_csv_quotes_commas_and_quotes(tmp_path: Path) -> None:
    term = Term(id="vertrag", de=('Vertrag "neu", alt', "Ver,trag"), en=('the "so-called" treaty',),
                pos="noun", gender="m", category="institution")  # fmt: skip
    glossary: Any = SimpleNamespace(terms=[term, replace(term, id="x", de=("a\tb",))],
                                    entities=[], corpus={})  # fmt: skip
    text = write_deepl(glossary, tmp_path / "deepl.csv").read_text("utf-8")
    assert text.splitlines()[0] == '"Vertrag ""neu"", alt","the ""so-called"" treaty",de,en'
    assert deepl.util.convert_csv_to_dict(text) == deepl_entries(glossary, "de")


@pytest.fixture
def fake(httpserver: HTTPServer) -> Iterator[FakeDeepL]:
    yield FakeDeepL(httpserver)
    httpserver.clear()


@pytest.mark.parametrize("source", ["de", "en"])
def test_deepl_client_uploads_the_csv_export(
    glossary: Glossary, tmp_path: Path, fake: FakeDeepL, source: str
) -> None:
    target = "en" if source == "de" else "de"
    path = write_deepl(glossary, tmp_path / f"deepl-{source}-{target}.csv", source)
    client = deepl.Translator(AUTH_KEY, server_url=fake.url)
    with path.open(encoding="utf-8", newline="") as handle:
        info = client.create_glossary_from_csv("Riyadh readouts", source, target, handle)
    entries = deepl_entries(glossary, source)
    assert info.entry_count == len(entries) and info.source_lang == source.upper()
    assert fake.glossaries[info.glossary_id]["entries"] == entries


def test_the_tab_separated_export_is_not_a_csv_upload(
    glossary: Glossary, tmp_path: Path, fake: FakeDeepL
) -> None:
    """Sent as CSV, the TSV file is refused: each line is one field, not source and target."""
    path = write_deepl(glossary, tmp_path / "deepl-de-en.tsv")
    client = deepl.Translator(AUTH_KEY, server_url=fake.url)
    with pytest.raises(deepl.DeepLException, match="Invalid glossary entries"):
        client.create_glossary_from_csv("Riyadh readouts", "de", "en", path.read_text("utf-8"))
    assert fake.glossaries == {}


def test_export_command_into_a_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out"
    target.write_text("keep me\n", "utf-8")
    assert main(["export", "glossary", str(target), "--corpus", str(CORPUS)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"error: {target}: cannot write the glossary export (a file stands where a folder is "
        "needed); choose a folder you can write to, with room on its disk"
    ]
    assert target.read_text("utf-8") == "keep me\n"


def _schematron_failures(document: Any, schema_path: Path) -> list[str]:
    """The message of every failed assert of an ISO Schematron schema, run with XPath 2.0."""
    from elementpath import XPath2Parser, XPathContext
    from lxml import etree

    schema = etree.parse(str(schema_path)).getroot()
    namespaces = {ns.get("prefix"): ns.get("uri") for ns in schema.iter(f"{_SCH}ns")}
    parser, context = XPath2Parser(namespaces=namespaces), XPathContext(document)
    failures = []
    for pattern in schema.iter(f"{_SCH}pattern"):
        checked: set[int] = set()  # a node is checked by the first rule of a pattern it matches
        for rule in pattern.iter(f"{_SCH}rule"):
            found = _select(parser, context, rule.get("context"))
            nodes = [node for node in found if id(node) not in checked]
            checked |= {id(node) for node in nodes}
            for node, test in ((n, a) for n in nodes for a in rule.iter(f"{_SCH}assert")):
                focus = copy.copy(context)
                focus.item = node
                if not parser.parse(f"boolean({test.get('test')})").evaluate(focus):
                    failures.append(" ".join(test.itertext()).strip())
    return failures


def _select(parser: Any, context: Any, rule_context: str) -> list[Any]:
    """The nodes a rule's context (an XSLT pattern without unions) matches in the document."""
    assert "|" not in rule_context, rule_context
    return list(parser.parse(f"//{rule_context}").select(copy.copy(context)))

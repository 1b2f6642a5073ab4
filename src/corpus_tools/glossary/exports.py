"""Exports of the glossary: CSV/TSV tables, TBX for CAT tools, DeepL glossary entries, Anki.

TBX follows TBX-Basic in the DCA style of TBX v3 (ISO 30042:2019).  Entity spellings are
exported under the languages of the texts in which they were found, which is computed from
the corpus.

Each format gets its text escaped as it requires: the tables are written by the csv module
(through pandas), which quotes a cell holding a separator, a quote or a line break; Anki fields
are HTML, so ``<``, ``>`` and ``&`` are escaped and line breaks become ``<br>``; a DeepL entry
may hold no tab, line break or control character, so white space is collapsed to one space.
"""

from __future__ import annotations

import html
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING

from ..corpus.provenance import other_language
from . import Entity, Glossary

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "TBX_NAMESPACE",
    "deepl_entries",
    "export_glossary",
    "terms_frame",
    "write_anki",
    "write_deepl",
    "write_table",
    "write_tbx",
]

TBX_NAMESPACE = "urn:iso:std:iso:30042:ed-2"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_TBX_POS = {
    "phrase": "other"
}  # TBX-Basic's picklist: noun, verb, adjective, adverb, properNoun, other
_TBX_GENDER = {"m": "masculine", "f": "feminine", "n": "neuter", "pl": "other"}
# Fixed ids so that re-exporting updates a student's Anki deck instead of adding a new one.
_ANKI_DECK_ID = 1_802_202_518
_ANKI_MODEL_ID = 1_802_202_519


def terms_frame(glossary: Glossary) -> pd.DataFrame:
    """One row per term: headwords, further forms, grammar, category and note."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "id": t.id,
                "de": t.de[0],
                "en": t.en[0],
                "de_forms": " | ".join(t.de[1:]),
                "en_forms": " | ".join(t.en[1:]),
                "pos": t.pos,
                "gender": t.gender or "",
                "category": t.category,
                "note": t.note or "",
            }
            for t in glossary.terms
        ]
    )


def write_table(glossary: Glossary, path: Path | str) -> Path:
    """Write the terms as CSV, or as TSV when ``path`` ends in ``.tsv``."""
    path = Path(path)
    separator = "\t" if path.suffix == ".tsv" else ","
    terms_frame(glossary).to_csv(path, sep=separator, index=False)
    return path


def deepl_entries(glossary: Glossary, source_lang: str = "de") -> dict[str, str]:
    """Source → target entries in the form DeepL glossaries take.

    Every form of a term maps to the other language's headword, and every spelling of an
    entity found in ``source_lang`` text maps to its canonical name (English) or to itself.
    DeepL requires unique, trimmed sources without tabs, line breaks or control characters
    (white space is collapsed to one space); the first entry that claims a source keeps it.
    """
    target_lang = other_language(source_lang)
    pairs: list[tuple[str, str]] = []
    for term in glossary.terms:
        target = term.forms(target_lang)[0]
        pairs += [(form, target) for form in term.forms(source_lang)]
    for entity, languages in _entity_spellings(glossary).items():
        for spelling, language in languages:
            if language == source_lang:
                pairs.append((spelling, entity.name if target_lang == "en" else spelling))
    entries: dict[str, str] = {}
    for source, target in pairs:
        source, target = _one_line(source), _one_line(target)
        if source and target:
            entries.setdefault(source, target)
    return entries


def _one_line(text: str) -> str:
    """``text`` with its white space collapsed to single spaces, and no control characters."""
    return " ".join(
        "".join(c for c in text if unicodedata.category(c) != "Cc" or c.isspace()).split()
    )


def write_deepl(glossary: Glossary, path: Path | str, source_lang: str = "de") -> Path:
    """Write :func:`deepl_entries` as the tab-separated file DeepL's glossary upload takes."""
    path = Path(path)
    lines = (
        f"{source}\t{target}\n" for source, target in deepl_entries(glossary, source_lang).items()
    )
    path.write_text("".join(lines), encoding="utf-8")
    return path


def export_glossary(glossary: Glossary, outdir: Path | str) -> list[Path]:
    """Every export at once: CSV, TSV, TBX, DeepL entries both ways and the Anki deck."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    return [
        write_table(glossary, outdir / "terms.csv"),
        write_table(glossary, outdir / "terms.tsv"),
        write_tbx(glossary, outdir / "glossary.tbx"),
        write_deepl(glossary, outdir / "deepl-de-en.tsv", "de"),
        write_deepl(glossary, outdir / "deepl-en-de.tsv", "en"),
        write_anki(glossary, outdir / "terms.apkg"),
    ]


def write_tbx(glossary: Glossary, path: Path | str) -> Path:
    """Write a TBX-Basic (TBX v3, DCA style) file that CAT tools can import."""
    ET.register_namespace("", TBX_NAMESPACE)
    root = ET.Element(_tag("tbx"), {"type": "TBX-Basic", "style": "dca", _XML_LANG: "en"})
    description = ET.SubElement(ET.SubElement(ET.SubElement(root, _tag("tbxHeader")),
                                              _tag("fileDesc")), _tag("sourceDesc"))  # fmt: skip
    ET.SubElement(
        description, _tag("p")
    ).text = "Glossary of the Riyadh readouts reading corpus (German–English)."
    body = ET.SubElement(ET.SubElement(root, _tag("text")), _tag("body"))
    for term in glossary.terms:
        concept = _concept(body, term.id, term.category, term.note)
        for language in ("de", "en"):
            section = ET.SubElement(concept, _tag("langSec"), {_XML_LANG: language})
            for form in term.forms(language):
                gender = _TBX_GENDER[term.gender] if language == "de" and term.gender else None
                _term(section, form, _TBX_POS.get(term.pos, term.pos), gender)
    for entity, spellings in _entity_spellings(glossary).items():
        concept = _concept(body, entity.id, f"named entity: {entity.type}", entity.role)
        for language in ("de", "en"):
            forms = [spelling for spelling, found_in in spellings if found_in == language]
            if forms:
                section = ET.SubElement(concept, _tag("langSec"), {_XML_LANG: language})
                for form in forms:
                    _term(section, form, "properNoun", None)
    ET.indent(root)
    path = Path(path)
    ET.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)
    return path


def write_anki(glossary: Glossary, path: Path | str) -> Path:
    """Write an Anki deck (``.apkg``) with one German → English card per term."""
    import genanki

    model = genanki.Model(
        _ANKI_MODEL_ID,
        "Riyadh readouts term",
        fields=[{"name": "German"}, {"name": "English"}, {"name": "Note"}, {"name": "Category"}],
        templates=[
            {
                "name": "German → English",
                "qfmt": "{{German}}<br><small>{{Category}}</small>",
                "afmt": "{{FrontSide}}<hr id=answer>{{English}}<br><small>{{Note}}</small>",
            }
        ],
    )
    deck = genanki.Deck(_ANKI_DECK_ID, "Riyadh readouts: diplomatic vocabulary")
    for term in glossary.terms:
        fields = [term.german_headword(), ", ".join(term.en), term.note or "", term.category]
        fields = [_anki_field(field) for field in fields]
        deck.add_note(genanki.Note(model=model, fields=fields, guid=genanki.guid_for(term.id)))
    path = Path(path)
    genanki.Package(deck).write_to_file(path)
    return path


def _anki_field(text: str) -> str:
    """Text as an Anki field, which Anki shows as HTML: escaped, its lines joined by ``<br>``
    (and without the unit separator, which divides fields in Anki's collection)."""
    return "<br>".join(html.escape(text.replace("\x1f", " "), quote=False).splitlines())


def _entity_spellings(glossary: Glossary) -> dict[Entity, list[tuple[str, str]]]:
    """Each entity's spellings with the language of the text they were found in."""
    found: dict[str, list[tuple[str, str]]] = {}
    for doc in glossary.corpus.values():
        for match in glossary.find(doc, overlapping=True):
            if match.entry.kind == "entity":
                pairs = found.setdefault(match.entry.id, [])
                if (match.text, match.language) not in pairs:
                    pairs.append((match.text, match.language))
    return {entity: found[entity.id] for entity in glossary.entities if entity.id in found}


def _tag(name: str) -> str:
    return f"{{{TBX_NAMESPACE}}}{name}"


def _concept(body: ET.Element, concept_id: str, subject: str, note: str | None) -> ET.Element:
    concept = ET.SubElement(body, _tag("conceptEntry"), {"id": concept_id})
    ET.SubElement(concept, _tag("descrip"), {"type": "subjectField"}).text = subject
    if note:
        ET.SubElement(concept, _tag("note")).text = note
    return concept


def _term(section: ET.Element, form: str, pos: str, gender: str | None) -> None:
    term_section = ET.SubElement(section, _tag("termSec"))
    ET.SubElement(term_section, _tag("term")).text = form
    ET.SubElement(term_section, _tag("termNote"), {"type": "partOfSpeech"}).text = pos
    if gender:
        ET.SubElement(term_section, _tag("termNote"), {"type": "grammaticalGender"}).text = gender

"""TBX exports of the glossary, for CAT tools: TBX-Basic in two editions of the standard.

- :func:`write_tbx`: TBX v3 (ISO 30042:2019), DCA style, the form LTAC's TBX-Basic schemas
  check (``<tbx>``, ``conceptEntry/langSec/termSec``).
- :func:`write_tbx2`: TBX v2 (ISO 30042:2008), the ``martif`` form that translate-toolkit
  (Weblate, Pootle, Virtaal) and older CAT tools read (``termEntry/langSet/tig``).

Both hold the same concepts: one per term, with every form of it in German and English, and
one per named entity, with each spelling under the language of the texts that use it.

TBX-Basic v3 allows only ``noun``, ``verb``, ``adjective``, ``adverb`` and ``other`` as a part
of speech: a name is a ``noun`` there (its concept's subject field says it is a named entity),
and a phrase is ``other`` with the term type ``phrase``.  TBX-Basic v2 still has
``properNoun``, which names get there.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .spellings import entity_spellings

if TYPE_CHECKING:
    from . import Glossary

__all__ = ["TBX_NAMESPACE", "TBX_V3_PARTS_OF_SPEECH", "write_tbx", "write_tbx2"]

TBX_NAMESPACE = "urn:iso:std:iso:30042:ed-2"
TBX_V3_PARTS_OF_SPEECH = ("noun", "verb", "adjective", "adverb", "other")
"""TBX-Basic v3's picklist for ``partOfSpeech`` (its DCA Schematron, module Min)."""
PROPER_NOUN = "properNoun"
"""The part of speech of a name, as TBX-Basic v2 says it (v3 has no such value)."""

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_TITLE = "Glossary of the Riyadh readouts reading corpus (German–English)."
_GENDER = {"m": "masculine", "f": "feminine", "n": "neuter", "pl": "other"}
_V2_DOCTYPE = '<!DOCTYPE martif SYSTEM "TBXBasiccoreStructV02.dtd">'


@dataclass(frozen=True, slots=True)
class _Term:
    text: str
    pos: str
    """The glossary's part of speech, or :data:`PROPER_NOUN` for a name."""
    gender: str | None


@dataclass(frozen=True, slots=True)
class _Concept:
    id: str
    subject: str
    note: str | None
    languages: tuple[tuple[str, tuple[_Term, ...]], ...]
    """(language, terms) for each language that has terms, German first."""


def write_tbx(glossary: Glossary, path: Path | str) -> Path:
    """Write a TBX-Basic file in TBX v3 (DCA style), as current CAT tools import it."""
    # The namespace is declared, not put in each tag: ElementTree then writes it as the
    # default namespace without registering a prefix for the whole process.
    attributes = {"xmlns": TBX_NAMESPACE, "type": "TBX-Basic", "style": "dca", _XML_LANG: "en"}
    root = ET.Element("tbx", attributes)
    _source_desc(ET.SubElement(root, "tbxHeader"))
    _body(root, glossary, ("conceptEntry", "langSec", "termSec"), _v3_notes)
    return _write(root, Path(path))


def write_tbx2(glossary: Glossary, path: Path | str) -> Path:
    """Write a TBX-Basic file in TBX v2 (``martif``), as translate-toolkit (Weblate, Pootle,
    Virtaal) and older CAT tools import it."""
    root = ET.Element("martif", {"type": "TBX-Basic", _XML_LANG: "en"})
    header = ET.SubElement(root, "martifHeader")
    _source_desc(header)
    encoding = ET.SubElement(header, "encodingDesc")
    ET.SubElement(encoding, "p", {"type": "XCSURI"}).text = "TBXBasicXCSV02.xcs"
    _body(root, glossary, ("termEntry", "langSet", "tig"), _v2_notes)
    return _write(root, Path(path), _V2_DOCTYPE)


def _body(
    root: ET.Element,
    glossary: Glossary,
    tags: tuple[str, str, str],
    notes: Callable[[_Term], list[tuple[str, str]]],
) -> None:
    """The ``text/body`` of either version: one entry per concept, a section per language and
    one per term, named by ``tags`` (entry, language, term) as that version names them."""
    entry_tag, language_tag, term_tag = tags
    body = ET.SubElement(ET.SubElement(root, "text"), "body")
    for concept in _concepts(glossary):
        entry = _entry(body, entry_tag, concept)
        for language, terms in concept.languages:
            section = ET.SubElement(entry, language_tag, {_XML_LANG: language})
            for term in terms:
                _term_notes(ET.SubElement(section, term_tag), term, notes(term))


def _concepts(glossary: Glossary) -> Iterator[_Concept]:
    """The glossary's terms, then its named entities, as TBX concepts."""
    for term in glossary.terms:
        languages = tuple(
            (language, tuple(_Term(form, term.pos, _gender(term.gender, language))
                             for form in term.forms(language)))
            for language in ("de", "en")
        )  # fmt: skip
        yield _Concept(term.id, term.category, term.note, languages)
    for entity, spellings in entity_spellings(glossary).items():
        languages = tuple(
            (language, forms)
            for language in ("de", "en")
            if (forms := tuple(_Term(text, PROPER_NOUN, None)
                               for text, found_in in spellings if found_in == language))
        )  # fmt: skip
        yield _Concept(entity.id, f"named entity: {entity.type}", entity.role, languages)


def _gender(gender: str | None, language: str) -> str | None:
    """TBX's grammatical gender of a German form; English forms have none."""
    return _GENDER[gender] if gender and language == "de" else None


def _v3_notes(term: _Term) -> list[tuple[str, str]]:
    """The term notes TBX-Basic v3 allows: its part-of-speech picklist has no proper noun and
    no phrase."""
    if term.pos == "phrase":
        notes = [("partOfSpeech", "other"), ("termType", "phrase")]
    else:
        notes = [("partOfSpeech", "noun" if term.pos == PROPER_NOUN else term.pos)]
    return notes + ([("grammaticalGender", term.gender)] if term.gender else [])


def _v2_notes(term: _Term) -> list[tuple[str, str]]:
    """The term notes of TBX-Basic v2, whose picklist has ``properNoun``."""
    notes = [("partOfSpeech", "other" if term.pos == "phrase" else term.pos)]
    return notes + ([("grammaticalGender", term.gender)] if term.gender else [])


def _source_desc(header: ET.Element) -> None:
    description = ET.SubElement(ET.SubElement(header, "fileDesc"), "sourceDesc")
    ET.SubElement(description, "p").text = _TITLE


def _entry(body: ET.Element, tag: str, concept: _Concept) -> ET.Element:
    """A ``conceptEntry`` (v3) or ``termEntry`` (v2) with the concept's subject and note."""
    entry = ET.SubElement(body, tag, {"id": concept.id})
    ET.SubElement(entry, "descrip", {"type": "subjectField"}).text = concept.subject
    if concept.note:
        ET.SubElement(entry, "note").text = concept.note
    return entry


def _term_notes(parent: ET.Element, term: _Term, notes: list[tuple[str, str]]) -> None:
    """``term`` and its notes in ``parent`` (a ``termSec`` or a ``tig``)."""
    ET.SubElement(parent, "term").text = term.text
    for kind, value in notes:
        ET.SubElement(parent, "termNote", {"type": kind}).text = value


def _write(root: ET.Element, path: Path, doctype: str = "") -> Path:
    """Write ``root`` indented as UTF-8, after the XML declaration and ``doctype``."""
    ET.indent(root)
    prolog = '<?xml version="1.0" encoding="UTF-8"?>\n' + (f"{doctype}\n" if doctype else "")
    path.write_text(prolog + ET.tostring(root, encoding="unicode") + "\n", encoding="utf-8")
    return path

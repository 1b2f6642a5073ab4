"""Exports of the glossary: CSV/TSV tables, TBX for CAT tools, DeepL glossary entries, Anki.

TBX is written in two editions, TBX v3 and TBX v2 (see :mod:`.tbx`).  Entity spellings are
exported under the languages of the texts in which they were found, which is computed from
the corpus.

Each format gets its text escaped as it requires: the tables are written by the csv module
(through pandas), which quotes a cell holding a separator, a quote or a line break; Anki fields
are HTML, so ``<``, ``>`` and ``&`` are escaped and line breaks become ``<br>``; a DeepL entry
may hold no tab, line break or control character, so white space is collapsed to one space,
and its CSV form quotes an entry holding a comma or a quote, as standard CSV does.
"""

from __future__ import annotations

import csv
import html
import io
import itertools
import sqlite3
import tempfile
import time
import unicodedata
import zipfile
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

from ..corpus.provenance import other_language
from ..files import write_atomic, writing_into
from . import Glossary
from .spellings import entity_spellings
from .tbx import TBX_NAMESPACE, write_tbx, write_tbx2

if TYPE_CHECKING:
    import genanki
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
    "write_tbx2",
]

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
    for entity, languages in entity_spellings(glossary).items():
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
    """Write :func:`deepl_entries` as a file DeepL's glossary upload takes: tab-separated, or
    CSV when ``path`` ends in ``.csv`` (source, target, source language, target language, as
    the deepl client's ``create_glossary_from_csv`` sends it)."""
    path = Path(path)
    entries = deepl_entries(glossary, source_lang)
    with path.open("w", encoding="utf-8", newline="") as handle:
        if path.suffix == ".csv":
            languages = [source_lang, other_language(source_lang)]
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerows([source, target, *languages] for source, target in entries.items())
        else:
            handle.writelines(f"{source}\t{target}\n" for source, target in entries.items())
    return path


def export_glossary(glossary: Glossary, outdir: Path | str) -> list[Path]:
    """Every export at once: the term tables, TBX v3 and v2, DeepL entries both ways (TSV and
    CSV) and the Anki deck.

    Returns:
        The written files.

    Raises:
        ExportError: the folder or a file in it could not be written.
    """
    with writing_into(Path(outdir), "glossary export") as folder:
        return [
            write_table(glossary, folder / "terms.csv"),
            write_table(glossary, folder / "terms.tsv"),
            write_tbx(glossary, folder / "glossary.tbx"),
            write_tbx2(glossary, folder / "glossary-tbx2.tbx"),
            write_deepl(glossary, folder / "deepl-de-en.tsv", "de"),
            write_deepl(glossary, folder / "deepl-en-de.tsv", "en"),
            write_deepl(glossary, folder / "deepl-de-en.csv", "de"),
            write_deepl(glossary, folder / "deepl-en-de.csv", "en"),
            write_anki(glossary, folder / "terms.apkg"),
        ]


def write_anki(glossary: Glossary, path: Path | str) -> Path:
    """Write an Anki deck (``.apkg``) with one German → English card per term: the whole deck
    or, if writing fails, the file as it was."""
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
    write_atomic(path, _apkg(genanki.Package(deck)))
    return path


def _apkg(package: genanki.Package) -> bytes:
    """The ``.apkg`` archive of a package without media: its collection, built in a temporary
    folder that is removed afterwards (genanki's own ``write_to_file`` leaves the collection's
    database in the temporary folder and writes the archive in place)."""
    now = time.time()
    with tempfile.TemporaryDirectory(prefix="corpus-tools-anki-") as scratch:
        collection = Path(scratch) / "collection.anki2"
        with closing(sqlite3.connect(collection)) as db:
            package.write_to_db(db.cursor(), now, itertools.count(int(now * 1000)))
            db.commit()
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as apkg:
            apkg.write(collection, "collection.anki2")
            apkg.writestr("media", "{}")
    return archive.getvalue()


def _anki_field(text: str) -> str:
    """Text as an Anki field, which Anki shows as HTML: escaped, its lines joined by ``<br>``
    (and without the unit separator, which divides fields in Anki's collection)."""
    return "<br>".join(html.escape(text.replace("\x1f", " "), quote=False).splitlines())

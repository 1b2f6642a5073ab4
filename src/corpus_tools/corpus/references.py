"""The corpus's own reference translations, paragraph by paragraph (``corpus/translations/``).

Every German paragraph has an English reference and every English paragraph a German one.
Loading checks that the file covers every paragraph of its document, that each entry points
at a real paragraph (by id and by its first words) and that the languages are right.  An entry
``corpus-tools update`` marked ``stale: true`` (its paragraph changed in a new version of the
source; ``old_source`` keeps the text it translates) still loads, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ReferenceDataError
from .cache import LayerCache
from .datafile import Fields, load_yaml
from .document import Corpus
from .layout import data_files
from .manifest import FILL_IN
from .provenance import other_language
from .units import Paragraph

__all__ = ["ReferenceTranslation", "ReferenceTranslations", "load_references"]

_FILE_KEYS = {"document", "translator", "method", "date", "paragraphs"}
_ENTRY_KEYS = {"paragraph", "begins", "from", "to", "text", "stale", "old_source"}


@dataclass(frozen=True, slots=True)
class ReferenceTranslation:
    """One paragraph's reference translation."""

    doc_id: str
    paragraph: str
    source: str
    source_lang: str
    target_lang: str
    text: str
    translator: str
    date: str | None
    method: str = ""
    """How the translation was made, as the file states it."""
    old_source: str | None = None
    """For a stale translation: the earlier text of the paragraph, which it translates."""

    @property
    def stale(self) -> bool:
        """Whether the paragraph changed since it was translated: check and correct it."""
        return self.old_source is not None


class ReferenceTranslations:
    """All reference translations of a corpus, found by the exact text of a paragraph."""

    def __init__(self, entries: list[ReferenceTranslation], cache: LayerCache | None = None):
        self.entries = entries
        self.cache = cache
        """The corpus's layer cache, which keeps the translations' tokens (None: none kept)."""
        self._by_source = {(e.source, e.target_lang): e for e in entries}

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        return f"<ReferenceTranslations: {len(self)} paragraphs>"

    @property
    def stale(self) -> list[ReferenceTranslation]:
        """The translations whose paragraph changed since (to be checked and corrected)."""
        return [e for e in self.entries if e.stale]

    def lookup(self, text: str, target_lang: str) -> ReferenceTranslation | None:
        """The reference translation of a paragraph with exactly this text, if any."""
        return self._by_source.get((text, target_lang))


def load_references(corpus: Corpus, folder: Path | str | None = None) -> ReferenceTranslations:
    """Read and check ``translations/<document id>.yaml`` for every document that has one.

    Raises:
        ReferenceDataError: a malformed entry, a paragraph that does not exist or whose first
            words differ, wrong languages, or a paragraph of the document left untranslated.
    """
    folder = Path(folder) if folder is not None else corpus.root / "translations"
    entries: list[ReferenceTranslation] = []
    for path in data_files(folder, "*.yaml"):
        entries.extend(_read(path, corpus))
    return ReferenceTranslations(entries, corpus.cache)


def _read(path: Path, corpus: Corpus) -> list[ReferenceTranslation]:
    data = Fields(load_yaml(path, what="translation file"), path, "translation file",
                  ReferenceDataError)  # fmt: skip
    data.check_keys(_FILE_KEYS)
    doc = data.document(corpus)
    doc_id = doc.id
    translator, date = data.string("translator"), data.date("date")
    method = data.string("method")
    paragraphs = {p.id: p for p in doc.paragraphs}
    entries, seen = [], {}
    for record in data.list("paragraphs"):
        fields = Fields(record, path, "translation", ReferenceDataError)
        fields.check_keys(_ENTRY_KEYS)
        paragraph_id = fields.string("paragraph")
        paragraph = paragraphs.get(paragraph_id)
        if paragraph is None:
            fields.fail(
                "paragraph",
                f"{doc_id} has no paragraph {paragraph_id!r} (p1 to p{len(paragraphs)})",
            )
        if paragraph_id in seen:
            fields.fail(
                "paragraph",
                f"{paragraph_id} is translated twice (also on line {seen[paragraph_id]})",
            )
        seen[paragraph_id] = record.line
        _check_entry(fields, paragraph)
        entries.append(
            ReferenceTranslation(
                doc_id, paragraph_id, paragraph.text, paragraph.language, fields.string("to"),
                _text(fields), translator, date, method, _old_source(fields),
            )
        )  # fmt: skip
    missing = [p for p in paragraphs if p not in seen]
    if missing:
        data.fail("paragraphs", f"no translation for paragraphs {', '.join(missing)}; add them")
    return entries


def _text(fields: Fields) -> str:
    text = fields.string("text")
    if text.startswith(FILL_IN):
        fields.fail("text", f"the translation still says {FILL_IN!r}: write it")
    return text


def _old_source(fields: Fields) -> str | None:
    """The earlier paragraph text of a stale entry (``stale: true`` and ``old_source``)."""
    stale, old = fields.optional("stale", bool), fields.optional("old_source", str)
    if bool(stale) != (old is not None):
        fields.fail(
            "stale",
            "a stale translation gives 'stale: true' and the 'old_source' it translates; once "
            "the translation is checked against the paragraph, remove both",
        )
    return old if stale else None


def _check_entry(fields: Fields, paragraph: Paragraph) -> None:
    begins = fields.string("begins")
    if not paragraph.text.startswith(begins):
        fields.fail(
            "begins",
            f"{paragraph.id} begins {paragraph.text[:30]!r}, not {begins!r}; "
            "check the paragraph id",
        )
    language = paragraph.language
    if fields.string("from") != language:
        fields.fail("from", f"{paragraph.id} is in {language!r}, so 'from' must be {language!r}")
    expected = other_language(language)
    if fields.string("to") != expected:
        fields.fail("to", f"a reference translation of {language!r} text is into {expected!r}")

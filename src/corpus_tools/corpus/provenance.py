"""Who wrote a passage, in which language, and whether it is an original or a translation.

The vocabularies here (section kinds, languages, origin roles) are the ones a document's
YAML may use; the loader rejects anything else with a message listing these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "LANGUAGES",
    "ORIGIN_ROLES",
    "SECTION_KINDS",
    "SEGMENTED_LANGUAGES",
    "SEPARATOR",
    "TRANSLATION_METHODS",
    "UNKNOWN",
    "Provenance",
    "Translation",
    "format_origin",
    "other_language",
]

UNKNOWN = "unknown"
"""The value recorded where the text does not say (never a guess)."""

SEPARATOR = "separator"
"""The kind of the white space between top-level sections, which the loader adds."""

SECTION_KINDS: Mapping[str, str] = {
    "heading": "a title or heading",
    "commentary": "the article author's own prose",
    "official_statement": "a statement issued by a government or institution",
    "readout": "an official account of a meeting",
    "news_report": "a report by a news agency or newspaper",
    "quotation": "words quoted directly from a speaker",
    "caption": "the caption of a picture",
    "credit_line": "the credit of a picture or quotation",
    "editorial_note": "a note by the article's author about the text itself",
    "list": "a list, with its lead-in",
    "list_item": "one item of a list",
    "separator": "blank lines and line breaks between sections (added by the loader)",
}

SEGMENTED_LANGUAGES: Mapping[str, str] = {"de": "de_CMC", "en": "en_PTB"}
"""Languages the sentence and token layers support, with their SoMaJo model."""

LANGUAGES: Mapping[str, str] = {
    "ar": "Arabic",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "it": "Italian",
    "pl": "Polish",
    "ru": "Russian",
    "uk": "Ukrainian",
    "zh": "Chinese",
}
"""ISO 639-1 codes a section or a translation chain may name."""


def other_language(language: str) -> str:
    """The language a reference translation of a ``language`` text is in: English for German,
    German for English."""
    return "en" if language == "de" else "de"


TRANSLATION_METHODS: Mapping[str, str] = {
    "machine": "by a machine translation engine, as the text states",
    "human": "by a person, as the text states",
    UNKNOWN: "the text does not say how",
}

ORIGIN_ROLES: Mapping[str, str] = {
    "author": "the person who wrote it",
    "publication": "where it was published",
    "institution": "the government body or organisation that issued it",
    "agency": "the news agency that reported it",
    "speaker": "the person whose words are quoted",
    "photographer": "who took the picture",
}


_COMMENTATOR_KINDS = {"heading", "commentary", "editorial_note"}
"""Kinds of section that an unnamed author writes in the commentator's own voice."""


def format_origin(origin: tuple[tuple[str, str], ...]) -> str:
    """``role: name; role: name``, or ``unknown`` when nothing is stated."""
    return "; ".join(f"{role}: {name}" for role, name in origin) or UNKNOWN


@dataclass(frozen=True, slots=True)
class Translation:
    """The translation chain of a passage that is not in its original language."""

    from_language: str
    engine: str
    stated_in: str | None = None
    original_in_corpus: bool = False
    from_stated: bool = True
    """False where the text does not say which language the original was in, and
    ``from_language`` is inferred (the section's note says from what)."""
    method: str = UNKNOWN
    """How the translation was made: one of :data:`TRANSLATION_METHODS`."""

    @property
    def kind(self) -> str:
        """``machine translation`` or ``translation`` (by a person, or not stated how)."""
        return "machine translation" if self.method == "machine" else "translation"

    def describe(self, language: str) -> str:
        """One line such as ``Russian → German by DeepL (original not in the corpus)``."""
        where = "in the corpus" if self.original_in_corpus else "not in the corpus"
        source = LANGUAGES[self.from_language] + ("" if self.from_stated else " (inferred)")
        return f"{source} → {LANGUAGES[language]} by {self.engine} (original {where})"


@dataclass(frozen=True, slots=True)
class Provenance:
    """What the text states about a section: kind, language, origin, date, translation."""

    kind: str
    language: str
    origin: tuple[tuple[str, str], ...] = ()
    documents_date: str | None = None
    translation: Translation | None = None
    note: str | None = None

    @property
    def is_translation(self) -> bool:
        return self.translation is not None

    def origin_text(self) -> str:
        """Origin as ``role: name; role: name``, or ``unknown`` when nothing is stated."""
        return format_origin(self.origin)

    def original_or_translation(self) -> str:
        """``original``, or ``translation from ru by DeepL``."""
        chain = self.translation
        if chain is None:
            return "original"
        language = chain.from_language + ("" if chain.from_stated else " (inferred)")
        return f"translation from {language} by {chain.engine}"

    def voice(self) -> str:
        """Whose words these are, as a reader would name them: the first origin stated
        (``Maria Zakharova (by Reuters)``), the commentator for the unnamed author's own
        sections, and the translation engine where there is one."""
        role, name = self.origin[0] if self.origin else ("", UNKNOWN)
        if name == UNKNOWN and self.kind in _COMMENTATOR_KINDS:
            return "the commentator (not named)"
        if name == UNKNOWN:  # a caption, say: the text does not say who wrote it
            return f"{self.kind.replace('_', ' ')} (author not stated)"
        chain = self.translation
        if role == "speaker":
            agency = dict(self.origin).get("agency")
            return f"{name} (as rendered by {agency})" if chain else f"{name} (by {agency})"
        return f"{name}" + (f", {chain.engine} translation" if chain else "")

    def as_row(self) -> dict[str, object]:
        """Flat columns for tables (every unit's frame carries these)."""
        chain = self.translation
        return {
            "kind": self.kind,
            "language": self.language,
            "origin": self.origin_text(),
            "original_or_translation": "translation" if chain else "original",
            "translated_from": chain.from_language if chain else None,
            "translated_by": chain.engine if chain else None,
            "documents_date": self.documents_date,
        }

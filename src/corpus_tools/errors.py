"""One exception hierarchy for the whole package, rooted at :class:`CorpusError`.

Every message says where the problem is (file and line, or offset), what was expected
and what to do about it, so that an instructor editing a YAML file can fix it without
reading a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = [
    "AlignmentError",
    "AnnotationError",
    "AnswerKeyError",
    "AssignmentError",
    "AuthorizationError",
    "CacheError",
    "ConnectionFailedError",
    "CorpusError",
    "DataFileError",
    "DocumentSpecError",
    "ExerciseError",
    "ExportError",
    "GlossaryError",
    "GradingError",
    "MalformedReplyError",
    "NoReferenceError",
    "QuotaExceededError",
    "ReferenceDataError",
    "ReleaseError",
    "SaveError",
    "SectionError",
    "ServiceError",
    "SourceError",
    "TagSetError",
    "TooManyRequestsError",
    "TranslationError",
    "UnsupportedLanguageError",
    "UpdateError",
    "show_briefly_in_notebooks",
]


class CorpusError(Exception):
    """Base class of every error this package raises on purpose."""

    def __init__(self, message: str, *, path: Path | str | None = None, line: int | None = None):
        self.path = Path(path) if path is not None else None
        self.line = line
        self.reason = message
        super().__init__(_located(message, self.path, line))


class DataFileError(CorpusError):
    """A data file is missing, unreadable, not UTF-8, empty or not valid YAML."""


class DocumentSpecError(CorpusError):
    """A document's YAML has a missing, unknown or ill-typed field."""


class SourceError(CorpusError):
    """A source text is missing or differs from the hash its document records."""


class SectionError(CorpusError):
    """Section spans are out of range, leave gaps, overlap, or do not match their stated text."""


class GlossaryError(CorpusError):
    """A glossary file has a malformed, duplicate or unknown entry, or a spelling never found."""


class CacheError(CorpusError):
    """A cache file of derived layers is unreadable or stale; it is rebuilt, never trusted."""


def _located(message: str, path: Path | None, line: int | None) -> str:
    if path is None:
        return message
    where = f"{path}:{line}" if line is not None else str(path)
    return f"{where}: {message}"


class TranslationError(CorpusError):
    """A translation could not be made; subclasses say why and what to do."""


class AuthorizationError(TranslationError):
    """DeepL refused the key (HTTP 403)."""


class QuotaExceededError(TranslationError):
    """The DeepL account's character quota for this period is used up (HTTP 456)."""


class TooManyRequestsError(TranslationError):
    """DeepL still answered 429 after the client's own retries."""


class ServiceError(TranslationError):
    """DeepL answered with a server error after the client's own retries."""


class ConnectionFailedError(TranslationError):
    """DeepL could not be reached."""


class UnsupportedLanguageError(TranslationError):
    """A language this corpus does not translate between."""


class NoReferenceError(TranslationError):
    """A text is not a paragraph of the corpus, so no reference translation exists for it."""


class MalformedReplyError(TranslationError):
    """DeepL answered, but not as its API documents: not JSON, translations missing or fewer
    than the texts, a translation without text.  ``usable`` holds the sound translations of
    that reply by their position in the request; nothing else of it is used or stored."""

    def __init__(self, message: str, *, usable: dict[int, object] | None = None):
        super().__init__(message)
        self.usable = usable or {}


class ReferenceDataError(CorpusError):
    """A reference translation file is malformed or does not cover the corpus's paragraphs."""


class TagSetError(CorpusError):
    """A tag set file is malformed: a missing field, a duplicate label or shortcut, a bad colour."""


class AnnotationError(CorpusError):
    """An annotation is invalid: offsets out of range, a quote that differs, an unknown tag."""


class SaveError(AnnotationError):
    """An annotation file could not be written (locked, full disk, no permission); nothing of
    the attempt was saved, and everything saved before is intact."""


class AnswerKeyError(AnnotationError):
    """An answer key is missing or empty, or does not load exactly against the text and its tag
    set."""


class AssignmentError(CorpusError):
    """An assignment file is malformed, or names passages, a tag set or a key that do not fit."""


class AlignmentError(CorpusError):
    """An alignment file is malformed, points at no sentence, or leaves a sentence uncovered."""


class ExerciseError(CorpusError):
    """An exercise file is malformed, or a notebook asks for an exercise that does not exist."""


class ExportError(CorpusError):
    """An export could not be written: its folder is a file, not writable, or the disk is full."""


class ReleaseError(CorpusError):
    """Student or answer-key versions of the notebooks could not be written."""


class GradingError(CorpusError):
    """Annotations could not be scored: a key that is missing or empty, no usable file."""


class UpdateError(CorpusError):
    """A new version of a source cannot be carried over: a section not found again by its
    words, something that needs review (without ``--force``), or a write that failed."""


def show_briefly_in_notebooks() -> None:
    """In IPython and Jupyter, show a :class:`CorpusError` as its message alone: it says
    what is wrong and what to do, and the traceback would hide that.  ``%tb`` still prints
    the whole traceback."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None and CorpusError not in shell.custom_exceptions:
        shell.set_custom_exc((CorpusError,), _show_briefly)


def _show_briefly(
    shell: Any,
    kind: type[BaseException],
    error: BaseException,
    traceback: TracebackType | None,
    tb_offset: int | None = None,
) -> list[str]:
    sys.last_type, sys.last_value, sys.last_traceback = kind, error, traceback  # for %tb
    brief = [f"\x1b[0;31m{kind.__name__}\x1b[0m: {error}"]
    shell._showtraceback(kind, error, brief)
    return brief

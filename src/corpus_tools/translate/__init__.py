"""One front for translation, :func:`translate`, with three engines behind it.

* ``deepl``: the official ``deepl`` client, with the key from ``DEEPL_AUTH_KEY`` and, for tests
  or a proxy, the server from ``DEEPL_SERVER_URL``; many texts per request; a persistent cache
  in front, so a second run bills nothing.
* ``reference``: the corpus's own reference translations, paragraph by paragraph; offline.
* ``auto`` (the default): DeepL when a key is set, otherwise the references.  If DeepL fails,
  cached translations and the references stand in, with a visible note; a notebook never dies
  for it, nor for a damaged or unwritable cache.  A failure that would repeat starts an outage
  (:mod:`.outage`): for ``retry_after`` seconds (5 minutes) DeepL is not asked again, so a
  later call does not wait out the client's retries; :meth:`Translator.retry_deepl` ends it.

Every result is a :class:`TranslationRecord` that names its engine, languages, glossary, date
and the characters billed.  The key is never written to a record, the cache, a log or a message,
and no message quotes a reply of DeepL's (or of anything answering in its place).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import (
    MalformedReplyError,
    NoReferenceError,
    TranslationError,
    UnsupportedLanguageError,
)
from .cache import CachedTranslation, TranslationCache, cache_key, default_cache_path
from .deepl_engine import AccountUsage, DeepLEngine, batches, glossary_digest
from .outage import RETRY_AFTER, Outage, starts_outage
from .replies import Translated

if TYPE_CHECKING:
    import pandas as pd

    from ..corpus import Corpus
    from ..corpus.references import ReferenceTranslations
    from ..glossary import Glossary

__all__ = [
    "LANGUAGES",
    "Backend",
    "Engine",
    "SessionUsage",
    "TranslationRecord",
    "Translator",
    "check_terms",
    "records_frame",
    "retry_deepl",
    "translate",
    "usage",
]

LANGUAGES = ("de", "en")
T = TypeVar("T")


class Backend(StrEnum):
    """Which engines :func:`translate` may use."""

    AUTO = "auto"
    """DeepL when a key is set, otherwise the references; cache and references stand in when
    DeepL fails."""
    DEEPL = "deepl"
    """DeepL (or its cache) only; a failure raises, also one remembered from an outage."""
    REFERENCE = "reference"
    """The corpus's reference translations only; offline."""


class Engine(StrEnum):
    """Where a translation came from."""

    DEEPL = "DeepL"
    CACHE = "DeepL (cache)"
    REFERENCE = "reference"


PROGRESS_THRESHOLD = 2 * 50
"""Show a progress bar when more texts than this need DeepL (more than two requests)."""


@dataclass(frozen=True, slots=True)
class TranslationRecord:
    """One translated text and where the translation came from (``billed_characters``: None
    when DeepL did not say)."""

    source: str
    translation: str | None
    source_lang: str | None
    target_lang: str
    engine: Engine | None
    glossary: str | None = None
    billed_characters: int | None = 0
    cached: bool = False
    date: str | None = None
    translator: str | None = None
    method: str | None = None
    note: str | None = None

    def __repr__(self) -> str:
        shown = (self.translation or "")[:60]
        return f"<TranslationRecord {self.engine}: {shown!r}>"


@dataclass
class SessionUsage:
    """What this session's translations cost (``unknown_cost``: texts DeepL translated without
    saying what it billed for them)."""

    billed_characters: int = 0
    deepl_requests: int = 0
    cache_hits: int = 0
    reference_translations: int = 0
    account: AccountUsage | None = None
    unknown_cost: int = 0

    def __repr__(self) -> str:
        text = (
            f"this session: {self.billed_characters:,} characters billed in "
            f"{self.deepl_requests} DeepL requests; {self.cache_hits} from the cache; "
            f"{self.reference_translations} reference translations"
        )
        if self.unknown_cost:
            text += f"; {self.unknown_cost} texts of unknown cost"
        if self.account is not None and self.account.limit:
            text += (
                f"\nDeepL account: {self.account.characters:,} of {self.account.limit:,} "
                "characters used this period"
            )
        return text


@dataclass
class Translator:
    """A translation session: engines, cache, and what the session has billed.

    Args:
        corpus: the corpus whose reference translations to use (default: :func:`load_corpus`).
        auth_key: the DeepL key (default: ``$DEEPL_AUTH_KEY``); never stored anywhere else.
        server_url: another DeepL server (default: ``$DEEPL_SERVER_URL``).
        cache: a :class:`TranslationCache`, a path for one, or None for the default path.
        say: where notes for the user go (default: ``print``).
        retry_after: seconds DeepL is not asked again after a failure that would repeat.
    """

    corpus: Corpus | None = None
    auth_key: str | None = field(default=None, repr=False)
    server_url: str | None = None
    cache: TranslationCache | Path | str | None = None
    say: Callable[[str], None] = print
    session: SessionUsage = field(default_factory=SessionUsage)
    retry_after: float = RETRY_AFTER
    _outage: Outage | None = field(default=None, init=False, repr=False)
    _engine: DeepLEngine | None = field(default=None, init=False, repr=False)
    _references: ReferenceTranslations | None = field(default=None, init=False, repr=False)
    _said: set[str] = field(default_factory=set, init=False, repr=False)

    def __post_init__(self) -> None:
        self.auth_key = self.auth_key or os.environ.get("DEEPL_AUTH_KEY") or None
        self.server_url = self.server_url or os.environ.get("DEEPL_SERVER_URL") or None

    # --- the front ----------------------------------------------------------------------------
    def translate(
        self,
        texts: str | Any | Iterable[str | Any],
        target_lang: str,
        source_lang: str | None = None,
        *,
        glossary: Glossary | None = None,
        backend: Backend | str = Backend.AUTO,
        formality: str | None = None,
        model: str | None = None,
        progress: bool | None = None,
    ) -> list[TranslationRecord]:
        """Translate texts (strings, or corpus units such as paragraphs) into ``target_lang``.

        Args:
            texts: one text or many; a unit's ``text`` is used.
            target_lang: ``"de"`` or ``"en"``.
            source_lang: the texts' language; None lets the engine tell (required with a
                glossary).
            glossary: the corpus glossary, sent to DeepL as a DeepL glossary.
            backend: a :class:`Backend` (or its value: ``"auto"``, ``"deepl"``, ``"reference"``).
            formality: DeepL's formality option (``"more"``, ``"less"``, ...).
            model: DeepL's ``model_type`` option.
            progress: show a progress bar (default: for long runs).

        Raises:
            UnsupportedLanguageError: a language other than German or English.
            TranslationError: with ``backend="deepl"``, DeepL failed, now or in an outage not
                yet over (the subclass says why); with ``backend="reference"``, a text is not a
                paragraph of the corpus.
        """
        sources = _texts(texts)
        backend = _backend(backend)
        _check_languages(source_lang, target_lang)
        if glossary is not None and source_lang is None:
            raise TranslationError(
                "a glossary needs source_lang: say which language the texts are in"
            )
        auto = backend is Backend.AUTO
        use_deepl = backend is Backend.DEEPL or (auto and self.auth_key is not None)
        if not use_deepl:
            self._say_once("reference", _REFERENCE_NOTE if auto else "")
            return self._from_references(sources, target_lang, strict=backend is Backend.REFERENCE)
        self._say_once("deepl", _DEEPL_NOTE if auto else "")
        options = _Options(source_lang, target_lang, glossary, formality, model)
        if auto and self._outage is not None and not self._outage.is_over():
            self._say_once(f"outage-on:{self._outage.since}", self._outage.note())
            return self._fall_back(sources, options, None)
        try:
            return self._from_deepl(sources, options, progress)
        except TranslationError as error:
            if backend is Backend.DEEPL:
                raise
            return self._fall_back(sources, options, error)

    def retry_deepl(self) -> None:
        """End an outage: the next translation asks DeepL again."""
        self._outage = None

    def usage(self, *, account: bool = True) -> SessionUsage:
        """Characters billed this session and, with a key, the account's usage this period."""
        if account and self.auth_key:
            try:
                self.session.account = self._deepl_call(lambda engine: engine.usage())
            except TranslationError as error:
                self._say_once(
                    f"usage:{type(error).__name__}", f"Account usage unavailable: {error}"
                )
        return self.session

    # --- engines ------------------------------------------------------------------------------
    def references(self) -> ReferenceTranslations:
        if self._references is None:
            from ..corpus import load_corpus
            from ..corpus.references import load_references

            self.corpus = self.corpus or load_corpus()
            self._references = load_references(self.corpus)
        return self._references

    def _deepl(self) -> DeepLEngine:
        if self.auth_key is None:
            raise TranslationError("no DeepL key: set DEEPL_AUTH_KEY to use DeepL")
        if self._engine is None:
            self._engine = DeepLEngine(self.auth_key, self.server_url)
        return self._engine

    def _deepl_call(self, call: Callable[[DeepLEngine], T]) -> T:
        """``call`` on the engine, unless an outage is not over (its error is raised again); a
        failure that would repeat starts one."""
        engine = self._deepl()
        if self._outage is not None and not self._outage.is_over():
            raise self._outage.remembered()
        try:
            result = call(engine)
        except TranslationError as error:
            if starts_outage(error):
                self._outage = Outage(error, self.retry_after)
            raise
        self._outage = None
        return result

    def _cache(self) -> TranslationCache:
        if not isinstance(self.cache, TranslationCache):
            self.cache = TranslationCache(self.cache or default_cache_path())
        return self.cache

    def _from_references(
        self, sources: list[str], target_lang: str, *, strict: bool
    ) -> list[TranslationRecord]:
        references = self.references()
        records = []
        for text in sources:
            found = references.lookup(text, target_lang)
            if found is None:
                if strict:
                    raise NoReferenceError(_NO_REFERENCE.format(text=_short(text)))
                records.append(
                    _unavailable(text, target_lang, _NO_REFERENCE.format(text=_short(text)))
                )
                continue
            self.session.reference_translations += 1
            records.append(
                TranslationRecord(
                    text, found.text, found.source_lang, target_lang, Engine.REFERENCE,
                    date=found.date, translator=found.translator, method=found.method,
                    note=_STALE.format(old=_short(found.old_source)) if found.stale else None,
                )
            )  # fmt: skip
        return records

    def _from_deepl(
        self, sources: list[str], options: _Options, progress: bool | None
    ) -> list[TranslationRecord]:
        glossary_hash = options.glossary_hash()
        keys = [options.key(text, glossary_hash) for text in sources]
        cached = self._cache().get_many(keys)
        missing = list(dict.fromkeys(key for key in keys if key not in cached))
        by_key = dict(zip(keys, sources, strict=True))
        texts = [by_key[key] for key in missing]
        fresh = {i.key: i for i in self._request(texts, missing, options, glossary_hash, progress)}
        records, billed = [], set()
        for key in keys:
            if key in fresh and key not in billed:  # a text given twice is billed once
                billed.add(key)
                records.append(_record(fresh[key], options, cached=False))
            else:
                self.session.cache_hits += 1
                records.append(_record(cached.get(key) or fresh[key], options, cached=True))
        return records

    def _request(
        self,
        texts: list[str],
        keys: list[str],
        options: _Options,
        glossary_hash: str | None,
        progress: bool | None,
    ) -> list[CachedTranslation]:
        if not texts:
            return []
        engine = self._deepl()
        glossary_id = None
        if options.glossary is not None:
            from ..glossary.exports import deepl_entries

            entries = deepl_entries(options.glossary, options.source_lang or "de")
            glossary_id = self._deepl_call(
                lambda e: e.glossary_id(entries, options.source_lang, options.target_lang)
            )
        groups = list(batches(texts))
        show = len(texts) > PROGRESS_THRESHOLD if progress is None else progress
        results: list[CachedTranslation] = []
        requests_before = engine.requests
        try:
            for group in _progress(groups, show, len(texts)):
                answers, failure = self._batch([texts[i] for i in group], options, glossary_id)
                for position, answer in answers.items():
                    index = group[position]
                    results.append(
                        self._fresh(keys[index], texts[index], answer, options, glossary_hash)
                    )
                if failure is not None:
                    raise failure
        finally:
            self.session.deepl_requests += engine.requests - requests_before
            self._cache().put_many(results)  # what was paid for is kept, even if a batch fails
        return results

    def _batch(
        self, texts: list[str], options: _Options, glossary_id: str | None
    ) -> tuple[dict[int, Translated], MalformedReplyError | None]:
        """One request's translations by position, and the error of a malformed reply (raised
        once what it holds that is sound is kept)."""
        try:
            translated = self._deepl_call(
                lambda engine: engine.translate(
                    texts,
                    options.source_lang,
                    options.target_lang,
                    glossary_id=glossary_id,
                    formality=options.formality,
                    model=options.model,
                )
            )
        except MalformedReplyError as error:
            return error.usable, error
        return dict(enumerate(translated)), None

    def _fresh(
        self,
        key: str,
        text: str,
        answer: Translated,
        options: _Options,
        glossary_hash: str | None,
    ) -> CachedTranslation:
        """A translation DeepL just made, counted in the session's cost."""
        if answer.billed_characters is None:
            self.session.unknown_cost += 1
        else:
            self.session.billed_characters += answer.billed_characters
        return CachedTranslation(
            key, text, answer.text, options.source_lang or answer.detected_lang or "",
            options.target_lang, glossary_hash, answer.billed_characters,
            dt.date.today().isoformat(),
        )  # fmt: skip

    def _fall_back(
        self, sources: list[str], options: _Options, error: TranslationError | None
    ) -> list[TranslationRecord]:
        """Serve what the cache has, and reference translations for the rest, with a note
        (saying why, unless an outage's note already did)."""
        if error is not None:
            self._say_once(*self._unavailable_note(error))
        glossary_hash = options.glossary_hash()
        keys = [options.key(text, glossary_hash) for text in sources]
        cached = self._cache().get_many(keys)
        records = []
        for text, key in zip(sources, keys, strict=True):
            if key in cached:
                self.session.cache_hits += 1
                records.append(_record(cached[key], options, cached=True))
            else:
                records.extend(self._from_references([text], options.target_lang, strict=False))
        return records

    def _unavailable_note(self, error: TranslationError) -> tuple[str, str]:
        """The topic and text of the note on a fallback for ``error``."""
        note = f"DeepL is unavailable ({error}). Using cached and reference translations instead."
        if self._outage is None or self._outage.error is not error:
            return f"fallback:{type(error).__name__}", note
        return f"outage:{self._outage.since}", f"{note} {self._outage.begins()}"

    def _say_once(self, topic: str, message: str) -> None:
        if message and topic not in self._said:
            self._said.add(topic)
            self.say(message)


@dataclass(frozen=True, slots=True)
class _Options:
    source_lang: str | None
    target_lang: str
    glossary: Glossary | None
    formality: str | None
    model: str | None

    def glossary_hash(self) -> str | None:
        if self.glossary is None:
            return None
        from ..glossary.exports import deepl_entries

        return glossary_digest(deepl_entries(self.glossary, self.source_lang or "de"))

    def key(self, text: str, glossary_hash: str | None) -> str:
        return cache_key(
            text, self.source_lang, self.target_lang,
            glossary=glossary_hash, formality=self.formality, model=self.model,
        )  # fmt: skip


_REFERENCE_NOTE = (
    "Translations: the corpus's reference translations (no DEEPL_AUTH_KEY is set). "
    "To use DeepL, set DEEPL_AUTH_KEY in the environment before starting JupyterLab."
)
_DEEPL_NOTE = (
    "Translations: DeepL (DEEPL_AUTH_KEY is set), with a cache so nothing is billed twice. "
    "To use the corpus's reference translations instead, pass backend='reference'."
)
_NO_REFERENCE = (
    "no reference translation for {text}: references exist for whole paragraphs of the corpus; "
    "pass a paragraph, or set DEEPL_AUTH_KEY to translate any text with DeepL"
)


_STALE = (
    "this reference translation was made for an earlier version of the paragraph ({old}) "
    "and not yet checked against the new one"
)


def _record(item: CachedTranslation, options: _Options, *, cached: bool) -> TranslationRecord:
    return TranslationRecord(
        item.source, item.translation, item.source_lang or options.source_lang,
        item.target_lang, Engine.CACHE if cached else Engine.DEEPL, glossary=item.glossary,
        billed_characters=0 if cached else item.billed_characters, cached=cached, date=item.date,
    )  # fmt: skip


def _unavailable(text: str, target_lang: str, note: str) -> TranslationRecord:
    return TranslationRecord(text, None, None, target_lang, None, note=note)


def _texts(texts: Any) -> list[str]:
    if isinstance(texts, str) or hasattr(texts, "text"):
        texts = [texts]
    return [item if isinstance(item, str) else item.text for item in texts]


def _backend(backend: Backend | str) -> Backend:
    try:
        return Backend(backend)
    except ValueError:
        known = ", ".join(repr(b.value) for b in Backend)
        raise TranslationError(f"unknown backend {backend!r}; use one of {known}") from None


def _check_languages(source_lang: str | None, target_lang: str) -> None:
    for language in (source_lang, target_lang):
        if language is not None and language not in LANGUAGES:
            raise UnsupportedLanguageError(
                f"this corpus translates between German and English; {language!r} is not "
                "supported: use 'de' or 'en'"
            )
    if source_lang == target_lang:
        raise UnsupportedLanguageError(f"source and target are both {target_lang!r}")


def _short(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:39] + "…")


def _progress(groups: list[list[int]], show: bool, total: int) -> Iterable[list[int]]:
    if not show:
        return groups
    from tqdm.auto import tqdm

    return tqdm(groups, desc=f"DeepL: {total} texts", unit="request")


_default: Translator | None = None


def _session() -> Translator:
    global _default
    if _default is None:
        _default = Translator()
    return _default


def translate(
    texts: str | Any | Iterable[str | Any], target_lang: str, source_lang: str | None = None,
    **options: Any,
) -> list[TranslationRecord]:  # fmt: skip
    """:meth:`Translator.translate` on this session's default translator."""
    return _session().translate(texts, target_lang, source_lang, **options)


def usage(*, account: bool = True) -> SessionUsage:
    """:meth:`Translator.usage` on this session's default translator."""
    return _session().usage(account=account)


def retry_deepl() -> None:
    """:meth:`Translator.retry_deepl` on this session's default translator."""
    _session().retry_deepl()


def records_frame(records: Sequence[TranslationRecord]) -> pd.DataFrame:
    """Records as a table, one row each."""
    import pandas as pd

    return pd.DataFrame([{name: getattr(r, name) for name in r.__slots__} for r in records])


def check_terms(
    source: str, translation: str, glossary: Glossary, *, source_lang: str, target_lang: str
) -> pd.DataFrame:
    """For each glossary term in ``source``: was one of its expected target forms used?

    Returns:
        One row per term occurrence: term, source form, expected forms, and ``used``.
    """
    import pandas as pd

    found = {
        m.entry.id
        for m in glossary.find(translation, language=target_lang, overlapping=True)
        if m.entry.kind == "term"
    }
    rows = [
        {
            "term": m.entry.id,
            "in the source": m.text,
            "expected": " / ".join(m.entry.forms(target_lang)),
            "used": m.entry.id in found,
        }
        for m in glossary.find(source, language=source_lang)
        if m.entry.kind == "term"
    ]
    return pd.DataFrame(rows, columns=["term", "in the source", "expected", "used"])

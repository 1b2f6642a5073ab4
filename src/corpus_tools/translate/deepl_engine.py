"""The real ``deepl`` client behind one small interface, with its errors made actionable.

The key comes from the caller (read from ``DEEPL_AUTH_KEY`` by :mod:`corpus_tools.translate`)
and is never put into a message.  ``server_url`` (``DEEPL_SERVER_URL``) points the client at
another server, such as the local fake one the tests use.  Retries of 429 and 5xx answers are
the client's own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..errors import (
    AuthorizationError,
    ConnectionFailedError,
    QuotaExceededError,
    ServiceError,
    TooManyRequestsError,
    TranslationError,
)

__all__ = [
    "MAX_REQUEST_BYTES",
    "MAX_TEXTS_PER_REQUEST",
    "AccountUsage",
    "DeepLEngine",
    "batches",
    "glossary_digest",
]

MAX_TEXTS_PER_REQUEST = 50
"""DeepL accepts at most 50 texts in one translate request."""
MAX_REQUEST_BYTES = 120 * 1024
"""DeepL limits a request to 128 KiB; stay below it with room for the JSON around the texts."""
_SOURCE_CODES = {"de": "DE", "en": "EN"}
_TARGET_CODES = {"de": "DE", "en": "EN-US"}


@dataclass(frozen=True, slots=True)
class AccountUsage:
    """Characters translated in the DeepL account's current period, and its limit."""

    characters: int | None
    limit: int | None


def glossary_digest(entries: dict[str, str]) -> str:
    """A short hash of glossary entries, used to name and to reuse DeepL glossaries."""
    text = "".join(f"{source}\t{target}\n" for source, target in sorted(entries.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def batches(texts: Sequence[str]) -> Iterator[list[int]]:
    """Indices of ``texts`` grouped into requests within DeepL's count and size limits."""
    batch: list[int] = []
    size = 0
    for index, text in enumerate(texts):
        length = len(text.encode("utf-8"))
        if batch and (len(batch) == MAX_TEXTS_PER_REQUEST or size + length > MAX_REQUEST_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(index)
        size += length
    if batch:
        yield batch


class DeepLEngine:
    """One DeepL account: translate batches, reuse glossaries, report usage."""

    def __init__(self, auth_key: str, server_url: str | None = None):
        import deepl

        self._client = deepl.Translator(auth_key, server_url=server_url or None)
        self._glossaries: dict[tuple[str, str, str], str] = {}
        self.requests = 0

    def translate(
        self,
        texts: Sequence[str],
        source_lang: str | None,
        target_lang: str,
        *,
        glossary_id: str | None = None,
        formality: str | None = None,
        model: str | None = None,
    ) -> list[tuple[str, int]]:
        """Translate one batch in one request; returns (translation, billed characters)."""
        options: dict[str, Any] = {}
        if formality:
            options["formality"] = formality
        if model:
            options["model_type"] = model
        with _actionable_errors():
            self.requests += 1
            results = self._client.translate_text(
                list(texts),
                source_lang=_SOURCE_CODES[source_lang] if source_lang else None,
                target_lang=_TARGET_CODES[target_lang],
                glossary=glossary_id,
                **options,
            )
        return [(result.text, result.billed_characters or 0) for result in results]

    def glossary_id(self, entries: dict[str, str], source_lang: str, target_lang: str) -> str:
        """The id of a DeepL glossary with exactly these entries, created only if none exists.

        Glossaries are named by the hash of their entries, so a second run, or a second kernel,
        finds the one made before instead of creating another.
        """
        digest = glossary_digest(entries)
        key = (digest, source_lang, target_lang)
        if key not in self._glossaries:
            name = f"corpus-tools {source_lang}-{target_lang} {digest}"
            with _actionable_errors():
                self.requests += 1
                existing = [g for g in self._client.list_glossaries() if g.name == name]
                if existing:
                    self._glossaries[key] = existing[0].glossary_id
                else:
                    self.requests += 1
                    created = self._client.create_glossary(
                        name, _SOURCE_CODES[source_lang], _SOURCE_CODES[target_lang], entries
                    )
                    self._glossaries[key] = created.glossary_id
        return self._glossaries[key]

    def usage(self) -> AccountUsage:
        """The account's character usage this period."""
        with _actionable_errors():
            self.requests += 1
            usage = self._client.get_usage()
        return AccountUsage(usage.character.count, usage.character.limit)


@contextmanager
def _actionable_errors() -> Iterator[None]:
    """Turn the client's exceptions into ours, each with what to do about it."""
    import deepl

    try:
        yield
    except deepl.AuthorizationException as exc:
        raise AuthorizationError(
            "DeepL refused the key (403): check DEEPL_AUTH_KEY, or unset it to use the "
            "corpus's reference translations"
        ) from exc
    except deepl.QuotaExceededException as exc:
        raise QuotaExceededError(
            "the DeepL character quota for this billing period is used up (456): wait for the "
            "next period, or use cached and reference translations meanwhile"
        ) from exc
    except deepl.TooManyRequestsException as exc:
        raise TooManyRequestsError(
            "DeepL is receiving too many requests (429) even after retrying: try again in a minute"
        ) from exc
    except deepl.ConnectionException as exc:
        raise ConnectionFailedError(
            "DeepL could not be reached: check the network, or DEEPL_SERVER_URL if it is set"
        ) from exc
    except deepl.DeepLException as exc:
        status = getattr(exc, "http_status_code", None)
        if status is not None and status >= 500:
            raise ServiceError(
                f"DeepL answered with a server error ({status}) even after retrying: try again "
                "later"
            ) from exc
        raise TranslationError(f"DeepL did not translate: {_without_details(exc)}") from exc


def _without_details(exc: Exception) -> str:
    """The client's message up to any echoed request detail."""
    return str(exc).split(", message:")[0]

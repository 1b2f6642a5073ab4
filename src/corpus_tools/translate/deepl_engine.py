"""The real ``deepl`` client behind one small interface, with its errors made actionable.

The key comes from the caller (read from ``DEEPL_AUTH_KEY`` by :mod:`corpus_tools.translate`)
and is never put into a message.  ``server_url`` (``DEEPL_SERVER_URL``) points the client at
another server, such as the local fake one the tests use.  Retries of 429 and 5xx answers are
the client's own.

The client sends the requests; its replies to translate requests are read by
:mod:`.replies`, which checks them, so that a reply the client cannot read (a missing
``billed_characters``, a list that is not one) is still used as far as it is sound.  No error
raised here quotes a reply or chains the client's exception, whose message may quote one.
"""

from __future__ import annotations

import hashlib
import http
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..errors import (
    AuthorizationError,
    ConnectionFailedError,
    MalformedReplyError,
    QuotaExceededError,
    ServiceError,
    TooManyRequestsError,
    TranslationError,
)
from .replies import Reply, Translated, read_translations

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
_UNREADABLE = (AttributeError, KeyError, TypeError, ValueError)
"""What the client raises when a reply is not the JSON it expects."""


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
        self._client = _client_class()(auth_key, server_url=server_url or None)
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
    ) -> list[Translated]:
        """Translate one batch in one request.

        Raises:
            MalformedReplyError: the reply is not what the API documents (its ``usable`` holds
                what of it is sound).
            TranslationError: DeepL refused, failed or could not be reached (the subclass says
                which).
        """
        options: dict[str, Any] = {}
        if formality:
            options["formality"] = formality
        if model:
            options["model_type"] = model
        with _actionable_errors("a translation request", self._client):
            self.requests += 1
            try:
                self._client.translate_text(
                    list(texts),
                    source_lang=_SOURCE_CODES[source_lang] if source_lang else None,
                    target_lang=_TARGET_CODES[target_lang],
                    glossary=glossary_id,
                    **options,
                )
            except _UNREADABLE:
                if self._client.last_reply is None:
                    raise  # not about a reply
        return read_translations(self._client.last_reply, texts)

    def glossary_id(self, entries: dict[str, str], source_lang: str, target_lang: str) -> str:
        """The id of a DeepL glossary with exactly these entries, created only if none exists.

        Glossaries are named by the hash of their entries, so a second run, or a second kernel,
        finds the one made before instead of creating another.
        """
        digest = glossary_digest(entries)
        key = (digest, source_lang, target_lang)
        if key not in self._glossaries:
            name = f"corpus-tools {source_lang}-{target_lang} {digest}"
            with _actionable_errors("a glossary request", self._client):
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
        with _actionable_errors("a usage request", self._client):
            self.requests += 1
            usage = self._client.get_usage()
        return AccountUsage(usage.character.count, usage.character.limit)


@cache
def _client_class() -> type:
    """The official client, remembering its last reply for :mod:`.replies` to read."""
    import deepl

    class Client(deepl.Translator):
        last_reply: Reply | None = None

        def _api_call(self, *args: Any, **kwargs: Any) -> tuple[int, Any, Any]:
            status, content, data = super()._api_call(*args, **kwargs)
            self.last_reply = Reply.of(status, content, data)
            return status, content, data

    return Client


@contextmanager
def _actionable_errors(what: str, client: Any) -> Iterator[None]:
    """Turn the client's exceptions about ``what`` into ours, each with what to do about it,
    and none with the client's message or the reply it may quote."""
    import deepl
    import requests

    client.last_reply = None
    try:
        yield
    except deepl.AuthorizationException:
        raise AuthorizationError(
            "DeepL refused the key (403): check DEEPL_AUTH_KEY, or unset it to use the "
            "corpus's reference translations"
        ) from None
    except deepl.QuotaExceededException:
        raise QuotaExceededError(
            "the DeepL character quota for this billing period is used up (456): wait for the "
            "next period, or use cached and reference translations meanwhile"
        ) from None
    except deepl.TooManyRequestsException:
        raise TooManyRequestsError(
            "DeepL is receiving too many requests (429) even after retrying: try again in a minute"
        ) from None
    except deepl.ConnectionException as exc:
        if isinstance(exc.__cause__, requests.exceptions.Timeout):
            raise ConnectionFailedError(
                "DeepL did not answer in time, even after retrying: check the network, or try "
                "again later"
            ) from None
        raise ConnectionFailedError(
            "DeepL could not be reached: check the network, or DEEPL_SERVER_URL if it is set"
        ) from None
    except deepl.DeepLException as exc:
        raise _refused(exc) from None
    except _UNREADABLE as exc:
        if client.last_reply is None:
            raise TranslationError(
                f"the DeepL client could not make {what} ({type(exc).__name__})"
            ) from None
        raise MalformedReplyError(
            f"DeepL's reply to {what} could not be read ({type(exc).__name__} in the DeepL "
            "client); nothing of it was kept: try again later, or check DEEPL_SERVER_URL if it "
            "is set"
        ) from None


def _refused(exc: Exception) -> TranslationError:
    """An error for any other answer: by its status alone, or by the client's own words."""
    status = getattr(exc, "http_status_code", None)
    if status is None:
        return TranslationError(f"DeepL did not translate: {_without_details(exc)}")
    name = _status_name(status)
    if status >= 500:
        return ServiceError(
            f"DeepL answered with a server error ({status}) even after retrying: try again later"
        )
    return TranslationError(
        f"DeepL did not translate: it answered {status}{name}: check the texts and options, or "
        "DEEPL_SERVER_URL if it is set"
    )


def _status_name(status: int) -> str:
    try:
        return f" {http.HTTPStatus(status).phrase}"
    except ValueError:
        return ""


def _without_details(exc: Exception) -> str:
    """The client's message up to any echoed request detail or reply."""
    text = str(exc)
    for marker in (", message:", ", detail:", ", content:"):
        text = text.split(marker)[0]
    return text

"""DeepL's replies to translate requests, read and checked before anything of them is used.

A reply is used only as far as it is what the API documents: as many translations as texts,
each with non-empty text and, if any, a language code for a detected source language.  A
missing or odd ``billed_characters`` costs nothing but the count (the cost is then unknown).
What is wrong is named, but never quoted: a server's or a proxy's body may echo the request,
the key or anything else, and no message shows it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import MalformedReplyError

__all__ = ["Reply", "Translated", "read_translations"]

_LANGUAGE_CODE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,4})?")
_ADVICE = "try again later, or check DEEPL_SERVER_URL if it is set"


@dataclass(frozen=True, slots=True)
class Reply:
    """What a DeepL request got back: the status, the JSON (None if the body was not JSON) and,
    if it was not, what the body was instead."""

    status: int
    data: Any
    not_json: str | None = None

    @classmethod
    def of(cls, status: int, content: object, data: Any) -> Reply:
        if data is not None or not isinstance(content, str):
            return cls(status, data)
        return cls(status, None, _describe(content))


@dataclass(frozen=True, slots=True)
class Translated:
    """One sound translation: its text, the characters billed (None: DeepL did not say) and
    the detected source language (``"de"``, ``"en"``, ...; None: not said)."""

    text: str
    billed_characters: int | None
    detected_lang: str | None


def read_translations(reply: Reply | None, texts: Sequence[str]) -> list[Translated]:
    """The translations of ``texts`` in ``reply``, in order.

    Raises:
        MalformedReplyError: the reply is not what the API documents; its ``usable`` holds the
            sound translations of a reply whose count was right.
    """
    items = _items(reply, len(texts))
    read = [_item(item, text) for item, text in zip(items, texts, strict=True)]
    usable = {i: found for i, found in enumerate(read) if isinstance(found, Translated)}
    problems = [(i, found) for i, found in enumerate(read) if isinstance(found, str)]
    if problems:
        position, problem = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise MalformedReplyError(
            _message(f"translation {position + 1} of {len(texts)} {problem}{more}", len(usable)),
            usable=dict(usable),
        )
    return [usable[position] for position in range(len(texts))]


def _items(reply: Reply | None, count: int) -> list[Any]:
    """The reply's list of translations, as many as the texts."""
    if reply is None:
        raise MalformedReplyError(_message("no reply was read"))
    if reply.not_json is not None:
        raise MalformedReplyError(_message(reply.not_json))
    items = reply.data.get("translations") if isinstance(reply.data, dict) else None
    if not isinstance(items, list):
        raise MalformedReplyError(_message("JSON without a list of translations"))
    if len(items) != count:
        raise MalformedReplyError(_message(f"{_translations(len(items))} for {count} texts"))
    return items


def _item(item: Any, source: str) -> Translated | str:
    """One translation, or what is wrong with it."""
    if not isinstance(item, dict):
        return "is not a JSON object"
    text = item.get("text")
    if text is None:
        return "has no text"
    if not isinstance(text, str):
        return "has text that is not a string"
    if not text.strip() and source.strip():
        return "is empty"
    language = item.get("detected_source_language") or None
    if language is not None and not (
        isinstance(language, str) and _LANGUAGE_CODE.fullmatch(language)
    ):
        return "names its source language with something that is not a language code"
    return Translated(text, _billed(item.get("billed_characters")), _base(language))


def _billed(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _base(language: str | None) -> str | None:
    return language.split("-")[0].lower() if language else None


def _describe(body: str) -> str:
    """What a body that is not JSON is, in a few words."""
    stripped = body.strip()
    if not stripped:
        return "an empty body, not JSON"
    if stripped.startswith("<"):
        return "an HTML page, not JSON"
    try:
        json.loads(stripped)
    except json.JSONDecodeError as exc:
        cut = exc.msg.startswith("Unterminated") or exc.pos >= len(stripped)
        return "JSON cut short" if cut and stripped[0] in "[{" else "text, not JSON"
    return "JSON without a list of translations"


def _message(problem: str, kept: int = 0) -> str:
    stored = "only its sound translations were kept" if kept else "nothing of it was kept"
    return f"DeepL's reply could not be used ({problem}); {stored}: {_ADVICE}"


def _translations(count: int) -> str:
    return f"{count} translation" + ("" if count == 1 else "s")

"""A DeepL stand-in that answers wrongly on demand: each fault a broken server, a proxy or the
network could give, beside the sound answers of :class:`FakeDeepL`.

``answer_next(name)`` gives the next request, to any endpoint, the fault ``name`` of
:data:`FAULTS`; later requests are answered soundly again.  Every faulty body that has room for
it carries :data:`SECRET` and the key, as a misconfigured proxy might echo them, so that a test
can check that neither reaches a message, a note, a record or the cache.
"""

from __future__ import annotations

import copy
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from .deepl_server import AUTH_KEY, FakeDeepL

__all__ = ["FAULTS", "SECRET", "Fault", "FaultyDeepL"]

SECRET = "sk-live-5f3c9e1a-never-show-me"
"""A secret-looking string in faulty replies: it must never be shown or stored."""

Translations = list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Fault:
    """One wrong answer: its status, its body (made from the translations a sound server would
    send) and content type, and how long the server waits before sending it."""

    status: int
    body: Callable[[Translations], str]
    content_type: str = "application/json"
    delay: float = 0.0


class FaultyDeepL(FakeDeepL):
    """:class:`FakeDeepL` that gives chosen requests one of :data:`FAULTS` instead."""

    def __init__(self, server: HTTPServer, **options: Any):
        self._pending: deque[Fault] = deque()
        super().__init__(server, **options)

    def answer_next(self, name: str, times: int = 1) -> None:
        """Answer the next ``times`` requests with the fault ``name``."""
        self._pending.extend([FAULTS[name]] * times)

    def _guarded(self, handler: Any) -> Any:
        sound = super()._guarded(handler)

        def respond(request: Request) -> Response:
            if not self._pending:
                return sound(request)
            self.requests[f"{request.method} {request.path}"] += 1
            fault = self._pending.popleft()
            time.sleep(fault.delay)
            asked = request.get_json() if request.path == "/v2/translate" else None
            good = self.translations(asked) if asked else []
            return Response(fault.body(good), status=fault.status, content_type=fault.content_type)

        return respond


def _reply(make: Callable[[Translations], Any]) -> Callable[[Translations], str]:
    """A JSON body made from a copy of the sound translations."""
    return lambda good: json.dumps(make(copy.deepcopy(good)))


def _last(change: Callable[[dict[str, Any]], None]) -> Callable[[Translations], str]:
    """The sound reply with the last translation changed."""

    def make(good: Translations) -> dict[str, Any]:
        change(good[-1])
        return {"translations": good}

    return _reply(make)


def _each(change: Callable[[dict[str, Any]], None]) -> Callable[[Translations], str]:
    """The sound reply with every translation changed."""

    def make(good: Translations) -> dict[str, Any]:
        for item in good:
            change(item)
        return {"translations": good}

    return _reply(make)


def _cut(good: Translations) -> str:
    whole = json.dumps({"translations": good, "note": SECRET})
    return whole[: len(whole) - len(SECRET) // 2]


_PAGE = f"<html><body><h1>Sign in to the proxy</h1><!-- {SECRET} {AUTH_KEY} --></body></html>"
_ECHO = {"message": f"{SECRET} for key {AUTH_KEY}"}

FAULTS: dict[str, Fault] = {
    # a 200 reply that is not JSON
    "html": Fault(200, lambda good: _PAGE, "text/html"),
    "plain-text": Fault(200, lambda good: f"upstream said {SECRET}", "text/plain"),
    "empty-body": Fault(200, lambda good: ""),
    "truncated": Fault(200, _cut),
    # JSON, but not the translations
    "json-array": Fault(200, _reply(lambda good: [good])),
    "no-translations": Fault(200, _reply(lambda good: _ECHO)),
    "translations-null": Fault(200, _reply(lambda good: {"translations": None})),
    "translations-not-a-list": Fault(200, _reply(lambda good: {"translations": _ECHO})),
    "translation-not-an-object": Fault(200, _reply(lambda good: {"translations": [SECRET] * 2})),
    "fewer": Fault(200, _reply(lambda good: {"translations": good[:-1]})),
    "more": Fault(200, _reply(lambda good: {"translations": [*good, good[0]]})),
    # one translation wrong
    "text-null": Fault(200, _last(lambda item: item.update(text=None))),
    "text-missing": Fault(200, _last(lambda item: item.pop("text"))),
    "text-empty": Fault(200, _last(lambda item: item.update(text=""))),
    "text-blank": Fault(200, _last(lambda item: item.update(text=" \n"))),
    "text-not-a-string": Fault(200, _last(lambda item: item.update(text=[SECRET]))),
    "language-malformed": Fault(
        200, _last(lambda item: item.update(detected_source_language=f"<b>{SECRET}</b>"))
    ),
    # incomplete, but usable
    "no-billed": Fault(200, _each(lambda item: item.pop("billed_characters"))),
    "billed-not-a-number": Fault(200, _each(lambda item: item.update(billed_characters=SECRET))),
    "no-language": Fault(200, _each(lambda item: item.pop("detected_source_language"))),
    # error statuses whose bodies echo what they should not
    "400": Fault(400, _reply(lambda good: _ECHO)),
    "403-echo": Fault(403, _reply(lambda good: _ECHO)),
    "404-detail": Fault(404, _reply(lambda good: {"detail": SECRET})),
    "418": Fault(418, lambda good: _PAGE, "text/html"),
    "429": Fault(429, _reply(lambda good: _ECHO)),
    "500": Fault(500, _reply(lambda good: _ECHO)),
    "502-html": Fault(502, lambda good: _PAGE, "text/html"),
    "503": Fault(503, _reply(lambda good: _ECHO)),
    # a sound answer, too late
    "slow": Fault(200, _reply(lambda good: {"translations": good}), delay=0.3),
    # a glossary list whose entries lack their ids
    "glossary-without-id": Fault(200, _reply(lambda good: {"glossaries": [{"name": SECRET}]})),
}

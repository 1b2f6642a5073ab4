"""A local stand-in for the parts of the DeepL HTTP API this project uses, on 127.0.0.1.

It speaks ``/v2/translate``, ``/v2/usage`` and ``/v2/glossaries`` as the official client
expects, counts every request, bills characters, and answers with an injected error status on
demand.  Its "translation" is the text tagged with the target language, with glossary entries
applied, so tests can see that a glossary was used.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections import Counter, deque
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

AUTH_KEY = "0123456789abcdef-fake-key:fx"


class FakeDeepL:
    """Register handlers on ``server`` and record what the client asked for."""

    def __init__(self, server: HTTPServer, *, character_limit: int = 500_000):
        self.server = server
        self.requests: Counter[str] = Counter()
        self.texts_per_request: list[int] = []
        self.billed = 0
        self.character_limit = character_limit
        self.glossaries: dict[str, dict[str, Any]] = {}
        self._faults: deque[int] = deque()
        routes = [
            ("/v2/translate", "POST", self._translate),
            ("/v2/usage", "GET", self._usage),
            ("/v2/glossaries", "GET", self._list_glossaries),
            ("/v2/glossaries", "POST", self._create_glossary),
        ]
        for path, method, handler in routes:
            server.expect_request(path, method=method).respond_with_handler(self._guarded(handler))

    @property
    def url(self) -> str:
        return self.server.url_for("/")

    def fail_next(self, status: int, times: int = 1) -> None:
        """Answer the next ``times`` requests with ``status``."""
        self._faults.extend([status] * times)

    def _guarded(self, handler: Any) -> Any:
        def respond(request: Request) -> Response:
            self.requests[f"{request.method} {request.path}"] += 1
            if request.headers.get("Authorization") != f"DeepL-Auth-Key {AUTH_KEY}":
                return _json({"message": "Wrong endpoint or invalid key"}, 403)
            if self._faults:
                return _json({"message": "injected fault"}, self._faults.popleft())
            return handler(request)

        return respond

    def _translate(self, request: Request) -> Response:
        return _json({"translations": self.translations(request.get_json())})

    def translations(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        """What DeepL would answer to a translate request's JSON ``data``, billed."""
        texts, target = data["text"], data["target_lang"]
        entries = self.glossaries[data["glossary_id"]]["entries"] if "glossary_id" in data else {}
        self.texts_per_request.append(len(texts))
        translations = []
        for original in texts:
            text = _apply(entries, original)
            self.billed += len(original)
            translations.append(
                {
                    "detected_source_language": data.get("source_lang", "DE"),
                    "text": f"[{target}] {text}",
                    "billed_characters": len(original),
                }
            )
        return translations

    def _usage(self, request: Request) -> Response:
        return _json({"character_count": self.billed, "character_limit": self.character_limit})

    def _list_glossaries(self, request: Request) -> Response:
        return _json({"glossaries": [g["info"] for g in self.glossaries.values()]})

    def _create_glossary(self, request: Request) -> Response:
        data = request.get_json()
        try:
            entries = _entries(data)
        except ValueError as exc:
            return _json({"message": "Invalid glossary entries provided", "detail": str(exc)}, 400)
        glossary_id = str(uuid.uuid4())
        info = {
            "glossary_id": glossary_id,
            "name": data["name"],
            "ready": True,
            "source_lang": data["source_lang"].lower(),
            "target_lang": data["target_lang"].lower(),
            "creation_time": "2025-02-18T12:00:00.000000Z",
            "entry_count": len(entries),
        }
        self.glossaries[glossary_id] = {"info": info, "entries": entries}
        return _json(info, 201)


def _entries(data: dict[str, Any]) -> dict[str, str]:
    """A glossary upload's entries, read as DeepL documents its formats: TSV, one ``source<TAB>
    target`` a line; or standard CSV (RFC 4180 quoting), ``source,target`` with an optional
    source and target language that must be the glossary's.

    Raises:
        ValueError: a row of the wrong shape, a language that is not the glossary's, or a
            source given twice.
    """
    text, languages = data["entries"], [data["source_lang"].lower(), data["target_lang"].lower()]
    if data.get("entries_format", "tsv") == "csv":
        rows, shapes = [row for row in csv.reader(io.StringIO(text, newline="")) if row], (2, 4)
    else:
        rows, shapes = [line.split("\t") for line in text.splitlines() if line], (2,)
    entries: dict[str, str] = {}
    for number, row in enumerate(rows, start=1):
        if len(row) not in shapes or (len(row) == 4 and [c.lower() for c in row[2:]] != languages):
            raise ValueError(f"entry {number} is not source, target[, {', '.join(languages)}]")
        if row[0] in entries:
            raise ValueError(f"entry {number} repeats the source {row[0]!r}")
        entries[row[0]] = row[1]
    return entries


def _apply(entries: dict[str, str], text: str) -> str:
    """Replace glossary sources in one pass, longest first, as a glossary-aware engine would."""
    if not entries:
        return text
    pattern = "|".join(re.escape(source) for source in sorted(entries, key=len, reverse=True))
    return re.sub(pattern, lambda match: entries[match.group(0)], text)


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, content_type="application/json")

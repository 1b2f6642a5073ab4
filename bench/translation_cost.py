"""What translating every paragraph twice costs against a local fake DeepL: naive vs this module.

Naive: one request per paragraph, no cache.  This module: batches of up to 50 texts, and a
cache that serves the second pass.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from pytest_httpserver import HTTPServer

from corpus_tools import load_corpus
from corpus_tools.translate import Translator
from fakes.deepl_server import AUTH_KEY, FakeDeepL

from .synthetic import REAL_CORPUS

Row = tuple[str, str, str]


def _paragraphs() -> list[tuple[str, str]]:
    corpus = load_corpus(REAL_CORPUS)
    return [(p.text, p.language) for doc in corpus.values() for p in doc.paragraphs]


def _naive(fake: FakeDeepL, paragraphs: list[tuple[str, str]]) -> None:
    import deepl

    client = deepl.Translator(AUTH_KEY, server_url=fake.url)
    for text, language in paragraphs:
        target = "EN-US" if language == "de" else "DE"
        client.translate_text(text, source_lang=language.upper(), target_lang=target)


def _module(fake: FakeDeepL, paragraphs: list[tuple[str, str]], cache: Path) -> None:
    translator = Translator(auth_key=AUTH_KEY, server_url=fake.url, cache=cache, say=lambda _: None)
    for language, target in (("de", "en"), ("en", "de")):
        texts = [text for text, lang in paragraphs if lang == language]
        translator.translate(texts, target, language, backend="deepl", progress=False)


def _measure(fake: FakeDeepL, run: object) -> tuple[int, int]:
    requests, billed = sum(fake.requests.values()), fake.billed
    run()  # type: ignore[operator]
    return sum(fake.requests.values()) - requests, fake.billed - billed


def translate_twice() -> list[Row]:
    """Requests and billed characters of four passes over every paragraph of the corpus."""
    paragraphs = _paragraphs()
    per_language = [sum(1 for _, lang in paragraphs if lang == code) for code in ("de", "en")]
    batched = sum(-(-count // 50) for count in per_language)
    goals = ["(reference)", "(reference)", f"<= {batched} requests", "0 requests, 0 billed"]
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in the table
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    try:
        fake = FakeDeepL(server)
        with tempfile.TemporaryDirectory() as folder:
            cache = Path(folder) / "cache.sqlite3"
            runs = [
                ("naive, pass 1", lambda: _naive(fake, paragraphs)),
                ("naive, pass 2", lambda: _naive(fake, paragraphs)),
                ("corpus_tools, pass 1", lambda: _module(fake, paragraphs, cache)),
                ("corpus_tools, pass 2", lambda: _module(fake, paragraphs, cache)),
            ]
            rows = []
            for (label, run), goal in zip(runs, goals, strict=True):
                requests, billed = _measure(fake, run)
                name = f"translate {len(paragraphs)} paragraphs, {label}"
                rows.append((name, f"{requests} req, {billed:,} chars", goal))
    finally:
        server.stop()
    return rows

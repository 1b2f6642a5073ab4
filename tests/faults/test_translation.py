"""Translation under faults: every wrong answer a DeepL server, a proxy or the network can give,
and every way the translation cache can be damaged or unwritable.

Each case checks that the default backend answers every text and says what went wrong, that
``backend="deepl"`` raises only a TranslationError that names it, that the cache keeps what it
held and takes nothing unsound, and that neither the key nor a reply's body is shown or stored.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from corpus_tools import Corpus, Document
from corpus_tools.errors import (
    AuthorizationError,
    ConnectionFailedError,
    MalformedReplyError,
    ServiceError,
    TooManyRequestsError,
    TranslationError,
)
from corpus_tools.glossary import Glossary
from corpus_tools.translate import Engine, TranslationRecord, Translator
from corpus_tools.translate.cache import CachedTranslation, TranslationCache
from fakes.deepl_server import AUTH_KEY
from fakes.faulty_deepl import FAULTS, SECRET, FaultyDeepL

from ..test_translate import _german, _no_real_key, _quick_retries, _translator  # noqa: F401

# --- the faults and what must be said about them ------------------------------------------------

MALFORMED = {
    "html": "an HTML page, not JSON",
    "plain-text": "text, not JSON",
    "empty-body": "an empty body, not JSON",
    "truncated": "JSON cut short",
    "json-array": "JSON without a list of translations",
    "no-translations": "JSON without a list of translations",
    "translations-null": "JSON without a list of translations",
    "translations-not-a-list": "JSON without a list of translations",
    "translation-not-an-object": "translation 1 of 2 is not a JSON object (and 1 more)",
    "fewer": "1 translation for 2 texts",
    "more": "3 translations for 2 texts",
    "text-null": "translation 2 of 2 has no text",
    "text-missing": "translation 2 of 2 has no text",
    "text-empty": "translation 2 of 2 is empty",
    "text-blank": "translation 2 of 2 is empty",
    "text-not-a-string": "translation 2 of 2 has text that is not a string",
    "language-malformed": "translation 2 of 2 names its source language with something that",
}
ONE_WRONG = {"text-null", "text-missing", "text-empty", "text-blank", "text-not-a-string",
             "language-malformed"}  # fmt: skip
"""Faults in one translation of a reply whose count is right: the other one is kept."""
TOLERATED = {"no-billed", "billed-not-a-number", "no-language"}
LASTING_STATUS = {
    "500": (ServiceError, r"server error \(500\)"),
    "502-html": (ServiceError, r"server error \(502\)"),
    "503": (ServiceError, r"server error \(503\)"),
    "429": (TooManyRequestsError, r"too many requests \(429\)"),
}
REFUSED = {
    "400": (TranslationError, "it answered 400 Bad Request"),
    "404-detail": (TranslationError, "it answered 404 Not Found"),
    "418": (TranslationError, "it answered 418 I'm a Teapot"),
    "403-echo": (AuthorizationError, r"refused the key \(403\)"),
}
OTHERS = {"slow", "glossary-without-id"}


def test_every_fault_of_the_faulty_server_is_tested() -> None:
    tested = MALFORMED.keys() | TOLERATED | LASTING_STATUS.keys() | REFUSED.keys() | OTHERS
    assert tested == FAULTS.keys()


# --- fixtures and checks --------------------------------------------------------------------------


@pytest.fixture
def faulty(httpserver: HTTPServer) -> Iterator[FaultyDeepL]:
    yield FaultyDeepL(httpserver)
    httpserver.clear()


@pytest.fixture
def notes() -> list[str]:
    return []


@pytest.fixture
def paragraphs(doc: Document) -> list[str]:
    return _german(doc)[:3]


def _session(corpus: Corpus, server: FaultyDeepL, tmp_path: Path, notes: list[str],
             **options: object) -> Translator:  # fmt: skip
    return _translator(corpus, tmp_path, notes, auth_key=AUTH_KEY, server_url=server.url,
                       **options)  # fmt: skip


def _primed(corpus: Corpus, server: FaultyDeepL, tmp_path: Path, notes: list[str],
            paragraphs: list[str], **options: object) -> Translator:  # fmt: skip
    """A session whose cache holds a sound translation of the first paragraph."""
    translator = _session(corpus, server, tmp_path, notes, **options)
    [first] = translator.translate(paragraphs[0], "en", "de")
    assert first.engine is Engine.DEEPL
    return translator


def _rows(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute("select source, translation from translations").fetchall()


def _whole(records: list[TranslationRecord], sources: list[str]) -> None:
    """A record with a translation for every text, in order."""
    assert [r.source for r in records] == sources
    assert all(isinstance(r.translation, str) and r.translation.strip() for r in records)


def _sound_cache(path: Path, paragraphs: list[str], count: int) -> None:
    """The cache holds the first paragraph's translation and ``count`` rows, all sound."""
    rows = _rows(path)
    assert len(rows) == count
    assert (paragraphs[0], f"[EN-US] {paragraphs[0]}") in rows
    assert all(translation == f"[EN-US] {source}" for source, translation in rows)


def _never_shown(*texts: str) -> None:
    for text in texts:
        assert SECRET not in text and AUTH_KEY not in text


def _shown(error: BaseException) -> str:
    """Everything a notebook would show of an error: its message and its whole traceback."""
    return "".join(traceback.format_exception(error)) + repr(error)


def _unavailable(notes: list[str], fragment: str) -> None:
    assert any("DeepL is unavailable" in note and fragment in note for note in notes), notes


# --- malformed replies ------------------------------------------------------------------------


@pytest.mark.parametrize("fault", sorted(MALFORMED))
def test_malformed_reply_falls_back_and_keeps_only_what_is_sound(
    corpus: Corpus, faulty: FaultyDeepL, tmp_path: Path, notes: list[str],
    paragraphs: list[str], fault: str,
) -> None:  # fmt: skip
    translator = _primed(corpus, faulty, tmp_path, notes, paragraphs)
    faulty.answer_next(fault)
    records = translator.translate(paragraphs, "en", "de")
    _whole(records, paragraphs)
    kept = fault in ONE_WRONG
    second = Engine.CACHE if kept else Engine.REFERENCE
    assert [r.engine for r in records] == [Engine.CACHE, second, Engine.REFERENCE]
    _unavailable(notes, MALFORMED[fault])
    _sound_cache(tmp_path / "cache.sqlite3", paragraphs, 2 if kept else 1)
    _never_shown(*notes, repr(records), str(_rows(tmp_path / "cache.sqlite3")))


@pytest.mark.parametrize("fault", sorted(MALFORMED))
def test_malformed_reply_raises_a_translation_error_for_deepl_only(
    corpus: Corpus, faulty: FaultyDeepL, tmp_path: Path, notes: list[str],
    paragraphs: list[str], fault: str,
) -> None:  # fmt: skip
    translator = _primed(corpus, faulty, tmp_path, notes, paragraphs)
    faulty.answer_next(fault)
    with pytest.raises(MalformedReplyError) as caught:
        translator.translate(paragraphs[1:], "en", "de", backend="deepl")
    assert MALFORMED[fault] in str(caught.value)
    assert caught.value.__cause__ is None
    _never_shown(_shown(caught.value))
    _sound_cache(tmp_path / "cache.sqlite3", paragraphs, 2 if fault in ONE_WRONG else 1)


@pytest.mark.parametrize("fault", sorted(TOLERATED))
def test_a_reply_without_cost_or_language_is_used_and_its_cost_unknown(
    corpus: Corpus, faulty: FaultyDeepL, tmp_path: Path, notes: list[str],
    paragraphs: list[str], fault: str,
) -> None:  # fmt: skip
    translator = _primed(corpus, faulty, tmp_path, notes, paragraphs)
    faulty.answer_next(fault)
    records = translator.translate(paragraphs, "en", "de")
    _whole(records, paragraphs)
    assert [r.engine for r in records] == [Engine.CACHE, Engine.DEEPL, Engine.DEEPL]
    assert all(r.source_lang == "de" for r in records)
    unknown = fault != "no-language"
    assert [r.billed_characters is None for r in records[1:]] == [unknown, unknown]
    assert translator.session.unknown_cost == (2 if unknown else 0)
    assert ("2 texts of unknown cost" in repr(translator.session)) is unknown
    assert not any("unavailable" in note for note in notes)
    _sound_cache(tmp_path / "cache.sqlite3", paragraphs, 3)
    _never_shown(repr(records), repr(translator.session))


def test_the_detected_language_is_recorded_when_none_was_given(
    corpus: Corpus, faulty: FaultyDeepL, tmp_path: Path, notes: list[str]
) -> None:
    translator = _session(corpus, faulty, tmp_path, notes)
    [record] = translator.translate("Guten Tag.", "en")
    assert record.source_lang == "de"
    faulty.answer_next("no-language")
    [record] = translator.translate("Guten Abend.", "en")
    assert record.engine is Engine.DEEPL and record.source_lang is None


# --- error statuses, timeouts, no connection, and the outage they start ------------------------


@pytest.mark.parametrize("fault", sorted(LASTING_STATUS))
def test_server_errors_start_an_outage_that_falls_back_at_once(
    corpus: Corpus, faulty: FaultyDeepL, tmp_path: Path, notes: list[str],
    paragraphs: list[str], fault: str,
) -> None:  # fmt: skip
    translator = _primed(corpus, faulty, tmp_path, notes, paragraphs)
    faulty.answer_next(fault, times=10)  # more than the client's retries: for good
    records = translator.translate(paragraphs, "en", "de")
    _whole(records, paragraphs)
    assert [r.engine for r in records] == [Engine.CACHE, Engine.REFERENCE, Engine.REFERENCE]
    error, message = LASTING_STATUS[fault]
    assert any(_matches(message, note) for note in notes), notes
    _unavailable(notes, "")
    assert any("not asked again for 5 minutes; retry_deepl()" in note for note in notes)
    asked = faulty.requests["POST /v2/translate"]
    again = translator.translate(paragraphs[1:], "en", "de")
    _whole(again, paragraphs[1:])
    assert faulty.requests["POST /v2/translate"] == asked  # not asked, not waited for
    assert "DeepL is not asked again for another" in notes[-1]
    with pytest.raises(error, match="this failure is from") as caught:
        translator.translate(paragraphs[1], "en", "de", backend="deepl")
    assert faulty.requests["POST /v2/translate"] == asked
    _sound_cache(tmp_path / "cache.sqlite3", paragraphs, 1)
    _never_shown(*notes, repr(records), _shown(caught.value))


def _matches(pattern: str, text: str) -> bool:
    import re

    return re.search(pattern, text) is not None


@pytest.mark.parametrize("fault", sorted(REFUSED))
def test_refusals_name_their_status_and_never_the_reply(
    corpus: Corpus, faulty: FaultyDeepL, tmp_path: Path, notes: list[str],
    paragraphs: list[str], fault: str,
) -> None:  # fmt: skip
    translator = _primed(corpus, faulty, tmp_path, notes, paragraphs)
    error, message = REFUSED[fault]
    faulty.answer_next(fault)
    with pytest.raises(error, match=message) as caught:
        translator.translate(paragraphs[1], "en", "de", backend="deepl")
    _never_shown(_shown(caught.value))
    faulty.answer_next(fault)
    records = translator.translate(paragraphs, "en", "de")
    _whole(records, paragraphs)
    lasting = fault == "403-echo"  # a refused key stays refused; a refused request does not
    assert faulty.requests["POST /v2/translate"] == (2 if lasting else 3)
    _sound_cache(tmp_path / "cache.sqlite3", paragraphs, 1)
    _never_shown(*notes, repr(records))


def test_a_reply_too_slow_is_a_named_timeout_and_an_outage(
    corpus: Corpus, faulty: FaultyDeepL, tmp_path: Path, notes: list[str],
    paragraphs: list[str], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    import deepl.http_client

    translator = _primed(corpus, faulty, tmp_path, notes, paragraphs)
    monkeypatch.setattr(deepl.http_client, "min_connection_timeout", 0.1)
    monkeypatch.setattr(deepl.http_client, "max_network_retries", 0)  # one request late
    faulty.answer_next("slow")
    records = translator.translate(paragraphs, "en", "de")
    _whole(records, paragraphs)
    _unavailable(notes, "DeepL did not answer in time")
    with pytest.raises(ConnectionFailedError, match="did not answer in time"):
        translator.translate(paragraphs[1], "en", "de", backend="deepl")


def test_no_connection_is_remembered_until_retry_deepl(
    corpus: Corpus, tmp_path: Path, notes: list[str], paragraphs: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    import deepl.http_client

    monkeypatch.setattr(deepl.http_client, "max_network_retries", 0)
    translator = _translator(corpus, tmp_path, notes, auth_key=AUTH_KEY,
                             server_url="http://127.0.0.1:9")  # fmt: skip
    _whole(translator.translate(paragraphs, "en", "de"), paragraphs)
    _unavailable(notes, "could not be reached")
    assert translator.session.deepl_requests == 1
    _whole(translator.translate(paragraphs, "en", "de"), paragraphs)
    assert translator.session.deepl_requests == 1
    assert "it failed 0 s ago (DeepL could not be reached" in notes[-1]
    translator.retry_deepl()
    _whole(translator.translate(paragraphs, "en", "de"), paragraphs)
    assert translator.session.deepl_requests == 2


def test_an_outage_ends_after_retry_after_and_on_success(
    corpus: Corpus, faulty: FaultyDeepL, tmp_path: Path, notes: list[str],
    paragraphs: list[str],
) -> None:  # fmt: skip
    translator = _primed(corpus, faulty, tmp_path, notes, paragraphs, retry_after=0)
    faulty.answer_next("503", times=6)
    assert translator.translate(paragraphs[1], "en", "de")[0].engine is Engine.REFERENCE
    [record] = translator.translate(paragraphs[1], "en", "de")  # asked again at once
    assert record.engine is Engine.DEEPL
    assert translator._outage is None
    assert faulty.requests["POST /v2/translate"] == 1 + 6 + 1


def test_a_glossary_reply_without_ids_is_malformed(
    corpus: Corpus, glossary: Glossary, faulty: FaultyDeepL, tmp_path: Path, notes: list[str],
    paragraphs: list[str],
) -> None:  # fmt: skip
    translator = _primed(corpus, faulty, tmp_path, notes, paragraphs)
    faulty.answer_next("glossary-without-id")
    with pytest.raises(MalformedReplyError, match="reply to a glossary request could not") as e:
        translator.translate(paragraphs[1], "en", "de", glossary=glossary, backend="deepl")
    _never_shown(_shown(e.value))
    translator.retry_deepl()
    faulty.answer_next("glossary-without-id")
    records = translator.translate(paragraphs, "en", "de", glossary=glossary)
    _whole(records, paragraphs)
    _unavailable(notes, "reply to a glossary request could not be read (KeyError")


def test_usage_survives_a_reply_that_is_not_json(
    corpus: Corpus, faulty: FaultyDeepL, tmp_path: Path, notes: list[str]
) -> None:
    translator = _session(corpus, faulty, tmp_path, notes)
    faulty.answer_next("html")
    report = translator.usage()
    assert report.account is not None and report.account.characters is None
    assert "characters used" not in repr(report)
    faulty.answer_next("500", times=10)
    assert translator.usage().account == report.account  # the last one known
    assert any("Account usage unavailable" in note and "(500)" in note for note in notes)
    _never_shown(*notes, repr(report))


# --- the translation cache ----------------------------------------------------------------------


def _cache_file(tmp_path: Path) -> Path:
    return tmp_path / "cache.sqlite3"


def _fill(path: Path, count: int = 300) -> None:
    """A sound cache file of ``count`` long translations (so that half of it is not a whole
    database)."""
    cache = TranslationCache(path)
    cache.put_many(
        CachedTranslation(f"key-{n}", f"Satz {n}", "x" * 400, "de", "en", None, 9, "2025-02-18")
        for n in range(count)
    )
    assert len(cache) == count


def _break_by(kind: str, path: Path) -> None:
    if kind == "random bytes":
        path.write_bytes(bytes(range(256)) * 16)
    elif kind == "truncated":
        _fill(path)
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    else:
        with sqlite3.connect(path) as db:
            db.execute("create table translations (key text, value text)")
            db.execute("insert into translations values ('k', 'v')")


DAMAGE = {
    "random bytes": "file is not a database",
    "truncated": "database disk image is malformed",
    "wrong columns": "a translations table with the columns key, value",
}


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_a_damaged_cache_is_set_aside_and_rebuilt(
    corpus: Corpus, faulty: FaultyDeepL, tmp_path: Path, notes: list[str],
    paragraphs: list[str], kind: str,
) -> None:  # fmt: skip
    path = _cache_file(tmp_path)
    _break_by(kind, path)
    damaged = path.read_bytes()
    (tmp_path / "cache.sqlite3.corrupt-1").write_bytes(b"set aside before")
    expected = (f"{path}: the translation cache is damaged ({DAMAGE[kind]}); it is set aside as "
                "cache.sqlite3.corrupt-2 and a new one is begun")  # fmt: skip
    with pytest.warns(UserWarning) as warned:
        records = _session(corpus, faulty, tmp_path, notes).translate(
            paragraphs, "en", "de", backend="deepl"
        )
    assert [str(w.message) for w in warned] == [expected]
    assert [r.engine for r in records] == [Engine.DEEPL] * 3
    assert (tmp_path / "cache.sqlite3.corrupt-2").read_bytes() == damaged
    assert (tmp_path / "cache.sqlite3.corrupt-1").read_bytes() == b"set aside before"
    assert len(_rows(path)) == 3


def test_a_cache_damaged_during_a_session_is_set_aside_then(
    corpus: Corpus, faulty: FaultyDeepL, tmp_path: Path, notes: list[str], paragraphs: list[str]
) -> None:
    translator = _primed(corpus, faulty, tmp_path, notes, paragraphs)
    _cache_file(tmp_path).write_bytes(b"\x00" * 4096)
    with pytest.warns(UserWarning, match=r"damaged \(file is not a database\); it is set aside"):
        records = translator.translate(paragraphs, "en", "de")
    assert [r.engine for r in records] == [Engine.DEEPL] * 3
    assert len(_rows(_cache_file(tmp_path))) == 3


def test_unsound_rows_are_never_served(
    corpus: Corpus, faulty: FaultyDeepL, tmp_path: Path, notes: list[str], paragraphs: list[str]
) -> None:
    translator = _primed(corpus, faulty, tmp_path, notes, paragraphs)
    with sqlite3.connect(_cache_file(tmp_path)) as db:
        db.execute("update translations set translation = ''")
    [record] = translator.translate(paragraphs[0], "en", "de")
    assert record.engine is Engine.DEEPL and record.translation == f"[EN-US] {paragraphs[0]}"
    _sound_cache(_cache_file(tmp_path), paragraphs, 1)


def test_a_cache_path_that_is_a_folder_is_done_without(
    corpus: Corpus, faulty: FaultyDeepL, tmp_path: Path, notes: list[str], paragraphs: list[str]
) -> None:
    folder = _cache_file(tmp_path)
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    translator = _session(corpus, faulty, tmp_path, notes)
    with pytest.warns(UserWarning) as warned:
        first = translator.translate(paragraphs, "en", "de")
        again = translator.translate(paragraphs, "en", "de")
    assert [str(w.message) for w in warned] == [
        f"{folder}: cannot use the translation cache (it is a folder); translations are not "
        "cached this session: set CORPUS_TOOLS_TRANSLATION_CACHE to a file in a folder you can "
        "write to"
    ]
    assert [r.engine for r in first + again] == [Engine.DEEPL] * 6
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_a_cache_in_a_folder_that_cannot_be_made_is_done_without(
    corpus: Corpus, faulty: FaultyDeepL, tmp_path: Path, notes: list[str], paragraphs: list[str]
) -> None:
    (tmp_path / "a-file").write_text("mine")
    translator = _session(corpus, faulty, tmp_path / "a-file", notes)
    with pytest.warns(UserWarning, match=r"a-file/cache.sqlite3: cannot use the translation cache"):
        records = translator.translate(paragraphs, "en", "de")
    assert [r.engine for r in records] == [Engine.DEEPL] * 3
    assert (tmp_path / "a-file").read_text() == "mine"


@pytest.fixture
def frozen() -> Iterator[Callable[[Path], None]]:
    """Make a file or folder unwritable, for root too (``chattr +i``); undone afterwards."""
    done: list[Path] = []

    def freeze(path: Path) -> None:
        if os.geteuid() != 0:
            path.chmod(0o555 if path.is_dir() else 0o444)
        elif (
            not shutil.which("chattr")
            or subprocess.run(
                ["chattr", "+i", str(path)], capture_output=True, check=False
            ).returncode
        ):
            pytest.skip("this file system cannot make a file unwritable for root")
        done.append(path)

    yield freeze
    for path in done:
        if os.geteuid() != 0:
            path.chmod(0o755 if path.is_dir() else 0o644)
        else:
            subprocess.run(["chattr", "-i", str(path)], check=False)


def test_an_unwritable_cache_is_read_but_not_written(
    corpus: Corpus, faulty: FaultyDeepL, tmp_path: Path, notes: list[str],
    paragraphs: list[str], frozen: Callable[[Path], None],
) -> None:  # fmt: skip
    _primed(corpus, faulty, tmp_path, notes, paragraphs)
    path = _cache_file(tmp_path)
    before = path.read_bytes()
    frozen(path)
    translator = _session(corpus, faulty, tmp_path, notes)
    with pytest.warns(UserWarning) as warned:
        first = translator.translate(paragraphs, "en", "de")
        again = translator.translate(paragraphs, "en", "de")
    [message] = [str(w.message) for w in warned]
    assert message.startswith(f"{path}: cannot write to the translation cache (")
    assert "what it holds is used, but new translations are not stored this session" in message
    assert [r.engine for r in first] == [Engine.CACHE, Engine.DEEPL, Engine.DEEPL]
    assert [r.engine for r in again] == [Engine.CACHE, Engine.DEEPL, Engine.DEEPL]
    assert path.read_bytes() == before


def test_a_cache_in_an_unwritable_folder_is_done_without(
    corpus: Corpus, faulty: FaultyDeepL, tmp_path: Path, notes: list[str],
    paragraphs: list[str], frozen: Callable[[Path], None],
) -> None:  # fmt: skip
    folder = tmp_path / "locked"
    folder.mkdir()
    frozen(folder)
    translator = _session(corpus, faulty, folder, notes)
    with pytest.warns(UserWarning, match=r"locked/cache.sqlite3: cannot use the translation"):
        records = translator.translate(paragraphs, "en", "de")
    assert [r.engine for r in records] == [Engine.DEEPL] * 3
    assert not any(folder.iterdir())

"""Translation: the real deepl client against a local fake server, the cache, glossaries,
errors and fallbacks, and the corpus's reference translations."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from corpus_tools import Corpus, Document
from corpus_tools.errors import (
    AuthorizationError,
    ConnectionFailedError,
    NoReferenceError,
    QuotaExceededError,
    ServiceError,
    TooManyRequestsError,
    TranslationError,
    UnsupportedLanguageError,
)
from corpus_tools.glossary import Glossary, load_glossary
from corpus_tools.translate import Backend, Engine, Translator
from fakes.deepl_server import AUTH_KEY, FakeDeepL


@pytest.fixture(autouse=True)
def _no_real_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DEEPL_AUTH_KEY", raising=False)
    monkeypatch.delenv("DEEPL_SERVER_URL", raising=False)
    monkeypatch.setenv("CORPUS_TOOLS_TRANSLATION_CACHE", str(tmp_path / "default-cache.sqlite3"))


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client's own backoff starts at one second; the tests need not wait that long."""
    import deepl.http_client

    monkeypatch.setattr(deepl.http_client._BackoffTimer, "BACKOFF_INITIAL", 0.01)
    monkeypatch.setattr(deepl.http_client._BackoffTimer, "BACKOFF_MAX", 0.02)


@pytest.fixture
def fake(httpserver: HTTPServer) -> Iterator[FakeDeepL]:
    yield FakeDeepL(httpserver)
    httpserver.clear()


@pytest.fixture
def notes() -> list[str]:
    return []


def _translator(corpus: Corpus, tmp_path: Path, notes: list[str], **kwargs: object) -> Translator:
    return Translator(corpus=corpus, cache=tmp_path / "cache.sqlite3", say=notes.append, **kwargs)


def _deepl(corpus: Corpus, fake: FakeDeepL, tmp_path: Path, notes: list[str]) -> Translator:
    return _translator(corpus, tmp_path, notes, auth_key=AUTH_KEY, server_url=fake.url)


def _german(doc: Document) -> list[str]:
    return [p.text for p in doc.paragraphs if p.language == "de"]


# --- reference translations ------------------------------------------------------------------


def test_every_paragraph_has_a_reference_translation(corpus: Corpus, doc: Document) -> None:
    references = Translator(corpus=corpus).references()
    assert len(references) == len(doc.paragraphs)
    for paragraph in doc.paragraphs:
        other = "en" if paragraph.language == "de" else "de"
        found = references.lookup(paragraph.text, other)
        assert found is not None and found.text.strip(), paragraph.id
        assert found.translator == "the Riyadh readouts project's developers"
        assert "without DeepL" in found.method and "Not a professional translation" in found.method


def test_auto_without_a_key_uses_references_and_says_so_once(
    corpus: Corpus, doc: Document, tmp_path: Path, notes: list[str]
) -> None:
    translator = _translator(corpus, tmp_path, notes)
    first = translator.translate(doc.paragraphs[13], "en", "de")
    again = translator.translate(doc.paragraphs[14:16], "en")
    assert [r.engine for r in first + again] == [Engine.REFERENCE] * 3
    assert first[0].translation.startswith("In line with the agreement")
    assert first[0].source_lang == "de" and first[0].billed_characters == 0
    assert first[0].translator and first[0].method  # who made it, and how
    assert len(notes) == 1 and "set DEEPL_AUTH_KEY" in notes[0]
    assert translator.usage().reference_translations == 3


def test_reference_needs_a_whole_paragraph(
    corpus: Corpus, tmp_path: Path, notes: list[str]
) -> None:
    translator = _translator(corpus, tmp_path, notes)
    with pytest.raises(NoReferenceError, match="references exist for whole paragraphs"):
        translator.translate("Beide Seiten tauschten", "en", backend="reference")
    [record] = translator.translate("Beide Seiten tauschten", "en")
    assert record.translation is None and "set DEEPL_AUTH_KEY" in (record.note or "")


def test_backend_is_an_enum_that_also_takes_its_value(
    corpus: Corpus, doc: Document, tmp_path: Path, notes: list[str]
) -> None:
    translator = _translator(corpus, tmp_path, notes)
    by_enum = translator.translate(doc.paragraphs[13], "en", backend=Backend.REFERENCE)
    by_value = translator.translate(doc.paragraphs[13], "en", backend="reference")
    assert by_enum == by_value and by_enum[0].engine is Engine.REFERENCE
    with pytest.raises(TranslationError, match="unknown backend 'google'; use one of 'auto', "):
        translator.translate(doc.paragraphs[13], "en", backend="google")


def test_unsupported_language(corpus: Corpus, tmp_path: Path, notes: list[str]) -> None:
    translator = _translator(corpus, tmp_path, notes)
    with pytest.raises(UnsupportedLanguageError, match="'ru' is not supported: use 'de' or 'en'"):
        translator.translate("Привет", "de", "ru")


# --- DeepL through the real client ---------------------------------------------------------------


def test_batches_many_texts_per_request_and_bills_nothing_twice(
    corpus: Corpus, fake: FakeDeepL, tmp_path: Path, notes: list[str]
) -> None:
    texts = [f"Satz Nummer {n}." for n in range(120)]
    translator = _deepl(corpus, fake, tmp_path, notes)
    first = translator.translate(texts, "en", "de", progress=False)
    assert fake.texts_per_request == [50, 50, 20]
    assert [r.engine for r in first] == [Engine.DEEPL] * 120
    assert first[0].translation == "[EN-US] Satz Nummer 0."
    billed = sum(len(t) for t in texts)
    assert sum(r.billed_characters for r in first) == billed == fake.billed
    second = _deepl(corpus, fake, tmp_path, notes).translate(texts, "en", "de")
    assert fake.requests["POST /v2/translate"] == 3
    assert {r.engine for r in second} == {Engine.CACHE}
    assert sum(r.billed_characters for r in second) == 0
    assert [r.translation for r in second] == [r.translation for r in first]


def test_cache_key_covers_formality_and_model(
    corpus: Corpus, fake: FakeDeepL, tmp_path: Path, notes: list[str]
) -> None:
    translator = _deepl(corpus, fake, tmp_path, notes)
    translator.translate("Guten Tag.", "en", "de")
    translator.translate("Guten Tag.", "en", "de", formality="prefer_more")
    translator.translate("Guten Tag.", "en", "de", model="quality_optimized")
    translator.translate("Guten Tag.", "en", "de", formality="prefer_more")
    assert fake.requests["POST /v2/translate"] == 3


def test_repeated_text_is_sent_once(
    corpus: Corpus, fake: FakeDeepL, tmp_path: Path, notes: list[str]
) -> None:
    records = _deepl(corpus, fake, tmp_path, notes).translate(["Ja.", "Nein.", "Ja."], "en", "de")
    assert fake.texts_per_request == [2]
    assert [r.billed_characters for r in records] == [3, 5, 0]


def test_glossary_is_created_once_and_reused_by_content(
    corpus: Corpus, glossary: Glossary, fake: FakeDeepL, tmp_path: Path, notes: list[str]
) -> None:
    text = "Außenminister M. Rubio traf S. Whitkoff."
    [record] = _deepl(corpus, fake, tmp_path, notes).translate(text, "en", "de", glossary=glossary)
    assert record.translation == "[EN-US] Foreign Minister Marco Rubio traf Steve Witkoff."
    assert record.glossary is not None and len(record.glossary) == 12
    assert fake.requests["POST /v2/glossaries"] == 1
    other_session = _translator(corpus, tmp_path / "other", notes, auth_key=AUTH_KEY,
                                server_url=fake.url)  # fmt: skip
    other_session.translate("Die Außenminister trafen sich.", "en", "de", glossary=glossary)
    assert fake.requests["POST /v2/glossaries"] == 1
    assert fake.requests["GET /v2/glossaries"] == 2
    assert len(fake.glossaries) == 1
    with pytest.raises(TranslationError, match="a glossary needs source_lang"):
        other_session.translate("Text", "en", glossary=glossary)


@pytest.mark.parametrize(
    ("status", "error", "advice"),
    [
        (403, AuthorizationError, "check DEEPL_AUTH_KEY"),
        (456, QuotaExceededError, "quota for this billing period is used up"),
        (429, TooManyRequestsError, "try again in a minute"),
        (503, ServiceError, r"server error \(503\)"),
    ],
)
def test_deepl_failures_are_actionable_errors(
    corpus: Corpus,
    fake: FakeDeepL,
    tmp_path: Path,
    notes: list[str],
    status: int,
    error: type[TranslationError],
    advice: str,
) -> None:
    fake.fail_next(status, times=10)
    translator = _deepl(corpus, fake, tmp_path, notes)
    with pytest.raises(error, match=advice) as caught:
        translator.translate("Guten Tag.", "en", "de", backend="deepl")
    assert AUTH_KEY not in str(caught.value)
    retried = status in {429, 503}
    assert fake.requests["POST /v2/translate"] == (6 if retried else 1)


def test_transient_429_is_retried_by_the_client(
    corpus: Corpus, fake: FakeDeepL, tmp_path: Path, notes: list[str]
) -> None:
    fake.fail_next(429, times=2)
    [record] = _deepl(corpus, fake, tmp_path, notes).translate("Hallo.", "en", "de")
    assert record.translation == "[EN-US] Hallo."
    assert fake.requests["POST /v2/translate"] == 3


def test_unreachable_server(corpus: Corpus, tmp_path: Path, notes: list[str]) -> None:
    import deepl.http_client

    translator = _translator(
        corpus, tmp_path, notes, auth_key=AUTH_KEY, server_url="http://127.0.0.1:9"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(deepl.http_client, "max_network_retries", 0)
        with pytest.raises(ConnectionFailedError, match="could not be reached"):
            translator.translate("Hallo.", "en", "de", backend="deepl")


def test_auto_falls_back_to_cache_then_references_and_never_raises(
    corpus: Corpus, doc: Document, fake: FakeDeepL, tmp_path: Path, notes: list[str]
) -> None:
    paragraphs = _german(doc)[:3]
    translator = _deepl(corpus, fake, tmp_path, notes)
    translator.translate(paragraphs[0], "en", "de")
    fake.fail_next(456, times=10)
    records = translator.translate(paragraphs, "en", "de")
    assert [r.engine for r in records] == [Engine.CACHE, Engine.REFERENCE, Engine.REFERENCE]
    assert any("DeepL is unavailable" in note and "quota" in note for note in notes)
    [lost] = translator.translate("Kein Absatz des Korpus.", "en", "de")
    assert lost.translation is None and lost.note


def test_usage_reports_session_and_account(
    corpus: Corpus, fake: FakeDeepL, tmp_path: Path, notes: list[str]
) -> None:
    translator = _deepl(corpus, fake, tmp_path, notes)
    translator.translate(["Eins.", "Zwei."], "en", "de")
    translator.translate(["Eins."], "en", "de")
    report = translator.usage()
    assert (report.billed_characters, report.deepl_requests, report.cache_hits) == (10, 1, 1)
    assert report.account is not None and report.account.characters == 10
    assert "10 of 500,000 characters used" in repr(report)


def test_key_is_never_written_anywhere(
    corpus: Corpus,
    fake: FakeDeepL,
    tmp_path: Path,
    notes: list[str],
    capsys: pytest.CaptureFixture,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("DEBUG")
    translator = _deepl(corpus, fake, tmp_path, notes)
    records = translator.translate(["Eins.", "Zwei."], "en", "de", glossary=load_glossary(corpus))
    fake.fail_next(403)
    with pytest.raises(AuthorizationError) as caught:
        translator.translate("Drei.", "en", "de", backend="deepl")
    translator.usage()
    seen = [
        repr(translator),
        repr(records),
        str(caught.value),
        repr(caught.value.__cause__),
        capsys.readouterr().out,
        caplog.text,
        *notes,
    ]
    assert all(AUTH_KEY not in text for text in seen)
    database = (tmp_path / "cache.sqlite3").read_bytes()
    assert AUTH_KEY.encode() not in database
    with sqlite3.connect(tmp_path / "cache.sqlite3") as db:
        rows = db.execute("select * from translations").fetchall()
    assert rows and all(AUTH_KEY not in str(row) for row in rows)


# --- reference data validation -----------------------------------------------------------------


def _references_copy(tmp_path: Path) -> Path:
    import shutil

    from .conftest import CORPUS

    folder = tmp_path / "translations"
    shutil.copytree(CORPUS / "translations", folder)
    return folder


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  - paragraph: p3\n", "  - paragraph: p99\n", "has no paragraph 'p99' (p1 to p26)"),
        ("  - paragraph: p3\n", "  - paragraph: p2\n", "p2 is translated twice"),
        ("    begins: \"Nach dem Treffen", "    begins: \"Vor dem Treffen",
         "p3 begins 'Nach dem Treffen von US-Außenm', not 'Vor dem Treffen"),
    ],
)  # fmt: skip
def test_malformed_reference_translations_are_reported(
    corpus: Corpus, tmp_path: Path, old: str, new: str, message: str
) -> None:
    from corpus_tools.corpus.references import load_references
    from corpus_tools.errors import ReferenceDataError

    folder = _references_copy(tmp_path)
    path = next(folder.glob("*.yaml"))
    text = path.read_text("utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), "utf-8")
    with pytest.raises(ReferenceDataError, match=r"riyadh-2025-02-18\.yaml:\d+: ") as caught:
        load_references(corpus, folder)
    assert message in str(caught.value)


def test_reference_file_must_cover_every_paragraph(corpus: Corpus, tmp_path: Path) -> None:
    import yaml

    from corpus_tools.corpus.references import load_references
    from corpus_tools.errors import ReferenceDataError

    folder = _references_copy(tmp_path)
    path = next(folder.glob("*.yaml"))
    data = yaml.safe_load(path.read_text("utf-8"))
    data["paragraphs"] = [e for e in data["paragraphs"] if e["paragraph"] != "p20"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(ReferenceDataError, match="no translation for paragraphs p20; add them"):
        load_references(corpus, folder)


# --- reviewing translations ----------------------------------------------------------------------


def test_term_check_finds_kept_and_changed_terms(glossary: Glossary) -> None:
    from corpus_tools.translate import check_terms

    source = "Beide Seiten kamen überein, Botschafter zu ernennen."
    checked = check_terms(
        source, "Both parties agreed to name envoys.", glossary, source_lang="de", target_lang="en"
    )
    used = dict(zip(checked.term, checked.used, strict=True))
    assert used == {"seite": True, "uebereinkommen": True, "botschafter": False, "ernennen": False}
    assert checked.set_index("term").loc["ernennen", "expected"] == "appoint"


def test_word_diff_and_side_by_side_render_escaped() -> None:
    from corpus_tools.display import side_by_side, word_diff

    diff = word_diff(
        "They discussed a wide range of issues.", "They debated a broad range of <issues>."
    )
    assert (
        repr(diff)
        == "They [-discussed-] {+debated+} a [-wide-] {+broad+} range of [-issues.-] {+<issues>.+}"
    )
    assert "&lt;issues&gt;" in diff._repr_html_() and "<issues>" not in diff._repr_html_()
    table = side_by_side([("German", "Gespräche"), ("DeepL", None)])
    assert repr(table) == "German: Gespräche\nDeepL: (not available)"
    assert "<i>not available</i>" in table._repr_html_()


def test_no_notebook_holds_anything_like_a_deepl_key() -> None:
    """Keys are UUIDs (free ones end in ':fx'); none may be saved in a notebook's cells or
    text outputs.  (Widget model ids are UUIDs too; they live in widget-view outputs.)"""
    import json
    import re

    from .conftest import PROJECT

    key_shape = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(:fx)?")
    notebooks = sorted((PROJECT / "notebooks").glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        for cell in json.loads(path.read_text("utf-8"))["cells"]:
            texts = ["".join(cell["source"])]
            for output in cell.get("outputs", []):
                texts.append("".join(output.get("text", "")))
                data = output.get("data", {})
                texts += ["".join(data.get(kind, "")) for kind in ("text/plain", "text/html")]
            for text in texts:
                assert not key_shape.search(text), path.name
                assert "DEEPL_AUTH_KEY=" not in text.replace("DEEPL_AUTH_KEY=your-key", "")

"""A document changed on disk is segmented again only where it changed: the paragraphs it kept
(the same text in the same language) take their layers from the cached file of its earlier
version, and the result is exactly that of segmenting the new version from scratch."""

from __future__ import annotations

import tempfile
import warnings
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import corpus_tools.corpus.cache
import corpus_tools.corpus.load
from bench.synthetic import Paragraph, _real_sentences, write_document
from corpus_tools import Document, load_corpus
from corpus_tools.corpus.columnar import _PARAGRAPHS, _digest, as_lists

from .layers_files import rewritten

DOC_ID = "edited"


@cache
def _sentences() -> dict[str, list[str]]:
    """The real document's sentences, by language."""
    return {language: [text for text, _ in found] for language, found in _real_sentences().items()}


@st.composite
def _paragraphs(draw: st.DrawFn) -> Paragraph:
    """One to three real sentences of one language."""
    language = draw(st.sampled_from(sorted(_sentences())))
    chosen = draw(st.lists(st.sampled_from(_sentences()[language]), min_size=1, max_size=3))
    return " ".join(chosen), language, "commentary"


def _edits(before: list[Paragraph]) -> st.SearchStrategy[list[Paragraph]]:
    """Paragraphs of a later version: kept, moved, repeated or dropped from ``before``, new
    ones, and kept texts in the other language."""
    other = {"de": "en", "en": "de"}
    switched = [(text, other[language], kind) for text, language, kind in before]
    return st.lists(
        st.one_of(st.sampled_from(before), st.sampled_from(switched), _paragraphs()),
        min_size=1,
        max_size=6,
    )


def _segmented(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every paragraph loading segments from now on, as ``(text, language)``."""
    seen: list[tuple[str, str]] = []
    real = corpus_tools.corpus.load.segment_paragraphs

    def counted(text: str, paragraphs: Any) -> Any:
        seen.extend((text[start:end], language) for start, end, language in paragraphs)
        return real(text, paragraphs)

    monkeypatch.setattr(corpus_tools.corpus.load, "segment_paragraphs", counted)
    return seen


def _load(root: Path, cache_dir: Path) -> Document:
    return load_corpus(root, cache_dir=cache_dir, progress=False)[DOC_ID]


def _columns(doc: Document) -> dict[str, list[Any]]:
    layers = as_lists(doc._segmentation())
    return {field.name: getattr(layers, field.name) for field in fields(layers)}


@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_an_edited_document_is_segmented_as_from_scratch_but_only_where_it_changed(
    data: st.DataObject,
) -> None:
    before = data.draw(st.lists(_paragraphs(), min_size=1, max_size=6), label="before")
    after = data.draw(_edits(before), label="after")
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as monkeypatch:
        root, kept_cache = Path(folder) / "corpus", Path(folder) / "cache"
        write_document(root, DOC_ID, before)
        _load(root, kept_cache).tokens  # noqa: B018  (builds and caches the first version)
        write_document(root, DOC_ID, after)
        segmented = _segmented(monkeypatch)
        edited = _columns(_load(root, kept_cache))
        new = {(text, language) for text, language, _ in after} - {
            (text, language) for text, language, _ in before
        }
        assert sorted(set(segmented)) == sorted(new)
        monkeypatch.undo()
        assert edited == _columns(_load(root, Path(folder) / "cold"))


FIRST = "Ein neuer Satz steht hier."


@dataclass
class Versions:
    """A document of four German paragraphs, loaded once (so cached) under ``root``."""

    root: Path

    @property
    def cache(self) -> Path:
        return self.root.parent / "cache"

    def layers_files(self) -> list[Path]:
        return sorted(self.cache.glob(f"{DOC_ID}.*.layers.arrow"))

    def edit(self) -> None:
        """Change the third paragraph."""
        paragraphs = _first_version()
        paragraphs[2] = (FIRST, "de", "commentary")
        write_document(self.root, DOC_ID, paragraphs)

    def load(self) -> Document:
        return _load(self.root, self.cache)


def _first_version() -> list[Paragraph]:
    return [(text, "de", "commentary") for text in _sentences()["de"][:4]]


@pytest.fixture
def versions(tmp_path: Path) -> Versions:
    cached = Versions(tmp_path / "corpus")
    write_document(cached.root, DOC_ID, _first_version())
    cached.load().tokens  # noqa: B018
    return cached


def test_only_the_changed_paragraph_is_segmented_and_one_file_is_left(
    versions: Versions, monkeypatch: pytest.MonkeyPatch
) -> None:
    (earlier,) = versions.layers_files()
    versions.edit()
    segmented = _segmented(monkeypatch)
    assert FIRST in [s.text for s in versions.load().sentences]
    assert segmented == [(FIRST, "de")]
    (now,) = versions.layers_files()
    assert now != earlier


def test_a_damaged_earlier_file_is_passed_over_in_silence(
    versions: Versions, monkeypatch: pytest.MonkeyPatch
) -> None:
    (earlier,) = versions.layers_files()
    earlier.write_bytes(earlier.read_bytes()[:-200])
    versions.edit()
    segmented = _segmented(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert FIRST in [s.text for s in versions.load().sentences]
    assert len(segmented) == 4  # the whole document, as if there were no earlier version


def test_layers_another_somajo_made_are_not_taken(
    versions: Versions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(corpus_tools.corpus.cache, "_tool_versions", lambda: ("0.0", "0.0"))
    corpus_tools.corpus.cache._paragraph_digest.cache_clear()
    versions.edit()
    segmented = _segmented(monkeypatch)
    try:
        versions.load().tokens  # noqa: B018
    finally:
        corpus_tools.corpus.cache._paragraph_digest.cache_clear()
    assert len(segmented) == 4


def test_the_columns_checksum_is_the_one_earlier_versions_check(versions: Versions) -> None:
    """Paragraph keys have a checksum of their own: a cache shared with a version of this
    code from before them reads these files without calling them damaged."""
    import pyarrow as pa

    (path,) = versions.layers_files()
    table = pa.ipc.open_file(pa.py_buffer(path.read_bytes())).read_all()
    columns = [table.column(n).combine_chunks() for n in table.column_names]
    assert table.schema.metadata[b"corpus_tools.sha256"].decode() == _digest(*columns)
    assert _PARAGRAPHS in table.schema.metadata


def test_a_file_of_the_format_before_paragraph_keys_loads_but_is_not_taken_from(
    versions: Versions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Layers files written before paragraph keys were stored load as they did; an edit then
    segments the whole document."""

    def without_paragraph_keys(metadata: dict[bytes, bytes]) -> None:
        for name in [name for name in metadata if name.startswith(_PARAGRAPHS)]:
            del metadata[name]

    (earlier,) = versions.layers_files()
    rewritten(earlier, metadata=without_paragraph_keys)
    segmented = _segmented(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(versions.load().tokens) > 20
    assert segmented == []
    versions.edit()
    versions.load().tokens  # noqa: B018
    assert len(segmented) == 4


def test_layers_whose_words_are_not_the_texts_are_not_taken(
    versions: Versions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file sound by its checksums but whose token forms are not the words of the paragraph
    it names (a faulty writer) lends nothing."""

    def misplace_every_token(columns: dict[str, Any]) -> None:
        columns["form"] = [form[::-1] + "x" for form in columns["form"]]

    (earlier,) = versions.layers_files()
    rewritten(earlier, misplace_every_token, checksum=True)
    versions.edit()
    segmented = _segmented(monkeypatch)
    assert FIRST in [s.text for s in versions.load().sentences]
    assert len(segmented) == 4


def test_a_long_document_shares_its_changed_pieces_among_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small pieces and two processes: the changed paragraphs, apart from each other, are
    segmented in several pieces, the rest is kept, and the result is a cold build's."""
    paragraphs = [(text, "de", "commentary") for text in _sentences()["de"][:24]]
    root = tmp_path / "corpus"
    write_document(root, DOC_ID, paragraphs)
    _load(root, tmp_path / "cache").tokens  # noqa: B018
    for index in (3, 4, 15, 23):
        paragraphs[index] = (paragraphs[index][0] + " Das ist neu.", "de", "commentary")
    write_document(root, DOC_ID, paragraphs)
    monkeypatch.setattr(corpus_tools.corpus.load, "PIECE", 60)
    pieces: list[int] = []
    real = corpus_tools.corpus.load._pieces
    monkeypatch.setattr(
        corpus_tools.corpus.load,
        "_pieces",
        lambda *a: pieces.append(len(found := real(*a))) or found,
    )
    edited = load_corpus(root, cache_dir=tmp_path / "cache", workers=2, progress=False)[DOC_ID]
    assert pieces[0] >= 3
    assert _columns(edited) == _columns(_load(root, tmp_path / "cold"))

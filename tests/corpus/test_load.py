"""An instructor adds a document by dropping a source and a YAML file; the example in
corpus/README.md is that recipe, and it loads with the same code as the real corpus."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import corpus_tools.corpus.load
from corpus_tools import load_corpus
from corpus_tools.cli import main

from ..conftest import CORPUS

DOC_ID = "riyadh-2025-02-18"


def _readme_example(root: Path) -> None:
    readme = (CORPUS / "README.md").read_text("utf-8")
    source = re.search(r"```text\n(.*?)```", readme, re.DOTALL)
    manifest = re.search(r"```yaml\n(.*?)```", readme, re.DOTALL)
    assert source and manifest
    (root / "sources").mkdir(parents=True)
    (root / "documents").mkdir()
    (root / "sources" / "example.txt").write_text(source.group(1), "utf-8")
    (root / "documents" / "example.yaml").write_text(manifest.group(1), "utf-8")


def test_readme_example_loads_as_a_two_language_document(tmp_path: Path) -> None:
    _readme_example(tmp_path)
    doc = load_corpus(tmp_path)["example"]
    assert [s.id for s in doc.sections if s.kind != "separator"] == [
        "title",
        "commentary",
        "statement",
    ]
    assert "".join(s.text for s in doc.sections) == doc.text
    assert doc.sections[-1].kind == "separator" and doc.sections[-1].text == "\n"
    assert [p.text for p in doc.paragraphs][-1] == (
        "We agreed to continue the talks.\nBoth sides thanked the hosts."
    )
    german = [s.text for s in doc.sentences if s.language == "de"]
    assert german[1:] == [
        "Der Minister sprach am 3. März mit Dr. Lawrow.",
        "Danach gab es eine Erklärung:",
    ]
    english = [s.text for s in doc.sentences if s.language == "en"]
    assert english == ["We agreed to continue the talks.", "Both sides thanked the hosts."]
    statement = doc.section("statement").provenance
    assert statement.origin_text() == "institution: Ministry of Examples"
    assert doc.section("commentary").provenance.origin_text() == "author: unknown"
    lemmas = {t.text: t.lemma for t in doc.tokens}
    assert lemmas["sprach"] == "sprechen" and lemmas["sides"] == "side"


def test_line_mode_splits_the_english_lines(tmp_path: Path) -> None:
    _readme_example(tmp_path)
    manifest = tmp_path / "documents" / "example.yaml"
    manifest.write_text(
        manifest.read_text("utf-8").replace("paragraphs: blank_lines", "paragraphs: lines"),
        "utf-8",
    )
    doc = load_corpus(tmp_path)["example"]
    assert [p.text for p in doc.paragraphs][-2:] == [
        "We agreed to continue the talks.",
        "Both sides thanked the hosts.",
    ]


def test_new_document_sits_beside_the_real_one(
    tmp_path: Path, corpus_copy: Path, capsys: pytest.CaptureFixture
) -> None:
    _readme_example(tmp_path / "example")
    for folder in ("sources", "documents"):
        for path in (tmp_path / "example" / folder).iterdir():
            (corpus_copy / folder / path.name).write_bytes(path.read_bytes())
    assert main(["validate", str(corpus_copy)]) == 0
    out = capsys.readouterr().out
    assert "ok  example: 163 characters" in out and "2 document(s) valid" in out


def test_a_long_document_is_segmented_in_pieces_exactly_as_in_one(
    corpus_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pieces end between paragraphs, and SoMaJo segments each paragraph on its own, so
    cutting a document into pieces (and sharing them among processes) changes nothing."""
    whole = load_corpus(corpus_copy, cache_dir=tmp_path / "whole")[DOC_ID]
    monkeypatch.setattr(corpus_tools.corpus.load, "PIECE", 400)
    load = corpus_tools.corpus.load
    assert len(load._pieces(0, load._plan(whole.manifest), ())) > 10
    cut = load_corpus(corpus_copy, cache_dir=tmp_path / "cut", workers=2)[DOC_ID]
    assert list(cut.sentences) == list(whole.sentences)
    assert list(cut.tokens) == list(whole.tokens)
    assert [s.paragraph.id for s in cut.sentences] == [s.paragraph.id for s in whole.sentences]


@pytest.mark.parametrize("chosen", [None, "mimalloc", "system"])
def test_reading_layers_makes_jemalloc_arrows_allocator_unless_one_was_chosen(
    monkeypatch: pytest.MonkeyPatch, layer_cache: Path, chosen: str | None
) -> None:
    """mimalloc, pyarrow's default, makes a large table's time vary threefold from run to run
    on the machines this project runs on; a pool named in ``ARROW_DEFAULT_MEMORY_POOL`` is
    kept, and so is one set after the first read."""
    import pyarrow as pa

    from corpus_tools.corpus.columnar import prefer_jemalloc_pool

    len(load_corpus(CORPUS, cache_dir=layer_cache)[DOC_ID].tokens)  # the layers are cached
    before = pa.default_memory_pool()
    if chosen is None:
        monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    else:
        monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", chosen)
    start = pa.system_memory_pool() if chosen == "system" else pa.mimalloc_memory_pool()
    prefer_jemalloc_pool.cache_clear()  # as in a new process
    try:
        pa.set_memory_pool(start)
        doc = load_corpus(CORPUS, cache_dir=layer_cache)[DOC_ID]
        assert pa.default_memory_pool().backend_name == start.backend_name  # nothing read yet
        len(doc.tokens)
        assert pa.default_memory_pool().backend_name == (chosen or "jemalloc")
        pa.set_memory_pool(pa.mimalloc_memory_pool())
        load_corpus(CORPUS, cache_dir=layer_cache).frame("tokens")
        assert pa.default_memory_pool().backend_name == "mimalloc"
    finally:
        pa.set_memory_pool(before)

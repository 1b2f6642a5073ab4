"""Tables of every layer, and the Parquet export that other tools read."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from corpus_tools import Corpus, Document, load_corpus
from corpus_tools.cli import main

from ..conftest import write_corpus

PROVENANCE = [
    "section",
    "kind",
    "language",
    "origin",
    "original_or_translation",
    "translated_from",
    "translated_by",
    "documents_date",
]


@pytest.mark.parametrize(
    ("layer", "own"),
    [("paragraphs", ["duplicate_of"]), ("sentences", ["paragraph"]), ("tokens", ["lemma"])],
)
def test_frames_have_ids_offsets_text_and_provenance(doc: Document, layer: str, own: list) -> None:
    frame = getattr(doc, layer).to_frame()
    assert len(frame) == len(getattr(doc, layer))
    assert list(frame.columns[:5]) == ["doc_id", "id", "start", "end", "text"]
    assert set(own + PROVENANCE) <= set(frame.columns)
    assert all(
        doc.text[s:e] == t for s, e, t in zip(frame.start, frame.end, frame.text, strict=True)
    )
    assert frame.id.iloc[0] == f"{layer[0]}1"


def test_sentence_frame_marks_the_translated_readout(doc: Document) -> None:
    frame = doc.sentences.to_frame()
    readout = frame[frame.section == "russian-readout"]
    assert set(readout.original_or_translation) == {"translation"}
    assert set(readout.translated_from) == {"ru"} and set(readout.translated_by) == {"DeepL"}
    english = frame[frame.language == "en"]
    assert set(english.original_or_translation) == {"original"}


def test_paragraph_frame_links_the_duplicate_by_id(doc: Document) -> None:
    frame = doc.paragraphs.to_frame().set_index("id")
    assert frame.duplicate_of.dropna().to_dict() == {"p19": "p16"}


def test_filtered_layer_frame_keeps_original_ids(doc: Document) -> None:
    english = doc.sentences.filter(lambda s: s.language == "en").to_frame()
    assert english.id.iloc[0] == "s7"
    assert set(english.language) == {"en"}


def test_section_frame_has_structure_columns(doc: Document) -> None:
    frame = doc.sections.to_frame()
    assert {"depth", "parent", "kind"} <= set(frame.columns)
    assert frame.set_index("id").loc["us-point-2", "parent"] == "agreed-points"


def test_export_command(corpus_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    status = main(["export", "layers", str(tmp_path / "out"), "--corpus", str(corpus_copy)])
    assert status == 0
    assert (tmp_path / "out" / "tokens.parquet").exists()
    assert "tokens.parquet" in capsys.readouterr().out


def test_corpus_frame_rejects_unknown_layers(corpus: Corpus) -> None:
    from corpus_tools import CorpusError

    with pytest.raises(CorpusError, match="unknown layer 'words'"):
        corpus.frame("words")


def test_frames_slice_by_code_point_outside_ascii_and_the_bmp(tmp_path: Path) -> None:
    """Offsets count code points; the frame's text is built from UTF-8 bytes, so characters
    of two, three and four bytes must all land on the right token."""
    text = "Grüße an „Ägypten“ – 😀 und 𝔘𝔫𝔦: 中文 bleibt.\n\nZweiter Absatz mit ß."
    root = write_corpus(tmp_path / "corpus", {"wide": text})
    built = load_corpus(root, cache_dir=tmp_path / "cache")  # columns as lists
    warm = load_corpus(root, cache_dir=tmp_path / "cache")  # columns read from the cache
    for layer in ("sections", "paragraphs", "sentences", "tokens"):
        frame = warm.frame(layer)
        assert list(frame.text) == [text[s:e] for s, e in zip(frame.start, frame.end, strict=True)]
        pd.testing.assert_frame_equal(frame, built.frame(layer))
    tokens = warm.frame("tokens")
    assert {"😀", "„", "中文"} <= set(tokens.text)


def test_a_filtered_layer_frames_the_rows_it_keeps(doc: Document) -> None:
    words = doc.tokens.filter(lambda t: t.token_class == "regular")[5:40]
    frame = words.to_frame()
    assert list(frame.id) == [t.id for t in words]
    assert list(frame.text) == [t.text for t in words]
    assert list(frame.sentence) == [t.sentence.id for t in words]
    assert list(frame.section) == [t.section.id for t in words]

"""Documents: paragraphs by section, in document order."""

from __future__ import annotations

import pytest

from corpus_tools import Document
from corpus_tools.errors import CorpusError


def test_paragraphs_in_sections_come_in_document_order(doc: Document) -> None:
    chosen = doc.paragraphs_in("bridge-to-report", "title", "us-point-2")
    assert [p.id for p in chosen] == ["p1", "p8", "p21"]
    assert [p.id for p in doc.paragraphs_in("us-statement")] == [f"p{n}" for n in range(4, 13)]
    with pytest.raises(CorpusError, match="no section 'nowhere'"):
        doc.paragraphs_in("nowhere")


def test_outline_lists_content_sections_with_provenance(doc: Document) -> None:
    outline = doc.outline()
    assert "separator" not in set(outline.kind)
    assert list(outline.section[:5]) == [
        "title",
        "introduction",
        "bridge-to-statement",
        "us-statement",
        "· agreed-points",
    ]
    readout = outline.set_index("section").loc["russian-readout"]
    assert readout["original or translation"] == "translation from ru (inferred) by DeepL"
    assert set(outline["original or translation"]) == {
        "original",
        "translation from ru (inferred) by DeepL",
        "translation from ru (inferred) by Reuters",
    }
    assert readout.sentences == 16 and readout.characters == 3229

"""Annotation records: W3C Web Annotations with a position and a quote, validated when made."""

from __future__ import annotations

import json

import pytest

from corpus_tools import Document
from corpus_tools.annotate import make_annotation
from corpus_tools.errors import AnnotationError, TagSetError

from ..conftest import tag_phrase


def test_annotation_is_w3c_with_position_and_quote(doc: Document, tagsets) -> None:
    note = tag_phrase(doc, tagsets, "S. Whitkoff", "wrong name", attributes={"severity": "minor"},
                comment="misspelt: Witkoff")  # fmt: skip
    data = note.to_w3c()
    assert (
        data["@context"][0] == "http://www.w3.org/ns/anno.jsonld" and data["type"] == "Annotation"
    )
    position, quote = data["target"]["selector"]
    assert doc.text[position["start"] : position["end"]] == quote["exact"] == "S. Whitkoff"
    assert doc.text[: position["start"]].endswith(quote["prefix"])
    assert doc.text[position["end"] :].startswith(quote["suffix"])
    assert data["body"][0] == {
        "type": "TextualBody", "purpose": "tagging", "value": "wrong name",
        "format": "text/plain", "language": "en",
        "tagset": "translation-critique", "tagsetVersion": 2, "severity": "minor",
    }  # fmt: skip
    assert data["body"][1] == {"type": "TextualBody", "purpose": "commenting",
                               "value": "misspelt: Witkoff", "format": "text/plain",
                               "language": "und"}  # fmt: skip
    assert type(note).from_w3c(json.loads(json.dumps(data))) == note


def test_creating_an_annotation_validates_it(doc: Document, tagsets) -> None:
    discourse = tagsets["diplomatic-discourse"]
    with pytest.raises(AnnotationError, match=r"span \[10, 10\) is not inside"):
        make_annotation(doc.text, doc.id, 10, 10, "actor", discourse, creator="ada")
    with pytest.raises(TagSetError, match="no label 'villain'; its labels: actor, commitment"):
        make_annotation(doc.text, doc.id, 0, 3, "villain", discourse, creator="ada")
    with pytest.raises(AnnotationError, match="severity='huge' is not allowed"):
        tag_phrase(doc, tagsets, "S. Whitkoff", "wrong name", attributes={"severity": "huge"})


def test_quote_context_is_at_most_32_utf16_code_units() -> None:
    from corpus_tools.annotate.record import quote

    text = "\U0001f600" * 40 + "Lawrow" + "\U0001f600" * 40
    found = quote(text, 40, 46)
    assert found == {"exact": "Lawrow", "prefix": "\U0001f600" * 16, "suffix": "\U0001f600" * 16}
    assert len(quote("x" * 40 + "Lawrow" + "y" * 40, 40, 46)["prefix"]) == 32

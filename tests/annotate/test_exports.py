"""Annotation exports: W3C collection, brat standoff, INCEpTION XMI and a DataFrame."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from corpus_tools import Document
from corpus_tools.annotate.exports import (
    annotations_frame,
    read_w3c_collection,
    read_xmi,
    to_w3c_collection,
    write_brat,
    write_xmi,
)

from ..conftest import tag_phrase


@pytest.fixture
def sample(doc: Document, tagsets) -> list:
    return [
        tag_phrase(doc, tagsets, "S. Whitkoff", "wrong name", attributes={"severity": "minor"},
             comment="<script>alert(1)</script>"),
        tag_phrase(doc, tagsets, "Beide Seiten", "actor"),
        tag_phrase(doc, tagsets, "Beide Seiten kamen überein", "commitment"),
    ]  # fmt: skip


def test_w3c_collection_round_trips(sample: list) -> None:
    collection = json.loads(json.dumps(to_w3c_collection(sample, "ada")))
    assert collection["type"] == "AnnotationCollection" and collection["total"] == 3
    assert read_w3c_collection(collection) == sample


def test_brat_standoff(doc: Document, sample: list, tmp_path: Path) -> None:
    spans_lines = doc.text.index("Zum Thema") - 3
    crossing = replace(sample[1], start=spans_lines, end=spans_lines + 12)
    txt, ann = write_brat(doc.text, [*sample, crossing], tmp_path / "brat" / doc.id)
    assert txt.read_text("utf-8") == doc.text
    lines = ann.read_text("utf-8").splitlines()
    entities = [line.split("\t") for line in lines if line.startswith("T")]
    for _, spec, shown in entities:
        _, *offsets = spec.replace(";", " ").split(" ")
        pieces = [
            doc.text[int(a) : int(b)] for a, b in zip(offsets[::2], offsets[1::2], strict=True)
        ]
        assert " ".join(pieces) == shown and "\n" not in shown
    assert any(";" in spec for _, spec, _ in entities)
    assert "A1\tSeverity T1 minor" in lines
    assert "#1\tAnnotatorNotes T1\t<script>alert(1)</script>" in lines


def test_xmi_round_trips_through_cassis(doc: Document, sample: list, tmp_path: Path) -> None:
    path = write_xmi(doc.text, sample, tmp_path / "xmi" / f"{doc.id}.xmi")
    root = ET.parse(path).getroot()
    assert root.tag.endswith("XMI")
    back = read_xmi(path, doc.id)
    key = lambda a: (a.start, a.end, a.tag, a.tagset, a.comment, dict(a.attributes), a.id)  # noqa: E731
    assert sorted(map(key, back)) == sorted(map(key, sample))
    assert all(doc.text[a.start : a.end] == a.exact for a in back)


def test_annotation_frame(sample: list) -> None:
    frame = annotations_frame(sample)
    assert list(frame.tag) == ["wrong name", "commitment", "actor"]
    assert list(frame.columns[:5]) == ["doc_id", "start", "end", "text", "tag"]
    assert frame.set_index("tag").loc["wrong name", "severity"] == "minor"

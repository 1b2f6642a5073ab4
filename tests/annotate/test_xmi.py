"""UIMA CAS XMI for INCEpTION, read with dkpro-cassis: our sentences and tokens as DKPro Core
``Sentence`` and ``Token``, and spans made in INCEpTION (only the tag filled) read back."""

from __future__ import annotations

from pathlib import Path

import pytest
from cassis import Cas, load_cas_from_xmi, load_dkpro_core_typesystem, load_typesystem

from corpus_tools import Document
from corpus_tools.annotate import TagSet
from corpus_tools.annotate.exports import XMI_LAYER, read_xmi, write_xmi
from corpus_tools.annotate.xmi import SENTENCE, TOKEN, XMI_FEATURES
from corpus_tools.errors import AnnotationError

from ..conftest import tag_phrase

METADATA = "de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData"


def _load(path: Path) -> Cas:
    with open(path.with_name("TypeSystem.xml"), "rb") as stream:
        types = load_typesystem(stream)
    with open(path, "rb") as stream:
        return load_cas_from_xmi(stream, typesystem=types)


def test_the_xmi_carries_our_sentences_and_tokens(
    doc: Document, tagsets: dict[str, TagSet], tmp_path: Path
) -> None:
    mine = [tag_phrase(doc, tagsets, "Beide Seiten", "actor")]
    cas = _load(write_xmi(doc.text, mine, tmp_path / "x.xmi", doc=doc))
    for name, units in ((SENTENCE, doc.sentences), (TOKEN, doc.tokens)):
        found = [(a.begin, a.end, a.get_covered_text(), a.id) for a in cas.select(name)]
        assert found == [(u.start, u.end, u.text, u.id) for u in units]
    assert len(list(cas.select(TOKEN))) == len(doc.tokens) > 1000
    assert [a.get_covered_text() for a in cas.select(XMI_LAYER)] == ["Beide Seiten"]


def test_without_a_document_the_xmi_has_no_segmentation(doc: Document, tmp_path: Path) -> None:
    cas = _load(write_xmi(doc.text, [], tmp_path / "x.xmi"))
    assert list(cas.select(TOKEN)) == list(cas.select(SENTENCE)) == []


def _inception_xmi(doc: Document, folder: Path, features: tuple[str, ...]) -> Path:
    """An XMI as INCEpTION exports it: DKPro Core types and document metadata, sentences and
    tokens, and spans of a custom layer whose features are ``features`` (a layer made by hand
    may have only ``tag``), with only the tag filled, or the version left empty."""
    types = load_dkpro_core_typesystem()
    meta = types.create_type(METADATA, supertypeName="uima.tcas.DocumentAnnotation")
    for name in ("documentTitle", "documentId", "documentUri"):
        types.create_feature(meta, name, "uima.cas.String")
    layer = types.create_type(XMI_LAYER, supertypeName="uima.tcas.Annotation")
    for name in features:
        types.create_feature(layer, name, "uima.cas.String")
    cas = Cas(typesystem=types, sofa_string=doc.text)
    cas.add(meta(begin=0, end=len(doc.text), documentTitle=f"{doc.id}.txt", documentId=doc.id))
    for name, units in ((SENTENCE, doc.sentences), (TOKEN, doc.tokens)):
        kind = types.get_type(name)
        for unit in units:
            cas.add(kind(begin=unit.start, end=unit.end))
    spans = [("Beide Seiten", {"tag": "actor"}), ("kamen überein", {"tag": "commitment"})]
    if "tagsetVersion" in features:
        spans.append(("Lawrow", {"tag": "person", "tagset": "entities", "tagsetVersion": ""}))
    spans.append(("Außenminister", {}))  # a span whose tag was never chosen
    for phrase, values in spans:
        start = doc.text.index(phrase)
        cas.add(layer(begin=start, end=start + len(phrase), **values))
    path = folder / "ada.xmi"
    cas.to_xmi(path)
    types.to_xml(path.with_name("TypeSystem.xml"))
    return path


@pytest.mark.parametrize("features", [("tag",), XMI_FEATURES], ids=["tag only", "imported"])
def test_spans_made_in_inception_with_only_a_tag_are_read(
    features: tuple[str, ...], doc: Document, tagsets: dict[str, TagSet], tmp_path: Path
) -> None:
    path = _inception_xmi(doc, tmp_path, features)
    discourse, entities = tagsets["diplomatic-discourse"], tagsets["entities"]
    given = [discourse, entities]
    back = read_xmi(path, doc.id, given, creator="ada")
    expected = {
        "Beide Seiten": ("actor", discourse.id, discourse.version, "ada"),
        "kamen überein": ("commitment", discourse.id, discourse.version, "ada"),
    }
    if "tagsetVersion" in features:
        expected["Lawrow"] = ("person", entities.id, entities.version, "ada")
    assert {a.exact: (a.tag, a.tagset, a.tagset_version, a.creator) for a in back} == expected
    assert all(doc.text[a.start : a.end] == a.exact and a.comment is None for a in back)
    assert [a.id for a in read_xmi(path, doc.id, given, creator="ada")] == [a.id for a in back]
    assert len({a.id for a in back}) == len(back)
    assert read_xmi(path, doc.id, given, creator="bo")[0].id != back[0].id


def test_a_span_whose_tag_set_cannot_be_told_is_named(doc: Document, tmp_path: Path) -> None:
    path = _inception_xmi(doc, tmp_path, ("tag",))
    with pytest.raises(AnnotationError, match=r"tagged 'actor' names no tag set.*read_xmi"):
        read_xmi(path, doc.id)

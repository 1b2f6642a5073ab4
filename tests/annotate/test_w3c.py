"""W3C Web Annotation exports, read by a JSON-LD processor (PyLD).

No network is at hand, so the processor is given the W3C context's term definitions for the
terms our exports use, as the Web Annotation Vocabulary (https://www.w3.org/TR/annotation-vocab/)
defines them: the same IRIs, types and containers as http://www.w3.org/ns/anno.jsonld.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from pyld import jsonld

from corpus_tools import Corpus
from corpus_tools.annotate import Annotation
from corpus_tools.annotate.exports import read_w3c_collection, to_w3c_collection
from corpus_tools.annotate.keys import load_key
from corpus_tools.annotate.record import CONTEXT, TERMS

W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
_ID, _VOCAB = {"@type": "@id"}, {"@type": "@vocab"}
_W3C_TERMS = {
    "oa": "http://www.w3.org/ns/oa#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "as": "http://www.w3.org/ns/activitystreams#",
    "id": {"@id": "@id", **_ID},
    "type": {"@id": "@type", **_ID},
    "Annotation": "oa:Annotation",
    "TextualBody": "oa:TextualBody",
    "TextQuoteSelector": "oa:TextQuoteSelector",
    "TextPositionSelector": "oa:TextPositionSelector",
    "Person": "foaf:Person",
    "AnnotationCollection": "as:OrderedCollection",
    "AnnotationPage": "as:OrderedCollectionPage",
    "tagging": "oa:tagging",
    "commenting": "oa:commenting",
    "body": {"@id": "oa:hasBody", **_ID},
    "target": {"@id": "oa:hasTarget", **_ID},
    "source": {"@id": "oa:hasSource", **_ID},
    "selector": {"@id": "oa:hasSelector", **_ID},
    "creator": {"@id": "dcterms:creator", **_ID},
    "motivation": {"@id": "oa:motivatedBy", **_VOCAB},
    "purpose": {"@id": "oa:hasPurpose", **_VOCAB},
    "items": {"@id": "as:items", "@container": "@list", **_ID},
    "partOf": {"@id": "as:partOf", **_ID},
    "first": {"@id": "as:first", **_ID},
    "format": "dc:format",
    "language": "dc:language",
    "created": "dcterms:created",
    "value": "rdf:value",
    "start": "oa:start",
    "end": "oa:end",
    "exact": "oa:exact",
    "prefix": "oa:prefix",
    "suffix": "oa:suffix",
    "name": "foaf:name",
    "label": "rdfs:label",
    "total": "as:totalItems",
    "startIndex": "as:startIndex",
}


@pytest.fixture(autouse=True)
def offline_contexts() -> Iterator[None]:
    """The processor gets the W3C context's terms from here, never from the network."""

    def load(url: str, options: Any = None) -> dict[str, Any]:
        assert url == W3C_CONTEXT, f"the export refers to an unexpected context {url}"
        document = {"@context": _W3C_TERMS}
        return {"contextUrl": None, "documentUrl": url, "document": document}

    before = jsonld.get_document_loader()
    jsonld.set_document_loader(load)
    yield
    jsonld.set_document_loader(before)


@pytest.fixture(scope="module")
def critique(corpus: Corpus) -> list[Annotation]:
    return load_key("translation-critique", corpus)


def test_the_collection_and_its_page_have_ids(critique: list[Annotation]) -> None:
    collection = to_w3c_collection(critique, "key")
    page = collection["first"]
    assert collection["id"].startswith("urn:uuid:") and page["id"].startswith("urn:uuid:")
    assert page["partOf"] == collection["id"] != page["id"]
    assert to_w3c_collection(critique, "key")["id"] == collection["id"]  # the same export
    assert to_w3c_collection(critique[1:], "key")["id"] != collection["id"]
    published = to_w3c_collection(critique, "key", collection_id="https://example.org/c/1")
    assert published["first"]["partOf"] == "https://example.org/c/1"


def test_textual_bodies_say_their_format_and_language(critique: list[Annotation]) -> None:
    for item in to_w3c_collection(critique, "key")["first"]["items"]:
        for body in item["body"]:
            assert body["format"] == "text/plain"
            assert body["language"] == ("en" if body["purpose"] == "tagging" else "und")


def _expanded_values(collection: dict[str, Any], term: str) -> list[Any]:
    found: list[Any] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            found.extend(v[0].get("@value") for k, v in node.items() if k == term)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(jsonld.expand(collection))
    return found


def test_json_ld_processing_keeps_our_own_fields(critique: list[Annotation]) -> None:
    collection = to_w3c_collection(critique, "key")
    assert _expanded_values(collection, f"{TERMS}tagset") == ["translation-critique"] * len(
        critique
    )
    assert _expanded_values(collection, f"{TERMS}tagsetVersion") == [2] * len(critique)
    severities = [a.attributes["severity"] for a in critique if "severity" in a.attributes]
    assert _expanded_values(collection, f"{TERMS}severity") == severities and severities
    # with the W3C context alone, a JSON-LD processor drops them: the second context is needed
    bare = {**collection, "@context": W3C_CONTEXT}
    assert _expanded_values(bare, f"{TERMS}tagset") == []


def _compacted(annotations: list[Annotation]) -> dict[str, Any]:
    collection = to_w3c_collection(annotations, "key")
    return json.loads(json.dumps(jsonld.compact(collection, {"@context": CONTEXT})))


def test_our_export_is_already_in_compacted_form(critique: list[Annotation]) -> None:
    assert _compacted(critique) == to_w3c_collection(critique, "key")
    assert read_w3c_collection(_compacted(critique)) == critique


def test_a_compacted_copy_with_a_single_body_reads_back(critique: list[Annotation]) -> None:
    uncommented = [replace(critique[0], comment=None)]
    compacted = _compacted(uncommented)
    assert isinstance(compacted["first"]["items"][0]["body"], dict)  # no longer a list
    assert read_w3c_collection(compacted) == uncommented

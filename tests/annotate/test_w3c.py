"""W3C Web Annotation exports, read by a JSON-LD processor (PyLD) with the W3C's own context."""

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

from ..conftest import PROJECT

W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
_OFFLINE = json.loads((PROJECT / "tests" / "data" / "w3c" / "anno.jsonld").read_text("utf-8"))


@pytest.fixture(autouse=True)
def offline_contexts() -> Iterator[None]:
    """The processor gets the W3C context from the copy in tests/data, never the network."""

    def load(url: str, options: Any = None) -> dict[str, Any]:
        assert url == W3C_CONTEXT, f"the export refers to an unexpected context {url}"
        return {"contextUrl": None, "documentUrl": url, "document": _OFFLINE}

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

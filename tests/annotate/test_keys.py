"""The instructors' answer keys in corpus/keys/: they load, anchor exactly, use their tag set
fully and correctly, skip the duplicated paragraph, and a damaged key stops with file and line."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from corpus_tools import Corpus, Document
from corpus_tools.annotate import (
    Annotation,
    AnnotationStore,
    TagSet,
    available_keys,
    load_key,
)
from corpus_tools.annotate.record import quote
from corpus_tools.errors import AnnotationError

from ..conftest import CORPUS

KEYS = CORPUS / "keys"
NAMES = available_keys(KEYS)


@pytest.fixture(scope="module")
def keys(corpus: Corpus) -> dict[str, list[Annotation]]:
    return {name: load_key(name, corpus) for name in NAMES}


def _sections_of(doc: Document, annotation: Annotation) -> set[str]:
    return {s.id for s in doc.sections if s.start <= annotation.start and annotation.end <= s.end}


def _paragraph_of(doc: Document, annotation: Annotation):
    return next(p for p in doc.paragraphs if p.start <= annotation.start < p.end)


# --- the shipped keys --------------------------------------------------------------------------


def test_the_two_keys_the_exercises_need_exist() -> None:
    assert {"diplomatic-discourse", "translation-critique"} <= set(NAMES)
    assert available_keys(KEYS / "no-such-folder") == []


@pytest.mark.parametrize("name", NAMES)
def test_key_file_loads_without_any_problem(name: str, doc: Document) -> None:
    report = AnnotationStore(KEYS / f"{name}.jsonl").load({doc.id: doc.text})
    assert (report.skipped, report.moved, report.orphans) == ([], [], [])
    assert report.annotations


@pytest.mark.parametrize("name", NAMES)
def test_every_key_annotation_anchors_exactly_on_whole_tokens(
    name: str, keys: dict[str, list[Annotation]], doc: Document
) -> None:
    starts = {t.start for t in doc.tokens}
    ends = {t.end for t in doc.tokens}
    for a in keys[name]:
        assert doc.text[a.start : a.end] == a.exact
        selector = {"exact": a.exact, "prefix": a.prefix, "suffix": a.suffix}
        assert selector == quote(doc.text, a.start, a.end)
        assert a.start in starts and a.end in ends, f"{a.exact!r} cuts a token"
        assert a.creator == "key"


@pytest.mark.parametrize("name", NAMES)
def test_every_tag_is_a_label_of_the_files_tag_set_and_every_label_is_used(
    name: str, keys: dict[str, list[Annotation]], tagsets: dict[str, TagSet]
) -> None:
    tagset = tagsets[name]
    labels = {label.name for label in tagset.labels}
    used = {a.tag for a in keys[name]}
    assert {a.tagset for a in keys[name]} == {name}
    assert {a.tagset_version for a in keys[name]} == {tagset.version}
    assert used <= labels
    if name == "diplomatic-discourse":
        assert used == labels, f"labels the key never uses: {labels - used}"


@pytest.mark.parametrize("name", NAMES)
def test_nothing_is_tagged_in_a_repeated_paragraph(
    name: str, keys: dict[str, list[Annotation]], doc: Document
) -> None:
    repeated = {p.id for p in doc.paragraphs if p.duplicate_of}
    assert "p19" in repeated
    assert not [a.exact for a in keys[name] if _paragraph_of(doc, a).id in repeated]


@pytest.mark.parametrize("name", NAMES)
def test_no_annotation_is_given_twice(name: str, keys: dict[str, list[Annotation]]) -> None:
    spans = [(a.start, a.end, a.tag) for a in keys[name]]
    assert len(spans) == len(set(spans))
    assert len({a.id for a in keys[name]}) == len(spans)


def test_discourse_key_covers_both_readouts(
    keys: dict[str, list[Annotation]], doc: Document
) -> None:
    key = keys["diplomatic-discourse"]
    sections = [_sections_of(doc, a) & {"us-statement", "russian-readout"} for a in key]
    assert all(len(found) == 1 for found in sections), "an annotation outside the readouts"
    for readout in ("us-statement", "russian-readout"):
        here = [a for a, found in zip(key, sections, strict=True) if readout in found]
        assert len(here) >= 20, readout
        assert len({a.tag for a in here}) >= 6, readout
    assert 40 <= len(key) <= 80


def test_translation_key_has_a_severity_on_every_annotation(
    keys: dict[str, list[Annotation]], doc: Document, tagsets: dict[str, TagSet]
) -> None:
    key = keys["translation-critique"]
    severities = tagsets["translation-critique"].attributes["severity"]
    assert all(a.attributes.get("severity") in severities for a in key)
    assert all(set(a.attributes) == {"severity"} for a in key)
    assert all("russian-readout" in _sections_of(doc, a) for a in key)
    assert all(a.comment for a in key), "every critique says what a better rendering is"
    assert 8 <= len(key) <= 20
    by_text = {a.exact: a for a in key}
    assert by_text["S. Whitkoff"].tag == "wrong name"
    assert by_text["Assistent des Präsidenten der Russischen Föderation"].tag == "calque"


# --- a damaged key stops with file and line ----------------------------------------------------


def _elsewhere(doc: Document) -> Callable[[dict[str, Any]], None]:
    """Move an annotation, exactly anchored, onto the commentary (where no tag set applies)."""
    start = doc.text.index("Die Ukraine und der russische Angriffskrieg")
    end = start + len("Die Ukraine")

    def damage(record: dict[str, Any]) -> None:
        position, quote_selector = record["target"]["selector"]
        position.update(start=start, end=end)
        quote_selector.update(quote(doc.text, start, end))

    return damage


def _set_tag(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda record: record["body"][0].__setitem__(key, value)


DAMAGES: dict[str, tuple[str, Callable[[Document], Callable[[dict[str, Any]], None]], str]] = {
    "offsets shifted": (
        "diplomatic-discourse",
        lambda doc: lambda r: r["target"]["selector"][0].update(start=100, end=130),
        "a key must anchor exactly",
    ),
    "quote changed": (
        "diplomatic-discourse",
        lambda doc: lambda r: r["target"]["selector"][1].update(exact="Secretary of Staat"),
        "no longer in document",
    ),
    "unknown document": (
        "diplomatic-discourse",
        lambda doc: lambda r: r["target"].update(source="urn:riyadh-readouts:elsewhere"),
        "the corpus does not have",
    ),
    "unknown tag": ("diplomatic-discourse", lambda doc: _set_tag("value", "threat"), "threat"),
    "other tag set": (
        "diplomatic-discourse",
        lambda doc: _set_tag("tagset", "entities"),
        "this file is the key for 'diplomatic-discourse'",
    ),
    "old tag set version": (
        "diplomatic-discourse",
        lambda doc: _set_tag("tagsetVersion", 7),
        "version 7",
    ),
    "outside the readouts": ("diplomatic-discourse", _elsewhere, "lies outside every section"),
    "bad severity": ("translation-critique", lambda doc: _set_tag("severity", "fatal"), "fatal"),
    "no severity": (
        "translation-critique",
        lambda doc: lambda r: r["body"][0].pop("severity"),
        "has no severity",
    ),
}


def _copy_keys(tmp_path: Path) -> Path:
    folder = tmp_path / "keys"
    shutil.copytree(KEYS, folder, ignore=shutil.ignore_patterns("*.lock"))
    return folder


@pytest.mark.parametrize("damage", DAMAGES)
def test_damaged_key_names_file_and_line(
    damage: str, corpus: Corpus, doc: Document, tmp_path: Path
) -> None:
    name, make, expected = DAMAGES[damage]
    path = _copy_keys(tmp_path) / f"{name}.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = 3  # the third line of the file
    event = json.loads(lines[number - 1])
    make(doc)(event["annotation"])
    lines[number - 1] = json.dumps(event, ensure_ascii=False) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(AnnotationError, match=expected) as caught:
        load_key(name, corpus, folder=path.parent)
    assert (caught.value.path, caught.value.line) == (path, number)
    assert str(caught.value).startswith(f"{path}:{number}: ")


def test_interrupted_line_names_file_and_line(corpus: Corpus, tmp_path: Path) -> None:
    path = _copy_keys(tmp_path) / "translation-critique.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[4] = lines[4][:50] + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(AnnotationError, match="not a complete JSON line") as caught:
        load_key("translation-critique", corpus, folder=path.parent)
    assert (caught.value.path, caught.value.line) == (path, 5)


def test_missing_empty_and_misnamed_keys_are_refused(corpus: Corpus, tmp_path: Path) -> None:
    folder = _copy_keys(tmp_path)
    with pytest.raises(AnnotationError, match="available keys: diplomatic-discourse"):
        load_key("nonsense", corpus, folder=folder)
    (folder / "entities.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(AnnotationError, match="holds no annotations"):
        load_key("entities", corpus, folder=folder)
    shutil.copy(folder / "translation-critique.jsonl", folder / "critique.jsonl")
    with pytest.raises(AnnotationError, match="no tag set 'critique'") as caught:
        load_key("critique", corpus, folder=folder)
    assert caught.value.path == folder / "critique.jsonl"

"""brat standoff as brat and a brat reader from PyPI (bratly) read it: every entity back with
exact offsets and text, its attributes and its note, for the corpus's answer keys and a CRLF
text; and an ``annotation.conf`` and ``visual.conf`` that pass the checks of brat's
``verify_annotations`` (known types, attributes allowed on their types, overlapping spans)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from bratly import AttributeAnnotation, EntityAnnotation, NoteAnnotation
from bratly.io import read_and_load_ann_file, read_from_file

from corpus_tools import Corpus
from corpus_tools.annotate import (
    Annotation,
    Label,
    TagSet,
    available_keys,
    load_key,
    make_annotation,
)
from corpus_tools.annotate.brat import attribute_type, brat_type
from corpus_tools.annotate.exports import write_brat

from ..conftest import CORPUS

KEYS = available_keys(CORPUS / "keys")
_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"  # what str.splitlines splits at
_NOT_IN_A_FIELD = re.compile(f"[\t{_BREAKS}]+")


def _read_back(ann: Path) -> list[tuple]:
    """What bratly reads from ``ann``: per entity its label, fragments, text, attributes and
    note, in a form to compare with :func:`_expected`."""
    collection = read_and_load_ann_file(
        str(ann), no_duplicates=False, sorting=False, renumerotize=False
    )
    assert collection is not None
    items = collection.annotations
    attributes: dict[str, dict[str, tuple[str, ...]]] = {}
    notes: dict[str, str] = {}
    for item in items:
        if isinstance(item, AttributeAnnotation):
            attributes.setdefault(item.component.id, {})[item.label] = tuple(item.values or ())
        elif isinstance(item, NoteAnnotation):
            notes[item.component.id] = item.value
    return [
        (
            entity.label,
            tuple((f.start, f.end) for f in entity.fragments),
            entity.content,
            attributes.get(entity.id, {}),
            notes.get(entity.id),
        )
        for entity in items
        if isinstance(entity, EntityAnnotation)
    ]


def _expected(text: str, annotation: Annotation) -> tuple:
    """The entity brat should see for ``annotation``: its pieces between line breaks and tabs,
    at their exact offsets in ``text``."""
    pieces, cursor = [], annotation.start
    for brk in _NOT_IN_A_FIELD.finditer(text, annotation.start, annotation.end):
        pieces.append((cursor, brk.start()))
        cursor = brk.end()
    pieces.append((cursor, annotation.end))
    pieces = [(a, b) for a, b in pieces if b > a]
    note = _NOT_IN_A_FIELD.sub(" ", annotation.comment) if annotation.comment else None
    attributes = {attribute_type(k): (brat_type(v),) for k, v in annotation.attributes.items()}
    shown = " ".join(text[a:b] for a, b in pieces)
    return brat_type(annotation.tag), tuple(pieces), shown, attributes, note


def _conf(path: Path) -> dict[str, list[str]]:
    """The sections of a brat configuration file: their lines, without comments."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        elif line.strip() and not line.startswith("#"):
            current.append(line)
    return sections


def _verify(folder: Path, ann: Path) -> list[str]:
    """The checks of brat's ``verify_annotations`` on one ``.ann`` (types known to the
    configuration; attributes declared for the entity's type, with a declared value; spans that
    coincide, nest or cross allowed) and brat's own load checks (each entity's text is its
    fragments' text, joined by a space).  Returns the problems, as brat words them."""
    conf = _conf(folder / "annotation.conf")
    assert set(conf) >= {"entities", "relations", "events", "attributes"}
    types = set(conf["entities"])
    declared = {}
    for line in conf["attributes"]:
        name, spec = line.split("\t")
        args = dict(part.split(":", 1) for part in spec.split(", "))
        declared[name] = (set(args["Arg"].split("|")), set(args["Value"].split("|")))
    any_overlap = "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>" in conf["relations"]
    text = read_from_file(str(ann.with_suffix(".txt")))
    problems, spans = [], []
    for label, fragments, shown, attributes, _ in _read_back(ann):
        if label not in types:
            problems.append(f"{label} is not a known textbound type")
        if shown != " ".join(text[a:b] for a, b in fragments):
            problems.append(f"text {shown!r} does not match marked span(s) {fragments}")
        for name, values in attributes.items():
            args, allowed = declared.get(name, (set(), set()))
            if label not in args or not set(values) <= allowed:
                problems.append(f"{label} cannot take a {name} attribute {values}")
        spans.append((fragments[0][0], fragments[-1][1]))
    overlapping = any(a < d and c < b for i, (a, b) in enumerate(spans) for c, d in spans[:i])
    if overlapping and not any_overlap:
        problems.append("annotations cannot overlap")
    return problems


@pytest.mark.parametrize("name", KEYS)
def test_bratly_reads_the_keys_back_and_brat_finds_nothing_to_report(
    name: str, corpus: Corpus, tagsets: dict[str, TagSet], tmp_path: Path
) -> None:
    key = load_key(name, corpus)
    for doc_id in sorted({a.doc_id for a in key}):
        text = corpus[doc_id].text
        mine = [a for a in key if a.doc_id == doc_id]
        txt, ann = write_brat(text, mine, tmp_path / doc_id, tagsets[name])
        assert read_from_file(str(txt)) == text
        back = _read_back(ann)
        assert Counter(map(repr, back)) == Counter(repr(_expected(text, a)) for a in mine)
        for _, fragments, *_ in back:
            assert all(text[a:b] and not _NOT_IN_A_FIELD.search(text[a:b]) for a, b in fragments)
        assert _verify(tmp_path, ann) == []


def test_a_crlf_text_keeps_its_offsets_and_no_fragment_holds_a_line_break(
    tagsets: dict[str, TagSet], tmp_path: Path
) -> None:
    text = "Erste Zeile\r\nzweite\tZeile\r\n\r\ndritte Zeile\rvierte\u2028Zeile.\r\n"
    critique = tagsets["translation-critique"]
    notes = "line one\r\nline two\tafter a tab\u2028end"
    whole = make_annotation(
        text,
        "crlf",
        0,
        text.index("Zeile."),
        "calque",
        critique,
        creator="ada",
        attributes={"severity": "major"},
        comment=notes,
    )
    inner = make_annotation(text, "crlf", 6, 19, "register shift", critique, creator="ada")
    txt, ann = write_brat(text, [whole, inner], tmp_path / "crlf")
    assert read_from_file(str(txt)) == text
    lines = ann.read_text("utf-8").split("\n")
    assert all("\r" not in line for line in lines)
    assert Counter(map(repr, _read_back(ann))) == Counter(
        repr(_expected(text, a)) for a in (whole, inner)
    )
    first, *_ = _read_back(ann)
    assert first[2] == "Erste Zeile zweite Zeile dritte Zeile vierte"
    assert first[4] == "line one line two after a tab end"
    assert "\r" not in "".join(text[a:b] for a, b in first[1])
    assert _verify(tmp_path, ann) == []
    conf = tmp_path / "annotation.conf"
    conf.write_text(conf.read_text("utf-8").replace("<OVERLAP>", "# <OVERLAP>"), "utf-8")
    assert _verify(tmp_path, ann) == ["annotations cannot overlap"]


def test_the_configuration_declares_every_label_with_its_colour(
    tagsets: dict[str, TagSet], tmp_path: Path
) -> None:
    critique = tagsets["translation-critique"]
    write_brat("No annotations yet.", [], tmp_path / "empty", critique)
    conf = _conf(tmp_path / "annotation.conf")
    assert conf["entities"] == [brat_type(label.name) for label in critique.labels]
    assert conf["attributes"] == [
        "Severity\tArg:" + "|".join(conf["entities"]) + ", Value:minor|major|critical"
    ]
    assert conf["events"] == []
    visual = _conf(tmp_path / "visual.conf")
    for label in critique.labels:
        assert f"{brat_type(label.name)} | {label.name}" in visual["labels"]
        assert f"{brat_type(label.name)}\tbgColor:{label.colour}" in visual["drawing"]
    assert "Severity\tglyph:[minor]|[major]|[critical]" in visual["drawing"]


def test_names_with_characters_brat_gives_meaning_to_are_made_safe(tmp_path: Path) -> None:
    slash, colon = "a/b, c|d", "Übersetzung: frei"
    labels = (Label(slash, "", "#123456", "1"), Label(colon, "", "#abcdef", "2"))
    odd = TagSet("odd", 1, "", labels, frozenset(), frozenset(), {"level": ("x:y", "<any>")})
    text = "one two three"
    level = {"level": "x:y"}
    spans = [
        make_annotation(text, "odd", 0, 7, slash, odd, creator="ada", attributes=level),
        make_annotation(text, "odd", 4, 13, colon, odd, creator="ada"),
    ]
    _, ann = write_brat(text, spans, tmp_path / "odd", odd)
    assert [entity[0] for entity in _read_back(ann)] == ["a_b__c_d", "_bersetzung__frei"]
    assert _conf(tmp_path / "annotation.conf")["attributes"] == [
        "Level\tArg:a_b__c_d|_bersetzung__frei, Value:x_y|_any_"
    ]
    shown = _conf(tmp_path / "visual.conf")["labels"]
    assert shown[:2] == ["a_b__c_d | a/b, c¦d", "_bersetzung__frei | Übersetzung: frei"]
    assert _verify(tmp_path, ann) == []

"""Tag sets: the three shipped schemes with their labels, colours and shortcuts; malformed files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from corpus_tools import Corpus, Document
from corpus_tools.annotate import TagSet, load_key, load_tagsets
from corpus_tools.display import escape, guidelines
from corpus_tools.errors import TagSetError

from ..conftest import CORPUS


def test_three_tag_sets_with_labels_colours_and_shortcuts(tagsets: dict[str, TagSet]) -> None:
    assert set(tagsets) == {"diplomatic-discourse", "translation-critique", "entities"}
    discourse = tagsets["diplomatic-discourse"]
    assert [label.name for label in discourse.labels] == [
        "actor", "commitment", "condition", "hedge", "evaluation", "attribution of agency",
        "framing of the war",
    ]  # fmt: skip
    critique = tagsets["translation-critique"]
    assert {label.name: label.mqm for label in critique.labels}["omission"] == "Accuracy / Omission"
    assert all(label.mqm for label in critique.labels)
    assert critique.attributes == {"severity": ("minor", "major", "critical")}
    assert critique.applies_to("readout", "de") and not critique.applies_to("readout", "en")
    assert [label.ner for label in tagsets["entities"].labels] == ["PER", "ORG", "LOC", "DATE"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('    shortcut: "2"\n', '    shortcut: "1"\n', "shortcut '1' is already used on line"),
        ('    colour: "#E69F00"\n', '    colour: green\n', "colour 'green' should be written like"),
        ("  - name: hedge\n", "  - name: actor\n", "label name 'actor' is already used on line"),
        ("  kinds: [official_statement,", "  kinds: [speech, official_statement,",
         "unknown kind 'speech'"),
        ("version: 1\n", "version: one\n", "should be a whole number"),
    ],
)  # fmt: skip
def test_malformed_tag_set_names_file_and_line(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    shutil.copytree(CORPUS / "tagsets", tmp_path / "tagsets")
    path = tmp_path / "tagsets" / "diplomatic-discourse.yaml"
    text = path.read_text("utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), "utf-8")
    with pytest.raises(TagSetError, match=r"diplomatic-discourse\.yaml:\d+: ") as caught:
        load_tagsets(tmp_path / "tagsets")
    assert message in str(caught.value)


# --- guidelines ----------------------------------------------------------------------------------


def _occurrences(text: str, phrase: str) -> list[int]:
    found, start = [], text.find(phrase)
    while start >= 0:
        found.append(start)
        start = text.find(phrase, start + 1)
    return found


@pytest.mark.parametrize("name", ["diplomatic-discourse", "translation-critique"])
def test_every_label_has_guidelines_whose_quotes_are_in_the_text(
    name: str, tagsets: dict[str, TagSet], doc: Document
) -> None:
    tagset = tagsets[name]
    assert tagset.rules and tagset.do_not_tag
    for label in tagset.labels:
        assert label.definition and label.rules, label.name
        for quote in [*label.examples, *(c.text for c in label.counter_examples)]:
            places = _occurrences(doc.text, quote)
            assert places, f"{label.name}: {quote!r} is not in the text"
            sections = [doc.sections.at(start).top for start in places]
            assert any(tagset.applies_to(s.kind, s.language) for s in sections), quote


@pytest.mark.parametrize("name", ["diplomatic-discourse", "translation-critique"])
def test_the_key_tags_every_example_and_no_counter_example(
    name: str, tagsets: dict[str, TagSet], doc: Document, corpus: Corpus
) -> None:
    key = load_key(name, corpus)
    for label in tagsets[name].labels:
        tagged = [(a.start, a.end) for a in key if a.tag == label.name]
        for example in label.examples:
            assert any(doc.text[s:e] == example for s, e in tagged), (label.name, example)
        for counter in label.counter_examples:
            for start in _occurrences(doc.text, counter.text):
                end = start + len(counter.text)
                inside = [(s, e) for s, e in tagged if start <= s and e <= end]
                assert not inside, f"the key tags {label.name} inside {counter.text!r}"


def test_labels_that_need_the_original_are_marked_and_never_in_a_key(
    tagsets: dict[str, TagSet], corpus: Corpus
) -> None:
    critique = tagsets["translation-critique"]
    assert critique.needs_original == {"omission", "addition", "mistranslation"}
    assert {label.mqm.split(" / ")[0] for label in critique.labels if label.needs_original} == {
        "Accuracy"
    }
    assert not critique.needs_original & {a.tag for a in load_key(critique.id, corpus)}
    assert not tagsets["diplomatic-discourse"].needs_original


def test_guidelines_are_shown_in_full(tagsets: dict[str, TagSet]) -> None:
    for tagset in tagsets.values():
        shown = guidelines(tagset)
        for label in tagset.labels:
            for text in [label.definition or label.description, *label.rules, *label.examples]:
                assert text in shown.text and escape(text) in shown.html
            for counter in label.counter_examples:
                assert counter.why in shown.text
        assert "…" not in shown.text.replace("Präsidenten …", "")
    critique = repr(guidelines(tagsets["translation-critique"]))
    assert "[5] omission (Accuracy / Omission)\n" in critique
    assert "needs the original to judge: reported to your instructor, not scored" in critique

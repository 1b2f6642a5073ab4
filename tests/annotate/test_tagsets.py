"""Tag sets: the three shipped schemes with their labels, colours and shortcuts; malformed files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from corpus_tools.annotate import TagSet, load_tagsets
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
        ('    colour: "#55a868"\n', '    colour: green\n', "colour 'green' should be written like"),
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

"""Assignments: the passages and tag set students are asked to tag, and so the scope of scores."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pandas as pd
import pytest

from corpus_tools import Corpus, Document, load_corpus
from corpus_tools.annotate import AnnotationStore, TagSet, load_key, make_annotation
from corpus_tools.annotate.assignments import load_assignment, load_assignments
from corpus_tools.cli import main
from corpus_tools.errors import AssignmentError

from ..conftest import CORPUS, tag_phrase

# Scores are what these tests look at, not the score report's disagreement figure.
pytestmark = pytest.mark.usefixtures("no_disagreement_figure")


def test_the_shipped_assignments_load(corpus: Corpus) -> None:
    found = load_assignments(corpus)
    assert set(found) == {"readout-discourse", "statement-discourse", "readout-critique"}
    readout = found["readout-discourse"]
    assert [p.id for p in readout.passages] == ["p14", "p15", "p16", "p17", "p18"]
    assert readout.tagset.id == readout.key == "diplomatic-discourse"
    assert "p19" not in {p.id for a in found.values() for p in a.passages}


def _score(tmp_path: Path, assignment: str, *files: Path) -> pd.DataFrame:
    report = tmp_path / "report"
    argv = ["score", "--assignment", assignment, "--corpus", str(CORPUS), "--out", str(report)]
    assert main([*argv, *map(str, files)]) == 0
    return pd.read_csv(report / "scores.csv")


def _student(tmp_path: Path, name: str, annotations: list) -> Path:
    store = AnnotationStore(tmp_path / f"{name}.jsonl")
    store.add_many(dataclasses.replace(a, creator=name) for a in annotations)
    return store.path


def test_a_student_who_tags_exactly_the_keys_spans_in_the_passages_scores_one(
    tmp_path: Path, corpus: Corpus
) -> None:
    assignment = load_assignment("readout-discourse", corpus)
    key = load_key(assignment.key, corpus)
    inside = assignment.within(key)
    assert 0 < len(inside) < len(key)  # the key also covers the U.S. statement
    scores = _score(tmp_path, "readout-discourse", _student(tmp_path, "ada", inside))
    assert (scores.f1 == 1).all()
    everything = scores[(scores.tag == "(all)") & (scores.matching == "exact")]
    assert everything.true_pos.item() == len(inside) and everything.false_neg.item() == 0


def test_spans_outside_the_assignment_are_noted_not_scored(
    tmp_path: Path, corpus: Corpus, doc: Document, capsys: pytest.CaptureFixture[str]
) -> None:
    assignment = load_assignment("readout-discourse", corpus)
    inside = assignment.within(load_key(assignment.key, corpus))
    tagset = assignment.tagset
    elsewhere = [
        make_annotation(doc.text, doc.id, start, start + len(words), "actor", tagset, creator="k")
        for words in ("President Trump", "Maria Zakharova")
        for start in [doc.text.index(words)]
    ]
    scores = _score(tmp_path, "readout-discourse", _student(tmp_path, "bob", inside + elsewhere))
    assert (scores.f1 == 1).all()
    out = capsys.readouterr().out
    assert "bob: 2 annotation(s) outside assignment 'readout-discourse'" in out


def test_labels_that_need_the_original_are_reported_apart(
    tmp_path: Path, corpus: Corpus, doc: Document, tagsets: dict[str, TagSet]
) -> None:
    assignment = load_assignment("readout-critique", corpus)
    inside = assignment.within(load_key(assignment.key, corpus))
    suspicion = tag_phrase(
        doc, tagsets, "in der Wirtschaft", "omission", attributes={"severity": "minor"},
        comment="the U.S. list names investment too",
    )  # fmt: skip
    scores = _score(tmp_path, "readout-critique", _student(tmp_path, "cy", [*inside, suspicion]))
    assert "omission" not in set(scores.tag)
    unused = scores.tag == "register shift"  # neither key nor student uses it: F1 undefined
    assert (scores.f1[~unused] == 1).all() and scores.f1[unused].isna().all()
    unjudged = pd.read_csv(tmp_path / "report" / "unjudged.csv")
    assert unjudged[["student", "tag", "text"]].values.tolist() == [
        ["cy", "omission", "in der Wirtschaft"]
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("passages: [p14, p15, p17, p18]", "passages: [p14, p19]", "p19 repeats p16"),
        ("passages: [p14, p15, p17, p18]", "passages: [p14, p16]",
         "key 'translation-critique' has no span in p16"),
        ("passages: [p14, p15, p17, p18]", "passages: [p14, p22]",
         "p22 is in 'reuters-report' .* where tag set 'translation-critique' does not apply"),
        ("passages: [p14, p15, p17, p18]", "passages: [p14, p99]", "no paragraph 'p99'"),
        ("tagset: translation-critique", "tagset: critique", "no such tag set"),
        ("key: translation-critique", "key: entities", "no answer key 'entities'"),
        ("id: readout-critique", "id: critique", "differs from the file name"),
    ],
)  # fmt: skip
@pytest.mark.usefixtures("corpus")  # so that layer_cache holds the document's layers
def test_a_wrong_assignment_names_file_and_line(
    tmp_path: Path, layer_cache: Path, old: str, new: str, message: str
) -> None:
    root = tmp_path / "corpus"
    shutil.copytree(CORPUS, root, ignore=shutil.ignore_patterns(".cache"))
    path = root / "assignments" / "readout-critique.yaml"
    text = path.read_text("utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), "utf-8")
    with pytest.raises(Exception, match=message) as caught:
        # the document is unchanged: its layers come from the run's cache
        load_assignment("readout-critique", load_corpus(root, cache_dir=layer_cache))
    assert str(caught.value).startswith(f"{path}:") or "no answer key" in str(caught.value)
    if "no answer key" not in message:
        assert isinstance(caught.value, AssignmentError)

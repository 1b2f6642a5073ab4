"""The simulated class: reproducible, valid annotations with realistic mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus_tools import Document
from corpus_tools.agreement import key_sections
from corpus_tools.annotate import AnnotationStore, TagSet, load_tagsets, make_annotation
from corpus_tools.annotate.record import Annotation
from corpus_tools.errors import GradingError
from corpus_tools.grading import grade, load_class
from corpus_tools.simulation import (
    DISCOURSE_CONFUSIONS,
    ErrorRates,
    neighbour_confusions,
    simulate_class,
    write_class,
)

from .conftest import CORPUS

PHRASES = [
    ("Secretary of State Marco Rubio", "actor"),
    ("We agreed to", "commitment"),
    ("as soon as possible", "hedge"),
    ("which will emerge from a successful end to the conflict in Ukraine", "condition"),
    ("an important step forward", "evaluation"),
    ("the conflict in Ukraine", "framing of the war"),
    ("Beide Seiten kamen überein", "commitment"),
    ("so bald wie möglich", "hedge"),
    ("hervorragende Organisation", "evaluation"),
]


@pytest.fixture(scope="module")
def tagset() -> TagSet:
    return load_tagsets(CORPUS / "tagsets")["diplomatic-discourse"]


@pytest.fixture(scope="module")
def key(doc: Document, tagset: TagSet) -> list[Annotation]:
    made = []
    for phrase, tag in PHRASES:
        start = doc.text.index(phrase)
        made.append(
            make_annotation(
                doc.text, doc.id, start, start + len(phrase), tag, tagset, creator="key"
            )
        )
    return made


def test_the_same_seed_gives_the_same_class_and_another_seed_another(
    doc: Document, key: list[Annotation], tagset: TagSet
) -> None:
    first = simulate_class(key, doc, students=8, seed=11, tagset=tagset)
    again = simulate_class(key, doc, students=8, seed=11, tagset=tagset)
    other = simulate_class(key, doc, students=8, seed=12, tagset=tagset)
    assert first == again
    assert first != other
    assert list(first) == [f"student-{n}" for n in range(1, 9)]
    assert len({a.id for anns in first.values() for a in anns}) == sum(map(len, first.values()))


def test_simulated_annotations_are_valid_and_make_each_kind_of_mistake(
    doc: Document, key: list[Annotation], tagset: TagSet
) -> None:
    rates = ErrorRates(miss=0.4, shift=0.9, confuse=0.8, spurious=0.3, skill_low=0.2)
    klass = simulate_class(key, doc, students=40, seed=3, tagset=tagset, rates=rates)
    token_starts = {t.start for t in doc.tokens}
    token_ends = {t.end for t in doc.tokens}
    gold = {(a.start, a.end): a.tag for a in key}
    sections = key_sections(key, {doc.id: doc})
    pairs = {frozenset(p) for p in neighbour_confusions(tagset)}
    seen = {"missed": 0, "shifted": 0, "confused": 0, "spurious": 0}
    for name, made in klass.items():
        spans = {(a.start, a.end) for a in made}
        seen["missed"] += len(set(gold) - spans)
        for a in made:
            assert doc.text[a.start : a.end] == a.exact and a.creator == name
            assert a.tagset == tagset.id and a.start < a.end
            if (a.start, a.end) in gold:
                if a.tag != gold[a.start, a.end]:
                    assert frozenset((a.tag, gold[a.start, a.end])) in pairs
                    seen["confused"] += 1
                continue
            assert a.start in token_starts and a.end in token_ends  # snapped to tokens
            assert any(s.start <= a.start and a.end <= s.end for s in sections)
            if any(a.start < e and s < a.end for s, e in gold):
                seen["shifted"] += 1
            else:
                seen["spurious"] += 1
    assert all(count > 0 for count in seen.values()), seen


def test_shifted_boundaries_move_by_exactly_one_token(
    doc: Document, key: list[Annotation], tagset: TagSet
) -> None:
    one = [a for a in key if a.exact == "as soon as possible"]
    rates = ErrorRates(miss=0, shift=1, confuse=0, spurious=0, skill_low=0.0, skill_high=0.0)
    klass = simulate_class(one, doc, students=30, seed=5, tagset=tagset, rates=rates)
    tokens = list(doc.tokens)
    index = {t.start: i for i, t in enumerate(tokens)}
    first = index[one[0].start]
    last = first + 3  # as soon as possible: four tokens
    seen = set()
    for (annotation,) in klass.values():
        start, end = (
            index[annotation.start],
            next(i for i, t in enumerate(tokens) if t.end == annotation.end),
        )
        assert (abs(start - first) + abs(end - last)) == 1
        seen.add((start - first, end - last))
    assert seen == {(-1, 0), (1, 0), (0, -1), (0, 1)}


def test_confusions_can_be_given_and_are_checked(
    doc: Document, key: list[Annotation], tagset: TagSet
) -> None:
    rates = ErrorRates(miss=0, shift=0, confuse=1, spurious=0, skill_low=0.0, skill_high=0.0)
    klass = simulate_class(
        key, doc, students=5, seed=1, tagset=tagset, confusions=DISCOURSE_CONFUSIONS, rates=rates
    )
    allowed = {frozenset(p) for p in DISCOURSE_CONFUSIONS}
    gold = {(a.start, a.end): a.tag for a in key}
    for made in klass.values():
        for a in made:
            assert frozenset((a.tag, gold[a.start, a.end])) in allowed
    assert neighbour_confusions(tagset)[:2] == (
        ("actor", "commitment"),
        ("commitment", "condition"),
    )
    with pytest.raises(GradingError, match="'cheese', not a label"):
        simulate_class(key, doc, students=2, tagset=tagset, confusions=[("hedge", "cheese")])
    with pytest.raises(GradingError, match="no annotation of document"):
        simulate_class([], doc, students=2, tagset=tagset)


def test_a_written_class_reads_back_and_scores(
    tmp_path: Path, doc: Document, key: list[Annotation], tagset: TagSet
) -> None:
    klass = simulate_class(key, doc, students=4, seed=2, tagset=tagset)
    paths = write_class(klass, tmp_path)
    assert [p.name for p in paths] == [f"student-{n}.jsonl" for n in range(1, 5)]
    read = load_class(paths, {doc.id: doc.text}, key=key)
    assert read.by_student() == klass and not read.skipped
    assert AnnotationStore(paths[0]).load().annotations == klass["student-1"]
    results = grade(key, read, {doc.id: doc})
    assert results.students == tuple(klass)
    with pytest.raises(GradingError, match="already exist"):
        write_class(klass, tmp_path)

"""Grading: scores against a key, agreement over tokens, disagreement, files, report and CLI."""

from __future__ import annotations

import html
import itertools
import json
import math
import os
import re
import shutil
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
import pytest

from corpus_tools import Document
from corpus_tools.agreement import (
    TokenMarks,
    agreement,
    disagreement,
    kappa_by_student,
    key_sections,
    pairwise_kappa,
    token_marks,
)
from corpus_tools.annotate import AnnotationStore, TagSet, load_tagsets, make_annotation
from corpus_tools.annotate.record import Annotation
from corpus_tools.annotate.store import LoadReport
from corpus_tools.cli import main
from corpus_tools.display import render_disagreement
from corpus_tools.errors import GradingError
from corpus_tools.grading import (
    ALL_TAGS,
    ClassAnnotations,
    _overlap_matches,
    fold_repeated,
    grade,
    load_class,
    read_key,
    score,
    summary,
    write_report,
)

from .conftest import CORPUS

KEY_PHRASES = [
    ("Secretary of State Marco Rubio", "actor"),
    ("We agreed to", "commitment"),
    ("as soon as possible", "hedge"),
    ("which will emerge from a successful end to the conflict in Ukraine", "condition"),
    ("an important step forward", "evaluation"),
    ("Beide Seiten kamen überein", "commitment"),
    ("so bald wie möglich", "hedge"),
    ("hervorragende Organisation", "evaluation"),
]


@pytest.fixture(scope="module")
def tagsets() -> dict[str, TagSet]:
    return load_tagsets(CORPUS / "tagsets")


@pytest.fixture(scope="module")
def discourse(tagsets: dict[str, TagSet]) -> TagSet:
    return tagsets["diplomatic-discourse"]


@pytest.fixture(scope="module")
def key(doc: Document, discourse: TagSet) -> list[Annotation]:
    return [_phrase(doc, discourse, phrase, tag, "key") for phrase, tag in KEY_PHRASES]


def _phrase(doc: Document, tagset: TagSet, phrase: str, tag: str, who: str) -> Annotation:
    start = doc.text.index(phrase)
    return _span(doc, tagset, start, start + len(phrase), tag, who)


def _span(doc: Document, tagset: TagSet, start: int, end: int, tag: str, who: str) -> Annotation:
    return make_annotation(doc.text, doc.id, start, end, tag, tagset, creator=who)


def _row(scores: pd.DataFrame, student: str, tag: str, matching: str) -> pd.Series:
    found = scores[
        (scores.student == student) & (scores.tag == tag) & (scores.matching == matching)
    ]
    assert len(found) == 1
    return found.iloc[0]


# --- scores --------------------------------------------------------------------------------------


def test_exact_and_overlap_matching_give_the_known_precision_recall_and_f1(
    doc: Document, discourse: TagSet
) -> None:
    base = doc.section("us-statement").start
    gold = [
        _span(doc, discourse, base, base + 20, "commitment", "key"),
        _span(doc, discourse, base + 40, base + 50, "commitment", "key"),
        _span(doc, discourse, base + 60, base + 70, "hedge", "key"),
    ]
    ada = [
        _span(doc, discourse, base, base + 20, "commitment", "ada"),  # exact
        _span(doc, discourse, base + 45, base + 55, "commitment", "ada"),  # overlaps
        _span(doc, discourse, base + 80, base + 90, "commitment", "ada"),  # spurious
        _span(doc, discourse, base + 100, base + 110, "actor", "ada"),
    ]
    scores = score(gold, {"ada": ada})
    exact = _row(scores, "ada", "commitment", "exact")
    assert (exact.true_pos, exact.false_pos, exact.false_neg) == (1, 2, 1)
    assert exact.precision == pytest.approx(1 / 3) and exact.recall == pytest.approx(1 / 2)
    assert exact.f1 == pytest.approx(2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2))
    overlap = _row(scores, "ada", "commitment", "overlap")
    assert (overlap.true_pos, overlap.false_pos, overlap.false_neg) == (2, 1, 0)
    assert (overlap.precision, overlap.recall, overlap.f1) == pytest.approx((2 / 3, 1, 0.8))
    hedge = _row(scores, "ada", "hedge", "overlap")  # in the key, never used by ada
    assert math.isnan(hedge.precision) and hedge.recall == 0 and hedge.f1 == 0
    actor = _row(scores, "ada", "actor", "overlap")  # used by ada, not in the key
    assert actor.precision == 0 and math.isnan(actor.recall) and actor.f1 == 0
    total = _row(scores, "ada", ALL_TAGS, "overlap")  # micro-average: counts summed
    assert (total.true_pos, total.false_pos, total.false_neg) == (2, 2, 1)
    assert total.f1 == pytest.approx(4 / 7)
    assert list(scores.columns) == [
        "student",
        "tag",
        "matching",
        "true_pos",
        "false_pos",
        "false_neg",
        "precision",
        "recall",
        "f1",
    ]
    assert list(scores.tag.unique()) == ["actor", "commitment", "hedge", ALL_TAGS]
    assert list(zip(scores.tag, scores.matching, strict=True))[:3] == [
        ("actor", "exact"),
        ("actor", "overlap"),
        ("commitment", "exact"),
    ]


def test_overlap_matching_is_one_to_one_and_as_large_as_possible(
    doc: Document, discourse: TagSet
) -> None:
    b = doc.section("russian-readout").start
    gold = [
        _span(doc, discourse, b, b + 10, "actor", "key"),
        _span(doc, discourse, b + 10, b + 14, "actor", "key"),
    ]
    # bob's first span overlaps key 1 by 8 and key 2 by 2, his second overlaps key 1 by 3:
    # greedily key 1 would take the first span and leave key 2 unmatched; an augmenting path
    # gives key 2 the first span and key 1 the second, so both are found.
    bob = [
        _span(doc, discourse, b + 2, b + 12, "actor", "bob"),
        _span(doc, discourse, b, b + 3, "actor", "bob"),
    ]
    # cyd gives one span twice and one span that covers both key spans.
    cyd = [
        _span(doc, discourse, b, b + 10, "actor", "cyd"),
        _span(doc, discourse, b, b + 10, "actor", "cyd"),
        _span(doc, discourse, b, b + 14, "actor", "cyd"),
    ]
    scores = score(gold, {"cyd": cyd, "bob": bob}, tags=["actor"])
    assert list(scores.student.unique()) == ["bob", "cyd"]
    counts = {
        (r.student, r.matching): (r.true_pos, r.false_pos, r.false_neg)
        for r in scores[scores.tag == "actor"].itertuples()
    }
    assert counts["bob", "overlap"] == (2, 0, 0)
    assert counts["bob", "exact"] == (0, 2, 2)
    assert counts["cyd", "exact"] == (1, 2, 1)
    assert counts["cyd", "overlap"] == (2, 1, 0)


def test_overlap_matching_finds_as_many_pairs_as_a_search_of_every_assignment() -> None:
    rng = np.random.default_rng(11)
    for _ in range(300):
        key, student = (_random_spans(rng, int(rng.integers(0, 5))) for _ in range(2))
        partners = [*range(len(student)), *[None] * len(key)]  # None: no partner
        best = max(
            sum(_overlaps(key[i], student[j]) for i, j in enumerate(chosen) if j is not None)
            for chosen in itertools.permutations(partners, len(key))
        )
        assert _overlap_matches(key, student) == best, (key, student)


def _random_spans(rng: np.random.Generator, count: int) -> list[tuple[int, int]]:
    starts = rng.integers(0, 30, size=count)
    return [(int(s), int(s + rng.integers(1, 8))) for s in starts]


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return min(a[1], b[1]) > max(a[0], b[0])


def test_the_key_against_itself_scores_one(key: list[Annotation]) -> None:
    scores = score(key, {"key": key})
    assert (scores.f1 == 1).all() and (scores.false_pos == 0).all()


@pytest.mark.parametrize("path", sorted((CORPUS / "keys").glob("*.jsonl")), ids=lambda p: p.stem)
def test_each_shipped_key_scored_against_itself_has_f1_one(path: Path, doc: Document) -> None:
    gold = read_key(path, {doc.id: doc.text})
    klass = load_class([path], {doc.id: doc.text}, key=gold)
    assert not klass.skipped
    results = grade(gold, klass, {doc.id: doc})
    assert (results.scores.f1 == 1).all()
    assert results.scores.true_pos.sum() == 2 * 2 * len(gold)  # per tag and (all), two matchings


# --- agreement -----------------------------------------------------------------------------------


def _marks(data: Sequence[Sequence[int]] | np.ndarray, tags: Sequence[str] = ("x",)) -> TokenMarks:
    array = np.asarray(data, dtype=np.uint8)
    if array.ndim == 2:
        array = array[:, None, :]
    names = tuple(f"a{i}" for i in range(len(array)))
    units = array.shape[2]
    tokens = pd.DataFrame(
        {
            "doc": "d",
            "token": [f"t{i + 1}" for i in range(units)],
            "start": range(0, 2 * units, 2),
            "end": range(1, 2 * units, 2),
            "text": "w",
            "sentence": "s1",
            "paragraph": "p1",
            "section": "s",
        }
    )
    sentence = {
        "doc": "d",
        "sentence": "s1",
        "paragraph": "p1",
        "section": "s",
        "start": 0,
        "end": 2 * units - 1,
        "text": " ".join("w" * units),
    }
    return TokenMarks(names, tuple(tags), tokens, pd.DataFrame([sentence]), array)


def test_alpha_and_kappa_of_a_small_case_worked_by_hand() -> None:
    # Coincidences: o11 = 2, o10 = o01 = 1, o00 = 4; n1 = 3, n0 = 5, n = 8.
    # alpha = 1 - (2/8) / (2 * 3 * 5 / (8 * 7)) = 8/15.  kappa: po = 3/4, pe = 1/2, so 1/2.
    data = [[1, 1, 0, 0], [1, 0, 0, 0]]
    row = agreement(_marks(data)).iloc[0]
    assert row.alpha == pytest.approx(8 / 15)
    assert row.alpha == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    )
    assert row.mean_kappa == pytest.approx(0.5) and row.kappa_pairs == 1
    assert (row.annotators, row.tokens, row.used_by, row.marked) == (2, 4, 2, 3 / 8)


def test_alpha_and_kappa_are_one_for_identical_annotators() -> None:
    row = agreement(_marks([[0, 1, 1, 0, 1]] * 4)).iloc[0]
    assert row.alpha == pytest.approx(1) and row.mean_kappa == pytest.approx(1)
    assert row.kappa_pairs == 6 and row.note == ""


def test_pairwise_kappa_matches_a_hand_computation_for_every_pair() -> None:
    data = np.random.default_rng(7).integers(0, 2, size=(6, 40))
    data[4] = 0  # marked nothing: kappa 0 with anyone who marked something
    kappa = pairwise_kappa(data)
    for i in range(6):
        assert math.isnan(kappa[i, i])
        for j in range(6):
            if i == j:
                continue
            a, b = data[i], data[j]
            observed = np.mean(a == b)
            chance = a.mean() * b.mean() + (1 - a.mean()) * (1 - b.mean())
            assert kappa[i, j] == pytest.approx((observed - chance) / (1 - chance))
    assert kappa[4, 0] == pytest.approx(0)
    by_student = kappa_by_student(_marks(data)).set_index("student")
    assert by_student.mean_kappa.is_monotonic_increasing  # who deviates most comes first
    for i in range(6):
        others = [kappa[i, j] for j in range(6) if j != i]
        assert by_student.loc[f"a{i}", "mean_kappa"] == pytest.approx(np.mean(others))
        assert by_student.loc[f"a{i}", "pairs"] == 5


def test_degenerate_tags_give_nan_with_a_reason_and_no_warning() -> None:
    data = np.zeros((3, 3, 5), dtype=np.uint8)
    data[:, 1, :] = 1  # everybody marked every token with tag b
    data[0, 2, 1] = 1  # tag c: one annotator marked a token
    data[1:, 2, :] = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = agreement(_marks(data, tags=("a", "b", "c")))
        pair = pairwise_kappa(np.zeros((2, 5)))
        one = agreement(_marks([[1, 0, 1]]))
        spread = disagreement(_marks(data, tags=("a", "b", "c")))
    rows = table.set_index("tag")
    assert math.isnan(rows.loc["a", "alpha"]) and math.isnan(rows.loc["a", "mean_kappa"])
    assert rows.loc["a", "note"] == "nobody used this tag here"
    assert rows.loc["b", "note"] == "everyone marked every token"
    # Tag c: the two annotators who marked nothing have no kappa with each other.
    assert rows.loc["c", "kappa_pairs"] == 2 and rows.loc["c", "mean_kappa"] == pytest.approx(0)
    assert np.isnan(pair).all()
    assert one.iloc[0].note == "fewer than two annotators" and math.isnan(one.iloc[0].alpha)
    assert spread.annotators == 3 and (spread.by_tag["b"] == 0).all()
    assert spread.passages.tag.tolist() == ["c"]
    assert spread.by_tag["c"].tolist() == [0, 2 / 3, 0, 0, 0]


def test_token_marks_cover_every_token_a_span_overlaps(
    doc: Document, discourse: TagSet, key: list[Annotation]
) -> None:
    sections = key_sections(key, {doc.id: doc})
    assert [s.id for s in sections] == ["us-statement", "russian-readout"]
    phrase = "as soon as possible"
    start = doc.text.index(phrase)
    partial = _span(doc, discourse, start + 3, start + 5, "hedge", "ada")  # inside “soon”
    outside = _phrase(doc, discourse, "Die USA und Russland", "actor", "ada")  # title: not in scope
    marks = token_marks(
        {"key": key, "ada": [partial, outside]}, {doc.id: doc}, sections, tags=["hedge", "actor"]
    )
    tokens = marks.tokens
    repeated = doc.paragraphs[18]  # p19 repeats p16 and counts once
    assert repeated.duplicate_of == "p16" and "p19" not in set(tokens.paragraph)
    assert len(tokens) == len(doc.tokens.covered_by(*_bounds(sections[0]))) + len(
        doc.tokens.covered_by(*_bounds(sections[1]))
    ) - len(doc.tokens.covered_by(repeated.start, repeated.end))
    hedge_key = tokens[marks.marks[0, 0] == 1]
    assert "so bald wie möglich" in " ".join(hedge_key.text)
    assert " ".join(hedge_key.text[hedge_key.section == "us-statement"]) == phrase
    assert list(tokens.text[marks.marks[1, 0] == 1]) == ["soon"]
    assert marks.marks[1, 1].sum() == 0
    assert (tokens.end - tokens.start == tokens.text.str.len()).all()
    assert all(
        doc.text[s:e] == t for s, e, t in zip(tokens.start, tokens.end, tokens.text, strict=True)
    )


def _bounds(section: object) -> tuple[int, int]:
    return section.start, section.end  # type: ignore[attr-defined]


def test_agreement_over_chosen_sections_and_unknown_ones_refused(
    doc: Document, key: list[Annotation]
) -> None:
    klass = {"key": key, "half": key[::2]}
    results = grade(key, klass, {doc.id: doc}, sections=["us-statement"], tags=["actor"])
    assert results.sections == ("us-statement",)
    assert set(results.disagreement.tokens.section) == {"us-statement"}
    assert results.agreement.tag.tolist()[0] == "actor"  # given tags first, then the others
    assert set(results.agreement.tag) == {a.tag for a in key}
    with pytest.raises(GradingError, match="no section 'nowhere'"):
        grade(key, klass, {doc.id: doc}, sections=["nowhere"])


# --- disagreement --------------------------------------------------------------------------------


def test_disagreement_per_token_and_passages_ranked_most_disputed_first(
    doc: Document, discourse: TagSet
) -> None:
    sections = [doc.section("us-statement")]
    split = "President Trump is the only leader in the world who can get Ukraine and Russia"
    shared = "President Trump wants to stop the killing"
    half = "We agreed to"

    def person(tag_split: str, also_half: bool, who: str) -> list[Annotation]:
        made = [
            _phrase(doc, discourse, split, tag_split, who),
            _phrase(doc, discourse, shared, "commitment", who),
        ]
        return made + ([_phrase(doc, discourse, half, "commitment", who)] if also_half else [])

    klass = {
        "a": person("actor", True, "a"),
        "b": person("hedge", True, "b"),
        "c": person("evaluation", False, "c"),
        "d": person("condition", False, "d"),
    }
    result = disagreement(token_marks(klass, {doc.id: doc}, sections))
    tokens = result.tokens.set_index("text")
    by_tag = result.by_tag.set_axis(result.tokens.text)
    assert tokens.loc["leader", "disagreement"] == pytest.approx(1)  # four different tags
    assert by_tag.loc["leader", "actor"] == pytest.approx(3 / 6)  # 1 of 4 marked: 3 of 6 pairs
    assert tokens.loc["agreed", "disagreement"] == pytest.approx(4 / 6)  # 2 and 2
    assert tokens.loc["killing", "disagreement"] == 0  # all four agree
    passages = result.passages
    first = passages.iloc[0]
    assert split in first.text and first.tag in {"actor", "hedge", "evaluation", "condition"}
    assert passages.iloc[1].text == "We agreed to:" and passages.iloc[1].tag == "commitment"
    assert passages.disagreement.is_monotonic_decreasing
    assert passages.loc[passages.text.str.startswith("President Trump wants"), "peak"].item() == 0
    assert all(doc.text[r.start : r.end] == r.text for r in passages.itertuples())
    rendered = render_disagreement(result, {doc.id: doc}, top=1)
    assert repr(rendered).splitlines()[1].startswith("0.75 s11: President Trump is the only")
    paragraphs = re.findall(r"</small> (.*?)</p>", rendered.html)
    plain = [html.unescape(re.sub(r"<[^>]+>", "", p)) for p in paragraphs]
    assert plain == [p.text for p in doc.paragraphs.covered_by(*_bounds(sections[0]))]
    assert 'title="1.00 (actor 0.50, condition 0.50, evaluation 0.50, hedge 0.50)">leader' in (
        rendered.html
    )


def test_a_tag_named_like_a_column_is_noted_and_breaks_nothing(
    doc: Document, discourse: TagSet, key: list[Annotation]
) -> None:
    odd = [_phrase(doc, discourse, p, tag, "eve") for p, tag in KEY_PHRASES[:2]]
    odd += [  # as a file edited by hand would have them: the widget offers no such tag
        replace(a, tag=name, creator="eve") for a, name in zip(key, ("text", "start"), strict=False)
    ]
    results = grade(
        key,
        {"ada": list(key), "eve": odd},
        {doc.id: doc},
        tags=[label.name for label in discourse.labels],
    )
    assert results.notes == ("tag(s) not in the tag set, scored as mistakes: start, text",)
    tokens = results.disagreement.tokens
    assert all(doc.text[r.start : r.end] == r.text for r in tokens.itertuples())
    assert results.disagreement.by_tag["text"].max() == 1
    rendered = render_disagreement(results.disagreement, {doc.id: doc})
    assert "Secretary" in rendered.html
    eve = results.scores.query("student == 'eve' and tag == 'text' and matching == 'exact'")
    assert eve.false_pos.item() == 1


# --- reading files -------------------------------------------------------------------------------


def test_bad_foreign_and_empty_files_are_skipped_by_name_and_the_rest_is_scored(
    tmp_path: Path, doc: Document, tagsets: dict[str, TagSet], key: list[Annotation]
) -> None:
    discourse, entities = tagsets["diplomatic-discourse"], tagsets["entities"]
    texts = {doc.id: doc.text}
    good = AnnotationStore(tmp_path / "good.jsonl")
    good.add_many(key[:4])  # creator "key": renamed below
    with open(good.path, "a", encoding="utf-8") as stream:
        stream.write('{"event": "add", "annotation": {"id": "cut off')
    ada = tmp_path / "ada-file.jsonl"
    AnnotationStore(ada).add_many([_phrase(doc, discourse, "We agreed to", "commitment", "Ada")])
    nameless = tmp_path / "nameless.jsonl"
    AnnotationStore(nameless).add(_phrase(doc, discourse, "We agreed to", "commitment", " "))
    second_ada = tmp_path / "ada-again.jsonl"
    AnnotationStore(second_ada).add(_phrase(doc, discourse, "as soon as", "hedge", "Ada"))
    (tmp_path / "notes.txt").write_text("my notes\nnot JSON\n", encoding="utf-8")
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "records.jsonl").write_text(json.dumps({"id": "x", "type": "Annotation"}) + "\n")
    AnnotationStore(tmp_path / "entities.jsonl").add(
        _phrase(doc, entities, "Marco Rubio", "person", "Eve")
    )
    other = _phrase(doc, discourse, "We agreed to", "commitment", "Max")
    other_doc = replace(other, doc="another-document")
    AnnotationStore(tmp_path / "other-doc.jsonl").add(other_doc)
    paths = [
        good.path,
        ada,
        nameless,
        second_ada,
        tmp_path / "notes.txt",
        tmp_path / "empty.jsonl",
        tmp_path / "records.jsonl",
        tmp_path / "entities.jsonl",
        tmp_path / "other-doc.jsonl",
        tmp_path / "missing.jsonl",
        tmp_path / "key.jsonl",
    ]
    AnnotationStore(tmp_path / "key.jsonl").add_many(key)
    klass = load_class(paths, texts, key=key, key_path=tmp_path / "key.jsonl")
    reasons = {s.path.name: s.reason for s in klass.skipped}
    assert set(reasons) == {
        "notes.txt",
        "empty.jsonl",
        "records.jsonl",
        "entities.jsonl",
        "other-doc.jsonl",
        "missing.jsonl",
        "key.jsonl",
    }
    assert reasons["notes.txt"].startswith("not an annotation file")
    assert reasons["records.jsonl"].startswith("not an annotation file")
    assert reasons["empty.jsonl"] == "empty file"
    assert "foreign" in reasons["entities.jsonl"] and "'entities'" in reasons["entities.jsonl"]
    assert "another-document" in reasons["other-doc.jsonl"]
    assert reasons["missing.jsonl"] == "no such file"
    assert reasons["key.jsonl"] == "this is the answer key"
    assert klass.students == ("key", "Ada", "nameless", "Ada (ada-again)")
    first = klass.submissions[0]
    assert len(first.annotations) == 4
    assert first.notes == ("line 5: not a complete JSON line (an interrupted write?)",)
    results = grade(key, klass, {doc.id: doc})
    assert set(results.scores.student) == set(klass.students)
    assert len(results.skipped) == 7 and "line 5" in results.notes[0]
    text = summary(results)
    assert "scored 4 student(s)" in text and "notes.txt: not an annotation file" in text


def test_hostile_lines_are_skipped_with_their_number_and_the_file_is_still_scored(
    tmp_path: Path, doc: Document, key: list[Annotation], monkeypatch: pytest.MonkeyPatch
) -> None:
    good = key[0].to_w3c()
    bad = [
        {"event": ["add"], "annotation": good},  # an event that is not a string
        {"event": "add", "annotation": _with_position(good, float("inf"), 10)},
        {"event": "add", "annotation": _with_position(good, 500, 400)},  # reversed
        {"event": "add", "annotation": _with_position(good, -5, -1)},  # negative
    ]
    lines = [json.dumps({"event": "add", "annotation": good})]
    lines += [json.dumps(event) for event in bad] + ["[" * 100_000 + "]" * 100_000]
    path = tmp_path / "eve.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    klass = load_class([path], {doc.id: doc.text}, key=key)
    (eve,) = klass.submissions
    assert len(eve.annotations) == 1 and not klass.skipped
    assert [note.split(":")[0] for note in eve.notes] == [f"line {n}" for n in range(2, 7)]
    assert "empty or negative" in eve.notes[2] and "empty or negative" in eve.notes[3]
    broken = tmp_path / "broken.jsonl"
    shutil.copy(path, broken)
    real_load = AnnotationStore.load

    def load(store: AnnotationStore, texts: Mapping[str, str] | None = None) -> LoadReport:
        if store.path == broken:
            raise RuntimeError("disk on fire")
        return real_load(store, texts)

    monkeypatch.setattr(AnnotationStore, "load", load)
    klass = load_class([path, broken], {doc.id: doc.text}, key=key)
    assert klass.students == ("key",) and len(klass.skipped) == 1
    assert str(klass.skipped[0]) == f"{broken}: cannot be scored (RuntimeError: disk on fire)"


def _with_position(w3c: dict, start: float, end: float) -> dict:
    changed = json.loads(json.dumps(w3c))
    for selector in changed["target"]["selector"]:
        if selector["type"] == "TextPositionSelector":
            selector.update(start=start, end=end)
    return changed


def test_a_key_that_is_missing_damaged_or_empty_stops_with_file_and_line(
    tmp_path: Path, doc: Document, key: list[Annotation]
) -> None:
    texts = {doc.id: doc.text}
    with pytest.raises(GradingError, match="no such answer key"):
        read_key(tmp_path / "nope.jsonl", texts)
    damaged = AnnotationStore(tmp_path / "damaged.jsonl")
    damaged.add_many(key[:2])
    with open(damaged.path, "a", encoding="utf-8") as stream:
        stream.write("{oops\n")
    with pytest.raises(GradingError, match=r"damaged\.jsonl:3: not a complete JSON line"):
        read_key(damaged.path, texts)
    moved = AnnotationStore(tmp_path / "moved.jsonl")
    moved.add(replace(key[0], start=key[0].start - 2, end=key[0].end - 2))
    with pytest.raises(GradingError, match=r"moved\.jsonl:1: annotation .* correct its offsets"):
        read_key(moved.path, texts)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(GradingError, match="holds no annotations"):
        read_key(empty, texts)
    with pytest.raises(GradingError, match="no student annotations"):
        grade(key, ClassAnnotations(()), {doc.id: doc})


# --- report and command --------------------------------------------------------------------------


def test_write_report_writes_the_whole_report_or_leaves_the_old_one(
    tmp_path: Path, doc: Document, key: list[Annotation], monkeypatch: pytest.MonkeyPatch
) -> None:
    klass = {"key": key, "half": key[::2]}
    results = grade(key, klass, {doc.id: doc})
    monkeypatch.setattr(os, "umask", _fixed_umask(0o022))
    written = write_report(results, tmp_path / "out")
    assert [p.name for p in written] == REPORT
    assert pd.read_csv(written[0]).shape == results.scores.shape
    kappas = pd.read_csv(written[2])
    assert set(kappas.student) == {"key", "half"} and (kappas.pairs <= 1).all()
    assert pd.read_csv(written[3]).text.iloc[0] == results.disagreement.passages.text.iloc[0]
    assert written[4].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert {p.stat().st_mode & 0o777 for p in written} == {0o644}  # others may read it
    # The figure fails after the tables were written: every earlier file is left as it was.
    import corpus_tools.figures

    def broken(*_: object) -> None:
        raise RuntimeError("cannot draw")

    before = [p.read_bytes() for p in written]
    monkeypatch.setattr(corpus_tools.figures, "plot_disagreement", broken)
    changed = grade(key, {"key": key, "half": key[::3]}, {doc.id: doc})
    with pytest.raises(RuntimeError):
        write_report(changed, tmp_path / "out")
    assert [p.read_bytes() for p in written] == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(REPORT)


REPORT = [
    "scores.csv",
    "agreement.csv",
    "kappa_by_student.csv",
    "passages.csv",
    "disagreement.png",
]


def _fixed_umask(value: int) -> Callable[[int], int]:
    def umask(_: int) -> int:
        return value

    return umask


def test_score_command_end_to_end(
    tmp_path: Path,
    doc: Document,
    discourse: TagSet,
    key: list[Annotation],
    capsys: pytest.CaptureFixture[str],
) -> None:
    AnnotationStore(tmp_path / "key.jsonl").add_many(key)
    students = tmp_path / "students"
    AnnotationStore(students / "ada.jsonl").add_many(
        [_span(doc, discourse, a.start, a.end, a.tag, "ada") for a in key[:5]]
    )
    AnnotationStore(students / "bob.jsonl").add_many(
        [_span(doc, discourse, a.start, a.end, "actor", "bob") for a in key]
    )
    (students / "junk.txt").write_text("not annotations")
    files = sorted(str(p) for p in students.iterdir())  # includes the store's lock files
    status = _score_command(tmp_path, *files)
    out = capsys.readouterr().out
    assert status == 0
    assert "scored 2 student(s)" in out and "junk.txt: not an annotation file" in out
    assert "attribution of agency" in out and "nobody used this tag here" in out
    assert "passages where the class disagrees most" in out and "lock" not in out
    assert sorted(p.name for p in (tmp_path / "report").iterdir()) == sorted(REPORT)
    scores = pd.read_csv(tmp_path / "report" / "scores.csv")
    ada = scores[(scores.student == "ada") & (scores.tag == ALL_TAGS)]
    assert list(ada.precision) == [1.0, 1.0] and list(ada.recall) == [5 / 8, 5 / 8]


def _score_command(tmp_path: Path, *files: Path | str) -> int:
    """``corpus-tools score`` against ``tmp_path/key.jsonl``, the report in ``tmp_path/report``."""
    key, report = tmp_path / "key.jsonl", tmp_path / "report"
    return main(["score", "--key", str(key), "--corpus", str(CORPUS), "--out", str(report),
                 *map(str, files)])  # fmt: skip


def test_score_command_fails_clearly_when_no_file_can_be_scored(
    tmp_path: Path, key: list[Annotation], capsys: pytest.CaptureFixture[str]
) -> None:
    AnnotationStore(tmp_path / "key.jsonl").add_many(key)
    (tmp_path / "a.txt").write_text("nothing here")
    status = _score_command(tmp_path, tmp_path / "a.txt", tmp_path / "b.jsonl")
    err = capsys.readouterr().err
    assert status == 1
    assert "a.txt: not an annotation file" in err and "b.jsonl: no such file" in err
    assert "error: none of the 2 file(s) given could be scored" in err
    assert not (tmp_path / "report").exists()


def test_a_repeated_paragraph_counts_once(
    doc: Document, discourse: TagSet, key: list[Annotation]
) -> None:
    first, repeat = doc.paragraphs[15], doc.paragraphs[18]
    phrase = "die Lage in der Ukraine"
    in_first = first.start + first.text.index(phrase)
    in_repeat = repeat.start + repeat.text.index(phrase)
    gold = _span(doc, discourse, in_first, in_first + len(phrase), "framing of the war", "key")
    copy = _span(doc, discourse, in_repeat, in_repeat + len(phrase), "framing of the war", "ada")
    both = [copy, replace(gold, creator="bob")]
    moved, changed = fold_repeated([copy], {doc.id: doc})
    assert changed == 1 and [(a.start, a.end, a.exact) for a in moved] == [
        (gold.start, gold.end, phrase)
    ]
    merged, changed = fold_repeated(both, {doc.id: doc})
    assert changed == 1 and merged == [both[1]]  # the copy of a span already there is dropped
    results = grade([gold], {"ada": [copy], "bob": both}, {doc.id: doc})
    scores = results.scores
    for student in ("ada", "bob"):
        row = _row(scores, student, "framing of the war", "exact")
        assert (row.true_pos, row.false_pos, row.false_neg) == (1, 0, 0)
    assert any("the source prints twice" in note for note in results.notes)


@pytest.mark.parametrize("given", ["keys/diplomatic-discorse.jsonl", "diplomatic-discorse.jsonl"])
def test_a_mistyped_key_path_is_named_with_the_keys_there_are(
    tmp_path: Path, given: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["score", "--key", given, "--corpus", str(CORPUS), str(tmp_path / "a.jsonl")])
    err = capsys.readouterr().err
    assert status == 1
    assert f"{given}: no such key file" in err
    assert "(diplomatic-discourse, translation-critique)" in err

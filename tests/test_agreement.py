"""Agreement: Krippendorff's alpha and Cohen's kappa over tokens, checked by hand and against the
reference libraries; disagreement per token and per passage."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

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
from corpus_tools.annotate import TagSet
from corpus_tools.annotate.record import Annotation
from corpus_tools.errors import GradingError
from corpus_tools.grading import (
    grade,
)

from .conftest import key_phrase, key_span


def _marks(data: Sequence[Sequence[int]] | np.ndarray, tags: Sequence[str] = ("x",)) -> TokenMarks:
    array = np.asarray(data, dtype=np.uint8)
    if array.ndim == 2:
        array = array[:, None, :]
    names = tuple(f"a{i}" for i in range(len(array)))
    units = array.shape[2]
    tokens = pd.DataFrame(
        {
            "doc_id": "d",
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
        "doc_id": "d",
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
    partial = key_span(doc, discourse, start + 3, start + 5, "hedge", "ada")  # inside “soon”
    outside = key_phrase(
        doc, discourse, "Die USA und Russland", "actor", "ada"
    )  # title: not in scope
    marks = token_marks(
        {"key": key, "ada": [partial, outside]}, {doc.id: doc}, sections, tags=["hedge", "actor"]
    )
    tokens = marks.tokens
    repeated = doc.paragraphs[18]  # p19 repeats p16 and counts once
    assert repeated.duplicate_of.id == "p16" and "p19" not in set(tokens.paragraph)
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


def test_disagreement_per_token_and_passages_ranked_most_disputed_first(
    doc: Document, discourse: TagSet
) -> None:
    sections = [doc.section("us-statement")]
    split = "President Trump is the only leader in the world who can get Ukraine and Russia"
    shared = "President Trump wants to stop the killing"
    half = "We agreed to"

    def person(tag_split: str, also_half: bool, who: str) -> list[Annotation]:
        made = [
            key_phrase(doc, discourse, split, tag_split, who),
            key_phrase(doc, discourse, shared, "commitment", who),
        ]
        return made + ([key_phrase(doc, discourse, half, "commitment", who)] if also_half else [])

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
    assert first.sentence == "s11" and first.disagreement == pytest.approx(0.75)

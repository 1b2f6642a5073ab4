"""Grading: scores against a key, files, the report and the score command."""

from __future__ import annotations

import csv
import itertools
import json
import math
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from corpus_tools import Corpus, Document
from corpus_tools.annotate import AnnotationStore, TagSet, load_key
from corpus_tools.annotate.record import Annotation
from corpus_tools.annotate.store import LoadReport
from corpus_tools.cli import main
from corpus_tools.errors import AnswerKeyError, GradingError
from corpus_tools.grading import (
    ALL_TAGS,
    ClassAnnotations,
    _overlap_matches,
    fold_repeated,
    grade,
    load_class,
    score,
    summary,
    write_report,
)

from .conftest import CORPUS, KEY_PHRASES, key_phrase, key_span


def _row(scores: pd.DataFrame, student: str, tag: str, matching: str) -> pd.Series:
    found = scores[
        (scores.student == student) & (scores.tag == tag) & (scores.matching == matching)
    ]
    assert len(found) == 1
    return found.iloc[0]


def test_exact_and_overlap_matching_give_the_known_precision_recall_and_f1(
    doc: Document, discourse: TagSet
) -> None:
    base = doc.section("us-statement").start
    gold = [
        key_span(doc, discourse, base, base + 20, "commitment", "key"),
        key_span(doc, discourse, base + 40, base + 50, "commitment", "key"),
        key_span(doc, discourse, base + 60, base + 70, "hedge", "key"),
    ]
    ada = [
        key_span(doc, discourse, base, base + 20, "commitment", "ada"),  # exact
        key_span(doc, discourse, base + 45, base + 55, "commitment", "ada"),  # overlaps
        key_span(doc, discourse, base + 80, base + 90, "commitment", "ada"),  # spurious
        key_span(doc, discourse, base + 100, base + 110, "actor", "ada"),
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
        key_span(doc, discourse, b, b + 10, "actor", "key"),
        key_span(doc, discourse, b + 10, b + 14, "actor", "key"),
    ]
    # bob's first span overlaps key 1 by 8 and key 2 by 2, his second overlaps key 1 by 3:
    # greedily key 1 would take the first span and leave key 2 unmatched; an augmenting path
    # gives key 2 the first span and key 1 the second, so both are found.
    bob = [
        key_span(doc, discourse, b + 2, b + 12, "actor", "bob"),
        key_span(doc, discourse, b, b + 3, "actor", "bob"),
    ]
    # cyd gives one span twice and one span that covers both key spans.
    cyd = [
        key_span(doc, discourse, b, b + 10, "actor", "cyd"),
        key_span(doc, discourse, b, b + 10, "actor", "cyd"),
        key_span(doc, discourse, b, b + 14, "actor", "cyd"),
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
def test_each_shipped_key_scored_against_itself_has_f1_one(
    path: Path, corpus: Corpus, doc: Document
) -> None:
    gold = load_key(path, corpus)
    klass = load_class([path], {doc.id: doc.text}, key=gold)
    assert not klass.skipped
    results = grade(gold, klass, {doc.id: doc})
    assert (results.scores.f1 == 1).all()
    assert results.scores.true_pos.sum() == 2 * 2 * len(gold)  # per tag and (all), two matchings


def test_a_tag_named_like_a_column_is_noted_and_breaks_nothing(
    doc: Document, discourse: TagSet, key: list[Annotation]
) -> None:
    odd = [key_phrase(doc, discourse, p, tag, "eve") for p, tag in KEY_PHRASES[:2]]
    odd += [  # as a file edited by hand would have them: the widget offers no such tag
        replace(a, tag=name, creator="eve") for a, name in zip(key, ("text", "start"), strict=False)
    ]
    results = grade(
        key,
        {"ada": list(key), "eve": odd},
        {doc.id: doc},
        tags=[label.name for label in discourse.labels],
    )
    assert results.notes == (
        "ada: the same 8 span(s) and tag(s) as the answer key, with the key's own annotation "
        "ids: a copy of the key's file",
        "tag(s) not in the tag set, scored as mistakes: start, text",
    )
    tokens = results.disagreement.tokens
    assert all(doc.text[r.start : r.end] == r.text for r in tokens.itertuples())
    assert results.disagreement.by_tag["text"].max() == 1
    eve = results.scores.query("student == 'eve' and tag == 'text' and matching == 'exact'")
    assert eve.false_pos.item() == 1


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
    AnnotationStore(ada).add_many([key_phrase(doc, discourse, "We agreed to", "commitment", "Ada")])
    nameless = tmp_path / "nameless.jsonl"
    AnnotationStore(nameless).add(key_phrase(doc, discourse, "We agreed to", "commitment", " "))
    second_ada = tmp_path / "ada-again.jsonl"
    AnnotationStore(second_ada).add(key_phrase(doc, discourse, "as soon as", "hedge", "Ada"))
    (tmp_path / "notes.txt").write_text("my notes\nnot JSON\n", encoding="utf-8")
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "records.jsonl").write_text(json.dumps({"id": "x", "type": "Annotation"}) + "\n")
    AnnotationStore(tmp_path / "entities.jsonl").add(
        key_phrase(doc, entities, "Marco Rubio", "person", "Eve")
    )
    other = key_phrase(doc, discourse, "We agreed to", "commitment", "Max")
    other_doc = replace(other, doc_id="another-document")
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
    tmp_path: Path, corpus: Corpus, doc: Document, key: list[Annotation]
) -> None:
    with pytest.raises(AnswerKeyError, match="no such answer key file"):
        load_key(tmp_path / "nope.jsonl", corpus)
    damaged = AnnotationStore(tmp_path / "damaged.jsonl")
    damaged.add_many(key[:2])
    with open(damaged.path, "a", encoding="utf-8") as stream:
        stream.write("{oops\n")
    with pytest.raises(AnswerKeyError, match=r"damaged\.jsonl:3: not a complete JSON line"):
        load_key(damaged.path, corpus)
    moved = AnnotationStore(tmp_path / "moved.jsonl")
    moved.add(replace(key[0], start=key[0].start - 2, end=key[0].end - 2))
    with pytest.raises(AnswerKeyError, match=r"moved\.jsonl:1: annotation .* correct its offsets"):
        load_key(moved.path, corpus)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(AnswerKeyError, match="holds no annotations"):
        load_key(empty, corpus)
    with pytest.raises(GradingError, match="no student annotations"):
        grade(key, ClassAnnotations(()), {doc.id: doc})


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
    assert pd.read_csv(written[4]).empty  # nothing set apart: the key has no such label
    assert list(pd.read_csv(written[5]).columns) == ["kind", "text"]
    assert written[6].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert {p.stat().st_mode & 0o777 for p in written} == {0o644}  # others may read it
    # The figure fails after the tables were written: every earlier file is left as it was.
    import corpus_tools.figures

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("cannot draw")

    before = [p.read_bytes() for p in written]
    monkeypatch.setattr(corpus_tools.figures, "plot_disagreement", broken)
    changed = grade(key, {"key": key, "half": key[::3]}, {doc.id: doc})
    with pytest.raises(RuntimeError):
        write_report(changed, tmp_path / "out")
    assert [p.read_bytes() for p in written] == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(REPORT)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging folder left


def test_report_cells_that_a_spreadsheet_would_run_are_kept_as_text(
    tmp_path: Path, doc: Document, key: list[Annotation], no_disagreement_figure: None
) -> None:
    """A student's file named like a formula reaches the report as text (OWASP's advice on CSV
    injection: a leading apostrophe); numbers, negative ones too, stay numbers."""
    hostile = ['=HYPERLINK("http://example.invalid")', "+1", "-2+3", "@SUM(A1)"]
    klass = {name: key[::2] for name in hostile} | {"plain": key}
    written = write_report(grade(key, klass, {doc.id: doc}), tmp_path / "out")
    for path in (p for p in written if p.suffix == ".csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            cells = [cell for row in csv.reader(handle) for cell in row]
        assert not [
            c
            for c in cells
            if c.startswith(("=", "+", "@")) or (c.startswith("-") and not _number(c))
        ], path.name
    students = set(pd.read_csv(written[0]).student)
    assert {f"'{name}" for name in hostile} | {"plain"} == students
    kappas = pd.read_csv(written[2])
    assert pd.api.types.is_numeric_dtype(kappas.pairs)


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


REPORT = [
    "scores.csv",
    "agreement.csv",
    "kappa_by_student.csv",
    "passages.csv",
    "unjudged.csv",
    "notes.csv",
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
        [key_span(doc, discourse, a.start, a.end, a.tag, "ada") for a in key[:5]]
    )
    AnnotationStore(students / "bob.jsonl").add_many(
        [key_span(doc, discourse, a.start, a.end, "actor", "bob") for a in key]
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
    gold = key_span(doc, discourse, in_first, in_first + len(phrase), "framing of the war", "key")
    copy = key_span(doc, discourse, in_repeat, in_repeat + len(phrase), "framing of the war", "ada")
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
    assert f"{given}: no such answer key file" in err
    assert "(available keys: diplomatic-discourse, translation-critique)" in err

"""Properties of the annotation store, with Hypothesis: random edits of a real text never leave
an annotation on text that differs from its quote without reporting it, and a write torn at any
byte loses no complete record."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpus_tools import Document
from corpus_tools.annotate import Annotation, AnnotationStore, TagSet, make_annotation
from corpus_tools.annotate.anchoring import CONTEXT_NEEDED, context_score

DOC = "riyadh-2025-02-18"


@pytest.fixture(scope="module")
def excerpt(doc: Document) -> str:
    """From the readout's third paragraph to its sixth, which repeats the third word for word."""
    [third, sixth] = [p for p in doc.paragraphs if p.id in ("p16", "p19")]
    text = doc.text[third.start : sixth.end]
    assert doc.text[third.start : third.end] == doc.text[sixth.start : sixth.end]
    return text


@pytest.fixture(scope="module")
def annotated(
    excerpt: str,
    doc: Document,
    tagsets: dict[str, TagSet],
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[str, Path]:
    """An annotation file of every ninth word of the excerpt and a phrase in each copy."""
    tagset = tagsets["entities"]
    offset = doc.text.index(excerpt)
    tokens = doc.tokens.covered_by(offset, offset + len(excerpt))
    spans = [(t.start - offset, t.end - offset) for t in list(tokens)[::9]]
    phrase = "Beide Seiten"
    spans += [(i, i + len(phrase)) for i in _occurrences(excerpt, phrase)]
    notes = [make_annotation(excerpt, DOC, start, end, "place", tagset, creator="ada",
                             annotation_id=f"n{n}", created="2025-02-18T00:00:00+00:00")
             for n, (start, end) in enumerate(spans)]  # fmt: skip
    store = AnnotationStore(tmp_path_factory.mktemp("store-properties") / "ada.jsonl")
    store.add_many(notes)
    return excerpt, store.path


def _occurrences(text: str, phrase: str) -> list[int]:
    return [i for i in range(len(text)) if text.startswith(phrase, i)]


# --- random edits -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Edit:
    """Replace ``length`` characters at ``at`` (modulo the text's length) by ``new``."""

    at: int
    length: int
    new: str

    def apply(self, text: str) -> tuple[str, int]:
        """The edited text, and the first position it changed."""
        at = self.at % (len(text) + 1)
        return text[:at] + self.new + text[at + self.length :], at


PIECES = st.sampled_from(["", " ", "e", "n", "Seiten", "Beide Seiten", "die ", ".\n\n", "ä", "xy"])
EDITS = st.builds(Edit, st.integers(0, 10_000), st.integers(0, 40), PIECES)


@given(edits=st.lists(EDITS, max_size=4))
def test_random_edits_never_leave_an_annotation_on_other_text_unreported(
    annotated: tuple[str, Path], edits: list[Edit]
) -> None:
    text, path = annotated
    original = {a.id: a for a in AnnotationStore(path).load({DOC: text}).annotations}
    changed_from = len(text) + 1
    for edit in edits:
        text, at = edit.apply(text)
        changed_from = min(changed_from, at)
    report = AnnotationStore(path).load({DOC: text})
    for annotation in report.annotations:  # on its quote, with enough of its old context
        assert text[annotation.start : annotation.end] == annotation.exact
        old = original[annotation.id]
        needed = CONTEXT_NEEDED * (len(old.prefix) + len(old.suffix))
        assert context_score(text, annotation.start, old) >= needed
    moved = {m.id: m for m in report.moved}
    kept = {a.id for a in report.annotations} - moved.keys()
    orphaned = [a.id for a in report.orphans]
    assert sorted([*kept, *moved, *orphaned]) == sorted(original)  # each in exactly one
    for annotation in report.annotations:
        old = original[annotation.id]
        if annotation.id in moved:
            assert moved[annotation.id].old == (old.start, old.end)
            assert moved[annotation.id].new == (annotation.start, annotation.end)
            assert (annotation.start, annotation.end) != (old.start, old.end)
        else:
            assert annotation == old
    for old in original.values():  # edits after a quote and its context leave it where it is
        if old.end + len(old.suffix) <= changed_from:
            assert old.id in kept


# --- torn writes --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    """One save: ``add`` new annotations, or ``edit``/``delete`` the ``pick``-th current one."""

    kind: str
    pick: int
    count: int


STEPS = st.lists(
    st.builds(Step, st.sampled_from(["add", "edit", "delete"]), st.integers(0, 9),
              st.integers(1, 3)),
    min_size=1, max_size=8,
)  # fmt: skip


def _save(
    store: AnnotationStore, steps: list[Step], make: Callable[[str], Annotation]
) -> list[list[str]]:
    """Carry out the saves; return each line's effect on a plain model: (kind, id, comment)."""
    current: dict[str, Annotation] = {}
    lines: list[list[str]] = []
    for number, step in enumerate(steps):
        if step.kind == "add" or not current:
            made = [make(f"s{number}-{k}") for k in range(step.count)]
            store.add_many(made)
            current.update((a.id, a) for a in made)
            lines += [["add", a.id, ""] for a in made]
            continue
        target = sorted(current)[step.pick % len(current)]
        if step.kind == "edit":
            edited = replace(current[target], comment=f"edit {number}")
            store.edit(edited)
            current[target] = edited
            lines.append(["edit", target, edited.comment or ""])
        else:
            store.delete(target)
            del current[target]
            lines.append(["delete", target, ""])
    return lines


def _replay(lines: list[list[str]]) -> dict[str, str]:
    """The comment of each annotation the lines leave, by id."""
    model: dict[str, str] = {}
    for kind, annotation_id, comment in lines:
        if kind == "delete":
            del model[annotation_id]
        else:
            model[annotation_id] = comment
    return model


@given(steps=STEPS, cut=st.floats(0, 1))
def test_a_write_torn_at_any_byte_loses_no_complete_record(
    tagsets: dict[str, TagSet], steps: list[Step], cut: float
) -> None:
    tagset, text = tagsets["entities"], "Beide Seiten trafen sich in Riad."

    def make(annotation_id: str) -> Annotation:
        return make_annotation(text, DOC, 0, 5, "place", tagset, creator="ada",
                               annotation_id=annotation_id, created="2025-02-18")  # fmt: skip

    with tempfile.TemporaryDirectory() as folder:
        store = AnnotationStore(Path(folder) / "ada.jsonl")
        lines = _save(store, steps, make)
        data = store.path.read_bytes()
        torn = data[: round(cut * len(data))]
        store.path.write_bytes(torn)
        complete = len([line for line in torn.split(b"\n") if _is_whole(line)])
        report = store.load()
        assert {a.id: a.comment or "" for a in report.annotations} == _replay(lines[:complete])
        tail = torn.rsplit(b"\n", 1)[-1]
        torn_line = [torn.count(b"\n") + 1] if tail and not _is_whole(tail) else []
        assert [p.line for p in report.skipped] == torn_line  # at most the one torn line
        store.add(make("after"))  # the next save still works, and loses nothing either
        after = store.load()
        assert len(after.annotations) == len(report.annotations) + 1
        assert after.skipped == report.skipped


def _is_whole(line: bytes) -> bool:
    """Whether ``line`` is a whole event line (one cut just before its newline is whole)."""
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False
